"""Factories of the audio version control models; every default passes ``full_clean()``.

Commits are written through ``services.commit_create`` (``CommitFactory``) so that hashes, parents, stems,
blobs and branch heads are what the service makes of real (synthesised) audio files.
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from audio_vcs import services
from audio_vcs.choices import CollaboratorRole, ExportFormat, StemType, TrackType
from audio_vcs.models import (
    Approval,
    Arrangement,
    Branch,
    Collaborator,
    Comment,
    Commit,
    CommitParent,
    Composition,
    CompositionLyrics,
    CompositionSession,
    ExportJob,
    Project,
    Star,
    Stem,
    Tag,
    Track,
)
from tests.audio_vcs.audio import tone, upload
from tests.core.factories import UserFactory


class ProjectFactory(DjangoModelFactory):
    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    description = "A demo project."
    is_public = False
    genre = "lo-fi"
    tempo = 90.0
    key_signature = "Am"

    class Meta:
        model = Project
        skip_postgeneration_save = True

    class Params:
        public = factory.Trait(is_public=True)

    @factory.post_generation
    def owner_collaborator(obj, create, extracted, **kwargs):
        if create:
            Collaborator.objects.get_or_create(project=obj, user=obj.owner, defaults={"role": CollaboratorRole.OWNER})


class CollaboratorFactory(DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = CollaboratorRole.CONTRIBUTOR

    class Meta:
        model = Collaborator
        skip_postgeneration_save = True


class StarFactory(DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory, is_public=True)
    user = factory.SubFactory(UserFactory)

    class Meta:
        model = Star
        skip_postgeneration_save = True


_counter = iter(range(10**9))


def stems_for(seed: int | None = None, *, types=(StemType.DRUMS, StemType.BASS)) -> list[services.StemUpload]:
    """Real WAV stems, a different tone for each seed (so each commit stores new blobs)."""
    seed = next(_counter) if seed is None else seed
    return [
        services.StemUpload(stem_type=t, file=upload(tone(110.0 + seed + 37 * i), f"{t}.wav"))
        for i, t in enumerate(types)
    ]


class CommitFactory(factory.Factory):
    """A commit of real stems on a branch (default: the project's default branch), through the service."""

    project = factory.SubFactory(ProjectFactory)
    branch = "main"
    message = factory.Sequence(lambda n: f"Commit {n}")
    bpm = 90.0
    key_signature = "Am"
    stems = factory.LazyFunction(stems_for)

    class Meta:
        model = Commit

    @classmethod
    def _create(cls, model_class, *, project, branch, stems, **kwargs):
        return services.commit_create(project=project, author=project.owner, branch=branch, stems=stems, **kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("Commits are only written through services.commit_create.")


class BranchFactory(DjangoModelFactory):
    project = factory.LazyAttribute(lambda o: o.head.project)
    name = factory.Sequence(lambda n: f"feature/{n}")
    head = factory.SubFactory(CommitFactory)

    class Meta:
        model = Branch
        skip_postgeneration_save = True


MIDI_DATA = {
    "ticks_per_beat": 480,
    "tempo_map": [{"beat": 0, "bpm": 100.0}],
    "time_signatures": [{"beat": 0, "numerator": 4, "denominator": 4}],
    "key_signature": "C",
    "tracks": [{"name": "Piano", "channel": 0, "program": 0, "notes": [{"pitch": 60, "start": 0, "duration": 1}]}],
}


class CompositionFactory(DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Composition {n}")
    midi_data = factory.LazyFunction(lambda: dict(MIDI_DATA))
    theory_data = factory.LazyFunction(
        lambda: {"key": "C", "mode": "major", "tempo": 100, "meter": {"numerator": 4, "denominator": 4}}
    )
    ai_prompt = "A calm piano piece"
    confidence_score = 0.8
    length_seconds = 30.0

    class Meta:
        model = Composition
        skip_postgeneration_save = True


class ArrangementFactory(DjangoModelFactory):
    composition = factory.SubFactory(CompositionFactory)
    name = factory.Sequence(lambda n: f"Arrangement {n}")
    sections = factory.LazyFunction(
        lambda: [
            {"name": "Intro", "start_bar": 1, "length_bars": 4},
            {"name": "Verse", "start_bar": 5, "length_bars": 8},
        ]
    )

    class Meta:
        model = Arrangement
        skip_postgeneration_save = True


class TrackFactory(DjangoModelFactory):
    composition = factory.SubFactory(CompositionFactory)
    name = factory.Sequence(lambda n: f"Track {n}")
    track_type = TrackType.KEYS
    clips = factory.LazyFunction(
        lambda: [
            {
                "name": "A",
                "type": "midi",
                "start_time": 0,
                "end_time": 4,
                "notes": [{"pitch": 60, "start": 0, "duration": 1}],
            }
        ]
    )

    class Meta:
        model = Track
        skip_postgeneration_save = True


ALIGNMENT = {
    "lines": [
        {
            "text": "hello",
            "start": 0.5,
            "end": 1.5,
            "words": [
                {
                    "text": "hello",
                    "start": 0.5,
                    "end": 1.4,
                    "phonemes": [
                        {"symbol": "HH", "start": 0.5, "end": 0.7},
                        {"symbol": "AH", "start": 0.7, "end": 0.9},
                        {"symbol": "L", "start": 0.9, "end": 1.1},
                        {"symbol": "OW", "start": 1.1, "end": 1.4},
                    ],
                }
            ],
        }
    ]
}


class CompositionLyricsFactory(DjangoModelFactory):
    composition = factory.SubFactory(CompositionFactory)
    language = factory.Sequence(lambda n: f"x-{n}")
    text = "hello"
    alignment = factory.LazyFunction(lambda: dict(ALIGNMENT))

    class Meta:
        model = CompositionLyrics
        skip_postgeneration_save = True


class CompositionSessionFactory(DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory)
    requested_by = factory.LazyAttribute(lambda o: o.project.owner)
    prompt = "An upbeat synth-pop chorus"
    style = "synth-pop"
    mood = "happy"
    instruments = factory.LazyFunction(lambda: ["synth", "drums"])

    class Meta:
        model = CompositionSession
        skip_postgeneration_save = True


class ExportJobFactory(DjangoModelFactory):
    composition = factory.SubFactory(CompositionFactory)
    project = factory.LazyAttribute(lambda o: o.composition.project)
    export_format = ExportFormat.MIDI
    requested_by = factory.LazyAttribute(lambda o: o.project.owner)

    class Meta:
        model = ExportJob
        skip_postgeneration_save = True


class ApprovalFactory(DjangoModelFactory):
    composition = factory.SubFactory(CompositionFactory)
    project = factory.LazyAttribute(lambda o: o.composition.project)
    reviewer = factory.LazyAttribute(lambda o: o.project.owner)
    requested_by = factory.LazyAttribute(lambda o: o.project.owner)

    class Meta:
        model = Approval
        skip_postgeneration_save = True


class CommentFactory(DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory)
    author = factory.LazyAttribute(lambda o: o.project.owner)
    body = factory.Sequence(lambda n: f"Nice groove #{n}")

    class Meta:
        model = Comment
        skip_postgeneration_save = True


class StemFactory(DjangoModelFactory):
    """Another stem on a commit, pointing at an existing blob of that commit (stems are append-only)."""

    commit = factory.SubFactory(CommitFactory)
    stem_type = StemType.OTHER
    name = factory.Sequence(lambda n: f"extra-{n}")
    blob = factory.LazyAttribute(lambda o: o.commit.stems.first().blob)

    class Meta:
        model = Stem
        skip_postgeneration_save = True


class CommitParentFactory(DjangoModelFactory):
    """A second-parent link from a commit to another commit of its project (as a merge has)."""

    commit = factory.SubFactory(CommitFactory)
    parent = factory.LazyAttribute(lambda o: CommitFactory(project=o.commit.project, branch="side"))
    position = 1

    class Meta:
        model = CommitParent
        skip_postgeneration_save = True


class TagFactory(DjangoModelFactory):
    """A tag of a new commit of its project, through the service (the tagger is the project's owner)."""

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"v{n}.0")
    message = "A release"

    class Meta:
        model = Tag
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *, project, name, message, **kwargs):
        commit = kwargs.pop("commit", None) or CommitFactory(project=project)
        return services.tag_create(project=project, actor=project.owner, name=name, commit=commit, message=message)
