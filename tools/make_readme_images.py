#!/usr/bin/env python3
"""Render the pictures in README.md (docs/img/*.png) from real builds.

Builds small books from the sample book's stand-in photos with pressroom
itself, renders pages with pdftoppm (poppler-utils) and lays them side by
side. Run from the repository root: python tools/make_readme_images.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pressroom.schedule import build  # noqa: E402
from pressroom.editions.pdf import ScreenPDF  # noqa: E402
from pressroom.manuscript import load  # noqa: E402

IMG = ROOT / "docs" / "img"
FONT = ROOT / "styles" / "fonts" / "NotoSerif-Regular.ttf"
PHOTOS = ROOT / "book" / "photos"

TEXT = ("Before the boats go out, the harbour is quiet. The nets are dry on the quay and the "
        "gulls wait on the roofs of the sheds. ") * 3


def book_yaml(trim: str, blocks: str) -> str:
    return f"""title: Harbour Mornings
language: en
contributors:
  - name: Ada Example
    role: photographer
stand_in_photos: true
print:
  trim: {trim}
chapters:
  - title: Harbour Mornings
    content:
{blocks}"""


def photo(src: str, layout: str, caption: str = "The first boats, before six.") -> str:
    return (f"      - photo: photos/{src}\n        alt: A stand-in photo.\n"
            f"        caption: {json.dumps(caption)}\n        layout: {layout}\n")


def text() -> str:
    return f"      - text: >-\n          {TEXT}\n"


def render(folder: Path, yaml: str, pages: int, dpi: int) -> list[Image.Image]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "photos").mkdir(exist_ok=True)
    for p in PHOTOS.glob("*.jpg"):
        (folder / "photos" / p.name).write_bytes(p.read_bytes())
    (folder / "book.yaml").write_text(yaml, encoding="utf-8")
    book = load(folder)
    (pdf,) = [p for p in build(book, [ScreenPDF()], folder / "out", say=lambda *a, **k: None)]
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "p")], check=True)
    rendered = [Image.open(f).convert("RGB") for f in sorted(folder.glob("p-*.png"))]
    # the chapter's first pages: after the four front-matter pages, blanks left out
    inked = [im for im in rendered if im.convert("L").point(lambda v: 255 if v < 200 else 0).getbbox()]
    return inked[4:4 + pages] if pages > 0 else inked[pages:]


def strip(images: list[Image.Image], labels: list[str], path: Path, height: int = 230) -> None:
    font = ImageFont.truetype(str(FONT), 15)
    pad, label_h = 16, 26
    scaled = [im.resize((round(im.width * height / im.height), height), Image.Resampling.LANCZOS) for im in images]
    w = sum(im.width for im in scaled) + pad * (len(scaled) + 1)
    canvas = Image.new("RGB", (w, height + label_h + 2 * pad), (236, 234, 228))
    d = ImageDraw.Draw(canvas)
    x = pad
    for im, label in zip(scaled, labels):
        canvas.paste(im, (x, pad))
        d.rectangle([x - 1, pad - 1, x + im.width, pad + im.height], outline=(170, 170, 170))
        d.text((x + im.width / 2, pad + height + 8), label, font=font, fill=(40, 40, 40), anchor="mt")
        x += im.width + pad
    canvas = canvas.quantize(colors=96, dither=Image.Dither.NONE)
    canvas.save(path, optimize=True)
    print(f"{path}: {path.stat().st_size // 1024} KB")


def themes(t: Path) -> None:
    """README's "Make it yours": the sample book in each theme, screen PDF, as a spread of its
    Introduction's opening page (page 5) and a photo page (page 7), side by side."""
    from pressroom.design import THEMES

    spreads = []
    for name in THEMES:
        folder = t / f"theme-{name}"
        folder.mkdir(parents=True)
        shutil.copytree(PHOTOS, folder / "photos")
        manuscript = (ROOT / "book" / "book.yaml").read_text(encoding="utf-8")
        (folder / "book.yaml").write_text(manuscript + f"\ndesign:\n  theme: {name}\n", encoding="utf-8")
        (pdf,) = build(load(folder), [ScreenPDF()], folder / "out", say=lambda *a, **k: None)
        pages = []
        for n in (5, 7):
            subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", "-f", str(n), "-l", str(n), str(pdf),
                            str(folder / f"p{n}")], check=True)
            pages.append(Image.open(folder / f"p{n}.png").convert("RGB"))
        spread = Image.new("RGB", (pages[0].width + pages[1].width + 2, max(p.height for p in pages)), (170, 170, 170))
        spread.paste(pages[0], (0, 0))
        spread.paste(pages[1], (pages[0].width + 2, 0))
        spreads.append(spread)
    font = ImageFont.truetype(str(FONT), 15)
    pad, label_h, height = 16, 26, 200
    scaled = [im.resize((round(im.width * height / im.height), height), Image.Resampling.LANCZOS) for im in spreads]
    cols = 2
    cw = max(im.width for im in scaled)
    rows = (len(scaled) + cols - 1) // cols
    canvas = Image.new("RGB", (cols * cw + (cols + 1) * pad, rows * (height + label_h + pad) + pad), (236, 234, 228))
    d = ImageDraw.Draw(canvas)
    for i, (im, name) in enumerate(zip(scaled, THEMES)):
        x = pad + (i % cols) * (cw + pad)
        y = pad + (i // cols) * (height + label_h + pad)
        canvas.paste(im, (x, y))
        d.rectangle([x - 1, y - 1, x + im.width, y + im.height], outline=(150, 150, 150))
        d.text((x + im.width / 2, y + height + 6), name, font=font, fill=(40, 40, 40), anchor="mt")
    path = IMG / "themes.png"
    canvas.quantize(colors=128, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"{path}: {path.stat().st_size // 1024} KB")


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:] == ["themes"]:  # only the themes' picture
        with tempfile.TemporaryDirectory() as tmp:
            themes(Path(tmp))
        return
    with tempfile.TemporaryDirectory() as tmp:
        themes(Path(tmp))
        t = Path(tmp)
        # Layouts: one photo of each layout in an 8x10in book (pages 5: text+inline, 6: page, 7: full-bleed)
        blocks = text() + photo("02.jpg", "inline", "Inline: in the flow of the text.") + \
            photo("05.jpg", "page", "Page: alone on a page, within the margins.") + \
            photo("06.jpg", "full-bleed", "Full-bleed.")
        pages = render(t / "layouts", book_yaml("8x10in", blocks), 3, 40)
        strip(pages, ["inline", "page", "full-bleed"], IMG / "layouts.png")
        # Trim sizes: the same page photo in four common sizes, drawn to one scale
        sizes = ["6x9in", "8x10in", "8.5x8.5in", "11x8.5in"]
        pages = []
        for s in sizes:
            pages += render(t / s, book_yaml(s, photo("04.jpg", "page")), -1, 20)
        font = ImageFont.truetype(str(FONT), 15)
        scale = 230 / max(im.height for im in pages)  # one scale for all: sizes compare truly
        pad, label_h = 16, 26
        scaled = [im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
                  for im in pages]
        h = max(im.height for im in scaled)
        canvas = Image.new("RGB", (sum(im.width for im in scaled) + pad * 5, h + label_h + 2 * pad), (236, 234, 228))
        d = ImageDraw.Draw(canvas)
        x = pad
        for im, label in zip(scaled, sizes):
            y = pad + h - im.height
            canvas.paste(im, (x, y))
            d.rectangle([x - 1, y - 1, x + im.width, y + im.height], outline=(170, 170, 170))
            d.text((x + im.width / 2, pad + h + 8), label, font=font, fill=(40, 40, 40), anchor="mt")
            x += im.width + pad
        path = IMG / "trim-sizes.png"
        canvas.quantize(colors=96, dither=Image.Dither.NONE).save(path, optimize=True)
        print(f"{path}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
