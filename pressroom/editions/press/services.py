"""The print services' numbers, in one place: margins, gutters, page counts, paper,
spine and cover rules. Where the services differ, the strictest is used; the
README's "Printing" section publishes these tables.
"""

from __future__ import annotations

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


def spine_width(pages: int, paper: str) -> float:
    """The spine width in points for ``pages`` pages on ``paper``."""
    return pages * PAPER_THICKNESS[paper] * PT_PER_IN
