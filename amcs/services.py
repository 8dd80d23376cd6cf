"""AMCS services: the SDS export, validation and import, song deletion, and workflow runs and their events.

Every write is keyword-only, atomic and runs ``full_clean()`` before ``save()``; the API, the
admin and the management commands call these functions, so they all meet the same rules.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone

from amcs import rules
from amcs.choices import WorkflowEventPhase, WorkflowNode, WorkflowRunStatus
from amcs.constants import MAX_FIX_ITERATIONS
from amcs.models import (
    Blueprint,
    Lyrics,
    Persona,
    ProducerNotes,
    Song,
    Source,
    Style,
    WorkflowEvent,
    WorkflowRun,
)
from amcs.validation import schema_errors
from core.models import Tenant

SONG_HAS_NO_LYRICS = "The song has no lyrics yet; an SDS needs them."
SONG_HAS_NO_PRODUCER_NOTES = "The song has no producer notes yet; an SDS needs them."
NO_SUCH_BLUEPRINT = "This tenant has no blueprint {genre} {version}."
NO_SUCH_PERSONA = "This tenant has no persona with id {persona_id}."
SOURCE_DIFFERS = "This tenant already has a source named '{name}' with other settings."
RUN_NOT_RUNNING = "Events are appended to running runs only; this run is {status}."
FIX_LOOP_LIMIT = "The fix loop stops at 3 iterations; this run has had {count}."


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
    return {
        "title": song.title,
        "blueprint_ref": {"genre": song.blueprint.genre, "version": song.blueprint.version},
        "style": song.style.to_document(),
        "lyrics": lyrics.to_document(),
        "producer_notes": notes.to_document(),
        "persona_id": str(song.persona_id) if song.persona_id else None,
        "sources": [source.to_document() for source in song.sources.all()],
        "prompt_controls": {
            "positive_tags": list(song.positive_tags),
            "negative_tags": list(song.negative_tags),
            "max_style_chars": song.max_style_chars,
            "max_prompt_chars": song.max_prompt_chars,
        },
        "render": {
            "engine": song.render_engine,
            "model": song.render_model or None,
            "num_variations": song.render_num_variations,
        },
        "seed": song.global_seed,
    }


# Validation


def _blueprint_for(document: dict, tenant: Tenant) -> Blueprint | None:
    ref = document["blueprint_ref"]
    return (
        Blueprint.objects.filter(tenant=tenant, version=ref["version"])
        .annotate(genre_lower=Lower("genre"))
        .filter(genre_lower=ref["genre"].lower())
        .first()
    )


def sds_validate(*, document: Any, tenant: Tenant | None = None) -> list[dict]:
    """Every schema and rule error of an SDS document as ``{"pointer", "message"}``, sorted; empty when valid.

    With a tenant, the references are checked too: the blueprint (by genre and version) and the persona must
    exist in it, the style must meet the blueprint, and same-named sources must not differ.
    """
    errors = schema_errors("sds", document)
    if not errors:
        blueprint = _blueprint_for(document, tenant) if tenant is not None else None
        errors += rules.sds_errors(document, blueprint=blueprint.to_document() if blueprint else None)
        if tenant is not None:
            errors += _reference_errors(document, tenant, blueprint)
    unique = sorted(set(errors), key=lambda error: (error[0], error[1]))
    return [{"pointer": pointer or "/", "message": message} for pointer, message in unique]


def _reference_errors(document: dict, tenant: Tenant, blueprint: Blueprint | None) -> list[tuple[str, str]]:
    errors = []
    if blueprint is None:
        errors.append(("/blueprint_ref", NO_SUCH_BLUEPRINT.format(**document["blueprint_ref"])))
    persona_id = document.get("persona_id")
    if persona_id and not Persona.objects.filter(tenant=tenant, pk=persona_id).exists():
        errors.append(("/persona_id", NO_SUCH_PERSONA.format(persona_id=persona_id)))
    existing = _existing_sources(document, tenant)
    for index, source in enumerate(document["sources"]):
        found = existing.get(source["name"].lower())
        if found is not None and found.to_document() != Source(**Source.fields_from_document(source)).to_document():
            errors.append((f"/sources/{index}/name", SOURCE_DIFFERS.format(name=source["name"])))
    return errors


def _existing_sources(document: dict, tenant: Tenant) -> dict[str, Source]:
    names = [source["name"].lower() for source in document["sources"]]
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


def _save(instance, pointer: str) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ValidationError(
            {
                f"{pointer}/{field}" if field != "__all__" else pointer: messages
                for field, messages in error.message_dict.items()
            }
        ) from error
    instance.save()


@transaction.atomic
def sds_import(*, document: Any, tenant: Tenant, owner) -> Song:
    """Create a song and everything its SDS holds in one transaction: a style under the referenced blueprint,
    the lyrics, the producer notes, and the sources (reusing identical ones of the same name).

    The blueprint (by genre and version) and the persona must already exist in the tenant. Any error
    leaves nothing behind and is raised keyed by JSON pointer.
    """
    sds_raise_errors(sds_validate(document=document, tenant=tenant))
    blueprint = _blueprint_for(document, tenant)
    persona = Persona.objects.get(tenant=tenant, pk=document["persona_id"]) if document.get("persona_id") else None
    existing = _existing_sources(document, tenant)
    sources = []
    for index, data in enumerate(document["sources"]):
        source = existing.get(data["name"].lower())
        if source is None:
            source = Source(tenant=tenant, owner=owner, **Source.fields_from_document(data))
            _save(source, f"/sources/{index}")
            existing[data["name"].lower()] = source
        sources.append(source)
    style = Style(
        tenant=tenant,
        owner=owner,
        name=document["title"][:255],
        blueprint=blueprint,
        **Style.fields_from_document(document["style"]),
    )
    _save(style, "/style")
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
    )
    if "version" in document:
        song.sds_version = document["version"]
    _save(song, "")
    song.sources.set(sources)
    _save(Lyrics(tenant=tenant, owner=owner, song=song, **Lyrics.fields_from_document(document["lyrics"])), "/lyrics")
    _save(
        ProducerNotes(
            tenant=tenant, owner=owner, song=song, **ProducerNotes.fields_from_document(document["producer_notes"])
        ),
        "/producer_notes",
    )
    return song


# Songs


@transaction.atomic
def song_delete(*, song: Song) -> Song:
    """Soft-delete the song with its lyrics, producer notes and runs, all marked at the same instant
    (``Song.delete``, so every path that deletes a song takes its children along)."""
    song.delete()
    return song


@transaction.atomic
def song_restore(*, song: Song) -> Song:
    """Bring back a deleted song and the children that were deleted with it (``Song.restore``)."""
    song.restore()
    return song


# Workflow runs


@transaction.atomic
def workflow_run_start(
    *,
    song: Song,
    owner,
    tenant: Tenant | None = None,
    node_outputs: dict | None = None,
    validation_scores: dict | None = None,
) -> WorkflowRun:
    """Start a run of the song: status running, seeded with the song's seed so the run can be replayed."""
    run = WorkflowRun(
        tenant=tenant or song.tenant,
        owner=owner,
        song=song,
        seed=song.global_seed,
        node_outputs=node_outputs if node_outputs is not None else {},
        validation_scores=validation_scores if validation_scores is not None else {},
    )
    run.full_clean()
    run.save()
    return run


@transaction.atomic
def workflow_event_append(
    *,
    run: WorkflowRun,
    owner,
    node: str,
    phase: str,
    ts=None,
    metrics: dict | None = None,
    issues: list | None = None,
) -> WorkflowEvent:
    """Append an event to a running run's stream. A FIX start counts a fix iteration (at most 3); a start moves
    the run's current node. The event carries the node's seed (run seed + node index)."""
    run = WorkflowRun.objects.select_for_update().get(pk=run.pk)
    if run.status != WorkflowRunStatus.RUNNING:
        raise ValidationError({"run": [RUN_NOT_RUNNING.format(status=run.status)]})
    if node not in WorkflowNode.values:
        raise ValidationError({"node": [f"Unknown workflow node '{node}'."]})
    changed = []
    if node == WorkflowNode.FIX and phase == WorkflowEventPhase.START:
        if run.fix_iterations >= MAX_FIX_ITERATIONS:
            raise ValidationError({"node": [FIX_LOOP_LIMIT.format(count=run.fix_iterations)]})
        run.fix_iterations += 1
        changed.append("fix_iterations")
    if phase == WorkflowEventPhase.START and run.current_node != node:
        run.current_node = node
        changed.append("current_node")
    sequence = (run.events.aggregate(last=Max("sequence"))["last"] or 0) + 1
    event = WorkflowEvent(
        tenant_id=run.tenant_id,
        owner=owner,
        run=run,
        sequence=sequence,
        ts=ts or timezone.now(),
        node=node,
        phase=phase,
        seed=run.node_seed(node),
        metrics=metrics if metrics is not None else {},
        issues=issues if issues is not None else [],
    )
    event.full_clean()
    event.save()
    if changed:
        run.full_clean()
        run.save(update_fields=[*changed, "updated_at"])
    return event


SOURCE_OTHER_TENANT = "Source '{name}' belongs to another tenant."


def song_validate_sources(*, tenant: Tenant, sources) -> None:
    """A song's sources must belong to the song's tenant (checked by the API and the admin form)."""
    wrong = [SOURCE_OTHER_TENANT.format(name=source.name) for source in sources if source.tenant_id != tenant.pk]
    if wrong:
        raise ValidationError({"sources": wrong})
