"""The path to a distributed PostgreSQL (docs/scaling.md): every unique constraint of a distributed table includes
the column its rows follow to their distribution key, or is listed here with the reason it does not yet.

A private model's distribution key is the root of its ``access_path`` (a tenant, a project, a club, a member, a
storyteller's owner); a group model (a tenant, a club, a project) is distributed by its own key. The column a
row follows is the first step of that path, so a unique constraint that names it is checked by one node.
"""

import pytest
from django.apps import apps
from django.db import models

from core.models import GroupModel

APPS = ("core", "catalog", "amcs", "audio_vcs", "club", "storyteller")

#: (model label, constraint name) -> why the constraint leaves out the distribution column today
WITHOUT_KEY = {
    ("core.Tenant", "slug"): "a tenant's slug is unique across tenants (tenants are a reference table)",
    ("club.Club", "slug"): "a club's slug is unique across clubs (clubs are a reference table)",
    ("audio_vcs.Project", "audio_vcs_project_owner_name_unique"): "a name is unique per owner, across projects",
    ("audio_vcs.Commit", "content_hash"): "a commit's content hash identifies it across projects",
    ("amcs.Lyrics", "amcs_lyrics_song_unique"): "one per song; the song carries the tenant",
    ("amcs.ProducerNotes", "amcs_producernotes_song_unique"): "one per song; the song carries the tenant",
    ("amcs.WorkflowRun", "run_id"): "a run's public id, unique across tenants",
    ("amcs.WorkflowEvent", "amcs_workflowevent_sequence_unique"): "ordered within a run, which carries the tenant",
    ("amcs.WorkflowStep", "amcs_workflowstep_sequence_unique"): "ordered within a run, which carries the tenant",
    ("amcs.WorkflowRun", "amcs_workflowrun_one_running_per_song"): "one running run per song, which carries the tenant",
    ("audio_vcs.Approval", "audio_vcs_approval_open_commit_unique"): "one open review per reviewer and commit",
    (
        "audio_vcs.Approval",
        "audio_vcs_approval_open_composition_unique",
    ): "one open review per reviewer and composition",
    ("club.LinkedAccount", "club_linkedaccount_provider_user_unique"): "a provider account links one member only",
    ("club.Vote", "club_vote_one_per_nomination"): "one per member and nomination; the nomination carries the week",
    ("storyteller.CharacterRelationship", "storyteller_characterrelationship_pair_unique"): (
        "a pair of characters, which carry the story"
    ),
}


def distribution_column(model) -> str | None:
    """The column a row of ``model`` follows to its distribution key; None for reference tables."""
    if isinstance(model, type) and issubclass(model, GroupModel):
        return model._meta.pk.name
    path = getattr(model, "access_path", None)
    return path.split("__")[0] if path else None


def _columns(expression) -> set[str]:
    if isinstance(expression, models.F):
        return {expression.name}
    found = set()
    for source in expression.get_source_expressions():
        if source is not None:
            found |= _columns(source)
    return found


def unique_constraints(model):
    """``(name, fields)`` of every unique constraint, unique field and unique_together of ``model`` but its key."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            fields = set(constraint.fields) or set().union(*(_columns(e) for e in constraint.expressions))
            yield constraint.name, fields
    for fields in model._meta.unique_together:
        yield "unique_together " + ",".join(fields), set(fields)
    for field in model._meta.local_fields:
        if field.unique and not field.primary_key:
            yield field.name, {field.name}


def distributed_models():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            column = distribution_column(model)
            if column:
                yield model, column


def missing_key() -> set[tuple[str, str]]:
    return {
        (model._meta.label, name)
        for model, column in distributed_models()
        for name, fields in unique_constraints(model)
        if column not in fields
    }


def test_every_unique_constraint_of_a_distributed_table_includes_its_key():
    unexplained = missing_key() - set(WITHOUT_KEY)
    assert not unexplained, (
        "these unique constraints leave out the column their rows follow to their distribution key "
        f"(docs/scaling.md): {sorted(unexplained)}; include it, or list the constraint in WITHOUT_KEY with why"
    )


def test_the_list_of_exceptions_names_only_what_exists():
    assert set(WITHOUT_KEY) <= missing_key(), sorted(set(WITHOUT_KEY) - missing_key())


@pytest.mark.parametrize(
    ("label", "column"),
    [("amcs.Song", "tenant"), ("audio_vcs.Stem", "commit"), ("audio_vcs.Project", "id"), ("club.Club", "id")],
)
def test_distribution_column_follows_the_access_path(label, column):
    assert distribution_column(apps.get_model(label)) == column


def test_a_reference_table_has_no_distribution_column():
    assert distribution_column(apps.get_model("catalog.Track")) is None
