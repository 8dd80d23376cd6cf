"""The admin inline bases of every inline in the project: their formsets turn constraint violations into form
errors, never into a 500, and their relation choices offer only what the user may see (``ScopedChoicesMixin``).

Django checks each inline row against the database, but not the rows of one formset against each other
for conditional unique constraints (two new tracks at the same position of one album), so such a save
reached the database and came back as an ``IntegrityError``. :class:`ConstraintFormSet` checks every
unique constraint of the model (conditions included) across the submitted rows. (A concurrent edit that
slips past both checks is still stopped by the database.)
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet

from core.models import choices_for


def _holds(condition, instance) -> bool:
    """Whether a constraint's condition holds for ``instance`` (no condition: always)."""
    if condition is None:
        return True
    against = {}
    for field in instance._meta.concrete_fields:
        value = models.Value(getattr(instance, field.attname), output_field=field)
        against[field.name] = against[field.attname] = value
    return condition.check(against)


class ConstraintFormSet(BaseInlineFormSet):
    """Checks the model's unique constraints across the rows of the formset (see the module docstring)."""

    def clean(self):
        super().clean()
        constraints = [
            constraint
            for constraint in self.model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields and not constraint.expressions
        ]
        for constraint in constraints:
            seen: dict[tuple, object] = {}
            for form in self.forms:
                if not getattr(form, "cleaned_data", None) or self._should_delete_form(form) or form.errors:
                    continue
                instance = form.instance
                values = tuple(
                    getattr(instance, self.model._meta.get_field(name).attname) for name in constraint.fields
                )
                if any(value is None for value in values) or not _holds(constraint.condition, instance):
                    continue
                if values in seen:
                    form.add_error(None, ValidationError(constraint.get_violation_error_message(), code="unique"))
                else:
                    seen[values] = form


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices, and sidebar filters on relations, offer only what the user may see
    (groups: where they may write)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **scoped_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **scoped_choices(db_field, request, kwargs))


def scoped_choices(db_field, request, kwargs: dict) -> dict:
    """``kwargs`` with the relation's choices limited to what ``request.user`` may pick, unless the caller chose."""
    if "queryset" not in kwargs:
        choices = choices_for(db_field.related_model, request.user)
        if choices is not None:
            kwargs["queryset"] = choices
    return kwargs


def acting_person_form(form_class, request):
    """``form_class``, refusing a value of an acting-person field (``core.field_rules.acting_fields``: owner,
    author, the voter...) that names someone other than ``request.user``, unless the model lets staff enter rows for
    others and the user holds that permission (then the history records "by ``request.user`` for them")."""
    from core.field_rules import acting_errors, acting_fields

    model = form_class._meta.model
    if not any(name in form_class.base_fields for name in acting_fields(model)):
        return form_class

    class ActingPersonForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            changed = [name for name in self.changed_data if name not in self.errors]
            for name, messages in acting_errors(self.instance, request.user, changed=changed).items():
                self.add_error(name, messages)

    ActingPersonForm.__name__ = form_class.__name__
    return ActingPersonForm


class ActingPersonInlineMixin:
    """Inline rows meet the same acting-person rule as the page's own form (see :func:`acting_person_form`)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = acting_person_form(formset.form, request)
        return formset


class TabularInline(ActingPersonInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    """The project's tabular inline: constraint violations across rows are form errors; choices are scoped."""

    formset = ConstraintFormSet


class StackedInline(ActingPersonInlineMixin, ScopedChoicesMixin, admin.StackedInline):
    """The project's stacked inline: constraint violations across rows are form errors; choices are scoped."""

    formset = ConstraintFormSet
