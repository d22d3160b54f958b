"""`new FOLDER` makes a book that builds at once; the progress lines and summary of a build."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from pressroom import cli
from pressroom.manuscript import load
from pressroom.progress import Reporter, pdf_page_count

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_new_then_build_all(tmp_path, capsys):
    folder = tmp_path / "harbour-mornings"
    assert cli.main(["new", str(folder)]) == 0
    assert "made a new book" in capsys.readouterr().err
    text = (folder / "book.yaml").read_text(encoding="utf-8")
    # every key is shown; the optional ones commented out
    for key in ("title", "subtitle", "language", "slug", "contributors", "file_as", "identifier", "publisher",
                "date", "rights", "description", "subjects", "cover", "stand_in_photos", "print", "trim",
                "bleed", "paper", "page_multiple", "chapters", "text", "photo", "alt", "caption", "credit",
                "layout"):
        assert re.search(rf"^\s*(# )?-? ?{key}:", text, re.M), key
    book = load(folder)
    assert book.title == "Harbour Mornings" and book.stand_in_photos and len(book.photos) == 1
    with Image.open(folder / "photos" / "01.jpg") as im:
        assert im.format == "JPEG" and min(im.size) >= 2000  # enough for a print page at 300 ppi

    out = tmp_path / "out"
    rc = cli.main(["all", "--book", str(folder), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["harbour-mornings-cover.pdf", "harbour-mornings-print.pdf", "harbour-mornings.epub",
                     "harbour-mornings.pdf"]
    # the summary: every file, its size, the page count of each PDF (as a PDF library counts them)
    # Only the print edition's notes on a book this short (8 pages: too few for a
    # paperback, a plain spine, no ISBN for a barcode).
    assert re.search(r"^built 4 files in [\d.]+ s, 3 warnings:$", err, re.M), err
    for name in names:
        line = next(x for x in err.splitlines() if x.strip().startswith(str(out / name)))
        assert re.search(r"\d+(\.\d)? (KB|MB)", line)
        if name.endswith(".pdf"):
            pages = len(pypdfium2.PdfDocument(out / name))
            assert line.endswith(f"  {pages} page{'s' if pages != 1 else ''}")
            assert pdf_page_count((out / name).read_bytes()) == pages


def test_new_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    assert cli.main(["new", str(folder)]) == 1
    assert "already exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    # an empty folder is fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["new", str(empty)]) == 0


@pytest.mark.slow
def test_progress_is_plain_when_piped_and_quiet_or_verbose(tmp_path):
    folder = tmp_path / "b"
    assert cli.main(["new", str(folder), "-q"]) == 0
    base = [sys.executable, "build.py", "pdf", "--book", str(folder), "--out", str(tmp_path / "out")]
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "cache"), "TERM": "xterm-256color"}
    normal = subprocess.run(base, cwd=ROOT, capture_output=True, text=True, env=env)
    assert normal.returncode == 0 and normal.stdout == ""
    assert "\x1b[" not in normal.stderr  # piped: no bars, no colours
    assert "screen PDF: b.pdf" in normal.stderr and "built 1 file in" in normal.stderr
    quiet = subprocess.run(base + ["-q"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    verbose = subprocess.run(base + ["-v"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert verbose.returncode == 0
    assert re.search(r"photos: photos/01\.jpg \(screen(-\d+)?, cached\)", verbose.stderr)
    assert re.search(r"^screen PDF: finished in [\d.]+ s$", verbose.stderr, re.M)


def test_progress_bars_on_a_terminal():
    stream = io.StringIO()
    r = Reporter(stream=stream, fancy=True)
    with r.task("photos", 3) as advance:
        for i in range(3):
            advance(1, f"photo {i}")
    r("screen PDF: x.pdf (0.1 MB) in 0.1 s")
    assert "screen PDF: x.pdf" in stream.getvalue()
    assert not Reporter(stream=io.StringIO(), fancy=True, verbosity=0).fancy  # -q: no bars
