"""`watch` in a real subprocess: rebuild on save, live preview over HTTP, error page, Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bookmaker import make_book, make_photo

ROOT = Path(__file__).resolve().parent.parent


def _pump(stream, q: queue.Queue, log: list[str]) -> None:
    for line in stream:
        log.append(line)
        q.put(line)


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def _until(pred, timeout: float = 90, what: str = ""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = pred()
        if got:
            return got
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _derivatives(cache: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (cache / "pressroom" / "derivatives").rglob("*.jpg")}


@pytest.mark.slow
def test_watch_rebuilds_serves_preview_shows_errors_and_stops_on_ctrl_c(tmp_path):
    book = make_book(tmp_path / "book", photos=2)
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "CI": "true"}
    proc = subprocess.Popen(
        [sys.executable, "build.py", "watch", "--book", str(book), "--out", str(out), "--port", "0",
         "--editions", "pdf"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outq: queue.Queue = queue.Queue()
    errors: list[str] = []
    threading.Thread(target=_pump, args=(proc.stdout, outq, []), daemon=True).start()
    threading.Thread(target=_pump, args=(proc.stderr, queue.Queue(), errors), daemon=True).start()
    try:
        first = outq.get(timeout=60)
        assert first.startswith("preview: http://127.0.0.1:"), first
        url = first.split(" ", 1)[1].strip()

        # The first build: the page shows the book and links the screen PDF.
        _until(lambda: b"a-test-book.pdf" in _get(url)[2], what="the first build")
        status, ctype, page = _get(url)
        assert status == 200 and ctype.startswith("text/html")
        assert b"A Test Book" in page and b"Fields after the harvest." in page
        status, ctype, photo = _get(url + "photo/1")
        assert status == 200 and ctype == "image/jpeg" and photo[:2] == b"\xff\xd8"
        status, _, pdf = _get(url + "out/a-test-book.pdf")
        assert status == 200 and pdf.startswith(b"%PDF-")
        # Only files pressroom listed are served: nothing else from the book, the cache or the disk.
        for path in ("out/book.yaml", "out/..%2Fbook%2Fbook.yaml", "photo/99", "photo/..%2F..%2Fetc%2Fpasswd",
                     "book.yaml", "../book/book.yaml"):
            assert _get(url + path)[0] == 404, path
        before = _derivatives(cache)
        assert before

        # A caption edit: rebuilt, the new caption on the page, no photo decoded again.
        version = _get(url + "version")[2]
        text = (book / "book.yaml").read_text()
        (book / "book.yaml").write_text(text.replace("Fields after the harvest.", "Rain over the new bridge."))
        _until(lambda: b"Rain over the new bridge." in _get(url)[2], what="the caption rebuild")
        assert _get(url + "version")[2] != version
        _until(lambda: sum("built in" in e for e in errors) >= 2, what="the rebuilt editions")
        assert _derivatives(cache) == before
        assert b"Rain over the new bridge" not in pdf  # sanity: the old PDF was the old text

        # A new photo file: only that photo is decoded again.
        builds = sum("built in" in e for e in errors)
        make_photo(book / "photos" / "02.jpg", (900, 600), seed=42)
        _until(lambda: sum("built in" in e for e in errors) > builds, what="the photo rebuild to finish")
        _until(lambda: len(_derivatives(cache)) > len(before), what="the photo rebuild")
        _until(lambda: b'src="/photo/2?v=' in _get(url)[2] and b'id="problems"' not in _get(url)[2],
               what="the preview after the photo")
        after = _derivatives(cache)
        assert set(before) <= set(after) and len(after) == len(before) + 1
        assert all(after[p] == t for p, t in before.items())

        # A file the book does not use: no rebuild.
        version = _get(url + "version")[2]
        (book / "notes.txt").write_text("ideas for the next chapter")
        time.sleep(1.5)
        assert _get(url + "version")[2] == version

        # A bad save: the error in the terminal and on the page; the watcher keeps running.
        (book / "book.yaml").write_text(text.replace("title: A Test Book", "title: [unclosed"))
        page = _until(lambda: (p := _get(url)[2]) and b'id="problems"' in p and p, what="the error page")
        assert re.search(rb"book\.yaml:\d+:\d+: error: YAML syntax", page), page
        _until(lambda: any(re.search(r"book\.yaml:\d+:\d+: error: YAML syntax", e) for e in errors),
               what="the error line in the terminal")
        assert proc.poll() is None

        # Fixed again: the error goes away.
        (book / "book.yaml").write_text(text)
        _until(lambda: b'id="problems"' not in _get(url)[2], what="the fixed page")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert rc == 0
    time.sleep(0.2)
    assert not any("Traceback" in e for e in errors), "".join(errors)


def test_preview_lists_preflight_warnings_and_links_the_editions(tmp_path):
    """One rebuild in process, with the screen PDF plus a preflight that finds a warning."""
    import io

    from pressroom.editions.pdf import ScreenPDF
    from pressroom.errors import Problem
    from pressroom.progress import Reporter
    from pressroom.watch import Preview, Watcher

    class Warned(ScreenPDF):
        def preflight(self, book, assets):
            return [Problem(book.photos[0].where, "photo is small for its page", "PR030", "warning")]

    book = make_book(tmp_path / "book", photos=1)
    preview = Preview()
    log = io.StringIO()
    watcher = Watcher(book, tmp_path / "out", [Warned()], Reporter(stream=log, fancy=False), preview)
    assert watcher.rebuild()
    page = preview.page.decode()
    assert 'id="warnings"' in page and "warning: photo is small for its page" in page
    assert 'href="/out/a-test-book.pdf"' in page and preview.outputs["a-test-book.pdf"].is_file()
    assert "warning: photo is small for its page" in log.getvalue()
