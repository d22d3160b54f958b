"""``new FOLDER``: a book that builds at once, to start from (``new --novel FOLDER``:
a long-form book whose chapters are Markdown files, from ``templates/scaffold/novel/``).

It writes a commented ``book.yaml`` (every key shown, the optional ones
commented out; the template is ``templates/scaffold/book.yaml``) and
``photos/01.jpg``, a generated stand-in labelled as one. It never writes into
a folder that already holds something.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .render import FONTS, TEMPLATES

SCAFFOLD = TEMPLATES / "scaffold"


def title_from(folder: Path) -> str:
    words = folder.name.replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "My Book"


def stand_in(path: Path, size: tuple[int, int] = (2700, 3600), label: str = "stand-in photo") -> Path:
    """A calm, photo-like placeholder (sky, hills, a sun) with a label nobody can miss.

    2700 x 3600 px (portrait): 300 ppi at 9 x 12 in, enough for a full print page,
    the print cover's front and the EPUB's 1600 x 2560 store cover.
    """
    w, h = size
    sky = Image.linear_gradient("L").resize((w, h))
    im = Image.merge("RGB", [sky.point(lambda v, a=a, b=b: int(a + (b - a) * v / 255))
                             for a, b in ((120, 225), (160, 215), (200, 190))])
    d = ImageDraw.Draw(im)
    d.ellipse([w * 0.68, h * 0.12, w * 0.80, h * 0.12 + w * 0.12], fill=(250, 236, 200))
    d.polygon([(0, h * 0.62), (w * 0.25, h * 0.45), (w * 0.5, h * 0.58), (w * 0.78, h * 0.42), (w, h * 0.55),
               (w, h), (0, h)], fill=(96, 118, 92))
    d.polygon([(0, h * 0.8), (w * 0.4, h * 0.68), (w, h * 0.78), (w, h), (0, h)], fill=(70, 88, 64))
    im = im.filter(ImageFilter.GaussianBlur(w / 400))
    d = ImageDraw.Draw(im, "RGBA")
    note = "replace photos/01.jpg with your own photograph"
    big = _fitted("NotoSerif-Bold.ttf", label, h // 10, w * 0.88)
    small = _fitted("NotoSerif-Regular.ttf", note, h // 24, w * 0.88)
    band = (0, h * 0.36, w, h * 0.64)
    d.rectangle(band, fill=(0, 0, 0, 150))
    d.text((w / 2, h * 0.46), label, font=big, fill="white", anchor="mm")
    d.text((w / 2, h * 0.57), note, font=small, fill="white", anchor="mm")
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "JPEG", quality=85, optimize=True, dpi=(300, 300))
    return path


def _fitted(font: str, text: str, size: int, width: float) -> ImageFont.FreeTypeFont:
    """``font`` at ``size`` px, or smaller where ``text`` would be wider than ``width``."""
    face = ImageFont.truetype(str(FONTS / font), size)
    used = face.getlength(text)
    return face if used <= width else ImageFont.truetype(str(FONTS / font), max(1, int(size * width / used)))


def new(folder: Path, say=print, *, novel: bool = False) -> int:
    """Create a new book in ``folder`` (``novel``: a long-form book, its chapters in
    Markdown files); 0 when made, 1 when the folder is not free."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is not a folder" if not folder.is_dir() else "already exists and is not empty"
        print(f"{folder}: error: {what}; give a new folder name (nothing was written)", file=sys.stderr)
        return 1
    if novel:
        return _new_novel(folder, say)
    text = (SCAFFOLD / "book.yaml").read_text(encoding="utf-8")
    text = text.replace("@TITLE@", json.dumps(title_from(folder.resolve()), ensure_ascii=False))
    text = text.replace("@FOLDER@", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "book.yaml").write_text(text, encoding="utf-8")
    stand_in(folder / "photos" / "01.jpg")
    say(f"made a new book in {folder}/: book.yaml and photos/01.jpg (a stand-in)")
    _next(folder, say)
    return 0


def _next(folder: Path, say) -> None:
    """What to run next, named as this command was called (`pressroom`, or `python build.py`)."""
    run = "pressroom" if Path(sys.argv[0]).name == "pressroom" else "python build.py"
    say(f"next: {run} watch --book {folder} --out {folder}/out   (a live preview as you write)")
    say(f"  or: {run} --book {folder} --out {folder}/out         (every edition)")


def _new_novel(folder: Path, say) -> int:
    """A long-form book: book.yaml, chapter files, a foreword, acknowledgements and a stand-in photo."""
    source = SCAFFOLD / "novel"
    made = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source)
        text = path.read_text(encoding="utf-8")
        if rel.name == "book.yaml":
            text = text.replace("@TITLE@", json.dumps(title_from(folder.resolve()), ensure_ascii=False))
            text = text.replace("@FOLDER@", str(folder))
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
        made.append(str(rel))
    stand_in(folder / "photos" / "01.jpg")
    say(f"made a new novel in {folder}/: {', '.join(made)} and photos/01.jpg (a stand-in)")
    _next(folder, say)
    return 0
