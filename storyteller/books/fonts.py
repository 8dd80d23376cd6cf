"""The book's typeface: Noto Sans (SIL OFL 1.1), shipped inside the ``pymupdf-fonts`` wheel.

It covers Latin (with every European accent), Greek and Cyrillic, so a PDF set in it shows the
story's names and places as written. The font comes from a pinned PyPI package rather than the
operating system, so every machine (a developer's, CI's, production) renders the same book.
The PDF embeds the subset of glyphs it uses. The EPUB and HTML leave the face to the reader.
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

_lock = threading.Lock()


@cache
def font_bytes(buffer_name: str) -> bytes:
    """The TrueType file of one face (decompressed once per process)."""
    import pymupdf_fonts

    return bytes(pymupdf_fonts.myfont(buffer_name))


def register_pdf_fonts() -> str:
    """Register the four faces with reportlab once per process; return the family name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for face, buffer_name in FACES.items():
            if face not in registered:
                pdfmetrics.registerFont(TTFont(face, io.BytesIO(font_bytes(buffer_name))))
        addMapping(FAMILY, 0, 0, FAMILY)
        addMapping(FAMILY, 1, 0, f"{FAMILY}-Bold")
        addMapping(FAMILY, 0, 1, f"{FAMILY}-Italic")
        addMapping(FAMILY, 1, 1, f"{FAMILY}-BoldItalic")
    return FAMILY
