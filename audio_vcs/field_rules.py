"""What audio_vcs's fields may hold (see ``core.field_rules``): JSON schemas and whom the user fields name.

Blobs and exports are ``FileField`` columns: core checks their names as stored files without a declaration.
"""

from audio_vcs.models import (
    Approval,
    Arrangement,
    Collaborator,
    Commit,
    Composition,
    CompositionLyrics,
    CompositionSession,
    Stem,
    Track,
)
from core.field_rules import ANY_LIST, ANY_OBJECT, json_schema, list_of, subject_user

json_schema(Commit, "generation_params", ANY_OBJECT, "parameters of the generator that made the commit")
json_schema(Stem, "generation_params", ANY_OBJECT, "parameters of the generator that made the stem")
json_schema(Composition, "midi_data", ANY_OBJECT)
json_schema(Composition, "audio_metadata", ANY_OBJECT)
json_schema(Composition, "theory_data", ANY_OBJECT)
json_schema(Arrangement, "sections", list_of(ANY_OBJECT), "one object per section")
json_schema(Track, "clips", list_of(ANY_OBJECT), "one object per clip")
json_schema(CompositionLyrics, "alignment", ANY_OBJECT)
json_schema(CompositionSession, "instruments", ANY_LIST)

subject_user(Collaborator, "user", "the collaborator a project's owner adds")
subject_user(Approval, "reviewer", "the maintainer asked to review (the requester is requested_by)")
