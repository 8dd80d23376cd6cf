"""What each collaborator role may do in a project: the one table of the app's role rules.

Visibility itself is core's rule (``core.models``, docs/architecture.md "Visibility"): a project is a group
(``core.models.GroupModel``) whose ``memberships`` are its collaborators; every other model declares
``access_path`` to its project. ``ProjectQuerySet`` adds the one difference of this app, public projects,
readable by every signed-in user. Superusers see and do everything; other staff act through their role, like
anyone else. Which role each action needs is ``ACTION_ROLES``; services ask ``may(user, project, action)``.
"""

from __future__ import annotations

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
    """The roles that include ``role`` (itself and the more powerful ones)."""
    return [str(r) for r in ROLE_ORDER[ROLE_ORDER.index(role) :]]


def active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def role_of(user, project) -> str | None:
    """The user's role in the project (superusers count as owners), or None."""
    if not active(user):
        return None
    if user.is_superuser:
        return CollaboratorRole.OWNER
    return project.memberships.filter(user=user).values_list("role", flat=True).first()


def may_see(user, project) -> bool:
    if not active(user) or project.deleted_at is not None:
        return False
    return project.is_public or role_of(user, project) is not None


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
