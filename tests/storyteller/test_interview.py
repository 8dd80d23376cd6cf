"""The interview: a session starts on the active process version at its first node, serves the next prompt
by the flow, the scope, the sections' unlock state and the boundaries, records answers, unlocks sections,
turns answers into life events, keeps the progress figures; a version in use is never edited in place."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from storyteller import models as m
from storyteller.process_loader import DEFAULT_PROCESS, process_load, process_load_file
from storyteller.services import interview
from tests.storyteller import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def process():
    process_load_file()
    return m.ProcessVersion.objects.get(is_active=True)


@pytest.fixture
def teller(process):
    return f.StorytellerFactory()


@pytest.fixture
def client(teller):
    client = APIClient()
    client.force_authenticate(teller.user)
    return client


def fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


#: the interview's routes (tests/core/test_routes.py reads them here)
ROUTES = {
    "storytellersession-start": "storyteller-api:storytellersession-start",
    "storytellersession-next-prompt": "storyteller-api:storytellersession-next-prompt",
    "storytellersession-answer": "storyteller-api:storytellersession-answer",
    "sessioninteraction-promote": "storyteller-api:sessioninteraction-promote",
    "storyteller-progress": "storyteller-api:storyteller-progress",
}


def url(name, pk):
    return reverse(ROUTES.get(name, f"storyteller-api:{name}"), args=[pk])


def started(client, teller):
    session = f.StorytellerSessionFactory(storyteller=teller)
    response = client.post(url("storytellersession-start", session.pk))
    assert response.status_code == 200, response.json()
    return session


def next_prompt(client, session, **params):
    response = client.get(url("storytellersession-next-prompt", session.pk), params)
    assert response.status_code == 200, response.json()
    return response.json()


def answer(client, session, served, text="An answer.", **extra):
    body = {"prompt": served["prompt"]["id"], "response": text, **extra}
    if served["prompt"]["section"]:
        body["section"] = served["prompt"]["section"]
    response = client.post(url("storytellersession-answer", session.pk), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_start_pins_the_active_version_and_places_the_session_at_the_first_node(client, teller, process):
    session = started(client, teller)
    session.refresh_from_db()
    assert session.process_version == process
    assert session.current_process_node.node_key == "trust_setup"
    assert session.status == "in_progress" and session.started_at is not None
    assert teller.events.filter(event_type="session_status_changed", to_status="in_progress").count() == 1
    # starting again changes nothing (same answer alone and repeated)
    assert client.post(url("storytellersession-start", session.pk)).status_code == 200
    assert teller.events.filter(event_type="session_status_changed").count() == 1
    # the client cannot move the session's node or version itself
    other = m.ProcessNode.objects.get(process_version=process, node_key="synthesis")
    client.patch(url("storytellersession-detail", session.pk), {"current_process_node": str(other.pk)}, format="json")
    session.refresh_from_db()
    assert session.current_process_node.node_key == "trust_setup"


def test_nothing_is_captured_before_the_storytellers_consent(client, teller, process):
    teller.consent_given = False
    teller.save()
    session = f.StorytellerSessionFactory(storyteller=teller)
    response = client.post(url("storytellersession-start", session.pk))
    assert response.status_code == 400
    assert "storyteller" in json.dumps(response.json()) and "consent" in json.dumps(response.json())
    session.refresh_from_db()
    assert session.status == "scheduled" and session.process_version is None
    # nor through the table endpoint
    body = {"session": str(session.pk), "interaction_sequence": 1, "storyteller_response": "Hello"}
    response = client.post(reverse("storyteller-api:sessioninteraction-list"), body, format="json")
    assert response.status_code == 400 and "consent" in json.dumps(response.json())
    assert not m.SessionInteraction.objects.filter(session=session).exists()


def test_next_prompt_before_start_is_a_clear_400(client, teller):
    session = f.StorytellerSessionFactory(storyteller=teller)
    response = client.get(url("storytellersession-next-prompt", session.pk))
    assert response.status_code == 400 and "start" in json.dumps(response.json()).lower()


def test_answers_move_the_session_along_the_edge_the_answer_takes(client, teller, process):
    session = started(client, teller)
    served = next_prompt(client, session)
    assert served["node"]["node_key"] == "trust_setup" and served["prompt"]["prompt_key"] == "how_it_works"
    result = answer(client, session, served, "How is it kept?")
    interaction = m.SessionInteraction.objects.get(pk=result["interaction"]["id"])
    assert interaction.storyteller_response == "How is it kept?" and interaction.interaction_type == "response"
    assert result["next"]["node"]["node_key"] == "scope_selection"
    session.refresh_from_db()
    assert session.current_process_node.node_key == "scope_selection"
    # the single-event answer takes the conditional edge straight to story capture
    result = answer(client, session, result["next"], "One summer.", scope="single_event")
    session.refresh_from_db()
    assert session.current_process_node.node_key == "story_capture"
    assert result["next"]["prompt"]["section"] == "the_event"
    statuses = dict(
        m.StorytellerSectionStatus.objects.filter(storyteller=teller).values_list(
            "process_section__section_key", "status"
        )
    )
    assert statuses == {"the_event": "unlocked", "reflections": "unlocked"}  # the scope's enabled sections only
    assert session.completion_percentage > 0
    # a prompt that is not the one to answer is refused, naming the prompt
    wrong = m.ProcessPrompt.objects.get(process_node__process_version=process, prompt_key="facts")
    response = client.post(
        url("storytellersession-answer", session.pk), {"prompt": str(wrong.pk), "response": "x"}, format="json"
    )
    assert response.status_code == 400 and "prompt" in fields(response)


def test_whole_life_sections_unlock_when_their_prerequisite_completes(client, teller, process):
    session = started(client, teller)
    served = answer(client, session, next_prompt(client, session))["next"]
    served = answer(client, session, served, "All of it.", scope="whole_life")["next"]
    while served["prompt"] and served["prompt"]["section"] is None:
        served = answer(client, session, served)["next"]
    assert served["prompt"]["section"] == "origins"
    childhood = m.StorytellerSectionStatus.objects.get(storyteller=teller, process_section__section_key="childhood")
    assert childhood.status == "locked" and not childhood.prerequisite_sections_met
    for _ in range(5):
        assert served["prompt"]["section"] == "origins"
        served = answer(client, session, served)["next"]
    origins = m.StorytellerSectionStatus.objects.get(storyteller=teller, process_section__section_key="origins")
    assert (origins.status, origins.prompts_answered, origins.completion_percentage) == ("completed", 5, 100)
    childhood.refresh_from_db()
    assert (childhood.status, childhood.unlocked_by) == ("unlocked", "prerequisite")
    assert served["prompt"]["section"] in ("childhood", "work_career")
    assert teller.events.filter(event_type="section_status_changed", to_status="completed").exists()
    progress = client.get(url("storyteller-progress", teller.pk)).json()
    assert progress["total_interactions_count"] == m.SessionInteraction.objects.filter(session=session).count()
    assert progress["current_phase"] == "story_capture"
    assert "trust_setup" in progress["phases_completed"]
    assert progress["overall_completion_percentage"] > 0


def test_boundaries_skip_a_prompt_or_ask_its_gentler_tier(client, teller, process):
    m.StorytellerBoundary.objects.create(storyteller=teller, maximum_tier_comfortable=1)
    session = started(client, teller)
    served = answer(client, session, next_prompt(client, session))["next"]
    served = answer(client, session, served, scope="whole_life")["next"]
    while served["node"]["node_key"] != "profile":
        served = answer(client, session, served)["next"]
    keys = []
    while served["node"]["node_key"] == "profile":
        keys.append(served["prompt"]["prompt_key"])
        if served["prompt"]["prompt_key"] == "children":
            assert {"prompt_key": "boundaries", "section": None, "reason": "above_tier"} in served["skipped"]
        served = answer(client, session, served)["next"]
    assert "boundaries" not in keys
    # a gentler wording within the storyteller's tier is asked instead of skipping
    other = f.StorytellerFactory(user=teller.user)
    m.StorytellerBoundary.objects.create(storyteller=other, maximum_tier_comfortable=1)
    session = f.StorytellerSessionFactory(storyteller=other)
    interview.session_start(session=session)
    # a definition change to a version in use is refused; this one is a copy for the test
    version = m.ProcessVersion.objects.create(version_name="gentle")
    node = f.ProcessNodeFactory(process_version=version, node_key="only", order_index=1)
    f.ProcessPromptFactory(
        process_node=node,
        prompt_key="hard",
        prompt_text="What hurt most?",
        sensitivity_tier=3,
        condition_value={"gentler_text": "Was there a hard moment you would like to mention?"},
    )
    session = f.StorytellerSessionFactory(storyteller=other)
    session.process_version, session.current_process_node = version, node
    session.status = "in_progress"
    session.save()
    served = interview.next_prompt(session=session)
    assert served["prompt"]["prompt_text"] == "Was there a hard moment you would like to mention?"
    assert (served["prompt"]["tier"], served["prompt"]["gentler"]) == (1, True)
    interaction, _ = interview.session_answer(
        session=session, prompt=m.ProcessPrompt.objects.get(prompt_key="hard"), response="Yes."
    )
    assert interaction.agent_prompt.startswith("Was there")


def test_off_limit_topics_are_skipped_and_uncomfortable_topics_kept_to_the_surface(teller):
    m.StorytellerBoundary.objects.create(
        storyteller=teller,
        maximum_tier_comfortable=3,
        off_limit_topics=["Finances"],
        comfortable_discussing_conflict=False,
    )
    version = m.ProcessVersion.objects.create(version_name="topics")
    node = f.ProcessNodeFactory(process_version=version, node_key="n", order_index=1)
    common = {"process_node": node, "sensitivity_tier": 2, "condition_type": "profile_boundary"}
    f.ProcessPromptFactory(prompt_key="money", order_index=1, condition_value={"topic": "finances"}, **common)
    f.ProcessPromptFactory(prompt_key="fight", order_index=2, condition_value={"topic": "conflict"}, **common)
    f.ProcessPromptFactory(
        prompt_key="quarrel",
        order_index=3,
        condition_value={"topic": "conflict", "gentler_text": "Did people disagree?"},
        **common,
    )
    session = f.StorytellerSessionFactory(
        storyteller=teller, process_version=version, current_process_node=node, status="in_progress"
    )
    served = interview.next_prompt(session=session)
    assert [(item["prompt_key"], item["reason"]) for item in served["skipped"]] == [
        ("money", "off_limits"),
        ("fight", "above_tier"),
    ]
    assert served["prompt"]["prompt_key"] == "quarrel" and served["prompt"]["gentler"]


def test_consent_to_deepen_gates_deeper_prompts_about_a_life_event(client, teller, process):
    event = f.LifeEventFactory(storyteller=teller)
    boundary = m.LifeEventBoundary.objects.create(life_event=event, consent_to_deepen=False)
    session = started(client, teller)
    served = answer(client, session, next_prompt(client, session))["next"]
    served = answer(client, session, served, scope="single_event")["next"]
    answer(client, session, served, life_event=str(event.pk))  # scene (tier 1)
    served = next_prompt(client, session, life_event=str(event.pk))
    answer(client, session, served, life_event=str(event.pk))  # people (tier 1)
    served = next_prompt(client, session, life_event=str(event.pk))
    assert served["prompt"]["section"] == "reflections"  # the_event's deeper prompts are skipped
    assert {(item["section"], item["reason"]) for item in served["skipped"]} >= {("the_event", "above_tier")}
    boundary.consent_to_deepen = True
    boundary.save()
    served = next_prompt(client, session, life_event=str(event.pk))
    assert (served["prompt"]["section"], served["prompt"]["prompt_key"]) == ("the_event", "tension")


def test_boundaries_hold_for_interactions_written_directly(client, teller):
    m.StorytellerBoundary.objects.create(storyteller=teller, off_limit_topics=["my brother"])
    session = f.StorytellerSessionFactory(storyteller=teller)
    event = f.LifeEventFactory(storyteller=teller)
    m.LifeEventBoundary.objects.create(life_event=event, can_mention_but_not_detail=True, consent_to_deepen=True)
    endpoint = reverse("storyteller-api:sessioninteraction-list")
    body = {"session": str(session.pk), "interaction_sequence": 1, "agent_prompt": "Tell me about My Brother."}
    response = client.post(endpoint, body, format="json")
    assert response.status_code == 400 and "agent_prompt" in fields(response)
    body = {
        "session": str(session.pk),
        "interaction_sequence": 1,
        "life_event": str(event.pk),
        "prompt_category": "meaning",
    }
    response = client.post(endpoint, body, format="json")
    assert response.status_code == 400 and "prompt_category" in fields(response)
    body["prompt_category"] = "scene"
    assert client.post(endpoint, body, format="json").status_code == 201
    with pytest.raises(ValidationError):
        f.SessionInteractionFactory(
            session=session, interaction_sequence=2, life_event=event, prompt_category="tension"
        )


def test_promote_makes_a_life_event_or_a_detail_linked_back_to_the_answer(client, teller, process):
    session = started(client, teller)
    result = answer(client, session, next_prompt(client, session), "The summer we moved to Lisbon.")
    pk = result["interaction"]["id"]
    response = client.post(url("sessioninteraction-promote", pk), {"kind": "life_event"}, format="json")
    assert response.status_code == 201, response.json()
    event = m.LifeEvent.objects.get(pk=response.json()["row"]["id"])
    assert event.storyteller == teller and event.event_name == "The summer we moved to Lisbon."
    interaction = m.SessionInteraction.objects.get(pk=pk)
    assert interaction.life_event == event
    assert m.SessionLifeEvent.objects.filter(session=session, life_event=event).exists()
    body = {"kind": "location", "life_event": str(event.pk), "values": {"location_name": "Lisbon"}}
    response = client.post(url("sessioninteraction-promote", pk), body, format="json")
    assert response.status_code == 201
    assert m.LifeEventLocation.objects.get(life_event=event).location_name == "Lisbon"
    response = client.post(url("sessioninteraction-promote", pk), {"kind": "detail"}, format="json")
    assert response.status_code == 400 and "life_event" in fields(response)
    body = {"kind": "participant", "life_event": str(event.pk), "values": {"storyteller": "x"}}
    response = client.post(url("sessioninteraction-promote", pk), body, format="json")
    assert response.status_code == 400 and "values" in fields(response)
    # another user's interaction is not found
    stranger = APIClient()
    stranger.force_authenticate(f.StorytellerFactory().user)
    assert (
        stranger.post(url("sessioninteraction-promote", pk), {"kind": "life_event"}, format="json").status_code == 404
    )


def test_a_version_in_use_is_never_edited_in_place(client, teller, process):
    started(client, teller)
    prompt = m.ProcessPrompt.objects.get(process_node__process_version=process, prompt_key="scope")
    prompt.prompt_text = "Changed in place"
    with pytest.raises(ValidationError, match="in use"):
        prompt.save()
    document = json.loads(DEFAULT_PROCESS.read_text())
    assert not any(process_load(copy.deepcopy(document)).values())  # unchanged: nothing new
    document["nodes"][1]["prompts"][0]["prompt_text"] = "What is your book about?"
    process_load(copy.deepcopy(document))
    revised = m.ProcessVersion.objects.get(version_name="everbound-v1-r2")
    assert revised.is_active and not m.ProcessVersion.objects.get(pk=process.pk).is_active
    assert m.ProcessPrompt.objects.get(process_node__process_version=process, prompt_key="scope").prompt_text != (
        "What is your book about?"
    )
    assert m.ProcessPrompt.objects.get(process_node__process_version=revised, prompt_key="scope").prompt_text == (
        "What is your book about?"
    )
    process_load(copy.deepcopy(document))  # the same changed document again: no third version
    assert not m.ProcessVersion.objects.filter(version_name="everbound-v1-r3").exists()
    # the started session keeps its version; a new one starts on the new version
    session = m.StorytellerSession.objects.get(storyteller=teller)
    assert session.process_version == process
    assert started(client, teller).__class__.objects.order_by("-created_at").first().process_version == revised


def test_next_prompt_costs_the_same_queries_whatever_the_process_size(teller):
    def build(name, size):
        version = m.ProcessVersion.objects.create(version_name=name)
        nodes = [f.ProcessNodeFactory(process_version=version, order_index=i) for i in range(size)]
        for before, after in zip(nodes, nodes[1:], strict=False):
            f.ProcessFlowEdgeFactory(process_version=version, from_node=before, to_node=after, condition_type="always")
        for node in nodes[1:]:
            f.ProcessPromptFactory(process_node=node)
        for i in range(size):
            section = f.ProcessSectionFactory(process_version=version, order_index=i)
            m.StorytellerSectionStatus.objects.create(
                storyteller=teller, process_section=section, status="unlocked", unlocked_by="manual"
            )
            m.SectionPrompt.objects.create(
                section=section, process_prompt=m.ProcessPrompt.objects.filter(process_node=nodes[-1]).first()
            )
        session = f.StorytellerSessionFactory(
            storyteller=teller, process_version=version, current_process_node=nodes[0], status="in_progress"
        )
        return session

    counts = []
    for name, size in (("small", 3), ("large", 30)):
        session = build(name, size)
        with CaptureQueriesContext(connection) as queries:
            served = interview.next_prompt(session=session)
        assert served["prompt"] is not None
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_timeline_orders_life_events_by_their_timespans(client, teller):
    late = f.LifeEventFactory(storyteller=teller, event_name="Late")
    f.LifeEventTimespanFactory(life_event=late, start_year=1990)
    early = f.LifeEventFactory(storyteller=teller, event_name="Early")
    f.LifeEventTimespanFactory(life_event=early, start_year=1960, start_month=5)
    f.LifeEventTimespanFactory(life_event=early, start_year=2000)
    f.LifeEventFactory(storyteller=teller, event_name="Undated")
    f.LifeEventFactory(event_name="Someone else's")
    route = reverse("storyteller-api:storyteller-timeline", args=[teller.pk])
    response = client.get(route)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["event_name"] for row in rows] == ["Early", "Late", "Undated"]
    assert len(rows[0]["timespans"]) == 2
    with CaptureQueriesContext(connection) as few:
        client.get(route)
    for number in range(5):
        f.LifeEventTimespanFactory(life_event=f.LifeEventFactory(storyteller=teller), start_year=1900 + number)
    with CaptureQueriesContext(connection) as many:
        client.get(route)
    assert len(many) == len(few)
