"""The book's own look: its theme, its fonts and its author's stylesheet.

``design:`` in book.yaml (parsed in manuscript.py) names a theme (styles/themes/),
font families (files inside the book folder) and a CSS file (inside the book
folder). This module holds what those mean and what is checked about them:

- a theme is a folder of stylesheets, one per kind of document (``book.css`` for
  both PDFs, ``epub.css``, ``cover.css``), layered after the base styles, and a
  few numbers the layout needs before WeasyPrint runs (the page margins);
- a font family is read with fontTools: its licence bits (OS/2 fsType) must
  allow embedding and subsetting, its faces are sorted into regular, italic,
  bold and bold italic, and a face it lacks is stood in for by one it has (never
  synthesised: no slanted "italic" in print) and reported;
- the author's CSS is read with tinycss2 (WeasyPrint's own parser): every
  ``@import``, ``url()`` and ``local()`` must name a file inside the book folder,
  checked before any edition reads it, with the file, line and column.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from .errors import Location, Problem

THEMES_FOLDER = Path(__file__).resolve().parent.parent / "styles" / "themes"

#: Font files a family folder may hold (TrueType and CFF-flavoured OpenType).
FONT_SUFFIXES = (".ttf", ".otf")
#: Files an author's stylesheet may name with url(), by kind (an EPUB carries them as these types).
CSS_MEDIA_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".webp": "image/webp",
}
#: Bounds on what the author's stylesheets may be.
MAX_CSS_BYTES = 1 << 20
MAX_CSS_FILES = 32
MAX_FONT_BYTES = 32 << 20
MAX_FAMILY_FILES = 64

#: OS/2 fsType bits (OpenType spec): a licence that forbids embedding, or allows only
#: bitmaps (no outlines for a PDF), or forbids subsetting (every edition subsets).
FS_RESTRICTED, FS_NO_SUBSETTING, FS_BITMAP_ONLY = 0x0002, 0x0100, 0x0200


# --------------------------------------------------------------------------
# Themes
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Theme:
    """A theme: its stylesheets (styles/themes/NAME/) and the numbers the layout needs."""

    name: str
    #: Screen PDF page margin (points, every side).
    screen_margin: float = 54.0
    #: Print interior margins (points): top, bottom, outside (the inside is the gutter's).
    print_margins: tuple[float, float, float] = (63.0, 63.0, 45.0)
    #: The families the theme sets the text and the headings in (CSS font-family lists).
    body_stack: str = '"Noto Serif", serif'
    heading_stack: str = '"Noto Serif", serif'
    #: A drop cap at each chapter's first paragraph (in the PDFs: markup; the EPUB: ::first-letter).
    drop_cap: bool = False
    #: The vendored fonts (styles/fonts/) the theme's stylesheets use beyond Noto Serif.
    fonts: tuple[str, ...] = ()
    #: The cover title's size, as a share of the size that fits its longest phrase in Noto Serif
    #: (a theme that sets it in wider letters, small capitals say, keeps it on its lines).
    cover_title_scale: float = 1.0
    #: Characters the theme's stylesheets print (generated content): the EPUB's font subsets keep them.
    ornaments: str = ""
    description: str = ""

    def sheet(self, kind: str) -> Path | None:
        """The theme's stylesheet for ``kind`` ("book", "epub", "cover"), or None."""
        path = THEMES_FOLDER / self.name / f"{kind}.css"
        return path if path.is_file() else None


NOTO_SANS = ("NotoSans-Regular.ttf", "NotoSans-Italic.ttf", "NotoSans-Bold.ttf", "NotoSans-BoldItalic.ttf")

THEMES: dict[str, Theme] = {t.name: t for t in (
    Theme("classic", description="today's look: Noto Serif, centred titles, running heads and folios centred"),
    Theme("modern", screen_margin=64.0, print_margins=(72.0, 72.0, 54.0),
          heading_stack='"Noto Sans", sans-serif', fonts=NOTO_SANS,
          description="sans-serif headings, captions and folios flush left, generous white space"),
    Theme("gallery", screen_margin=40.0, print_margins=(45.0, 63.0, 40.0),
          heading_stack='"Noto Sans", sans-serif', fonts=NOTO_SANS,
          description="for photo books: the photos large, small captions, quiet folios, no running heads"),
    Theme("novel", drop_cap=True, ornaments="\u2042", cover_title_scale=0.82,
          description="drop caps and a small-caps opening line, an ornament for scene breaks, "
                      "author and title as running heads"),
)}
DEFAULT_THEME = "classic"


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------

#: The four faces of a family, as (CSS weight, italic).
SLOTS = {"regular": (400, False), "italic": (400, True), "bold": (700, False), "bold italic": (700, True)}


@dataclass(frozen=True)
class Face:
    path: Path
    family: str
    weight: int
    italic: bool
    cff: bool  # CFF outlines (an .otf of PostScript flavour) or TrueType

    @property
    def media_type(self) -> str:
        return "font/otf" if self.cff else "font/ttf"


@dataclass(frozen=True)
class Family:
    """A font family the book names: its faces by slot (a slot it lacks holds the nearest face it has)."""

    role: str  # "body" or "headings"
    src: str  # as written in book.yaml
    name: str  # the family's own name (the font's name table)
    slots: dict = field(hash=False)  # {slot: Face}, every key of SLOTS
    missing: tuple[str, ...] = ()  # the slots stood in for
    where: Location = Location("book.yaml")

    @property
    def css_name(self) -> str:
        """The name the stylesheets use: the book's, never confused with an installed copy."""
        return f"book-{self.role}"

    @property
    def faces(self) -> list[Face]:
        """Each distinct face file, once."""
        return list({f.path: f for f in self.slots.values()}.values())


#: Characters shown escaped in messages (a file name could carry a newline or a bidi control).
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def one_line(message: str, limit: int = 400) -> str:
    """``message`` safe to print as one line (as manuscript.one_line, which imports this module)."""
    message = _UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", message)
    return message if len(message) <= limit else message[: limit - 1] + "\u2026"


def _font_problem(where: Location, message: str, code: str, severity: str = "error") -> Problem:
    return Problem(where, one_line(message), code, severity)


def read_face(path: Path, shown: str, where: Location) -> tuple[Face | None, list[Problem]]:
    """A font file, read and checked (its licence bits): (face, []) or (None, [problem])."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        if path.stat().st_size > MAX_FONT_BYTES:
            return None, [_font_problem(where, f"font '{shown}' is larger than {MAX_FONT_BYTES >> 20} MB", "PR043")]
        with TTFont(path, lazy=True, fontNumber=0) as f:
            if "OS/2" not in f or "name" not in f or "cmap" not in f:
                return None, [_font_problem(where, f"font '{shown}' lacks the tables a book needs (OS/2, name, cmap)", "PR043")]
            os2 = f["OS/2"]
            fs_type = int(os2.fsType)
            name = f["name"]
            family = (name.getDebugName(16) or name.getDebugName(1) or path.stem).strip()
            weight = int(os2.usWeightClass)
            italic = bool(os2.fsSelection & 0x0001 or os2.fsSelection & 0x0200 or f["head"].macStyle & 0x0002)
            cff = "CFF " in f or "CFF2" in f
            if "glyf" not in f and not cff:
                return None, [_font_problem(where, f"font '{shown}' has no outlines (neither TrueType nor CFF)", "PR043")]
    except (OSError, TTLibError, KeyError, AssertionError, ValueError, TypeError, IndexError, AttributeError) as e:
        return None, [_font_problem(where, f"font '{shown}' cannot be read as a TrueType or OpenType font "
                                    f"({type(e).__name__})", "PR043")]
    if fs_type & FS_RESTRICTED:
        why = "its licence forbids embedding it (OS/2 fsType 0x%04x: restricted license)" % fs_type
    elif fs_type & FS_BITMAP_ONLY:
        why = "its licence allows embedding bitmaps only (OS/2 fsType 0x%04x)" % fs_type
    elif fs_type & FS_NO_SUBSETTING:
        why = "its licence forbids subsetting it, and every edition embeds a subset (OS/2 fsType 0x%04x)" % fs_type
    else:
        return Face(path, family, weight, italic, cff), []
    return None, [_font_problem(where, f"font '{shown}' cannot be used: {why}", "PR044")]


def family_of(role: str, src: str, path: Path, root: Path, where: Location) -> tuple[Family | None, list[Problem]]:
    """The family at ``path`` (a folder of its faces, or one file), checked; with a warning
    for each face it lacks (body text only: headings are set in one face)."""
    problems: list[Problem] = []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
        if not files:
            return None, [_font_problem(where, f"font folder '{src}' holds no .ttf or .otf file", "PR043")]
        if len(files) > MAX_FAMILY_FILES:
            return None, [_font_problem(where, f"font folder '{src}' holds more than {MAX_FAMILY_FILES} fonts", "PR043")]
    else:
        files = [path]
    faces = []
    for f in files:
        if not f.resolve().is_relative_to(root):  # a symlink in the folder
            problems.append(_font_problem(where, f"font '{src}/{f.name}' leads outside the book folder (a symlink?)",
                                          "PR041"))
            continue
        face, found = read_face(f, f"{src}/{f.name}" if path.is_dir() else src, where)
        problems += found
        if face:
            faces.append(face)
    if problems:
        return None, problems
    families = sorted({f.family for f in faces})
    if len(families) > 1:
        return None, [_font_problem(where, f"font folder '{src}' holds more than one family ({', '.join(families)}): "
                                    "give a folder of one family's faces, or one file", "PR043")]
    slots, missing = {}, []
    for slot, (weight, italic) in SLOTS.items():
        same = [f for f in faces if f.italic == italic and (f.weight >= 600) == (weight >= 600)]
        if same:
            slots[slot] = min(same, key=lambda f: (abs(f.weight - weight), f.path.name))
    if len(files) == 1 and "regular" not in slots:
        # One file for headings (a bold, say): it is the face, whatever its weight.
        slots["regular"] = faces[0]
    if "regular" not in slots:
        return None, [_font_problem(where, f"font family '{src}' has no upright regular face", "PR043")]
    for slot in SLOTS:
        if slot not in slots:
            missing.append(slot)
    # A face it lacks: the nearest it has (italic -> regular, bold italic -> bold or italic).
    stand_in = {"italic": ("regular",), "bold": ("regular",), "bold italic": ("bold", "italic", "regular")}
    for slot in missing:
        slots[slot] = next(slots[s] for s in stand_in[slot] if s in slots)
    fam = Family(role, src, families[0], slots, tuple(missing), where)
    if role == "body" and missing:
        problems.append(_font_problem(where, (
            f"font family '{src}' ({families[0]}) has no {' and no '.join(missing)} face: that text is set in "
            f"the {'upright' if 'italic' in missing else 'nearest'} face, never a slanted or thickened copy "
            "(add the missing files to the folder to have them)"), "PR045", "warning"))
    return fam, problems


def font_css(theme: Theme, body: Family | None, headings: Family | None, url_of, kind: str) -> str:
    """The @font-face rules for the book's families and the rules that set the text in
    them, for a document of ``kind`` ("book" for the PDFs, "epub", "cover"). ``url_of(face)``
    gives the URL a face is read from. Every slot is declared (a missing one with the face
    that stands in for it): WeasyPrint and reading systems then never synthesise a face."""
    out = []
    for fam in (body, headings):
        if fam is None:
            continue
        for slot, face in fam.slots.items():
            weight, italic = SLOTS[slot]
            out.append(f'@font-face {{ font-family: "{fam.css_name}"; font-style: {"italic" if italic else "normal"}; '
                       f'font-weight: {weight}; src: url("{url_of(face)}"); }}')
    if body:
        stack = f'"{body.css_name}", {theme.body_stack}'
        if kind == "epub":
            out.append(f"body {{ font-family: {stack}; }}")
        else:
            out.append(f"html {{ font-family: {stack}; }}")
        if kind == "book":
            out.append(f"@page {{ @top-center {{ font-family: {stack}; }} @bottom-center {{ font-family: {stack}; }} }}")
    if headings:
        stack = f'"{headings.css_name}", {theme.heading_stack}'
        if kind == "cover":
            out.append(f".front-title h1, .spine-title, .back-title {{ font-family: {stack}; }}")
        else:
            out.append(f"h1, h2, .half-title-text, .book-title, .chapter-title, .contents-title {{ font-family: {stack}; }}")
    return "\n".join(out) + ("\n" if out else "")


def digest(files: list[Path]) -> str:
    """A digest of the files' contents (names and bytes), "" for none."""
    import hashlib

    if not files:
        return ""
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0")
        try:
            h.update(f.read_bytes())
        except OSError:
            h.update(b"\1unreadable")
    return h.hexdigest()


# --------------------------------------------------------------------------
# The author's stylesheet
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class StyleSheet:
    """The author's CSS and every file it names, checked: what the editions read."""

    path: Path  # the top stylesheet
    src: str  # as written in book.yaml
    files: dict = field(default_factory=dict, hash=False)  # {path relative to the book folder (posix): absolute path}: every file read


def check_css(path: Path, src: str, root: Path, shown_root: str, limits_bytes: int = MAX_CSS_BYTES
              ) -> tuple[StyleSheet | None, list[Problem]]:
    """Read the author's stylesheet ``path`` (``src`` in book.yaml) and every stylesheet it
    imports, refusing each @import, url() and local() that names anything but a file
    inside the book folder ``root``: (the stylesheet and the files it names, problems)."""
    reader = _CSSReader(StyleSheet(path, src), root, shown_root, limits_bytes)
    reader.visit(path, 0)
    problems = reader.problems
    return (None if any(p.severity == "error" for p in problems) else reader.sheet), problems


class _CSSReader:
    """One check_css() call: the stylesheets read so far and the problems found."""

    def __init__(self, sheet: StyleSheet, root: Path, shown_root: str, limits_bytes: int):
        self.sheet = sheet
        self.root = root
        self.shown_root = shown_root
        self.limits_bytes = limits_bytes
        self.problems: list[Problem] = []
        self.seen: set[Path] = set()

    def shown(self, p: Path) -> str:
        """A file as the user's messages show it."""
        rel = p.relative_to(self.root).as_posix()
        return posixpath.join(self.shown_root, rel) if self.shown_root not in ("", ".") else rel

    def visit(self, css_path: Path, depth: int) -> None:
        """Read one stylesheet and check every rule in it."""
        import tinycss2

        if css_path in self.seen:
            return
        self.seen.add(css_path)
        self.sheet.files[css_path.relative_to(self.root).as_posix()] = css_path
        name = self.shown(css_path)
        if len(self.seen) > MAX_CSS_FILES:
            self.problems.append(Problem(Location(name), f"more than {MAX_CSS_FILES} stylesheets imported", "PR047"))
            return
        try:
            data = css_path.read_bytes()
        except OSError as e:
            self.problems.append(Problem(Location(name), f"stylesheet cannot be read: {e.strerror}", "PR048"))
            return
        if len(data) > self.limits_bytes:
            self.problems.append(Problem(Location(name), f"stylesheet is larger than {self.limits_bytes >> 10} KB", "PR046"))
            return
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            self.problems.append(Problem(Location(name, line), "stylesheet is not UTF-8 text", "PR046"))
            return
        rules, _ = tinycss2.parse_stylesheet_bytes(data, skip_comments=True, skip_whitespace=True)
        for node in rules:
            self.check_node(node, css_path, name, depth, top=True)

    @staticmethod
    def at(node, name: str) -> Location:
        return Location(name, getattr(node, "source_line", None), getattr(node, "source_column", None))

    def refer(self, node, url: str, css_path: Path, name: str, depth: int, what: str) -> None:
        """A URL the stylesheet names: a file inside the book, of a kind it may name."""
        where = self.at(node, name)
        shown_url = one_line(url, 120)
        parsed = urlparse(url)
        if parsed.scheme or url.startswith("//"):
            self.problems.append(Problem(where, f"{what} '{shown_url}' is not a file inside the book folder "
                                    "(pressroom reads nothing from the network or elsewhere)", "PR047"))
            return
        rel = unquote(parsed.path)
        if not rel:  # url(#id) or url(""): nothing to read
            return
        pure = PurePosixPath(rel)
        if pure.is_absolute() or "\0" in rel or "\\" in rel:
            self.problems.append(Problem(where, f"{what} '{shown_url}' is an absolute path: give it relative to the stylesheet", "PR047"))
            return
        try:
            target = (css_path.parent / pure).resolve()
        except (OSError, RuntimeError, ValueError):
            target = None
        if target is None or not target.is_relative_to(self.root):
            self.problems.append(Problem(where, f"{what} '{shown_url}' points outside the book folder", "PR047"))
            return
        suffix = target.suffix.lower()
        if suffix not in CSS_MEDIA_TYPES:
            self.problems.append(Problem(where, f"{what} '{shown_url}' is not a kind of file a book carries "
                                    f"({', '.join(sorted(CSS_MEDIA_TYPES))})", "PR048"))
            return
        if not target.is_file():
            self.problems.append(Problem(where, f"{what} '{shown_url}' not found", "PR048"))
            return
        if suffix == ".css":
            if what != "@import":
                self.problems.append(Problem(where, f"{what} '{shown_url}' names a stylesheet: use @import", "PR048"))
                return
            if depth >= 8:
                self.problems.append(Problem(where, "stylesheets import each other more than 8 deep", "PR047"))
                return
            self.visit(target, depth + 1)
            return
        if what == "@import":
            self.problems.append(Problem(where, f"@import '{shown_url}' is not a stylesheet", "PR048"))
            return
        if suffix in (".ttf", ".otf", ".woff", ".woff2"):  # its licence bits, as for the design's fonts
            _, found = read_face(target, target.relative_to(self.root).as_posix(), where)
            if found:
                self.problems.extend(found)
                return
        self.sheet.files[target.relative_to(self.root).as_posix()] = target

    def check_node(self, node, css_path: Path, name: str, depth: int, top: bool = False) -> None:
        """A rule or declaration: an @import (only at the top), else every token in it."""
        kind = getattr(node, "type", "")
        if kind == "error":
            self.problems.append(Problem(self.at(node, name), f"CSS syntax: {node.message}", "PR046"))
            return
        if kind == "at-rule" and node.lower_at_keyword == "import":
            target = next((t for t in node.prelude if t.type in ("url", "string", "function")), None)
            if target is None:
                self.problems.append(Problem(self.at(node, name), "@import names no stylesheet", "PR046"))
            elif not top:
                self.problems.append(Problem(self.at(node, name), "@import is allowed only at the top of a stylesheet", "PR046"))
            else:
                url = _url_of(target)
                if url is None:
                    self.problems.append(Problem(self.at(target, name), "@import names no stylesheet", "PR046"))
                else:
                    self.refer(target, url, css_path, name, depth, "@import")
            return
        for attr in ("prelude", "content", "arguments"):
            for child in getattr(node, attr, None) or ():
                self.check_token(child, css_path, name, depth)

    def check_token(self, token, css_path: Path, name: str, depth: int) -> None:
        """A token: url(), src(), local() and the blocks and functions that may hold them."""
        kind = getattr(token, "type", "")
        if kind == "url":
            self.refer(token, token.value, css_path, name, depth, "url()")
        elif kind == "function":
            fname = token.lower_name
            if fname == "url" or fname == "src":
                url = _url_of(token)
                if url is None:
                    self.problems.append(Problem(self.at(token, name), f"{fname}() names no file", "PR046"))
                else:
                    self.refer(token, url, css_path, name, depth, "url()")
            elif fname == "local":
                self.problems.append(Problem(self.at(token, name), "local() reads a font installed on the machine, not one in the "
                                        "book folder: name the font file with url()", "PR047"))
            else:
                for child in token.arguments:
                    self.check_token(child, css_path, name, depth)
        elif kind in ("() block", "[] block", "{} block"):
            for child in token.content:
                self.check_token(child, css_path, name, depth)
        elif kind in ("qualified-rule", "at-rule", "declaration"):
            self.check_node(token, css_path, name, depth)
        elif kind == "error":
            self.problems.append(Problem(self.at(token, name), f"CSS syntax: {token.message}", "PR046"))


def _url_of(token) -> str | None:
    """The URL a url(), src() or @import token names, or None."""
    kind = token.type
    if kind in ("url", "string"):
        return token.value
    if kind == "function":
        args = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
        if args and args[0].type == "string":
            return args[0].value
    return None



# --------------------------------------------------------------------------
# What the editions take from the design
# --------------------------------------------------------------------------

def sheets(design, kind: str) -> list:
    """The stylesheets a PDF document of ``kind`` ("book": the screen PDF and the print
    interior; "cover") takes after its own, in order: the theme's, the book's fonts, the
    author's CSS. For render_pdf's ``after_css``."""
    out: list = []
    theme_sheet = design.theme.sheet(kind)
    if theme_sheet:
        out.append(theme_sheet)
    fonts = font_css(design.theme, design.body, design.headings, lambda face: face.path.as_uri(), kind)
    if fonts:
        out.append((fonts, THEMES_FOLDER.as_uri() + "/"))
    if design.css:
        out.append(design.css.path)
    return out


#: Punctuation that opens a paragraph and belongs with its initial (“, ‘, «, ¿, ¡, (, [).
_OPENING = "\"'\u201c\u2018\u201e\u201a\u00ab\u2039\u00bf\u00a1([\u2014\u2013"


#: Scripts whose letters join the next one (Arabic, Syriac, N'Ko, Mandaic, Mongolian,
#: Hanifi Rohingya, Adlam): an initial set apart would change its shape and break the
#: word, so their chapters open without a drop cap.
_JOINING = ((0x0600, 0x077F), (0x07C0, 0x07FF), (0x0840, 0x085F), (0x0860, 0x08FF), (0xFB50, 0xFDFF),
            (0xFE70, 0xFEFF), (0x1800, 0x18AF), (0x10D00, 0x10D3F), (0x1E900, 0x1E95F))


def _joins(letter: str) -> bool:
    return any(lo <= ord(letter) <= hi for lo, hi in _JOINING)


def with_initial(html: str) -> str:
    """A chapter's first text block with its first letter (and the punctuation before
    it) in ``<span class="initial">``, for a drop cap: WeasyPrint's ::first-letter does
    not float. Unchanged when the block does not begin with a paragraph of text, or
    with a letter of a script whose letters join (_JOINING)."""
    from lxml import etree

    ns = "http://www.w3.org/1999/xhtml"
    try:
        root = etree.fromstring(f'<div xmlns="{ns}">{html}</div>')
    except etree.XMLSyntaxError:
        return html
    first = next((c for c in root if isinstance(c.tag, str)), None)
    if first is None or etree.QName(first).localname != "p" or not first.text:
        return html
    text = first.text.lstrip()
    i = 0
    while i < len(text) and text[i] in _OPENING:
        i += 1
    if i >= len(text) or not text[i].isalnum() or _joins(text[i]):
        return html
    span = etree.SubElement(first, f"{{{ns}}}span", {"class": "initial"})
    first.remove(span)
    span.text = text[: i + 1]
    span.tail = text[i + 1:]
    first.text = None
    first.insert(0, span)
    inner = (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)
    return inner.replace(f' xmlns="{ns}"', "")


def openings(book) -> dict[tuple[int, int], str]:
    """{(chapter number, 0): its HTML with a drop cap} for each chapter that opens with text
    (right under its title: a chapter that opens with a photo has none), when the theme sets
    drop caps; else {}."""
    if not book.design.theme.drop_cap:
        return {}
    return {(ch.number, 0): with_initial(ch.blocks[0].paged) for ch in book.chapters
            if ch.blocks and hasattr(ch.blocks[0], "markdown")}
