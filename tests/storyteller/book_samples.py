"""Plain in-memory books for the renderer tests and the bench (no database)."""

from __future__ import annotations

import itertools
import random

from storyteller.books import Book, BookImage, Chapter, FrontMatter, Scene, Section

#: words of a memoir, with the accents, Greek and Cyrillic a family story carries
VOCABULARY = (
    "the kitchen smelled of bread and coal smoke when my grandmother Zofia Łukasiewicz came home from "
    "the market in Kraków carrying apples onions and a letter from Thessaloniki signed Ελένη we read it "
    "by the stove while the radio played and my father René said nothing about the war or the winter "
    "in Ярославль only that the river had frozen early that year and the café on Straße Nummer drei "
    "had closed its doors for good"
).split()


def paragraph_text(rng: random.Random, words: int) -> str:
    """One paragraph of ``words`` words, a sentence every dozen words or so."""
    out = []
    for index in range(words):
        word = rng.choice(VOCABULARY)
        if index == 0 or out[-1].endswith("."):
            word = word[:1].upper() + word[1:]
        out.append(word)
        if index % 13 == 12 or index == words - 1:
            out[-1] += "."
    return " ".join(out)


def text_of(rng: random.Random, words: int, paragraph_words: int = 120) -> str:
    """Paragraphs separated by blank lines, ``words`` words in all."""
    parts = []
    while words > 0:
        size = min(words, paragraph_words)
        parts.append(paragraph_text(rng, size))
        words -= size
    return "\n\n".join(parts)


def sample_book(
    *,
    chapters: int = 5,
    words: int = 6000,
    sections_per_chapter: int = 2,
    scenes_per_section: int = 1,
    images: list[BookImage] | None = None,
    seed: int = 15,
) -> Book:
    """A book of ``chapters`` chapters and about ``words`` words of body text.

    Each section's text and each scene's text share a chapter's words; ``images`` are spread
    over the chapters in turn (one per chapter).
    """
    rng = random.Random(seed)
    pieces = chapters * sections_per_chapter * (1 + scenes_per_section)
    per_piece = max(words // pieces, 1)
    image_cycle = itertools.cycle(images or [None])
    book_chapters = []
    for number in range(1, chapters + 1):
        sections = []
        for section_number in range(1, sections_per_chapter + 1):
            scenes = [
                Scene(title=f"Scene {number}.{section_number}.{n}", text=text_of(rng, per_piece))
                for n in range(1, scenes_per_section + 1)
            ]
            sections.append(
                Section(title=f"Part {number}.{section_number}", text=text_of(rng, per_piece), scenes=scenes)
            )
        image = next(image_cycle)
        book_chapters.append(
            Chapter(
                title=f"Chapter {number}: Winter in Kraków ({number})",
                subtitle="Żółć and Ελένη" if number == 1 else "",
                epigraph="The river remembers." if number == 1 else "",
                epigraph_attribution="Zofia" if number == 1 else "",
                sections=sections,
                images=[image] if image else [],
            )
        )
    return Book(
        title="The Bread and the River",
        subtitle="A family memoir",
        author="Zofia Łukasiewicz",
        language="en",
        description="A life from Kraków to the sea.",
        front_matter=[FrontMatter(title="Why I tell this", text=text_of(rng, 80))],
        chapters=book_chapters,
    )
