"""Text searches (``q``, the admin's search box) are served by pg_trgm indexes.

Each case builds the query the API builds (the filterset's ``q``, or the admin's search, both
``UPPER(col::text) LIKE UPPER('%x%')``) and checks, in PostgreSQL's own words, that each named
index is a trigram GIN index whose expression is the one the query's condition applies ``LIKE`` to: the planner
can use it (a bitmap scan, OR-ed across the searched columns). On the few rows of a test the planner rightly
prefers other plans; the bench ``catalog.search.trgm_speedup`` measures the gain at 100,000 rows.
"""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Q
from django.http import QueryDict

from amcs.filtersets import (
    BlueprintFilterSet,
    PersonaFilterSet,
    ProducerNotesFilterSet,
    SongFilterSet,
    SourceFilterSet,
    StyleFilterSet,
)
from amcs.models import Blueprint, Persona, ProducerNotes, Song, Source, Style
from audio_vcs import filtersets as vcs_filters
from audio_vcs import models as vcs
from club.filtersets import ClubFilterSet, LinkedAccountFilterSet, WeekFilterSet
from club.models import Club, LinkedAccount, Nomination, Rating, Week
from core.filtersets import TenantFilterSet, UserFilterSet
from core.models import Tenant, User
from storyteller.filtersets import FILTERSETS
from storyteller.models import STORYTELLER_MODELS
from storyteller.models.base import searched_columns


def q(filterset, model):
    return lambda: filterset(QueryDict("q=ember"), queryset=model._default_manager.all()).qs


def admin_search(model):
    return lambda: admin.site._registry[model].get_search_results(None, model._default_manager.all(), "ember")[0]


def contains(model, *fields):
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": "ember"})
    return lambda: model._default_manager.filter(condition)


CASES = {
    "core.user q": (q(UserFilterSet, User), ["core_user_username_trgm", "core_user_display_name_trgm"]),
    "core.tenant q": (q(TenantFilterSet, Tenant), ["core_tenant_name_trgm", "core_tenant_slug_trgm"]),
    "club.club q": (q(ClubFilterSet, Club), ["club_club_name_trgm", "club_club_slug_trgm"]),
    "club.linkedaccount q": (q(LinkedAccountFilterSet, LinkedAccount), ["club_linkedaccount_uid_trgm"]),
    "club.week q": (q(WeekFilterSet, Week), ["club_week_label_trgm"]),
    "club.nomination search": (contains(Nomination, "pitch"), ["club_nomination_pitch_trgm"]),
    "club.rating search": (contains(Rating, "review"), ["club_rating_review_trgm"]),
    "amcs.song q": (q(SongFilterSet, Song), ["amcs_song_title_trgm"]),
    "amcs.persona q": (q(PersonaFilterSet, Persona), ["amcs_persona_name_trgm", "amcs_persona_bio_trgm"]),
    "amcs.blueprint q": (
        q(BlueprintFilterSet, Blueprint),
        ["amcs_blueprint_genre_trgm", "amcs_blueprint_version_trgm"],
    ),
    "amcs.source q": (q(SourceFilterSet, Source), ["amcs_source_name_trgm", "amcs_source_mcp_server_trgm"]),
    "amcs.style q": (q(StyleFilterSet, Style), ["amcs_style_name_trgm", "amcs_style_genre_trgm"]),
    "amcs.producernotes q": (
        q(ProducerNotesFilterSet, ProducerNotes),
        ["amcs_notes_structure_trgm", "amcs_notes_arrangement_trgm"],
    ),
    "audio_vcs.project q": (
        q(vcs_filters.ProjectFilterSet, vcs.Project),
        ["audio_vcs_project_name_trgm", "audio_vcs_project_desc_trgm", "audio_vcs_project_genre_trgm"],
    ),
    "audio_vcs.commit q": (q(vcs_filters.CommitFilterSet, vcs.Commit), ["audio_vcs_commit_message_trgm"]),
    "audio_vcs.stem q": (q(vcs_filters.StemFilterSet, vcs.Stem), ["audio_vcs_stem_name_trgm"]),
    "audio_vcs.blob q": (q(vcs_filters.BlobFilterSet, vcs.Blob), ["audio_vcs_blob_sha256_trgm"]),
    "audio_vcs.branch q": (q(vcs_filters.BranchFilterSet, vcs.Branch), ["audio_vcs_branch_name_trgm"]),
    "audio_vcs.composition q": (
        q(vcs_filters.CompositionFilterSet, vcs.Composition),
        ["audio_vcs_comp_name_trgm", "audio_vcs_comp_prompt_trgm"],
    ),
    "audio_vcs.arrangement q": (q(vcs_filters.ArrangementFilterSet, vcs.Arrangement), ["audio_vcs_arr_name_trgm"]),
    "audio_vcs.track q": (q(vcs_filters.TrackFilterSet, vcs.Track), ["audio_vcs_track_name_trgm"]),
    "audio_vcs.lyrics q": (
        q(vcs_filters.CompositionLyricsFilterSet, vcs.CompositionLyrics),
        ["audio_vcs_lyrics_text_trgm"],
    ),
    "audio_vcs.session q": (
        q(vcs_filters.CompositionSessionFilterSet, vcs.CompositionSession),
        ["audio_vcs_session_prompt_trgm", "audio_vcs_session_style_trgm", "audio_vcs_session_mood_trgm"],
    ),
    "audio_vcs.exportjob q": (q(vcs_filters.ExportJobFilterSet, vcs.ExportJob), ["audio_vcs_export_branch_trgm"]),
    "audio_vcs.approval q": (q(vcs_filters.ApprovalFilterSet, vcs.Approval), ["audio_vcs_approval_note_trgm"]),
    "audio_vcs.comment q": (q(vcs_filters.CommentFilterSet, vcs.Comment), ["audio_vcs_comment_body_trgm"]),
    "audio_vcs.commit admin": (
        admin_search(vcs.Commit),
        ["audio_vcs_commit_message_trgm", "audio_vcs_commit_hash_trgm"],
    ),
    "audio_vcs.exportjob admin": (
        admin_search(vcs.ExportJob),
        ["audio_vcs_export_branch_trgm", "audio_vcs_export_sum_trgm"],
    ),
}

# storyteller data: ``q`` matches the searched columns joined as one text, one trigram index per table
for _model in STORYTELLER_MODELS:
    _index = [index.name for index in _model._meta.indexes if index.name.endswith("_q")]
    if searched_columns(_model):
        CASES[f"storyteller.{_model._meta.model_name} q"] = (q(FILTERSETS[_model], _model), _index)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_search_is_served_by_trigram_indexes(case):
    build, indexes = CASES[case]
    assert indexes
    plan = build().explain()
    with connection.cursor() as cursor:
        for index in indexes:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
            (definition,) = cursor.fetchone()
            expression = re.search(r"USING gin \((.*) gin_trgm_ops\)$", definition).group(1)
            assert f"{expression} ~~ '%EMBER%'" in plan, (definition, plan)
