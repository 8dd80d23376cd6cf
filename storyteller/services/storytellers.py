"""Writes of the storyteller app that need more than one row: status moves with their event log,
process activation, approvals, consent, section unlocking and asking a prompt within the boundaries.

The API's viewsets, the admin (``save_model``, inlines, actions) and the commands call these; the row
rules themselves are in ``storyteller.rules`` and run from ``full_clean()``.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from core.models import may_write_into
from storyteller import rules
from storyteller.models import (
    ArchetypeAnalysis,
    Event,
    LifeEvent,
    LifeEventBoundary,
    LifeEventLocation,
    LifeEventTimespan,
    LifeEventTrauma,
    ProcessPrompt,
    ProcessSection,
    ProcessVersion,
    SessionInteraction,
    Storyteller,
    StorytellerBoundary,
    StorytellerSectionStatus,
    StorytellerSession,
)
from storyteller.models.machines import ACTOR_SETTING, CONTEXT_SETTING

NOT_YOUR_STORYTELLER = "You may write only the rows of your own storytellers."
PROMPT_ABOVE_TIER = "This prompt (tier %(tier)d) is above what the storyteller is comfortable with (tier %(limit)d)."


def storyteller_of(obj: models.Model) -> Storyteller:
    if isinstance(obj, Storyteller):
        return obj
    related = obj
    for step in obj.access_path.removesuffix("__user").split("__"):
        related = getattr(related, step)
    return related


def event_record(
    *,
    storyteller: Storyteller,
    event_type: str,
    actor=None,
    subject: str = "",
    workflow_type: str = "",
    data: dict | None = None,
    task_context: dict | None = None,
    **fields,
) -> Event:
    """Append one row to the storyteller's event log (services only: no client writes one)."""
    event = Event(
        storyteller=storyteller,
        event_type=event_type,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        subject=subject[:200],
        workflow_type=workflow_type,
        data=data or {},
        task_context=task_context or {},
        **fields,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def row_save(*, obj: models.Model, actor=None, task_context: dict | None = None) -> models.Model:
    """Validate and save any storyteller row; a status move is logged in the storyteller's events (by the
    database, on every path, with ``actor`` and ``task_context``). A signed-in ``actor`` writes only where
    core's rule lets them (their own storytellers; superusers anywhere)."""
    if getattr(actor, "is_authenticated", False) and not may_write_into(actor, obj):
        raise PermissionDenied(NOT_YOUR_STORYTELLER)
    machine = rules.machine_for(obj)
    obj.full_clean()
    obj._rules_checked = True  # save() need not run them again
    moving = machine is not None and getattr(obj, machine.field) != getattr(obj, "_loaded_status", None)
    if moving and not obj._state.adding:
        acting(actor, task_context or {"service": "row_save"})
    obj.save()
    return obj


def acting(actor, task_context: dict) -> None:
    """Tell the database who moves a status in this transaction and from where: the trigger that writes the
    move into the event log (``storyteller.models.machines``) reads both."""
    actor_id = str(actor.pk) if getattr(actor, "is_authenticated", False) else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [ACTOR_SETTING, actor_id, CONTEXT_SETTING, json.dumps(task_context, default=str)],
        )


def transition(*, obj: models.Model, to: str, actor=None, task_context: dict | None = None, **fields) -> models.Model:
    """Move a row of a status machine (``rules.MACHINES``) to ``to``, with the reason columns it needs."""
    machine = rules.machine_for(obj)
    if machine is None:
        raise ValueError(f"{obj._meta.label} has no status machine")
    setattr(obj, machine.field, to)
    for key, value in fields.items():
        setattr(obj, key, value)
    return row_save(obj=obj, actor=actor, task_context=task_context or {"service": "transition", "to": to})


@transaction.atomic
def process_version_activate(*, version: ProcessVersion) -> ProcessVersion:
    """Make ``version`` the one active process version (the others are deactivated first)."""
    ProcessVersion.objects.select_for_update().filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    version.is_active = True
    version.full_clean()
    version.save()
    return version


def _row_data(obj: models.Model, **extra) -> dict:
    return {"model": obj._meta.label, "id": str(obj.pk), **extra}


@transaction.atomic
def approve(*, obj: models.Model, actor=None) -> models.Model:
    """Approve a provisional row (artifact, collection, synthesis): it stops being provisional. Approving an
    approved row changes nothing and writes no second event."""
    approved, _, _ = rules.APPROVALS[obj._meta.label]
    obj = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
    if getattr(obj, approved):
        return obj
    setattr(obj, approved, True)
    row_save(obj=obj, actor=actor)
    event_record(
        storyteller=storyteller_of(obj),
        event_type="approved",
        actor=actor,
        subject=f"{obj._meta.verbose_name} {obj.pk}",
        workflow_type="approval",
        data=_row_data(obj, field=approved),
        task_context={"service": "approve"},
    )
    return obj


@transaction.atomic
def archetype_reveal(*, analysis: ArchetypeAnalysis, actor=None) -> ArchetypeAnalysis:
    """Show an archetype analysis to its storyteller (hidden until asked): stamps ``revealed_at`` once."""
    analysis = ArchetypeAnalysis.objects.select_for_update().get(pk=analysis.pk)
    if analysis.revealed_to_user:
        return analysis
    analysis.revealed_to_user = True
    analysis.revealed_at = timezone.now()
    row_save(obj=analysis, actor=actor)
    event_record(
        storyteller=analysis.storyteller,
        event_type="revealed",
        actor=actor,
        subject=f"{analysis._meta.verbose_name} {analysis.pk}",
        workflow_type="archetype_reveal",
        data=_row_data(analysis, dominant_archetype=analysis.dominant_archetype),
        task_context={"service": "archetype_reveal"},
    )
    return analysis


@transaction.atomic
def trauma_consent_record(*, life_event: LifeEvent, actor=None):
    """Record the storyteller's explicit consent to explore a traumatic life event."""
    trauma = LifeEventTrauma.objects.select_for_update().get(life_event=life_event)
    if trauma.consent_given:
        return trauma
    trauma.consent_given = True
    trauma.consent_date = timezone.now()
    row_save(obj=trauma, actor=actor)
    event_record(
        storyteller=life_event.storyteller,
        event_type="consent_recorded",
        actor=actor,
        subject=life_event.event_name,
        workflow_type="consent",
        data=_row_data(trauma, field="consent_given", life_event=str(life_event.pk)),
        task_context={"service": "trauma_consent_record"},
    )
    return trauma


@transaction.atomic
def section_unlock(
    *, storyteller: Storyteller, section: ProcessSection, unlocked_by: str, reason: str = "", actor=None
) -> StorytellerSectionStatus:
    """Unlock a section for a storyteller (its prerequisite, scope and profile rules permitting)."""
    status, _ = StorytellerSectionStatus.objects.get_or_create(storyteller=storyteller, process_section=section)
    if status.status == "unlocked":
        return status
    return transition(obj=status, to="unlocked", actor=actor, unlocked_by=unlocked_by, unlock_reason=reason)


def comfortable_tier(storyteller: Storyteller, life_event: LifeEvent | None = None) -> int:
    """The highest prompt tier the storyteller accepts, for this life event: its boundary overrides
    the storyteller's default (``comfortable_discussing`` false: safe prompts only; true: every tier)."""
    boundary = StorytellerBoundary.objects.filter(storyteller=storyteller).first()
    limit = boundary.maximum_tier_comfortable if boundary else 2
    if life_event is not None:
        event_boundary = LifeEventBoundary.objects.filter(life_event=life_event).first()
        if event_boundary is not None and event_boundary.override_storyteller_default:
            if event_boundary.comfortable_discussing is False:
                return 1
            if event_boundary.comfortable_discussing is True:
                return 3
    return limit


def prompt_tier(prompt: ProcessPrompt) -> int:
    if prompt.sensitivity_tier:
        return prompt.sensitivity_tier
    return 2 if prompt.is_sensitive else 1


def prompt_refusal(storyteller: Storyteller, prompt: ProcessPrompt, life_event: LifeEvent | None = None) -> str:
    """Why ``prompt`` may not be put to the storyteller (about ``life_event``); empty when it may."""
    if life_event is not None and rules.life_event_needs_consent(life_event.pk):
        return rules.TRAUMA_CONSENT
    tier, limit = prompt_tier(prompt), comfortable_tier(storyteller, life_event)
    if tier > limit:
        return PROMPT_ABOVE_TIER % {"tier": tier, "limit": limit}
    return ""


@transaction.atomic
def session_prompt_ask(
    *, session: StorytellerSession, prompt: ProcessPrompt, life_event: LifeEvent | None = None, actor=None
) -> SessionInteraction:
    """Put a process prompt to the storyteller in a session, after the boundary and trauma checks."""
    refusal = prompt_refusal(session.storyteller, prompt, life_event)
    if refusal:
        raise ValidationError({"prompt": [refusal]})
    last = session.interactions.aggregate(last=models.Max("interaction_sequence"))["last"] or 0
    interaction = SessionInteraction(
        session=session,
        life_event=life_event,
        interaction_sequence=last + 1,
        interaction_type="prompt",
        agent_prompt=prompt.prompt_text,
        prompt_category=prompt.prompt_type,
    )
    return row_save(obj=interaction, actor=actor)


@transaction.atomic
def life_event_save(
    *, life_event: LifeEvent, timespans: list[dict] | None = None, locations: list[dict] | None = None, actor=None
) -> LifeEvent:
    """Save a life event; given timespans or locations replace the event's own (one request, one transaction)."""
    creating = life_event._state.adding
    row_save(obj=life_event, actor=actor)
    for model, rows in ((LifeEventTimespan, timespans), (LifeEventLocation, locations)):
        if rows is None:
            continue
        model.objects.filter(life_event=life_event).delete()
        for row in rows:
            row_save(obj=model(life_event=life_event, **row), actor=actor)
    if creating:
        event_record(
            storyteller=life_event.storyteller,
            event_type="life_event_added",
            actor=actor,
            subject=life_event.event_name,
            workflow_type="life_event",
            data=_row_data(life_event),
            task_context={"service": "life_event_save"},
        )
    return life_event
