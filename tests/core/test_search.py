"""core.search: a search through a foreign key matches the related table first and filters by the ids found."""

import pytest
from django.contrib import admin
from django.http import QueryDict

from audio_vcs.models import Project
from club.filtersets import NominationFilterSet
from club.models import Nomination
from core import search
from core.search import admin_lookups, contains_any
from storyteller.filtersets import FILTERSETS
from storyteller.models import Storyteller
from tests.audio_vcs.factories import ProjectFactory
from tests.catalog.factories import AlbumFactory
from tests.club.factories import NominationFactory
from tests.core.factories import UserFactory
from tests.storyteller.factories import StorytellerFactory

pytestmark = pytest.mark.django_db


def nominations(value):
    return NominationFilterSet(QueryDict(f"q={value}"), queryset=Nomination.objects.all()).qs


def test_search_through_a_foreign_key_filters_by_the_related_ids_without_a_join():
    by_album = NominationFactory(album=AlbumFactory(title="Embers in the Dark"), pitch="A record.")
    by_pitch = NominationFactory(pitch="Glowing embers.")
    NominationFactory(pitch="Something else.")
    found = nominations("EMBER")
    assert set(found) == {by_album, by_pitch}
    sql = str(found.query)
    assert "catalog_album" not in sql
    assert f'{Nomination._meta.db_table}"."album_id" IN' in sql


def test_search_through_a_foreign_key_joins_when_the_related_table_matches_too_many_rows(monkeypatch):
    by_album = NominationFactory(album=AlbumFactory(title="Embers in the Dark"))
    monkeypatch.setattr(search, "MAX_RELATED_IDS", 0)
    found = nominations("ember")
    assert list(found) == [by_album]
    assert 'JOIN "catalog_album"' in str(found.query)


def test_search_through_a_foreign_key_that_matches_nothing_leaves_the_other_arms():
    by_pitch = NominationFactory(pitch="Glowing embers.")
    assert list(nominations("ember")) == [by_pitch]
    assert "WHERE UPPER" in str(nominations("ember").query) and 'album_id" IN' not in str(nominations("ember").query)


def test_search_through_two_foreign_keys_matches_each_table_in_turn():
    project = ProjectFactory(owner=UserFactory(username="embertone"))
    ProjectFactory()
    found = Project.objects.filter(contains_any(Project, ["owner__username"], "EMBER"))
    assert list(found) == [project]
    assert "JOIN" not in str(found.query)


def test_admin_search_splits_each_term_and_field_through_a_foreign_key():
    project = ProjectFactory(name="Night drive", owner=UserFactory(username="embertone"))
    ProjectFactory(name="Night shift")
    model_admin = admin.site._registry[Project]
    found, duplicates = model_admin.get_search_results(None, Project.objects.all(), 'night "EMBERTONE"')
    assert list(found) == [project]
    assert not duplicates
    assert "JOIN" not in str(found.query)


@pytest.mark.parametrize(
    ("fields", "lookups"),
    [
        (["name", "^owner__username", "=id"], ["name__icontains", "owner__username__istartswith", "id__iexact"]),
        (["@description"], ["description__search"]),
        (["name__exact"], None),  # a lookup of its own: Django's admin searches its own way
        (["owner"], None),  # a relation, not a column
    ],
)
def test_admin_lookups_follow_the_admin_prefixes_or_leave_the_search_to_django(fields, lookups):
    assert admin_lookups(Project, fields) == lookups


def test_search_as_one_text_matches_any_of_the_columns_and_only_them():
    by_last = StorytellerFactory(first_name="Ada", last_name="Emberly")
    by_preferred = StorytellerFactory(first_name="Grace", preferred_name="ember")
    StorytellerFactory(first_name="Alan", last_name="Turing", preferred_name="")
    filterset = FILTERSETS[Storyteller]
    assert filterset.search_as_one_text
    found = filterset(QueryDict("q=EMBER"), queryset=Storyteller.objects.all()).qs
    assert set(found) == {by_last, by_preferred}
