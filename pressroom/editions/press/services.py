"""The print services' numbers, in one place: margins, gutters, page counts, paper,
spine and cover rules. Where the services differ, the strictest is used; the
README's "Printing" section publishes these tables.
"""

from __future__ import annotations

from ...manuscript import Book
from ..base import Geometry, estimated_pages

PT_PER_IN = 72.0

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

#: Paper thickness per page (inches), KDP's figures for its paperback stocks.
PAPER_THICKNESS = {"white": 0.002252, "cream": 0.0025, "color": 0.002347}

#: KDP puts text on a spine only for books of more than 79 pages...
SPINE_TEXT_MIN_PAGES = 80
#: ...and keeps it 0.0625in from each fold.
SPINE_MARGIN = 0.0625 * PT_PER_IN
#: Smallest spine type worth printing.
SPINE_MIN_FONT = 6.0

#: Text on the front and back of the cover stays this far inside the trim and the folds.
COVER_SAFETY = 0.5 * PT_PER_IN

#: The barcode box (KDP leaves 2in x 1.2in for it, bottom right of the back).
BARCODE_BOX = (2.0 * PT_PER_IN, 1.2 * PT_PER_IN)
#: EAN-13 module (narrowest bar) at 100% magnification: 0.33 mm.
EAN_MODULE = 0.33 * 72 / 25.4


def gutter_for(pages: int) -> float:
    """The gutter (points) for a book of ``pages`` pages."""
    for last, gutter in GUTTER_TABLE:
        if pages <= last:
            return gutter
    return GUTTER_TABLE[-1][1]


def print_geometry(book: Book, gutter: float) -> Geometry:
    """The print interior's page: the theme's margins, the inside one the safety margin
    plus ``gutter``, and the bleed."""
    p = book.print
    top, bottom, outside = book.design.theme.print_margins  # 63, 63, 45 in the classic theme
    return Geometry(p.width, p.height, top=top, bottom=bottom, inside=SAFETY + gutter, outside=outside, bleed=p.bleed)


def first_gutter(book: Book) -> float:
    """The gutter to lay the interior out with first: the one the page count estimated
    (estimated_pages) with that same gutter needs. A wider gutter narrows the text and
    adds pages, so the estimate is made again with each wider gutter it calls for: made
    with the narrowest gutter only, it laid a book just below a bracket's last page out
    twice (the New Testament, 528 pages, first with 0.625in, then with 0.75in)."""
    gutter = gutter_for(MIN_PAGES)
    for _ in range(8):  # a bracket at a time: the table has five
        needed = gutter_for(estimated_pages(book, print_geometry(book, gutter)))
        if needed <= gutter:
            break
        gutter = needed
    return gutter


def spine_width(pages: int, paper: str) -> float:
    """The spine width in points for ``pages`` pages on ``paper``."""
    return pages * PAPER_THICKNESS[paper] * PT_PER_IN


# --------------------------------------------------------------------------
# Hardcover: the case wrap (Lulu's casewrap template) and the dust jacket
# --------------------------------------------------------------------------

#: Lulu's casewrap: the boards stand out past the pages by this much at the head,
#: the tail and the fore-edge (a 6x9in book's board is 6.125 x 9.25in)...
CASE_OVERHANG = 0.125 * PT_PER_IN
#: ...and the printed sheet runs this far past the boards' edges, turned in and
#: glued inside the boards (Lulu: "printed 0.75in larger"), its bleed included.
CASE_WRAP = 0.75 * PT_PER_IN
#: No text within this much of either spine fold on a case (the hinge, where the
#: case bends: Lulu's live area keeps about 0.55in clear, KDP's hinge is narrower).
CASE_HINGE = 0.625 * PT_PER_IN
#: Page counts Lulu binds as a casewrap hardcover.
CASE_MIN_PAGES = 24
CASE_MAX_PAGES = 800

#: Lulu's hardcover spine widths, by page count (last page count of the row,
#: spine in inches): a table, not a formula, because the spine stick's width is.
LULU_CASE_SPINE: tuple[tuple[int, float], ...] = (
    (84, 0.25), (140, 0.5), (168, 0.625), (194, 0.688), (222, 0.75), (250, 0.813), (278, 0.875),
    (306, 0.938), (334, 1.0), (360, 1.063), (388, 1.125), (416, 1.188), (444, 1.25), (472, 1.313),
    (500, 1.375), (528, 1.438), (556, 1.5), (582, 1.563), (610, 1.625), (638, 1.688), (666, 1.75),
    (694, 1.813), (722, 1.875), (750, 1.938), (778, 2.0), (799, 2.063), (800, 2.125),
)

#: The dust jacket (pressroom's geometry, Lulu's order of panels: bleed, back flap,
#: back, spine, front, front flap, bleed): flaps this wide...
JACKET_FLAP = 3.25 * PT_PER_IN
#: ...the spine this much wider than the case's (the jacket folds round the joints)...
JACKET_SPINE_EXTRA = 0.25 * PT_PER_IN
#: ...and this much bleed on the outer edges.
JACKET_BLEED = 0.125 * PT_PER_IN


def case_spine(pages: int) -> float:
    """The hardcover's spine width in points for ``pages`` pages (LULU_CASE_SPINE)."""
    for last, inches in LULU_CASE_SPINE:
        if pages <= last:
            return inches * PT_PER_IN
    return LULU_CASE_SPINE[-1][1] * PT_PER_IN
