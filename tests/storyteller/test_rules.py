"""The Everbound rules on every path: status machines, gates, trauma consent, boundaries, unlocking,
approvals, one active process version; the process loader and the demo data."""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from storyteller import models as m
from storyteller import rules, services
from storyteller.process_loader import DEFAULT_PROCESS, process_load
from tests.storyteller import factories as f

pytestmark = pytest.mark.django_db


# status machines ----------------------------------------------------------------------------------

MACHINE_CASES = [
    (f.RequirementFactory, ["in_progress", "addressed", "resolved"], "resolved", "pending", {}),
    (f.EditRequirementFactory, ["in_review", "resolved"], "resolved", "in_review", {}),
    (f.StorytellerSessionFactory, ["in_progress", "paused", "in_progress", "completed"], "completed", "paused", {}),
    (f.BookExportFactory, ["generating", "ready", "expired"], "expired", "ready", {}),
    (
        f.StorytellerSectionStatusFactory,
        ["unlocked", "in_progress", "completed"],
        "completed",
        "locked",
        {"unlocked_by": "manual"},
    ),
]


@pytest.mark.parametrize(
    ("factory", "path", "last", "refused", "extra"), MACHINE_CASES, ids=lambda v: getattr(v, "__name__", None)
)
def test_status_machine_walks_its_allowed_path_stamping_times_and_refuses_other_moves(
    factory, path, last, refused, extra
):
    obj = factory(**extra)
    machine = rules.machine_for(obj)
    for status in path:
        services.transition(obj=obj, to=status)
    obj.refresh_from_db()
    assert getattr(obj, machine.field) == last
    if last in machine.stamps:
        assert getattr(obj, machine.stamps[last]) is not None
    setattr(obj, machine.field, refused)
    with pytest.raises(ValidationError, match="cannot move"):
        obj.full_clean()
    with pytest.raises(ValidationError):
        obj.save()
    assert m.Event.objects.filter(to_status=last).exists()


@pytest.mark.parametrize("factory", [f.RequirementFactory, f.EditRequirementFactory, f.BookExportFactory])
def test_a_new_row_starts_in_its_initial_status(factory):
    obj = factory()
    obj.pk, obj._state.adding = None, True
    setattr(obj, rules.machine_for(obj).field, "expired" if factory is f.BookExportFactory else "resolved")
    with pytest.raises(ValidationError, match="starts as"):
        obj.full_clean()


def test_deferring_or_obsoleting_a_requirement_needs_its_reason():
    requirement = f.RequirementFactory()
    with pytest.raises(ValidationError, match="deferred_reason"):
        services.transition(obj=requirement, to="deferred")
    services.transition(obj=requirement, to="deferred", deferred_reason="Waiting for the photo album")
    assert requirement.deferred_at is not None


def test_api_refuses_a_status_move_and_logs_an_allowed_one(user, user_client):
    requirement = f.RequirementFactory(storyteller=f.StorytellerFactory(user=user))
    url = reverse("storyteller-api:requirement-detail", args=[requirement.pk])
    response = user_client.patch(url, {"status": "resolved"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"
    assert user_client.patch(url, {"status": "in_progress"}, format="json").status_code == 200
    event = m.Event.objects.get(storyteller=requirement.storyteller)
    assert (event.from_status, event.to_status, event.actor) == ("pending", "in_progress", user)


def test_events_are_append_only_in_the_database():
    event = f.EventFactory()
    with pytest.raises(Exception, match="append_only|Cannot update"), transaction.atomic():
        m.Event.objects.filter(pk=event.pk).update(subject="changed")


# gates -----------------------------------------------------------------------------------------


def test_composition_gate_needs_a_resolved_dominant_archetype_at_085():
    story = f.StoryFactory()
    story.status = "drafting"
    with pytest.raises(ValidationError, match="composition"):
        story.full_clean()
    f.ArchetypeAnalysisFactory(storyteller=story.storyteller, analysis_number=1, refinement_status="narrowing")
    with pytest.raises(ValidationError, match="composition"):
        services.transition(obj=m.Story.objects.get(pk=story.pk), to="drafting")
    f.ArchetypeAnalysisFactory(
        storyteller=story.storyteller,
        analysis_number=2,
        refinement_status="resolved",
        dominant_archetype="relationship_to_loss",
        dominant_confidence=Decimal("0.85"),
    )
    services.transition(obj=m.Story.objects.get(pk=story.pk), to="drafting")


def test_a_resolved_analysis_below_085_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        m.ArchetypeAnalysis.objects.bulk_create(
            [
                m.ArchetypeAnalysis(
                    storyteller=f.StorytellerFactory(),
                    analysis_number=1,
                    candidate_archetypes=[],
                    refinement_status="resolved",
                    dominant_archetype="identity_shift",
                    dominant_confidence=Decimal("0.84"),
                )
            ]
        )


def _drafting_story():
    story = f.StoryFactory()
    f.ArchetypeAnalysisFactory(
        storyteller=story.storyteller,
        refinement_status="resolved",
        dominant_archetype="relationship_to_loss",
        dominant_confidence=Decimal("0.9"),
    )
    return services.transition(obj=story, to="drafting")


def test_blocking_edit_requirement_stops_approval_and_export_until_resolved():
    story = _drafting_story()
    edit = f.EditRequirementFactory(story=story, severity="blocking")
    with pytest.raises(ValidationError, match="blocking"):
        services.transition(obj=m.Story.objects.get(pk=story.pk), to="complete")
    with pytest.raises(ValidationError, match="blocking"):
        f.BookExportFactory(story=story)
    services.transition(obj=edit, to="in_review")
    services.transition(obj=edit, to="resolved")
    services.transition(obj=m.Story.objects.get(pk=story.pk), to="complete")
    f.BookExportFactory(story=story)


def test_polish_edit_requirements_do_not_block():
    story = _drafting_story()
    f.EditRequirementFactory(story=story, severity="polish")
    services.transition(obj=story, to="complete")
    assert m.Story.objects.get(pk=story.pk).status == "complete"


# trauma and boundaries ----------------------------------------------------------------------------


def test_unresolved_trauma_stays_out_of_sessions_and_collections_until_consent():
    trauma = f.LifeEventTraumaFactory(trauma_status="ongoing")
    assert trauma.requires_explicit_consent is True
    life_event = trauma.life_event
    session = f.StorytellerSessionFactory(storyteller=life_event.storyteller)
    collection = f.CollectionFactory(storyteller=life_event.storyteller)
    with pytest.raises(ValidationError, match="consent"):
        f.SessionLifeEventFactory(session=session, life_event=life_event)
    with pytest.raises(ValidationError, match="consent"):
        f.CollectionLifeEventFactory(collection=collection, life_event=life_event)
    services.trauma_consent_record(life_event=life_event)
    trauma.refresh_from_db()
    assert trauma.consent_date is not None
    f.SessionLifeEventFactory(session=session, life_event=life_event)
    f.CollectionLifeEventFactory(collection=collection, life_event=life_event)


def test_resolved_trauma_needs_no_consent():
    trauma = f.LifeEventTraumaFactory(trauma_status="resolved")
    assert trauma.requires_explicit_consent and not trauma.consent_given
    assert not rules.life_event_needs_consent(trauma.life_event_id)
    session = f.StorytellerSessionFactory(storyteller=trauma.life_event.storyteller)
    f.SessionLifeEventFactory(session=session, life_event=trauma.life_event)
    assert m.SessionLifeEvent.objects.filter(session=session, life_event=trauma.life_event).exists()


def test_trauma_status_is_required():
    trauma = f.LifeEventTraumaFactory.build(trauma_status="")
    with pytest.raises(ValidationError, match="trauma_status"):
        trauma.full_clean(exclude=["life_event"])


def test_prompt_above_the_comfortable_tier_is_refused_and_event_boundary_overrides(user, user_client):
    storyteller = f.StorytellerFactory(user=user)
    f.StorytellerBoundaryFactory(storyteller=storyteller, maximum_tier_comfortable=2)
    session = f.StorytellerSessionFactory(storyteller=storyteller)
    private = f.ProcessPromptFactory(sensitivity_tier=3, is_sensitive=True)
    optional = f.ProcessPromptFactory(sensitivity_tier=2)
    url = reverse("storyteller-api:storytellersession-ask-prompt", args=[session.pk])
    assert user_client.post(url, {"prompt": str(private.pk)}).status_code == 400
    assert user_client.post(url, {"prompt": str(optional.pk)}).status_code == 201
    guarded = f.LifeEventFactory(storyteller=storyteller)
    f.LifeEventBoundaryFactory(life_event=guarded, override_storyteller_default=True, comfortable_discussing=False)
    response = user_client.post(url, {"prompt": str(optional.pk), "life_event": str(guarded.pk)})
    assert response.status_code == 400 and "tier" in response.json()["errors"][0]["message"]
    open_event = f.LifeEventFactory(storyteller=storyteller)
    f.LifeEventBoundaryFactory(life_event=open_event, override_storyteller_default=True, comfortable_discussing=True)
    assert user_client.post(url, {"prompt": str(private.pk), "life_event": str(open_event.pk)}).status_code == 201
    assert list(session.interactions.values_list("interaction_sequence", flat=True)) == [1, 2]


# unlocking ---------------------------------------------------------------------------------------


def test_section_unlocks_after_its_prerequisite_with_its_scope_and_profile():
    storyteller = f.StorytellerFactory()
    first = f.ProcessSectionFactory()
    second = f.ProcessSectionFactory(
        process_version=first.process_version,
        unlock_after_section=first,
        requires_scope="whole_life",
        requires_profile_flags={"has_children": True},
    )
    with pytest.raises(ValidationError) as error:
        services.section_unlock(storyteller=storyteller, section=second, unlocked_by="prerequisite")
    assert len(error.value.message_dict["status"]) == 3
    status = services.section_unlock(storyteller=storyteller, section=first, unlocked_by="scope")
    services.transition(obj=status, to="in_progress")
    services.transition(obj=status, to="completed")
    session = f.StorytellerSessionFactory(storyteller=storyteller)
    f.SessionScopeFactory(session=session, scope_type="whole_life")
    f.SessionProfileFactory(session=session, has_children=True)
    unlocked = services.section_unlock(storyteller=storyteller, section=second, unlocked_by="prerequisite")
    assert unlocked.status == "unlocked" and unlocked.unlocked_at is not None


# provisional until approved, one active version ---------------------------------------------------


@pytest.mark.parametrize("factory", [f.SessionArtifactFactory, f.CollectionFactory, f.CollectionSynthesisFactory])
def test_rows_are_provisional_until_approved(factory):
    obj = factory()
    assert obj.is_provisional and not obj.is_approved
    services.approve(obj=obj)
    obj.refresh_from_db()
    assert not obj.is_provisional and obj.approved_at is not None


def test_the_database_refuses_an_approved_row_that_is_still_provisional():
    artifact = f.SessionArtifactFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.SessionArtifact.objects.filter(pk=artifact.pk).update(is_approved=True)


def test_only_one_process_version_is_active():
    f.ProcessVersionFactory(is_active=True)
    second = f.ProcessVersionFactory()
    second.is_active = True
    with pytest.raises(ValidationError, match="active"):
        second.full_clean()
    services.process_version_activate(version=second)
    assert m.ProcessVersion.objects.filter(is_active=True).get() == second


def test_rows_naming_two_storytellers_rows_are_refused():
    with pytest.raises(ValidationError, match="another storyteller"):
        f.SessionLifeEventFactory(life_event=f.LifeEventFactory())


# loader and demo ------------------------------------------------------------------------------------


def test_load_process_loads_the_canonical_process_once():
    out = io.StringIO()
    call_command("load_process", stdout=out)
    version = m.ProcessVersion.objects.get(is_active=True)
    assert version.nodes.count() == 11
    assert version.sections.filter(section_key="childhood", unlock_after_section__section_key="origins").exists()
    out = io.StringIO()
    call_command("load_process", str(DEFAULT_PROCESS), stdout=out)
    assert "nothing changed" in out.getvalue()


def test_load_process_refuses_a_document_outside_the_schema(tmp_path):
    document = json.loads(DEFAULT_PROCESS.read_text())
    document["nodes"][0]["node_type"] = "mystery"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="node_type"):
        call_command("load_process", str(path))
    assert not m.ProcessVersion.objects.exists()
    with pytest.raises(ValidationError):
        process_load({"version": {}})


def test_demo_storyteller_is_seeded_through_the_rules_once():
    from storyteller import demo

    out = io.StringIO()
    demo.seed(out)
    demo.seed(out)
    teller = m.Storyteller.objects.get(user__username=demo.DEMO_USER)
    assert teller.life_events.count() == 5
    assert teller.stories.get().chapters.count() == 1
    assert m.LifeEventTrauma.objects.get(life_event__storyteller=teller).consent_given
    assert teller.events.filter(event_type="consent_recorded").exists()
