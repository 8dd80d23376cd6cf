"""Who may see and change a project's rows: the one place the app's visibility and role rules live.

A private project, and everything in it, is visible to its collaborators and to staff who hold the
``audio_vcs.view_project`` permission (superusers hold all); anyone else gets a 404. A public project is
readable by every signed-in user. Writes follow the collaborator's role (``ACTION_ROLES``); superusers and
staff holding the ``audio_vcs.change_project`` permission act as owners.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audio_vcs.choices import CollaboratorRole
from audio_vcs.constants import ROLE_ORDER

#: The least role that may do each thing; every write path asks ``may(user, project, action)``.
ACTION_ROLES = {
    "read": CollaboratorRole.VIEWER,
    "export": CollaboratorRole.VIEWER,
    "comment": CollaboratorRole.CONTRIBUTOR,
    "commit": CollaboratorRole.CONTRIBUTOR,
    "compose": CollaboratorRole.CONTRIBUTOR,
    "request_review": CollaboratorRole.CONTRIBUTOR,
    "branch": CollaboratorRole.MAINTAINER,
    "merge": CollaboratorRole.MAINTAINER,
    "approve": CollaboratorRole.MAINTAINER,
    "moderate": CollaboratorRole.MAINTAINER,
    "edit_project": CollaboratorRole.MAINTAINER,
    "manage_collaborators": CollaboratorRole.OWNER,
    "delete_project": CollaboratorRole.OWNER,
}

NOT_ALLOWED = "Your role in this project does not allow this ({action} needs {role})."


def roles_at_least(role: str) -> list[str]:
    return [str(r) for r in ROLE_ORDER[ROLE_ORDER.index(role) :]]


def is_staff_reader(user) -> bool:
    return bool(user.is_superuser or (user.is_staff and user.has_perm("audio_vcs.view_project")))


def is_staff_writer(user) -> bool:
    return bool(user.is_superuser or (user.is_staff and user.has_perm("audio_vcs.change_project")))


def visible_projects_q(user, prefix: str = "") -> Q | None:
    """The condition on projects (through ``prefix``) that ``user`` may see; None means every project."""
    if is_staff_reader(user):
        return None
    return Q(**{f"{prefix}is_public": True}) | Q(**{f"{prefix}collaborators__user": user})


def scope(queryset: QuerySet, user, *, prefix: str = "", action: str = "read") -> QuerySet:
    """Rows of live projects (reached through ``prefix``) that ``user`` may see, or may ``action`` in."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    queryset = queryset.filter(**{f"{prefix}deleted_at__isnull": True})
    role = ACTION_ROLES[action]
    if role == CollaboratorRole.VIEWER:
        if is_staff_reader(user):
            return queryset
        from audio_vcs.models import Collaborator

        member_of = Collaborator.objects.filter(user=user).values("project_id")
        return queryset.filter(Q(**{f"{prefix}is_public": True}) | Q(**{f"{prefix}id__in": member_of}))
    if is_staff_writer(user):
        return queryset
    from audio_vcs.models import Collaborator

    allowed = Collaborator.objects.filter(user=user, role__in=roles_at_least(role)).values("project_id")
    return queryset.filter(**{f"{prefix}id__in": allowed})


def role_of(user, project) -> str | None:
    """The user's role in the project (staff writers count as owners), or None."""
    if user is None or not user.is_authenticated:
        return None
    if is_staff_writer(user):
        return CollaboratorRole.OWNER
    role = project.collaborators.filter(user=user).values_list("role", flat=True).first()
    return role


def may_see(user, project) -> bool:
    if user is None or not user.is_authenticated or project.deleted_at is not None:
        return False
    return project.is_public or is_staff_reader(user) or role_of(user, project) is not None


def may(user, project, action: str) -> bool:
    """Whether ``user`` may do ``action`` in ``project`` (see ``ACTION_ROLES``)."""
    if not may_see(user, project):
        return False
    needed = ACTION_ROLES[action]
    if needed == CollaboratorRole.VIEWER:
        return True
    role = role_of(user, project)
    return role is not None and ROLE_ORDER.index(role) >= ROLE_ORDER.index(needed)


def not_allowed_message(action: str) -> str:
    return NOT_ALLOWED.format(action=action.replace("_", " "), role=ACTION_ROLES[action].label.lower())
