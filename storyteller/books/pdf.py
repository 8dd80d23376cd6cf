"""PDF with reportlab's platypus: A5 or 6x9 in pages, embedded Noto Sans, page numbers, a table of contents.

Layout: a title page (no number), the table of contents, the front matter, then every chapter
starting on a new page with its title as a level-0 outline entry (the reader's bookmarks).
Page numbers sit at the foot of every page after the title page. Chapter, section and scene headings
keep with the text that follows them, so none stands alone at the foot of a page. The table of
contents needs the page of each chapter, so the document is laid out twice (``multiBuild``).
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from storyteller.books.common import RenderContext, load_image
from storyteller.books.fonts import register_pdf_fonts
from storyteller.books.structure import Book, BookImage, Progress, paragraphs

PAGE_SIZES = {"a5": A5, "6x9": (6 * inch, 9 * inch)}


def _styles(family: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=family, fontSize=10.5, leading=14.5, alignment=TA_JUSTIFY, firstLineIndent=12
    )
    return {
        "body": body,
        "first": ParagraphStyle("first", parent=body, firstLineIndent=0),
        "book_title": ParagraphStyle(
            "book_title", fontName=f"{family}-Bold", fontSize=24, leading=30, alignment=TA_CENTER, spaceBefore=60
        ),
        "book_subtitle": ParagraphStyle(
            "book_subtitle", fontName=f"{family}-Italic", fontSize=13, leading=17, alignment=TA_CENTER, spaceBefore=12
        ),
        "book_author": ParagraphStyle(
            "book_author", fontName=family, fontSize=14, leading=18, alignment=TA_CENTER, spaceBefore=48
        ),
        "chapter": ParagraphStyle(
            "chapter", fontName=f"{family}-Bold", fontSize=18, leading=23, spaceBefore=36, spaceAfter=10, keepWithNext=1
        ),
        "chapter_subtitle": ParagraphStyle(
            "chapter_subtitle", fontName=f"{family}-Italic", fontSize=11.5, leading=15, spaceAfter=10, keepWithNext=1
        ),
        "epigraph": ParagraphStyle(
            "epigraph", fontName=f"{family}-Italic", fontSize=9.5, leading=13, leftIndent=24, rightIndent=24
        ),
        "attribution": ParagraphStyle(
            "attribution", fontName=family, fontSize=9.5, leading=13, alignment=TA_RIGHT, rightIndent=24, spaceAfter=12
        ),
        "section": ParagraphStyle(
            "section",
            fontName=f"{family}-Bold",
            fontSize=12.5,
            leading=16,
            spaceBefore=12,
            spaceAfter=6,
            keepWithNext=1,
        ),
        "scene": ParagraphStyle(
            "scene",
            fontName=f"{family}-BoldItalic",
            fontSize=11,
            leading=14.5,
            spaceBefore=9,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "caption": ParagraphStyle(
            "caption", fontName=f"{family}-Italic", fontSize=9, leading=12, alignment=TA_CENTER, spaceAfter=8
        ),
        "toc_title": ParagraphStyle("toc_title", fontName=f"{family}-Bold", fontSize=16, leading=20, spaceAfter=14),
        "toc_entry": ParagraphStyle("toc_entry", fontName=family, fontSize=10.5, leading=14, leftIndent=0),
    }


class ChapterTitle(Paragraph):
    """A chapter (or front matter) heading: the document turns it into a bookmark and a contents line."""

    def __init__(self, text: str, style: ParagraphStyle, *, key: str, plain: str):
        super().__init__(text, style)
        self.key = key
        self.plain = plain


class BookDocTemplate(BaseDocTemplate):
    """A book's pages: a numberless title page, then numbered body pages."""

    def __init__(self, filename: str, *, pagesize, family: str, on_chapter, **kwargs):
        super().__init__(filename, pagesize=pagesize, **kwargs)
        width, height = pagesize
        margin_x, margin_top, margin_bottom = 16 * mm, 18 * mm, 20 * mm
        frame = Frame(margin_x, margin_bottom, width - 2 * margin_x, height - margin_top - margin_bottom, id="text")
        self.family = family
        self.on_chapter = on_chapter
        self.addPageTemplates(
            [
                PageTemplate(id="title", frames=[frame]),
                PageTemplate(id="body", frames=[frame], onPage=self._page_number),
            ]
        )

    def _page_number(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(self.family, 9)
        canvas.drawCentredString(doc.pagesize[0] / 2, 10 * mm, str(canvas.getPageNumber()))
        canvas.restoreState()

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, ChapterTitle):
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.plain, flowable.key, level=0, closed=True)
            self.notify("TOCEntry", (0, escape(flowable.plain), self.page, flowable.key))
            self.on_chapter(flowable.key)


def _image_flowables(images: list[BookImage], styles, max_width: float, max_height: float, context) -> list:
    out = []
    if not context.options.include_images:
        return out
    for image in images:
        data = load_image(image, context)
        if data is None:
            continue
        try:
            width, height = ImageReader(io.BytesIO(data)).getSize()
        except Exception:  # noqa: BLE001 - any undecodable picture is left out with a warning
            context.warn(f"Image {image.label} left out: it could not be decoded.")
            continue
        scale = min(max_width / width, max_height / height, 1.0)
        out.append(Image(io.BytesIO(data), width=width * scale, height=height * scale))
        if image.caption:
            out.append(Paragraph(escape(image.caption), styles["caption"]))
        else:
            out.append(Spacer(1, 8))
    return out


def _text(text: str, styles, out: list) -> None:
    for number, part in enumerate(paragraphs(text)):
        out.append(Paragraph(escape(part), styles["first" if number == 0 else "body"]))


def render_pdf(book: Book, path: Path, context: RenderContext, progress: Progress | None = None) -> None:
    """Write ``book`` as a PDF at ``path``; ``context.page_count`` is set to its number of pages."""
    family = register_pdf_fonts()
    styles = _styles(family)
    pagesize = PAGE_SIZES[context.options.page_size]
    total = max(len(book.chapters), 1) * 2  # two layout passes
    seen = {"count": 0}

    def on_chapter(key: str) -> None:
        if key.startswith("chapter-"):
            seen["count"] += 1
            if progress:
                progress(min(seen["count"], total - 1), total)

    doc = BookDocTemplate(
        str(path),
        pagesize=pagesize,
        family=family,
        on_chapter=on_chapter,
        title=book.title,
        author=book.author,
        subject=book.description,
        lang=book.language,
        creator="Everbound",
        initialFontName=family,
    )
    frame_width = doc.pageTemplates[0].frames[0]._width
    frame_height = doc.pageTemplates[0].frames[0]._height

    story: list = [NextPageTemplate("body")]
    story.append(Paragraph(escape(book.title), styles["book_title"]))
    if book.subtitle:
        story.append(Paragraph(escape(book.subtitle), styles["book_subtitle"]))
    story.append(Paragraph(escape(book.author), styles["book_author"]))
    if context.options.include_toc:
        table_style = TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), family),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
        toc = TableOfContents(levelStyles=[styles["toc_entry"]], dotsMinLevel=0, tableStyle=table_style)
        story += [PageBreak(), Paragraph("Contents", styles["toc_title"]), toc]
    for number, item in enumerate(book.front_matter, start=1):
        story.append(PageBreak())
        story.append(ChapterTitle(escape(item.title), styles["chapter"], key=f"front-{number}", plain=item.title))
        _text(item.text, styles, story)
    for index, chapter in enumerate(book.chapters, start=1):
        story.append(PageBreak())
        story.append(
            ChapterTitle(escape(chapter.title), styles["chapter"], key=f"chapter-{index}", plain=chapter.title)
        )
        if chapter.subtitle:
            story.append(Paragraph(escape(chapter.subtitle), styles["chapter_subtitle"]))
        if chapter.epigraph:
            _text(chapter.epigraph, {"first": styles["epigraph"], "body": styles["epigraph"]}, story)
            if chapter.epigraph_attribution:
                story.append(Paragraph(escape(f"— {chapter.epigraph_attribution}"), styles["attribution"]))
        images = (frame_width, frame_height * 0.6, context)
        story += _image_flowables(chapter.images, styles, *images)
        for section in chapter.sections:
            if section.title:
                story.append(Paragraph(escape(section.title), styles["section"]))
            story += _image_flowables(section.images, styles, *images)
            _text(section.text, styles, story)
            for scene in section.scenes:
                if scene.title:
                    story.append(Paragraph(escape(scene.title), styles["scene"]))
                story += _image_flowables(scene.images, styles, *images)
                _text(scene.text, styles, story)
    if context.options.include_toc:
        doc.multiBuild(story)
    else:
        doc.build(story)
    context.page_count = doc.page
    if progress:
        progress(total, total)
