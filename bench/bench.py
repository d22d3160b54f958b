#!/usr/bin/env python3
"""Benchmark pressroom on a heavy book, beside Pandoc on the same article and photos.

    .venv/bin/python bench/bench.py [--runs 3] [--photos 27] [--work DIR] [--skip-pandoc]

It generates (deterministically, in a work folder) a heavy copy of the sample
book: every photo replaced by a camera-sized noisy JPEG (4000x2667 or
2667x4000, about 5 MB), and with ``--photos 300`` a 300-photo variant. Then it
measures, as medians of ``--runs`` runs:

- a cold build of every edition (empty photo cache),
- a warm rebuild after one caption edit,
- each edition alone (warm),
- peak resident memory of the whole process tree, and output sizes;

and Pandoc on the same text and photos: EPUB, and PDF with
``--pdf-engine=weasyprint`` (the same WeasyPrint). Pandoc comes from Debian:
``apt-get install pandoc``. Timings belong here, not in the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

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


def run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, tuple[int, int]]:
    """Run ``cmd``; return (seconds, (peak RSS, peak PSS) of its process tree in bytes)."""
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
    t.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    done.set()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return elapsed, peak


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def pressroom_run(book: Path, i: int, work: Path, res: dict) -> None:
    """One round of pressroom measures, appended to ``res``: a cold build of every
    edition (empty cache), a warm one after a caption edit, each edition alone (warm)."""
    out = work / "out"
    yaml_path = book / "book.yaml"
    original = yaml_path.read_text(encoding="utf-8")
    cache = work / f"cache-{i}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "SOURCE_DATE_EPOCH": "1780000000"}
    base = [PY, str(ROOT / "build.py"), "--book", str(book), "--out", str(out), "-q"]
    try:
        s, peak = run(base, env)
        res["cold"].append(s)
        res["peak"].append(peak)
        # One caption edit, then a warm rebuild of everything.
        yaml_path.write_text(original.replace("leisurely afternoon", f"leisurely afternoon ({i})", 1), encoding="utf-8")
        s, peak = run(base, env)
        res["warm"].append(s)
        res["peak"].append(peak)
        for e in EDITIONS:
            s, peak = run([PY, str(ROOT / "build.py"), e, *base[2:]], env)
            res[e].append(s)
            res["peak"].append(peak)
    finally:
        yaml_path.write_text(original, encoding="utf-8")
        shutil.rmtree(cache, ignore_errors=True)
    res["sizes"] = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if not p.name.startswith(".")}


EDITIONS = ["pdf", "epub", "print"]


def pandoc_run(book: Path, md: Path, work: Path, res: dict) -> None:
    """One round of Pandoc on the same article and photos: EPUB, and PDF with WeasyPrint."""
    out = work / "pandoc"
    out.mkdir(exist_ok=True)
    env = {**os.environ, "PATH": f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    res["pandoc-epub"].append(run(["pandoc", md.name, "-o", str(out / "pandoc.epub")], env, cwd=book)[0])
    res["pandoc-pdf"].append(run(["pandoc", md.name, "--pdf-engine=weasyprint", "-o", str(out / "pandoc.pdf")],
                                 env, cwd=book)[0])
    res["pandoc-sizes"] = {p.name: p.stat().st_size for p in out.iterdir()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--photos", type=int, default=27)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pressroom-bench")
    ap.add_argument("--skip-pandoc", action="store_true")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    book = make_heavy_book(args.work, args.photos)
    total = sum(p.stat().st_size for p in (book / "photos").iterdir())
    print(f"heavy book: {args.photos} photos, {total / 1e6:.0f} MB of JPEGs, made in {time.perf_counter() - t0:.0f} s")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine skews times)")
    pandoc = None if args.skip_pandoc else shutil.which("pandoc")
    if not pandoc and not args.skip_pandoc:
        print("pandoc not found: apt-get install pandoc (skipping the comparison)", file=sys.stderr)
    md = pandoc_markdown(book) if pandoc else None
    res: dict[str, list] = {k: [] for k in ("cold", "warm", "peak", *EDITIONS, "pandoc-epub", "pandoc-pdf")}
    for i in range(args.runs):  # the two side by side in each round: a slow spell of the machine hits both
        pressroom_run(book, i, args.work, res)
        if md:
            pandoc_run(book, md, args.work, res)
    pr = {"cold": median(res["cold"]), "warm": median(res["warm"]),
          "peak": max(p[0] for p in res["peak"]), "peak_pss": max(p[1] for p in res["peak"]),
          **{e: median(res[e]) for e in EDITIONS}, "sizes": res["sizes"]}
    pd = ({"epub": median(res["pandoc-epub"]), "pdf": median(res["pandoc-pdf"]), "sizes": res["pandoc-sizes"]}
          if md else None)

    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\nmedians of {args.runs} runs, seconds")
    print(f"{'measure':40} {'pressroom':>10} {'pandoc':>10} {'ratio':>7}")
    pandoc_total = (pd["epub"] + pd["pdf"]) if pd else None

    def row(name, ours, theirs=None):
        if theirs is None:
            print(f"{name:40} {ours:10.2f}")
        else:
            print(f"{name:40} {ours:10.2f} {theirs:10.2f} {ours / theirs:6.2f}x")

    row("cold build, every edition", pr["cold"], pandoc_total)
    row("warm rebuild after a caption edit", pr["warm"], pandoc_total)
    row("screen PDF alone (warm)", pr["pdf"], pd["pdf"] if pd else None)
    row("EPUB alone (warm)", pr["epub"], pd["epub"] if pd else None)
    row("print editions alone (warm)", pr["print"])
    print("\nevery run, seconds (the medians above are of these):")
    for k in ("cold", "warm", *EDITIONS, "pandoc-epub", "pandoc-pdf"):
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


if __name__ == "__main__":
    main()
