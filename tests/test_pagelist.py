"""The EPUB's page-list: the print edition's page numbers, where its pages begin.

Checked on generated books against the print interior PDF itself: a photo's
page in the EPUB is the page the print PDF draws it on, and the words that
follow a text page's marker are the first words of that printed page.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from PIL import Image

from pdfread import drawn_images
from bookmaker import make_photo
from pressroom.cli import main
from pressroom.manuscript import load
from test_epub import (EPUB_TYPE, NS, Epub, ace_report, ace_violations, epubcheck_messages, photo, text,
                       write_book)

#: Every test here lays out a long book in print and EPUB (and checks it with EPUBCheck and Ace).
pytestmark = pytest.mark.slow

ISBN = "9780306406157"

#: Long words, so that WeasyPrint hyphenates some across lines and pages.
WORDS = ("harbour morning fisherman unexpectedly neighbourhood photograph considerable lantern market "
         "quietly afternoon boatbuilder remarkable wandering courtyard everywhere nevertheless window "
         "children bicycle conversation mountain shoreline evening procession umbrella yesterday "
         "understanding apartment railway carefully questions lighthouse celebration grandmother "
         "countryside vegetables tomorrow photographers circumstances interesting").split()


def paragraphs(n: int, words: int, seed: int) -> str:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        ws = [rnd.choice(WORDS) for _ in range(words)]
        ws[0] = ws[0].capitalize()
        ws[rnd.randrange(3, words - 3)] = f"*{ws[rnd.randrange(3, words - 3)]}*"
        out.append(" ".join(ws) + ".")
    return "\n\n".join(out)


def bullets(n: int, words: int, seed: int) -> str:
    """A Markdown list: its bullets are drawn by the print edition but are not text."""
    return "\n".join("- " + p for p in paragraphs(n, words, seed).split("\n\n"))


def long_book(folder: Path, isbn: bool) -> Path:
    """Three chapters of text long enough to run over pages, with inline, page and full-bleed photos."""
    head = ("title: Long Days\nlanguage: en\n" + (f"identifier: {ISBN}\n" if isbn else "")
            + "contributors:\n  - name: Ada Example\n    role: author\n")
    chapters = [
        ("Morning", [text(paragraphs(5, 110, 1)), photo(1, "A boat at dawn.", "The boat.") + "\nlayout: inline",
                     text(paragraphs(4, 120, 2) + "\n\n" + bullets(10, 36, 8) + "\n\n" + paragraphs(3, 100, 3)),
                     photo(2, "A market.", "The market."), text(paragraphs(3, 90, 4))]),
        ("Harbour", [photo(3, "The harbour from above.", "Above.") + "\nlayout: full-bleed",
                     text(paragraphs(1, 700, 5)), photo(4, "A net.") + "\nlayout: inline",
                     text(paragraphs(2, 80, 6))]),
        ("Evening", [text(paragraphs(2, 60, 7)), photo(5, "Lanterns.", "Lanterns at night.")]),
    ]
    write_book(folder, head, chapters)
    for i in range(1, 6):  # distinct pixel sizes: a photo is recognised in the PDF by its size
        make_photo(folder / "photos" / f"{i:02d}.jpg", (900 + 10 * i, 600) if i != 5 else (600, 900), seed=i)
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The long book with an ISBN, built with every edition (the EPUB reads the print layout
    made in the same run) and as the EPUB alone (which lays the print interior out itself)."""
    folder = long_book(tmp_path_factory.mktemp("long") / "book", isbn=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        mp.setenv("SOURCE_DATE_EPOCH", "1780000000")
        assert main(["all", "--book", str(folder), "--out", str(folder.parent / "all"), "-q"]) == 0
        assert main(["epub", "--book", str(folder), "--out", str(folder.parent / "epub"), "-q"]) == 0
    return folder


def page_list(e: Epub) -> list[tuple[str, str]]:
    nav = e.nav()
    (pl,) = [n for n in nav.iterfind(".//x:nav", NS) if n.get(EPUB_TYPE) == "page-list"]
    return [(a.text, a.get("href")) for a in pl.iterfind(".//x:a", NS)]


#: Text the words of the pages are not compared on: titles (the running heads repeat them) and captions.
SKIP = {f"{{{NS['x']}}}h2", f"{{{NS['x']}}}figcaption"}


def reading_order(e: Epub, book) -> list[tuple[str, str]]:
    """('page', label) and ('photo', number) events and ('word', w) in the chapters' reading order."""
    events = []
    for c in book.chapters:
        doc = e.xhtml(f"{c.id}.xhtml")
        for el in doc.find("x:body", NS).iter():
            if el.get(EPUB_TYPE) == "pagebreak":
                events.append(("page", el.get("aria-label")))
            elif el.tag == f"{{{NS['x']}}}figure":
                events.append(("photo", el.get("id")))
            if not isinstance(el.tag, str) or any(a.tag in SKIP for a in el.iterancestors()):
                continue
            if el.text and el.tag not in SKIP:
                events += [("word", w) for w in el.text.split()]
            if el.tail:
                events += [("word", w) for w in el.tail.split()]
    return events


def photo_pages(pdf: Path, sizes: dict[tuple[int, int], str]) -> dict[str, int]:
    """{photo id: the print page (1-based) that draws it}, found by its pixel size."""
    out = {}
    with pikepdf.open(pdf) as doc:
        for n, page in enumerate(doc.pages, 1):
            for im in drawn_images(page):
                if im["pixels"] in sizes:
                    out.setdefault(sizes[im["pixels"]], n)
    return out


def test_page_list_entries_resolve_ascend_and_match_the_markers(built):
    e = Epub(next((built.parent / "all").glob("*.epub")))
    entries = page_list(e)
    assert len(entries) >= 8
    labels = [int(label) for label, _ in entries]
    assert labels == sorted(set(labels))
    for label, href in entries:
        doc, frag = href.split("#")
        (target,) = e.xhtml(doc).xpath(f"//*[@id='{frag}']")
        assert target.get(EPUB_TYPE) == "pagebreak" and target.get("role") == "doc-pagebreak"
        assert target.get("aria-label") == label
    markers = [el.get("aria-label") for c in load(built).chapters
               for el in e.xhtml(f"{c.id}.xhtml").iter() if el.get(EPUB_TYPE) == "pagebreak"]
    assert markers == [label for label, _ in entries]  # every marker listed, in reading order


def test_each_photo_is_on_the_print_page_the_epub_says(built):
    book = load(built)
    e = Epub(next((built.parent / "all").glob("*.epub")))
    sizes = {}
    for p in book.photos:
        with Image.open(p.path) as im:
            sizes[im.size] = p.id
    printed = photo_pages(next((built.parent / "all").glob("*-print.pdf")), sizes)
    assert set(printed) == {p.id for p in book.photos}
    page = None
    for kind, value in reading_order(e, book):
        if kind == "page":
            page = int(value)
        elif kind == "photo":
            assert page == printed[value], f"{value}: EPUB says page {page}, the print PDF draws it on {printed[value]}"


def test_text_after_each_marker_begins_its_printed_page(built):
    """The words after a page's marker are the first whole words printed on that page."""
    book = load(built)
    e = Epub(next((built.parent / "all").glob("*.epub")))
    events = reading_order(e, book)
    manuscript = " ".join(w for k, w in events if k == "word")
    pdf = pypdfium2.PdfDocument(next((built.parent / "all").glob("*-print.pdf")))
    titles = {c.title for c in book.chapters}
    checked = 0
    for i, (kind, label) in enumerate(events):
        if kind != "page":
            continue
        following = [w for k, w in events[i + 1:] if k == "word"][:12]
        if not following or events[i + 1][0] == "photo":
            continue
        n = 4  # enough words to be unique in the book
        while manuscript.count(" ".join(following[:n])) > 1:
            n += 1
        want = " ".join(following[:n])
        printed = pdf[int(label) - 1].get_textpage().get_text_range()
        printed = re.sub(r"[\u2010\u00ad-]\s*\n", "", printed.replace("\r", ""))
        printed = " ".join(w for w in printed.split() if w not in titles and not w.isdigit())
        plain = lambda s: s.replace("*", "")  # noqa: E731
        at = printed.find(plain(want))
        assert at >= 0, f"page {label}: {want!r} is not on it: {printed[:200]!r}"
        before = printed[:at].split()
        assert len(before) <= 1, f"page {label} begins with {before} before the marker's words {want!r}"
        checked += 1
    assert checked >= 4  # text pages, some beginning inside a paragraph


def test_page_list_metadata_with_an_isbn(built):
    e = Epub(next((built.parent / "all").glob("*.epub")))
    assert e.meta("pageBreakSource") == [f"urn:isbn:{ISBN}"]
    assert [s.text for s in e.dc("source")] == [f"urn:isbn:{ISBN}"]
    assert "printPageNumbers" in e.meta("schema:accessibilityFeature")
    assert "page numbers of the print edition" in e.meta("schema:accessibilitySummary")[0]


def test_the_epub_alone_lays_out_the_print_edition_to_the_same_pages(built):
    """Built without the print edition, the EPUB lays the interior out itself: the same bytes."""
    alone = next((built.parent / "epub").glob("*.epub")).read_bytes()
    assert alone == next((built.parent / "all").glob("*.epub")).read_bytes()


def test_long_book_passes_epubcheck_and_ace(built, tmp_path):
    path = next((built.parent / "all").glob("*.epub"))
    assert epubcheck_messages(path) == []
    assert ace_violations(ace_report(path, tmp_path / "ace")) == []


def test_without_an_isbn_the_source_is_described(tmp_path):
    folder = long_book(tmp_path / "book", isbn=False)
    assert main(["epub", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    e = Epub(next((tmp_path / "out").glob("*.epub")))
    (source,) = e.meta("pageBreakSource")
    assert "print edition" in source and "Long Days" in source and "pages" in source
    assert e.dc("source") == []
    assert page_list(e) and "printPageNumbers" in e.meta("schema:accessibilityFeature")
    assert epubcheck_messages(e.path) == []
