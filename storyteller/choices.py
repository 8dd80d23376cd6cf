"""Enumerations of the Everbound models, as the SQL comments of the schema documents give them.

Each is a ``TextChoices`` named ``<Model><Field>``; the values are the documented strings and every
field using one has a database check. There are over a hundred of them, so they are built with the
functional API: ``LifeEventTraumaTraumaStatus.PARTIALLY_RESOLVED == "partially_resolved"``, labelled
"Partially Resolved".
"""

from django.db import models


def _choices(name: str, values: list[str]) -> type[models.TextChoices]:
    return models.TextChoices(name, [(value.upper(), value) for value in values])


ProcessNodeTypeTypeName = _choices(
    "ProcessNodeTypeTypeName", ["informational", "fork", "data_collection", "iterative", "synthesis"]
)
ProcessFlowEdgeConditionType = _choices(
    "ProcessFlowEdgeConditionType", ["scope_match", "profile_flag", "always", "section_selected"]
)
ProcessPromptPromptType = _choices("ProcessPromptPromptType", ["scene", "people", "tension", "change", "meaning"])
ProcessPromptResponseFormat = _choices("ProcessPromptResponseFormat", ["text", "voice", "checkbox", "multi_select"])
ProcessPromptConditionType = _choices(
    "ProcessPromptConditionType", ["profile_boundary", "scope_match", "section_active"]
)
ProcessSectionRequiresScope = _choices("ProcessSectionRequiresScope", ["whole_life", "major_chapter", "single_event"])
StorytellerRelationshipToUser = _choices(
    "StorytellerRelationshipToUser", ["self", "parent", "grandparent", "spouse", "friend", "client"]
)
StorytellerPreferencePreferredInputMethod = _choices(
    "StorytellerPreferencePreferredInputMethod", ["text", "voice", "mixed"]
)
StorytellerPreferenceSessionLengthPreference = _choices(
    "StorytellerPreferenceSessionLengthPreference", ["short", "medium", "long"]
)
StorytellerPreferenceDesiredBookTone = _choices(
    "StorytellerPreferenceDesiredBookTone", ["reflective", "conversational", "literary", "straightforward"]
)
StorytellerPreferenceDesiredBookLength = _choices(
    "StorytellerPreferenceDesiredBookLength", ["concise", "moderate", "comprehensive"]
)
StorytellerPreferenceIntendedAudience = _choices(
    "StorytellerPreferenceIntendedAudience", ["family", "descendants", "friends", "public", "self"]
)
LifeEventEventType = _choices(
    "LifeEventEventType",
    [
        "childhood",
        "education",
        "career_period",
        "relationship",
        "military_service",
        "faith_journey",
        "parenthood",
        "caregiving",
        "illness",
        "loss",
        "adventure",
        "custom",
    ],
)
LifeEventCategory = _choices(
    "LifeEventCategory",
    ["origins", "family", "work", "relationships", "health", "spiritual", "adventure", "loss", "transformation"],
)
LifeEventSignificanceLevel = _choices("LifeEventSignificanceLevel", ["formative", "major", "notable", "minor"])
LifeEventEmotionalTone = _choices(
    "LifeEventEmotionalTone", ["joyful", "difficult", "mixed", "neutral", "transformative"]
)
LifeEventIncludeLevel = _choices("LifeEventIncludeLevel", ["full_detail", "summary", "mention", "omit"])
LifeEventTimespanTimespanType = _choices(
    "LifeEventTimespanTimespanType", ["primary", "secondary", "recurring", "specific_moment"]
)
LifeEventLocationLocationType = _choices(
    "LifeEventLocationLocationType", ["city", "country", "region", "specific_place"]
)
LifeEventParticipantRelationshipType = _choices(
    "LifeEventParticipantRelationshipType", ["spouse", "child", "parent", "friend", "colleague", "mentor"]
)
LifeEventParticipantSignificance = _choices("LifeEventParticipantSignificance", ["central", "supporting", "mentioned"])
LifeEventDetailDetailType = _choices("LifeEventDetailDetailType", ["text", "number", "date", "boolean", "list"])
LifeEventTraumaTraumaType = _choices(
    "LifeEventTraumaTraumaType",
    ["loss", "abuse", "violence", "betrayal", "illness", "accident", "combat", "natural_disaster", "other"],
)
LifeEventTraumaTraumaStatus = _choices("LifeEventTraumaTraumaStatus", ["resolved", "ongoing", "partially_resolved"])
LifeEventTraumaDefaultPrivacyLevel = _choices("LifeEventTraumaDefaultPrivacyLevel", ["private", "limited", "full"])
LifeEventTraumaAssessedBy = _choices("LifeEventTraumaAssessedBy", ["user_indicated", "system_inferred", "professional"])
LifeEventBoundaryPrivacyLevel = _choices(
    "LifeEventBoundaryPrivacyLevel", ["public", "limited", "private", "never_publish"]
)
LifeEventMediaMediaType = _choices("LifeEventMediaMediaType", ["photo", "document", "letter", "audio", "video"])
LifeEventPreferencePreferredDepth = _choices(
    "LifeEventPreferencePreferredDepth", ["headline_only", "summary", "detailed", "exhaustive"]
)
LifeEventPreferencePreferredApproach = _choices(
    "LifeEventPreferencePreferredApproach", ["chronological", "thematic", "impressionistic"]
)
StorytellerSessionStatus = _choices(
    "StorytellerSessionStatus", ["scheduled", "in_progress", "paused", "completed", "cancelled", "abandoned"]
)
SessionScopeScopeType = _choices("SessionScopeScopeType", ["whole_life", "major_chapter", "single_event", "unsure"])
SessionProgressStatus = _choices("SessionProgressStatus", ["pending", "in_progress", "completed", "skipped"])
SessionSectionStatusStatus = _choices("SessionSectionStatusStatus", ["locked", "unlocked", "in_progress", "completed"])
SessionSynthesisSynthesisType = _choices("SessionSynthesisSynthesisType", ["draft", "chapter", "checkpoint"])
SessionLifeEventCoverageLevel = _choices(
    "SessionLifeEventCoverageLevel", ["introduction", "exploration", "deep_dive", "completion"]
)
SessionInteractionInteractionType = _choices(
    "SessionInteractionInteractionType", ["prompt", "response", "clarification", "reflection"]
)
SessionInteractionPromptCategory = _choices(
    "SessionInteractionPromptCategory", ["scene", "people", "tension", "change", "meaning"]
)
SessionInteractionResponseMethod = _choices("SessionInteractionResponseMethod", ["text", "voice", "skip"])
SessionInteractionSentiment = _choices("SessionInteractionSentiment", ["positive", "neutral", "difficult", "emotional"])
SessionArtifactArtifactType = _choices(
    "SessionArtifactArtifactType",
    ["scene_capture", "timeline_entry", "relationship_mapping", "draft_paragraph", "photo_annotation"],
)
SessionNoteNoteType = _choices("SessionNoteNoteType", ["observation", "concern", "insight", "technical"])
SessionNoteNotedBy = _choices("SessionNoteNotedBy", ["agent", "system", "user"])
CollectionOrganizingPrinciple = _choices(
    "CollectionOrganizingPrinciple",
    ["theme", "archetype", "timeline", "storyline", "relationship", "place", "transformation", "custom"],
)
CollectionNarrativeArc = _choices(
    "CollectionNarrativeArc",
    ["linear", "cyclical", "transformation", "quest", "tragedy", "comedy", "rebirth", "rags_to_riches"],
)
CollectionArchetypePattern = _choices(
    "CollectionArchetypePattern",
    ["loss_to_connection", "transformation", "endurance", "threat_survival", "identity_shift", "meaning_making"],
)
CollectionCollectionType = _choices(
    "CollectionCollectionType",
    ["thematic", "chronological", "relational", "geographical", "emotional_journey", "custom"],
)
CollectionBookSectionType = _choices("CollectionBookSectionType", ["chapter", "part", "vignette", "sidebar"])
CollectionLifeEventNarrativeRole = _choices(
    "CollectionLifeEventNarrativeRole",
    [
        "inciting_incident",
        "rising_action",
        "climax",
        "falling_action",
        "resolution",
        "reflection",
        "setup",
        "turning_point",
        "consequence",
    ],
)
CollectionLifeEventAddedBy = _choices("CollectionLifeEventAddedBy", ["system", "user", "agent"])
CollectionGroupingGroupingType = _choices(
    "CollectionGroupingGroupingType",
    ["archetype", "storyline", "timeline", "thematic_meta", "book_part", "narrative_thread", "custom"],
)
CollectionGroupingBookPartType = _choices("CollectionGroupingBookPartType", ["part", "section", "act", "book"])
CollectionRelationshipRelationshipType = _choices(
    "CollectionRelationshipRelationshipType",
    [
        "leads_to",
        "contrasts_with",
        "parallels",
        "causes",
        "influenced_by",
        "mirrors",
        "precedes",
        "resolves",
        "complicates",
    ],
)
CollectionRelationshipStrength = _choices("CollectionRelationshipStrength", ["strong", "moderate", "weak", "subtle"])
CollectionTagTagCategory = _choices("CollectionTagTagCategory", ["emotion", "theme", "location", "era", "relationship"])
CollectionSynthesisSynthesisType = _choices(
    "CollectionSynthesisSynthesisType",
    ["summary", "theme_analysis", "arc_analysis", "character_development", "draft_chapter"],
)
StoryNarrativeStructure = _choices(
    "StoryNarrativeStructure",
    ["linear", "non_linear", "circular", "braided", "frame_story", "mosaic", "three_act", "hero_journey"],
)
StoryPointOfView = _choices("StoryPointOfView", ["first_person_present", "first_person_past", "second_person"])
StoryNarrativeVoice = _choices("StoryNarrativeVoice", ["reflective", "immediate", "conversational", "literary"])
StoryTense = _choices("StoryTense", ["present", "past", "mixed"])
StoryTone = _choices("StoryTone", ["intimate", "humorous", "somber", "hopeful", "defiant"])
StoryIntendedAudience = _choices(
    "StoryIntendedAudience", ["family", "descendants", "general_public", "specific_community"]
)
StoryOpeningStrategy = _choices(
    "StoryOpeningStrategy",
    ["in_medias_res", "origin_story", "pivotal_moment", "frame_present_day", "atmospheric_scene"],
)
StoryClosingStrategy = _choices(
    "StoryClosingStrategy", ["resolution", "reflection", "return_to_frame", "open_ended", "full_circle"]
)
StoryStatus = _choices("StoryStatus", ["planning", "drafting", "revising", "complete"])
StoryChapterChapterType = _choices(
    "StoryChapterChapterType",
    [
        "scene_chapter",
        "reflection_chapter",
        "bridge_chapter",
        "thematic_chapter",
        "chronological_chapter",
        "character_chapter",
        "place_chapter",
    ],
)
StoryChapterNarrativePosition = _choices(
    "StoryChapterNarrativePosition", ["opening", "rising_action", "midpoint", "climax", "falling_action", "resolution"]
)
StoryChapterChapterArc = _choices(
    "StoryChapterChapterArc", ["transformation", "revelation", "escalation", "deepening", "contrast", "parallel"]
)
StoryChapterPrimaryMode = _choices("StoryChapterPrimaryMode", ["scene", "summary", "reflection", "mixed"])
StoryChapterStatus = _choices("StoryChapterStatus", ["planned", "outlined", "drafted", "revised", "polished"])
ChapterSectionSectionType = _choices(
    "ChapterSectionSectionType",
    ["scene", "summary", "reflection", "dialogue", "description", "transition", "flashback"],
)
ChapterSectionShowVsTell = _choices("ChapterSectionShowVsTell", ["showing", "telling", "mixed"])
ChapterSectionStatus = _choices("ChapterSectionStatus", ["outlined", "drafted", "revised", "polished"])
StoryCollectionUsageType = _choices(
    "StoryCollectionUsageType", ["primary_source", "supplementary", "reference", "inspiration", "contrast"]
)
StoryCharacterCharacterType = _choices(
    "StoryCharacterCharacterType",
    ["protagonist", "antagonist", "ally", "mentor", "foil", "supporting", "minor", "background"],
)
StoryCharacterRelationshipToProtagonist = _choices(
    "StoryCharacterRelationshipToProtagonist",
    ["self", "parent", "spouse", "child", "friend", "colleague", "adversary", "teacher", "stranger"],
)
StoryCharacterArcType = _choices(
    "StoryCharacterArcType", ["growth", "fall", "redemption", "corruption", "static", "catalyst"]
)
StoryCharacterDegreeOfRevelation = _choices(
    "StoryCharacterDegreeOfRevelation", ["full", "partial", "minimal", "composite"]
)
StoryCharacterPrivacyLevel = _choices(
    "StoryCharacterPrivacyLevel", ["full_name", "first_name_only", "pseudonym", "composite_character", "anonymous"]
)
CharacterRelationshipRelationshipType = _choices(
    "CharacterRelationshipRelationshipType",
    ["parent_child", "romantic", "friendship", "rivalry", "mentor_mentee", "colleagues", "adversaries"],
)
CharacterRelationshipRelationshipArc = _choices(
    "CharacterRelationshipRelationshipArc",
    ["strengthening", "deteriorating", "transforming", "reconciling", "separating", "static"],
)
CharacterRelationshipSignificance = _choices(
    "CharacterRelationshipSignificance", ["central", "major", "supporting", "background"]
)
CharacterAppearanceRoleInScene = _choices(
    "CharacterAppearanceRoleInScene", ["active", "present", "mentioned", "referenced"]
)
CharacterAppearanceSignificanceInScene = _choices(
    "CharacterAppearanceSignificanceInScene", ["central", "supporting", "background", "cameo"]
)
StoryThemeThemeType = _choices("StoryThemeThemeType", ["central", "major", "minor", "motif"])
ChapterThemeProminence = _choices("ChapterThemeProminence", ["dominant", "present", "subtle", "emerging"])
StorySceneEmotionalTone = _choices("StorySceneEmotionalTone", ["tense", "joyful", "melancholic", "anxious"])
StorySceneStatus = _choices("StorySceneStatus", ["outlined", "drafted", "revised", "polished"])
StoryDraftDraftType = _choices("StoryDraftDraftType", ["story_level", "chapter", "section"])
StorytellerProgressCurrentPhase = _choices(
    "StorytellerProgressCurrentPhase",
    [
        "trust_setup",
        "scope_selection",
        "profile",
        "contextual_grounding",
        "section_selection",
        "story_capture",
        "synthesis",
        "archetype_inference",
        "book_formation",
    ],
)
StorytellerProgressPhaseStatus = _choices("StorytellerProgressPhaseStatus", ["not_started", "in_progress", "completed"])
StorytellerSectionSelectionSelectedDuringPhase = _choices(
    "StorytellerSectionSelectionSelectedDuringPhase", ["initial_selection", "progressive_unlock"]
)
StorytellerSectionSelectionSelectionReason = _choices(
    "StorytellerSectionSelectionSelectionReason",
    ["user_choice", "scope_enabled", "profile_enabled", "prerequisite_met", "agent_suggested"],
)
StorytellerSectionSelectionPriorityLevel = _choices(
    "StorytellerSectionSelectionPriorityLevel", ["high", "medium", "low"]
)
StorytellerSectionStatusStatus = _choices(
    "StorytellerSectionStatusStatus", ["locked", "unlocked", "in_progress", "completed", "skipped"]
)
StorytellerSectionStatusUnlockedBy = _choices(
    "StorytellerSectionStatusUnlockedBy", ["scope", "profile", "prerequisite", "manual"]
)
ScopeTypeScopeKey = _choices("ScopeTypeScopeKey", ["whole_life", "major_chapter", "single_event", "unsure"])
ArchetypeAnalysisAnalysisScope = _choices("ArchetypeAnalysisAnalysisScope", ["whole_story", "collection", "story_book"])
ArchetypeAnalysisRefinementStatus = _choices(
    "ArchetypeAnalysisRefinementStatus", ["exploring", "narrowing", "resolved"]
)
ArchetypeAnalysisDominantArchetype = _choices(
    "ArchetypeAnalysisDominantArchetype",
    ["relationship_to_loss", "relationship_to_agency", "relationship_to_meaning", "identity_shift"],
)
ArchetypeAnalysisIdentityShiftType = _choices(
    "ArchetypeAnalysisIdentityShiftType", ["radical", "gradual", "cyclical", "static"]
)
ArchetypeAnalysisAnalysisMethod = _choices(
    "ArchetypeAnalysisAnalysisMethod", ["ai_inference", "user_specified", "hybrid"]
)
UserFeedbackFeedbackOnType = _choices(
    "UserFeedbackFeedbackOnType",
    ["collection", "synthesis", "archetype", "draft", "chapter", "prompt", "section", "agent_interaction", "system"],
)
UserFeedbackFeedbackType = _choices(
    "UserFeedbackFeedbackType", ["approval", "correction", "rejection", "revision_request", "suggestion", "concern"]
)
UserFeedbackFeedbackCategory = _choices(
    "UserFeedbackFeedbackCategory", ["accuracy", "tone", "completeness", "privacy", "relevance", "quality"]
)
UserFeedbackSentiment = _choices("UserFeedbackSentiment", ["positive", "neutral", "negative"])
UserFeedbackPriority = _choices("UserFeedbackPriority", ["critical", "important", "minor"])
UserFeedbackResolutionStatus = _choices(
    "UserFeedbackResolutionStatus", ["pending", "acknowledged", "resolved", "cannot_resolve", "wont_fix"]
)
AgentAgentType = _choices("AgentAgentType", ["capture", "synthesis", "reflection", "analysis", "guidance", "editor"])
AgentDefaultTone = _choices("AgentDefaultTone", ["empathetic", "neutral", "encouraging", "analytical"])
AgentInstanceStatus = _choices("AgentInstanceStatus", ["active", "completed", "paused", "failed"])
RequirementRequirementType = _choices(
    "RequirementRequirementType",
    [
        "scene_detail",
        "character_insight",
        "thematic_exploration",
        "timeline_clarification",
        "sensory_detail",
        "emotional_context",
        "relationship_dynamic",
        "turning_point",
    ],
)
RequirementPriority = _choices("RequirementPriority", ["critical", "important", "optional"])
RequirementArchetypeLane = _choices(
    "RequirementArchetypeLane",
    ["identity_shift", "relationship_to_loss", "relationship_to_agency", "relationship_to_meaning"],
)
RequirementArchetypeRefinementPurpose = _choices(
    "RequirementArchetypeRefinementPurpose", ["validate", "discriminate", "strengthen"]
)
RequirementStatus = _choices(
    "RequirementStatus", ["pending", "in_progress", "addressed", "resolved", "deferred", "obsolete"]
)
RequirementResolvedBy = _choices("RequirementResolvedBy", ["analyst_flow", "manual_review"])
EditRequirementIssueType = _choices(
    "EditRequirementIssueType",
    [
        "flow",
        "pacing",
        "clarity",
        "consistency",
        "sensory_detail",
        "theme",
        "character_voice",
        "timeline",
        "tone",
        "scene_structure",
        "showing_vs_telling",
        "repetition",
    ],
)
EditRequirementSeverity = _choices("EditRequirementSeverity", ["blocking", "important", "polish"])
EditRequirementStatus = _choices("EditRequirementStatus", ["pending", "in_review", "resolved", "wont_fix", "obsolete"])
BookExportExportFormat = _choices(
    "BookExportExportFormat", ["pdf", "epub", "mobi", "docx", "print_ready", "html", "markdown"]
)
BookExportExportScope = _choices("BookExportExportScope", ["full_book", "chapter", "collection", "preview"])
BookExportExportStatus = _choices("BookExportExportStatus", ["queued", "generating", "ready", "failed", "expired"])
BookExportGeneratedBy = _choices("BookExportGeneratedBy", ["user_request", "scheduled", "preview"])
BookExportDeliveryDeliveryMethod = _choices(
    "BookExportDeliveryDeliveryMethod", ["download", "email", "cloud_storage", "print_service"]
)
BookExportDeliveryDeliveryStatus = _choices(
    "BookExportDeliveryDeliveryStatus", ["pending", "sent", "delivered", "failed"]
)

EventType = _choices(
    "EventType",
    [
        "storyteller_created",
        "consent_recorded",
        "life_event_added",
        "session_status_changed",
        "section_status_changed",
        "requirement_status_changed",
        "edit_requirement_status_changed",
        "story_status_changed",
        "book_export_status_changed",
        "refinement_status_changed",
        "feedback_status_changed",
        "agent_instance_status_changed",
        "delivery_status_changed",
        "session_progress_status_changed",
        "session_section_status_changed",
        "chapter_status_changed",
        "chapter_section_status_changed",
        "scene_status_changed",
        "approved",
        "revealed",
        "note",
    ],
)


def spectacular_enum_names() -> dict[str, str]:
    """One OpenAPI enum name per distinct choice set (``<Model><Field>Enum``), for ``ENUM_NAME_OVERRIDES``:
    the app's 120-odd enumerations share field names (``status``, ``category``) and value sets."""
    names: dict[str, str] = {}
    seen: set[tuple[str, ...]] = set()
    for name, value in sorted(globals().items()):
        if isinstance(value, type) and issubclass(value, models.TextChoices) and value is not models.TextChoices:
            key = tuple(sorted(value.values))
            if key not in seen:
                seen.add(key)
                names[f"{name}Enum"] = f"storyteller.choices.{name}"
    return names
