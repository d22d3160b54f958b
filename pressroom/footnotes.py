"""Footnotes at the foot of the page that calls them, in WeasyPrint's layout.

WeasyPrint sets a ``float: footnote`` note on its call's page, but when the
first lines of a paragraph at the foot of a page (as many as its ``orphans``)
need room, it moves the page's last footnotes to the next page to make it,
away from their calls. After a layout, :func:`misplaced` finds the notes set on
another page than their call and the paragraph that took their room; the PDF
writer (editions/base.py render_pdf) marks those paragraphs ``keep-lines-N``
(one line more for their orphans: they then start on the next page instead)
and lays the book out again, until every note is on its call's page.
"""

from __future__ import annotations

from .adapters import weasyprint as weasyprint_adapter

#: The classes that ask one, two, three more lines of a paragraph's start at the foot of a
#: page (book.css: orphans 2, 3, 4).
KEEP = ("keep-lines-1", "keep-lines-2", "keep-lines-3")
#: Layouts of a book at most (the first included): each one can only move paragraphs
#: further down the book, so a few settle it.
MAX_LAYOUTS = 4


_TEXT_TAGS = ("p", "span", "li", "div", "h3", "h4", "h5", "h6", "td", "th", "caption", "blockquote")


def misplaced(document) -> list:
    """The elements (paragraphs) whose start took the room of a footnote on the page
    that calls it, in a laid-out WeasyPrint ``document``: for each page where a note was
    moved, the paragraph of its last line and the one of the next page's first line
    (WeasyPrint moves the notes before it knows whether that paragraph's start fits)."""
    MarginBox, _, _ = weasyprint_adapter.box_types()
    FootnoteAreaBox, LineBox = weasyprint_adapter.footnote_box_types()
    walk = weasyprint_adapter.walk
    culprits = []
    lines = []  # (first line's element, last line's element) of each page
    moved = []  # whether a note called on the page was set on another
    for box in weasyprint_adapter.page_boxes(document):
        calls, notes, first, last = set(), set(), None, None
        for child in box.children:
            if isinstance(child, MarginBox):
                continue
            in_area = isinstance(child, FootnoteAreaBox)
            for b in walk(child):
                tag = getattr(b, "element_tag", "") or ""
                if in_area:
                    if tag == "span" and "footnote" in (b.element.get("class") or "").split():
                        notes.add(id(b.element))
                elif tag.endswith("::footnote-call"):
                    calls.add(id(b.element))
                elif isinstance(b, LineBox) and getattr(b, "element", None) is not None:
                    first = first if first is not None else b.element
                    last = b.element
        lines.append((first, last))
        moved.append(bool(calls - notes))
    for n, was_moved in enumerate(moved):
        if not was_moved:
            continue
        candidates = [lines[n][1]] + ([lines[n + 1][0]] if n + 1 < len(lines) else [])
        culprits += [el for el in candidates if el is not None and el.tag in _TEXT_TAGS]
    return culprits


def keep_lines(elements) -> bool:
    """Ask one line more of each of ``elements`` (the next class of KEEP); False when none
    could be asked more (nothing left to try)."""
    changed = False
    for el in {id(e): e for e in elements}.values():
        classes = (el.get("class") or "").split()
        level = max((KEEP.index(c) + 1 for c in classes if c in KEEP), default=0)
        if level < len(KEEP):
            el.set("class", " ".join([c for c in classes if c not in KEEP] + [KEEP[level]]))
            changed = True
    return changed
