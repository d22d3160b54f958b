"""pydyf's writer internals that pressroom uses, and only here (pydyf 0.13).

The print interior's photos are streamed into the PDF from their files while it
is written (never all in memory): an image object whose serialisation is partly
a file (:func:`file_image`), a writer sink that copies those parts with sendfile
(:func:`write`), relying on how pydyf 0.13's ``PDF.write`` serialises objects
(``Object.indirect``, ``Object.data`` for the /ID hash, ``compressible``, the
``objects`` list and ``current_position`` it appends to). While WeasyPrint
generates a PDF, ``PDF.page_references`` is kept between its calls
(:func:`kept_page_references`).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
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
]


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
