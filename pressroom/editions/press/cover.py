"""The print cover: back, spine and front on one sheet, with bleed all round.

Its width is ``2 * bleed + 2 * trim width + spine``, the spine being the
interior's page count times the paper's thickness per page. The front carries
the cover photo (full bleed) and the title; the spine the title and the byline
when it is wide enough; the back the description and, for an ISBN, an EAN-13
barcode in a white box at the bottom right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import design
from ...adapters.weasyprint import page_boxes, walk
from ...cache import cached_render
from ...images import Asset
from ...manuscript import Book, Photo
from ...render import STYLES, phrase_size, render
from ..base import source_date
from ..render_pdf import write_pdf
from .color import book_profile, cmyk_bytes, color_css
from .pdfx import Finisher, css_bleed, photo_uri_map, print_options
from .services import (BARCODE_BOX, COVER_SAFETY, EAN_MODULE, PT_PER_IN, SPINE_MARGIN, SPINE_MIN_FONT,
                       SPINE_TEXT_MIN_PAGES, spine_width)


# --------------------------------------------------------------------------
# EAN-13
# --------------------------------------------------------------------------

_L = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_R = tuple("".join("1" if c == "0" else "0" for c in code) for code in _L)
_G = tuple(code[::-1] for code in _R)
#: Which of the left six digits use the G set, by the first (implicit) digit.
_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")


def ean13_check(digits12: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return (10 - total % 10) % 10


def ean13_modules(code: str) -> str:
    """The 95 modules of an EAN-13 symbol, '1' for a bar, '0' for a space."""
    if len(code) != 13 or not code.isdigit() or ean13_check(code[:12]) != int(code[12]):
        raise ValueError(f"'{code}' is not a valid EAN-13")
    parity = _PARITY[int(code[0])]
    left = "".join((_L if p == "L" else _G)[int(d)] for p, d in zip(parity, code[1:7]))
    right = "".join(_R[int(d)] for d in code[7:])
    return "101" + left + "01010" + right + "101"


def ean13_bars(code: str) -> list[tuple[int, int, bool]]:
    """The bars as (first module, width in modules, is a guard bar)."""
    modules = ean13_modules(code)
    guards = set(range(0, 3)) | set(range(45, 50)) | set(range(92, 95))
    bars, i = [], 0
    while i < len(modules):
        if modules[i] == "1":
            j = i
            while j < len(modules) and modules[j] == "1":
                j += 1
            bars.append((i, j - i, i in guards))
            i = j
        else:
            i += 1
    return bars


# --------------------------------------------------------------------------
# The sheet
# --------------------------------------------------------------------------

@dataclass
class CoverSheet:
    """The cover's geometry (points; x from the back's outer trim edge)."""

    trim_w: float
    trim_h: float
    spine: float
    bleed: float
    pages: int
    paper: str

    @property
    def width(self) -> float:  # the trimmed sheet: back + spine + front
        return 2 * self.trim_w + self.spine

    @property
    def full_width(self) -> float:
        return self.width + 2 * self.bleed

    @property
    def front_x(self) -> float:
        return self.trim_w + self.spine

    @property
    def spine_font(self) -> float:
        return min(11.0, (self.spine - 2 * SPINE_MARGIN) * 0.8)

    @property
    def spine_text(self) -> bool:
        return self.pages >= SPINE_TEXT_MIN_PAGES and self.spine_font >= SPINE_MIN_FONT


@dataclass
class Cover:
    pdf: bytes
    sheet: CoverSheet
    photo: Photo | None
    photo_ppi: float | None  # the cover photo's effective resolution on the front
    unembedded_fonts: list[str] = field(default_factory=list)
    spine_overflow: bool = False  # the spine's text is longer than the spine and is cut


def _spine_overflow(document) -> bool:
    """Whether the spine's one line of text is longer than its box."""
    for page_box in page_boxes(document):
        for box in walk(page_box):
            el = box.element
            if el is None or "spine-text" not in (el.get("class") or "").split() or box.element_tag != "div":
                continue
            for line in getattr(box, "children", ()):
                used = sum(child.margin_width() for child in getattr(line, "children", ()))
                if used > box.width + 0.5:
                    return True
    return False


def _cover_css(s: CoverSheet, bleed: float, marks: bool) -> str:
    pt = lambda v: f"{v:.3f}pt"  # noqa: E731
    return f"@page {{ size: {pt(s.width)} {pt(s.trim_h)}; margin: 0; bleed: {pt(bleed)}; marks: {'crop' if marks else 'none'}; }}"


def build_cover(book: Book, assets: dict, pages: int, *, marks: bool = False) -> Cover:
    """The cover for an interior of ``pages`` pages."""
    p = book.print
    s = CoverSheet(p.width, p.height, spine_width(pages, p.paper), p.bleed, pages, p.paper)
    asset: Asset | None = assets.get((book.cover.path, "print")) if book.cover else None
    barcode = None
    if book.isbn:
        m = EAN_MODULE
        barcode = {"bars": [(x * m, w * m, guard) for x, w, guard in ean13_bars(book.isbn)],
                   "module": m, "digits": book.isbn,
                   "label": f"ISBN {book.isbn[:3]}-{book.isbn[3:]}"}
    title_size = phrase_size(book.title, s.trim_w - 2 * COVER_SAFETY, min(s.trim_w * 0.062, 40.0))
    title_size *= book.design.theme.cover_title_scale
    html = render("cover.html", book, themed=not book.design.plain, s=s, asset=asset, barcode=barcode, safety=COVER_SAFETY, title_size=title_size,
                  spine_margin=SPINE_MARGIN, box=BARCODE_BOX, created=source_date().isoformat())
    css = _cover_css(s, css_bleed(p.bleed, marks), marks) + color_css(book)
    # A CMYK cover is converted before it is cached: the key names the profile.
    color = book_profile(book).digest if p.color == "cmyk" else "rgb"

    def make() -> tuple[bytes, dict]:
        by_uri = photo_uri_map(book, assets) if book.cover else {}
        fin = Finisher(p.bleed, 1, by_uri, None)
        overflow = []
        finish = lambda document, pdf: (fin(document, pdf), overflow.append(_spine_overflow(document)))  # noqa: E731
        pdf = write_pdf(book, html, [STYLES / "fonts.css", STYLES / "cover.css"], extra_css=css,
                        variant="pdf/x-4", finisher=finish, after_css=design.sheets(book.design, "cover"),
                        **print_options())
        if p.color == "cmyk":
            pdf = cmyk_bytes(book, pdf, "cover", f"{book.title}: Cover", source_date().isoformat())
        ppi = None
        if fin.images:
            _, _, a, w, _, _ = fin.images[0]
            ppi = a.width / (w / PT_PER_IN)
        return pdf, {"ppi": ppi, "unembedded": fin.unembedded, "overflow": any(overflow)}

    # The same cover (a caption edit leaves it as it was) is not rendered again. The
    # HTML names the photo by its cached file, whose name comes from its content.
    key = "|".join(map(str, (book.identifier, p.bleed, print_options(), source_date().isoformat(), css, html, color)))
    if not book.design.plain:  # the theme's sheets are the code's (code_digest); the book's files are not
        key += f"|{book.design.theme.name}|{book.design.digest}"
    pdf, facts = cached_render("cover.pdf", key, make)
    ppi = facts["ppi"]
    return Cover(pdf, s, book.cover, ppi, unembedded_fonts=facts["unembedded"], spine_overflow=facts["overflow"])
