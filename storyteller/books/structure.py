"""The in-memory shape of a book: what every renderer reads.

A :class:`Book` is plain data (no models, no queries), so the renderers can be tested and
benchmarked without a database and the story-to-book builder is the only code that knows
the storyteller tables. Text is the story's own: paragraphs are separated by blank lines.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

#: progress(done, total): called by the renderers after each chapter (and once at the end).
Progress = Callable[[int, int], None]

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WORD = re.compile(r"\S+")


def paragraphs(text: str) -> list[str]:
    """The paragraphs of ``text`` (split on blank lines), each with its inner line breaks folded to spaces."""
    return [" ".join(part.split()) for part in _PARAGRAPH_BREAK.split(text or "") if part.strip()]


def word_count(text: str) -> int:
    """Words in ``text``, counted as runs of non-space characters."""
    return len(_WORD.findall(text or ""))


@dataclass(frozen=True)
class BookImage:
    """A picture placed in the book (from a life event's media): its file name, how to read it, its caption.

    ``read()`` returns the file's bytes (``OSError`` when it is missing or unreadable). The book builder
    reads pictures through Django's storage by their stored name; :meth:`from_file` serves tests and tools.
    """

    name: str
    read: Callable[[], bytes] = field(compare=False, repr=False)
    caption: str = ""
    alt: str = ""

    @property
    def label(self) -> str:
        """The file's name without its folders (what warnings name)."""
        return PurePosixPath(self.name).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    @classmethod
    def from_file(cls, path: Path | str, caption: str = "", alt: str = "") -> BookImage:
        path = Path(path)
        return cls(name=path.as_posix(), read=path.read_bytes, caption=caption, alt=alt)


@dataclass
class Scene:
    """A scene inside a section: an optional title and its text."""

    title: str = ""
    text: str = ""
    images: list[BookImage] = field(default_factory=list)


@dataclass
class Section:
    """A section of a chapter: an optional title, its own text, then its scenes in order."""

    title: str = ""
    text: str = ""
    scenes: list[Scene] = field(default_factory=list)
    images: list[BookImage] = field(default_factory=list)


@dataclass
class Chapter:
    """A chapter: title (and subtitle, epigraph), then its sections in order."""

    title: str
    subtitle: str = ""
    epigraph: str = ""
    epigraph_attribution: str = ""
    sections: list[Section] = field(default_factory=list)
    images: list[BookImage] = field(default_factory=list)


@dataclass
class FrontMatter:
    """A page before the first chapter (dedication, preface, "about this story")."""

    title: str
    text: str


@dataclass
class Book:
    """A whole book: metadata, front matter and chapters in reading order."""

    title: str
    author: str
    chapters: list[Chapter]
    language: str = "en"
    subtitle: str = ""
    identifier: str = field(default_factory=lambda: f"urn:uuid:{uuid.uuid4()}")
    description: str = ""
    front_matter: list[FrontMatter] = field(default_factory=list)

    def images(self) -> Iterator[BookImage]:
        """Every image in reading order (chapter, section, scene)."""
        for chapter in self.chapters:
            yield from chapter.images
            for section in chapter.sections:
                yield from section.images
                for scene in section.scenes:
                    yield from scene.images

    def texts(self) -> Iterator[str]:
        """Every piece of body text in reading order (front matter first)."""
        for item in self.front_matter:
            yield item.text
        for chapter in self.chapters:
            yield chapter.epigraph
            for section in chapter.sections:
                yield section.text
                for scene in section.scenes:
                    yield scene.text

    @property
    def word_count(self) -> int:
        """Words of body text (titles not counted)."""
        return sum(word_count(text) for text in self.texts())

    def plain_text(self) -> str:
        """The whole book as plain text (what the bench compares the renderers with)."""
        lines = [self.title, self.subtitle, self.author, ""]
        for item in self.front_matter:
            lines += [item.title, item.text, ""]
        for chapter in self.chapters:
            lines += [chapter.title, chapter.subtitle, chapter.epigraph, ""]
            for section in chapter.sections:
                lines += [section.title, section.text, ""]
                for scene in section.scenes:
                    lines += [scene.title, scene.text, ""]
        return "\n".join(lines)
