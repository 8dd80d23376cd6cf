"""What AMCS's fields may hold (see ``core.field_rules``).

The documents' free parts (``extra_metadata``, ``document_form``, the rule tables) are any object: the AMCS
document schemas under ``amcs/schemas`` check the document as a whole in the services; here each column keeps the
JSON type every reader expects (an object, or a list).
"""

from amcs.models import (
    Blueprint,
    ComposedPrompt,
    Lyrics,
    Persona,
    ProducerNotes,
    Song,
    Source,
    Style,
    WorkflowEvent,
    WorkflowRun,
    WorkflowStep,
)
from core.field_rules import ANY_LIST, ANY_OBJECT, NUMBER, STRING, json_schema, list_of, object_of

WARNING = {"type": "object", "properties": {"pointer": STRING, "message": STRING}}

DOCUMENTS = (Blueprint, Persona, Source, Style, Lyrics, ProducerNotes)
for model in DOCUMENTS:
    json_schema(model, "extra_metadata", ANY_OBJECT, "fields of the source document the columns do not hold")
    json_schema(model, "warnings", list_of(WARNING), "validation warnings: where (a JSON pointer) and what")
for model in (*DOCUMENTS, Song):
    json_schema(model, "document_form", ANY_OBJECT, "the document as it was submitted")

json_schema(Blueprint, "section_lines", ANY_OBJECT)
json_schema(Blueprint, "conflicting_tags", ANY_LIST)
json_schema(Blueprint, "rubric_weights", object_of(NUMBER), "weight of each rubric criterion")
json_schema(Blueprint, "rules_extra", ANY_OBJECT)
json_schema(Blueprint, "conflict_matrix", ANY_OBJECT)
json_schema(Blueprint, "tag_categories", ANY_OBJECT)
json_schema(Persona, "style_defaults", ANY_OBJECT)
json_schema(Persona, "lyrics_defaults", ANY_OBJECT)
json_schema(Source, "config", ANY_OBJECT)
json_schema(Song, "feature_flags", ANY_OBJECT)
json_schema(Lyrics, "repetition_rules", ANY_OBJECT)
json_schema(Lyrics, "sections", ANY_LIST)
json_schema(Lyrics, "section_requirements", ANY_OBJECT)
json_schema(Lyrics, "source_citations", ANY_LIST)
json_schema(ProducerNotes, "section_tags", ANY_OBJECT)
json_schema(ProducerNotes, "section_durations", ANY_OBJECT)
json_schema(ProducerNotes, "mix_targets", ANY_OBJECT)
json_schema(WorkflowRun, "node_outputs", ANY_OBJECT, "each node's output by node name")
json_schema(WorkflowRun, "validation_scores", ANY_OBJECT)
json_schema(WorkflowRun, "input_document", ANY_OBJECT, "the frozen SDS (valid when the run started)")
json_schema(WorkflowRun, "input_context", ANY_OBJECT, "frozen blueprint, persona, target duration")
json_schema(WorkflowRun, "error", ANY_OBJECT, "why the run failed: node, message, report")
json_schema(WorkflowStep, "output", ANY_OBJECT, "the node output (amcs/schemas/nodes/<node>.schema.json)")
json_schema(WorkflowEvent, "metrics", ANY_OBJECT)
json_schema(WorkflowEvent, "issues", ANY_LIST)
json_schema(ComposedPrompt, "meta", ANY_OBJECT)
