"""Folios of a long-form book: lower-case roman numerals in the front matter, arabic
from 1 on the first page of the first part or chapter (styles/book.css restarts the
page counter there), and the /PageLabels that make a PDF viewer's page numbers match
them. The EPUB's page-list names the print edition's pages the same way (label()).

A book that is not long-form (Book.long_form) keeps one run of arabic page numbers
and gets no page labels.
"""

from __future__ import annotations

from .manuscript import Book


def roman(n: int) -> str:
    """``n`` (1 or more) in lower-case roman numerals."""
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def label(page: int, first_body: int | None) -> str:
    """The folio of 1-based page ``page`` when the body begins on page ``first_body``
    (None: one arabic run from the first page)."""
    if first_body is None or first_body <= 1:
        return str(page if first_body is None else page - first_body + 1)
    return roman(page) if page < first_body else str(page - first_body + 1)


def first_body_page(pages, book: Book) -> int | None:
    """The 1-based page of a laid-out WeasyPrint document (``pages``: its Page objects)
    on which the body (the first part or chapter) begins; None for a book that is not
    long-form, or when it cannot be found."""
    if not book.long_form or not book.body:
        return None
    target = book.body[0].id
    for n, page in enumerate(pages, 1):
        if target in getattr(page, "anchors", {}):
            return n
    return None


def label_ranges(first_body: int) -> list[tuple[int, str]]:
    """The /PageLabels ranges ((0-based first page, numbering style)) of a book whose body
    begins on page ``first_body``: roman up to it, arabic from 1 there."""
    return ([(0, "r")] if first_body > 1 else []) + [(first_body - 1, "D")]


def add_page_labels(pdf, first_body: int | None) -> None:
    """Give a pydyf PDF /PageLabels (see label_ranges)."""
    import pydyf

    if first_body is None:
        return
    nums = pydyf.Array()
    for page, style in label_ranges(first_body):
        nums.extend([page, pydyf.Dictionary({"S": f"/{style}"})])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})
