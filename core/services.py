"""Shared service helpers (HackSoft style): writes that every app's services build on."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

T = TypeVar("T")
#: what Python prints of an object it cannot describe (``<_io.BytesIO object at 0x7f...>``, ``<class 'X'>``)
PYTHON_REPR = re.compile(r"<[^<>]* at 0x[0-9a-fA-F]+>|<(?:class|function|module|built-in function) [^<>]*>")


class Refused(PermissionDenied):
    """A write the actor may not make, naming the field it is about: the API answers 403, the admin shows the
    message on that field of the form (``core.admin.RefusedSaveMixin``)."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class ConflictError(Exception):
    """A write that the current state of the data refuses (a branch head moved meanwhile, a name already taken, both
    sides of a merge changed the same part): Django's side of a 409. The API answers 409 with ``message``, ``code``
    and ``errors`` (one per ``field`` when given), plus ``extra`` keys in the body; the admin shows it as a form error
    on ``field`` (``core.admin.RefusedSaveMixin``); a command prints the message. Services raise this, never DRF's
    ``Conflict``."""

    def __init__(
        self, message: str, *, code: str = "conflict", field: str | None = None, errors=None, extra=None
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.field = field
        self.errors = list(errors or [])
        self.extra = dict(extra or {})


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


def insert_ignoring_conflicts(*, model: type[models.Model], rows: list[models.Model]) -> set:
    """``INSERT ... ON CONFLICT DO NOTHING`` of ``rows`` (one statement); returns the primary keys of those inserted.

    The rows must carry their primary key (the UUID defaults do) and be sorted the same way by every caller, so
    that two transactions inserting overlapping rows wait for each other instead of deadlocking. A row that a
    unique constraint refuses (another transaction stored the same row first, committed or not: PostgreSQL
    waits for it) is skipped; the caller re-reads by its unique key. This is the race-safe half of every
    get-or-create: a unique key, ``ON CONFLICT``, and a re-read.
    """
    if not rows:
        return set()
    model.objects.bulk_create(rows, ignore_conflicts=True)
    wanted = [row.pk for row in rows]
    return set(model._base_manager.filter(pk__in=wanted).values_list("pk", flat=True))


def get_or_create_by_key(*, model: type[models.Model], lookup: dict[str, Any], defaults: dict[str, Any] | None = None):
    """The row matching ``lookup`` (which must name a unique key, e.g. a constraint's fields and condition),
    created with ``defaults`` when missing: ``INSERT ... ON CONFLICT DO NOTHING`` and a re-read, so concurrent
    callers get the same row and none of them an ``IntegrityError``. Returns ``(row, created)``."""
    found = model._base_manager.filter(**lookup).first()
    if found is not None:
        return found, False
    row = model(**{key: value for key, value in lookup.items() if "__" not in key}, **(defaults or {}))
    row.full_clean(validate_unique=False, validate_constraints=False)
    created = bool(insert_ignoring_conflicts(model=model, rows=[row]))
    return model._base_manager.get(**lookup), created


def retry_after_conflict(write: Callable[[], T]) -> T:
    """``write()`` in a savepoint, run once more if a unique constraint refuses it.

    For a write that replaces the rows it would collide with (a member's vote of a rank replaces their earlier
    one): a concurrent request may commit such a row after ``write`` looked for it, and the unique index then
    refuses the insert. The second run sees that row (each statement reads what is committed) and replaces it,
    so the request gets what it gets alone, not a 409 for a duplicate it was going to replace anyway.
    """
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        with transaction.atomic():
            return write()


def full_clean_except_unique(instance: models.Model, *, exclude=None) -> None:
    """``full_clean()`` but for the unique constraints, which the database's unique indexes decide at the insert.

    A duplicate then gets one answer (``core.api.exceptions.duplicate``: a 409 with the rule's message, the same
    rule whichever other rules the row also breaks) whether the row it duplicates was there before the request
    or a concurrent request stored it a moment ago. A field's own ``unique=True`` is still checked here; core
    maps both the same way."""
    errors: dict = {}
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, models.UniqueConstraint):
                continue
            try:
                constraint.validate(model_class, instance, exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def without_reprs(text: str) -> str:
    """``text`` with Python reprs put in words: ``Error opening <_io.BytesIO object at 0x7f...>`` reads
    ``Error opening the file``, ``<class 'int'>`` reads ``a value``."""
    return PYTHON_REPR.sub(lambda match: "the file" if " at 0x" in match.group() else "a value", text)


def public_error_text(error: BaseException, limit: int = 2000) -> str:
    """What an exception says, fit for a user to read (a failed job's error text): its first line without Python
    reprs, or its class's name in words if it says nothing."""
    lines = str(error).strip().splitlines()
    text = without_reprs(lines[0]) if lines else ""
    return (text or re.sub(r"(?<!^)(?=[A-Z])", " ", type(error).__name__).capitalize())[:limit]
