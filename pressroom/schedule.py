"""The build schedule: which editions are made, in which process, and what they hand
each other. ``build.py``, ``watch`` and ``check`` all go through it.

A build is one straight pipeline: the photos are derived for every edition in one
pass (:func:`derive_assets`), each edition's preflight runs, and each edition
stages its files as temporaries in the output folder; only when every edition is
made are they renamed into place together (staging.commit). With more than one
core, the editions that give others something (the print interior: its page map)
are made in this process while forked worker processes make the rest; a worker
whose edition needs a given (the EPUB's page-list) waits for it on a pipe and is
sent it, as data, as soon as the giver's layout is done.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from . import warmup
from .editions.base import NOTHING, Edition, Given
from .errors import BuildError, Location, PressroomError, Problem
from .images import Derivatives, Hashing, derive, requested
from .limits import DEFAULT as DEFAULT_LIMITS, Limits
from .manuscript import Book, one_line
from .scripts import require_fonts
from .staging import Staged, building, commit, discard

#: Rough relative cost of each edition: the heaviest starts first.
COST = {"print": 3, "pdf": 2, "epub": 1}


@dataclass
class EditionResult:
    """What making one edition came to."""

    edition: str  # its name: "pdf", "epub", "print"
    status: str  # "made", "preflight" (its preflight found errors), "failed", or "skipped" (a giver failed)
    problems: list[Problem] = field(default_factory=list)  # its preflight's findings, or why it failed
    staged: Staged = field(default_factory=list)  # [(temporary, final)] when made
    seconds: float = 0.0


def derive_assets(book: Book, editions: list[Edition], limits: Limits = DEFAULT_LIMITS, *,
                  progress=None, idle=None, hashing: Hashing | None = None) -> Derivatives:
    """Every photo derivative the ``editions`` will ask for, made in one pass over the photos
    (``hashing``: their digests, already being read: images.Hashing of book.images' paths)."""
    targets = {t.name: t for ed in editions for t in ed.targets(book)}
    extra: dict[Path, list] = {}
    for ed in editions:
        for path, ts in ed.more_targets(book).items():
            extra.setdefault(path, []).extend(t for t in ts if t not in extra.get(path, []))
    skip = {pair for ed in editions for pair in ed.unneeded(book)}
    return derive(list(book.images), list(targets.values()), progress=progress, idle=idle, extra=extra,
                  skip=skip, limits=limits, hashing=hashing)


def derivatives_wanted(book: Book, editions: list[Edition]) -> int:
    """How many derivatives :func:`derive_assets` will make or take from the cache (for a progress bar)."""
    targets = list({t.name: t for ed in editions for t in ed.targets(book)}.values())
    extra: dict[Path, list] = {}
    for ed in editions:
        for path, ts in ed.more_targets(book).items():
            extra.setdefault(path, []).extend(ts)
    skip = {pair for ed in editions for pair in ed.unneeded(book)}
    return len(requested(list(dict.fromkeys(p.path for p in book.images)), targets, extra, skip))


def preflight(book: Book, editions: list[Edition], assets) -> list[Problem]:
    """Every edition's findings; an edition that cannot be checked gives its problems."""
    found: list[Problem] = []
    for ed in editions:
        try:
            found += ed.preflight(book, assets)
        except PressroomError as e:
            found += e.problems
    return list(dict.fromkeys(found))  # a finding about the book itself comes from every edition: once


def build(book: Book, editions: list[Edition], out: Path, say=print, jobs: int | None = None,
          limits: Limits = DEFAULT_LIMITS) -> list[Path]:
    """Build ``editions`` of ``book`` into ``out``; every file is written only once all are made.

    ``say`` prints progress lines; a progress.Reporter also shows progress bars and
    receives each edition's warnings. ``jobs`` processes make the editions side by side
    (default: one per core, at most one per edition). Raises BuildError (or the
    photos' ManuscriptError) with every problem; the previous files then stay.
    What a killed build left in ``out`` is removed first (staging.building).
    """
    with building(out):
        return _build(book, editions, out, say, jobs, limits)


def _build(book: Book, editions: list[Edition], out: Path, say, jobs: int | None, limits: Limits) -> list[Path]:
    task = getattr(say, "task", None) or _no_task
    # The photos' files are read (for their digests) while the fonts are checked: before any
    # photo is made or file written, a character no installed font draws refuses the book.
    with Hashing([p.path for p in book.images], jobs) as hashing:
        _report(require_fonts(book, pdf=any(ed.name in ("pdf", "print") for ed in editions)), say)
        helpers = _helpers(book, editions, limits)
        names = {ed.name for ed in helpers + editions}
        for ed in helpers + editions:
            ed.alongside(names)
        workers = min(jobs or os.cpu_count() or 1, len(editions))
        if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
            workers = 1
        t0 = time.perf_counter()
        # WeasyPrint and friends load while the photo workers decode (a cold build), else after.
        idle = (lambda: warmup.preload(book.language)) if workers > 1 else None
        with task("photos", derivatives_wanted(book, helpers + editions)) as advance:
            assets = derive_assets(book, helpers + editions, limits, progress=advance, idle=idle, hashing=hashing)
    say(f"photos: {len(book.images)} ready for "
        f"{', '.join(dict.fromkeys(t.name for ed in helpers + editions for t in ed.targets(book)))} "
        f"in {time.perf_counter() - t0:.1f} s")
    order = sorted(editions, key=lambda ed: (not ed.gives, -COST.get(ed.name, 0)))  # givers first
    if workers == 1:
        results = _serially(book, order, assets, out, say, task, helpers)
    else:
        warmup.preload(book.language)  # once, not once in each process that renders a PDF
        results = _side_by_side(book, order, assets, out, task, helpers)
    return _finish(book, editions, results, out, say)


def _helpers(book: Book, editions: list[Edition], limits: Limits) -> list[Edition]:
    """Editions made only to hand another what it cannot do without well (Edition.needs_for)
    when the build does not make them: a long book's screen PDF alone is drawn from the print
    interior's layout, which is laid out (not written, not preflighted) for it."""
    given = set().union(*(ed.gives for ed in editions))
    wanted = {"screen_pieces"} & set().union(*(ed.needs_for(book) for ed in editions)) - given
    if not wanted:
        return []
    from .editions.press import PrintInterior

    return [PrintInterior(limits=limits)]


def _help(given: Given, helper: Edition, book: Book, assets) -> Given:
    """``given`` with what ``helper`` hands over; as it was when the helper fails (the
    edition waiting for it then makes itself what it lacks)."""
    try:
        return _merge(given, helper, book, assets)
    except PressroomError:
        return given


# --------------------------------------------------------------------------
# Making one edition
# --------------------------------------------------------------------------

def _make(book: Book, ed: Edition, assets, out: Path, given: Given = NOTHING) -> EditionResult:
    """One edition's preflight and, when it finds no error, its files staged in ``out``."""
    t0 = time.perf_counter()
    try:
        found = ed.preflight(book, assets)
        if any(p.severity != "warning" for p in found):
            return EditionResult(ed.name, "preflight", found)
        temps = ed.write(book, assets, out, given)
    except PressroomError as e:  # its problems, not the exception (which does not pickle)
        return EditionResult(ed.name, "failed", list(e.problems))
    return EditionResult(ed.name, "made", found, temps, time.perf_counter() - t0)


def _merge(given: Given, ed: Edition, book: Book, assets) -> Given:
    """``given`` with what ``ed`` gives the others."""
    if not ed.gives:
        return given
    handed = ed.hand_over(book, assets)
    return dataclasses.replace(given, **{name: getattr(handed, name) for name in ed.gives})


def _serially(book: Book, order: list[Edition], assets, out: Path, say, task,
              helpers: list[Edition] = ()) -> list[EditionResult]:
    """Every edition in this process, one after the other, the givers (helpers first) first."""
    found = preflight(book, order, assets)
    if any(p.severity != "warning" for p in found):
        raise BuildError([p for p in found if p.severity != "warning"])
    _report(found, say)
    given, results = NOTHING, []
    for helper in helpers:
        given = _help(given, helper, book, assets)
    try:
        for ed in order:
            t0 = time.perf_counter()
            with task(ed.label, None, f"making {ed.filename(book)}"):
                staged = ed.write(book, assets, out, given)
            results.append(EditionResult(ed.name, "made", [], staged, time.perf_counter() - t0))
            given = _merge(given, ed, book, assets)
    except BaseException:
        discard([r.staged for r in results])
        raise
    return results


# --------------------------------------------------------------------------
# Making editions side by side
# --------------------------------------------------------------------------

@dataclass
class _Worker:
    edition: Edition
    process: multiprocessing.Process
    results: object  # the Connection its result arrives on
    given: object | None  # the Connection this process sends it the givers' Given on, if it needs one


def _side_by_side(book: Book, order: list[Edition], assets, out: Path, task,
                  helpers: list[Edition] = ()) -> list[EditionResult]:
    """The givers (helpers first) made in this process while forked workers make the others."""
    ctx = multiprocessing.get_context("fork")
    here = [*helpers, *(ed for ed in order if ed.gives)]
    there = [ed for ed in order if not ed.gives]
    wanted = set().union(*(ed.gives for ed in here)) if here else set()
    pipes = []
    for ed in there:
        results = ctx.Pipe(duplex=False)
        given = ctx.Pipe(duplex=False) if ed.needs_for(book) & wanted else None
        pipes.append((ed, results, given))
    every = [c for _, r, g in pipes for c in (*r, *(g or ()))]
    workers: list[_Worker] = []
    # Forked before any progress bar runs: a child must not inherit a lock held by its thread.
    for ed, (res_r, res_w), given in pipes:
        own = [res_w] + ([given[0]] if given else [])
        proc = ctx.Process(target=_worker, args=(book, ed, assets, out, res_w, given[0] if given else None,
                                                 [c for c in every if c not in own]), daemon=True)
        proc.start()
        workers.append(_Worker(ed, proc, res_r, given[1] if given else None))
    for ed, (_, res_w), given in pipes:  # this process keeps only its own ends
        res_w.close()
        if given:
            given[0].close()
    results: list[EditionResult] = []
    try:
        with task("editions", len(order), ", ".join(ed.label for ed in order)) as advance:
            handed = NOTHING

            def hand_over(ok: bool) -> None:
                """Send each waiting worker what the givers made (or, when one failed, close its pipe)."""
                for w in workers:
                    if w.given is None:
                        continue
                    if ok:
                        with contextlib.suppress(OSError):  # the worker is gone: its edition fails on its own
                            w.given.send(handed)
                    w.given.close()
                    w.given = None

            for i, ed in enumerate(here):
                last = i == len(here) - 1
                if any(ed is h for h in helpers):  # laid out to hand over, not made
                    handed = _help(handed, ed, book, assets)
                    if last:
                        hand_over(True)
                    continue

                # What a giver hands over comes from its layout alone: sent before its
                # preflight and files (a print cover is made meanwhile). When the preflight
                # then finds an error, the build fails and what the others made is dropped.
                try:
                    handed = _merge(handed, ed, book, assets)
                except PressroomError as e:
                    hand_over(False)
                    results.append(EditionResult(ed.name, "failed", list(e.problems)))
                else:
                    if last:
                        hand_over(True)
                    results.append(_make(book, ed, assets, out))
                advance(1, ed.label)
            pending = {w.results: w for w in workers}
            while pending:
                for conn in wait(list(pending)):
                    w = pending.pop(conn)
                    results.append(_receive(book, w))
                    advance(1, w.edition.label)
    except BaseException:  # interrupted: stop the workers, and leave no temporary behind
        _stop(workers)
        discard([r.staged for r in results])
        raise
    return results


def _worker(book: Book, ed: Edition, assets, out: Path, results, given, foreign: list) -> None:
    """In a forked process: make ``ed`` and send its EditionResult on ``results``, after
    receiving the givers' Given on ``given`` when it needs one."""
    for conn in foreign:  # another worker's ends: holding one would keep its pipe open
        conn.close()
    try:
        handed = NOTHING
        if given is not None:
            with contextlib.suppress(PressroomError):
                ed.prepare(book, assets)  # build() meets its problem again and reports it
            try:
                handed = given.recv()
            except (EOFError, OSError):  # a giver failed: the build fails with its problems
                results.send(EditionResult(ed.name, "skipped"))
                return
        results.send(_make(book, ed, assets, out, handed))
    except KeyboardInterrupt:
        pass  # the parent was interrupted too; staged files were removed on the way out
    except BaseException as e:  # a bug or a library's crash: one line, not a traceback
        with contextlib.suppress(Exception):
            results.send(EditionResult(ed.name, "failed", [Problem(Location(str(book.source)), one_line(
                f"{ed.label}: the process making it failed ({type(e).__name__}: {e})"), "PR090")]))


def _receive(book: Book, w: _Worker) -> EditionResult:
    """A worker's result, or the failure of a worker that died without sending one."""
    try:
        result = w.results.recv()
    except (EOFError, OSError):
        w.process.join()
        result = EditionResult(w.edition.name, "failed", [Problem(Location(str(book.source)), one_line(
            f"{w.edition.label}: the process making it failed (exit status {w.process.exitcode}; "
            "out of memory?)"), "PR090")])
    w.results.close()
    w.process.join()
    return result


def _stop(workers: list[_Worker]) -> None:
    """Interrupt the workers still running (each removes its temporaries) and wait for them;
    discard what those that finished had staged."""
    for w in workers:
        if w.given is not None:
            w.given.close()
            w.given = None
        if w.process.is_alive():
            with contextlib.suppress(OSError):
                os.kill(w.process.pid, signal.SIGINT)
    for w in workers:
        w.process.join(10)
        if w.process.is_alive():
            w.process.terminate()
            w.process.join()
        with contextlib.suppress(EOFError, OSError):
            while w.results.poll():
                discard([w.results.recv().staged])


# --------------------------------------------------------------------------
# The end of a build
# --------------------------------------------------------------------------

def _finish(book: Book, editions: list[Edition], results: list[EditionResult], out: Path, say) -> list[Path]:
    """Commit every edition's files, or (an error anywhere) none, and report."""
    by_name = {r.edition: r for r in results}
    ordered = [by_name[ed.name] for ed in editions]
    failed = next((r.problems for r in ordered if r.status == "failed"), None)
    found = [p for r in ordered if r.status != "failed" for p in r.problems]
    errors = [p for p in found if p.severity != "warning"]
    if errors or failed:
        discard([r.staged for r in ordered])
        raise BuildError(errors or failed)
    _report(found, say)
    for ed, r in zip(editions, ordered):
        for tmp, final in r.staged:
            say(f"{ed.label}: {final.name} ({tmp.stat().st_size / 1e6:.1f} MB) in {r.seconds:.1f} s")
    return commit(out, [t for r in ordered for t in r.staged])


@contextlib.contextmanager
def _no_task(label: str, total: int | None = None, what: str = ""):
    yield lambda n=1, what=None: None


def _report(found: list[Problem], say) -> None:
    report = getattr(say, "problem", None)
    for p in dict.fromkeys(found):  # a finding about the book itself comes from every edition: once
        report(p) if report else print(p, file=sys.stderr)
