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
