"""The print interior: trim and bleed from the manuscript, photos at full resolution."""

from __future__ import annotations

from ..images import Target
from ..manuscript import Book
from ..render import STYLES
from .base import Edition, Geometry, write_pdf
from .pdf import book_html, page_css


class PrintInterior(Edition):
    name = "print"
    suffix = "-print.pdf"
    label = "print interior"

    def geometry(self, book: Book) -> Geometry:
        p = book.print
        return Geometry(p.width, p.height, top=54.0, bottom=62.0, inside=63.0, outside=45.0, bleed=p.bleed)

    def targets(self, book: Book) -> list[Target]:
        return [Target("print", None, 95, passthrough=True)]

    def build(self, book: Book, assets) -> dict[str, bytes]:
        g = self.geometry(book)
        html = book_html(book, "print", "print", g, assets)
        return {self.filename(book): write_pdf(book, html, [STYLES / "fonts.css", STYLES / "book.css"],
                                               extra_css=page_css(g, bleed=book.print.bleed))}
