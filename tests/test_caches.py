"""What a rebuild takes from the cache instead of making again: the print cover, the
hyphenation patterns. Each cached result must be the one a fresh build makes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyphen
import pytest

from bookmaker import make_book
from pressroom import warmup
from pressroom.adapters import pyphen as pyphen_adapter
from pressroom.editions.press import cover as cover_module
from pressroom.editions.press import PrintInterior
from pressroom.cache import cache_dir, cached_render
from pressroom.images import derive
from pressroom.manuscript import load


def _covers(book_dir, monkeypatch) -> tuple[bytes, int]:
    """The print cover of the book in ``book_dir`` and how many times it was rendered."""
    renders = []
    real = cover_module.write_pdf

    def counted(*args, **kwargs):
        renders.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cover_module, "write_pdf", counted)
    book = load(book_dir)
    ed = PrintInterior()
    assets = derive(list(book.images), ed.targets(book))
    _, cover = ed.made(book, assets)
    monkeypatch.setattr(cover_module, "write_pdf", real)
    return cover.pdf, len(renders)


def test_a_caption_edit_does_not_render_the_cover_again(tmp_path, monkeypatch):
    folder = make_book(tmp_path / "book", photos=3, size=(600, 400), extra="cover: photos/01.jpg\n")
    first, n = _covers(folder, monkeypatch)
    assert n == 1
    manuscript = folder / "book.yaml"
    text = manuscript.read_text()
    manuscript.write_text(text.replace("Test photo number 2", "Test photo number two"))
    again, n = _covers(folder, monkeypatch)
    assert n == 0 and again == first
    manuscript.write_text(text.replace("title: A Test Book", "title: Another Test Book"))
    retitled, n = _covers(folder, monkeypatch)
    assert n == 1 and retitled != first


def test_a_cached_cover_is_the_cover_a_fresh_build_makes(tmp_path, monkeypatch):
    folder = make_book(tmp_path / "book", photos=2, size=(600, 400), extra="cover: photos/01.jpg\n")
    cached, _ = _covers(folder, monkeypatch)
    shutil.rmtree(cache_dir() / "renders")
    fresh, n = _covers(folder, monkeypatch)
    assert n == 1 and fresh == cached


def test_a_damaged_cached_cover_is_rendered_again(tmp_path, monkeypatch):
    folder = make_book(tmp_path / "book", photos=2, size=(600, 400), extra="cover: photos/01.jpg\n")
    good, _ = _covers(folder, monkeypatch)
    for f in (cache_dir() / "renders").rglob("*.pdf"):
        f.write_bytes(f.read_bytes()[:-100])
    again, n = _covers(folder, monkeypatch)
    assert n == 1 and again == good


@pytest.mark.parametrize("lang", ["en_US", "fr", pytest.param("de_DE", marks=pytest.mark.slow),
                                  pytest.param("hu_HU", marks=pytest.mark.slow)])  # the largest patterns
def test_hyphenation_patterns_from_the_cache_are_pyphens(lang, monkeypatch):
    """Parsed once, then read back from the cache: the same patterns as pyphen's own
    parse (Hungarian has non-standard alternatives: parsed every time)."""
    path = pyphen.LANGUAGES[lang]
    reference = pyphen.HyphDict(path)
    for _ in range(2):  # parsed and kept; then read back
        monkeypatch.setattr(pyphen, "hdcache", {})
        pyphen_adapter.preload(Path(path), cached_render)
        got = pyphen.hdcache[Path(path)]
        assert got.patterns == reference.patterns and got.maxlen == reference.maxlen
        word = "Fotografienausstellung" if lang == "de_DE" else "photographers"
        assert pyphen.Pyphen(lang=lang).inserted(word) == pyphen.Pyphen(filename=path, cache=False).inserted(word)


@pytest.mark.slow
def test_planned_derivatives_are_the_ones_the_editions_ask_for(tmp_path):
    """What the editions plan from the photos' headers (more_targets: the screen PDF's
    per-placement sizes, the EPUB's cover) is made in the one pass over the photos:
    building them afterwards derives nothing more."""
    from pressroom.editions.epub import EPUB
    from pressroom.editions.pdf import ScreenPDF

    folder = make_book(tmp_path / "book", photos=6, size=(3000, 2000), extra="cover: photos/03.jpg\n",
                       layouts={2: "full-bleed", 4: "inline"})
    book = load(folder)
    editions = [ScreenPDF(), EPUB(), PrintInterior()]
    targets = {t.name: t for ed in editions for t in ed.targets(book)}
    extra = {}
    for ed in editions:
        for path, ts in ed.more_targets(book).items():
            extra.setdefault(path, []).extend(ts)
    assert extra, "portrait, full-bleed and inline photos want sizes of their own; the EPUB its cover"
    skip = editions[0].unneeded(book)
    assert skip and skip <= {(p.path, "screen") for p in book.photos}
    assets = derive(list(book.images), list(targets.values()), extra=extra, skip=skip)
    assert not skip & set(assets)  # a common derivative no placement draws is not made
    before = sorted((cache_dir() / "derivatives").rglob("*.jpg"))
    screen = editions[0]
    sized = screen.sized(book, screen.geometry(book), assets)
    assert {(p.path, "screen@%d" % p.number) for p in book.photos if (p.path, "screen") in skip} <= set(sized)
    assert screen.preflight(book, assets) == []
    pdf = screen.build(book, assets)
    editions[1].cover_photo(book)
    assert sorted((cache_dir() / "derivatives").rglob("*.jpg")) == before
    # The same PDF as from a build that made every common derivative.
    full = derive(list(book.images), list(targets.values()), extra=extra)
    assert screen.build(book, full) == pdf


def test_library_lookups_are_remembered_until_the_system_changes(tmp_path, monkeypatch):
    """cffi asks ctypes.util.find_library about every spelling WeasyPrint tries for a
    library (ldconfig, and gcc and ld for a name not found): pressroom answers as ctypes
    does from one `ldconfig -p`, keeps the answers, and asks again only once the system's
    library cache or LD_LIBRARY_PATH changes."""
    import ctypes.util
    import os

    if not os.path.exists("/etc/ld.so.cache"):
        pytest.skip("no glibc library cache here: nothing is remembered")
    # Found as ctypes finds them (one `ldconfig -p` for all), WeasyPrint's names among them.
    names = ["c", "m", "no-such-library-anywhere", "gobject-2.0-0", "gobject-2.0", "pango-1.0", "harfbuzz",
             "harfbuzz-subset", "fontconfig-1", "fontconfig", "pangoft2-1.0"]
    assert [warmup.quick_find_library(n, []) for n in names] == [ctypes.util.find_library(n) for n in names]
    asked = []
    quick = warmup.quick_find_library

    def counting(name, listing):
        asked.append(name)
        return quick(name, listing)

    monkeypatch.setattr(warmup, "quick_find_library", counting)
    real = ctypes.util.find_library
    names = ["c", "no-such-library-anywhere"]
    with warmup.remembered_libraries():
        first = [ctypes.util.find_library(n) for n in names]
    assert asked == names and first[0] and first[1] is None
    assert ctypes.util.find_library is real  # put back
    with warmup.remembered_libraries():
        assert [ctypes.util.find_library(n) for n in names] == first
    assert asked == names  # not asked again
    # Another LD_LIBRARY_PATH: asked again, and its folders searched.
    (tmp_path / "libzz-pressroom-test.so.1").write_bytes(b"")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(tmp_path))
    with warmup.remembered_libraries():
        assert [ctypes.util.find_library(n) for n in names] == first
        assert ctypes.util.find_library("zz-pressroom-test") == "libzz-pressroom-test.so.1"
    assert asked == names * 2 + ["zz-pressroom-test"]


def test_the_render_cache_keeps_the_renders_used_last(monkeypatch):
    """A kind of render keeps its RENDERS_KEPT entries used last: a book edited for weeks
    does not fill the disk with page maps; one used again is kept longest."""
    from pressroom import cache as base

    monkeypatch.setattr(base, "RENDERS_KEPT", 3)
    made = []

    def render(n: int) -> bytes:
        return base.cached_render("test.bin", f"entry {n}", lambda: (made.append(n) or f"bytes {n}".encode(), {}))[0]

    for n in range(4):
        assert render(n) == f"bytes {n}".encode()
    folder = cache_dir() / "renders" / "test-bin"
    assert len(list(folder.glob("*.bin"))) == 3 and len(list(folder.glob("*.meta.json"))) == 3
    assert render(0) == b"bytes 0" and made == [0, 1, 2, 3, 0]  # the first was dropped: made again
    import time

    time.sleep(0.01)
    render(2)  # used again: now the most recent
    render(4)
    render(2)
    assert made == [0, 1, 2, 3, 0, 4]  # 2 was kept (3, the least recent, went)


def test_cached_files_keep_to_a_size_but_never_drop_what_this_build_made(monkeypatch):
    """Files cached by kind (a long book's chapter PDFs) are bounded in bytes as well as in
    number: beyond the bound the ones used longest ago go, but never one used within the
    last RECENT seconds (the build running now may still merge it)."""
    import os
    import time

    from pressroom import cache as base

    def put(n: int) -> Path:
        return base.cached_file("sized.bin", f"entry {n}", lambda f: f.write(b"x" * 1000) and {}, max_bytes=2500)[0]

    paths = [put(n) for n in range(4)]
    assert all(p.exists() for p in paths)  # over 2,500 bytes, but all used just now
    hour_ago = time.time_ns() - (base.RECENT + 60) * 10**9
    for p in paths[:2]:  # used long ago
        meta = p.with_name(p.name.replace(".bin", ".meta.json"))
        os.utime(meta, ns=(hour_ago, hour_ago))
    put(4)
    assert [p.exists() for p in paths] == [False, False, True, True]



def test_a_temporary_file_left_by_a_killed_writer_goes_after_an_hour(monkeypatch):
    """A chapter's PDF is written to a temporary file and renamed; a drawing process killed
    mid-write (the build failed or was stopped) leaves the temporary: the next write of
    that kind removes it once it is older than RECENT, never a younger one (a live writer's)."""
    import os
    import time

    from pressroom import cache as base

    path = base.cached_file("sized.bin", "first", lambda f: f.write(b"x") and {})[0]
    stale, live = path.parent / ".tmp-stale", path.parent / ".tmp-live"
    stale.write_bytes(b"half a piece")
    live.write_bytes(b"a piece being written")
    hour_ago = time.time_ns() - (base.RECENT + 60) * 10**9
    os.utime(stale, ns=(hour_ago, hour_ago))
    base.cached_file("sized.bin", "second", lambda f: f.write(b"y") and {})
    assert not stale.exists() and live.exists()
