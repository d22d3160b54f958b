"""Contract tests: every internal API of another library that pressroom relies on
(pressroom/adapters/) is in the installed version. An upgrade that removes one fails
here, naming the attribute, instead of as a generic "PDF rendering failed"."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from pressroom.adapters import AdapterError, missing, unsupported

ADAPTERS = ["weasyprint", "pydyf", "pyphen", "ebooklib"]
PYPROJECT = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()


@pytest.mark.parametrize("library", ADAPTERS)
def test_the_installed_library_has_every_internal_pressroom_uses(library):
    adapter = importlib.import_module(f"pressroom.adapters.{library}")
    gone = missing(adapter.CONTRACT)
    assert not gone, f"{library} no longer has: {', '.join(gone)} (see pressroom/adapters/{library}.py)"
    adapter.check()  # the run-time guard agrees


@pytest.mark.parametrize("library", ADAPTERS)
def test_pyproject_bounds_each_adapted_library_as_the_adapter_says(library):
    adapter = importlib.import_module(f"pressroom.adapters.{library}")
    line = next((ln for ln in PYPROJECT.splitlines() if re.match(rf'\s*"{library}[<>=]', ln, re.I)), None)
    assert line is not None, f"pyproject.toml does not declare {library}"
    assert adapter.SUPPORTED.replace(" ", "") in line.replace(" ", ""), (line, adapter.SUPPORTED)
    upper = re.search(r"<\s*([\d.]+)", adapter.SUPPORTED)
    assert upper, f"{library}: no upper bound"


def test_a_missing_internal_is_named():
    assert missing([("weasyprint.pdf", "no_such_function"), ("pressroom_no_such_module", "x")]) == [
        "weasyprint.pdf:no_such_function", "pressroom_no_such_module (module)"]
    e = unsupported("weasyprint", "99.0", "weasyprint.pdf:generate_pdf", ">=70,<71")
    assert isinstance(e, AdapterError)
    assert "weasyprint 99.0 lacks weasyprint.pdf:generate_pdf" in str(e) and "weasyprint>=70,<71" in str(e)


def test_a_removed_weasyprint_internal_is_a_clear_build_error(monkeypatch, tmp_path):
    """The render path reports the missing attribute, not an AttributeError."""
    from weasyprint.pdf import metadata

    from pressroom.adapters import weasyprint as adapter

    monkeypatch.delattr(metadata, "uuid4")
    with pytest.raises(AdapterError, match=r"weasyprint .* lacks weasyprint.pdf.metadata.uuid4"):
        with adapter.stable_uuids("seed"):
            pass


def test_weasyprint_reads_fail_on_errors_from_every_fetcher():
    """urls.fetch asks each url_fetcher for _fail_on_errors; FetcherBase answers it."""
    import inspect

    from weasyprint.urls import URLFetcher, fetch

    from pressroom.adapters.weasyprint import FetcherBase

    assert "url_fetcher._fail_on_errors" in inspect.getsource(fetch)
    assert hasattr(URLFetcher(), "_fail_on_errors")
    assert FetcherBase._fail_on_errors is False


def test_page_boxes_reads_a_real_layout():
    from weasyprint import HTML

    from pressroom.adapters.weasyprint import box_types, page_boxes, walk

    doc = HTML(string="<p>one</p><p style='break-before: page'>two</p>").render()
    boxes = page_boxes(doc)
    assert len(boxes) == 2
    _, TextBox, _ = box_types()
    texts = [[b.text for b in walk(page) if isinstance(b, TextBox)] for page in boxes]
    assert texts == [["one"], ["two"]]


def test_the_epub_writer_writes_our_metadata(tmp_path):
    import io
    import zipfile

    from ebooklib import epub

    from pressroom.adapters.ebooklib import writer

    book = epub.EpubBook()
    book.set_identifier("id")
    page = epub.EpubHtml(title="t", file_name="t.xhtml", content="<html><body><p>x</p></body></html>")
    book.add_item(page)
    book.spine = [page]
    book.add_item(epub.EpubNav())
    buf = io.BytesIO()
    w = writer(buf, book, {"raise_exceptions": True}, "fr",
               [("dc:title", {"id": "t"}, "Titre"), ("meta", {"property": "dcterms:modified"}, "2026-01-01T00:00:00Z")])
    w.process()
    w.write()
    opf = next(zipfile.ZipFile(io.BytesIO(buf.getvalue())).read(n) for n in zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
               if n.endswith(".opf")).decode()
    assert 'xml:lang="fr"' in opf and ">Titre</dc:title>" in opf and "dcterms:modified" in opf


def test_pyphen_patterns_preload_like_pyphen_parses_them(tmp_path):
    import pyphen

    from pressroom.adapters import pyphen as adapter

    path = adapter.patterns_file("de")
    made = {}

    def cache(kind, key, make):
        if key not in made:
            made[key] = make()
        return made[key]

    pyphen.hdcache.pop(path, None)
    adapter.preload(path, cache)  # parsed by pyphen, kept as JSON
    parsed = pyphen.hdcache.pop(path)
    adapter.preload(path, cache)  # built from the JSON, not parsed
    rebuilt = pyphen.hdcache[path]
    assert rebuilt is not parsed
    word = "Donaudampfschifffahrt"
    assert rebuilt.positions(word) == parsed.positions(word)


def test_kept_page_references_change_no_byte(tmp_path, monkeypatch):
    """pydyf's page references, kept between WeasyPrint's calls while a PDF is generated
    (adapters.pydyf.kept_page_references), give the bytes pydyf's own property gives: a
    tagged PDF/UA book with links and photos, rendered both ways."""
    import contextlib
    import io

    import pikepdf
    import pydyf

    from bookmaker import make_book
    from pressroom.adapters import weasyprint as adapter
    from pressroom.editions.pdf import ScreenPDF, book_html, page_css
    from pressroom.editions.render_pdf import write_pdf
    from pressroom.images import derive
    from pressroom.manuscript import load
    from pressroom.render import STYLES

    original = pydyf.PDF.__dict__["page_references"]
    make_book(tmp_path / "book", photos=3, size=(300, 200))
    book = load(tmp_path / "book")
    ed = ScreenPDF()
    assets = derive(list(book.images), ed.targets(book), jobs=1)
    g = ed.geometry(book)
    html = book_html(book, "screen", "screen", g, assets)

    def render() -> bytes:
        return write_pdf(book, html, [STYLES / "fonts.css", STYLES / "book.css", STYLES / "screen.css"],
                         extra_css=page_css(g), variant="pdf/ua-1")

    kept = render()
    assert pydyf.PDF.__dict__["page_references"] is original  # put back after
    monkeypatch.setattr(adapter, "kept_page_references", contextlib.nullcontext)
    assert render() == kept
    with pikepdf.open(io.BytesIO(kept)) as pdf:
        assert len(pdf.pages) > 3 and "/StructTreeRoot" in pdf.Root
        assert any("/Annots" in p.obj for p in pdf.pages)  # the contents' links point at pages


def _generated(tmp_path, html: str, variant: str = "pdf/ua-1"):
    """(LaidOut, PendingPDF) of ``html`` as pressroom lays a book's pages out and draws them."""
    from bookmaker import make_book
    from pressroom.editions import render_pdf as rp
    from pressroom.manuscript import load

    make_book(tmp_path / "book", photos=0)
    book = load(tmp_path / "book")
    styles = rp.Styles(book, [], "")
    laid = rp.lay_out(book, html, styles, variant=variant, output_intent="srgb")
    return laid, laid.generate(variant, created="2000-01-01T00:00:00Z")


PAGES = ("<html lang='en'><head><title>T</title><style>@page { size: 300pt 400pt; "
         "@bottom-center { content: counter(page) } }</style></head><body>"
         + "".join(f"<h1>Part {i}</h1><p>{'Words in a row. ' * 60}</p>" for i in range(4)) + "</body></html>")


def test_pagination_artifacts_marked_in_pydyfs_items_leave_every_other_mcid_reached(tmp_path):
    """adapters.pydyf.mark_pagination_artifacts: WeasyPrint's folios (margin boxes) become
    /Artifact /Pagination, every other marked-content id is reached from the structure tree."""
    import io

    import pikepdf

    from pdfread import reached_mcids
    from pressroom.adapters.pydyf import mark_pagination_artifacts

    _, pending = _generated(tmp_path, PAGES)
    assert mark_pagination_artifacts(pending.pdf) >= 3  # a folio a page
    with pikepdf.open(io.BytesIO(pending.bytes())) as pdf:
        reached = reached_mcids(pdf)
        artifacts = 0
        for page in pdf.pages:
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "BDC" and operands[0] == "/Artifact":
                    artifacts += operands[1].get("/Type") == "/Pagination"
                elif str(op) == "BDC":
                    assert (page.obj.objgen, int(operands[1].MCID)) in reached
        assert artifacts >= len(pdf.pages)


def test_streams_compressed_once_read_back_as_pydyf_writes_them(tmp_path):
    """adapters.pydyf.compress_streams: the same content, decoded, as pydyf's own compression;
    the PDF written twice after it gives the same bytes."""
    import io

    import pikepdf

    from pressroom.adapters.pydyf import compress_streams

    _, own = _generated(tmp_path / "a", PAGES)
    _, once = _generated(tmp_path / "b", PAGES)
    compress_streams(once.pdf)
    first = once.bytes()
    assert once.bytes() == first
    with pikepdf.open(io.BytesIO(own.bytes())) as a, pikepdf.open(io.BytesIO(first)) as b:
        assert len(a.pages) == len(b.pages) > 1
        for pa, pb in zip(a.pages, b.pages):
            assert pa.obj.Contents.read_bytes() == pb.obj.Contents.read_bytes()


def test_a_drawing_restamped_claims_the_other_variant(tmp_path):
    """adapters.weasyprint.restamp: a drawing made as PDF/UA-1, restamped PDF/X-4, carries
    PDF/X's identification in its XMP and version 1.6."""
    import io

    import pikepdf

    laid, pending = _generated(tmp_path, PAGES)
    laid.restamp(pending, "pdf/x-4")
    assert pending.version in ("1.6", b"1.6")
    with pikepdf.open(io.BytesIO(pending.bytes())) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
        assert "pdfuaid:part" not in meta
        assert pdf.pdf_version == "1.6"
