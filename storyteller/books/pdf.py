"""PDF with reportlab's platypus: A5 or 6x9 in pages, embedded Noto Sans, page numbers, a table of contents.

Layout: a title page (no number), the table of contents, the front matter, then every chapter
starting on a new page with its title as a level-0 outline entry (the reader's bookmarks).
Page numbers sit at the foot of every page after the title page. Chapter, section and scene headings
keep with the text that follows them, so none stands alone at the foot of a page. The table of
contents needs the page of each chapter, so the document is laid out twice (``multiBuild``).
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
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
from storyteller.books.fonts import book_face_chars, font_for, register_pdf_fonts
from storyteller.books.structure import Book, BookImage, Progress, paragraphs

PAGE_SIZES = {"a5": A5, "6x9": (6 * inch, 9 * inch)}


def _styles(family: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=family, fontSize=10.5, leading=14.5, alignment=TA_JUSTIFY, firstLineIndent=12
    )
    return {
        "body": body,
        "first": ParagraphStyle("first", parent=body, firstLineIndent=0),
        "rtl": ParagraphStyle("rtl", parent=body, firstLineIndent=0, alignment=TA_RIGHT, spaceAfter=0),
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

    def __init__(self, filename: str, *, pagesize, family: str, on_chapter, mark, **kwargs):
        super().__init__(filename, pagesize=pagesize, **kwargs)
        self.mark = mark
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
            self.notify("TOCEntry", (0, self.mark(flowable.plain), self.page, flowable.key))
            self.on_chapter(flowable.key)


RTL_CLASSES = {"R", "AL"}
#: scripts whose letters reorder and combine (Devanagari's vowel signs and conjuncts): shaped by HarfBuzz
SHAPED_RANGES = ((0x0900, 0x0DFF),)


def _is_presentation_form(char: str) -> bool:
    return 0xFB50 <= ord(char) <= 0xFDFF or 0xFE70 <= ord(char) <= 0xFEFF


class Scripts:
    """Sets text in the face that has its characters and lays out right-to-left text; remembers what no face has.

    Each run of characters goes in the first face that has them (the book's Noto Sans, then FiraGO, then
    WenQuanYi Micro Hei; see ``storyteller.books.fonts``). Arabic letters are joined (their presentation
    forms) and right-to-left text is put in visual order line by line; Devanagari is shaped by HarfBuzz.
    """

    def __init__(self, family: str):
        self.family = family
        self.missing: set[str] = set()

    def runs(self, text: str) -> list[tuple[str, str]]:
        if book_face_chars().issuperset(text):
            return [(self.family, text)]
        out: list[list] = []
        for char in text:
            category = unicodedata.category(char)
            face = None
            if char.isspace() or category[0] in "MC":
                face = out[-1][0] if out else self.family  # marks, joiners and spaces stay with their run
            else:
                face = font_for(char)
                if face is None and _is_presentation_form(char):
                    # a joined form the face lacks: its base letter, whose default glyph is that same shape
                    char = unicodedata.normalize("NFKC", char)
                    face = font_for(char[0])
                if face is None:
                    self.missing.add(char)
                    face = self.family
            if out and out[-1][0] == face:
                out[-1][1] += char
            else:
                out.append([face, char])
        return [(face, run) for face, run in out]

    def markup(self, text: str) -> str:
        """One line of ``text`` as paragraph markup (right-to-left text in visual order)."""
        if any(unicodedata.bidirectional(char) in RTL_CLASSES for char in text):
            text = get_display(arabic_reshaper.reshape(text))
        return self._fonts(text)

    def _fonts(self, text: str) -> str:
        return "".join(
            escape(run) if face == self.family else f'<font face="{face}">{escape(run)}</font>'
            for face, run in self.runs(text)
        )

    @staticmethod
    def is_rtl(text: str) -> bool:
        """Whether the first strong character of ``text`` is right-to-left (its base direction)."""
        for char in text:
            direction = unicodedata.bidirectional(char)
            if direction in RTL_CLASSES:
                return True
            if direction == "L":
                return False
        return False

    @staticmethod
    def needs_shaping(text: str) -> bool:
        return any(low <= ord(char) <= high for char in text for low, high in SHAPED_RANGES)

    def width(self, text: str, style: ParagraphStyle) -> float:
        return sum(stringWidth(run, face, style.fontSize) for face, run in self.runs(text))

    def paragraph(self, text: str, style: ParagraphStyle, rtl_style: ParagraphStyle, width: float) -> list:
        """A paragraph of body text: left-to-right as one Paragraph; right-to-left as its lines, each in visual
        order (a line is laid out in logical order first, so the paragraph reads from its top line)."""
        if self.needs_shaping(text):
            style = ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)
        if not self.is_rtl(text):
            return [Paragraph(self._fonts(text), style)]
        logical = arabic_reshaper.reshape(text)
        lines, line = [], ""
        for word in logical.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and self.width(candidate, rtl_style) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
        return [Paragraph(self._fonts(get_display(line)), rtl_style) for line in lines]


def _image_flowables(
    images: list[BookImage], styles, max_width: float, max_height: float, context, mark=escape
) -> list:
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
            out.append(Paragraph(mark(image.caption), styles["caption"]))
        else:
            out.append(Spacer(1, 8))
    return out


def _text(text: str, styles, out: list, scripts: Scripts, width: float) -> None:
    for number, part in enumerate(paragraphs(text)):
        out += scripts.paragraph(part, styles["first" if number == 0 else "body"], styles["rtl"], width)


def render_pdf(book: Book, path: Path, context: RenderContext, progress: Progress | None = None) -> None:
    """Write ``book`` as a PDF at ``path``; ``context.page_count`` is set to its number of pages."""
    family = register_pdf_fonts()
    styles = _styles(family)
    scripts = Scripts(family)
    mark = scripts.markup
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
        mark=mark,
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
    story.append(Paragraph(mark(book.title), styles["book_title"]))
    if book.subtitle:
        story.append(Paragraph(mark(book.subtitle), styles["book_subtitle"]))
    story.append(Paragraph(mark(book.author), styles["book_author"]))
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
        story.append(ChapterTitle(mark(item.title), styles["chapter"], key=f"front-{number}", plain=item.title))
        _text(item.text, styles, story, scripts, frame_width)
    for index, chapter in enumerate(book.chapters, start=1):
        story.append(PageBreak())
        story.append(ChapterTitle(mark(chapter.title), styles["chapter"], key=f"chapter-{index}", plain=chapter.title))
        if chapter.subtitle:
            story.append(Paragraph(mark(chapter.subtitle), styles["chapter_subtitle"]))
        if chapter.epigraph:
            _text(
                chapter.epigraph,
                {**styles, "first": styles["epigraph"], "body": styles["epigraph"]},
                story,
                scripts,
                frame_width,
            )
            if chapter.epigraph_attribution:
                story.append(Paragraph(mark(f"— {chapter.epigraph_attribution}"), styles["attribution"]))
        images = (frame_width, frame_height * 0.6, context, mark)
        story += _image_flowables(chapter.images, styles, *images)
        for section in chapter.sections:
            if section.title:
                story.append(Paragraph(mark(section.title), styles["section"]))
            story += _image_flowables(section.images, styles, *images)
            _text(section.text, styles, story, scripts, frame_width)
            for scene in section.scenes:
                if scene.title:
                    story.append(Paragraph(mark(scene.title), styles["scene"]))
                story += _image_flowables(scene.images, styles, *images)
                _text(scene.text, styles, story, scripts, frame_width)
    if context.options.include_toc:
        doc.multiBuild(story)
    else:
        doc.build(story)
    context.page_count = doc.page
    if scripts.missing:
        shown = ", ".join(f"{char} (U+{ord(char):04X})" for char in sorted(scripts.missing)[:20])
        more = f" and {len(scripts.missing) - 20} more" if len(scripts.missing) > 20 else ""
        context.warn(f"The PDF cannot show {len(scripts.missing)} character(s), no font has them: {shown}{more}.")
    if progress:
        progress(total, total)
