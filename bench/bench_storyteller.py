"""``storyteller.book.*``: rendering a 60-chapter, 150,000-word story as a book.

The book is built in memory (``tests.storyteller.book_samples.sample_book``: 60 chapters, three
sections of two scenes each, Latin, Greek and Cyrillic text), so the figures measure the
renderers alone. ``storyteller.book.epub_s`` and ``storyteller.book.pdf_s`` are the median wall
times of ``storyteller.books.render_book`` (the PDF is laid out twice for its table of contents);
the ``*_ratio_to_plain`` figures relate them to writing the same text to a plain file, the
baseline measured in the same run. ``storyteller.book.pdf_pages`` is the PDF's page count (A5).

``storyteller.book.privacy_check_queries`` is the number of queries the publishing rule
(``storyteller.rules.story_publication``) makes for a 60-chapter story of 600 scenes, each from its own
life event with a boundary and a trauma assessment, with characters and an unapproved collection;
``..._small`` is the same for a 3-chapter story of 6 scenes (the two must be equal), and
``storyteller.book.build_queries`` is the whole book builder's count for the large story. The rows are
made in a transaction that is rolled back.
"""

import tempfile
from pathlib import Path

CHAPTERS = 60
WORDS = 150_000


def privacy_queries(chapters: int, scenes_per_chapter: int) -> tuple[int, int]:
    """Queries of the publishing rule and of the whole book builder for a story of that size."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from storyteller import rules
    from storyteller.services import books as book_services
    from tests.storyteller import factories as f

    class Rollback(Exception):
        pass

    counts = []
    try:
        with transaction.atomic():
            story = f.StoryFactory()
            for number in range(1, chapters + 1):
                chapter = f.StoryChapterFactory(story=story, chapter_number=number)
                f.ChapterSectionFactory(chapter=chapter, section_number=1, content="Text of the chapter.")
                for _ in range(scenes_per_chapter):
                    event = f.LifeEventFactory(storyteller=story.storyteller)
                    f.LifeEventBoundaryFactory(life_event=event, privacy_level="limited")
                    f.LifeEventTraumaFactory(life_event=event)
                    f.StorySceneFactory(story=story, chapter=chapter, life_event=event, scene_description="A scene.")
                f.StoryCharacterFactory(story=story, real_name=f"Real name {number}", privacy_level="pseudonym")
            collection = f.CollectionFactory(storyteller=story.storyteller, is_approved=False)
            f.CollectionLifeEventFactory(collection=collection, life_event=event)
            f.StoryCollectionFactory(story=story, chapter=chapter, collection=collection)
            for measured in (
                lambda: rules.story_publication(story),
                lambda: book_services.story_book_build(story=story),
            ):
                with CaptureQueriesContext(connection) as queries:
                    measured()
                counts.append(len(queries))
            raise Rollback
    except Rollback:
        pass
    return counts[0], counts[1]


def run(report, timed):
    run_interview(report, timed)
    small, _ = privacy_queries(chapters=3, scenes_per_chapter=2)
    large, build = privacy_queries(chapters=60, scenes_per_chapter=10)
    report("storyteller.book.privacy_check_queries", large, "queries")
    report("storyteller.book.privacy_check_queries_small", small, "queries")
    report("storyteller.book.build_queries", build, "queries")

    from storyteller.books import render_book
    from tests.storyteller.book_samples import sample_book

    book = sample_book(chapters=CHAPTERS, words=WORDS, sections_per_chapter=3, scenes_per_section=2)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)

        def plain():
            (folder / "book.txt").write_text(book.plain_text(), encoding="utf-8")

        plain_s = timed(plain, repeat=30, warmup=3)
        epub_s = timed(lambda: render_book(book, "epub", folder / "book.epub"), repeat=5, warmup=1)
        pdf_s = timed(lambda: render_book(book, "pdf", folder / "book.pdf"), repeat=3, warmup=1)
        markdown_s = timed(lambda: render_book(book, "markdown", folder / "book.md"), repeat=10, warmup=1)
        pages = render_book(book, "pdf", folder / "book.pdf").page_count

    report("storyteller.book.words", book.word_count, "words")
    report("storyteller.book.plain_s", plain_s, "s")
    report("storyteller.book.epub_s", epub_s, "s")
    report("storyteller.book.epub_ratio_to_plain", epub_s / plain_s, "x")
    report("storyteller.book.pdf_s", pdf_s, "s")
    report("storyteller.book.pdf_ratio_to_plain", pdf_s / plain_s, "x")
    report("storyteller.book.pdf_pages", pages, "pages")
    report("storyteller.book.markdown_s", markdown_s, "s")
    report("storyteller.book.markdown_ratio_to_plain", markdown_s / plain_s, "x")


# the interview and the write path ----------------------------------------------------------------


class _Rollback(Exception):
    pass


def interview_figures(size: int, timed=None) -> dict:
    """``next_prompt`` on a process of ``size`` linear nodes (three prompts each, tiers 1 to 3) and ``size``
    unlocked sections, the session at the first node with the first half of the nodes answered, so the walk
    passes ``size / 2`` nodes: its queries, and with ``timed`` its median time and a primary-key read's."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from storyteller import models as m
    from storyteller.services import interview
    from tests.storyteller import factories as f

    figures = {}
    try:
        with transaction.atomic():
            teller = f.StorytellerFactory()
            f.StorytellerBoundaryFactory(storyteller=teller, maximum_tier_comfortable=2)
            version = f.ProcessVersionFactory()
            nodes = [f.ProcessNodeFactory(process_version=version, order_index=index) for index in range(size)]
            for before, after in zip(nodes, nodes[1:], strict=False):
                f.ProcessFlowEdgeFactory(
                    process_version=version, from_node=before, to_node=after, condition_type="always"
                )
            prompts = {
                node.pk: [f.ProcessPromptFactory(process_node=node, sensitivity_tier=1 + i % 3) for i in range(3)]
                for node in nodes
            }
            for index in range(size):
                section = f.ProcessSectionFactory(process_version=version, order_index=index)
                m.SectionPrompt.objects.create(section=section, process_prompt=prompts[nodes[-1].pk][0])
                m.StorytellerSectionStatus.objects.create(
                    storyteller=teller, process_section=section, status="unlocked", unlocked_by="manual"
                )
            session = f.StorytellerSessionFactory(
                storyteller=teller, process_version=version, current_process_node=nodes[0], status="in_progress"
            )
            for node in nodes[: size // 2]:
                answered = {prompt.prompt_key: "answered" for prompt in prompts[node.pk]}
                f.SessionProgressFactory(
                    session=session, process_node=node, status="in_progress", node_data={"answered": answered}
                )
            with CaptureQueriesContext(connection) as queries:
                served = interview.next_prompt(session=session)
            assert served["prompt"] is not None and served["node"]["id"] == str(nodes[size // 2].pk)
            figures["queries"] = len(queries)
            if timed is not None:
                figures["s"] = timed(lambda: interview.next_prompt(session=session), repeat=20, warmup=2)
                figures["pk_read_s"] = timed(
                    lambda: m.StorytellerSession.objects.get(pk=session.pk), repeat=50, warmup=5
                )
            raise _Rollback
    except _Rollback:
        pass
    return figures


def write_queries() -> tuple[int, int]:
    """Queries to write a life event with two timespans and a location through ``services.life_event_save``:
    as it is (the rules run once per row), and with each ``save()`` running every rule again after
    ``full_clean()``, as it did before ``row_save`` skipped the second pass."""
    from unittest import mock

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from storyteller import models as m
    from storyteller import services
    from storyteller.models.base import RowRulesMixin
    from tests.storyteller import factories as f

    spans = [{"start_year": 1970, "end_year": 1975}, {"start_year": 1980}]
    places = [{"location_name": "Lisbon"}]
    original = RowRulesMixin.save

    def two_pass(self, *args, **kwargs):
        self.__dict__.pop("_rules_checked", None)
        return original(self, *args, **kwargs)

    counts = []
    try:
        with transaction.atomic():
            teller = f.StorytellerFactory()
            services.life_event_save(
                life_event=m.LifeEvent(storyteller=teller, event_name="Warm-up"), actor=teller.user
            )
            for patch in (
                mock.patch.object(RowRulesMixin, "save", original),
                mock.patch.object(RowRulesMixin, "save", two_pass),
            ):
                with patch, CaptureQueriesContext(connection) as queries:
                    services.life_event_save(
                        life_event=m.LifeEvent(storyteller=teller, event_name="Moving"),
                        timespans=spans,
                        locations=places,
                        actor=teller.user,
                    )
                counts.append(len(queries))
            raise _Rollback
    except _Rollback:
        pass
    return counts[0], counts[1]


def run_interview(report, timed) -> None:
    small = interview_figures(6)
    large = interview_figures(120, timed=timed)
    report("storyteller.interview.next_prompt_ms", large["s"] * 1000, "ms")
    report("storyteller.interview.next_prompt_ratio_to_pk_read", large["s"] / large["pk_read_s"], "x")
    report("storyteller.interview.next_prompt_queries", large["queries"], "queries")
    report("storyteller.interview.next_prompt_queries_small", small["queries"], "queries")
    once, twice = write_queries()
    report("storyteller.write.queries_per_life_event", once, "queries")
    report("storyteller.write.queries_per_life_event_two_pass", twice, "queries")
    report("storyteller.write.queries_saved_ratio", twice / once, "x")
