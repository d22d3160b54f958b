"""The cache folder: where it is, how files get there, and what is kept in it.

Everything pressroom keeps between builds lives under :func:`cache_dir`
($XDG_CACHE_HOME/pressroom, default ~/.cache/pressroom): photo derivatives
(``derivatives/``, named by the source's digest, see images.py), the digests of
the sources (``sources-sha256.json``), and renders (``renders/<kind>/``: covers,
font subsets, page maps, hyphenation patterns) keyed by their inputs and by
:func:`code_digest`. Every entry is written atomically and checked by its
digest when read: a damaged entry is made again, never used. Deleting the
folder is always safe.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable, Sequence, Union

#: What may be written or hashed without a copy: bytes, or a view into them.
Buffer = Union[bytes, bytearray, memoryview]


def cache_dir() -> Path:
    """The cache folder (it need not exist yet)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pressroom"


def atomic_write(path: Path, data: bytes | Sequence[Buffer]) -> None:
    """Write ``path`` through a temporary beside it, renamed into place when complete.
    ``data``: the bytes, or buffers written one after the other (never joined in memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            for part in _parts(data):
                f.write(part)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# SHA-256: twice as fast as BLAKE2 where the CPU has SHA instructions (most today), and
# hashlib lets other threads run while it hashes, so files are hashed on every core.

def content_digest(data: bytes | Sequence[Buffer]) -> str:
    """The hex digest every cache entry is named and checked by (of the bytes, or of
    buffers one after the other: the digest of their join)."""
    h = hashlib.sha256()
    for part in _parts(data):
        h.update(part)
    return h.hexdigest()[:40]


def _parts(data: bytes | Sequence[Buffer]) -> Sequence[Buffer]:
    return (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data


def hash_file(path: Path) -> str:
    """:func:`content_digest` of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:40]


# --------------------------------------------------------------------------
# Photo derivatives and their sources
# --------------------------------------------------------------------------

class SourceIndex:
    """Source digests remembered by (path, size, mtime, ctime, inode): a warm build reads no photo."""

    MAX_ENTRIES = 20_000

    def __init__(self) -> None:
        self.file = cache_dir() / "sources-sha256.json"
        try:
            self.entries: dict[str, str] = json.loads(self.file.read_text())
            if not isinstance(self.entries, dict):
                self.entries = {}
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False

    @staticmethod
    def _stamp(path: Path) -> str:
        st = path.stat()
        return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}"

    def digest(self, path: Path) -> str:
        """The digest of the file ``path``, read only when it changed since it was last read."""
        stamp = self._stamp(path)
        d = self.entries.get(stamp)
        if d is None:
            d = hash_file(path)
            if self._stamp(path) == stamp:  # not changed while it was read
                self.entries[stamp] = d
                self.changed = True
        return d

    def save(self) -> None:
        if self.changed:
            items = list(self.entries.items())[-self.MAX_ENTRIES:]
            try:
                atomic_write(self.file, json.dumps(dict(items)).encode())
            except OSError:
                pass  # the index only saves time


def derivative_entry(key: str) -> tuple[Path, Path]:
    """The derivative named ``key``: (its JPEG, its JSON sidecar)."""
    d = cache_dir() / "derivatives" / key[:2]
    return d / f"{key}.jpg", d / f"{key}.json"


def verified(img: Path, meta: Path) -> dict | None:
    """The sidecar ``meta`` of the cache file ``img`` when ``img`` is still what it recorded,
    else None (missing, or damaged: its digest differs, or the sidecar is unreadable).

    A file whose size and modification time are those its sidecar recorded is taken
    unread (a print derivative is the whole original: re-hashing them all made every
    warm build read the book again); any other is read and its digest checked (an
    entry stored without one is not: it is made again)."""
    try:
        info = json.loads(meta.read_text())
        st = img.stat()
        if st.st_size != info["size"]:
            return None
        if st.st_mtime_ns != info.get("mtime_ns"):
            if not info["digest"] or hash_file(img) != info["digest"]:
                return None  # corrupt entry, or one kept without a digest: rebuild it
            try:  # good: remember its new time, so that the next build need not read it
                atomic_write(meta, json.dumps({**info, "mtime_ns": st.st_mtime_ns}).encode())
            except OSError:
                pass
        return info if isinstance(info, dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(img: Path, meta: Path, data: bytes | Sequence[Buffer], info: dict, digest: bool = True) -> dict:
    """Write ``data`` (bytes, or buffers one after the other) to ``img`` and its sidecar
    ``meta`` (``info`` with the file's size, digest and time); return the sidecar's
    content. Raises OSError. Without ``digest`` the sidecar has none (null): the entry is
    then good only while its file keeps its size and time (see verified), for what is
    cheaper to make again than to hash (a photo's print copy: its bytes read and cut)."""
    size = sum(memoryview(p).nbytes for p in _parts(data))
    info = {**info, "size": size, "digest": content_digest(data) if digest else None}
    atomic_write(img, data)
    info["mtime_ns"] = img.stat().st_mtime_ns
    atomic_write(meta, json.dumps(info).encode())
    return info


# --------------------------------------------------------------------------
# Renders
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of all that shapes an edition's bytes besides the book: pressroom's code,
    templates, styles and fonts, and the libraries' versions (WeasyPrint, pydyf, Pango,
    what subsets fonts for WeasyPrint and for the EPUB, fontTools, Pillow)."""
    import fontTools
    import PIL
    import pikepdf
    import pydyf
    import weasyprint
    from importlib.metadata import version

    pyphen_version = version("pyphen")  # the hyphenation dictionaries'

    from . import fontsubset
    from .adapters.weasyprint import native_versions
    from .paths import STYLES, TEMPLATES

    versions = (weasyprint.__version__, pydyf.__version__, *native_versions(),
                fontsubset.version(), fontTools.version, PIL.__version__, pikepdf.__version__, pyphen_version)
    h = hashlib.sha256(repr(versions).encode())
    for folder in (Path(__file__).resolve().parent, TEMPLATES, STYLES):
        for f in sorted(folder.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(folder.parent).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


#: How many files of each kind the render cache keeps: the ones used last. (A book edited
#: for weeks in `watch` makes a page map per saved state; the cache must not grow for ever.)
RENDERS_KEPT = 64


def cached_render(kind: str, key: str, make: Callable[[], tuple[bytes, dict]],
                  kept: int | None = None) -> tuple[bytes, dict]:
    """What ``make()`` returns ((bytes, JSON-able facts about them)), from the cache when
    the same ``key`` (all the book's part of what the bytes depend on) and the same code
    (:func:`code_digest`) made it before. ``kind`` names the file ("cover.pdf"); the
    :data:`RENDERS_KEPT` (or ``kept``) of a kind used last are kept."""
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
        _prune(folder, ext, RENDERS_KEPT if kept is None else kept)
    except OSError:
        pass  # the cache only saves time
    return data, facts


def _file_entry(kind: str, key: str) -> tuple[Path, Path, Path]:
    """(folder, data file, facts file) of a cached_file entry."""
    ext = kind.rpartition(".")[2]
    digest = content_digest(f"{code_digest()}|{kind}|{key}".encode())
    folder = cache_dir() / "renders" / kind.replace(".", "-")
    return folder, folder / f"{digest}.{ext}", folder / f"{digest}.meta.json"


def cached_file_entry(kind: str, key: str, needs: tuple[str, ...] = ()) -> tuple[Path, dict] | None:
    """The (path, facts) :func:`cached_file` would take from the cache, or None when it
    would make the entry (not there, damaged, or its facts lack a key of ``needs``)."""
    _, data_file, meta_file = _file_entry(kind, key)
    try:
        meta = json.loads(meta_file.read_text())
        if all(k in meta["facts"] for k in needs) and hash_file(data_file) == meta["digest"]:
            with contextlib.suppress(OSError):
                os.utime(meta_file)
            return data_file, meta["facts"]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not there, or damaged: made again
    return None


def cached_file(kind: str, key: str, write: Callable[[BinaryIO], dict], kept: int | None = None,
                needs: tuple[str, ...] = (), max_bytes: int | None = None) -> tuple[Path, dict]:
    """As :func:`cached_render`, for output that need not be in memory at once: ``write(f)``
    writes it to the binary file ``f`` and returns the facts; the cached file's path is
    returned (checked against its digest, read in chunks, when taken from the cache; an
    entry whose facts lack a key of ``needs`` is made again). ``max_bytes`` bounds the
    kind's entries by size too (see _prune)."""
    found = cached_file_entry(kind, key, needs)
    if found is not None:
        return found
    ext = kind.rpartition(".")[2]
    folder, data_file, meta_file = _file_entry(kind, key)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            facts = write(f)
        os.replace(tmp, data_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The cache only saves time. A file whose facts could not be written is not lost to
    # pruning for ever: the next build of the same piece writes the same name again.
    with contextlib.suppress(OSError):
        atomic_write(meta_file, json.dumps({"digest": hash_file(data_file), "facts": facts}).encode())
        _prune(folder, ext, RENDERS_KEPT if kept is None else kept, max_bytes)
    return data_file, facts


#: An entry used within this many seconds is never pruned for its bytes: it may belong to
#: the build running now (a long book's pieces are merged after all are made).
RECENT = 3600


def _prune(folder: Path, ext: str, kept: int, max_bytes: int | None = None) -> None:
    """Remove all but the ``kept`` entries of ``folder`` used last, and, beyond ``max_bytes``
    of them, the ones used last before the past RECENT seconds; and the temporary files
    older than that (a writer killed mid-write: no write takes an hour)."""
    old = time.time_ns() - RECENT * 10**9
    for tmp in folder.glob(".tmp-*"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime_ns < old:
                tmp.unlink()
    entries = []
    for meta in folder.glob("*.meta.json"):
        with contextlib.suppress(OSError):
            data = folder / meta.name.replace(".meta.json", f".{ext}")
            size = data.stat().st_size if data.exists() else 0
            entries.append((meta.stat().st_mtime_ns, meta, data, size))
    total = 0
    for n, (used, meta, data, size) in enumerate(sorted(entries, key=lambda e: e[0], reverse=True)):
        total += size
        if n >= kept or (max_bytes is not None and total > max_bytes and used < old):
            data.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
