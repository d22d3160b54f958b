"""The screen PDF: the book as people read it on screens, photos sized for them."""

from __future__ import annotations

from pathlib import Path

from ..images import Asset, Target
from ..manuscript import Book
from ..render import STYLES, render
from .base import Edition, Geometry, layout_of, source_date, write_pdf

#: Photos are downsampled to about this many pixels per inch at their placed size.
SCREEN_PPI = 200


def page_css(g: Geometry, *, bleed: float = 0.0, marks: bool = False) -> str:
    """The @page rules for a geometry: size, margins mirrored left/right, running heads."""
    pt = lambda v: f"{v:.3f}pt"  # noqa: E731
    return f"""
@page {{ size: {pt(g.width)} {pt(g.height)}; margin: {pt(g.top)} {pt(g.outside)} {pt(g.bottom)} {pt(g.inside)};
  bleed: {pt(bleed)}; marks: {'crop' if marks else 'none'};
  @top-center {{ content: string(chapter); font-family: "Noto Serif", serif; font-size: 8pt; font-style: italic; color: #555; }}
  @bottom-center {{ content: counter(page); font-family: "Noto Serif", serif; font-size: 8.5pt; color: #333; }} }}
@page :left {{ margin-left: {pt(g.outside)}; margin-right: {pt(g.inside)}; }}
@page :right {{ margin-left: {pt(g.inside)}; margin-right: {pt(g.outside)}; }}
@page :blank {{ @top-center {{ content: none; }} @bottom-center {{ content: none; }} }}
@page front {{ @top-center {{ content: none; }} @bottom-center {{ content: none; }} }}
@page photo {{ @top-center {{ content: none; }} @bottom-center {{ content: none; }} }}
@page bleed {{ margin: 0; @top-center {{ content: none; }} @bottom-center {{ content: none; }} }}
"""


def book_html(book: Book, edition: str, target: str, g: Geometry, assets: dict[tuple[Path, str], Asset]) -> str:
    """The book's HTML for a PDF edition, each photo sized to its placed box."""
    photos, layouts, placed = {}, {}, {}
    for p in book.photos:
        a = assets[(p.path, target)]
        photos[p.number] = a
        layouts[p.number] = lay = layout_of(p, a)
        if lay == "full-bleed":
            placed[p.number] = g.place_bleed()
        elif lay == "inline":
            placed[p.number] = g.place_inline(a)
        else:
            placed[p.number] = g.place_page(a, bool(p.caption_html or p.credit))
    return render("pdf/book.html", book, edition=edition, photos=photos, layouts=layouts,
                  placed=placed, created=source_date().isoformat())


class ScreenPDF(Edition):
    name = "pdf"
    suffix = ".pdf"
    label = "screen PDF"

    def geometry(self, book: Book) -> Geometry:
        w, h = book.print.width, book.print.height
        m = 54.0  # 0.75in
        return Geometry(w, h, top=m, bottom=m * 1.15, inside=m, outside=m)

    def targets(self, book: Book) -> list[Target]:
        long_inches = max(book.print.width, book.print.height) / 72
        return [Target("screen", round(long_inches * SCREEN_PPI), 85)]

    def build(self, book: Book, assets) -> dict[str, bytes]:
        g = self.geometry(book)
        html = book_html(book, "screen", "screen", g, assets)
        return {self.filename(book): write_pdf(book, html, [STYLES / "fonts.css", STYLES / "book.css"],
                                               extra_css=page_css(g))}
