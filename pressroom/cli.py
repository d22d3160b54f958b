"""The command line: ``python build.py [all|pdf|epub|print|check|watch|new] [--book PATH] [--out DIR]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import BuildError, PressroomError
from .images import derive
from .manuscript import Book, load
from .editions.base import Edition
from .editions.epub import EPUB
from .editions.pdf import ScreenPDF
from .editions.press import PrintInterior
from .progress import NORMAL, QUIET, VERBOSE, Reporter, summary

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
  check   find every problem (manuscript, photos, each edition's preflight)
          without writing anything; a table with a fix for each, or --json
  watch   rebuild on every save and serve a live preview on 127.0.0.1:PORT
  new     start a new book: python build.py new FOLDER

exit status: 0 built (check: no errors); 1 the manuscript, a photo or a build
is wrong (one line per problem on stderr, as FILE:LINE:COL: error: MESSAGE);
2 usage error. Photo derivatives are cached in $XDG_CACHE_HOME/pressroom
(default ~/.cache/pressroom); the book folder is only ever read.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pressroom", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", default="all", choices=["all", *EDITIONS, "check", "watch", "new"],
                   help="what to do (default: all)")
    p.add_argument("folder", nargs="?", help="for new: the folder to create")
    p.add_argument("--book", default="book", metavar="PATH",
                   help="the book folder holding book.yaml, or a manuscript YAML file (default: book/)")
    p.add_argument("--out", default="out", metavar="DIR", help="where the editions are written (default: out/)")
    p.add_argument("--marks", action="store_true", help="print: add crop marks (for proofs; uploads must not have them)")
    talk = p.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    talk.add_argument("-v", "--verbose", action="store_true", help="print more detail (each photo, each step)")
    p.add_argument("--json", action="store_true", help="check: print the findings as JSON on stdout")
    p.add_argument("--strict", action="store_true",
                   help="print: photos below 150 ppi where placed are errors; check: every warning is an error")
    p.add_argument("--port", type=int, default=8000,
                   help="watch: the preview's port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    p.add_argument("--editions", default="all", metavar="LIST",
                   help="watch: editions to rebuild on each save, comma-separated (pdf,epub,print), "
                        "'all' (default) or 'none' for the preview only")
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
    """Build ``editions`` of ``book`` into ``out``; every file is written only once all are made.

    ``say`` prints progress lines; a :class:`~pressroom.progress.Reporter` also
    shows progress bars and receives each edition's preflight warnings.
    """
    task = getattr(say, "task", None) or _no_task
    targets = {t.name: t for ed in editions for t in ed.targets(book)}
    t0 = time.perf_counter()
    with task("photos", len(book.images) * len(targets)) as advance:
        assets = derive(list(book.images), list(targets.values()), progress=advance)
    say(f"photos: {len(book.images)} ready for {', '.join(targets)} in {time.perf_counter() - t0:.1f} s")
    _preflight(book, editions, assets, say)
    made: list[tuple[str, bytes]] = []
    for ed in editions:
        t0 = time.perf_counter()
        with task(ed.label, None, f"making {ed.filename(book)}"):
            files = ed.build(book, assets)
        made += files.items()
        for name, data in files.items():
            say(f"{ed.label}: {name} ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    return [write_atomic(out, name, data) for name, data in made]


@contextmanager
def _no_task(label: str, total: int | None = None, what: str = ""):
    yield lambda n=1, what=None: None


def _preflight(book: Book, editions: list[Edition], assets, say) -> None:
    """Report each edition's warnings; its errors stop the build before anything is rendered."""
    found = [p for ed in editions for p in ed.preflight(book, assets)]
    errors = [p for p in found if p.severity != "warning"]
    if errors:
        raise BuildError(errors)
    report = getattr(say, "problem", None)
    for p in found:
        report(p) if report else print(p, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `python build.py check --json | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    if args.folder is not None and args.command != "new":
        ap.error(f"unexpected argument {args.folder!r} (only 'new' takes a folder)")
    level = QUIET if args.quiet else VERBOSE if args.verbose else NORMAL
    if args.command == "new":
        if not args.folder:
            ap.error("new needs a folder: python build.py new FOLDER")
        from .scaffold import new

        return new(Path(args.folder), Reporter(level))
    if args.command == "check":
        return _check(args, level)
    if args.command == "watch":
        from .watch import watch

        try:
            names = _edition_names(args.editions)
        except ValueError as e:
            ap.error(str(e))
        return watch(args.book, Path(args.out), [EDITIONS[n]() for n in names], args.port, Reporter(level))
    say = Reporter(level)
    names = list(EDITIONS) if args.command == "all" else [args.command]
    t0 = time.perf_counter()
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
    for line in summary(paths, time.perf_counter() - t0, say.warnings):
        say(line)
    return 0


def _edition_names(spec: str) -> list[str]:
    if spec == "all":
        return list(EDITIONS)
    if spec == "none":
        return []
    names = [n.strip() for n in spec.split(",") if n.strip()]
    bad = [n for n in names if n not in EDITIONS]
    if bad or not names:
        raise ValueError(f"--editions: unknown edition {', '.join(bad) or spec!r}; use {', '.join(EDITIONS)}, all or none")
    return names


def _check(args, level: int) -> int:
    from .check import as_json, as_table, check

    say = Reporter(QUIET if args.json else level)
    try:
        with say.task("checking photos") as advance:
            report = check(args.book, [cls() for cls in EDITIONS.values()], strict=args.strict, progress=advance)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(as_json(report))
    elif report.findings or level >= NORMAL:
        print(as_table(report))
    return 0 if report.ok else 1


def main_entry() -> None:
    """The `pressroom` console script."""
    sys.exit(main())
