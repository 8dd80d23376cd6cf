"""AMCS services of documents and songs: the SDS export, validation and import, entity documents, composed
prompts, song deletion.

Every write is keyword-only, atomic and runs ``full_clean()`` before ``save()``; the API, the
admin and the management commands call these functions, so they all meet the same rules.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from amcs import compose, documents, rules
from amcs.choices import WorkflowNode
from amcs.models import (
    Blueprint,
    ComposedPrompt,
    Lyrics,
    Persona,
    ProducerNotes,
    Song,
    Source,
    Style,
    WorkflowRun,
    node_index,
)
from amcs.validation import schema_errors, whole_numbers_as_integers
from core.models import Tenant

SONG_HAS_NO_LYRICS = "The song has no lyrics yet; an SDS needs them."
SONG_HAS_NO_PRODUCER_NOTES = "The song has no producer notes yet; an SDS needs them."
NO_SUCH_BLUEPRINT = "This tenant has no blueprint {genre} {version}."
NO_SUCH_PERSONA = (
    "This tenant has no persona with id {persona_id}; import its persona first, or map the id to a persona by "
    "name (persona_names / --map-persona ID=NAME)."
)
SOURCE_DIFFERS = "This tenant already has a source named '{name}' with other settings."


# Export


def song_sds(*, song: Song) -> dict:
    """The song's SDS 1.0 document. Pass a song fetched with ``Song.objects.with_sds_parts()`` for a constant
    number of queries; a song without lyrics or producer notes cannot make an SDS (a ValidationError says which)."""
    lyrics = next(iter(song.lyrics.all()), None)
    notes = next(iter(song.producer_notes.all()), None)
    missing = {}
    if lyrics is None:
        missing["lyrics"] = [SONG_HAS_NO_LYRICS]
    if notes is None:
        missing["producer_notes"] = [SONG_HAS_NO_PRODUCER_NOTES]
    if missing:
        raise ValidationError(missing)
    return documents.song_to_sds(song, lyrics=lyrics, notes=notes, sources=list(song.sources.all()))


# Validation


def _blueprint_for(document: dict, tenant: Tenant) -> Blueprint | None:
    ref = document.get("blueprint_ref")
    if not isinstance(ref, dict) or not isinstance(ref.get("genre"), str) or not isinstance(ref.get("version"), str):
        return None
    return (
        Blueprint.objects.filter(tenant=tenant, version=ref["version"])
        .annotate(genre_lower=Lower("genre"))
        .filter(genre_lower=ref["genre"].lower())
        .first()
    )


def _persona_for(persona_id: str, tenant: Tenant, persona_names: dict[str, str] | None) -> Persona | None:
    """The tenant's persona an SDS's ``persona_id`` means: its id, the external reference it was imported with,
    or (with ``persona_names``, reference id -> name) the persona of that name."""
    personas = Persona.objects.filter(tenant=tenant)
    try:
        uuid.UUID(str(persona_id))
    except ValueError:
        found = None
    else:
        found = personas.filter(pk=persona_id).first()
    found = found or personas.filter(external_ref=persona_id).first()
    name = (persona_names or {}).get(persona_id)
    if found is None and name:
        found = personas.annotate(name_lower=Lower("name")).filter(name_lower=name.lower()).first()
    return found


def _top_parts(errors: list[tuple[str, str]]) -> set[str]:
    """The SDS parts (``/style``, ``/sources/2``) that schema errors point into."""
    parts = set()
    for pointer, _message in errors:
        steps = pointer.strip("/").split("/")
        parts.add("/" + "/".join(steps[:2]) if steps[0] == "sources" and len(steps) > 1 else "/" + steps[0])
    return parts


def sds_check(
    *, document: Any, tenant: Tenant | None = None, persona_names: dict[str, str] | None = None
) -> documents.Report:
    """Every schema error, and the rule errors and warnings of the schema-valid parts of an SDS, in one pass.

    With a tenant, the references are checked too: the blueprint (by genre and version) and the persona must
    exist in it, the style and lyrics must meet the blueprint, and same-named sources must not differ.
    """
    document = whole_numbers_as_integers("sds", document)
    errors = schema_errors("sds", document) + documents.nul_errors(document)
    if not isinstance(document, dict):
        return documents.Report(errors, [])
    skip = _top_parts(errors)
    blueprint = _blueprint_for(document, tenant) if tenant is not None and "/blueprint_ref" not in skip else None
    issues = rules.sds_issues(document, blueprint=blueprint.to_document() if blueprint else None, skip=skip)
    errors += rules.errors_of(issues)
    if tenant is not None:
        errors += _reference_errors(document, tenant, blueprint, skip, persona_names)
    return documents.Report(sorted(set(errors)), sorted(set(rules.warnings_of(issues))))


def sds_validate(*, document: Any, tenant: Tenant | None = None) -> list[dict]:
    """The errors of ``sds_check`` as ``{"pointer", "message"}``, sorted; empty when valid."""
    return documents.as_json(sds_check(document=document, tenant=tenant).errors)


def _reference_errors(
    document: dict, tenant: Tenant, blueprint: Blueprint | None, skip: set[str], persona_names
) -> list[tuple[str, str]]:
    errors = []
    if blueprint is None and "/blueprint_ref" not in skip:
        errors.append(("/blueprint_ref", NO_SUCH_BLUEPRINT.format(**document["blueprint_ref"])))
    persona_id = document.get("persona_id")
    if persona_id and "/persona_id" not in skip and _persona_for(persona_id, tenant, persona_names) is None:
        errors.append(("/persona_id", NO_SUCH_PERSONA.format(persona_id=persona_id)))
    if "/sources" in skip or not isinstance(document.get("sources"), list):
        return errors
    existing = _existing_sources(document, tenant, skip)
    for index, source in enumerate(document["sources"]):
        if f"/sources/{index}" in skip:
            continue
        found = existing.get(source["name"].lower())
        if found is not None and _source_differs(found, source):
            errors.append((f"/sources/{index}/name", SOURCE_DIFFERS.format(name=source["name"])))
    return errors


SOURCE_COMPARED = ("kind", "config", "scopes", "weight", "allow", "deny", "has_provenance", "mcp_server_id")


def _source_differs(row: Source, document: dict) -> bool:
    fields = documents.source_fields(document)
    return any(getattr(row, name) != fields[name] for name in SOURCE_COMPARED)


def _existing_sources(document: dict, tenant: Tenant, skip: set[str] = frozenset()) -> dict[str, Source]:
    names = [
        source["name"].lower() for index, source in enumerate(document["sources"]) if f"/sources/{index}" not in skip
    ]
    rows = Source.objects.filter(tenant=tenant).annotate(name_lower=Lower("name")).filter(name_lower__in=names)
    return {row.name_lower: row for row in rows}


def sds_raise_errors(errors: list[dict]) -> None:
    """Raise SDS errors as a ValidationError keyed by JSON pointer (the API's ``field`` is the pointer)."""
    if errors:
        by_pointer: dict[str, list[str]] = {}
        for error in errors:
            by_pointer.setdefault(error["pointer"], []).append(error["message"])
        raise ValidationError(by_pointer)


# Import


def _field_pointer(kind: str | None, field: str) -> str:
    """The document pointer of a model field (``tempo_bpm_min`` -> ``/rules/tempo_bpm``), or the field's name."""
    for key, name in documents.FIELDS.get(kind or "", {}).items():
        if name == field:
            return "/" + key
    return "" if field == "__all__" else "/" + field


#: Relations an import sets from rows it has just read or made itself: not looked up again by ``full_clean``.
TRUSTED_RELATIONS = ("tenant", "owner", "song", "blueprint", "style", "persona")


def _save(instance, pointer: str, kind: str | None = None) -> None:
    """``full_clean()`` and save one row of an import, errors keyed by the document's pointers.

    The relations the import itself set are not looked up again, and the check constraints are left to the
    database (a violation is mapped back to its message): an imported row costs its INSERT and the queries
    its rules need, not one query per constraint.
    """
    trusted = [name for name in TRUSTED_RELATIONS if getattr(instance, f"{name}_id", None) is not None]
    try:
        instance.full_clean(exclude=trusted, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(
            {
                pointer + _field_pointer(kind, field) if field != "__all__" else pointer or "/": messages
                for field, messages in error.message_dict.items()
            }
        ) from error
    try:
        instance.save()
    except IntegrityError as error:
        name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        constraint = next((c for c in instance._meta.constraints if c.name == name), None)
        message = str(constraint.violation_error_message) if constraint is not None else str(error)
        raise ValidationError({pointer or "/": [message]}) from error


@transaction.atomic
def sds_import(*, document: Any, tenant: Tenant, owner, persona_names: dict[str, str] | None = None) -> Song:
    """Create a song and everything its SDS holds in one transaction: a style under the referenced blueprint,
    the lyrics, the producer notes, and the sources (reusing identical ones of the same name).

    The blueprint (by genre and version) and the persona must already exist in the tenant; a ``persona_id`` of
    another system is found by the external reference its persona was imported with, or by name through
    ``persona_names`` (reference id -> name). The SDS's root ``id`` is kept as the song's external reference.
    Any error leaves nothing behind and is raised keyed by JSON pointer.
    """
    document = whole_numbers_as_integers("sds", document)
    sds_raise_errors(documents.as_json(sds_check(document=document, tenant=tenant, persona_names=persona_names).errors))
    blueprint = _blueprint_for(document, tenant)
    persona = _persona_for(document["persona_id"], tenant, persona_names) if document.get("persona_id") else None
    existing = _existing_sources(document, tenant)
    sources = []
    for index, data in enumerate(document["sources"]):
        source = existing.get(data["name"].lower())
        if source is None:
            source = Source(tenant=tenant, owner=owner, **documents.source_fields(data))
            _save(source, f"/sources/{index}", "source")
            existing[data["name"].lower()] = source
        sources.append(source)
    style_fields = documents.style_fields(document["style"])
    style_fields.setdefault("name", document["title"][:255])
    style = Style(tenant=tenant, owner=owner, blueprint=blueprint, **style_fields)
    _save(style, "/style", "style")
    controls, render = document["prompt_controls"], document["render"]
    song = Song(
        tenant=tenant,
        owner=owner,
        title=document["title"],
        blueprint=blueprint,
        style=style,
        persona=persona,
        global_seed=document["seed"],
        positive_tags=controls.get("positive_tags", []),
        negative_tags=controls.get("negative_tags", []),
        max_style_chars=controls.get("max_style_chars", 1000),
        max_prompt_chars=controls.get("max_prompt_chars", 5000),
        render_engine=render["engine"],
        render_model=render.get("model") or "",
        render_num_variations=render.get("num_variations", 2),
        external_ref=document.get("id", ""),
        document_form=documents.sds_form(document, [str(source.pk) for source in sources]),
    )
    if "version" in document:
        song.sds_version = document["version"]
    _save(song, "")
    song.sources.set(sources)
    lyrics = Lyrics(tenant=tenant, owner=owner, song=song, **documents.lyrics_fields(document["lyrics"]))
    _save(lyrics, "/lyrics", "lyrics")
    notes = ProducerNotes(
        tenant=tenant, owner=owner, song=song, **documents.producer_notes_fields(document["producer_notes"])
    )
    _save(notes, "/producer_notes", "producer_notes")
    return song


# Entity documents

MODELS = {
    "blueprint": Blueprint,
    "persona": Persona,
    "source": Source,
    "style": Style,
    "lyrics": Lyrics,
    "producer_notes": ProducerNotes,
}
ALREADY_EXISTS = "This tenant already has a {kind} '{name}' with other values; rename it or change the existing one."
NEEDS_SONG = "A {kind} document belongs to a song: name the song to import it into."
STYLE_NEEDS_NAME = "A style document needs a name here (an SDS's style takes the song's title)."


def entity_document(*, instance) -> dict:
    """The row's document, as its schema in ``amcs/schemas`` describes it."""
    return instance.to_document()


def _natural_match(kind: str, document: dict, tenant: Tenant):
    """The tenant's row an imported document is the same thing as (blueprint: genre and version; persona and
    source: name), or None."""
    if kind == "blueprint" and isinstance(document.get("genre"), str):
        rows = Blueprint.objects.filter(tenant=tenant, version=document.get("version"))
        return rows.annotate(key=Lower("genre")).filter(key=document["genre"].lower()).first()
    if kind in ("persona", "source") and isinstance(document.get("name"), str):
        rows = MODELS[kind].objects.filter(tenant=tenant)
        return rows.annotate(key=Lower("name")).filter(key=document["name"].lower()).first()
    return None


def _context(kind: str, *, song: Song | None, blueprint: Blueprint | None) -> dict:
    if kind == "style":
        return {"blueprint": blueprint.to_document() if blueprint else None}
    if kind == "lyrics" and song is not None:
        return {"blueprint": song.blueprint.to_document()}
    if kind == "producer_notes" and song is not None:
        order = song.lyrics.order_by("created_at").values_list("section_order", flat=True).first()
        return {"target_duration_sec": song.target_duration_sec, "section_order": order}
    return {}


def document_check(
    *,
    kind: str,
    document: Any,
    tenant: Tenant | None = None,
    song: Song | None = None,
    blueprint: Blueprint | None = None,
) -> documents.Report:
    """Schema errors and the rules' errors and warnings of one entity document, in one pass; with a tenant, also
    whether the tenant has another row of the same name."""
    document = whole_numbers_as_integers(kind, document)
    report = documents.check(kind, document, **_context(kind, song=song, blueprint=blueprint))
    errors = list(report.errors)
    if tenant is not None and isinstance(document, dict):
        match = _natural_match(kind, document, tenant)
        if match is not None and not _same_row(kind, match, document):
            at = "/genre" if kind == "blueprint" else "/name"
            errors.append((at, ALREADY_EXISTS.format(kind=kind, name=match)))
    if kind in ("lyrics", "producer_notes") and tenant is not None and song is None:
        errors.append(("", NEEDS_SONG.format(kind=kind.replace("_", " "))))
    if kind == "style" and isinstance(document, dict) and "name" not in document and tenant is not None:
        errors.append(("/name", STYLE_NEEDS_NAME))
    return documents.Report(sorted(set(errors)), report.warnings)


def _same_row(kind: str, row, document: dict) -> bool:
    fields = documents.FROM_DOCUMENT[kind](document)
    ignored = {"document_form"}
    return all(getattr(row, name) == value for name, value in fields.items() if name not in ignored)


@transaction.atomic
def document_import(
    *,
    kind: str,
    document: Any,
    tenant: Tenant,
    owner,
    song: Song | None = None,
    blueprint: Blueprint | None = None,
):
    """Create the row of one entity document (a blueprint, persona, source, style, lyrics or producer notes).

    A blueprint, persona or source the tenant already has with the same values is returned as it is (so an
    import can run twice); one with other values is an error naming it. Lyrics and producer notes go to
    ``song``; a style may follow ``blueprint``. Errors are raised keyed by JSON pointer; the warnings are stored
    with the row (``instance.warnings``).
    """
    document = whole_numbers_as_integers(kind, document)
    report = document_check(kind=kind, document=document, tenant=tenant, song=song, blueprint=blueprint)
    sds_raise_errors(documents.as_json(report.errors))
    match = _natural_match(kind, document, tenant)
    if match is not None:
        match.was_created = False
        return match
    model = MODELS[kind]
    extra: dict = {"song": song} if kind in ("lyrics", "producer_notes") else {}
    if kind == "style":
        extra["blueprint"] = blueprint
    instance = model(tenant=tenant, owner=owner, **extra, **documents.FROM_DOCUMENT[kind](document))
    _save(instance, "", kind)
    instance.was_created = True
    return instance


def detect_kind(document: Any) -> tuple[str | None, list[tuple[str, str]]]:
    """The kind of a document by the schema it meets (SDS first, then the entities); when none fits, the kind it
    comes closest to and that schema's errors."""
    best: tuple[str | None, list] = (None, [("", "Not a JSON object.")])
    if not isinstance(document, dict):
        return best
    for kind in ("sds", "blueprint", "persona", "source", "style", "lyrics", "producer_notes"):
        errors = schema_errors(kind, document)
        if not errors:
            return kind, []
        if best[0] is None or len(errors) < len(best[1]):
            best = (kind, errors)
    return best


# Composed prompts

SDS_NOT_VALID = "The song's SDS is not valid yet: {problems}"
RUN_OTHER_SONG = "This run is another song's."


@transaction.atomic
def song_compose(*, song: Song, owner, run: WorkflowRun | None = None) -> ComposedPrompt:
    """Compose the song's prompt for its render engine and store it (linked to ``run`` when given).

    Deterministic (``amcs.compose``): the same SDS composes to the same text and content hash. A constant
    number of queries whatever the song's size. Raises a ValidationError when the SDS is not valid or a part
    is over the engine's limit.
    """
    song = Song.objects.with_sds_parts().get(pk=song.pk)
    if run is not None and run.song_id != song.pk:
        raise ValidationError({"run_id": [RUN_OTHER_SONG]})
    sds = song_sds(song=song)
    problems = schema_errors("sds", sds)
    if problems:
        text = "; ".join(f"{pointer}: {message}" for pointer, message in problems[:5])
        raise ValidationError({"sds": [SDS_NOT_VALID.format(problems=text)]})
    result = compose.compose(
        sds,
        blueprint=song.blueprint.to_document(),
        persona=song.persona.to_document() if song.persona_id else None,
    )
    prompt = ComposedPrompt(
        tenant_id=song.tenant_id,
        owner=owner,
        song=song,
        run=run,
        text=result["text"],
        style=result["style"],
        meta=result["meta"],
        target_engine=song.render_engine,
        target_model=song.render_model,
        style_char_count=result["style_char_count"],
        total_char_count=result["total_char_count"],
        content_hash=result["content_hash"],
        seed=song.global_seed + node_index(WorkflowNode.COMPOSE),
    )
    prompt.full_clean(validate_constraints=False)  # the constraints are the text's length, checked above
    prompt.save()
    return prompt


# Songs


@transaction.atomic
def song_delete(*, song: Song) -> Song:
    """Soft-delete the song with its lyrics, producer notes, runs and composed prompts, all marked at the same instant
    (core's soft delete, so every path that deletes a song takes its children along and honours PROTECT)."""
    song.delete()
    return song


@transaction.atomic
def song_restore(*, song: Song) -> Song:
    """Bring back a deleted song and the children that were deleted with it; refused (``ProtectedError``) while its
    blueprint, style or persona is deleted (core's soft restore)."""
    song.restore()
    return song


SOURCE_OTHER_TENANT = "Source '{name}' belongs to another tenant."


def song_validate_sources(*, tenant: Tenant, sources) -> None:
    """A song's sources must belong to the song's tenant (checked by the API and the admin form)."""
    wrong = [SOURCE_OTHER_TENANT.format(name=source.name) for source in sources if source.tenant_id != tenant.pk]
    if wrong:
        raise ValidationError({"sources": wrong})
