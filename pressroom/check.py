"""``check``: every finding about a book, without writing any edition.

It loads the manuscript, decodes every photo for every edition (through the
derivative cache, so a second check is fast) and runs each edition's
preflight. Findings come back as :class:`Problem` s with stable codes; this
module prints them as a table with a fix for each (from :mod:`pressroom.codes`)
or as JSON for CI.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from dataclasses import dataclass, replace

from .codes import fix_for
from .editions.base import Edition
from .errors import PressroomError, Problem
from .limits import DEFAULT as DEFAULT_LIMITS, Limits
from .manuscript import load
from .schedule import derive_assets, preflight
from .scripts import findings as language_findings


@dataclass
class Report:
    findings: list[Problem]
    photos: int = 0
    editions: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(p.severity != "warning" for p in self.findings)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.findings)

    @property
    def ok(self) -> bool:
        return self.errors == 0


def check(book_path, editions: list[Edition], *, strict: bool = False, progress=None,
          limits: Limits = DEFAULT_LIMITS) -> Report:
    """Find every problem with the book at ``book_path`` for ``editions``; write nothing."""
    try:
        book = load(book_path, limits)
    except PressroomError as e:
        return Report(_strict(e.problems, strict))
    # Characters no font draws, words left in English.
    languages = language_findings(book, pdf=any(ed.name in ("pdf", "print") for ed in editions))
    try:
        assets = derive_assets(book, editions, limits, progress=progress)
    except PressroomError as e:
        # Without every photo an edition's preflight has nothing to measure.
        return Report(_strict(languages + e.problems, strict), len(book.images))
    found = languages + preflight(book, editions, assets)
    return Report(_strict(found, strict), len(book.images), tuple(ed.label for ed in editions))


def _strict(problems: list[Problem], strict: bool) -> list[Problem]:
    out = [replace(p, severity="error") if strict and p.severity == "warning" else p for p in problems]
    return sorted(out, key=lambda p: (p.where.file, p.where.line or 0, p.where.col or 0, p.code))


def as_json(report: Report) -> str:
    """The machine-readable shape (documented in README, 'check')."""
    return json.dumps({
        "ok": report.ok,
        "errors": report.errors,
        "warnings": report.warnings,
        "findings": [{
            "code": p.code,
            "severity": p.severity,
            "file": p.where.file,
            "line": p.where.line,
            "column": p.where.col,
            "message": p.message,
            "fix": fix_for(p.code),
        } for p in report.findings],
    }, indent=2, ensure_ascii=False)


def as_table(report: Report, width: int | None = None) -> str:
    """A table for people: code, severity, place and message, the fix under each."""
    width = width or max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
    lines: list[str] = []
    if report.findings:
        places = [str(p.where) for p in report.findings]
        pw = min(max(len(s) for s in places), 40)
        lines.append(f"{'code':<6} {'severity':<8} {'place':<{pw}}  message")
        for p, place in zip(report.findings, places):
            lines.append(f"{p.code:<6} {p.severity:<8} {place:<{pw}}  {p.message}")
            fix = textwrap.wrap(fix_for(p.code), max(40, width - 12))
            lines += [f"{'':<6} {'fix:' if i == 0 else '':<8} {line}" for i, line in enumerate(fix)]
    e, w = report.errors, report.warnings
    verdict = "no problems found" if not report.findings else \
        f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"
    what = f" ({report.photos} photos; checked for: {', '.join(report.editions)})" if report.editions else ""
    lines.append(verdict + what)
    return "\n".join(lines)
