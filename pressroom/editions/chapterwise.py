"""A long book laid out chapter by chapter: each chapter (each part's title page, each
back-matter item, and the front matter together) laid out as a document of its own,
its PDF kept in the render cache, and the PDFs merged into the book's.

Why: WeasyPrint's layout is most of a long book's build (about 14 ms of CPU a page),
and it lays out the whole document every time. Every chapter starts on a
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

Each piece is laid out in the build's process, in order (its folio needs the page
counts before it), and drawn and written by a forked process while the next is laid
out (:class:`_Drawings`). A long book's print pieces are drawn once, tagged, and written
twice: the print file's piece and the screen PDF's (:class:`Twin`, twin.py: one layout,
two PDFs).

Used for a PDF edition estimated at :data:`MIN_PAGES` pages or more, when nothing in
the book asks otherwise (:func:`applies`): a short book is laid out whole, in one go.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import io
import json
import os
import re
import select
import signal
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..adapters import pydyf as pydyf_adapter
from ..cache import cached_file, cached_file_entry, cached_render
from ..errors import BuildError, Location, Problem
from ..folios import label, label_ranges
from ..fontmerge import FontIndex, book_font_files, merge_fonts
from ..manuscript import Book
from .render_pdf import Styles
from .twin import ScreenImage, screen_side, untag

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


#: A long book's screen PDF is drawn from its print interior's layout (one layout, two
#: PDFs: see Twin) when one_layout() says so; False lays it out on its own, as a short
#: book's is (the tests compare the two).
ONE_LAYOUT = True


def one_layout(book: Book) -> bool:
    """Whether ``book``'s screen PDF is its print interior's layout drawn again: a book laid
    out chapter by chapter (applies(), with the print interior's first page and the photos'
    own files' bytes), with no spread (the screen PDF shows a spread's second half as a
    background, an artifact; print, as the photo again)."""
    from .base import estimated_pages
    from .press.services import first_gutter, print_geometry

    if not ONE_LAYOUT or any(p.layout == "spread" for p in book.photos):
        return False
    photo_bytes = 0
    for path in {p.path for p in book.images}:
        with contextlib.suppress(OSError):
            photo_bytes += path.stat().st_size
    return applies(book, estimated_pages(book, print_geometry(book, first_gutter(book))), photo_bytes)


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
    twin: Path | None = None  # its twin's PDF (see Twin)
    key: str = ""  # its name in the cache, and its twin's (lay_out)
    twin_key: str | None = None


@dataclass
class Chapterwise:
    """The pieces of a book laid out chapter by chapter, and where each begins."""

    pieces: list[Piece]
    first_body: int | None  # 1-based page where a long-form book's folios restart at 1
    starts: list[int] = field(default_factory=list)  # 1-based page of each piece's first page

    @property
    def pages(self) -> int:
        return self.starts[-1] + self.pieces[-1].pages - 1 if self.pieces else 0

    def twin(self) -> "Chapterwise":
        """The same pieces as their twins' PDFs (see Twin): the same pages, links, outline."""
        return Chapterwise([dataclasses.replace(p, path=p.twin, twin=None) for p in self.pieces],
                           self.first_body, list(self.starts))


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


@dataclass
class Twin:
    """A second PDF drawn from each piece's layout (one layout, two PDFs): the screen PDF
    of a book laid out once for print. ``images`` gives each photo's print stand-in (see
    interior.stand_ins_for) the screen derivative drawn in its place."""

    kind: str
    images: dict[bytes, "ScreenImage"]

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(sorted([hashlib.sha256(k).hexdigest(), list(v)]
                                                for k, v in self.images.items())).encode()).hexdigest()


def lay_out(book: Book, html: str, stylesheets: list, *, kind: str, extra_css: str, variant: str | None,
            after_css: list, two_sided: bool, finisher: Callable[[], object] | None = None,
            facts: Callable[[object], dict] | None = None, draw_as: str | None = None,
            twin: Twin | None = None, **options) -> Chapterwise | None:
    """Lay ``html`` (a book_html document) out piece by piece, each from the cache when laid
    out before with the same text, styles and start. ``two_sided``: every piece opens on a
    recto (the print interior; blank pages go between); else a piece opening on a verso is
    laid out after a lead-in page, dropped in the merge. ``finisher()`` makes a finisher
    for each piece (see render_pdf) and ``facts(finisher)`` what the cache keeps of it. A
    tagged piece has its running heads and folios marked as artifacts when it is drawn.
    ``draw_as``: the variant a piece is drawn as, then made ``variant`` (render_pdf.restamp:
    the print interior's pieces are drawn tagged, so that ``twin``, when given, is drawn
    from the same drawing: see Twin and Chapterwise.twin).

    Each piece is laid out in this process, which must know its length to know where the
    next starts; it is drawn and written into the cache by a forked process while the next
    is laid out (see _Drawings). A piece is named in the cache by everything it depends
    on: its HTML (the photos by their derivatives' content-addressed names), the styles,
    ``options`` (the print photos' stand-ins), design_digest() and where it starts. None
    when the contents do not settle (see _pieces): the caller then lays the book out whole."""
    from . import render_pdf as rp

    # A piece's own dates do not reach the book (merge() dates it): without them, a piece
    # laid out before is the same piece, whatever the clock says.
    head, bodies, tail = split(_DATES.sub("", html))
    ids = [set(_ID.findall(b)) for b in bodies]
    bodies = [_outward(b, i) for b, i in zip(bodies, ids)]
    common = hashlib.sha256(json.dumps([kind, extra_css, variant, draw_as, [str(s) for s in stylesheets],
                                        [s if isinstance(s, tuple) else str(s) for s in after_css],
                                        two_sided, repr(sorted(options.items())), design_digest(book)],
                                       default=str).encode()).hexdigest()
    body_ids = {item.id for item in book.body}
    first_piece = next((n for n, i in enumerate(ids) if body_ids & i), None) if book.long_form else None
    # The front's links to other pieces: the contents' entries, their folios filled in below.
    contents = re.findall(f'href="{SCHEME}([^"]+)"', bodies[0])
    needs = ("pages", "anchors", "bookmarks", "facts")
    stand_ins = options.pop("stand_ins", None)
    parsed: list[Styles] = []
    drawings = _Drawings()
    drawn: list[tuple[Piece, Callable[[], None]]] = []  # the pieces being drawn, and how to draw one here

    def styles() -> Styles:
        if not parsed:  # the stylesheets, parsed once for every piece laid out
            parsed.append(Styles(book, stylesheets, extra_css, after_css, stand_ins))
        return parsed[0]

    def entries(key: str, twin_key: str | None) -> list[tuple[Path, dict]] | None:
        """The cache entries of a piece and of its twin (when drawn with one), or None
        when one of them is missing."""
        found = [cached_file_entry(f"{kind}-piece.pdf", key, needs)]
        if twin is not None:
            found.append(cached_file_entry(f"{twin.kind}-piece.pdf", twin_key, needs))
        return None if None in found else found

    def piece(n: int, start: int, lead_in: bool, css: str, draw: bool = True) -> Piece:
        # A piece opening on a verso is laid out after a lead-in page, dropped when merged.
        lead = '<div class="pressroom-lead-in" style="break-after: page"></div>' if lead_in else ""
        text = head + lead + bodies[n] + tail
        first = start - 1 if lead_in else start
        css += f"@page :first {{ counter-reset: page {first}; }}\n" if n else ""
        key = hashlib.sha256(f"{common}|{text}|{css}".encode()).hexdigest()
        twin_key = f"{key}|{twin.digest}" if twin is not None else None

        def lay():
            return rp.lay_out(book, text, styles(), variant=draw_as or variant, last_css=css, **options)

        if not draw:  # only its length is wanted (the front with placeholder folios)
            data, _ = cached_render(f"{kind}-piece-layout.json", key, lambda: (json.dumps(
                _found(lay().document, lead_in, {})).encode(), {}), kept=KEPT)
            return _piece(None, json.loads(data), lead_in)
        hit = entries(key, twin_key)
        if hit is not None:
            return _piece(hit[0][0], hit[0][1], lead_in, hit[1][0] if twin is not None else None)

        def draw_it(laid) -> None:
            """Draw ``laid`` and write its PDF (and its twin's) into the cache."""
            found = _found(laid.document, lead_in, {})
            fin = finisher() if finisher else None
            drawn_as = draw_as or variant
            pending = laid.generate(drawn_as, created=PIECE_DATE)
            if drawn_as == "pdf/ua-1":  # the running heads and folios: artifacts (PDF/UA)
                pydyf_adapter.mark_pagination_artifacts(pending.pdf)
            pydyf_adapter.compress_streams(pending.pdf)  # once, for the twin and the piece
            if twin is not None:
                with screen_side(pending.pdf, twin.images):
                    keep(f"{twin.kind}-piece.pdf", twin_key, pending, found)
            if draw_as:
                untag(pending.pdf)
                laid.restamp(pending, variant)
            if fin is not None:
                fin(laid.document, pending.pdf)
            keep(f"{kind}-piece.pdf", key, pending, {**found, "facts": facts(fin) if facts and fin is not None else {}})

        laid = lay()
        made = _piece(None, _found(laid.document, lead_in, {}), lead_in)
        made.key, made.twin_key = key, twin_key
        drawings.start(lambda: draw_it(laid))
        drawn.append((made, lambda: draw_it(lay())))
        return made

    def folio_css(numbers: dict[str, str]) -> str:
        return "".join(f'.contents a[href="{SCHEME}{a}"]::after {{ content: leader(". ") "{n}"; }}\n'
                       for a, n in numbers.items())

    try:
        laid_out = _pieces(book, piece, folio_css, contents, bodies, first_piece, two_sided)
        drawings.finish()
        if laid_out is None:
            return None
        for made, draw_here in drawn:
            if not any(made is p for p in laid_out.pieces):
                continue  # a front replaced by one with its folios
            got = entries(made.key, made.twin_key)
            if got is None:  # its drawing process failed: drawn here, where a failure is reported
                draw_here()
                got = entries(made.key, made.twin_key)
                if got is None:
                    raise BuildError([Problem(Location(str(book.source)), "a chapter's PDF could not be kept "
                                              "in the cache (is the cache folder writable?)", "PR090")])
            made.path, made.facts = got[0][0], got[0][1]["facts"]
            made.twin = got[1][0] if twin is not None else None
        return laid_out
    finally:
        drawings.stop()
        for s in parsed:
            s.close()


def _found(document, lead_in: bool, facts: dict) -> dict:
    """What a piece's layout tells the merge: its pages (the lead-in not counted), where
    each element begins, its bookmarks; and ``facts``."""
    drop = 1 if lead_in else 0
    anchors: dict[str, int] = {}
    for n, page in enumerate(document.pages):  # an element's first page: where it begins
        for a in page.anchors:
            anchors.setdefault(a, n)
    return {"pages": len(document.pages) - drop,
            "anchors": {a: p - drop for a, p in anchors.items() if p >= drop},
            "bookmarks": [[n - drop, level, state] for n, page in enumerate(document.pages) if n >= drop
                          for level, _, _, state in page.bookmarks],
            "facts": facts}


def _piece(path: Path | None, found: dict, lead_in: bool, twin: Path | None = None) -> Piece:
    return Piece(path, found["pages"], lead_in, found["anchors"], found["bookmarks"], found["facts"], twin=twin)


def keep(kind: str, key: str, pending, found: dict) -> None:
    """Write ``pending`` (a render_pdf.PendingPDF) into the cache, ``found`` its facts."""

    def write(f) -> dict:
        pending.write(f)  # a print piece's photos streamed from their files
        return found

    cached_file(kind, key, write, kept=KEPT, max_bytes=KEPT_BYTES)


#: How much less a drawing process is given the CPU than the layout (os.nice): the layout
#: is the build's critical path, the drawings can follow behind it.
NICE = 10
#: A drawing process that has used no CPU for this many seconds is stuck: killed, and its
#: piece drawn by the build itself. Pango runs fontconfig in a thread of its own; a fork
#: made while that thread holds one of fontconfig's locks gives a child whose first call
#: into fontconfig waits for ever (seen once in some thousand forks, in the tests).
STALL = 3.0
#: How often the parent looks at the CPU time of its drawing processes while it waits for
#: one to end (seconds); it wakes at once when one ends.
POLL = 0.25


class _Drawings:
    """Pieces drawn in forked processes while this one lays out the next: a piece's drawing
    (as much CPU as its layout, with a twin) needs nothing of the pieces after it. At
    most one per core this process may use at once; the parent waits for them all
    (finish) before it reads what they wrote into the cache. A child reports nothing:
    the parent finds its entries in the cache, or draws the piece itself (then a
    failure is reported, as a whole layout reports it). A child that stopped using the
    CPU (see STALL) is killed, and its piece drawn the same way. One core, or no fork:
    each piece is drawn at once, here."""

    def __init__(self):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        self.most = cores if hasattr(os, "fork") else 0
        self.running: dict[int, list] = {}  # pid: [its CPU seconds, when they last grew, a pidfd or None]

    def start(self, job: Callable[[], None]) -> None:
        if self.most < 2:
            job()
            return
        while len(self.running) >= self.most:
            self._reap()
        gc.freeze()  # the child's collector leaves the parent's objects alone: no pages copied for it
        try:
            pid = os.fork()
        except OSError:
            gc.unfreeze()
            job()
            return
        if pid == 0:  # the child: draw, write into the cache, and leave without cleaning up the parent's
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.nice(NICE)  # the layout, which waits for nothing, keeps its core
                job()
                code = 0
            except BaseException:  # noqa: BLE001  the parent draws it again and reports the failure
                pass
            finally:
                os._exit(code)
        gc.unfreeze()
        try:
            fd = os.pidfd_open(pid)  # readable when the child ends (Linux 5.3)
        except (AttributeError, OSError):
            fd = None
        self.running[pid] = [0.0, time.monotonic(), fd]

    def _reap(self) -> None:
        """Wait until a child has ended (or was found stuck and killed), and collect it."""
        while True:
            now = time.monotonic()
            for pid, (cpu, since, fd) in list(self.running.items()):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    del self.running[pid]
                    if fd is not None:
                        os.close(fd)
                    return
                used = _cpu_seconds(pid)
                if used is None or used > cpu:
                    self.running[pid][:2] = [used or cpu, now]
                elif now - since > STALL:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
            fds = [fd for _, _, fd in self.running.values() if fd is not None]
            if len(fds) == len(self.running):
                select.select(fds, [], [], POLL)  # wakes as soon as one ends
            else:
                time.sleep(min(POLL, 0.02))

    def finish(self) -> None:
        while self.running:
            self._reap()

    def stop(self) -> None:
        """Stop the children still drawing (the build failed or was interrupted)."""
        for pid in self.running:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self.finish()


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time (user + system) process ``pid`` has used, from /proc; None where there
    is no /proc (a child is then never taken for stuck)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pieces(book: Book, piece, folio_css, contents: list[str], bodies: list[str], first_piece: int | None,
            two_sided: bool) -> Chapterwise | None:
    """The pieces in order, each given where it starts; the front laid out again with the
    contents' folios (see lay_out). None when the folios filled in keep changing the front's
    length (a folio that wraps its line, moving the chapters, whose folios unwrap it)."""
    placeholder = {a: "000" for a in contents}
    front = piece(0, 1, False, folio_css(placeholder), draw=False)  # only its length is wanted
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
    for key in ("/TrimBox", "/BleedBox", "/ArtBox", "/CropBox", "/Tabs"):  # Tabs: as every page of a tagged PDF
        if key in last:
            page[key] = last[key]
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
