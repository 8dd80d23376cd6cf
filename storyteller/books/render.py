"""One entry point for every format: render a :class:`Book` to a file, atomically, and describe the result."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from storyteller.books.common import RenderContext, RenderOptions
from storyteller.books.epub import render_epub
from storyteller.books.html import render_html
from storyteller.books.markdown import markdown_has_images, render_markdown
from storyteller.books.pdf import render_pdf
from storyteller.books.structure import Book, Progress

#: format -> renderer; the formats of ``book_export.export_format`` that are built here
RENDERERS = {
    "epub": render_epub,
    "pdf": render_pdf,
    "markdown": render_markdown,
    "html": render_html,
}
SUPPORTED_FORMATS = tuple(RENDERERS)

CONTENT_TYPES = {
    "epub": "application/epub+zip",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "zip": "application/zip",
    "html": "text/html; charset=utf-8",
}


class UnsupportedFormat(ValueError):
    """A format of the enumeration that no renderer builds (mobi, docx, print_ready)."""


@dataclass
class RenderResult:
    """What a finished rendering left on disk and learned on the way."""

    path: Path
    format: str
    extension: str
    size: int
    checksum: str
    word_count: int
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


def file_extension(book: Book, fmt: str, options: RenderOptions | None = None) -> str:
    """The file extension the book gets in ``fmt`` (Markdown with pictures is a ZIP)."""
    if fmt not in RENDERERS:
        raise UnsupportedFormat(fmt)
    if fmt == "markdown":
        return "zip" if markdown_has_images(book, RenderContext(options or RenderOptions())) else "md"
    return fmt


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, hex encoded (``book_export.file_checksum``)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def render_book(
    book: Book,
    fmt: str,
    path: Path | str,
    *,
    options: RenderOptions | None = None,
    progress: Progress | None = None,
) -> RenderResult:
    """Render ``book`` as ``fmt`` into ``path``.

    The renderer writes a hidden temporary file beside ``path`` that replaces ``path`` only once
    it is complete; on any error the temporary file is removed and the error propagates, so a
    failed run leaves no partial file behind.
    """
    if fmt not in RENDERERS:
        raise UnsupportedFormat(fmt)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    context = RenderContext(options=options or RenderOptions())
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    temporary = Path(temporary)
    try:
        RENDERERS[fmt](book, temporary, context, progress)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return RenderResult(
        path=path,
        format=fmt,
        extension=file_extension(book, fmt, context.options),
        size=path.stat().st_size,
        checksum=sha256_file(path),
        word_count=book.word_count,
        page_count=context.page_count,
        warnings=context.warnings,
    )
