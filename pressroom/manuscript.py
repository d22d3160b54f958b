"""Read ``book.yaml`` into a :class:`Book`: the manuscript schema lives here.

The YAML is composed into nodes (never constructed into arbitrary objects), so
every value keeps the line and column it came from. The schema walk collects
every problem at once and raises :class:`ManuscriptError` with all of them;
whatever comes back is a model the rest of the program can trust.
"""

from __future__ import annotations

import dataclasses
import io
import datetime as _dt
import difflib
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import design as _design
from .errors import Problem, ManuscriptError, Location
from .limits import DEFAULT as DEFAULT_LIMITS, Limits, human_bytes
from .units import parse_length, parse_trim, TRIM_PRESETS

# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------

#: Contributor roles a writer may use, with their MARC relator codes
#: (https://id.loc.gov/vocabulary/relators). A MARC code itself is accepted too.
ROLES = {
    "author": "aut",
    "photographer": "pht",
    "editor": "edt",
    "translator": "trl",
    "illustrator": "ill",
    "designer": "dsr",
    "book designer": "bkd",
    "cover designer": "cov",
    "introduction": "win",
    "foreword": "wfw",
    "afterword": "aft",
    "contributor": "ctb",
    "narrator": "nrt",
    "compiler": "com",
    "artist": "art",
}
MARC_TO_ROLE = {code: name for name, code in ROLES.items()}

LAYOUTS = ("auto", "page", "full-bleed", "inline", "spread")
PAPERS = ("white", "cream", "color")
BINDINGS = ("paperback", "hardcover")
COLORS = ("rgb", "cmyk")
SERVICES = ("lulu", "kdp", "ingramspark")
LINK_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Contributor:
    name: str
    role: str  # a key of ROLES
    marc: str  # MARC relator code
    file_as: str | None = None
    bio: str | None = None  # a few sentences about them: the jacket's back flap


@dataclass(frozen=True)
class Text:
    """A run of Markdown paragraphs, already rendered to safe XHTML.

    ``html`` is what the EPUB and the preview show; ``paged_html``, when the text has
    footnotes, is what the PDFs set (each note inline where it is called, floated to
    the foot of the page): see :attr:`paged`."""

    markdown: str
    html: str
    where: Location
    paged_html: str = ""

    @property
    def paged(self) -> str:
        return self.paged_html or self.html


@dataclass(frozen=True)
class Photo:
    """One photo placed in the book."""

    number: int  # 1-based, in reading order
    src: str  # as written in the manuscript, relative to the book folder
    path: Path  # resolved, inside the book folder
    alt: str
    caption_html: str  # inline Markdown rendered to safe XHTML ("" when none)
    caption_text: str  # the caption as plain text
    credit: str | None
    layout: str  # one of LAYOUTS
    where: Location

    @property
    def id(self) -> str:
        return f"photo-{self.number:03d}"


Block = Text | Photo


@dataclass(frozen=True)
class Section:
    """A '##' (level 2) or '###' (level 3) heading of a chapter file, for the contents."""

    id: str
    title: str
    level: int


@dataclass(frozen=True)
class Note:
    """A footnote as the EPUB places it, at the end of its chapter: ``html`` holds its
    paragraphs, the first starting with the link back to its call."""

    id: str
    number: int
    html: str


@dataclass(frozen=True)
class Part:
    """A part title page: the chapters after it (to the next part) belong to it."""

    number: int
    title: str
    where: Location

    @property
    def id(self) -> str:
        return f"part-{self.number:02d}"


#: Front and back matter kinds: {kind: (the EPUB's epub:type, the ARIA role)}; None when
#: the vocabulary has no term for it.
MATTER_KINDS: dict[str, tuple[str | None, str | None]] = {
    "dedication": ("dedication", "doc-dedication"),
    "epigraph": ("epigraph", "doc-epigraph"),
    "foreword": ("foreword", "doc-foreword"),
    "preface": ("preface", "doc-preface"),
    "introduction": ("introduction", "doc-introduction"),
    "prologue": ("prologue", "doc-prologue"),
    "afterword": ("afterword", "doc-afterword"),
    "epilogue": ("epilogue", "doc-epilogue"),
    "acknowledgements": ("acknowledgments", "doc-acknowledgments"),
    "about-the-author": (None, None),
    "also-by": (None, None),
    "appendix": ("appendix", "doc-appendix"),
    "glossary": ("glossary", "doc-glossary"),
    "bibliography": ("bibliography", "doc-bibliography"),
    "notes": ("endnotes", "doc-endnotes"),
}
FRONT_KINDS = ("dedication", "epigraph", "foreword", "preface", "introduction", "prologue")
BACK_KINDS = ("afterword", "epilogue", "acknowledgements", "about-the-author", "also-by", "appendix", "glossary",
              "bibliography", "notes")
#: Other spellings a writer may use for a kind.
KIND_ALIASES = {"acknowledgments": "acknowledgements", "about the author": "about-the-author",
                "about-author": "about-the-author", "also by": "also-by", "endnotes": "notes"}


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str | None
    blocks: tuple[Block, ...]
    where: Location
    anchor: str | None = None  # the id of its title, from a chapter file ('# Title {#id}')
    sections: tuple[Section, ...] = ()
    notes: tuple[Note, ...] = ()
    part: int | None = None  # the number of the part it belongs to
    file: str | None = None  # its Markdown file, as book.yaml names it

    @property
    def id(self) -> str:
        return f"chapter-{self.number:02d}"

    @property
    def photos(self) -> tuple[Photo, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Photo))


@dataclass(frozen=True)
class Matter:
    """A front or back matter item: a dedication, an epigraph, a foreword...
    (``kind``: a key of MATTER_KINDS); ``side`` is "front" or "back"."""

    kind: str
    side: str
    number: int  # 1-based, on its side
    title: str | None  # the heading it shows (none on a dedication or an epigraph)
    blocks: tuple[Text, ...]
    where: Location
    source_html: str = ""  # an epigraph's source
    anchor: str | None = None
    sections: tuple[Section, ...] = ()
    notes: tuple[Note, ...] = ()
    file: str | None = None

    @property
    def id(self) -> str:
        return f"{self.side}-{self.number:02d}-{self.kind}"

    @property
    def epub_type(self) -> str | None:
        return MATTER_KINDS[self.kind][0]

    @property
    def role(self) -> str | None:
        return MATTER_KINDS[self.kind][1]

    @property
    def photos(self) -> tuple[Photo, ...]:
        return ()


@dataclass(frozen=True)
class PrintSettings:
    trim: str  # the name as written (preset or custom)
    width: float  # trim width in points (1/72 in)
    height: float  # trim height in points
    bleed: float  # points
    paper: str  # one of PAPERS
    page_multiple: int
    binding: str = "paperback"  # one of BINDINGS
    jacket: bool = False  # hardcover: a dust jacket too
    color: str = "rgb"  # one of COLORS: rgb (PDF/X-4, sRGB intent) or cmyk (PDF/X-1a)
    output_profile: Path | None = None  # cmyk: the press's CMYK output profile, inside the book folder
    service: str = "lulu"  # one of SERVICES: whose hardcover template the case wrap follows (only Lulu's so far)
    where: Location | None = None  # the print settings in the manuscript (for messages)


@dataclass(frozen=True)
class Design:
    """The book's own look (``design:``): a theme, its own font families, the author's CSS."""

    theme: _design.Theme = _design.THEMES[_design.DEFAULT_THEME]
    body: _design.Family | None = None
    headings: _design.Family | None = None
    css: _design.StyleSheet | None = None
    #: What was found about the fonts that does not stop a build (a family without an italic).
    warnings: tuple[Problem, ...] = ()
    #: A digest of the font and CSS files' contents: caches keyed by the book see an edit to them.
    digest: str = ""

    @property
    def files(self) -> list[Path]:
        """Every file the design reads from the book folder (font faces, stylesheets and what they name)."""
        fonts = [f.path for fam in (self.body, self.headings) if fam for f in fam.faces]
        return fonts + (list(self.css.files.values()) if self.css else [])

    @property
    def plain(self) -> bool:
        """The default look: no theme but classic, no fonts, no CSS (today's output, byte for byte)."""
        return self.theme.name == _design.DEFAULT_THEME and not (self.body or self.headings or self.css)


@dataclass(frozen=True)
class Book:
    source: Path  # the manuscript file
    root: Path  # the book folder (resolved)
    title: str
    subtitle: str | None
    slug: str
    language: str
    identifier: str  # "urn:isbn:..." or "urn:uuid:..."
    isbn: str | None  # the 13 digits when the identifier is an ISBN
    contributors: tuple[Contributor, ...]
    publisher: str | None
    date: str | None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    rights: str | None
    description: str | None
    subjects: tuple[str, ...]
    cover: Photo | None
    stand_in_photos: bool
    chapters: tuple[Chapter, ...]
    print: PrintSettings
    design: Design = Design()
    parts: tuple[Part, ...] = ()
    front_matter: tuple[Matter, ...] = ()
    back_matter: tuple[Matter, ...] = ()
    toc_depth: int = 1
    files: tuple[Path, ...] = ()  # the Markdown files the book reads (chapters and matter)

    @property
    def long_form(self) -> bool:
        """A book with parts, front or back matter, chapter files or sections in its
        contents: it gets folios in roman numerals in the front matter and arabic from
        the first chapter (or part). A book without them keeps one run of page numbers."""
        return bool(self.parts or self.front_matter or self.back_matter or self.files or self.toc_depth > 1)

    def part_of(self, chapter: Chapter) -> Part | None:
        return next((p for p in self.parts if p.number == chapter.part), None)

    def chapters_of(self, part: Part) -> tuple[Chapter, ...]:
        return tuple(c for c in self.chapters if c.part == part.number)

    @property
    def body(self) -> tuple:
        """The main matter in reading order: parts and chapters."""
        out: list = []
        for c in self.chapters:
            part = self.part_of(c)
            if part is not None and part not in out:
                out.append(part)
            out.append(c)
        out += [p for p in self.parts if p not in out]
        return tuple(out)

    @property
    def front_before_contents(self) -> tuple[Matter, ...]:
        """The dedication and the epigraph: before the contents, as books set them."""
        return tuple(m for m in self.front_matter if m.kind in ("dedication", "epigraph"))

    @property
    def front_after_contents(self) -> tuple[Matter, ...]:
        return tuple(m for m in self.front_matter if m.kind not in ("dedication", "epigraph"))
    #: The book's own words for what it prints (``words:``), overriding the language's: ((key, text), ...).
    words: tuple[tuple[str, str], ...] = ()
    #: Where each of them is written: ((key, Location), ...).
    word_places: tuple[tuple[str, Location], ...] = field(default=(), compare=False)

    @property
    def photos(self) -> tuple[Photo, ...]:
        return tuple(p for c in self.chapters for p in c.photos)

    @property
    def images(self) -> tuple[Photo, ...]:
        """Every image file the book uses: its photos, and the cover when it is not one of them."""
        if self.cover is not None and self.cover.path not in {p.path for p in self.photos}:
            return self.photos + (self.cover,)
        return self.photos

    @property
    def creators(self) -> tuple[Contributor, ...]:
        """Authors and photographers: the people named on the cover."""
        main = tuple(c for c in self.contributors if c.marc in ("aut", "pht"))
        return main or self.contributors[:1]

    @property
    def byline(self) -> str:
        """The creators' names, joined in the book's language ("A, B and C")."""
        from .scripts import isolate
        from .words import join_names, labels

        names = [isolate(c.name, self.language) for c in self.creators]
        return join_names(labels(self.language, self.words), names)


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------

def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "xhtmlOut": True})
    # Raw HTML is off: tags in the text come out as escaped text.
    md.disable(["image", "html_block", "html_inline"])
    md.validateLink = lambda url: True  # we check schemes ourselves, with a location
    return md


MD = _markdown()
_LINK_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# Characters XML 1.0 forbids (C0 controls but tab/newline/return, surrogates, FFFE/FFFF).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Bidi embeddings/overrides (closed by PDF, U+202C) and isolates (closed by PDI, U+2069).
_BIDI_OPEN_EMBED = "\u202a\u202b\u202d\u202e"
_BIDI_OPEN_ISOLATE = "\u2066\u2067\u2068"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def balance_bidi(text: str) -> str:
    """Keep a writer's bidi controls but close each one the value leaves open, and
    drop closers with nothing to close, so no value can reorder the text after it
    (the credit after a caption, the next line of a list)."""
    if not _BIDI.search(text):
        return text
    # Each line on its own: conservative, as a line may become its own paragraph.
    return "\n".join("".join(_balance_runs([line])) for line in text.split("\n"))


def _balance_runs(runs: list[str]) -> list[str]:
    """Balance bidi controls across consecutive runs of one paragraph's text (the
    text pieces between its inline tags); the closers are one more run at the end."""
    stack: list[str] = []
    out = []
    for run in runs:
        buf = []
        for ch in run:
            if ch in _BIDI_OPEN_EMBED or ch in _BIDI_OPEN_ISOLATE:
                if len(stack) < 60:  # UAX #9 stops at 125 levels
                    stack.append(ch)
                    buf.append(ch)
            elif ch == "\u202c":  # PDF closes the innermost embedding, never an isolate
                if stack and stack[-1] in _BIDI_OPEN_EMBED:
                    stack.pop()
                    buf.append(ch)
            elif ch == "\u2069":  # PDI closes up to the innermost isolate
                if any(c in _BIDI_OPEN_ISOLATE for c in stack):
                    while stack.pop() not in _BIDI_OPEN_ISOLATE:
                        buf.append("\u202c")
                    buf.append(ch)
            else:
                buf.append(ch)
        out.append("".join(buf))
    return out + ["".join("\u2069" if c in _BIDI_OPEN_ISOLATE else "\u202c" for c in reversed(stack))]


def _balance_tokens(tokens) -> None:
    """Balance bidi controls within each paragraph (inline token) after Markdown, since
    entities like ``&#x202E;`` become controls only there."""
    for tok in tokens:
        if tok.type != "inline" or not tok.children:
            continue
        texts = [c for c in tok.children if c.type in ("text", "code_inline")]
        if texts and any(_BIDI.search(c.content) for c in texts):
            *balanced, closers = _balance_runs([c.content for c in texts])
            for c, b in zip(texts, balanced):
                c.content = b
            if closers:  # after the paragraph's last tag, inside the paragraph
                tok.children.append(Token("text", "", 0, content=closers))


def _links(tokens) -> list[str]:
    out = []
    for tok in tokens:
        if tok.type == "link_open":
            out.append(tok.attrs.get("href", ""))
        if tok.children:
            out.extend(_links(tok.children))
    return out


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

MAX_NODES = 200_000  # bounds alias expansion ("billion laughs")
MAX_DEPTH = 64  # bounds nesting ("[[[[...": PyYAML composes recursively)
MAX_PATH_CHARS = 1024  # a photo reference; each part at most 255 bytes, like most file systems

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


#: Used only to parse and compose nodes, never to construct objects. libyaml's
#: loader is about 100 times faster than PyYAML's own (a 1 MB manuscript: 0.02 s
#: instead of 2.4 s); both keep every node's line and column.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_constructor = yaml.SafeLoader("")  # only its scalar constructors are used


@dataclass
class _Ctx:
    file: str  # the manuscript path as shown in messages
    root: Path
    limits: Limits = DEFAULT_LIMITS
    problems: list[Problem] = field(default_factory=list)
    nodes: int = 0
    text_bytes: int = 0  # of the manuscript and the Markdown files it names
    files: list[Path] = field(default_factory=list)  # the Markdown files read
    ids: set[str] = field(default_factory=set)  # ids given in the book's Markdown files
    links: list[tuple[str, Location]] = field(default_factory=list)  # cross-references to check
    text: str = ""  # the manuscript, for places counted in its lines (see _place)

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.file, *_place(self.text, node.start_mark))

    def error(self, node: yaml.Node | Location | None, message: str, code: str) -> None:
        if isinstance(node, Location):
            where = node
        else:
            where = self.loc(node) if node is not None else Location(self.file, 1, 1)
        self.problems.append(Problem(where, one_line(message), code))


#: Characters shown escaped in messages: controls (a newline would forge a second
#: message line) and bidi controls (they would reorder the text of the message).
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                         "\ud800-\udfff\ufeff]")


def one_line(message: str, limit: int = 400) -> str:
    """A message safe to print as one terminal line: controls escaped, length bounded."""
    message = _UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xff
                              else f"\\x{ord(m.group()):02x}", message)
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_manuscript(book: str | Path) -> Path:
    """The manuscript for ``--book``: a folder holding book.yaml, or a YAML file."""
    p = Path(book)
    if p.is_dir():
        return p / "book.yaml"
    return p


def load(book: str | Path, limits: Limits = DEFAULT_LIMITS) -> Book:
    """Load and validate a manuscript; raise ManuscriptError listing every problem."""
    path = find_manuscript(book)
    shown = one_line(_display(path) if path.is_absolute() else str(path))
    ctx = _Ctx(shown, path.parent.resolve(), limits)
    if not Path(book).exists():
        raise ManuscriptError([Problem(Location(one_line(str(book))), "book folder not found", "PR001")])
    if not path.exists():
        raise ManuscriptError([Problem(Location(shown), "manuscript not found (a book folder holds book.yaml)", "PR001")])
    if not path.is_file():
        raise ManuscriptError([Problem(Location(shown), "manuscript is not a file", "PR001")])
    if not path.resolve().is_relative_to(ctx.root):
        raise ManuscriptError([Problem(Location(shown), "manuscript is a symlink that leads outside the book folder", "PR001")])
    too_big = Problem(Location(shown), f"manuscript is larger than the limit of {human_bytes(limits.max_manuscript_bytes)}"
                      " (raise it with --max-manuscript-size)", "PR002")
    if path.stat().st_size > limits.max_manuscript_bytes:
        raise ManuscriptError([too_big])
    try:
        with open(path, "rb") as f:
            raw = f.read(limits.max_manuscript_bytes + 1)
    except OSError as e:
        raise ManuscriptError([Problem(Location(shown), f"manuscript cannot be read: {e.strerror}", "PR001")]) from None
    if len(raw) > limits.max_manuscript_bytes:
        raise ManuscriptError([too_big])
    try:
        text = raw.decode("utf-8-sig")
        ctx.text = text
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ManuscriptError([Problem(Location(shown, line), "manuscript is not UTF-8 text", "PR003")]) from None
    try:
        _check_depth(text, shown)
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except RecursionError:  # _check_depth should make this unreachable
        raise ManuscriptError([Problem(Location(shown), f"manuscript nests lists and mappings too deeply", "PR006")]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = Location(shown, *_place(text, mark)) if mark else Location(shown)
        msg = f"YAML syntax: {e.problem or e.context}"
        if "nesting depth" in msg:  # libyaml's own bound, met while it scans ahead of ours
            raise ManuscriptError([Problem(where, f"manuscript nests lists and mappings more than {MAX_DEPTH} deep", "PR006")]) from None
        raise ManuscriptError([Problem(where, one_line(msg), "PR004")]) from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow anywhere
        before = text[: e.position]
        where = Location(shown, before.count("\n") + 1, e.position - (before.rfind("\n") + 1) + 1)
        msg = f"manuscript contains the character U+{e.character:04X}, which YAML does not allow (a control character?)"
        raise ManuscriptError([Problem(where, msg, "PR013")]) from None
    except yaml.YAMLError as e:
        raise ManuscriptError([Problem(Location(shown), one_line(f"YAML: {e}"), "PR004")]) from None
    if len(nodes) > 1:
        raise ManuscriptError([Problem(ctx.loc(nodes[1]), "manuscript holds more than one YAML document", "PR004")])
    if not nodes or nodes[0] is None:
        raise ManuscriptError([Problem(Location(shown), "manuscript is empty", "PR005")])
    top = nodes[0]
    if not isinstance(top, yaml.MappingNode):
        raise ManuscriptError([Problem(ctx.loc(top), "manuscript must be a mapping of keys like 'title:'", "PR005")])
    try:
        _prescan(ctx, top)
    except _TooBig as e:
        raise ManuscriptError([Problem(Location(shown), f"manuscript expands to more than {e} (YAML aliases?)", "PR006")]) from None
    if ctx.problems:  # refused tags: the values behind them mean nothing
        raise ManuscriptError(ctx.problems)
    book_ = _book(ctx, top, path)
    if ctx.problems:
        raise ManuscriptError(ctx.problems)
    return book_


class _TooBig(Exception):
    """The manuscript expands to more nodes than MAX_NODES."""


def _place(text: str, mark) -> tuple[int, int]:
    """(line, column) of a YAML mark, counted in the file's lines: YAML counts NEL (U+0085) and
    the Unicode line and paragraph separators as line breaks too, which no editor shows."""
    i = getattr(mark, "index", None)
    if text and isinstance(i, int) and 0 <= i <= len(text):
        return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1
    return mark.line + 1, mark.column + 1


def _check_depth(text: str, shown: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before composing (the event parser is iterative)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                m = event.start_mark
                raise ManuscriptError([Problem(Location(shown, *_place(text, m)),
                                               f"manuscript nests lists and mappings more than {MAX_DEPTH} deep", "PR006")])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


# --------------------------------------------------------------------------
# Node helpers
# --------------------------------------------------------------------------

def _prescan(ctx: _Ctx, top: yaml.Node) -> None:
    """Visit every node as the schema walk would (aliases expanded), refusing
    language-specific tags and bounding the expansion of aliases."""
    stack = [top]
    # Without aliases the text of all values is at most the file's size: an alias
    # repeating a long value must not multiply it past that (a "billion laughs" of text).
    max_chars = 2 * ctx.limits.max_manuscript_bytes
    chars = 0
    while stack:
        node = stack.pop()
        ctx.nodes += 1
        if ctx.nodes > MAX_NODES:
            raise _TooBig(f"{MAX_NODES:,} values")
        if isinstance(node, yaml.ScalarNode):
            chars += len(node.value)
            if chars > max_chars:
                raise _TooBig(f"{human_bytes(max_chars)} of text")
            ok = node.tag in _SCALAR_TAGS
        elif isinstance(node, yaml.SequenceNode):
            ok = node.tag == "tag:yaml.org,2002:seq"
            stack.extend(node.value)
        else:
            ok = node.tag == "tag:yaml.org,2002:map"
            for k, v in node.value:
                stack.extend((k, v))
        if not ok:
            ctx.error(node, f"YAML tag '{node.tag}' is not allowed in a manuscript", "PR007")


def _scalar(ctx: _Ctx, node: yaml.Node) -> Any:
    """The scalar's value; one that only looks like a date or number (2026-13-45,
    a 5000-digit integer) stays the text it is, for the schema to judge."""
    try:
        return _constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        return str(node.value)


def _mapping(ctx: _Ctx, node: yaml.Node, what: str, fields: dict[str, Any]) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    """Return {key: (key_node, value_node)}, reporting unknown and duplicate keys."""
    if not isinstance(node, yaml.MappingNode):
        ctx.error(node, f"{what} must be a mapping (key: value lines), not {_kind(node)}", "PR010")
        return None
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode) or knode.tag == "tag:yaml.org,2002:merge":
            ctx.error(knode, f"{what}: keys must be plain words", "PR010")
            continue
        key = str(knode.value)
        if key in out:
            first = out[key][0]
            ctx.error(knode, f"duplicate key '{key}' in {what} (first at line {_place(ctx.text, first.start_mark)[0]})", "PR011")
            continue
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(fields)}"
            ctx.error(knode, f"unknown key '{key}' in {what}{hint}", "PR012")
            continue
        out[key] = (knode, vnode)
    return out


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "empty"
    return f"'{node.value}'"


def _clean_text(ctx: _Ctx, node: yaml.Node, value: str, what: str) -> str:
    if _XML_FORBIDDEN.search(value):
        ctx.error(node, f"{what} contains a control character that cannot appear in a book", "PR013")
        value = _XML_FORBIDDEN.sub("", value)
    return balance_bidi(unicodedata.normalize("NFC", value))


def _string(ctx: _Ctx, node: yaml.Node, what: str, *, allow_empty: bool = False) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        ctx.error(node, f"{what} must be text, not {_kind(node)}", "PR014")
        return None
    value = _scalar(ctx, node)
    if value is None:
        if node.tag == "tag:yaml.org,2002:null" and not allow_empty:
            ctx.error(node, f"{what} is empty", "PR015")
        return None
    if isinstance(value, bool):
        ctx.error(node, f"{what} must be text; quote it: \"{node.value}\"", "PR014")
        return None
    if isinstance(value, (_dt.date, _dt.datetime, int, float)):
        value = str(node.value)  # a writer who types 1984 as a subtitle means the text
    value = _clean_text(ctx, node, str(value), what).strip()
    if not value and not allow_empty:
        ctx.error(node, f"{what} is empty", "PR015")
        return None
    return value


def _bool(ctx: _Ctx, node: yaml.Node, what: str) -> bool | None:
    value = _scalar(ctx, node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, bool):
        ctx.error(node, f"{what} must be true or false, not {_kind(node)}", "PR014")
        return None
    return value


def _int(ctx: _Ctx, node: yaml.Node, what: str, lo: int, hi: int) -> int | None:
    value = _scalar(ctx, node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        ctx.error(node, f"{what} must be a whole number from {lo} to {hi}, not {_kind(node)}", "PR014")
        return None
    return value


def _list(ctx: _Ctx, node: yaml.Node, what: str) -> list[yaml.Node] | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return []
    if not isinstance(node, yaml.SequenceNode):
        ctx.error(node, f"{what} must be a list (lines starting with '- '), not {_kind(node)}", "PR014")
        return None
    return list(node.value)


def _markdown_html(ctx: _Ctx, node: yaml.Node, text: str, *, inline: bool, what: str) -> str:
    tokens = MD.parseInline(text) if inline else MD.parse(text)
    for href in _links(tokens):
        m = _LINK_RE.match(href)
        if m is None or m.group(1).lower() not in LINK_SCHEMES:
            ctx.error(node, f"link '{href}' in {what} is not allowed: use an http, https or mailto address", "PR020")
    _balance_tokens(tokens)
    return MD.renderer.render(tokens, MD.options, {}).strip()


def _plain(html: str) -> str:
    import html as _html

    return _html.unescape(re.sub(r"<[^>]+>", "", html)).strip()


# --------------------------------------------------------------------------
# Identifiers, languages, dates, slugs
# --------------------------------------------------------------------------

_BCP47 = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language (+ extlang)
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[A-Za-z0-9]{1,8})+)?$"
)


def isbn13_ok(digits: str) -> bool:
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


#: Greek and Cyrillic letters in Latin ones (ELOT 743 and a common romanisation of Russian,
#: with the other Cyrillic alphabets' letters): a slug readers can still read.
_TRANSLIT = {
    **dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω",
               "a v g d e z i th i k l m n x o p r s s t y f ch ps o".split())),
    **dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґўјљњђћџѓќѕ",
               "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i yi ye g u j lj nj "
               "dj c dz g k dz".split())),
}


def slugify(text: str, identifier: str | None = None) -> str:
    """The file name of a title: Latin letters as they are (accents dropped), Greek and
    Cyrillic ones transliterated. A title with letters of other scripts (Chinese, Arabic,
    Hindi...) that no letters stand for gets ``identifier``'s digits or first hex digits
    after what is left ("tokyo-31d6a6ee", "book-9780306406157"): two such books never
    share a name."""
    out, lost = [], False
    for ch in unicodedata.normalize("NFC", text).lower():
        base = unicodedata.normalize("NFD", ch)[0]
        if ch in _TRANSLIT or base in _TRANSLIT:
            latin = _TRANSLIT.get(ch, _TRANSLIT.get(base))
            out.append("" if latin == "_" else latin)
            continue
        folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        if not folded and unicodedata.category(ch).startswith("M"):
            continue  # a mark left over from lowering ("İ": i and a dot above) joins its letter
        if not folded and unicodedata.category(ch).startswith("L"):
            lost = True
        out.append(folded or " ")
    s = re.sub(r"[^a-zA-Z0-9]+", "-", "".join(out).replace(" ", "-")).strip("-").lower()[:80].strip("-")
    if lost and identifier:
        tail = identifier.rsplit(":", 1)[-1].replace("-", "")
        tail = tail if identifier.startswith("urn:isbn:") else tail[:8]
        s = f"{s[:70].strip('-') or 'book'}-{tail}"
    return s or "book"


# --------------------------------------------------------------------------
# The schema walk
# --------------------------------------------------------------------------

BOOK_KEYS = {
    "title": "the book's title (required)",
    "subtitle": "",
    "slug": "",
    "language": "BCP 47 tag (required)",
    "identifier": "",
    "contributors": "",
    "publisher": "",
    "date": "",
    "rights": "",
    "description": "",
    "subjects": "",
    "cover": "",
    "stand_in_photos": "",
    "print": "",
    "design": "the book's look: theme, fonts, css",
    "toc_depth": "",
    "front_matter": "",
    "words": "the book's own words for what it prints",
    "chapters": "",
    "back_matter": "",
}
CONTRIBUTOR_KEYS = {"name": "", "role": "", "file_as": "", "bio": ""}
CHAPTER_KEYS = {"title": "", "content": "", "file": ""}
PART_KEYS = {"part": ""}
MATTER_KEYS = {"dedication": "", "epigraph": "", "source": "", "file": "", "kind": "", "title": "", "text": ""}
PHOTO_KEYS = {"photo": "", "alt": "", "caption": "", "credit": "", "layout": ""}
TEXT_KEYS = {"text": ""}
PRINT_KEYS = {"trim": "", "bleed": "", "paper": "", "page_multiple": "", "color": "", "output_profile": "",
              "binding": "", "jacket": "", "service": ""}
DESIGN_KEYS = {"theme": "", "fonts": "", "css": ""}
FONT_ROLES = {"body": "", "headings": ""}


def _book(ctx: _Ctx, top: yaml.MappingNode, path: Path) -> Book | None:
    m = _mapping(ctx, top, "the manuscript", BOOK_KEYS) or {}

    def get(key: str, conv: Callable[[yaml.Node], Any], default: Any = None) -> Any:
        if key not in m:
            return default
        return conv(m[key][1])

    title = get("title", lambda n: _string(ctx, n, "title"))
    if "title" not in m:
        ctx.error(top, "missing required key 'title'", "PR016")
    language = get("language", lambda n: _language(ctx, n))
    if "language" not in m:
        ctx.error(top, "missing required key 'language' (a BCP 47 tag such as 'en' or 'pt-BR')", "PR016")
    subtitle = get("subtitle", lambda n: _string(ctx, n, "subtitle"))
    slug = get("slug", lambda n: _slug(ctx, n))
    identifier, isbn = get("identifier", lambda n: _identifier(ctx, n), (None, None))
    contributors = get("contributors", lambda n: _contributors(ctx, n), ())
    publisher = get("publisher", lambda n: _string(ctx, n, "publisher"))
    date = get("date", lambda n: _date(ctx, n))
    rights = get("rights", lambda n: _string(ctx, n, "rights"))
    description = get("description", lambda n: _string(ctx, n, "description"))
    subjects = get("subjects", lambda n: _subjects(ctx, n), ())
    stand_in = get("stand_in_photos", lambda n: _bool(ctx, n, "stand_in_photos"), False)
    print_ = get("print", lambda n: _print(ctx, n), None) or _print_defaults()
    design = get("design", lambda n: _design_of(ctx, n), None) or Design()
    words, word_places = get("words", lambda n: _words(ctx, n), ((), ()))

    ctx.text_bytes = path.stat().st_size
    toc_depth = get("toc_depth", lambda n: _int(ctx, n, "toc_depth", 1, 3), 1) or 1
    front = get("front_matter", lambda n: _matter(ctx, n, "front"), ())
    counter = [0]
    chapters: tuple[Chapter, ...] = ()
    parts: tuple[Part, ...] = ()
    if "chapters" not in m:
        ctx.error(top, "missing required key 'chapters' (a list of chapters, each with 'content' or 'file')", "PR016")
    else:
        chapters, parts = _chapters(ctx, m["chapters"][1], counter)
    back = get("back_matter", lambda n: _matter(ctx, n, "back"), ())
    for target, where in ctx.links:
        if target not in ctx.ids:
            close = difflib.get_close_matches(target, sorted(ctx.ids), n=1, cutoff=0.6)
            hint = f"; did you mean '#{close[0]}'?" if close else ""
            ctx.error(where, f"cross-reference '#{target}' leads nowhere: no heading in the book has that id{hint}", "PR052")

    cover = None
    if "cover" in m:
        cover = _cover(ctx, m["cover"][1], chapters)
    _count_photos(ctx, chapters, cover)
    if title is None:
        return None
    if identifier is None:
        identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "pressroom:" + title))
    return Book(
        source=path.resolve(),
        root=ctx.root,
        title=title,
        subtitle=subtitle,
        slug=slug or slugify(title, identifier),
        language=language or "und",
        identifier=identifier,
        isbn=isbn,
        contributors=tuple(contributors or ()),
        publisher=publisher,
        date=date,
        rights=rights,
        description=description,
        subjects=tuple(subjects or ()),
        cover=cover,
        stand_in_photos=bool(stand_in),
        chapters=chapters,
        print=print_,
        design=design,
        parts=parts,
        front_matter=tuple(front or ()),
        back_matter=tuple(back or ()),
        toc_depth=toc_depth,
        files=tuple(ctx.files),
        words=words,
        word_places=word_places,
    )


def _count_photos(ctx: _Ctx, chapters: tuple[Chapter, ...], cover: Photo | None) -> None:
    """Refuse a book naming more distinct photo files than the limit, at the first one too many."""
    seen: set[Path] = set()
    for p in [p for c in chapters for p in c.photos] + ([cover] if cover else []):
        seen.add(p.path)
        if len(seen) > ctx.limits.max_photos:
            ctx.problems.append(Problem(p.where, f"photo '{p.src}' is one more than the limit of "
                                        f"{ctx.limits.max_photos} photos (raise it with --max-photos)", "PR029"))
            return


def _language(ctx: _Ctx, node: yaml.Node) -> str | None:
    value = _string(ctx, node, "language")
    if value is None:
        return None
    if not _BCP47.match(value):
        ctx.error(node, f"language '{value}' is not a BCP 47 tag (examples: en, fr, pt-BR, zh-Hant)", "PR017")
        return None
    return value


def _slug(ctx: _Ctx, node: yaml.Node) -> str | None:
    value = _string(ctx, node, "slug")
    if value is None:
        return None
    if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", value) or len(value) > 80:
        ctx.error(node, f"slug '{value}' must be lowercase letters, digits and hyphens (it names the output files), e.g. '{slugify(value)}'", "PR018")
        return None
    return value


def _identifier(ctx: _Ctx, node: yaml.Node) -> tuple[str | None, str | None]:
    value = _string(ctx, node, "identifier")
    if value is None:
        return None, None
    v = value.strip()
    low = v.lower()
    for prefix in ("urn:isbn:", "isbn:", "isbn"):
        if low.startswith(prefix):
            v = v[len(prefix):].strip()
            break
    digits = re.sub(r"[\s-]", "", v)
    if re.fullmatch(r"\d{13}", digits):
        if not isbn13_ok(digits):
            ctx.error(node, f"ISBN '{value}' has a wrong check digit or prefix (an ISBN-13 starts 978 or 979)", "PR019")
            return None, None
        return "urn:isbn:" + digits, digits
    if re.fullmatch(r"\d{9}[\dXx]", digits):
        ctx.error(node, f"'{value}' looks like an ISBN-10: give the ISBN-13 (978...)", "PR019")
        return None, None
    u = low.removeprefix("urn:uuid:")
    try:
        return "urn:uuid:" + str(uuid.UUID(u)), None
    except ValueError:
        ctx.error(node, f"identifier '{value}' is neither an ISBN-13 nor a UUID", "PR019")
        return None, None


def _date(ctx: _Ctx, node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        ctx.error(node, f"date must be a date like 2026-11-26, not {_kind(node)}", "PR014")
        return None
    value = _scalar(ctx, node)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(node.value).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text)
    if m and (m.group(2) is None or 1 <= int(m.group(2)) <= 12):
        return text
    ctx.error(node, f"date '{text}' must be YYYY, YYYY-MM or YYYY-MM-DD", "PR014")
    return None


def _subjects(ctx: _Ctx, node: yaml.Node) -> tuple[str, ...]:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        s = _string(ctx, node, "subjects")
        return (s,) if s else ()
    items = _list(ctx, node, "subjects") or []
    return tuple(s for n in items if (s := _string(ctx, n, "a subject")))


def _contributors(ctx: _Ctx, node: yaml.Node) -> tuple[Contributor, ...]:
    out = []
    for item in _list(ctx, node, "contributors") or []:
        m = _mapping(ctx, item, "a contributor", CONTRIBUTOR_KEYS)
        if m is None:
            continue
        if "name" not in m:
            ctx.error(item, "a contributor needs a 'name'", "PR016")
            continue
        name = _string(ctx, m["name"][1], "contributor name")
        role, marc = "author", "aut"
        if "role" in m:
            r = _string(ctx, m["role"][1], "contributor role")
            if r is not None:
                key = r.lower().strip()
                if key in ROLES:
                    role, marc = key, ROLES[key]
                elif key in MARC_TO_ROLE:
                    role, marc = MARC_TO_ROLE[key], key
                else:
                    close = difflib.get_close_matches(key, list(ROLES), n=1, cutoff=0.6)
                    hint = f"; did you mean '{close[0]}'?" if close else f"; use one of: {', '.join(ROLES)}"
                    ctx.error(m["role"][1], f"unknown role '{r}'{hint}", "PR021")
        file_as = _string(ctx, m["file_as"][1], "file_as") if "file_as" in m else None
        if name:
            bio = _string(ctx, m["bio"][1], "bio") if "bio" in m else None
            out.append(Contributor(name, role, marc, file_as, bio))
    return tuple(out)


def _words(ctx: _Ctx, node: yaml.Node) -> tuple[tuple, tuple]:
    """The ``words:`` mapping: each key a word the book prints (words.keys()), each value its text."""
    from .words import PATTERNS, keys

    known = {k: "" for k in keys()}
    m = _mapping(ctx, node, "words", known)
    if m is None:
        return (), ()
    out, places = [], []
    for key, (knode, vnode) in m.items():
        value = _string(ctx, vnode, f"words: {key}", allow_empty=key in ("space",))
        if value is None:
            if key == "space":
                out.append((key, ""))
                places.append((key, ctx.loc(vnode)))
            continue
        if key in ("sep", "comma", "and", "space"):  # the spaces around them are the point
            raw = vnode.value if isinstance(vnode.value, str) else value
            value = _clean_text(ctx, vnode, raw, f"words: {key}")
        need = PATTERNS.get(key)
        if need and need not in value:
            ctx.error(vnode, f"words: {key} must contain {need} where the number goes (e.g. 'Chapter {need}')", "PR037")
            continue
        out.append((key, value))
        places.append((key, ctx.loc(vnode)))
    return tuple(out), tuple(places)


def _print_defaults() -> PrintSettings:
    w, h = TRIM_PRESETS["6x9in"]
    return PrintSettings("6x9in", w, h, parse_length("0.125in"), "white", 4)


def _print(ctx: _Ctx, node: yaml.Node) -> PrintSettings | None:
    m = _mapping(ctx, node, "print", PRINT_KEYS)
    if m is None:
        return None
    d = _print_defaults()
    trim_name, width, height = d.trim, d.width, d.height
    if "trim" in m:
        t = _string(ctx, m["trim"][1], "print trim")
        if t is not None:
            try:
                width, height = parse_trim(t)
                trim_name = t
            except ValueError as e:
                ctx.error(m["trim"][1], str(e), "PR022")
    bleed = d.bleed
    if "bleed" in m:
        b = _string(ctx, m["bleed"][1], "print bleed")
        if b is not None:
            try:
                bleed = parse_length(b)
                if not 0 <= bleed <= 72:
                    raise ValueError(f"bleed '{b}' must be between 0 and 1in")
            except ValueError as e:
                ctx.error(m["bleed"][1], str(e), "PR022")
    paper = d.paper
    if "paper" in m:
        p = _string(ctx, m["paper"][1], "print paper")
        if p is not None:
            if p.lower() in PAPERS:
                paper = p.lower()
            else:
                ctx.error(m["paper"][1], f"paper '{p}' must be one of: {', '.join(PAPERS)}", "PR022")
    multiple = d.page_multiple
    if "page_multiple" in m:
        multiple = _int(ctx, m["page_multiple"][1], "print page_multiple", 1, 32) or multiple
    binding = _choice(ctx, m, "binding", BINDINGS) or d.binding
    color = _choice(ctx, m, "color", COLORS) or d.color
    service = _choice(ctx, m, "service", SERVICES) or d.service
    jacket = False
    if "jacket" in m:
        jacket = bool(_bool(ctx, m["jacket"][1], "print jacket"))
        if jacket and binding != "hardcover":
            ctx.error(m["jacket"][1], "a dust jacket is for a hardcover: add 'binding: hardcover' or remove "
                      "'jacket'", "PR022")
            jacket = False
    if "service" in m and service != "lulu" and binding == "hardcover":
        ctx.error(m["service"][1], f"pressroom follows Lulu's casewrap template for a hardcover; it has no "
                  f"{service} case-wrap numbers it can vouch for: use 'service: lulu', or build the case from "
                  f"{service}'s own cover template", "PR022")
    profile = None
    if "output_profile" in m:
        pnode = m["output_profile"][1]
        profile = _output_profile(ctx, pnode)
        if profile is not None and color != "cmyk":
            ctx.error(pnode, "an output profile is for CMYK files: add 'color: cmyk' or remove 'output_profile'", "PR022")
            profile = None
    return PrintSettings(trim_name, width, height, bleed, paper, multiple, binding, jacket, color, profile, service,
                         ctx.loc(node))


def _choice(ctx: _Ctx, m: dict, key: str, choices: tuple[str, ...]) -> str | None:
    """The value of the print setting ``key``, one of ``choices`` (None when absent or wrong)."""
    if key not in m:
        return None
    node = m[key][1]
    value = _string(ctx, node, f"print {key}")
    if value is None:
        return None
    if value.lower() in choices:
        return value.lower()
    close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    ctx.error(node, f"print {key} '{value}' is unknown; {hint}use one of: {', '.join(choices)}", "PR022")
    return None


def check_profile(data: bytes) -> str:
    """The reason ``data`` is not a usable CMYK output profile, or "" when it is."""
    from PIL import ImageCms

    if len(data) < 132 or data[36:40] != b"acsp":
        return "is not an ICC profile"
    if data[16:20] != b"CMYK":
        return f"is a {data[16:20].decode('latin-1').strip() or '?'} profile; a press needs a CMYK one"
    if data[12:16] != b"prtr":
        kind = {b"mntr": "display", b"scnr": "input (scanner, camera)", b"link": "device link",
                b"spac": "colour space", b"abst": "abstract", b"nmcl": "named colour"}.get(data[12:16], "not an output")
        return f"is a {kind} profile; a press needs a CMYK output (printer) profile"
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
        ImageCms.buildTransform(ImageCms.createProfile("sRGB"), profile, "RGB", "CMYK", renderingIntent=1)
    except (ImageCms.PyCMSError, OSError, ValueError) as e:
        return f"cannot be used by LittleCMS ({e})"
    return ""


#: The largest output profile read (real ones are 0.5 to 3 MB).
MAX_PROFILE_BYTES = 16 << 20


def _output_profile(ctx: _Ctx, node: yaml.Node) -> Path | None:
    """The press's CMYK output profile: a file inside the book folder that LittleCMS reads
    as a CMYK output (printer) profile."""
    src = _string(ctx, node, "print output_profile")
    if src is None:
        return None
    shown = one_line(src)[:120]
    pure = PurePosixPath(src.replace("\\", "/"))
    if _CONTROL.search(src) or re.match(r"^[A-Za-z]:", src) or _LINK_RE.match(src) or pure.is_absolute() \
            or ".." in pure.parts:
        ctx.error(node, f"output profile '{shown}' must be a file inside the book folder, given relative to "
                  "book.yaml (e.g. profiles/press.icc)", "PR022")
        return None
    try:
        path = (ctx.root / pure).resolve()
        if not path.is_relative_to(ctx.root):
            ctx.error(node, f"output profile '{shown}' leads outside the book folder (a symlink?)", "PR022")
            return None
        if not path.is_file():
            ctx.error(node, f"output profile '{shown}' not found", "PR022")
            return None
        if path.stat().st_size > MAX_PROFILE_BYTES:
            ctx.error(node, f"output profile '{shown}' is larger than {human_bytes(MAX_PROFILE_BYTES)}: "
                      "not an ICC profile", "PR022")
            return None
        data = path.read_bytes()
    except (OSError, RuntimeError) as e:
        ctx.error(node, f"output profile '{shown}' cannot be read: {getattr(e, 'strerror', None) or e}", "PR022")
        return None
    why = check_profile(data)
    if why:
        ctx.error(node, f"output profile '{shown}' {why}", "PR022")
        return None
    return path


def _design_of(ctx: _Ctx, node: yaml.Node) -> Design | None:
    m = _mapping(ctx, node, "design", DESIGN_KEYS)
    if m is None:
        return None
    theme = _design.THEMES[_design.DEFAULT_THEME]
    if "theme" in m:
        tnode = m["theme"][1]
        name = _string(ctx, tnode, "design theme")
        if name is not None:
            if name.strip().lower() in _design.THEMES:
                theme = _design.THEMES[name.strip().lower()]
            else:
                close = difflib.get_close_matches(name.lower(), list(_design.THEMES), n=1, cutoff=0.5)
                hint = f"did you mean '{close[0]}'? " if close else ""
                ctx.error(tnode, f"theme '{name}' is unknown; {hint}use one of: {', '.join(_design.THEMES)}", "PR040")
    families: dict[str, _design.Family | None] = {"body": None, "headings": None}
    warnings: list[Problem] = []
    if "fonts" in m:
        fm = _mapping(ctx, m["fonts"][1], "design fonts", FONT_ROLES) or {}
        for role, (_, fnode) in fm.items():
            src = _string(ctx, fnode, f"design fonts {role}")
            path = _design_path(ctx, fnode, src, f"font '{src}'", folder=True) if src else None
            if path is None:
                continue
            fam, found = _design.family_of(role, src, path, ctx.root, ctx.loc(fnode))
            for p in found:
                (warnings if p.severity == "warning" else ctx.problems).append(p)
            families[role] = fam
    css = None
    if "css" in m:
        cnode = m["css"][1]
        src = _string(ctx, cnode, "design css")
        path = _design_path(ctx, cnode, src, f"stylesheet '{src}'") if src else None
        if path is not None:
            if path.suffix.lower() != ".css":
                ctx.error(cnode, f"stylesheet '{src}' must be a .css file", "PR048")
            else:
                css, found = _design.check_css(path, src, ctx.root, str(PurePosixPath(ctx.file).parent))
                ctx.problems.extend(p for p in found if p.severity == "error")
                warnings.extend(p for p in found if p.severity == "warning")
    made = Design(theme, families["body"], families["headings"], css, tuple(warnings))
    return dataclasses.replace(made, digest=_design.digest(made.files))


def _design_path(ctx: _Ctx, node: yaml.Node, src: str, what: str, folder: bool = False) -> Path | None:
    """A file (or, with ``folder``, a folder) the design names, inside the book folder."""
    if _CONTROL.search(src) or _BIDI.search(src) or len(src) > MAX_PATH_CHARS:
        ctx.error(node, f"{what} is not a usable file name", "PR041")
        return None
    pure = PurePosixPath(src.replace("\\", "/"))
    if re.match(r"^[A-Za-z]:", src) or pure.is_absolute() or _LINK_RE.match(src):
        ctx.error(node, f"{what} must be a path relative to the book folder, not an absolute path or a URL", "PR041")
        return None
    if ".." in pure.parts:
        ctx.error(node, f"{what} points outside the book folder", "PR041")
        return None
    try:
        path = (ctx.root / pure).resolve()
        if not path.is_relative_to(ctx.root):
            ctx.error(node, f"{what} leads outside the book folder (a symlink?)", "PR041")
            return None
        if not path.exists():
            ctx.error(node, f"{what} not found", "PR042")
            return None
        if not (path.is_file() or folder and path.is_dir()):
            ctx.error(node, f"{what} is not a {'file or folder' if folder else 'file'}", "PR042")
            return None
    except (OSError, RuntimeError) as e:
        ctx.error(node, f"{what} cannot be opened: {getattr(e, 'strerror', None) or e}", "PR042")
        return None
    return path


def _chapters(ctx: _Ctx, node: yaml.Node, counter: list[int]) -> tuple[tuple[Chapter, ...], tuple[Part, ...]]:
    items = _list(ctx, node, "chapters")
    if items is None:
        return (), ()
    out: list[Chapter] = []
    parts: list[Part] = []
    part_nodes: dict[int, yaml.Node] = {}
    for item in items:
        if isinstance(item, yaml.MappingNode) and any(
                isinstance(k, yaml.ScalarNode) and k.value == "part" for k, _ in item.value):
            pm = _mapping(ctx, item, "a part", PART_KEYS)
            if pm is None:
                continue
            title = _string(ctx, pm["part"][1], "part title")
            if title is not None:
                parts.append(Part(len(parts) + 1, title, ctx.loc(item)))
                part_nodes[len(parts)] = item
            continue
        i = len(out) + 1
        m = _mapping(ctx, item, f"chapter {i}", CHAPTER_KEYS)
        if m is None:
            continue
        title = _string(ctx, m["title"][1], f"chapter {i} title") if "title" in m else None
        part = parts[-1].number if parts else None
        if "file" in m:
            if "content" in m:
                ctx.error(m["content"][0], f"chapter {i} has both 'file' and 'content': give one", "PR010")
            got = _markdown_file(ctx, m["file"][1], f"chapter-{i:02d}", counter, allow_photos=True)
            if got is None:
                out.append(Chapter(i, title, (), ctx.loc(item), part=part))
                continue
            src, read, blocks = got
            # A title whose id is the chapter's own ('# Chapter 12 {#chapter-12}'): links reach the chapter.
            anchor = read.anchor if read.anchor != f"chapter-{i:02d}" else None
            out.append(Chapter(i, title or read.title, blocks, ctx.loc(item), anchor=anchor,
                               sections=_sections(read), notes=_notes(read), part=part, file=src))
            continue
        blocks: list[Block] = []
        if "content" not in m:
            ctx.error(item, f"chapter {i} needs 'content' (a list of text and photo blocks) or 'file' "
                      "(a Markdown file)", "PR016")
        else:
            for b in _list(ctx, m["content"][1], f"chapter {i} content") or []:
                block = _block(ctx, b, counter)
                if block is not None:
                    blocks.append(block)
        out.append(Chapter(i, title, tuple(blocks), ctx.loc(item), part=part))
    if not out:
        ctx.error(node, "chapters is empty: a book needs at least one chapter", "PR015")
    for part in parts:
        if not any(c.part == part.number for c in out):
            ctx.error(part_nodes[part.number], f"part '{part.title}' has no chapters: chapters listed after "
                      "a part belong to it", "PR057")
    return tuple(out), tuple(parts)


def _sections(read) -> tuple[Section, ...]:
    return tuple(Section(s.id, s.title, s.level) for s in read.sections)


def _notes(read) -> tuple[Note, ...]:
    return tuple(Note(n.id, n.number, n.html) for n in read.notes)


def _matter(ctx: _Ctx, node: yaml.Node, side: str) -> tuple[Matter, ...]:
    """front_matter or back_matter: a list of dedications, epigraphs and Markdown files."""
    what = f"{side}_matter"
    kinds = FRONT_KINDS if side == "front" else BACK_KINDS
    out: list[Matter] = []
    for item in _list(ctx, node, what) or []:
        n = len(out) + 1
        m = _mapping(ctx, item, f"a {side} matter entry", MATTER_KEYS)
        if m is None:
            continue
        given = [k for k in ("dedication", "epigraph", "file", "text") if k in m]
        if len(given) != 1:
            ctx.error(item, f"a {side} matter entry needs one of 'dedication:', 'epigraph:', 'file:' or 'text:'"
                      + (f", not {' and '.join(given)}" if given else ""), "PR056")
            continue
        key = given[0]
        kind = key if key in ("dedication", "epigraph") else None
        if "kind" in m:
            knode = m["kind"][1]
            k = _string(ctx, knode, "kind")
            if k is not None:
                k = KIND_ALIASES.get(k.lower().strip(), k.lower().strip())
                if kind is not None and k != kind:
                    ctx.error(knode, f"an entry '{key}:' is of kind {key}, not {k}", "PR056")
                elif k not in kinds:
                    close = difflib.get_close_matches(k, list(kinds), n=1, cutoff=0.6)
                    hint = f"did you mean '{close[0]}'? " if close else ""
                    other = ("; it belongs in " + ("back_matter" if side == "front" else "front_matter")
                             if k in MATTER_KINDS else "")
                    ctx.error(knode, f"kind '{k}' is not one for {what}{other}; {hint}use one of: {', '.join(kinds)}",
                              "PR056")
                    continue
                kind = k
        if kind is None:
            ctx.error(item, f"a {side} matter '{key}:' entry needs 'kind:' (one of: {', '.join(kinds)})", "PR056")
            continue
        if kind not in kinds:
            ctx.error(item, f"{kind} belongs in " + ("back_matter" if side == "front" else "front_matter"), "PR056")
            continue
        title = _string(ctx, m["title"][1], "title") if "title" in m else None
        if "source" in m and kind != "epigraph":
            ctx.error(m["source"][0], "'source' is for an epigraph", "PR056")
        source_html = ""
        if "source" in m and kind == "epigraph":
            snode = m["source"][1]
            sv = _string(ctx, snode, "source")
            if sv:
                source_html = _markdown_html(ctx, snode, sv, inline=True, what="source")
        ident = f"{side}-{n:02d}-{kind}"
        if key == "file":
            got = _markdown_file(ctx, m["file"][1], ident, [0], allow_photos=False)
            if got is None:
                continue
            src, read, blocks = got
            out.append(Matter(kind, side, n, title or read.title or None, blocks, ctx.loc(item), source_html,
                              read.anchor, _sections(read), _notes(read), src))
            continue
        vnode = m[key][1]
        text = _string(ctx, vnode, key)
        if text is None:
            continue
        block = Text(text, _markdown_html(ctx, vnode, text, inline=False, what=key), ctx.loc(vnode))
        out.append(Matter(kind, side, n, title, (block,), ctx.loc(item), source_html))
    return tuple(out)


def _markdown_file(ctx: _Ctx, node: yaml.Node, key: str, counter: list[int], *, allow_photos: bool):
    """Read the Markdown file ``node`` names: (its path as written, what markdown.py read,
    its blocks), or None after reporting why it cannot be used. Every problem inside it
    is located in that file (line and column)."""
    from . import markdown

    src = _string(ctx, node, "file")
    if src is None:
        return None
    path = _book_file(ctx, node, src, "chapter file")
    if path is None:
        return None
    shown = one_line(str(PurePosixPath(ctx.file.replace("\\", "/")).parent / src.replace("\\", "/")).removeprefix("./"))
    size = path.stat().st_size
    ctx.text_bytes += size
    if ctx.text_bytes > ctx.limits.max_manuscript_bytes:
        ctx.error(node, f"chapter file '{src}' takes the manuscript and its files past the limit of "
                  f"{human_bytes(ctx.limits.max_manuscript_bytes)} (raise it with --max-manuscript-size)", "PR002")
        return None
    try:
        with open(path, "rb") as f:
            raw = f.read(ctx.limits.max_manuscript_bytes + 1)
    except OSError as e:
        ctx.error(node, f"chapter file '{src}' cannot be read: {e.strerror}", "PR050")
        return None
    ctx.files.append(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        ctx.error(Location(shown, raw[: e.start].count(b"\n") + 1, 1), "file is not UTF-8 text (save it as UTF-8)", "PR003")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _XML_FORBIDDEN.search(text)
    if bad:
        before = text[: bad.start()]
        ctx.error(Location(shown, before.count("\n") + 1, bad.start() - (before.rfind("\n") + 1) + 1),
                  "a control character that cannot appear in a book (delete it)", "PR013")
        text = _XML_FORBIDDEN.sub("", text)
    text = balance_bidi(unicodedata.normalize("NFC", text))
    read = markdown.read_chapter(text, key, ctx.ids, hook=_balance_tokens)
    for where, message, code in read.problems:
        ctx.error(Location(shown, where.line, where.column), message, code)
    for target, where in read.links:
        ctx.links.append((target, Location(shown, where.line, where.column)))
    blocks: list[Block] = []
    for piece in read.pieces:
        at = Location(shown, piece.where.line, piece.where.column)
        if isinstance(piece, markdown.TextPiece):
            # ``markdown``: its text, for what counts characters (the print edition's page estimate)
            blocks.append(Text(_plain(piece.paged_html), piece.html, at,
                               piece.paged_html if piece.paged_html != piece.html else ""))
            continue
        if not allow_photos:
            ctx.error(at, f"photo '{piece.src}': photos go in chapters, not in front or back matter", "PR058")
            continue
        layout = piece.layout or "auto"
        if layout not in LAYOUTS:
            close = difflib.get_close_matches(layout, LAYOUTS, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            ctx.error(Location(shown, piece.layout_where.line, piece.layout_where.column),
                      f"layout '{layout}' is unknown; {hint}use one of: {', '.join(LAYOUTS)}", "PR025")
            continue
        ppath = _photo_path(ctx, at, piece.src)
        if ppath is None or not piece.alt:
            continue
        counter[0] += 1
        blocks.append(Photo(counter[0], piece.src, ppath, piece.alt, piece.caption_html, piece.caption_text,
                            piece.credit, layout, at))
    return src, read, tuple(blocks)


def _book_file(ctx: _Ctx, node: yaml.Node, src: str, what: str) -> Path | None:
    """Resolve a Markdown file's path, refusing anything outside the book folder."""
    shown = src if len(src) <= 120 else src[:60] + "…" + src[-20:]
    if _CONTROL.search(src) or _BIDI.search(src) or len(src) > MAX_PATH_CHARS:
        ctx.error(node, f"{what} '{shown}' is not a usable file name", "PR050")
        return None
    pure = PurePosixPath(src.replace("\\", "/"))
    if re.match(r"^[A-Za-z]:", src) or pure.is_absolute() or _LINK_RE.match(src):
        ctx.error(node, f"{what} '{shown}' must be a path relative to the book folder", "PR050")
        return None
    if ".." in pure.parts:
        ctx.error(node, f"{what} '{shown}' points outside the book folder", "PR050")
        return None
    try:
        path = (ctx.root / pure).resolve()
        if not path.is_relative_to(ctx.root):
            ctx.error(node, f"{what} '{shown}' leads outside the book folder (a symlink?)", "PR050")
            return None
        if not path.is_file():
            ctx.error(node, f"{what} '{shown}' " + ("is not a file" if path.exists() else "not found"), "PR050")
            return None
        if path.stat().st_size > ctx.limits.max_manuscript_bytes:
            ctx.error(node, f"{what} '{shown}' is larger than the limit of "
                      f"{human_bytes(ctx.limits.max_manuscript_bytes)} (raise it with --max-manuscript-size)", "PR002")
            return None
    except (OSError, RuntimeError) as e:
        ctx.error(node, f"{what} '{shown}' cannot be opened: {getattr(e, 'strerror', None) or e}", "PR050")
        return None
    return path


def _block(ctx: _Ctx, node: yaml.Node, counter: list[int]) -> Block | None:
    keys = set()
    if isinstance(node, yaml.MappingNode):
        keys = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    if "photo" in keys:
        return _photo(ctx, node, counter)
    if "text" in keys:
        m = _mapping(ctx, node, "a text block", TEXT_KEYS)
        if m is None:
            return None
        vnode = m["text"][1]
        text = _string(ctx, vnode, "text")
        if text is None:
            return None
        return Text(text, _markdown_html(ctx, vnode, text, inline=False, what="text"), ctx.loc(vnode))
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        ctx.error(node, "a content block must be '- text: ...' or '- photo: photos/....jpg' with 'alt:'", "PR023")
        return None
    close = difflib.get_close_matches(next(iter(keys), ""), ["text", "photo"], n=1, cutoff=0.5) if keys else []
    hint = f"; did you mean '{close[0]}'?" if close else ""
    ctx.error(node, f"a content block must start with 'text:' or 'photo:'{hint}", "PR023")
    return None


def _photo(ctx: _Ctx, node: yaml.MappingNode, counter: list[int]) -> Photo | None:
    m = _mapping(ctx, node, "a photo", PHOTO_KEYS)
    if m is None:
        return None
    src_node = m["photo"][1]
    src = _string(ctx, src_node, "photo")
    path = _photo_path(ctx, src_node, src) if src else None
    alt = None
    if "alt" not in m:
        ctx.error(node, f"photo '{src}' needs 'alt': a short description of what it shows, for readers who cannot see it", "PR024")
    else:
        alt = _string(ctx, m["alt"][1], f"alt text of photo '{src}'")
    caption_html = caption_text = ""
    if "caption" in m:
        cnode = m["caption"][1]
        c = _string(ctx, cnode, "caption", allow_empty=True)
        if c:
            caption_html = _markdown_html(ctx, cnode, c, inline=True, what="caption")
            caption_text = _plain(caption_html)
    credit = _string(ctx, m["credit"][1], "credit") if "credit" in m else None
    layout = "auto"
    if "layout" in m:
        lnode = m["layout"][1]
        lv = _string(ctx, lnode, "layout")
        if lv is not None:
            if lv in LAYOUTS:
                layout = lv
            else:
                close = difflib.get_close_matches(lv, LAYOUTS, n=1, cutoff=0.5)
                hint = f"did you mean '{close[0]}'? " if close else ""
                ctx.error(lnode, f"layout '{lv}' is unknown; {hint}use one of: {', '.join(LAYOUTS)}", "PR025")
    if src is None or path is None or alt is None:
        return None
    counter[0] += 1
    return Photo(counter[0], src, path, alt, caption_html, caption_text, credit, layout, ctx.loc(node))


def _photo_path(ctx: _Ctx, node: yaml.Node, src: str) -> Path | None:
    """Resolve a photo reference, refusing anything outside the book folder."""
    shown = src if len(src) <= 120 else src[:60] + "…" + src[-20:]
    if _CONTROL.search(src) or _BIDI.search(src):
        ctx.error(node, f"photo '{shown}' contains a control character (a newline, a tab, a bidi control?)", "PR026")
        return None
    if len(src) > MAX_PATH_CHARS or any(len(part.encode("utf-8")) > 255 for part in re.split(r"[\\/]", src)):
        ctx.error(node, f"photo '{shown}' is too long a file name", "PR026")
        return None
    if re.match(r"^[A-Za-z]:", src):  # C:\x.jpg, C:x.jpg: Windows drive letters
        ctx.error(node, f"photo '{shown}' is an absolute path: give it relative to the book folder", "PR026")
        return None
    if _LINK_RE.match(src):
        ctx.error(node, f"photo '{shown}' is a URL: photos must be files inside the book folder", "PR026")
        return None
    pure = PurePosixPath(src.replace("\\", "/"))
    if pure.is_absolute():  # also //host/share and \\host\share
        ctx.error(node, f"photo '{shown}' is an absolute path: give it relative to the book folder", "PR026")
        return None
    if ".." in pure.parts:
        ctx.error(node, f"photo '{shown}' points outside the book folder", "PR026")
        return None
    try:
        path = (ctx.root / pure).resolve()
        if not path.is_relative_to(ctx.root):
            ctx.error(node, f"photo '{shown}' leads outside the book folder (a symlink?)", "PR026")
            return None
        if not path.exists():
            ctx.error(node, f"photo '{shown}' not found", "PR027")
            return None
        if not path.is_file():
            ctx.error(node, f"photo '{shown}' is not a file", "PR027")
            return None
        size = path.stat().st_size
        with open(path, "rb"):  # readable (a regular file: opening cannot block)
            pass
    except (OSError, RuntimeError) as e:  # a name the file system refuses, a symlink loop
        ctx.error(node, f"photo '{shown}' cannot be opened: {getattr(e, 'strerror', None) or e}", "PR027")
        return None
    if size > ctx.limits.max_photo_bytes:
        ctx.error(node, f"photo '{shown}' is {human_bytes(size)}, larger than the limit of "
                  f"{human_bytes(ctx.limits.max_photo_bytes)} (raise it with --max-photo-size)", "PR028")
        return None
    return path


def _cover(ctx: _Ctx, node: yaml.Node, chapters: tuple[Chapter, ...]) -> Photo | None:
    src = _string(ctx, node, "cover")
    if src is None:
        return None
    for ch in chapters:
        for p in ch.photos:
            if p.src == src:
                return p
    path = _photo_path(ctx, node, src)
    if path is None:
        return None
    return Photo(0, src, path, "Cover", "", "", None, "full-bleed", ctx.loc(node))
