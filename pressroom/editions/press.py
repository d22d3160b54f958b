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

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BuildError, Location, Problem
from ..images import Asset, Target
from ..manuscript import Book, Photo
from ..render import STYLES
from ..staging import Staged, stage
from .base import Edition, Geometry, PendingPDF, file_image, jpeg_stand_in, photo_url, render_pdf
from .pagemap import PageStart, page_starts, remember
from .pdf import book_html, page_css

PT_PER_IN = 72.0
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px

#: Text, page numbers and captions stay this far inside the trim on every page
#: (IngramSpark and Lulu ask for 0.5in; KDP for 0.25in, 0.375in with bleed).
SAFETY = 0.5 * PT_PER_IN

#: The gutter added to the inside margin, by page count (KDP's table; the
#: strictest of the three services). (last page count of the bracket, gutter in points)
GUTTER_TABLE: tuple[tuple[int, float], ...] = (
    (150, 0.375 * PT_PER_IN),
    (300, 0.5 * PT_PER_IN),
    (500, 0.625 * PT_PER_IN),
    (700, 0.75 * PT_PER_IN),
    (10**9, 0.875 * PT_PER_IN),
)

#: The photos for print: full resolution, the original's own JPEG data where it can pass
#: through (upright sRGB), else a quality-95 JPEG of it.
PRINT_TARGET = Target("print", None, 95, passthrough=True)

#: The recommended bleed; the services reject less on full-bleed pages.
STANDARD_BLEED = 0.125 * PT_PER_IN

#: Page counts the services accept for a paperback (KDP 24-828; Lulu's perfect binding starts at 32).
MIN_PAGES = 24
MAX_PAGES = 828

#: Effective resolution where a photo is placed: below WARN_PPI a warning,
#: below LOW_PPI a warning that --strict makes an error.
WARN_PPI = 300
LOW_PPI = 150


def gutter_for(pages: int) -> float:
    """The gutter (points) for a book of ``pages`` pages."""
    for last, gutter in GUTTER_TABLE:
        if pages <= last:
            return gutter
    return GUTTER_TABLE[-1][1]


def manuscript_name(book: Book) -> str:
    """The manuscript's path as the user's messages show it."""
    for ch in book.chapters:
        return ch.where.file
    return str(book.source)


# --------------------------------------------------------------------------
# What a layout tells: page count, where each photo went, fonts, text
# --------------------------------------------------------------------------

@dataclass
class Placement:
    """A photo as placed on a page: its size there and its effective resolution."""

    photo: Photo
    page: int  # 1-based
    width: float  # points, the size the whole image is drawn at (before clipping)
    height: float
    ppi: float
    stretched: bool  # drawn at another aspect ratio than its pixels'


@dataclass
class Layout:
    pdf: PendingPDF  # written by build()/write(): the photos are read from their files only then
    pages: int  # after padding
    laid_out: int  # before padding
    gutter: float
    placements: list[Placement] = field(default_factory=list)
    unembedded_fonts: list[str] = field(default_factory=list)
    unsafe_text: list[tuple[int, str]] = field(default_factory=list)  # (page, text) too close to the trim
    page_map: list[PageStart] = field(default_factory=list)  # where each page begins in the body


def _walk(box):
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _walk(child)


def _abs_pages(document):
    return [page._page_box for page in document.pages]  # noqa: SLF001  (WeasyPrint 70's layout)


def placed_images(page_box, by_uri: dict[str, tuple[Photo, Asset]]) -> list[tuple[Photo, Asset, float, float, bool]]:
    """(photo, asset, drawn width pt, drawn height pt, stretched) for each photo on a page."""
    from weasyprint.formatting_structure.boxes import ReplacedBox

    out = []
    for box in _walk(page_box):
        if not isinstance(box, ReplacedBox) or box.element is None:
            continue
        hit = by_uri.get(box.element.get("src", ""))
        if hit is None:
            continue
        photo, asset = hit
        bw, bh = box.width * PX_TO_PT, box.height * PX_TO_PT
        if bw <= 0 or bh <= 0:
            continue
        fit = box.style["object_fit"]
        sx, sy = bw / asset.width, bh / asset.height
        if fit == "cover":
            s = max(sx, sy)
            sx = sy = s
        elif fit in ("contain", "scale-down"):
            s = min(sx, sy)
            if fit == "scale-down":
                s = min(s, PX_TO_PT)
            sx = sy = s
        elif fit == "none":
            sx = sy = PX_TO_PT
        out.append((photo, asset, asset.width * sx, asset.height * sy, abs(sx / sy - 1) > 0.01))
    return out


def unsafe_text(page_box, safety: float) -> list[str]:
    """Text on a page that comes closer than ``safety`` points to the trim."""
    from weasyprint.formatting_structure.boxes import TextBox

    w = page_box.margin_width() * PX_TO_PT
    h = page_box.margin_height() * PX_TO_PT
    tol = 0.5
    out = []
    for box in _walk(page_box):
        if not isinstance(box, TextBox) or not box.text.strip():
            continue
        x, y = box.position_x * PX_TO_PT, box.position_y * PX_TO_PT
        bw, bh = box.width * PX_TO_PT, box.height * PX_TO_PT
        if x < safety - tol or y < safety - tol or x + bw > w - safety + tol or y + bh > h - safety + tol:
            out.append(box.text.strip())
    return out


class Finisher:
    """Runs on WeasyPrint's PDF before it is written: reads the layout, pads the
    page count, sets every page's BleedBox to exactly ``bleed`` outside its
    TrimBox (WeasyPrint keeps it within 10pt of the trim) and drops link
    annotations (PDF/X allows none on the printed area)."""

    def __init__(self, bleed: float, multiple: int = 1, by_uri: dict | None = None, safety: float | None = None,
                 book: Book | None = None, files: dict[bytes, tuple[Path, bytes]] | None = None):
        self.bleed = bleed
        self.files = files or {}  # {stand-in JPEG: (the file it stands for, its token)}
        self.book = book  # when given, the page map is read too (see page_starts)
        self.starts: list[PageStart] = []
        self.multiple = max(1, multiple)
        self.by_uri = by_uri or {}
        self.safety = safety
        self.laid_out = 0
        self.pages = 0
        self.images: list[tuple[int, Photo, Asset, float, float, bool]] = []
        self.unsafe: list[tuple[int, str]] = []
        self.unembedded: list[str] = []

    def __call__(self, document, pdf) -> None:
        import pydyf

        self.laid_out = len(document.pages)
        if self.book is not None:
            self.starts = page_starts(_abs_pages(document), self.book)
        for n, page_box in enumerate(_abs_pages(document), 1):
            for hit in placed_images(page_box, self.by_uri):
                self.images.append((n, *hit))
            if self.safety is not None:
                self.unsafe += [(n, t) for t in unsafe_text(page_box, self.safety)]

        pages = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/Page"]
        for page in pages:
            self._fix_boxes(page)
            # PDF/X allows no annotations on the printed area, and paper has no links.
            page.pop("Annots", None)
        pad = -len(pages) % self.multiple
        if pages and pad:
            last = pages[-1]
            for _ in range(pad):
                content = pydyf.Stream([], compress=True)
                pdf.add_object(content)
                blank = pydyf.Dictionary({
                    "Type": "/Page", "Parent": pdf.pages.reference,
                    "MediaBox": pydyf.Array(last["MediaBox"]), "TrimBox": pydyf.Array(last["TrimBox"]),
                    "BleedBox": pydyf.Array(last["BleedBox"]),
                    "Contents": content.reference, "Resources": last["Resources"],
                })
                pdf.add_page(blank)
        self.pages = len(pages) + pad

        for i, o in enumerate(pdf.objects):
            if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/FontDescriptor":
                if not any(k in o for k in ("FontFile", "FontFile2", "FontFile3")):
                    self.unembedded.append(str(o.get("FontName", "?")).lstrip("/"))
            elif self.files and isinstance(o, pydyf.Stream) and o.extra.get("Subtype") == "/Image":
                # A photo laid out from its stand-in: its file goes in when the PDF is written.
                data = o.stream[0].data if len(o.stream) == 1 and hasattr(o.stream[0], "data") else None
                hit = self.files.get(data) if isinstance(data, bytes) else None
                if hit is not None:
                    pdf.objects[i] = file_image(o, *hit)
                elif isinstance(data, bytes) and STAND_IN_MARK in data[:4096]:
                    # WeasyPrint made an image of its own from a stand-in (re-encoded it):
                    # the file would carry a photo without its pixels.
                    raise BuildError([Problem(Location(manuscript_name(self.book) if self.book else "book"),
                                              "a photo could not be embedded in the print interior", "PR090")])

    def _fix_boxes(self, page) -> None:
        import pydyf

        trim = [float(v) for v in page["TrimBox"]]
        media = [float(v) for v in page["MediaBox"]]
        b = self.bleed
        bleed = [max(media[0], trim[0] - b), max(media[1], trim[1] - b),
                 min(media[2], trim[2] + b), min(media[3], trim[3] + b)]
        page["BleedBox"] = pydyf.Array([round(v, 4) for v in bleed])


def print_options() -> dict:
    """WeasyPrint options for a print file: PDF/X-4 with an sRGB output intent."""
    return {"output_intent": "srgb"}


def css_bleed(bleed: float, marks: bool) -> float:
    """The CSS bleed: the real bleed, or room for crop marks outside it."""
    if not marks:
        return bleed
    # WeasyPrint draws marks over the outer half of the CSS bleed; keep them off the real bleed.
    return max(2 * bleed, bleed + 18.0)


# --------------------------------------------------------------------------
# The interior
# --------------------------------------------------------------------------

class PrintInterior(Edition):
    name = "print"
    suffix = "-print.pdf"
    label = "print edition"  # the interior and its cover
    cover_suffix = "-cover.pdf"

    def __init__(self, *, marks: bool = False, strict: bool = False):
        self.marks = marks
        self.strict = strict
        self._last: tuple | None = None  # (book, assets, layout, cover): build and preflight share one layout

    def geometry(self, book: Book, gutter: float) -> Geometry:
        p = book.print
        return Geometry(p.width, p.height, top=63.0, bottom=63.0, inside=SAFETY + gutter,
                        outside=45.0, bleed=p.bleed)

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
        html = book_html(book, "print", "print", g, assets)
        stand_ins, files = stand_ins_for(book, assets)
        fin = Finisher(book.print.bleed, book.print.page_multiple, photo_uri_map(book, assets), SAFETY, book=book,
                       files=files)
        pdf = render_pdf(book, html, [STYLES / "fonts.css", STYLES / "book.css", STYLES / "print.css"],
                         extra_css=self.page_css(book, g), variant="pdf/x-4", finisher=fin, stand_ins=stand_ins,
                         **print_options())
        placements = [Placement(photo, n, w, h, asset.width / (w / PT_PER_IN), stretched)
                      for n, photo, asset, w, h, stretched in fin.images]
        return Layout(pdf, fin.pages, fin.laid_out, gutter, placements, fin.unembedded, fin.unsafe, fin.starts), fin

    def layout(self, book: Book, assets) -> Layout:
        """The interior, laid out with the gutter its (padded) page count needs.

        The first layout takes the gutter for an estimate of the page count made from
        the manuscript (estimated_pages); when the count it gives needs another gutter,
        the book is laid out again with that one. Should that go round (a wider
        gutter adding the pages that make it needed), the narrowest gutter tried that
        is at least what its own page count needs is kept: a gutter wider than the
        table's is still right, a narrower one is not.
        """
        gutter = gutter_for(estimated_pages(book, self.geometry(book, gutter_for(MIN_PAGES))))
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

    # -- the edition -------------------------------------------------------

    def made(self, book: Book, assets):
        """The interior's layout and the cover made for its page count (made once per book)."""
        from .cover import build_cover

        if self._last is None or self._last[0] is not book or self._last[1] is not assets:
            self._last = None  # the previous book's layout is not kept while this one is made
            lay = self.layout(book, assets)
            remember(book, assets, lay.page_map, lay.pages)  # for the EPUB's page-list (pagemap.print_page_map)
            self._last = (book, assets, lay, build_cover(book, assets, lay.pages, marks=self.marks))
        return self._last[2], self._last[3]

    def _checked(self, book: Book, assets):
        errors = [p for p in self.preflight(book, assets) if p.severity == "error"]
        if errors:
            raise BuildError(errors)
        return self.made(book, assets)

    def build(self, book: Book, assets) -> dict[str, bytes]:
        lay, cover = self._checked(book, assets)
        return {self.filename(book): lay.pdf.bytes(), book.slug + self.cover_suffix: cover.pdf}

    def write(self, book: Book, assets, folder: Path) -> Staged:
        """The interior streamed to its file, photo after photo (never whole in memory), and its cover."""
        lay, cover = self._checked(book, assets)
        return stage(folder, [(self.filename(book), lay.pdf.write), (book.slug + self.cover_suffix, cover.pdf)])

    def preflight(self, book: Book, assets) -> list[Problem]:
        from ..preflight import check_print

        lay, cover = self.made(book, assets)
        return check_print(book, lay, cover, strict=self.strict)


def estimated_pages(book: Book, g: Geometry) -> int:
    """The interior's page count as the manuscript suggests it, before any layout: the
    front matter, a page for each photo placed on its own page, half a page for an inline
    one, the text at the body type's characters per page, chapters opening on right-hand
    pages. Only good enough to pick the gutter's bracket (layout() corrects a wrong one)."""
    font, leading = 10.5, 10.5 * 1.45  # styles/book.css
    per_page = (g.content_width / (font * 0.5)) * (g.content_height / leading)
    pages = 4.0  # half title, title, colophon, contents
    for chapter in book.chapters:
        pages += 1.5  # the opening (on a right-hand page: half a blank page on average)
        chars = 0
        for block in chapter.blocks:
            if isinstance(block, Photo):
                pages += 0.5 if block.layout == "inline" else 1
            else:
                chars += len(block.markdown)
        pages += chars / per_page
    return math.ceil(pages)


#: Begins the token in every stand-in's comment.
STAND_IN_MARK = b"pressroom stand-in "


def stand_ins_for(book: Book, assets) -> tuple[dict[str, bytes], dict[bytes, tuple[Path, bytes]]]:
    """Stand-ins for the photos' print files while the interior is laid out:
    ({URL: stand-in}, {stand-in: (file, token)}).

    WeasyPrint reads every image it places into memory and pydyf copies each into
    the PDF it builds there: for a book of hundreds of camera files, gigabytes. It
    is given instead each JPEG's header (base.jpeg_stand_in: the same size and
    colours, no image data), and Finisher puts the file in its place, read only
    while the PDF is written. A file without a usable header is read as it is.
    """
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


def photo_uri_map(book: Book, assets, target: str = "print") -> dict[str, tuple[Photo, Asset]]:
    """{URL WeasyPrint sees for a photo's print asset: (photo, asset)}, the cover included."""
    return {photo_url(assets[(p.path, target)].path): (p, assets[(p.path, target)]) for p in book.images}
