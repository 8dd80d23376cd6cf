"""The book renderers, read back with real readers: ebooklib for EPUB, pypdf for PDF, lxml for HTML."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from ebooklib import ITEM_DOCUMENT, ITEM_IMAGE, ITEM_NAVIGATION, epub
from lxml import etree
from lxml import html as lxml_html
from PIL import Image
from pypdf import PdfReader

from storyteller.books import (
    SUPPORTED_FORMATS,
    Book,
    BookImage,
    Chapter,
    RenderOptions,
    Section,
    UnsupportedFormat,
    file_extension,
    paragraphs,
    render_book,
    sha256_file,
    word_count,
)
from storyteller.books import render as render_module
from storyteller.books.markdown import escape_paragraph
from tests.storyteller.book_samples import sample_book

A5_POINTS = (419.5, 595.3)


@pytest.fixture
def picture(tmp_path) -> BookImage:
    path = tmp_path / "kitchen.png"
    Image.new("RGB", (320, 200), (180, 120, 60)).save(path)
    return BookImage.from_file(path, caption="The kitchen in Kraków, 1961", alt="A kitchen")


@pytest.fixture
def book() -> Book:
    return sample_book(chapters=5, words=6000)


def pdf_text_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def positions_in_order(text: str, needles: list[str]) -> bool:
    position = -1
    for needle in needles:
        position = text.find(needle, position + 1)
        if position < 0:
            return False
    return True


# -- the structure


def test_paragraphs_split_on_blank_lines_and_fold_line_breaks():
    assert paragraphs("one\ntwo\n\n  \n three  ") == ["one two", "three"]
    assert paragraphs("") == []


def test_book_word_count_counts_body_text_only(book):
    assert book.word_count == sum(word_count(text) for text in book.texts())
    assert 5800 <= book.word_count <= 6200


# -- EPUB


def test_epub_package_navigation_and_spine_agree_with_the_chapters(book, tmp_path):
    result = render_book(book, "epub", tmp_path / "book.epub")

    doc = epub.read_epub(str(result.path))
    assert doc.get_metadata("DC", "title")[0][0] == book.title
    assert doc.get_metadata("DC", "creator")[0][0] == "Zofia Łukasiewicz"
    assert doc.get_metadata("DC", "language")[0][0] == "en"
    assert doc.get_metadata("DC", "identifier")[0][0] == book.identifier
    assert doc.get_metadata("DC", "identifier")[0][1] == {"id": "id"}

    chapter_titles = [chapter.title for chapter in book.chapters]
    spine = [idref for idref, _ in doc.spine]
    assert spine == ["titlepage", "nav", "front-1"] + [f"chapter-{n}" for n in range(1, 6)]
    assert [link.title for link in doc.toc] == ["Why I tell this", *chapter_titles]

    nav = doc.get_item_with_id("nav")
    assert isinstance(nav, epub.EpubNav) and nav.file_name == "nav.xhtml"
    assert [item.file_name for item in doc.get_items_of_type(ITEM_NAVIGATION)] == ["toc.ncx"]
    tree = etree.fromstring(nav.get_content())
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    assert tree.xpath("//x:nav/@epub:type", namespaces=ns) == ["toc"]
    links = tree.xpath("//x:nav//x:a", namespaces=ns)
    assert [a.text for a in links] == ["Why I tell this", *chapter_titles]
    hrefs = [a.get("href") for a in links]
    documents = {item.file_name: item for item in doc.get_items_of_type(ITEM_DOCUMENT)}
    for href, title in zip(hrefs[1:], chapter_titles, strict=True):
        chapter = lxml_html.fromstring(documents[href].get_content())
        assert chapter.xpath("//h1")[0].text_content() == title
    assert "Żółć and Ελένη" in documents["chapter-001.xhtml"].get_content().decode()
    assert result.content_type == "application/epub+zip"
    with zipfile.ZipFile(result.path) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/epub+zip"
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        package = archive.read("EPUB/content.opf").decode()
    assert 'version="3.0"' in package and 'unique-identifier="id"' in package
    assert 'id="nav" media-type="application/xhtml+xml" properties="nav"' in package


def test_epub_includes_images_and_warns_about_missing_ones(tmp_path, picture):
    missing = BookImage.from_file(tmp_path / "gone.jpg", caption="Lost")
    book = sample_book(chapters=2, words=600, images=[picture, missing])

    result = render_book(book, "epub", tmp_path / "book.epub")

    doc = epub.read_epub(str(result.path))
    images = list(doc.get_items_of_type(ITEM_IMAGE))
    assert [item.media_type for item in images] == ["image/png"]
    assert images[0].get_content() == picture.read()
    chapter = doc.get_item_with_href("chapter-001.xhtml").get_content().decode()
    assert 'src="images/image-001.png"' in chapter and "The kitchen in Kraków, 1961" in chapter
    assert result.warnings == ["Image gone.jpg left out: the file is missing or unreadable."]


def test_epub_without_table_of_contents_leaves_the_nav_out_of_the_spine(book, tmp_path):
    result = render_book(book, "epub", tmp_path / "b.epub", options=RenderOptions(include_toc=False))

    assert "nav" not in [idref for idref, _ in epub.read_epub(str(result.path)).spine]


# -- PDF


def test_pdf_has_every_chapter_title_in_order_and_a_plausible_page_count(book, tmp_path):
    result = render_book(book, "pdf", tmp_path / "book.pdf")

    reader = PdfReader(result.path)
    pages = pdf_text_pages(result.path)
    text = "\n".join(pages)
    titles = [chapter.title for chapter in book.chapters]
    assert positions_in_order(text, titles)
    assert result.page_count == len(reader.pages)
    assert 1 + 1 + 1 + len(titles) + book.word_count // 400 <= result.page_count <= 10 + book.word_count // 150
    assert reader.metadata.title == book.title and reader.metadata.author == book.author
    assert [entry["/Title"] for entry in reader.outline] == ["Why I tell this", *titles]


def test_pdf_chapters_start_on_a_new_page_and_pages_are_numbered(book, tmp_path):
    result = render_book(book, "pdf", tmp_path / "book.pdf")

    pages = pdf_text_pages(result.path)

    def first_line(page: str) -> str:  # the page number is drawn before the text
        return [line.strip() for line in page.split("\n") if line.strip() and not line.strip().isdigit()][0]

    for title in (chapter.title for chapter in book.chapters):
        assert len([page for page in pages if first_line(page) == title]) == 1, title
    assert "The Bread and the River" in pages[0]
    assert not re.search(r"^\s*1\s*$", pages[0], re.M)  # the title page has no number
    for number, page in enumerate(pages[1:], start=2):
        assert re.search(rf"(^|\n)\s*{number}\s*($|\n)", page), number


def test_pdf_embeds_its_fonts_and_shows_non_ascii_text(book, tmp_path):
    result = render_book(book, "pdf", tmp_path / "book.pdf")

    reader = PdfReader(result.path)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts and all(name.endswith(("NotoSans-Regular", "Bold", "Italic", "BoldItalic")) for name in fonts)
    for font in fonts.values():
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font else None
        descriptor = descriptor or font["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()
    text = "\n".join(pdf_text_pages(result.path))
    for word in ("Łukasiewicz", "Ελένη", "Ярославль", "Straße", "Żółć"):
        assert word in text


@pytest.mark.parametrize(("page_size", "points"), [("a5", A5_POINTS), ("6x9", (432.0, 648.0))])
def test_pdf_page_size_follows_the_option(page_size, points, tmp_path):
    book = sample_book(chapters=1, words=300)

    result = render_book(book, "pdf", tmp_path / "b.pdf", options=RenderOptions(page_size=page_size))

    box = PdfReader(result.path).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(points, abs=0.5)


def test_pdf_places_pictures_and_skips_undecodable_ones(tmp_path, picture):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    book = sample_book(chapters=2, words=400, images=[picture, BookImage.from_file(broken)])

    result = render_book(book, "pdf", tmp_path / "b.pdf", options=RenderOptions(include_toc=False))

    reader = PdfReader(result.path)
    assert sum(len(page.images) for page in reader.pages) == 1
    assert "The kitchen in Kraków, 1961" in "\n".join(pdf_text_pages(result.path))
    assert result.warnings == ["Image broken.png left out: it could not be decoded."]
    assert "Contents" not in pdf_text_pages(result.path)[1]


# -- Markdown and HTML


def test_markdown_has_every_heading_in_order(book, tmp_path):
    result = render_book(book, "markdown", tmp_path / "book.md")

    assert result.extension == "md" and result.content_type.startswith("text/markdown")
    text = result.path.read_text(encoding="utf-8")
    headings = re.findall(r"^(#{1,6}) (.+)$", text, re.M)
    assert headings[0] == ("#", book.title)
    assert [title for level, title in headings if level == "##"] == [
        "Contents",
        "Why I tell this",
        *(chapter.title for chapter in book.chapters),
    ]
    assert [title for level, title in headings if level == "###"] == [
        section.title for chapter in book.chapters for section in chapter.sections
    ]
    assert "> The river remembers." in text


def test_markdown_with_pictures_is_a_zip_of_the_text_and_its_images(tmp_path, picture):
    book = sample_book(chapters=2, words=400, images=[picture, BookImage.from_file(tmp_path / "gone.png")])

    assert file_extension(book, "markdown") == "zip"
    result = render_book(book, "markdown", tmp_path / "book.zip")

    assert result.extension == "zip" and result.content_type == "application/zip"
    with zipfile.ZipFile(result.path) as archive:
        assert sorted(archive.namelist()) == ["book.md", "images/image-001.png"]
        text = archive.read("book.md").decode()
    assert "![A kitchen](images/image-001.png)" in text
    assert result.warnings == ["Image gone.png left out: the file is missing or unreadable."]


WRITTEN = [
    "1. That summer we rowed to the island.",
    "2) Then the rain came.",
    "She said it *like this*, twice.",
    "We never went up to [the attic](secret) again.",
    "# not a heading",
    "> not a quote <b>bold</b> &amp; more",
    "- not a list, + nor this, `nor code`",
    "---",
    "A back\\slash and an under_score and ~~strike~~ and | a | table |",
]


def test_markdown_reads_back_as_the_storyteller_wrote_it(tmp_path):
    """A CommonMark reader (markdown-it, as pandoc reads CommonMark) renders each paragraph as its own text."""
    from html import escape

    from markdown_it import MarkdownIt

    book = Book(
        title="Notes *in* [brackets]",
        author="A. Writer",
        chapters=[Chapter(title="The `attic`", sections=[Section(title="_Part_ 1.", text="\n\n".join(WRITTEN))])],
    )
    result = render_book(book, "markdown", tmp_path / "book.md", options=RenderOptions(include_toc=False))
    rendered = MarkdownIt("commonmark").render(result.path.read_text(encoding="utf-8"))

    for paragraph in WRITTEN:
        assert f"<p>{escape(paragraph, quote=False)}</p>" in rendered, paragraph
    assert "<h1>Notes *in* [brackets]</h1>" in rendered
    assert "<h2>The `attic`</h2>" in rendered and "<h3>_Part_ 1.</h3>" in rendered
    for tag in ("<ol", "<ul", "<em>", "<a ", "<code>", "<blockquote>", "<hr", "<b>", "<del>"):
        assert tag not in rendered, tag
    assert escape_paragraph("plain words") == "plain words"


def test_pdf_headings_never_stand_alone_at_the_foot_of_a_page(tmp_path):
    """Scenes of every length, so that many headings fall near a page's foot: each keeps with its text."""
    import random

    from storyteller.books import Scene

    rng = random.Random(7)
    scenes = [Scene(title=f"Heading {n:02d}", text=" ".join(["word"] * rng.randint(20, 140))) for n in range(1, 60)]
    book = Book(title="Feet", author="A. Writer", chapters=[Chapter(title="One", sections=[Section(scenes=scenes)])])

    result = render_book(book, "pdf", tmp_path / "book.pdf", options=RenderOptions(include_toc=False))

    last_lines = []
    for page in pdf_text_pages(result.path)[1:]:
        lines = [line.strip() for line in page.splitlines() if line.strip() and not line.strip().isdigit()]
        last_lines.append(lines[-1])
    assert len(last_lines) > 5
    assert not [line for line in last_lines if line.startswith("Heading")]


def test_html_is_one_page_with_linked_contents_and_inline_pictures(tmp_path, picture):
    book = sample_book(chapters=3, words=900, images=[picture])

    result = render_book(book, "html", tmp_path / "book.html")

    tree = lxml_html.fromstring(result.path.read_bytes())
    titles = [chapter.title for chapter in book.chapters]
    assert [a.text_content() for a in tree.xpath("//nav//a")] == titles
    for a in tree.xpath("//nav//a"):
        assert tree.xpath(f"//*[@id='{a.get('href')[1:]}']")[0].text_content() == a.text_content()
    assert tree.xpath("//img/@src")[0].startswith("data:image/png;base64,")
    assert tree.get("lang") == "en"


# -- one entry point


@pytest.mark.parametrize("fmt", ["mobi", "docx", "print_ready", "txt"])
def test_render_book_refuses_unsupported_formats(book, tmp_path, fmt):
    with pytest.raises(UnsupportedFormat):
        render_book(book, fmt, tmp_path / "x")
    with pytest.raises(UnsupportedFormat):
        file_extension(book, fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", SUPPORTED_FORMATS)
def test_render_book_reports_size_checksum_and_progress(book, tmp_path, fmt):
    calls = []

    result = render_book(book, fmt, tmp_path / f"book.{fmt}", progress=lambda done, total: calls.append((done, total)))

    assert result.size == result.path.stat().st_size > 0
    assert result.checksum == sha256_file(result.path) and len(result.checksum) == 64
    assert result.word_count == book.word_count
    assert calls and calls[-1][0] == calls[-1][1]
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert [p.name for p in tmp_path.iterdir()] == [f"book.{fmt}"]


def test_render_book_leaves_no_partial_file_when_a_renderer_fails(book, tmp_path, monkeypatch):
    def failing(book, path, context, progress):
        path.write_bytes(b"half a book")
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(render_module.RENDERERS, "pdf", failing)
    target = tmp_path / "book.pdf"

    with pytest.raises(RuntimeError, match="disk on fire"):
        render_book(book, "pdf", target)

    assert list(tmp_path.iterdir()) == []


def test_render_book_keeps_the_previous_file_when_a_rebuild_fails(book, tmp_path, monkeypatch):
    target = tmp_path / "book.md"
    target.write_text("old")
    monkeypatch.setitem(render_module.RENDERERS, "markdown", lambda *args: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        render_book(book, "markdown", target)

    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["book.md"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"page_size": "letter"}, "page_size must be one of a5, 6x9"),
        ({"include_toc": "yes"}, "include_toc must be true or false"),
    ],
)
def test_render_options_refuse_bad_values(data, message):
    with pytest.raises(ValueError, match=message):
        RenderOptions.from_dict(data)


def test_render_options_from_a_mapping():
    assert RenderOptions.from_dict({"page_size": "6X9", "include_images": False, "font": "Garamond"}) == RenderOptions(
        page_size="6x9", include_images=False
    )
    assert RenderOptions.from_dict(None) == RenderOptions()


def test_a_book_with_a_bare_chapter_renders_in_every_format(tmp_path):
    book = Book(title="Short", author="Ann", language="fr", chapters=[Chapter(title="Only", sections=[Section()])])

    for fmt in SUPPORTED_FORMATS:
        assert render_book(book, fmt, tmp_path / f"short.{fmt}").size > 0
    assert epub.read_epub(str(tmp_path / "short.epub")).get_metadata("DC", "language")[0][0] == "fr"


def test_plain_text_holds_every_title_and_paragraph(book):
    text = book.plain_text()

    assert positions_in_order(text, [book.title, "Why I tell this", *(chapter.title for chapter in book.chapters)])
    assert all(part in text for part in book.chapters[-1].sections[-1].scenes[-1].text.split("\n\n"))


def test_images_of_an_unsupported_type_are_left_out_with_a_warning(tmp_path):
    movie = tmp_path / "wedding.mp4"
    movie.write_bytes(b"\x00" * 16)
    book = sample_book(chapters=1, words=200, images=[BookImage.from_file(movie)])

    result = render_book(book, "html", tmp_path / "b.html")

    assert result.warnings == ["Image wedding.mp4 left out: unsupported type video/mp4."]
    assert "<img" not in result.path.read_text()


SCRIPT_SAMPLES = {
    "chinese": "我们在河边的小屋里度过了那个夏天。",
    "japanese": "祖母はひらがなとカタカナで手紙を書いた。",
    "korean": "할머니는 부엌에서 노래를 불렀다.",
    "hebrew": "סבתא שרה שיר במטבח.",
    "arabic": "غنت جدتي أغنية في المطبخ وكان الخبز ساخنا.",
    "devanagari": "दादी ने रसोई में गीत गाया।",
    "greek": "Η γιαγιά τραγουδούσε στην κουζίνα.",
}


def test_pdf_sets_every_script_in_a_face_that_has_it_and_names_what_none_has(tmp_path):
    """CJK, Hebrew, Arabic (joined, right to left), Devanagari (shaped) and Greek each reach the PDF in a
    face that has their glyphs; an emoji, which no shipped face has, is named in a warning."""
    import unicodedata

    from storyteller.books.fonts import CJK, FAMILY, WORLD, font_for

    long_arabic = " ".join([SCRIPT_SAMPLES["arabic"]] * 12)  # several lines, laid out right to left line by line
    text = "\n\n".join([*SCRIPT_SAMPLES.values(), long_arabic, "A smile 😀 at the end."])
    book = Book(
        title="Around the table", author="A. Writer", chapters=[Chapter(title="עולם", sections=[Section(text=text)])]
    )

    result = render_book(book, "pdf", tmp_path / "book.pdf")

    reader = PdfReader(result.path)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    for embedded in ("NotoSans-Regular", "FiraGO-Regular", "WenQuanYiMicroHei"):  # subsets of the three faces
        assert any(embedded in name for name in fonts), embedded
    extracted = unicodedata.normalize("NFKC", "\n".join(pdf_text_pages(result.path)))
    for script in ("chinese", "japanese", "korean", "greek"):
        assert SCRIPT_SAMPLES[script] in extracted, script
    for word in ("סבתא", "במטבח", "غنت", "جدتي"):  # right-to-left words, drawn in visual order
        assert word in extracted or word[::-1] in extracted, word
    assert result.warnings == ["The PDF cannot show 1 character(s), no font has them: 😀 (U+1F600)."]
    assert font_for("ب") == WORLD and font_for("中") == CJK and font_for("a") == FAMILY


def test_pdf_lays_out_right_to_left_paragraphs_from_their_first_line(tmp_path):
    """Each line is put in visual order on its own, so the paragraph's first words are on its top line (a
    paragraph reordered as a whole would start at its foot)."""
    import unicodedata

    words = [f"كلمة{n}" for n in range(1, 80)]
    book = Book(title="RTL", author="A", chapters=[Chapter(title="One", sections=[Section(text=" ".join(words))])])

    result = render_book(book, "pdf", tmp_path / "book.pdf", options=RenderOptions(include_toc=False))

    text = unicodedata.normalize("NFKC", "\n".join(pdf_text_pages(result.path)))
    assert 0 <= text.find("كلمة5 ") < text.find("كلمة40 ") < text.find("كلمة70 ")
