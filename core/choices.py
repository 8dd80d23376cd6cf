"""Enumerations shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


#: Roles that may create and change a tenant's rows; viewers only read.
WRITE_ROLES = (MembershipRole.OWNER, MembershipRole.ADMIN, MembershipRole.MEMBER)

#: Roles that manage a group's memberships (add, change, remove members).
MANAGE_ROLES = (MembershipRole.OWNER,)
