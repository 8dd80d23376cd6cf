"""What ``validate_sds`` and ``import_sds`` share: reading SDS files and printing errors with file and pointer."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError

from core.models import Tenant


def read_document(path: str) -> tuple[object, list[dict]]:
    """The parsed JSON of a file, or the errors that kept it from being read."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")), []
    except OSError as error:
        return None, [{"pointer": "/", "message": f"cannot read the file: {error.strerror or error}"}]
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return None, [{"pointer": "/", "message": f"not JSON: {error}"}]


def get_tenant(slug: str | None) -> Tenant | None:
    if not slug:
        return None
    try:
        return Tenant.objects.get(slug=slug)
    except Tenant.DoesNotExist as error:
        raise CommandError(f"No tenant with slug '{slug}'.") from error


def report(command, path: str, errors: list[dict]) -> None:
    for error in errors:
        command.stderr.write(f"{path}: {error['pointer']}: {error['message']}")
