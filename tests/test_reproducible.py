"""Reproducible builds: the same book and SOURCE_DATE_EPOCH give the same bytes,
whichever folder the book is in and whatever the photo cache holds."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest

from bookmaker import make_book
from pressroom.cli import main
from pressroom.editions.render_pdf import write_pdf
from pressroom.editions.pdf import ScreenPDF, book_html, page_css
from pressroom.cache import cache_dir
from pressroom.images import derive
from pressroom.manuscript import load
from pressroom.render import STYLES


def build_all(book: Path, out: Path) -> dict[str, bytes]:
    assert main(["all", "--book", str(book), "--out", str(out), "-q"]) == 0
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def pdf_text(data: bytes) -> bytes:
    """Every object and stream of a PDF, decompressed: what a path could hide in."""
    import io

    with pikepdf.open(io.BytesIO(data)) as pdf:
        buf = io.BytesIO()
        pdf.save(buf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                 qdf=True, static_id=True)
        return buf.getvalue()


@pytest.mark.slow
def test_every_edition_is_byte_identical_across_folders_and_caches(tmp_path, monkeypatch):
    first = make_book(tmp_path / "one" / "book", photos=2, size=(300, 200))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-a"))
    a = build_all(first, tmp_path / "out-a")  # cold cache
    moved = tmp_path / "elsewhere" / "deeper" / "renamed-book"
    shutil.copytree(first, moved)
    b = build_all(moved, tmp_path / "out-b")  # warm cache, another folder
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-c"))
    c = build_all(moved, tmp_path / "out-c")  # cold cache somewhere else
    assert sorted(a) == ["a-test-book-cover.pdf", "a-test-book-print.pdf", "a-test-book.epub", "a-test-book.pdf"]
    for name in a:
        assert a[name] == b[name], f"{name} differs with the book in another folder"
        assert a[name] == c[name], f"{name} differs with another cache"
    for name, data in a.items():
        if name.endswith(".pdf"):
            text = pdf_text(data)
            assert b"/Title (A Test Book)" in text  # the search would see a string if there were one
            for place in (tmp_path, first, moved, cache_dir()):
                assert str(place).encode() not in text, f"{place} leaks into {name}"
            assert b"file:" not in text
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for entry in z.namelist():
                    body = z.read(entry)
                    for place in (tmp_path, first, moved, cache_dir()):
                        assert str(place).encode() not in body, f"{place} leaks into {name}/{entry}"


def test_the_epub_container_is_fixed(tmp_path):
    book = make_book(tmp_path / "book", photos=1, size=(300, 200))
    assert main(["epub", "--book", str(book), "--out", str(tmp_path / "out"), "-q"]) == 0
    with zipfile.ZipFile(tmp_path / "out" / "a-test-book.epub") as z:
        infos = z.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("variant, options", [(None, {}), ("pdf/ua-1", {"pdf_tags": True}), ("pdf/x-4", {})],
                         ids=["plain", "pdf-ua-1", "pdf-x-4"])
def test_write_pdf_is_deterministic_for_every_variant(tmp_path, monkeypatch, variant, options):
    """Two renders of one book, in two folders with two caches, are the same bytes;
    PDF/X-4's XMP carries a DocumentID derived from the book, not a random one."""
    results = []
    for i, where in enumerate([tmp_path / "a" / "book", tmp_path / "b" / "c" / "book"]):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{i}"))
        make_book(where, photos=1, size=(300, 200))
        book = load(where)
        ed = ScreenPDF()
        assets = derive(list(book.images), ed.targets(book), jobs=1)
        g = ed.geometry(book)
        html = book_html(book, "screen", "screen", g, assets)
        results.append(write_pdf(book, html, [STYLES / "fonts.css", STYLES / "book.css"],
                                 extra_css=page_css(g), variant=variant, **options))
    assert results[0] == results[1]
    with pikepdf.open(__import__("io").BytesIO(results[0])) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:2026")  # SOURCE_DATE_EPOCH (conftest)
        if variant == "pdf/x-4":
            xmp = pdf.Root.Metadata.read_bytes().decode()
            assert "xmpMM:DocumentID>xmp.did:" in xmp and "2026-05-28T" in xmp
