"""The interview: starting a session on the active process, serving the next prompt, recording answers,
unlocking sections, turning answers into life events and computing the storyteller's progress.

How the next prompt is chosen (``next_prompt``, a read that writes nothing):

* The session stands at ``current_process_node`` of the process version it was pinned to at start.
  A node's prompts are its own prompts (in order) and, for prompts that a process section lists
  (``SectionPrompt``), those of the sections that are unlocked or in progress for the storyteller and
  enabled by the storyteller's scope (``scope_type.enabled_sections``), the sections the storyteller
  selected first, then in section order. A section's prompt counts once per section.
* A prompt already answered (by this storyteller, in any session on this version) is not served again.
* Its condition must hold (``scope_match``: ``{"scope": ...}`` or ``{"scopes": [...]}``;
  ``section_active``: ``{"section": key}``; ``profile_boundary``: ``{"topic": ...}``, see below).
* Boundaries: the tier the storyteller is comfortable with (``storyteller_boundary.maximum_tier_comfortable``;
  a life event's boundary overrides it), a topic in ``off_limit_topics`` (skipped), a topic the
  storyteller is not comfortable discussing (``comfortable_discussing_<topic>`` false: surface tier only),
  a life event whose boundary keeps to the surface (``rules.surface_only``: not comfortable discussing it,
  ``can_mention_but_not_detail``, or no ``consent_to_deepen``: tier 1 only; with ``consent_to_deepen`` and
  ``comfortable_discussing`` every tier), and an unresolved traumatic life event without consent (nothing
  about it). A prompt above the tier allowed is asked in its gentler tier when its
  ``condition_value`` carries one (``gentler_text``, ``gentler_tier``, default 1), else skipped; the
  answer lists what was skipped and why.
* When nothing is left to ask at a node, the session moves along the node's first outgoing edge whose
  condition holds (conditional edges first, by ``order_index``; ``always`` edges last); ``next_prompt``
  looks ahead along the same edges, ``session_answer`` moves ``current_process_node`` there.

Every figure the process keeps (``prompts_answered``, ``completion_percentage``, ``prompts_total`` of
sections and session progress, the session's ``completion_percentage``, ``storyteller_progress``) is
written here, never taken from a client. The number of queries of ``next_prompt`` does not grow with
the size of the process: the process version is read in a fixed number of queries and walked in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from storyteller import rules
from storyteller.models import (
    BookExport,
    LifeEvent,
    LifeEventBoundary,
    LifeEventDetail,
    LifeEventLocation,
    LifeEventParticipant,
    ProcessFlowEdge,
    ProcessNode,
    ProcessPrompt,
    ProcessSection,
    ProcessVersion,
    ScopeType,
    SectionPrompt,
    SessionArtifact,
    SessionInteraction,
    SessionLifeEvent,
    SessionProfile,
    SessionProgress,
    SessionScope,
    SessionSectionStatus,
    SessionSynthesis,
    Story,
    StorytellerBoundary,
    StorytellerProgress,
    StorytellerSectionSelection,
    StorytellerSectionStatus,
    StorytellerSession,
)
from storyteller.models.storytellers import Storyteller
from storyteller.services.storytellers import row_save

NO_ACTIVE_VERSION = "No process version is active; activate one first."
NO_NODES = "The process version %(version)s has no nodes."
SESSION_ENDED = "This session is %(status)s; it cannot start again."
NOT_STARTED = "Start the session first (POST .../start/)."
NOT_ASKABLE = "This prompt is not one to answer now (next: %(next)s)."
PROMOTE_NO_ANSWER = "This interaction has no answer to promote."
PROMOTE_NEEDS_EVENT = "Say which life event the %(kind)s belongs to (life_event)."
UNKNOWN_SECTION = "Unknown section for this process: %(key)s."
BOUNDARY_TOPIC_FLAGS = {
    "intimacy": "comfortable_discussing_intimacy",
    "conflict": "comfortable_discussing_conflict",
    "finances": "comfortable_discussing_finances",
}
PROFILE_TOPIC_FLAGS = {"romance": "comfortable_discussing_romance", "trauma": "comfortable_discussing_trauma"}
PROFILE_FLAGS = (
    "has_relationships",
    "has_children",
    "has_multiple_careers",
    "has_lived_multiple_places",
    "has_military_service",
    "faith_important",
    "comfortable_discussing_romance",
    "comfortable_discussing_trauma",
    "prefers_some_private",
)


# the process, read once ------------------------------------------------------------------------


@dataclass
class ProcessMap:
    """One process version in memory: nodes, edges, prompts and sections (a fixed number of queries)."""

    version: ProcessVersion
    nodes: dict = field(default_factory=dict)
    first: ProcessNode | None = None
    edges: dict = field(default_factory=dict)
    prompts: dict = field(default_factory=dict)
    sections: list = field(default_factory=list)
    section_prompts: dict = field(default_factory=dict)
    in_section: set = field(default_factory=set)
    scope_types: dict = field(default_factory=dict)

    @property
    def sections_by_key(self) -> dict:
        return {section.section_key: section for section in self.sections}


def process_map(version: ProcessVersion) -> ProcessMap:
    pmap = ProcessMap(version=version)
    nodes = list(ProcessNode.objects.filter(process_version=version).order_by("order_index", "node_key"))
    pmap.nodes = {node.pk: node for node in nodes}
    pmap.first = nodes[0] if nodes else None
    for edge in ProcessFlowEdge.objects.filter(process_version=version).order_by("order_index", "edge_label"):
        pmap.edges.setdefault(edge.from_node_id, []).append(edge)
    for prompt in ProcessPrompt.objects.filter(process_node__process_version=version).order_by("order_index"):
        pmap.prompts.setdefault(prompt.process_node_id, []).append(prompt)
    pmap.sections = list(ProcessSection.objects.filter(process_version=version).order_by("order_index", "section_key"))
    prompts = {prompt.pk: prompt for node_prompts in pmap.prompts.values() for prompt in node_prompts}
    for link in SectionPrompt.objects.filter(section__process_version=version).order_by("order_index"):
        if link.process_prompt_id in prompts:
            pmap.section_prompts.setdefault(link.section_id, []).append(prompts[link.process_prompt_id])
            pmap.in_section.add(link.process_prompt_id)
    # scope keys are unique across versions (a new version of the process takes the scope types over)
    pmap.scope_types = {scope.scope_key: scope for scope in ScopeType.objects.all()}
    return pmap


# the storyteller, read once --------------------------------------------------------------------


@dataclass
class InterviewState:
    storyteller: Storyteller
    boundary: StorytellerBoundary | None
    profile: dict
    scope: str
    statuses: dict
    selected: list
    answered: dict
    life_event: LifeEvent | None = None
    life_event_boundary: LifeEventBoundary | None = None
    life_event_needs_consent: bool = False

    def enabled(self, pmap: ProcessMap) -> set | None:
        scope = pmap.scope_types.get(self.scope)
        return set(scope.enabled_sections) if scope is not None and scope.enabled_sections else None


def interview_state(session: StorytellerSession, pmap: ProcessMap, life_event: LifeEvent | None = None):
    storyteller = session.storyteller
    boundary = StorytellerBoundary.objects.filter(storyteller=storyteller).first()
    profile_row = SessionProfile.objects.filter(session__storyteller=storyteller).order_by("-created_at").first()
    profile = {}
    if profile_row is not None:
        profile = {
            **(profile_row.additional_flags or {}),
            **{name: getattr(profile_row, name) for name in PROFILE_FLAGS},
        }
    scope_row = SessionScope.objects.filter(session__storyteller=storyteller).order_by("-created_at").first()
    statuses = {
        row.process_section_id: row
        for row in StorytellerSectionStatus.objects.filter(
            storyteller=storyteller, process_section__process_version=pmap.version
        )
    }
    selected = list(
        StorytellerSectionSelection.objects.filter(
            storyteller=storyteller, process_section__process_version=pmap.version
        )
        .order_by("selected_at", "created_at")
        .values_list("process_section_id", flat=True)
    )
    answered: dict = {}
    for node_id, data in SessionProgress.objects.filter(
        session__storyteller=storyteller, process_node__process_version=pmap.version
    ).values_list("process_node_id", "node_data"):
        keys = (data or {}).get("answered") if isinstance(data, dict) else None
        if isinstance(keys, dict):
            answered.setdefault(node_id, set()).update(keys)
    if life_event is None:
        focus = (
            SessionLifeEvent.objects.filter(session=session, is_primary_focus=True).select_related("life_event").first()
        )
        life_event = focus.life_event if focus else None
    event_boundary, needs_consent = None, False
    if life_event is not None:
        event_boundary = LifeEventBoundary.objects.filter(life_event=life_event).first()
        needs_consent = rules.life_event_needs_consent(life_event.pk)
    return InterviewState(
        storyteller=storyteller,
        boundary=boundary,
        profile=profile,
        scope=scope_row.scope_type if scope_row else "",
        statuses=statuses,
        selected=selected,
        answered=answered,
        life_event=life_event,
        life_event_boundary=event_boundary,
        life_event_needs_consent=needs_consent,
    )


# deciding about one prompt ---------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    ask: bool
    text: str = ""
    tier: int = 1
    gentler: bool = False
    reason: str = ""


def _condition(prompt) -> dict:
    return prompt.condition_value if isinstance(prompt.condition_value, dict) else {}


def _topic_comfortable(state: InterviewState, topic: str) -> bool:
    if topic in BOUNDARY_TOPIC_FLAGS:
        name = BOUNDARY_TOPIC_FLAGS[topic]
        if state.boundary is not None:
            return bool(getattr(state.boundary, name))
        return bool(StorytellerBoundary._meta.get_field(name).default)
    if topic in PROFILE_TOPIC_FLAGS:
        return state.profile.get(PROFILE_TOPIC_FLAGS[topic], True) is not False
    return True


def prompt_decision(prompt: ProcessPrompt, state: InterviewState, active_sections: set) -> Decision:
    """Whether ``prompt`` is asked now, in which wording and tier, or why it is skipped."""
    condition = _condition(prompt)
    kind = prompt.condition_type
    if kind == "scope_match":
        scopes = condition.get("scopes") or [condition.get("scope")]
        if state.scope not in scopes:
            return Decision(False, reason="scope")
    elif kind == "section_active" and condition.get("section") not in active_sections:
        return Decision(False, reason="section")
    if state.life_event_needs_consent:
        return Decision(False, reason="trauma_consent")
    tier = prompt.sensitivity_tier or (2 if prompt.is_sensitive else 1)
    limit = state.boundary.maximum_tier_comfortable if state.boundary is not None else 2
    event_boundary = state.life_event_boundary
    if event_boundary is not None:
        if event_boundary.override_storyteller_default and event_boundary.comfortable_discussing:
            limit = 3
        if rules.surface_only(event_boundary):
            limit = 1
    topic = str(condition.get("topic") or "") if kind == "profile_boundary" else ""
    if topic:
        off_limits = {item.strip().lower() for item in (state.boundary.off_limit_topics if state.boundary else [])}
        if topic.lower() in off_limits:
            return Decision(False, reason="off_limits")
        if not _topic_comfortable(state, topic):
            limit = 1
    if tier <= limit:
        return Decision(True, text=prompt.prompt_text, tier=tier)
    gentler_text = condition.get("gentler_text")
    gentler_tier = condition.get("gentler_tier", 1)
    if gentler_text and isinstance(gentler_tier, int) and gentler_tier <= limit:
        return Decision(True, text=str(gentler_text), tier=gentler_tier, gentler=True)
    return Decision(False, reason="above_tier")


def answer_key(prompt: ProcessPrompt, section: ProcessSection | None) -> str:
    return f"{section.section_key}:{prompt.prompt_key}" if section is not None else prompt.prompt_key


def section_threshold(section: ProcessSection, prompts: list) -> int:
    """How many of a section's prompts complete it: its ``minimum_prompts_required`` when set, else all."""
    total = len(prompts)
    return min(section.minimum_prompts_required, total) if section.minimum_prompts_required > 0 else total


@dataclass
class Candidate:
    prompt: ProcessPrompt
    section: ProcessSection | None
    decision: Decision


def open_sections(pmap: ProcessMap, state: InterviewState) -> list:
    """The sections the storyteller may answer in now: unlocked or in progress, enabled by the scope,
    the selected ones first."""
    enabled = state.enabled(pmap)
    order = {section_id: index for index, section_id in enumerate(state.selected)}
    sections = [
        section
        for section in pmap.sections
        if (status := state.statuses.get(section.pk)) is not None
        and status.status in ("unlocked", "in_progress")
        and (enabled is None or section.section_key in enabled)
    ]
    return sorted(sections, key=lambda section: (order.get(section.pk, len(order)), section.order_index or 0))


def node_candidates(node: ProcessNode, pmap: ProcessMap, state: InterviewState) -> tuple[list, list]:
    """The prompts still to ask at ``node`` (in order) and those skipped, each with its decision."""
    done = state.answered.get(node.pk, set())
    sections = open_sections(pmap, state)
    active = {section.section_key for section in sections}
    asked, skipped = [], []
    pairs = [(prompt, None) for prompt in pmap.prompts.get(node.pk, []) if prompt.pk not in pmap.in_section]
    for section in sections:
        pairs += [
            (prompt, section)
            for prompt in pmap.section_prompts.get(section.pk, [])
            if prompt.process_node_id == node.pk
        ]
    for prompt, section in pairs:
        if answer_key(prompt, section) in done:
            continue
        decision = prompt_decision(prompt, state, active)
        (asked if decision.ask else skipped).append(Candidate(prompt, section, decision))
    return asked, skipped


def edge_holds(edge: ProcessFlowEdge, pmap: ProcessMap, state: InterviewState) -> bool:
    condition = edge.condition_value if isinstance(edge.condition_value, dict) else {}
    kind = edge.condition_type
    if kind in ("", "always"):
        return True
    if kind == "scope_match":
        return state.scope in (condition.get("scopes") or [condition.get("scope")])
    if kind == "profile_flag":
        return state.profile.get(condition.get("flag")) == condition.get("value", True)
    if kind == "section_selected":
        section = pmap.sections_by_key.get(condition.get("section"))
        return section is not None and section.pk in state.selected
    return False


def next_node(node: ProcessNode, pmap: ProcessMap, state: InterviewState) -> ProcessNode | None:
    """The node the flow moves to from ``node``: the first conditional edge that holds, else an ``always`` edge."""
    edges = pmap.edges.get(node.pk, [])
    conditional = [edge for edge in edges if edge.condition_type not in ("", "always")]
    plain = [edge for edge in edges if edge.condition_type in ("", "always")]
    for edge in [*conditional, *plain]:
        if edge_holds(edge, pmap, state):
            return pmap.nodes.get(edge.to_node_id)
    return None


@dataclass
class Walk:
    node: ProcessNode | None
    passed: list
    asked: list
    skipped: list

    @property
    def candidate(self) -> Candidate | None:
        return self.asked[0] if self.asked else None


def walk(session: StorytellerSession, pmap: ProcessMap, state: InterviewState) -> Walk:
    """From the session's node, follow the edges past nodes with nothing left to ask (in memory)."""
    node = pmap.nodes.get(session.current_process_node_id) or pmap.first
    passed, seen = [], set()
    while node is not None:
        asked, skipped = node_candidates(node, pmap, state)
        if asked:
            return Walk(node, passed, asked, skipped)
        seen.add(node.pk)
        following = next_node(node, pmap, state)
        if following is None or following.pk in seen:
            return Walk(node, passed, [], skipped)
        passed.append(node)
        node = following
    return Walk(None, passed, [], [])


# reading: the next prompt ----------------------------------------------------------------------


def prompt_payload(candidate: Candidate) -> dict:
    prompt = candidate.prompt
    return {
        "id": str(prompt.pk),
        "prompt_key": prompt.prompt_key,
        "prompt_text": candidate.decision.text,
        "prompt_type": prompt.prompt_type,
        "response_format": prompt.response_format,
        "is_required": prompt.is_required,
        "tier": candidate.decision.tier,
        "gentler": candidate.decision.gentler,
        "section": candidate.section.section_key if candidate.section else None,
    }


def next_prompt(*, session: StorytellerSession, life_event: LifeEvent | None = None) -> dict:
    """What to ask next in ``session`` (writes nothing)."""
    if session.process_version_id is None or session.status != "in_progress":
        raise ValidationError({"status": [NOT_STARTED]})
    pmap = process_map(session.process_version)
    state = interview_state(session, pmap, life_event)
    route = walk(session, pmap, state)
    node = route.node
    return {
        "session": str(session.pk),
        "process_version": str(pmap.version.pk),
        "node": None
        if node is None
        else {
            "id": str(node.pk),
            "node_key": node.node_key,
            "node_name": node.node_name,
            "user_facing_text": node.user_facing_text,
        },
        "prompt": prompt_payload(route.candidate) if route.candidate else None,
        "skipped": [
            {
                "prompt_key": item.prompt.prompt_key,
                "section": item.section.section_key if item.section else None,
                "reason": item.decision.reason,
            }
            for item in route.skipped
        ],
        "done": route.candidate is None,
    }


# writing: start, answer, sections --------------------------------------------------------------


def _locked_session(session: StorytellerSession) -> StorytellerSession:
    locked = StorytellerSession.objects.select_for_update().select_related("storyteller").get(pk=session.pk)
    return locked


def _require_consent(storyteller: Storyteller) -> None:
    if not storyteller.consent_given:
        raise ValidationError({"storyteller": [rules.CONSENT_REQUIRED]})


@transaction.atomic
def session_start(*, session: StorytellerSession, actor=None) -> StorytellerSession:
    """Pin the session to the active process version and place it at the version's first node (a session
    that already started keeps its version and node; starting it again changes nothing)."""
    session = _locked_session(session)
    _require_consent(session.storyteller)
    if session.status not in ("scheduled", "paused", "in_progress"):
        raise ValidationError({"status": [SESSION_ENDED % {"status": session.status}]})
    if session.process_version_id is None:
        version = ProcessVersion.objects.filter(is_active=True).first()
        if version is None:
            raise ValidationError({"process_version": [NO_ACTIVE_VERSION]})
        session.process_version = version
    if session.current_process_node_id is None:
        first = (
            ProcessNode.objects.filter(process_version_id=session.process_version_id)
            .order_by("order_index", "node_key")
            .first()
        )
        if first is None:
            raise ValidationError({"process_version": [NO_NODES % {"version": session.process_version}]})
        session.current_process_node = first
    session.last_activity_at = timezone.now()
    session.status = "in_progress"
    row_save(obj=session, actor=actor)
    _node_progress(session, session.current_process_node)
    progress_save(storyteller=session.storyteller, actor=actor)
    return session


def _node_progress(session: StorytellerSession, node: ProcessNode) -> SessionProgress:
    progress = SessionProgress.objects.filter(session=session, process_node=node).first()
    if progress is None:
        progress = SessionProgress(session=session, process_node=node, status="in_progress", node_data={"answered": {}})
        row_save(obj=progress)
    elif progress.status == "pending":
        progress.status = "in_progress"
        row_save(obj=progress)
    return progress


def _node_leave(session: StorytellerSession, node: ProcessNode, *, answered: bool) -> None:
    progress = _node_progress(session, node)
    if progress.status == "in_progress":
        progress.status = "completed" if answered or progress.prompts_completed else "skipped"
        row_save(obj=progress)


def _apply_scope(session: StorytellerSession, scope: str) -> None:
    row = SessionScope.objects.filter(session=session).first() or SessionScope(session=session)
    row.scope_type = scope
    row_save(obj=row)


def _apply_profile(session: StorytellerSession, flags: dict) -> None:
    row = SessionProfile.objects.filter(session=session).first()
    if row is None:
        latest = SessionProfile.objects.filter(session__storyteller=session.storyteller).order_by("-created_at").first()
        row = SessionProfile(session=session)
        if latest is not None:
            for name in PROFILE_FLAGS:
                setattr(row, name, getattr(latest, name))
            row.additional_flags = dict(latest.additional_flags or {})
    extra = dict(row.additional_flags or {})
    for name, value in flags.items():
        if name in PROFILE_FLAGS:
            setattr(row, name, bool(value))
        else:
            extra[name] = value
    row.additional_flags = extra
    row_save(obj=row)


def _apply_sections(session: StorytellerSession, pmap: ProcessMap, keys: list) -> None:
    by_key = pmap.sections_by_key
    for key in keys:
        section = by_key.get(key)
        if section is None:
            raise ValidationError({"sections": [UNKNOWN_SECTION % {"key": key}]})
        if not StorytellerSectionSelection.objects.filter(
            storyteller=session.storyteller, process_section=section
        ).exists():
            row_save(
                obj=StorytellerSectionSelection(
                    storyteller=session.storyteller,
                    process_section=section,
                    selection_reason="user_choice",
                    selected_during_phase="initial_selection",
                    selected_at=timezone.now(),
                )
            )


def sections_refresh(*, storyteller: Storyteller, pmap: ProcessMap, actor=None) -> list:
    """Give every section the storyteller's scope enables a status row, and unlock those whose
    prerequisite, scope and profile rules hold (``rules.unlock_problems``). Returns the sections unlocked."""
    scope = rules.storyteller_scope(storyteller.pk)
    scope_type = pmap.scope_types.get(scope)
    enabled = set(scope_type.enabled_sections or []) if scope_type is not None else None
    if enabled is None:
        return []
    statuses = {
        row.process_section_id: row
        for row in StorytellerSectionStatus.objects.filter(
            storyteller=storyteller, process_section__process_version=pmap.version
        )
    }
    unlocked = []
    for section in pmap.sections:
        if section.section_key not in enabled:
            continue
        status = statuses.get(section.pk)
        prompts = pmap.section_prompts.get(section.pk, [])
        if status is None:
            status = row_save(
                obj=StorytellerSectionStatus(
                    storyteller=storyteller, process_section=section, status="locked", prompts_total=len(prompts)
                )
            )
        if status.status != "locked":
            continue
        problems = rules.unlock_problems(storyteller.pk, section)
        status.prerequisite_sections_met = not problems
        status.prerequisite_notes = " ".join(problems)
        if problems:
            row_save(obj=status)
            continue
        status.status = "unlocked"
        if section.unlock_after_section_id:
            status.unlocked_by = "prerequisite"
        elif section.requires_profile_flags:
            status.unlocked_by = "profile"
        else:
            status.unlocked_by = "scope"
        status.unlock_reason = f"Enabled by the scope {scope}."
        row_save(obj=status, actor=actor)
        unlocked.append(section)
    return unlocked


def _section_answered(session, section, pmap, *, answered_keys: set, actor=None) -> None:
    prompts = pmap.section_prompts.get(section.pk, [])
    count = sum(1 for prompt in prompts if f"{section.section_key}:{prompt.prompt_key}" in answered_keys)
    threshold = max(section_threshold(section, prompts), 1)
    status = StorytellerSectionStatus.objects.select_for_update().get(
        storyteller=session.storyteller, process_section=section
    )
    status.prompts_answered = count
    status.prompts_total = len(prompts)
    status.completion_percentage = min(100, count * 100 // threshold)
    if status.status == "unlocked":
        status.status = "in_progress"
        row_save(obj=status, actor=actor)
    if count >= threshold:
        status.status = "completed"
    row_save(obj=status, actor=actor)
    per_session = SessionSectionStatus.objects.filter(session=session, section=section).first()
    if per_session is None:
        per_session = row_save(obj=SessionSectionStatus(session=session, section=section, status="unlocked"))
    per_session.prompts_answered += 1
    if per_session.status == "unlocked":
        per_session.status = "in_progress"
        row_save(obj=per_session)
    if status.status == "completed" and per_session.status == "in_progress":
        per_session.status = "completed"
    row_save(obj=per_session)


@transaction.atomic
def session_answer(
    *,
    session: StorytellerSession,
    prompt: ProcessPrompt,
    response: str,
    section_key: str | None = None,
    life_event: LifeEvent | None = None,
    response_method: str = "text",
    sentiment: str = "",
    scope: str | None = None,
    profile: dict | None = None,
    sections: list | None = None,
    actor=None,
) -> tuple[SessionInteraction, dict]:
    """Record the storyteller's answer to ``prompt`` and move the session along the edge the answer takes.
    Returns the interaction and the next prompt."""
    session = _locked_session(session)
    if session.process_version_id is None or session.status != "in_progress":
        raise ValidationError({"status": [NOT_STARTED]})
    _require_consent(session.storyteller)
    pmap = process_map(session.process_version)
    state = interview_state(session, pmap, life_event)
    route = walk(session, pmap, state)
    chosen = next(
        (
            item
            for item in route.asked
            if item.prompt.pk == prompt.pk
            and (section_key is None or (item.section.section_key if item.section else None) == section_key)
        ),
        None,
    )
    if chosen is None:
        upcoming = route.candidate.prompt.prompt_key if route.candidate else "nothing, the process is done"
        raise ValidationError({"prompt": [NOT_ASKABLE % {"next": upcoming}]})
    for node in route.passed:
        _node_leave(session, node, answered=False)
    node = route.node
    session.current_process_node = node
    last = session.interactions.aggregate(last=models.Max("interaction_sequence"))["last"] or 0
    interaction = row_save(
        obj=SessionInteraction(
            session=session,
            life_event=state.life_event,
            interaction_sequence=last + 1,
            interaction_type="response",
            agent_prompt=chosen.decision.text,
            prompt_category="" if chosen.decision.gentler else chosen.prompt.prompt_type,
            storyteller_response=response,
            response_method=response_method,
            sentiment=sentiment,
        ),
        actor=actor,
    )
    if scope:
        _apply_scope(session, scope)
    if profile:
        _apply_profile(session, profile)
    if sections:
        _apply_sections(session, pmap, sections)
    progress = _node_progress(session, node)
    data = dict(progress.node_data or {})
    answers = dict(data.get("answered") or {})
    answers[answer_key(chosen.prompt, chosen.section)] = str(interaction.pk)
    data["answered"] = answers
    progress.node_data = data
    progress.prompts_completed = len(answers)
    progress.prompts_total = len(route.asked) + len(state.answered.get(node.pk, set()))
    row_save(obj=progress)
    if chosen.section is not None:
        all_answered = state.answered.get(node.pk, set()) | set(answers)
        _section_answered(session, chosen.section, pmap, answered_keys=all_answered, actor=actor)
    sections_refresh(storyteller=session.storyteller, pmap=pmap, actor=actor)
    # the edge the answer takes: leave the node when nothing is left to ask there
    state = interview_state(session, pmap, life_event)
    asked, _ = node_candidates(node, pmap, state)
    if not asked:
        following = next_node(node, pmap, state)
        if following is not None:
            _node_leave(session, node, answered=True)
            session.current_process_node = following
            _node_progress(session, following)
    session.completion_percentage = _session_completion(session, pmap)
    session.last_activity_at = timezone.now()
    row_save(obj=session, actor=actor)
    progress_save(storyteller=session.storyteller, actor=actor)
    return interaction, next_prompt(session=session, life_event=life_event)


def _session_completion(session: StorytellerSession, pmap: ProcessMap) -> int:
    if not pmap.nodes:
        return 0
    done = SessionProgress.objects.filter(session=session, status__in=("completed", "skipped")).count()
    return min(100, done * 100 // len(pmap.nodes))


# answers become material -------------------------------------------------------------------------

PROMOTE_KINDS = ("life_event", "detail", "participant", "location")


@transaction.atomic
def interaction_promote(
    *, interaction: SessionInteraction, kind: str, values: dict, life_event: LifeEvent | None = None, actor=None
):
    """Make a life event (or a detail, participant or location of one) from an answer, by the storyteller's
    choice; the interaction is linked to the life event, and the life event to the session."""
    from storyteller.services.storytellers import life_event_save

    if not interaction.storyteller_response.strip():
        raise ValidationError({"interaction": [PROMOTE_NO_ANSWER]})
    session = interaction.session
    text = interaction.storyteller_response
    if kind == "life_event":
        event = LifeEvent(
            storyteller=session.storyteller,
            event_name=values.get("event_name") or text.strip().splitlines()[0][:200],
            description=text,
            **{key: value for key, value in values.items() if key != "event_name"},
        )
        life_event_save(life_event=event, actor=actor)
        made = event
        life_event = event
    else:
        if life_event is None:
            raise ValidationError({"life_event": [PROMOTE_NEEDS_EVENT % {"kind": kind}]})
        if kind == "detail":
            made = LifeEventDetail(
                life_event=life_event,
                detail_key=values.get("detail_key") or f"answer-{interaction.interaction_sequence}",
                detail_value=text,
                detail_type="text",
                **{key: value for key, value in values.items() if key not in ("detail_key",)},
            )
        elif kind == "participant":
            made = LifeEventParticipant(life_event=life_event, notes=text, **values)
        else:
            made = LifeEventLocation(
                life_event=life_event,
                location_name=values.get("location_name") or text.strip()[:200],
                description=text,
                **{key: value for key, value in values.items() if key != "location_name"},
            )
        row_save(obj=made, actor=actor)
    interaction.life_event = life_event
    row_save(obj=interaction, actor=actor)
    if not SessionLifeEvent.objects.filter(session=session, life_event=life_event).exists():
        row_save(obj=SessionLifeEvent(session=session, life_event=life_event), actor=actor)
    progress_save(storyteller=session.storyteller, actor=actor)
    return made


# progress --------------------------------------------------------------------------------------


def progress_compute(storyteller: Storyteller) -> StorytellerProgress:
    """The storyteller's progress from their sessions, sections and books (unsaved; queries fixed)."""
    progress = StorytellerProgress.objects.filter(storyteller=storyteller).first() or StorytellerProgress(
        storyteller=storyteller
    )
    sessions = StorytellerSession.objects.filter(storyteller=storyteller)
    figures = sessions.aggregate(
        count=models.Count("pk"),
        first=models.Min("started_at"),
        last=models.Max("last_activity_at"),
    )
    latest = (
        sessions.filter(process_version__isnull=False)
        .select_related("current_process_node", "process_version")
        .order_by(models.F("last_activity_at").desc(nulls_last=True), "-created_at")
        .first()
    )
    interactions = SessionInteraction.objects.filter(session__storyteller=storyteller).aggregate(
        count=models.Count("pk"),
        first=models.Min("created_at", filter=~models.Q(storyteller_response="")),
    )
    phase_choices = {value for value, _ in StorytellerProgress._meta.get_field("current_phase").choices}
    done, skipped = [], []
    for key, status in (
        SessionProgress.objects.filter(session__storyteller=storyteller, status__in=("completed", "skipped"))
        .order_by("process_node__order_index")
        .values_list("process_node__node_key", "status")
        .distinct()
    ):
        target = done if status == "completed" else skipped
        if key not in target:
            target.append(key)
    skipped = [key for key in skipped if key not in done]
    sections = StorytellerSectionStatus.objects.filter(storyteller=storyteller).aggregate(
        total=models.Count("pk", filter=~models.Q(status="skipped")),
        completed=models.Count("pk", filter=models.Q(status="completed")),
    )
    progress.total_sessions_count = figures["count"]
    progress.total_interactions_count = interactions["count"]
    progress.total_artifacts_count = SessionArtifact.objects.filter(session__storyteller=storyteller).count()
    progress.first_session_at = figures["first"]
    progress.last_active_at = figures["last"]
    progress.first_capture_at = interactions["first"]
    progress.first_synthesis_at = SessionSynthesis.objects.filter(session__storyteller=storyteller).aggregate(
        first=models.Min("created_at")
    )["first"]
    progress.book_started_at = Story.objects.filter(storyteller=storyteller).aggregate(first=models.Min("created_at"))[
        "first"
    ]
    progress.book_completed_at = BookExport.objects.filter(storyteller=storyteller, export_status="ready").aggregate(
        first=models.Min("generation_completed_at")
    )["first"]
    progress.phases_completed = done
    progress.phases_skipped = skipped
    if sections["total"]:
        progress.overall_completion_percentage = sections["completed"] * 100 // sections["total"]
    elif latest is not None:
        progress.overall_completion_percentage = latest.completion_percentage or 0
    else:
        progress.overall_completion_percentage = 0
    if latest is not None:
        progress.process_version = latest.process_version
        node = latest.current_process_node
        key = node.node_key if node else ""
        progress.current_phase = key if key in phase_choices else ""
        progress.phase_status = "completed" if key in done else ("in_progress" if key else "not_started")
        pmap_edges = ProcessFlowEdge.objects.filter(from_node=node).select_related("to_node").order_by("order_index")
        following = next((edge.to_node for edge in pmap_edges if edge.condition_type in ("", "always")), None)
        progress.suggested_next_phase = following.node_key if following else ""
        progress.suggested_next_action = (
            f"Continue {node.node_name}." if node is not None and latest.status == "in_progress" else ""
        )
    else:
        progress.current_phase, progress.phase_status = "", "not_started"
        progress.suggested_next_phase = "trust_setup"
        progress.suggested_next_action = "Start a session."
    return progress


def progress_save(*, storyteller: Storyteller, actor=None) -> StorytellerProgress:
    return row_save(obj=progress_compute(storyteller), actor=actor)
