"""``watch``: rebuild on every save and serve a live preview on 127.0.0.1.

The preview is the book as one web page (rendered with the same Jinja
environment as the editions, ``templates/preview/book.html``), its photos
served from the derivative cache, with links to the latest editions in the
output folder. The page polls ``/version`` and reloads itself after each
build. A save that breaks the book shows its problems in the terminal and on
the page, and the watcher carries on. Ctrl-C stops it (exit status 0).

Only what a change affects is redone: derivatives are cached by the bytes of
each photo, so a manuscript edit decodes no photo, and an edited photo is the
only one decoded again. Changes to files the book does not use are ignored.
"""

from __future__ import annotations

import datetime as _dt
import signal
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

from .cache import cache_dir
from .editions.base import Edition
from .editions.pdf import ScreenPDF
from .errors import PressroomError
from .images import Asset, derive
from .limits import DEFAULT as DEFAULT_LIMITS, Limits
from .manuscript import Book, find_manuscript, load
from .render import environment, labels
from .scripts import direction
from .schedule import build


class Preview:
    """What the server shows; replaced whole after each build, under a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = 0
        self.page = b""
        self.photos: dict[int, Path] = {}
        self.outputs: dict[str, Path] = {}
        self.book: Book | None = None
        self.assets: dict[int, Asset] = {}
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.built = ""
        self.render()

    def render(self) -> None:
        """Bump the version and render the page from the current state (caller holds no lock)."""
        with self.lock:
            self.version += 1
            lang = self.book.language if self.book else "en"
            html = environment().get_template("preview/book.html").render(
                book=self.book, t=labels(lang, self.book.words if self.book else None), dir=direction(lang),
                assets=self.assets, problems=self.problems, warnings=self.warnings, editions=sorted(self.outputs),
                version=self.version, built=self.built)
            self.page = html.encode("utf-8")


def handler_for(preview: Preview, out: Path):
    cache = cache_dir().resolve()
    out = out.resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "pressroom-preview"

        def log_message(self, *args) -> None:  # no access log in the author's terminal
            pass

        def _send(self, body: bytes, ctype: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _file(self, path: Path | None, root: Path, ctype: str) -> None:
            # Only files pressroom itself listed, and only inside their own folder.
            if path is None or not path.resolve().is_relative_to(root) or not path.is_file():
                return self._send(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)
            self._send(path.read_bytes(), ctype)

        def do_GET(self) -> None:  # noqa: N802
            route = unquote(urlparse(self.path).path)
            with preview.lock:
                page, version = preview.page, preview.version
                photos, outputs = dict(preview.photos), dict(preview.outputs)
            if route in ("/", "/index.html"):
                return self._send(page, "text/html; charset=utf-8")
            if route == "/version":
                return self._send(f"{version}\n".encode(), "text/plain; charset=utf-8")
            if route.startswith("/photo/") and route[7:].isdigit():
                return self._file(photos.get(int(route[7:])), cache, "image/jpeg")
            if route.startswith("/out/"):
                name = route[5:]
                ctype = "application/epub+zip" if name.endswith(".epub") else "application/pdf"
                return self._file(outputs.get(name), out, ctype)
            self._send(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)

        do_HEAD = do_GET

    return Handler


class Watcher:
    def __init__(self, book_arg, out: Path, editions: list[Edition], say, preview: Preview,
                 limits: Limits = DEFAULT_LIMITS):
        self.book_arg = book_arg
        self.limits = limits
        self.out = out
        self.editions = editions
        self.say = say
        self.preview = preview
        self.used: set[Path] = set()  # the files the last loaded book reads
        self.ok = False  # the last build succeeded

    def relevant(self, changed: set[Path]) -> bool:
        """Whether a change can alter the book: after a failed build, any change can."""
        return not self.ok or bool(changed & self.used)

    def rebuild(self) -> bool:
        """One build; True when it succeeded. Problems go to the terminal and the page."""
        t0 = time.perf_counter()
        p = self.preview
        try:
            book = load(self.book_arg, self.limits)
            # The manuscript, its Markdown files (chapters, front and back matter), photos and design files.
            self.used = ({book.source.resolve()} | {f.resolve() for f in book.files}
                         | {ph.path.resolve() for ph in book.images} | {f.resolve() for f in book.design.files})
            task = getattr(self.say, "task", None)
            screen = ScreenPDF(limits=self.limits)
            target = screen.targets(book)
            if task:
                with task("photos", len(book.images)) as advance:
                    assets = derive(list(book.images), target, progress=advance, limits=self.limits)
            else:
                assets = derive(list(book.images), target, limits=self.limits)
            with p.lock:
                p.book, p.problems, p.warnings = book, [], []
                p.assets = {ph.number: assets[(ph.path, target[0].name)] for ph in book.photos}
                if book.cover is not None:  # served as /photo/0
                    p.assets[0] = assets[(book.cover.path, target[0].name)]
                p.photos = {n: a.path for n, a in p.assets.items()}
                p.built = _dt.datetime.now().strftime("%H:%M:%S") + " (preview)"
            p.render()
            if self.editions:
                seen = getattr(self.say, "seen", [])
                before = len(seen)
                paths = build(book, self.editions, self.out, self.say, limits=self.limits)
                with p.lock:
                    p.outputs = {path.name: path for path in paths}
                    p.built = _dt.datetime.now().strftime("%H:%M:%S")
                    p.warnings = [str(w) for w in seen[before:] if w.severity == "warning"]
                p.render()
        except PressroomError as e:
            for prob in e.problems:
                print(prob, file=sys.stderr, flush=True)
            with p.lock:
                p.problems = [str(prob) for prob in e.problems]
            p.render()
            self.say(f"not built: {len(e.problems)} problem(s); waiting for the next save")
            self.ok = False
            return False
        self.say(f"built in {time.perf_counter() - t0:.1f} s; waiting for changes (Ctrl-C stops)")
        self.ok = True
        return True


def watch(book_arg, out: Path, editions: list[Edition], port: int, say, limits: Limits = DEFAULT_LIMITS) -> int:
    """Serve the preview on 127.0.0.1:``port`` and rebuild on every save until Ctrl-C."""
    import watchfiles

    try:
        manuscript = find_manuscript(book_arg)
        if not manuscript.is_file():
            load(book_arg, limits)  # raises the exact problem
    except PressroomError as e:
        for prob in e.problems:
            print(prob, file=sys.stderr)
        return 1
    root = manuscript.resolve().parent
    preview = Preview()
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(preview, out))
    except OSError as e:
        print(f"127.0.0.1:{port}: error: cannot serve the preview ({e.strerror or e}); "
              f"choose another with --port", file=sys.stderr)
        return 1
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="preview", daemon=True)
    thread.start()
    print(f"preview: http://127.0.0.1:{server.server_address[1]}/", flush=True)
    ignored = [out.resolve(), cache_dir().resolve()]
    default = watchfiles.DefaultFilter()

    def wanted(change, path: str) -> bool:
        return default(change, path) and not any(Path(path).is_relative_to(i) for i in ignored)

    watcher = Watcher(book_arg, out, editions, say, preview, limits)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        watcher.rebuild()
        for changes in watchfiles.watch(root, watch_filter=wanted, debounce=300, step=50, raise_interrupt=True):
            changed = {Path(path).resolve() for _, path in changes}
            if not watcher.relevant(changed):
                continue
            names = ", ".join(sorted(_shown(c, root) for c in (changed & watcher.used) or changed))
            say(f"changed: {names}")
            watcher.rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()
        server.server_close()
    print("stopped", file=sys.stderr)
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
