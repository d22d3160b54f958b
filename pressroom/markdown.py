"""The Markdown reader for chapter files: Pandoc's Markdown, in the subset authors use.

A chapter file (``file: chapters/01.md`` in book.yaml) is read into neutral data
(:class:`Chapter`): its title and id from ``# Title {#id}``, its blocks (runs of
text rendered to safe XHTML, and photos, which book.yaml's loader resolves through
the photo pipeline), its sections (``##``, ``###``), its footnotes, and every
internal link and id with the line and column it is at, so that
``manuscript.py`` checks cross-references across the whole book.

What is understood (and how it comes out; class names are the stable hooks
themes and the editions style):

- ``# Title {#id}``: the chapter's title (the first block; one per file).
  ``##`` / ``###`` / ``####``: ``h3.section-title`` / ``h4`` / ``h5``, always a level
  below the chapter title, each with an id (given as ``{#id}``, else made from its
  words as Pandoc does).
- ``text[^id]`` and ``[^id]: note`` (a note may hold several paragraphs): for the
  EPUB a ``a.noteref`` link and a note in :attr:`Chapter.notes`; for the PDFs a
  ``span.footnote`` set at the foot of the page (CSS ``float: footnote``).
- ``***``, ``* * *``, ``---``: ``hr.scene-break``.
- Line blocks (``| `` at the start of each line): ``div.line-block`` of
  ``span.line`` (indents kept as no-break spaces; ``br`` between lines).
- Pipe tables with a header row; ``Table: caption`` (or ``: caption``) right
  below (or above) becomes its ``caption``.
- ``![alt](photos/x.jpg "caption"){layout=full-bleed credit="..."}`` alone in a
  paragraph: a photo block. Alt text is required.
- ``[text](#id)``: a cross-reference to any id in the book (checked by the loader).
- Smart punctuation as Pandoc's ``smart`` extension: curly quotes, -- and ---
  dashes, ... as an ellipsis. Raw HTML stays text.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

LINK_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
#: An id a writer may give: what XML (the EPUB) and CSS accept without escaping.
ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}")
#: Ids pressroom gives its own elements: a writer's id may not look like one of them.
RESERVED_ID = re.compile(r"^(?:(?:chapter|part)-\d{2,}(?:-title)?|photo-\d{3,}|page-\d+|fn-.+|fnref-.+|"
                         r"(?:front|back)-\d{2}-.+|half-title|title-page|contents|contents-title|colophon|"
                         r"colophon-heading|toc|toc-title|landmarks|page-list|cover)$")
_HEADING_ATTRS = re.compile(r"\s*\{((?:[^{}\\]|\\.)*)\}\s*$")
_NOTE_REF_TEXT = re.compile(r"\[\^([^\]\s]+)\]")


@dataclass(frozen=True)
class Where:
    line: int
    column: int


@dataclass
class TextPiece:
    """Rendered text: ``html`` for the EPUB and the preview (notes as links),
    ``paged_html`` for the PDFs (notes inline, floated to the page foot)."""

    html: str
    paged_html: str
    where: Where


@dataclass
class PhotoPiece:
    src: str
    alt: str
    caption_html: str
    caption_text: str
    credit: str | None
    layout: str | None
    where: Where
    layout_where: Where


@dataclass
class Section:
    id: str
    title: str  # plain text
    level: int  # 2 for '##', 3 for '###'


@dataclass
class Note:
    id: str  # the note's element id
    number: int
    html: str  # the note's XHTML (paragraphs), its backlink first


@dataclass
class Chapter:
    title: str | None = None  # plain text
    anchor: str | None = None  # the id of its title
    pieces: list = field(default_factory=list)  # TextPiece | PhotoPiece
    sections: list[Section] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    links: list[tuple[str, Where]] = field(default_factory=list)  # internal targets, where linked from
    ids: list[tuple[str, Where]] = field(default_factory=list)  # ids it defines (titles, sections)
    problems: list[tuple[Where, str, str]] = field(default_factory=list)  # (where, message, code)


# --------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------

def _line_block(state, start: int, end: int, silent: bool) -> bool:
    """Pandoc's line blocks: lines that begin with '| ' (or a lone '|'); a line
    beginning with a space continues the one before."""
    def line(n):
        b, e = state.bMarks[n] + state.tShift[n], state.eMarks[n]
        return state.src[b:e]

    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = line(start)
    if not (first == "|" or first.startswith("| ")):
        return False
    lines: list[str] = []
    n = start
    while n < end:
        text = line(n)
        raw = state.src[state.bMarks[n]:state.eMarks[n]]
        if text == "|" or text.startswith("| "):
            lines.append(text[2:])
        elif lines and raw.startswith(" ") and text:
            lines[-1] += " " + text
        else:
            break
        n += 1
    if silent:
        return True
    tok = state.push("line_block_open", "div", 1)
    tok.attrSet("class", "line-block")
    tok.map = [start, n]
    for text in lines:
        indent = len(text) - len(text.lstrip(" "))
        tok = state.push("line_open", "span", 1)
        tok.attrSet("class", "line")
        tok = state.push("inline", "", 0)
        tok.content = "\u00a0" * indent + text.strip()
        tok.map = [start, n]
        tok.children = []
        state.push("line_close", "span", -1)
    state.push("line_block_close", "div", -1)
    state.line = n
    return True


def _table_captions(state) -> None:
    """A paragraph 'Table: caption' (or ': caption') just after (or before) a table is its caption."""
    toks = state.tokens
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.type == "table_open":
            # after the table
            close = next(j for j in range(i, len(toks)) if toks[j].type == "table_close")
            cap = _caption_at(toks, close + 1)
            if cap is None and i >= 3:
                cap = _caption_at(toks, i - 3)
                if cap is not None:
                    inline = toks[i - 2]
                    del toks[i - 3:i]
                    i -= 3
                    _insert_caption(toks, i, inline)
                    i += 1
                    continue
            elif cap is not None:
                inline = toks[close + 2]
                del toks[close + 1:close + 4]
                _insert_caption(toks, i, inline)
        i += 1


def _caption_at(toks, j):
    if j + 2 < len(toks) and toks[j].type == "paragraph_open" and toks[j + 1].type == "inline" \
            and toks[j + 2].type == "paragraph_close":
        m = re.match(r"^(?:Table)?:\s+", toks[j + 1].content)
        if m:
            return m
    return None


def _insert_caption(toks, at: int, inline: Token) -> None:
    inline.content = re.sub(r"^(?:Table)?:\s+", "", inline.content)
    toks[at + 1:at + 1] = [Token("caption_open", "caption", 1), inline, Token("caption_close", "caption", -1)]


def _heading_attrs(state) -> None:
    """Take a heading's trailing '{#id .class}' off its text before the inline rules run
    (so its words still get smart punctuation); the attributes go in the heading's meta."""
    toks = state.tokens
    for i, t in enumerate(toks[:-1]):
        if t.type == "heading_open" and toks[i + 1].type == "inline":
            m = _HEADING_ATTRS.search(toks[i + 1].content)
            if m:
                toks[i + 1].content = toks[i + 1].content[:m.start()]
                t.meta["attrs"] = m.group(1)


def make_parser(smart: bool = True) -> MarkdownIt:
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "typographer": smart, "xhtmlOut": True})
    md.disable(["html_block", "html_inline"])  # raw HTML comes out as text
    md.enable("table")
    if smart:
        md.enable(["replacements", "smartquotes"])
    md.use(footnote_plugin)
    md.use(attrs_plugin, after=("image",))  # attributes only after a photo: nothing else takes any
    md.block.ruler.before("paragraph", "line_block", _line_block)
    md.core.ruler.after("block", "table_captions", _table_captions)
    md.core.ruler.after("table_captions", "heading_attrs", _heading_attrs)
    md.validateLink = lambda url: True  # schemes are checked here, with a location
    md.add_render_rule("footnote_ref", _render_note_call)
    md.add_render_rule("line_close", lambda self, tokens, idx, options, env: "</span><br/>")
    return md


def _render_note_call(self, tokens, idx, options, env) -> str:
    """A note's call: a link to the note (EPUB), or the note itself, floated to the foot of
    the page (PDFs: ``env["paged"]``); a second call of a note links to it."""
    reader, c = env["reader"], tokens[idx]
    n = reader.note_numbers[c.meta["id"]]
    fid = reader.note_id(n)
    sub = c.meta.get("subId", 0)
    if env["paged"]:
        if sub == 0:
            return f'<span class="footnote" id="{fid}" data-n="{n}">{env["notes"].get(c.meta["id"], "")}</span>'
        return f'<a class="noteref" href="#{fid}">{n}</a>'
    ref = f"fnref-{reader.key}-{n}" + (f"-{sub}" if sub else "")
    return f'<a class="noteref" epub:type="noteref" role="doc-noteref" id="{ref}" href="#{fid}">{n}</a>'


_MD: MarkdownIt | None = None


def parser() -> MarkdownIt:
    global _MD
    if _MD is None:
        _MD = make_parser()
    return _MD


# --------------------------------------------------------------------------
# Reading a chapter file
# --------------------------------------------------------------------------

def auto_id(text: str) -> str:
    """An id made from a heading's words, as Pandoc's auto_identifiers makes it."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9_.\s-]", "", s)
    s = re.sub(r"\s+", "-", s.strip())
    s = re.sub(r"^[^a-z]+", "", s)
    return s[:80] or "section"


def _plain(html: str) -> str:
    return _html.unescape(re.sub(r"<[^>]+>", "", html)).strip()


class _Reader:
    def __init__(self, text: str, chapter_key: str, taken: set[str], hook: Callable | None):
        self.src = text
        self.lines = text.split("\n")
        self.key = chapter_key  # prefixes the notes' ids: unique across the book
        self.taken = taken  # ids used anywhere in the book so far (shared by every file)
        self.hook = hook  # called with each token list before rendering (bidi balancing)
        self.md = parser()
        self.out = Chapter()
        self.note_numbers: dict[int, int] = {}  # markdown-it's note id -> its number

    # -- locations
    def where(self, tok_map, needle: str | None = None) -> Where:
        first = tok_map[0] if tok_map else 0
        last = tok_map[1] if tok_map else first + 1
        if needle:
            for n in range(first, min(last, len(self.lines))):
                col = self.lines[n].find(needle)
                if col >= 0:
                    return Where(n + 1, col + 1)
        col = len(self.lines[first]) - len(self.lines[first].lstrip()) if first < len(self.lines) else 0
        return Where(first + 1, col + 1)

    def problem(self, where: Where, message: str, code: str) -> None:
        self.out.problems.append((where, message, code))

    # -- ids
    def claim(self, wanted: str | None, words: str, where: Where) -> str:
        if wanted is not None:
            if not ID_RE.fullmatch(wanted):
                self.problem(where, f"id '{wanted}' must be letters, digits, '-', '_' or '.', starting with a letter", "PR051")
            elif RESERVED_ID.match(wanted) and wanted != self.key:  # its own chapter's id is fine
                self.problem(where, f"id '{wanted}' is one pressroom uses itself; choose another", "PR051")
            elif wanted in self.taken:
                self.problem(where, f"id '{wanted}' is used twice in the book", "PR051")
            else:
                self.taken.add(wanted)
                self.out.ids.append((wanted, where))
                return wanted
        base = auto_id(words)
        ident, n = base, 0
        while ident in self.taken or (RESERVED_ID.match(ident) and ident != self.key):
            n += 1
            ident = f"{base}-{n}"
        self.taken.add(ident)
        self.out.ids.append((ident, where))
        return ident

    # -- the walk
    def read(self) -> Chapter:
        env: dict = {}
        tokens = self.md.parse(self.src, env)
        if self.hook:
            self.hook(tokens)
        # Notes first: their numbers are the order of their first call.
        notes_at = next((i for i, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
        body, note_tokens = tokens[:notes_at], tokens[notes_at:]
        self._number_notes(body)
        self._check_inline(body)
        notes_paged = self._notes(note_tokens, env)
        pending: list[Token] = []
        pending_map = None
        i = 0
        first_block = True
        while i < len(body):
            t = body[i]
            if t.type == "heading_open":
                close = i + 2
                inline = body[i + 1]
                level = int(t.tag[1])
                text, wanted = self._heading_text(t, inline)
                where = self.where(t.map)
                if level == 1:
                    if first_block and self.out.title is None:
                        self.out.title = text
                        self.out.anchor = self.claim(wanted, text, where)
                        first_block = False
                        i = close + 1
                        continue
                    self.problem(where, "a second '# ' title: one chapter per file (use '##' for a section, "
                                 "or start another chapter file)" if self.out.title else
                                 "the chapter's '# ' title must come first in its file", "PR053")
                    level = 2
                ident = self.claim(wanted, text, where)
                if level in (2, 3):
                    self.out.sections.append(Section(ident, text, level))
                t.tag = f"h{min(level + 1, 6)}"
                body[close].tag = t.tag
                t.attrs = {"id": ident, "class": "section-title" if level == 2 else f"section-title level-{level}"}
                first_block = False
                pending.extend(body[i:close + 1])
                pending_map = pending_map or t.map
                i = close + 1
                continue
            first_block = False
            if (t.type == "paragraph_open" and i + 2 < len(body) and body[i + 1].type == "inline"
                    and self._is_photo(body[i + 1])):
                self._flush(pending, pending_map, notes_paged)
                pending, pending_map = [], None
                self._photo(body[i + 1], t.map)
                i += 3
                continue
            if t.type == "hr":
                t.attrs = {"class": "scene-break"}
            if t.map and pending_map is None:
                pending_map = t.map
            pending.append(t)
            i += 1
        self._flush(pending, pending_map, notes_paged)
        return self.out

    def _heading_text(self, heading: Token, inline: Token) -> tuple[str, str | None]:
        """A heading's plain text and the id its '{#id}' gives (see _heading_attrs)."""
        wanted = None
        for part in heading.meta.get("attrs", "").split():
            if part.startswith("#"):
                wanted = part[1:]
        text = _plain(self.md.renderer.render(inline.children or [], self.md.options, {}))
        return text, wanted

    def _number_notes(self, body) -> None:
        n = 0
        for t in body:
            for c in t.children or ():
                if c.type == "footnote_ref" and c.meta["id"] not in self.note_numbers:
                    n += 1
                    self.note_numbers[c.meta["id"]] = n

    def note_id(self, number: int) -> str:
        return f"fn-{self.key}-{number}"

    def _check_inline(self, body) -> None:
        for t in body:
            if t.type != "inline":
                continue
            for c in t.children or ():
                if c.type == "link_open":
                    href = c.attrs.get("href", "")
                    if href.startswith("#"):
                        at = self.where(t.map, f"(#{href[1:]}")
                        self.out.links.append((href[1:], Where(at.line, at.column + 1)))  # at its '#'
                    else:
                        m = _SCHEME.match(href)
                        if m is None or m.group(1).lower() not in LINK_SCHEMES:
                            self.problem(self.where(t.map, href), f"link '{href}' is not allowed: use an http, https "
                                         "or mailto address, or '#id' for a place in the book", "PR020")
                elif c.type == "image" and not self._is_photo(t):
                    self.problem(self.where(t.map, "!["), "a photo must be a paragraph of its own: "
                                 "![alt](photos/x.jpg \"caption\") with blank lines around it", "PR054")
                elif c.type == "text":
                    m = _NOTE_REF_TEXT.search(c.content)
                    if m:
                        self.problem(self.where(t.map, m.group(0)), f"footnote '{m.group(0)}' has no note: "
                                     f"add a line '{m.group(0)}: the note' to the file", "PR055")

    def _is_photo(self, inline: Token) -> bool:
        kids = [c for c in inline.children or () if not (c.type == "text" and not c.content.strip())]
        return len(kids) == 1 and kids[0].type == "image"

    def _photo(self, inline: Token, tok_map) -> None:
        img = next(c for c in inline.children if c.type == "image")
        where = self.where(tok_map, "![")
        alt = _plain(self.md.renderer.render(img.children or [], self.md.options, {})) if img.children else ""
        attrs = dict(img.attrs)
        src = str(attrs.pop("src", ""))
        title = str(attrs.pop("title", "") or "")
        layout = attrs.pop("layout", None)
        credit = attrs.pop("credit", None)
        for k in attrs:
            if k not in ("alt",):
                self.problem(self.where(tok_map, "{"), f"photo '{src}': unknown attribute '{k}' "
                             "(a photo takes layout= and credit=)", "PR054")
        if not alt.strip():
            self.problem(where, f"photo '{src}' needs alt text: ![what the photo shows]({src}), "
                         "for readers who cannot see it", "PR024")
        caption_html = caption_text = ""
        if title.strip():
            toks = self.md.parseInline(title.strip(), {})
            if self.hook:
                self.hook(toks)
            caption_html = self.md.renderer.render(toks, self.md.options, {}).strip()
            caption_text = _plain(caption_html)
        self.out.pieces.append(PhotoPiece(src, alt.strip(), caption_html, caption_text,
                                          str(credit) if credit else None, str(layout) if layout else None,
                                          where, self.where(tok_map, "layout") if layout else where))

    # -- rendering
    def _render(self, tokens, *, paged: bool, notes_paged: dict[int, str]) -> str:
        env = {"reader": self, "paged": paged, "notes": notes_paged}
        html = self.md.renderer.render(tokens, self.md.options, env)
        return html.replace("<br/></div>", "</div>").strip()

    def _notes(self, tokens, env) -> dict[int, str]:
        """The notes as Note objects (EPUB) and {markdown-it id: paged html} (PDFs)."""
        paged: dict[int, str] = {}
        current, body = None, []
        for t in tokens:
            if t.type == "footnote_open":
                current, body = t.meta["id"], []
            elif t.type == "footnote_close":
                if current in self.note_numbers:
                    n = self.note_numbers[current]
                    body = [b for b in body if b.type != "footnote_anchor"]
                    epub = self._render(body, paged=False, notes_paged={})
                    back = f'<a class="backlink" role="doc-backlink" href="#fnref-{self.key}-{n}">{n}.</a> '
                    epub = re.sub(r"^<p>", "<p>" + back, epub, count=1) if epub.startswith("<p>") else back + epub
                    self.out.notes.append(Note(self.note_id(n), n, epub))
                    flat = self._render(body, paged=True, notes_paged={})
                    # Inside a paragraph only inline elements may stand: blocks become spans.
                    flat = re.sub(r"<(/?)(p|ul|ol|li|blockquote|pre|div|h\d|table|thead|tbody|tr|td|th|caption)\b[^>]*>",
                                  lambda m: f"<{m.group(1)}span" + ("" if m.group(1) else f' class="fn-{m.group(2)}"') + ">",
                                  flat)
                    flat = re.sub(r"<hr[^>]*/>", "", flat)
                    paged[current] = flat
                else:
                    label = env.get("footnotes", {}).get("list", {}).get(current, {}).get("label", "?")
                    # an unused note: harmless, but probably a typo in its call
                    self.problem(self.where(self._first_map(body), f"[^{label}]:"),
                                 f"footnote '[^{label}]' is never called in the text", "PR055")
                current = None
            elif current is not None:
                body.append(t)
        self.out.notes.sort(key=lambda n: n.number)
        return paged

    @staticmethod
    def _first_map(tokens):
        return next((t.map for t in tokens if t.map), None)

    def _flush(self, pending, pending_map, notes_paged) -> None:
        if not pending:
            return
        html = self._render(pending, paged=False, notes_paged=notes_paged)
        paged = self._render(pending, paged=True, notes_paged=notes_paged)
        if html:
            self.out.pieces.append(TextPiece(html, paged, self.where(pending_map)))


def read_chapter(text: str, key: str, taken: set[str], hook: Callable | None = None) -> Chapter:
    """Read one chapter file's text. ``key`` makes its notes' ids unique in the book;
    ``taken`` holds the ids used so far in the book (this file's are added); ``hook`` sees
    every token list before it is rendered."""
    return _Reader(text, key, taken, hook).read()
