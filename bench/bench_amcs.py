"""``amcs.sds.*``: assembling one Song Design Spec (SDS 1.0) and the queries it costs.

Two songs in a bench tenant: a small one (one source, the factory's lyrics) and a large one
(40 sources, 24 lyric sections, 12 citations, many tags). ``amcs.sds.export_ms`` is the median
time to fetch the large song with ``Song.objects.with_sds_parts()`` and build its document
(``amcs.services.song_sds``); ``amcs.sds.queries`` is the number of queries that takes, which
must be the same for both songs. ``amcs.sds.ratio_to_pk_lookup`` relates the export to
fetching the song row alone, the baseline measured in the same run.

``amcs.import.docs_per_s``: 1,000 SDS documents (the reference's example under 1,000 titles,
sharing their sources) written to a folder and imported with ``manage.py import_amcs`` into a
fresh tenant, one transaction per file; ``amcs.import.ratio_to_validate`` relates that time to
checking the same documents against the tenant without writing (``services.sds_check``).
``amcs.compose.queries``: the queries one composed prompt costs, the same for both songs.

``amcs.workflow.runs_per_s``: 200 songs (lyrics that pass the rubric, render engine none) started with
``services.workflow_run_start`` and executed from PLAN to REVIEW by one procrastinate worker, which drains the
queue; ``amcs.workflow.ratio_to_compose`` relates one run's time to composing one prompt alone (measured in the
same run). ``amcs.workflow.queries_per_run``: the queries a worker spends on one run, the same for a 4-section
and a 24-section song. ``amcs.workflow.replay_identical``: the share of those 200 runs whose replay hashes every
node's output the same (must be 1.0). ``amcs.validate.lines_per_s``: lines scored per second by VALIDATE's rubric
alone (``amcs.workflow.validate.score`` over 1,000 lines).
"""

import json
import tempfile
import time
import uuid
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

SLUG = "bench-amcs"


def ensure_songs():
    from amcs.models import Song
    from tests.amcs.factories import LyricsFactory, ProducerNotesFactory, SongFactory, SourceFactory, StyleFactory
    from tests.core.factories import TenantFactory, UserFactory

    tenant = TenantFactory(slug=SLUG, name="Bench AMCS")
    owner = UserFactory(username="bench-amcs-owner", password=None)
    songs = {song.title: song for song in Song.objects.filter(tenant=tenant)}
    if "small" not in songs:
        songs["small"] = SongFactory(tenant=tenant, owner=owner, title="small")
    if "large" not in songs:
        style = StyleFactory(
            tenant=tenant,
            owner=owner,
            tags_positive=[f"Tag:{n}" for n in range(30)],
            mood=[f"mood {n}" for n in range(10)],
        )
        song = SongFactory(tenant=tenant, owner=owner, style=style, title="large", parts=False)
        LyricsFactory(
            song=song,
            tenant=tenant,
            owner=owner,
            section_order=["Verse", "Chorus"] * 12,
            sections=[{"type": "Verse", "lines": [f"line {n}" for n in range(8)]} for _ in range(24)],
            source_citations=[{"source_id": f"s{n}", "weight": 0.05} for n in range(12)],
        )
        ProducerNotesFactory(song=song, tenant=tenant, owner=owner, structure=["Intro", "Verse", "Chorus"] * 4)
        song.sources.add(*[SourceFactory(tenant=tenant, owner=owner) for _ in range(40)])
        songs["large"] = song
    return songs["small"], songs["large"]


def run(report, timed):
    from amcs.models import Song
    from amcs.services import song_sds
    from amcs.validation import schema_errors

    small, large = ensure_songs()

    def export(song_id):
        return song_sds(song=Song.objects.with_sds_parts().get(pk=song_id))

    counts = []
    for song in (small, large):
        with CaptureQueriesContext(connection) as queries:
            document = export(song.pk)
        assert schema_errors("sds", document) == [], "the exported SDS must be valid"
        counts.append(len(queries))
    assert counts[0] == counts[1], f"SDS queries grow with the song: {counts}"
    assert len(export(large.pk)["sources"]) == 40

    export_median = timed(lambda: export(large.pk))
    lookup_median = timed(lambda: Song.objects.select_related("blueprint", "style", "persona").get(pk=large.pk))
    report("amcs.sds.export_ms", export_median * 1000, "ms")
    report("amcs.sds.queries", counts[1], "queries")
    report("amcs.sds.ratio_to_pk_lookup", export_median / lookup_median, "x")

    run_import(report)
    run_compose(report, small, large)
    run_workflow(report, timed)


IMPORT_DOCUMENTS = 1000


def run_import(report):
    from django.core.management import call_command

    from amcs.models import Song
    from amcs.services import sds_check
    from tests.amcs.factories import BlueprintFactory
    from tests.core.factories import TenantFactory, UserFactory

    example = json.loads(
        (Path(__file__).resolve().parent.parent / "tests/amcs/fixtures/elf_on_overtime.sds.json").read_text()
    )
    tenant = TenantFactory(slug=f"bench-amcs-import-{uuid.uuid4().hex[:8]}", name="Bench AMCS import")
    owner = UserFactory(username=f"bench-amcs-importer-{tenant.slug[-8:]}", password=None)
    BlueprintFactory(
        tenant=tenant,
        owner=owner,
        genre="Christmas Pop",
        version="2025.11",
        tempo_bpm_min=100,
        tempo_bpm_max=130,
        required_sections=["Verse", "Chorus", "Bridge"],
    )
    documents = []
    for number in range(IMPORT_DOCUMENTS):
        document = json.loads(json.dumps(example))
        document["title"] = f"{example['title']} {number:04d}"
        document["seed"] = number
        documents.append(document)
    with tempfile.TemporaryDirectory() as folder:
        for number, document in enumerate(documents):
            (Path(folder) / f"{number:04d}.json").write_text(json.dumps(document))
        start = time.perf_counter()
        for document in documents:
            assert not sds_check(document=document, tenant=tenant).errors
        validate_seconds = time.perf_counter() - start
        start = time.perf_counter()
        call_command("import_amcs", folder, "--tenant", tenant.slug, "--owner", owner.username, verbosity=0)
        import_seconds = time.perf_counter() - start
    assert Song.objects.filter(tenant=tenant).count() == IMPORT_DOCUMENTS
    report("amcs.import.docs_per_s", IMPORT_DOCUMENTS / import_seconds, "docs/s")
    report("amcs.import.validate_docs_per_s", IMPORT_DOCUMENTS / validate_seconds, "docs/s")
    report("amcs.import.ratio_to_validate", import_seconds / validate_seconds, "x")


def run_compose(report, small, large):
    from amcs.services import song_compose

    counts = []
    for song in (small, large):
        with CaptureQueriesContext(connection) as queries:
            song_compose(song=song, owner=song.owner)
        counts.append(len(queries))
    assert counts[0] == counts[1], f"compose queries grow with the song: {counts}"
    report("amcs.compose.queries", counts[1], "queries")


WORKFLOW_SONGS = 200


def ensure_workflow_songs():
    from amcs.models import Lyrics, Song
    from tests.amcs.factories import PASSING_SECTIONS, SongFactory, StyleFactory
    from tests.core.factories import TenantFactory, UserFactory

    tenant = TenantFactory(slug=f"{SLUG}-workflow", name="Bench AMCS workflow")
    owner = UserFactory(username="bench-amcs-workflow", password=None)
    songs = list(Song.objects.filter(tenant=tenant, title__startswith="run ").order_by("title"))
    style = songs[0].style if songs else StyleFactory(tenant=tenant, owner=owner)
    for number in range(len(songs), WORKFLOW_SONGS):
        songs.append(
            SongFactory(tenant=tenant, owner=owner, style=style, title=f"run {number:03d}", global_seed=number)
        )
    Lyrics.objects.filter(song__in=songs).update(sections=PASSING_SECTIONS, section_order=["Verse", "Chorus"])
    big = Song.objects.filter(tenant=tenant, title="run big").first()
    if big is None:
        big = SongFactory(tenant=tenant, owner=owner, style=style, title="run big")
        Lyrics.objects.filter(song=big).update(sections=PASSING_SECTIONS * 6, section_order=["Verse", "Chorus"] * 12)
    return songs, big


def run_workflow(report, timed):
    from procrastinate.contrib.django import app

    from amcs import services
    from amcs.models import WorkflowRun
    from amcs.workflow import RunInput
    from amcs.workflow.validate import score
    from tests.amcs.factories import PASSING_SECTIONS

    songs, big = ensure_workflow_songs()
    counts = []
    for song in (songs[0], big):
        run = services.workflow_run_start(song=song, actor=None, defer=False)
        with CaptureQueriesContext(connection) as queries:
            assert services.workflow_run_execute(run_id=run.pk) == "completed"
        counts.append(len(queries))
    assert counts[0] == counts[1], f"a run's queries grow with the song: {counts}"
    report("amcs.workflow.queries_per_run", counts[1], "queries")

    start = time.perf_counter()
    runs = [services.workflow_run_start(song=song, actor=None).pk for song in songs]  # queued at once (no atomic)
    with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False, concurrency=1)
    seconds = time.perf_counter() - start
    finished = WorkflowRun.objects.filter(pk__in=runs, status="completed").count()
    assert finished == len(runs), f"{finished} of {len(runs)} runs completed"
    report("amcs.workflow.runs_per_s", len(runs) / seconds, "runs/s")
    compose_seconds = timed(lambda: services.song_compose(song=songs[0], owner=songs[0].owner), repeat=10)
    report("amcs.workflow.ratio_to_compose", (seconds / len(runs)) / compose_seconds, "x")

    identical = [
        services.workflow_run_replay(run=run, actor=None)["identical"]
        for run in WorkflowRun.objects.filter(pk__in=runs).select_related("song")
    ]
    report("amcs.workflow.replay_identical", sum(identical) / len(identical), "share")

    lines = (PASSING_SECTIONS * 63)[:250]  # 1,000 lines
    run_input = RunInput.from_frozen({"lyrics": {}}, {"blueprint": songs[0].blueprint.to_document()}, seed=0)
    seconds = timed(lambda: score(lines, run_input), repeat=10)
    report("amcs.validate.lines_per_s", sum(len(section["lines"]) for section in lines) / seconds, "lines/s")
