"""How much a book may ask of a build: the input limits, in one settings object.

The command line fills a :class:`Limits` from its options and hands it down
explicitly: the loader checks the manuscript's size and the number of photos,
the photo pipeline (and every edition that derives photos) the bytes and pixels
of each photo. A limit a book exceeds is one clear line naming the limit and
the option that raises it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_manuscript_bytes: int = 5 * MB  # book.yaml
    max_photos: int = 2000  # distinct photo files a book may name
    max_photo_bytes: int = 500 * MB  # one photo file
    max_photo_pixels: int = 250_000_000  # width x height of one photo (decompression bombs)


DEFAULT = Limits()

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([km]p?|mp)?\s*$", re.IGNORECASE)


def parse_bytes(text: str) -> int:
    """``'20MB'``, ``'512k'``, ``'1G'``, ``'1048576'`` -> bytes (binary multiples)."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a size (examples: 800k, 20MB, 1G)")
    unit = (m.group(2) or "b")[0].lower()
    value = float(m.group(1)) * {"b": 1, "k": 1024, "m": MB, "g": 1024 * MB}[unit]
    if value < 1:
        raise ValueError(f"'{text}' must be at least 1 byte")
    return int(value)


def parse_count(text: str) -> int:
    """``'50M'``, ``'50MP'``, ``'12000'`` -> a whole number (decimal multiples)."""
    m = _COUNT.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a number (examples: 500, 40M, 250MP)")
    unit = (m.group(2) or "").lower()[:1]
    value = float(m.group(1)) * {"": 1, "k": 1000, "m": 1_000_000}[unit]
    if value < 1:
        raise ValueError(f"'{text}' must be at least 1")
    return int(value)


def human_bytes(n: int) -> str:
    for unit, size in (("GB", 1024 * MB), ("MB", MB), ("KB", 1024)):
        if n >= size:
            v = n / size
            return f"{v:,.0f} {unit}" if v == int(v) or v >= 10 else f"{v:.1f} {unit}"
    return f"{n:,} bytes"
