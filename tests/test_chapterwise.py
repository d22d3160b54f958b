"""A long book laid out chapter by chapter (editions/chapterwise.py, issue 16): the same
pages, navigation, tags and folios as the whole layout, and an edit lays out only the
chapter edited."""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import ImageChops

from bookmaker import make_novel
from pdfread import page_texts, reached_mcids, struct_elements
from pressroom.cli import main
from pressroom.editions import chapterwise
from pressroom.editions.pdf import ScreenPDF
from pressroom.editions.press.interior import PrintInterior
from pressroom.images import derive
from pressroom.manuscript import load

pytestmark = pytest.mark.slow

SLUG = "the-lamp-at-the-harbour"


MODES = ("whole", "chapterwise", "one-layout")


def build_both(folder: Path, out: Path, monkeypatch, mode: str) -> dict[str, Path]:
    """Every edition of ``folder``: laid out whole (``mode`` "whole"), chapter by chapter
    with a screen PDF laid out on its own ("chapterwise"), or chapter by chapter with the
    screen PDF drawn from the print interior's layout ("one-layout", a long book's way)."""
    with monkeypatch.context() as mp:
        mp.setattr(chapterwise, "MIN_PAGES", 10**9 if mode == "whole" else 0)
        mp.setattr(chapterwise, "ONE_LAYOUT", mode == "one-layout")
        assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 0
    return {"pdf": out / f"{SLUG}.pdf", "print": out / f"{SLUG}-print.pdf", "epub": out / f"{SLUG}.epub"}


@pytest.fixture(scope="module")
def novel(tmp_path_factory):
    """A three-part novel with notes, sections, cross-references, matter and a photo, built
    whole and chapter by chapter: (folder, {mode: {edition: path}})."""
    folder = make_novel(tmp_path_factory.mktemp("cw") / "novel", parts=3, chapters_per_part=2, paragraphs=24,
                        notes=3)
    built = {}
    with pytest.MonkeyPatch.context() as mp:
        for mode in MODES:
            built[mode] = build_both(folder, tmp_path_factory.mktemp(mode), mp, mode)
    return folder, built


def navigation(path: Path) -> dict:
    """Outline (depth, title, page, place), named destinations, links (page, target,
    description), page labels, and the structure tree's element kinds in order."""
    with pikepdf.open(path) as pdf:
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}

        def place(dest):
            return index[dest[0].objgen], [round(float(v), 1) for v in list(dest)[2:4]]

        outline = []
        with pdf.open_outline() as o:
            def walk(items, depth):
                for item in items:
                    outline.append((depth, item.title, place(item.destination), item.is_closed))
                    walk(item.children, depth + 1)
            walk(o.root, 0)
        dests = {}
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            flat = pdf.Root.Names.Dests.Names
            dests = {str(flat[i]): place(flat[i + 1]) for i in range(0, len(flat), 2)}
        links = [(i, str(a.get("/Dest", "")) or str(a.A.URI), str(a.get("/Contents", "")))
                 for i, page in enumerate(pdf.pages) for a in page.obj.get("/Annots", [])]
        labels = repr(pdf.Root.get("/PageLabels"))
        kinds = [str(e.S) for e in struct_elements(pdf)] if "/StructTreeRoot" in pdf.Root else []
        return {"outline": outline, "dests": dests, "links": links, "labels": labels, "tags": kinds}


LAID_BY_CHAPTER = [("pdf", "chapterwise"), ("print", "chapterwise"), ("print", "one-layout")]


@pytest.mark.parametrize("edition,mode", LAID_BY_CHAPTER)
def test_chapter_by_chapter_gives_the_same_pages_as_the_whole_layout(novel, edition, mode):
    _, built = novel
    whole, pieces = built["whole"][edition], built[mode][edition]
    assert page_texts(whole) == page_texts(pieces)
    a, b = pdfium.PdfDocument(str(whole)), pdfium.PdfDocument(str(pieces))
    differ = [i + 1 for i in range(len(a))
              if ImageChops.difference(a[i].render(scale=0.5).to_pil().convert("RGB"),
                                       b[i].render(scale=0.5).to_pil().convert("RGB")).getbbox()]
    assert differ == []


@pytest.mark.parametrize("edition,mode", LAID_BY_CHAPTER)
def test_outline_destinations_links_labels_and_tags_survive_the_merge(novel, edition, mode):
    _, built = novel
    whole, pieces = navigation(built["whole"][edition]), navigation(built[mode][edition])
    assert pieces == whole
    if edition == "pdf":
        assert [d for d, *_ in pieces["outline"]].count(1) >= 6  # chapters nested under their parts
        internal = [t for _, t, _ in pieces["links"] if not t.startswith(("http", "mailto"))]
        assert internal and all(t in pieces["dests"] for t in internal)  # every link leads somewhere
        assert "/Link" in pieces["tags"] and "/Note" in pieces["tags"]


def without_pages(nav: dict) -> dict:
    """What navigation() found, without where (the pages differ between two layouts): the
    kinds of structure element, and in order those a page break does not split (a paragraph,
    a section, a note area split by one are two elements)."""
    whole = ("/H1", "/H2", "/H3", "/H4", "/Note", "/Link", "/Figure", "/Caption", "/Table")
    return {"outline": [(d, t, closed) for d, t, _, closed in nav["outline"]], "dests": sorted(nav["dests"]),
            "links": [(t, d) for _, t, d in nav["links"]],
            "tags": (sorted(set(nav["tags"])), [t for t in nav["tags"] if t in whole])}


def test_a_long_books_screen_pdf_is_its_print_interiors_layout(novel):
    """One layout, two PDFs: the screen PDF has the print interior's pages (the same text on
    each, blank pages included, the page multiple's last ones excepted), cut to the trim,
    and the same pixels where no photo is; it keeps the links, outline, labels and tags
    of a screen PDF laid out on its own."""
    _, built = novel
    screen, printed = built["one-layout"]["pdf"], built["one-layout"]["print"]
    texts, print_texts = page_texts(screen), page_texts(printed)
    assert texts == print_texts[:len(texts)] and not "".join(print_texts[len(texts):]).strip()
    assert sum(1 for t in texts if not t.strip()) >= 3  # parts and chapters open on rectos
    with pikepdf.open(screen) as pdf:
        assert all(list(pg.MediaBox) == list(pg.TrimBox) for pg in pdf.pages)
        images = {i: [x for x in pg.Resources.get("/XObject", {}).values() if x.get("/Subtype") == "/Image"]
                  for i, pg in enumerate(pdf.pages)}
        photos = {i for i, pg in enumerate(pdf.pages) if images[i] and any(
            str(op) == "Do" for _, op in pikepdf.parse_content_stream(pg))}  # the pages that draw one
        assert len(photos) == 1  # the novel's photo, its screen derivative: smaller than the print file
        assert all(int(x.Width) < 1600 for i in photos for x in images[i])
    with pikepdf.open(printed) as pdf:
        bleed = round(float(pdf.pages[0].TrimBox[0]) - float(pdf.pages[0].MediaBox[0]))  # 9pt: 1/8in
    a, b = pdfium.PdfDocument(str(screen)), pdfium.PdfDocument(str(printed))
    differ = []
    for i in range(len(a)):
        if i in photos:
            continue
        mine = a[i].render(scale=1).to_pil().convert("RGB")  # one pixel a point: the bleed cut off exactly
        theirs = b[i].render(scale=1).to_pil().convert("RGB")
        theirs = theirs.crop((bleed, bleed, theirs.width - bleed, theirs.height - bleed))
        if ImageChops.difference(mine, theirs).getbbox():
            differ.append(i + 1)
    assert differ == []
    alone = navigation(built["chapterwise"]["pdf"])
    mine = navigation(screen)
    assert without_pages(mine) == without_pages(alone)
    assert mine["labels"] != "None" and "/r" in mine["labels"]  # roman front matter, then arabic


@pytest.mark.parametrize("mode", ["chapterwise", "one-layout"])
def test_the_merged_screen_pdf_is_one_valid_tagged_document(novel, mode):
    """One structure tree: every marked-content id of every page reached from it or an
    artifact, one parent tree entry per page and annotation, each font embedded once."""
    _, built = novel
    with pikepdf.open(built[mode]["pdf"]) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 and root.K[0].S == "/Document"
        for e in struct_elements(pdf):  # each element's parent is the element it hangs from
            for k in e.get("/K", []):
                if isinstance(k, pikepdf.Dictionary) and "/S" in k:
                    assert k.P.objgen == e.objgen
        reached = reached_mcids(pdf)
        pages = {p.objgen for p in (pg.obj for pg in pdf.pages)}
        assert {objgen for objgen, _ in reached} <= pages
        for page in pdf.pages:
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "BDC" and operands[0] != "/Artifact":
                    assert (page.obj.objgen, int(operands[1].MCID)) in reached
        nums = root.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys)) and int(root.ParentTreeNextKey) == keys[-1] + 1
        faces = {}
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                faces.setdefault(str(font.BaseFont), set()).add(font.objgen)
        assert faces and all(len(objs) == 1 for objs in faces.values()), faces


def test_an_edit_lays_out_only_its_chapter_and_gives_the_bytes_of_a_fresh_build(tmp_path, monkeypatch):
    """Rebuilt after a one-word edit, only the edited chapter is laid out again (one new
    piece per PDF); the files are byte for byte those of a build with an empty cache."""
    folder = make_novel(tmp_path / "novel", parts=2, chapters_per_part=3, paragraphs=16, notes=1, photo=False)
    monkeypatch.setattr(chapterwise, "MIN_PAGES", 0)
    out = tmp_path / "out"
    assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 0
    renders = Path(os.environ["XDG_CACHE_HOME"]) / "pressroom" / "renders"

    def pieces() -> set[Path]:
        return set(renders.glob("*-piece-pdf/*.pdf"))

    before = pieces()
    chapter = folder / "chapters" / "04.md"
    text = chapter.read_text(encoding="utf-8")
    word = text.split()[12]
    chapter.write_text(text.replace(f" {word} ", " lantern ", 1), encoding="utf-8")
    assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 0
    new = pieces() - before
    # One layout, two PDFs: the print interior's piece and the screen PDF's drawn from it.
    assert sorted(p.parent.name for p in new) == ["print-piece-pdf", "screen-twin-piece-pdf"]

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    fresh = tmp_path / "fresh"
    assert main(["all", "--book", str(folder), "--out", str(fresh), "-q"]) == 0
    for f in sorted(fresh.iterdir()):
        assert (out / f.name).read_bytes() == f.read_bytes(), f.name


def test_a_chapter_that_grows_moves_the_folios_after_it(tmp_path, monkeypatch):
    """A chapter given a page more: the chapters after it are laid out again with their new
    folios, and the contents says so, as the whole layout does."""
    folder = make_novel(tmp_path / "novel", parts=1, chapters_per_part=4, paragraphs=10, notes=0, photo=False)
    book_before = load(folder)
    e = ScreenPDF()
    monkeypatch.setattr(chapterwise, "MIN_PAGES", 0)
    monkeypatch.setattr(chapterwise, "ONE_LAYOUT", False)  # the screen PDF laid out on its own
    e.build(book_before, {})
    chapter = folder / "chapters" / "02.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n" + "More words at the end. " * 400 + "\n",
                       encoding="utf-8")
    book = load(folder)
    pieces = e.build(book, {})[f"{SLUG}.pdf"]
    monkeypatch.setattr(chapterwise, "MIN_PAGES", 10**9)
    whole = e.build(book, {})[f"{SLUG}.pdf"]
    (tmp_path / "a.pdf").write_bytes(pieces)
    (tmp_path / "b.pdf").write_bytes(whole)
    assert page_texts(tmp_path / "a.pdf") == page_texts(tmp_path / "b.pdf")


def test_a_short_book_is_laid_out_whole(tmp_path, monkeypatch):
    """Below MIN_PAGES the book is one layout: nothing goes to the piece cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_novel(tmp_path / "novel", parts=1, chapters_per_part=2, paragraphs=4, notes=0, photo=False)
    book = load(folder)
    e = PrintInterior()
    e.build(book, derive(list(book.images), e.targets(book)))
    renders = Path(os.environ["XDG_CACHE_HOME"]) / "pressroom" / "renders"
    assert not list(renders.glob("print-piece-pdf/*"))


@pytest.mark.parametrize("change", [("language: en", "language: ar"), ("language: en", "language: ja"),
                                    ("toc_depth: 2", "toc_depth: 2\ndesign:\n  theme: novel")],
                         ids=["rtl", "cjk", "novel-theme"])
def test_right_to_left_cjk_and_a_theme_lay_out_the_same_by_chapter(tmp_path, monkeypatch, change):
    """Mirrored spreads (the recto on the left), a CJK book's rules and a theme's running
    heads on facing pages and drop caps: the same pages either way."""
    folder = make_novel(tmp_path / "novel", parts=2, chapters_per_part=2, paragraphs=12, notes=1)
    yaml = folder / "book.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    built = {mode: build_both(folder, tmp_path / mode, monkeypatch, mode) for mode in MODES}
    for edition, mode in LAID_BY_CHAPTER:
        assert page_texts(built["whole"][edition]) == page_texts(built[mode][edition]), (edition, mode)
        assert navigation(built["whole"][edition]) == navigation(built[mode][edition]), (edition, mode)
    screen = page_texts(built["one-layout"]["pdf"])
    assert screen == page_texts(built["one-layout"]["print"])[:len(screen)]
    assert without_pages(navigation(built["one-layout"]["pdf"])) == without_pages(
        navigation(built["chapterwise"]["pdf"]))


def test_a_print_interior_heavy_with_photos_is_laid_out_whole(tmp_path, monkeypatch):
    """Merging pieces copies their photos through memory: over MAX_PHOTO_BYTES of photos
    the print interior keeps the whole layout, which streams each photo from its file;
    the screen PDF (photos sized for screens) is still laid out by chapter, on its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_novel(tmp_path / "novel", parts=1, chapters_per_part=3, paragraphs=4, notes=0, photo=True)
    monkeypatch.setattr(chapterwise, "MIN_PAGES", 0)
    monkeypatch.setattr(chapterwise, "MAX_PHOTO_BYTES", 1000)
    assert main(["pdf", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert main(["print", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    renders = tmp_path / "cache" / "pressroom" / "renders"
    assert list(renders.glob("screen-piece-pdf/*.pdf")) and not list(renders.glob("print-piece-pdf/*"))


def test_the_epub_page_list_follows_the_same_print_pages(novel):
    """The EPUB's page-list comes from the print interior's page map: read from the pieces,
    counted from the book's first page, it is the whole layout's, so the EPUB is the same
    file byte for byte."""
    _, built = novel
    assert built["whole"]["epub"].read_bytes() == built["chapterwise"]["epub"].read_bytes()
    assert built["whole"]["epub"].read_bytes() == built["one-layout"]["epub"].read_bytes()


@pytest.mark.parametrize("rule", ["@page :first { @bottom-center { content: '*'; } }",
                                  ".chapter.in-part { break-before: page; }",
                                  "h2 { counter-increment: chapter; }"])
def test_a_book_css_that_a_chapter_alone_cannot_honour_is_laid_out_whole(tmp_path, monkeypatch, rule):
    """An author's rule on the first page, on where chapters break, or on counters would
    come out otherwise in a chapter laid out alone: such a book is laid out whole."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_novel(tmp_path / "novel", parts=1, chapters_per_part=3, paragraphs=4, notes=0, photo=False,
                        extra_yaml="design:\n  css: styles/book.css\n")
    (folder / "styles").mkdir()
    (folder / "styles" / "book.css").write_text("/* mine */\n" + rule + "\n", encoding="utf-8")
    monkeypatch.setattr(chapterwise, "MIN_PAGES", 0)
    assert main(["pdf", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert not list((tmp_path / "cache" / "pressroom" / "renders").glob("*-piece-pdf/*"))
    (folder / "styles" / "book.css").write_text("p { text-indent: 1.5em; }\n", encoding="utf-8")
    assert main(["pdf", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert list((tmp_path / "cache" / "pressroom" / "renders").glob("*-piece-pdf/*"))


@pytest.mark.parametrize("how", ["fails", "hangs"])
def test_a_piece_whose_drawing_process_fails_is_drawn_by_the_build_itself(tmp_path, monkeypatch, how):
    """Each piece is drawn by a forked process (chapterwise._Drawings); one that dies before
    writing its piece leaves nothing in the cache, and one that hangs (a fork can inherit a
    lock Pango's fontconfig thread held: it waits for ever) is killed once it has used no
    CPU for chapterwise.STALL seconds; either way the build draws that piece itself: the
    same files as a build whose drawing processes all succeeded."""
    import time

    folder = make_novel(tmp_path / "novel", parts=1, chapters_per_part=3, paragraphs=6, notes=1, photo=True)
    monkeypatch.setattr(chapterwise, "MIN_PAGES", 0)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    assert main(["all", "--book", str(folder), "--out", str(tmp_path / "ok"), "-q"]) == 0
    parent = os.getpid()
    died = tmp_path / "died"
    died.mkdir()

    def breaks_in_the_child(increment: int) -> int:
        if os.getpid() != parent:
            (died / str(os.getpid())).touch()
            if how == "hangs":
                time.sleep(3600)  # no CPU used: taken for stuck
            raise OSError("a drawing process that fails")
        return 0

    monkeypatch.setattr(os, "nice", breaks_in_the_child)
    monkeypatch.setattr(chapterwise, "STALL", 0.5)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    assert main(["all", "--book", str(folder), "--out", str(tmp_path / "failed"), "-q"]) == 0
    assert len(list(died.iterdir())) >= 5  # front, part, three chapters, back matter: each child died
    for f in sorted((tmp_path / "ok").iterdir()):
        assert (tmp_path / "failed" / f.name).read_bytes() == f.read_bytes(), f.name
