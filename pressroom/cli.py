"""The command line: ``python build.py [all|pdf|epub|print] [--book PATH] [--out DIR]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from . import __version__
from .errors import PressroomError
from .images import derive
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
          and its cover          -> OUT/<slug>-cover.pdf

exit status: 0 built; 1 the manuscript, a photo or a build is wrong (one line
per problem on stderr, as FILE:LINE:COL: error: MESSAGE); 2 usage error.
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
    p.add_argument("--marks", action="store_true", help="print: add crop marks (for proofs; uploads must not have them)")
    p.add_argument("--strict", action="store_true", help="print: photos below 150 ppi where placed are errors")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.add_argument("--version", action="version", version=f"pressroom {__version__}")
    return p


def write_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write ``name`` in ``folder`` through a temporary file renamed into place when complete."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        final = folder / name
        os.replace(tmp, final)
        return final
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        for p in ed.preflight(book, assets):  # warnings; errors have stopped the build
            print(p, file=sys.stderr)
        made += files.items()
        for name, data in files.items():
            say(f"{ed.label}: {name} ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    return [write_atomic(out, name, data) for name, data in made]


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    say = (lambda *a, **k: None) if args.quiet else (lambda *a, **k: print(*a, **k, file=sys.stderr))
    names = list(EDITIONS) if args.command == "all" else [args.command]
    try:
        book = load(args.book)
        editions = [PrintInterior(marks=args.marks, strict=args.strict) if n == "print" else EDITIONS[n]()
                    for n in names]
        paths = build(book, editions, Path(args.out), say)
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
