"""Markdown (CommonMark): one ``.md`` file, or a ZIP of ``book.md`` and ``images/`` when the book has pictures.

Headings: ``#`` the book's title, ``##`` front matter and chapters, ``###`` sections, ``####`` scenes.
What the storyteller wrote is escaped so that it reads back as written: a paragraph that would start a
heading, quote or list ("1. That summer"), and inline syntax anywhere (``*like this*``, ``[the attic](secret)``,
code, HTML).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from storyteller.books.common import RenderContext, load_image
from storyteller.books.structure import Book, BookImage, Progress, paragraphs

_BLOCK_START = re.compile(r"^(#{1,6}(\s|$)|>|[-+*](\s|$)|=+$|-{3,}$)")
_ORDERED = re.compile(r"^(\d+)([.)])(?=\s|$)")
#: characters that start inline syntax anywhere in a line: emphasis, code, links and images, raw HTML,
#: entities, strikethrough (backslash first, so the escapes added are not escaped again)
_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")


def escape_inline(text: str) -> str:
    """``text`` with every character CommonMark (and pandoc) would read as inline markup backslash-escaped."""
    return _INLINE.sub(r"\\\1", text)


def escape_paragraph(text: str) -> str:
    """``text`` made safe to stand as a Markdown paragraph: it reads back as written (no heading, list, quote,
    fence, emphasis, link, code or HTML)."""
    text = escape_inline(text)
    if _ORDERED.match(text):
        return _ORDERED.sub(r"\1\\\2", text, count=1)  # "1. That summer" -> "1\. That summer"
    if _BLOCK_START.match(text):
        text = "\\" + text
    return text


def _heading_text(text: str) -> str:
    return escape_inline(" ".join(text.split())).replace("#", "\\#")


def markdown_has_images(book: Book, context: RenderContext) -> bool:
    """Whether the Markdown export is a ZIP (images wanted and present in the book)."""
    return context.options.include_images and any(True for _ in book.images())


def render_markdown_text(book: Book, context: RenderContext, image_src, progress: Progress | None = None) -> str:
    """The book as one Markdown document; ``image_src(image)`` gives each picture's link (or ``None``)."""
    out = [f"# {_heading_text(book.title)}", ""]
    if book.subtitle:
        out += [f"*{escape_paragraph(book.subtitle)}*", ""]
    out += [f"By {escape_paragraph(book.author)}", ""]

    def text(body: str) -> None:
        for part in paragraphs(body):
            out.extend([escape_paragraph(part), ""])

    def figures(images: list[BookImage]) -> None:
        if not context.options.include_images:
            return
        for image in images:
            src = image_src(image)
            if src is not None:
                alt = _heading_text(image.alt or image.caption)
                out.extend([f"![{alt}]({src})", ""])
                if image.caption:
                    out.extend([f"*{escape_paragraph(image.caption)}*", ""])

    if context.options.include_toc and book.chapters:
        out += ["## Contents", ""]
        out += [f"{n}. {_heading_text(chapter.title)}" for n, chapter in enumerate(book.chapters, start=1)]
        out.append("")
    for item in book.front_matter:
        out += [f"## {_heading_text(item.title)}", ""]
        text(item.text)
    total = len(book.chapters)
    for index, chapter in enumerate(book.chapters, start=1):
        out += [f"## {_heading_text(chapter.title)}", ""]
        if chapter.subtitle:
            out += [f"*{escape_paragraph(chapter.subtitle)}*", ""]
        if chapter.epigraph:
            out += [f"> {escape_paragraph(part)}" for part in paragraphs(chapter.epigraph)]
            if chapter.epigraph_attribution:
                out.append(f"> — {escape_paragraph(chapter.epigraph_attribution)}")
            out.append("")
        figures(chapter.images)
        for section in chapter.sections:
            if section.title:
                out += [f"### {_heading_text(section.title)}", ""]
            figures(section.images)
            text(section.text)
            for scene in section.scenes:
                if scene.title:
                    out += [f"#### {_heading_text(scene.title)}", ""]
                figures(scene.images)
                text(scene.text)
        if progress:
            progress(index, total)
    return "\n".join(out).rstrip() + "\n"


def render_markdown(book: Book, path: Path, context: RenderContext, progress: Progress | None = None) -> None:
    """Write ``book`` as Markdown at ``path``: plain text, or a ZIP with ``book.md`` and its images."""
    if not markdown_has_images(book, context):
        path.write_text(render_markdown_text(book, context, lambda image: None, progress), encoding="utf-8")
        return
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        names: dict[str, str | None] = {}

        def image_src(image: BookImage) -> str | None:
            if image.name not in names:
                data = load_image(image, context)
                if data is None:
                    names[image.name] = None
                else:
                    names[image.name] = f"images/image-{len(names) + 1:03d}{image.suffix}"
                    archive.writestr(names[image.name], data)
            return names[image.name]

        archive.writestr("book.md", render_markdown_text(book, context, image_src, progress))
