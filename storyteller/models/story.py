"""The story being formed into a book: chapters, sections, characters, themes, scenes and drafts."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.constraints import choice_check, range_check
from core.models import trigram_index
from storyteller.choices import (
    ChapterSectionSectionType,
    ChapterSectionShowVsTell,
    ChapterSectionStatus,
    ChapterThemeProminence,
    CharacterAppearanceRoleInScene,
    CharacterAppearanceSignificanceInScene,
    CharacterRelationshipRelationshipArc,
    CharacterRelationshipRelationshipType,
    CharacterRelationshipSignificance,
    StoryChapterChapterArc,
    StoryChapterChapterType,
    StoryChapterNarrativePosition,
    StoryChapterPrimaryMode,
    StoryChapterStatus,
    StoryCharacterArcType,
    StoryCharacterCharacterType,
    StoryCharacterDegreeOfRevelation,
    StoryCharacterPrivacyLevel,
    StoryCharacterRelationshipToProtagonist,
    StoryClosingStrategy,
    StoryCollectionUsageType,
    StoryDraftDraftType,
    StoryIntendedAudience,
    StoryNarrativeStructure,
    StoryNarrativeVoice,
    StoryOpeningStrategy,
    StoryPointOfView,
    StorySceneEmotionalTone,
    StorySceneStatus,
    StoryStatus,
    StoryTense,
    StoryThemeThemeType,
    StoryTone,
)
from storyteller.models.base import StorytellerOwnedModel, fraction_field


class Story(StorytellerOwnedModel):
    """The book being formed from a storyteller's collections."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="stories",
        verbose_name=_("storyteller"),
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    subtitle = models.CharField(
        max_length=300,
        blank=True,
        default="",
        verbose_name=_("subtitle"),
    )
    working_title = models.CharField(
        max_length=300,
        blank=True,
        default="",
        verbose_name=_("working title"),
        help_text=_("May differ from final title"),
    )
    overall_archetype = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("overall archetype"),
        help_text=_("Primary archetype: 'loss_to_connection', 'transformation', etc."),
    )
    secondary_archetypes = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("secondary archetypes"),
        help_text=_("Additional archetypal patterns"),
    )
    narrative_structure = models.CharField(
        max_length=100,
        choices=StoryNarrativeStructure.choices,
        blank=True,
        default="",
        verbose_name=_("narrative structure"),
    )
    point_of_view = models.CharField(
        max_length=50,
        choices=StoryPointOfView.choices,
        blank=True,
        default="",
        verbose_name=_("point of view"),
    )
    narrative_voice = models.CharField(
        max_length=100,
        choices=StoryNarrativeVoice.choices,
        blank=True,
        default="",
        verbose_name=_("narrative voice"),
    )
    tense = models.CharField(
        max_length=50,
        choices=StoryTense.choices,
        blank=True,
        default="",
        verbose_name=_("tense"),
    )
    tone = models.CharField(
        max_length=100,
        choices=StoryTone.choices,
        blank=True,
        default="",
        verbose_name=_("tone"),
    )
    intended_audience = models.CharField(
        max_length=200,
        choices=StoryIntendedAudience.choices,
        blank=True,
        default="",
        verbose_name=_("intended audience"),
    )
    primary_purpose = models.TextField(
        blank=True,
        default="",
        verbose_name=_("primary purpose"),
        help_text=_("Why this story is being told"),
    )
    central_question = models.TextField(
        blank=True,
        default="",
        verbose_name=_("central question"),
        help_text=_("The question the memoir explores"),
    )
    central_themes = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("central themes"),
        help_text=_("Major themes throughout"),
    )
    story_timeframe_start = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("story timeframe start"),
        help_text=_("Year story begins"),
    )
    story_timeframe_end = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("story timeframe end"),
        help_text=_("Year story ends"),
    )
    uses_flashback = models.BooleanField(default=False, verbose_name=_("uses flashback"))
    uses_flashforward = models.BooleanField(default=False, verbose_name=_("uses flashforward"))
    opening_strategy = models.CharField(
        max_length=100,
        choices=StoryOpeningStrategy.choices,
        blank=True,
        default="",
        verbose_name=_("opening strategy"),
    )
    closing_strategy = models.CharField(
        max_length=100,
        choices=StoryClosingStrategy.choices,
        blank=True,
        default="",
        verbose_name=_("closing strategy"),
    )
    status = models.CharField(
        max_length=50,
        choices=StoryStatus.choices,
        default=StoryStatus.PLANNING,
        verbose_name=_("status"),
    )
    current_draft_version = models.IntegerField(default=1, verbose_name=_("current draft version"))
    estimated_word_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("estimated word count"),
    )
    target_word_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("target word count"),
    )
    estimated_page_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("estimated page count"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["title"]
        constraints = [
            choice_check("narrative_structure", StoryNarrativeStructure, blank=True),
            choice_check("point_of_view", StoryPointOfView, blank=True),
            choice_check("narrative_voice", StoryNarrativeVoice, blank=True),
            choice_check("tense", StoryTense, blank=True),
            choice_check("tone", StoryTone, blank=True),
            choice_check("intended_audience", StoryIntendedAudience, blank=True),
            choice_check("opening_strategy", StoryOpeningStrategy, blank=True),
            choice_check("closing_strategy", StoryClosingStrategy, blank=True),
            choice_check("status", StoryStatus),
        ]
        indexes = [
            models.Index(fields=["title"], name="st_sto_97433_idx"),
            trigram_index("st_story_bec67_q", "title", "subtitle", "working_title", "overall_archetype"),
        ]
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self) -> str:
        return self.title or f"Story {self.pk}"


class StoryChapter(StorytellerOwnedModel):
    """A chapter of a story."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="chapters",
        db_index=False,
        verbose_name=_("story"),
    )
    chapter_number = models.IntegerField(verbose_name=_("chapter number"))
    chapter_title = models.CharField(
        max_length=300,
        blank=True,
        default="",
        verbose_name=_("chapter title"),
    )
    chapter_subtitle = models.CharField(
        max_length=300,
        blank=True,
        default="",
        verbose_name=_("chapter subtitle"),
    )
    chapter_type = models.CharField(
        max_length=100,
        choices=StoryChapterChapterType.choices,
        blank=True,
        default="",
        verbose_name=_("chapter type"),
    )
    narrative_purpose = models.TextField(
        blank=True,
        default="",
        verbose_name=_("narrative purpose"),
        help_text=_("What this chapter accomplishes in the story"),
    )
    narrative_position = models.CharField(
        max_length=50,
        choices=StoryChapterNarrativePosition.choices,
        blank=True,
        default="",
        verbose_name=_("narrative position"),
    )
    chapter_arc = models.CharField(
        max_length=100,
        choices=StoryChapterChapterArc.choices,
        blank=True,
        default="",
        verbose_name=_("chapter arc"),
    )
    emotional_arc = models.TextField(
        blank=True,
        default="",
        verbose_name=_("emotional arc"),
        help_text=_("Description of emotional journey in chapter"),
    )
    opening_hook = models.TextField(
        blank=True,
        default="",
        verbose_name=_("opening hook"),
        help_text=_("How chapter begins - the hook"),
    )
    closing_resonance = models.TextField(
        blank=True,
        default="",
        verbose_name=_("closing resonance"),
        help_text=_("How chapter ends - the echo"),
    )
    chapter_timeframe_start = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("chapter timeframe start"),
        help_text=_("Year this chapter covers (start)"),
    )
    chapter_timeframe_end = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("chapter timeframe end"),
        help_text=_("Year this chapter covers (end)"),
    )
    primary_mode = models.CharField(
        max_length=50,
        choices=StoryChapterPrimaryMode.choices,
        blank=True,
        default="",
        verbose_name=_("primary mode"),
    )
    scene_to_summary_ratio = fraction_field(_("scene to summary ratio"), help_text=_("0.0 to 1.0 (1.0 = all scene)"))
    summary = models.TextField(
        blank=True,
        default="",
        verbose_name=_("summary"),
        help_text=_("Chapter summary"),
    )
    epigraph = models.TextField(
        blank=True,
        default="",
        verbose_name=_("epigraph"),
        help_text=_("Optional chapter epigraph"),
    )
    epigraph_attribution = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("epigraph attribution"),
    )
    status = models.CharField(
        max_length=50,
        choices=StoryChapterStatus.choices,
        default=StoryChapterStatus.PLANNED,
        verbose_name=_("status"),
    )
    current_draft_version = models.IntegerField(default=1, verbose_name=_("current draft version"))
    word_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("word count"),
    )
    estimated_word_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("estimated word count"),
    )
    display_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("display order"),
        help_text=_("Actual order in book (may differ from chapter_number"),
    )

    access_path = "story__storyteller__user"

    class Meta:
        ordering = ["story_id", "chapter_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "chapter_number"],
                name="storyteller_storychapter_story_chapter_number_unique",
                violation_error_message=_("This story / chapter number combination already exists."),
            ),
            choice_check("chapter_type", StoryChapterChapterType, blank=True),
            choice_check("narrative_position", StoryChapterNarrativePosition, blank=True),
            choice_check("chapter_arc", StoryChapterChapterArc, blank=True),
            choice_check("primary_mode", StoryChapterPrimaryMode, blank=True),
            range_check("scene_to_summary_ratio", Decimal("0"), Decimal("1")),
            choice_check("status", StoryChapterStatus),
        ]
        indexes = [
            trigram_index(
                "st_storychapter_638d1_q", "chapter_title", "chapter_subtitle", "narrative_purpose", "emotional_arc"
            ),
        ]
        verbose_name = _("story chapter")
        verbose_name_plural = _("story chapters")

    def __str__(self) -> str:
        return f"Story chapter {self.pk}"


class ChapterSection(StorytellerOwnedModel):
    """A section (scene, summary, reflection, ...) of a chapter."""

    chapter = models.ForeignKey(
        "StoryChapter",
        on_delete=models.CASCADE,
        related_name="sections",
        db_index=False,
        verbose_name=_("chapter"),
    )
    section_number = models.IntegerField(verbose_name=_("section number"))
    section_title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("section title"),
        help_text=_("Optional section title"),
    )
    section_type = models.CharField(
        max_length=50,
        choices=ChapterSectionSectionType.choices,
        blank=True,
        default="",
        verbose_name=_("section type"),
    )
    scene_setting = models.CharField(
        max_length=500,
        blank=True,
        default="",
        verbose_name=_("scene setting"),
        help_text=_("Where and when the scene takes place"),
    )
    scene_characters = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("scene characters"),
        help_text=_("Characters present in scene"),
    )
    scene_purpose = models.TextField(
        blank=True,
        default="",
        verbose_name=_("scene purpose"),
        help_text=_("What the scene accomplishes"),
    )
    content = models.TextField(
        blank=True,
        default="",
        verbose_name=_("content"),
        help_text=_("The actual written content"),
    )
    notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("notes"),
        help_text=_("Writer's notes about this section"),
    )
    uses_dialogue = models.BooleanField(default=False, verbose_name=_("uses dialogue"))
    uses_sensory_details = models.BooleanField(default=False, verbose_name=_("uses sensory details"))
    uses_internal_monologue = models.BooleanField(default=False, verbose_name=_("uses internal monologue"))
    show_vs_tell = models.CharField(
        max_length=50,
        choices=ChapterSectionShowVsTell.choices,
        blank=True,
        default="",
        verbose_name=_("show vs tell"),
    )
    status = models.CharField(
        max_length=50,
        choices=ChapterSectionStatus.choices,
        default=ChapterSectionStatus.OUTLINED,
        verbose_name=_("status"),
    )
    word_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("word count"),
    )
    sequence_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("sequence order"),
    )

    access_path = "chapter__story__storyteller__user"

    class Meta:
        ordering = ["chapter_id", "section_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "section_number"],
                name="storyteller_chaptersection_chapter_section_number_unique",
                violation_error_message=_("This chapter / section number combination already exists."),
            ),
            choice_check("section_type", ChapterSectionSectionType, blank=True),
            choice_check("show_vs_tell", ChapterSectionShowVsTell, blank=True),
            choice_check("status", ChapterSectionStatus),
        ]
        indexes = [
            trigram_index("st_chaptersection_cfcfe_q", "section_title", "scene_setting", "scene_purpose", "content"),
        ]
        verbose_name = _("chapter section")
        verbose_name_plural = _("chapter sections")

    def __str__(self) -> str:
        return f"Chapter section {self.pk}"


class StoryCollection(StorytellerOwnedModel):
    """A collection used as material for a chapter of a story."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="collection_links",
        db_index=False,
        verbose_name=_("story"),
    )
    chapter = models.ForeignKey(
        "StoryChapter",
        on_delete=models.CASCADE,
        related_name="collection_links",
        verbose_name=_("chapter"),
    )
    collection = models.ForeignKey(
        "Collection",
        on_delete=models.CASCADE,
        related_name="story_links",
        verbose_name=_("collection"),
    )
    usage_type = models.CharField(
        max_length=50,
        choices=StoryCollectionUsageType.choices,
        blank=True,
        default="",
        verbose_name=_("usage type"),
    )
    material_used = models.TextField(
        blank=True,
        default="",
        verbose_name=_("material used"),
        help_text=_("Description of what from collection appears in chapter"),
    )
    transformation_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("transformation notes"),
        help_text=_("How raw material was transformed for narrative"),
    )

    access_path = "story__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "chapter", "collection"],
                name="storyteller_storycollection_story_chapter_collection_unique",
                violation_error_message=_("This story / chapter / collection combination already exists."),
            ),
            choice_check("usage_type", StoryCollectionUsageType, blank=True),
        ]
        indexes = [
            trigram_index("st_storycollection_14f50_q", "material_used", "transformation_notes"),
        ]
        verbose_name = _("story collection")
        verbose_name_plural = _("story collections")

    def __str__(self) -> str:
        return f"Story collection {self.pk}"


class StoryCharacter(StorytellerOwnedModel):
    """A person as they appear in a story (possibly under a pseudonym or as a composite)."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="characters",
        verbose_name=_("story"),
    )
    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="story_characters",
        verbose_name=_("storyteller"),
        help_text=_("Links to storyteller if character is the author"),
    )
    first_appearance_chapter = models.ForeignKey(
        "StoryChapter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="first_appearances",
        verbose_name=_("first appearance chapter"),
    )
    character_name = models.CharField(
        max_length=200,
        verbose_name=_("character name"),
        help_text=_("Name used in story (may be pseudonym)"),
    )
    real_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("real name"),
        help_text=_("Actual name (if different)"),
    )
    is_pseudonym = models.BooleanField(default=False, verbose_name=_("is pseudonym"))
    character_type = models.CharField(
        max_length=50,
        choices=StoryCharacterCharacterType.choices,
        blank=True,
        default="",
        verbose_name=_("character type"),
    )
    relationship_to_protagonist = models.CharField(
        max_length=100,
        choices=StoryCharacterRelationshipToProtagonist.choices,
        blank=True,
        default="",
        verbose_name=_("relationship to protagonist"),
    )
    physical_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("physical description"),
        help_text=_("How character appears"),
    )
    personality_traits = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("personality traits"),
        help_text=_("Key personality characteristics"),
    )
    speech_patterns = models.TextField(
        blank=True,
        default="",
        verbose_name=_("speech patterns"),
        help_text=_("How character talks (for dialogue)"),
    )
    backstory = models.TextField(
        blank=True,
        default="",
        verbose_name=_("backstory"),
        help_text=_("Relevant history"),
    )
    motivation = models.TextField(
        blank=True,
        default="",
        verbose_name=_("motivation"),
        help_text=_("What drives this character"),
    )
    has_arc = models.BooleanField(default=False, verbose_name=_("has arc"))
    arc_type = models.CharField(
        max_length=100,
        choices=StoryCharacterArcType.choices,
        blank=True,
        default="",
        verbose_name=_("arc type"),
    )
    arc_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("arc description"),
    )
    initial_state = models.TextField(
        blank=True,
        default="",
        verbose_name=_("initial state"),
        help_text=_("Character at beginning"),
    )
    transformation = models.TextField(
        blank=True,
        default="",
        verbose_name=_("transformation"),
        help_text=_("How character changes"),
    )
    final_state = models.TextField(
        blank=True,
        default="",
        verbose_name=_("final state"),
        help_text=_("Character at end"),
    )
    degree_of_revelation = models.CharField(
        max_length=50,
        choices=StoryCharacterDegreeOfRevelation.choices,
        blank=True,
        default="",
        verbose_name=_("degree of revelation"),
    )
    privacy_level = models.CharField(
        max_length=50,
        choices=StoryCharacterPrivacyLevel.choices,
        blank=True,
        default="",
        verbose_name=_("privacy level"),
    )
    composite_of = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("composite of"),
        help_text=_("If composite character, who does it represent"),
    )
    introduction_strategy = models.TextField(
        blank=True,
        default="",
        verbose_name=_("introduction strategy"),
        help_text=_("How character is introduced"),
    )
    is_living = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("is living"),
    )
    consent_obtained = models.BooleanField(default=False, verbose_name=_("consent obtained"))

    access_path = "story__storyteller__user"

    class Meta:
        ordering = ["character_name"]
        constraints = [
            choice_check("character_type", StoryCharacterCharacterType, blank=True),
            choice_check("relationship_to_protagonist", StoryCharacterRelationshipToProtagonist, blank=True),
            choice_check("arc_type", StoryCharacterArcType, blank=True),
            choice_check("degree_of_revelation", StoryCharacterDegreeOfRevelation, blank=True),
            choice_check("privacy_level", StoryCharacterPrivacyLevel, blank=True),
        ]
        indexes = [
            models.Index(fields=["character_name"], name="st_stocha_21639_idx"),
            trigram_index(
                "st_storycharacter_1244c_q", "character_name", "real_name", "physical_description", "speech_patterns"
            ),
        ]
        verbose_name = _("story character")
        verbose_name_plural = _("story characters")

    def __str__(self) -> str:
        return self.character_name or f"Story character {self.pk}"


class CharacterRelationship(StorytellerOwnedModel):
    """The relationship between two characters of a story."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="character_relationships",
        verbose_name=_("story"),
    )
    character_a = models.ForeignKey(
        "StoryCharacter",
        on_delete=models.CASCADE,
        related_name="relationships_as_a",
        db_index=False,
        verbose_name=_("character a"),
    )
    character_b = models.ForeignKey(
        "StoryCharacter",
        on_delete=models.CASCADE,
        related_name="relationships_as_b",
        verbose_name=_("character b"),
    )
    relationship_type = models.CharField(
        max_length=100,
        choices=CharacterRelationshipRelationshipType.choices,
        blank=True,
        default="",
        verbose_name=_("relationship type"),
    )
    relationship_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("relationship description"),
    )
    has_arc = models.BooleanField(default=False, verbose_name=_("has arc"))
    relationship_arc = models.CharField(
        max_length=100,
        choices=CharacterRelationshipRelationshipArc.choices,
        blank=True,
        default="",
        verbose_name=_("relationship arc"),
    )
    initial_dynamic = models.TextField(
        blank=True,
        default="",
        verbose_name=_("initial dynamic"),
        help_text=_("How relationship starts"),
    )
    key_conflict = models.TextField(
        blank=True,
        default="",
        verbose_name=_("key conflict"),
        help_text=_("Central tension in relationship"),
    )
    resolution = models.TextField(
        blank=True,
        default="",
        verbose_name=_("resolution"),
        help_text=_("How relationship resolves (or doesn't)"),
    )
    significance = models.CharField(
        max_length=50,
        choices=CharacterRelationshipSignificance.choices,
        blank=True,
        default="",
        verbose_name=_("significance"),
    )

    access_path = "story__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(character_a=F("character_b")),
                name="storyteller_characterrelationship_two_characters",
                violation_error_message=_("A relationship is between two different characters."),
            ),
            models.UniqueConstraint(
                fields=["character_a", "character_b"],
                name="storyteller_characterrelationship_pair_unique",
                violation_error_message=_("This character a / character b combination already exists."),
            ),
            choice_check("relationship_type", CharacterRelationshipRelationshipType, blank=True),
            choice_check("relationship_arc", CharacterRelationshipRelationshipArc, blank=True),
            choice_check("significance", CharacterRelationshipSignificance, blank=True),
        ]
        indexes = [
            trigram_index(
                "st_characterrelatio_7a553_q",
                "relationship_description",
                "initial_dynamic",
                "key_conflict",
                "resolution",
            ),
        ]
        verbose_name = _("character relationship")
        verbose_name_plural = _("character relationships")

    def __str__(self) -> str:
        return f"Character relationship {self.pk}"


class CharacterAppearance(StorytellerOwnedModel):
    """A character's appearance in a chapter (and optionally one of its sections)."""

    character = models.ForeignKey(
        "StoryCharacter",
        on_delete=models.CASCADE,
        related_name="appearances",
        verbose_name=_("character"),
    )
    chapter = models.ForeignKey(
        "StoryChapter",
        on_delete=models.CASCADE,
        related_name="character_appearances",
        verbose_name=_("chapter"),
    )
    section = models.ForeignKey(
        "ChapterSection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="character_appearances",
        verbose_name=_("section"),
    )
    role_in_scene = models.CharField(
        max_length=100,
        choices=CharacterAppearanceRoleInScene.choices,
        blank=True,
        default="",
        verbose_name=_("role in scene"),
    )
    significance_in_scene = models.CharField(
        max_length=50,
        choices=CharacterAppearanceSignificanceInScene.choices,
        blank=True,
        default="",
        verbose_name=_("significance in scene"),
    )
    character_development = models.BooleanField(
        default=False,
        verbose_name=_("character development"),
        help_text=_("Does character develop in this appearance?"),
    )
    development_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("development notes"),
    )

    access_path = "character__story__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("role_in_scene", CharacterAppearanceRoleInScene, blank=True),
            choice_check("significance_in_scene", CharacterAppearanceSignificanceInScene, blank=True),
        ]
        indexes = [
            trigram_index("st_characterappeara_73d33_q", "development_notes"),
        ]
        verbose_name = _("character appearance")
        verbose_name_plural = _("character appearances")

    def __str__(self) -> str:
        return f"Character appearance {self.pk}"


class StoryTheme(StorytellerOwnedModel):
    """A theme running through a story."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="themes",
        verbose_name=_("story"),
    )
    theme_name = models.CharField(
        max_length=200,
        verbose_name=_("theme name"),
        help_text=_('"Forgiveness", "Belonging", "Identity"'),
    )
    theme_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("theme description"),
    )
    theme_type = models.CharField(
        max_length=50,
        choices=StoryThemeThemeType.choices,
        blank=True,
        default="",
        verbose_name=_("theme type"),
    )
    symbols = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("symbols"),
        help_text=_("Recurring symbols representing theme"),
    )
    motifs = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("motifs"),
        help_text=_("Recurring patterns"),
    )
    imagery = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("imagery"),
        help_text=_("Recurring images"),
    )
    theme_arc = models.TextField(
        blank=True,
        default="",
        verbose_name=_("theme arc"),
        help_text=_("How theme evolves through story"),
    )

    access_path = "story__storyteller__user"

    class Meta:
        ordering = ["theme_name"]
        constraints = [
            choice_check("theme_type", StoryThemeThemeType, blank=True),
        ]
        indexes = [
            models.Index(fields=["theme_name"], name="st_stothe_ced05_idx"),
            trigram_index("st_storytheme_1f111_q", "theme_name", "theme_description", "theme_arc"),
        ]
        verbose_name = _("story theme")
        verbose_name_plural = _("story themes")

    def __str__(self) -> str:
        return self.theme_name or f"Story theme {self.pk}"


class ChapterTheme(StorytellerOwnedModel):
    """How prominent a story theme is in a chapter."""

    chapter = models.ForeignKey(
        "StoryChapter",
        on_delete=models.CASCADE,
        related_name="chapter_themes",
        db_index=False,
        verbose_name=_("chapter"),
    )
    theme = models.ForeignKey(
        "StoryTheme",
        on_delete=models.CASCADE,
        related_name="chapter_themes",
        verbose_name=_("theme"),
    )
    prominence = models.CharField(
        max_length=50,
        choices=ChapterThemeProminence.choices,
        blank=True,
        default="",
        verbose_name=_("prominence"),
    )
    how_explored = models.TextField(
        blank=True,
        default="",
        verbose_name=_("how explored"),
        help_text=_("How theme is explored in this chapter"),
    )

    access_path = "chapter__story__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "theme"],
                name="storyteller_chaptertheme_chapter_theme_unique",
                violation_error_message=_("This chapter / theme combination already exists."),
            ),
            choice_check("prominence", ChapterThemeProminence, blank=True),
        ]
        indexes = [
            trigram_index("st_chaptertheme_6f256_q", "how_explored"),
        ]
        verbose_name = _("chapter theme")
        verbose_name_plural = _("chapter themes")

    def __str__(self) -> str:
        return f"Chapter theme {self.pk}"


class StoryScene(StorytellerOwnedModel):
    """A scene of a story, with its five senses, structure and reflection."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="scenes",
        verbose_name=_("story"),
    )
    chapter = models.ForeignKey(
        "StoryChapter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenes",
        verbose_name=_("chapter"),
    )
    section = models.ForeignKey(
        "ChapterSection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenes",
        verbose_name=_("section"),
    )
    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="story_scenes",
        verbose_name=_("life event"),
    )
    scene_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("scene name"),
    )
    scene_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("scene description"),
    )
    scene_setting = models.TextField(
        blank=True,
        default="",
        verbose_name=_("scene setting"),
        help_text=_("Specific time and place"),
    )
    scene_time = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("scene time"),
        help_text=_('"Summer 1967, late afternoon"'),
    )
    scene_place = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("scene place"),
        help_text=_('"Our kitchen in the Boston apartment"'),
    )
    scene_purpose = models.TextField(
        blank=True,
        default="",
        verbose_name=_("scene purpose"),
        help_text=_("What this scene accomplishes"),
    )
    reveals_character = models.TextField(
        blank=True,
        default="",
        verbose_name=_("reveals character"),
        help_text=_("Character revelation"),
    )
    advances_plot = models.TextField(
        blank=True,
        default="",
        verbose_name=_("advances plot"),
        help_text=_("Plot advancement"),
    )
    develops_theme = models.TextField(
        blank=True,
        default="",
        verbose_name=_("develops theme"),
        help_text=_("Thematic development"),
    )
    visual_details = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("visual details"),
    )
    auditory_details = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("auditory details"),
    )
    tactile_details = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("tactile details"),
    )
    olfactory_details = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("olfactory details"),
    )
    gustatory_details = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("gustatory details"),
    )
    has_dialogue = models.BooleanField(default=False, verbose_name=_("has dialogue"))
    dialogue_snippet = models.TextField(
        blank=True,
        default="",
        verbose_name=_("dialogue snippet"),
        help_text=_("Key dialogue from scene"),
    )
    has_internal_monologue = models.BooleanField(default=False, verbose_name=_("has internal monologue"))
    internal_thoughts = models.TextField(
        blank=True,
        default="",
        verbose_name=_("internal thoughts"),
    )
    emotional_tone = models.CharField(
        max_length=50,
        choices=StorySceneEmotionalTone.choices,
        blank=True,
        default="",
        verbose_name=_("emotional tone"),
    )
    opening_image = models.TextField(
        blank=True,
        default="",
        verbose_name=_("opening image"),
        help_text=_("How scene opens"),
    )
    inciting_action = models.TextField(
        blank=True,
        default="",
        verbose_name=_("inciting action"),
        help_text=_("What triggers the scene"),
    )
    complication = models.TextField(
        blank=True,
        default="",
        verbose_name=_("complication"),
        help_text=_("What makes it complex"),
    )
    climax = models.TextField(
        blank=True,
        default="",
        verbose_name=_("climax"),
        help_text=_("Peak moment"),
    )
    resolution = models.TextField(
        blank=True,
        default="",
        verbose_name=_("resolution"),
        help_text=_("How scene concludes"),
    )
    reflection = models.TextField(
        blank=True,
        default="",
        verbose_name=_("reflection"),
        help_text=_("Looking-back perspective on this scene"),
    )
    meaning_made = models.TextField(
        blank=True,
        default="",
        verbose_name=_("meaning made"),
        help_text=_("What storyteller understands now"),
    )
    status = models.CharField(
        max_length=50,
        choices=StorySceneStatus.choices,
        default=StorySceneStatus.OUTLINED,
        verbose_name=_("status"),
    )
    word_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("word count"),
    )

    access_path = "story__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("emotional_tone", StorySceneEmotionalTone, blank=True),
            choice_check("status", StorySceneStatus),
        ]
        indexes = [
            trigram_index("st_storyscene_545a2_q", "scene_name", "scene_description", "scene_setting", "scene_time"),
        ]
        verbose_name = _("story scene")
        verbose_name_plural = _("story scenes")

    def __str__(self) -> str:
        return self.scene_name or f"Story scene {self.pk}"


class StoryDraft(StorytellerOwnedModel):
    """A draft version of a story, or of one chapter."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="drafts",
        db_index=False,
        verbose_name=_("story"),
    )
    chapter = models.ForeignKey(
        "StoryChapter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("chapter"),
    )
    draft_type = models.CharField(
        max_length=50,
        choices=StoryDraftDraftType.choices,
        blank=True,
        default="",
        verbose_name=_("draft type"),
    )
    draft_version = models.IntegerField(verbose_name=_("draft version"))
    version_name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("version name"),
        help_text=_('"First draft", "Revision after feedback"'),
    )
    content = models.TextField(
        blank=True,
        default="",
        verbose_name=_("content"),
        help_text=_("Full text of this draft"),
    )
    word_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("word count"),
    )
    revision_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("revision notes"),
        help_text=_("What changed in this version"),
    )
    feedback_received = models.TextField(
        blank=True,
        default="",
        verbose_name=_("feedback received"),
        help_text=_("Feedback that led to this revision"),
    )
    is_current = models.BooleanField(default=False, verbose_name=_("is current"))

    access_path = "story__storyteller__user"

    class Meta:
        ordering = ["story_id", "-draft_version"]
        constraints = [
            choice_check("draft_type", StoryDraftDraftType, blank=True),
        ]
        indexes = [
            models.Index(fields=["story", "-draft_version"], name="st_stodra_209bb_idx"),
            trigram_index("st_storydraft_ac439_q", "version_name", "content", "revision_notes", "feedback_received"),
        ]
        verbose_name = _("story draft")
        verbose_name_plural = _("story drafts")

    def __str__(self) -> str:
        return f"Story draft {self.pk}"
