"""Books from stories: a plain in-memory book and its renderers (EPUB 3, PDF, Markdown, HTML).

The structure and the renderers touch no database and import no model, so they are tested and
benchmarked alone. ``storyteller.services.books`` is the service layer on top: it builds a
:class:`Book` from an approved story, runs :func:`render_book` for a ``BookExport`` and delivers
the file (import it explicitly; this package does not, to stay free of models).
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
