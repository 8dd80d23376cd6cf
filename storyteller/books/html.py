"""HTML: one self-contained page (stylesheet inline, pictures as ``data:`` URIs), contents linked to chapters."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from storyteller.books.common import (
    STYLESHEET,
    RenderContext,
    chapter_html,
    html_paragraphs,
    image_media_type,
    load_image,
    title_page_html,
)
from storyteller.books.structure import Book, BookImage, Progress


def render_html(book: Book, path: Path, context: RenderContext, progress: Progress | None = None) -> None:
    """Write ``book`` as a single HTML5 file at ``path``."""
    path.write_text(html_document(book, context, progress), encoding="utf-8")


def html_document(book: Book, context: RenderContext, progress: Progress | None = None) -> str:
    """``book`` as one HTML5 document (what :func:`render_html` writes and the preview shows)."""
    sources: dict[str, str | None] = {}

    def image_src(image: BookImage) -> str | None:
        if image.name not in sources:
            data = load_image(image, context)
            sources[image.name] = (
                None if data is None else f"data:{image_media_type(image)};base64,{base64.b64encode(data).decode()}"
            )
        return sources[image.name]

    out = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(book.language)}">',
        "<head>",
        '<meta charset="utf-8"/>',
        f"<title>{escape(book.title)}</title>",
        f'<meta name="author" content="{escape(book.author)}"/>',
        f"<style>{STYLESHEET}</style>",
        "</head>",
        "<body>",
        f'<section class="titlepage">{title_page_html(book)}</section>',
    ]
    if context.options.include_toc:
        out.append('<nav id="contents"><h2>Contents</h2><ol>')
        out += [
            f'<li><a href="#chapter-{n}">{escape(chapter.title)}</a></li>'
            for n, chapter in enumerate(book.chapters, start=1)
        ]
        out.append("</ol></nav>")
    for number, item in enumerate(book.front_matter, start=1):
        out.append(f'<section id="front-{number}"><h2>{escape(item.title)}</h2>{html_paragraphs(item.text)}</section>')
    total = len(book.chapters)
    for index, chapter in enumerate(book.chapters, start=1):
        body = chapter_html(chapter, heading_id=f"chapter-{index}", image_src=image_src, context=context)
        out.append(f'<section class="chapter">{body}</section>')
        if progress:
            progress(index, total)
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
