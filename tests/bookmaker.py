"""Generate small, valid books (and photos) for tests."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

CAPTIONS = [
    "A street at *dusk*, with “curly quotes” and an apostrophe’s place.",
    "Fields after the harvest.",
    "A [market](https://example.org/market) in the morning.",
    "Children on their way to school.",
]


def make_photo(path: Path, size=(1200, 800), seed=0, fmt="JPEG", **save) -> Path:
    """A small photo-like image: a gradient with soft shapes and grain."""
    rnd = random.Random(seed)
    w, h = size
    base = Image.linear_gradient("L").resize((w, h))
    im = Image.merge("RGB", [base.point(lambda v, k=k: int(v * (0.4 + 0.2 * k)) + rnd.randint(0, 60)) for k in range(3)])
    d = ImageDraw.Draw(im)
    for _ in range(6):
        x, y = rnd.randrange(w), rnd.randrange(h)
        r = rnd.randrange(min(w, h) // 10, min(w, h) // 3)
        d.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rnd.randrange(256) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(3))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, fmt, **({"quality": 85} if fmt == "JPEG" else {}) | save)
    return path


def make_book(folder: Path, photos: int = 3, *, title: str = "A Test Book", language: str = "en",
              extra: str = "", chapters: str | None = None, size=(1200, 800),
              layouts: dict[int, str] | None = None) -> Path:
    """Write book.yaml and its photos under ``folder``; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(1, photos + 1):
        sz = size if i % 3 else (size[1], size[0])
        make_photo(folder / "photos" / f"{i:02d}.jpg", sz, seed=i)
        items.append(
            f"      - photo: photos/{i:02d}.jpg\n"
            f"        alt: Test photo number {i}\n"
            f"        caption: \"{CAPTIONS[i % len(CAPTIONS)].replace(chr(34), chr(92) + chr(34))}\"\n"
            + (f"        layout: {layouts[i]}\n" if layouts and i in layouts else "")
        )
    if chapters is None:
        chapters = (
            "chapters:\n"
            "  - title: Opening\n"
            "    content:\n"
            "      - text: |\n"
            "          The *first* paragraph, with a [link](https://example.org).\n\n"
            "          A second paragraph.\n"
            "  - title: Pictures\n"
            "    content:\n" + "".join(items)
        )
    (folder / "book.yaml").write_text(
        f"title: {title}\n"
        f"language: {language}\n"
        "contributors:\n"
        "  - name: Ada Example\n"
        "    role: photographer\n"
        + extra + chapters,
        encoding="utf-8",
    )
    return folder
