"""Limits and fixed lists of the AMCS rules (one place, read by models, services and tests)."""

#: BPM range a style or blueprint may use (the seed's 60-200; see docs/domain-map.md).
BPM_MIN = 60
BPM_MAX = 200

#: Syllables per lyric line (the reference's lyrics schema).
SYLLABLES_MIN = 4
SYLLABLES_MAX = 16

#: Energy level scale of a style (the seed's 1-10).
ENERGY_LEVEL_MIN = 1
ENERGY_LEVEL_MAX = 10

#: The FIX node runs at most this many times in one workflow run.
MAX_FIX_ITERATIONS = 3

#: Section durations must add up to the song's target duration within this many seconds.
DURATION_TOLERANCE_SEC = 30

#: Rubric weights must sum to 1.0 within this tolerance; citation weights may exceed 1.0 by no more.
WEIGHT_TOLERANCE = 1e-6

#: Rubric metrics of a blueprint's evaluation rubric.
RUBRIC_METRICS = ("hook_density", "singability", "rhyme_tightness", "section_completeness", "profanity_score")

DEFAULT_RUBRIC_WEIGHTS = {
    "hook_density": 0.25,
    "singability": 0.20,
    "rhyme_tightness": 0.15,
    "section_completeness": 0.20,
    "profanity_score": 0.20,
}

#: SDS schema version this project writes (the seed's semver ``version``).
SDS_VERSION = "1.0.0"

#: Living artists whose names public-release personas may not use as influences, and that
#: "style of <artist>" may not name. Compared case-insensitively on word boundaries.
LIVING_ARTISTS = (
    "Adele",
    "Ariana Grande",
    "Bad Bunny",
    "Beyonce",
    "Beyoncé",
    "Billie Eilish",
    "Bruce Springsteen",
    "Bruno Mars",
    "Drake",
    "Dua Lipa",
    "Ed Sheeran",
    "Elton John",
    "Kendrick Lamar",
    "Lady Gaga",
    "Madonna",
    "Mariah Carey",
    "Olivia Rodrigo",
    "Paul McCartney",
    "Rihanna",
    "Sabrina Carpenter",
    "Taylor Swift",
    "The Weeknd",
)
