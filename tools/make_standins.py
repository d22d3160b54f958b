#!/usr/bin/env python3
"""Generate the sample book's stand-in photographs.

The sample book in ``book/`` is laid out around 27 documentary photographs
by Eric Lafforgue.  Those photographs are not ours to redistribute, so the
repository ships generated *stand-ins* instead: ``book/photos/01.jpg`` ...
``book/photos/27.jpg``.  This script makes them.

Each stand-in is a synthetic, photo-like scene (sky gradient, horizon,
textured ground, blurred soft shapes suggesting buildings, hills or people,
mild film grain and a vignette) in a muted, documentary palette, at camera
dimensions (3600x2400 landscape, 2400x3600 portrait, one 3600x2700 4:3, and
4200x2800 for photo 1, the cover).
Every image carries a large, legible label -- "stand-in photo N of 27" and
"placeholder -- not the original photograph" -- on a semi-transparent dark
band, so nobody mistakes a stand-in for the real picture, even as a
thumbnail.

Output is deterministic: every photo is drawn from its own
``random.Random(n)`` (noise included; Pillow's ``effect_noise`` is not used
because it draws from the C library's unseeded ``rand()``), so re-running
the script produces byte-identical files.  Files are written as baseline
sRGB JPEGs, quality 85, optimised, 300 dpi JFIF density and no EXIF, ICC or
XMP metadata at all.

Usage::

    python tools/make_standins.py [--out DIR] [--count N]

``--out`` defaults to ``book/photos`` under the repository root (found from
this file's location); ``--count`` defaults to 27.  Requires only Pillow.
"""

from __future__ import annotations

import argparse
import colorsys
import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

REPO_ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = REPO_ROOT / "styles" / "fonts"
FONT_BOLD = FONT_DIR / "NotoSerif-Bold.ttf"
FONT_REGULAR = FONT_DIR / "NotoSerif-Regular.ttf"

TOTAL = 27  # the label always says "of 27": the book has 27 photographs
PORTRAIT = {3, 7, 10, 14, 17, 20, 24}
FOUR_THREE = {12}
LANDSCAPE_SIZE = (3600, 2400)
PORTRAIT_SIZE = (2400, 3600)
FOUR_THREE_SIZE = (3600, 2700)
#: Photo 1 is the cover: large enough for 300 ppi across the print cover's
#: front (8.75in tall with bleed, from a 3:2 frame cropped to the square trim).
COVER_SIZE = (4200, 2800)
SCALE = 4  # scenes are painted at 1/SCALE size, then upscaled (soft focus)
SCENES = ("street", "hills", "crowd", "interior", "shore")


def size_for(n: int) -> tuple[int, int]:
    if n == 1:
        return COVER_SIZE
    if n in PORTRAIT:
        return PORTRAIT_SIZE
    if n in FOUR_THREE:
        return FOUR_THREE_SIZE
    return LANDSCAPE_SIZE


# --------------------------------------------------------------------------
# colour helpers


def muted(rng: random.Random, hue: float, sat: tuple[float, float],
          val: tuple[float, float]) -> tuple[int, int, int]:
    """A muted RGB colour near ``hue`` (0..1, wraps)."""
    h = (hue + rng.uniform(-0.03, 0.03)) % 1.0
    r, g, b = colorsys.hsv_to_rgb(h, rng.uniform(*sat), rng.uniform(*val))
    return (round(r * 255), round(g * 255), round(b * 255))


def shade(c: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(v * f))) for v in c)  # type: ignore


def luma(c) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore


def palette(rng: random.Random) -> dict:
    """A per-photo palette: sky, ground and accent colours, all muted."""
    warm = rng.random() < 0.5
    sky_hue = rng.uniform(0.52, 0.62) if rng.random() < 0.7 else rng.uniform(0.05, 0.12)
    ground_hue = rng.uniform(0.06, 0.16) if warm else rng.uniform(0.18, 0.32)
    haze = rng.uniform(0.0, 0.5)  # dusty / overcast days are less saturated
    return {
        "sky_top": muted(rng, sky_hue, (0.25 - haze * 0.3, 0.45 - haze * 0.4), (0.55, 0.80)),
        "sky_bottom": muted(rng, sky_hue + 0.04, (0.05, 0.18), (0.78, 0.95)),
        "ground_near": muted(rng, ground_hue, (0.25, 0.45), (0.22, 0.40)),
        "ground_far": muted(rng, ground_hue, (0.15, 0.35), (0.45, 0.65)),
        # clothing, awnings, painted doors: muted, with one livelier colour
        "accents": [muted(rng, rng.random(), (0.12, 0.35), (0.28, 0.60)) for _ in range(4)]
        + [muted(rng, rng.random(), (0.40, 0.60), (0.45, 0.70))],
        "stone": muted(rng, rng.uniform(0.05, 0.12), (0.08, 0.22), (0.50, 0.75)),
        "dark": muted(rng, rng.uniform(0.0, 1.0), (0.05, 0.20), (0.10, 0.22)),
        "sun": rng.uniform(0.15, 0.85),
    }


# --------------------------------------------------------------------------
# noise and gradients (deterministic, no per-pixel Python loops)


def noise(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Uniform 8-bit noise from ``rng`` (seeded, unlike Image.effect_noise)."""
    w, h = size
    return Image.frombytes("L", (w, h), rng.randbytes(w * h))


def cloudy(rng: random.Random, size: tuple[int, int], octaves=(48, 16, 6),
           stretch: float = 1.0, contrast: float = 2.2) -> Image.Image:
    """Soft multi-octave value noise (blotchy texture), mid-grey centred.

    ``octaves`` are cell sizes in pixels; ``stretch`` > 1 makes the cells
    wider than tall (ground seen in perspective, streaky cloud).
    """
    w, h = size
    out = None
    weight = 0.0
    for cell in octaves:
        cw = max(2, round(w / (cell * stretch)))
        ch = max(2, round(h / cell))
        small = noise(rng, (cw, ch)).filter(ImageFilter.GaussianBlur(0.6))
        layer = small.resize((w, h), Image.BICUBIC)
        layer = layer.filter(ImageFilter.GaussianBlur(max(0.5, cell * 0.3)))
        if out is None:
            out, weight = layer, 1.0
        else:
            weight += 1.0
            out = Image.blend(out, layer, 1.0 / weight)
    # stretch the contrast back: blurring and averaging flatten it
    return out.point(lambda v: max(0, min(255, round(128 + (v - 128) * contrast))))


def vgradient(size: tuple[int, int], top, bottom) -> Image.Image:
    w, h = size
    mask = Image.linear_gradient("L").resize((w, h), Image.BILINEAR)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def textured(base: Image.Image, tex: Image.Image, strength: float) -> Image.Image:
    """Modulate ``base`` brightness by ``tex`` (128 = unchanged)."""
    k = strength / 128.0
    lut = [max(0, min(255, round(255 * (1.0 + (v - 128) * k) / 2.0))) for v in range(256)]
    m = tex.point(lut)  # 127.5 == x1.0
    m3 = Image.merge("RGB", (m, m, m))
    # multiply gives base*m/255; double it to make 127.5 the identity
    out = ImageChops.multiply(base, m3)
    return ImageChops.add(out, out)


# --------------------------------------------------------------------------
# scene painting (at reduced resolution)


def paint_sky_and_ground(rng, pal, size, horizon: int) -> Image.Image:
    w, h = size
    img = vgradient((w, h), pal["sky_top"], pal["sky_bottom"])
    # clouds / haze in the sky
    clouds = cloudy(rng, (w, h), octaves=(60, 24, 10), stretch=2.5)
    img = textured(img, clouds, rng.uniform(0.05, 0.12))
    # a diffuse sun glow
    glow = Image.new("L", (w, h), 0)
    gx = int(w * pal["sun"])
    gy = int(horizon * rng.uniform(0.15, 0.6))
    r = int(min(w, h) * rng.uniform(0.25, 0.45))
    ImageDraw.Draw(glow).ellipse((gx - r, gy - r, gx + r, gy + r), fill=rng.randint(60, 120))
    glow = glow.filter(ImageFilter.GaussianBlur(r * 0.6))
    img = Image.composite(Image.new("RGB", (w, h), (250, 244, 228)), img, glow)
    # ground
    gh = h - horizon
    ground = vgradient((w, gh), pal["ground_far"], pal["ground_near"])
    ground = textured(ground, cloudy(rng, (w, gh), octaves=(40, 14, 5), stretch=3.0),
                      rng.uniform(0.12, 0.22))
    img.paste(ground, (0, horizon))
    return img


def blurred_layer(img: Image.Image, draw_fn, radius: float) -> Image.Image:
    """Draw shapes on an RGBA layer, blur it, composite it over ``img``."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw_fn(ImageDraw.Draw(layer))
    if radius > 0:
        # blur premultiplied, or transparent black bleeds in as dark halos
        layer = layer.convert("RGBa").filter(ImageFilter.GaussianBlur(radius)).convert("RGBA")
    out = img.convert("RGBA")
    out.alpha_composite(layer)
    return out.convert("RGB")


def hills(rng, pal, img, horizon, layers=3):
    w, h = img.size
    for i in range(layers):
        depth = (layers - i) / layers  # 1 = far
        col = mix(pal["ground_far"], pal["sky_bottom"], 0.55 * depth)
        col = shade(col, 0.85 + 0.1 * depth)
        base = horizon + int(h * 0.02 * (layers - 1 - i))
        amp = h * rng.uniform(0.10, 0.22) * (0.5 + 0.6 * depth)
        # a ridge line from a few sine waves with random phases
        waves = [(rng.uniform(0.5, 1.5) * k, rng.uniform(0, 6.283), 1.0 / k)
                 for k in (1.0, 2.3, 5.1, 11.7)]
        norm = sum(a for _, _, a in waves)
        pts = [(0, h)]
        step = max(2, w // 120)
        for x in range(0, w + step, step):
            t = x / w * 6.283
            v = sum(a * math.sin(f * t + ph) for f, ph, a in waves) / norm
            pts.append((x, base - amp * (0.5 + 0.8 * v)))
        pts.append((w, h))

        def draw(d, pts=pts, col=col):
            d.polygon(pts, fill=col + (255,))

        img = blurred_layer(img, draw, 1.5 + 2.5 * depth)
    return img


def person(d: ImageDraw.ImageDraw, x: float, foot: float, height: float, col, rng):
    """A standing figure: head, shoulders, and a robe or two legs."""
    hh = height * 0.12
    sw = height * rng.uniform(0.11, 0.14)  # half shoulder width
    a = 255
    cloth = col + (a,)
    top = foot - height + hh * 1.1
    waist = foot - height * 0.47
    d.polygon([(x - sw * 0.55, top), (x + sw * 0.55, top), (x + sw, top + hh * 0.5),
               (x + sw * 0.82, waist), (x - sw * 0.82, waist), (x - sw, top + hh * 0.5)],
              fill=cloth)
    if rng.random() < 0.5:  # robe / long dress
        d.polygon([(x - sw * 0.82, waist - 1), (x + sw * 0.82, waist - 1),
                   (x + sw * 0.95, foot), (x - sw * 0.95, foot)], fill=cloth)
    else:  # trousers
        leg = shade(col, rng.uniform(0.45, 0.8)) + (a,)
        d.rectangle((x - sw * 0.75, waist - 1, x - sw * 0.08, foot), fill=leg)
        d.rectangle((x + sw * 0.08, waist - 1, x + sw * 0.75, foot), fill=leg)
    if rng.random() < 0.35:  # head-wrap in the clothing colour family
        hc = shade(col, rng.uniform(0.7, 1.1))
    else:
        hc = (rng.randint(60, 120), rng.randint(42, 82), rng.randint(30, 60))
    d.ellipse((x - hh * 0.42, foot - height, x + hh * 0.42, foot - height + hh * 1.15),
              fill=hc + (a,))


def scene_street(rng, pal, img, horizon):
    w, h = img.size

    def buildings(d):
        x = -rng.randint(0, w // 10)
        while x < w:
            bw = rng.randint(w // 9, w // 4)
            top = horizon - rng.randint(h // 8, int(h * 0.45))
            col = mix(pal["stone"], rng.choice(pal["accents"]), rng.uniform(0.1, 0.35))
            col = shade(col, rng.uniform(0.75, 1.1))
            d.rectangle((x, top, x + bw, horizon + h // 20), fill=col + (255,))
            # windows in rows, and a doorway at street level
            dark = shade(col, 0.45) + (235,)
            ww = max(3, bw // rng.randint(7, 10))
            cols = max(1, (bw - ww) // (ww * 2))
            floor_h = max(ww * 2, int(h * 0.09))
            wy = top + ww
            while wy + ww * 1.5 < horizon - floor_h:
                for c in range(cols):
                    if rng.random() < 0.85:
                        wx = x + ww + c * ww * 2
                        d.rectangle((wx, wy, wx + ww, wy + int(ww * 1.5)), fill=dark)
                wy += floor_h
            dw = max(4, bw // 5)
            dx = x + rng.randint(ww, max(ww + 1, bw - dw - ww))
            d.rectangle((dx, horizon - int(dw * 2.1), dx + dw, horizon + h // 25), fill=dark)
            x += bw + rng.randint(-bw // 6, bw // 5)

    img = blurred_layer(img, buildings, 1.2)
    return scene_people(rng, pal, img, horizon, rng.randint(3, 8), blur=1.0)


def scene_people(rng, pal, img, horizon, count, blur=1.0):
    w, h = img.size
    figures = []
    for _ in range(count):
        near = rng.random() ** 1.5  # most people mid-distance
        foot = horizon + (h - horizon) * (0.08 + 0.85 * near)
        height = min(h * (0.07 + 0.42 * near), foot * 0.9)
        col = rng.choice(pal["accents"] + [pal["dark"], pal["dark"]])
        # aerial perspective: far figures fade towards the horizon haze
        col = mix(col, pal["sky_bottom"], 0.25 * (1.0 - near))
        if abs(luma(col) - luma(pal["ground_far"])) < 45:  # keep figures readable
            col = shade(col, 0.55)
        figures.append((near, rng.uniform(0.03, 0.97) * w, foot, height, col))
    figures.sort()  # far first
    # depth of field: focus at mid distance, near and far figures softer
    for near, x, foot, height, col in figures:
        def draw(d, x=x, foot=foot, height=height, col=col):
            person(d, x, foot, height, col, rng)
        img = blurred_layer(img, draw, blur + 4.0 * abs(near - 0.3))
    return img


def scene_hills(rng, pal, img, horizon):
    img = hills(rng, pal, img, horizon, layers=rng.randint(2, 4))
    return scene_people(rng, pal, img, horizon, rng.randint(0, 3), blur=1.5)


def scene_crowd(rng, pal, img, horizon):
    w, h = img.size

    def stalls(d):
        for _ in range(rng.randint(3, 6)):
            sx = rng.randint(-w // 10, w)
            sw = rng.randint(w // 8, w // 4)
            top = horizon - rng.randint(h // 10, h // 4)
            col = rng.choice(pal["accents"])
            d.polygon([(sx, top), (sx + sw, top), (sx + sw + sw // 8, top + h // 14),
                       (sx - sw // 8, top + h // 14)], fill=col + (235,))
            d.rectangle((sx, top + h // 14, sx + sw, horizon + h // 30),
                        fill=shade(col, 0.4) + (200,))

    img = blurred_layer(img, stalls, 1.5)
    return scene_people(rng, pal, img, horizon, rng.randint(10, 18), blur=0.8)


def scene_interior(rng, pal, img, horizon):
    w, h = img.size
    wall = mix(pal["stone"], pal["ground_far"], 0.4)

    def room(d):
        d.rectangle((0, 0, w, horizon), fill=shade(wall, 0.8) + (255,))
        # beaten-earth or stone floor; the ground texture shows through
        d.rectangle((0, horizon, w, h), fill=shade(pal["stone"], 0.6) + (190,))
        # a bright window or doorway
        ww = rng.randint(w // 6, w // 3)
        wx = rng.randint(w // 10, w - ww - w // 10)
        wt = rng.randint(h // 12, h // 4)
        d.rectangle((wx, wt, wx + ww, horizon), fill=mix(pal["sky_bottom"], (255, 250, 235), 0.5) + (255,))
        # hanging textiles along the top of the wall
        for _ in range(rng.randint(1, 4)):
            cx = rng.randint(0, w)
            cw = rng.randint(w // 25, w // 10)
            d.rectangle((cx, 0, cx + cw, rng.randint(h // 6, horizon * 2 // 3)),
                        fill=rng.choice(pal["accents"]) + (235,))
        # a bench or low wall along the floor line
        d.rectangle((0, horizon - h // 18, w, horizon + h // 60), fill=shade(wall, 0.6) + (255,))

    img = blurred_layer(img, room, 2.0)
    wall_tex = cloudy(rng, img.size, octaves=(40, 12))
    img = textured(img, wall_tex, 0.07)
    # light falls off across the room, away from the doorway side
    falloff = Image.linear_gradient("L").rotate(90 if rng.random() < 0.5 else -90)
    img = textured(img, falloff.resize(img.size, Image.BILINEAR), rng.uniform(0.35, 0.5))
    return scene_people(rng, pal, img, horizon, rng.randint(1, 3), blur=1.2)


def scene_shore(rng, pal, img, horizon):
    w, h = img.size
    water = mix(pal["sky_top"], pal["dark"], 0.35)

    def sea(d):
        band = int((h - horizon) * rng.uniform(0.3, 0.6))
        d.rectangle((0, horizon, w, horizon + band), fill=water + (255,))
        for _ in range(rng.randint(1, 4)):  # boats
            bx = rng.randint(0, w)
            by = horizon + rng.randint(2, max(3, band - 4))
            bl = rng.randint(w // 25, w // 10)
            d.polygon([(bx, by), (bx + bl, by), (bx + bl * 0.85, by + bl * 0.2),
                       (bx + bl * 0.15, by + bl * 0.2)], fill=pal["dark"] + (240,))

    img = blurred_layer(img, sea, 1.0)
    return scene_people(rng, pal, img, horizon, rng.randint(1, 5), blur=1.2)


PAINTERS = {
    "street": scene_street,
    "hills": scene_hills,
    "crowd": scene_crowd,
    "interior": scene_interior,
    "shore": scene_shore,
}


def vignette(img: Image.Image, strength: float) -> Image.Image:
    w, h = img.size
    g = Image.radial_gradient("L").resize((w, h), Image.BILINEAR)  # 0 centre
    lo = round(255 * (1.0 - strength))
    m = g.point(lambda v: max(lo, 255 - round((max(0, v - 90) / 165.0) ** 1.6 * (255 - lo))))
    return ImageChops.multiply(img, Image.merge("RGB", (m, m, m)))


# --------------------------------------------------------------------------
# full-resolution finishing


def grain(rng: random.Random, img: Image.Image, amount: float) -> Image.Image:
    """Subtle monochrome film grain (kept mild: grain inflates JPEG size)."""
    n = noise(rng, img.size).filter(ImageFilter.GaussianBlur(0.7))
    # blurring uniform noise squeezes it towards 128; rescale to +-amount
    n = n.point(lambda v: max(0, min(255, round(128 + (v - 128) * amount / 24.0))))
    n3 = Image.merge("RGB", (n, n, n))
    return ImageChops.add(img, n3, 1.0, -128)


def fit_font(path: Path, text: str, max_width: float, start: int) -> ImageFont.FreeTypeFont:
    size = start
    while size > 10:
        font = ImageFont.truetype(str(path), size)
        if font.getlength(text) <= max_width:
            return font
        size -= 4
    return ImageFont.truetype(str(path), size)


def label(img: Image.Image, n: int) -> Image.Image:
    """Centre the two-line label on a semi-transparent dark band."""
    w, h = img.size
    line1 = f"stand-in photo {n} of {TOTAL}"
    line2 = "placeholder \u2014 not the original photograph"
    f1 = fit_font(FONT_BOLD, line1, w * 0.86, int(w * 0.075))
    f2 = ImageFont.truetype(str(FONT_REGULAR), int(f1.size * 0.55))
    if f2.getlength(line2) <= w * 0.9:
        small_lines = [line2]
    else:  # narrow (portrait) frame: wrap rather than shrink the type
        small_lines = ["placeholder \u2014", "not the original photograph"]
    asc1, desc1 = f1.getmetrics()
    asc2, desc2 = f2.getmetrics()
    pad = int(f1.size * 0.4)
    lines = [(line1, f1, (255, 255, 255, 255), asc1 + desc1)]
    lines += [(t, f2, (228, 228, 228, 255), int((asc2 + desc2) * 1.05)) for t in small_lines]
    band_h = 2 * pad + sum(lh for *_, lh in lines)
    top = int(h * 0.7 - band_h / 2)  # lower third: leave the horizon visible
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)
    d.rectangle((0, top, w, top + band_h), fill=(12, 12, 14, 170))
    y = top + pad
    for text, font, fill, lh in lines:
        d.text(((w - font.getlength(text)) / 2, y), text, font=font, fill=fill)
        y += lh
    out = img.convert("RGBA")
    out.alpha_composite(overlay)
    return out.convert("RGB")


def make_photo(n: int) -> Image.Image:
    rng = random.Random(n)
    full = size_for(n)
    small = (full[0] // SCALE, full[1] // SCALE)
    pal = palette(rng)
    scene = SCENES[(n - 1) % len(SCENES)]  # a fixed, even rotation of scene types
    horizon = int(small[1] * rng.uniform(0.38, 0.62))
    img = paint_sky_and_ground(rng, pal, small, horizon)
    img = PAINTERS[scene](rng, pal, img, horizon)
    img = img.filter(ImageFilter.GaussianBlur(0.7))  # lens softness
    img = vignette(img, rng.uniform(0.25, 0.4))
    img = img.resize(full, Image.BICUBIC)
    img = grain(rng, img, rng.uniform(2.5, 3.5))
    return label(img, n)


def save_jpeg(img: Image.Image, path: Path) -> None:
    clean = Image.frombytes("RGB", img.size, img.tobytes())  # no info/metadata
    clean.save(path, "JPEG", quality=85, optimize=True, progressive=False,
               dpi=(300, 300), subsampling="4:2:0")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "book" / "photos",
                    help="output directory (default: book/photos in the repository)")
    ap.add_argument("--count", type=int, default=TOTAL,
                    help=f"how many photos to make, 1..N (default {TOTAL})")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    args.out.mkdir(parents=True, exist_ok=True)
    for n in range(1, args.count + 1):
        path = args.out / f"{n:02d}.jpg"
        img = make_photo(n)
        save_jpeg(img, path)
        print(f"wrote {path} ({img.width}x{img.height}, {path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
