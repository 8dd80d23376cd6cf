"""Optional in the schema means optional in fact: a model field with an empty default (``default=list``, ``dict``
or ``""``) is documented by the OpenAPI schema as optional with that default, so omitting it must not be a 400.
Model validation refuses an empty value of a field that is not ``blank=True``, so every such field of every
installed app must be ``blank=True`` (the walk covers apps that land later without touching this file)."""

from __future__ import annotations

from django.apps import apps

#: third-party models this project does not own
NOT_OURS = {"pghistory"}
#: fields still to fix, with why they are not fixed yet (remove an entry with its fix)
PENDING = {
    "storyteller.ArchetypeAnalysis.candidate_archetypes": "needs blank=True and a storyteller migration, while "
    "another storyteller migration is in progress",
}


def empty_default_fields_that_refuse_empty() -> list[str]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label in NOT_OURS:
            continue
        for field in model._meta.concrete_fields:
            if field.editable and not field.blank and field.has_default() and field.get_default() in ([], {}, ""):
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_a_field_with_an_empty_default_accepts_being_left_out():
    offenders = sorted(set(empty_default_fields_that_refuse_empty()) - set(PENDING))
    assert not offenders, (
        "these fields default to an empty value that their own validation refuses (omitting them, as the schema "
        "allows, is a 400): add blank=True:\n" + "\n".join(offenders)
    )


def test_pending_entries_are_still_offenders():
    """An entry fixed meanwhile leaves the list, so that the list stays true."""
    assert set(PENDING) <= set(empty_default_fields_that_refuse_empty())
