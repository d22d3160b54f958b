"""The screen PDF read back: PDF/UA tags, navigation, metadata, fonts, and where each photo lands.

One generated book carries every layout (page landscape and portrait, full-bleed,
inline, a chapter opening on a photo, an untitled chapter); it is built once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from pdfread import drawn_images, page_texts, struct_elements
from bookmaker import make_photo
from pressroom.cli import main
from pressroom.editions import chapterwise
from pressroom.editions.base import Geometry, layout_of
from pressroom.editions.pdf import SCREEN_PPI, ScreenPDF, caption_height, caption_measure
from pressroom.images import Asset
from pressroom.manuscript import load

CHAPTERS = """\
chapters:
  - title: Opening Words
    content:
      - text: |
          The *first* paragraph, with [a link](https://example.org/harbour) to follow.
          Extraordinarily long words such as incomprehensibilities, counterrevolutionaries and
          internationalisation wrap and hyphenate in a narrow measure, the way a book sets them.

          A second paragraph, long enough to wrap over several lines so that the page carries
          real running text beneath its chapter title and the typography can be looked at.
      - photo: photos/inline.jpg
        alt: A small inline photo of a harbour wall.
        caption: An inline photo, in the text flow.
        layout: inline
      - text: |
          Text after the inline photo closes the chapter.
  - title: Pictures
    content:
      - photo: photos/land.jpg
        alt: A landscape photo of fields under a wide sky.
        caption: A landscape photo on a page of its own.
      - photo: photos/port.jpg
        alt: A portrait photo of a narrow street.
        caption: A portrait photo, its caption beneath.
        credit: Ada Example
        layout: page
      - photo: photos/bleed.jpg
        alt: A full-bleed photo of the sea meeting the sky.
        caption: A full-bleed photo, its caption on a band.
        layout: full-bleed
      - photo: photos/long.jpg
        alt: A photo with a very long caption.
        caption: "LONGCAPTION"
  - title: Edge to Edge
    content:
      - photo: photos/bleed2.jpg
        alt: A full-bleed photo that opens its chapter.
        caption: This chapter opens on a full-bleed photo.
        layout: full-bleed
      - text: |
          Words after the photo.
  - content:
      - text: |
          An untitled chapter at the end, with a [mail link](mailto:ada@example.org).
"""

LONG_CAPTION = "Begin the long caption. " + "A caption that runs on, as some photo essays' do, " * 16 + "end."

ALTS = {
    "inline.jpg": "A small inline photo of a harbour wall.",
    "land.jpg": "A landscape photo of fields under a wide sky.",
    "port.jpg": "A portrait photo of a narrow street.",
    "bleed.jpg": "A full-bleed photo of the sea meeting the sky.",
    "long.jpg": "A photo with a very long caption.",
    "bleed2.jpg": "A full-bleed photo that opens its chapter.",
}


@pytest.fixture(scope="module", params=["whole", "chapterwise", "one-layout"])
def built(tmp_path_factory, request):
    """The layouts book and its screen PDF: (book folder, pdf path). Every test reads it
    three times: laid out whole, as a short book is; chapter by chapter on its own (a long
    book whose print interior is laid out whole); and drawn from the print interior's
    layout, chapter by chapter, as a long book's is (editions/chapterwise.py, forced here
    for a short book)."""
    folder = tmp_path_factory.mktemp("layouts") / "book"
    sizes = {"inline.jpg": (1600, 1000), "land.jpg": (3000, 2000), "port.jpg": (2000, 3000),
             "bleed.jpg": (3000, 2000), "bleed2.jpg": (2400, 2400), "long.jpg": (2000, 3000)}
    for i, (name, size) in enumerate(sizes.items()):
        make_photo(folder / "photos" / name, size, seed=10 + i)
    (folder / "book.yaml").write_text(
        "title: Layouts\nsubtitle: Every way a photo can sit\nlanguage: en\n"
        "contributors:\n  - name: Ada Example\n    role: photographer\n  - name: Bo Editor\n    role: editor\n"
        "rights: © 2026 Ada Example\npublisher: Test Press\ndate: 2026-05\n"
        "description: A book that tries every layout.\nsubjects: [Photography, Testing]\n"
        "print:\n  trim: 6x9in\n" + CHAPTERS.replace("LONGCAPTION", LONG_CAPTION), encoding="utf-8")
    out = tmp_path_factory.mktemp("layouts-out")
    forced = pytest.MonkeyPatch()  # for every test of this round, not only this build
    if request.param != "whole":
        forced.setattr(chapterwise, "MIN_PAGES", 0)
        forced.setattr(chapterwise, "ONE_LAYOUT", request.param == "one-layout")
    request.addfinalizer(forced.undo)
    with pytest.MonkeyPatch.context() as mp:  # as conftest's per-test fixture does
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        mp.setenv("SOURCE_DATE_EPOCH", "1780000000")
        assert main(["pdf", "--book", str(folder), "--out", str(out), "-q"]) == 0
    return folder, out / "layouts.pdf", request.param


def front_end(texts: list[str]) -> int:
    """The index of the first page after the contents (the front matter's last page)."""
    return next(i for i, t in enumerate(texts) if t.lstrip().startswith("Contents")) + 1


@pytest.fixture(scope="module")
def pdf(built):
    with pikepdf.open(built[1]) as doc:
        yield doc


# --------------------------------------------------------------------------
# Reading the PDF
# --------------------------------------------------------------------------

def placements(pdf: pikepdf.Pdf, page: pikepdf.Page) -> list[dict]:
    """Each image drawn on ``page``: its pixel size and the box (points) its matrix maps it to."""
    return drawn_images(page)


def all_placements(pdf):
    return [(i, p) for i, page in enumerate(pdf.pages) for p in placements(pdf, page)]


def leaf_pages(pdf, built) -> set[int]:
    """The pages a photo has to itself (page and full-bleed layouts, not inline)."""
    book = load(built[0] / "book.yaml")
    return {i for photo, (i, _) in zip(book.photos, all_placements(pdf)) if photo.layout != "inline"}


# --------------------------------------------------------------------------
# PDF/UA
# --------------------------------------------------------------------------

def test_tagged_pdf_ua_with_language_and_title_shown(pdf):
    root = pdf.Root
    assert str(root.Lang) == "en"
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    assert bool(root.MarkInfo.Marked) is True
    assert "/StructTreeRoot" in root
    meta = pdf.open_metadata()
    assert meta.get("pdfuaid:part") == "1"
    assert all(page.get("/Tabs") == "/S" for page in pdf.pages)


def test_every_photo_is_a_figure_with_its_alt_text_in_reading_order(pdf):
    elements = struct_elements(pdf)
    figures = [str(e.Alt) for e in elements if e.S == "/Figure"]
    assert figures == list(ALTS.values())  # manuscript order, each once
    captions = [e for e in elements if e.S == "/Caption"]
    assert len(captions) == len(ALTS)


def test_all_content_is_tagged_or_an_artifact(pdf, built):
    """PDF/UA: every marked-content sequence is reached from the structure tree,
    or is an artifact (running heads and page numbers)."""
    reached = set()
    for e in struct_elements(pdf):
        for kid in e.get("/K", []):
            if not isinstance(kid, (pikepdf.Dictionary, pikepdf.Array)):
                reached.add((e.Pg.objgen, int(kid)))
    artifacts = 0
    for page in pdf.pages:
        for operands, op in pikepdf.parse_content_stream(page):
            if str(op) == "BDC":
                tag, props = operands
                if tag == "/Artifact":
                    artifacts += 1
                else:
                    assert (page.obj.objgen, int(props.MCID)) in reached, (tag, props)
    texts = page_texts(built[1])
    numbered = sum(1 for i, t in enumerate(texts) if re.search(rf"\b{i + 1}\s*$", t))
    assert artifacts >= numbered > 0


def test_headings_are_tagged_in_order(pdf):
    heads = [(str(e.S), e) for e in struct_elements(pdf) if str(e.S) in ("/H1", "/H2")]
    assert [s for s, _ in heads] == ["/H1"] + ["/H2"] * 5  # title; contents + four chapters


# --------------------------------------------------------------------------
# Navigation
# --------------------------------------------------------------------------

def test_outline_has_an_entry_per_chapter_pointing_at_its_page(pdf, built):
    with pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
        targets = {item.title: item.destination for item in outline.root}
    assert titles == ["Contents", "Opening Words", "Pictures", "Edge to Edge", "Chapter 4"]
    texts = page_texts(built[1])
    for title, dest in targets.items():
        page_index = pdf.pages.index(pdf.pages.from_objgen(dest[0].objgen) if hasattr(pdf.pages, "from_objgen") else dest[0])
        assert title in texts[page_index]


def test_contents_entries_link_to_their_chapters_with_page_numbers(pdf, built):
    texts = page_texts(built[1])
    contents = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Contents"))
    page = pdf.pages[contents]
    dests = {str(a.Dest): str(a.Contents) for a in page.Annots if a.Subtype == "/Link" and "/Dest" in a}
    assert dests == {"chapter-01": "Opening Words", "chapter-02": "Pictures", "chapter-03": "Edge to Edge",
                     "chapter-04": "Chapter 4"}  # described for screen readers by the chapter's title
    # Each entry ends with the page number its chapter starts on (target-counter).
    for title in ["Opening Words", "Pictures", "Edge to Edge", "Chapter 4"]:
        start = next(i for i, t in enumerate(texts) if i != contents and title in t)
        assert re.search(re.escape(title) + r"[ .]*\s" + str(start + 1) + r"\b", texts[contents]), title


def test_links_in_text_are_link_annotations(pdf):
    uris = {str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", [])
            if a.Subtype == "/Link" and "/A" in a}
    assert {"https://example.org/harbour", "mailto:ada@example.org"} <= uris


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------

def test_front_matter_then_chapters_without_blank_pages(built):
    pages = page_texts(built[1])
    texts = [t for t in pages if t.strip()]
    assert "Layouts" in texts[0] and "Every way" not in texts[0]  # half title
    assert "Every way a photo can sit" in texts[1] and "Ada Example" in texts[1]  # title page
    assert "© 2026 Ada Example" in texts[2] and "Test Press" in texts[2]  # colophon
    assert texts[3].lstrip().startswith("Contents")
    if built[2] != "one-layout":
        assert all(t.strip() for t in pages[:4])  # a screen PDF laid out for screens adds no blank pages
    else:  # the print interior's pages: the title on a recto, the half title's verso blank
        assert not pages[1].strip() and pages[2] == texts[1]
        with pikepdf.open(built[1]) as pdf:  # cut to the trim: no bleed on a screen
            assert all(list(pg.MediaBox) == list(pg.TrimBox) for pg in pdf.pages)


def test_running_heads_and_numbers_on_text_pages_only(pdf, built):
    texts = page_texts(built[1])
    photo_pages = leaf_pages(pdf, built)
    front = front_end(texts)
    for i, text in enumerate(texts):
        numbered = re.search(rf"(^|\n)\s*{i + 1}\s*$", text) is not None
        if i < front or i in photo_pages or not text.strip():
            assert not numbered, f"page {i + 1} is front matter, blank or a photo page but has a number"
    text_pages = [i for i in range(front, len(texts)) if i not in photo_pages and texts[i].strip()]
    assert text_pages and all(re.search(rf"\b{i + 1}\s*$", texts[i]) for i in text_pages)


def test_a_chapter_opening_on_a_photo_shares_its_page(pdf, built):
    texts = page_texts(built[1])
    photo_pages = leaf_pages(pdf, built)
    for title in ["Pictures", "Edge to Edge"]:
        page = next(i for i, t in enumerate(texts) if i > 3 and t.lstrip().startswith(title))
        assert page in photo_pages, f"the title '{title}' sits alone on page {page + 1}"


def test_a_long_caption_stays_on_its_photo_page(pdf, built):
    texts = page_texts(built[1])
    page = next(i for i, t in enumerate(texts) if "Begin the long caption." in t)
    assert "end." in texts[page].replace("\r\n", " ").split("photo essays")[-1]
    assert page in leaf_pages(pdf, built)
    assert "photo essays" not in texts[page + 1]


def test_colophon_sits_at_the_foot_of_its_page(built):
    doc = pdfium.PdfDocument(str(built[1]))
    n = next(i for i, t in enumerate(page_texts(built[1])) if "©" in t)
    tp = doc[n].get_textpage()
    height = doc[n].get_height()
    boxes = [tp.get_charbox(i) for i in range(tp.count_chars())]
    lowest = min(b[1] for b in boxes if b[3] > b[1])
    highest = max(b[3] for b in boxes)
    assert lowest < height * 0.2 and highest < height * 0.6
    doc.close()


# --------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------

def test_each_photo_is_placed_as_geometry_says_at_about_screen_ppi(pdf, built):
    book = load(built[0] / "book.yaml")
    g = ScreenPDF().geometry(book)
    drawn = all_placements(pdf)
    assert len(drawn) == len(book.photos)
    for photo, (page, placed) in zip(book.photos, drawn):
        pw, ph = placed["pixels"]
        w, h = placed["size"]
        asset = Asset(Path("x"), pw, ph)
        lay = layout_of(photo, asset)
        if lay == "full-bleed":
            expect = g.drawn_bleed(asset)
            x0, y0, x1, y1 = placed["box"]  # it covers the whole page
            assert x0 <= 0.01 and y0 <= 0.01 and x1 >= g.width - 0.01 and y1 >= g.height - 0.01
        elif lay == "inline":
            expect = g.place_inline(asset)
        else:
            opens = any(c.blocks[0] is photo for c in book.chapters)
            expect = g.place_page(asset, True, opens, caption_height(photo, caption_measure(g)))
        assert w == pytest.approx(expect[0], abs=0.5) and h == pytest.approx(expect[1], abs=0.5), photo.src
        ppi = max(pw / (w / 72), ph / (h / 72))
        # Downsampled to about SCREEN_PPI: never a full-resolution original.
        assert 0.75 * SCREEN_PPI <= ppi <= 1.3 * SCREEN_PPI, f"{photo.src}: {ppi:.0f} ppi"
        assert placed["xobject"].Filter == "/DCTDecode"


def test_photos_are_really_on_the_pages(pdf, built):
    """Render each photo page and compare the drawn area with the photo file itself."""
    book = load(built[0] / "book.yaml")
    doc = pdfium.PdfDocument(str(built[1]))
    scale = 1.0  # 72 dpi: one pixel per point
    for photo, (page, placed) in zip(book.photos, all_placements(pdf)):
        pg = doc[page]
        img = pg.render(scale=scale).to_pil().convert("RGB")
        x0, y0, x1, y1 = placed["box"]
        height = pg.get_height()
        x0, x1 = max(x0, 0), min(x1, pg.get_width())
        top, bottom = height - min(y1, height), height - max(y0, 0)
        crop = img.crop((int(x0) + 2, int(top) + 2, int(x1) - 2, int(bottom) - 2))
        # The middle of the drawn photo matches the middle of the original.
        with Image.open(photo.path) as original:
            src = original.convert("RGB").resize((32, 32)).getpixel((16, 16))
        got = crop.resize((32, 32)).getpixel((16, 16))
        assert sum(abs(a - b) for a, b in zip(src, got)) < 60, (photo.src, src, got)
        # And it is a picture, not a blank box.
        extrema = crop.convert("L").getextrema()
        assert extrema[1] - extrema[0] > 60
    doc.close()


def test_full_bleed_reaches_every_edge_and_its_caption_is_readable(pdf, built):
    doc = pdfium.PdfDocument(str(built[1]))
    texts = page_texts(built[1])
    page = next(i for i, t in enumerate(texts) if "its caption on a band" in t)
    img = doc[page].render(scale=1).to_pil().convert("RGB")
    w, h = img.size
    for x, y in [(1, 1), (w - 2, 1), (1, h - 2), (w - 2, h - 2)]:
        assert img.getpixel((x, y)) != (255, 255, 255), "a white margin on a full-bleed page"
    doc.close()
    assert "A full-bleed photo, its caption on a band." in texts[page]


# --------------------------------------------------------------------------
# Fonts, metadata, reproducibility
# --------------------------------------------------------------------------

def test_fonts_are_embedded_and_subset(pdf):
    fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
    assert fonts
    for f in fonts:
        for d in f.get("/DescendantFonts") or [f]:
            assert re.match(r"^/[A-Z]{6}\+", str(d.BaseFont)), d.BaseFont  # a subset
            desc = d.FontDescriptor
            assert "/FontFile2" in desc or "/FontFile3" in desc
            data = (desc.get("/FontFile2") or desc.get("/FontFile3")).read_bytes()
            assert len(data) < 120_000  # Noto Serif whole is about 580 KB


def test_xmp_and_document_info(pdf):
    info = pdf.docinfo
    assert str(info.Title) == "Layouts: Every way a photo can sit"
    assert str(info.Subtitle) == "Every way a photo can sit"
    assert str(info.Author) == "Ada Example"
    assert str(info.Subject) == "A book that tries every layout."
    assert str(info.Keywords) == "Photography, Testing"
    assert str(info.CreationDate).startswith("D:20260528")  # SOURCE_DATE_EPOCH=1780000000 (conftest)
    meta = pdf.open_metadata()
    assert meta["dc:title"] == "Layouts: Every way a photo can sit"
    assert meta["dc:creator"] == ["Ada Example"]
    assert meta["dc:contributor"] == {"Bo Editor"}
    assert meta["dc:subject"] == {"Photography", "Testing"}
    assert meta["dc:language"] == {"en"}
    assert meta["dc:rights"] == "© 2026 Ada Example"
    assert meta["dc:publisher"] == {"Test Press"}
    assert meta["dc:date"] == ["2026-05"]
    assert meta["dc:identifier"].startswith("urn:uuid:")
    assert meta["xmp:CreateDate"].startswith("2026-05-28T")
    assert meta["xmp:ModifyDate"] == meta["xmp:CreateDate"] == meta["xmp:MetadataDate"]


def test_the_same_book_gives_the_same_bytes(built, tmp_path):
    out = tmp_path / "again"
    assert main(["pdf", "--book", str(built[0]), "--out", str(out), "-q"]) == 0
    assert (out / "layouts.pdf").read_bytes() == built[1].read_bytes()


def test_hyphenation_follows_the_book_language(built):
    texts = page_texts(built[1])
    text = next(t for t in texts[front_end(texts):] if t.strip())  # the first chapter's first page
    # Long words break at a hyphen at the end of a line somewhere in the narrow measure.
    assert re.search("\\w[-\u2010\u00ad]\r?\n\\w", text), text


def test_a_photo_without_alt_text_is_a_manuscript_error(tmp_path, capsys):
    folder = tmp_path / "book"
    make_photo(folder / "photos" / "a.jpg", (600, 400))
    (folder / "book.yaml").write_text(
        "title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: photos/a.jpg\n        caption: No alt.\n")
    assert main(["pdf", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{folder / 'book.yaml'}:5:9: error: photo 'photos/a.jpg' needs 'alt': a short description "
                   "of what it shows, for readers who cannot see it"]
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------
# The sample book
# --------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample-pdf")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        mp.setenv("SOURCE_DATE_EPOCH", "1780000000")
        assert main(["pdf", "--book", str(ROOT / "book"), "--out", str(out), "-q"]) == 0
    return out / "photos-banned-by-north-korea.pdf"


@pytest.mark.slow
def test_sample_screen_pdf_is_light_and_every_photo_near_screen_ppi(sample_pdf):
    assert sample_pdf.stat().st_size < 6_000_000
    with pikepdf.open(sample_pdf) as pdf:
        drawn = all_placements(pdf)
        assert len(drawn) == 27
        for _, placed in drawn:
            ppi = placed["pixels"][0] / (placed["size"][0] / 72)
            assert 0.85 * SCREEN_PPI <= ppi <= 1.15 * SCREEN_PPI, ppi
        figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        assert len(figures) == 27 and all(str(e.Alt).strip() for e in figures)
        with pdf.open_outline() as outline:
            assert [i.title for i in outline.root] == ["Contents", "Introduction", "The Photographs", "Afterword"]


@pytest.mark.slow
def test_sample_photographs_chapter_opens_on_its_first_photo(sample_pdf):
    texts = page_texts(sample_pdf)
    page = next(i for i, t in enumerate(texts) if i > 3 and t.lstrip().startswith("The Photographs"))
    assert "leisurely afternoon" in texts[page]  # photo 1's caption, on the same page
    with pikepdf.open(sample_pdf) as pdf:
        assert placements(pdf, pdf.pages[page])


def test_preflight_warns_about_a_photo_too_small_for_its_page(tmp_path):
    from pressroom.images import derive

    folder = tmp_path / "book"
    make_photo(folder / "photos" / "small.jpg", (480, 320))
    make_photo(folder / "photos" / "big.jpg", (3000, 2000), seed=2)
    (folder / "book.yaml").write_text(
        "title: X\nlanguage: en\nchapters:\n  - content:\n"
        "      - photo: photos/small.jpg\n        alt: Small.\n"
        "      - photo: photos/big.jpg\n        alt: Big.\n")
    book = load(folder / "book.yaml")
    edition = ScreenPDF()
    assets = derive(list(book.photos), edition.targets(book), jobs=1)
    found = edition.preflight(book, assets)
    assert [(str(p.where), p.code, p.severity) for p in found] == [(f"{folder / 'book.yaml'}:5:9", "PR410", "warning")]
    assert "photo 'photos/small.jpg' has 480x320 pixels" in found[0].message


def test_preflight_judges_a_full_bleed_photo_by_the_derivative_drawn_there(tmp_path):
    """A full-bleed photo is drawn larger than the common screen derivative; build()
    makes it a larger one, and preflight must judge that one, not warn falsely."""
    from pressroom.images import derive

    folder = tmp_path / "book"
    make_photo(folder / "photos" / "wide.jpg", (3000, 2000))
    (folder / "book.yaml").write_text(
        "title: X\nlanguage: en\nchapters:\n  - content:\n"
        "      - photo: photos/wide.jpg\n        alt: Wide.\n        layout: full-bleed\n")
    book = load(folder / "book.yaml")
    edition = ScreenPDF()
    assets = derive(list(book.photos), edition.targets(book), jobs=1)
    base = assets[(book.photos[0].path, "screen")]
    g = edition.geometry(book)
    assert max(base.width, base.height) / (max(g.drawn_bleed(base)) / 72) < 150  # the common one is too small
    assert edition.preflight(book, assets) == []


# --------------------------------------------------------------------------
# Book design: what a reader sees on the page
# --------------------------------------------------------------------------

def test_no_running_head_on_a_chapter_opening_page(pdf, built):
    """A chapter's first page shows its title once, as the title: never as a running head too."""
    texts = page_texts(built[1])
    with pdf.open_outline() as outline:
        starts = {item.title: pdf.pages.index(item.destination[0]) for item in outline.root}
    for title, page in starts.items():
        if title != "Contents":
            assert texts[page].count(title) == 1, (title, texts[page][:80])


def test_page_photos_sit_at_the_optical_centre_with_the_title_on_top(pdf, built):
    """A page photo and its caption sit a little above the middle of the text area; on a
    chapter's first page the title stays at the top of the text area, as on every chapter."""
    book = load(built[0] / "book.yaml")
    g = ScreenPDF().geometry(book)
    doc = pdfium.PdfDocument(str(built[1]))
    texts = page_texts(built[1])
    land = next(i for i, t in enumerate(texts) if "A landscape photo on a page of its own." in t)
    (placed,) = placements(pdf, pdf.pages[land])
    x0, y0, x1, y1 = placed["box"]
    top_of_text = g.height - g.top  # PDF y grows upwards
    # The title at the top of the text area, as a text chapter's.
    tp = doc[land].get_textpage()
    title_top = max(tp.get_charbox(i)[3] for i in range(len("Pictures")))
    assert top_of_text - 24 < title_top <= top_of_text + 1
    # The photo and its caption: 40 % of the room left under the title above them, 60 % below.
    boxes = [tp.get_charbox(i) for i in range(tp.count_chars())]
    caption_bottom = min(b[1] for b in boxes if b[3] > b[1])
    above = (top_of_text - g.heading_room) - y1
    below = caption_bottom - g.bottom
    assert above > 20 and 0.3 < above / (above + below) < 0.5, (above, below)
    doc.close()


def test_captions_keep_a_readable_measure(built):
    """A caption under a wide photo is set no wider than CAPTION_MEASURE, flush with the photo."""
    from pressroom.editions.pdf import CAPTION_MEASURE

    doc = pdfium.PdfDocument(str(built[1]))
    texts = page_texts(built[1])
    page = next(i for i, t in enumerate(texts) if "Begin the long caption." in t)
    tp = doc[page].get_textpage()
    boxes = [tp.get_charbox(i) for i in range(tp.count_chars())]
    xs = [b[0] for b in boxes if b[2] > b[0]] + [b[2] for b in boxes if b[2] > b[0]]
    assert max(xs) - min(xs) <= CAPTION_MEASURE + 1
    doc.close()


@pytest.mark.parametrize("language, expect", [
    ("en", ["Photographs: Ada Example", "Editor: Bo Editor"]),
    ("fr", ["Photographies\u202f: Ada Example", "Édition\u202f: Bo Editor"]),
    ("de", ["Fotografien: Ada Example", "Herausgeber: Bo Editor"]),
    ("es", ["Fotografías: Ada Example", "Edición: Bo Editor"]),
])
def test_the_colophon_names_roles_in_the_book_language(tmp_path, language, expect):
    from pressroom.render import render

    folder = tmp_path / "book"
    make_photo(folder / "photos" / "a.jpg", (300, 200))
    (folder / "book.yaml").write_text(
        f"title: Roles\nlanguage: {language}\ncontributors:\n  - name: Ada Example\n    role: photographer\n"
        "  - name: Bo Editor\n    role: edt\nchapters:\n  - content:\n      - photo: photos/a.jpg\n        alt: A photo.\n",
        encoding="utf-8")
    html = render("colophon.html", load(folder))
    for line in expect:
        assert f"<p>{line}</p>" in html


def test_a_long_title_breaks_between_its_phrases():
    from pressroom.render import balance, phrase_size, text_width

    title = "Photos Banned By North Korea, But Smuggled Out"
    assert str(balance(title, 504, 24.15)) == "Photos Banned By North Korea,<br>But Smuggled Out"
    assert str(balance("Layouts", 504, 24.15)) == "Layouts"  # fits: left alone
    assert "<b>" not in str(balance("<b> & co", 10, 24)) and "&lt;b&gt;<br>" in str(balance("<b> & co", 10, 24))
    lines = str(balance("a b c d e f g h i j k l m n o p q r s t", 60, 12)).split("<br>")
    assert len(lines) > 1 and all(text_width(line, 12) <= 60 for line in lines)
    # The cover shrinks the title (by at most a fifth) so that no phrase breaks.
    size = phrase_size(title, 540, 37.9)
    assert 0.8 * 37.9 <= size < 37.9 and text_width("Photos Banned By North Korea,", size) <= 540
