"""The Jinja environment (autoescape on), its filters, and the labels a book prints.

Templates live in ``templates/``, one set per edition where they differ. Only
HTML that pressroom itself rendered from Markdown (with raw HTML disabled) is
marked safe; every other string from the manuscript is escaped.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from .manuscript import Book, Photo

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "templates"
STYLES = PROJECT / "styles"
FONTS = STYLES / "fonts"

#: Words the book prints itself, by language; English is the fallback.
LABELS: dict[str, dict[str, str]] = {
    "en": {"contents": "Contents", "photo": "Photo", "photos": "Photographs", "cover": "Cover",
           "title_page": "Title page", "colophon": "Colophon", "start": "Start of content",
           "standin": "The photographs in this edition are generated stand-ins, not the original photographs.",
           "identifier": "Identifier", "isbn": "ISBN", "published": "Published by", "by": "by",
           "chapter": "Chapter", "pages": "Pages", "page": "Page"},
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


def labels(language: str) -> dict[str, str]:
    base = language.split("-")[0].lower()
    return {**LABELS["en"], **LABELS.get(base, {})}


def _finalize(value):
    return "" if value is None else value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template, .html and .xhtml alike
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["photo"] = lambda block: isinstance(block, Photo)
    return env


def render(template: str, book: Book, **context) -> str:
    """Render ``template`` for ``book``; ``context`` adds what the edition needs."""
    return environment().get_template(template).render(book=book, t=labels(book.language), **context)
