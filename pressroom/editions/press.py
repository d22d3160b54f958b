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

from dataclasses import dataclass, field

from ..errors import BuildError, Problem
from ..images import Asset, Target
from ..manuscript import Book, Photo
from ..render import STYLES
from .base import Edition, Geometry, photo_url, write_pdf
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
    pdf: bytes
    pages: int  # after padding
    laid_out: int  # before padding
    gutter: float
    placements: list[Placement] = field(default_factory=list)
    unembedded_fonts: list[str] = field(default_factory=list)
    unsafe_text: list[tuple[int, str]] = field(default_factory=list)  # (page, text) too close to the trim
    page_map: list["PageStart"] = field(default_factory=list)  # where each page begins in the body


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


# --------------------------------------------------------------------------
# The page map: where each printed page begins (for the EPUB's page-list)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PageStart:
    """Where a printed page begins in the book's body.

    ``kind`` says what is first on the page: "chapter" (the chapter's title: the
    page opens the chapter), "photo" (the figure of photo number ``photo``) or
    "text" (the ``element``-th top-level element, a paragraph or a list, of the
    chapter's ``block``-th block, after ``chars`` of its characters (white space
    and hyphens not counted, see _chars) set on earlier pages: 0 when the page
    begins with the element).
    """

    page: int  # the printed folio: the interior's 1-based page index
    chapter: int  # the chapter's number
    kind: str
    photo: int | None = None
    block: int | None = None  # index in Chapter.blocks
    element: int | None = None  # index among the block's top-level elements
    chars: int = 0


def _chars(text: str) -> int:
    """The characters of a text box that count in PageStart.chars: not white space, soft
    hyphens, or the hyphen WeasyPrint adds at the end of a line when it hyphenates a word."""
    return len("".join(text.removesuffix("\u2010").split()).replace("\u00ad", ""))


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _described(root, book: Book) -> dict[int, tuple]:
    """{id(element): (kind, chapter, photo, block, element)} for the elements a page can begin at."""
    chapters = {c.id: c for c in book.chapters}
    out: dict[int, tuple] = {}
    for section in root.iter():
        chapter = chapters.get(section.get("id")) if _local(section.tag) == "section" else None
        if chapter is None:
            continue
        text_blocks = [i for i, b in enumerate(chapter.blocks) if not isinstance(b, Photo)]
        divs = [d for d in section if _local(d.tag) == "div" and "text" in (d.get("class") or "").split()]
        for k, div in enumerate(divs):
            for j, child in enumerate(c for c in div if isinstance(c.tag, str)):
                out[id(child)] = ("text", chapter.number, None, text_blocks[k], j)
        for e in section.iter():
            tag, cls = _local(e.tag), (e.get("class") or "").split()
            if tag == "h2" and "chapter-title" in cls:
                out[id(e)] = ("chapter", chapter.number, None, None, None)
            elif tag == "figure" and (e.get("id") or "").startswith("photo-"):
                opener = any(_local(h.tag) == "h2" for h in e.iter())  # a full-bleed photo carrying the title
                out[id(e)] = ("chapter" if opener else "photo", chapter.number, int(e.get("id")[6:]), None, None)
    return out


def page_starts(page_boxes, book: Book) -> list[PageStart]:
    """Where each page of a laid-out interior begins, for the pages that begin in a chapter.

    A page is attributed to the first element drawn on it that is a chapter's
    title, a photo's figure or a top-level element of a text block. Pages that
    begin with front matter (half title, title page, colophon, contents) and
    blank pages have no entry.
    """
    from weasyprint.formatting_structure.boxes import MarginBox, TextBox

    if not page_boxes:
        return []
    root = next((b.element for b in page_boxes[0].children if not isinstance(b, MarginBox)), None)
    if root is None:
        return []
    described = _described(root, book)
    done: dict[int, int] = {}  # id(text element) -> its characters set on the pages so far
    attributed: set[int] = set()  # titles and figures already given a page (one split over two keeps the first)
    starts: list[PageStart] = []
    for n, page_box in enumerate(page_boxes, 1):
        first: list = []
        count: dict[int, int] = {}

        def visit(box, current):
            el = getattr(box, "element", None)
            if "::" in (getattr(box, "element_tag", "") or ""):
                current = None  # generated content (a list's bullets): not the manuscript's text
            elif el is not None:
                d = described.get(id(el))
                if d is not None:
                    if not first:
                        first.append((d, id(el)))
                    if d[0] == "text":
                        current = id(el)
            if isinstance(box, TextBox) and current is not None:
                count[current] = count.get(current, 0) + _chars(box.text)
            for child in getattr(box, "children", ()) or ():
                visit(child, current)

        for child in page_box.children:
            if not isinstance(child, MarginBox):
                visit(child, None)
        if first and first[0][1] not in attributed:
            (kind, chapter, photo, block, element), key = first[0]
            starts.append(PageStart(n, chapter, kind, photo, block, element, done.get(key, 0) if kind == "text" else 0))
            if kind != "text":
                attributed.add(key)
        for key, c in count.items():
            done[key] = done.get(key, 0) + c
    return starts


class Finisher:
    """Runs on WeasyPrint's PDF before it is written: reads the layout, pads the
    page count, sets every page's BleedBox to exactly ``bleed`` outside its
    TrimBox (WeasyPrint keeps it within 10pt of the trim) and drops link
    annotations (PDF/X allows none on the printed area)."""

    def __init__(self, bleed: float, multiple: int = 1, by_uri: dict | None = None, safety: float | None = None,
                 book: Book | None = None):
        self.bleed = bleed
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

        for o in pdf.objects:
            if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/FontDescriptor":
                if not any(k in o for k in ("FontFile", "FontFile2", "FontFile3")):
                    self.unembedded.append(str(o.get("FontName", "?")).lstrip("/"))

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
        return [Target("print", None, 95, passthrough=True)]

    # -- layout ------------------------------------------------------------

    def page_css(self, book: Book, g: Geometry) -> str:
        return page_css(g, bleed=css_bleed(book.print.bleed, self.marks), marks=self.marks, safety=SAFETY) + """
@page { @top-center { vertical-align: bottom; padding-bottom: 12pt; }
        @bottom-center { vertical-align: top; padding-top: 12pt; } }
"""

    def _render(self, book: Book, assets, gutter: float) -> tuple[Layout, Finisher]:
        g = self.geometry(book, gutter)
        html = book_html(book, "print", "print", g, assets)
        fin = Finisher(book.print.bleed, book.print.page_multiple, photo_uri_map(book, assets), SAFETY, book=book)
        pdf = write_pdf(book, html, [STYLES / "fonts.css", STYLES / "book.css", STYLES / "print.css"],
                        extra_css=self.page_css(book, g), variant="pdf/x-4", finisher=fin, **print_options())
        placements = [Placement(photo, n, w, h, asset.width / (w / PT_PER_IN), stretched)
                      for n, photo, asset, w, h, stretched in fin.images]
        return Layout(pdf, fin.pages, fin.laid_out, gutter, placements, fin.unembedded, fin.unsafe, fin.starts), fin

    def layout(self, book: Book, assets) -> Layout:
        """The interior, laid out with the gutter its (padded) page count needs."""
        gutter = gutter_for(MIN_PAGES)
        for _ in range(len(GUTTER_TABLE)):
            lay, _ = self._render(book, assets, gutter)
            needed = gutter_for(lay.pages)
            if needed <= gutter:  # a wider gutter than needed (after a shrink) is still right
                break
            gutter = needed
        return lay

    # -- the edition -------------------------------------------------------

    def made(self, book: Book, assets):
        """The interior's layout and the cover made for its page count (made once per book)."""
        from .cover import build_cover

        if self._last is None or self._last[0] is not book or self._last[1] is not assets:
            lay = self.layout(book, assets)
            _LAID_OUT[:] = [(book, assets, lay)]
            self._last = (book, assets, lay, build_cover(book, assets, lay.pages, marks=self.marks))
        return self._last[2], self._last[3]

    def build(self, book: Book, assets) -> dict[str, bytes]:
        errors = [p for p in self.preflight(book, assets) if p.severity == "error"]
        if errors:
            raise BuildError(errors)
        lay, cover = self.made(book, assets)
        return {self.filename(book): lay.pdf, book.slug + self.cover_suffix: cover.pdf}

    def preflight(self, book: Book, assets) -> list[Problem]:
        from ..preflight import check_print

        lay, cover = self.made(book, assets)
        return check_print(book, lay, cover, strict=self.strict)


def photo_uri_map(book: Book, assets, target: str = "print") -> dict[str, tuple[Photo, Asset]]:
    """{URL WeasyPrint sees for a photo's print asset: (photo, asset)}, the cover included."""
    return {photo_url(assets[(p.path, target)].path): (p, assets[(p.path, target)]) for p in book.images}


#: The interior laid out last in this process, [(book, assets, layout)]: the EPUB's
#: page-list reads its page map instead of laying the interior out again.
_LAID_OUT: list[tuple] = []


def print_page_map(book: Book, assets) -> tuple[list[PageStart], int]:
    """The print interior's page map and page count, for the EPUB's page-list.

    From the interior a PrintInterior of this process laid out for the same book
    and assets (``build.py all`` lays it out before the EPUB is made), else laid
    out now (correct, but it costs a print rendering; the print derivatives are
    made, or taken from the cache, when ``assets`` lacks them).
    """
    for b, a, lay in _LAID_OUT:
        if b is book and a is assets:
            return lay.page_map, lay.pages
    if any((p.path, "print") not in assets for p in book.images):
        from ..images import derive

        ed = PrintInterior()
        assets = {**assets, **derive(list(book.images), ed.targets(book))}
    lay = PrintInterior().layout(book, assets)
    return lay.page_map, lay.pages
