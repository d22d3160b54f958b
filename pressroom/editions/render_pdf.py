"""Rendering HTML to PDF with WeasyPrint, confined to the book: what both PDF editions share.

:func:`render_pdf` lays a book's HTML out and generates its PDF, reading files
only through :class:`ConfinedFetcher` (the book folder, the cache, pressroom's
styles; nothing from the network); :class:`PendingPDF` writes it later, to a
file, streaming file-backed photos in. WeasyPrint's internals it needs are in
adapters/weasyprint.py, pydyf's in adapters/pydyf.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from ..adapters import AdapterError
from ..adapters import pydyf as pydyf_adapter
from ..adapters import weasyprint as weasyprint_adapter
from ..adapters.weasyprint import FetcherBase, bytes_response
from ..cache import cache_dir
from ..errors import BuildError, Location, Problem
from ..manuscript import Book, one_line
from ..render import STYLES
from .base import source_date


class ConfinedFetcher(FetcherBase):
    """A WeasyPrint URL fetcher that reads files only under the given folders.

    Nothing goes to the network: every scheme but ``file:`` and ``data:`` is
    refused, and so is a file URL naming a host, a file outside the book folder,
    the photo cache and the project's styles (symlinks resolved first), and
    anything that is not a regular file.
    """

    def __init__(self, roots: list[Path], aliases: dict[str, Path] | None = None,
                 stand_ins: dict[str, bytes] | None = None):
        self.roots = [r.resolve() for r in roots]
        self.aliases = aliases or {}  # {"pressroom-cache": cache folder}: opaque schemes for folders
        self.stand_ins = stand_ins or {}  # {URL: bytes given instead of the file's}
        self.refused: list[str] = []

    def __call__(self, url: str):
        from weasyprint.urls import URLFetcherResponse

        if url in self.stand_ins:
            return bytes_response(url, self.stand_ins[url])
        parsed = urlparse(url)
        scheme = parsed.scheme.lower()
        alias = self.aliases.get(scheme)
        if (scheme == "file" and parsed.netloc in ("", "localhost") or alias) and "\0" not in url:
            try:
                if alias:
                    rel = PurePosixPath(unquote(parsed.path).lstrip("/"))
                    path = (alias / rel).resolve() if ".." not in rel.parts else alias / "\0"
                else:
                    path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(r) for r in self.roots) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes(), {})
            except (OSError, RuntimeError, ValueError):
                pass
        elif scheme == "data":
            from weasyprint.urls import URLFetcher

            return URLFetcher(allowed_protocols=("data",))(url)
        self.refused.append(url)
        raise ValueError(f"pressroom does not fetch {url!r}")


CACHE_SCHEME = "pressroom-cache"




def photo_url(path: Path) -> str:
    """The URL WeasyPrint sees for a file: cache files by the opaque scheme (see write_pdf)."""
    cache = cache_dir()
    if path.is_relative_to(cache):
        return f"{CACHE_SCHEME}:/" + path.relative_to(cache).as_posix()
    return path.as_uri()


class PendingPDF:
    """A PDF generated but not yet serialised: WeasyPrint's pydyf document, written
    by :meth:`write` to a file (or :meth:`bytes`). Images that are files
    (adapters.pydyf.file_image) are copied into it from their files while it is written, so
    neither the whole PDF nor all its photos are ever in memory at once."""

    def __init__(self, pdf, version, identifier, compress: bool, where: Location | None = None):
        self.pdf, self.version, self.identifier, self.compress = pdf, version, identifier, compress
        self.where = where or Location("book")  # for a failure's message: the manuscript

    def write(self, output) -> None:
        """Write the PDF to the binary file object ``output``. Raises OSError when a file
        cannot be read or written, BuildError for a failure of the PDF writer."""
        try:
            pydyf_adapter.write(self.pdf, output, self.version, self.identifier, self.compress)
        except OSError:
            raise
        except Exception as e:  # pydyf's own failure: one line, as WeasyPrint's are
            raise BuildError([Problem(self.where, one_line(f"PDF writing failed: {e}"), "PR090")]) from None

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.write(out)
        return out.getvalue()


def write_pdf(book: Book, html: str, stylesheets: list[str | Path], **kwargs) -> bytes:
    """:func:`render_pdf`, serialised to bytes."""
    return render_pdf(book, html, stylesheets, **kwargs).bytes()


class Styles:
    """The stylesheets of a book's PDF, parsed once, with the URL fetcher and the font
    configuration they were parsed with: one render_pdf call makes its own; the pieces of
    a long book laid out chapter by chapter share one (parsing them took 0.1 s a piece).
    ``close()`` removes the fonts WeasyPrint wrote for fontconfig."""

    def __init__(self, book: Book, stylesheets: list[str | Path], extra_css: str = "",
                 after_css: list[Path | tuple[str, str]] = (), stand_ins: dict[str, bytes] | None = None):
        from weasyprint.text.fonts import FontConfiguration

        cache = cache_dir()
        # Photos are named by an opaque URL, not their place in the cache: a path
        # never reaches the PDF, and the bytes do not depend on where the cache is.
        self.opaque = re.compile(r"""(?<=["'(])""" + re.escape(cache.as_uri() + "/"))
        self.fetcher = ConfinedFetcher([book.root, cache, STYLES], {CACHE_SCHEME: cache}, stand_ins)
        self.fonts = FontConfiguration()
        self.where = Location(str(book.source))
        extra_css = self.opaque.sub(f"{CACHE_SCHEME}:/", extra_css)
        try:
            sheets = [self.css(filename=str(s)) for s in stylesheets]
            if extra_css:
                sheets.append(self.css(string=extra_css, base_url=str(STYLES) + "/"))
            for s in after_css:
                sheets.append(self.css(string=s[0], base_url=s[1]) if isinstance(s, tuple)
                              else self.css(filename=str(s)))
        except Exception as e:  # WeasyPrint's own failures become one clear line
            self.close()
            raise BuildError([Problem(self.where, one_line(f"PDF rendering failed: {e}"), "PR090")]) from None
        self.sheets = sheets

    def check_refused(self) -> None:
        """Raise BuildError naming each URL the fetcher refused to read (PR091)."""
        if self.fetcher.refused:
            raise BuildError([Problem(self.where, one_line(f"refused to read {u}"), "PR091")
                              for u in self.fetcher.refused])

    def css(self, **source):
        from weasyprint import CSS

        return CSS(url_fetcher=self.fetcher, font_config=self.fonts, **source)

    def close(self) -> None:
        weasyprint_adapter.remove_font_files(self.fonts)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def render_pdf(book: Book, html: str, stylesheets: list[str | Path], *, extra_css: str = "",
               variant: str | None = None, stand_ins: dict[str, bytes] | None = None,
               after_css: list[Path | tuple[str, str]] = (), created: str | None = None,
               styles: Styles | None = None, last_css: str = "", **options) -> PendingPDF:
    """Lay ``html`` out with WeasyPrint, reading only the book, the cache and the styles,
    and generate its PDF; ``finisher(document, pdf)``, when given, sees it before it is
    written by the result's write() or bytes(). ``stand_ins`` gives image URLs bytes to
    read instead of their files. ``after_css`` come after ``extra_css``: the book's design
    (design.sheets), files or (CSS text, base URL) pairs. The bytes depend only on the book
    and SOURCE_DATE_EPOCH; ``created`` (ISO 8601) dates the PDF instead when the HTML does not.
    ``styles``: the stylesheets parsed already (then ``stylesheets``, ``extra_css``,
    ``after_css`` and ``stand_ins`` are theirs); ``last_css`` comes after all of them."""
    if styles is None:
        with Styles(book, stylesheets, extra_css, after_css, stand_ins) as own:
            return render_pdf(book, html, stylesheets, variant=variant, created=created, styles=own,
                              last_css=last_css, **options)
    finisher = options.pop("finisher", None)
    laid = lay_out(book, html, styles, variant=variant, last_css=last_css, **options)
    return laid.generate(variant, created=created, finisher=finisher)


@dataclass
class LaidOut:
    """A book's HTML laid out by WeasyPrint (``document``), not yet drawn: :meth:`generate`
    draws it into a PDF, and can again, with another variant (one layout, two PDFs)."""

    book: Book
    document: object  # weasyprint.Document
    options: dict  # WeasyPrint's options it was laid out with
    styles: Styles

    def generate(self, variant: str | None, *, created: str | None = None, finisher=None,
                 **options) -> PendingPDF:
        """The PDF of the layout as ``variant`` (pdf/ua-1, pdf/x-4, None); ``options``
        override the layout's WeasyPrint options; ``finisher(document, pdf)`` as in render_pdf."""
        from ..folios import add_page_labels, first_body_page

        book, rendered, where = self.book, self.document, self.styles.where
        seed = f"{book.identifier}|{variant}"
        identifier = hashlib.sha256(seed.encode()).hexdigest()[:32].encode()
        opts = {**self.options, **options, "pdf_identifier": identifier, "pdf_variant": variant}
        with _failures(where):
            # PDF/X fills missing dates from the clock: give it the build's date instead.
            when = created or source_date().isoformat().replace("+00:00", "Z")
            rendered.metadata.created = rendered.metadata.created or when
            rendered.metadata.modified = rendered.metadata.modified or when
            pdf, pdf_opts = weasyprint_adapter.generate_pdf(rendered, opts, variant, seed)
            # A long book's folios restart at 1 with its body: the viewer's page numbers follow.
            add_page_labels(pdf, first_body_page(rendered.pages, book))
            if finisher:
                finisher(rendered, pdf)
        self.styles.check_refused()
        return PendingPDF(pdf, pdf_opts["pdf_version"], identifier, not pdf_opts["uncompressed_pdf"], where)

    def restamp(self, pending: PendingPDF, variant: str) -> None:
        """Make ``pending`` (generated from this layout as another variant) claim ``variant``:
        its metadata and PDF version (adapters.weasyprint.restamp)."""
        with _failures(self.styles.where):
            pending.version = weasyprint_adapter.restamp(pending.pdf, self.document, variant,
                                                         f"{self.book.identifier}|{variant}", pending.compress)


@contextlib.contextmanager
def _failures(where: Location):
    """WeasyPrint's (and the adapters') failures as one clear line, PR090."""
    try:
        yield
    except BuildError:
        raise
    except AdapterError as e:
        raise BuildError([Problem(where, one_line(f"PDF rendering failed: {e}"), "PR090")]) from None
    except Exception as e:  # WeasyPrint's own failures become one clear line
        raise BuildError([Problem(where, one_line(f"PDF rendering failed: {e}"), "PR090")]) from None


def lay_out(book: Book, html: str, styles: Styles, *, variant: str | None = None, last_css: str = "",
            **options) -> LaidOut:
    """``html`` laid out with ``styles`` (and ``last_css`` after them), as render_pdf does,
    not drawn. A long-form book with notes is laid out again while a footnote moved off its
    call's page (footnotes.py)."""
    from weasyprint import DEFAULT_OPTIONS, HTML

    from ..footnotes import MAX_LAYOUTS, keep_lines, misplaced

    html = styles.opaque.sub(f"{CACHE_SCHEME}:/", html)  # <img src="...">, style="...url(...)"
    fetcher, fonts, where = styles.fetcher, styles.fonts, styles.where
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    with _failures(where):
        sheets = list(styles.sheets)
        if last_css:
            sheets.append(styles.css(string=last_css, base_url=str(STYLES) + "/"))
        doc = HTML(string=html, base_url=str(book.root) + "/", url_fetcher=fetcher)
        opts = {**DEFAULT_OPTIONS, **options, "stylesheets": sheets, "pdf_variant": variant}
        color_profiles = opts.pop("color_profiles", None)
        rendered = doc.render(font_config=fonts, color_profiles=color_profiles, **opts)
        if book.long_form and any(c.notes for c in book.chapters + book.front_matter + book.back_matter):
            # A footnote moved off its call's page: lay out again with room kept (footnotes.py).
            for _ in range(MAX_LAYOUTS - 1):
                if not keep_lines(misplaced(rendered)):
                    break
                rendered = doc.render(font_config=fonts, color_profiles=color_profiles, **opts)
    styles.check_refused()
    return LaidOut(book, rendered, opts, styles)


def jpeg_stand_in(path: Path, token: bytes) -> bytes | None:
    """What WeasyPrint needs to read of the JPEG file ``path`` to place it, without its
    image data: every segment before the first scan's data (frame, tables, JFIF and
    Adobe headers: the same size, components and colour as the file), a comment
    carrying ``token`` (so that each stand-in is unique), the scan header and the end
    marker. A few hundred bytes for a photo of megabytes. None when ``path`` does not
    begin like a JPEG whose first scan starts within its first megabyte.
    """
    with open(path, "rb") as f:
        head = f.read(1 << 16)
        if head[:2] != b"\xff\xd8":
            return None
        i = 2
        while True:
            if i + 4 > len(head):
                more = f.read(1 << 16) if len(head) < (1 << 20) else b""
                if not more:
                    return None
                head += more
                continue
            if head[i] != 0xFF:
                return None
            marker = head[i + 1]
            if marker == 0xFF:  # a fill byte
                i += 1
                continue
            length = int.from_bytes(head[i + 2:i + 4], "big")
            if i + 2 + length > len(head):
                more = f.read(1 << 16) if len(head) < (1 << 20) else b""
                if not more:
                    return None
                head += more
                continue
            if marker == 0xDA:
                comment = b"\xff\xfe" + (len(token) + 2).to_bytes(2, "big") + token
                return head[:i] + comment + head[i:i + 2 + length] + b"\xff\xd9"
            i += 2 + length
