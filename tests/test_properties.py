"""Property-based tests: whatever a manuscript holds, the loader answers with a
model or with located problems, never a traceback; whatever a caption holds,
every XHTML file of the EPUB is well-formed XML."""

from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from bookmaker import make_photo
from pressroom.schedule import build
from pressroom.editions.epub import EPUB
from pressroom.errors import ManuscriptError
from pressroom.manuscript import BOOK_KEYS, CHAPTER_KEYS, PHOTO_KEYS, PRINT_KEYS, Book, load

def fast(n: int) -> settings:
    return settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), database=None)
_n = itertools.count()
built: list[int] = []  # examples that reached the EPUB writer
LOCATED = re.compile(r"^.*\.yaml(:\d+(:\d+)?)?: error: [^\n]+$")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """One book folder with one small photo, reused by every example."""
    f = tmp_path_factory.mktemp("prop-book")
    make_photo(f / "photos" / "01.jpg", (160, 120), seed=1)
    return f


def check_load(folder: Path, raw: bytes) -> Book | None:
    path = folder / f"m{next(_n)}.yaml"
    path.write_bytes(raw)
    try:
        return load(path)
    except ManuscriptError as e:
        assert e.problems
        for p in e.problems:
            line = str(p)
            assert LOCATED.match(line), repr(line)  # one line, file first, line:col when known
            if p.where.line is not None:
                assert 1 <= p.where.line <= raw.count(b"\n") + 2
        return None
    finally:
        path.unlink()


@fast(150)
@given(st.text(max_size=400))
def test_arbitrary_text_is_a_book_or_located_problems(folder, text):
    check_load(folder, text.encode("utf-8", "surrogatepass"))


@fast(60)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_a_book_or_located_problems(folder, data):
    check_load(folder, data)


KEYS = st.sampled_from(list(BOOK_KEYS) + list(CHAPTER_KEYS) + list(PHOTO_KEYS) + list(PRINT_KEYS) + ["text", "x"])
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
           | st.sampled_from(["photos/01.jpg", "en", "2026-11-26", "6x9in", "page", "../x.jpg", "[a](file:///x)"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
                      max_leaves=25)


@fast(150)
@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_arbitrary_yaml_documents_are_a_book_or_located_problems(folder, doc):
    check_load(folder, yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass"))


@pytest.mark.slow
@fast(25)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"])
               | st.sampled_from("<>&\"'*_[]()`\\\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200f\u00a0\ufeff"),
               max_size=80))
def test_any_caption_gives_well_formed_xhtml(folder, tmp_path_factory, caption):
    manuscript = yaml.safe_dump({
        "title": "Caption test", "language": "en",
        "chapters": [{"title": caption or "x", "content": [
            {"photo": "photos/01.jpg", "alt": caption or "alt", "caption": caption, "credit": caption or None},
            {"text": caption or "x"}]}],
    }, allow_unicode=True)
    path = folder / f"c{next(_n)}.yaml"
    path.write_text(manuscript, encoding="utf-8")
    try:
        book = load(path)
    except ManuscriptError as e:  # e.g. a control character or a forbidden link: located, one line each
        assert all(LOCATED.match(str(p)) and p.where.line for p in e.problems), e
        return
    finally:
        path.unlink()
    out = tmp_path_factory.mktemp("prop-out")
    built.append(1)
    [epub] = build(book, [EPUB()], out, say=lambda *a: None)
    with zipfile.ZipFile(epub) as z:
        docs = [n for n in z.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))]
        assert len(docs) >= 4
        for name in docs:
            etree.fromstring(z.read(name))  # raises on anything not well-formed


@pytest.mark.slow  # with the property above
def test_the_caption_property_built_epubs():
    """Most generated captions must get past the loader, or the property above proves little."""
    if not built:
        pytest.skip("counts the examples of test_any_caption_gives_well_formed_xhtml, run before it")
    assert len(built) >= 10
