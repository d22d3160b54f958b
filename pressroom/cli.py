"""The command line: ``python build.py [all|pdf|epub|print] [--book PATH] [--out DIR]``."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import sys
import tempfile
import time
from pathlib import Path

from . import __version__
from .errors import BuildError, Location, Problem, PressroomError
from .images import derive
from .limits import DEFAULT as DEFAULT_LIMITS, Limits, parse_bytes, parse_count
from .manuscript import Book, load
from .editions.base import Edition
from .editions.epub import EPUB
from .editions.pdf import ScreenPDF
from .editions.press import PrintInterior

EDITIONS: dict[str, type[Edition]] = {"pdf": ScreenPDF, "epub": EPUB, "print": PrintInterior}

DESCRIPTION = """\
Build the editions of a book: a folder holding book.yaml (the manuscript) and
the photos it names.

commands:
  all     every edition (the default)
  pdf     the screen PDF         -> OUT/<slug>.pdf
  epub    the EPUB 3 ebook       -> OUT/<slug>.epub
  print   the print interior     -> OUT/<slug>-print.pdf

exit status: 0 built; 1 the manuscript, a photo or a build is wrong (one line
per problem on stderr, as FILE:LINE:COL: error: MESSAGE [CODE]); 2 usage error.
Photo derivatives are cached in $XDG_CACHE_HOME/pressroom (default
~/.cache/pressroom); the book folder is only ever read.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pressroom", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", default="all", choices=["all", *EDITIONS],
                   help="what to build (default: all)")
    p.add_argument("--book", default="book", metavar="PATH",
                   help="the book folder holding book.yaml, or a manuscript YAML file (default: book/)")
    p.add_argument("--out", default="out", metavar="DIR", help="where the editions are written (default: out/)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    lim = p.add_argument_group("limits (a book beyond one is refused with one line naming it)")
    d = DEFAULT_LIMITS
    lim.add_argument("--max-manuscript-size", type=_arg(parse_bytes), default=d.max_manuscript_bytes, metavar="SIZE",
                     help="largest book.yaml, e.g. 800k, 5MB (default: 5MB)")
    lim.add_argument("--max-photos", type=_arg(parse_count), default=d.max_photos, metavar="N",
                     help=f"most distinct photo files in a book (default: {d.max_photos})")
    lim.add_argument("--max-photo-size", type=_arg(parse_bytes), default=d.max_photo_bytes, metavar="SIZE",
                     help="largest photo file, e.g. 50MB, 1G (default: 500MB)")
    lim.add_argument("--max-photo-pixels", type=_arg(parse_count), default=d.max_photo_pixels, metavar="N",
                     help="most pixels in one photo, e.g. 100M or 100MP (default: 250M)")
    p.add_argument("--version", action="version", version=f"pressroom {__version__}")
    return p


def _arg(parse):
    """An argparse type from a parser that raises ValueError with a message for people."""
    def convert(text: str):
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(max_manuscript_bytes=args.max_manuscript_size, max_photos=args.max_photos,
                  max_photo_bytes=args.max_photo_size, max_photo_pixels=args.max_photo_pixels)


def _temp(folder: Path, name: str, data: bytes) -> Path:
    """``data`` in a new temporary file beside ``name`` (unique: concurrent builds never share one)."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
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


def write_all(folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    """Write every file or none: all go to temporaries first, then are renamed into place
    under the folder's lock. Whatever fails, no temporary is left behind."""
    temps: list[tuple[Path, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with locked(folder):
            for name, _ in files:  # a rename that would fail must fail before the first one
                final = folder / name
                if not final.is_symlink() and final.exists() and not final.is_file():
                    raise BuildError([Problem(Location(str(final)), "cannot write: it exists and is not a "
                                              "regular file (move it away)", "PR092")])
            try:
                for name, data in files:
                    temps.append((_temp(folder, name, data), folder / name))
                for tmp, final in temps:
                    os.replace(tmp, final)
            finally:  # under the lock: these names are ours alone
                for tmp, _ in temps:
                    tmp.unlink(missing_ok=True)
    except OSError as e:
        raise BuildError([Problem(Location(str(e.filename or folder)), f"cannot write: {e.strerror or e}", "PR092")]) from None
    return [final for _, final in temps]


def write_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write ``name`` in ``folder`` through a temporary file renamed into place when complete."""
    return write_all(folder, [(name, data)])[0]


def build(book: Book, editions: list[Edition], out: Path, say=print) -> list[Path]:
    """Build ``editions`` of ``book`` into ``out``; every file is written only once all are made."""
    targets = {t.name: t for ed in editions for t in ed.targets(book)}
    t0 = time.perf_counter()
    assets = derive(list(book.images), list(targets.values()))
    say(f"photos: {len(book.images)} ready for {', '.join(targets)} in {time.perf_counter() - t0:.1f} s")
    made: list[tuple[str, bytes]] = []
    for ed in editions:
        t0 = time.perf_counter()
        files = ed.build(book, assets)
        made += files.items()
        for name, data in files.items():
            say(f"{ed.label}: {name} ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    return write_all(out, made)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    say = (lambda *a, **k: None) if args.quiet else (lambda *a, **k: print(*a, **k, file=sys.stderr))
    names = list(EDITIONS) if args.command == "all" else [args.command]
    try:
        limits = limits_from(args)
        with limits.applied():
            book = load(args.book, limits)
            paths = build(book, [EDITIONS[n]() for n in names], Path(args.out), say)
    except PressroomError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    for p in paths:
        say(f"wrote {p}")
    return 0


def main_entry() -> None:
    """The `pressroom` console script."""
    sys.exit(main())
