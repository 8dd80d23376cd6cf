"""JSON schemas of the studio's JSON columns (MIDI data, theory data, clips, arrangement sections, phoneme
alignment), checked once per process, and ``schema_errors`` that lists violations by JSON pointer."""

from __future__ import annotations

import functools

from jsonschema import Draft202012Validator

_NUMBER = {"type": "number", "minimum": 0, "maximum": 1_000_000}
_NOTE = {
    "type": "object",
    "required": ["pitch", "start", "duration"],
    "additionalProperties": False,
    "properties": {
        "pitch": {"type": "integer", "minimum": 0, "maximum": 127},
        "velocity": {"type": "integer", "minimum": 1, "maximum": 127},
        "start": _NUMBER,
        "duration": {"type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000},
    },
}
_METER = {
    "type": "object",
    "required": ["numerator", "denominator"],
    "properties": {
        "beat": _NUMBER,
        "numerator": {"type": "integer", "minimum": 1, "maximum": 64},
        "denominator": {"enum": [1, 2, 4, 8, 16, 32, 64]},
    },
}

MIDI_DATA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Composition MIDI data: tracks of notes in beats, a tempo map and meters",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "ticks_per_beat": {"type": "integer", "minimum": 24, "maximum": 32767},
        "tempo_map": {
            "type": "array",
            "maxItems": 10_000,
            "items": {
                "type": "object",
                "required": ["beat", "bpm"],
                "additionalProperties": False,
                "properties": {"beat": _NUMBER, "bpm": {"type": "number", "minimum": 1, "maximum": 1000}},
            },
        },
        "time_signatures": {"type": "array", "maxItems": 10_000, "items": _METER},
        "key_signature": {"type": "string", "maxLength": 10},
        "end_beat": _NUMBER,
        "tracks": {
            "type": "array",
            "maxItems": 128,
            "items": {
                "type": "object",
                "required": ["notes"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "maxLength": 200},
                    "channel": {"type": "integer", "minimum": 0, "maximum": 15},
                    "program": {"type": "integer", "minimum": 0, "maximum": 127},
                    "notes": {"type": "array", "maxItems": 100_000, "items": _NOTE},
                },
            },
        },
    },
}

THEORY_DATA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Music theory of a composition",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": "^[A-G][#b]?$"},
        "mode": {"enum": ["major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "locrian"]},
        "tempo": {"type": "number", "minimum": 1, "maximum": 1000},
        "meter": _METER,
        "chords": {"type": "array", "maxItems": 10_000, "items": {"type": "string", "minLength": 1, "maxLength": 20}},
    },
}

CLIPS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Clips of a track",
    "type": "array",
    "maxItems": 1000,
    "items": {
        "type": "object",
        "required": ["start_time", "end_time"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "maxLength": 200},
            "type": {"enum": ["midi", "audio"]},
            "start_time": _NUMBER,
            "end_time": _NUMBER,
            "notes": {"type": "array", "maxItems": 100_000, "items": _NOTE},
        },
    },
}

SECTIONS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Ordered sections of an arrangement",
    "type": "array",
    "maxItems": 500,
    "items": {
        "type": "object",
        "required": ["name", "start_bar", "length_bars"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "start_bar": {"type": "integer", "minimum": 1, "maximum": 100_000},
            "length_bars": {"type": "integer", "minimum": 1, "maximum": 10_000},
        },
    },
}

_TIMED = {"start": _NUMBER, "end": _NUMBER}
ALIGNMENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Phoneme alignment: lines, words, phonemes with start and end seconds",
    "type": "object",
    "required": ["lines"],
    "additionalProperties": False,
    "properties": {
        "lines": {
            "type": "array",
            "maxItems": 5000,
            "items": {
                "type": "object",
                "required": ["text", "start", "end", "words"],
                "additionalProperties": False,
                "properties": {
                    "text": {"type": "string", "maxLength": 2000},
                    **_TIMED,
                    "words": {
                        "type": "array",
                        "maxItems": 500,
                        "items": {
                            "type": "object",
                            "required": ["text", "start", "end", "phonemes"],
                            "additionalProperties": False,
                            "properties": {
                                "text": {"type": "string", "maxLength": 200},
                                **_TIMED,
                                "phonemes": {
                                    "type": "array",
                                    "maxItems": 100,
                                    "items": {
                                        "type": "object",
                                        "required": ["symbol", "start", "end"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "symbol": {"type": "string", "minLength": 1, "maxLength": 10},
                                            **_TIMED,
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}

SCHEMAS = {
    "midi_data": MIDI_DATA,
    "theory_data": THEORY_DATA,
    "clips": CLIPS,
    "sections": SECTIONS,
    "alignment": ALIGNMENT,
}


@functools.cache
def validator(name: str) -> Draft202012Validator:
    schema = SCHEMAS[name]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def pointer(path) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def schema_errors(name: str, document) -> list[str]:
    """Violations of ``document`` against schema ``name`` as "pointer: message" strings, sorted; empty when valid."""
    errors = {
        f"{pointer(error.absolute_path) or '/'}: {error.message}" for error in validator(name).iter_errors(document)
    }
    return sorted(errors)[:20]


def timeline_problems(alignment: dict, *, length: float | None) -> list[str]:
    """Where a valid alignment runs backwards, overlaps, steps outside its parent or past ``length`` seconds."""
    problems = []
    previous_line_end = 0.0
    for li, line in enumerate(alignment.get("lines", [])):
        where = f"/lines/{li}"
        problems += _span(line, where, floor=previous_line_end, length=length)
        previous_line_end = line["end"]
        previous_word_end = line["start"]
        for wi, word in enumerate(line["words"]):
            wwhere = f"{where}/words/{wi}"
            problems += _span(word, wwhere, floor=previous_word_end, ceiling=line["end"], length=length)
            previous_word_end = word["end"]
            previous_phoneme_end = word["start"]
            for pi, phoneme in enumerate(word["phonemes"]):
                pwhere = f"{wwhere}/phonemes/{pi}"
                problems += _span(phoneme, pwhere, floor=previous_phoneme_end, ceiling=word["end"], length=length)
                previous_phoneme_end = phoneme["end"]
    return problems[:20]


def _span(item: dict, where: str, *, floor: float, ceiling: float | None = None, length: float | None) -> list[str]:
    start, end = item["start"], item["end"]
    if end < start:
        return [f"{where}: ends ({end}s) before it starts ({start}s)"]
    if start < floor:
        return [f"{where}: starts at {start}s, before the previous one ends or its parent starts ({floor}s)"]
    if ceiling is not None and end > ceiling:
        return [f"{where}: ends at {end}s, after its parent ends ({ceiling}s)"]
    if length is not None and end > length:
        return [f"{where}: ends at {end}s, past the composition's length ({length}s)"]
    return []
