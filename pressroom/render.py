"""The Jinja environment (autoescape on), its filters, and the labels a book prints.

Templates live in ``templates/``, one set per edition where they differ. Only
HTML that pressroom itself rendered from Markdown (with raw HTML disabled) is
marked safe; every other string from the manuscript is escaped.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe

from .cache import cache_dir
from .manuscript import Book, Part, Photo
from .paths import FONTS, PROJECT, STYLES, TEMPLATES  # noqa: F401  (used by the editions through render)

#: Words the book prints itself, by language; English is the fallback.
LABELS: dict[str, dict[str, str]] = {
    "en": {"contents": "Contents", "photo": "Photo", "photos": "Photographs", "cover": "Cover",
           "title_page": "Title page", "colophon": "Colophon", "start": "Start of content",
           "standin": "The photographs in this edition are generated stand-ins, not the original photographs.",
           "identifier": "Identifier", "isbn": "ISBN", "published": "Published by", "by": "by",
           "chapter": "Chapter", "pages": "Pages", "page": "Page",
           # Long-form books: "notes" names the EPUB's notes of a chapter, "note" a link to one
           # ("Note 3"); kind:<kind> heads a front or back matter item without a title of its own.
           "notes": "Notes", "note": "Note",
           "kind:dedication": "Dedication", "kind:epigraph": "Epigraph", "kind:foreword": "Foreword",
           "kind:preface": "Preface", "kind:introduction": "Introduction", "kind:prologue": "Prologue",
           "kind:afterword": "Afterword", "kind:epilogue": "Epilogue", "kind:acknowledgements": "Acknowledgements",
           "kind:about-the-author": "About the Author", "kind:also-by": "Also by the Author",
           "kind:appendix": "Appendix", "kind:glossary": "Glossary", "kind:bibliography": "Bibliography",
           "kind:notes": "Notes"},
    "fr": {"contents": "Table des matières", "photo": "Photo", "photos": "Photographies", "cover": "Couverture",
           "title_page": "Page de titre", "colophon": "Colophon", "start": "Début du contenu",
           "standin": "Les photographies de cette édition sont des images de remplacement, pas les originaux.",
           "identifier": "Identifiant", "isbn": "ISBN", "published": "Publié par", "by": "par",
           "chapter": "Chapitre", "pages": "Pages", "page": "Page"},
    "de": {"contents": "Inhalt", "photo": "Foto", "photos": "Fotografien", "cover": "Umschlag",
           "title_page": "Titelseite", "colophon": "Impressum", "start": "Beginn des Inhalts",
           "standin": "Die Fotografien dieser Ausgabe sind generierte Platzhalter, nicht die Originale.",
           "identifier": "Kennung", "isbn": "ISBN", "published": "Verlag", "by": "von",
           "chapter": "Kapitel", "pages": "Seiten", "page": "Seite"},
    "es": {"contents": "Índice", "photo": "Foto", "photos": "Fotografías", "cover": "Cubierta",
           "title_page": "Portada", "colophon": "Colofón", "start": "Inicio del contenido",
           "standin": "Las fotografías de esta edición son imágenes provisionales, no las originales.",
           "identifier": "Identificador", "isbn": "ISBN", "published": "Publicado por", "by": "por",
           "chapter": "Capítulo", "pages": "Páginas", "page": "Página"},
}


#: Contributor roles as the colophon names them (keys: manuscript.ROLES), by language.
ROLE_LABELS: dict[str, dict[str, str]] = {
    "en": {"author": "Text", "photographer": "Photographs", "editor": "Editor", "translator": "Translation",
           "illustrator": "Illustrations", "designer": "Design", "book designer": "Book design",
           "cover designer": "Cover design", "introduction": "Introduction", "foreword": "Foreword",
           "afterword": "Afterword", "contributor": "Contributor", "narrator": "Narrator",
           "compiler": "Compiled by", "artist": "Artist"},
    "fr": {"author": "Texte", "photographer": "Photographies", "editor": "Édition", "translator": "Traduction",
           "illustrator": "Illustrations", "designer": "Conception graphique", "book designer": "Maquette",
           "cover designer": "Couverture", "introduction": "Introduction", "foreword": "Préface",
           "afterword": "Postface", "contributor": "Contribution", "narrator": "Lecture",
           "compiler": "Compilation", "artist": "Artiste"},
    "de": {"author": "Text", "photographer": "Fotografien", "editor": "Herausgeber", "translator": "Übersetzung",
           "illustrator": "Illustrationen", "designer": "Gestaltung", "book designer": "Buchgestaltung",
           "cover designer": "Umschlaggestaltung", "introduction": "Einleitung", "foreword": "Vorwort",
           "afterword": "Nachwort", "contributor": "Mitarbeit", "narrator": "Sprecher",
           "compiler": "Zusammenstellung", "artist": "Künstler"},
    "es": {"author": "Texto", "photographer": "Fotografías", "editor": "Edición", "translator": "Traducción",
           "illustrator": "Ilustraciones", "designer": "Diseño", "book designer": "Diseño del libro",
           "cover designer": "Diseño de cubierta", "introduction": "Introducción", "foreword": "Prólogo",
           "afterword": "Epílogo", "contributor": "Colaboración", "narrator": "Narración",
           "compiler": "Compilación", "artist": "Artista"},
}

#: What separates a label from its value ("Photographs: Ada"); French sets a
#: (narrow no-break) space before the colon.
LABEL_SEPARATOR = {"fr": "\u202f: "}


def labels(language: str) -> dict[str, str]:
    """The words a book in ``language`` prints; a role's label is under "role:<role>"."""
    base = language.split("-")[0].lower()
    roles = {**ROLE_LABELS["en"], **ROLE_LABELS.get(base, {})}
    return {**LABELS["en"], **LABELS.get(base, {}), "sep": LABEL_SEPARATOR.get(base, ": "),
            **{f"role:{k}": v for k, v in roles.items()}}


#: Punctuation a line of a title may well end on.
_BREAK_AFTER = (",", ":", ";", ".", "?", "!", "\u2013", "\u2014")


@lru_cache(maxsize=4)
def _font(name: str):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONTS / name), 1000)


def text_width(text: str, size: float, font: str = "NotoSerif-Regular.ttf") -> float:
    """The width (points) of ``text`` set in the book's face at ``size`` points."""
    return _font(font).getlength(text) * size / 1000


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
    return env


def render(template: str, book: Book, **context) -> str:
    """Render ``template`` for ``book``; ``context`` adds what the edition needs."""
    return environment().get_template(template).render(book=book, t=labels(book.language), **context)
