"""A long book laid out chapter by chapter: each chapter (each part's title page, each
back-matter item, and the front matter together) laid out as a document of its own,
its PDF kept in the render cache, and the PDFs merged into the book's.

Why: WeasyPrint's layout is most of a long book's build (about 16 ms of CPU a page,
both PDFs), and it lays out the whole document every time. Every chapter starts on a
new page, so a chapter laid out alone is laid out as in the whole book once it knows
where it starts: its first folio and, for the screen PDF, the side of its first page
(the print interior opens every chapter on a recto). After an edit only the edited
chapter is laid out again, and the ones after it only when its page count changed
(their folios moved). The front matter is laid out first, to learn how many pages it
takes, the chapters after it, and the front again with the contents' folios filled in.

Laid out apart, what crosses chapters is mended in the merge (pikepdf):

- links to another chapter are laid out as ``x-pressroom:ID`` links and become
  internal links to the named destination ``ID``; the destinations of every chapter
  make one name tree;
- the contents' folios come from where each chapter landed, not target-counter();
- the structure trees (PDF/UA) become one: each chapter's elements under one
  Document element, one parent tree numbered page by page, then the annotations;
- one outline, nested by heading level across chapters as WeasyPrint nests it;
- page labels (a long-form book's roman front matter);
- blank pages where a chapter must open on a recto; the printer's page multiple;
- each font embedded once (fontmerge), not once per chapter.

Used for a PDF edition estimated at :data:`MIN_PAGES` pages or more, when nothing in
the book asks otherwise (:func:`applies`): a short book is laid out whole, in one go.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..cache import cached_file
from ..folios import label, label_ranges
from ..fontmerge import FontIndex, book_font_files, merge_fonts
from ..manuscript import Book
from .render_pdf import Styles, render_pdf

#: Where the book's HTML is cut (templates/pdf/book.html): before each part, chapter and
#: back-matter item.
MARK = "<!--pressroom:segment-->"
#: The links that leave a chapter: made internal again by the merge.
SCHEME = "x-pressroom:"
#: A PDF edition is laid out chapter by chapter when it is estimated at this many pages or
#: more and the book has at least MIN_SEGMENTS pieces; below that, a whole layout is as fast.
MIN_PAGES = 120
MIN_SEGMENTS = 3
#: Piece PDFs of one kind the cache keeps (the ones used last): enough for a long book's
#: chapters in both layouts the gutter search may try, and the states of many edits; and
#: the bytes they may take (a print piece carries its photos): pieces used within the
#: last hour are kept whatever their size (cache.RECENT: they may be this build's).
KEPT = 2000
KEPT_BYTES = 512 << 20

_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\bhref="#([^"]+)"')
_DATES = re.compile(r'<meta name="dcterms\.(?:created|modified)" content="[^"]*">')
#: The date every piece carries (merge() gives the book its own).
PIECE_DATE = "2000-01-01T00:00:00Z"


#: A PDF whose photos weigh more than this is laid out whole: merging copies every photo
#: of the pieces through memory (qpdf reads a copied stream's data whole), where the
#: whole layout streams each photo from its file as the PDF is written.
MAX_PHOTO_BYTES = 64 << 20


#: What an author's CSS may do that a chapter laid out alone cannot honour: break chapters
#: elsewhere than where pressroom does, style the document's first page (every piece has
#: one), count across chapters, carry a running string from one to the next, or set the
#: contents' folios itself.
_UNSPLITTABLE = re.compile(r":first(?![-\w])|break-(?:before|after)|page-break|counter-(?:reset|set|increment)"
                           r"|string-set|target-counter|\.contents", re.IGNORECASE)


def applies(book: Book, estimated_pages: int, photo_bytes: int = 0) -> bool:
    """Whether ``book`` is laid out chapter by chapter: from MIN_PAGES estimated pages and
    MIN_SEGMENTS pieces, when its photos (``photo_bytes``, as this PDF embeds them) are at
    most MAX_PHOTO_BYTES and its own CSS (``design: css``) does nothing of _UNSPLITTABLE."""
    return (estimated_pages >= MIN_PAGES and photo_bytes <= MAX_PHOTO_BYTES
            and len(book.body) + len(book.back_matter) + 1 >= MIN_SEGMENTS and _splittable_css(book))


def _splittable_css(book: Book) -> bool:
    css = book.design.css
    for path in (css.files.values() if css is not None else ()):
        try:
            if _UNSPLITTABLE.search(Path(path).read_text(encoding="utf-8", errors="replace")):
                return False
        except OSError:
            return False
    return True


@dataclass
class Piece:
    """One laid-out segment: its PDF and what its layout told."""

    path: Path  # its PDF, in the cache (read when merged: a piece with photos is never in memory whole)
    pages: int  # laid out, the lead-in page not counted
    lead_in: bool  # its PDF begins with a page to drop (a screen chapter opening on a verso)
    anchors: dict[str, int]  # {id: 0-based page within the segment}
    bookmarks: list[list]  # [page, level, state] in document order, as the PDF's outline lists them
    facts: dict  # what the edition's finisher read (its facts())
    blank_before: bool = False  # a blank page goes before it in the book


@dataclass
class Chapterwise:
    """The pieces of a book laid out chapter by chapter, and where each begins."""

    pieces: list[Piece]
    first_body: int | None  # 1-based page where a long-form book's folios restart at 1
    starts: list[int] = field(default_factory=list)  # 1-based page of each piece's first page

    @property
    def pages(self) -> int:
        return self.starts[-1] + self.pieces[-1].pages - 1 if self.pieces else 0


def split(html: str) -> tuple[str, list[str], str]:
    """(the document up to and with ``<body ...>``, the body's pieces, the rest)."""
    start = html.index(">", html.index("<body")) + 1
    end = html.rindex("</body>")
    return html[:start], html[start:end].split(MARK), html[end:]


def _outward(piece: str, ids: set[str]) -> str:
    """``piece`` with its links to ids it does not hold made ``x-pressroom:`` links."""
    return _HREF.sub(lambda m: m.group(0) if m.group(1) in ids else f'href="{SCHEME}{m.group(1)}"', piece)


def design_digest(book: Book) -> str:
    """A digest of what a layout reads besides the HTML and pressroom's own files: the
    book's design files (its fonts, its CSS and what that names: by content, as loaded)
    and every font file its PDFs draw with, the installed ones found by fontconfig
    included (by place, size and time: a font package upgraded lays the pieces out again)."""
    h = hashlib.sha256(book.design.digest.encode())
    for f in book_font_files(book):
        try:
            st = f.stat()
        except OSError:
            continue
        h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()


def lay_out(book: Book, html: str, stylesheets: list, *, kind: str, extra_css: str, variant: str | None,
            after_css: list, two_sided: bool, finisher: Callable[[], object] | None = None,
            facts: Callable[[object], dict] | None = None, after: Callable[[bytes], bytes] | None = None,
            **options) -> Chapterwise | None:
    """Lay ``html`` (a book_html document) out piece by piece, each from the cache when laid
    out before with the same text, styles and start. ``two_sided``: every piece opens on a
    recto (the print interior; blank pages go between); else a piece opening on a verso is
    laid out after a lead-in page, dropped in the merge. ``finisher()`` makes a finisher
    for each piece (see render_pdf) and ``facts(finisher)`` what the cache keeps of it;
    ``after(pdf)`` mends a piece's PDF before it is kept (what can be done piece by piece).
    A piece is named in the cache by everything it depends on: its HTML (the photos by
    their derivatives' content-addressed names), the styles, ``options`` (the print
    photos' stand-ins), design_digest() and where it starts. None when the contents do
    not settle (see _pieces): the caller then lays the book out whole."""
    # A piece's own dates do not reach the book (merge() dates it): without them, a piece
    # laid out before is the same piece, whatever the clock says.
    head, bodies, tail = split(_DATES.sub("", html))
    ids = [set(_ID.findall(b)) for b in bodies]
    bodies = [_outward(b, i) for b, i in zip(bodies, ids)]
    common = hashlib.sha256(json.dumps([kind, extra_css, variant, [str(s) for s in stylesheets],
                                        [s if isinstance(s, tuple) else str(s) for s in after_css],
                                        two_sided, repr(sorted(options.items())), design_digest(book)],
                                       default=str).encode()).hexdigest()
    body_ids = {item.id for item in book.body}
    first_piece = next((n for n, i in enumerate(ids) if body_ids & i), None) if book.long_form else None
    # The front's links to other pieces: the contents' entries, their folios filled in below.
    contents = re.findall(f'href="{SCHEME}([^"]+)"', bodies[0])

    def piece(n: int, start: int, lead_in: bool, css: str) -> Piece:
        # A piece opening on a verso is laid out after a lead-in page, dropped when merged.
        lead = '<div class="pressroom-lead-in" style="break-after: page"></div>' if lead_in else ""
        text = head + lead + bodies[n] + tail
        first = start - 1 if lead_in else start
        css += f"@page :first {{ counter-reset: page {first}; }}\n" if n else ""
        cache_key = hashlib.sha256(f"{common}|{text}|{css}".encode()).hexdigest()

        def make() -> tuple[dict, object]:
            fin = finisher() if finisher else None
            seen: dict = {}

            def finish(document, pdf):
                if fin is not None:
                    fin(document, pdf)
                anchors: dict[str, int] = {}
                for n, page in enumerate(document.pages):  # an element's first page: where it begins
                    for a in page.anchors:
                        anchors.setdefault(a, n)
                seen["anchors"] = anchors
                seen["bookmarks"] = [(n, level, state) for n, page in enumerate(document.pages)
                                     for level, _, _, state in page.bookmarks]
                seen["pages"] = len(document.pages)

            if not parsed:  # the stylesheets, parsed once for every piece laid out
                parsed.append(Styles(book, stylesheets, extra_css, after_css, options.pop("stand_ins", None)))
            pending = render_pdf(book, text, stylesheets, variant=variant, finisher=finish, created=PIECE_DATE,
                                 styles=parsed[0], last_css=css, **options)
            drop = 1 if lead_in else 0
            found = {"pages": seen["pages"] - drop,
                     "anchors": {a: p - drop for a, p in seen["anchors"].items() if p >= drop},
                     "bookmarks": [[p - drop, lv, st] for p, lv, st in seen["bookmarks"] if p >= drop],
                     "facts": facts(fin) if facts and fin is not None else {}}
            return found, pending

        def write(f) -> dict:
            found, pending = make()
            if after:
                f.write(after(pending.bytes()))
            else:
                pending.write(f)  # a print piece's photos streamed from their files
            return found

        path, found = cached_file(f"{kind}-piece.pdf", cache_key, write, kept=KEPT, max_bytes=KEPT_BYTES,
                                  needs=("pages", "anchors", "bookmarks", "facts"))
        return Piece(path, found["pages"], lead_in, found["anchors"], found["bookmarks"], found["facts"])

    def folio_css(numbers: dict[str, str]) -> str:
        return "".join(f'.contents a[href="{SCHEME}{a}"]::after {{ content: leader(". ") "{n}"; }}\n'
                       for a, n in numbers.items())

    parsed: list[Styles] = []
    try:
        return _pieces(book, piece, folio_css, contents, bodies, first_piece, two_sided)
    finally:
        for styles in parsed:
            styles.close()


def _pieces(book: Book, piece, folio_css, contents: list[str], bodies: list[str], first_piece: int | None,
            two_sided: bool) -> Chapterwise | None:
    """The pieces in order, each given where it starts; the front laid out again with the
    contents' folios (see lay_out). None when the folios filled in keep changing the front's
    length (a folio that wraps its line, moving the chapters, whose folios unwrap it)."""
    placeholder = {a: "000" for a in contents}
    front = piece(0, 1, False, folio_css(placeholder))
    for _ in range(3):  # the front again when the folios filled in changed its length
        pieces, starts, page, first_body = [front], [1], front.pages, None
        for n in range(1, len(bodies)):
            blank = two_sided and page % 2 == 1
            page += blank
            start = page + 1
            if n == first_piece:
                first_body = start
            folio = start - first_body + 1 if first_body else start
            p = piece(n, folio, (not two_sided) and start % 2 == 0, "")
            p.blank_before = blank
            pieces.append(p)
            starts.append(start)
            page += p.pages
        where = {a: starts[n] + pg for n, p in enumerate(pieces) for a, pg in p.anchors.items()}
        numbers = {a: label(where[a], first_body) for a in contents if a in where}
        again = piece(0, 1, False, folio_css(numbers))
        if again.pages == front.pages:
            pieces[0] = again
            return Chapterwise(pieces, first_body, starts)
        front = again
    return None  # the contents' length does not settle: the caller lays the book out whole


# --------------------------------------------------------------------------
# The merge
# --------------------------------------------------------------------------

class Merged:
    """A merged PDF (``pdf``, a pikepdf.Pdf: the first piece, opened, the others' pages
    added) and the other pieces (``sources``), which stay open until it is saved."""

    def __init__(self, pdf, sources: list):
        self.pdf, self.sources = pdf, sources

    def close(self) -> None:
        for src in self.sources:
            src.close()
        self.pdf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class MergedPDF:
    """The merged PDF of pieces laid out, written when asked (as render_pdf.PendingPDF is)."""

    def __init__(self, book: Book, laid: Chapterwise, *, multiple: int = 1, tagged: bool = True):
        self.book, self.laid, self.multiple, self.tagged = book, laid, multiple, tagged

    def write(self, output) -> None:
        """Write the PDF to the binary file object ``output``."""
        import pikepdf

        with merge(self.book, self.laid, multiple=self.multiple, tagged=self.tagged) as merged:
            merged.pdf.save(output, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.preserve)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.write(out)
        return out.getvalue()


def merge(book: Book, laid: Chapterwise, *, multiple: int = 1, tagged: bool = True) -> Merged:
    """``laid``'s pieces in one PDF, in order (see the module's docstring)."""
    import pikepdf

    with contextlib.ExitStack() as opened:  # every piece closed again if the merge fails
        sources = [opened.enter_context(pikepdf.open(p.path, access_mode=pikepdf.AccessMode.stream))
                   for p in laid.pieces]
        merged = _merged(book, laid, sources, multiple, tagged)
        opened.pop_all()
        return merged


def _merged(book: Book, laid: Chapterwise, sources: list, multiple: int, tagged: bool) -> Merged:
    """merge()'s work on the opened pieces."""
    import pikepdf

    out = sources[0]
    others = sources[1:]
    root_elem = None
    if tagged and "/StructTreeRoot" in out.Root:
        root_elem = out.Root.StructTreeRoot.K[0]
    nums: list = []  # (key, value) of the merged parent tree
    annots: list = []  # (annotation, its parent tree value)
    dests: dict[str, object] = {}
    marks: list = []  # (page, level, state, the destination after its page, title) for the outline

    def parents(src):
        tree = src.Root.StructTreeRoot.ParentTree
        flat = tree.Nums
        return {int(flat[i]): flat[i + 1] for i in range(0, len(flat), 2)}

    def take(src, piece: Piece, pages: list, own: bool) -> None:
        """Record what ``pages`` (src's kept pages, now in ``out``) bring along."""
        copy = (lambda o: o) if own else out.copy_foreign
        kept_src = list(src.pages)[1 if piece.lead_in else 0:]
        if root_elem is not None:
            tree = parents(src)
            for sp, page in zip(kept_src, pages):
                key = sp.obj.get("/StructParents")
                if key is not None and int(key) in tree:
                    value = tree[int(key)]
                    nums.append((page, pikepdf.Array([copy(v) if isinstance(v, pikepdf.Dictionary) else v
                                                      for v in value])))
                for annot, src_annot in zip(page.obj.get("/Annots", []), sp.obj.get("/Annots", [])):
                    k = src_annot.get("/StructParent")
                    if k is not None and int(k) in tree:
                        annots.append((annot, copy(tree[int(k)])))
        names = src.Root.get("/Names", {}).get("/Dests") if "/Names" in src.Root else None
        if names is not None:
            flat = names.get("/Names", [])
            by_src = {sp.objgen: pg for sp, pg in zip((p.obj for p in kept_src), pages)}
            for i in range(0, len(flat), 2):
                d = flat[i + 1]
                target = by_src.get(d[0].objgen)
                if target is not None:
                    dests[str(flat[i])] = pikepdf.Array([target.obj, *list(d)[1:]])
        # The outline: WeasyPrint's, flattened in document order, matched with the levels.
        if "/Outlines" in src.Root:
            flat_items = []

            def walk(item):
                while item is not None:
                    flat_items.append(item)
                    walk(item.get("/First"))
                    item = item.get("/Next")
            walk(src.Root.Outlines.get("/First"))
            by_src = {sp.obj.objgen: pg for sp, pg in zip(kept_src, pages)}
            items = [i for i in flat_items if i.Dest[0].objgen in by_src]
            for item, (_, level, state) in zip(items, piece.bookmarks):
                marks.append((by_src[item.Dest[0].objgen], level, state, list(item.Dest)[1:], str(item.Title)))

    pages_out = list(out.pages)
    take(out, laid.pieces[0], pages_out, own=True)
    for src, piece in zip(others, laid.pieces[1:]):
        if piece.blank_before:
            _blank(out)
        kept = list(src.pages)[1 if piece.lead_in else 0:]
        if root_elem is not None:  # the piece's elements join the book's Document element
            elem = src.Root.StructTreeRoot.K[0]
            kids = [k for k in elem.K if not (piece.lead_in and k.get("/Pg") is not None
                                                and k.Pg.objgen == src.pages[0].obj.objgen)]
            for k in kids:
                del k["/P"]
        before = len(out.pages)
        with warnings.catch_warnings():  # named destinations: made one tree below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning") else Warning)
            out.pages.extend(kept)
        new_pages = list(out.pages)[before:]
        if root_elem is not None:
            for k in kids:
                c = out.copy_foreign(k)
                c.P = root_elem
                root_elem.K.append(c)
        take(src, piece, new_pages, own=False)
    pad = -len(out.pages) % max(1, multiple)
    for _ in range(pad):
        _blank(out)

    # Links that left their piece, made internal.
    for page in out.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(SCHEME):
                del annot["/A"]
                annot.Dest = pikepdf.String(uri[len(SCHEME):])
                annot.Contents = pikepdf.String(uri[len(SCHEME):])

    if root_elem is not None:
        index = {p.objgen: n for n, p in enumerate(pg.obj for pg in out.pages)}
        flat = []
        for page, value in sorted(nums, key=lambda e: index[e[0].obj.objgen]):
            n = index[page.obj.objgen]
            page.obj.StructParents = n
            flat += [n, value]
        total = len(out.pages)
        for i, (annot, value) in enumerate(annots):
            annot.StructParent = total + i
            flat += [total + i, value]
        out.Root.StructTreeRoot.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(flat)))
        out.Root.StructTreeRoot.ParentTreeNextKey = total + len(annots)

    if dests:
        names = pikepdf.Array()
        for name in sorted(dests, key=lambda s: s.encode("utf-16-be") if not s.isascii() else s.encode()):
            names.append(pikepdf.String(name))
            names.append(dests[name])
        out.Root.Names = out.Root.get("/Names", pikepdf.Dictionary())
        out.Root.Names.Dests = out.make_indirect(pikepdf.Dictionary(Names=names))

    _outline(out, marks)
    if laid.first_body:
        nums_l = pikepdf.Array()
        for page, style in label_ranges(laid.first_body):
            nums_l.extend([page, pikepdf.Dictionary(S=pikepdf.Name(f"/{style}"))])
        out.Root.PageLabels = pikepdf.Dictionary(Nums=nums_l)

    _date(out)
    merge_fonts(out, FontIndex(book_font_files(book)))  # each face once: every piece embeds its own subset
    return Merged(out, others)


def _date(out) -> None:
    """The build's date (SOURCE_DATE_EPOCH, else now) in the document info and the XMP."""
    import pikepdf

    from .base import source_date

    when = source_date()
    pdf_date = pikepdf.String(when.strftime("D:%Y%m%d%H%M%S+00'00"))
    out.docinfo["/CreationDate"] = pdf_date
    out.docinfo["/ModDate"] = pdf_date
    if "/Metadata" in out.Root:
        with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                if key in xmp:
                    xmp[key] = when.isoformat()


def _blank(out) -> None:
    """Append an empty page the size (and boxes) of the last one."""
    import pikepdf

    last = out.pages[-1].obj
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=last.MediaBox,
                              Resources=pikepdf.Dictionary(),
                              Contents=out.make_stream(b""))
    for box in ("/TrimBox", "/BleedBox", "/ArtBox", "/CropBox"):
        if box in last:
            page[box] = last[box]
    out.pages.append(pikepdf.Page(page))


def _outline(out, marks) -> None:
    """The merged outline: items nested by level, as WeasyPrint nests bookmarks (a heading
    goes under the last one of a lower level before it)."""
    import pikepdf

    if "/Outlines" in out.Root:
        del out.Root["/Outlines"]
    if not marks:
        return
    with out.open_outline() as outline:
        stack: list[tuple[int, object]] = []  # (level, OutlineItem)
        for page, level, state, rest, title in marks:
            item = pikepdf.OutlineItem(title)
            item.destination = pikepdf.Array([page.obj, *rest])
            item.is_closed = state == "closed"
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))
