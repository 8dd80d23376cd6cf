"""Each filter narrows the list as it says; every concrete field of a filtered model is covered or exempt."""

import pytest

from amcs.filtersets import (
    BlueprintFilterSet,
    LyricsFilterSet,
    PersonaFilterSet,
    ProducerNotesFilterSet,
    SongFilterSet,
    SourceFilterSet,
    StyleFilterSet,
    WorkflowRunFilterSet,
)
from amcs.models import Blueprint, Lyrics, Persona, ProducerNotes, Song, Source, Style, WorkflowRun
from tests.amcs.factories import (
    BlueprintFactory,
    PersonaFactory,
    SongFactory,
    SourceFactory,
    StyleFactory,
    WorkflowRunFactory,
)


def count(filterset, model, data):
    fs = filterset(data=data, queryset=model.objects.all())
    assert fs.is_valid(), fs.errors
    return fs.qs.count()


@pytest.mark.django_db
class TestStyleAndSongFilters:
    @pytest.fixture
    def styles(self):
        slow = StyleFactory(genre="Ballad", bpm_min=70, bpm_max=80, mood=["sad", "warm"], tags_positive=["Era:1990s"])
        fast = StyleFactory(genre="Pop", bpm_min=120, bpm_max=130, mood=["happy"], tags_positive=["Era:2010s", "x"])
        return slow, fast

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ({"genre": "ballad"}, 1),
            ({"bpm": 75}, 1),
            ({"bpm": 100}, 0),
            ({"bpm_min": 100}, 1),
            ({"bpm_max": 90}, 1),
            ({"mood": "sad,warm"}, 1),
            ({"mood": "sad,happy"}, 0),
            ({"tags": "Era:2010s"}, 1),
            ({"q": "pop"}, 1),
            ({"energy": ["high"]}, 2),
        ],
    )
    def test_style_filters(self, styles, data, expected):
        assert count(StyleFilterSet, Style, data) == expected

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ({"genre": "pop"}, 1),
            ({"bpm": 75}, 1),
            ({"mood": "happy"}, 1),
            ({"tags": "Era:1990s"}, 1),
            ({"q": "one"}, 1),
        ],
    )
    def test_song_filters_reach_the_style(self, styles, data, expected):
        for style, title in zip(styles, ["One", "Two"], strict=True):
            SongFactory(tenant=style.tenant, owner=style.owner, style=style, title=title, parts=False)
        assert count(SongFilterSet, Song, data) == expected

    def test_song_id_filters(self):
        song = SongFactory()
        SongFactory(parts=False)
        assert count(SongFilterSet, Song, {"blueprint_id": str(song.blueprint_id)}) == 1
        assert count(SongFilterSet, Song, {"source_id": str(song.sources.get().pk)}) == 1
        assert count(SongFilterSet, Song, {"status": ["draft"], "tenant": song.tenant.slug}) == 1
        assert count(LyricsFilterSet, Lyrics, {"song_id": str(song.pk)}) == 1
        assert count(ProducerNotesFilterSet, ProducerNotes, {"song_id": str(song.pk), "q": song.title}) == 1


@pytest.mark.django_db
def test_other_filtersets():
    BlueprintFactory(genre="Rock")
    PersonaFactory(kind="band", is_public_release=True)
    SourceFactory(kind="api", is_active=False)
    run = WorkflowRunFactory()
    assert count(BlueprintFilterSet, Blueprint, {"genre": "rock"}) == 1
    assert count(PersonaFilterSet, Persona, {"kind": ["band"], "is_public_release": True}) == 1
    assert count(SourceFilterSet, Source, {"kind": ["api"], "is_active": False}) == 1
    assert count(WorkflowRunFilterSet, WorkflowRun, {"active": True, "tenant_id": str(run.tenant_id)}) == 1
    assert count(WorkflowRunFilterSet, WorkflowRun, {"active": False}) == 0
    assert count(LyricsFilterSet, Lyrics, {"hook_strategy": ["chant"]}) == 0
