"""AMCS song design: blueprints, personas, sources, styles, songs with lyrics and producer notes, workflow runs.

Every row belongs to a tenant (``core.TenantOwnedModel``) and is soft-deleted. Each entity knows
its SDS 1.0 document (``to_document()``, mapped in ``amcs.documents`` to the shapes of
``amcs/schemas``); ``clean()`` checks that document against its JSON schema and the rules of
``amcs.rules``, so the admin, the API, the services and the commands all meet the same rules.
"""

from amcs.models.base import (
    ALIVE,
    AllAmcsManager,
    AmcsManager,
    AmcsModel,
    AmcsQuerySet,
    DocumentModel,
    check_same_tenant,
    default_rubric_weights,
    text_array,
)
from amcs.models.blueprints import Blueprint
from amcs.models.library import Persona, Source
from amcs.models.prompts import ComposedPrompt
from amcs.models.songs import Lyrics, ProducerNotes, Song, SongPart, SongQuerySet
from amcs.models.styles import Style, StyleQuerySet
from amcs.models.workflow import (
    NODE_ORDER,
    WorkflowEvent,
    WorkflowRun,
    WorkflowRunQuerySet,
    WorkflowStep,
    node_index,
)

__all__ = [
    "ALIVE",
    "NODE_ORDER",
    "AllAmcsManager",
    "AmcsManager",
    "AmcsModel",
    "AmcsQuerySet",
    "Blueprint",
    "ComposedPrompt",
    "DocumentModel",
    "Lyrics",
    "Persona",
    "ProducerNotes",
    "Song",
    "SongPart",
    "SongQuerySet",
    "Source",
    "Style",
    "StyleQuerySet",
    "WorkflowEvent",
    "WorkflowRun",
    "WorkflowRunQuerySet",
    "WorkflowStep",
    "check_same_tenant",
    "default_rubric_weights",
    "node_index",
    "text_array",
]
