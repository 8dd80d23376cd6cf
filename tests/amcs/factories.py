"""Factories of the AMCS models; every default passes ``full_clean()`` and makes a complete, exportable song."""

import datetime

import factory
from factory.django import DjangoModelFactory

from amcs.choices import (
    LyricsHookStrategy,
    LyricsPov,
    LyricsRepetitionPolicy,
    LyricsTense,
    PersonaKind,
    SourceKind,
    StyleEnergy,
    WorkflowEventPhase,
    WorkflowNode,
)
from amcs.models import (
    Blueprint,
    Lyrics,
    Persona,
    ProducerNotes,
    Song,
    Source,
    Style,
    WorkflowEvent,
    WorkflowRun,
)
from tests.core.factories import TenantFactory, UserFactory


class TenantOwnedFactory(DjangoModelFactory):
    """Tenant, owner and related rows are always saved, so ``build()`` gives an unsaved row that can be cleaned."""

    tenant = factory.LazyFunction(TenantFactory)
    owner = factory.LazyFunction(UserFactory)

    class Meta:
        abstract = True
        skip_postgeneration_save = True


class BlueprintFactory(TenantOwnedFactory):
    genre = factory.Sequence(lambda n: f"Pop {n}")
    version = "2025.11"
    tempo_bpm_min = 90
    tempo_bpm_max = 140
    required_sections = factory.LazyFunction(lambda: ["Verse", "Chorus"])
    section_lines = factory.LazyFunction(lambda: {"Chorus": {"min": 2, "max": 8}, "Verse": {"min": 2, "max": 12}})
    banned_terms = factory.LazyFunction(lambda: ["synergy"])
    lexicon_positive = factory.LazyFunction(lambda: ["neon", "heartbeat"])
    lexicon_negative = factory.LazyFunction(lambda: ["moist"])
    conflicting_tags = factory.LazyFunction(lambda: [["Era:1970s", "Era:2020s"]])

    class Meta:
        model = Blueprint
        skip_postgeneration_save = True


class PersonaFactory(TenantOwnedFactory):
    name = factory.Sequence(lambda n: f"Persona {n}")
    kind = PersonaKind.ARTIST
    bio = "A late-night synth-pop singer."
    voice = "breathy alto"
    vocal_range = "A3-E5"
    delivery = factory.LazyFunction(lambda: ["crooning"])
    influences = factory.LazyFunction(lambda: ["80s synth-pop", "city pop"])

    class Meta:
        model = Persona
        skip_postgeneration_save = True


class SourceFactory(TenantOwnedFactory):
    name = factory.Sequence(lambda n: f"Source {n}")
    kind = SourceKind.FILE
    config = factory.LazyFunction(lambda: {"file_path": "/documents/notes.md"})
    scopes = factory.LazyFunction(lambda: ["memories"])
    allow = factory.LazyFunction(lambda: ["harbour"])
    deny = factory.LazyFunction(lambda: ["divorce"])
    weight = 0.5
    mcp_server_id = "docs-server"

    class Meta:
        model = Source
        skip_postgeneration_save = True


class StyleFactory(TenantOwnedFactory):
    name = factory.Sequence(lambda n: f"Style {n}")
    blueprint = factory.LazyAttribute(lambda o: BlueprintFactory(tenant=o.tenant, owner=o.owner))
    genre = factory.LazyAttribute(lambda o: o.blueprint.genre if o.blueprint else "Pop")
    sub_genres = factory.LazyFunction(lambda: ["Synth-pop"])
    bpm_min = 110
    bpm_max = 124
    key = "C major"
    mood = factory.LazyFunction(lambda: ["upbeat", "warm"])
    energy_level = 7
    energy = StyleEnergy.HIGH
    instrumentation = factory.LazyFunction(lambda: ["synth", "drum machine"])
    tags_positive = factory.LazyFunction(lambda: ["Era:2010s", "Mix:modern-bright"])
    tags_negative = factory.LazyFunction(lambda: ["muddy low-end"])

    class Meta:
        model = Style
        skip_postgeneration_save = True


class SongFactory(TenantOwnedFactory):
    """A song with its style and blueprint, lyrics, producer notes and a source: its SDS can be exported."""

    title = factory.Sequence(lambda n: f"Song {n}")
    style = factory.LazyAttribute(lambda o: StyleFactory(tenant=o.tenant, owner=o.owner))
    blueprint = factory.LazyAttribute(lambda o: o.style.blueprint)
    global_seed = factory.Sequence(lambda n: 1000 + n)
    target_duration_sec = 180

    class Meta:
        model = Song
        skip_postgeneration_save = True

    @factory.post_generation
    def parts(self, create, extracted, **kwargs):
        """Lyrics, producer notes and one source, unless built with ``parts=False``."""
        if not create or extracted is False:
            return
        LyricsFactory(song=self, tenant=self.tenant, owner=self.owner)
        ProducerNotesFactory(song=self, tenant=self.tenant, owner=self.owner)
        self.sources.add(SourceFactory(tenant=self.tenant, owner=self.owner))


#: Lyrics that pass the default rubric: choruses repeat their phrase, adjacent lines rhyme ("-ight"), even lines.
PASSING_SECTIONS = [
    {
        "type": "Verse",
        "lines": [
            "Neon on the water shining bright tonight",
            "Every engine humming in the fading light",
            "Hands upon the wheel we hold the city tight",
            "Racing past the harbour till the morning light",
        ],
    },
    {
        "type": "Chorus",
        "lines": [
            "We drive until the morning light",
            "We drive until the sky is bright",
            "We drive until the morning light",
            "Hold on we drive into the night",
        ],
    },
    {
        "type": "Verse",
        "lines": [
            "Radio is playing every song we might",
            "Window rolled down singing with the wind tonight",
            "Nothing in the mirror but the fading light",
            "Heading for the border till the morning light",
        ],
    },
    {
        "type": "Chorus",
        "lines": [
            "We drive until the morning light",
            "We drive until the sky is bright",
            "We drive until the morning light",
            "Hold on we drive into the night",
        ],
    },
]


class LyricsFactory(TenantOwnedFactory):
    song = factory.LazyAttribute(lambda o: SongFactory(tenant=o.tenant, owner=o.owner, parts=False))
    language = "en"
    pov = LyricsPov.FIRST
    tense = LyricsTense.PRESENT
    themes = factory.LazyFunction(lambda: ["night drive"])
    rhyme_scheme = "AABB"
    meter = "4/4 pop"
    syllables_per_line = 8
    hook_strategy = LyricsHookStrategy.MELODIC
    repetition_policy = LyricsRepetitionPolicy.MODERATE
    imagery_density = 0.6
    section_order = factory.LazyFunction(lambda: ["Intro", "Verse", "Chorus", "Verse", "Chorus"])
    sections = factory.LazyFunction(
        lambda: [
            {"type": "Verse", "lines": ["Neon on the water", "Heartbeat on the line"]},
            {"type": "Chorus", "lines": ["Drive, drive", "Until the morning light"]},
        ]
    )
    section_requirements = factory.LazyFunction(lambda: {"Chorus": {"min_lines": 2, "must_end_with_hook": True}})

    class Meta:
        model = Lyrics
        skip_postgeneration_save = True


class ProducerNotesFactory(TenantOwnedFactory):
    song = factory.LazyAttribute(lambda o: SongFactory(tenant=o.tenant, owner=o.owner, parts=False))
    structure = factory.LazyFunction(lambda: ["Intro", "Verse", "Chorus", "Verse", "Chorus"])
    hook_count = 2
    section_tags = factory.LazyFunction(lambda: {"Chorus": ["anthemic"], "Intro": ["instrumental"]})
    section_durations = factory.LazyFunction(lambda: {"Intro": 10, "Verse": 40, "Chorus": 35})
    instrumentation_hints = factory.LazyFunction(lambda: ["synth", "drum machine"])
    mix_targets = factory.LazyFunction(lambda: {"lufs": -12.0, "space": "lush", "stereo_width": "wide"})

    class Meta:
        model = ProducerNotes
        skip_postgeneration_save = True


class WorkflowRunFactory(TenantOwnedFactory):
    song = factory.LazyAttribute(lambda o: SongFactory(tenant=o.tenant, owner=o.owner, parts=False))
    seed = factory.LazyAttribute(lambda o: o.song.global_seed)

    class Meta:
        model = WorkflowRun
        skip_postgeneration_save = True


class WorkflowEventFactory(TenantOwnedFactory):
    run = factory.LazyAttribute(lambda o: WorkflowRunFactory(tenant=o.tenant, owner=o.owner))
    sequence = factory.Sequence(lambda n: n + 1)
    ts = factory.LazyFunction(lambda: datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC))
    node = WorkflowNode.PLAN
    phase = WorkflowEventPhase.START
    seed = factory.LazyAttribute(lambda o: o.run.node_seed(o.node))
    metrics = factory.LazyFunction(lambda: {"duration_ms": 12})

    class Meta:
        model = WorkflowEvent
        skip_postgeneration_save = True
