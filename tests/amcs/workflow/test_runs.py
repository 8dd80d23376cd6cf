"""Workflow runs end to end on PostgreSQL: start (validate, freeze, queue), the worker's execution of every node,
FIX rounds, replay, the one-run-at-a-time index, the sweep of dead workers, and the API and command around them."""

import json
import random
from datetime import timedelta

import pgtrigger
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from amcs import services
from amcs.models import Lyrics, ProducerNotes, Song, WorkflowEvent, WorkflowRun, WorkflowStep
from amcs.workflow import sha256_of
from amcs.workflow.schemas import output_errors
from core.services import ConflictError, Refused
from core.testing import run_concurrently
from tests.amcs.factories import PASSING_SECTIONS, PersonaFactory, SongFactory, WorkflowRunFactory

NODES = ["PLAN", "STYLE", "LYRICS", "PRODUCER", "COMPOSE", "VALIDATE", "RENDER", "REVIEW"]


def passing_song(**kwargs) -> Song:
    song = SongFactory(**kwargs)
    Lyrics.objects.filter(song=song).update(
        sections=PASSING_SECTIONS, section_order=["Verse", "Chorus", "Verse", "Chorus"]
    )
    return song


def run_now(song, actor=None) -> WorkflowRun:
    run = services.workflow_run_start(song=song, actor=actor, defer=False)
    services.workflow_run_execute(run_id=run.pk)
    return WorkflowRun.objects.get(pk=run.pk)


@pytest.mark.django_db
class TestStart:
    def test_start_freezes_the_sds_with_its_hash_and_queues_the_run_on_commit(self, django_capture_on_commit_callbacks):
        song = passing_song()
        with django_capture_on_commit_callbacks(execute=True):
            run = services.workflow_run_start(song=song, actor=None)
        sds = services.song_sds(song=Song.objects.with_sds_parts().get(pk=song.pk))
        assert run.status == "running" and run.seed == song.global_seed
        assert run.input_document == sds and run.input_hash == sha256_of(sds)
        assert run.input_context["blueprint"]["genre"] == song.blueprint.genre
        job = ProcrastinateJob.objects.get(task_name="amcs.execute_run", args={"run_id": str(run.pk)})
        assert job.status == "todo"

    def test_an_invalid_sds_cannot_start_a_run_and_the_error_is_the_report(self):
        song = passing_song()
        Lyrics.objects.filter(song=song).update(section_order=["Verse"])  # the blueprint requires a chorus
        with pytest.raises(ValidationError) as caught:
            services.workflow_run_start(song=song, actor=None, defer=False)
        assert "/lyrics/section_order" in caught.value.message_dict
        assert not WorkflowRun.objects.filter(song=song).exists()

    def test_a_second_run_while_one_is_in_progress_is_a_conflict_from_the_index(self):
        song = passing_song()
        services.workflow_run_start(song=song, actor=None, defer=False)
        with pytest.raises(ConflictError) as caught:
            services.workflow_run_start(song=song, actor=None, defer=False)
        assert caught.value.code == "amcs_workflowrun_one_running_per_song"
        assert WorkflowRun.objects.filter(song=song).count() == 1

    def test_a_viewer_may_not_start_a_run(self, viewer, tenant, member):
        song = passing_song(tenant=tenant, owner=member)
        with pytest.raises(Refused):
            services.workflow_run_start(song=song, actor=viewer, defer=False)
        run = services.workflow_run_start(song=song, actor=member, defer=False)
        assert run.owner == member


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_make_one_run_and_one_conflict():
    song = passing_song()
    results = run_concurrently(
        lambda: services.workflow_run_start(song=song, actor=None, defer=False),
        lambda: services.workflow_run_start(song=song, actor=None, defer=False),
    )
    assert sorted(type(result).__name__ for result in results) == ["ConflictError", "WorkflowRun"]
    assert WorkflowRun.objects.filter(song=song).count() == 1


@pytest.mark.django_db
class TestExecute:
    def test_every_node_runs_seeded_hashed_and_checked_and_the_song_is_validated(self):
        song = passing_song()
        run = run_now(song)
        assert run.status == "completed" and run.error == {} and run.fix_iterations == 0
        steps = list(run.steps.order_by("sequence"))
        assert [step.node for step in steps] == NODES
        for step in steps:
            assert step.seed == run.seed + [
                "PLAN",
                "STYLE",
                "LYRICS",
                "PRODUCER",
                "COMPOSE",
                "VALIDATE",
                "FIX",
                "RENDER",
                "REVIEW",
            ].index(step.node)
            assert step.output_hash == sha256_of(step.output) and len(step.input_hash) == 64
            assert output_errors(step.node, step.output) == []
        assert run.validation_scores["verdict"] == "pass" and run.validation_scores["total"] >= 0.75
        assert run.node_outputs["REVIEW"]["output_hash"] == steps[-1].output_hash
        review = steps[-1].output
        assert review["song_status"] == "validated" and review["run_status"] == "completed"
        assert [source["name"] for source in review["citations"]["sources"]] == [s.name for s in song.sources.all()]
        assert Song.objects.get(pk=song.pk).status == "validated"
        phases = list(run.events.order_by("sequence").values_list("node", "phase"))
        assert phases == [(node, phase) for node in NODES for phase in ("start", "end")]

    def test_outputs_hold_no_ids_or_times(self):
        song = passing_song()
        song.persona = PersonaFactory(tenant=song.tenant, owner=song.owner)
        song.save(update_fields=["persona"])
        run = run_now(song)
        assert run.input_document["persona_id"] == str(song.persona_id)
        text = json.dumps([step.output for step in run.steps.all()])
        source_ids = [str(pk) for pk in song.sources.values_list("pk", flat=True)]
        for value in (str(song.pk), str(run.pk), str(song.tenant_id), str(song.persona_id), *source_ids):
            assert value not in text
        assert str(timezone.now().year) not in text

    def test_lyrics_without_text_fail_at_lyrics_saying_what_to_add(self):
        song = passing_song()
        Lyrics.objects.filter(song=song).update(sections=[])
        run = run_now(song)
        assert run.status == "failed" and run.error["node"] == "LYRICS"
        assert "add the written sections" in run.error["message"]
        assert list(run.steps.values_list("node", flat=True)) == ["PLAN", "STYLE"]
        assert run.events.order_by("-sequence").first().phase == "fail"
        assert Song.objects.get(pk=song.pk).status == "failed"

    def test_profanity_is_redacted_and_listed(self):
        song = passing_song()
        sections = [dict(section, lines=list(section["lines"])) for section in PASSING_SECTIONS]
        sections[0]["lines"][0] = "Damn the water mail me at a@b.io tonight"
        Lyrics.objects.filter(song=song).update(sections=sections)
        run = run_now(song)
        lyrics = run.steps.get(node="LYRICS").output
        assert lyrics["sections"][0]["lines"][0] == "[[REDACTED]] the water mail me at [[REDACTED]] tonight"
        assert [(c["kind"], c["term"]) for c in lyrics["changes"]] == [("email", "a@b.io"), ("profanity", "Damn")]

    def test_fix_adds_a_placeholder_and_a_fix_that_changes_nothing_is_not_a_round(self):
        song = passing_song()
        Lyrics.objects.filter(song=song).update(sections=[PASSING_SECTIONS[0]])  # the required chorus is missing
        run = run_now(song)
        nodes = list(run.steps.order_by("sequence").values_list("node", "round"))
        assert nodes[5:] == [("VALIDATE", 0), ("FIX", 1), ("VALIDATE", 1)]
        fix = run.steps.get(node="FIX").output
        assert fix["changes"][0]["kind"] == "placeholder" and "'Chorus' was missing" in fix["changes"][0]["text"]
        assert fix["sections"][1]["lines"][0] == "[[PLACEHOLDER: Chorus line 1]]"
        # the placeholder chorus carries no hook: still failing, and no repair applies any more
        assert run.status == "failed" and run.error["node"] == "FIX" and run.fix_iterations == 1
        assert run.error["report"]["verdict"] == "fail"

    def test_lines_over_a_sections_maximum_are_cut_and_the_run_passes(self):
        song = passing_song()
        sections = [dict(section, lines=list(section["lines"])) for section in PASSING_SECTIONS]
        sections[1]["lines"] += ["We drive until the morning light"] * 2  # 6 chorus lines; the lyrics allow 4
        Lyrics.objects.filter(song=song).update(
            sections=sections, section_requirements={"Chorus": {"min_lines": 2, "max_lines": 4}}
        )
        run = run_now(song)
        assert run.status == "completed" and run.fix_iterations == 1
        fix = run.steps.get(node="FIX").output
        assert [change["pointer"] for change in fix["changes"]] == [
            "/lyrics/sections/1/lines/4",
            "/lyrics/sections/1/lines/5",
        ]
        assert len(fix["sections"][1]["lines"]) == 4

    def test_queries_of_a_run_do_not_grow_with_the_song(self):
        counts = []
        for repeat in (1, 3):
            song = passing_song()
            Lyrics.objects.filter(song=song).update(
                sections=PASSING_SECTIONS * repeat, section_order=["Verse", "Chorus", "Verse", "Chorus"] * repeat
            )
            ProducerNotes.objects.filter(song=song).update(
                structure_string="", structure=["Verse", "Chorus"] * 2 * repeat
            )
            run = services.workflow_run_start(song=song, actor=None, defer=False)
            with CaptureQueriesContext(connection) as queries:
                assert services.workflow_run_execute(run_id=run.pk) == "completed"
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_a_run_is_executed_once(self):
        song = passing_song()
        run = services.workflow_run_start(song=song, actor=None, defer=False)
        assert services.workflow_run_execute(run_id=run.pk) == "completed"
        assert services.workflow_run_execute(run_id=run.pk) == "completed"
        assert WorkflowStep.objects.filter(run=run).count() == len(NODES)


@pytest.mark.django_db
class TestReplay:
    def test_replays_of_a_generated_set_of_songs_are_all_identical(self):
        rng = random.Random(23)
        words = "night light bright fire higher river shiver open broken golden morning calling falling".split()
        replays = []
        for _ in range(12):
            sections = []
            for kind in ("Verse", "Chorus", "Verse", "Chorus", "Bridge")[: rng.randint(2, 5)]:
                lines = [
                    " ".join(rng.choice(words) for _ in range(rng.randint(3, 8))) for _ in range(rng.randint(2, 6))
                ]
                sections.append({"type": kind, "lines": lines})
            song = SongFactory(global_seed=rng.randint(0, 10**9), target_duration_sec=rng.choice([None, 150, 200]))
            Lyrics.objects.filter(song=song).update(sections=sections)
            run = run_now(song)
            report = services.workflow_run_replay(run=run, actor=None)
            replays.append(report["identical"] and report["compared"] == run.steps.count() > 0)
        assert replays == [True] * 12

    def test_two_runs_of_one_song_hash_the_same_node_by_node(self):
        song = passing_song()
        first = run_now(song)
        second = run_now(song)
        assert first.input_hash == second.input_hash
        hashes = [list(run.steps.order_by("sequence").values_list("node", "output_hash")) for run in (first, second)]
        assert hashes[0] == hashes[1]

    def test_a_changed_output_is_reported_at_the_first_node_that_differs(self):
        run = run_now(passing_song())
        with pgtrigger.ignore("amcs.WorkflowStep:amcs_workflowstep_append_only"):
            WorkflowStep.objects.filter(run=run, node="PRODUCER").update(output_hash="0" * 64)
        report = services.workflow_run_replay(run=run, actor=None)
        assert not report["identical"]
        assert report["first_difference"]["node"] == "PRODUCER" and report["first_difference"]["stored"] == "0" * 64

    def test_replay_run_command(self, capsys):
        run = run_now(passing_song())
        call_command("replay_run", str(run.pk))
        assert "Identical: 8 node outputs" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_sweep_fails_a_run_whose_worker_died_naming_the_node():
    song = passing_song()
    run = services.workflow_run_start(song=song, actor=None, defer=False)
    WorkflowRun.objects.filter(pk=run.pk).update(
        current_node="COMPOSE", node_started_at=timezone.now() - timedelta(hours=1)
    )
    fresh = services.workflow_run_start(song=passing_song(), actor=None, defer=False)
    WorkflowRun.objects.filter(pk=fresh.pk).update(current_node="PLAN", node_started_at=timezone.now())
    assert services.workflow_runs_sweep(timeout_sec=600) == 1
    run.refresh_from_db()
    assert (
        run.status == "failed" and run.error["node"] == "COMPOSE" and "stopped during COMPOSE" in run.error["message"]
    )
    assert WorkflowEvent.objects.filter(run=run, node="COMPOSE", phase="fail").exists()
    assert Song.objects.get(pk=song.pk).status == "failed"
    assert WorkflowRun.objects.get(pk=fresh.pk).status == "running"


@pytest.mark.django_db
def test_run_song_command_runs_now_or_refuses_an_invalid_sds(capsys):
    song = passing_song()
    call_command("run_song", str(song.pk), "--now")
    out = capsys.readouterr().out
    assert "REVIEW" in out and ": completed" in out
    Lyrics.objects.filter(song=song).update(section_order=["Verse"])
    with pytest.raises(CommandError, match="not valid"):
        call_command("run_song", str(song.pk))


@pytest.mark.django_db(transaction=True)
def test_a_queued_run_is_executed_by_the_procrastinate_worker(django_capture_on_commit_callbacks):
    from procrastinate.contrib.django import app

    song = passing_song()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.workflow_run_start(song=song, actor=None)
    with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
    assert WorkflowRun.objects.get(pk=run.pk).status == "completed"
    assert Song.objects.get(pk=song.pk).status == "validated"
    with connection.cursor() as cursor:  # the worker thread's Django connection outlives the test
        cursor.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
        )


# The API


@pytest.mark.django_db
class TestRunsAPI:
    def test_start_through_the_api_then_read_the_run_document(self, member_client, tenant, member):
        song = passing_song(tenant=tenant, owner=member)
        response = member_client.post(reverse("amcs-api:song-runs", args=[song.pk]))
        assert response.status_code == 201, response.data
        assert response.data["status"] == "running" and len(response.data["input_hash"]) == 64
        services.workflow_run_execute(run_id=response.data["id"])
        document = member_client.get(reverse("amcs-api:workflowrun-detail", args=[response.data["id"]])).data
        assert document["status"] == "completed" and [step["node"] for step in document["steps"]] == NODES
        validate = next(step for step in document["steps"] if step["node"] == "VALIDATE")
        assert {"scores", "issues", "verdict"} <= set(validate["output"]) and validate["duration_ms"] >= 0
        replay = member_client.post(reverse("amcs-api:workflowrun-replay", args=[response.data["id"]]))
        assert replay.status_code == 200 and replay.data["identical"] is True
        events = member_client.get(reverse("amcs-api:workflowrun-events", args=[response.data["id"]])).data
        assert [event["phase"] for event in events["results"][:2]] == ["start", "end"]

    def test_bad_starts_are_400_409_403_404(self, member_client, viewer_client, tenant, member, other_tenant):
        song = passing_song(tenant=tenant, owner=member)
        Lyrics.objects.filter(song=song).update(section_order=["Verse"])
        response = member_client.post(reverse("amcs-api:song-runs", args=[song.pk]))
        assert response.status_code == 400
        assert "/lyrics/section_order" in {error["field"] for error in response.data["errors"]}
        Lyrics.objects.filter(song=song).update(section_order=["Verse", "Chorus"])
        assert member_client.post(reverse("amcs-api:song-runs", args=[song.pk])).status_code == 201
        response = member_client.post(reverse("amcs-api:song-runs", args=[song.pk]))
        assert response.status_code == 409 and "in progress" in response.data["message"]
        assert viewer_client.post(reverse("amcs-api:song-runs", args=[song.pk])).status_code == 403
        foreign = passing_song(tenant=other_tenant)
        assert member_client.post(reverse("amcs-api:song-runs", args=[foreign.pk])).status_code == 404

    def test_clients_cannot_write_runs_or_a_songs_status(self, member_client, tenant, member):
        run = WorkflowRunFactory(tenant=tenant, owner=member)
        url = reverse("amcs-api:workflowrun-detail", args=[run.pk])
        assert member_client.patch(url, {"status": "completed"}, format="json").status_code == 405
        assert member_client.post(reverse("amcs-api:workflowrun-list"), {}, format="json").status_code == 405
        events = reverse("amcs-api:workflowrun-events", args=[run.pk])
        assert member_client.post(events, {"node": "PLAN", "phase": "start"}, format="json").status_code == 405
        song = run.song
        response = member_client.patch(
            reverse("amcs-api:song-detail", args=[song.pk]), {"status": "rendered"}, format="json"
        )
        assert response.status_code == 200 and Song.objects.get(pk=song.pk).status == "draft"
        assert member_client.delete(url).status_code == 204


@pytest.mark.django_db
def test_an_external_render_waits_at_render_and_the_sweep_ends_the_wait_after_the_render_timeout():
    song = passing_song(render_engine="external")
    run = run_now(song)
    assert run.status == "running" and run.current_node == "RENDER"
    render = run.steps.get(node="RENDER").output
    assert render["waiting"] is True and render["prompt_hash"] == run.steps.get(node="COMPOSE").output["content_hash"]
    assert Song.objects.get(pk=song.pk).status == "rendering"
    assert services.workflow_runs_sweep(timeout_sec=0, render_timeout_sec=3600) == 0  # waiting is not stalling
    WorkflowRun.objects.filter(pk=run.pk).update(node_started_at=timezone.now() - timedelta(hours=2))
    assert services.workflow_runs_sweep(timeout_sec=0, render_timeout_sec=3600) == 1
    run.refresh_from_db()
    assert run.status == "failed" and "No external renderer" in run.error["message"]
    assert services.workflow_run_start(song=song, actor=None, defer=False).status == "running"  # it may run again
