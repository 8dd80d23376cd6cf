"""Factories of every storyteller model. Defaults pass ``full_clean()``; parents are created as needed,
and rows that point at two parents keep them in one storyteller (or one process version)."""

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from factory.django import DjangoModelFactory

from storyteller import models as m
from tests.core.factories import UserFactory


class AgentFactory(DjangoModelFactory):
    agent_key = factory.Sequence(lambda n: f"agent_key-{n}")
    agent_name = factory.Sequence(lambda n: f"Agent name {n}")

    class Meta:
        model = m.Agent
        skip_postgeneration_save = True


class ProcessVersionFactory(DjangoModelFactory):
    version_name = factory.Sequence(lambda n: f"Version name {n}")

    class Meta:
        model = m.ProcessVersion
        skip_postgeneration_save = True


class ProcessCommitmentFactory(DjangoModelFactory):
    process_version = factory.SubFactory(ProcessVersionFactory)
    order_index = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Title {n}")
    description = factory.Sequence(lambda n: f"Description {n}")

    class Meta:
        model = m.ProcessCommitment
        skip_postgeneration_save = True


class ProcessNodeTypeFactory(DjangoModelFactory):
    type_name = "informational"

    class Meta:
        model = m.ProcessNodeType
        django_get_or_create = ("type_name",)
        skip_postgeneration_save = True


class ProcessNodeFactory(DjangoModelFactory):
    process_version = factory.SubFactory(ProcessVersionFactory)
    node_type = factory.SubFactory(ProcessNodeTypeFactory)
    node_key = factory.Sequence(lambda n: f"node_{n}")
    node_name = factory.Sequence(lambda n: f"Node name {n}")
    order_index = factory.Sequence(lambda n: n + 1)
    purpose = factory.Sequence(lambda n: f"Purpose {n}")

    class Meta:
        model = m.ProcessNode
        skip_postgeneration_save = True


class ProcessFlowEdgeFactory(DjangoModelFactory):
    process_version = factory.SubFactory(ProcessVersionFactory)
    from_node = factory.SubFactory(ProcessNodeFactory, process_version=factory.SelfAttribute("..process_version"))
    to_node = factory.SubFactory(ProcessNodeFactory, process_version=factory.SelfAttribute("..process_version"))

    class Meta:
        model = m.ProcessFlowEdge
        skip_postgeneration_save = True


class ProcessPromptFactory(DjangoModelFactory):
    process_node = factory.SubFactory(ProcessNodeFactory)
    prompt_key = factory.Sequence(lambda n: f"prompt_{n}")
    prompt_text = factory.Sequence(lambda n: f"Prompt text {n}")
    order_index = factory.Sequence(lambda n: n + 1)

    class Meta:
        model = m.ProcessPrompt
        skip_postgeneration_save = True


class PromptPackTemplateFactory(DjangoModelFactory):
    template_name = factory.Sequence(lambda n: f"Template name {n}")

    class Meta:
        model = m.PromptPackTemplate
        skip_postgeneration_save = True


class PromptPackPromptFactory(DjangoModelFactory):
    prompt_pack = factory.SubFactory(PromptPackTemplateFactory)
    prompt_key = factory.Sequence(lambda n: f"prompt_{n}")
    prompt_text = factory.Sequence(lambda n: f"Prompt text {n}")
    order_index = factory.Sequence(lambda n: n + 1)

    class Meta:
        model = m.PromptPackPrompt
        skip_postgeneration_save = True


class ProcessSectionFactory(DjangoModelFactory):
    process_version = factory.SubFactory(ProcessVersionFactory)
    section_key = factory.Sequence(lambda n: f"section_{n}")
    section_name = factory.Sequence(lambda n: f"Section name {n}")

    class Meta:
        model = m.ProcessSection
        skip_postgeneration_save = True


class SectionPromptFactory(DjangoModelFactory):
    section = factory.SubFactory(ProcessSectionFactory)
    process_prompt = factory.SubFactory(ProcessPromptFactory)

    class Meta:
        model = m.SectionPrompt
        skip_postgeneration_save = True


class SessionTemplateFactory(DjangoModelFactory):
    process_version = factory.SubFactory(ProcessVersionFactory)
    template_name = factory.Sequence(lambda n: f"Template name {n}")

    class Meta:
        model = m.SessionTemplate
        skip_postgeneration_save = True


class StorytellerFactory(DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    consent_given = True

    class Meta:
        model = m.Storyteller
        skip_postgeneration_save = True


class StorytellerBoundaryFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)

    class Meta:
        model = m.StorytellerBoundary
        skip_postgeneration_save = True


class StorytellerPreferenceFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)

    class Meta:
        model = m.StorytellerPreference
        skip_postgeneration_save = True


class LifeEventFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    event_name = factory.Sequence(lambda n: f"Event name {n}")

    class Meta:
        model = m.LifeEvent
        skip_postgeneration_save = True


class LifeEventTimespanFactory(DjangoModelFactory):
    life_event = factory.SubFactory(LifeEventFactory)

    class Meta:
        model = m.LifeEventTimespan
        skip_postgeneration_save = True


class LifeEventLocationFactory(DjangoModelFactory):
    life_event = factory.SubFactory(LifeEventFactory)

    class Meta:
        model = m.LifeEventLocation
        skip_postgeneration_save = True


class LifeEventParticipantFactory(DjangoModelFactory):
    life_event = factory.SubFactory(LifeEventFactory)

    class Meta:
        model = m.LifeEventParticipant
        skip_postgeneration_save = True


class LifeEventDetailFactory(DjangoModelFactory):
    life_event = factory.SubFactory(LifeEventFactory)
    detail_key = factory.Sequence(lambda n: f"detail_{n}")
    detail_value = factory.Sequence(lambda n: f"Detail value {n}")

    class Meta:
        model = m.LifeEventDetail
        skip_postgeneration_save = True


class LifeEventTraumaFactory(DjangoModelFactory):
    life_event = factory.SubFactory(LifeEventFactory)
    trauma_status = "resolved"

    class Meta:
        model = m.LifeEventTrauma
        skip_postgeneration_save = True


class LifeEventBoundaryFactory(DjangoModelFactory):
    life_event = factory.SubFactory(LifeEventFactory)

    class Meta:
        model = m.LifeEventBoundary
        skip_postgeneration_save = True


def stored_media_name() -> str:
    """The name of a small picture stored through the storage API: media name files the platform stored."""
    return default_storage.save("storyteller/media/photo.png", ContentFile(b"\x89PNG\r\n\x1a\n"))


class LifeEventMediaFactory(DjangoModelFactory):
    life_event = factory.SubFactory(LifeEventFactory)
    file_url = factory.LazyFunction(lambda: stored_media_name())

    class Meta:
        model = m.LifeEventMedia
        skip_postgeneration_save = True


class LifeEventPreferenceFactory(DjangoModelFactory):
    life_event = factory.SubFactory(LifeEventFactory)

    class Meta:
        model = m.LifeEventPreference
        skip_postgeneration_save = True


class CollectionFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    collection_name = factory.Sequence(lambda n: f"Collection name {n}")

    class Meta:
        model = m.Collection
        skip_postgeneration_save = True


class CollectionLifeEventFactory(DjangoModelFactory):
    collection = factory.SubFactory(CollectionFactory)
    life_event = factory.SubFactory(LifeEventFactory, storyteller=factory.SelfAttribute("..collection.storyteller"))

    class Meta:
        model = m.CollectionLifeEvent
        skip_postgeneration_save = True


class CollectionGroupingFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    grouping_name = factory.Sequence(lambda n: f"Grouping name {n}")

    class Meta:
        model = m.CollectionGrouping
        skip_postgeneration_save = True


class CollectionGroupingMemberFactory(DjangoModelFactory):
    grouping = factory.SubFactory(CollectionGroupingFactory)
    collection = factory.SubFactory(CollectionFactory, storyteller=factory.SelfAttribute("..grouping.storyteller"))

    class Meta:
        model = m.CollectionGroupingMember
        skip_postgeneration_save = True


class CollectionRelationshipFactory(DjangoModelFactory):
    source_collection = factory.SubFactory(CollectionFactory)
    target_collection = factory.SubFactory(
        CollectionFactory, storyteller=factory.SelfAttribute("..source_collection.storyteller")
    )

    class Meta:
        model = m.CollectionRelationship
        skip_postgeneration_save = True


class CollectionTagFactory(DjangoModelFactory):
    collection = factory.SubFactory(CollectionFactory)

    class Meta:
        model = m.CollectionTag
        skip_postgeneration_save = True


class CollectionSynthesisFactory(DjangoModelFactory):
    collection = factory.SubFactory(CollectionFactory)
    content = factory.Sequence(lambda n: f"Content {n}")

    class Meta:
        model = m.CollectionSynthesis
        skip_postgeneration_save = True


class StorytellerProgressFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)

    class Meta:
        model = m.StorytellerProgress
        skip_postgeneration_save = True


class StorytellerSectionSelectionFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    process_section = factory.SubFactory(ProcessSectionFactory)

    class Meta:
        model = m.StorytellerSectionSelection
        skip_postgeneration_save = True


class StorytellerSectionStatusFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    process_section = factory.SubFactory(ProcessSectionFactory)

    class Meta:
        model = m.StorytellerSectionStatus
        skip_postgeneration_save = True


class ScopeTypeFactory(DjangoModelFactory):
    process_version = factory.SubFactory(ProcessVersionFactory)
    scope_key = "whole_life"
    scope_name = factory.Sequence(lambda n: f"Scope name {n}")

    class Meta:
        model = m.ScopeType
        django_get_or_create = ("scope_key",)
        skip_postgeneration_save = True


class ArchetypeAnalysisFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    analysis_number = factory.Sequence(lambda n: n + 1)
    refinement_status = "exploring"
    revealed_to_user = True  # shown to its storyteller; tests of the hidden state say revealed_to_user=False
    candidate_archetypes = factory.LazyFunction(
        lambda: [{"archetype": "relationship_to_loss", "confidence": 0.5, "status": "active"}]
    )

    class Meta:
        model = m.ArchetypeAnalysis
        skip_postgeneration_save = True


class UserFeedbackFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    user = factory.SubFactory(UserFactory)
    feedback_text = factory.Sequence(lambda n: f"Feedback text {n}")

    class Meta:
        model = m.UserFeedback
        skip_postgeneration_save = True


class AgentInstanceFactory(DjangoModelFactory):
    agent = factory.SubFactory(AgentFactory)
    storyteller = factory.SubFactory(StorytellerFactory)

    class Meta:
        model = m.AgentInstance
        skip_postgeneration_save = True


class RequirementFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    requirement_type = "scene_detail"
    priority = "critical"
    requirement_description = factory.Sequence(lambda n: f"Requirement description {n}")

    class Meta:
        model = m.Requirement
        skip_postgeneration_save = True


class EventFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    event_type = "storyteller_created"

    class Meta:
        model = m.Event
        skip_postgeneration_save = True


class StorytellerSessionFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    intention = factory.Sequence(lambda n: f"Intention {n}")

    class Meta:
        model = m.StorytellerSession
        skip_postgeneration_save = True


class SessionScopeFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)
    scope_type = "whole_life"

    class Meta:
        model = m.SessionScope
        skip_postgeneration_save = True


class SessionProfileFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)

    class Meta:
        model = m.SessionProfile
        skip_postgeneration_save = True


class SessionProgressFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)
    process_node = factory.SubFactory(ProcessNodeFactory)

    class Meta:
        model = m.SessionProgress
        skip_postgeneration_save = True


class SessionSectionStatusFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)
    section = factory.SubFactory(ProcessSectionFactory)

    class Meta:
        model = m.SessionSectionStatus
        skip_postgeneration_save = True


class SessionSynthesisFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)
    content = factory.Sequence(lambda n: f"Content {n}")

    class Meta:
        model = m.SessionSynthesis
        skip_postgeneration_save = True


class SessionArchetypeFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)

    class Meta:
        model = m.SessionArchetype
        skip_postgeneration_save = True


class SessionLifeEventFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)
    life_event = factory.SubFactory(LifeEventFactory, storyteller=factory.SelfAttribute("..session.storyteller"))

    class Meta:
        model = m.SessionLifeEvent
        skip_postgeneration_save = True


class SessionInteractionFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)
    interaction_sequence = factory.Sequence(lambda n: n + 1)

    class Meta:
        model = m.SessionInteraction
        skip_postgeneration_save = True


class SessionArtifactFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)

    class Meta:
        model = m.SessionArtifact
        skip_postgeneration_save = True


class SessionNoteFactory(DjangoModelFactory):
    session = factory.SubFactory(StorytellerSessionFactory)
    note_content = factory.Sequence(lambda n: f"Note content {n}")

    class Meta:
        model = m.SessionNote
        skip_postgeneration_save = True


class StoryFactory(DjangoModelFactory):
    storyteller = factory.SubFactory(StorytellerFactory)
    title = factory.Sequence(lambda n: f"Title {n}")

    class Meta:
        model = m.Story
        skip_postgeneration_save = True


class StoryChapterFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)
    chapter_number = factory.Sequence(lambda n: n + 1)

    class Meta:
        model = m.StoryChapter
        skip_postgeneration_save = True


class ChapterSectionFactory(DjangoModelFactory):
    chapter = factory.SubFactory(StoryChapterFactory)
    section_number = factory.Sequence(lambda n: n + 1)

    class Meta:
        model = m.ChapterSection
        skip_postgeneration_save = True


class StoryCollectionFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)
    chapter = factory.SubFactory(StoryChapterFactory, story=factory.SelfAttribute("..story"))
    collection = factory.SubFactory(CollectionFactory, storyteller=factory.SelfAttribute("..story.storyteller"))

    class Meta:
        model = m.StoryCollection
        skip_postgeneration_save = True


class StoryCharacterFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)
    character_name = factory.Sequence(lambda n: f"Character name {n}")

    class Meta:
        model = m.StoryCharacter
        skip_postgeneration_save = True


class CharacterRelationshipFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)
    character_a = factory.SubFactory(StoryCharacterFactory, story=factory.SelfAttribute("..story"))
    character_b = factory.SubFactory(StoryCharacterFactory, story=factory.SelfAttribute("..story"))

    class Meta:
        model = m.CharacterRelationship
        skip_postgeneration_save = True


class CharacterAppearanceFactory(DjangoModelFactory):
    character = factory.SubFactory(StoryCharacterFactory)
    chapter = factory.SubFactory(StoryChapterFactory, story=factory.SelfAttribute("..character.story"))

    class Meta:
        model = m.CharacterAppearance
        skip_postgeneration_save = True


class StoryThemeFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)
    theme_name = factory.Sequence(lambda n: f"Theme name {n}")

    class Meta:
        model = m.StoryTheme
        skip_postgeneration_save = True


class ChapterThemeFactory(DjangoModelFactory):
    chapter = factory.SubFactory(StoryChapterFactory)
    theme = factory.SubFactory(StoryThemeFactory, story=factory.SelfAttribute("..chapter.story"))

    class Meta:
        model = m.ChapterTheme
        skip_postgeneration_save = True


class StorySceneFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)

    class Meta:
        model = m.StoryScene
        skip_postgeneration_save = True


class StoryDraftFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)
    draft_version = factory.Sequence(lambda n: n + 1)

    class Meta:
        model = m.StoryDraft
        skip_postgeneration_save = True


class EditRequirementFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)
    storyteller = factory.SelfAttribute("story.storyteller")
    issue_type = "flow"
    severity = "blocking"
    specific_concern = factory.Sequence(lambda n: f"Specific concern {n}")

    class Meta:
        model = m.EditRequirement
        skip_postgeneration_save = True


class BookExportFactory(DjangoModelFactory):
    story = factory.SubFactory(StoryFactory)
    storyteller = factory.SelfAttribute("story.storyteller")

    class Meta:
        model = m.BookExport
        skip_postgeneration_save = True


class BookExportDeliveryFactory(DjangoModelFactory):
    book_export = factory.SubFactory(BookExportFactory)
    storyteller = factory.SelfAttribute("book_export.storyteller")

    class Meta:
        model = m.BookExportDelivery
        skip_postgeneration_save = True
