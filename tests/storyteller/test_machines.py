"""Every status machine of ``rules.MACHINES`` holds on every path: the database refuses a move the machine does
not allow (``update()`` and raw SQL included) and writes every move into the event log, with the acting user
and the task context on the services' path; ``GET .../transitions/`` lists the next statuses; approve, reveal
and consent write their event; no client writes an event."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from storyteller import models as m
from storyteller import rules, services
from tests.storyteller import factories as f

pytestmark = pytest.mark.django_db

#: (route basename, factory, a move the machine allows, a move it refuses) for every machine
CASES = [
    ("storytellersectionstatus", f.StorytellerSectionStatusFactory, ("locked", "unlocked"), ("locked", "completed")),
    ("requirement", f.RequirementFactory, ("pending", "in_progress"), ("pending", "resolved")),
    ("editrequirement", f.EditRequirementFactory, ("pending", "in_review"), ("pending", "resolved")),
    ("storytellersession", f.StorytellerSessionFactory, ("scheduled", "in_progress"), ("scheduled", "completed")),
    ("bookexport", f.BookExportFactory, ("queued", "generating"), ("queued", "ready")),
    ("story", f.StoryFactory, ("drafting", "revising"), ("planning", "complete")),
    ("archetypeanalysis", f.ArchetypeAnalysisFactory, ("exploring", "narrowing"), ("resolved", "exploring")),
    ("userfeedback", f.UserFeedbackFactory, ("pending", "acknowledged"), ("resolved", "pending")),
    ("agentinstance", f.AgentInstanceFactory, ("active", "paused"), ("completed", "active")),
    ("bookexportdelivery", f.BookExportDeliveryFactory, ("pending", "sent"), ("pending", "delivered")),
    ("sessionprogress", f.SessionProgressFactory, ("pending", "in_progress"), ("completed", "pending")),
    ("sessionsectionstatus", f.SessionSectionStatusFactory, ("locked", "unlocked"), ("locked", "completed")),
    ("storychapter", f.StoryChapterFactory, ("outlined", "drafted"), ("planned", "polished")),
    ("chaptersection", f.ChapterSectionFactory, ("outlined", "drafted"), ("outlined", "polished")),
    ("storyscene", f.StorySceneFactory, ("outlined", "drafted"), ("outlined", "revised")),
]


def test_every_machine_is_covered():
    assert {factory._meta.model._meta.label for _, factory, _, _ in CASES} == set(rules.MACHINES)
    assert set(rules.MACHINE_EVENTS) == set(rules.MACHINES)


#: what a row needs to be recorded in a status (a resolved analysis names its dominant archetype)
NEEDS = {"resolved": {"dominant_archetype": "identity_shift", "dominant_confidence": "0.90"}}


def _row(factory, status):
    """A row recorded in ``status`` (a plain save of a new row may record any status)."""
    field = rules.MACHINES[factory._meta.model._meta.label].field
    # an analysis is shown to its storyteller once revealed
    extra = {"revealed_to_user": True, **NEEDS.get(status, {})} if factory is f.ArchetypeAnalysisFactory else {}
    obj = factory(**{field: status, **extra})
    return type(obj)._base_manager.get(pk=obj.pk), field


@pytest.mark.parametrize(("name", "factory", "allowed", "refused"), CASES, ids=[case[0] for case in CASES])
def test_the_database_holds_the_machine_and_logs_every_move(name, factory, allowed, refused):
    obj, field = _row(factory, refused[0])
    model = type(obj)
    with pytest.raises(IntegrityError, match="cannot move"), transaction.atomic():
        model._base_manager.filter(pk=obj.pk).update(**{field: refused[1]})
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{model._meta.db_table}" SET "{field}" = %s WHERE id = %s', [refused[1], obj.pk])
    obj, field = _row(factory, allowed[0])
    before = m.Event.objects.count()
    model._base_manager.filter(pk=obj.pk).update(**{field: allowed[1]})  # a bulk update is logged too
    event = m.Event.objects.order_by("-occurred_at", "-created_at").first()
    assert m.Event.objects.count() == before + 1
    assert (event.from_status, event.to_status, event.event_type) == (
        allowed[0],
        allowed[1],
        rules.MACHINE_EVENTS[model._meta.label],
    )
    assert event.storyteller_id == services.storyteller_of(obj).pk
    assert event.data == {"model": model._meta.label, "id": str(obj.pk), "field": field}
    assert event.workflow_type == model._meta.db_table


@pytest.mark.parametrize(("name", "factory", "allowed", "refused"), CASES, ids=[case[0] for case in CASES])
def test_transitions_lists_the_next_statuses(name, factory, allowed, refused):
    obj, _ = _row(factory, allowed[0])
    client = APIClient()
    client.force_authenticate(services.storyteller_of(obj).user)
    response = client.get(reverse(f"storyteller-api:{name}-transitions", args=[obj.pk]))
    assert response.status_code == 200, response.json()
    body = response.json()
    machine = rules.machine_for(obj)
    assert body["current"] == allowed[0] and body["field"] == machine.field
    assert allowed[1] in body["allowed"] and refused[1] not in body["allowed"]
    assert set(body["allowed"]) | set(body["blocked"]) == set(machine.allowed(allowed[0]))
    stranger = APIClient()
    stranger.force_authenticate(f.StorytellerFactory().user)
    assert stranger.get(reverse(f"storyteller-api:{name}-transitions", args=[obj.pk])).status_code == 404


def test_transitions_say_why_a_gate_blocks_a_move():
    story = f.StoryFactory()
    client = APIClient()
    client.force_authenticate(story.storyteller.user)
    body = client.get(reverse("storyteller-api:story-transitions", args=[story.pk])).json()
    assert body["allowed"] == [] and "composition" in body["blocked"]["drafting"][0]


def test_a_service_move_carries_its_actor_and_task_context(user):
    requirement = f.RequirementFactory(storyteller=f.StorytellerFactory(user=user))
    services.transition(obj=requirement, to="in_progress", actor=user)
    event = m.Event.objects.get(storyteller=requirement.storyteller, event_type="requirement_status_changed")
    assert event.actor == user
    assert event.task_context == {"service": "transition", "to": "in_progress"}


def test_approve_reveal_and_consent_write_their_event_once():
    artifact = f.SessionArtifactFactory()
    owner = artifact.session.storyteller.user
    client = APIClient()
    client.force_authenticate(owner)
    url = reverse("storyteller-api:sessionartifact-approve", args=[artifact.pk])
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200  # again: nothing changes, no second event
    artifact.refresh_from_db()
    assert artifact.is_approved and not artifact.is_provisional
    events = m.Event.objects.filter(event_type="approved", storyteller=artifact.session.storyteller)
    assert events.count() == 1
    assert (events[0].workflow_type, events[0].actor, events[0].data["id"]) == ("approval", owner, str(artifact.pk))

    analysis = f.ArchetypeAnalysisFactory(storyteller=artifact.session.storyteller, revealed_to_user=False)
    detail = reverse("storyteller-api:archetypeanalysis-detail", args=[analysis.pk])
    listing = reverse("storyteller-api:archetypeanalysis-list")
    assert client.get(detail).status_code == 404  # hidden from its storyteller until revealed
    assert client.get(listing).json()["results"] == []
    response = client.post(reverse("storyteller-api:archetypeanalysis-reveal", args=[analysis.pk]))
    assert response.status_code == 200 and response.json()["revealed_at"]
    assert client.get(detail).status_code == 200
    assert m.Event.objects.filter(event_type="revealed", data__id=str(analysis.pk), actor=owner).count() == 1

    trauma = f.LifeEventTraumaFactory(
        life_event=f.LifeEventFactory(storyteller=artifact.session.storyteller), trauma_status="ongoing"
    )
    response = client.post(reverse("storyteller-api:lifeeventtrauma-consent", args=[trauma.pk]))
    assert response.status_code == 200 and response.json()["consent_given"] is True
    event = m.Event.objects.get(event_type="consent_recorded", storyteller=trauma.life_event.storyteller)
    assert (event.workflow_type, event.actor) == ("consent", owner)


def test_no_client_writes_an_event(user, user_client):
    teller = f.StorytellerFactory(user=user)
    body = {"storyteller": str(teller.pk), "event_type": "approved", "subject": "forged"}
    assert user_client.post(reverse("storyteller-api:event-list"), body, format="json").status_code == 405
    assert not m.Event.objects.filter(subject="forged").exists()


def test_linked_rows_belong_to_the_same_story():
    story = f.StoryFactory()
    other = f.StoryFactory(storyteller=story.storyteller)
    chapter, elsewhere = f.StoryChapterFactory(story=story), f.StoryChapterFactory(story=other)
    with pytest.raises(ValidationError, match="another story"):
        f.StorySceneFactory(story=story, chapter=elsewhere)
    with pytest.raises(ValidationError, match="another story"):
        f.ChapterThemeFactory(chapter=chapter, theme=f.StoryThemeFactory(story=other))
    with pytest.raises(ValidationError, match="another story"):
        f.CharacterRelationshipFactory(
            story=story,
            character_a=f.StoryCharacterFactory(story=story),
            character_b=f.StoryCharacterFactory(story=other),
        )
    with pytest.raises(ValidationError, match="another story"):
        f.EditRequirementFactory(story=story, chapter=elsewhere)
    with pytest.raises(ValidationError, match="another story"):
        f.StoryDraftFactory(story=story, chapter=elsewhere)
    section = f.ChapterSectionFactory(chapter=f.StoryChapterFactory(story=story))
    with pytest.raises(ValidationError, match="another chapter"):
        f.StorySceneFactory(story=story, chapter=chapter, section=section)
    assert f.StorySceneFactory(story=story, chapter=section.chapter, section=section).pk
    client = APIClient()
    client.force_authenticate(story.storyteller.user)
    body = {"story": str(story.pk), "chapter": str(elsewhere.pk), "scene_name": "The attic"}
    response = client.post(reverse("storyteller-api:storyscene-list"), body, format="json")
    assert response.status_code == 400
    assert "chapter" in {error["field"] for error in response.json()["errors"]}


#: (route basename, factory, approval flag) of every row that is provisional until approved
APPROVABLE = [
    ("sessionartifact", f.SessionArtifactFactory, "is_approved"),
    ("collection", f.CollectionFactory, "is_approved"),
    ("collectionsynthesis", f.CollectionSynthesisFactory, "is_approved"),
    ("sessionsynthesis", f.SessionSynthesisFactory, "user_approved"),
]


@pytest.mark.parametrize(("name", "factory", "flag"), APPROVABLE, ids=[case[0] for case in APPROVABLE])
def test_every_provisional_row_is_approved_through_its_action(name, factory, flag):
    assert {case[1]._meta.model._meta.label for case in APPROVABLE} == set(rules.APPROVALS)
    obj = factory()
    client = APIClient()
    client.force_authenticate(services.storyteller_of(obj).user)
    response = client.post(reverse(f"storyteller-api:{name}-approve", args=[obj.pk]))
    assert response.status_code == 200, response.json()
    obj.refresh_from_db()
    assert getattr(obj, flag) and not obj.is_provisional
    assert m.Event.objects.filter(event_type="approved", data__id=str(obj.pk)).count() == 1
