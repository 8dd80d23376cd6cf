"""Shared service helpers (HackSoft style): writes that every app's services build on."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction


@transaction.atomic
def model_update(*, instance: models.Model, data: dict[str, Any], fields: list[str] | None = None) -> models.Model:
    """Set the given fields, run ``full_clean()`` and save only what changed.

    ``fields`` limits which keys of ``data`` may be written (defaults to all keys).
    Returns the instance; a ``ValidationError`` leaves the row untouched.
    """
    allowed = set(fields) if fields is not None else set(data)
    changed = []
    for name, value in data.items():
        if name in allowed and getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    if changed:
        instance.full_clean()
        if any(field.name == "updated_at" for field in instance._meta.fields):
            changed.append("updated_at")
        instance.save(update_fields=changed)
    return instance
