"""layout: spread read back: a photo across a left-hand page and the right-hand page
after it, edge to edge, in print; two consecutive pages on screen; one image in the
EPUB."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from bookmaker import make_book
from pdfread import drawn_images
from pressroom.cli import main

IN = 72.0
BLEED = 0.125 * IN
W, H = 6 * IN, 9 * IN


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Photos 1 and 2 on pages of their own, photo 3 a spread (it would start on a
    right-hand page: a blank page goes before it), photo 4 after it."""
    base = tmp_path_factory.mktemp("spread")
    folder = make_book(base / "book", photos=4, size=(4000, 2400), layouts={1: "page", 2: "page", 3: "spread"},
                       extra="print:\n  trim: 6x9in\n")
    # Photo 3 (every third photo is made portrait by bookmaker): a landscape spread instead.
    from bookmaker import make_photo
    make_photo(folder / "photos" / "03.jpg", (4000, 2400), seed=3)
    assert main(["all", "--book", str(folder), "--out", str(base / "out"), "-q"]) == 0
    return base / "out"


def spread_pages(pdf: pikepdf.Pdf) -> list[tuple[int, dict]]:
    """(1-based page, image) for images drawn wider than one page."""
    return [(n, im) for n, page in enumerate(pdf.pages, 1) for im in drawn_images(page) if im["w"] > 1.5 * W]


def test_spread_lands_on_a_verso_and_the_next_recto_edge_to_edge(built):
    path = built / "a-test-book-print.pdf"
    pdf = pikepdf.open(path)
    found = spread_pages(pdf)
    assert [n for n, _ in found] == [found[0][0], found[0][0] + 1]
    verso, recto = found[0][0], found[1][0]
    assert verso % 2 == 0  # an even (left-hand) page, then the odd one after it
    # One image in the file, drawn on both pages, cropped to fill, never stretched.
    a, b = found[0][1], found[1][1]
    assert a["xobject"].objgen == b["xobject"].objgen
    assert a["pixels"][0] / a["pixels"][1] == pytest.approx(a["w"] / a["h"], rel=0.005)
    # The same drawing, shifted by one page: the verso shows its left half, the recto its right.
    assert a["w"] == pytest.approx(b["w"], abs=0.01) and a["x0"] - b["x0"] == pytest.approx(W, abs=0.01)
    # It covers both pages and the bleed on the three outer edges.
    assert a["x0"] <= -BLEED + 0.01 and a["x1"] >= 2 * W + BLEED - 0.01
    assert a["y0"] <= -BLEED + 0.01 and a["y1"] >= H + BLEED - 0.01
    # The page before it is blank: photos 1 and 2 took pages 9 and 10, so the spread moved on.
    before = pdf.pages[verso - 2]
    assert not drawn_images(before) and not pdfium.PdfDocument(str(path))[verso - 2].get_textpage().get_text_range().strip()
    # Rendered: every pixel of the outer edges is photo, and the photo runs on across the gutter.
    doc = pdfium.PdfDocument(str(path))
    left = doc[verso - 1].render(scale=40 / 72).to_pil().convert("RGB")
    right = doc[recto - 1].render(scale=40 / 72).to_pil().convert("RGB")
    for im, edges in ((left, ("top", "bottom", "left")), (right, ("top", "bottom", "right"))):
        w, h = im.size
        for edge in edges:
            pixels = {"top": [im.getpixel((x, 0)) for x in range(w)],
                      "bottom": [im.getpixel((x, h - 1)) for x in range(w)],
                      "left": [im.getpixel((0, y)) for y in range(h)],
                      "right": [im.getpixel((w - 1, y)) for y in range(h)]}[edge]
            assert sum(1 for px in pixels if min(px) > 245) / len(pixels) < 0.02, edge
    # The verso's gutter edge (its trim, one bleed in from the MediaBox edge) meets the recto's.
    scale = 40 / 72
    gx = round((BLEED + W) * scale) - 1
    rx = round(BLEED * scale)
    diffs = [sum(abs(p - q) for p, q in zip(left.getpixel((gx, y)), right.getpixel((rx, y)))) / 3
             for y in range(10, left.height - 10)]
    assert sum(diffs) / len(diffs) < 25


def test_the_caption_is_on_the_recto(built):
    path = built / "a-test-book-print.pdf"
    pdf = pikepdf.open(path)
    verso, recto = (n for n, _ in spread_pages(pdf))
    doc = pdfium.PdfDocument(str(path))
    caption = "Children on their way to school"  # bookmaker's caption for photo 3
    assert caption not in doc[verso - 1].get_textpage().get_text_range()
    assert caption in re.sub(r"\s+", " ", doc[recto - 1].get_textpage().get_text_range())


def test_screen_pdf_shows_two_consecutive_pages_and_one_figure(built):
    path = built / "a-test-book.pdf"
    pdf = pikepdf.open(path)
    doc = pdfium.PdfDocument(str(path))
    pages = len(pdf.pages)
    # The verso draws the photo; the recto paints it as its (artifact) background.
    verso = next(n for n, page in enumerate(pdf.pages, 1) for im in drawn_images(page) if im["w"] > 1.5 * W)
    assert verso % 2 == 0 and verso < pages
    a = doc[verso - 1].render(scale=30 / 72).to_pil().convert("RGB")
    b = doc[verso].render(scale=30 / 72).to_pil().convert("RGB")
    for im in (a, b):
        assert min(im.getpixel((im.width // 2, im.height // 2))) < 245  # photo, not paper
    # Readers hear the photo once: one Figure per photo, each with its alt text.
    figures = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    assert figures == [f"Test photo number {i}" for i in range(1, 5)]


def test_epub_shows_the_spread_as_one_image(built):
    with zipfile.ZipFile(built / "a-test-book.epub") as z:
        html = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    figure = re.search(r'<figure class="photo layout-spread" id="photo-003">(.*?)</figure>', html, re.S)
    assert figure and len(re.findall(r"<img ", figure.group(1))) == 1


def test_a_spread_photo_too_small_for_two_pages_is_reported(tmp_path, capsys):
    folder = make_book(tmp_path / "b", photos=1, size=(1800, 1200), layouts={1: "spread"},
                       extra="print:\n  trim: 6x9in\n")
    assert main(["print", "--book", str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if "spread photo" in ln)
    assert re.match(r"\S*book\.yaml:\d+:\d+: warning: spread photo 'photos/01.jpg' \(pages \d+-\d+\) is \d+ ppi "
                    r"across its two pages; filling them at 300 ppi takes 3675 x 2775 pixels", line), line
    assert "printers ask for 300" not in err  # not PRINT-001 as well


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_spread_faces_itself_in_either_direction(tmp_path, language):
    """A spread starts on a verso (an even page) so that its two pages face each other:
    left to right the verso is the left-hand page and shows the photo's left half; right
    to left (Arabic) it is the right-hand page and shows the right half, the recto
    after it (on the left) the left half. Checked on the print interior's pixels and the
    screen PDF's, with a photo red on its left and blue on its right."""
    from PIL import Image

    folder = make_book(tmp_path / "book", photos=3, size=(4000, 2400), language=language,
                       layouts={1: "page", 3: "spread"}, extra="print:\n  trim: 6x9in\n")
    photo = Image.new("RGB", (4000, 2400), (200, 30, 30))
    photo.paste((30, 30, 200), (2000, 0, 4000, 2400))
    photo.save(folder / "photos" / "03.jpg", quality=90)
    out = tmp_path / "out"
    assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 0
    rtl = language == "ar"
    for name in ("a-test-book-print.pdf", "a-test-book.pdf"):
        drawn = spread_pages(pikepdf.open(out / name))
        verso = drawn[0][0]
        assert verso % 2 == 0, name
        if name.endswith("-print.pdf"):  # the same drawing on both pages, shifted by a page
            (_, a), (_, b) = drawn
            assert (a["x0"] - b["x0"]) * (-1 if rtl else 1) == pytest.approx(W, abs=0.01)
        doc = pdfium.PdfDocument(str(out / name))
        halves = []
        for n in (verso, verso + 1):
            im = doc[n - 1].render(scale=20 / 72).to_pil().convert("RGB")
            r, _, b_ = im.getpixel((im.width // 2, im.height // 3))
            halves.append("red" if r > b_ + 80 else "blue" if b_ > r + 80 else "?")
        assert halves == (["blue", "red"] if rtl else ["red", "blue"]), (name, halves)

