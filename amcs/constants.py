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

#: More instruments than this draw a warning (the reference's PRD: "<=3 instruments (warning beyond)").
MAX_INSTRUMENTS = 3

#: Delivery styles that pull against each other (a persona listing both draws a warning), lower case.
CONFLICTING_DELIVERIES = (
    ("whispered", "belting"),
    ("whispered", "shouted"),
    ("crooning", "screaming"),
    ("breathy", "belting"),
    ("monotone", "melismatic"),
)

#: The five default rubric metrics of a blueprint's evaluation rubric (a blueprint may weight others too).
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

#: What a living artist's name becomes in a composed prompt when the persona's policy asks for it.
GENERIC_INFLUENCE = "contemporary chart pop artist"
GENERIC_INFLUENCES = {
    "Adele": "soulful British balladeer",
    "Ariana Grande": "high-register R&B-pop vocalist",
    "Bad Bunny": "Latin trap artist",
    "Beyonce": "powerhouse R&B diva",
    "Beyoncé": "powerhouse R&B diva",
    "Billie Eilish": "whispery dark-pop artist",
    "Bruce Springsteen": "heartland rock storyteller",
    "Bruno Mars": "retro funk-pop showman",
    "Drake": "melodic hip-hop artist",
    "Dua Lipa": "disco-pop singer",
    "Ed Sheeran": "acoustic pop singer-songwriter",
    "Elton John": "piano rock showman",
    "Kendrick Lamar": "conscious hip-hop lyricist",
    "Lady Gaga": "theatrical dance-pop artist",
    "Madonna": "dance-pop icon",
    "Mariah Carey": "melismatic pop diva",
    "Olivia Rodrigo": "pop-punk confessional singer",
    "Paul McCartney": "melodic British rock songwriter",
    "Rihanna": "Caribbean-tinged pop-R&B singer",
    "Sabrina Carpenter": "playful retro-pop singer",
    "Taylor Swift": "confessional country-pop songwriter",
    "The Weeknd": "synthwave R&B crooner",
}
