"""Demo data of the storyteller app: the canonical Everbound process, and one storyteller whose story
was played through the rules: life events (one traumatic, explored after consent was recorded), a
session with interactions, a collection, an archetype analysis that resolved, requirements, and a
story with chapters, sections, characters, themes, scenes and a draft, its blocking edit resolved, so it
exports as a book. Safe to run again."""

from __future__ import annotations

from decimal import Decimal

DEMO_USER = "everbound-demo"


def seed(stdout) -> None:
    from django.contrib.auth import get_user_model

    from storyteller import models as m
    from storyteller import services
    from storyteller.process_loader import process_load_file

    counts = process_load_file()
    stdout.write(f"storyteller: process loaded ({sum(counts.values())} rows created or changed)")
    if m.Storyteller.all_objects.filter(user__username=DEMO_USER).exists():
        stdout.write("storyteller: demo storyteller already present")
        return
    user, _ = get_user_model().objects.get_or_create(username=DEMO_USER, defaults={"display_name": "Margaret Hale"})
    version = m.ProcessVersion.objects.get(is_active=True)

    def save(obj):
        return services.row_save(obj=obj, actor=user)

    teller = save(
        m.Storyteller(
            user=user,
            relationship_to_user="self",
            first_name="Margaret",
            last_name="Hale",
            preferred_name="Peg",
            birth_year=1946,
            birth_place="Boston, MA",
            consent_given=True,
        )
    )
    save(m.StorytellerBoundary(storyteller=teller, maximum_tier_comfortable=2, comfortable_discussing_loss=True))
    save(m.StorytellerPreference(storyteller=teller, preferred_input_method="voice", desired_book_tone="reflective"))
    save(m.StorytellerProgress(storyteller=teller, process_version=version, current_phase="book_formation"))
    events = {}
    for name, event_type, category, year in [
        ("Growing up on Dorchester Avenue", "childhood", "origins", 1950),
        ("Nursing school", "education", "work", 1964),
        ("Marriage to Tom", "relationship", "relationships", 1968),
        ("Losing Tom", "loss", "loss", 1991),
        ("Becoming a grandmother", "parenthood", "family", 2001),
    ]:
        events[event_type] = services.life_event_save(
            life_event=m.LifeEvent(storyteller=teller, event_name=name, event_type=event_type, category=category),
            timespans=[{"timespan_type": "primary", "start_year": year}],
            locations=[{"location_name": "Boston, MA", "location_type": "city", "is_primary_location": True}],
            actor=user,
        )
    loss = events["loss"]
    save(m.LifeEventTrauma(life_event=loss, trauma_type="loss", trauma_status="partially_resolved"))
    save(m.LifeEventBoundary(life_event=loss, privacy_level="limited", can_mention_but_not_detail=True))
    services.trauma_consent_record(life_event=loss, actor=user)

    session = save(
        m.StorytellerSession(
            storyteller=teller, process_version=version, session_name="Tom", intention="Capture the years with Tom"
        )
    )
    save(m.SessionScope(session=session, scope_type="whole_life"))
    save(m.SessionProfile(session=session, has_relationships=True, has_children=True))
    services.transition(obj=session, to="in_progress", actor=user)
    save(m.SessionLifeEvent(session=session, life_event=events["relationship"], is_primary_focus=True))
    save(m.SessionLifeEvent(session=session, life_event=loss))
    scene = m.ProcessPrompt.objects.get(process_node__process_version=version, prompt_key="scene")
    services.session_prompt_ask(session=session, prompt=scene, life_event=events["relationship"], actor=user)
    save(
        m.SessionInteraction(
            session=session,
            life_event=events["relationship"],
            interaction_sequence=2,
            interaction_type="response",
            storyteller_response="The church hall smelled of lilies and floor wax.",
            key_themes=["love", "beginnings"],
        )
    )
    save(
        m.SessionArtifact(
            session=session, life_event=events["relationship"], artifact_type="scene_capture", content="The wedding"
        )
    )
    services.transition(obj=session, to="completed", actor=user, summary="Wedding and the early years captured.")

    origins = m.ProcessSection.objects.get(process_version=version, section_key="origins")
    love = m.ProcessSection.objects.get(process_version=version, section_key="love_partnership")
    services.section_unlock(storyteller=teller, section=origins, unlocked_by="scope", actor=user)
    services.section_unlock(storyteller=teller, section=love, unlocked_by="profile", actor=user)

    collection = save(
        m.Collection(storyteller=teller, collection_name="Loss and resilience", organizing_principle="theme")
    )
    save(m.CollectionLifeEvent(collection=collection, life_event=events["relationship"], sequence_order=1))
    save(m.CollectionLifeEvent(collection=collection, life_event=loss, sequence_order=2, is_anchor_event=True))
    services.approve(obj=collection, actor=user)

    requirement = save(
        m.Requirement(
            storyteller=teller,
            requirement_type="sensory_detail",
            priority="important",
            requirement_description="What did the house sound like after Tom died?",
            life_event=loss,
        )
    )
    services.transition(obj=requirement, to="in_progress", actor=user, addressed_in_session=session)
    save(
        m.ArchetypeAnalysis(
            storyteller=teller,
            analysis_number=1,
            candidate_archetypes=[{"archetype": "relationship_to_loss", "confidence": 0.9, "status": "active"}],
            refinement_status="resolved",
            dominant_archetype="relationship_to_loss",
            dominant_confidence=Decimal("0.90"),
        )
    )

    story = save(m.Story(storyteller=teller, title="The Lily Hall", central_themes=["loss", "love"]))
    services.transition(obj=story, to="drafting", actor=user)
    chapter = save(m.StoryChapter(story=story, chapter_number=1, chapter_title="Lilies and floor wax"))
    section = save(
        m.ChapterSection(chapter=chapter, section_number=1, section_type="scene", content="The church hall...")
    )
    peg = save(m.StoryCharacter(story=story, storyteller=teller, character_name="Peg", character_type="protagonist"))
    tom = save(m.StoryCharacter(story=story, character_name="Tom", character_type="supporting"))
    save(m.CharacterRelationship(story=story, character_a=peg, character_b=tom, relationship_type="romantic"))
    save(m.CharacterAppearance(character=tom, chapter=chapter, section=section, role_in_scene="active"))
    theme = save(m.StoryTheme(story=story, theme_name="Belonging", theme_type="central"))
    save(m.ChapterTheme(chapter=chapter, theme=theme, prominence="dominant"))
    save(m.StoryCollection(story=story, chapter=chapter, collection=collection, usage_type="primary_source"))
    save(
        m.StoryScene(
            story=story,
            chapter=chapter,
            section=section,
            life_event=events["relationship"],
            scene_name="The wedding",
            olfactory_details=["lilies", "floor wax"],
        )
    )
    save(
        m.StoryDraft(story=story, chapter=chapter, draft_type="chapter", draft_version=1, content="The church hall...")
    )
    edit = save(
        m.EditRequirement(
            story=story,
            storyteller=teller,
            chapter=chapter,
            issue_type="sensory_detail",
            severity="blocking",
            specific_concern="The wedding scene has only smell; add sound and touch.",
        )
    )
    services.transition(obj=edit, to="in_review", actor=user)
    services.transition(
        obj=edit,
        to="resolved",
        actor=user,
        resolution_notes="Added the organ and the cold pew under her hand.",
        resolved_in_draft_version=1,
    )
    section.content = (
        "The church hall smelled of lilies and floor wax. The organ wheezed through the first bars, and the "
        "pew was cold under my hand."
    )
    save(section)
    stdout.write("storyteller: demo storyteller Peg Hale with her story")
