"""Where the pages of the print interior begin in the book's body: the page map
the EPUB's page-list is made from.

The print edition's finisher reads it from WeasyPrint's layout (:func:`page_starts`)
and the build schedule hands it to the EPUB as a :class:`PageMap`. Each map is
also kept in the render cache (:func:`remember`), so that :func:`print_page_map`
(the EPUB built without the print edition) lays nothing out when the book was
built whole before.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass

from ...adapters.weasyprint import box_types
from ...cache import cached_render
from ...manuscript import Book, Photo


@dataclass(frozen=True)
class PageStart:
    """Where a printed page begins in the book's body.

    ``kind`` says what is first on the page: "chapter" (the chapter's title: the
    page opens the chapter), "part" (a part's title page; ``chapter`` is then the
    part's number), "matter" (the title of the front or back matter item whose id
    is ``matter``), "photo" (the figure of photo number ``photo``) or
    "text" (the ``element``-th top-level element, a paragraph or a list, of the
    chapter's ``block``-th block, after ``chars`` of its characters (white space
    and hyphens not counted, see chars) set on earlier pages: 0 when the page
    begins with the element). A text of a front or back matter item has its id in
    ``matter`` (``chapter`` is 0, ``block`` an index in its blocks).
    """

    page: int  # the printed folio: the interior's 1-based page index
    chapter: int  # the chapter's number
    kind: str
    photo: int | None = None
    block: int | None = None  # index in Chapter.blocks
    element: int | None = None  # index among the block's top-level elements
    chars: int = 0
    matter: str | None = None  # the id of the front or back matter item it begins in


@dataclass(frozen=True)
class PageMap:
    """The print interior's page map: where its pages begin, and how many it has."""

    starts: tuple[PageStart, ...]
    pages: int


def chars(text: str) -> int:
    """The characters of a text box that count in PageStart.chars: not white space, soft
    hyphens, or the hyphen WeasyPrint adds at the end of a line when it hyphenates a word."""
    return len("".join(text.removesuffix("\u2010").split()).replace("\u00ad", ""))


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _described(root, book: Book) -> dict[int, tuple]:
    """{id(element): (kind, chapter, photo, block, element, matter)} for the elements a page can begin at."""
    chapters = {c.id: c for c in book.chapters}
    parts = {p.id: p for p in book.parts}
    matters = {m.id: m for m in book.front_matter + book.back_matter}
    out: dict[int, tuple] = {}
    for section in root.iter():
        part = parts.get(section.get("id")) if _local(section.tag) == "section" else None
        if part is not None:
            out[id(section)] = ("part", part.number, None, None, None, None)
            continue
        matter = matters.get(section.get("id")) if _local(section.tag) == "section" else None
        if matter is not None:
            divs = [d for d in section if _local(d.tag) == "div" and "text" in (d.get("class") or "").split()]
            for k, div in enumerate(divs[:len(matter.blocks)]):  # one per block
                for j, child in enumerate(c for c in div if isinstance(c.tag, str)):
                    out[id(child)] = ("text", 0, None, k, j, matter.id)
            for e in section:
                if _local(e.tag) == "h2" and "matter-title" in (e.get("class") or "").split():
                    out[id(e)] = ("matter", 0, None, None, None, matter.id)
            continue
        chapter = chapters.get(section.get("id")) if _local(section.tag) == "section" else None
        if chapter is None:
            continue
        text_blocks = [i for i, b in enumerate(chapter.blocks) if not isinstance(b, Photo)]
        divs = [d for d in section if _local(d.tag) == "div" and "text" in (d.get("class") or "").split()]
        for k, div in enumerate(divs[:len(text_blocks)]):  # templates/pdf/book.html: one per text block
            for j, child in enumerate(c for c in div if isinstance(c.tag, str)):
                out[id(child)] = ("text", chapter.number, None, text_blocks[k], j, None)
        for e in section.iter():
            tag, cls = _local(e.tag), (e.get("class") or "").split()
            if tag == "h2" and "chapter-title" in cls:
                out[id(e)] = ("chapter", chapter.number, None, None, None, None)
            elif tag == "figure" and (e.get("id") or "").startswith("photo-"):
                opener = any(_local(h.tag) == "h2" for h in e.iter())  # a full-bleed photo carrying the title
                out[id(e)] = ("chapter" if opener else "photo", chapter.number, int(e.get("id")[6:]), None, None, None)
    return out


def page_starts(page_boxes, book: Book) -> list[PageStart]:
    """Where each page of a laid-out interior begins, for the pages that begin in a chapter,
    a part or a front or back matter item.

    A page is attributed to the first element drawn on it that is a chapter's
    title, a photo's figure or a top-level element of a text block. Pages that
    begin with front matter (half title, title page, colophon, contents) and
    blank pages have no entry.
    """
    MarginBox, TextBox, _ = box_types()

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
                count[current] = count.get(current, 0) + chars(box.text)
            for child in getattr(box, "children", ()) or ():
                visit(child, current)

        for child in page_box.children:
            if not isinstance(child, MarginBox):
                visit(child, None)
        if first and first[0][1] not in attributed:
            (kind, chapter, photo, block, element, matter), key = first[0]
            starts.append(PageStart(n, chapter, kind, photo, block, element, done.get(key, 0) if kind == "text" else 0,
                                    matter))
            if kind != "text":
                attributed.add(key)
        for key, c in count.items():
            done[key] = done.get(key, 0) + c
    return starts


def cache_key(book: Book, assets) -> str:
    """What the interior's page map depends on, for the cache: the book (its text,
    settings and photos) and the print files of its photos (their names come from
    their content)."""
    files = sorted((str(p), a.path.name, a.width, a.height) for (p, t), a in assets.items() if t == "print")
    return repr((book, files))


def encoded(page_map: PageMap) -> bytes:
    """A page map as the cache keeps it (JSON)."""
    return json.dumps({"pages": page_map.pages, "starts": [astuple(s) for s in page_map.starts]}).encode()


def remember(book: Book, assets, page_map: PageMap) -> None:
    """Keep the interior's page map in the cache for later builds (``build.py epub``
    alone, after the book was built whole, lays nothing out: interior.print_page_map)."""
    cached_render("pagemap.json", cache_key(book, assets), lambda: (encoded(page_map), {}))


def decoded(data: bytes) -> PageMap:
    """A page map from what :func:`encoded` made."""
    got = json.loads(data)
    return PageMap(tuple(PageStart(*s) for s in got["starts"]), got["pages"])
