"""The loader: the happy path, and each kind of problem with its exact line and column."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

import pytest

from bookmaker import make_book, make_photo
from pressroom.errors import ManuscriptError
from pressroom.manuscript import Photo, Text, isbn13_ok, load

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, text: str, photos=("photos/a.jpg",)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for p in photos:
        make_photo(folder / p, (300, 200))
    (folder / "book.yaml").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ManuscriptError) as e:
        load(folder)
    return [str(p) for p in e.value.problems]


GOOD = """
title: Good Book
subtitle: A subtitle
language: fr-CA
identifier: 978-0-306-40615-7
contributors:
  - name: Ada Example
    role: author
  - name: Bo Lens
    role: photographer
  - name: Cy Trans
    role: trl
publisher: Small Press
date: 2025-03-01
rights: © 2025 Ada Example
description: About things.
subjects: [Photography, Cities]
cover: photos/a.jpg
print:
  trim: A5
  bleed: 3mm
  paper: cream
  page_multiple: 2
chapters:
  - title: One
    content:
      - text: |
          Hello *world*, see [this](https://example.org).

          <script>alert(1)</script>
      - photo: photos/a.jpg
        alt: A photo
        caption: A *caption* <b>bold?</b>
        credit: Bo Lens
        layout: full-bleed
  - content:
      - text: Untitled chapter.
"""


def test_good_manuscript_loads_into_a_model(tmp_path):
    book = load(write(tmp_path, GOOD))
    assert book.title == "Good Book" and book.subtitle == "A subtitle"
    assert book.language == "fr-CA"
    assert book.identifier == "urn:isbn:9780306406157" and book.isbn == "9780306406157"
    assert [(c.name, c.role, c.marc) for c in book.contributors] == [
        ("Ada Example", "author", "aut"), ("Bo Lens", "photographer", "pht"), ("Cy Trans", "translator", "trl")]
    assert book.date == "2025-03-01" and book.subjects == ("Photography", "Cities")
    assert book.slug == "good-book"
    assert book.print.trim == "A5" and round(book.print.width / 72 * 25.4) == 148
    assert round(book.print.bleed / 72 * 25.4, 3) == 3.0 and book.print.paper == "cream"
    assert book.print.page_multiple == 2
    assert len(book.chapters) == 2 and book.chapters[1].title is None
    text, photo = book.chapters[0].blocks
    assert isinstance(text, Text) and isinstance(photo, Photo)
    # Raw HTML is never passed through: it is text.
    assert "<script>" not in text.html and "&lt;script&gt;" in text.html
    assert '<a href="https://example.org">this</a>' in text.html and "<em>world</em>" in text.html
    assert photo.caption_html == "A <em>caption</em> &lt;b&gt;bold?&lt;/b&gt;"
    assert photo.caption_text == "A caption <b>bold?</b>"
    assert photo.layout == "full-bleed" and photo.credit == "Bo Lens"
    assert photo.path == (tmp_path / "photos/a.jpg").resolve()
    assert book.cover is photo
    assert (photo.where.line, photo.where.col) == (30, 9)


def test_identifier_absent_is_a_stable_uuid_from_the_title(tmp_path):
    a = load(make_book(tmp_path / "a", 1))
    b = load(make_book(tmp_path / "b", 1))
    assert a.identifier == b.identifier
    assert a.identifier == "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "pressroom:A Test Book"))
    assert load(make_book(tmp_path / "c", 1, title="Other")).identifier != a.identifier


def test_isbn_check_digit():
    assert isbn13_ok("9780306406157")
    assert not isbn13_ok("9780306406158")
    assert not isbn13_ok("1230306406157")


@pytest.mark.parametrize("text, expected", [
    ("titel: X\nlanguage: en\nchapters:\n  - content: []\n",
     ["book.yaml:1:1: error: unknown key 'titel' in the manuscript; did you mean 'title'?",
      "book.yaml:1:1: error: missing required key 'title'"]),
    ("title: X\nchapters:\n  - content: []\n",
     ["book.yaml:1:1: error: missing required key 'language' (a BCP 47 tag such as 'en' or 'pt-BR')"]),
    ("title: [1, 2]\nlanguage: en\nchapters:\n  - content: []\n",
     ["book.yaml:1:8: error: title must be text, not a list"]),
    ("title: X\nlanguage: english!\nchapters:\n  - content: []\n",
     ["book.yaml:2:11: error: language 'english!' is not a BCP 47 tag (examples: en, fr, pt-BR, zh-Hant)"]),
    ("title: X\nlanguage: en\nidentifier: 978-0-306-40615-8\nchapters:\n  - content: []\n",
     ["book.yaml:3:13: error: ISBN '978-0-306-40615-8' has a wrong check digit or prefix (an ISBN-13 starts 978 or 979)"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: photos/13.jpg\n        alt: A\n",
     ["book.yaml:5:16: error: photo 'photos/13.jpg' not found"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: photos/a.jpg\n",
     ["book.yaml:5:9: error: photo 'photos/a.jpg' needs 'alt': a short description of what it shows, for readers who cannot see it"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: photos/a.jpg\n        alt: '  '\n",
     ["book.yaml:6:14: error: alt text of photo 'photos/a.jpg' is empty"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: photos/a.jpg\n        alt: A\n        layuot: page\n",
     ["book.yaml:7:9: error: unknown key 'layuot' in a photo; did you mean 'layout'?"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: photos/a.jpg\n        alt: A\n        layout: fullbleed\n",
     ["book.yaml:7:17: error: layout 'fullbleed' is unknown; did you mean 'full-bleed'? use one of: auto, page, full-bleed, inline, spread"]),
    ("title: X\nlanguage: en\nprint:\n  trim: 6x9\n  paper: glossy\nchapters:\n  - content: []\n",
     ["book.yaml:4:9: error: trim '6x9' is neither a preset (5x8in, 5.5x8.5in, 6x9in, 7x10in, 8x10in, 10x8in, 8.25x6in, 8.25x8.25in, 8.5x8.5in, 8.5x11in, 11x8.5in, 12x12in, A4, A5, 21x28cm, letter) nor a size like '7x10in' or '150x200mm'",
      "book.yaml:5:10: error: paper 'glossy' must be one of: white, cream, color"]),
    ("title: X\nlanguage: en\ncontributors:\n  - name: A\n    role: photograper\nchapters:\n  - content: []\n",
     ["book.yaml:5:11: error: unknown role 'photograper'; did you mean 'photographer'?"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - text: '[x](javascript:alert(1))'\n",
     ["book.yaml:5:15: error: link 'javascript:alert(1)' in text is not allowed: use an http, https or mailto address"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - txet: hello\n",
     ["book.yaml:5:9: error: a content block must start with 'text:' or 'photo:'; did you mean 'text'?"]),
    ("title: X\ntitle: Y\nlanguage: en\nchapters:\n  - content: []\n",
     ["book.yaml:2:1: error: duplicate key 'title' in the manuscript (first at line 1)"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: ../outside.jpg\n        alt: A\n",
     ["book.yaml:5:16: error: photo '../outside.jpg' points outside the book folder"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: /etc/passwd\n        alt: A\n",
     ["book.yaml:5:16: error: photo '/etc/passwd' is an absolute path: give it relative to the book folder"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n      - photo: https://example.org/a.jpg\n        alt: A\n",
     ["book.yaml:5:16: error: photo 'https://example.org/a.jpg' is a URL: photos must be files inside the book folder"]),
    ("title: !!python/object/apply:os.system ['true']\nlanguage: en\nchapters:\n  - content: []\n",
     ["book.yaml:1:8: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in a manuscript"]),
    ("title: X\nlanguage: en\nchapters:\n  - content:\n    - text: [unclosed\n",
     None),
])
def test_each_problem_is_reported_with_its_line_and_column(tmp_path, monkeypatch, text, expected):
    write(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    got = problems(Path("."))
    if expected is None:  # a YAML syntax error: one line, located
        assert len(got) == 1 and got[0].startswith("book.yaml:") and ": error: YAML syntax:" in got[0]
    else:
        for e in expected:
            assert e in got, got
        assert len(got) == len(expected), got


def test_every_problem_is_reported_at_once(tmp_path, monkeypatch):
    write(tmp_path, """
        titel: X
        language: en
        chapters:
          - content:
              - photo: photos/missing.jpg
                alt: A
              - photo: photos/a.jpg
        """)
    monkeypatch.chdir(tmp_path)
    got = problems(Path("."))
    assert got == [
        "book.yaml:1:1: error: unknown key 'titel' in the manuscript; did you mean 'title'?",
        "book.yaml:1:1: error: missing required key 'title'",
        "book.yaml:5:16: error: photo 'photos/missing.jpg' not found",
        "book.yaml:7:9: error: photo 'photos/a.jpg' needs 'alt': a short description of what it shows, for readers who cannot see it",
    ]


@pytest.mark.parametrize("content, message", [
    (b"", "manuscript is empty"),
    (b"\xff\xfe\x00bad", "manuscript is not UTF-8 text"),
    (b"- a\n- b\n", "manuscript must be a mapping of keys like 'title:'"),
])
def test_unusable_files(tmp_path, content, message):
    (tmp_path / "book.yaml").write_bytes(content)
    got = problems(tmp_path)
    assert len(got) == 1 and got[0].endswith("error: " + message)


def test_missing_book_folder(tmp_path):
    assert problems(tmp_path / "nope") == [f"{tmp_path / 'nope'}: error: book folder not found"]


def test_sample_book_loads():
    book = load(ROOT / "book")
    assert book.title == "Photos Banned By North Korea, But Smuggled Out"
    assert book.subtitle == "A Rare Look Inside The Country"
    assert len(book.photos) == 27
    assert all(p.alt and p.caption_text for p in book.photos)
    assert "there’s no electricity" in book.photos[0].caption_text
    assert any(c.name == "Eric Lafforgue" and c.marc == "pht" for c in book.contributors)
    source = (ROOT.parent / "shared" / "source" / "photo-essay.txt")
    if source.exists():
        lines = source.read_text(encoding="utf-8").splitlines()
        assert [p.caption_text for p in book.photos] == lines[4:31]


def test_alias_bomb_fails_fast(tmp_path):
    lol = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lol.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    (tmp_path / "book.yaml").write_text("\n".join(lol) + "\ntitle: X\nlanguage: en\n")
    got = problems(tmp_path)
    assert len(got) == 1 and "expands to more than" in got[0]
