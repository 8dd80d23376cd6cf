"""The starter library of genre blueprints (``amcs/library/blueprints.json``), installed into a tenant so that a new
tenant can run a song without writing a blueprint first. Idempotent: a blueprint the tenant already has with the
same genre and version is left as it is (reported when its values differ)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from amcs.services.documents import _natural_match, _same_row, document_import
from core.models import Tenant
from core.services import Refused

LIBRARY_FILE = Path(__file__).resolve().parents[1] / "library" / "blueprints.json"
NOT_YOUR_TENANT = "Your role in this tenant does not allow adding blueprints."


@functools.cache
def _library() -> tuple[str, ...]:
    return tuple(json.dumps(document) for document in json.loads(LIBRARY_FILE.read_text())["blueprints"])


def starter_blueprints() -> list[dict]:
    """The library's documents (fresh copies), in the file's order."""
    return [json.loads(text) for text in _library()]


def blueprint_library_load(*, tenant: Tenant, owner, actor=None, progress=None) -> dict:
    """Install every starter blueprint the tenant lacks; returns ``{"created", "present", "differs"}`` (genres).
    ``progress(done, total, genre, outcome)`` is called after each blueprint."""
    if actor is not None and not Tenant.objects.writable_by(actor).filter(pk=tenant.pk).exists():
        raise Refused(NOT_YOUR_TENANT, field="tenant")
    result: dict[str, list[str]] = {"created": [], "present": [], "differs": []}
    documents = starter_blueprints()
    for done, document in enumerate(documents, start=1):
        outcome = _load_one(document, tenant, owner)
        result[outcome].append(document["genre"])
        if progress is not None:
            progress(done, len(documents), document["genre"], outcome)
    return result


def _load_one(document: dict, tenant: Tenant, owner) -> str:
    match = _natural_match("blueprint", document, tenant)
    if match is None:
        try:
            with transaction.atomic():
                document_import(kind="blueprint", document=document, tenant=tenant, owner=owner)
            return "created"
        except ValidationError:  # another load stored it first (the genre+version unique index): read it again
            match = _natural_match("blueprint", document, tenant)
            if match is None:
                raise
    return "present" if _same_row("blueprint", match, document) else "differs"
