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
