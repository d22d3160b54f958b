"""pyphen's internals that pressroom uses, and only here (pyphen 0.14-0.18).

WeasyPrint hyphenates through pyphen, which parses a language's .dic patterns on
first use (a tenth of a second a build). :func:`preload` puts them in pyphen's
own cache (``pyphen.hdcache``) from a JSON copy kept in pressroom's render cache,
building the ``HyphDict`` without parsing (``patterns``, ``cache``, ``maxlen``).
"""

from __future__ import annotations

import json
from pathlib import Path

from . import missing, unsupported

SUPPORTED = ">=0.14,<0.19"

CONTRACT = [
    ("pyphen", "hdcache"),
    ("pyphen", "HyphDict"),
    ("pyphen", "LANGUAGES"),
    ("pyphen", "language_fallback"),
]


def check() -> None:
    """Raise AdapterError naming what the installed pyphen lacks."""
    import pyphen

    gone = missing(CONTRACT)
    if gone:
        raise unsupported("pyphen", pyphen.__version__, ", ".join(gone), SUPPORTED)


def patterns_file(language: str) -> Path | None:
    """The .dic file WeasyPrint's hyphenation uses for ``language``, if any."""
    import pyphen

    lang = pyphen.language_fallback(language)
    return Path(pyphen.LANGUAGES[lang]) if lang else None


def preload(path: Path, cached_render) -> None:
    """Put the patterns at ``path`` in pyphen's cache, from ``cached_render`` (see
    cache.py) when they were parsed before. Patterns with pyphen's non-standard
    alternatives (a few languages) are parsed every time."""
    import pyphen

    if path in pyphen.hdcache:
        return

    def parse() -> tuple[bytes, dict]:
        hd = pyphen.HyphDict(path)
        plain = all(type(v) is int for _, values in hd.patterns.values() for v in values)
        pyphen.hdcache[path] = hd
        return json.dumps(hd.patterns if plain else None).encode(), {}

    data, _ = cached_render("hyphenation.json", f"{pyphen.__version__}|{path}|{path.stat().st_mtime_ns}", parse)
    if path in pyphen.hdcache:
        return
    patterns = json.loads(data)
    if patterns is None:
        pyphen.hdcache[path] = pyphen.HyphDict(path)
        return
    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hd.patterns = {k: (start, tuple(values)) for k, (start, values) in patterns.items()}
    hd.cache = {}
    hd.maxlen = max(len(k) for k in hd.patterns)
    pyphen.hdcache[path] = hd
