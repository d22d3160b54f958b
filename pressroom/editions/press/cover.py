"""The print cover: back, spine and front on one sheet, with bleed all round;
for a hardcover the case wrap instead, and its dust jacket.

A paperback's cover is ``2 * bleed + 2 * trim width + spine`` wide, the spine
being the interior's page count times the paper's thickness per page. The front
carries the cover photo (full bleed) and the title; the spine the title and the
byline when it is wide enough; the back the description and, for an ISBN, an
EAN-13 barcode in a white box at the bottom right.

A hardcover's case wrap (``print.binding: hardcover``) is the same sheet on the
boards' geometry (Lulu's casewrap template, see services.py): each panel is the
board, the trim plus the boards' overhang; the spine comes from Lulu's table by
page count; the sheet runs CASE_WRAP past the boards on the outer edges (turned
in and glued: nothing there is seen) and no text comes within CASE_HINGE of a
spine fold. The dust jacket (``print.jacket``) wraps the case: back flap, back,
spine, front, front flap; the description on the front flap, the contributors'
bios on the back flap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import design
from ...adapters.weasyprint import box_types, page_boxes, walk
from ...cache import cached_render
from ...images import Asset
from ...manuscript import Book, Photo
from ...render import STYLES, phrase_size, render
from ...scripts import cover_css, direction
from ..base import source_date
from ..render_pdf import write_pdf
from .color import book_profile, cmyk_bytes
from .pdfx import Finisher, css_bleed, photo_uri_map, print_options
from .pdfx import PX_TO_PT
from .services import (BARCODE_BOX, CASE_HINGE, CASE_OVERHANG, CASE_WRAP, COVER_SAFETY, EAN_MODULE, JACKET_BLEED,
                       JACKET_FLAP, JACKET_SPINE_EXTRA, PT_PER_IN, SPINE_MARGIN, SPINE_MIN_FONT, SPINE_TEXT_MIN_PAGES,
                       case_spine, spine_width)


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
    bleed: float  # for a case wrap: the wrap
    pages: int
    paper: str
    hinge: float = COVER_SAFETY  # no text within this of a spine fold
    kind: str = "paperback"  # or "case" (a hardcover's case wrap)
    rtl: bool = False  # a right-to-left book: front | spine | back

    @property
    def width(self) -> float:  # the trimmed sheet: back + spine + front
        return 2 * self.trim_w + self.spine

    @property
    def full_width(self) -> float:
        return self.width + 2 * self.bleed

    @property
    def front_x(self) -> float:
        """Where the front panel starts: right of the spine, or left of it in a book that
        opens from the right (Arabic, Hebrew)."""
        return 0.0 if self.rtl else self.trim_w + self.spine

    @property
    def back_x(self) -> float:
        return self.trim_w + self.spine if self.rtl else 0.0

    @property
    def spine_font(self) -> float:
        return min(11.0, (self.spine - 2 * SPINE_MARGIN) * 0.8)

    @property
    def spine_text(self) -> bool:
        """Text on the spine: KDP's paperback rule (80 pages or more) for a paperback; on
        a case, whenever the spine takes type of SPINE_MIN_FONT."""
        enough = self.pages >= SPINE_TEXT_MIN_PAGES or self.kind != "paperback"
        return enough and self.spine_font >= SPINE_MIN_FONT

    def safe_areas(self) -> list[tuple[float, float, float, float]]:
        """Where text may be on the sheet, (x0, y0, x1, y1) from the back's outer trim edge:
        COVER_SAFETY inside the trim (a case's: the boards' edges) and ``hinge`` from the
        spine folds, on the back and on the front (the spine's text is checked apart)."""
        top, bottom = COVER_SAFETY, self.trim_h - COVER_SAFETY
        if self.rtl:  # front | spine | back
            return [(COVER_SAFETY, top, self.trim_w - self.hinge, bottom),
                    (self.back_x + self.hinge, top, self.width - COVER_SAFETY, bottom)]
        return [(COVER_SAFETY, top, self.trim_w - self.hinge, bottom),
                (self.front_x + self.hinge, top, self.width - COVER_SAFETY, bottom)]


def case_sheet(book: Book, pages: int) -> CoverSheet:
    """A hardcover's case wrap for ``pages`` pages: boards of trim + CASE_OVERHANG at the
    head, tail and fore-edge, Lulu's spine, CASE_WRAP beyond the boards."""
    p = book.print
    return CoverSheet(p.width + CASE_OVERHANG, p.height + 2 * CASE_OVERHANG, case_spine(pages), CASE_WRAP, pages,
                      p.paper, hinge=CASE_HINGE, kind="case", rtl=direction(book.language) == "rtl")


def cover_sheet(book: Book, pages: int) -> CoverSheet:
    """The cover sheet the book's binding needs."""
    p = book.print
    if p.binding == "hardcover":
        return case_sheet(book, pages)
    return CoverSheet(p.width, p.height, spine_width(pages, p.paper), p.bleed, pages, p.paper,
                      rtl=direction(book.language) == "rtl")


@dataclass
class Cover:
    pdf: bytes
    sheet: CoverSheet
    photo: Photo | None
    photo_ppi: float | None  # the cover photo's effective resolution on the front
    unembedded_fonts: list[str] = field(default_factory=list)
    spine_overflow: bool = False  # the spine's text is longer than the spine and is cut
    unsafe_text: list[str] = field(default_factory=list)  # text outside the sheet's safe areas


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


def text_outside(document, areas: list[tuple[float, float, float, float]], skip: str = "spine-text") -> list[str]:
    """Text of the (one-page) ``document`` not inside any of ``areas`` (points from the
    trim's top left), but for the text of elements of class ``skip``."""
    _, TextBox, _ = box_types()
    tol = 0.5
    out: list[str] = []

    def visit(box):
        el = box.element
        if el is not None and skip in (el.get("class") or "").split():
            return
        if isinstance(box, TextBox) and box.text.strip():
            x0, y0 = box.position_x * PX_TO_PT, box.position_y * PX_TO_PT
            x1, y1 = x0 + box.width * PX_TO_PT, y0 + box.height * PX_TO_PT
            if not any(x0 >= a - tol and y0 >= b - tol and x1 <= c + tol and y1 <= d + tol for a, b, c, d in areas):
                out.append(box.text.strip())
        for child in getattr(box, "children", ()) or ():
            visit(child)

    for page_box in page_boxes(document):
        visit(page_box)
    return out


def _cover_css(s: CoverSheet, bleed: float, marks: bool) -> str:
    pt = lambda v: f"{v:.3f}pt"  # noqa: E731
    return f"@page {{ size: {pt(s.width)} {pt(s.trim_h)}; margin: 0; bleed: {pt(bleed)}; marks: {'crop' if marks else 'none'}; }}"


def _barcode(book: Book) -> dict | None:
    """The EAN-13 symbol of the book's ISBN for the templates (bars in points), or None."""
    if not book.isbn:
        return None
    m = EAN_MODULE
    return {"bars": [(x * m, w * m, guard) for x, w, guard in ean13_bars(book.isbn)],
            "module": m, "digits": book.isbn, "label": f"ISBN {book.isbn[:3]}-{book.isbn[3:]}"}


def _render_sheet(book: Book, assets: dict, s, kind: str, html: str, stylesheets: list, css: str) -> tuple[bytes, dict]:
    """A cover or jacket sheet (``kind``) as a PDF/X file, converted for a CMYK book, with what
    its layout tells ({"ppi" of its first photo, "unembedded" fonts, spine "overflow", text
    "outside" the safe areas}); from the cache when the same sheet was rendered before (a
    caption edit leaves it as it was: the HTML names the photo by its cached file)."""
    p = book.print

    def make() -> tuple[bytes, dict]:
        fin = Finisher(s.bleed, 1, photo_uri_map(book, assets) if book.cover else {}, None)
        overflow: list[bool] = []
        outside: list[str] = []

        def finish(document, pdf):
            fin(document, pdf)
            overflow.append(_spine_overflow(document))
            outside.extend(text_outside(document, s.safe_areas()))

        pdf = write_pdf(book, html, stylesheets, extra_css=css, variant="pdf/x-4", finisher=finish,
                        after_css=design.sheets(book.design, "cover"), **print_options())
        if p.color == "cmyk":
            pdf = cmyk_bytes(book, pdf, kind, f"{book.title}: {kind.capitalize()}", source_date().isoformat())
        ppi = None
        if fin.images:
            _, _, a, w, _, _ = fin.images[0]
            ppi = a.width / (w / PT_PER_IN)
        return pdf, {"ppi": ppi, "unembedded": fin.unembedded, "overflow": any(overflow), "outside": outside}

    # A CMYK sheet is converted before it is cached: the key names the profile.
    color = book_profile(book).digest if p.color == "cmyk" else "rgb"
    key = "|".join(map(str, (book.identifier, s.bleed, print_options(), source_date().isoformat(), css, html, color)))
    if not book.design.plain:  # the theme's sheets are the code's (code_digest); the book's files are not
        key += f"|{book.design.theme.name}|{book.design.digest}"
    return cached_render(f"{kind}.pdf", key, make)


def build_cover(book: Book, assets: dict, pages: int, *, marks: bool = False) -> Cover:
    """The cover for an interior of ``pages`` pages (a hardcover's: its case wrap)."""
    s = cover_sheet(book, pages)
    asset: Asset | None = assets.get((book.cover.path, "print")) if book.cover else None
    barcode = _barcode(book)
    title_size = phrase_size(book.title, s.trim_w - COVER_SAFETY - s.hinge, min(s.trim_w * 0.062, 40.0))
    title_size *= book.design.theme.cover_title_scale
    html = render("cover.html", book, themed=not book.design.plain, s=s, asset=asset, barcode=barcode, safety=COVER_SAFETY, title_size=title_size,
                  spine_margin=SPINE_MARGIN, box=BARCODE_BOX, created=source_date().isoformat())
    css = _cover_css(s, css_bleed(s.bleed, marks), marks) + cover_css(book)
    pdf, facts = _render_sheet(book, assets, s, "cover", html, [STYLES / "fonts.css", STYLES / "cover.css"], css)
    ppi = facts["ppi"]
    return Cover(pdf, s, book.cover, ppi, unembedded_fonts=facts["unembedded"], spine_overflow=facts["overflow"],
                 unsafe_text=facts.get("outside", []))


# --------------------------------------------------------------------------
# The dust jacket
# --------------------------------------------------------------------------

#: Text on a flap stays this far from its edges (the outer trim and the fold).
FLAP_MARGIN = 0.375 * PT_PER_IN


@dataclass
class JacketSheet:
    """A dust jacket's geometry (points; x from the back flap's outer trim edge):
    back flap, back, spine, front, front flap, the panels the case's boards."""

    flap: float
    panel_w: float
    panel_h: float
    spine: float
    bleed: float
    pages: int

    @property
    def width(self) -> float:
        return 2 * self.flap + 2 * self.panel_w + self.spine

    @property
    def full_width(self) -> float:
        return self.width + 2 * self.bleed

    @property
    def back_x(self) -> float:
        return self.flap

    @property
    def spine_x(self) -> float:
        return self.flap + self.panel_w

    @property
    def front_x(self) -> float:
        return self.spine_x + self.spine

    @property
    def front_flap_x(self) -> float:
        return self.front_x + self.panel_w

    @property
    def spine_font(self) -> float:
        return min(11.0, (self.spine - 2 * SPINE_MARGIN) * 0.8)

    @property
    def spine_text(self) -> bool:
        return self.spine_font >= SPINE_MIN_FONT

    def safe_areas(self) -> list[tuple[float, float, float, float]]:
        top, bottom = COVER_SAFETY, self.panel_h - COVER_SAFETY
        return [(FLAP_MARGIN, top, self.flap - FLAP_MARGIN, bottom),
                (self.back_x + COVER_SAFETY, top, self.spine_x - CASE_HINGE, bottom),
                (self.front_x + CASE_HINGE, top, self.front_flap_x - COVER_SAFETY, bottom),
                (self.front_flap_x + FLAP_MARGIN, top, self.width - FLAP_MARGIN, bottom)]


def jacket_sheet(book: Book, pages: int) -> JacketSheet:
    """The jacket for the case of ``pages`` pages: panels the boards' size, the spine the
    case's and JACKET_SPINE_EXTRA, JACKET_FLAP flaps, JACKET_BLEED bleed."""
    case = case_sheet(book, pages)
    return JacketSheet(JACKET_FLAP, case.trim_w, case.trim_h, case.spine + JACKET_SPINE_EXTRA, JACKET_BLEED, pages)


@dataclass
class Jacket:
    pdf: bytes
    sheet: JacketSheet
    unembedded_fonts: list[str] = field(default_factory=list)
    spine_overflow: bool = False
    unsafe_text: list[str] = field(default_factory=list)


def build_jacket(book: Book, assets: dict, pages: int, *, marks: bool = False) -> Jacket:
    """The dust jacket for a hardcover of ``pages`` pages."""
    s = jacket_sheet(book, pages)
    asset: Asset | None = assets.get((book.cover.path, "print")) if book.cover else None
    barcode = _barcode(book)
    title_size = phrase_size(book.title, s.panel_w - COVER_SAFETY - CASE_HINGE, min(s.panel_w * 0.062, 40.0))
    title_size *= book.design.theme.cover_title_scale
    bios = [c for c in book.contributors if c.bio]
    html = render("jacket.html", book, themed=not book.design.plain, s=s, asset=asset, barcode=barcode, safety=COVER_SAFETY, hinge=CASE_HINGE,
                  flap_margin=FLAP_MARGIN, title_size=title_size, spine_margin=SPINE_MARGIN, box=BARCODE_BOX,
                  bios=bios, created=source_date().isoformat())
    pt = lambda v: f"{v:.3f}pt"  # noqa: E731
    css = (f"@page {{ size: {pt(s.width)} {pt(s.panel_h)}; margin: 0; bleed: {pt(css_bleed(s.bleed, marks))}; "
           f"marks: {'crop' if marks else 'none'}; }}")
    pdf, facts = _render_sheet(book, assets, s, "jacket", html,
                               [STYLES / "fonts.css", STYLES / "cover.css", STYLES / "jacket.css"], css)
    return Jacket(pdf, s, facts["unembedded"], facts["overflow"], facts["outside"])
