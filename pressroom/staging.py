"""Writing a build's files all together or not at all.

Each edition stages its files as temporaries beside their final names in the
output folder (:func:`stage`); once every edition is made, :func:`commit` renames
them into place under the folder's lock, all of them or none. A failed or
interrupted build leaves the previous files and no temporary behind
(:func:`discard`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path
from typing import Callable, Union

from .errors import BuildError, Location, Problem

#: A file's content: its bytes, or a function that writes it to a binary file object
#: (a large file streamed to disk without being held in memory).
Content = Union[bytes, Callable[[object], None]]

Staged = list[tuple[Path, Path]]  # [(temporary, final)]


def _temp(folder: Path, name: str, content: Content) -> Path:
    """``content`` in a new temporary file beside ``name`` (unique: concurrent builds never share one)."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(content, (bytes, bytearray, memoryview)):
                f.write(content)
            else:
                content(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


@contextlib.contextmanager
def locked(folder: Path):
    """Hold an exclusive lock on ``folder`` itself (no lock file left behind): two builds
    into the same folder replace their files one whole set after the other."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def stage(folder: Path, files: list[tuple[str, Content]]) -> Staged:
    """Each file in a temporary beside its final name: [(temporary, final)]. On failure
    none is left behind."""
    temps: Staged = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files:
            temps.append((_temp(folder, name, content), folder / name))
    except BaseException as e:
        discard([temps])
        if isinstance(e, OSError):
            # A file streamed into an edition (a photo from the cache) may be what failed.
            where = Path(e.filename) if e.filename else folder
            verb = "write" if where == folder or where.parent == folder else "read"
            raise BuildError([Problem(Location(str(where)), f"cannot {verb}: {e.strerror or e}", "PR092")]) from None
        raise
    return temps


def commit(folder: Path, temps: Staged) -> list[Path]:
    """Rename staged temporaries into place, all of them or (when one cannot be) none,
    under the folder's lock. Whatever happens, no temporary is left behind."""
    try:
        try:
            with locked(folder):
                for _, final in temps:  # a rename that would fail must fail before the first one
                    if not final.is_symlink() and final.exists() and not final.is_file():
                        raise BuildError([Problem(Location(str(final)), "cannot write: it exists and is not a "
                                                  "regular file (move it away)", "PR092")])
                for tmp, final in temps:
                    os.replace(tmp, final)
        finally:
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
    except OSError as e:
        raise BuildError([Problem(Location(str(e.filename or folder)), f"cannot write: {e.strerror or e}", "PR092")]) from None
    return [final for _, final in temps]


def discard(staged: list[Staged]) -> None:
    for temps in staged:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
