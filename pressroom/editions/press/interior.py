"""The print edition: an interior and a cover for a printer, from one layout.

The interior is laid out with the inside margin (gutter) the services require
for its page count; when the count moves the book into another bracket of the
gutter table it is laid out again. Chapters start on right-hand pages, the page
count is padded with blank pages to the printer's multiple, every page carries
a TrimBox and a BleedBox exactly ``bleed`` outside it, and the file is PDF/X-4
with an sRGB output intent (the photos are sRGB). The cover is made after the
interior, because its spine width comes from the interior's page count.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, field, replace
from pathlib import Path

from ... import design
from ...cache import cached_render
from ...errors import BuildError, Problem
from ...images import Asset, Target, derive
from ...limits import DEFAULT as DEFAULT_LIMITS, Limits
from ...manuscript import Book
from ...render import STYLES
from ...scripts import pdf_css
from ...staging import Staged, stage
from .. import chapterwise
from ..base import NOTHING, Edition, Geometry, Given, estimated_pages, source_date
from ..pdf import ScreenPDF, book_html, page_css
from ..render_pdf import PendingPDF, jpeg_stand_in, photo_url, render_pdf
from ..twin import ScreenImage
from .color import cmyk_bytes, cmyk_write, color_assets
from .cover import Cover, Jacket, build_cover, build_jacket
from .pagemap import PageMap, PageStart, cache_key, decoded, encoded, remember
from .pdfx import STAND_IN_MARK, Finisher, Placement, css_bleed, photo_uri_map, print_options
from .preflight import check_print
from .services import PT_PER_IN, SAFETY, first_gutter, gutter_for, print_geometry

#: The photos for print: full resolution, the original's own JPEG data where it can pass
#: through (upright sRGB), else a quality-95 JPEG of it.
PRINT_TARGET = Target("print", None, 95, passthrough=True)


@dataclass
class Layout:
    pdf: PendingPDF  # written by build()/write(): the photos are read from their files only then
    pages: int  # after padding
    laid_out: int  # before padding
    gutter: float
    placements: list[Placement] = field(default_factory=list)
    unembedded_fonts: list[str] = field(default_factory=list)
    unsafe_text: list[tuple[int, str]] = field(default_factory=list)  # (page, text) too close to the trim
    page_map: PageMap = PageMap((), 0)  # where each page begins in the body
    screen: chapterwise.Chapterwise | None = None  # the screen PDF's pieces, drawn from this layout


# --------------------------------------------------------------------------
# The interior
# --------------------------------------------------------------------------

class PrintInterior(Edition):
    name = "print"
    suffix = "-print.pdf"
    label = "print edition"  # the interior and its cover
    cover_suffix = "-cover.pdf"
    jacket_suffix = "-jacket.pdf"
    gives = frozenset({"page_map", "screen_pieces"})

    def __init__(self, *, marks: bool = False, strict: bool = False, limits: Limits = DEFAULT_LIMITS):
        super().__init__(limits=limits)
        self.marks = marks
        self.strict = strict
        self._laid: tuple | None = None  # (book, assets, layout): hand-over, preflight and build share one layout
        self._last: tuple | None = None  # (book, assets, layout, cover, jacket)
        self.twin = False  # a long book's screen PDF is drawn from this layout too (alongside)

    def alongside(self, names: set[str]) -> None:
        """With the screen PDF in the build, a long book's is drawn from this layout."""
        self.twin = "pdf" in names

    def geometry(self, book: Book, gutter: float) -> Geometry:
        return print_geometry(book, gutter)

    def targets(self, book: Book) -> list[Target]:
        return [PRINT_TARGET]

    # -- layout ------------------------------------------------------------

    def page_css(self, book: Book, g: Geometry) -> str:
        return page_css(g, bleed=css_bleed(book.print.bleed, self.marks), marks=self.marks, safety=SAFETY) + """
@page { @top-center { vertical-align: bottom; padding-bottom: 12pt; }
        @bottom-center { vertical-align: top; padding-top: 12pt; } }
"""

    def _render(self, book: Book, assets, gutter: float) -> tuple[Layout, Finisher]:
        g = self.geometry(book, gutter)
        assets = color_assets(book, assets)  # CMYK photos for a CMYK book
        html = book_html(book, "print", "print", g, assets)
        stand_ins, files = stand_ins_for(book, assets)
        fin = Finisher(book.print.bleed, book.print.page_multiple, photo_uri_map(book, assets), SAFETY, book=book,
                       files=files)
        sheets = [STYLES / "fonts.css", STYLES / "book.css", STYLES / "print.css"]
        extra, after = self.page_css(book, g) + pdf_css(book, g), design.sheets(book.design, "book")
        photo_bytes = sum(f.stat().st_size for f in {assets[(p.path, "print")].path for p in book.images})
        if chapterwise.one_layout(book) or chapterwise.applies(book, estimated_pages(book, g), photo_bytes):
            lay = self._render_chapterwise(book, assets, gutter, html, sheets, extra, after, stand_ins, fin)
            if lay is not None:  # else its contents did not settle: laid out whole below
                return lay, fin
        pdf = render_pdf(book, html, sheets, extra_css=extra, variant="pdf/x-4", finisher=fin,
                         stand_ins=stand_ins, after_css=after, **print_options())
        placements = [Placement(photo, n, w, h, asset.width / (w / PT_PER_IN), stretched)
                      for n, photo, asset, w, h, stretched in fin.images]
        return Layout(pdf, fin.pages, fin.laid_out, gutter, placements, fin.unembedded, fin.unsafe,
                      PageMap(tuple(fin.starts), fin.pages)), fin

    def _render_chapterwise(self, book: Book, assets, gutter: float, html: str, sheets: list, extra: str,
                            after: list, stand_ins: dict, fin: Finisher) -> Layout | None:
        """A long book's interior laid out chapter by chapter (editions/chapterwise.py), each
        chapter's PDF (its photos in it) from the cache when unchanged; what each piece's
        Finisher read comes back with it, its pages counted from the book's first."""
        images = {id(p): i for i, p in enumerate(book.images)}

        def finisher() -> Finisher:  # one per piece, padding nothing: the merge pads the book
            return Finisher(fin.bleed, 1, fin.by_uri, SAFETY, book=book, files=fin.files)

        def facts(f: Finisher) -> dict:
            return {"images": [[n, images[id(photo)], w, h, asset.width / (w / PT_PER_IN), stretched]
                               for n, photo, asset, w, h, stretched in f.images],
                    "unsafe": f.unsafe, "unembedded": f.unembedded, "starts": [astuple(s) for s in f.starts]}

        twin = None
        if self.twin and chapterwise.one_layout(book):  # the screen PDF, drawn from the same layout
            twin = chapterwise.Twin("screen-twin", screen_images(book, assets, stand_ins))
        # Drawn tagged, made PDF/X: the same drawing as the twin's.
        laid = chapterwise.lay_out(book, html, sheets, kind="print", extra_css=extra, variant="pdf/x-4",
                                   draw_as="pdf/ua-1", twin=twin, after_css=after, two_sided=True,
                                   finisher=finisher, facts=facts, stand_ins=stand_ins, **print_options())
        if laid is None:
            return None
        placements, unsafe, unembedded, starts = [], [], [], []
        for piece, first in zip(laid.pieces, laid.starts):
            shift = first - 1
            f = piece.facts
            placements += [Placement(book.images[i], n + shift, w, h, ppi, stretched)
                           for n, i, w, h, ppi, stretched in f["images"]]
            unsafe += [(n + shift, text) for n, text in f["unsafe"]]
            unembedded += [u for u in f["unembedded"] if u not in unembedded]
            starts += [replace(PageStart(*s), page=s[0] + shift) for s in f["starts"]]
        multiple = max(1, book.print.page_multiple)
        pages = laid.pages + (-laid.pages % multiple)
        pdf = chapterwise.MergedPDF(book, laid, multiple=multiple, tagged=False)
        return Layout(pdf, pages, laid.pages, gutter, placements, unembedded, unsafe, PageMap(tuple(starts), pages),
                      laid.twin() if twin is not None else None)

    def layout(self, book: Book, assets) -> Layout:
        """The interior, laid out with the gutter its (padded) page count needs: first with
        first_gutter(), again when the real count needs another; when that goes round, the
        narrowest gutter that its own page count allows."""
        gutter = self.first_gutter(book)
        tried: dict[float, Layout] = {}
        while True:
            lay, _ = self._render(book, assets, gutter)
            tried[gutter] = lay
            needed = gutter_for(lay.pages)
            if needed == gutter:
                return lay
            if needed in tried:  # going round: the narrowest gutter its own pages allow
                right = [g for g, t in tried.items() if gutter_for(t.pages) <= g]
                return tried[min(right)] if right else tried[max(tried)]
            gutter = needed

    def first_gutter(self, book: Book) -> float:
        """services.first_gutter: the gutter to lay the interior out with first."""
        return first_gutter(book)

    # -- the edition -------------------------------------------------------

    def laid_out(self, book: Book, assets) -> Layout:
        """The interior's layout (laid out once per book)."""
        if self._laid is None or self._laid[0] is not book or self._laid[1] is not assets:
            self._laid = self._last = None  # the previous book's layout is not kept while this one is made
            lay = self.layout(book, assets)
            remember(book, assets, lay.page_map)  # for an EPUB built later on its own (print_page_map)
            self._laid = (book, assets, lay)
        return self._laid[2]

    def made(self, book: Book, assets) -> tuple[Layout, Cover]:
        """The interior's layout and the cover made for its page count (made once per book)."""
        if self._last is None or self._last[0] is not book or self._last[1] is not assets:
            lay = self.laid_out(book, assets)
            printed = color_assets(book, assets)
            cover = build_cover(book, printed, lay.pages, marks=self.marks)
            jacket = build_jacket(book, printed, lay.pages, marks=self.marks) if book.print.jacket else None
            self._last = (book, assets, lay, cover, jacket)
        return self._last[2], self._last[3]

    def hand_over(self, book: Book, assets) -> Given:
        """The interior's page map, for the EPUB's page-list; a long book's screen PDF pieces,
        drawn from this layout (None when it was laid out whole). Only the layout is needed:
        the cover is made after."""
        lay = self.laid_out(book, assets)
        return Given(page_map=lay.page_map, screen_pieces=lay.screen)

    def jacket(self, book: Book, assets) -> Jacket | None:
        """The hardcover's dust jacket (print.jacket), made with the layout; None without one."""
        self.made(book, assets)
        return self._last[4]

    def _files(self, book: Book, assets, cover: Cover) -> list[tuple[str, bytes]]:
        """The cover's file and, for a jacketed hardcover, the jacket's."""
        files = [(book.slug + self.cover_suffix, cover.pdf)]
        jacket = self.jacket(book, assets)
        if jacket is not None:
            files.append((book.slug + self.jacket_suffix, jacket.pdf))
        return files

    def _checked(self, book: Book, assets):
        errors = [p for p in self.preflight(book, assets) if p.severity == "error"]
        if errors:
            raise BuildError(errors)
        return self.made(book, assets)

    def build(self, book: Book, assets, given: Given = NOTHING) -> dict[str, bytes]:
        lay, cover = self._checked(book, assets)
        interior = lay.pdf.bytes()
        if book.print.color == "cmyk":
            interior = cmyk_bytes(book, interior, "interior", interior_title(book), source_date().isoformat())
        return {self.filename(book): interior, **dict(self._files(book, assets, cover))}

    def write(self, book: Book, assets, folder: Path, given: Given = NOTHING) -> Staged:
        """The interior streamed to its file, photo after photo (never whole in memory), and its cover.
        A CMYK interior is streamed to a temporary file and converted from it (color.cmyk_write)."""
        lay, cover = self._checked(book, assets)
        interior = lay.pdf.write
        if book.print.color == "cmyk":
            created = source_date().isoformat()
            interior = lambda out: cmyk_write(book, lay.pdf.write, out, "interior",  # noqa: E731
                                              interior_title(book), created)
        return stage(folder, [(self.filename(book), interior), *self._files(book, assets, cover)])

    def preflight(self, book: Book, assets) -> list[Problem]:
        lay, cover = self.made(book, assets)
        return list(book.design.warnings) + check_print(book, lay, cover, strict=self.strict,
                                                        jacket=self.jacket(book, assets))


def interior_title(book: Book) -> str:
    """The interior's document title, as WeasyPrint gives it (title: subtitle)."""
    return f"{book.title}: {book.subtitle}" if book.subtitle else book.title


def stand_ins_for(book: Book, assets) -> tuple[dict[str, bytes], dict[bytes, tuple[Path, bytes]]]:
    """({URL: stand-in}, {stand-in: (file, token)}) for the photos' print JPEGs: WeasyPrint
    lays the interior out from each JPEG's header alone (render_pdf.jpeg_stand_in), and
    the Finisher puts the file in its place, read only while the PDF is written: a
    book of hundreds of camera files never sits in memory."""
    stand_ins: dict[str, bytes] = {}
    files: dict[bytes, tuple[Path, bytes]] = {}
    for p in book.images:
        asset = assets[(p.path, "print")]
        url = photo_url(asset.path)
        if url in stand_ins or asset.media_type != "image/jpeg":
            continue
        token = STAND_IN_MARK + asset.path.name.encode()  # the cache's name: from the photo's digest
        data = jpeg_stand_in(asset.path, token)
        if data is not None:
            stand_ins[url] = data
            files[data] = (asset.path, token)
    return stand_ins, files


def screen_images(book: Book, assets, stand_ins: dict[str, bytes]) -> dict[bytes, ScreenImage]:
    """{print photo's stand-in: the screen derivative drawn in its place} for a screen PDF
    drawn from the print layout (chapterwise.Twin): the one the screen PDF sizes for where
    the photo is placed (ScreenPDF.sized, the largest when a file is placed twice)."""
    from PIL import Image

    screen = ScreenPDF(limits=DEFAULT_LIMITS)
    sized = screen.sized(book, screen.geometry(book), assets)
    chosen: dict[bytes, Asset] = {}
    for p in book.photos:
        data = stand_ins.get(photo_url(assets[(p.path, "print")].path))
        a = sized.get((p.path, f"screen@{p.number}")) or sized.get((p.path, "screen"))
        if data is None or a is None or not a.path.is_file():
            continue
        if data not in chosen or a.width * a.height > chosen[data].width * chosen[data].height:
            chosen[data] = a
    out = {}
    for data, a in chosen.items():
        with Image.open(a.path) as im:
            space = "/DeviceGray" if im.mode in ("L", "LA", "1") else "/DeviceRGB"
        out[data] = ScreenImage(str(a.path), a.width, a.height, space)
    return out


def print_page_map(book: Book, assets, limits: Limits = DEFAULT_LIMITS) -> PageMap:
    """The print interior's page map for the EPUB's page-list when no print edition of
    this build hands it over: kept in the cache by an earlier build, else laid out now
    (correct, but it costs a print rendering; the print derivatives are made, or taken
    from the cache, when ``assets`` lacks them)."""
    interior = PrintInterior(limits=limits)
    if any((p.path, "print") not in assets for p in book.images):
        assets = {**assets, **derive(list(book.images), interior.targets(book), limits=limits)}

    def lay_out() -> tuple[bytes, dict]:
        return encoded(interior.layout(book, assets).page_map), {}

    data, _ = cached_render("pagemap.json", cache_key(book, assets), lay_out)
    return decoded(data)
