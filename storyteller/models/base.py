"""What every Everbound model shares: who may see a row, who may change it, and the row rules hook.

Two kinds of data live in this app:

* **Process definition** (``ProcessDefinitionModel``): process versions, nodes, edges, sections,
  prompts, prompt packs, session templates, scope types and agents. Shared reference data: any
  signed-in user reads it; staff with the model permissions write it.
* **Storyteller data** (``StorytellerOwnedModel``): everything that hangs off a storyteller. Each model
  declares core's ``access_path`` (``"life_event__storyteller__user"``): the row belongs to the
  storyteller's user. Core's rule decides who bypasses scoping (superusers; staff are scoped like
  everyone else, see docs/architecture.md "Visibility"); :class:`StorytellerOwnedQuerySet` narrows the
  scope for personal data: the owner sees and changes the row, and nobody else sees it (not the members
  of a club the owner belongs to: core lets club members read each other's listens; a life story is not
  shared that way), so the sensitive tables (trauma, boundaries, preferences) need no rule of their
  own. Rows of a deleted storyteller drop out.

Row rules that need the database (status machines, the composition gate, trauma consent, section
unlocking) live in ``storyteller.rules``; ``clean()`` and ``save()`` both call them, so the API (through
``full_clean``), the admin's forms and inlines, services, commands and plain ``save()`` calls all meet
them, once per write: ``services.row_save`` validates with ``full_clean()`` and its ``save()`` skips the
second pass. Bulk ``update()`` does not meet them: the database checks and the status machines' triggers
(``storyteller.models.machines``) are what hold there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.models import BaseModel, ScopedQuerySet, SoftDeleteQuerySet

#: how many text columns a storyteller model's ``q`` searches (its first ones, in field order)
SEARCHED_COLUMNS = 4


def searched_columns(model) -> list[str]:
    """The text columns ``q`` searches on ``model`` (storyteller.filtersets), joined as one text and served by
    the model's one trigram index (``core.models.trigram_index(name, *columns)`` in its ``Meta``)."""
    columns = [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not field.is_relation
        and not field.choices
        and isinstance(field, models.CharField | models.TextField)
    ]
    return columns[:SEARCHED_COLUMNS]


def storyteller_lookup(model, suffix: str) -> str:
    """The ORM lookup from ``model`` to its storyteller's ``suffix`` (``pk``, ``deleted_at__isnull``)."""
    path = model.access_path.removesuffix("user").removesuffix("__")
    return f"{path}__{suffix}" if path else suffix


class StorytellerOwnedQuerySet(ScopedQuerySet):
    """Rows of the storytellers whose user is the requesting user; core's rule (``ScopedQuerySet``) decides
    the rest: superusers see and change all, staff are scoped like everyone else."""

    def scope_filter(self, user, *, write: bool) -> models.Q:
        """A life story is shared with nobody: the owner reads and writes it (not club-mates, as core's
        user-scoped rule would let them), and only while the storyteller is not deleted."""
        return models.Q(**{self.model.access_path: user.pk, storyteller_lookup(self.model, "deleted_at__isnull"): True})

    def of_storyteller(self, storyteller) -> StorytellerOwnedQuerySet:
        return self.filter(**{storyteller_lookup(self.model, "pk"): storyteller.pk})


class StorytellerQuerySet(SoftDeleteQuerySet, StorytellerOwnedQuerySet):
    """Storytellers: soft-deletable and owner-scoped."""


class RowRulesMixin(models.Model):
    """Calls ``storyteller.rules`` from ``clean()`` and ``save()`` and remembers the loaded status."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from storyteller import rules

        # ``services.row_save`` has just run every rule through ``full_clean()``: not a second pass
        if not self.__dict__.pop("_rules_checked", False):
            rules.normalise(self)
            rules.check(self, on_save=True)
        super().save(*args, **kwargs)
        rules.remember(self)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        from storyteller import rules

        rules.remember(instance)
        return instance

    def clean(self):
        super().clean()
        from storyteller import rules

        rules.normalise(self)
        rules.check(self)


class StorytellerOwnedModel(RowRulesMixin, BaseModel):
    """A row that belongs to one storyteller, directly or through its parent (see ``access_path``)."""

    #: core's visibility path: from this model to the user who owns the storyteller
    access_path: ClassVar[str] = "storyteller__user"

    objects = StorytellerOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class ProcessDefinitionModel(RowRulesMixin, BaseModel):
    """Reference data of the process: readable by every signed-in user, written by staff."""

    class Meta:
        abstract = True


def fraction_field(verbose_name, **kwargs) -> models.DecimalField:
    """An optional score from 0.00 to 1.00 (confidence, strength, ratio); pair it with a ``range_check``."""
    return models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        verbose_name=verbose_name,
        **kwargs,
    )
