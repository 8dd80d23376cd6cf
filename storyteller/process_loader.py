"""Load a process definition from a JSON document (``storyteller/schemas/process.schema.json``).

Idempotent: every row is found by its natural key (version name; node, section and prompt keys within
the version; pack names; scope keys) and updated in place, so loading the same document twice
changes nothing and loading an edited one updates what changed. Nothing is deleted. The whole load is
one transaction; a document that fails the schema or a model rule loads nothing.

A version some session started on is never edited in place (``rules.process_version_in_use``): loading
a changed document for it makes a new version, named ``<name>-r2``, ``-r3``, ... (the latest revision
of the name is the one compared, so loading the same changed document again makes nothing new), and
activates it when the document says so; sessions keep the version they started on.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from jsonschema import Draft202012Validator

from storyteller import rules, services
from storyteller.models import (
    ProcessCommitment,
    ProcessFlowEdge,
    ProcessNode,
    ProcessNodeType,
    ProcessPrompt,
    ProcessSection,
    ProcessVersion,
    PromptPackPrompt,
    PromptPackTemplate,
    ScopeType,
    SectionPrompt,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
DEFAULT_PROCESS = SCHEMA_DIR / "everbound.process.json"


@functools.cache
def process_validator() -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "process.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def process_schema_errors(document) -> list[str]:
    errors = sorted(process_validator().iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{error.json_path}: {error.message}" for error in errors]


def _upsert(model: type[models.Model], keys: dict, values: dict) -> tuple[models.Model, bool]:
    """Find by ``keys``, set ``values``; save (with full_clean) only when something changed."""
    obj = model._default_manager.filter(**keys).first()
    created = obj is None
    if created:
        obj = model(**keys)
    changed = created
    for name, value in values.items():
        field = model._meta.get_field(name)
        current = getattr(obj, field.attname) if field.is_relation else getattr(obj, name)
        if current != (value.pk if field.is_relation and value is not None else value):
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.full_clean()
        obj.save()
    return obj, changed


def _codes(error: ValidationError) -> set:
    if hasattr(error, "error_dict"):
        return {item.code for items in error.error_dict.values() for item in items}
    return {item.code for item in error.error_list}


def latest_revision(name: str) -> ProcessVersion | None:
    """The newest version loaded under ``name``: ``name`` itself or its latest ``name-rN``."""
    versions = ProcessVersion.objects.filter(
        models.Q(version_name=name) | models.Q(version_name__startswith=f"{name}-r")
    )
    numbered = {}
    for version in versions:
        suffix = version.version_name.removeprefix(name).removeprefix("-r")
        if version.version_name == name:
            numbered[1] = version
        elif suffix.isdigit():
            numbered[int(suffix)] = version
    return numbered[max(numbered)] if numbered else None


@transaction.atomic
def process_load(document: dict) -> dict[str, int]:
    """Load ``document``; return how many rows were created or changed per kind. A changed document for a
    version in use becomes a new version (the module's docstring)."""
    errors = process_schema_errors(document)
    if errors:
        raise ValidationError(errors)
    name = document["version"]["version_name"]
    latest = latest_revision(name)
    if latest is not None and latest.version_name != name:
        document = {**document, "version": {**document["version"], "version_name": latest.version_name}}
    if latest is None or not rules.process_version_in_use(latest.pk):
        return _load(document)
    try:
        with transaction.atomic():
            return _load(document)
    except ValidationError as error:
        if "version_in_use" not in _codes(error):
            raise
    taken = latest.version_name.removeprefix(name).removeprefix("-r")
    number = int(taken) + 1 if taken.isdigit() else 2
    revised = {**document, "version": {**document["version"], "version_name": f"{name}-r{number}"}}
    return _load(revised)


def _load(document: dict) -> dict[str, int]:
    counts: dict[str, int] = {}

    def count(kind, changed):
        counts[kind] = counts.get(kind, 0) + int(changed)

    spec = document["version"]
    version, changed = _upsert(
        ProcessVersion, {"version_name": spec["version_name"]}, {"description": spec.get("description", "")}
    )
    count("versions", changed)
    for item in document.get("commitments", []):
        count(
            "commitments",
            _upsert(
                ProcessCommitment,
                {"process_version": version, "order_index": item["order_index"]},
                {"title": item["title"], "description": item["description"]},
            )[1],
        )
    types = {}
    for item in document.get("node_types", []):
        values = {key: value for key, value in item.items() if key != "type_name"}
        types[item["type_name"]], changed = _upsert(ProcessNodeType, {"type_name": item["type_name"]}, values)
        count("node_types", changed)
    nodes, prompts = {}, {}
    for item in document["nodes"]:
        values = {key: value for key, value in item.items() if key not in ("node_key", "node_type", "prompts")}
        node_type = types.get(item["node_type"]) or ProcessNodeType.objects.get(type_name=item["node_type"])
        node, changed = _upsert(
            ProcessNode, {"process_version": version, "node_key": item["node_key"]}, {**values, "node_type": node_type}
        )
        nodes[item["node_key"]] = node
        count("nodes", changed)
        for prompt in item.get("prompts", []):
            values = {key: value for key, value in prompt.items() if key != "prompt_key"}
            prompts[(item["node_key"], prompt["prompt_key"])], changed = _upsert(
                ProcessPrompt, {"process_node": node, "prompt_key": prompt["prompt_key"]}, values
            )
            count("prompts", changed)
    for item in document.get("edges", []):
        values = {key: value for key, value in item.items() if key not in ("from", "to", "edge_label")}
        count(
            "edges",
            _upsert(
                ProcessFlowEdge,
                {
                    "from_node": nodes[item["from"]],
                    "to_node": nodes[item["to"]],
                    "edge_label": item.get("edge_label", ""),
                },
                {**values, "process_version": version},
            )[1],
        )
    sections = {}
    for item in document.get("sections", []):
        values = {key: value for key, value in item.items() if key not in ("section_key", "unlock_after", "prompts")}
        sections[item["section_key"]], changed = _upsert(
            ProcessSection, {"process_version": version, "section_key": item["section_key"]}, values
        )
        count("sections", changed)
    for item in document.get("sections", []):
        section = sections[item["section_key"]]
        after = sections.get(item.get("unlock_after")) if item.get("unlock_after") else None
        count("sections", _upsert(ProcessSection, {"pk": section.pk}, {"unlock_after_section": after})[1])
        for link in item.get("prompts", []):
            count(
                "section_prompts",
                _upsert(
                    SectionPrompt,
                    {"section": section, "process_prompt": prompts[(link["node"], link["prompt_key"])]},
                    {"order_index": link.get("order_index")},
                )[1],
            )
    for item in document.get("prompt_packs", []):
        values = {key: value for key, value in item.items() if key not in ("template_name", "prompts")}
        pack, changed = _upsert(PromptPackTemplate, {"template_name": item["template_name"]}, values)
        count("prompt_packs", changed)
        for prompt in item.get("prompts", []):
            values = {key: value for key, value in prompt.items() if key != "prompt_key"}
            count(
                "prompts",
                _upsert(PromptPackPrompt, {"prompt_pack": pack, "prompt_key": prompt["prompt_key"]}, values)[1],
            )
    for item in document.get("scope_types", []):
        values = {key: value for key, value in item.items() if key != "scope_key"}
        count(
            "scope_types",
            _upsert(ScopeType, {"scope_key": item["scope_key"]}, {**values, "process_version": version})[1],
        )
    if spec.get("is_active") and not version.is_active:
        services.process_version_activate(version=version)
        count("versions", True)
    return counts


def process_load_file(path: str | Path = DEFAULT_PROCESS) -> dict[str, int]:
    return process_load(json.loads(Path(path).read_text()))
