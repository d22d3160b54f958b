"""Hostile books: a manuscript may come from anyone.

Each case generates a book in a temporary folder, puts "previous editions" in
the out folder, runs the command and asserts: the exit code, one message line
naming the manuscript line, no traceback, nothing created or changed outside
the out folder, and the previous editions untouched.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from lxml import etree

from bookmaker import make_book, make_photo
from pressroom.cli import main
from pressroom.schedule import build
from pressroom.staging import locked
from pressroom.editions.base import Edition
from pressroom.editions.epub import EPUB
from pressroom.errors import BuildError, Location, Problem
from pressroom.manuscript import load

ROOT = Path(__file__).resolve().parent.parent
SLUG = "a-test-book"
PREVIOUS = {f"{SLUG}.pdf": b"%PDF previous screen", f"{SLUG}.epub": b"PK previous epub",
            f"{SLUG}-print.pdf": b"%PDF previous print"}

HEAD = "title: A Test Book\nlanguage: en\n"


def one_photo_book(folder: Path, block: str, *, extra: str = "") -> Path:
    """A book whose only chapter holds ``block`` (YAML lines at list-item indent) after one good photo."""
    make_photo(folder / "photos" / "01.jpg", (240, 160), seed=1)
    (folder / "book.yaml").write_text(
        HEAD + extra + "chapters:\n  - title: One\n    content:\n"
        "      - photo: photos/01.jpg\n        alt: A good photo\n" + block, encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (symlinks not followed): kind and content digest."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            rel = str(p.relative_to(folder))
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_dir():
                out[rel] = "dir"
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel] = "special"
    return out


# Each case: (id, make(tmp) -> book path, cli extra args, expected "LINE:COL" or None, message part).
def _yaml(text: str):
    def make(tmp: Path) -> Path:
        b = tmp / "book"
        make_photo(b / "photos" / "01.jpg", (240, 160), seed=1)
        (b / "book.yaml").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return b
    return make


def _block(block: str, extra: str = ""):
    return lambda tmp: one_photo_book(tmp / "book", block, extra=extra)


def _photo(src: str):
    return _block(f"      - photo: {src}\n        alt: A hostile photo\n")


def _text(md: str):
    import json
    return _block(f"      - text: {json.dumps(md)}\n")


def _caption(md: str):
    import json
    return _block(f"      - photo: photos/01.jpg\n        alt: Again\n        caption: {json.dumps(md)}\n")


def _outside_symlink(tmp: Path) -> Path:
    secret = make_photo(tmp / "secret" / "private.jpg", (240, 160), seed=9)  # a real, readable photo outside
    b = one_photo_book(tmp / "book", "      - photo: photos/leak.jpg\n        alt: A leak\n")
    os.symlink(secret, b / "photos" / "leak.jpg")
    return b


def _outside_dir_symlink(tmp: Path) -> Path:
    make_photo(tmp / "secret" / "private.jpg", (240, 160), seed=9)
    b = one_photo_book(tmp / "book", "      - photo: elsewhere/private.jpg\n        alt: A leak\n")
    os.symlink(tmp / "secret", b / "elsewhere")
    return b


def _manuscript_symlink(tmp: Path) -> Path:
    outside = tmp / "secret" / "book.yaml"
    outside.parent.mkdir(parents=True)
    outside.write_text(HEAD + "chapters:\n  - content:\n      - text: hello\n")
    b = tmp / "book"
    b.mkdir()
    os.symlink(outside, b / "book.yaml")
    return b


def _fifo_photo(tmp: Path) -> Path:
    b = one_photo_book(tmp / "book", "      - photo: photos/pipe.jpg\n        alt: A pipe\n")
    os.mkfifo(b / "photos" / "pipe.jpg")  # reading it would hang the build
    return b


def _garbage_photo(tmp: Path) -> Path:
    b = one_photo_book(tmp / "book", "      - photo: photos/bad.jpg\n        alt: Not a photo\n")
    (b / "photos" / "bad.jpg").write_bytes(b"#!/bin/sh\necho this is not a jpeg\n")
    return b


def _truncated_photo(tmp: Path) -> Path:
    import weasyprint.images  # noqa: F401  as after any earlier build in this process: it lets Pillow load truncated files
    b = one_photo_book(tmp / "book", "      - photo: photos/cut.jpg\n        alt: Cut short\n")
    data = make_photo(tmp / "full.jpg", (400, 300), seed=3).read_bytes()
    (b / "photos" / "cut.jpg").write_bytes(data[: len(data) // 2])
    (tmp / "full.jpg").unlink()
    return b


def _two_photos(tmp: Path) -> Path:
    b = one_photo_book(tmp / "book", "      - photo: photos/02.jpg\n        alt: Second\n")
    make_photo(b / "photos" / "02.jpg", (240, 160), seed=2)
    return b


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi"))

CASES = [
    ("python-tag", _yaml(HEAD + "chapters: !!python/object/apply:os.system ['touch pwned']\n"), [], "3:11", "YAML tag"),
    ("duplicate-key", _yaml(HEAD + "title: Again\nchapters: []\n"), [], "3:1", "duplicate key 'title'"),
    ("billion-laughs", _yaml(HEAD + LAUGHS + "chapters: *i\n"), [], None, "expands to more than"),
    ("text-laughs", _yaml(HEAD + "chapters:\n  - content:\n      - text: &a \"" + "word " * 20_000 + "\"\n"
                          + "      - text: *a\n" * 500), ["--max-manuscript-size", "200k"], None, "400 KB of text"),
    ("deep-nesting", _yaml(HEAD + "chapters: " + "[" * 500 + "]" * 500 + "\n"), [], "3:74", "nests"),
    ("deeper-nesting", _yaml(HEAD + "chapters: " + "{a: " * 3000 + "}" * 3000 + "\n"), [], None, "nests"),
    ("not-utf8", _yaml((HEAD + "subtitle: caf\xe9\nchapters: []\n").encode("latin-1")), [], "3", "not UTF-8"),
    ("empty", _yaml(""), [], None, "manuscript is empty"),
    ("not-a-mapping", _yaml("- title: A list\n"), [], "1:1", "must be a mapping"),
    ("too-large", _yaml(HEAD + "description: " + "x" * 4000 + "\nchapters: []\n"), ["--max-manuscript-size", "2k"],
     None, "larger than the limit of 2 KB (raise it with --max-manuscript-size)"),
    ("impossible-date", _yaml(HEAD + "date: 2026-13-45\nchapters: []\n"), [], "3:7", "date '2026-13-45'"),
    ("huge-integer", _yaml(HEAD + "print: {page_multiple: " + "9" * 5000 + "}\nchapters: []\n"), [], "3:24", "page_multiple"),
    ("absolute-path", _photo("/etc/passwd"), [], "8:16", "absolute path"),
    ("dotdot", _photo("photos/../../secret/private.jpg"), [], "8:16", "points outside the book folder"),
    ("symlink-out", _outside_symlink, [], "8:16", "leads outside the book folder"),
    ("symlinked-folder-out", _outside_dir_symlink, [], "8:16", "leads outside the book folder"),
    ("symlinked-manuscript", _manuscript_symlink, [], None, "symlink that leads outside"),
    ("file-url", _photo("file:///etc/passwd"), [], "8:16", "is a URL"),
    ("data-url", _photo("'data:image/jpeg;base64,/9j/4AAQ'"), [], "8:16", "is a URL"),
    ("unc-share", _photo("//host/share/x.jpg"), [], "8:16", "absolute path"),
    ("drive-letter", _photo("'C:\\Users\\x.jpg'"), [], "8:16", "absolute path"),
    ("nul-in-name", _photo('"photos/01.jpg\\0.png"'), [], "8:16", "control character"),
    ("newline-in-name", _photo('"photos/01.jpg\\nbook.yaml:1:1: error: forged"'), [], "8:16", "control character"),
    ("bidi-in-name", _photo('"photos/\\u202egpj.exe"'), [], "8:16", "control character"),
    ("very-long-name", _photo("photos/" + "a" * 4000 + ".jpg"), [], "8:16", "too long a file name"),
    ("fifo-photo", _fifo_photo, [], "8:16", "is not a file"),
    ("autolink-file", _text("See <file:///etc/passwd> now."), [], "8:15", "link 'file:///etc/passwd'"),
    ("reference-link", _text("A [note][n].\n\n[n]: file:///etc/shadow \"title\""), [], "8:15", "file:///etc/shadow"),
    ("javascript-entities", _text("[x](&#106;avascript:alert(1))"), [], "8:15", "javascript:alert(1)"),
    ("markdown-image", _text("![x](file:///etc/passwd)"), [], "8:15", "file:///etc/passwd"),
    ("caption-protocol-relative", _caption("[x](//evil.example/a)"), [], "10:18", "//evil.example/a"),
    ("too-many-photos", _two_photos, ["--max-photos", "1"], "8:9", "limit of 1 photos (raise it with --max-photos)"),
    ("photo-too-large", _photo("photos/01.jpg"), ["--max-photo-size", "1k"], "6:16", "raise it with --max-photo-size"),
    ("too-many-pixels", _photo("photos/01.jpg"), ["--max-photo-pixels", "10000"], "6:9", "pixels"),
    ("garbage-photo", _garbage_photo, [], "8:9", "photo 'photos/bad.jpg'"),
    ("truncated-photo", _truncated_photo, [], "8:9", "photo 'photos/cut.jpg'"),
]


@pytest.mark.parametrize("make, args, where, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_book_is_refused_cleanly(tmp_path, capsys, make, args, where, message):
    book = make(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for name, data in PREVIOUS.items():
        (out / name).write_bytes(data)
    before = snapshot(tmp_path)

    rc = main(["all", "--book", str(book), "--out", str(out), "-q", *args])

    err = capsys.readouterr().err
    assert rc == 1, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines and all(": error: " in line for line in lines), err
    hit = [line for line in lines if message in line]
    assert hit, err
    shown = hit[0].split(": error: ")[0]
    assert "book.yaml" in shown
    if where is not None:
        assert shown.endswith(f"book.yaml:{where}"), hit[0]
    assert snapshot(tmp_path) == before  # nothing created or changed anywhere, out included


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25


def test_escaped_everywhere_and_nothing_fetched(tmp_path):
    """Markup, CSS and URLs in every text field come out as text in every edition;
    WeasyPrint is asked for nothing outside the book (a refusal would fail the build)."""
    hostile = "<script>alert(1)</script></style><style>*{background:url(file:///etc/passwd)}</style>"
    css = "x\" style=\"background:url(http://evil.example/t.png)"
    title = "x\" style=\"color:red"
    book = one_photo_book(
        tmp_path / "book",
        f"      - photo: photos/01.jpg\n        alt: '{css}'\n        caption: '{hostile} &amp; [ok](https://example.org ({title}))'\n"
        f"        credit: '<img src=file:///etc/passwd>'\n",
        extra=f"subtitle: '<link rel=stylesheet href=file:///etc/passwd>'\n")
    out = tmp_path / "out"
    before = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("out")}
    assert main(["pdf", "--book", str(book), "--out", str(out), "-q"]) == 0
    assert main(["epub", "--book", str(book), "--out", str(out), "-q"]) == 0
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("out")} == before
    assert sorted(p.name for p in out.iterdir()) == [f"{SLUG}.epub", f"{SLUG}.pdf"]

    with zipfile.ZipFile(out / f"{SLUG}.epub") as z:
        chapter = etree.fromstring(z.read("EPUB/chapter-01.xhtml"))
        title_page = etree.fromstring(z.read("EPUB/title.xhtml"))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    assert not chapter.xpath("//x:script | //x:style | //x:img[contains(@src, 'file:')] | //*[@style]", namespaces=ns)
    caption = "".join(chapter.xpath("//x:figcaption", namespaces=ns)[-1].itertext())
    assert "<script>alert(1)</script></style><style>*{background:url(file:///etc/passwd)}</style>" in caption
    assert "&amp;" not in caption and " & " in caption  # an entity is text once, not markup
    assert "<img src=file:///etc/passwd>" in caption
    assert chapter.xpath("//x:figure/x:img/@alt", namespaces=ns)[-1] == css
    assert chapter.xpath("//x:figcaption//x:a/@title", namespaces=ns) == [title]
    assert "<link rel=stylesheet" in "".join(title_page.itertext())

    pdf = pdfium.PdfDocument(str(out / f"{SLUG}.pdf"))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "<script>alert(1)</script>" in text.replace("\r\n", "").replace("\n", "")
    assert "<img src=file:///etc/passwd>" in text.replace("\r\n", "").replace("\n", "")


def test_bidi_controls_are_kept_but_closed(tmp_path):
    """A right-to-left override in a caption stays, but ends with the caption: the
    credit after it reads in its own order."""
    book = one_photo_book(tmp_path / "book", "      - photo: photos/01.jpg\n        alt: Again\n"
                          "        caption: \"abc \\u202Edef \\u2067ghi\"\n        credit: Ada\n")
    b = load(book)
    cap = b.photos[-1].caption_html
    assert "\u202e" in cap and "\u2067" in cap
    assert cap.endswith("ghi\u2069\u202c")  # isolate closed, then the override
    out = tmp_path / "out"
    assert main(["epub", "--book", str(book), "--out", str(out), "-q"]) == 0
    with zipfile.ZipFile(out / f"{SLUG}.epub") as z:
        doc = etree.fromstring(z.read("EPUB/chapter-01.xhtml"))
    fig = doc.xpath("//x:figcaption", namespaces={"x": "http://www.w3.org/1999/xhtml"})[-1]
    assert fig.text.endswith("\u2069\u202c ")  # closed before the credit's span


def test_bidi_controls_from_entities_are_closed_too(tmp_path):
    book = one_photo_book(tmp_path / "book", "      - photo: photos/01.jpg\n        alt: Again\n"
                          "        caption: \"abc &#x202E;*def*\"\n      - text: \"x &#x2067;y\\n\\nz &#x2069;\"\n")
    b = load(book)
    assert b.photos[-1].caption_html == "abc \u202e<em>def</em>\u202c"
    assert b.chapters[0].blocks[-1].html == "<p>x \u2067y\u2069</p>\n<p>z </p>"


def test_message_lines_cannot_be_forged(tmp_path, capsys):
    """A value printed in a message keeps to its line: newlines and bidi controls are shown escaped."""
    book = one_photo_book(tmp_path / "book", "      - photo: photos/01.jpg\n        alt: Again\n"
                          "        layout: \"page\\u202e\\nbook.yaml:1:1: error: forged\"\n")
    assert main(["epub", "--book", str(book), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "\\u202e" in err and "\\x0a" in err, err


class _Fails(Edition):
    """An edition that fails after the others were made (a real BuildError, as a renderer raises it)."""

    name = "boom"
    label = "failing edition"

    def targets(self, book):
        return []

    def build(self, book, assets):
        raise BuildError([Problem(Location(str(book.source)), "this edition fails", "PR090")])


def test_a_failing_second_edition_replaces_nothing(tmp_path):
    book = load(make_book(tmp_path / "book", photos=1, size=(240, 160)))
    out = tmp_path / "out"
    out.mkdir()
    for name, data in PREVIOUS.items():
        (out / name).write_bytes(data)
    before = snapshot(out)
    with pytest.raises(BuildError):
        build(book, [EPUB(), _Fails()], out, say=lambda *a: None)
    assert snapshot(out) == before  # the EPUB was made, but not written; no temporaries


def test_a_write_that_would_fail_replaces_nothing(tmp_path, capsys):
    """When one output name cannot be replaced (a folder stands there), none is."""
    book = make_book(tmp_path / "book", photos=1, size=(240, 160))
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{SLUG}.pdf").write_bytes(PREVIOUS[f"{SLUG}.pdf"])
    (out / f"{SLUG}.epub").mkdir()
    before = snapshot(out)
    assert main(["all", "--book", str(book), "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"{SLUG}.epub: error: cannot write" in err and "Traceback" not in err
    assert snapshot(out) == before


def test_the_out_folder_lock_is_exclusive_across_processes(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    probe = ("import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDONLY)\n"
             "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(3)\n")
    with locked(out):
        assert subprocess.run([sys.executable, "-c", probe, str(out)]).returncode == 3
    assert subprocess.run([sys.executable, "-c", probe, str(out)]).returncode == 0
    assert list(out.iterdir()) == []  # the lock leaves no file


@pytest.mark.slow
def test_two_builds_at_once_into_one_folder(tmp_path):
    book = make_book(tmp_path / "book", photos=2, size=(240, 160))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(ROOT / "build.py"), "epub", "--book", str(book), "--out", str(out), "-q"]
    procs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
    assert all(rc == 0 for rc, _ in results), results
    assert sorted(p.name for p in out.iterdir()) == [f"{SLUG}.epub"]
    data = (out / f"{SLUG}.epub").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
    # Both wrote the same bytes (reproducible), so the survivor is a whole build's.
    single = tmp_path / "single"
    subprocess.run([*cmd[:-3], "--out", str(single), "-q"], env=env, check=True)
    assert (single / f"{SLUG}.epub").read_bytes() == data


def test_the_fetcher_reads_only_inside_its_roots(tmp_path):
    from pressroom.editions.render_pdf import ConfinedFetcher

    inside = tmp_path / "book"
    inside.mkdir()
    (inside / "ok.css").write_text("p {}")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", inside / "link.css")
    fetch = ConfinedFetcher([inside], {"pressroom-cache": inside})
    assert fetch((inside / "ok.css").as_uri()).read() == b"p {}"
    assert fetch("pressroom-cache:/ok.css").read() == b"p {}"
    assert fetch("data:text/css,p%7B%7D")
    refused = ["http://example.org/x.css", "https://example.org/x.css", "ftp://example.org/x",
               (tmp_path / "secret.txt").as_uri(), (inside / "link.css").as_uri(),
               f"file://evil.example{inside / 'ok.css'}", "pressroom-cache:/../secret.txt",
               (inside / "missing.css").as_uri(), inside.as_uri(), "file:///dev/zero"]
    for url in refused:
        with pytest.raises(ValueError):
            fetch(url)
    assert fetch.refused == refused


def test_weasyprint_goes_through_the_fetcher_and_fails_the_build(tmp_path):
    """Anything WeasyPrint is asked to fetch outside the book (an image, a stylesheet,
    a font, a CSS url()) fails the build with a line per URL; nothing is fetched."""
    from pressroom.editions.render_pdf import write_pdf

    book = load(make_book(tmp_path / "book", photos=1, size=(240, 160)))
    (tmp_path / "secret.png").write_bytes((book.root / "photos" / "01.jpg").read_bytes())
    html = ("<html><head><link rel=stylesheet href='http://127.0.0.1:9/x.css'></head><body>"
            f"<img src='{(tmp_path / 'secret.png').as_uri()}'><p style='background: url(https://example.org/t.png)'>x</p>"
            "</body></html>")
    css = "@font-face { font-family: X; src: url(http://127.0.0.1:9/font.ttf) } p { font-family: X }"
    with pytest.raises(BuildError) as e:
        write_pdf(book, html, [], extra_css=css)
    shown = "\n".join(str(p) for p in e.value.problems)
    for url in ("http://127.0.0.1:9/x.css", (tmp_path / "secret.png").as_uri(), "https://example.org/t.png",
                "http://127.0.0.1:9/font.ttf"):
        assert f"refused to read '{url}'" in shown or f"refused to read {url}" in shown, shown


def test_a_symlinked_book_folder_is_fine(tmp_path):
    real = make_book(tmp_path / "real", photos=1, size=(240, 160))
    os.symlink(real, tmp_path / "link")
    book = load(tmp_path / "link")
    assert book.root == real.resolve() and book.photos[0].path.is_relative_to(real.resolve())


@pytest.mark.slow
def test_a_build_writes_only_into_out_and_the_cache(tmp_path):
    """Run as a user would, with HOME, TMPDIR, the working folder and the cache all
    inside one temporary tree: after a full build only out/ and the cache changed."""
    book = make_book(tmp_path / "book", photos=2, size=(240, 160))
    for d in ("home", "tmp", "cwd"):
        (tmp_path / d).mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path / "tmp"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    before = snapshot(tmp_path)
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "all", "--book", str(book),
                          "--out", str(tmp_path / "out"), "-q"], cwd=tmp_path / "cwd", env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    after = snapshot(tmp_path)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed and all(k.split(os.sep)[0] in ("out", "cache") for k in changed), sorted(changed)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"{SLUG}-cover.pdf", f"{SLUG}-print.pdf", f"{SLUG}.epub", f"{SLUG}.pdf"]


def test_out_that_is_a_file_is_one_line(tmp_path, capsys):
    book = make_book(tmp_path / "book", photos=1, size=(240, 160))
    (tmp_path / "out").write_text("not a folder")
    assert main(["epub", "--book", str(book), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "error: cannot write" in err and "Traceback" not in err
    assert (tmp_path / "out").read_text() == "not a folder"
