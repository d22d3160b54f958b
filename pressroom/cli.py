"""The command line: ``python build.py [all|pdf|epub|print|check|watch|new] [--book PATH] [--out DIR]``."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import BuildError, Location, Problem, PressroomError
from .images import derive, requested
from .limits import DEFAULT as DEFAULT_LIMITS, Limits, parse_bytes, parse_count
from .manuscript import Book, load, one_line
from .editions.base import Edition
from .editions.epub import EPUB
from .editions.pdf import ScreenPDF
from .editions.press import PrintInterior
from .progress import NORMAL, QUIET, VERBOSE, Reporter, summary
from .staging import Staged, commit, discard

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


#: Rough relative cost of each edition: the heaviest starts first when they run in parallel.
COST = {"print": 3, "pdf": 2, "epub": 1}


def build(book: Book, editions: list[Edition], out: Path, say=print, jobs: int | None = None) -> list[Path]:
    """Build ``editions`` of ``book`` into ``out``; every file is written only once all are made.

    ``say`` prints progress lines; a :class:`~pressroom.progress.Reporter` also
    shows progress bars and receives each edition's preflight warnings. ``jobs``
    processes make the editions side by side (default: one per core, at most one per
    edition); each writes its files to temporaries in ``out``, renamed into place
    together once every edition is made.
    """
    task = getattr(say, "task", None) or _no_task
    targets = {t.name: t for ed in editions for t in ed.targets(book)}
    extra: dict[Path, list] = {}
    for ed in editions:
        for path, ts in ed.more_targets(book).items():
            extra.setdefault(path, []).extend(t for t in ts if t not in extra.get(path, []))
    skip = {pair for ed in editions for pair in ed.unneeded(book)}
    workers = min(jobs or os.cpu_count() or 1, len(editions))
    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        workers = 1
    t0 = time.perf_counter()
    # WeasyPrint and friends load while the photo workers decode (a cold build), else after.
    preload = (lambda: _preload(book)) if workers > 1 else None
    paths = list(dict.fromkeys(p.path for p in book.images))
    with task("photos", len(requested(paths, list(targets.values()), extra, skip))) as advance:
        assets = derive(list(book.images), list(targets.values()), progress=advance, idle=preload, extra=extra,
                        skip=skip)
    say(f"photos: {len(book.images)} ready for {', '.join(targets)} in {time.perf_counter() - t0:.1f} s")
    if workers == 1:
        _preflight(book, editions, assets, say)
        made: list[Staged] = []
        try:
            for ed in editions:
                t0 = time.perf_counter()
                with task(ed.label, None, f"making {ed.filename(book)}"):
                    staged = ed.write(book, assets, out)
                made.append(staged)
                for tmp, final in staged:
                    say(f"{ed.label}: {final.name} ({tmp.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
        except BaseException:
            discard(made)
            raise
        return commit(out, [t for temps in made for t in temps])

    _preload(book)  # about a second: once, not once in each process that renders a PDF
    # The print interior is made here while worker processes make the other editions.
    # The EPUB's page-list reads the interior's layout: its worker waits for the page
    # map this process sends it as soon as the interior is laid out (before it is
    # written), then makes the EPUB beside the interior's writing.
    printer = next((i for i, ed in enumerate(editions) if ed.name == "print"), None)
    here = [printer] if printer is not None else []
    there = sorted((i for i in range(len(editions)) if i not in here), key=lambda i: -COST.get(editions[i].name, 0))
    global _page_map_in, _page_map_out
    piped = printer is not None and any(editions[i].name == "epub" for i in there)
    if piped:
        _page_map_in, _page_map_out = multiprocessing.get_context("fork").Pipe(duplex=False)
    results: dict[int, tuple] = {}
    try:
        # Forked before any progress bar runs: a child must not inherit a lock held by its thread.
        with ProcessPoolExecutor(min(workers, len(there)), mp_context=multiprocessing.get_context("fork"),
                                 initializer=_in_worker) as pool:
            futures = {pool.submit(_make_epub if piped and editions[i].name == "epub" else _make,
                                   book, editions[i], assets, out): i for i in there}
            try:
                with task("editions", len(editions), ", ".join(ed.label for ed in editions)) as advance:
                    for i in here:
                        results[i] = _make(book, editions[i], assets, out, then=(lambda: _send_page_map(book)) if piped else None)
                        advance(1, editions[i].label)
                    for fut in as_completed(futures):
                        i = futures[fut]
                        try:
                            results[i] = fut.result()
                        except Exception as e:  # the worker died (out of memory, a crash in a library)
                            results[i] = ("failed", [Problem(Location(str(book.source)), one_line(
                                f"{editions[i].label}: the process making it failed ({type(e).__name__}: {e})"),
                                "PR090")], [], 0.0)
                        advance(1, editions[i].label)
            except BaseException:  # interrupted: stop, and leave no temporary behind
                _close_page_map()
                for fut in futures:
                    fut.cancel()
                pool.shutdown(wait=True)
                discard([f.result()[2] for f in futures if f.done() and not f.cancelled() and f.exception() is None]
                        + [r[2] for r in results.values()])
                raise
    finally:
        _close_page_map()
        if _page_map_in is not None:
            _page_map_in.close()
        _page_map_in = None
    staged = [results[i][2] for i in range(len(editions))]
    found = [p for i in range(len(editions)) if results[i][0] != "failed" for p in results[i][1]]
    errors = [p for p in found if p.severity != "warning"]
    failed = next((results[i][1] for i in range(len(editions)) if results[i][0] == "failed"), None)
    if errors or failed:
        discard(staged)
        raise BuildError(errors or failed)
    _report(found, say)
    for i, ed in enumerate(editions):
        for (tmp, final) in results[i][2]:
            say(f"{ed.label}: {final.name} ({tmp.stat().st_size / 1e6:.1f} MB) in {results[i][3]:.1f} s")
    return commit(out, [t for temps in staged for t in temps])


_preloaded: set[str] = set()


def _preload(book: Book) -> None:
    """Import WeasyPrint and pikepdf and read the book's hyphenation patterns (about a
    second and a half in all) before the editions' processes fork, so that they share them."""
    if book.language in _preloaded:
        return
    _preloaded.add(book.language)
    try:
        import pikepdf  # noqa: F401  (the PDFs' finishing, and the summary's page counts)
        import pyphen

        with _remembered_libraries():
            import weasyprint  # noqa: F401

        lang = pyphen.language_fallback(book.language)  # as WeasyPrint looks it up
        if lang:
            _hyphenation(pyphen, pyphen.LANGUAGES[lang])
    except Exception:  # pragma: no cover - only a head start; the renderer reports real failures
        pass


@contextmanager
def _remembered_libraries():
    """WeasyPrint looks for each native library it loads under several names (Windows',
    macOS' and Linux's spellings), and cffi asks ctypes.util.find_library about each name
    it cannot open directly: on Linux that runs ldconfig, about 10 ms a name, a fifth of
    a second of every build. Within the block, its answers are kept in the cache folder
    and reused as long as the system's library cache (/etc/ld.so.cache, which installing
    or removing a library rewrites) and LD_LIBRARY_PATH are unchanged."""
    import ctypes.util
    import json

    from .images import atomic_write, cache_dir

    try:
        stamp = f"{os.stat('/etc/ld.so.cache').st_mtime_ns}|{os.environ.get('LD_LIBRARY_PATH', '')}"
    except OSError:  # not Linux with glibc: find_library is quick there, or its answers can change
        yield
        return
    file = cache_dir() / "libraries.json"
    try:
        kept = json.loads(file.read_text())
        found = kept["found"] if kept.get("stamp") == stamp and isinstance(kept.get("found"), dict) else {}
    except (OSError, ValueError, AttributeError, KeyError):
        found = {}
    before = dict(found)
    original = ctypes.util.find_library

    def find_library(name):
        if name not in found:
            found[name] = original(name)
        return found[name]

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
        if found != before:
            try:
                atomic_write(file, json.dumps({"stamp": stamp, "found": found}).encode())
            except OSError:
                pass  # the cache only saves time


def _hyphenation(pyphen, path: Path) -> None:
    """Put the hyphenation patterns at ``path`` in pyphen's own cache (where WeasyPrint
    finds them), parsed from the .dic file once and kept as JSON in the cache folder:
    parsing them cost every build a tenth of a second. Patterns with pyphen's
    non-standard alternatives (a few languages) are parsed every time."""
    import json

    from .editions.base import cached_render

    if path in pyphen.hdcache:
        return

    def parse() -> tuple[bytes, dict]:
        hd = pyphen.HyphDict(path)
        plain = all(type(v) is int for _, values in hd.patterns.values() for v in values)
        pyphen.hdcache[path] = hd
        return json.dumps(hd.patterns if plain else None).encode(), {}

    data, _ = cached_render("hyphenation.json", f"{pyphen.__version__}|{path}|{path.stat().st_mtime_ns}", parse)
    if path in pyphen.hdcache:
        return
    patterns = json.loads(data)
    if patterns is None:
        pyphen.hdcache[path] = pyphen.HyphDict(path)
        return
    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hd.patterns = {k: (start, tuple(values)) for k, (start, values) in patterns.items()}
    hd.cache = {}
    hd.maxlen = max(len(k) for k in hd.patterns)
    pyphen.hdcache[path] = hd


#: The page map's pipe while editions are made side by side: this process writes the
#: print interior's page map to the worker that makes the EPUB, which reads it.
_page_map_in = None
_page_map_out = None


def _in_worker() -> None:
    """A worker process keeps no write end of the page map's pipe: when this process
    closes its own (it failed before laying the interior out), the EPUB's worker reads
    the end of it instead of waiting for ever."""
    global _page_map_out
    if _page_map_out is not None:
        _page_map_out.close()
        _page_map_out = None


def _send_page_map(book: Book) -> None:
    """Tell the worker making the EPUB that ``book``'s interior is laid out here and its
    page map kept in the cache (pagemap.remember), where the worker reads it; or, when
    the layout failed, close the pipe. One byte: a write that never waits for a reader."""
    from .editions.pagemap import LAID_OUT

    if _page_map_out is not None and LAID_OUT and LAID_OUT[0][0] is book:
        try:
            _page_map_out.send_bytes(b"1")
        except OSError:  # the worker is gone; its edition fails on its own
            pass
    _close_page_map()


def _close_page_map() -> None:
    global _page_map_out
    if _page_map_out is not None:
        _page_map_out.close()
        _page_map_out = None


def _make_epub(book: Book, ed: Edition, assets, out: Path):
    """In a worker: the EPUB, once the print interior is laid out (see build); its page
    map comes from the cache (or, should the cache be unwritable, from a layout here)."""
    try:
        ed.prepare(book, assets)
    except PressroomError:
        pass  # build() meets it again and reports it
    try:
        _page_map_in.recv_bytes()
    except (EOFError, OSError):  # the interior failed: the build fails with its problems
        return "skipped", [], [], 0.0
    return _make(book, ed, assets, out)


def _make(book: Book, ed: Edition, assets, out: Path, then=None) -> tuple[str, list[Problem], list[tuple[Path, Path]], float]:
    """In a worker process: one edition's preflight and, when it finds no error, its files,
    staged as temporaries in ``out``: (status, problems, [(temporary, final)], seconds).
    ``then()``, when given, is called after the preflight (whatever it found)."""
    t0 = time.perf_counter()
    try:
        try:
            found = ed.preflight(book, assets)
        finally:
            if then:
                then()
        if any(p.severity != "warning" for p in found):
            return "preflight", found, [], 0.0
        temps = ed.write(book, assets, out)
    except PressroomError as e:  # its problems, not the exception (which does not pickle)
        return "failed", list(e.problems), [], 0.0
    return "made", found, temps, time.perf_counter() - t0


@contextmanager
def _no_task(label: str, total: int | None = None, what: str = ""):
    yield lambda n=1, what=None: None


def _preflight(book: Book, editions: list[Edition], assets, say) -> None:
    """Report each edition's warnings; its errors stop the build before anything is rendered."""
    found = [p for ed in editions for p in ed.preflight(book, assets)]
    errors = [p for p in found if p.severity != "warning"]
    if errors:
        raise BuildError(errors)
    _report(found, say)


def _report(found: list[Problem], say) -> None:
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
        limits = limits_from(args)
        with limits.applied():
            return watch(args.book, Path(args.out), [EDITIONS[n]() for n in names], args.port, Reporter(level),
                         limits)
    say = Reporter(level)
    names = list(EDITIONS) if args.command == "all" else [args.command]
    t0 = time.perf_counter()
    try:
        limits = limits_from(args)
        editions = [PrintInterior(marks=args.marks, strict=args.strict) if n == "print" else EDITIONS[n]()
                    for n in names]
        with limits.applied():
            book = load(args.book, limits)
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
            limits = limits_from(args)
            editions = [PrintInterior(marks=args.marks, strict=args.strict) if cls is PrintInterior else cls()
                        for cls in EDITIONS.values()]
            with limits.applied():
                report = check(args.book, editions, strict=args.strict, progress=advance, limits=limits)
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
