"""The Everbound rules, in one place: status machines, approvals, consent, unlocking and the gates.

Models call :func:`normalise` and :func:`check` from ``clean()`` and :func:`check_transition` from
``save()`` (see ``storyteller.models.base.RowRulesMixin``), so the API (``full_clean`` in its
serializers), the admin (forms and inlines), ``storyteller.services`` and the commands all meet them.
Rules that need other rows read a few rows of the same storyteller, with constant queries.

Status machines (``MACHINES``): each lists the statuses a new row may start in, the allowed moves,
the timestamp column a move stamps and the reason column it requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

COMPOSITION_CONFIDENCE = Decimal("0.85")

TRANSITION_REFUSED = "A %(model)s cannot move from %(old)s to %(new)s (allowed: %(allowed)s)."
INITIAL_REFUSED = "A new %(model)s starts as %(allowed)s."
REASON_REQUIRED = "Say why (%(field)s) when moving to %(new)s."
COMPOSITION_GATE = (
    "The story cannot move to composition until the storyteller's latest archetype analysis is resolved "
    "with a dominant archetype at confidence 0.85 or more."
)
BLOCKING_EDITS = "The story has blocking edit requirements that are not resolved (%(count)d)."
TRAUMA_CONSENT = (
    "This life event is traumatic and not resolved: it may be explored only after explicit consent is recorded "
    "on its trauma assessment."
)
PREREQUISITE_MISSING = "This section unlocks only after %(section)s is completed."
SCOPE_MISMATCH = "This section needs the scope %(scope)s; the storyteller's scope is %(actual)s."
PROFILE_MISMATCH = "This section needs the profile flags %(flags)s."
UNLOCKED_BY_REQUIRED = "Say what unlocked the section (unlocked_by)."
MIXED_STORYTELLERS = "%(field)s belongs to another storyteller."
MIXED_STORIES = "%(field)s belongs to another story."
MIXED_CHAPTERS = "%(field)s belongs to another chapter."
OPEN_EDIT_STATUSES = ("pending", "in_review")
CONSENT_REQUIRED = (
    "The storyteller has not given consent to story capture (consent_given): nothing may be captured yet."
)
VERSION_IN_USE = (
    "This process version is in use by sessions and is never edited in place; load the changed process "
    "as a new version (sessions keep the version they started on)."
)
OFF_LIMITS = "This touches a topic the storyteller put off limits (%(topic)s)."
NOT_DEEPER = (
    "The storyteller has not consented to go beyond the surface of this life event (consent_to_deepen): "
    "no %(category)s prompt about it."
)


@dataclass(frozen=True)
class Machine:
    field: str
    initial: tuple[str, ...]
    moves: dict[str, tuple[str, ...]]
    stamps: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def allowed(self, current: str) -> tuple[str, ...]:
        return self.moves.get(current, ())


#: the text statuses of a story's chapters, sections and scenes: forward one step, or back one to rework
WRITING_MOVES = {
    "planned": ("outlined",),
    "outlined": ("drafted", "planned"),
    "drafted": ("revised", "outlined"),
    "revised": ("polished", "drafted"),
    "polished": ("revised",),
}


def writing_machine(statuses: tuple[str, ...]) -> Machine:
    moves = {old: tuple(new for new in WRITING_MOVES[old] if new in statuses) for old in statuses}
    return Machine("status", initial=statuses, moves=moves)


MACHINES: dict[str, Machine] = {
    "storyteller.StorytellerSectionStatus": Machine(
        "status",
        initial=("locked", "unlocked"),
        moves={
            "locked": ("unlocked",),
            "unlocked": ("in_progress", "skipped"),
            "in_progress": ("completed", "skipped"),
            "completed": (),
            "skipped": ("unlocked",),
        },
        stamps={
            "unlocked": "unlocked_at",
            "in_progress": "started_at",
            "completed": "completed_at",
            "skipped": "skipped_at",
        },
        reasons={"skipped": "skip_reason"},
    ),
    "storyteller.Requirement": Machine(
        "status",
        initial=("pending",),
        moves={
            "pending": ("in_progress", "deferred", "obsolete"),
            "in_progress": ("addressed", "deferred", "obsolete"),
            "addressed": ("resolved", "in_progress", "deferred", "obsolete"),
            "deferred": ("pending", "obsolete"),
            "resolved": (),
            "obsolete": (),
        },
        stamps={
            "addressed": "addressed_at",
            "resolved": "resolved_at",
            "deferred": "deferred_at",
            "obsolete": "obsolete_at",
        },
        reasons={"deferred": "deferred_reason", "obsolete": "obsolete_reason"},
    ),
    "storyteller.EditRequirement": Machine(
        "status",
        initial=("pending",),
        moves={
            "pending": ("in_review", "wont_fix", "obsolete"),
            "in_review": ("resolved", "wont_fix", "obsolete", "pending"),
            "resolved": (),
            "wont_fix": (),
            "obsolete": (),
        },
        stamps={
            "in_review": "in_review_at",
            "resolved": "resolved_at",
            "wont_fix": "wont_fix_at",
            "obsolete": "obsolete_at",
        },
        reasons={"wont_fix": "wont_fix_reason", "obsolete": "obsolete_reason"},
    ),
    "storyteller.StorytellerSession": Machine(
        "status",
        initial=("scheduled", "in_progress"),
        moves={
            "scheduled": ("in_progress", "cancelled"),
            "in_progress": ("paused", "completed", "abandoned"),
            "paused": ("in_progress", "abandoned", "cancelled"),
            "completed": (),
            "cancelled": (),
            "abandoned": (),
        },
        stamps={"in_progress": "started_at", "completed": "ended_at", "abandoned": "ended_at", "cancelled": "ended_at"},
    ),
    "storyteller.BookExport": Machine(
        "export_status",
        initial=("queued",),
        moves={
            "queued": ("generating", "failed"),
            "generating": ("ready", "failed"),
            "ready": ("expired",),
            "failed": (),
            "expired": (),
        },
        stamps={"generating": "generation_started_at", "ready": "generation_completed_at", "failed": "failed_at"},
        reasons={"failed": "failure_reason"},
    ),
    "storyteller.Story": Machine(
        "status",
        initial=("planning",),
        moves={
            "planning": ("drafting",),
            "drafting": ("revising", "complete", "planning"),
            "revising": ("drafting", "complete"),
            "complete": ("revising",),
        },
    ),
    "storyteller.ArchetypeAnalysis": Machine(
        "refinement_status",
        initial=("exploring", "narrowing", "resolved"),
        moves={"exploring": ("narrowing", "resolved"), "narrowing": ("exploring", "resolved"), "resolved": ()},
    ),
    "storyteller.UserFeedback": Machine(
        "resolution_status",
        initial=("", "pending"),
        moves={
            "": ("pending", "acknowledged", "resolved", "cannot_resolve", "wont_fix"),
            "pending": ("acknowledged", "resolved", "cannot_resolve", "wont_fix"),
            "acknowledged": ("resolved", "cannot_resolve", "wont_fix"),
            "resolved": (),
            "cannot_resolve": ("acknowledged",),
            "wont_fix": ("acknowledged",),
        },
        stamps={"resolved": "resolved_at"},
    ),
    "storyteller.AgentInstance": Machine(
        "status",
        initial=("active",),
        moves={"active": ("paused", "completed", "failed"), "paused": ("active", "completed", "failed")},
        stamps={"active": "started_at", "paused": "paused_at", "completed": "completed_at", "failed": "failed_at"},
        reasons={"failed": "failure_reason"},
    ),
    "storyteller.BookExportDelivery": Machine(
        "delivery_status",
        initial=("", "pending"),
        moves={
            "": ("pending", "sent", "failed"),
            "pending": ("sent", "failed"),
            "sent": ("delivered", "failed"),
            "delivered": (),
            "failed": (),
        },
        stamps={"delivered": "delivered_at"},
        reasons={"failed": "failure_reason"},
    ),
    "storyteller.SessionProgress": Machine(
        "status",
        initial=("pending", "in_progress"),
        moves={
            "pending": ("in_progress", "skipped"),
            "in_progress": ("completed", "skipped"),
            "completed": (),
            "skipped": ("in_progress",),
        },
        stamps={"in_progress": "started_at", "completed": "completed_at"},
    ),
    "storyteller.SessionSectionStatus": Machine(
        "status",
        initial=("locked", "unlocked"),
        moves={"locked": ("unlocked",), "unlocked": ("in_progress",), "in_progress": ("completed",), "completed": ()},
        stamps={"unlocked": "unlocked_at", "in_progress": "started_at", "completed": "completed_at"},
    ),
    "storyteller.StoryChapter": writing_machine(("planned", "outlined", "drafted", "revised", "polished")),
    "storyteller.ChapterSection": writing_machine(("outlined", "drafted", "revised", "polished")),
    "storyteller.StoryScene": writing_machine(("outlined", "drafted", "revised", "polished")),
}

#: the event a move of each machine writes (a database trigger writes it, on every path: see storyteller.machines)
MACHINE_EVENTS = {
    "storyteller.StorytellerSectionStatus": "section_status_changed",
    "storyteller.Requirement": "requirement_status_changed",
    "storyteller.EditRequirement": "edit_requirement_status_changed",
    "storyteller.StorytellerSession": "session_status_changed",
    "storyteller.BookExport": "book_export_status_changed",
    "storyteller.Story": "story_status_changed",
    "storyteller.ArchetypeAnalysis": "refinement_status_changed",
    "storyteller.UserFeedback": "feedback_status_changed",
    "storyteller.AgentInstance": "agent_instance_status_changed",
    "storyteller.BookExportDelivery": "delivery_status_changed",
    "storyteller.SessionProgress": "session_progress_status_changed",
    "storyteller.SessionSectionStatus": "session_section_status_changed",
    "storyteller.StoryChapter": "chapter_status_changed",
    "storyteller.ChapterSection": "chapter_section_status_changed",
    "storyteller.StoryScene": "scene_status_changed",
}

#: models whose rows are provisional until approved: (approved flag, provisional flag, approval time)
APPROVALS: dict[str, tuple[str, str, str | None]] = {
    "storyteller.SessionArtifact": ("is_approved", "is_provisional", "approved_at"),
    "storyteller.Collection": ("is_approved", "is_provisional", "approved_at"),
    "storyteller.CollectionSynthesis": ("is_approved", "is_provisional", "approved_at"),
    "storyteller.SessionSynthesis": ("user_approved", "is_provisional", None),
}

#: rows that put a life event into a session's prompts or a collection
LIFE_EVENT_USES = ("storyteller.SessionLifeEvent", "storyteller.CollectionLifeEvent", "storyteller.SessionInteraction")


def machine_for(obj) -> Machine | None:
    return MACHINES.get(obj._meta.label)


def gate_problems(obj, target: str) -> list[str]:
    """Why the gates refuse moving ``obj`` to ``target`` now (empty: they allow it)."""
    label = obj._meta.label
    if label == "storyteller.Story":
        if obj.status == "planning" and target == "drafting" and not composition_allowed(obj.storyteller_id):
            return [COMPOSITION_GATE]
        if target == "complete":
            return [message for error in export_gate_problems(obj) for message in error.messages]
    if label == "storyteller.StorytellerSectionStatus" and target == "unlocked" and obj.status != "skipped":
        return unlock_problems(obj.storyteller_id, obj.process_section)
    return []


def next_statuses(obj) -> dict:
    """The statuses ``obj`` may move to next by its machine, those a gate blocks now (with why), and the
    reason column each move needs."""
    machine = machine_for(obj)
    current = getattr(obj, machine.field)
    allowed, blocked = [], {}
    for target in machine.allowed(current):
        problems = gate_problems(obj, target)
        if problems:
            blocked[target] = problems
        else:
            allowed.append(target)
    reasons = {target: machine.reasons[target] for target in machine.allowed(current) if target in machine.reasons}
    return {"field": machine.field, "current": current, "allowed": allowed, "blocked": blocked, "reasons": reasons}


def remember(obj) -> None:
    """Keep the status the row had in the database, to judge the next move against it."""
    machine = machine_for(obj)
    if machine is not None:
        obj._loaded_status = obj.__dict__.get(machine.field)


def _status_error(obj, machine: Machine, message: str, **params) -> ValidationError:
    return ValidationError({machine.field: ValidationError(message, code="invalid_transition", params=params)})


def check_transition(obj, *, check_initial: bool = True) -> None:
    """Refuse a status the row's machine does not allow from where it stands. New rows start in an initial
    status on the paths that validate (API, admin, services); a plain ``save()`` of a new row (fixtures,
    imports) may record a row in any status, and every later move follows the machine."""
    machine = machine_for(obj)
    if machine is None:
        return
    new = getattr(obj, machine.field)
    old = getattr(obj, "_loaded_status", None)
    verbose = obj._meta.verbose_name
    if obj._state.adding or old is None:
        if check_initial and new not in machine.initial:
            raise _status_error(obj, machine, INITIAL_REFUSED, model=verbose, allowed=" or ".join(machine.initial))
    elif new != old and new not in machine.moves.get(old, ()):
        allowed = ", ".join(machine.moves.get(old, ())) or "none"
        raise _status_error(obj, machine, TRANSITION_REFUSED, model=verbose, old=old, new=new, allowed=allowed)
    moved = obj._state.adding or old != new
    reason = machine.reasons.get(new)
    if moved and reason and not getattr(obj, reason) and (check_initial or not obj._state.adding):
        raise ValidationError(
            {reason: ValidationError(REASON_REQUIRED, code="required", params={"field": reason, "new": new})}
        )


def normalise(obj) -> None:
    """Fill what a move or an approval implies on the row itself: timestamps, provisional flags, consent dates."""
    now = timezone.now()
    machine = machine_for(obj)
    if machine is not None:
        new = getattr(obj, machine.field)
        if (obj._state.adding or getattr(obj, "_loaded_status", None) != new) and new in machine.stamps:
            stamp = machine.stamps[new]
            if getattr(obj, stamp) is None or new != getattr(obj, "_loaded_status", None):
                setattr(obj, stamp, now)
        if obj._meta.label == "storyteller.StorytellerSession" and new == "completed" and obj.completed_at is None:
            obj.completed_at = now
    approval = APPROVALS.get(obj._meta.label)
    if approval is not None:
        approved, provisional, approved_at = approval
        if getattr(obj, approved):
            setattr(obj, provisional, False)
            if approved_at and getattr(obj, approved_at) is None:
                setattr(obj, approved_at, now)
    if obj._meta.label in ("storyteller.LifeEventTrauma", "storyteller.Storyteller", "storyteller.LifeEventBoundary"):
        flag = "consent_to_deepen" if obj._meta.label == "storyteller.LifeEventBoundary" else "consent_given"
        if getattr(obj, flag) and obj.consent_date is None:
            obj.consent_date = now


def check(obj, *, on_save: bool = False) -> None:
    """Every rule of the row (``clean()`` and ``save()`` call it)."""
    check_transition(obj, check_initial=not on_save)
    label = obj._meta.label
    if label == "storyteller.Story":
        check_story(obj)
    elif label == "storyteller.BookExport":
        check_book_export(obj)
    elif label == "storyteller.StorytellerSectionStatus":
        check_section_unlock(obj)
    elif label in LIFE_EVENT_USES:
        check_life_event_use(obj)
    if label in VERSIONED:
        check_version_not_in_use(obj)
    if label in CAPTURE_MODELS and obj._state.adding:
        check_capture_consent(obj)
    if label == "storyteller.SessionInteraction" and obj._state.adding:
        check_interaction_boundaries(obj)
    check_same_storyteller(obj)
    check_same_story(obj)


# the gates -------------------------------------------------------------------------------------


def composition_allowed(storyteller_id) -> bool:
    """The composition gate: the latest archetype analysis is resolved with dominant confidence >= 0.85."""
    from storyteller.models import ArchetypeAnalysis

    latest = ArchetypeAnalysis.objects.filter(storyteller_id=storyteller_id).order_by("-analysis_number").first()
    return bool(
        latest is not None
        and latest.refinement_status == "resolved"
        and latest.dominant_archetype
        and latest.dominant_confidence is not None
        and latest.dominant_confidence >= COMPOSITION_CONFIDENCE
    )


def open_blocking_edits(story_id) -> int:
    from storyteller.models import EditRequirement

    return EditRequirement.objects.filter(story_id=story_id, severity="blocking", status__in=OPEN_EDIT_STATUSES).count()


def check_story(story) -> None:
    old = getattr(story, "_loaded_status", None)
    if story.status == old or story.storyteller_id is None:
        return
    if old == "planning" and story.status == "drafting" and not composition_allowed(story.storyteller_id):
        raise ValidationError({"status": ValidationError(COMPOSITION_GATE, code="composition_gate")})
    if story.status == "complete" and (problems := export_gate_problems(story)):
        raise ValidationError({"status": problems})


def check_book_export(export) -> None:
    if not export._state.adding or export.story_id is None:
        return
    if count := open_blocking_edits(export.story_id):
        raise ValidationError(
            {"story": ValidationError(BLOCKING_EDITS, code="blocking_edits", params={"count": count})}
        )


def life_event_needs_consent(life_event_id) -> bool:
    """A traumatic life event that is not resolved and has no recorded consent."""
    from storyteller.models import LifeEventTrauma

    return (
        LifeEventTrauma.objects.filter(life_event_id=life_event_id, is_trauma=True, requires_explicit_consent=True)
        .exclude(trauma_status="resolved")
        .exclude(consent_given=True)
        .exists()
    )


def check_life_event_use(obj) -> None:
    if obj.life_event_id is None or not obj._state.adding and not _changed(obj, "life_event_id"):
        return
    if life_event_needs_consent(obj.life_event_id):
        raise ValidationError({"life_event": ValidationError(TRAUMA_CONSENT, code="trauma_consent")})


#: process rows of one version, and the field that leads to it (a version in use is never edited in place)
VERSIONED = {
    "storyteller.ProcessCommitment": ("process_version", None),
    "storyteller.ProcessNode": ("process_version", None),
    "storyteller.ProcessFlowEdge": ("process_version", None),
    "storyteller.ProcessSection": ("process_version", None),
    "storyteller.ProcessPrompt": ("process_node", "process_version_id"),
    "storyteller.SectionPrompt": ("section", "process_version_id"),
}


def process_version_in_use(version_id) -> bool:
    """A version some session was started on: its definition stays as it was (sessions keep their version)."""
    from storyteller.models import StorytellerSession

    return version_id is not None and StorytellerSession.objects.filter(process_version_id=version_id).exists()


def check_version_not_in_use(obj) -> None:
    name, step = VERSIONED[obj._meta.label]
    attname = obj._meta.get_field(name).attname
    if getattr(obj, attname) is None:
        return
    version_id = getattr(getattr(obj, name), step) if step else getattr(obj, attname)
    if process_version_in_use(version_id):
        raise ValidationError({name: ValidationError(VERSION_IN_USE, code="version_in_use")})


#: rows that capture material in a session: the storyteller's consent to capture comes first
CAPTURE_MODELS = (
    "storyteller.SessionInteraction",
    "storyteller.SessionArtifact",
    "storyteller.SessionLifeEvent",
    "storyteller.SessionSynthesis",
)
#: prompt categories that go beyond a life event's surface (the process asks them at tier 2)
DEEPER_CATEGORIES = ("tension", "change", "meaning")


def check_capture_consent(obj) -> None:
    """Nothing is captured in a session before the storyteller's ``consent_given`` (the original's rule)."""
    if obj.session_id is None:
        return
    from storyteller.models import Storyteller

    consent = Storyteller.all_objects.filter(sessions=obj.session_id).values_list("consent_given", flat=True).first()
    if consent is False:
        raise ValidationError({"session": ValidationError(CONSENT_REQUIRED, code="consent_required")})


def surface_only(boundary) -> bool:
    """A life event boundary that keeps prompts to the surface (tier 1): the storyteller is not comfortable
    discussing the event, may mention but not detail it, or has not consented to deepen it."""
    return bool(
        (boundary.override_storyteller_default and boundary.comfortable_discussing is False)
        or boundary.can_mention_but_not_detail
        or not boundary.consent_to_deepen
    )


def check_interaction_boundaries(interaction) -> None:
    """The storyteller's boundaries hold for an interaction however it is written (the interview, the API's
    table endpoint, the admin): no off-limit topic in what the agent asked, nothing about a life event the
    nothing deeper than a life event's surface where its boundary keeps to the surface (:func:`surface_only`)."""
    from storyteller.models import LifeEventBoundary, StorytellerBoundary

    if interaction.session_id is None:
        return
    asked = (interaction.agent_prompt or "").lower()
    if asked:
        topics = StorytellerBoundary.objects.filter(storyteller__sessions=interaction.session_id).values_list(
            "off_limit_topics", flat=True
        )
        for topic in (topic for row in topics for topic in (row or [])):
            if topic.strip() and topic.strip().lower() in asked:
                raise ValidationError(
                    {"agent_prompt": ValidationError(OFF_LIMITS, code="off_limits", params={"topic": topic.strip()})}
                )
    if interaction.life_event_id is None:
        return
    boundary = LifeEventBoundary.objects.filter(life_event_id=interaction.life_event_id).first()
    if boundary is None:
        return
    if interaction.prompt_category in DEEPER_CATEGORIES and surface_only(boundary):
        raise ValidationError(
            {
                "prompt_category": ValidationError(
                    NOT_DEEPER, code="consent_to_deepen", params={"category": interaction.prompt_category}
                )
            }
        )


def _changed(obj, attname: str) -> bool:
    if obj.pk is None:
        return True
    current = type(obj)._base_manager.filter(pk=obj.pk).values_list(attname, flat=True).first()
    return current != getattr(obj, attname)


def storyteller_scope(storyteller_id) -> str:
    from storyteller.models import SessionScope

    scope = SessionScope.objects.filter(session__storyteller_id=storyteller_id).order_by("-created_at").first()
    return scope.scope_type if scope else ""


def storyteller_profile(storyteller_id) -> dict:
    from storyteller.models import SessionProfile

    profile = SessionProfile.objects.filter(session__storyteller_id=storyteller_id).order_by("-created_at").first()
    if profile is None:
        return {}
    flags = dict(profile.additional_flags or {})
    for name in (
        "has_relationships",
        "has_children",
        "has_multiple_careers",
        "has_lived_multiple_places",
        "has_military_service",
        "faith_important",
        "comfortable_discussing_romance",
        "comfortable_discussing_trauma",
        "prefers_some_private",
    ):
        flags[name] = getattr(profile, name)
    return flags


def unlock_problems(storyteller_id, section) -> list[str]:
    """Why ``section`` may not unlock for the storyteller yet (empty: it may)."""
    from storyteller.models import StorytellerSectionStatus

    problems = []
    before = section.unlock_after_section
    if (
        before is not None
        and not StorytellerSectionStatus.objects.filter(
            storyteller_id=storyteller_id, process_section=before, status="completed"
        ).exists()
    ):
        problems.append(PREREQUISITE_MISSING % {"section": before.section_name})
    if section.requires_scope:
        actual = storyteller_scope(storyteller_id)
        if actual != section.requires_scope:
            problems.append(SCOPE_MISMATCH % {"scope": section.requires_scope, "actual": actual or "not chosen"})
    if section.requires_profile_flags:
        profile = storyteller_profile(storyteller_id)
        wanted = section.requires_profile_flags
        if any(profile.get(key) != value for key, value in wanted.items()):
            problems.append(PROFILE_MISMATCH % {"flags": wanted})
    return problems


def check_section_unlock(status) -> None:
    old = getattr(status, "_loaded_status", None)
    if status.status != "unlocked" or old == "unlocked" or status.process_section_id is None:
        return
    if not status.unlocked_by:
        raise ValidationError({"unlocked_by": ValidationError(UNLOCKED_BY_REQUIRED, code="required")})
    if old == "skipped":
        return
    problems = unlock_problems(status.storyteller_id, status.process_section)
    if problems:
        raise ValidationError({"status": [ValidationError(problem, code="locked") for problem in problems]})


#: child rows that name two storyteller-owned rows: both must belong to the same storyteller
SAME_STORYTELLER = {
    "storyteller.SessionLifeEvent": ("session", "life_event"),
    "storyteller.SessionInteraction": ("session", "life_event"),
    "storyteller.SessionArtifact": ("session", "life_event"),
    "storyteller.CollectionLifeEvent": ("collection", "life_event"),
    "storyteller.CollectionGroupingMember": ("grouping", "collection"),
    "storyteller.CollectionRelationship": ("source_collection", "target_collection"),
    "storyteller.StoryCollection": ("story", "collection"),
    "storyteller.EditRequirement": ("storyteller", "story"),
    "storyteller.BookExport": ("storyteller", "story"),
    "storyteller.BookExportDelivery": ("storyteller", "book_export"),
    "storyteller.Requirement": ("storyteller", "life_event", "collection", "addressed_in_session"),
    "storyteller.ArchetypeAnalysis": ("storyteller", "collection", "story"),
    "storyteller.AgentInstance": ("storyteller", "session"),
    "storyteller.StoryScene": ("story", "life_event"),
    "storyteller.Event": ("storyteller", "session", "story"),
}


def _storyteller_id(obj, name):
    related = getattr(obj, name)
    if related is None:
        return None
    if related._meta.label == "storyteller.Storyteller":
        return related.pk
    path = related.access_path.removesuffix("__user").split("__")
    for step in path:
        related = getattr(related, step)
    return related.pk


def check_same_storyteller(obj) -> None:
    names = SAME_STORYTELLER.get(obj._meta.label)
    if not names:
        return
    present = [name for name in names if getattr(obj, obj._meta.get_field(name).attname) is not None]
    if len(present) < 2:
        return
    first = _storyteller_id(obj, present[0])
    for name in present[1:]:
        if _storyteller_id(obj, name) != first:
            raise ValidationError({name: ValidationError(MIXED_STORYTELLERS, code="mixed", params={"field": name})})


# =================================================================================================
# Publishing: what may leave the system in a book, a preview or any export of a story.
#
# One rule, read once per story with a constant number of queries (:func:`story_publication`), then
# asked for every scene, photo and name by the book builder (``storyteller.services.books``), which the
# export, the preview and the ``export_book`` command all call. Export gate: :func:`export_gate_problems`,
# shared by the story's status machine (``complete``) and the book export service.
# =================================================================================================

#: how much of a life event's scenes may be published, most to least
PUBLISH_FULL = "full"  # the scene's title, text and photos
PUBLISH_SUMMARY = "summary"  # title and description; no reflection, no photos
PUBLISH_MENTION = "mention"  # the scene's title only
PUBLISH_WITHHELD = "withheld"  # nothing: the scene is left out
PUBLISH_LEVELS = (PUBLISH_FULL, PUBLISH_SUMMARY, PUBLISH_MENTION, PUBLISH_WITHHELD)

#: a life event's ``include_level`` -> the publishing level it allows
INCLUDE_LEVELS = {"": PUBLISH_FULL, "full_detail": PUBLISH_FULL, "summary": PUBLISH_SUMMARY, "mention": PUBLISH_MENTION}
#: a life event boundary's (or a trauma's default) privacy -> its tier (1 safe, 2 optional, 3 private)
PRIVACY_TIERS = {"": 1, "public": 1, "full": 1, "limited": 2}
#: life event category -> the storyteller boundary flag that must allow it in the book
CATEGORY_COMFORT = {
    "relationships": "comfortable_discussing_romance",
    "loss": "comfortable_discussing_loss",
    "health": "comfortable_discussing_illness",
    "spiritual": "comfortable_discussing_faith",
}
#: what an anonymous character is called in the book
ANONYMOUS_NAME = "someone"

#: why material was left out (export warnings: they say why, never what)
WITHHELD_REASONS = {
    "include_in_story": "the storyteller left its life event out of the story",
    "omit": "its life event's include level is omit",
    "never_publish": "its life event is marked never publish",
    "private": "its life event is private",
    "not_comfortable": "the storyteller is not comfortable discussing its life event",
    "topic": "the storyteller is not comfortable discussing the topic of its life event",
    "tier": "its life event is above the storyteller's comfortable tier",
    "trauma_consent": "its life event is traumatic and the storyteller has not given consent",
    "trauma_private": "its life event is traumatic and private by default",
    "collection_unapproved": "it belongs to a collection that is not approved",
    "collection_excluded": "it belongs to a collection left out of the book",
}
EXPORT_GATE = (
    "The story has not passed the composition gate: the storyteller's latest archetype analysis must be "
    "resolved with a dominant archetype at confidence 0.85 or more."
)


def export_gate_problems(story) -> list[ValidationError]:
    """Why ``story`` may not be exported (or marked complete) now: the composition gate, open blocking edits."""
    problems = []
    if story.storyteller_id is None or not composition_allowed(story.storyteller_id):
        problems.append(ValidationError(EXPORT_GATE, code="composition_gate"))
    if story.pk and (count := open_blocking_edits(story.pk)):
        problems.append(ValidationError(BLOCKING_EDITS, code="blocking_edits", params={"count": count}))
    return problems


def _stricter(a: str, b: str) -> str:
    return a if PUBLISH_LEVELS.index(a) >= PUBLISH_LEVELS.index(b) else b


def life_event_publish_level(event, *, storyteller_boundary=None, collection_reason: str = "") -> tuple[str, str]:
    """How much of ``event`` may be published, and the reason code when it is withheld.

    ``event`` carries its ``boundary`` and ``trauma`` (select_related, possibly absent);
    ``storyteller_boundary`` is the storyteller's defaults (or ``None``); ``collection_reason`` is set when
    one of the story's collections holding the event is not approved or not in the book.
    """
    boundary = getattr(event, "boundary", None)
    trauma = getattr(event, "trauma", None)
    privacy = boundary.privacy_level if boundary is not None else ""
    if not event.include_in_story:
        return PUBLISH_WITHHELD, "include_in_story"
    if event.include_level == "omit":
        return PUBLISH_WITHHELD, "omit"
    if privacy in ("never_publish", "private"):
        return PUBLISH_WITHHELD, privacy
    if boundary is not None and boundary.comfortable_discussing is False:
        return PUBLISH_WITHHELD, "not_comfortable"
    if trauma is not None and trauma.is_trauma:
        if trauma.requires_explicit_consent and trauma.trauma_status != "resolved" and not trauma.consent_given:
            return PUBLISH_WITHHELD, "trauma_consent"
        if not privacy:
            privacy = trauma.default_privacy_level
            if privacy == "private":
                return PUBLISH_WITHHELD, "trauma_private"
    if storyteller_boundary is not None:
        flag = CATEGORY_COMFORT.get(event.category)
        overridden = boundary is not None and boundary.override_storyteller_default and boundary.comfortable_discussing
        if flag and not getattr(storyteller_boundary, flag) and not overridden:
            return PUBLISH_WITHHELD, "topic"
        if PRIVACY_TIERS.get(privacy, 3) > storyteller_boundary.maximum_tier_comfortable:
            return PUBLISH_WITHHELD, "tier"
    if collection_reason:
        return PUBLISH_WITHHELD, collection_reason
    level = INCLUDE_LEVELS.get(event.include_level, PUBLISH_FULL)
    if PRIVACY_TIERS.get(privacy, 3) >= 2:
        level = _stricter(level, PUBLISH_SUMMARY)
    if boundary is not None and boundary.can_mention_but_not_detail:
        level = _stricter(level, PUBLISH_MENTION)
    return level, ""


def media_publishable(media) -> bool:
    """A life event's media may be placed in a book: a photo with usage rights that may be published."""
    return media.media_type == "photo" and media.can_publish and media.has_usage_rights


def character_names(character) -> tuple[str, list[str]]:
    """The name the book shows for ``character`` and the names it must never show.

    The real name appears only when ``privacy_level`` is ``full_name``; otherwise the book uses the
    character's name (a pseudonym or composite), its first word (``first_name_only``) or "someone"
    (``anonymous``).
    """
    level = character.privacy_level
    real = " ".join((character.real_name or "").split())
    name = " ".join((character.character_name or "").split())
    if level == "full_name":
        return name or real, []
    if level == "anonymous":
        shown = ANONYMOUS_NAME
    elif level == "first_name_only":
        shown = (name or real).split(" ")[0]
    else:
        shown = name or ANONYMOUS_NAME
    hidden = [n for n in {real, name} if n and n != shown]
    if level == "first_name_only" and real and " " in real and real.split(" ")[0] != shown:
        hidden.append(real.split(" ")[0])
    return shown, hidden


@dataclass
class Publication:
    """What the publishing rule decided for one story; the book builder asks it per scene, photo and text."""

    levels: dict = field(default_factory=dict)  # life event id -> (level, reason)
    replacements: dict[str, str] = field(default_factory=dict)  # a name the book may not show -> its stand-in
    withheld_chapters: set = field(default_factory=set)  # chapters fed by a collection that may not be published
    _pattern: object = None

    def scene_level(self, life_event_id) -> tuple[str, str]:
        """The level of a scene of ``life_event_id`` (a scene of no life event is the storyteller's own text)."""
        if life_event_id is None:
            return PUBLISH_FULL, ""
        return self.levels.get(life_event_id, (PUBLISH_FULL, ""))

    def text(self, value: str) -> str:
        """``value`` with every name the book may not show replaced by its stand-in (whole words only)."""
        if not value or not self.replacements:
            return value
        if self._pattern is None:
            names = sorted(self.replacements, key=len, reverse=True)
            self._pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
        return self._pattern.sub(lambda match: self.replacements[match.group(1)], value)


def story_publication(story) -> Publication:
    """Read every flag the publishing rule needs for ``story`` in four queries, whatever its size."""
    from storyteller.models import CollectionLifeEvent, LifeEvent, StoryCharacter, StoryCollection, StorytellerBoundary

    boundary = StorytellerBoundary.objects.filter(storyteller_id=story.storyteller_id).first()
    bad_links = (
        StoryCollection.objects.filter(story=story)
        .filter(Q(collection__is_approved=False) | Q(collection__include_in_book=False))
        .values_list("chapter_id", "collection_id", "collection__is_approved")
    )
    publication = Publication()
    bad_collections = {}
    for chapter_id, collection_id, approved in bad_links:
        publication.withheld_chapters.add(chapter_id)
        bad_collections[collection_id] = "collection_excluded" if approved else "collection_unapproved"
    collection_reasons = {}
    if bad_collections:
        for event_id, collection_id in CollectionLifeEvent.objects.filter(
            collection_id__in=bad_collections
        ).values_list("life_event_id", "collection_id"):
            collection_reasons.setdefault(event_id, bad_collections[collection_id])
    events = (
        LifeEvent.objects.filter(story_scenes__story=story).select_related("boundary", "trauma").distinct()
    )
    for event in events:
        publication.levels[event.pk] = life_event_publish_level(
            event, storyteller_boundary=boundary, collection_reason=collection_reasons.get(event.pk, "")
        )
    for character in StoryCharacter.objects.filter(story=story).only(
        "character_name", "real_name", "privacy_level"
    ):
        shown, hidden = character_names(character)
        for name in hidden:
            publication.replacements.setdefault(name, shown)
    return publication


#: rows that name two rows of a story (its chapters, sections, characters, themes): all of one story
SAME_STORY = {
    "storyteller.StoryCollection": ("story", "chapter"),
    "storyteller.StoryCharacter": ("story", "first_appearance_chapter"),
    "storyteller.CharacterRelationship": ("story", "character_a", "character_b"),
    "storyteller.CharacterAppearance": ("character", "chapter", "section"),
    "storyteller.ChapterTheme": ("chapter", "theme"),
    "storyteller.StoryScene": ("story", "chapter", "section"),
    "storyteller.StoryDraft": ("story", "chapter"),
    "storyteller.EditRequirement": ("story", "chapter", "section", "character", "theme"),
}


def _story_id(related):
    label = related._meta.label
    if label == "storyteller.Story":
        return related.pk
    if label == "storyteller.ChapterSection":
        return related.chapter.story_id
    return related.story_id


def check_same_story(obj) -> None:
    """The chapter, section, character or theme a row names belongs to the row's story; a section named
    with a chapter belongs to that chapter."""
    names = SAME_STORY.get(obj._meta.label)
    if not names:
        return
    present = [name for name in names if getattr(obj, obj._meta.get_field(name).attname) is not None]
    if len(present) >= 2:
        first = _story_id(getattr(obj, present[0]))
        for name in present[1:]:
            if _story_id(getattr(obj, name)) != first:
                raise ValidationError({name: ValidationError(MIXED_STORIES, code="mixed", params={"field": name})})
    if "chapter" in present and "section" in present and obj.section.chapter_id != obj.chapter_id:
        raise ValidationError({"section": ValidationError(MIXED_CHAPTERS, code="mixed", params={"field": "section"})})
