"""What every Everbound model shares: who may see a row and who may change it.

Two kinds of data live in this app:

* **Process definition** (``ProcessDefinitionModel``): process versions, nodes, edges, sections,
  prompts, prompt packs, session templates, scope types and agents. Any signed-in user reads them;
  staff write them (model permissions, as everywhere in the project).
* **Storyteller data** (``StorytellerOwnedModel``): everything that hangs off a storyteller. A row is
  visible only to the storyteller's user and to staff who hold the model's view permission; it is
  changed by the same owner or by staff with the change permission. Each model names the path from
  itself to its storyteller in ``owner_path`` (``"life_event__storyteller"``), and
  :meth:`StorytellerOwnedQuerySet.visible_to` is the one scoping rule the API, the admin, the
  serializers' relation fields and the services use. Sensitive models (trauma, boundaries,
  preferences) set ``is_sensitive``: the same rule, and nothing else may widen it.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from core.models import BaseModel, SoftDeleteQuerySet


def owner_lookup(model, suffix: str) -> str:
    """The ORM lookup from ``model`` to its storyteller's ``suffix`` (``user``, ``deleted_at__isnull``)."""
    path = getattr(model, "owner_path", None)
    return f"{path}__{suffix}" if path else suffix


def is_staff_for(user, model, action: str = "view") -> bool:
    """Superusers, and staff whose groups grant ``storyteller.<action>_<model>``."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff and user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"))


class StorytellerOwnedQuerySet(models.QuerySet):
    """Rows of storytellers whose user is the requesting user (staff with the view permission see all)."""

    def visible_to(self, user) -> StorytellerOwnedQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if is_staff_for(user, self.model):
            return self
        return self.owned_by(user)

    def editable_by(self, user) -> StorytellerOwnedQuerySet:
        """Rows the user may change: their own, or any with the change permission."""
        if user is None or not user.is_authenticated:
            return self.none()
        if is_staff_for(user, self.model, "change"):
            return self
        return self.owned_by(user)

    def owned_by(self, user) -> StorytellerOwnedQuerySet:
        return self.filter(
            **{owner_lookup(self.model, "user"): user, owner_lookup(self.model, "deleted_at__isnull"): True}
        )


class StorytellerQuerySet(SoftDeleteQuerySet, StorytellerOwnedQuerySet):
    """Storytellers: soft-deletable and owner-scoped."""


class StorytellerOwnedModel(BaseModel):
    """A row that belongs to one storyteller, directly or through its parent (see ``owner_path``)."""

    #: the ORM path from this model to its storyteller; "" for the storyteller itself
    owner_path: ClassVar[str] = "storyteller"
    #: trauma, boundaries and preferences: never shown beyond the owner and staff
    is_sensitive: ClassVar[bool] = False

    objects = StorytellerOwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_owned_by(self, user) -> bool:
        """Whether ``user`` is this row's storyteller's user (one query when the path is not loaded)."""
        if user is None or not user.is_authenticated:
            return False
        return type(self)._default_manager.filter(pk=self.pk).owned_by(user).exists()


class ProcessDefinitionModel(BaseModel):
    """Reference data of the process: readable by every signed-in user, written by staff."""

    owner_path: ClassVar[str | None] = None
    is_sensitive: ClassVar[bool] = False

    class Meta:
        abstract = True
