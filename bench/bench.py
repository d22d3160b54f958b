#!/usr/bin/env python3
"""Benchmark pressroom on two heavy books, beside Pandoc on the same text (and photos).

    .venv/bin/python bench/bench.py [--runs 3] [--books photos,nt] [--photos 27] [--work DIR] [--skip-pandoc]

It generates (deterministically, in a work folder) the books:

- ``photos``: a heavy copy of the sample book, every photo replaced by a
  camera-sized noisy JPEG (4000x2667 or 2667x4000, about 5 MB); with
  ``--photos 300`` a 300-photo variant;
- ``nt``: the King James New Testament (public domain), one chapter per
  biblical book, one paragraph per biblical chapter, trim 6x9in: about 500
  pages of text. The text comes from Debian's ``bible-kjv``: the installed
  ``bible`` program when there is one, else the packages fetched with
  ``apt-get download bible-kjv bible-kjv-text`` and unpacked with ``dpkg-deb -x``
  into the work folder (never into the repository).

Then it measures, as medians of ``--runs`` runs:

- a cold build of every edition (empty photo cache),
- a warm rebuild after an edit (a caption; in the New Testament, one word of one chapter),
- each edition alone (warm),
- peak resident memory of the whole process tree (in a round of its own, after the
  timed ones: sampling it slows what it samples), and output sizes;

and Pandoc on the same text and photos: EPUB, and PDF with
``--pdf-engine=weasyprint`` (the same WeasyPrint; the New Testament at the
same 6x9in trim). Pandoc comes from Debian: ``apt-get install pandoc``. The
load average is printed beside every round. Timings belong here, not in the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


# --------------------------------------------------------------------------
# The heavy book
# --------------------------------------------------------------------------

def camera_photo(path: Path, n: int, portrait: bool) -> None:
    """A deterministic, noisy 4000x2667 (or 2667x4000) JPEG of about 5 MB."""
    from PIL import Image, ImageFilter

    w, h = (2667, 4000) if portrait else (4000, 2667)
    rnd = random.Random(n)
    small = Image.frombytes("RGB", (w // 16, h // 16), rnd.randbytes((w // 16) * (h // 16) * 3))
    base = small.filter(ImageFilter.GaussianBlur(2)).resize((w, h), Image.Resampling.BICUBIC)
    noise = Image.frombytes("RGB", (w, h), rnd.randbytes(w * h * 3))
    im = Image.blend(base, noise, 0.2)
    im.save(path, "JPEG", quality=92)


def _camera_photo_n(args: tuple[Path, int]) -> None:
    shared, i = args
    tmp = shared / f".{i:03d}.jpg.tmp"
    camera_photo(tmp, i, portrait=(i % 3 == 0))
    tmp.replace(shared / f"{i:03d}.jpg")


def make_heavy_book(work: Path, photos: int) -> Path:
    """Copy the sample book with camera-sized photos; ``photos`` > 27 repeats its captions."""
    sys.path.insert(0, str(ROOT))
    from pressroom.manuscript import load

    sample = load(ROOT / "book")
    book = work / f"book-{photos}"
    marker = book / ".complete"
    if marker.exists():
        return book
    shutil.rmtree(book, ignore_errors=True)
    (book / "photos").mkdir(parents=True)
    shared = work / "photos"
    shared.mkdir(exist_ok=True)
    lines = (ROOT / "book" / "book.yaml").read_text(encoding="utf-8").split("\nchapters:\n")[0].splitlines()
    head = "\n".join(l for l in lines if not l.startswith("cover:"))
    missing = [i for i in range(1, photos + 1) if not (shared / f"{i:03d}.jpg").exists()]
    with ProcessPoolExecutor() as pool:  # about a second each: on every core
        list(pool.map(_camera_photo_n, [(shared, i) for i in missing]))
    out = [head, "cover: photos/001.jpg", "chapters:"]
    for ch in sample.chapters:
        out.append(f"  - title: {ch.title}\n    content:")
        for block in ch.blocks:
            if hasattr(block, "markdown"):
                out.append("      - text: |\n" + "".join(f"          {l}\n" for l in block.markdown.splitlines()))
            elif block.number == 1:
                for i in range(1, photos + 1):
                    src = sample.photos[(i - 1) % len(sample.photos)]
                    name = f"{i:03d}.jpg"
                    os.link(shared / name, book / "photos" / name)
                    cap = src.caption_text.replace('"', '\\"')
                    alt = src.alt.replace('"', '\\"')
                    out.append(f'      - photo: photos/{name}\n        alt: "{alt}"\n        caption: "{cap}"')
    (book / "book.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    marker.touch()
    return book


# --------------------------------------------------------------------------
# The New Testament book
# --------------------------------------------------------------------------

#: The New Testament's books in order (``bible`` names them by abbreviations of its own).
NT_BOOKS = ["Matthew", "Mark", "Luke", "John", "Acts", "Romans", "1 Corinthians", "2 Corinthians",
            "Galatians", "Ephesians", "Philippians", "Colossians", "1 Thessalonians", "2 Thessalonians",
            "1 Timothy", "2 Timothy", "Titus", "Philemon", "Hebrews", "James", "1 Peter", "2 Peter",
            "1 John", "2 John", "3 John", "Jude", "Revelation"]

#: The warm round's edit: one word of one chapter (John's first verse), another in each
#: round (watch keeps its cache from round to round: the same edit would find its pages made).
NT_EDIT = ("In the beginning was the Word", ["In the beginning was the Logos", "In the beginning was the Verbum",
                                             "In the beginning was the Saying", "In the beginning was the Speech",
                                             "In the beginning was the Thought"])


def bible_program(work: Path) -> tuple[list[str], Path | None]:
    """(the command that prints KJV verses, the folder to run it in): the installed
    ``bible``, or Debian's packages fetched into ``work`` (``apt-get download``,
    ``dpkg-deb -x``: no root needed). ``bible -d`` reads its data from a path relative
    to the folder it runs in."""
    if shutil.which("bible") and Path("/usr/lib/bible.data").exists():
        return ["bible"], None
    root = work / "bible-kjv"
    prog, data = root / "usr" / "bin" / "bible", root / "usr" / "lib" / "bible.data"
    if not (prog.exists() and data.exists()):
        debs = work / "debs"
        debs.mkdir(parents=True, exist_ok=True)
        print("fetching bible-kjv and bible-kjv-text with apt-get download", file=sys.stderr)
        subprocess.run(["apt-get", "download", "bible-kjv", "bible-kjv-text"], cwd=debs, check=True)
        for deb in sorted(debs.glob("bible-kjv*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return [str(prog), "-d", data.name], data.parent


def nt_chapters(work: Path) -> list[tuple[str, list[str]]]:
    """[(book title, [one paragraph per biblical chapter])] for the whole New Testament."""
    cmd, cwd = bible_program(work)
    text = subprocess.run([*cmd, "-f", "Mt1:1-Re22:21"], check=True, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=cwd).stdout
    verse = re.compile(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$")
    books: dict[str, dict[int, list[str]]] = {}
    last = None
    for line in text.splitlines():
        m = verse.match(line)
        if m:
            abbr, ch, _, words = m.groups()
            last = books.setdefault(abbr, {}).setdefault(int(ch), [])
            last.append(words.strip())
        elif line.strip() and last is not None:  # a verse wrapped onto another line
            last.append(line.strip())
    if len(books) != len(NT_BOOKS):
        raise SystemExit(f"unexpected output of {' '.join(cmd)}: books {list(books)}")
    return [(name, [" ".join(v) for _, v in sorted(chs.items())]) for name, chs in zip(NT_BOOKS, books.values())]


def make_nt_book(work: Path) -> Path:
    """The King James New Testament as a pressroom book: a chapter per biblical book."""
    book = work / "book-nt"
    marker = book / ".complete"
    if marker.exists():
        return book
    shutil.rmtree(book, ignore_errors=True)
    book.mkdir(parents=True)
    out = ["title: The New Testament", "subtitle: King James Version", "language: en",
           "contributors:", "  - name: King James Version translators", "    role: translator",
           "rights: Public domain (the text of Debian's bible-kjv)", "print:", "  trim: 6x9in", "chapters:"]
    for title, paragraphs in nt_chapters(work):
        out.append(f"  - title: \"{title}\"\n    content:\n      - text: |")
        body = "\n\n".join(paragraphs)
        out.extend(f"          {l}" if l else "" for l in body.split("\n"))
    (book / "book.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    marker.touch()
    return book


def pandoc_markdown(book: Path) -> Path:
    """The same article and photos as Markdown for Pandoc."""
    sys.path.insert(0, str(ROOT))
    from pressroom.manuscript import Photo, load

    b = load(book)
    md = [f"---\ntitle: \"{b.title}\"\nsubtitle: \"{b.subtitle}\"\nlang: {b.language}\n"
          f"author: \"{b.byline}\"\n---\n"]
    for ch in b.chapters:
        md.append(f"# {ch.title}\n")
        for block in ch.blocks:
            if isinstance(block, Photo):
                md.append(f"![{block.caption_text}]({block.src} \"{block.alt}\")\n")
            else:
                md.append(block.markdown + "\n")
    path = book / "book.md"
    path.write_text("\n".join(md), encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------

def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def _tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of ``pid`` and all its descendants, in bytes. The RSS sum counts a page
    shared by forked processes once per process (an upper bound); PSS shares it out."""
    rss = pss = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    return rss, pss


def run(cmd: list[str], env: dict | None = None, cwd: Path | None = None,
        memory: bool = False) -> tuple[float, tuple[int, int]]:
    """Run ``cmd``; return (seconds, (peak RSS, peak PSS) of its process tree in bytes, or
    (0, 0) unless ``memory``). Timed runs are not sampled: reading every process's
    smaps_rollup 20 times a second took 5 % of a cold build's time on two cores (more of a
    tree of forked processes than of one), so peak memory has rounds of its own."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = (0, 0)
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak = (max(peak[0], rss), max(peak[1], pss))
            done.wait(0.05)

    t = threading.Thread(target=sample, daemon=True)
    if memory:
        t.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    done.set()
    if memory:
        t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return elapsed, peak


def median(xs: list[float]) -> float:
    return statistics.median(xs)


@dataclass
class BenchBook:
    """A book the bench builds, and how a round edits it before the warm rebuild."""

    key: str  # "photos", "nt"
    title: str  # for the table
    book: Path
    edit: Callable[[str, int], str]  # (book.yaml, round) -> the edited book.yaml
    edited: str  # what the edit is, for the table
    pandoc_args: list[str] = field(default_factory=list)
    shows: Callable[[int], str] = str  # (round) -> text the book's preview shows after the edit


def photo_bench(work: Path, photos: int) -> BenchBook:
    book = make_heavy_book(work, photos)
    total = sum(p.stat().st_size for p in (book / "photos").iterdir())
    print(f"photo book: {photos} photos, {total / 1e6:.0f} MB of JPEGs")
    return BenchBook("photos", f"photos ({photos})", book,
                     lambda y, i: y.replace("this leisurely afternoon", f"this leisurely afternoon ({i})", 1),
                     "a caption edit", shows=lambda i: f"afternoon ({i})")


def nt_bench(work: Path) -> BenchBook:
    book = make_nt_book(work)
    css = work / "pandoc-6x9.css"
    css.write_text("@page { size: 6in 9in; margin: 0.75in; }\n", encoding="utf-8")
    words = len((book / "book.yaml").read_text(encoding="utf-8").split())
    print(f"New Testament book: 27 chapters, about {words // 1000}k words")

    def edit(y: str, i: int) -> str:
        old, new = NT_EDIT
        assert old in y
        return y.replace(old, new[i % len(new)], 1)

    return BenchBook("nt", "New Testament", book, edit, "a one-word edit in one chapter", ["--css", str(css)],
                     shows=lambda i: NT_EDIT[1][i % len(NT_EDIT[1])])


def load_now() -> float:
    return os.getloadavg()[0]


def pressroom_run(b: BenchBook, i: int, work: Path, res: dict, alone: bool, memory: bool = False) -> None:
    """One round of pressroom measures, appended to ``res``: a cold build of every
    edition (empty cache), a warm one after the book's edit, each edition alone (warm).
    With ``memory``, the round's peak memory instead of its times (see run)."""
    out = work / f"out-{b.key}"
    yaml_path = b.book / "book.yaml"
    original = yaml_path.read_text(encoding="utf-8")
    cache = work / f"cache-{i}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "SOURCE_DATE_EPOCH": "1780000000"}
    base = [PY, str(ROOT / "build.py"), "--book", str(b.book), "--out", str(out), "-q"]

    def measure(cmd: list[str], key: str) -> None:
        s, peak = run(cmd, env, memory=memory)
        res["peak" if memory else key].append(peak if memory else s)

    try:
        if not memory:
            res["load"].append(load_now())
        measure(base, "cold")
        # One edit, then a warm rebuild of everything.
        yaml_path.write_text(b.edit(original, i), encoding="utf-8")
        measure(base, "warm")
        for e in EDITIONS if alone else ():
            measure([PY, str(ROOT / "build.py"), e, *base[2:]], e)
    finally:
        yaml_path.write_text(original, encoding="utf-8")
        shutil.rmtree(cache, ignore_errors=True)
    res["sizes"] = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if not p.name.startswith(".")}


EDITIONS = ["pdf", "epub", "print"]


def watch_run(b: BenchBook, i: int, work: Path, res: dict) -> None:
    """`watch` on the book, warm: after its first build, the book's edit is saved and two
    times are taken from the save: until the preview page (polled every 20 ms) shows
    the edit, and until watch says every edition is rebuilt."""
    import queue
    import urllib.request

    out = work / f"watch-{b.key}"
    yaml_path = b.book / "book.yaml"
    original = yaml_path.read_text(encoding="utf-8")
    edited = b.edit(original, i)
    marker = b.shows(i)
    assert marker not in original and marker in edited
    cache = work / f"cache-watch-{i}"  # its first build fills it: the save is then a warm rebuild
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "SOURCE_DATE_EPOCH": "1780000000"}
    proc = subprocess.Popen([PY, str(ROOT / "build.py"), "watch", "--book", str(b.book), "--out", str(out),
                             "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True).start()

    def until(pred, timeout=600.0) -> str:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            try:
                line = lines.get(timeout=0.05)
            except queue.Empty:
                continue
            if pred(line):
                return line
        raise RuntimeError("watch did not answer")

    try:
        url = until(lambda l: l.startswith("preview: ")).split()[1]
        until(lambda l: "built in" in l)  # the first build: the cache filled
        time.sleep(1.0)  # the file watcher settled
        t0 = time.perf_counter()
        yaml_path.write_text(edited, encoding="utf-8")
        preview = None
        while preview is None and time.perf_counter() - t0 < 120:
            with contextlib.suppress(OSError):
                if marker.encode() in urllib.request.urlopen(url, timeout=5).read():
                    preview = time.perf_counter() - t0
            time.sleep(0.02)
        until(lambda l: "built in" in l)
        res["watch-preview"].append(preview if preview is not None else float("nan"))
        res["watch-editions"].append(time.perf_counter() - t0)
    finally:
        yaml_path.write_text(original, encoding="utf-8")
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        shutil.rmtree(cache, ignore_errors=True)


def pandoc_run(b: BenchBook, md: Path, work: Path, res: dict) -> None:
    """One round of Pandoc on the same text and photos: EPUB, and PDF with WeasyPrint."""
    out = work / f"pandoc-{b.key}"
    out.mkdir(exist_ok=True)
    env = {**os.environ, "PATH": f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    res["pandoc-load"].append(load_now())
    res["pandoc-epub"].append(run(["pandoc", md.name, "-o", str(out / "pandoc.epub")], env, cwd=b.book)[0])
    res["pandoc-pdf"].append(run(["pandoc", md.name, "--pdf-engine=weasyprint", *b.pandoc_args,
                                  "-o", str(out / "pandoc.pdf")], env, cwd=b.book)[0])
    res["pandoc-sizes"] = {p.name: p.stat().st_size for p in out.iterdir()}


def report(b: BenchBook, res: dict, runs: int) -> dict:
    """Print one book's table and every run; return its medians."""
    pr = {"cold": median(res["cold"]), "warm": median(res["warm"]),
          "peak": max(p[0] for p in res["peak"]), "peak_pss": max(p[1] for p in res["peak"]),
          **{e: median(res[e]) for e in EDITIONS if res[e]}, "sizes": res["sizes"]}
    pd = ({"epub": median(res["pandoc-epub"]), "pdf": median(res["pandoc-pdf"]), "sizes": res["pandoc-sizes"]}
          if res["pandoc-pdf"] else None)
    pr["pandoc"] = (pd["epub"] + pd["pdf"]) if pd else None
    print(f"\n== {b.title}: medians of {runs} runs, seconds")
    print(f"{'measure':40} {'pressroom':>10} {'pandoc':>10} {'ratio':>7}")

    def row(name, ours, theirs=None):
        if theirs is None:
            print(f"{name:40} {ours:10.2f}")
        else:
            print(f"{name:40} {ours:10.2f} {theirs:10.2f} {ours / theirs:6.2f}x")

    row("cold build, every edition", pr["cold"], pr["pandoc"])
    row(f"warm rebuild after {b.edited}"[:40], pr["warm"], pr["pandoc"])
    if "pdf" in pr:
        row("screen PDF alone (warm)", pr["pdf"], pd["pdf"] if pd else None)
        row("EPUB alone (warm)", pr["epub"], pd["epub"] if pd else None)
        row("print editions alone (warm)", pr["print"])
    if res["watch-preview"]:
        pr["watch-preview"], pr["watch-editions"] = median(res["watch-preview"]), median(res["watch-editions"])
        row("watch: the preview shows the edit", pr["watch-preview"])
        row("watch: every edition rebuilt", pr["watch-editions"])
    print("\nevery run, seconds (the medians above are of these), and the 1-minute load average as each round began:")
    for k in ("load", "cold", "warm", *EDITIONS, "pandoc-load", "pandoc-epub", "pandoc-pdf",
              "watch-preview", "watch-editions"):
        if res[k]:
            print(f"  {k:12} " + " ".join(f"{v:6.2f}" for v in res[k]))
    print(f"\npeak memory of the process tree: {pr['peak_pss'] / 1e6:.0f} MB PSS "
          f"({pr['peak'] / 1e6:.0f} MB summing each process's RSS, shared pages counted per process)")
    print("\noutput sizes, MB")
    for name, size in pr["sizes"].items():
        print(f"  {name:50} {size / 1e6:8.1f}")
    if pd:
        for name, size in pd["sizes"].items():
            print(f"  {name:50} {size / 1e6:8.1f}")
        ep = next((s for n, s in pr["sizes"].items() if n.endswith(".epub")), None)
        sp = next((s for n, s in pr["sizes"].items() if n.endswith(".pdf") and "-print" not in n and "-cover" not in n), None)
        if ep and sp:
            print(f"\nEPUB size vs pandoc: {ep / pd['sizes']['pandoc.epub']:.1%}; "
                  f"screen PDF vs pandoc: {sp / pd['sizes']['pandoc.pdf']:.1%}")
    return pr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--books", default="photos,nt", help="comma-separated: photos, nt (default: both)")
    ap.add_argument("--photos", type=int, default=27)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pressroom-bench")
    ap.add_argument("--skip-pandoc", action="store_true")
    ap.add_argument("--no-alone", action="store_true", help="skip the builds of each edition alone")
    ap.add_argument("--no-watch", action="store_true", help="skip the watch measure (preview and editions after a save)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    keys = [k.strip() for k in args.books.split(",") if k.strip()]
    if not keys or any(k not in ("photos", "nt") for k in keys):
        ap.error("--books: photos, nt or both")

    t0 = time.perf_counter()
    books = [photo_bench(args.work, args.photos) if k == "photos" else nt_bench(args.work) for k in keys]
    print(f"books made in {time.perf_counter() - t0:.0f} s")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine skews times)")
    pandoc = None if args.skip_pandoc else shutil.which("pandoc")
    if not pandoc and not args.skip_pandoc:
        print("pandoc not found: apt-get install pandoc (skipping the comparison)", file=sys.stderr)
    results = []
    for b in books:
        md = pandoc_markdown(b.book) if pandoc else None
        res: dict[str, list] = {k: [] for k in ("load", "cold", "warm", "peak", *EDITIONS, "pandoc-load",
                                                "pandoc-epub", "pandoc-pdf", "watch-preview", "watch-editions")}
        for i in range(args.runs):  # the two side by side in each round: a slow spell of the machine hits both
            pressroom_run(b, i, args.work, res, alone=not args.no_alone)
            if md:
                pandoc_run(b, md, args.work, res)
            if not args.no_watch:
                watch_run(b, i, args.work, res)
        pressroom_run(b, args.runs, args.work, res, alone=not args.no_alone, memory=True)  # peak memory
        results.append((b, report(b, res, args.runs)))
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    print(f"\n== both books, medians of {args.runs} runs (seconds; the ratio is to Pandoc's EPUB + PDF)")
    print(f"{'book':16} {'cold':>7} {'ratio':>6} {'warm':>7} {'ratio':>6} {'pandoc':>7} {'peak MB':>8} "
          f"{'PDF MB':>7} {'EPUB MB':>8} {'print MB':>9} {'watch preview':>14} {'editions':>9}")
    for b, pr in results:
        size = lambda pred: next((s / 1e6 for n, s in pr["sizes"].items() if pred(n)), float("nan"))  # noqa: E731
        pd = pr["pandoc"]
        ratio = lambda t: f"{t / pd:5.2f}x" if pd else "     -"  # noqa: E731
        print(f"{b.title:16} {pr['cold']:7.2f} {ratio(pr['cold'])} {pr['warm']:7.2f} {ratio(pr['warm'])} "
              f"{pd if pd else float('nan'):7.2f} {pr['peak_pss'] / 1e6:8.0f} "
              f"{size(lambda n: n.endswith('.pdf') and '-print' not in n and '-cover' not in n):7.1f} "
              f"{size(lambda n: n.endswith('.epub')):8.1f} {size(lambda n: n.endswith('-print.pdf')):9.1f} "
              f"{pr.get('watch-preview', float('nan')):14.2f} {pr.get('watch-editions', float('nan')):9.2f}")


if __name__ == "__main__":
    main()
