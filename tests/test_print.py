"""The print edition read back: the interior and the cover a printer receives.

Every check reads the written files (pikepdf for structure, pypdfium2 for
pixels and text positions, zxing-cpp for the barcode); nothing here asks
pressroom's own layout what it did.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from pdfread import drawn_images
from bookmaker import make_book
from pressroom.cli import main
from pressroom.editions.press.cover import ean13_modules
from pressroom.editions.press.services import PAPER_THICKNESS, gutter_for
from pressroom.editions.press import PrintInterior
from pressroom.images import derive
from pressroom.manuscript import load

ROOT = Path(__file__).resolve().parent.parent
IN = 72.0
ISBN = "9780306406157"


# --------------------------------------------------------------------------
# Reading PDFs back
# --------------------------------------------------------------------------

def boxes(page) -> tuple[list[float], list[float], list[float]]:
    return ([float(v) for v in page.MediaBox], [float(v) for v in page.TrimBox], [float(v) for v in page.BleedBox])


def chapter_pages(pdf: pikepdf.Pdf, titles: list[str]) -> dict[str, int]:
    """{chapter title: 1-based page number}, from the PDF's outline."""
    out = {}
    with pdf.open_outline() as outline:
        for item in outline.root:
            if item.title in titles:
                out[item.title] = pdf.pages.index(pikepdf.Page(item.destination[0])) + 1
    return out


def char_boxes(path: Path, index: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    doc = pdfium.PdfDocument(str(path))
    tp = doc[index].get_textpage()
    return [(tp.get_text_range(i, 1), tp.get_charbox(i)) for i in range(tp.count_chars())]


def check_common(path: Path, trim: tuple[float, float], bleed: float) -> pikepdf.Pdf:
    """Boxes on every page, PDF/X-4 with an sRGB output intent, fonts embedded, no annotations."""
    pdf = pikepdf.open(path)
    assert pdf.check_pdf_syntax() == []  # qpdf's structural check
    for n, page in enumerate(pdf.pages, 1):
        media, tb, bb = boxes(page)
        assert tb[0] == pytest.approx(0, abs=0.01) and tb[1] == pytest.approx(0, abs=0.01), n
        assert tb[2] - tb[0] == pytest.approx(trim[0], abs=0.01) and tb[3] - tb[1] == pytest.approx(trim[1], abs=0.01), n
        assert bb == pytest.approx([tb[0] - bleed, tb[1] - bleed, tb[2] + bleed, tb[3] + bleed], abs=0.01), n
        assert media[0] <= bb[0] + 0.01 and media[2] >= bb[2] - 0.01, n
        assert "/Annots" not in page, n
    assert pdf.pdf_version <= "1.6"
    intents = pdf.Root.OutputIntents
    assert len(intents) == 1 and intents[0].S == "/GTS_PDFX"
    profile = intents[0].DestOutputProfile
    assert int(profile.N) == 3 and profile.read_bytes()[36:40] == b"acsp"  # an RGB ICC profile
    assert "sRGB" in str(intents[0].OutputConditionIdentifier)
    meta = pdf.open_metadata()
    assert meta.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
    assert str(pdf.docinfo["/Trapped"]) == "/False" and str(pdf.docinfo["/Title"])
    assert len(pdf.trailer.ID) == 2
    fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
    assert fonts
    for f in fonts:
        for d in f.get("/DescendantFonts") or [f]:
            assert "/FontFile2" in d.FontDescriptor or "/FontFile3" in d.FontDescriptor, str(d.BaseFont)
    # No transparency to flatten: no soft masks, no groups, every alpha 1.
    for o in pdf.objects:
        if isinstance(o, pikepdf.Dictionary):
            assert "/SMask" not in o or o.SMask == "/None"
            if o.get("/Type") == "/ExtGState":
                assert float(o.get("/CA", 1)) == 1 and float(o.get("/ca", 1)) == 1
        if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image":
            assert "/SMask" not in o
    return pdf


# --------------------------------------------------------------------------
# The sample book
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("print-sample")
    assert main(["print", "--book", str(ROOT / "book"), "--out", str(out), "-q"]) == 0
    return out


@pytest.mark.slow
def test_sample_interior(sample):
    book = load(ROOT / "book")
    path = sample / "photos-banned-by-north-korea-print.pdf"
    pdf = check_common(path, (8.5 * IN, 8.5 * IN), 0.125 * IN)
    pages = len(pdf.pages)
    assert pages % 4 == 0
    # Chapters start on right-hand (odd) pages.
    titles = [c.title for c in book.chapters]
    starts = chapter_pages(pdf, titles)
    assert sorted(starts) == sorted(titles)
    assert all(n % 2 == 1 for n in starts.values()), starts
    # Every photo at full resolution, 300 ppi or more where placed, never stretched.
    placed = [im for page in pdf.pages for im in drawn_images(page)]
    assert len(placed) == 27
    for im in placed:
        pw, ph = im["pixels"]
        assert pw / (im["w"] / IN) >= 300 and ph / (im["h"] / IN) >= 300
        assert pw / ph == pytest.approx(im["w"] / im["h"], rel=0.005)
    # The inside margin: 0.5in safety + KDP's gutter for this page count.
    inside = 0.5 * IN + gutter_for(pages)
    assert inside == pytest.approx(0.875 * IN)
    right_pages = [im for n, page in enumerate(pdf.pages, 1) if n % 2 for im in drawn_images(page)]
    assert min(im["x0"] for im in right_pages) == pytest.approx(inside, abs=0.5)


@pytest.mark.slow
def test_sample_cover(sample):
    interior = pikepdf.open(sample / "photos-banned-by-north-korea-print.pdf")
    pages = len(interior.pages)
    path = sample / "photos-banned-by-north-korea-cover.pdf"
    pdf = check_common(path, (2 * 8.5 * IN + pages * 0.002252 * IN, 8.5 * IN), 0.125 * IN)
    assert len(pdf.pages) == 1
    media, trim, bleed = boxes(pdf.pages[0])
    spine = pages * PAPER_THICKNESS["white"] * IN
    assert bleed[2] - bleed[0] == pytest.approx(2 * 0.125 * IN + 2 * 8.5 * IN + spine, abs=0.01)
    # The front: the cover photo, reaching the bleed at the top, right and bottom.
    images = drawn_images(pdf.pages[0])
    assert len(images) == 1
    im = images[0]
    assert im["x0"] <= 8.5 * IN + spine + 0.5 and im["x1"] >= bleed[2] - 0.01
    assert im["y0"] <= bleed[1] + 0.01 and im["y1"] >= bleed[3] - 0.01
    # The title on the front, within the safety margin; no spine text at 40 pages.
    text = re.sub(r"\s+", " ", pdfium.PdfDocument(str(path))[0].get_textpage().get_text_range())
    assert text.count("Photos Banned By North Korea") == 2  # front and back, not the spine


# --------------------------------------------------------------------------
# A generated book past the first gutter bracket, with full-bleed photos and an ISBN
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """156 photos (one page each): over 150 pages; 5mm bleed (beyond WeasyPrint's 10pt); page multiple 6."""
    folder = make_book(tmp_path_factory.mktemp("print-big") / "book", photos=156, size=(600, 400),
                       layouts={2: "full-bleed", 3: "full-bleed", 5: "inline"},
                       extra=f"identifier: {ISBN}\ndescription: A book made for the tests.\ncover: photos/02.jpg\n"
                             "print:\n  trim: 6x9in\n  bleed: 5mm\n  paper: cream\n  page_multiple: 6\n")
    out = folder.parent / "out"
    assert main(["print", "--book", str(folder), "--out", str(out), "-q"]) == 0
    return out


@pytest.mark.slow
def test_big_interior_boxes_gutter_and_padding(big):
    bleed = 5 * 72 / 25.4
    path = big / "a-test-book-print.pdf"
    pdf = check_common(path, (6 * IN, 9 * IN), bleed)
    pages = len(pdf.pages)
    assert 150 < pages <= 300 and pages % 6 == 0
    assert all(n % 2 == 1 for n in chapter_pages(pdf, ["Opening", "Pictures"]).values())
    # The padding is blank pages at the end.
    assert not pdf.pages[-1].Contents.read_bytes().strip()
    # 151-300 pages: a 0.5in gutter on top of the 0.5in safety margin.
    inside = 0.5 * IN + 0.5 * IN
    page_photos = [(n, im) for n, page in enumerate(pdf.pages, 1) for im in drawn_images(page)
                   if im["x0"] >= 0]  # not the full-bleed ones
    right = [im["x0"] for n, im in page_photos if n % 2]
    left = [im["x1"] for n, im in page_photos if not n % 2]
    assert min(right) == pytest.approx(inside, abs=0.5)
    assert max(left) == pytest.approx(6 * IN - inside, abs=0.5)


@pytest.mark.slow
def test_full_bleed_photo_reaches_the_bleed_edge(big):
    path = big / "a-test-book-print.pdf"
    pdf = pikepdf.open(path)
    full = [n for n, page in enumerate(pdf.pages) for im in drawn_images(page) if im["x0"] < 0]
    assert len(full) == 2
    bleed = 5 * 72 / 25.4
    doc = pdfium.PdfDocument(str(path))
    for index in full:
        im = drawn_images(pdf.pages[index])[0]
        # Cropped to fill: the drawn image covers trim + bleed, at its own aspect ratio.
        assert im["x0"] <= -bleed + 0.01 and im["x1"] >= 6 * IN + bleed - 0.01
        assert im["y0"] <= -bleed + 0.01 and im["y1"] >= 9 * IN + bleed - 0.01
        assert im["pixels"][0] / im["pixels"][1] == pytest.approx(im["w"] / im["h"], rel=0.005)
        # Rendered, the photo's pixels reach every edge of the bleed (the page is the MediaBox here).
        media, _, bb = boxes(pdf.pages[index])
        assert media == pytest.approx(bb, abs=0.01)
        bitmap = doc[index].render(scale=50 / 72).to_pil().convert("RGB")
        w, h = bitmap.size
        edges = [[bitmap.getpixel((x, 0)) for x in range(w)], [bitmap.getpixel((x, h - 1)) for x in range(w)],
                 [bitmap.getpixel((0, y)) for y in range(h)], [bitmap.getpixel((w - 1, y)) for y in range(h)]]
        for edge in edges:
            white = sum(1 for px in edge if min(px) > 245)
            assert white / len(edge) < 0.02
    # A `page` photo's page, for contrast, is white at its edges.
    plain = next(n for n, page in enumerate(pdf.pages) if drawn_images(page) and n not in full)
    bitmap = doc[plain].render(scale=50 / 72).to_pil().convert("RGB")
    assert min(bitmap.getpixel((0, bitmap.height // 2))) > 245


@pytest.mark.slow
def test_all_text_stays_inside_the_safety_margin(big):
    """Captions (also on full-bleed pages), running heads and folios: 0.5in inside the trim."""
    path = big / "a-test-book-print.pdf"
    pdf = pikepdf.open(path)
    seen = 0
    for index in range(0, 14):
        for ch, (left, bottom, right, top) in char_boxes(path, index):
            if not ch.strip():
                continue
            seen += 1
            assert left >= 0.5 * IN - 0.5 and right <= 6 * IN - 0.5 * IN + 0.5, (index, ch, left, right)
            assert bottom >= 0.5 * IN - 0.5 and top <= 9 * IN - 0.5 * IN + 0.5, (index, ch, bottom, top)
    assert seen > 200
    assert len(pdf.pages) > 14


@pytest.mark.slow
def test_big_cover_spine_and_barcode(big):
    interior = pikepdf.open(big / "a-test-book-print.pdf")
    pages = len(interior.pages)
    bleed = 5 * 72 / 25.4
    spine = pages * 0.0025 * IN  # cream
    path = big / "a-test-book-cover.pdf"
    pdf = check_common(path, (2 * 6 * IN + spine, 9 * IN), bleed)
    media, trim, bb = boxes(pdf.pages[0])
    assert bb[2] - bb[0] == pytest.approx(2 * bleed + 2 * 6 * IN + spine, abs=0.01)
    # Past 79 pages the spine carries the title, inside the spine.
    chars = char_boxes(path, 0)
    on_spine = "".join(ch for ch, (l, b, r, t) in chars if 6 * IN <= l and r <= 6 * IN + spine)
    assert "A Test Book" in on_spine.replace("\r", "").replace("\n", "")
    # The EAN-13 decodes to the ISBN, at the bottom right of the back.
    import zxingcpp

    scale = 300 / 72
    bitmap = pdfium.PdfDocument(str(path))[0].render(scale=scale).to_pil()
    found = [r for r in zxingcpp.read_barcodes(bitmap) if r.format == zxingcpp.BarcodeFormat.EAN13]
    assert [r.text for r in found] == [ISBN]
    pos = found[0].position
    x = (pos.top_left.x / scale) + media[0]  # back to user space
    y_from_top = pos.bottom_left.y / scale
    assert 3 * IN < x < 6 * IN  # the right half of the back
    assert y_from_top > 7 * IN  # the bottom of the back


def test_ean13_modules_are_the_standard_pattern():
    # 4006381333931 is the EAN-13 example in GS1's and most references' tables.
    m = ean13_modules("4006381333931")
    assert len(m) == 95 and m.startswith("101") and m.endswith("101") and m[45:50] == "01010"
    assert m[3:10] == "0001101"  # 0 in the L set (first digit 4: L G L L G G)
    assert m[10:17] == "0100111"  # 0 in the G set
    with pytest.raises(ValueError):
        ean13_modules("4006381333932")


def test_gutter_table():
    assert [gutter_for(n) / IN for n in (24, 150, 151, 300, 301, 500, 501, 700, 701, 828)] == [
        0.375, 0.375, 0.5, 0.5, 0.625, 0.625, 0.75, 0.75, 0.875, 0.875]


# --------------------------------------------------------------------------
# Options and preflight
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Three photos of 400 px: too few pages, too few pixels, no ISBN."""
    return make_book(tmp_path_factory.mktemp("print-small") / "book", photos=3, size=(400, 300))


def test_preflight_finds_what_a_printer_would_reject(small):
    book = load(small)
    ed = PrintInterior()
    assets = derive(list(book.images), ed.targets(book))
    problems = ed.preflight(book, assets)
    codes = {p.code for p in problems}
    assert {"PRINT-002", "PRINT-004", "PRINT-007", "PRINT-009", "PRINT-011"} <= codes
    assert all(p.severity == "warning" for p in problems)
    low = [p for p in problems if p.code == "PRINT-002"]
    assert len(low) == 3 and all(p.where.line for p in low)
    strict = PrintInterior(strict=True).preflight(book, assets)
    assert {p.severity for p in strict if p.code == "PRINT-002"} == {"error"}


def test_cli_warns_and_strict_fails(small, tmp_path, capsys):
    assert main(["print", "--book", str(small), "--out", str(tmp_path / "a"), "-q"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"book\.yaml:\d+:\d+: warning: photo 'photos/01\.jpg' \(page \d+\) is \d+ ppi", err)
    assert main(["print", "--book", str(small), "--out", str(tmp_path / "b"), "--strict", "-q"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"book\.yaml:\d+:\d+: error: photo 'photos/01\.jpg' .* below 150", err)
    assert not (tmp_path / "b").exists()


def test_crop_marks_only_with_marks(small, tmp_path):
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    assert main(["print", "--book", str(small), "--out", str(plain), "-q"]) == 0
    assert main(["print", "--book", str(small), "--out", str(marked), "--marks", "-q"]) == 0
    for name in ("a-test-book-print.pdf", "a-test-book-cover.pdf"):
        with pikepdf.open(plain / name) as a, pikepdf.open(marked / name) as b:
            ma, ta, ba = boxes(a.pages[0])
            mb, tb, bb = boxes(b.pages[0])
            assert ma == pytest.approx(ba, abs=0.01)  # no room for marks
            assert ta == pytest.approx(tb) and ba == pytest.approx(bb, abs=0.01)  # same trim and bleed
            assert mb[0] < bb[0] - 5  # room for the marks outside the bleed
        # The marks: dark strokes left of the bleed, none without --marks.
        for folder, expect in ((plain, False), (marked, True)):
            doc = pdfium.PdfDocument(str(folder / name))
            page = doc[0]
            bitmap = page.render(scale=4).to_pil().convert("L")
            with pikepdf.open(folder / name) as pdf:
                media, _, bleed = boxes(pdf.pages[0])
            margin = int((bleed[0] - media[0]) * 4)
            if margin < 2:
                assert not expect
                continue
            corner = bitmap.crop((0, 0, margin, bitmap.height // 4))  # left of the bleed, the top quarter
            assert (corner.getextrema()[0] < 128) == expect


@pytest.mark.slow
def test_spine_text_that_does_not_fit_is_reported(tmp_path):
    title = "A Title Long Enough To Run Past The End Of The Spine Of A Thin Book " * 3
    folder = make_book(tmp_path / "book", photos=120, size=(150, 100), title=title.strip())
    book = load(folder)
    ed = PrintInterior()
    assets = derive(list(book.images), ed.targets(book))
    codes = {p.code for p in ed.preflight(book, assets)}
    lay, cover = ed.made(book, assets)
    assert lay.pages >= 120 and cover.sheet.spine_text
    assert "PRINT-012" in codes and "PRINT-007" not in codes
