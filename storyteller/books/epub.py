"""EPUB 3 with ebooklib: title page, navigation document (the table of contents), one XHTML file per chapter.

The package document carries the title, the author (``dc:creator``), the language, a unique
identifier (``urn:uuid:``) and, for EPUB 2 readers, an NCX beside the EPUB 3 navigation document.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ebooklib import epub

from storyteller.books.common import (
    STYLESHEET,
    RenderContext,
    chapter_html,
    html_paragraphs,
    image_media_type,
    load_image,
    title_page_html,
)
from storyteller.books.structure import Book, Progress


def chapter_file_name(index: int) -> str:
    """The XHTML file of chapter ``index`` (1-based) inside the EPUB."""
    return f"chapter-{index:03d}.xhtml"


def render_epub(book: Book, path: Path, context: RenderContext, progress: Progress | None = None) -> None:
    """Write ``book`` as an EPUB 3 file at ``path``."""
    doc = epub.EpubBook()
    doc.set_identifier(book.identifier)
    doc.set_title(book.title)
    doc.set_language(book.language)
    doc.add_author(book.author)
    if book.description:
        doc.add_metadata("DC", "description", book.description)

    css = epub.EpubItem(uid="style", file_name="style/book.css", media_type="text/css", content=STYLESHEET)
    doc.add_item(css)

    def page(uid: str, file_name: str, title: str, body: str) -> epub.EpubHtml:
        item = epub.EpubHtml(uid=uid, title=title, file_name=file_name, lang=book.language)
        item.content = body
        item.add_item(css)
        doc.add_item(item)
        return item

    images: dict[str, str | None] = {}

    def image_src(image) -> str | None:
        if image.name not in images:
            data = load_image(image, context)
            if data is None:
                images[image.name] = None
            else:
                name = f"images/image-{len(images) + 1:03d}{image.suffix}"
                uid = f"image-{len(images) + 1:03d}"
                doc.add_item(epub.EpubImage(uid=uid, file_name=name, media_type=image_media_type(image), content=data))
                images[image.name] = name
        return images[image.name]

    spine: list = [page("titlepage", "titlepage.xhtml", book.title, title_page_html(book))]
    if context.options.include_toc:
        spine.append("nav")
    toc = []
    for number, item in enumerate(book.front_matter, start=1):
        front = page(
            f"front-{number}",
            f"front-{number:02d}.xhtml",
            item.title,
            f"<h1>{escape(item.title)}</h1>\n{html_paragraphs(item.text)}",
        )
        spine.append(front)
        toc.append(epub.Link(front.file_name, item.title, front.id))
    total = len(book.chapters)
    for index, chapter in enumerate(book.chapters, start=1):
        body = chapter_html(chapter, heading_id=f"chapter-{index}", image_src=image_src, context=context)
        item = page(f"chapter-{index}", chapter_file_name(index), chapter.title, body)
        spine.append(item)
        toc.append(epub.Link(item.file_name, chapter.title, item.id))
        if progress:
            progress(index, total)
    doc.toc = toc
    doc.spine = spine
    doc.add_item(epub.EpubNcx())
    doc.add_item(epub.EpubNav(uid="nav", file_name="nav.xhtml"))
    epub.write_epub(str(path), doc, {"epub3_pages": False})
