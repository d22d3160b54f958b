"""Long-form books: chapters in Markdown files, parts, front and back matter, footnotes,
scene breaks, verse, tables, cross-references, folios (issue 13)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from lxml import etree

from bookmaker import make_book, make_novel, make_photo
from pdfread import page_texts, struct_elements
from pressroom import cli
from pressroom.errors import ManuscriptError
from pressroom.folios import label, roman
from pressroom.manuscript import Matter, Part, load

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def problems(folder: Path) -> list[str]:
    with pytest.raises(ManuscriptError) as e:
        load(folder)
    return [f"{p} [{p.code}]" for p in e.value.problems]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_file_book(tmp_path: Path, chapter: str, extra: str = "") -> Path:
    folder = tmp_path / "book"
    make_photo(folder / "photos" / "01.jpg", seed=1)
    write(folder, "chapters/01.md", chapter)
    write(folder, "book.yaml", "title: T\nlanguage: en\n" + extra + "chapters:\n  - file: chapters/01.md\n")
    return folder


# --------------------------------------------------------------------------
# The manuscript
# --------------------------------------------------------------------------

def test_a_novel_loads_into_parts_matter_chapters_sections_and_notes(tmp_path):
    book = load(make_novel(tmp_path / "novel"))
    assert book.long_form and book.toc_depth == 2
    assert [p.title for p in book.parts] == ["Part 1", "Part 2"]
    assert [(c.number, c.title, c.part, c.file) for c in book.chapters] == [
        (1, "Chapter 1", 1, "chapters/01.md"), (2, "Chapter 2", 1, "chapters/02.md"),
        (3, "Chapter 3", 2, "chapters/03.md"), (4, "Chapter 4", 2, "chapters/04.md")]
    assert [type(i).__name__ for i in book.body] == ["Part", "Chapter", "Chapter", "Part", "Chapter", "Chapter"]
    assert [(m.kind, m.side, m.title) for m in book.front_matter] == [
        ("dedication", "front", None), ("epigraph", "front", None), ("foreword", "front", "Foreword")]
    assert [(m.kind, m.title) for m in book.back_matter] == [("acknowledgements", "Acknowledgements"),
                                                             ("about-the-author", None)]
    assert book.front_matter[1].source_html == "A. Sailor, <em>Logbook</em>"
    c1 = book.chapters[0]
    assert c1.anchor == "chapter-one"
    assert [(s.id, s.level) for s in c1.sections] == [("sec-1-3", 2)]
    assert [n.number for n in c1.notes] == [1, 2]
    assert c1.notes[0].html.startswith('<p><a class="backlink" role="doc-backlink" href="#fnref-chapter-01-1">1.</a> nb1x1z')
    assert "A second paragraph of the note." in c1.notes[0].html
    assert [p.src for p in book.photos] == ["photos/01.jpg"]
    assert book.photos[0].layout == "inline" and book.photos[0].caption_html == "The boat, <em>early</em>"
    assert set(book.files) == {f.resolve() for f in (tmp_path / "novel").rglob("*.md")}


def test_markdown_blocks_come_out_as_documented_classes(tmp_path):
    book = load(make_novel(tmp_path / "novel"))
    html = "".join(b.html for b in book.chapters[0].blocks if hasattr(b, "html"))
    paged = "".join(b.paged for b in book.chapters[0].blocks if hasattr(b, "html"))
    assert '<hr class="scene-break" />' in html
    assert '<div class="line-block">' in html and '<span class="line">\u00a0' * 0 + '<span class="line">' in html
    assert "\u00a0" * 4 + "and I am small" in html  # the indent kept
    assert "<caption>The fleet in spring</caption>" in html and '<th style="text-align:right">Tons</th>' in html
    assert '<h3 id="sec-1-3" class="section-title">Section 1.3</h3>' in html
    # EPUB: a link to the note; PDFs: the note itself where it is called, floated to the page foot.
    assert re.search(r'cw1x1z<a class="noteref" epub:type="noteref" role="doc-noteref" id="fnref-chapter-01-1" '
                     r'href="#fn-chapter-01-1">1</a>', html)
    assert re.search(r'cw1x1z<span class="footnote" id="fn-chapter-01-1" data-n="1"><span class="fn-p">nb1x1z', paged)
    assert '<a href="#sec-1-3">the section</a>' in html


def test_pandoc_ids_smart_punctuation_and_raw_html_as_text(tmp_path):
    folder = one_file_book(tmp_path, '# The "Storm" -- at last\n\n## Night Watch\n\nShe said "no" -- <b>twice</b>...\n\n'
                                    '## Night Watch\n\nAgain.\n\n## "Quoted" {#q .unnumbered}\n')
    ch = load(folder).chapters[0]
    assert ch.title == "The “Storm” – at last" and ch.anchor == "the-storm-at-last"
    assert [(s.id, s.title) for s in ch.sections] == [("night-watch", "Night Watch"), ("night-watch-1", "Night Watch"),
                                                      ("q", "“Quoted”")]
    html = ch.blocks[0].html
    assert "She said “no” – &lt;b&gt;twice&lt;/b&gt;…" in html


def test_inline_chapters_still_work_beside_file_chapters(tmp_path):
    folder = one_file_book(tmp_path, "# Filed\n\nText.\n")
    text = (folder / "book.yaml").read_text() + "  - title: Inline\n    content:\n      - text: Plain *text*.\n"
    write(folder, "book.yaml", text)
    book = load(folder)
    assert [c.title for c in book.chapters] == ["Filed", "Inline"]
    assert book.chapters[1].blocks[0].html == "<p>Plain <em>text</em>.</p>"
    # A book without any long-form key is not long-form (its folios and output do not change).
    assert not load(make_book(tmp_path / "plain")).long_form


@pytest.mark.parametrize("chapter, expected", [
    ("# A\n\n![A boat](photos/missing.jpg)\n", "chapters/01.md:3:1: error: photo 'photos/missing.jpg' not found [PR027]"),
    ("# A\n\n![](photos/01.jpg)\n", "chapters/01.md:3:1: error: photo 'photos/01.jpg' needs alt text"),
    ("# A\n\nSee [there](#nowhere).\n", "chapters/01.md:3:13: error: cross-reference '#nowhere' leads nowhere"),
    ("# A\n\nA call[^x].\n", "chapters/01.md:3:7: error: footnote '[^x]' has no note"),
    ("# A\n\n# B\n", "chapters/01.md:3:1: error: a second '# ' title"),
    ("# A\n\nText ![a](photos/01.jpg) inline.\n", "chapters/01.md:3:6: error: a photo must be a paragraph of its own"),
    ("# A\n\n![a](photos/01.jpg){layout=sideways}\n", "chapters/01.md:3:21: error: layout 'sideways' is unknown"),
    ("# A\n\n[x](javascript:alert(1))\n", "chapters/01.md:3:5: error: link 'javascript:alert(1)' is not allowed"),
    ("# A {#chapter-02}\n", "chapters/01.md:1:1: error: id 'chapter-02' is one pressroom uses itself"),
    ("# A\n\nbad \x07 char\n", "chapters/01.md:3:5: error: a control character"),
])
def test_problems_in_a_chapter_file_point_into_it(tmp_path, monkeypatch, chapter, expected):
    folder = one_file_book(tmp_path, chapter)
    monkeypatch.chdir(folder)
    found = problems(Path("."))
    assert any(p.startswith(expected) for p in found), found


def test_check_reports_the_chapter_files_problems(tmp_path, capsys, monkeypatch):
    folder = one_file_book(tmp_path, "# A\n\n![A boat](photos/missing.jpg)\n")
    monkeypatch.chdir(folder)
    assert cli.main(["check", "--book", ".", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["file"], f["line"], f["column"]) for f in report["findings"]] == [
        ("PR027", "chapters/01.md", 3, 1)]


@pytest.mark.parametrize("path, message", [
    ("../outside.md", "points outside the book folder"),
    ("/etc/passwd", "must be a path relative to the book folder"),
    ("https://example.org/x.md", "must be a path relative to the book folder"),
    ("chapters/none.md", "not found"),
    ("link.md", "leads outside the book folder (a symlink?)"),
    ("chapters", "is not a file"),
])
def test_chapter_files_are_confined_to_the_book_folder(tmp_path, path, message):
    folder = tmp_path / "book"
    write(folder, "chapters/01.md", "# A\n")
    write(tmp_path, "outside.md", "# Secret\n")
    (folder / "link.md").symlink_to(tmp_path / "outside.md")
    write(folder, "book.yaml", f"title: T\nlanguage: en\nchapters:\n  - file: {json.dumps(path)}\n")
    found = problems(folder)
    assert any(message in p and "[PR050]" in p for p in found), found


def test_chapter_files_count_against_the_manuscript_size_limit(tmp_path):
    from pressroom.limits import Limits

    folder = one_file_book(tmp_path, "# A\n\n" + "word " * 3000 + "\n")
    with pytest.raises(ManuscriptError) as e:
        load(folder, Limits(max_manuscript_bytes=10_000))
    assert e.value.problems[0].code == "PR002"


@pytest.mark.parametrize("yaml_text, message", [
    ("front_matter:\n  - file: chapters/01.md\n    kind: afterword\n", "kind 'afterword' is not one for front_matter; it belongs in back_matter"),
    ("front_matter:\n  - file: chapters/01.md\n", "needs 'kind:'"),
    ("front_matter:\n  - dedication: x\n    epigraph: y\n", "needs one of 'dedication:'"),
    ("back_matter:\n  - text: x\n    kind: acknowledgments\n  - text: y\n    kind: apendix\n", "did you mean 'appendix'?"),
])
def test_front_and_back_matter_entries_are_checked(tmp_path, yaml_text, message):
    folder = one_file_book(tmp_path, "# A\n", yaml_text)
    found = problems(folder)
    assert any(message in p for p in found), found


def test_a_part_without_chapters_and_photos_in_matter_are_errors(tmp_path):
    folder = one_file_book(tmp_path, "# A\n")
    write(folder, "back/x.md", "# X\n\n![A boat](photos/01.jpg)\n")
    write(folder, "book.yaml", "title: T\nlanguage: en\nchapters:\n  - file: chapters/01.md\n  - part: Empty\n"
                               "back_matter:\n  - file: back/x.md\n    kind: appendix\n")
    found = problems(folder)
    assert any("part 'Empty' has no chapters" in p for p in found)
    assert any(p.startswith(str(folder / "back/x.md") + ":3:1:") and "[PR058]" in p for p in found), found


def test_cross_references_reach_every_file_and_the_epub_rewrites_them(tmp_path):
    from pressroom.editions.epub import cross_reference_files

    book = load(make_novel(tmp_path / "novel"))
    files = cross_reference_files(book)
    assert files["chapter-one"] == "chapter-01.xhtml" and files["sec-1-3"] == "chapter-01.xhtml"
    assert files["part-02"] == "part-02.xhtml"


def test_watch_rebuilds_when_a_chapter_file_is_saved(tmp_path):
    from pressroom.watch import Preview, Watcher

    folder = make_novel(tmp_path / "novel")
    w = Watcher(folder, tmp_path / "out", [], lambda *a: None, Preview())
    assert w.rebuild()
    assert w.relevant({(folder / "chapters" / "02.md").resolve()})
    assert w.relevant({(folder / "front" / "foreword.md").resolve()})
    assert not w.relevant({(folder / "notes.txt").resolve()})
    page = w.preview.page.decode()
    assert 'class="part-title">Part 1<' in page and "nb1x1z" in page and "scene-break" in page


def test_folio_labels():
    assert [roman(n) for n in (1, 4, 9, 14, 40, 90, 400, 1994)] == ["i", "iv", "ix", "xiv", "xl", "xc", "cd", "mcmxciv"]
    assert [label(n, 8) for n in (1, 7, 8, 9)] == ["i", "vii", "1", "2"]
    assert label(5, None) == "5"


# --------------------------------------------------------------------------
# The editions
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def novel(tmp_path_factory):
    folder = make_novel(tmp_path_factory.mktemp("novel") / "book", paragraphs=10, notes=2)
    out = folder.parent / "out"
    assert cli.main(["--book", str(folder), "--out", str(out), "-q"]) == 0
    return folder, out


def files(out: Path) -> dict[str, Path]:
    return {p.name.replace("the-lamp-at-the-harbour", "book"): p for p in out.iterdir()}


def page_labels(path: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    try:
        return [doc.get_page_label(i) for i in range(len(doc))]
    finally:
        doc.close()


def notes_away_from_their_calls(path: Path) -> tuple[int, list]:
    """(notes found, [(note, pages of its call, pages of its text)] for each not on its call's page)."""
    calls, bodies = {}, {}
    for i, text in enumerate(page_texts(path)):
        for m in re.finditer(r"cw(\d+)x(\d+)z", text):
            calls.setdefault(m.group(0)[2:-1], []).append(i)
        for m in re.finditer(r"nb(\d+)x(\d+)z", text):
            bodies.setdefault(m.group(0)[2:-1], []).append(i)
    assert set(calls) == set(bodies)
    return len(calls), [(k, v, bodies.get(k)) for k, v in calls.items() if bodies.get(k) != v]


@pytest.mark.slow
def test_a_novel_builds_into_four_files(novel):
    _, out = novel
    assert sorted(files(out)) == ["book-cover.pdf", "book-print.pdf", "book.epub", "book.pdf"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["book.pdf", "book-print.pdf"])
def test_every_footnote_sits_on_its_calls_page(novel, name):
    count, away = notes_away_from_their_calls(files(novel[1])[name])
    assert count == 9 and away == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ["book.pdf", "book-print.pdf"])
def test_folios_roman_in_front_matter_arabic_from_the_first_part(novel, name):
    path = files(novel[1])[name]
    labels, texts = page_labels(path), page_texts(path)
    first = next(i for i, t in enumerate(texts) if t.strip() == "Part 1")
    assert labels[:first] == [roman(n) for n in range(1, first + 1)]
    assert labels[first:first + 3] == ["1", "2", "3"]
    # The printed folio is the label: the foreword's roman, a chapter page's arabic.
    foreword = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Foreword"))
    assert texts[foreword].rstrip().endswith(roman(foreword + 1))
    page = next(i for i, t in enumerate(texts) if i > first + 2 and re.search(r"\d+\s*$", t))
    assert texts[page].rstrip().endswith(labels[page])


@pytest.mark.slow
def test_screen_pdf_outline_contents_and_tags(novel):
    path = files(novel[1])["book.pdf"]
    with pikepdf.open(path) as pdf:
        with pdf.open_outline() as outline:
            tree = [(i.title, [(c.title, [g.title for g in c.children]) for c in i.children]) for i in outline.root]
        elements = struct_elements(pdf)
        heads = [str(e.S) for e in elements if str(e.S) in ("/H1", "/H2", "/H3")]
        notes = [str(e.ID) for e in elements if str(e.S) == "/Note"]
        # PDF/UA 7.18.5: every link says where it leads (cross-references and notes too).
        links = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert links and all("/Contents" in a for a in links)
    assert tree == [("Contents", []), ("Foreword", []),
                    ("Part 1", [("Chapter 1", ["Section 1.5"]), ("Chapter 2", ["Section 2.5"])]),
                    ("Part 2", [("Chapter 3", ["Section 3.5"]), ("Chapter 4", ["Section 4.5"])]),
                    ("Acknowledgements", []), ("About the Author", [])]
    assert heads[0] == "/H1" and "/H3" in heads
    assert len(notes) == len(set(notes)) == 9  # PDF/UA: each footnote a /Note with an /ID
    contents = next(t for t in page_texts(path) if t.lstrip().startswith("Contents"))
    assert re.search(r"Foreword[ .]+v", contents) and re.search(r"Part 1[ .]+1\b", contents)
    assert "Section 1.5" in contents


def epub_docs(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        return {n.rsplit("/", 1)[-1]: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}


@pytest.mark.slow
def test_epub_semantics_for_matter_parts_notes_and_scene_breaks(novel):
    docs = epub_docs(files(novel[1])["book.epub"])
    sect = lambda name: docs[name].find(".//x:body/x:section", NS)  # noqa: E731
    types = {n: (sect(n).get("{%s}type" % NS["epub"]), sect(n).get("role")) for n in docs if sect(n) is not None}
    assert types["front-01-dedication.xhtml"] == ("dedication", "doc-dedication")
    assert types["front-02-epigraph.xhtml"] == ("epigraph", "doc-epigraph")
    assert types["front-03-foreword.xhtml"] == ("foreword", "doc-foreword")
    assert types["part-01.xhtml"] == ("part", "doc-part")
    assert types["chapter-01.xhtml"] == ("chapter", "doc-chapter")
    assert types["back-01-acknowledgements.xhtml"] == ("acknowledgments", "doc-acknowledgments")
    assert types["back-02-about-the-author.xhtml"] == (None, None)
    ch = docs["chapter-01.xhtml"]
    ref = ch.find(".//x:a[@class='noteref']", NS)
    assert ref.get("{%s}type" % NS["epub"]) == "noteref" and ref.get("href") == "#fn-chapter-01-1"
    note = ch.find(".//x:aside[@id='fn-chapter-01-1']", NS)
    assert note.get("{%s}type" % NS["epub"]) == "footnote" and note.get("role") == "doc-footnote"
    assert note.find(".//x:a[@role='doc-backlink']", NS).get("href") == "#" + ref.get("id")
    assert ch.find(".//x:hr[@class='scene-break']", NS) is not None
    # A cross-reference into another file links there.
    ack = docs["back-01-acknowledgements.xhtml"]
    assert ack.find(".//x:a", NS).get("href") == "chapter-01.xhtml#chapter-one"
    link = [a.get("href") for a in ch.iterfind(".//x:a", NS) if "last chapter" in (a.text or "")]
    assert link == ["chapter-04.xhtml#chapter-4"]


@pytest.mark.slow
def test_epub_nav_nests_parts_and_sections_and_page_list_follows_the_folios(novel):
    folder, out = novel
    docs = epub_docs(files(out)["book.epub"])
    toc = docs["nav.xhtml"].find(".//x:nav[@id='toc']/x:ol", NS)

    def entries(ol):
        return [(li.find("x:a", NS).text, entries(li.find("x:ol", NS)) if li.find("x:ol", NS) is not None else [])
                for li in ol.findall("x:li", NS)]

    assert entries(toc) == [
        ("Title page", []), ("Foreword", []),
        ("Part 1", [("Chapter 1", [("Section 1.5", [])]), ("Chapter 2", [("Section 2.5", [])])]),
        ("Part 2", [("Chapter 3", [("Section 3.5", [])]), ("Chapter 4", [("Section 4.5", [])])]),
        ("Acknowledgements", []), ("About the Author", []), ("Colophon", [])]
    landmarks = [a.get("{%s}type" % NS["epub"]) for a in docs["nav.xhtml"].iterfind(".//x:nav[@id='landmarks']//x:a", NS)]
    assert landmarks == ["cover", "titlepage", "toc", "foreword", "bodymatter", "acknowledgments", "copyright-page"]
    pages = [a.text for a in docs["nav.xhtml"].iterfind(".//x:nav[@id='page-list']//x:a", NS)]
    print_labels = page_labels(files(out)["book-print.pdf"])
    assert all(p in print_labels for p in pages)
    assert [p for p in pages if not p.isdigit()] == ["v", "vii", "xi"]  # dedication, epigraph, foreword
    hrefs = [a.get("href").split("#")[0] for a in docs["nav.xhtml"].iterfind(".//x:nav[@id='page-list']//x:a", NS)]
    assert pages.index("1") == 3 and hrefs[3] == "part-01.xhtml"
    assert hrefs[-2:] == ["back-01-acknowledgements.xhtml", "back-02-about-the-author.xhtml"]
    foreword = docs["front-03-foreword.xhtml"].find(".//x:span[@role='doc-pagebreak']", NS)
    assert foreword.get("aria-label") == "xi" and foreword.get("id") == "page-11"
    part = docs["part-01.xhtml"].find(".//x:span[@role='doc-pagebreak']", NS)
    assert part.get("aria-label") == "1"


@pytest.mark.slow
def test_epub_passes_epubcheck_and_ace(novel, tmp_path):
    from test_epub import ace_report, ace_violations, epubcheck_messages

    path = files(novel[1])["book.epub"]
    assert epubcheck_messages(path) == []
    assert ace_violations(ace_report(path, tmp_path / "ace")) == []


@pytest.mark.slow
def test_a_400_page_novel_builds_with_every_note_on_its_page(tmp_path):
    """Laid out chapter by chapter (editions/chapterwise.py), a footnote moved off its
    page lays one chapter out again, not the book: about 16 s here (two minutes whole)."""
    folder = make_novel(tmp_path / "big", parts=3, chapters_per_part=8, paragraphs=46, notes=3)
    out = tmp_path / "out"
    assert cli.main(["--book", str(folder), "--out", str(out), "-q"]) == 0
    got = files(out)
    assert len(page_texts(got["book-print.pdf"])) >= 380
    for name in ("book.pdf", "book-print.pdf"):
        count, away = notes_away_from_their_calls(got[name])
        assert count == 73 and away == [], name


def test_new_novel_scaffolds_a_long_form_book_that_loads(tmp_path, capsys):
    folder = tmp_path / "harbour-lamp"
    assert cli.main(["new", "--novel", str(folder)]) == 0
    assert "made a new novel" in capsys.readouterr().err
    book = load(folder)
    assert book.title == "Harbour Lamp" and book.long_form
    assert [p.title for p in book.parts] == ["Part One"]
    assert [c.title for c in book.chapters] == ["The Harbour", "The Storm"]
    assert [m.kind for m in book.front_matter + book.back_matter] == ["dedication", "epigraph", "foreword",
                                                                     "acknowledgements"]
    assert book.chapters[0].notes and len(book.photos) == 1
