"""The workflow's fixed data: duration weights per section type, default line counts, the profanity list."""

#: Share of a song's duration per section type, relative (a verse and a chorus weigh 1.0); a type not listed
#: weighs ``DEFAULT_SECTION_WEIGHT``. Keys are section keys (``amcs.rules.section_key``: lower case, letters only).
SECTION_DURATION_WEIGHTS = {
    "intro": 0.5,
    "verse": 1.0,
    "prechorus": 0.6,
    "chorus": 1.0,
    "postchorus": 0.6,
    "hook": 0.8,
    "bridge": 0.8,
    "breakdown": 0.6,
    "solo": 0.8,
    "guitarsolo": 0.8,
    "instrumental": 0.8,
    "outro": 0.5,
}
DEFAULT_SECTION_WEIGHT = 0.8

#: Lines a section is planned with when neither the blueprint nor the lyrics' constraints say.
DEFAULT_SECTION_LINES = {"intro": 2, "verse": 8, "prechorus": 4, "chorus": 4, "hook": 4, "bridge": 4, "outro": 2}
DEFAULT_LINES = 4

#: Words per line planned when the lyrics give no syllables per line (about 1.4 syllables a word otherwise).
DEFAULT_WORDS_PER_LINE = 6
SYLLABLES_PER_WORD = 1.4

#: Seconds a song lasts when neither the song, its producer notes nor its blueprint say.
DEFAULT_DURATION_SEC = 180

#: Terms flagged as profanity (whole words, case-insensitive); a blueprint's banned terms are flagged too.
PROFANITY = (
    "arse",
    "ass",
    "asshole",
    "bastard",
    "bitch",
    "bollocks",
    "bullshit",
    "crap",
    "cunt",
    "damn",
    "dick",
    "fuck",
    "fucked",
    "fucker",
    "fucking",
    "goddamn",
    "motherfucker",
    "piss",
    "prick",
    "shit",
    "shitty",
    "slut",
    "twat",
    "wanker",
    "whore",
)

#: What a redacted term becomes (the reference's lyrics PRD).
REDACTED = "[[REDACTED]]"

#: A placeholder line FIX writes into a required section the lyrics lack.
PLACEHOLDER = "[[PLACEHOLDER: {section} line {number}]]"

#: Mix parameters when the producer notes give none.
DEFAULT_MIX = {"lufs": -14.0, "space": "balanced", "stereo_width": "normal"}

#: Below ``min_total`` by less than this, a total is borderline rather than failing.
BORDERLINE_MARGIN = 0.05
