"""Books from stories: a plain in-memory book and its renderers (EPUB 3, PDF, Markdown, HTML).

Nothing here touches the database: ``storyteller.services`` builds a :class:`Book` from a story
and calls :func:`render_book`.
"""

from storyteller.books.common import RenderOptions
from storyteller.books.render import (
    CONTENT_TYPES,
    SUPPORTED_FORMATS,
    RenderResult,
    UnsupportedFormat,
    file_extension,
    render_book,
    sha256_file,
)
from storyteller.books.structure import Book, BookImage, Chapter, FrontMatter, Scene, Section, paragraphs, word_count

__all__ = [
    "CONTENT_TYPES",
    "SUPPORTED_FORMATS",
    "Book",
    "BookImage",
    "Chapter",
    "FrontMatter",
    "RenderOptions",
    "RenderResult",
    "Scene",
    "Section",
    "UnsupportedFormat",
    "file_extension",
    "paragraphs",
    "render_book",
    "sha256_file",
    "word_count",
]
