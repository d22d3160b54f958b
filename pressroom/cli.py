"""The command line: ``python build.py [all|pdf|epub|print|check|watch|new] [--book PATH] [--out DIR]``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import __version__
from .editions.base import Edition
from .editions.epub import EPUB
from .editions.pdf import ScreenPDF
from .editions.press import PrintInterior
from .errors import PressroomError
from .limits import DEFAULT as DEFAULT_LIMITS, Limits, parse_bytes, parse_count
from .manuscript import load
from .progress import NORMAL, QUIET, VERBOSE, Reporter, summary
from .schedule import build

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
  new     start a new book: python build.py new FOLDER (--novel: chapters in Markdown files)

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
    p.add_argument("--novel", action="store_true", help="for new: a long-form book, its chapters in Markdown files")
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


def editions_from(args: argparse.Namespace, names: list[str], limits: Limits) -> list[Edition]:
    """The editions ``names`` with the command line's settings."""
    return [PrintInterior(marks=args.marks, strict=args.strict, limits=limits) if n == "print"
            else EDITIONS[n](limits=limits) for n in names]


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `python build.py check --json | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_intermixed_args(argv)  # options anywhere: `new --novel FOLDER`
    if args.folder is not None and args.command != "new":
        ap.error(f"unexpected argument {args.folder!r} (only 'new' takes a folder)")
    level = QUIET if args.quiet else VERBOSE if args.verbose else NORMAL
    if args.command == "new":
        if not args.folder:
            ap.error("new needs a folder: python build.py new FOLDER")
        from .scaffold import new

        return new(Path(args.folder), Reporter(level), novel=args.novel)
    if args.command == "check":
        return _check(args, level)
    if args.command == "watch":
        from .watch import watch

        try:
            names = _edition_names(args.editions)
        except ValueError as e:
            ap.error(str(e))
        limits = limits_from(args)
        return watch(args.book, Path(args.out), editions_from(args, names, limits), args.port, Reporter(level),
                     limits)
    say = Reporter(level)
    names = list(EDITIONS) if args.command == "all" else [args.command]
    t0 = time.perf_counter()
    try:
        limits = limits_from(args)
        book = load(args.book, limits)
        paths = build(book, editions_from(args, names, limits), Path(args.out), say, limits=limits)
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
            limits = limits_from(args)
            report = check(args.book, editions_from(args, list(EDITIONS), limits), strict=args.strict,
                           progress=advance, limits=limits)
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
