"""What every print PDF shares (interior and cover): reading the layout, the finisher
that makes WeasyPrint's PDF a print file, the PDF/X options.

:class:`Finisher` runs on the generated PDF before it is written: it reads where
each photo landed and at what size (:func:`placed_images`), text too close to
the trim (:func:`unsafe_text`), the page map, unembedded fonts; pads the page
count; sets every BleedBox; drops annotations; and swaps the photos' stand-ins
for their files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...adapters.pydyf import file_image
from ...adapters.weasyprint import box_types, page_boxes, walk
from ...errors import BuildError, Location, Problem
from ...images import Asset
from ...manuscript import Book, Photo
from ...scripts import direction
from ..render_pdf import photo_url
from .pagemap import PageStart, page_starts

PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px

#: Begins the token in every stand-in's comment (see interior.stand_ins_for).
STAND_IN_MARK = b"pressroom stand-in "


def manuscript_name(book: Book) -> str:
    """The manuscript's path as the user's messages show it."""
    for ch in book.chapters:
        return ch.where.file
    return str(book.source)


# --------------------------------------------------------------------------
# What a layout tells: where each photo went, text near the trim
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


def placed_images(page_box, by_uri: dict[str, tuple[Photo, Asset]]) -> list[tuple[Photo, Asset, float, float, bool]]:
    """(photo, asset, drawn width pt, drawn height pt, stretched) for each photo on a page."""
    _, _, ReplacedBox = box_types()

    out = []
    for box in walk(page_box):
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
    _, TextBox, _ = box_types()

    w = page_box.margin_width() * PX_TO_PT
    h = page_box.margin_height() * PX_TO_PT
    tol = 0.5
    out = []
    for box in walk(page_box):
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
            self.starts = page_starts(page_boxes(document), self.book)
        for n, page_box in enumerate(page_boxes(document), 1):
            for hit in placed_images(page_box, self.by_uri):
                self.images.append((n, *hit))
            if self.safety is not None:
                self.unsafe += [(n, t) for t in unsafe_text(page_box, self.safety)]

        if self.book is not None and direction(self.book.language) == "rtl":  # spreads run right to left
            prefs = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
            prefs["Direction"] = "/R2L"
            pdf.catalog["ViewerPreferences"] = prefs
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


def photo_uri_map(book: Book, assets, target: str = "print") -> dict[str, tuple[Photo, Asset]]:
    """{URL WeasyPrint sees for a photo's print asset: (photo, asset)}, the cover included."""
    return {photo_url(assets[(p.path, target)].path): (p, assets[(p.path, target)]) for p in book.images}
