"""The two database checks most models repeat: a column holds one of its choices, a number lies in a range.

Names follow the project's pattern ``<app>_<model>_<field>_valid`` / ``_range`` through Django's
``%(app_label)s_%(class)s`` interpolation, so one call reads the same in every model and the migrations
name the constraint as before. A check with its own wording or name spells out ``CheckConstraint``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def _label(field: str) -> str:
    return field.replace("_", " ")


def choice_check(field: str, choices: type[models.Choices], *, blank: bool = False) -> models.CheckConstraint:
    """``field`` holds a value of ``choices`` (or ``""`` when ``blank``); refused with "Unknown <field>."."""
    values = [*choices.values, ""] if blank else choices.values
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": values}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
        violation_error_message=format_lazy(_("Unknown {}."), _label(field)),
    )


def range_check(field: str, low, high, *, name: str | None = None) -> models.CheckConstraint:
    """``low <= field <= high`` (NULL passes, as in every check); refused with "<Field> must be between ..."."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"%(app_label)s_%(class)s_{name or field}_range",
        violation_error_message=format_lazy(_("{} must be between {} and {}."), _label(field).capitalize(), low, high),
    )
