"""`check`: findings with stable codes, places and fixes; exit status; JSON shape; --strict."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bookmaker import make_book
from pressroom import cli
from pressroom.check import check
from pressroom.codes import CODES
from pressroom.editions.pdf import ScreenPDF
from pressroom.errors import Location, Problem

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *args) -> tuple[int, str, str]:
    rc = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_good_book_has_no_findings_and_writes_nothing(tmp_path, capsys, monkeypatch):
    book = make_book(tmp_path / "book")
    monkeypatch.chdir(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    rc, out, _ = run(capsys, "--book", str(book))
    assert rc == 0
    # A 3-photo test book is valid; what remains are the print edition's notes
    # about a book this short (too few pages for a paperback, a plain spine,
    # small test photos, no cover photo, no ISBN): warnings, never errors.
    assert "0 errors" in out and "(3 photos; checked for: screen PDF, EPUB, print edition)" in out
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # no out/, nothing written

    rc, out, _ = run(capsys, "--book", str(book), "--json")
    assert rc == 0
    report = json.loads(out)
    assert report["ok"] is True and report["errors"] == 0
    assert {f["code"] for f in report["findings"]} <= {"PRINT-001", "PRINT-004", "PRINT-007", "PRINT-009", "PRINT-011"}
    assert all(f["severity"] == "warning" and f["fix"] for f in report["findings"])


def _bad_book(tmp_path: Path) -> Path:
    book = make_book(tmp_path / "book", photos=2)
    text = (book / "book.yaml").read_text()
    text = text.replace("photos/02.jpg", "photos/missing.jpg")
    text = text.replace("        alt: Test photo number 1\n", "")
    text = text.replace("language: en\n", "language: en\nsubtitel: A typo\n")
    (book / "book.yaml").write_text(text)
    return book


def test_bad_book_table_has_codes_places_and_fixes(tmp_path, capsys):
    book = _bad_book(tmp_path)
    rc, out, _ = run(capsys, "--book", str(book))
    assert rc == 1
    rows = [line for line in out.splitlines() if re.match(r"PR\d{3} ", line)]
    codes = [r.split()[0] for r in rows]
    assert sorted(codes) == ["PR012", "PR024", "PR027"]
    for row in rows:
        code, severity, place = row.split()[:3]
        assert severity == "error"
        assert re.fullmatch(r".*book\.yaml:\d+:\d+", place), place
    # each finding is followed by its fix, from the one table of codes
    for code in codes:
        assert CODES[code][1].split()[0] in out
    assert "fix:" in out and "3 errors, 0 warnings" in out
    assert "subtitle" in out  # the unknown-key message suggests the nearest key


def test_json_shape(tmp_path, capsys):
    book = _bad_book(tmp_path)
    rc, out, err = run(capsys, "--book", str(book), "--json")
    assert rc == 1
    data = json.loads(out)
    assert set(data) == {"ok", "errors", "warnings", "findings"}
    assert data["ok"] is False and data["errors"] == 3 and data["warnings"] == 0
    for f in data["findings"]:
        assert set(f) == {"code", "severity", "file", "line", "column", "message", "fix"}
        assert f["file"].endswith("book.yaml") and isinstance(f["line"], int) and isinstance(f["column"], int)
        assert f["severity"] == "error" and f["fix"] == CODES[f["code"]][1]
    missing = next(f for f in data["findings"] if f["code"] == "PR027")
    assert "photos/missing.jpg" in missing["message"]
    lines = (book / "book.yaml").read_text().splitlines()
    assert "photos/missing.jpg" in lines[missing["line"] - 1]


def test_unusable_photo_is_found_by_decoding_it(tmp_path):
    book = make_book(tmp_path / "book", photos=2)
    data = (book / "photos" / "02.jpg").read_bytes()
    (book / "photos" / "02.jpg").write_bytes(data[: len(data) // 2])  # a truncated copy
    # In a fresh process, as users run it (WeasyPrint, once imported, makes Pillow accept
    # truncated JPEGs process-wide; images.py guards against that on the photo branch).
    r = subprocess.run([sys.executable, "build.py", "check", "--book", str(book), "--json"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    (finding,) = json.loads(r.stdout)["findings"]
    assert finding["code"] == "PR030" and "02.jpg" in finding["message"] and finding["line"]


def test_missing_book(tmp_path, capsys):
    rc, out, _ = run(capsys, "--book", str(tmp_path / "nowhere"), "--json")
    assert rc == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["PR001"]


class WarnedPDF(ScreenPDF):
    """The screen PDF with a preflight that finds one warning (a real edition otherwise)."""

    def preflight(self, book, assets):
        first = book.photos[0]
        # preflight sees the decoded photos (the common derivative, or the one made for its place)
        assert any(path == first.path and name.startswith("screen") for path, name in assets)
        return [Problem(first.where, "photo is small for this page", "PR030", "warning")]


def test_warnings_pass_and_strict_makes_them_errors(tmp_path, capsys, monkeypatch):
    book = make_book(tmp_path / "book", photos=1)
    report = check(book, [WarnedPDF()])
    assert report.ok and report.warnings == 1 and report.errors == 0
    strict = check(book, [WarnedPDF()], strict=True)
    assert not strict.ok and strict.errors == 1 and strict.findings[0].severity == "error"

    monkeypatch.setattr(cli, "EDITIONS", {"pdf": WarnedPDF})
    rc, out, _ = run(capsys, "--book", str(book))
    assert rc == 0 and "PR030  warning" in out and "0 errors, 1 warning" in out
    rc, out, _ = run(capsys, "--book", str(book), "--strict", "--json")
    data = json.loads(out)
    assert rc == 1 and data["errors"] == 1 and data["warnings"] == 0 and not data["ok"]

    # A build shows the warning as a line and counts it in the summary.
    rc = cli.main(["pdf", "--book", str(book), "--out", str(tmp_path / "out")])
    _, err = capsys.readouterr()
    assert rc == 0
    assert re.search(r"^.*book\.yaml:\d+:\d+: warning: photo is small for this page$", err, re.M)
    assert "1 warning:" in err


def test_every_code_is_in_the_table_and_the_readme():
    used = set()
    for path in (ROOT / "pressroom").rglob("*.py"):
        used |= set(re.findall(r"[\"'](PR\d{3}|PRINT-\d{3})[\"']", path.read_text(encoding="utf-8")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(PR\d{3}|PRINT-\d{3})` \|", readme, re.M))
    assert used - set(CODES) == set(), "codes used in the source but missing from pressroom/codes.py"
    assert set(CODES) == documented, "README's 'Problem codes' table must list exactly pressroom/codes.py's codes"
    for code, (title, fix) in CODES.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{code}` |"))
        assert fix.split("`")[0][:40] in row, f"README's fix for {code} differs from pressroom/codes.py"


def test_build_error_line_has_no_code(tmp_path):
    book = _bad_book(tmp_path)
    r = subprocess.run([sys.executable, "build.py", "--book", str(book), "--out", str(tmp_path / "out")],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines and all(re.fullmatch(r"\S+book\.yaml:\d+:\d+: error: [^\[]+", line) for line in lines), lines
    assert not (tmp_path / "out").exists()
