"""Who sees and changes the club's rows: one queryset per kind of data (core's ``visible_to``)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from core.models import ScopedQuerySet

USER = settings.AUTH_USER_MODEL


# Visibility (core's rule, see docs/architecture.md) ---------------------------------------------


class ClubRowQuerySet(ScopedQuerySet):
    """Rows of a club's weeks: visible to the club's members (core's ``visible_to``)."""


class MemberRowQuerySet(ScopedQuerySet):
    """A member's own data: visible to them and to the members of a club they share; changed by them."""


class PersonalRowQuerySet(ScopedQuerySet):
    """A member's private rows (linked accounts): only they (and superusers) see and change them."""

    def visible_to(self, user) -> PersonalRowQuerySet:
        return self.editable_by(user)


class CompatibilityQuerySet(ScopedQuerySet):
    """A pair's compatibility: visible to whoever may see both members' data, when the two share a club."""

    def visible_to(self, user) -> CompatibilityQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        seen = self.model._meta.get_field("user_a").related_model.objects.visible_to(user).values("pk")
        return self.filter(user_a__in=seen, user_b__in=seen)

    def editable_by(self, user) -> CompatibilityQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(Q(user_a=user) | Q(user_b=user))
