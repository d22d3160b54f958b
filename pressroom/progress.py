"""What a build tells the person running it: progress, problems and a summary.

On a terminal, rich progress bars (one for the photos, one per edition) that
vanish when done, leaving one line per result. When the output is piped or
``CI`` is set, the same results as plain lines. ``-q`` prints only problems;
``-v`` adds detail (each photo, timings of each step).
"""

from __future__ import annotations

import os
import re
import sys
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import Problem

QUIET, NORMAL, VERBOSE = 0, 1, 2


def fancy_default(stream) -> bool:
    """Progress bars only for a person at a terminal, never in CI or a pipe."""
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Reporter:
    """Progress and messages for one command. Calling it prints an ordinary line."""

    def __init__(self, verbosity: int = NORMAL, stream=None, fancy: bool | None = None):
        self.verbosity = verbosity
        self.stream = stream if stream is not None else sys.stderr
        self.fancy = (fancy if fancy is not None else fancy_default(self.stream)) and verbosity >= NORMAL
        self.warnings = 0
        self.errors = 0
        self.seen: list[Problem] = []  # every problem reported, in order
        self._console = None
        if self.fancy:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False, soft_wrap=True)

    # lines ----------------------------------------------------------------
    def _line(self, text: str) -> None:
        if self._console is not None:
            self._console.print(text, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def __call__(self, *parts, **_ignored) -> None:
        """An ordinary progress line (hidden by -q)."""
        if self.verbosity >= NORMAL:
            self._line(" ".join(str(p) for p in parts))

    info = __call__

    def detail(self, text: str) -> None:
        """A line only -v shows."""
        if self.verbosity >= VERBOSE:
            self._line(text)

    def problem(self, p: Problem) -> None:
        """A problem, always shown, as ``FILE:LINE:COL: severity: message``."""
        self.seen.append(p)
        if p.severity == "warning":
            self.warnings += 1
        else:
            self.errors += 1
        self._line(str(p))

    # progress -------------------------------------------------------------
    @contextmanager
    def task(self, label: str, total: int | None = None, what: str = "") -> Iterator[Callable[..., None]]:
        """A step of the build; yields ``advance(n=1, what=None)`` to report progress."""
        t0 = time.perf_counter()
        if self._console is None:
            done = [0]

            def advance(n: int = 1, what: str | None = None) -> None:
                done[0] += n
                if what:
                    self.detail(f"  {label}: {what}")

            self.detail(f"{label}: started{' (' + what + ')' if what else ''}")
            yield advance
            self.detail(f"{label}: finished in {time.perf_counter() - t0:.1f} s")
            return

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn()]
        if total:
            columns.append(MofNCompleteColumn())
        columns += [TimeElapsedColumn(), TextColumn("{task.fields[what]}", style="dim")]
        with Progress(*columns, console=self._console, transient=True) as bar:
            tid = bar.add_task(label, total=total, what=what)

            def advance(n: int = 1, what: str | None = None) -> None:
                bar.update(tid, advance=n, what=what or "")
                if what:
                    self.detail(f"  {label}: {what}")

            yield advance


# --------------------------------------------------------------------------
# The summary
# --------------------------------------------------------------------------

_PAGES_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", re.S)
_OBJSTM = re.compile(rb"<<[^<>]*/Type\s*/ObjStm[^<>]*>>\s*stream\r?\n", re.S)
_LENGTH = re.compile(rb"/Length\s+(\d+)\b")


def pdf_page_count(data: bytes) -> int | None:
    """The page count of a PDF, read from its page tree without a PDF library.

    Takes the largest ``/Count`` of a ``/Type /Pages`` node (the root of the
    tree counts every page), looking in the file and in its compressed object
    streams (where WeasyPrint puts the page tree). None when not found.
    """
    texts = [data]
    for m in _OBJSTM.finditer(data):
        length = _LENGTH.search(m.group(0))
        if not length or b"/FlateDecode" not in m.group(0):
            continue
        raw = data[m.end():m.end() + int(length.group(1))]
        try:
            texts.append(zlib.decompress(raw))
        except zlib.error:
            continue
    counts = [int(a or b) for t in texts for a, b in _PAGES_COUNT.findall(t)]
    return max(counts) if counts else None


def _page_count(path: Path) -> int | None:
    """The page count of the PDF at ``path``: read by pikepdf, which reads only the
    cross-reference table and the page tree (a print PDF is the size of its photos),
    or by :func:`pdf_page_count` when pikepdf cannot."""
    try:
        import pikepdf

        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except Exception:
        return pdf_page_count(path.read_bytes())


def human_size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1_000:
        return f"{n / 1e3:.0f} KB"
    return f"{n} B"


def summary(paths: list[Path], seconds: float, warnings: int) -> list[str]:
    """The lines that end a build: each file with its size (and pages), then the totals."""
    lines = []
    width = max((len(str(p)) for p in paths), default=0)
    for p in paths:
        extra = ""
        if p.suffix.lower() == ".pdf":
            pages = _page_count(p)
            if pages is not None:
                extra = f"  {pages} page{'s' if pages != 1 else ''}"
        lines.append(f"  {str(p):<{width}}  {human_size(p.stat().st_size):>8}{extra}")
    head = f"built {len(paths)} file{'s' if len(paths) != 1 else ''} in {seconds:.1f} s"
    tail = f"{warnings} warning{'s' if warnings != 1 else ''}"
    return [f"{head}, {tail}:"] + lines
