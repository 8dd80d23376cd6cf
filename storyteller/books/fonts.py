"""The book's typefaces, all from pinned PyPI wheels (never the operating system), so every machine
(a developer's, CI's, production) renders the same book; the PDF embeds the subset of glyphs it uses.
The EPUB and HTML leave the face to the reader.

- Noto Sans (SIL OFL 1.1, ``pymupdf-fonts``): Latin with every European accent, Greek, Cyrillic.
- FiraGO (SIL OFL 1.1, ``pymupdf-fonts``), the first fallback: Arabic (with its presentation forms, for
  joined letters), Hebrew, Devanagari, Thai, Georgian.
- WenQuanYi Micro Hei (``paperang-p2-fonts-cjk``, TrueType), the second: Chinese, Japanese, Korean.

:func:`font_for` names the first face that has a character; what none has is reported by the PDF
renderer as a warning on the export.
"""

from __future__ import annotations

import io
import threading
from functools import cache

FAMILY = "BookSans"

#: reportlab face name -> pymupdf-fonts buffer name
FACES = {
    FAMILY: "notos",
    f"{FAMILY}-Bold": "notosbo",
    f"{FAMILY}-Italic": "notosit",
    f"{FAMILY}-BoldItalic": "notosbi",
}

#: the fallback faces, tried in this order after the book's own
WORLD = "BookSansWorld"
CJK = "BookCJK"
WORLD_FACES = {
    WORLD: "figo",
    f"{WORLD}-Bold": "figbo",
    f"{WORLD}-Italic": "figit",
    f"{WORLD}-BoldItalic": "figbi",
}
FALLBACKS = (WORLD, CJK)

_lock = threading.Lock()


@cache
def font_bytes(buffer_name: str) -> bytes:
    """The TrueType file of one face (decompressed once per process)."""
    import pymupdf_fonts

    return bytes(pymupdf_fonts.myfont(buffer_name))


def cjk_font_file():
    """The WenQuanYi Micro Hei collection inside its wheel."""
    from importlib.resources import files

    return files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"


def register_pdf_fonts() -> str:
    """Register the book's faces and the fallbacks with reportlab once per process; return the family name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for face, buffer_name in {**FACES, **WORLD_FACES}.items():
            if face not in registered:
                pdfmetrics.registerFont(TTFont(face, io.BytesIO(font_bytes(buffer_name))))
        if CJK not in registered:
            with cjk_font_file().open("rb") as handle:
                pdfmetrics.registerFont(TTFont(CJK, io.BytesIO(handle.read()), subfontIndex=0))
        for family in (FAMILY, WORLD):
            addMapping(family, 0, 0, family)
            addMapping(family, 1, 0, f"{family}-Bold")
            addMapping(family, 0, 1, f"{family}-Italic")
            addMapping(family, 1, 1, f"{family}-BoldItalic")
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(CJK, bold, italic, CJK)
    return FAMILY


@cache
def _coverage() -> tuple[tuple[str, frozenset[int]], ...]:
    from reportlab.pdfbase import pdfmetrics

    register_pdf_fonts()
    return tuple((face, frozenset(pdfmetrics.getFont(face).face.charToGlyph)) for face in (FAMILY, *FALLBACKS))


@cache
def book_face_chars() -> frozenset[str]:
    """Every character the book's own face has (a fast test that a text needs no fallback)."""
    return frozenset(chr(code) for code in _coverage()[0][1])


def font_for(char: str) -> str | None:
    """The first face (the book's, then the fallbacks) that has a glyph for ``char``; ``None`` if none has."""
    code = ord(char)
    for face, codes in _coverage():
        if code in codes:
            return face
    return None
