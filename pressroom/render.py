"""The Jinja environment (autoescape on), its filters, and the labels a book prints.

Templates live in ``templates/``, one set per edition where they differ. Only
HTML that pressroom itself rendered from Markdown (with raw HTML disabled) is
marked safe; every other string from the manuscript is escaped.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe

from .cache import cache_dir
from .manuscript import Book, Part, Photo
from .paths import FONTS, PROJECT, STYLES, TEMPLATES  # noqa: F401  (used by the editions through render)
from .words import LABEL_SEPARATOR, LABELS, ROLE_LABELS, labels  # noqa: F401  (the label table's home)


#: Punctuation a line of a title may well end on.
_BREAK_AFTER = (",", ":", ";", ".", "?", "!", "\u2013", "\u2014")


@lru_cache(maxsize=4)
def _font(name: str):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONTS / name), 1000)


def text_width(text: str, size: float, font: str = "NotoSerif-Regular.ttf") -> float:
    """The width (points) of ``text`` set in the book's face at ``size`` points. A letter the
    face lacks (another script's face sets it) counts a full em when it is a wide (CJK)
    character, 0.55 em otherwise."""
    from .scripts import base_cmap

    cmap = base_cmap()
    if all(ord(ch) in cmap for ch in text):
        return _font(font).getlength(text) * size / 1000
    own = "".join(ch for ch in text if ord(ch) in cmap)
    other = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text if ord(ch) not in cmap)
    return _font(font).getlength(own) * size / 1000 + other * size


def balance(text: str, width: float, size: float) -> markupsafe.Markup:
    """``text`` (escaped) in lines of about equal width, ``<br>`` between them, when set
    at ``size`` points it is wider than ``width`` points: a title that wraps then reads
    as a shape ("Photos Banned By North Korea, / But Smuggled Out"), not as a full line
    and a short word left over. A break after punctuation is preferred."""
    words = text.split()
    full = text_width(" ".join(words), size)
    lines = math.ceil(full / max(width, 1.0) * 1.02)
    if lines <= 1 or len(words) < 2:
        return markupsafe.escape(text)
    lines = min(lines, len(words))
    target = full / lines

    def cost(i: int, j: int) -> float:  # the line of words[i:j], in units of the target
        n = text_width(" ".join(words[i:j]), size) / target
        c = (n - 1) ** 2 + (1e6 if n * target > width * 0.98 else 0)
        return c - (0.45 ** 2 if j < len(words) and words[j - 1].endswith(_BREAK_AFTER) else 0)

    # best[k][j]: the least cost of setting words[:j] in k lines, and where its last line starts.
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}] + [{} for _ in range(lines)]
    for k in range(1, lines + 1):
        for j in range(k, len(words) + 1):
            options = [(c + cost(i, j), i) for i, (c, _) in best[k - 1].items() if i < j]
            if options:
                best[k][j] = min(options)
    out, j = [], len(words)
    for k in range(lines, 0, -1):
        i = best[k][j][1]
        out.append(" ".join(words[i:j]))
        j = i
    return markupsafe.Markup("<br>").join(markupsafe.escape(line) for line in reversed(out))


def phrase_size(text: str, width: float, size: float, smallest: float = 0.8) -> float:
    """The size (points, at most ``size``, at least ``smallest`` of it) at which the
    longest phrase of ``text`` (the words up to a comma, colon...) fits on a line
    ``width`` points wide: a title then wraps between its phrases, not inside one."""
    phrases, current = [], []
    for word in text.split():
        current.append(word)
        if word.endswith(_BREAK_AFTER):
            phrases.append(" ".join(current))
            current = []
    phrases.append(" ".join(current))
    longest = max(text_width(ph, size) for ph in phrases if ph)
    return max(size * smallest, min(size, size * width * 0.97 / longest))


_HREF = re.compile(r'href="#([^"]+)"')


@jinja2.pass_context
def _xref(ctx, html: str, here: str):
    """``html`` with each link to an id in another file of the book (the context's
    ``xrefs``: {id: file}) pointing into that file: the EPUB's cross-references."""
    files = ctx.get("xrefs") or {}
    if not files:
        return html

    def sub(m: re.Match) -> str:
        target = files.get(m.group(1))
        return m.group(0) if target is None or target == here else f'href="{target}#{m.group(1)}"'

    return markupsafe.Markup(_HREF.sub(sub, str(html)))


def _finalize(value):
    return "" if value is None else value


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the cache folder (keyed by each template's source):
    compiling them again cost every build a tenth of a second per template."""

    folder = cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unwritable cache costs time, nothing else
    return jinja2.FileSystemBytecodeCache(str(folder))


@jinja2.pass_context
def _bidi(context, value) -> str:
    """A Latin name or a number isolated from the right-to-left text around it (scripts.isolate)."""
    from .scripts import isolate

    book = context.get("book")
    return isolate(str(value), book.language) if book is not None else str(value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,  # every template, .html and .xhtml alike
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["photo"] = lambda block: isinstance(block, Photo)
    env.tests["part"] = lambda item: isinstance(item, Part)
    env.filters["xref"] = _xref
    env.filters["balance"] = balance
    env.filters["bidi"] = _bidi
    return env


@lru_cache(maxsize=1)
def compile_templates() -> None:
    """Compile (or load from the cache folder) every template an edition renders, once
    per process: the build does it before it forks the editions' processes, which
    would otherwise each compile the ones they share (pdf/book.html serves both PDFs)."""
    env = environment()
    for name in env.list_templates(extensions=("html", "xhtml")):
        if not name.startswith(("scaffold/", "preview/")):
            env.get_template(name)


def render(template: str, book: Book, **context) -> str:
    """Render ``template`` for ``book``; ``context`` adds what the edition needs."""
    from .scripts import direction

    context.setdefault("dir", direction(book.language))
    return environment().get_template(template).render(book=book, t=labels(book.language, book.words), **context)
