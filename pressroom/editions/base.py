"""What every edition shares: the interface, page geometry, and the WeasyPrint writer.

An edition says only what differs for it: the photo derivative it wants, its
template and stylesheet, and how it writes its file.
"""

from __future__ import annotations

import contextlib
import functools
import json
import datetime as _dt
import hashlib
import io
import itertools
import logging
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import unquote, urlparse

from ..errors import BuildError, Location, Problem
from ..images import Asset, Target, atomic_write, cache_dir, content_digest
from ..manuscript import Book, Photo, one_line
from ..render import STYLES
from ..staging import Staged, stage


class Edition:
    """One output file of a book."""

    name = ""  # the build.py subcommand: "pdf", "epub", "print"
    suffix = ""  # appended to the slug: ".pdf", ".epub", "-print.pdf"
    label = ""  # for people: "screen PDF"

    def targets(self, book: Book) -> list[Target]:
        """The photo derivatives this edition needs."""
        raise NotImplementedError

    def more_targets(self, book: Book) -> dict[Path, list[Target]]:
        """Derivatives of particular photos this edition will ask for beyond targets()
        ({photo path: targets}): made with the others, in the same pass over the photos."""
        return {}

    def build(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> dict[str, bytes]:
        """The edition's files, {file name: bytes} (the print edition makes two)."""
        raise NotImplementedError

    def unneeded(self, book: Book) -> set[tuple[Path, str]]:
        """(photo path, target name) pairs of targets() this edition will not use for
        that photo: not made."""
        return set()

    def prepare(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> None:
        """Work of build() that no other edition's result changes, done ahead (into the
        cache) while that result is awaited: the EPUB composes its cover while the
        print interior is laid out. By default, nothing."""

    def write(self, book: Book, assets: dict[tuple[Path, str], Asset], folder: Path) -> Staged:
        """The edition's files, staged as temporaries in ``folder`` (see staging.py):
        [(temporary, final path)]. An edition whose files are large streams them there."""
        return stage(folder, list(self.build(book, assets).items()))

    def preflight(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> list[Problem]:
        """Findings about this edition (warnings and errors with stable codes), without writing it."""
        return []

    def filename(self, book: Book) -> str:
        return book.slug + self.suffix


def source_date() -> _dt.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).replace(microsecond=0)
        except (ValueError, OverflowError, OSError):
            pass
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


# --------------------------------------------------------------------------
# Page geometry (points)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Geometry:
    """A page and where photos go on it, in points (1/72 in).

    The template draws each photo at the size these methods give, so the size a
    photo is placed at (and so its resolution on the page) is known before
    WeasyPrint runs.
    """

    width: float  # trim
    height: float
    top: float
    bottom: float
    inside: float
    outside: float
    bleed: float = 0.0
    caption_room: float = 72 * 1.1  # kept free under a page photo for its caption
    heading_room: float = 72 * 0.95  # kept free above a photo that shares its page with the chapter title

    @property
    def content_width(self) -> float:
        return self.width - self.inside - self.outside

    @property
    def content_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def place_page(self, asset: Asset, has_caption: bool, heading: bool = False,
                   caption_room: float | None = None) -> tuple[float, float]:
        """Size of a `page` photo: as large as fits in the margins above its caption
        (``caption_room`` high, by default :attr:`caption_room`) and below the
        chapter title when it opens a chapter."""
        room_h = (self.content_height - self._caption(has_caption, caption_room)
                  - (self.heading_room if heading else 0))
        w = self.content_width
        h = w / asset.aspect
        if h > room_h:
            h = room_h
            w = h * asset.aspect
        return w, h

    def page_offset(self, photo_height: float, caption: float = 0.0, heading: bool = False) -> float:
        """Space above a `page` photo that puts it, with the ``caption`` points its caption
        really takes, a little above the middle of the room it has (the optical centre):
        40 % of the free height above, 60 % below. A chapter's title, when the photo opens
        the chapter, keeps its place at the top of the text area, as on every chapter's
        first page, and the room is what is left below it."""
        room = self.content_height - (self.heading_room if heading else 0)
        return max(0.0, (room - photo_height - caption) * 0.4)

    def _caption(self, has_caption: bool, room: float | None) -> float:
        if not has_caption:
            return 0.0
        return self.caption_room if room is None else max(room, self.caption_room)

    def place_inline(self, asset: Asset) -> tuple[float, float]:
        """Size of an `inline` photo: the text width, at most 60 % of the text height."""
        w = self.content_width
        h = w / asset.aspect
        limit = self.content_height * 0.6
        if h > limit:
            h = limit
            w = h * asset.aspect
        return w, h

    def place_bleed(self) -> tuple[float, float]:
        """The box of a `full-bleed` photo: the page and its bleed on every side."""
        return self.width + 2 * self.bleed, self.height + 2 * self.bleed

    def drawn_bleed(self, asset: Asset) -> tuple[float, float]:
        """The size a `full-bleed` photo is drawn at: scaled to cover its box, the
        overflow cropped (CSS object-fit: cover)."""
        bw, bh = self.place_bleed()
        scale = max(bw / asset.width, bh / asset.height)
        return asset.width * scale, asset.height * scale


def layout_of(photo: Photo, asset: Asset) -> str:
    """The layout a photo gets: the manuscript's, or by default one by aspect ratio.

    ``auto`` gives every photo a page of its own within the margins, whatever its
    shape: a landscape photo fills the text width, a portrait one the text height
    (its caption beneath), a panorama the width with its caption close under it.
    Nothing is cropped and no caption covers the picture; ``full-bleed`` (which
    crops to fill the page) and ``inline`` (in the text, for small or secondary
    photos) are the writer's choice, never a guess.
    """
    if photo.layout != "auto":
        return photo.layout
    return "page"


# --------------------------------------------------------------------------
# WeasyPrint
# --------------------------------------------------------------------------

def _remove_font_files(fonts) -> None:
    """Remove the folder where a WeasyPrint FontConfiguration wrote the book's fonts for
    fontconfig, once the PDF is generated (its fonts are in it by then). WeasyPrint
    removes it only when the configuration is collected, which a process that ends
    with it in a reference cycle never does: every build left folders in /tmp, or had
    to run a full garbage collection (a tenth of a second) to avoid it."""
    folder = getattr(fonts, "_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        fonts._folder = None


@functools.lru_cache(maxsize=1)
def _stand_in_response():
    """WeasyPrint's response class, for a stand-in (imported with WeasyPrint, when needed)."""
    from weasyprint.urls import URLFetcherResponse

    class StandIn(URLFetcherResponse):
        """A stand-in's response names no file: WeasyPrint would read a file: URL's file
        instead of the bytes it was given."""

        @property
        def path(self):
            return None

    return StandIn


class ConfinedFetcher:
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
            return _stand_in_response()(url, self.stand_ins[url], {})
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

    _fail_on_errors = False


CACHE_SCHEME = "pressroom-cache"


@contextlib.contextmanager
def _stable_uuids(seed: str):
    """Within the block, WeasyPrint's XMP metadata (PDF/X-4's xmpMM:DocumentID) gets
    UUIDs derived from ``seed`` instead of random ones: same book, same bytes."""
    from weasyprint.pdf import metadata

    counter = itertools.count()
    original = metadata.uuid4
    metadata.uuid4 = lambda: uuid.uuid5(uuid.NAMESPACE_URL, f"pressroom:{seed}:{next(counter)}")
    try:
        yield
    finally:
        metadata.uuid4 = original


def photo_url(path: Path) -> str:
    """The URL WeasyPrint sees for a file: cache files by the opaque scheme (see write_pdf)."""
    cache = cache_dir()
    if path.is_relative_to(cache):
        return f"{CACHE_SCHEME}:/" + path.relative_to(cache).as_posix()
    return path.as_uri()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of all that shapes an edition's bytes besides the book: pressroom's code,
    templates, styles and fonts, and the libraries' versions (WeasyPrint, pydyf, Pango,
    what subsets fonts for WeasyPrint and for the EPUB, fontTools, Pillow)."""
    import fontTools
    import PIL
    import pydyf
    import weasyprint
    from weasyprint.text.ffi import harfbuzz_subset, pango

    from .. import fontsubset
    from ..render import PROJECT, TEMPLATES

    versions = (weasyprint.__version__, pydyf.__version__, pango.pango_version(), harfbuzz_subset is not None,
                fontsubset.version(), fontTools.version, PIL.__version__)
    h = hashlib.sha256(repr(versions).encode())
    for folder in (Path(__file__).resolve().parent.parent, TEMPLATES, STYLES):
        for f in sorted(folder.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(PROJECT).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


#: How many files of each kind the render cache keeps: the ones used last. (A book edited
#: for weeks in `watch` makes a page map per saved state; the cache must not grow for ever.)
RENDERS_KEPT = 64


def cached_render(kind: str, key: str, make: Callable[[], tuple[bytes, dict]]) -> tuple[bytes, dict]:
    """What ``make()`` returns ((bytes, JSON-able facts about them)), from the cache when
    the same ``key`` (everything the bytes depend on, the book's part of it: its HTML,
    say) and the same code (code_digest) made it before: a rebuild that changes nothing
    of a file does not render it again. ``kind`` names the file ("cover.pdf"); the
    RENDERS_KEPT of a kind used last are kept."""
    ext = kind.rpartition(".")[2]
    digest = content_digest(f"{code_digest()}|{kind}|{key}".encode())
    folder = cache_dir() / "renders" / kind.replace(".", "-")  # renders/cover-pdf/
    data_file, meta_file = folder / f"{digest}.{ext}", folder / f"{digest}.meta.json"
    try:
        meta = json.loads(meta_file.read_text())
        data = data_file.read_bytes()
        if content_digest(data) == meta["digest"]:
            with contextlib.suppress(OSError):
                os.utime(meta_file)  # used now: kept the longest
            return data, meta["facts"]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not there, or damaged: made again
    data, facts = make()
    try:
        atomic_write(data_file, data)
        atomic_write(meta_file, json.dumps({"digest": content_digest(data), "facts": facts}).encode())
        _prune(folder, ext)
    except OSError:
        pass  # the cache only saves time
    return data, facts


def _prune(folder: Path, ext: str) -> None:
    """Remove all but the RENDERS_KEPT entries of ``folder`` used last."""
    entries = []
    for meta in folder.glob("*.meta.json"):
        with contextlib.suppress(OSError):
            entries.append((meta.stat().st_mtime_ns, meta))
    for _, meta in sorted(entries, reverse=True)[RENDERS_KEPT:]:
        (folder / meta.name.replace(".meta.json", f".{ext}")).unlink(missing_ok=True)
        meta.unlink(missing_ok=True)


class PendingPDF:
    """A PDF generated but not yet serialised: WeasyPrint's pydyf document, written
    by :meth:`write` to a file (or :meth:`bytes`). Images that are files
    (:func:`file_image`) are copied into it from their files while it is written, so
    neither the whole PDF nor all its photos are ever in memory at once."""

    def __init__(self, pdf, version, identifier, compress: bool, where: Location | None = None):
        self.pdf, self.version, self.identifier, self.compress = pdf, version, identifier, compress
        self.where = where or Location("book")  # for a failure's message: the manuscript

    def write(self, output) -> None:
        """Write the PDF to the binary file object ``output``. Raises OSError when a file
        cannot be read or written, BuildError for a failure of the PDF writer."""
        # pydyf's write adds objects (info, object and xref streams) and counts on from
        # its last position: undone after, so that the PDF can be written again.
        objects = list(self.pdf.objects)
        self.pdf.current_position = 0
        try:
            self.pdf.write(_Sink(output), self.version, self.identifier, self.compress)
        except OSError:
            raise
        except Exception as e:  # pydyf's own failure: one line, as WeasyPrint's are
            raise BuildError([Problem(self.where, one_line(f"PDF writing failed: {e}"), "PR090")]) from None
        finally:
            self.pdf.objects[:] = objects

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.write(out)
        return out.getvalue()


class _Spliced:
    """Bytes to write, some of them still in files: what a file-backed image gives pydyf
    as its serialisation. pydyf only measures it and appends to it; _Sink writes it."""

    def __init__(self, parts: list):
        self.parts = parts  # bytes, or (path, size)

    def __len__(self) -> int:
        return sum(p[1] if isinstance(p, tuple) else len(p) for p in self.parts)

    def __add__(self, other: bytes) -> "_Spliced":
        return _Spliced([*self.parts, other])


class _Sink:
    """The file object pydyf writes to: copies a file-backed part straight from its file
    (in the kernel, with sendfile, when the output is a real file)."""

    def __init__(self, output):
        self.output = output
        try:
            self.fd = output.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            self.fd = None

    def write(self, data) -> None:
        if not isinstance(data, _Spliced):
            self.output.write(data)
            return
        for part in data.parts:
            if not isinstance(part, tuple):
                self.output.write(part)
                continue
            path, size = part
            with open(path, "rb") as src:
                if os.fstat(src.fileno()).st_size != size:
                    raise OSError(f"{path.name} changed while the PDF was written")
                if self.fd is None:
                    shutil.copyfileobj(src, self.output, 1 << 20)
                    continue
                self.output.flush()
                sent = 0
                while sent < size:
                    n = os.sendfile(self.fd, src.fileno(), sent, size - sent)
                    if n == 0:
                        raise OSError(f"{path.name} changed while the PDF was written")
                    sent += n
                self.output.seek(0, os.SEEK_END)  # the buffered writer learns where the file now ends


def file_image(stream, path: Path, token: bytes):
    """A stand-in for the image XObject ``stream`` (WeasyPrint's, same dictionary) whose
    data is the file ``path``, copied in when the PDF is written.

    pydyf hashes every object's ``data`` for the file's /ID: this one gives its
    dictionary and ``token`` (a digest of the file), so that hash never reads the
    photo either, and the /ID still depends on it.
    """
    import pydyf

    size = path.stat().st_size

    class _FileImage(pydyf.Object):
        compressible = False  # a stream: never inside an object stream

        def _head(self) -> bytes:
            extra = pydyf.Dictionary(stream.extra.copy())
            extra["Length"] = size
            return extra.data

        @property
        def data(self) -> bytes:
            return self._head() + b"\n" + token

        @property
        def indirect(self) -> _Spliced:
            head = f"{self.number} {self.generation} obj\n".encode() + self._head() + b"\nstream\n"
            return _Spliced([head, (path, size), b"\nendstream\nendobj"])

    obj = _FileImage()
    obj.number, obj.generation, obj.offset, obj.free = stream.number, stream.generation, stream.offset, stream.free
    obj.extra = stream.extra
    return obj


def write_pdf(book: Book, html: str, stylesheets: list[str | Path], **kwargs) -> bytes:
    """:func:`render_pdf`, serialised to bytes."""
    return render_pdf(book, html, stylesheets, **kwargs).bytes()


def render_pdf(book: Book, html: str, stylesheets: list[str | Path], *, extra_css: str = "",
               variant: str | None = None, stand_ins: dict[str, bytes] | None = None, **options) -> PendingPDF:
    """Render ``html`` with WeasyPrint, confined to the book, the cache and the styles,
    and generate its PDF (the ``finisher`` option, when given, sees it before it is
    written); it is serialised when the result's write() or bytes() is called.

    ``stand_ins`` maps image URLs to the bytes WeasyPrint reads for them instead of
    the file (a finisher swaps the real file back in: see press.py).

    The bytes depend only on the book and SOURCE_DATE_EPOCH, for every variant
    (plain, ``pdf/ua-1``, ``pdf/x-4``): fixed dates, a /ID and an XMP DocumentID
    derived from the book's identifier and the variant, no file paths.
    """
    from weasyprint import CSS, DEFAULT_OPTIONS, HTML
    from weasyprint.pdf import VARIANTS, generate_pdf
    from weasyprint.text.fonts import FontConfiguration

    # Photos are named by an opaque URL, not their place in the cache: a path
    # never reaches the PDF, and the bytes do not depend on where the cache is.
    cache = cache_dir()
    opaque = re.compile(r"""(?<=["'(])""" + re.escape(cache.as_uri() + "/"))
    html = opaque.sub(f"{CACHE_SCHEME}:/", html)  # <img src="...">, style="...url(...)"
    extra_css = opaque.sub(f"{CACHE_SCHEME}:/", extra_css)
    fetcher = ConfinedFetcher([book.root, cache, STYLES], {CACHE_SCHEME: cache}, stand_ins)
    fonts = FontConfiguration()
    sheets = [CSS(filename=str(s), url_fetcher=fetcher, font_config=fonts) for s in stylesheets]
    if extra_css:
        sheets.append(CSS(string=extra_css, base_url=str(STYLES) + "/", url_fetcher=fetcher, font_config=fonts))
    seed = f"{book.identifier}|{variant}"
    identifier = hashlib.sha256(seed.encode()).hexdigest()[:32].encode()
    logger = logging.getLogger("weasyprint")
    logger.setLevel(logging.ERROR)
    doc = HTML(string=html, base_url=str(book.root) + "/", url_fetcher=fetcher)
    opts = {**DEFAULT_OPTIONS, **options, "stylesheets": sheets, "pdf_identifier": identifier, "pdf_variant": variant}
    color_profiles = opts.pop("color_profiles", None)
    finisher = opts.pop("finisher", None)
    try:
        # As HTML.write_pdf and Document.write_pdf do, in steps: to set the dates
        # after rendering, and to write the file later, to a file.
        rendered = doc.render(font_config=fonts, color_profiles=color_profiles, **opts)
        # PDF/X fills missing dates from the clock: give it the build's date instead.
        when = source_date().isoformat().replace("+00:00", "Z")
        rendered.metadata.created = rendered.metadata.created or when
        rendered.metadata.modified = rendered.metadata.modified or when
        pdf_opts = {k: opts[k] for k in DEFAULT_OPTIONS}
        if variant:
            for key, value in VARIANTS[variant][1].items():
                if pdf_opts.get(key) is None:
                    pdf_opts[key] = value
        with _stable_uuids(seed):
            pdf = generate_pdf(rendered, None, 1, **pdf_opts)
        if finisher:
            finisher(rendered, pdf)
    except BuildError:
        raise
    except Exception as e:  # WeasyPrint's own failures become one clear line
        raise BuildError([Problem(Location(str(book.source)), one_line(f"PDF rendering failed: {e}"), "PR090")]) from None
    finally:
        _remove_font_files(fonts)
    if fetcher.refused:
        raise BuildError([Problem(Location(str(book.source)), one_line(f"refused to read {u}"), "PR091")
                          for u in fetcher.refused])
    return PendingPDF(pdf, pdf_opts["pdf_version"], identifier, not pdf_opts["uncompressed_pdf"],
                      Location(str(book.source)))


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
