"""What storyteller's fields may hold (see ``core.field_rules``): JSON schemas, files, whom the user fields name.

Media, profile images and book files are names of files stored through Django's storage API (uploaded to the
platform): a ``file://`` URL, an absolute path, ``..`` or a link is refused, so the server never reads a path a
user gave it (the book builder opens media by stored name).
"""

from core.field_rules import ANY_LIST, ANY_OBJECT, STRING, json_schema, list_of, plain_text, stored_file
from storyteller import models as m

OBJECTS = {
    m.CollectionSynthesis: ["structured_data"],
    m.ScopeType: ["required_context_fields", "completion_criteria"],
    m.Agent: ["configuration"],
    m.AgentInstance: ["agent_context"],
    m.Requirement: ["expected_archetype_outcomes", "metadata"],
    m.EditRequirement: ["metadata"],
    m.BookExport: ["format_options"],
    m.Event: ["payload", "data", "task_context"],
    m.ProcessFlowEdge: ["condition_value"],
    m.ProcessPrompt: ["condition_value"],
    m.ProcessSection: ["requires_profile_flags"],
    m.StorytellerSession: ["metadata"],
    m.SessionProfile: ["additional_flags"],
    m.SessionProgress: ["node_data"],
    m.SessionArchetype: ["themes"],
    m.SessionArtifact: ["structured_data"],
    m.SessionTemplate: ["default_success_indicators", "default_completion_indicators"],
    m.StorytellerPreference: ["additional_preferences"],
}
LISTS = {
    m.Requirement: ["discriminates_between", "suggested_prompts"],
    m.StorytellerSession: ["success_indicators", "completion_indicators"],
}

for model, names in OBJECTS.items():
    for name in names:
        json_schema(model, name, ANY_OBJECT)
for model, names in LISTS.items():
    for name in names:
        json_schema(model, name, ANY_LIST)
json_schema(
    m.ArchetypeAnalysis,
    "candidate_archetypes",
    list_of({"type": "object", "properties": {"archetype": STRING, "status": STRING}}),
    "one object per candidate archetype",
)

stored_file(m.LifeEventMedia, "file_url", "the photo, document or recording, uploaded to the platform")
stored_file(m.LifeEventMedia, "thumbnail_url", "its thumbnail, uploaded to the platform")
stored_file(m.Storyteller, "profile_image_url", "the profile picture, uploaded to the platform")
stored_file(m.BookExport, "file_url", "the built book, written by the export service")
plain_text(m.StoryScene, "opening_image", "how the scene opens, in words")
