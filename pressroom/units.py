"""Lengths and trim sizes. Everything inside pressroom is in PostScript points (1/72 in)."""

from __future__ import annotations

import re

UNITS = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0, "px": 0.75}

#: Named trim sizes (width x height, in points). Keys are what a manuscript may write.
TRIM_PRESETS: dict[str, tuple[float, float]] = {
    "5x8in": (5 * 72, 8 * 72),
    "5.5x8.5in": (5.5 * 72, 8.5 * 72),
    "6x9in": (6 * 72, 9 * 72),
    "7x10in": (7 * 72, 10 * 72),
    "8x10in": (8 * 72, 10 * 72),
    "10x8in": (10 * 72, 8 * 72),
    "8.25x6in": (8.25 * 72, 6 * 72),
    "8.25x8.25in": (8.25 * 72, 8.25 * 72),
    "8.5x8.5in": (8.5 * 72, 8.5 * 72),
    "8.5x11in": (8.5 * 72, 11 * 72),
    "11x8.5in": (11 * 72, 8.5 * 72),
    "12x12in": (12 * 72, 12 * 72),
    "a4": (210 * UNITS["mm"], 297 * UNITS["mm"]),
    "a5": (148 * UNITS["mm"], 210 * UNITS["mm"]),
    "21x28cm": (21 * UNITS["cm"], 28 * UNITS["cm"]),
    "letter": (8.5 * 72, 11 * 72),
}

_LEN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt|px)\s*$", re.I)
_TRIM = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)?\s*[x×]\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)\s*$", re.I
)


def parse_length(text: str) -> float:
    """'0.125in', '3mm', '1cm', '9pt' -> points."""
    m = _LEN.match(str(text))
    if not m:
        raise ValueError(f"length '{text}' needs a number and a unit: in, mm, cm or pt (e.g. 0.125in or 3mm)")
    return float(m.group(1)) * UNITS[m.group(2).lower()]


def parse_trim(text: str) -> tuple[float, float]:
    """A preset name ('6x9in', 'A5') or a custom 'WxH unit' ('7.5x9.25in', '150 x 200 mm')."""
    key = re.sub(r"\s+", "", str(text)).lower().replace("×", "x")
    if key in TRIM_PRESETS:
        return TRIM_PRESETS[key]
    m = _TRIM.match(str(text))
    if not m:
        names = ", ".join(k if not k.startswith("a") else k.upper() for k in TRIM_PRESETS)
        raise ValueError(f"trim '{text}' is neither a preset ({names}) nor a size like '7x10in' or '150x200mm'")
    unit_w = (m.group(2) or m.group(4)).lower()
    w = float(m.group(1)) * UNITS[unit_w]
    h = float(m.group(3)) * UNITS[m.group(4).lower()]
    if not (2 * 72 <= w <= 40 * 72 and 2 * 72 <= h <= 40 * 72):
        raise ValueError(f"trim '{text}' is out of range: each side must be between 2in and 40in")
    return w, h


def fmt_in(points: float) -> str:
    return f"{points / 72:.3f}in"
