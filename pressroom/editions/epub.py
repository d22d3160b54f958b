"""The EPUB 3 edition, written with ebooklib from our own XHTML templates.

What differs from the PDFs: photos sized for screens, a store cover composed
from the cover photo (1600 x 2560 px), the font family subset to the
characters the book uses, and package metadata written in full (title-type
refinements, MARC relator roles, schema.org accessibility metadata), because
ebooklib's own metadata writer covers only part of it. The page-list gives the
page numbers of the print edition, read from the print interior's layout.
"""

from __future__ import annotations

import hashlib
import io
import re
import string
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path

from ebooklib import epub
from lxml import etree
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .. import __version__, design, fontsubset
from ..adapters import ebooklib as ebooklib_adapter
from ..cache import cached_render
from ..errors import Location, Problem
from ..folios import label as folio
from ..images import Asset, Target, derive
from ..manuscript import Book, Part
from ..render import FONTS, STYLES, labels, render
from ..scripts import (NO_ITALIC_LANGUAGES, RTL_LANGUAGES, RTL_SCRIPTS, book_typeface, direction, drawn,  # noqa: F401
                       epub_css, epub_fonts, font_file_name, has, primary, scripts_of)
from ..scripts import face as scripts_face
from ..words import chapter_label
from .base import NOTHING, Edition, Given, source_date
from .press import PRINT_TARGET, print_page_map
from .press.pagemap import PageStart

#: Photos inside the EPUB: long edge in pixels and JPEG quality.
EPUB_LONG_EDGE = 2048
EPUB_QUALITY = 82
#: A JPEG whose 1/2, 1/4 or 1/8 scale lands in [EPUB_MIN_LONG_EDGE, EPUB_LONG_EDGE] is
#: decoded straight to it (a 4000 px camera photo gives 2000 px: a half-size decode, no resampling).
EPUB_MIN_LONG_EDGE = 1600
#: The cover photo: the print edition's file of it (the full original, upright sRGB), which
#: a build of every edition makes anyway; cropped and scaled down to fill COVER_SIZE.
COVER_TARGET = PRINT_TARGET
#: The store cover: stores ask for at least 1600 x 2560 px (1:1.6).
COVER_SIZE = (1600, 2560)
COVER_QUALITY = 88
#: The cover photo may be enlarged this much to fill the cover before preflight warns.
MAX_COVER_UPSCALE = 1.25
#: The faces of the title, the subtitle and the byline on the cover.
COVER_FONTS = ("NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf", "NotoSerif-Regular.ttf")

FONT_FILES = ("NotoSerif-Regular.ttf", "NotoSerif-Italic.ttf", "NotoSerif-Bold.ttf", "NotoSerif-BoldItalic.ttf")
#: A fixed timestamp for every zip entry: the bytes depend on the book, not on when it was built.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
#: A scene break's ornament in the classic look (a theme's css/theme.css draws its own).
SCENE_BREAK_CSS = b'hr { border: 0; margin: 1em 0; text-align: center; height: auto; }\nhr::before { content: "\\2042"; }\n'


def words(language: str, overrides=None) -> dict[str, str]:
    """Words only the EPUB prints (its navigation's labels), from the book's words (words.py)."""
    t = labels(language, overrides)
    return {"landmarks": t["landmarks"], "pages": t["print_pages"]}


# --------------------------------------------------------------------------
# Package metadata
# --------------------------------------------------------------------------

Meta = tuple[str, dict[str, str], str]  # (tag: "dc:title" or "meta", attributes, text)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def accessibility_summary(book: Book, print_pages: bool = False) -> str:
    """A plain-English account of what this book offers a reader who cannot see it
    (``print_pages``: the page numbers of the print edition are marked)."""
    photos, chapters = len(book.photos), len(book.chapters)
    captioned = sum(1 for p in book.photos if p.caption_html)
    if photos:
        s = (f"This book holds {_count(photos, 'photograph', 'photographs')} in "
             f"{_count(chapters, 'chapter', 'chapters')}. Every photograph has a text description "
             f"(alternative text) written for readers who cannot see it")
        if captioned:
            s += ", and " + ("every one" if captioned == photos else str(captioned)) + " has a caption"
        s += ". "
    else:
        s = f"This book holds {_count(chapters, 'chapter', 'chapters')} of text. "
    s += ("The text reflows and can be resized, and the reader's own fonts and colours apply. "
          "Headings, a table of contents and landmarks give the structure, and the reading order "
          "is the order of the printed book. ")
    if print_pages:
        s += "The page numbers of the print edition are marked, and a page list leads to each. "
    s += "There are no flashing, motion or sound hazards."
    return s


def page_break_source(book: Book, pages: int) -> str:
    """The print edition whose page numbers the page-list gives: its ISBN, else a description."""
    if book.isbn:
        return f"urn:isbn:{book.isbn}"
    return f"the print edition made by pressroom: {book.title}, trim {book.print.trim}, {pages} pages"


def package_metadata(book: Book, modified: str, has_cover: bool, print_pages: int | None = None) -> list[Meta]:
    """Every entry of the package's <metadata>, in order; ``modified`` is an ISO 8601 UTC time,
    ``print_pages`` the print edition's page count when the EPUB has its page-list."""
    m: list[Meta] = [("dc:identifier", {"id": "pub-id"}, book.identifier)]
    if book.isbn:
        m.append(("meta", {"refines": "#pub-id", "property": "identifier-type", "scheme": "onix:codelist5"}, "15"))
    m.append(("dc:title", {"id": "main-title"}, book.title))
    m.append(("meta", {"refines": "#main-title", "property": "title-type"}, "main"))
    if book.subtitle:
        m.append(("meta", {"refines": "#main-title", "property": "display-seq"}, "1"))
        m.append(("dc:title", {"id": "sub-title"}, book.subtitle))
        m.append(("meta", {"refines": "#sub-title", "property": "title-type"}, "subtitle"))
        m.append(("meta", {"refines": "#sub-title", "property": "display-seq"}, "2"))
    m.append(("dc:language", {}, book.language))
    creators = set(book.creators)
    ordered = [c for c in book.contributors if c in creators] + [c for c in book.contributors if c not in creators]
    for i, c in enumerate(ordered, 1):
        cid = f"contributor-{i}"
        m.append(("dc:creator" if c in creators else "dc:contributor", {"id": cid}, c.name))
        m.append(("meta", {"refines": f"#{cid}", "property": "role", "scheme": "marc:relators"}, c.marc))
        if c.file_as:
            m.append(("meta", {"refines": f"#{cid}", "property": "file-as"}, c.file_as))
    for tag, value in (("publisher", book.publisher), ("date", book.date), ("rights", book.rights),
                       ("description", book.description)):
        if value:
            m.append((f"dc:{tag}", {}, value))
    m += [("dc:subject", {}, s) for s in book.subjects]
    if print_pages is not None and book.isbn:
        m.append(("dc:source", {}, f"urn:isbn:{book.isbn}"))
    m.append(("meta", {"property": "dcterms:modified"}, modified))

    # schema.org accessibility metadata (EPUB Accessibility 1.1).
    photos = bool(book.photos)
    m.append(("meta", {"property": "schema:accessMode"}, "textual"))
    if photos or has_cover:
        m.append(("meta", {"property": "schema:accessMode"}, "visual"))
    if photos:
        m.append(("meta", {"property": "schema:accessModeSufficient"}, "textual,visual"))
    m.append(("meta", {"property": "schema:accessModeSufficient"}, "textual"))
    features = (["alternativeText"] if photos else []) + [
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if print_pages is not None:
        features.append("printPageNumbers")
    m += [("meta", {"property": "schema:accessibilityFeature"}, f) for f in features]
    m.append(("meta", {"property": "schema:accessibilityHazard"}, "none"))
    summary_attrs = {} if book.language.split("-")[0].lower() == "en" else {"xml:lang": "en"}
    m.append(("meta", {"property": "schema:accessibilitySummary", **summary_attrs}, accessibility_summary(book, print_pages is not None)))
    m.append(("meta", {"property": "dcterms:conformsTo"}, CONFORMS_TO))
    if print_pages is not None:
        m.append(("meta", {"property": "pageBreakSource"}, page_break_source(book, print_pages)))
    if book.publisher:
        m.append(("meta", {"property": "a11y:certifiedBy"}, book.publisher))
    m.append(("meta", {"name": "generator", "content": f"pressroom {__version__}"}, ""))
    if has_cover:
        m.append(("meta", {"name": "cover", "content": "cover-image"}, ""))  # EPUB 2 reading systems
    return m


# --------------------------------------------------------------------------
# The cover and the fonts
# --------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _cmap(font_file: str | Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(FONTS / font_file, lazy=True) as f:  # a name in styles/fonts/, or a book's font (absolute)
        return frozenset(f.getBestCmap())


def _drawable(text: str, font_file: str | Path) -> bool:
    """Whether the font has every character of ``text``."""
    cmap = _cmap(font_file)
    return all(ord(ch) in cmap for ch in text if not ch.isspace())


def cover_fonts(book: Book) -> tuple[str | Path, str | Path, str | Path]:
    """The faces of the store cover's title, subtitle and byline: Noto Serif (COVER_FONTS); the
    book's headings face for the title and its body family for the others (design.fonts);
    Noto Sans in the themes that set headings in it."""
    d = book.design
    if d.plain:
        return COVER_FONTS
    if "Noto Sans" in d.theme.heading_stack:
        title, subtitle, byline = ("NotoSans-Bold.ttf", "NotoSans-Italic.ttf", "NotoSans-Regular.ttf")
    else:
        title, subtitle, byline = COVER_FONTS
    if d.body:
        subtitle, byline = d.body.slots["italic"].path, d.body.slots["regular"].path
    if d.headings:
        title = d.headings.slots["bold"].path
    return title, subtitle, byline


#: A cover face: (font file, face index in it, whether the text needs shaping and bidi).
CoverFace = tuple[str, int, bool]


def _cover_face(book: Book, text: str, font_file: str | Path) -> CoverFace | None:
    """The face the cover sets ``text`` in: Noto Serif (``font_file``) where it has every
    letter, else the serif face of the text's script (scripts.py) when it has every one,
    laid out with shaping and bidi (Pillow's Raqm layout) where the script or the book's
    direction needs it. None when no one face can set it (or Pillow has no Raqm)."""
    from PIL import features

    raqm = features.check("raqm")
    if _complex(book, text) and not raqm:
        return None
    if _drawable(text, font_file):
        return str(FONTS / font_file), 0, _complex(book, text)
    if not raqm:  # a CJK face needs no shaping, but its forms and spacing come from Raqm's layout
        return None
    for face in _script_faces(book, font_file):
        if all(has(face, ch) for ch in text if drawn(ch)):
            return str(face.file), face.index, True
    return None


def _complex(book: Book, text: str) -> bool:
    """Whether ``text`` needs shaping or bidi: a right-to-left book, or a script whose letters join."""
    return direction(book.language) == "rtl" or any(
        s in ("Arab", "Hebr", "Deva", "Thai", "Beng", "Taml", "Telu", "Knda", "Mlym", "Gujr", "Guru", "Sinh", "Khmr",
              "Laoo", "Mymr") for ch in text for s in scripts_of(ch))


def _script_faces(book: Book, font_file: str | Path) -> list:
    """The installed faces of the book's other scripts, bold for the title."""
    return [f for f in (scripts_face(family, bold="Bold" in str(font_file)) for family in book_typeface(book).extra) if f]


def _cover_faces(book: Book, text: str, font_file: str | Path) -> list[CoverFace] | None:
    """The faces that set ``text`` on the cover: one (see _cover_face), or, for a line that mixes
    scripts no one face has (a Latin name in an Arabic byline), Noto Serif for its letters and
    each script's face for the rest, in runs (see _runs). None when some letter has no face."""
    one = _cover_face(book, text, font_file)
    if one is not None:
        return [one]
    from PIL import features

    if not features.check("raqm"):
        return None
    faces = [(str(FONTS / font_file), 0, True)] + [(str(f.file), f.index, True) for f in _script_faces(book, font_file)]
    return faces if _runs(book, text, faces) is not None else None


def _covers(face: CoverFace, ch: str, book: Book) -> bool:
    path, index, _ = face
    for f in _script_faces(book, "Bold" if "Bold" in path else ""):
        if str(f.file) == path and f.index == index:
            return has(f, ch)
    return ord(ch) in _cmap(Path(path))  # Noto Serif, or the book's own font


def _runs(book: Book, text: str, faces: list[CoverFace]) -> list[tuple[str, int]] | None:
    """``text`` cut into runs of one face each, in logical order: [(run, index of its face)]."""
    runs: list[tuple[str, int]] = []
    pending = ""  # spaces and invisible controls go with the run after them: between the runs, either way
    for ch in text:
        if not drawn(ch):
            pending += ch
            continue
        i = next((k for k, f in enumerate(faces) if _covers(f, ch, book)), None)
        if i is None:
            return None
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0] + pending + ch, i)
        else:
            runs.append((pending + ch, i))
        pending = ""
    if pending:
        runs[-1:] = [(runs[-1][0] + pending, runs[-1][1])] if runs else [(pending, 0)]
    return runs


def _cover_texts(book: Book) -> list[tuple[str, str | Path]]:
    return [(t, f) for t, f in zip((book.title, book.subtitle, book.byline if book.creators else None),
                                   cover_fonts(book)) if t]


def cover_type_fits(book: Book) -> bool:
    """Whether the cover can carry the title, subtitle and byline: faces have their letters
    (Noto Serif, and their scripts' own), and Pillow can lay them out."""
    return all(_cover_faces(book, t, f) is not None for t, f in _cover_texts(book))


#: Characters a line of CJK text never starts with (kinsoku).
NO_LINE_START = set("。、，．・：；？！ー」』）〕］｝〉》】ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々”’,.!?:;)]}")


def _wrap(text: str, measure, width: int) -> list[str]:
    """``text`` in lines at most ``width`` wide as ``measure(line)`` gives it: between words, or
    between characters in CJK text (never before a character kinsoku keeps off a line's start)."""
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in text):  # no spaces: break between characters
        lines = [""]
        for ch in text:
            if lines[-1] and ch not in NO_LINE_START and measure(lines[-1] + ch) > width:
                lines.append("" if ch.isspace() else ch)
            else:
                lines[-1] += ch
        return [line.strip() for line in lines if line.strip()]
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


class _Type:
    """A text's type on the cover at one size: one font, or a font per face of its runs."""

    def __init__(self, book: Book, faces: list[CoverFace], size: int):
        self.book, self.faces, self.size = book, faces, size
        engine = lambda shaped: ImageFont.Layout.RAQM if shaped else ImageFont.Layout.BASIC  # noqa: E731
        self.fonts = [ImageFont.truetype(p, size, index=i, layout_engine=engine(sh)) for p, i, sh in faces]
        self.font = self.fonts[0]

    def runs(self, text: str) -> list[tuple[str, int]]:
        return [(text, 0)] if len(self.faces) == 1 else _runs(self.book, text, self.faces)

    def length(self, draw, text: str) -> float:
        return sum(draw.textlength(run, font=self.fonts[i]) for run, i in self.runs(text))

    def draw(self, draw, x: float, y: float, text: str, anchor: str) -> None:
        """``text`` centred on ``x``; ``anchor`` "ma" (``y`` its top) or "ms" (``y`` its baseline)."""
        if len(self.faces) == 1:
            draw.text((x, y), text, font=self.font, fill="white", anchor=anchor)
            return
        runs = self.runs(text)
        if direction(self.book.language) == "rtl":
            runs = runs[::-1]  # each run is one direction; a right-to-left line shows its runs from the right
        x -= self.length(draw, text) / 2
        baseline = y + self.font.getmetrics()[0] if anchor == "ma" else y
        for run, i in runs:
            draw.text((x, baseline), run, font=self.fonts[i], fill="white", anchor="ls")
            x += draw.textlength(run, font=self.fonts[i])


def _fit(draw, book: Book, text: str, faces: list[CoverFace], size: int, width: int, max_lines: int):
    """The largest type up to ``size`` at which ``text`` wraps into ``max_lines`` lines: (type, lines)."""
    while True:
        kind = _Type(book, faces, size)
        lines = _wrap(text, lambda line: kind.length(draw, line), width)
        if (len(lines) <= max_lines and all(kind.length(draw, l) <= width for l in lines)) or size <= 24:
            return kind, lines
        size = int(size * 0.9)


def compose_cover(book: Book, photo: Asset | None) -> bytes | None:
    """The store cover, COVER_SIZE px: the cover photo cropped to fill it, or a plain ground,
    with the title, subtitle and byline set in its fonts (cover_fonts) where they have their letters.
    None when there would be neither photo nor text.

    Kept in the cache (cache.cached_render), keyed by everything its bytes depend on: a
    rebuild after a caption edit decodes no cover photo; a new title, subtitle, byline
    or photo recomposes it."""
    drawable = cover_type_fits(book)
    if photo is None and not drawable:
        return None
    shown = None
    if photo is not None:  # a cached derivative: its name comes from its content
        st = photo.path.stat()
        shown = (photo.path.name, st.st_size, st.st_mtime_ns)
    faces = [_cover_faces(book, t, f) for t, f in _cover_texts(book)] if drawable else None
    shaped = faces and any(sh for fs in faces for _, _, sh in fs)
    key = repr((shown, drawable,
                (book.title, book.subtitle, book.byline if book.creators else None) if drawable else None,
                (book.language, faces) if shaped else None))
    if cover_fonts(book) != COVER_FONTS:  # the book's own fonts: their bytes, through the design's digest
        key += repr((cover_fonts(book), book.design.digest))
    data, _ = cached_render("cover.jpg", key, lambda: (_compose_cover(book, photo, drawable), {}))
    return data


def _compose_cover(book: Book, photo: Asset | None, drawable: bool) -> bytes:
    W, H = COVER_SIZE
    if photo is not None:
        with Image.open(photo.path) as im:
            im.draft("RGB", (W, H))
            # (convert() copies an image already in RGB: 30 ms of a camera photo)
            im = ImageOps.fit(im if im.mode == "RGB" else im.convert("RGB"), (W, H), Image.Resampling.LANCZOS)
    else:
        im = Image.new("RGB", (W, H), (38, 42, 48))
    if drawable:
        # Darken the top and bottom so white type reads on any photo.
        shade = Image.new("L", (1, 256))
        shade.putdata([int(200 * max(0.0, 1 - y / 255) ** 1.6) for y in range(256)])
        top = shade.resize((W, int(H * 0.45)))
        bottom = top.transpose(Image.Transpose.FLIP_TOP_BOTTOM).resize((W, int(H * 0.22)))
        im.paste((0, 0, 0), (0, 0, W, top.height), top)
        im.paste((0, 0, 0), (0, H - bottom.height, W, H), bottom)
        draw = ImageDraw.Draw(im)
        width = W - 240  # 120 px margins
        y = 190
        title_face, subtitle_face, byline_face = cover_fonts(book)
        faces = lambda text, file: _cover_faces(book, text, file)  # noqa: E731
        kind, lines = _fit(draw, book, book.title, faces(book.title, title_face), 150, width, 4)
        for line in lines:
            kind.draw(draw, W // 2, y, line, "ma")
            y += int(kind.size * 1.18)
        if book.subtitle:
            y += 40
            kind, lines = _fit(draw, book, book.subtitle, faces(book.subtitle, subtitle_face), 72, width, 4)
            for line in lines:
                kind.draw(draw, W // 2, y, line, "ma")
                y += int(kind.size * 1.25)
        if book.creators:
            kind, lines = _fit(draw, book, book.byline, faces(book.byline, byline_face), 84, width, 2)
            y = H - 170 - int(kind.size * 1.25) * (len(lines) - 1)
            for line in lines:
                kind.draw(draw, W // 2, y, line, "ms")
                y += int(kind.size * 1.25)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=COVER_QUALITY, optimize=True, dpi=(300, 300))
    return buf.getvalue()


def subset_font(font_file: str, text: str) -> bytes:
    """``font_file`` cut down to the characters of ``text`` (with its layout features, names and
    licence: see fontsubset.py). Cached (cache.cached_render): a rebuild with the same
    characters costs nothing."""
    # The font files, and what subsets them (fontsubset.version), are part of the code's
    # digest that keys every cached render.
    key = repr((font_file, text))
    data, _ = cached_render("font.ttf", key, lambda: (fontsubset.subset(FONTS / font_file, text), {}))
    return data


def subset_file(path: Path, text: str) -> bytes:
    """A font file of the book's own (design.fonts) cut down to the characters of ``text``;
    cached, keyed by the file's bytes."""
    data = path.read_bytes()
    key = repr((path.name, hashlib.sha256(data).hexdigest(), text))
    subset, _ = cached_render("font.ttf", key, lambda: (fontsubset.subset(path, text), {}))
    return subset


#: Apple Books uses an EPUB's own fonts only when this file asks it to.
APPLE_DISPLAY_OPTIONS = ("META-INF/com.apple.ibooks.display-options.xml", b"""<?xml version="1.0" encoding="UTF-8"?>
<display_options>
  <platform name="*">
    <option name="specified-fonts">true</option>
  </platform>
</display_options>
""")


def design_styles(book: Book) -> list[str]:
    """The stylesheets of the book's design every document links after css/book.css, in
    order: the theme's (with the book's fonts), the author's. None in the classic look."""
    d = book.design
    out = []
    if d.theme.sheet("epub") or d.body or d.headings:
        out.append("css/theme.css")
    if d.css:
        out.append("css/book/" + d.css.path.relative_to(book.root).as_posix())
    return out


def design_items(book: Book, text: str) -> list[epub.EpubItem]:
    """What the book's design adds to the EPUB (see design_styles): the theme's stylesheet,
    the book's fonts subset to ``text`` and the theme's, the author's stylesheets and the
    files they name."""
    d = book.design
    items: list[epub.EpubItem] = []
    names: dict[Path, str] = {}
    for fam in (d.body, d.headings):
        for face in fam.faces if fam else ():
            if face.path not in names:
                stem = re.sub(r"[^A-Za-z0-9_-]", "-", face.path.stem)
                name = f"fonts/{fam.role}-{stem}{'.otf' if face.cff else '.ttf'}"
                names[face.path] = name
                items.append(epub.EpubItem(uid=f"bookfont{len(names)}", file_name=name, media_type=face.media_type,
                                           content=subset_file(face.path, text)))
    for i, f in enumerate(d.theme.fonts):
        items.append(epub.EpubItem(uid=f"themefont{i}", file_name=f"fonts/{f}", media_type="font/ttf",
                                   content=subset_font(f, text)))
    theme_css = d.theme.sheet("epub")
    css = (theme_css.read_text(encoding="utf-8") if theme_css else "") + design.font_css(
        d.theme, d.body, d.headings, lambda face: "../" + names[face.path], "epub")
    if css:
        items.append(epub.EpubItem(uid="theme-css", file_name="css/theme.css", media_type="text/css",
                                   content=css.encode("utf-8")))
    if d.css:
        # The author's files keep their places relative to each other, under css/book/:
        # every URL in them stays right as written.
        for i, (rel, path) in enumerate(sorted(d.css.files.items()), 1):
            media = design.CSS_MEDIA_TYPES[path.suffix.lower()]
            items.append(epub.EpubItem(uid=f"author{i}", file_name=f"css/book/{rel}", media_type=media,
                                       content=path.read_bytes()))
    return items


def subset_system_font(face, text: str) -> bytes:
    """An installed face (scripts.Font) cut down to ``text``; cached like subset_font, keyed by
    the font file as it is now (a font upgrade makes it again)."""
    st = face.file.stat()
    key = repr((str(face.file), face.index, st.st_size, st.st_mtime_ns, text))
    data, _ = cached_render("font.ttf", key, lambda: (fontsubset.subset(face.file, text, face.index), {}))
    return data


_BOLD = re.compile(r"<(strong|b|em)\b[^>]*>(.*?)</\1>", re.S)


def _bold_text(documents: list[str], language: str) -> str:
    """The text the EPUB sets bold: strong, and emphasis in a script without italics."""
    upright = primary(language) in NO_ITALIC_LANGUAGES
    return "".join(re.sub(r"<[^>]+>", "", m.group(2)) for d in documents for m in _BOLD.finditer(d)
                   if m.group(1) != "em" or upright)


def _characters(documents: list[str], more: str = "") -> str:
    """Every character the documents show (and ``more``: what stylesheets print), with printable ASCII always in."""
    chars = set(string.printable.strip()) | {" ", "\u00a0"} | set(more)
    for doc in documents:
        root = etree.fromstring(doc.encode("utf-8"))
        chars.update("".join(root.itertext()))
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u00a0"))


# --------------------------------------------------------------------------
# The page-list: where the print edition's pages begin
# --------------------------------------------------------------------------

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
_PLACEHOLDER = re.compile(r'<span data-pagebreak="(\d+)"\s*/>')


def pagebreak(n: int, label: str | None = None) -> str:
    """The marker of print page ``n`` (its folio ``label``, the number itself by default):
    where it begins, for reading systems and screen readers."""
    return f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{n}" aria-label="{label or n}"></span>'


def _insert_at(el, chars: int, marker) -> None:
    """Put ``marker`` inside ``el`` before the first word that begins after ``chars`` of its
    characters (white space not counted); at its end when there is none."""
    segments = []  # (element, "text" | "tail", its string), in reading order
    uncounted: set[int] = set()  # positions of a note's call: the print sets it as generated text

    def walk(e, call=False):
        call = call or "noteref" in (e.get("class") or "").split()
        start = sum(len(t) for _, _, t in segments)
        segments.append((e, "text", e.text or ""))
        for c in e:
            walk(c, call)
            segments.append((c, "tail", c.tail or ""))
        if call:
            uncounted.update(range(start, sum(len(t) for _, _, t in segments)))

    walk(el)
    text = "".join(t for _, _, t in segments)
    seen, pos = 0, len(text)
    for i, ch in enumerate(text):
        if ch.isspace() or ch == "\u00ad" or i in uncounted:  # as the print layout counts them (press.pagemap.chars)
            continue
        if seen >= chars and (i == 0 or text[i - 1].isspace()):
            pos = i
            break
        seen += 1
    for e, where, t in segments:
        if pos < len(t):  # the word's own text node: inside the element it is set in
            if where == "text":
                marker.tail, e.text = t[pos:] or None, t[:pos] or None
                e.insert(0, marker)
            else:
                marker.tail, e.tail = t[pos:] or None, t[:pos] or None
                e.addnext(marker)
            return
        pos -= len(t)
    el.append(marker)


def with_pagebreaks(html: str, starts: list[PageStart], label=str) -> str:
    """A text block's XHTML with the markers of the pages that begin in it."""
    try:
        root = etree.fromstring(f'<div xmlns="{XHTML_NS}" xmlns:epub="{OPS_NS}">{html}</div>')
    except etree.XMLSyntaxError:  # not expected (the manuscript's Markdown is rendered as XHTML)
        return "".join(pagebreak(s.page, label(s.page)) for s in starts) + html
    children = [c for c in root if isinstance(c.tag, str)]
    # Last first: an insertion leaves the places before it where they were.
    for s in sorted(starts, key=lambda s: (s.element, s.chars), reverse=True):
        marker = etree.Element(f"{{{XHTML_NS}}}span", {"data-pagebreak": str(s.page)})
        if s.element >= len(children):
            root.append(marker)
        elif s.chars == 0:
            children[s.element].addprevious(marker)
        else:
            _insert_at(children[s.element], s.chars, marker)
    inner = (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)
    inner = inner.replace(f' xmlns="{XHTML_NS}"', "").replace(f' xmlns:epub="{OPS_NS}"', "")
    return _PLACEHOLDER.sub(lambda m: pagebreak(int(m.group(1)), label(int(m.group(1)))), inner)


class PageBreaks:
    """The print edition's pages as the EPUB places them: markers by chapter, photo and text block."""

    def __init__(self, book: Book, starts: list[PageStart]):
        self.chapters: dict[int, list[int]] = {}  # chapter number: pages that open it
        self.parts: dict[int, list[int]] = {}  # part number: its title page
        self.matters: dict[str, list[int]] = {}  # front or back matter id: the page that opens it
        self.photos: dict[int, list[int]] = {}  # photo number: pages that begin with it
        texts: dict[tuple, list[PageStart]] = {}  # (chapter number or matter id, block): pages in it
        self.href: dict[int, str] = {}  # page: its document
        for s in starts:
            if s.kind == "part":
                self.parts.setdefault(s.chapter, []).append(s.page)
                self.href[s.page] = f"part-{s.chapter:02d}.xhtml"
                continue
            if s.matter is not None:
                if s.kind == "matter":
                    self.matters.setdefault(s.matter, []).append(s.page)
                else:
                    texts.setdefault((s.matter, s.block), []).append(s)
                self.href[s.page] = f"{s.matter}.xhtml"
                continue
            if s.kind == "chapter":
                self.chapters.setdefault(s.chapter, []).append(s.page)
            elif s.kind == "photo":
                self.photos.setdefault(s.photo, []).append(s.page)
            else:
                texts.setdefault((s.chapter, s.block), []).append(s)
            self.href[s.page] = f"chapter-{s.chapter:02d}.xhtml"
        # A long book's folios restart at 1 with its body (folios.py): the markers say so.
        body = [s.page for s in starts if s.kind in ("part", "chapter")]
        self.first_body = min(body) if book.long_form and body else None
        items = {c.number: c for c in book.chapters} | {m.id: m for m in book.front_matter + book.back_matter}
        self.texts = {key: with_pagebreaks(items[key[0]].blocks[key[1]].html, ss, self.label)
                      for key, ss in texts.items() if key[0] in items}

    def label(self, n: int) -> str:
        """The folio printed on page ``n`` of the print edition."""
        return folio(n, self.first_body)

    def markers(self, pages: list[int] | None) -> str:
        return "".join(pagebreak(n, self.label(n)) for n in pages or ())

    def page_list(self) -> list[tuple[str, str]]:
        """(label, href) of each page, in page order."""
        return [(self.label(n), f"{self.href[n]}#page-{n}") for n in sorted(self.href)]


# --------------------------------------------------------------------------
# The edition
# --------------------------------------------------------------------------

def _xhtml(uid: str, name: str, content: str, properties: list[str] | None = None) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=name, media_type="application/xhtml+xml", content=content.encode("utf-8"))
    item.properties = properties or []
    return item


class EPUB(Edition):
    name = "epub"
    suffix = ".epub"
    label = "EPUB"
    needs = frozenset({"page_map"})

    def targets(self, book: Book) -> list[Target]:
        return [Target("epub", EPUB_LONG_EDGE, EPUB_QUALITY, min_long_edge=EPUB_MIN_LONG_EDGE)]

    @staticmethod
    def _toc_chapter(book: Book, ch, t):
        """A chapter's NCX entry, with its sections down to toc_depth."""
        link = epub.Link(f"{ch.id}.xhtml", ch.title or chapter_label(t, ch.number), f"toc-{ch.id}")
        shown = [s for s in ch.sections if s.level <= book.toc_depth]
        if not shown:
            return link
        return (epub.Section(link.title, link.href),
                [epub.Link(f"{ch.id}.xhtml#{s.id}", s.title, f"toc-{s.id}") for s in shown])

    def more_targets(self, book: Book) -> dict[Path, list[Target]]:
        return {book.cover.path: [COVER_TARGET]} if book.cover else {}

    def cover_photo(self, book: Book) -> Asset | None:
        """The cover photo's large derivative (cached like every derivative), or None."""
        if book.cover is None:
            return None
        return derive([book.cover], [COVER_TARGET], jobs=1, limits=self.limits)[(book.cover.path, COVER_TARGET.name)]

    def preflight(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> list[Problem]:
        """Warn when the store cover will be blurred or carry no title (and what the book's
        fonts lack: design.warnings, reported once however many editions are made)."""
        found: list[Problem] = list(book.design.warnings)
        a = self.cover_photo(book)
        if a is not None:
            scale = max(COVER_SIZE[0] / a.width, COVER_SIZE[1] / a.height)
            if scale > MAX_COVER_UPSCALE:
                found.append(Problem(book.cover.where, (
                    f"cover photo '{book.cover.src}' is {a.width}x{a.height} px: the EPUB cover "
                    f"({COVER_SIZE[0]}x{COVER_SIZE[1]} px) enlarges it {scale:.1f} times and will look soft"),
                    "PR201", "warning"))
        if not cover_type_fits(book):
            where = book.cover.where if book.cover else Location(str(book.source))
            what = "is the cover photo alone" if book.cover else "is left out (no cover photo either)"
            found.append(Problem(where, f"the EPUB cover {what}: no installed font can set the title's letters",
                                 "PR202", "warning"))
        return found

    def prepare(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> None:
        compose_cover(book, self.cover_photo(book))  # kept in the cache for build()

    def build(self, book: Book, assets: dict[tuple[Path, str], Asset], given: Given = NOTHING) -> dict[str, bytes]:
        lang, dir_ = book.language, direction(book.language)
        styles = design_styles(book)  # linked by every document after css/book.css (none in the classic look)
        page = lambda template, **ctx: render(template, book, dir=dir_, w=words(lang, book.words), styles=styles,  # noqa: E731
                                              **ctx)

        e = epub.EpubBook()
        e.IDENTIFIER_ID = "pub-id"
        e.title = book.title  # the NCX's docTitle
        e.set_identifier(book.identifier)  # for the NCX; the OPF metadata is package_metadata()
        e.set_direction(dir_)

        images = _add_photos(e, book, assets)

        # The print edition's page numbers: handed over by the print edition of this
        # build, else from an earlier build's (the cache) or a layout made for them.
        page_map = given.page_map or print_page_map(book, assets, self.limits)
        starts, print_pages = list(page_map.starts), page_map.pages
        breaks = PageBreaks(book, starts)

        spine: list[epub.EpubItem] = []
        cover_jpeg = compose_cover(book, self.cover_photo(book))
        has_cover = cover_jpeg is not None
        if has_cover:
            cover_img = epub.EpubItem(uid="cover-image", file_name="images/cover.jpg",
                                      media_type="image/jpeg", content=cover_jpeg)
            cover_img.properties = ["cover-image"]
            e.add_item(cover_img)
            spine.append(_xhtml("cover", "cover.xhtml", page("epub/cover.xhtml", cover_href="images/cover.jpg")))
        toc = self._documents(book, page, spine, breaks, images, has_cover)
        for doc in spine:
            e.add_item(doc)
        extra_files = _add_styles_and_fonts(e, book, spine)
        e.add_item(epub.EpubNcx())
        e.toc = toc
        e.spine = spine
        data = _package(e, lang, package_metadata(book, source_date().strftime("%Y-%m-%dT%H:%M:%SZ"), has_cover,
                                                        print_pages if starts else None))
        return {self.filename(book): _normalise_zip(data, extra_files)}

    def _documents(self, book: Book, page, spine: list, breaks: PageBreaks, images: dict[int, str],
                   has_cover: bool) -> list:
        """Append the book's documents to ``spine`` in reading order (after the cover's);
        return the table of contents."""
        t = labels(book.language, book.words)
        xrefs = cross_reference_files(book)
        title = _xhtml("title", "title.xhtml", page("epub/title.xhtml"))
        nav = _xhtml("nav", "nav.xhtml", page("epub/nav.xhtml", has_cover=has_cover, page_list=breaks.page_list()), ["nav"])

        def matter(m):
            return _xhtml(m.id, f"{m.id}.xhtml", page("epub/matter.xhtml", m=m, xrefs=xrefs, here=f"{m.id}.xhtml",
                                                      breaks=breaks))

        spine += [title] + [matter(m) for m in book.front_before_contents] + [nav]
        spine += [matter(m) for m in book.front_after_contents]
        toc: list = [epub.Link("title.xhtml", t["title_page"], "toc-title")]
        toc += [epub.Link(f"{m.id}.xhtml", m.title or t[f"kind:{m.kind}"], f"toc-{m.id}") for m in book.front_after_contents]
        for item in book.body:
            if isinstance(item, Part):
                spine.append(_xhtml(item.id, f"{item.id}.xhtml", page("epub/part.xhtml", part=item, breaks=breaks)))
                toc.append((epub.Section(item.title, f"{item.id}.xhtml"),
                            [self._toc_chapter(book, ch, t) for ch in book.chapters_of(item)]))
                continue
            ch = item
            spine.append(_xhtml(ch.id, f"{ch.id}.xhtml", page("epub/chapter.xhtml", chapter=ch, images=images,
                                                             breaks=breaks, xrefs=xrefs, here=f"{ch.id}.xhtml")))
            if ch.part is None:
                toc.append(self._toc_chapter(book, ch, t))
        spine += [matter(m) for m in book.back_matter]
        toc += [epub.Link(f"{m.id}.xhtml", m.title or t[f"kind:{m.kind}"], f"toc-{m.id}") for m in book.back_matter]
        spine.append(_xhtml("colophon", "colophon.xhtml", page("epub/colophon.xhtml")))
        toc.append(epub.Link("colophon.xhtml", t["colophon"], "toc-colophon"))
        return toc


def _add_photos(e: epub.EpubBook, book: Book, assets) -> dict[int, str]:
    """Add each photo file once (even when placed twice): {photo number: its href}."""
    images: dict[int, str] = {}
    added: dict[Path, str] = {}
    for p in book.photos:
        a = assets[(p.path, "epub")]
        if a.path not in added:
            href = f"images/photo-{len(added) + 1:03d}.jpg"
            e.add_item(epub.EpubItem(uid=f"img{len(added) + 1:03d}", file_name=href,
                                     media_type="image/jpeg", content=a.path.read_bytes()))
            added[a.path] = href
        images[p.number] = added[a.path]
    return images


def _add_styles_and_fonts(e: epub.EpubBook, book: Book, spine: list) -> list[tuple[str, bytes]]:
    """Add the stylesheet and the fonts, cut to the characters of the ``spine``'s documents
    (the book's own design's too); return the extra files for the container (Apple's
    display options)."""
    lang = book.language
    documents = [d.content.decode("utf-8") for d in spine]
    text = _characters(documents, book.design.theme.ornaments)
    # The faces of the book's other scripts, for reading systems that have none of their own.
    faces, script_fonts = [], []
    for i, (family, weight, face, chars) in enumerate(epub_fonts(book, text, _bold_text(documents, lang))):
        data = subset_system_font(face, chars)
        name = f"fonts/{font_file_name(family, weight, data)}"
        script_fonts.append(epub.EpubItem(uid=f"script-font{i}", file_name=name, content=data,
                                          media_type="font/otf" if name.endswith(".otf") else "font/ttf"))
        faces.append((family, weight, name))
    e.add_item(epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css",
                             content=(STYLES / "epub.css").read_bytes()
                             + ((STYLES / "epub-longform.css").read_bytes() if book.long_form else b"")
                             + (SCENE_BREAK_CSS if book.long_form and book.design.plain else b"")
                             + epub_css(book, faces).encode()))
    for i, f in enumerate(FONT_FILES):
        e.add_item(epub.EpubItem(uid=f"font{i}", file_name=f"fonts/{f}", media_type="font/ttf",
                                 content=subset_font(f, text)))
    for item in script_fonts:
        e.add_item(item)
    extra_files = []
    if not book.design.plain:
        for item in design_items(book, text):
            e.add_item(item)
        extra_files.append(APPLE_DISPLAY_OPTIONS)
    return extra_files


def _package(e: epub.EpubBook, lang: str, metadata: list) -> bytes:
    """The EPUB container ebooklib writes (an intermediate: _normalise_zip compresses it once)."""
    buf = io.BytesIO()
    options = {"epub3_pages": False, "epub2_guide": False, "epub3_landmark": False,
               "package_direction": True, "spine_direction": True,
               "play_order": {"enabled": False, "start_from": 1}, "raise_exceptions": True,
               "compresslevel": 0}
    writer = ebooklib_adapter.writer(buf, e, options, lang, metadata)
    writer.process()
    writer.write()
    return buf.getvalue()


def cross_reference_files(book: Book) -> dict[str, str]:
    """{id: the file it is in} for every id a cross-reference may name (titles and
    sections of chapter and matter files, parts)."""
    out: dict[str, str] = {}
    for item in book.front_matter + book.chapters + book.back_matter:
        for ident in ([item.anchor] if item.anchor else []) + [s.id for s in item.sections]:
            out[ident] = f"{item.id}.xhtml"
    for item in book.parts + book.chapters:
        out[item.id] = f"{item.id}.xhtml"
    return out


def _normalise_zip(data: bytes, extra: list[tuple[str, bytes]] = ()) -> bytes:
    """Rewrite the container with fixed entry times: mimetype first and stored, JPEGs stored
    (deflate gains nothing on them), the rest deflated; ``extra`` entries (name, bytes) added
    after the rest (META-INF files ebooklib does not write)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        names = src.namelist()
        order = ["mimetype"] + [n for n in names if n != "mimetype"]
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            stored = name == "mimetype" or name.endswith(".jpg")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, src.read(name), compresslevel=None if stored else 9)
        for name, content in extra:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, content, compresslevel=9)
    return out.getvalue()
