"""Storytellers and their life events (the organising unit of a life story), with boundaries and preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.constraints import choice_check, range_check
from core.models import SoftDeleteManager, SoftDeleteModel, trigram_index
from storyteller.choices import (
    LifeEventBoundaryPrivacyLevel,
    LifeEventCategory,
    LifeEventDetailDetailType,
    LifeEventEmotionalTone,
    LifeEventEventType,
    LifeEventIncludeLevel,
    LifeEventLocationLocationType,
    LifeEventMediaMediaType,
    LifeEventParticipantRelationshipType,
    LifeEventParticipantSignificance,
    LifeEventPreferencePreferredApproach,
    LifeEventPreferencePreferredDepth,
    LifeEventSignificanceLevel,
    LifeEventTimespanTimespanType,
    LifeEventTraumaAssessedBy,
    LifeEventTraumaDefaultPrivacyLevel,
    LifeEventTraumaTraumaStatus,
    LifeEventTraumaTraumaType,
    StorytellerPreferenceDesiredBookLength,
    StorytellerPreferenceDesiredBookTone,
    StorytellerPreferenceIntendedAudience,
    StorytellerPreferencePreferredInputMethod,
    StorytellerPreferenceSessionLengthPreference,
    StorytellerRelationshipToUser,
)
from storyteller.models.base import StorytellerOwnedModel, StorytellerQuerySet


class Storyteller(SoftDeleteModel, StorytellerOwnedModel):
    """The person whose life story is captured: immutable facts only (life events carry the rest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="storytellers",
        verbose_name=_("user"),
    )
    relationship_to_user = models.CharField(
        max_length=50,
        choices=StorytellerRelationshipToUser.choices,
        blank=True,
        default="",
        verbose_name=_("relationship to user"),
    )
    first_name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("first name"),
    )
    middle_name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("middle name"),
    )
    last_name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("last name"),
    )
    preferred_name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("preferred name"),
        help_text=_("What they like to be called"),
    )
    birth_year = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("birth year"),
    )
    birth_month = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        verbose_name=_("birth month"),
    )
    birth_day = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        verbose_name=_("birth day"),
    )
    birth_place = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("birth place"),
        help_text=_("City, State/Country"),
    )
    is_living = models.BooleanField(default=True, verbose_name=_("is living"))
    current_location = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("current location"),
        help_text=_("Can change but tracks current"),
    )
    consent_given = models.BooleanField(
        default=False,
        verbose_name=_("consent given"),
        help_text=_("Explicit consent for story capture"),
    )
    consent_date = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("consent date"),
    )
    profile_image_url = models.TextField(
        blank=True,
        default="",
        verbose_name=_("profile image url"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    access_path = "user"
    objects = SoftDeleteManager.from_queryset(StorytellerQuerySet)()
    all_objects = models.Manager.from_queryset(StorytellerQuerySet)()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            choice_check("relationship_to_user", StorytellerRelationshipToUser, blank=True),
            range_check("birth_month", 1, 12),
            range_check("birth_day", 1, 31),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="st_sto_a3c75_idx"),
            trigram_index("st_storyteller_2437f_q", "first_name", "middle_name", "last_name", "preferred_name"),
        ]
        verbose_name = _("storyteller")
        verbose_name_plural = _("storytellers")

    def __str__(self) -> str:
        return self.preferred_name or " ".join(filter(None, [self.first_name, self.last_name])) or str(self.pk)


class StorytellerBoundary(StorytellerOwnedModel):
    """The storyteller's default comfort boundaries; life event boundaries override them."""

    storyteller = models.OneToOneField(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="boundary",
        verbose_name=_("storyteller"),
    )
    comfortable_discussing_romance = models.BooleanField(default=True, verbose_name=_("comfortable discussing romance"))
    comfortable_discussing_intimacy = models.BooleanField(
        default=False,
        verbose_name=_("comfortable discussing intimacy"),
    )
    comfortable_discussing_loss = models.BooleanField(default=True, verbose_name=_("comfortable discussing loss"))
    comfortable_discussing_trauma = models.BooleanField(default=False, verbose_name=_("comfortable discussing trauma"))
    comfortable_discussing_illness = models.BooleanField(default=True, verbose_name=_("comfortable discussing illness"))
    comfortable_discussing_conflict = models.BooleanField(
        default=True,
        verbose_name=_("comfortable discussing conflict"),
    )
    comfortable_discussing_faith = models.BooleanField(default=True, verbose_name=_("comfortable discussing faith"))
    comfortable_discussing_finances = models.BooleanField(
        default=False,
        verbose_name=_("comfortable discussing finances"),
    )
    prefers_some_private = models.BooleanField(
        default=False,
        verbose_name=_("prefers some private"),
        help_text=_("Will capture things not for book"),
    )
    wants_explicit_warnings = models.BooleanField(
        default=True,
        verbose_name=_("wants explicit warnings"),
        help_text=_("Before sensitive questions"),
    )
    off_limit_topics = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("off limit topics"),
        help_text=_('e.g., ["specific family conflict", "medical details"]'),
    )
    maximum_tier_comfortable = models.IntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        verbose_name=_("maximum tier comfortable"),
        help_text=_("1=safe, 2=optional, 3=private"),
    )
    additional_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("additional notes"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            range_check("maximum_tier_comfortable", 1, 3),
        ]
        indexes = [
            trigram_index("st_storytellerbound_51cc2_q", "additional_notes"),
        ]
        verbose_name = _("storyteller boundary")
        verbose_name_plural = _("storyteller boundaries")

    def __str__(self) -> str:
        return f"Storyteller boundary {self.pk}"


class StorytellerPreference(StorytellerOwnedModel):
    """How the storyteller likes to work and what book they want."""

    storyteller = models.OneToOneField(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("storyteller"),
    )
    preferred_input_method = models.CharField(
        max_length=50,
        choices=StorytellerPreferencePreferredInputMethod.choices,
        blank=True,
        default="",
        verbose_name=_("preferred input method"),
    )
    session_length_preference = models.CharField(
        max_length=50,
        choices=StorytellerPreferenceSessionLengthPreference.choices,
        blank=True,
        default="",
        verbose_name=_("session length preference"),
    )
    desired_book_tone = models.CharField(
        max_length=50,
        choices=StorytellerPreferenceDesiredBookTone.choices,
        blank=True,
        default="",
        verbose_name=_("desired book tone"),
    )
    desired_book_length = models.CharField(
        max_length=50,
        choices=StorytellerPreferenceDesiredBookLength.choices,
        blank=True,
        default="",
        verbose_name=_("desired book length"),
    )
    wants_photos_included = models.BooleanField(default=True, verbose_name=_("wants photos included"))
    wants_documents_included = models.BooleanField(default=True, verbose_name=_("wants documents included"))
    wants_letters_quotes_included = models.BooleanField(default=True, verbose_name=_("wants letters quotes included"))
    intended_audience = models.CharField(
        max_length=100,
        choices=StorytellerPreferenceIntendedAudience.choices,
        blank=True,
        default="",
        verbose_name=_("intended audience"),
    )
    primary_language = models.CharField(
        max_length=50,
        default="en",
        verbose_name=_("primary language"),
    )
    additional_preferences = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("additional preferences"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("preferred_input_method", StorytellerPreferencePreferredInputMethod, blank=True),
            models.CheckConstraint(
                condition=Q(session_length_preference__in=[*StorytellerPreferenceSessionLengthPreference.values, ""]),
                name="storyteller_storytellerpreference_length_valid",
                violation_error_message=_("Unknown session length preference."),
            ),
            choice_check("desired_book_tone", StorytellerPreferenceDesiredBookTone, blank=True),
            choice_check("desired_book_length", StorytellerPreferenceDesiredBookLength, blank=True),
            choice_check("intended_audience", StorytellerPreferenceIntendedAudience, blank=True),
        ]
        indexes = [
            trigram_index("st_storytellerprefe_687a6_q", "primary_language"),
        ]
        verbose_name = _("storyteller preference")
        verbose_name_plural = _("storyteller preferences")

    def __str__(self) -> str:
        return f"Storyteller preference {self.pk}"


class LifeEvent(StorytellerOwnedModel):
    """The organising unit of a life story ("My time in the Navy"); the timeline derives from its timespans."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="life_events",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    event_type = models.CharField(
        max_length=100,
        choices=LifeEventEventType.choices,
        blank=True,
        default="",
        verbose_name=_("event type"),
    )
    event_name = models.CharField(
        max_length=200,
        verbose_name=_("event name"),
        help_text=_('"My time in the Navy", "Faith crisis in college"'),
    )
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
        help_text=_("Brief summary"),
    )
    category = models.CharField(
        max_length=100,
        choices=LifeEventCategory.choices,
        blank=True,
        default="",
        verbose_name=_("category"),
    )
    significance_level = models.CharField(
        max_length=50,
        choices=LifeEventSignificanceLevel.choices,
        blank=True,
        default="",
        verbose_name=_("significance level"),
    )
    emotional_tone = models.CharField(
        max_length=50,
        choices=LifeEventEmotionalTone.choices,
        blank=True,
        default="",
        verbose_name=_("emotional tone"),
    )
    is_turning_point = models.BooleanField(default=False, verbose_name=_("is turning point"))
    is_ongoing = models.BooleanField(default=False, verbose_name=_("is ongoing"))
    include_in_story = models.BooleanField(default=True, verbose_name=_("include in story"))
    include_level = models.CharField(
        max_length=50,
        choices=LifeEventIncludeLevel.choices,
        blank=True,
        default="",
        verbose_name=_("include level"),
    )
    display_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("display order"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["storyteller_id", "display_order", "event_name"]
        constraints = [
            choice_check("event_type", LifeEventEventType, blank=True),
            choice_check("category", LifeEventCategory, blank=True),
            choice_check("significance_level", LifeEventSignificanceLevel, blank=True),
            choice_check("emotional_tone", LifeEventEmotionalTone, blank=True),
            choice_check("include_level", LifeEventIncludeLevel, blank=True),
        ]
        indexes = [
            models.Index(fields=["storyteller", "display_order", "event_name"], name="st_lifeve_4cbcf_idx"),
            trigram_index("st_lifeevent_b2401_q", "event_name", "description"),
        ]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")

    def __str__(self) -> str:
        return self.event_name or f"Life event {self.pk}"


class LifeEventTimespan(StorytellerOwnedModel):
    """When a life event happened (possibly approximate, possibly several spans)."""

    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="timespans",
        db_index=False,
        verbose_name=_("life event"),
    )
    timespan_type = models.CharField(
        max_length=50,
        choices=LifeEventTimespanTimespanType.choices,
        blank=True,
        default="",
        verbose_name=_("timespan type"),
    )
    start_year = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("start year"),
    )
    start_month = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        verbose_name=_("start month"),
    )
    start_day = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        verbose_name=_("start day"),
    )
    start_approximate = models.BooleanField(default=False, verbose_name=_("start approximate"))
    end_year = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("end year"),
    )
    end_month = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        verbose_name=_("end month"),
    )
    end_day = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        verbose_name=_("end day"),
    )
    end_approximate = models.BooleanField(default=False, verbose_name=_("end approximate"))
    is_ongoing = models.BooleanField(default=False, verbose_name=_("is ongoing"))
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
        help_text=_('"Served 1968-1972, deployed to Vietnam 1970-1971"'),
    )
    order_index = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("order index"),
    )

    access_path = "life_event__storyteller__user"

    class Meta:
        ordering = ["life_event_id", "order_index"]
        constraints = [
            choice_check("timespan_type", LifeEventTimespanTimespanType, blank=True),
            range_check("start_month", 1, 12),
            range_check("start_day", 1, 31),
            range_check("end_month", 1, 12),
            range_check("end_day", 1, 31),
        ]
        indexes = [
            models.Index(fields=["life_event", "order_index"], name="st_lifevetim_ca3dd_idx"),
            trigram_index("st_lifeeventtimespa_9d7c7_q", "description"),
        ]
        verbose_name = _("life event timespan")
        verbose_name_plural = _("life event timespans")

    def __str__(self) -> str:
        return f"Life event timespan {self.pk}"


class LifeEventLocation(StorytellerOwnedModel):
    """Where a life event happened."""

    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="locations",
        db_index=False,
        verbose_name=_("life event"),
    )
    location_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("location name"),
        help_text=_('"San Francisco, CA" or "Vietnam" or "Our home on Oak Street"'),
    )
    location_type = models.CharField(
        max_length=50,
        choices=LifeEventLocationLocationType.choices,
        blank=True,
        default="",
        verbose_name=_("location type"),
    )
    is_primary_location = models.BooleanField(default=False, verbose_name=_("is primary location"))
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
        help_text=_("Additional context"),
    )
    order_index = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("order index"),
    )

    access_path = "life_event__storyteller__user"

    class Meta:
        ordering = ["life_event_id", "order_index"]
        constraints = [
            choice_check("location_type", LifeEventLocationLocationType, blank=True),
        ]
        indexes = [
            models.Index(fields=["life_event", "order_index"], name="st_lifeveloc_40391_idx"),
            trigram_index("st_lifeeventlocatio_0a96d_q", "location_name", "description"),
        ]
        verbose_name = _("life event location")
        verbose_name_plural = _("life event locations")

    def __str__(self) -> str:
        return self.location_name or f"Life event location {self.pk}"


class LifeEventParticipant(StorytellerOwnedModel):
    """A person who took part in a life event."""

    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("life event"),
    )
    first_name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("first name"),
    )
    last_name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("last name"),
    )
    nickname = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("nickname"),
    )
    relationship_type = models.CharField(
        max_length=100,
        choices=LifeEventParticipantRelationshipType.choices,
        blank=True,
        default="",
        verbose_name=_("relationship type"),
    )
    role_in_event = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("role in event"),
        help_text=_('"My commanding officer", "The friend who got me through"'),
    )
    significance = models.CharField(
        max_length=50,
        choices=LifeEventParticipantSignificance.choices,
        blank=True,
        default="",
        verbose_name=_("significance"),
    )
    use_real_name = models.BooleanField(default=True, verbose_name=_("use real name"))
    pseudonym = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("pseudonym"),
    )
    is_deceased = models.BooleanField(default=False, verbose_name=_("is deceased"))
    notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("notes"),
    )

    access_path = "life_event__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("relationship_type", LifeEventParticipantRelationshipType, blank=True),
            choice_check("significance", LifeEventParticipantSignificance, blank=True),
        ]
        indexes = [
            trigram_index("st_lifeeventpartici_e2ef9_q", "first_name", "last_name", "nickname", "role_in_event"),
        ]
        verbose_name = _("life event participant")
        verbose_name_plural = _("life event participants")

    def __str__(self) -> str:
        return f"Life event participant {self.pk}"


class LifeEventDetail(StorytellerOwnedModel):
    """A typed key/value fact about a life event (rank, denomination, company name, ...)."""

    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="details",
        db_index=False,
        verbose_name=_("life event"),
    )
    detail_key = models.CharField(
        max_length=100,
        verbose_name=_("detail key"),
        help_text=_("'occupation', 'rank', 'denomination', 'illness_type'"),
    )
    detail_value = models.TextField(verbose_name=_("detail value"))
    detail_type = models.CharField(
        max_length=50,
        choices=LifeEventDetailDetailType.choices,
        blank=True,
        default="",
        verbose_name=_("detail type"),
    )
    display_label = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("display label"),
        help_text=_("User-friendly label"),
    )
    display_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("display order"),
    )
    is_private = models.BooleanField(
        default=False,
        verbose_name=_("is private"),
        help_text=_("Can capture but not publish"),
    )

    access_path = "life_event__storyteller__user"

    class Meta:
        ordering = ["life_event_id", "display_order"]
        constraints = [
            choice_check("detail_type", LifeEventDetailDetailType, blank=True),
        ]
        indexes = [
            models.Index(fields=["life_event", "display_order"], name="st_lifevedet_cde65_idx"),
            trigram_index("st_lifeeventdetail_1eaab_q", "detail_key", "detail_value", "display_label"),
        ]
        verbose_name = _("life event detail")
        verbose_name_plural = _("life event details")

    def __str__(self) -> str:
        return self.detail_key or f"Life event detail {self.pk}"


class LifeEventTrauma(StorytellerOwnedModel):
    """Trauma assessment of a life event; explored only when resolved or with recorded consent."""

    life_event = models.OneToOneField(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="trauma",
        verbose_name=_("life event"),
    )
    is_trauma = models.BooleanField(
        default=True,
        verbose_name=_("is trauma"),
        help_text=_("Any event where individual struggled to make sense"),
    )
    trauma_type = models.CharField(
        max_length=100,
        choices=LifeEventTraumaTraumaType.choices,
        blank=True,
        default="",
        verbose_name=_("trauma type"),
    )
    trauma_status = models.CharField(
        max_length=50,
        choices=LifeEventTraumaTraumaStatus.choices,
        verbose_name=_("trauma status"),
    )
    resolution_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("resolution notes"),
    )
    requires_explicit_consent = models.BooleanField(default=True, verbose_name=_("requires explicit consent"))
    consent_given = models.BooleanField(default=False, verbose_name=_("consent given"))
    consent_date = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("consent date"),
    )
    recommends_professional_support = models.BooleanField(
        default=False,
        verbose_name=_("recommends professional support"),
    )
    support_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("support notes"),
    )
    default_privacy_level = models.CharField(
        max_length=50,
        choices=LifeEventTraumaDefaultPrivacyLevel.choices,
        default=LifeEventTraumaDefaultPrivacyLevel.PRIVATE,
        verbose_name=_("default privacy level"),
    )
    assessed_by = models.CharField(
        max_length=100,
        choices=LifeEventTraumaAssessedBy.choices,
        blank=True,
        default="",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("assessed at"),
    )

    access_path = "life_event__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given=False) | Q(consent_date__isnull=False),
                name="storyteller_lifeeventtrauma_consent_dated",
                violation_error_message=_("Recorded consent carries its date."),
            ),
            choice_check("trauma_type", LifeEventTraumaTraumaType, blank=True),
            choice_check("trauma_status", LifeEventTraumaTraumaStatus),
            choice_check("default_privacy_level", LifeEventTraumaDefaultPrivacyLevel),
            choice_check("assessed_by", LifeEventTraumaAssessedBy, blank=True),
        ]
        indexes = [
            trigram_index("st_lifeeventtrauma_c5e60_q", "resolution_notes", "support_notes"),
        ]
        verbose_name = _("life event trauma")
        verbose_name_plural = _("life event traumas")

    def __str__(self) -> str:
        return f"Life event trauma {self.pk}"


class LifeEventBoundary(StorytellerOwnedModel):
    """Per-event boundaries that override the storyteller's defaults."""

    life_event = models.OneToOneField(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="boundary",
        verbose_name=_("life event"),
    )
    override_storyteller_default = models.BooleanField(default=False, verbose_name=_("override storyteller default"))
    comfortable_discussing = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("comfortable discussing"),
        help_text=_("null = use storyteller default"),
    )
    privacy_level = models.CharField(
        max_length=50,
        choices=LifeEventBoundaryPrivacyLevel.choices,
        blank=True,
        default="",
        verbose_name=_("privacy level"),
    )
    can_mention_but_not_detail = models.BooleanField(default=False, verbose_name=_("can mention but not detail"))
    requires_pseudonyms = models.BooleanField(default=False, verbose_name=_("requires pseudonyms"))
    requires_location_anonymization = models.BooleanField(
        default=False,
        verbose_name=_("requires location anonymization"),
    )
    consent_to_deepen = models.BooleanField(
        default=False,
        verbose_name=_("consent to deepen"),
        help_text=_("Willing to go beyond surface level"),
    )
    consent_date = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("consent date"),
    )
    off_limit_aspects = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("off limit aspects"),
        help_text=_('e.g., ["specific medical details", "name of person involved"]'),
    )
    boundary_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("boundary notes"),
    )

    access_path = "life_event__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("privacy_level", LifeEventBoundaryPrivacyLevel, blank=True),
        ]
        indexes = [
            trigram_index("st_lifeeventboundar_893db_q", "boundary_notes"),
        ]
        verbose_name = _("life event boundary")
        verbose_name_plural = _("life event boundaries")

    def __str__(self) -> str:
        return f"Life event boundary {self.pk}"


class LifeEventMedia(StorytellerOwnedModel):
    """A photo, document, letter, audio or video attached to a life event."""

    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="media",
        verbose_name=_("life event"),
    )
    media_type = models.CharField(
        max_length=50,
        choices=LifeEventMediaMediaType.choices,
        blank=True,
        default="",
        verbose_name=_("media type"),
    )
    file_url = models.TextField(verbose_name=_("file url"))
    thumbnail_url = models.TextField(
        blank=True,
        default="",
        verbose_name=_("thumbnail url"),
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("title"),
    )
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
    )
    caption = models.TextField(
        blank=True,
        default="",
        verbose_name=_("caption"),
        help_text=_("For use in book"),
    )
    approximate_date = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("approximate date"),
    )
    location = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("location"),
    )
    people_in_media = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("people in media"),
        help_text=_("Names of people in photo/document"),
    )
    has_usage_rights = models.BooleanField(default=True, verbose_name=_("has usage rights"))
    can_publish = models.BooleanField(default=True, verbose_name=_("can publish"))
    tags = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("tags"),
    )

    access_path = "life_event__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("media_type", LifeEventMediaMediaType, blank=True),
        ]
        indexes = [
            trigram_index("st_lifeeventmedia_0ac7f_q", "file_url", "thumbnail_url", "title", "description"),
        ]
        verbose_name = _("life event media")
        verbose_name_plural = _("life event media")

    def __str__(self) -> str:
        return self.title or f"Life event media {self.pk}"


class LifeEventPreference(StorytellerOwnedModel):
    """How the storyteller wants one life event handled (depth, approach, chapter)."""

    life_event = models.OneToOneField(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("life event"),
    )
    merge_with_other_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_preferences",
        verbose_name=_("merge with other event"),
    )
    preferred_depth = models.CharField(
        max_length=50,
        choices=LifeEventPreferencePreferredDepth.choices,
        blank=True,
        default="",
        verbose_name=_("preferred depth"),
    )
    preferred_approach = models.CharField(
        max_length=50,
        choices=LifeEventPreferencePreferredApproach.choices,
        blank=True,
        default="",
        verbose_name=_("preferred approach"),
    )
    wants_multiple_sessions = models.BooleanField(default=False, verbose_name=_("wants multiple sessions"))
    estimated_sessions_needed = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("estimated sessions needed"),
    )
    prefers_specific_prompts = models.BooleanField(
        default=True,
        verbose_name=_("prefers specific prompts"),
        help_text=_("vs open-ended"),
    )
    prefers_voice_for_this = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("prefers voice for this"),
        help_text=_("Override default input method"),
    )
    should_be_chapter = models.BooleanField(default=False, verbose_name=_("should be chapter"))
    suggested_chapter_title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("suggested chapter title"),
    )
    agent_should_be_gentle = models.BooleanField(default=False, verbose_name=_("agent should be gentle"))
    agent_should_validate_facts = models.BooleanField(default=True, verbose_name=_("agent should validate facts"))
    notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("notes"),
    )

    access_path = "life_event__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("preferred_depth", LifeEventPreferencePreferredDepth, blank=True),
            choice_check("preferred_approach", LifeEventPreferencePreferredApproach, blank=True),
        ]
        indexes = [
            trigram_index("st_lifeeventprefere_877b2_q", "suggested_chapter_title", "notes"),
        ]
        verbose_name = _("life event preference")
        verbose_name_plural = _("life event preferences")

    def __str__(self) -> str:
        return f"Life event preference {self.pk}"
