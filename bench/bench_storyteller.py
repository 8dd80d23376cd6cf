"""``storyteller.book.*``: rendering a 60-chapter, 150,000-word story as a book.

The book is built in memory (``tests.storyteller.book_samples.sample_book``: 60 chapters, three
sections of two scenes each, Latin, Greek and Cyrillic text), so the figures measure the
renderers alone. ``storyteller.book.epub_s`` and ``storyteller.book.pdf_s`` are the median wall
times of ``storyteller.books.render_book`` (the PDF is laid out twice for its table of contents);
the ``*_ratio_to_plain`` figures relate them to writing the same text to a plain file, the
baseline measured in the same run. ``storyteller.book.pdf_pages`` is the PDF's page count (A5).
"""

import tempfile
from pathlib import Path

CHAPTERS = 60
WORDS = 150_000


def run(report, timed):
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
