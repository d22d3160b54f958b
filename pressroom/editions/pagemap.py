"""Where the pages of the print interior begin in the book's body: the page map
the EPUB's page-list is made from.

The print edition's finisher reads it from WeasyPrint's layout (page_starts);
the EPUB asks print_page_map, which reuses the map of the interior that this
process (or an earlier build, through the cache) laid out for the same book, or
lays it out.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass

from ..manuscript import Book, Photo


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
        for k, div in enumerate(divs[:len(text_blocks)]):  # templates/pdf/book.html: one per text block
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


#: The page map of the interior laid out last in this process, [(book, assets, page
#: map, page count)]: the EPUB's page-list reads it instead of laying the interior out again.
LAID_OUT: list[tuple] = []


def _key(book: Book, assets) -> str:
    """What the interior's page map depends on, for the cache: the book (its text,
    settings and photos) and the print files of its photos (their names come from
    their content)."""
    files = sorted((str(p), a.path.name, a.width, a.height) for (p, t), a in assets.items() if t == "print")
    return repr((book, files))


def _encoded(starts: list[PageStart], pages: int) -> bytes:
    """A page map as the cache keeps it (JSON)."""
    return json.dumps({"pages": pages, "starts": [astuple(s) for s in starts]}).encode()


def remember(book: Book, assets, starts: list[PageStart], pages: int) -> None:
    """Keep the interior's page map for this process and, on disk, for later builds
    (``build.py epub`` alone, after the book was built whole, lays nothing out)."""
    from .base import cached_render

    LAID_OUT[:] = [(book, assets, starts, pages)]
    cached_render("pagemap.json", _key(book, assets), lambda: (_encoded(starts, pages), {}))


def print_page_map(book: Book, assets) -> tuple[list[PageStart], int]:
    """The print interior's page map and page count, for the EPUB's page-list.

    From the interior laid out for the same book and assets by this process
    (``build.py all`` lays it out before the EPUB is made) or by an earlier build
    (kept in the cache), else laid out now (correct, but it costs a print
    rendering; the print derivatives are made, or taken from the cache, when
    ``assets`` lacks them).
    """
    from ..images import derive
    from .base import cached_render
    from .press import PrintInterior  # press imports this module

    for b, a, starts, pages in LAID_OUT:
        # Equal, not only identical: an edition made in a worker process gets copies.
        if (b is book or b == book) and (a is assets or a == assets):
            return starts, pages
    interior = PrintInterior()
    if any((p.path, "print") not in assets for p in book.images):
        assets = {**assets, **derive(list(book.images), interior.targets(book))}

    def lay_out() -> tuple[bytes, dict]:
        lay = interior.layout(book, assets)
        return _encoded(lay.page_map, lay.pages), {}

    data, _ = cached_render("pagemap.json", _key(book, assets), lay_out)
    got = json.loads(data)
    return [PageStart(*s) for s in got["starts"]], got["pages"]
