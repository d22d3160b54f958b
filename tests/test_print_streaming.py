"""The print interior laid out from JPEG headers and streamed to its file, its first
gutter from an estimate, and the page map the EPUB reads, kept between builds.

Everything runs the real WeasyPrint and Pillow; what is counted (renders, memory)
is counted around pressroom's own functions.
"""

from __future__ import annotations

import io
import random
import tracemalloc
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from bookmaker import make_book, make_photo
from pressroom.schedule import build
from pressroom.editions.press import print_page_map
from pressroom.editions.render_pdf import jpeg_stand_in
from pressroom.editions.epub import EPUB
from pressroom.editions.pdf import ScreenPDF
from pressroom.editions.press import PrintInterior
from pressroom.editions.press.interior import estimated_pages
from pressroom.editions.press.services import gutter_for
from pressroom.errors import BuildError
from pressroom.images import derive
from pressroom.manuscript import load


def _noisy_jpeg(path: Path, size: tuple[int, int], seed: int) -> Path:
    """A photo that compresses badly (so that it weighs what a camera file does)."""
    rnd = random.Random(seed)
    w, h = size
    Image.frombytes("RGB", size, rnd.randbytes(w * h * 3)).save(path, "JPEG", quality=90)
    return path


# --------------------------------------------------------------------------
# Stand-ins
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mode,save", [
    ("RGB", {}),
    ("RGB", {"progressive": True}),
    ("L", {}),
    ("RGB", {"dpi": (300, 300)}),
    ("RGB", {"subsampling": 0, "quality": 95}),
    ("CMYK", {}),  # Adobe's APP14: kept, as WeasyPrint reads it
])
def test_a_stand_in_reads_like_its_photo(tmp_path, mode, save):
    src = make_photo(tmp_path / "p.jpg", (640, 400), seed=3)
    with Image.open(src) as im:
        im.convert(mode).save(tmp_path / "q.jpg", "JPEG", **save)
    path = tmp_path / "q.jpg"
    stand_in = jpeg_stand_in(path, b"token-1")
    assert stand_in is not None and len(stand_in) < 2000 < path.stat().st_size
    assert b"token-1" in stand_in
    with Image.open(path) as real, Image.open(io.BytesIO(stand_in)) as fake:
        assert (fake.format, fake.size, fake.mode) == (real.format, real.size, real.mode)
        assert fake.info.get("dpi") == real.info.get("dpi")
        assert ("APP14" in fake.app) == ("APP14" in real.app)


def test_no_stand_in_for_what_is_not_a_jpeg(tmp_path):
    make_photo(tmp_path / "p.png", (64, 40), fmt="PNG")
    assert jpeg_stand_in(tmp_path / "p.png", b"t") is None
    (tmp_path / "cut.jpg").write_bytes(b"\xff\xd8\xff\xdb\x00\x43" + b"\x00" * 10)  # ends inside a table
    assert jpeg_stand_in(tmp_path / "cut.jpg", b"t") is None


# --------------------------------------------------------------------------
# Streaming
# --------------------------------------------------------------------------

def _twin_books(root: Path):
    """The same book twice: eight photos of about a megabyte each, and the same photos
    (same pixel sizes, same layout) weighing a few kilobytes."""
    books = []
    for name, heavy in (("heavy", True), ("light", False)):
        folder = make_book(root / name, photos=8, size=(300, 200))
        for i in range(1, 9):
            size = (1200, 800) if i % 3 else (800, 1200)
            path = folder / "photos" / f"{i:02d}.jpg"
            if heavy:
                _noisy_jpeg(path, size, seed=i)
            else:
                Image.new("RGB", size, (90, 100, 110)).save(path, "JPEG", quality=90)
        book = load(folder)
        books.append((book, derive(list(book.images), PrintInterior().targets(book))))
    return books


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    return _twin_books(tmp_path_factory.mktemp("twins"))


@pytest.fixture(scope="module")
def heavy(twins):
    book, assets = twins[0]
    return book, PrintInterior(), assets


def _peak(book, assets, folder: Path) -> tuple[int, list]:
    """Peak Python memory while the interior is laid out and written (after a first,
    warming, layout of the same book)."""
    PrintInterior().made(book, assets)
    tracemalloc.start()
    try:
        ed = PrintInterior()
        ed.made(book, assets)
        staged = ed.write(book, assets, folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, staged


@pytest.mark.slow
def test_the_interior_is_streamed_photo_by_photo(twins, tmp_path):
    """Neither the photos nor the PDF are ever all in memory: laying the interior out
    and writing it takes as much memory for megabyte photos as for the same photos of a
    few kilobytes (less than one of them more)."""
    (heavy, heavy_assets), (light, light_assets) = twins
    files = [heavy_assets[(p.path, "print")].path for p in heavy.images]
    total = sum(f.stat().st_size for f in files)
    biggest = max(f.stat().st_size for f in files)
    assert total > 6_000_000
    light_peak, light_staged = _peak(light, light_assets, tmp_path / "light")
    heavy_peak, staged = _peak(heavy, heavy_assets, tmp_path / "heavy")
    assert heavy_peak - light_peak < biggest, f"{heavy_peak} vs {light_peak} for photos of {biggest} (all {total})"
    [(interior, final), (cover, _)] = staged
    data = interior.read_bytes()
    for f in files:  # each print file is in the PDF whole, as an image stream
        assert f.read_bytes() in data
    with pikepdf.open(interior) as pdf:
        streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert sorted(len(s.read_raw_bytes()) for s in streams) == sorted(f.stat().st_size for f in set(files))
        assert not any(b"stand-in" in s.read_raw_bytes()[:4096] for s in streams)


def test_the_interior_written_again_is_the_same_file(heavy, tmp_path):
    book, ed, assets = heavy
    once = ed.build(book, assets)
    [(interior, final), (cover, _)] = ed.write(book, assets, tmp_path)
    assert interior.read_bytes() == once[final.name]
    assert ed.build(book, assets) == once
    with pikepdf.open(io.BytesIO(once[final.name])) as pdf:
        assert len(pdf.pages) == ed.made(book, assets)[0].pages


# --------------------------------------------------------------------------
# The first gutter
# --------------------------------------------------------------------------

@pytest.mark.slow
def test_the_estimate_lays_a_long_book_out_once(tmp_path, monkeypatch):
    """A book past the first gutter bracket is laid out once, with the right gutter:
    the estimate from the manuscript picks the bracket."""
    book = load(make_book(tmp_path / "book", photos=170, size=(150, 100)))
    ed = PrintInterior()
    assets = derive(list(book.images), ed.targets(book))
    renders = []
    real = PrintInterior._render

    def counted(self, book, assets, gutter):
        renders.append(gutter)
        return real(self, book, assets, gutter)

    monkeypatch.setattr(PrintInterior, "_render", counted)
    lay, _ = ed.made(book, assets)
    assert 150 < lay.pages <= 300
    assert lay.gutter == gutter_for(lay.pages)
    assert renders == [lay.gutter]
    estimate = estimated_pages(book, ed.geometry(book, lay.gutter))
    assert abs(estimate - lay.laid_out) <= 0.15 * lay.laid_out


def _text_book(folder: Path, paragraphs: int) -> Path:
    """A book of text only: ``paragraphs`` paragraphs of 600 characters over 4 chapters."""
    para = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
            "incididunt ut labore et dolore magna aliqua. " * 5)[:600]
    chapters = "chapters:\n"
    for c in range(4):
        chapters += f"  - title: Part {c + 1}\n    content:\n      - text: |\n"
        chapters += "\n\n".join(f"          {para}" for _ in range(paragraphs // 4)) + "\n"
    return make_book(folder, photos=0, chapters=chapters)


def test_the_first_gutter_is_the_one_its_own_estimate_needs(tmp_path):
    """The estimate is made again with the gutter it calls for: a book whose estimate
    with the narrowest gutter falls in the second bracket, and with the second bracket's
    gutter in the third, is laid out first with the third (its estimate alone is tried
    here, no layout)."""
    ed = PrintInterior()
    narrow = gutter_for(24)
    straddling = None
    for n in range(880, 1100, 8):  # about 290 to 360 pages
        book = load(_text_book(tmp_path / f"b{n}", n))
        gutter = ed.first_gutter(book)
        assert gutter_for(estimated_pages(book, ed.geometry(book, gutter))) == gutter
        one_step = gutter_for(estimated_pages(book, ed.geometry(book, narrow)))
        if one_step != gutter:
            assert narrow < one_step < gutter
            straddling = n
            break
    assert straddling is not None  # such a book was tried


# --------------------------------------------------------------------------
# The page map between builds and between processes
# --------------------------------------------------------------------------

def test_the_epub_alone_reads_the_page_map_an_earlier_build_kept(tmp_path, monkeypatch):
    book = load(make_book(tmp_path / "book", photos=4, size=(300, 200)))
    out = tmp_path / "out"
    build(book, [ScreenPDF(), EPUB(), PrintInterior()], out, say=lambda *a: None, jobs=2)
    assets = derive(list(book.images), EPUB().targets(book) + PrintInterior().targets(book))
    expected = PrintInterior().layout(book, assets).page_map  # what the interior gave the EPUB
    laid_out = []
    monkeypatch.setattr(PrintInterior, "layout", lambda self, *a: laid_out.append(1))
    assert print_page_map(book, assets) == expected  # `build.py epub` alone, later: from the cache
    assert laid_out == []


def test_the_epub_worker_does_not_wait_for_an_interior_that_failed(tmp_path):
    """The EPUB's worker waits for the page map the print interior sends; when the
    interior fails before it is laid out, the build fails with its problem at once."""
    from pressroom.errors import Location, Problem

    class Broken(PrintInterior):
        def made(self, book, assets):
            raise BuildError([Problem(Location(str(book.source)), "the interior cannot be made", "PR090")])

    book = load(make_book(tmp_path / "book", photos=2, size=(300, 200)))
    with pytest.raises(BuildError) as e:
        build(book, [EPUB(), Broken()], tmp_path / "out", say=lambda *a: None, jobs=2)
    assert [p.message for p in e.value.problems] == ["the interior cannot be made"]
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_photo_file_gone_before_the_interior_is_written_is_a_clear_error(tmp_path):
    """The photos are read only when the interior is written: a print file removed from
    the cache in between (someone clearing it mid-build) fails with one line, and leaves
    no temporary behind."""
    book = load(make_book(tmp_path / "book", photos=2, size=(600, 400)))
    ed = PrintInterior()
    assets = derive(list(book.images), ed.targets(book))
    ed.made(book, assets)
    assets[(book.images[0].path, "print")].path.unlink()
    out = tmp_path / "out"
    with pytest.raises(BuildError) as e:
        ed.write(book, assets, out)
    (problem,) = e.value.problems
    assert problem.code == "PR092" and "\n" not in str(problem)
    assert list(out.iterdir()) == []
