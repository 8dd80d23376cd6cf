"""Status machines: the transitions listed in ``audio_vcs.constants`` checked in ``clean()`` and by a trigger."""

from __future__ import annotations

import pgtrigger
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BAD_TRANSITION = _("%(model)s status cannot move from %(old)s to %(new)s (allowed: %(allowed)s).")
BAD_START = _("A new %(model)s starts as %(start)s.")


def transition_trigger(name: str, transitions: dict) -> pgtrigger.Protect:
    """A trigger refusing any status change not listed in ``transitions`` (the same table ``clean()`` reads)."""
    allowed = None
    for old, targets in sorted(transitions.items()):
        for new in sorted(targets):
            pair = pgtrigger.Q(old__status=str(old), new__status=str(new))
            allowed = pair if allowed is None else allowed | pair
    changed = pgtrigger.Q(old__status__df=pgtrigger.F("new__status"))
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update, condition=changed & ~allowed)


class StatusMachineMixin:
    """Remembers the status a row was loaded with; ``check_transition()`` raises on a move not allowed."""

    transitions: dict = {}
    initial_status = None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def status_errors(self) -> dict:
        loaded = getattr(self, "_loaded_status", None)
        label = self._meta.verbose_name
        if self._state.adding:
            if self.status != self.initial_status:
                return {"status": BAD_START % {"model": label, "start": self.initial_status}}
            return {}
        if loaded is None or loaded == self.status:
            return {}
        allowed = self.transitions.get(loaded, set())
        if self.status not in allowed:
            return {
                "status": BAD_TRANSITION
                % {
                    "model": str(label).capitalize(),
                    "old": loaded,
                    "new": self.status,
                    "allowed": ", ".join(sorted(str(s) for s in allowed)) or "none, it is final",
                }
            }
        return {}

    def check_transition(self) -> None:
        errors = self.status_errors()
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._loaded_status = self.status
