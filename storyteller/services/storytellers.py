"""Writes of the storyteller app that need more than one row: status moves with their event log,
process activation, approvals, consent, section unlocking and asking a prompt within the boundaries.

The API's viewsets, the admin (``save_model``, inlines, actions) and the commands call these; the row
rules themselves are in ``storyteller.rules`` and run from ``full_clean()``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from core.models import may_write_into
from storyteller import rules
from storyteller.models import (
    Event,
    LifeEvent,
    LifeEventBoundary,
    LifeEventLocation,
    LifeEventTimespan,
    ProcessPrompt,
    ProcessSection,
    ProcessVersion,
    SessionInteraction,
    Storyteller,
    StorytellerBoundary,
    StorytellerSectionStatus,
    StorytellerSession,
)

NOT_YOUR_STORYTELLER = "You may write only the rows of your own storytellers."
PROMPT_ABOVE_TIER = "This prompt (tier %(tier)d) is above what the storyteller is comfortable with (tier %(limit)d)."

EVENT_TYPES = {
    "storyteller.StorytellerSectionStatus": "section_status_changed",
    "storyteller.Requirement": "requirement_status_changed",
    "storyteller.EditRequirement": "edit_requirement_status_changed",
    "storyteller.StorytellerSession": "session_status_changed",
    "storyteller.BookExport": "book_export_status_changed",
    "storyteller.Story": "story_status_changed",
}


def storyteller_of(obj: models.Model) -> Storyteller:
    if isinstance(obj, Storyteller):
        return obj
    related = obj
    for step in obj.access_path.removesuffix("__user").split("__"):
        related = getattr(related, step)
    return related


def event_record(*, storyteller: Storyteller, event_type: str, actor=None, subject: str = "", **fields) -> Event:
    """Append one row to the storyteller's event log."""
    event = Event(storyteller=storyteller, event_type=event_type, actor=actor, subject=subject[:200], **fields)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def row_save(*, obj: models.Model, actor=None) -> models.Model:
    """Validate and save any storyteller row; a status move is logged in the storyteller's events. A signed-in
    ``actor`` writes only where core's rule lets them (their own storytellers; superusers anywhere)."""
    if getattr(actor, "is_authenticated", False) and not may_write_into(actor, obj):
        raise PermissionDenied(NOT_YOUR_STORYTELLER)
    machine = rules.machine_for(obj)
    before = getattr(obj, "_loaded_status", None) if machine else None
    obj.full_clean()
    obj.save()
    if machine is not None and getattr(obj, machine.field) != before:
        storyteller = storyteller_of(obj)
        event_record(
            storyteller=storyteller,
            event_type=EVENT_TYPES[obj._meta.label],
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            subject=f"{obj._meta.verbose_name} {obj.pk}",
            from_status=before or "",
            to_status=getattr(obj, machine.field),
            session=obj if isinstance(obj, StorytellerSession) else None,
            story=getattr(obj, "story", None) if obj._meta.label != "storyteller.Story" else obj,
        )
    return obj


def transition(*, obj: models.Model, to: str, actor=None, **fields) -> models.Model:
    """Move a row of a status machine (``rules.MACHINES``) to ``to``, with the reason columns it needs."""
    machine = rules.machine_for(obj)
    if machine is None:
        raise ValueError(f"{obj._meta.label} has no status machine")
    setattr(obj, machine.field, to)
    for key, value in fields.items():
        setattr(obj, key, value)
    return row_save(obj=obj, actor=actor)


@transaction.atomic
def process_version_activate(*, version: ProcessVersion) -> ProcessVersion:
    """Make ``version`` the one active process version (the others are deactivated first)."""
    ProcessVersion.objects.select_for_update().filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    version.is_active = True
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def approve(*, obj: models.Model, actor=None) -> models.Model:
    """Approve a provisional row (artifact, collection, synthesis): it stops being provisional."""
    approved, _, _ = rules.APPROVALS[obj._meta.label]
    setattr(obj, approved, True)
    row_save(obj=obj, actor=actor)
    event_record(
        storyteller=storyteller_of(obj),
        event_type="approved",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        subject=f"{obj._meta.verbose_name} {obj.pk}",
    )
    return obj


@transaction.atomic
def trauma_consent_record(*, life_event: LifeEvent, actor=None):
    """Record the storyteller's explicit consent to explore a traumatic life event."""
    trauma = life_event.trauma
    trauma.consent_given = True
    trauma.consent_date = timezone.now()
    row_save(obj=trauma, actor=actor)
    event_record(
        storyteller=life_event.storyteller,
        event_type="consent_recorded",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        subject=life_event.event_name,
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
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            subject=life_event.event_name,
        )
    return life_event
