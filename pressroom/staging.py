"""Writing a build's files all together or not at all.

Each edition stages its files as temporaries beside their final names in the
output folder (:func:`stage`); once every edition is made, :func:`commit` renames
them into place under the folder's lock, all of them or none. A failed or
interrupted build leaves the previous files and no temporary behind
(:func:`discard`). A build killed outright (SIGKILL, out of memory, power loss)
cannot clean up: its temporaries carry its token, and the next build into the
folder removes them once no process holds that build's lock (:func:`building`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Callable, Union

from .errors import BuildError, Location, Problem

#: A file's content: its bytes, or a function that writes it to a binary file object
#: (a large file streamed to disk without being held in memory).
Content = Union[bytes, Callable[[object], None]]

Staged = list[tuple[Path, Path]]  # [(temporary, final)]


#: A build's lock file in its output folder, and its temporaries: ``.NAME.TOKEN.RANDOM.tmp``.
_LOCK_FILE = re.compile(r"\.pressroom\.(?P<token>[0-9a-f]{12})\.lock")
_OWNED_TEMP = re.compile(r"\..+\.(?P<token>[0-9a-f]{12})\.[a-z0-9_]{8}\.tmp")
#: A temporary without a token (staged outside :func:`building`, or by pressroom before
#: tokens): removed once it is a day old, when no build can still be writing it.
_PLAIN_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
PLAIN_TEMP_AGE = 24 * 3600

#: The builds running in this process, by output folder: [token, lock descriptor, depth].
#: Forked workers inherit the tokens (their temporaries carry them) but close the
#: descriptors, so that the lock dies with this process, not with the last orphan.
_builds: dict[str, list] = {}


def _forget_locks() -> None:
    for entry in _builds.values():
        try:
            os.close(entry[1])  # this process's copy only: the parent still holds the lock
        except OSError:
            pass
        entry[1] = -1


os.register_at_fork(after_in_child=_forget_locks)


@contextlib.contextmanager
def building(folder: Path):
    """Run a build into ``folder``: it is created if need be (and removed again if it is
    left empty); a lock file held by this process marks the build's temporaries as a
    live build's; and first, under the folder's lock, what builds no longer running
    left behind is removed (:func:`sweep`)."""
    key = os.path.abspath(folder)
    if key in _builds:  # a build within a build into the same folder: one token
        _builds[key][2] += 1
        try:
            yield
        finally:
            _builds[key][2] -= 1
        return
    made = not os.path.lexists(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with locked(folder):
            token = secrets.token_hex(6)
            lock = folder / f".pressroom.{token}.lock"
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: never held by another
            sweep(folder, keep=token)
    except OSError as e:
        if made:
            _remove_if_empty(folder)
        raise BuildError([Problem(Location(str(e.filename or folder)), f"cannot write: {e.strerror or e}", "PR092")]) from None
    _builds[key] = [token, fd, 1]
    try:
        yield
    finally:
        del _builds[key]
        lock.unlink(missing_ok=True)  # before the lock goes: a sweep never sees it free while we run
        os.close(fd)
        if made:
            _remove_if_empty(folder)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (another build's files), or gone


def sweep(folder: Path, keep: str | None = None) -> list[str]:
    """Remove from ``folder`` the temporaries and lock files of builds that no longer run:
    a build's files stay while some process holds its lock (``keep`` names this build's
    token). Call under :func:`locked`: no build can start meanwhile. Returns what went."""
    names = os.listdir(folder)
    live, dead = {keep}, []
    try:
        for name in names:
            m = _LOCK_FILE.fullmatch(name)
            if not m or m["token"] == keep:
                continue
            try:
                fd = os.open(folder / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            except OSError:  # gone meanwhile (its build ended), or unreadable: leave it
                live.add(m["token"])
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held: that build is running
                os.close(fd)
                live.add(m["token"])
                continue
            dead.append((name, fd))  # held by us now, until its files are gone
        removed = []
        now = time.time()
        for name in names:
            m = _OWNED_TEMP.fullmatch(name)
            if m:
                stale = m["token"] not in live
            elif _PLAIN_TEMP.fullmatch(name):
                try:
                    stale = now - os.lstat(folder / name).st_mtime > PLAIN_TEMP_AGE
                except OSError:
                    stale = False
            else:
                continue
            if stale:
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
                    removed.append(name)
        for name, _ in dead:
            with contextlib.suppress(OSError):
                (folder / name).unlink()
                removed.append(name)
        return removed
    finally:
        for _, fd in dead:
            os.close(fd)


def _temp(folder: Path, name: str, content: Content) -> Path:
    """``content`` in a new temporary file beside ``name`` (unique: concurrent builds never
    share one), named with the token of the build running into ``folder`` (see building)."""
    build = _builds.get(os.path.abspath(folder))
    prefix = f".{name}.{build[0]}." if build else f".{name}."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
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
