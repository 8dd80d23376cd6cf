"""Collections: life events grouped around a principle, groupings of collections, and their syntheses."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.constraints import choice_check
from core.models import trigram_index
from storyteller.choices import (
    CollectionArchetypePattern,
    CollectionBookSectionType,
    CollectionCollectionType,
    CollectionGroupingBookPartType,
    CollectionGroupingGroupingType,
    CollectionLifeEventAddedBy,
    CollectionLifeEventNarrativeRole,
    CollectionNarrativeArc,
    CollectionOrganizingPrinciple,
    CollectionRelationshipRelationshipType,
    CollectionRelationshipStrength,
    CollectionSynthesisSynthesisType,
    CollectionTagTagCategory,
)
from storyteller.models.base import StorytellerOwnedModel


class Collection(StorytellerOwnedModel):
    """A storyteller's grouping of life events around a principle (theme, timeline, archetype, ...)."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="collections",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    collection_name = models.CharField(
        max_length=200,
        verbose_name=_("collection name"),
        help_text=_('"My faith journey", "Career evolution", "Loss and resilience"'),
    )
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
    )
    organizing_principle = models.CharField(
        max_length=100,
        choices=CollectionOrganizingPrinciple.choices,
        blank=True,
        default="",
        verbose_name=_("organizing principle"),
    )
    organizing_value = models.TextField(
        blank=True,
        default="",
        verbose_name=_("organizing value"),
        help_text=_("The specific principle"),
    )
    narrative_arc = models.CharField(
        max_length=100,
        choices=CollectionNarrativeArc.choices,
        blank=True,
        default="",
        verbose_name=_("narrative arc"),
    )
    archetype_pattern = models.CharField(
        max_length=100,
        choices=CollectionArchetypePattern.choices,
        blank=True,
        default="",
        verbose_name=_("archetype pattern"),
    )
    collection_type = models.CharField(
        max_length=50,
        choices=CollectionCollectionType.choices,
        blank=True,
        default="",
        verbose_name=_("collection type"),
    )
    is_provisional = models.BooleanField(
        default=True,
        verbose_name=_("is provisional"),
        help_text=_("Still being refined"),
    )
    is_approved = models.BooleanField(
        default=False,
        verbose_name=_("is approved"),
        help_text=_("Storyteller confirmed this makes sense"),
    )
    approved_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("approved at"),
    )
    include_in_book = models.BooleanField(default=True, verbose_name=_("include in book"))
    book_section_type = models.CharField(
        max_length=50,
        choices=CollectionBookSectionType.choices,
        blank=True,
        default="",
        verbose_name=_("book section type"),
    )
    suggested_title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("suggested title"),
        help_text=_("Suggested chapter/section title"),
    )
    display_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("display order"),
        help_text=_("Order in book"),
    )
    synthesis_summary = models.TextField(
        blank=True,
        default="",
        verbose_name=_("synthesis summary"),
        help_text=_("AI-generated summary of this collection"),
    )
    synthesis_themes = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("synthesis themes"),
        help_text=_("Key themes across these events"),
    )
    synthesis_tone = models.CharField(
        max_length=50,
        blank=True,
        default="",
        verbose_name=_("synthesis tone"),
        help_text=_("Overall emotional tone"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["storyteller_id", "display_order", "collection_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_approved=False) | Q(is_provisional=False, approved_at__isnull=False),
                name="storyteller_collection_approved_not_provisional",
                violation_error_message=_("An approved row is no longer provisional and carries its approval time."),
            ),
            choice_check("organizing_principle", CollectionOrganizingPrinciple, blank=True),
            choice_check("narrative_arc", CollectionNarrativeArc, blank=True),
            choice_check("archetype_pattern", CollectionArchetypePattern, blank=True),
            choice_check("collection_type", CollectionCollectionType, blank=True),
            choice_check("book_section_type", CollectionBookSectionType, blank=True),
        ]
        indexes = [
            models.Index(fields=["storyteller", "display_order", "collection_name"], name="st_col_e368e_idx"),
            trigram_index(
                "st_collection_db6d9_q", "collection_name", "description", "organizing_value", "suggested_title"
            ),
        ]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.collection_name or f"Collection {self.pk}"


class CollectionLifeEvent(StorytellerOwnedModel):
    """A life event's place and role within a collection."""

    collection = models.ForeignKey(
        "Collection",
        on_delete=models.CASCADE,
        related_name="life_event_links",
        db_index=False,
        verbose_name=_("collection"),
    )
    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="collection_links",
        verbose_name=_("life event"),
    )
    sequence_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("sequence order"),
        help_text=_("Position in collection (if order matters)"),
    )
    is_anchor_event = models.BooleanField(
        default=False,
        verbose_name=_("is anchor event"),
        help_text=_("Is this a pivotal event in the collection?"),
    )
    narrative_role = models.CharField(
        max_length=100,
        choices=CollectionLifeEventNarrativeRole.choices,
        blank=True,
        default="",
        verbose_name=_("narrative role"),
    )
    narrative_function = models.TextField(
        blank=True,
        default="",
        verbose_name=_("narrative function"),
        help_text=_("How this event functions in the collection story"),
    )
    connection_to_theme = models.TextField(
        blank=True,
        default="",
        verbose_name=_("connection to theme"),
        help_text=_("How this event relates to collection theme"),
    )
    added_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("added at"),
    )
    added_by = models.CharField(
        max_length=100,
        choices=CollectionLifeEventAddedBy.choices,
        blank=True,
        default="",
        verbose_name=_("added by"),
    )

    access_path = "collection__storyteller__user"

    class Meta:
        ordering = ["collection_id", "sequence_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "life_event"],
                name="storyteller_collectionlifeevent_collection_life_event_unique",
                violation_error_message=_("This collection / life event combination already exists."),
            ),
            choice_check("narrative_role", CollectionLifeEventNarrativeRole, blank=True),
            choice_check("added_by", CollectionLifeEventAddedBy, blank=True),
        ]
        indexes = [
            models.Index(fields=["collection", "sequence_order"], name="st_collifeve_990ee_idx"),
            trigram_index("st_collectionlifeev_334e8_q", "narrative_function", "connection_to_theme"),
        ]
        verbose_name = _("collection life event")
        verbose_name_plural = _("collection life events")

    def __str__(self) -> str:
        return f"Collection life event {self.pk}"


class CollectionGrouping(StorytellerOwnedModel):
    """A grouping of collections (a book part, a storyline, ...)."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="collection_groupings",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    grouping_name = models.CharField(
        max_length=200,
        verbose_name=_("grouping name"),
        help_text=_('"My spiritual evolution", "Relationships across time"'),
    )
    grouping_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("grouping description"),
    )
    grouping_type = models.CharField(
        max_length=100,
        choices=CollectionGroupingGroupingType.choices,
        blank=True,
        default="",
        verbose_name=_("grouping type"),
    )
    grouping_principle = models.TextField(
        blank=True,
        default="",
        verbose_name=_("grouping principle"),
        help_text=_("The overarching principle"),
    )
    book_part_type = models.CharField(
        max_length=50,
        choices=CollectionGroupingBookPartType.choices,
        blank=True,
        default="",
        verbose_name=_("book part type"),
    )
    suggested_part_title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("suggested part title"),
    )
    display_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("display order"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["storyteller_id", "display_order"]
        constraints = [
            choice_check("grouping_type", CollectionGroupingGroupingType, blank=True),
            choice_check("book_part_type", CollectionGroupingBookPartType, blank=True),
        ]
        indexes = [
            models.Index(fields=["storyteller", "display_order"], name="st_colgro_78fd7_idx"),
            trigram_index(
                "st_collectiongroupi_2193f_q",
                "grouping_name",
                "grouping_description",
                "grouping_principle",
                "suggested_part_title",
            ),
        ]
        verbose_name = _("collection grouping")
        verbose_name_plural = _("collection groupings")

    def __str__(self) -> str:
        return self.grouping_name or f"Collection grouping {self.pk}"


class CollectionGroupingMember(StorytellerOwnedModel):
    """A collection within a collection grouping."""

    grouping = models.ForeignKey(
        "CollectionGrouping",
        on_delete=models.CASCADE,
        related_name="members",
        db_index=False,
        verbose_name=_("grouping"),
    )
    collection = models.ForeignKey(
        "Collection",
        on_delete=models.CASCADE,
        related_name="grouping_memberships",
        verbose_name=_("collection"),
    )
    sequence_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("sequence order"),
    )
    relationship_to_grouping = models.TextField(
        blank=True,
        default="",
        verbose_name=_("relationship to grouping"),
        help_text=_("How this collection fits in the grouping"),
    )

    access_path = "grouping__storyteller__user"

    class Meta:
        ordering = ["grouping_id", "sequence_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["grouping", "collection"],
                name="storyteller_collectiongroupingmember_grouping_collection_unique",
                violation_error_message=_("This grouping / collection combination already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["grouping", "sequence_order"], name="st_colgromem_c914d_idx"),
            trigram_index("st_collectiongroupi_cfd6e_q", "relationship_to_grouping"),
        ]
        verbose_name = _("collection grouping member")
        verbose_name_plural = _("collection grouping members")

    def __str__(self) -> str:
        return f"Collection grouping member {self.pk}"


class CollectionRelationship(StorytellerOwnedModel):
    """How one collection relates to another (leads to, contrasts with, ...)."""

    source_collection = models.ForeignKey(
        "Collection",
        on_delete=models.CASCADE,
        related_name="outgoing_relationships",
        db_index=False,
        verbose_name=_("source collection"),
    )
    target_collection = models.ForeignKey(
        "Collection",
        on_delete=models.CASCADE,
        related_name="incoming_relationships",
        verbose_name=_("target collection"),
    )
    relationship_type = models.CharField(
        max_length=100,
        choices=CollectionRelationshipRelationshipType.choices,
        blank=True,
        default="",
        verbose_name=_("relationship type"),
    )
    relationship_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("relationship description"),
        help_text=_("Explain the connection"),
    )
    strength = models.CharField(
        max_length=50,
        choices=CollectionRelationshipStrength.choices,
        blank=True,
        default="",
        verbose_name=_("strength"),
    )
    is_bidirectional = models.BooleanField(default=False, verbose_name=_("is bidirectional"))

    access_path = "source_collection__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source_collection=F("target_collection")),
                name="storyteller_collectionrelationship_two_collections",
                violation_error_message=_("A relationship is between two different collections."),
            ),
            models.UniqueConstraint(
                fields=["source_collection", "target_collection", "relationship_type"],
                name="storyteller_collectionrelationship_pair_type_unique",
                violation_error_message=_(
                    "This source collection / target collection / relationship type combination already exists."
                ),
            ),
            choice_check("relationship_type", CollectionRelationshipRelationshipType, blank=True),
            choice_check("strength", CollectionRelationshipStrength, blank=True),
        ]
        indexes = [
            trigram_index("st_collectionrelati_6c490_q", "relationship_description"),
        ]
        verbose_name = _("collection relationship")
        verbose_name_plural = _("collection relationships")

    def __str__(self) -> str:
        return f"Collection relationship {self.pk}"


class CollectionTag(StorytellerOwnedModel):
    """A categorised tag on a collection."""

    collection = models.ForeignKey(
        "Collection",
        on_delete=models.CASCADE,
        related_name="tags",
        verbose_name=_("collection"),
    )
    tag_category = models.CharField(
        max_length=100,
        choices=CollectionTagTagCategory.choices,
        blank=True,
        default="",
        verbose_name=_("tag category"),
    )
    tag_value = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("tag value"),
        help_text=_("The actual tag"),
    )
    relevance_note = models.TextField(
        blank=True,
        default="",
        verbose_name=_("relevance note"),
        help_text=_("Why this tag applies"),
    )

    access_path = "collection__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("tag_category", CollectionTagTagCategory, blank=True),
        ]
        indexes = [
            trigram_index("st_collectiontag_44bb9_q", "tag_value", "relevance_note"),
        ]
        verbose_name = _("collection tag")
        verbose_name_plural = _("collection tags")

    def __str__(self) -> str:
        return self.tag_value or f"Collection tag {self.pk}"


class CollectionSynthesis(StorytellerOwnedModel):
    """A provisional synthesis of a collection (summary, arcs, draft chapter)."""

    collection = models.ForeignKey(
        "Collection",
        on_delete=models.CASCADE,
        related_name="syntheses",
        verbose_name=_("collection"),
    )
    synthesis_type = models.CharField(
        max_length=50,
        choices=CollectionSynthesisSynthesisType.choices,
        blank=True,
        default="",
        verbose_name=_("synthesis type"),
    )
    synthesis_version = models.IntegerField(default=1, verbose_name=_("synthesis version"))
    content = models.TextField(verbose_name=_("content"))
    structured_data = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("structured data"),
        help_text=_("Additional structured insights"),
    )
    is_provisional = models.BooleanField(default=True, verbose_name=_("is provisional"))
    is_approved = models.BooleanField(default=False, verbose_name=_("is approved"))
    approved_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("approved at"),
    )
    user_feedback = models.TextField(
        blank=True,
        default="",
        verbose_name=_("user feedback"),
    )
    needs_revision = models.BooleanField(default=False, verbose_name=_("needs revision"))

    access_path = "collection__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_approved=False) | Q(is_provisional=False, approved_at__isnull=False),
                name="storyteller_collectionsynthesis_approved_not_provisional",
                violation_error_message=_("An approved row is no longer provisional and carries its approval time."),
            ),
            choice_check("synthesis_type", CollectionSynthesisSynthesisType, blank=True),
        ]
        indexes = [
            trigram_index("st_collectionsynthe_c9771_q", "content", "user_feedback"),
        ]
        verbose_name = _("collection synthesis")
        verbose_name_plural = _("collection syntheses")

    def __str__(self) -> str:
        return f"Collection synthesis {self.pk}"
