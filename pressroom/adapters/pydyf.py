"""pydyf's writer internals that pressroom uses, and only here (pydyf 0.13).

The print interior's photos are streamed into the PDF from their files while it
is written (never all in memory): an image object whose serialisation is partly
a file (:func:`file_image`), a writer sink that copies those parts with sendfile
(:func:`write`), relying on how pydyf 0.13's ``PDF.write`` serialises objects
(``Object.indirect``, ``Object.data`` for the /ID hash, ``compressible``, the
``objects`` list and ``current_position`` it appends to). While WeasyPrint
generates a PDF, ``PDF.page_references`` is kept between its calls
(:func:`kept_page_references`).

A PDF generated once and written twice (one layout, two PDFs) has its streams
compressed once (:func:`compress_streams`, on ``Stream.stream``, the list of items
a stream's content is joined from, and ``Stream.compress``); the running heads and
folios WeasyPrint tags with marked-content ids no structure element reaches are made
artifacts before it is written (:func:`mark_pagination_artifacts`: how pydyf's
``begin_marked_content`` lays out its items, references as ``b"N 0 R"``).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import zlib
from pathlib import Path

from . import missing, unsupported

SUPPORTED = ">=0.13,<0.14"

CONTRACT = [
    ("pydyf", "PDF.write"),
    ("pydyf", "Object.indirect"),
    ("pydyf", "Object.data"),
    ("pydyf", "Object.compressible"),
    ("pydyf", "Dictionary"),
    ("pydyf", "Stream"),
    ("pydyf", "PDF.page_references"),
    ("pydyf", "Stream.begin_marked_content"),
    ("pydyf", "Object.reference"),
]

#: zlib's level for the streams compressed once (compress_streams): pydyf's own is 9, which
#: took twice the time for a file 1 % smaller (the New Testament's content streams).
LEVEL = 6


def _version() -> str:
    import pydyf

    return pydyf.__version__


def check() -> None:
    """Raise AdapterError naming what the installed pydyf lacks."""
    gone = missing(CONTRACT)
    if gone:
        raise unsupported("pydyf", _version(), ", ".join(gone), SUPPORTED)


@contextlib.contextmanager
def kept_page_references():
    """Within the block, ``PDF.page_references`` (every page's reference, which pydyf 0.13
    makes afresh from the page tree at each call) is kept between calls while the page
    tree does not grow. WeasyPrint asks for it once per tagged element and link: for a
    tagged book of 470 pages, 19,000 calls and 9 million references made, an eighth of
    the screen PDF's time. The references are the same, so are the bytes."""
    import pydyf

    original = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(original, property):
        raise unsupported("pydyf", _version(), "PDF.page_references (a property)", SUPPORTED)

    def page_references(pdf):
        kids = pdf.pages["Kids"]
        kept = pdf.__dict__.get("_pressroom_page_references")
        if kept is None or kept[0] is not kids or kept[1] != len(kids):
            kept = (kids, len(kids), original.fget(pdf))
            pdf.__dict__["_pressroom_page_references"] = kept
        return kept[2]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original


def write(pdf, output, version, identifier, compress: bool) -> None:
    """Serialise the pydyf ``pdf`` to the binary file object ``output``, file-backed
    images copied from their files. The PDF can be written again after (pydyf adds
    objects while writing: undone). Raises OSError when a file cannot be read or written."""
    objects = list(pdf.objects)
    if not hasattr(pdf, "current_position"):
        raise unsupported("pydyf", _version(), "PDF.current_position", SUPPORTED)
    pdf.current_position = 0
    try:
        pdf.write(_Sink(output), version, identifier, compress)
    finally:
        pdf.objects[:] = objects


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
                start = self.output.tell()
                sent = 0
                while sent < size:
                    n = os.sendfile(self.fd, src.fileno(), sent, size - sent)
                    if n == 0:
                        raise OSError(f"{path.name} changed while the PDF was written")
                    sent += n
                self.output.seek(0, os.SEEK_END)  # the buffered writer learns where the file now ends
                self._write_back(start, size)

    def _write_back(self, start: int, size: int) -> None:
        """Have the kernel start writing ``size`` bytes at ``start`` to the disk now, and
        drop them from memory once written (a photo is not read back): Linux starts the
        writeback of a range it is advised will not be needed. The fsync before the
        file is renamed into place (staging) then finds a camera-file interior mostly
        written, not 137 MB to write while the build waits (0.1 s of a cold build)."""
        advise = getattr(os, "posix_fadvise", None)  # not on macOS: the fsync does it all
        if advise is not None:
            with contextlib.suppress(OSError):
                advise(self.fd, start, size, os.POSIX_FADV_DONTNEED)


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


def pages(pdf) -> list:
    """The page dictionaries of the generated pydyf ``pdf``, in order."""
    import pydyf

    return [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/Page"]


def _objects(pdf) -> dict[int, object]:
    return {o.number: o for o in pdf.objects if getattr(o, "number", None) is not None}


def _deref(objects: dict[int, object], value):
    """The object a reference (``b"12 0 R"``) names, or ``value`` itself."""
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes) and value.endswith(b" R"):
        parts = value.split()
        if len(parts) == 3 and parts[0].isdigit():
            return objects.get(int(parts[0]))
    return value


def mark_pagination_artifacts(pdf) -> int:
    """Make the marked content of the generated, tagged pydyf ``pdf`` that no structure
    element reaches an artifact (``/Artifact <</Type /Pagination>> BDC``), its slot in the
    parent tree empty: WeasyPrint 70 tags the text of page margin boxes (running heads,
    folios) so, neither content nor artifact, which PDF/UA-1 (7.1) forbids. Done on the
    content streams' items before they are serialised, not by parsing them after.
    Returns how many were marked."""
    import pydyf

    objects = _objects(pdf)
    root = _deref(objects, pdf.catalog.get("StructTreeRoot"))
    if not isinstance(root, dict):
        return 0
    reached: dict[bytes, set[int]] = {}

    def walk(elem, page) -> None:
        page = elem.get("Pg", page)
        for kid in elem.get("K", []):
            target = _deref(objects, kid)
            if isinstance(target, dict):
                if "S" in target:
                    walk(target, page)
                elif target.get("Type") == "/MCR":
                    reached.setdefault(bytes(target.get("Pg", page)), set()).add(int(target["MCID"]))
            elif isinstance(target, int) and page is not None:
                reached.setdefault(bytes(page), set()).add(target)

    for kid in root.get("K", []):
        elem = _deref(objects, kid)
        if isinstance(elem, dict):
            walk(elem, None)
    tree = _deref(objects, root.get("ParentTree"))
    nums = list(tree.get("Nums", [])) if isinstance(tree, dict) else []
    slots = {nums[i]: _deref(objects, nums[i + 1]) for i in range(0, len(nums) - 1, 2)}
    marked = 0
    for page in pages(pdf):
        content = _deref(objects, page.get("Contents"))
        if not isinstance(content, pydyf.Stream) or "StructParents" not in page:
            continue
        ok = reached.get(page.reference, set())
        row = slots.get(page["StructParents"])
        items = content.stream
        for i in range(1, len(items) - 1):
            props = items[i]
            if (isinstance(props, pydyf.Dictionary) and "MCID" in props and items[i + 1] == b"BDC"
                    and props["MCID"] not in ok):
                if isinstance(row, list) and props["MCID"] < len(row):
                    row[props["MCID"]] = "null"
                items[i - 1] = "/Artifact"
                items[i] = pydyf.Dictionary({"Type": "/Pagination"})
                marked += 1
    return marked


def compress_streams(pdf, level: int = LEVEL) -> None:
    """Compress every stream of the generated pydyf ``pdf`` that pydyf would compress when
    writing it, now, once: a PDF written twice (a screen PDF and a print file of one
    drawing) is not compressed twice."""
    import pydyf

    for o in pdf.objects:
        if isinstance(o, pydyf.Stream) and o.compress and "Filter" not in o.extra:
            plain = pydyf.Stream(o.stream).data  # <</Length n>>\nstream\n...\nendstream
            raw = plain[plain.index(b"\nstream\n") + 8:-len(b"\nendstream")]
            o.stream = [zlib.compress(raw, level)]
            o.extra["Filter"] = "/FlateDecode"
            o.compress = False
