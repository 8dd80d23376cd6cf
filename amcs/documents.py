"""The AMCS document mapping: each entity to and from its JSON document (the shapes of ``amcs/schemas``).

One place knows how a row becomes a document (``<kind>_to_document``), which model fields a
document holds (``<kind>_fields``), which model field a JSON pointer of the document lands on
(``FIELDS``), how a document is checked in one pass (``check``: schema errors, and the rules of
the parts that are schema-valid, split into errors and warnings by ``amcs.rules.RULES``) and how
errors become a ``ValidationError`` keyed by model field (``raise_document_errors``).

Round trip: a row imported from a document remembers the document's form (``document_form``:
which optional keys it wrote, an integer tempo), so its export has the same keys in the same form;
a row made here exports the canonical form. Nothing here queries the database.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amcs import rules
from amcs.validation import pointer as make_pointer
from amcs.validation import schema_errors, schemas

Error = tuple[str, str]

#: The entity kinds with a document, in the order an import must create them (dependencies first).
KINDS = ("blueprint", "source", "persona", "style", "sds", "lyrics", "producer_notes")

#: Per entity, the model field a document pointer (its first one or two keys) lands on.
FIELDS: dict[str, dict[str, str]] = {
    "blueprint": {
        "id": "external_ref",
        "genre": "genre",
        "version": "version",
        "rules/tempo_bpm": "tempo_bpm_min",
        "rules/required_sections": "required_sections",
        "rules/banned_terms": "banned_terms",
        "rules/lexicon_positive": "lexicon_positive",
        "rules/lexicon_negative": "lexicon_negative",
        "rules/section_lines": "section_lines",
        "rules/conflicting_tags": "conflicting_tags",
        "rules": "rules_extra",
        "eval_rubric/weights": "rubric_weights",
        "eval_rubric/thresholds": "min_total",
        "eval_rubric": "rubric_weights",
        "conflict_matrix": "conflict_matrix",
        "tag_categories": "tag_categories",
        "extra_metadata": "extra_metadata",
    },
    "persona": {
        "id": "external_ref",
        "name": "name",
        "kind": "kind",
        "bio": "bio",
        "voice": "voice",
        "vocal_range": "vocal_range",
        "delivery": "delivery",
        "influences": "influences",
        "style_defaults": "style_defaults",
        "lyrics_defaults": "lyrics_defaults",
        "policy/public_release": "is_public_release",
        "policy/disallow_named_style_of": "is_style_of_disallowed",
        "policy": "is_public_release",
        "extra_metadata": "extra_metadata",
    },
    "source": {
        "id": "external_ref",
        "name": "name",
        "kind": "kind",
        "config": "config",
        "scopes": "scopes",
        "weight": "weight",
        "allow": "allow",
        "deny": "deny",
        "provenance": "has_provenance",
        "mcp_server_id": "mcp_server_id",
        "extra_metadata": "extra_metadata",
    },
    "style": {
        "id": "external_ref",
        "name": "name",
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
        "energy_level": "energy_level",
        "instrumentation": "instrumentation",
        "vocal_profile": "vocal_profile",
        "tags": "tags_positive",
        "negative_tags": "tags_negative",
        "extra_metadata": "extra_metadata",
    },
    "lyrics": {
        "id": "external_ref",
        "language": "language",
        "pov": "pov",
        "tense": "tense",
        "themes": "themes",
        "rhyme_scheme": "rhyme_scheme",
        "meter": "meter",
        "syllables_per_line": "syllables_per_line",
        "hook_strategy": "hook_strategy",
        "repetition_policy": "repetition_policy",
        "repetition_rules": "repetition_rules",
        "imagery_density": "imagery_density",
        "reading_level": "reading_level",
        "section_order": "section_order",
        "constraints/explicit": "is_explicit_allowed",
        "constraints/max_lines": "max_lines",
        "constraints/section_requirements": "section_requirements",
        "constraints": "section_requirements",
        "source_citations": "source_citations",
        "sections": "sections",
        "extra_metadata": "extra_metadata",
    },
    "producer_notes": {
        "id": "external_ref",
        "structure": "structure_string",
        "hooks": "hook_count",
        "instrumentation": "instrumentation_hints",
        "section_meta": "section_durations",
        "mix": "mix_targets",
        "arrangement_notes": "arrangement_notes",
        "extra_metadata": "extra_metadata",
    },
}

#: Keys the canonical export (a row made in this system) leaves out when they hold nothing.
CANONICAL_OPTIONAL: dict[str, set[str]] = {
    "blueprint": {"/conflict_matrix", "/tag_categories", "/rules/conflicting_tags"},
    "persona": {"/style_defaults", "/lyrics_defaults"},
    "source": set(),
    "style": {"/energy", "/energy_level", "/vocal_profile", "/tempo_bpm"},
    "lyrics": {
        "/pov",
        "/tense",
        "/rhyme_scheme",
        "/meter",
        "/hook_strategy",
        "/repetition_policy",
        "/reading_level",
        "/syllables_per_line",
        "/imagery_density",
        "/constraints/max_lines",
        "/constraints/section_requirements",
        "/sections",
        "/repetition_rules",
    },
    "producer_notes": {"/section_meta", "/mix", "/arrangement_notes"},
}
#: Left out of every canonical export when empty.
ALWAYS_OPTIONAL = {"/id", "/extra_metadata"}
BLANK = (None, "", [], {})


# Checking


class Report(NamedTuple):
    """What a check found: errors block a save or an import, warnings are stored with the row."""

    errors: list[Error]
    warnings: list[Error]

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": not self.errors,
            "errors": [{"pointer": p or "/", "message": m} for p, m in self.errors],
            "warnings": [{"pointer": p or "/", "message": m} for p, m in self.warnings],
        }


def _without_invalid_parts(document, errors: list[Error]):
    """A copy of the document without the parts the schema errors point into (so the rules see valid parts only)."""
    if not isinstance(document, dict):
        return {}
    pruned = copy.deepcopy(document)
    for pointer, _message in errors:
        parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.strip("/").split("/") if part]
        if len(parts) >= 2 and isinstance(pruned.get(parts[0]), dict):
            pruned[parts[0]].pop(parts[1], None)
        elif parts:
            pruned.pop(parts[0], None)
    return pruned


NUL_TEXT = "Text may not contain NUL characters (\\u0000)."


def nul_errors(value, path: str = "") -> list[Error]:
    """Pointers of texts (and object keys) holding a NUL character, which the database cannot store."""
    found: list[Error] = []
    if isinstance(value, str):
        if "\x00" in value:
            found.append((path, NUL_TEXT))
    elif isinstance(value, dict):
        for key, item in value.items():
            pointer = path + make_pointer([key])
            if isinstance(key, str) and "\x00" in key:
                found.append((pointer, NUL_TEXT))
            else:
                found += nul_errors(item, pointer)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += nul_errors(item, f"{path}/{index}")
    return found


def check(kind: str, document, **context) -> Report:
    """Schema errors and the rules' errors and warnings of one entity document, in one pass.

    ``context`` goes to the rule function (``blueprint=``, ``sections=``, ``target_duration_sec=``...).
    """
    errors = schema_errors(kind, document) + nul_errors(document)
    rule = getattr(rules, f"{kind}_issues")
    issues = rule(_without_invalid_parts(document, errors), **context)
    found = set(errors) | set(rules.errors_of(issues))
    return Report(sorted(found), sorted(set(rules.warnings_of(issues))))


def raise_document_errors(
    errors: list[Error], fields: dict[str, str], skip: set[str] | frozenset = frozenset()
) -> None:
    """Raise the (pointer, message) pairs as a ValidationError keyed by the model fields the pointers point into.

    Fields in ``skip`` already have an error of their own (from the model field): one message per problem.
    """
    by_field: dict[str, list[str]] = {}
    for pointer, message in errors:
        parts = pointer.strip("/").split("/")
        key = "/".join(parts[:2]) if "/".join(parts[:2]) in fields else parts[0]
        field = fields.get(key) or "__all__"
        if field in skip:
            continue
        # the field names the place; a pointer deeper than the field's own key says where inside it
        text = message if pointer.strip("/") == key or not pointer else f"{pointer}: {message}"
        by_field.setdefault(field, [])
        if text not in by_field[field]:
            by_field[field].append(text)
    if by_field:
        raise ValidationError(by_field)


def json_shape_errors(instance, **shapes: type) -> dict[str, str]:
    """Errors for JSON fields whose value is not the expected JSON type (object or list)."""
    names = {dict: _("Enter a JSON object."), list: _("Enter a JSON list.")}
    return {name: names[shape] for name, shape in shapes.items() if not isinstance(getattr(instance, name), shape)}


def as_json(errors: list[Error]) -> list[dict[str, str]]:
    return [{"pointer": p or "/", "message": m} for p, m in errors]


# Form: which optional keys a document wrote


def form_of(document: dict, **extra) -> dict:
    """What an imported document's export must repeat: the pointers of the object keys it wrote."""
    keys: list[str] = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                keys.append(make_pointer([*path, key]))
                walk(item, [*path, key])

    walk(document, [])
    return {"keys": keys, **extra}


def _schema_default(kind: str, pointer: str):
    schema = schemas()[kind]
    for part in pointer.strip("/").split("/"):
        schema = schema.get("properties", {}).get(part)
        if not isinstance(schema, dict):
            return None
    return copy.deepcopy(schema.get("default"))


def finish(kind: str, document: dict, form: dict | None) -> dict:
    """Leave out what the document's form did not write (when the row came from a document), or the empty
    optional keys of the canonical form (when it did not)."""
    keys = set(form["keys"]) if form and "keys" in form else None
    optional = CANONICAL_OPTIONAL.get(kind, set()) | ALWAYS_OPTIONAL

    def walk(value: dict, path: list) -> None:
        for key in list(value):
            pointer = make_pointer([*path, key])
            item = value[key]
            if keys is None:
                if pointer in optional and item in BLANK:
                    del value[key]
                    continue
            elif pointer not in keys and (item in BLANK or item == _schema_default(kind, pointer)):
                del value[key]
                continue
            if isinstance(item, dict) and kind != "sds":
                walk(item, [*path, key])

    walk(document, [])
    return document


def _common(row) -> dict:
    return {"id": row.external_ref, "extra_metadata": row.extra_metadata if row.extra_metadata is not None else {}}


def _common_fields(document: dict) -> dict:
    return {
        "external_ref": document.get("id", ""),
        "extra_metadata": document.get("extra_metadata", {}),
        "document_form": form_of(document),
    }


# Blueprint

BLUEPRINT_RULE_KEYS = (
    "tempo_bpm",
    "required_sections",
    "banned_terms",
    "lexicon_positive",
    "lexicon_negative",
    "section_lines",
    "conflicting_tags",
)


def blueprint_to_document(blueprint) -> dict:
    """The blueprint as ``blueprint.schema.json`` describes it (the reference's shape)."""
    document = {
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
            **(blueprint.rules_extra if isinstance(blueprint.rules_extra, dict) else {}),
        },
        "eval_rubric": {
            "weights": blueprint.rubric_weights if blueprint.rubric_weights is not None else {},
            "thresholds": {"min_total": blueprint.min_total, "max_profanity": blueprint.max_profanity},
        },
        "conflict_matrix": blueprint.conflict_matrix if blueprint.conflict_matrix is not None else {},
        "tag_categories": blueprint.tag_categories if blueprint.tag_categories is not None else {},
        **_common(blueprint),
    }
    return finish("blueprint", document, blueprint.document_form)


def blueprint_fields(document: dict) -> dict:
    """The model fields of a blueprint document (rubric weights and thresholds default as the PRD's seeder)."""
    from amcs.constants import DEFAULT_RUBRIC_WEIGHTS

    rule_set = document["rules"]
    tempo = rule_set["tempo_bpm"]
    rubric = document.get("eval_rubric", {})
    thresholds = rubric.get("thresholds", {})
    return {
        "genre": document["genre"],
        "version": document["version"],
        "tempo_bpm_min": tempo[0],
        "tempo_bpm_max": tempo[1],
        "required_sections": rule_set.get("required_sections", []),
        "banned_terms": rule_set.get("banned_terms", []),
        "lexicon_positive": rule_set.get("lexicon_positive", []),
        "lexicon_negative": rule_set.get("lexicon_negative", []),
        "section_lines": rule_set.get("section_lines", {}),
        "conflicting_tags": rule_set.get("conflicting_tags", []),
        "rules_extra": {key: value for key, value in rule_set.items() if key not in BLUEPRINT_RULE_KEYS},
        "rubric_weights": rubric.get("weights", dict(DEFAULT_RUBRIC_WEIGHTS)),
        "min_total": thresholds.get("min_total", 0.75),
        "max_profanity": thresholds.get("max_profanity", 0.1),
        "conflict_matrix": document.get("conflict_matrix", {}),
        "tag_categories": document.get("tag_categories", {}),
        **_common_fields(document),
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
        "style_defaults": persona.style_defaults if persona.style_defaults is not None else {},
        "lyrics_defaults": persona.lyrics_defaults if persona.lyrics_defaults is not None else {},
        "policy": {
            "public_release": persona.is_public_release,
            "disallow_named_style_of": persona.is_style_of_disallowed,
        },
        **_common(persona),
    }
    return finish("persona", document, persona.document_form)


def persona_fields(document: dict) -> dict:
    """The model fields of a persona document; the policy flags keep their meaning (true stays true)."""
    policy = document.get("policy", {})
    return {
        "name": document["name"],
        "kind": document["kind"],
        "bio": document.get("bio", ""),
        "voice": document.get("voice", ""),
        "vocal_range": document.get("vocal_range", ""),
        "delivery": document.get("delivery", []),
        "influences": document.get("influences", []),
        "style_defaults": document.get("style_defaults", {}),
        "lyrics_defaults": document.get("lyrics_defaults", {}),
        "is_public_release": policy.get("public_release", False),
        "is_style_of_disallowed": policy.get("disallow_named_style_of", True),
        **_common_fields(document),
    }


# Source


def source_to_document(source) -> dict:
    """The source as ``source.schema.json`` (and the SDS's ``sources`` items) describe it."""
    document = {
        "name": source.name,
        "kind": source.kind,
        "config": source.config if source.config is not None else {},
        "scopes": list(source.scopes or []),
        "weight": source.weight,
        "allow": list(source.allow or []),
        "deny": list(source.deny or []),
        "provenance": source.has_provenance,
        "mcp_server_id": source.mcp_server_id,
        **_common(source),
    }
    return finish("source", document, source.document_form)


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
        **_common_fields(document),
    }


# Style


def style_to_document(style, *, with_name: bool = True) -> dict:
    """The style as ``style.schema.json`` describes it; the tempo is a [min, max] pair, or the integer it was
    imported as. ``with_name=False`` for the SDS's style (the song's title names it)."""
    form = style.document_form or {}
    tempo: Any = [style.bpm_min, style.bpm_max]
    if form.get("tempo") == "int" and style.bpm_min == style.bpm_max:
        tempo = style.bpm_min
    document = {
        "name": style.name,
        "genre_detail": {
            "primary": style.genre,
            "subgenres": list(style.sub_genres or []),
            "fusions": list(style.fusions or []),
        },
        "tempo_bpm": None if None in (style.bpm_min, style.bpm_max) else tempo,
        "time_signature": style.time_signature,
        "key": {"primary": style.key, "modulations": list(style.modulations or [])},
        "mood": list(style.mood or []),
        "energy": style.energy,
        "energy_level": style.energy_level,
        "instrumentation": list(style.instrumentation or []),
        "vocal_profile": style.vocal_profile,
        "tags": list(style.tags_positive or []),
        "negative_tags": list(style.tags_negative or []),
        **_common(style),
    }
    if document["tempo_bpm"] is None:
        del document["tempo_bpm"]
    if not with_name and "/name" not in form.get("keys", []):
        del document["name"]
    return finish("style", document, style.document_form)


def style_fields(document: dict) -> dict:
    """The model fields of a style document (an integer tempo is remembered in the form)."""
    tempo = rules.tempo_range(document["tempo_bpm"])
    fields = {
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
        "energy_level": document.get("energy_level"),
        "instrumentation": document.get("instrumentation", []),
        "vocal_profile": document.get("vocal_profile", ""),
        "tags_positive": document["tags"],
        "tags_negative": document.get("negative_tags", []),
        **_common_fields(document),
    }
    if "name" in document:
        fields["name"] = document["name"]
    if isinstance(document["tempo_bpm"], int):
        fields["document_form"]["tempo"] = "int"
    return fields


# Lyrics


def lyrics_to_document(lyrics) -> dict:
    """The lyrics as ``lyrics.schema.json`` describes them (unset optional values left out)."""
    constraints: dict = {
        "explicit": lyrics.is_explicit_allowed,
        "max_lines": lyrics.max_lines,
        "section_requirements": lyrics.section_requirements if lyrics.section_requirements is not None else {},
    }
    document = {
        "language": lyrics.language,
        "pov": lyrics.pov,
        "tense": lyrics.tense,
        "themes": list(lyrics.themes or []),
        "rhyme_scheme": lyrics.rhyme_scheme,
        "meter": lyrics.meter,
        "syllables_per_line": lyrics.syllables_per_line,
        "hook_strategy": lyrics.hook_strategy,
        "repetition_policy": lyrics.repetition_policy,
        "repetition_rules": lyrics.repetition_rules if lyrics.repetition_rules is not None else {},
        "imagery_density": lyrics.imagery_density,
        "reading_level": lyrics.reading_level,
        "section_order": list(lyrics.section_order or []),
        "constraints": constraints,
        "source_citations": lyrics.source_citations if lyrics.source_citations is not None else [],
        "sections": lyrics.sections if lyrics.sections is not None else [],
        **_common(lyrics),
    }
    if constraints["max_lines"] is None:
        del constraints["max_lines"]
    for key in ("syllables_per_line", "imagery_density"):
        if document[key] is None:
            del document[key]
    return finish("lyrics", document, lyrics.document_form)


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
        "repetition_rules": document.get("repetition_rules", {}),
        "imagery_density": document.get("imagery_density"),
        "reading_level": document.get("reading_level", ""),
        "section_order": document["section_order"],
        "is_explicit_allowed": constraints.get("explicit", False),
        "max_lines": constraints.get("max_lines"),
        "section_requirements": constraints.get("section_requirements", {}),
        "source_citations": document.get("source_citations", []),
        "sections": document.get("sections", []),
        **_common_fields(document),
    }


# Producer notes


def producer_notes_to_document(notes) -> dict:
    """The notes as ``producer_notes.schema.json`` describes them: tags and durations merge into section_meta
    (in the order the document gave, when it came from one)."""
    structure = notes.structure_string or "–".join(notes.structure or [])
    meta: dict = {}
    for section in (notes.document_form or {}).get("meta_order", []):
        meta[section] = {}
    for section, tags in (notes.section_tags or {}).items():
        meta.setdefault(section, {})["tags"] = tags
    for section, seconds in (notes.section_durations or {}).items():
        meta.setdefault(section, {})["target_duration_sec"] = seconds
    document: dict = {
        "structure": structure,
        "hooks": notes.hook_count,
        "instrumentation": list(notes.instrumentation_hints or []),
        "section_meta": meta,
        "mix": notes.mix_targets if notes.mix_targets is not None else {},
        "arrangement_notes": notes.arrangement_notes,
        **_common(notes),
    }
    return finish("producer_notes", document, notes.document_form)


def producer_notes_fields(document: dict) -> dict:
    """The model fields of a producer notes document."""
    meta = document.get("section_meta", {})
    fields = {
        "structure_string": document["structure"],
        "structure": rules.split_structure(document["structure"]),
        "hook_count": document["hooks"],
        "instrumentation_hints": document.get("instrumentation", []),
        "section_tags": {name: value["tags"] for name, value in meta.items() if "tags" in value},
        "section_durations": {
            name: value["target_duration_sec"] for name, value in meta.items() if "target_duration_sec" in value
        },
        "mix_targets": document.get("mix", {}),
        "arrangement_notes": document.get("arrangement_notes", ""),
        **_common_fields(document),
    }
    fields["document_form"]["meta_order"] = list(meta)
    return fields


TO_DOCUMENT = {
    "blueprint": blueprint_to_document,
    "persona": persona_to_document,
    "source": source_to_document,
    "style": style_to_document,
    "lyrics": lyrics_to_document,
    "producer_notes": producer_notes_to_document,
}
FROM_DOCUMENT = {
    "blueprint": blueprint_fields,
    "persona": persona_fields,
    "source": source_fields,
    "style": style_fields,
    "lyrics": lyrics_fields,
    "producer_notes": producer_notes_fields,
}


# SDS


def song_to_sds(song, *, lyrics, notes, sources: list) -> dict:
    """The song's SDS document from its parts (sources in the order the song's document gave them)."""
    form = song.document_form or {}
    order = {source_id: index for index, source_id in enumerate(form.get("sources", []))}
    ordered = sorted(sources, key=lambda source: (order.get(str(source.pk), len(order)), source.name.lower()))
    document = {
        "id": song.external_ref,
        "title": song.title,
        "blueprint_ref": {"genre": song.blueprint.genre, "version": song.blueprint.version},
        "style": style_to_document(song.style, with_name=False),
        "lyrics": lyrics_to_document(lyrics),
        "producer_notes": producer_notes_to_document(notes),
        "persona_id": str(song.persona_id) if song.persona_id else None,
        "sources": [source_to_document(source) for source in ordered],
        "prompt_controls": {
            "positive_tags": list(song.positive_tags),
            "negative_tags": list(song.negative_tags),
            "max_style_chars": song.max_style_chars,
            "max_prompt_chars": song.max_prompt_chars,
        },
        "render": {
            "engine": song.render_engine,
            "model": song.render_model or None,
            "num_variations": song.render_num_variations,
        },
        "seed": song.global_seed,
    }
    if form.get("song_id"):
        document["song_id"] = form["song_id"]
    if "/version" in form.get("keys", []):
        document["version"] = song.sds_version
    if not song.external_ref:
        del document["id"]
    keys = form.get("keys")
    if keys is not None:
        for part in ("prompt_controls", "render"):
            for key in list(document[part]):
                pointer = f"/{part}/{key}"
                if pointer not in keys and document[part][key] == _schema_default("sds", pointer):
                    del document[part][key]
        if "/persona_id" not in keys and document["persona_id"] is None:
            del document["persona_id"]
        if "/render/model" not in keys and document["render"].get("model", "") is None:
            del document["render"]["model"]
    return document


def sds_form(document: dict, source_ids: list[str]) -> dict:
    """What a song keeps of its SDS to export it in the same form: its root keys, the seed plan's song id and
    the order of its sources."""
    keys = [f"/{key}" for key in document]
    for part in ("prompt_controls", "render"):
        keys += [f"/{part}/{key}" for key in document.get(part, {})]
    form: dict = {"keys": keys, "sources": source_ids}
    if document.get("song_id"):
        form["song_id"] = document["song_id"]
    return form
