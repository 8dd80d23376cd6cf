"""The AMCS document mapping: each entity to and from its JSON document (the shapes of ``amcs/schemas``).

One place knows how a row becomes a document (``<entity>_to_document``), which model fields a
document holds (``<entity>_fields``), which model field a JSON pointer of the document lands on
(``FIELDS``), and how document errors become a ``ValidationError`` keyed by model field
(``raise_document_errors``). The models call these from ``to_document()``, ``fields_from_document()``
and ``clean()``; nothing here queries the database.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amcs import rules
from amcs.validation import schema_errors

Error = tuple[str, str]

#: Per entity, the model field a document pointer (its first one or two keys) lands on.
FIELDS: dict[str, dict[str, str]] = {
    "blueprint": {
        "genre": "genre",
        "version": "version",
        "rules/tempo_bpm": "tempo_bpm_min",
        "rules/required_sections": "required_sections",
        "rules/banned_terms": "banned_terms",
        "rules/lexicon_positive": "lexicon_positive",
        "rules/lexicon_negative": "lexicon_negative",
        "rules/section_lines": "section_lines",
        "rules/conflicting_tags": "conflicting_tags",
        "eval_rubric/weights": "rubric_weights",
        "eval_rubric/thresholds": "min_total",
    },
    "persona": {
        "name": "name",
        "kind": "kind",
        "bio": "bio",
        "voice": "voice",
        "vocal_range": "vocal_range",
        "delivery": "delivery",
        "influences": "influences",
        "style_defaults": "style_defaults",
        "lyrics_defaults": "lyrics_defaults",
        "policy": "is_public_release",
    },
    "source": {
        "name": "name",
        "kind": "kind",
        "config": "config",
        "scopes": "scopes",
        "weight": "weight",
        "allow": "allow",
        "deny": "deny",
        "provenance": "has_provenance",
        "mcp_server_id": "mcp_server_id",
    },
    "style": {
        "genre_detail/primary": "genre",
        "genre_detail/subgenres": "sub_genres",
        "genre_detail/fusions": "fusions",
        "genre_detail": "genre",
        "tempo_bpm": "bpm_min",
        "time_signature": "time_signature",
        "key/primary": "key",
        "key/modulations": "modulations",
        "key": "key",
        "mood": "mood",
        "energy": "energy",
        "instrumentation": "instrumentation",
        "vocal_profile": "vocal_profile",
        "tags": "tags_positive",
        "negative_tags": "tags_negative",
    },
    "lyrics": {
        "language": "language",
        "pov": "pov",
        "tense": "tense",
        "themes": "themes",
        "rhyme_scheme": "rhyme_scheme",
        "meter": "meter",
        "syllables_per_line": "syllables_per_line",
        "hook_strategy": "hook_strategy",
        "repetition_policy": "repetition_policy",
        "imagery_density": "imagery_density",
        "reading_level": "reading_level",
        "section_order": "section_order",
        "constraints/explicit": "is_explicit_allowed",
        "constraints/max_lines": "max_lines",
        "constraints/section_requirements": "section_requirements",
        "constraints": "section_requirements",
        "source_citations": "source_citations",
        "sections": "sections",
    },
    "producer_notes": {
        "structure": "structure_string",
        "hooks": "hook_count",
        "instrumentation": "instrumentation_hints",
        "section_meta": "section_durations",
        "mix": "mix_targets",
    },
}


# Errors


def raise_document_errors(errors: list[Error], fields: dict[str, str]) -> None:
    """Raise the (pointer, message) pairs as a ValidationError keyed by the model fields the pointers point into."""
    if not errors:
        return
    by_field: dict[str, list[str]] = {}
    for pointer, message in errors:
        parts = pointer.strip("/").split("/")
        field = fields.get("/".join(parts[:2])) or fields.get(parts[0]) or "__all__"
        text = message if pointer.count("/") <= 1 or field == "__all__" and not pointer else f"{pointer}: {message}"
        by_field.setdefault(field, [])
        if text not in by_field[field]:
            by_field[field].append(text)
    raise ValidationError(by_field)


def json_shape_errors(instance, **shapes: type) -> dict[str, str]:
    """Errors for JSON fields whose value is not the expected JSON type (object or list)."""
    names = {dict: _("Enter a JSON object."), list: _("Enter a JSON list.")}
    return {name: names[shape] for name, shape in shapes.items() if not isinstance(getattr(instance, name), shape)}


def document_errors(name: str, document: dict, rule, **context) -> list[Error]:
    """Schema errors of an entity document; the rules run once the document has the schema's shape."""
    errors = schema_errors(name, document)
    return errors or rule(document, **context)


# Blueprint


def blueprint_to_document(blueprint) -> dict:
    """The blueprint as ``blueprint.schema.json`` describes it."""
    return {
        "genre": blueprint.genre,
        "version": blueprint.version,
        "rules": {
            "tempo_bpm": [blueprint.tempo_bpm_min, blueprint.tempo_bpm_max],
            "required_sections": list(blueprint.required_sections or []),
            "banned_terms": list(blueprint.banned_terms or []),
            "lexicon_positive": list(blueprint.lexicon_positive or []),
            "lexicon_negative": list(blueprint.lexicon_negative or []),
            "section_lines": blueprint.section_lines if blueprint.section_lines is not None else {},
            "conflicting_tags": blueprint.conflicting_tags if blueprint.conflicting_tags is not None else [],
        },
        "eval_rubric": {
            "weights": blueprint.rubric_weights if blueprint.rubric_weights is not None else {},
            "thresholds": {"min_total": blueprint.min_total, "max_profanity": blueprint.max_profanity},
        },
    }


# Persona


def persona_to_document(persona) -> dict:
    """The persona as ``persona.schema.json`` describes it (empty defaults left out)."""
    document = {
        "name": persona.name,
        "kind": persona.kind,
        "bio": persona.bio,
        "voice": persona.voice,
        "vocal_range": persona.vocal_range,
        "delivery": list(persona.delivery or []),
        "influences": list(persona.influences or []),
        "policy": {
            "public_release": persona.is_public_release,
            "disallow_named_style_of": persona.is_style_of_disallowed,
        },
    }
    if persona.style_defaults:
        document["style_defaults"] = persona.style_defaults
    if persona.lyrics_defaults:
        document["lyrics_defaults"] = persona.lyrics_defaults
    return document


# Source


def source_to_document(source) -> dict:
    """The source as ``source.schema.json`` (and the SDS's ``sources`` items) describe it."""
    return {
        "name": source.name,
        "kind": source.kind,
        "config": source.config if source.config is not None else {},
        "scopes": list(source.scopes or []),
        "weight": source.weight,
        "allow": list(source.allow or []),
        "deny": list(source.deny or []),
        "provenance": source.has_provenance,
        "mcp_server_id": source.mcp_server_id,
    }


def source_fields(document: dict) -> dict:
    """The model fields of a source document."""
    return {
        "name": document["name"],
        "kind": document["kind"],
        "config": document.get("config", {}),
        "scopes": document.get("scopes", []),
        "weight": document.get("weight", 0.5),
        "allow": document.get("allow", []),
        "deny": document.get("deny", []),
        "has_provenance": document.get("provenance", True),
        "mcp_server_id": document["mcp_server_id"],
    }


# Style


def style_to_document(style) -> dict:
    """The style as ``style.schema.json`` describes it; the tempo is always a [min, max] pair."""
    document = {
        "genre_detail": {
            "primary": style.genre,
            "subgenres": list(style.sub_genres or []),
            "fusions": list(style.fusions or []),
        },
        "tempo_bpm": [style.bpm_min, style.bpm_max],
        "time_signature": style.time_signature,
        "key": {"primary": style.key, "modulations": list(style.modulations or [])},
        "mood": list(style.mood or []),
        "instrumentation": list(style.instrumentation or []),
        "tags": list(style.tags_positive or []),
        "negative_tags": list(style.tags_negative or []),
    }
    if None in document["tempo_bpm"]:
        del document["tempo_bpm"]
    if style.energy:
        document["energy"] = style.energy
    if style.vocal_profile:
        document["vocal_profile"] = style.vocal_profile
    return document


def style_fields(document: dict) -> dict:
    """The model fields of a style document."""
    tempo = rules.tempo_range(document["tempo_bpm"])
    return {
        "genre": document["genre_detail"]["primary"],
        "sub_genres": document["genre_detail"].get("subgenres", []),
        "fusions": document["genre_detail"].get("fusions", []),
        "bpm_min": tempo[0],
        "bpm_max": tempo[1],
        "time_signature": document.get("time_signature", "4/4"),
        "key": document["key"]["primary"],
        "modulations": document["key"].get("modulations", []),
        "mood": document["mood"],
        "energy": document.get("energy", ""),
        "instrumentation": document.get("instrumentation", []),
        "vocal_profile": document.get("vocal_profile", ""),
        "tags_positive": document["tags"],
        "tags_negative": document.get("negative_tags", []),
    }


# Lyrics


def lyrics_to_document(lyrics) -> dict:
    """The lyrics as ``lyrics.schema.json`` describes them (unset optional values left out)."""
    constraints: dict = {"explicit": lyrics.is_explicit_allowed}
    if lyrics.max_lines is not None:
        constraints["max_lines"] = lyrics.max_lines
    if lyrics.section_requirements:
        constraints["section_requirements"] = lyrics.section_requirements
    document = {
        "language": lyrics.language,
        "themes": list(lyrics.themes or []),
        "section_order": list(lyrics.section_order or []),
        "constraints": constraints,
        "source_citations": lyrics.source_citations if lyrics.source_citations is not None else [],
    }
    for key in ("pov", "tense", "rhyme_scheme", "meter", "hook_strategy", "repetition_policy", "reading_level"):
        if getattr(lyrics, key):
            document[key] = getattr(lyrics, key)
    for key in ("syllables_per_line", "imagery_density"):
        if getattr(lyrics, key) is not None:
            document[key] = getattr(lyrics, key)
    return document


def lyrics_fields(document: dict) -> dict:
    """The model fields of a lyrics document."""
    constraints = document.get("constraints", {})
    return {
        "language": document.get("language", "en"),
        "pov": document.get("pov", ""),
        "tense": document.get("tense", ""),
        "themes": document.get("themes", []),
        "rhyme_scheme": document.get("rhyme_scheme", ""),
        "meter": document.get("meter", ""),
        "syllables_per_line": document.get("syllables_per_line"),
        "hook_strategy": document.get("hook_strategy", ""),
        "repetition_policy": document.get("repetition_policy", ""),
        "imagery_density": document.get("imagery_density"),
        "reading_level": document.get("reading_level", ""),
        "section_order": document["section_order"],
        "is_explicit_allowed": constraints.get("explicit", False),
        "max_lines": constraints.get("max_lines"),
        "section_requirements": constraints.get("section_requirements", {}),
        "source_citations": document.get("source_citations", []),
    }


# Producer notes


def producer_notes_to_document(notes) -> dict:
    """The notes as ``producer_notes.schema.json`` describes them: tags and durations merge into section_meta."""
    structure = notes.structure_string or "–".join(notes.structure or [])
    document: dict = {
        "structure": structure,
        "hooks": notes.hook_count,
        "instrumentation": list(notes.instrumentation_hints or []),
    }
    meta: dict = {}
    for section, tags in (notes.section_tags or {}).items():
        meta.setdefault(section, {})["tags"] = tags
    for section, seconds in (notes.section_durations or {}).items():
        meta.setdefault(section, {})["target_duration_sec"] = seconds
    if meta:
        document["section_meta"] = meta
    if notes.mix_targets:
        document["mix"] = notes.mix_targets
    return document


def producer_notes_fields(document: dict) -> dict:
    """The model fields of a producer notes document."""
    meta = document.get("section_meta", {})
    return {
        "structure_string": document["structure"],
        "structure": rules.split_structure(document["structure"]),
        "hook_count": document["hooks"],
        "instrumentation_hints": document.get("instrumentation", []),
        "section_tags": {name: value["tags"] for name, value in meta.items() if "tags" in value},
        "section_durations": {
            name: value["target_duration_sec"] for name, value in meta.items() if "target_duration_sec" in value
        },
        "mix_targets": document.get("mix", {}),
    }
