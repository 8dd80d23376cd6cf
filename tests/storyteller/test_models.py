"""The Everbound tables as models: all of them, valid factories, constraints held by the database."""

import inspect

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from core.testing import assert_stored_and_valid
from storyteller import models as m
from tests.storyteller import factories as f

DOMAIN_MODELS = [
    model
    for model in apps.get_app_config("storyteller").get_models()
    if model.__module__.startswith("storyteller.models.")
]
FACTORIES = {cls._meta.model: cls for _, cls in inspect.getmembers(f, inspect.isclass) if hasattr(cls, "_meta")}


def test_every_documented_table_is_a_model():
    """64 distinct tables of the schema documents, plus the event log."""
    assert len(DOMAIN_MODELS) == 65
    assert set(m.__all__) >= {model.__name__ for model in DOMAIN_MODELS}


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda model: model.__name__)
def test_every_model_has_a_factory_whose_defaults_pass_full_clean(db, model):
    assert_stored_and_valid(FACTORIES[model]())


@pytest.mark.django_db
def test_no_table_has_the_same_index_twice():
    with connection.cursor() as cursor:
        for model in DOMAIN_MODELS:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            indexed = [  # expression indexes (the search index over the text columns) have no columns to repeat
                tuple(info["columns"])
                for info in constraints.values()
                if (info["index"] or info["unique"]) and not info["primary_key"] and info["columns"]
            ]
            assert len(indexed) == len(set(indexed)), (model.__name__, indexed)
            # an index that another index or unique constraint already leads with is redundant
            plain = [
                tuple(info["columns"])
                for info in constraints.values()
                if info["index"] and not info["unique"] and info["columns"]
            ]
            for columns in plain:
                longer = [other for other in indexed if other != columns and other[: len(columns)] == columns]
                assert not longer, (model.__name__, columns, longer)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (f.StorytellerBoundaryFactory, "storyteller"),
        (f.StorytellerPreferenceFactory, "storyteller"),
        (f.StorytellerProgressFactory, "storyteller"),
        (f.LifeEventTraumaFactory, "life_event"),
        (f.LifeEventBoundaryFactory, "life_event"),
        (f.LifeEventPreferenceFactory, "life_event"),
        (f.SessionScopeFactory, "session"),
        (f.SessionProfileFactory, "session"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_one_to_one_tables_refuse_a_second_row_in_the_database(factory, field):
    first = factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**{field: getattr(first, field)})


COMPOSITE_UNIQUES = [
    (f.CollectionLifeEventFactory, ["collection", "life_event"]),
    (f.CollectionGroupingMemberFactory, ["grouping", "collection"]),
    (f.CollectionRelationshipFactory, ["source_collection", "target_collection", "relationship_type"]),
    (f.SessionLifeEventFactory, ["session", "life_event"]),
    (f.StoryCollectionFactory, ["story", "chapter", "collection"]),
    (f.CharacterRelationshipFactory, ["story", "character_a", "character_b"]),
    (f.ChapterThemeFactory, ["chapter", "theme"]),
    (f.StorytellerSectionSelectionFactory, ["storyteller", "process_section"]),
    (f.StorytellerSectionStatusFactory, ["storyteller", "process_section"]),
    (f.ProcessSectionFactory, ["process_version", "section_key"]),
    (f.ProcessNodeFactory, ["process_version", "node_key"]),
    (f.StoryChapterFactory, ["story", "chapter_number"]),
    (f.ChapterSectionFactory, ["chapter", "section_number"]),
    (f.ArchetypeAnalysisFactory, ["storyteller", "analysis_number"]),
    (f.SessionInteractionFactory, ["session", "interaction_sequence"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("factory", "fields"), COMPOSITE_UNIQUES, ids=lambda v: getattr(v, "__name__", ""))
def test_composite_uniques_hold_in_the_database_and_in_full_clean(factory, fields):
    first = factory()
    duplicate = factory.build(**{name: getattr(first, name) for name in fields})
    with pytest.raises(Exception, match="already exists|already taken"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
