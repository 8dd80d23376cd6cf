"""What the renderers share: options, warnings, image loading and HTML fragments."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from html import escape

from storyteller.books.structure import Book, BookImage, Chapter, paragraphs

#: image types every EPUB reader must show (EPUB 3 core media types)
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/svg+xml", "image/webp"}

PAGE_SIZES = ("a5", "6x9")


@dataclass
class RenderOptions:
    """Choices a reader of the book may make (``book_export.format_options``)."""

    page_size: str = "a5"
    include_toc: bool = True
    include_images: bool = True

    @classmethod
    def from_dict(cls, data: dict | None) -> RenderOptions:
        """Options from a ``format_options`` mapping; unknown keys are ignored, bad values raise ``ValueError``."""
        data = data or {}
        page_size = str(data.get("page_size", "a5")).lower()
        if page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}.")
        for key in ("include_toc", "include_images"):
            if key in data and not isinstance(data[key], bool):
                raise ValueError(f"{key} must be true or false.")
        return cls(
            page_size=page_size,
            include_toc=data.get("include_toc", True),
            include_images=data.get("include_images", True),
        )


@dataclass
class RenderContext:
    """One rendering run: the options and the warnings it collects (missing images, ...)."""

    options: RenderOptions = field(default_factory=RenderOptions)
    warnings: list[str] = field(default_factory=list)
    page_count: int | None = None

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def image_media_type(image: BookImage) -> str:
    """The media type of an image file, guessed from its name."""
    return mimetypes.guess_type(image.name)[0] or "application/octet-stream"


def load_image(image: BookImage, context: RenderContext) -> bytes | None:
    """The image's bytes, or ``None`` (with a warning) when it is missing, unreadable or of an unsupported type."""
    media_type = image_media_type(image)
    if media_type not in IMAGE_TYPES:
        context.warn(f"Image {image.label} left out: unsupported type {media_type}.")
        return None
    try:
        return image.read()
    except OSError:
        context.warn(f"Image {image.label} left out: the file is missing or unreadable.")
        return None


def html_paragraphs(text: str) -> str:
    """``text`` as escaped HTML paragraphs."""
    return "\n".join(f"<p>{escape(part)}</p>" for part in paragraphs(text))


def chapter_html(
    chapter: Chapter, *, heading_id: str, image_src, context: RenderContext, heading_level: int = 1
) -> str:
    """The body of one chapter as an HTML fragment (shared by the EPUB and HTML renderers).

    ``image_src(image)`` returns the ``src`` of an image, or ``None`` to leave it out.
    """
    h, h2, h3 = (f"h{heading_level + n}" for n in range(3))
    out = [f'<{h} id="{heading_id}" class="chapter-title">{escape(chapter.title)}</{h}>']
    if chapter.subtitle:
        out.append(f'<p class="chapter-subtitle">{escape(chapter.subtitle)}</p>')
    if chapter.epigraph:
        out.append(f'<blockquote class="epigraph">{html_paragraphs(chapter.epigraph)}')
        if chapter.epigraph_attribution:
            out.append(f'<p class="attribution">{escape(chapter.epigraph_attribution)}</p>')
        out.append("</blockquote>")

    def figures(images):
        if not context.options.include_images:
            return
        for image in images:
            src = image_src(image)
            if src is None:
                continue
            out.append(f'<figure><img src="{escape(src)}" alt="{escape(image.alt or image.caption)}"/>')
            if image.caption:
                out.append(f"<figcaption>{escape(image.caption)}</figcaption>")
            out.append("</figure>")

    figures(chapter.images)
    for section in chapter.sections:
        if section.title:
            out.append(f"<{h2}>{escape(section.title)}</{h2}>")
        figures(section.images)
        out.append(html_paragraphs(section.text))
        for scene in section.scenes:
            if scene.title:
                out.append(f"<{h3}>{escape(scene.title)}</{h3}>")
            figures(scene.images)
            out.append(html_paragraphs(scene.text))
    return "\n".join(part for part in out if part)


def title_page_html(book: Book) -> str:
    """The title page: title, subtitle and author."""
    out = [f'<h1 class="book-title">{escape(book.title)}</h1>']
    if book.subtitle:
        out.append(f'<p class="book-subtitle">{escape(book.subtitle)}</p>')
    out.append(f'<p class="book-author">{escape(book.author)}</p>')
    return "\n".join(out)


STYLESHEET = """
body { font-family: "Noto Serif", Georgia, serif; line-height: 1.5; }
h1.book-title { text-align: center; margin-top: 30%; }
p.book-subtitle, p.book-author { text-align: center; }
p.book-author { font-variant: small-caps; margin-top: 2em; }
h1.chapter-title { page-break-before: always; break-before: page; margin-top: 2em; }
p.chapter-subtitle { font-style: italic; }
blockquote.epigraph { font-style: italic; margin: 1em 2em; }
p.attribution { text-align: right; }
p { text-indent: 1.2em; margin: 0 0 0.4em 0; }
figure { text-align: center; margin: 1em 0; }
figure img { max-width: 100%; }
figcaption { font-size: 0.9em; font-style: italic; }
"""
