"""Scripts, languages and the fonts that draw them: never a box where a letter should be.

The book's own face, the vendored Noto Serif (styles/fonts/), draws Latin, Greek
and Cyrillic. Every other script is set in the serif Noto face made for it, found
on the system through fontconfig (the fonts Pango, and so WeasyPrint, draws with):
Debian's and Ubuntu's ``fonts-noto-core`` and ``fonts-noto-cjk`` packages hold them
all (README, "Languages and fonts"). A Chinese, Japanese or Korean book gets the
regional CJK face of its language (zh-Hans: SC, zh-Hant: TC, ja: JP, ko: KR).

Before anything is written, :func:`coverage` finds every character the book prints
that no installed font can draw (WeasyPrint would draw glyph 0, an empty box, and
say nothing): one problem per character, where it first appears, with what to
install. :func:`pdf_css` and :func:`epub_css` give each edition the font stack and
the typographic conventions of the book's language and scripts; for a book the
vendored face sets alone they are empty, and the book's files stay as they were.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import Location, Problem

#: The vendored face (styles/fonts/): Latin, Greek, Cyrillic, in four styles.
BASE_FAMILY = "Noto Serif"
BASE_FILE = "NotoSerif-Regular.ttf"

#: The serif face for each script (ISO 15924 codes, as fontTools.unicodedata names them),
#: all in Debian's fonts-noto-core. A script not named here is drawn by whatever
#: installed font has it (fontconfig's choice).
FACES: dict[str, str] = {
    "Arab": "Noto Naskh Arabic",
    "Hebr": "Noto Serif Hebrew",
    "Deva": "Noto Serif Devanagari",
    "Thai": "Noto Serif Thai",
    "Beng": "Noto Serif Bengali",
    "Guru": "Noto Serif Gurmukhi",
    "Gujr": "Noto Serif Gujarati",
    "Taml": "Noto Serif Tamil",
    "Telu": "Noto Serif Telugu",
    "Knda": "Noto Serif Kannada",
    "Mlym": "Noto Serif Malayalam",
    "Sinh": "Noto Serif Sinhala",
    "Khmr": "Noto Serif Khmer",
    "Laoo": "Noto Serif Lao",
    "Mymr": "Noto Serif Myanmar",
    "Ethi": "Noto Serif Ethiopic",
    "Armn": "Noto Serif Armenian",
    "Geor": "Noto Serif Georgian",
}
#: Scripts set in the CJK face (Han, kana, hangul, bopomofo).
CJK_SCRIPTS = {"Hani", "Hira", "Kana", "Hang", "Bopo"}
#: The regional CJK faces (fonts-noto-cjk), by region code.
CJK_FACES = {"SC": "Noto Serif CJK SC", "TC": "Noto Serif CJK TC", "HK": "Noto Serif CJK HK",
             "JP": "Noto Serif CJK JP", "KR": "Noto Serif CJK KR"}
#: Urdu is written in Nastaliq; Naskh is the fallback for what Nastaliq lacks.
URDU_FACE = "Noto Nastaliq Urdu"

#: What to install for a face, on Debian and Ubuntu (README gives other systems).
DEBIAN_PACKAGE = {**{face: "fonts-noto-core" for face in FACES.values()}, URDU_FACE: "fonts-noto-core",
                  **{face: "fonts-noto-cjk" for face in CJK_FACES.values()}}

#: Languages (primary subtags) and scripts written right to left.
RTL_LANGUAGES = {"ar", "he", "iw", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb", "syr"}
RTL_SCRIPTS = {"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"}
CJK_LANGUAGES = {"zh", "ja", "ko", "yue", "cmn", "wuu", "hak", "nan"}
#: Languages whose scripts have no italic: emphasis is bold and nothing is slanted.
NO_ITALIC_LANGUAGES = CJK_LANGUAGES | RTL_LANGUAGES | {
    "hi", "mr", "ne", "sa", "bn", "pa", "gu", "ta", "te", "kn", "ml", "si", "th", "lo", "km", "my", "am", "ti"}


def primary(language: str) -> str:
    return language.split("-")[0].lower()


def direction(language: str) -> str:
    """'rtl' for a language written right to left, else 'ltr'."""
    parts = language.lower().split("-")
    if any(p in RTL_SCRIPTS for p in parts[1:]):
        return "rtl"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def isolate(text: str, language: str) -> str:
    """``text`` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE when it stands in a
    right-to-left book and holds letters or digits written left to right (a Latin name, a
    year): the bidirectional algorithm then lays it out as one run, and the punctuation
    and words around it keep their places. Anything else as it is."""
    if direction(language) != "rtl" or not any(unicodedata.bidirectional(c) in ("L", "EN", "AN") for c in text):
        return text
    return f"\u2068{text}\u2069"


def ems(text: str) -> int:
    """``text``'s length in characters, a wide (CJK) character counting two: a full-width
    character takes the room of two of a Latin text's average ones."""
    return len(text) + sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


def is_cjk(language: str) -> bool:
    return primary(language) in CJK_LANGUAGES


def cjk_region(language: str) -> str:
    """The regional CJK face's code for ``language``: zh-Hans and plain zh SC, zh-Hant TC
    (HK for Hong Kong and Macau), ja JP, ko KR; any other language JP."""
    parts = [p.lower() for p in language.split("-")]
    lang, rest = parts[0], set(parts[1:])
    if lang in ("ja",):
        return "JP"
    if lang in ("ko",):
        return "KR"
    if lang in ("zh", "yue", "cmn", "wuu", "hak", "nan"):
        if rest & {"hk", "mo"} or (lang == "yue" and "hans" not in rest):
            return "HK"
        if rest & {"hant", "tw"}:
            return "TC"
        return "SC"
    return "JP"


# --------------------------------------------------------------------------
# Characters
# --------------------------------------------------------------------------

def drawn(ch: str) -> bool:
    """Whether ``ch`` needs a glyph: not a space, a control or a format character
    (joiners, bidi controls, soft hyphens and variation selectors are invisible)."""
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Zs", "Zl", "Zp"):
        return False
    cp = ord(ch)
    return not (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0x180B <= cp <= 0x180F)


def scripts_of(ch: str) -> tuple[str, ...]:
    """The scripts ``ch`` is used in (its Unicode script extensions; Zyyy for common
    punctuation and digits, Zinh for inherited marks)."""
    from fontTools import unicodedata as fu

    return tuple(sorted(fu.script_extension(ch)))


# --------------------------------------------------------------------------
# The installed fonts (fontconfig)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Font:
    family: str
    style: str
    file: Path
    index: int  # the face within a collection (.ttc)
    weight: int  # fontconfig's scale: 80 regular, 200 bold
    slant: int  # 0 roman, 100 italic
    charset: object  # fontconfig's FcCharSet*, alive as long as the process


@lru_cache(maxsize=1)
def _fontconfig():
    """(ffi, libfontconfig), or None where fontconfig cannot be loaded."""
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef("""
            typedef int FcBool;
            typedef unsigned int FcChar32;
            typedef unsigned char FcChar8;
            typedef struct _FcPattern FcPattern;
            typedef struct _FcObjectSet FcObjectSet;
            typedef struct _FcCharSet FcCharSet;
            typedef struct _FcConfig FcConfig;
            typedef struct { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
            FcBool FcInit (void);
            FcPattern *FcPatternCreate (void);
            void FcPatternDestroy (FcPattern *p);
            FcObjectSet *FcObjectSetCreate (void);
            FcBool FcObjectSetAdd (FcObjectSet *os, const char *object);
            void FcObjectSetDestroy (FcObjectSet *os);
            FcFontSet *FcFontList (FcConfig *config, FcPattern *p, FcObjectSet *os);
            int FcPatternGetString (const FcPattern *p, const char *object, int n, FcChar8 **s);
            int FcPatternGetInteger (const FcPattern *p, const char *object, int n, int *i);
            int FcPatternGetCharSet (const FcPattern *p, const char *object, int n, FcCharSet **c);
            FcBool FcCharSetHasChar (const FcCharSet *fcs, FcChar32 ucs4);
        """)
        for name in ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll", "fontconfig-1",
                     "fontconfig"):
            try:
                lib = ffi.dlopen(name)
                break
            except OSError:
                continue
        else:
            return None
        if not lib.FcInit():
            return None
    except (ImportError, OSError, AttributeError):
        return None
    return ffi, lib


@lru_cache(maxsize=1)
def installed() -> tuple[Font, ...]:
    """Every font fontconfig knows (what Pango may draw with), sorted for a stable order."""
    loaded = _fontconfig()
    if loaded is None:
        return ()
    ffi, fc = loaded
    pattern = fc.FcPatternCreate()
    objects = fc.FcObjectSetCreate()
    for name in (b"family", b"style", b"file", b"index", b"weight", b"slant", b"charset"):
        fc.FcObjectSetAdd(objects, name)
    fonts = fc.FcFontList(ffi.NULL, pattern, objects)
    fc.FcObjectSetDestroy(objects)
    fc.FcPatternDestroy(pattern)
    out = []
    if fonts == ffi.NULL:
        return ()
    s, i, cs = ffi.new("FcChar8 **"), ffi.new("int *"), ffi.new("FcCharSet **")

    def string(p, name: bytes) -> str | None:
        return ffi.string(s[0]).decode("utf-8", "replace") if fc.FcPatternGetString(p, name, 0, s) == 0 else None

    def integer(p, name: bytes, default: int) -> int:
        return i[0] if fc.FcPatternGetInteger(p, name, 0, i) == 0 else default

    for n in range(fonts.nfont):  # the font set is never destroyed: its charsets stay valid
        p = fonts.fonts[n]
        family, file = string(p, b"family"), string(p, b"file")
        if family is None or file is None or fc.FcPatternGetCharSet(p, b"charset", 0, cs) != 0:
            continue
        out.append(Font(family, string(p, b"style") or "", Path(file), integer(p, b"index", 0),
                        integer(p, b"weight", 80), integer(p, b"slant", 0), cs[0]))
    return tuple(sorted(out, key=lambda f: (f.family, f.weight, f.slant, f.style, str(f.file), f.index)))


def has(font: Font, ch: str) -> bool:
    ffi, fc = _fontconfig()
    return bool(fc.FcCharSetHasChar(font.charset, ord(ch)))


def face(family: str, bold: bool = False) -> Font | None:
    """The installed upright face of ``family`` nearest to regular (or bold) weight."""
    want = 200 if bold else 80
    found = [f for f in installed() if f.family == family and f.slant == 0]
    return min(found, key=lambda f: (abs(f.weight - want), f.style, str(f.file))) if found else None


@lru_cache(maxsize=1)
def base_cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    from .paths import FONTS

    with TTFont(FONTS / BASE_FILE, lazy=True) as f:
        return frozenset(f.getBestCmap())


@lru_cache(maxsize=32)
def _file_cmap(path: Path, size: int, mtime: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True, fontNumber=0) as f:
            return frozenset(f.getBestCmap() or ())
    except Exception:  # a font the design could not read: it reported that itself
        return frozenset()


def book_font_cmap(book) -> frozenset[int]:
    """The characters the book's own fonts have (design: fonts, and its theme's vendored
    ones): drawn by them, whatever the system has."""
    from .paths import FONTS

    design = getattr(book, "design", None)
    if design is None:
        return frozenset()
    files = [face.path for fam in (design.body, design.headings) if fam for face in fam.faces]
    files += [FONTS / f for f in design.theme.fonts]
    out: frozenset[int] = frozenset()
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        out |= _file_cmap(path, st.st_size, st.st_mtime_ns)
    return out


# --------------------------------------------------------------------------
# A book's typeface
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Typeface:
    """The families a book is set in, first to last, and what it needs of them."""

    language: str
    families: tuple[str, ...]  # the stack: each character in the first that has it

    @property
    def stack(self) -> str:
        return ", ".join(f'"{f}"' for f in self.families) + ", serif"

    @property
    def extra(self) -> tuple[str, ...]:
        """The families beyond the vendored one."""
        return tuple(f for f in self.families if f != BASE_FAMILY)

    @property
    def plain(self) -> bool:
        """Whether the vendored face sets the book alone, by the usual rules: nothing to add."""
        return not self.extra and not special(self.language)


def special(language: str) -> bool:
    """Whether ``language`` has conventions of its own (direction, CJK, no italic)."""
    return direction(language) == "rtl" or primary(language) in NO_ITALIC_LANGUAGES


def face_for(ch: str, language: str) -> str | None:
    """The family the book's typeface gives ``ch`` when the vendored face lacks it."""
    scripts = scripts_of(ch)
    if any(s in CJK_SCRIPTS for s in scripts):
        return CJK_FACES[cjk_region(language)]
    if primary(language) == "ur" and "Arab" in scripts:
        return URDU_FACE
    own = language_faces(language)
    # A character several scripts share (the danda, Arabic punctuation) in the book's own face.
    for s in scripts:
        if FACES.get(s) in own:
            return FACES[s]
    for s in scripts:
        if s in FACES:
            return FACES[s]
    return None


def language_faces(language: str) -> tuple[str, ...]:
    """The faces a book in ``language`` uses for its own script, whatever its text."""
    lang = primary(language)
    if is_cjk(language):
        return (CJK_FACES[cjk_region(language)],)
    return {"ar": ("Noto Naskh Arabic",), "fa": ("Noto Naskh Arabic",), "ur": (URDU_FACE, "Noto Naskh Arabic"),
            "ps": ("Noto Naskh Arabic",), "ckb": ("Noto Naskh Arabic",), "sd": ("Noto Naskh Arabic",),
            "ug": ("Noto Naskh Arabic",), "he": ("Noto Serif Hebrew",), "iw": ("Noto Serif Hebrew",),
            "yi": ("Noto Serif Hebrew",), "hi": ("Noto Serif Devanagari",), "mr": ("Noto Serif Devanagari",),
            "ne": ("Noto Serif Devanagari",), "sa": ("Noto Serif Devanagari",), "th": ("Noto Serif Thai",),
            "bn": ("Noto Serif Bengali",), "ta": ("Noto Serif Tamil",), "hy": ("Noto Serif Armenian",),
            "ka": ("Noto Serif Georgian",), "am": ("Noto Serif Ethiopic",), "km": ("Noto Serif Khmer",),
            "lo": ("Noto Serif Lao",), "my": ("Noto Serif Myanmar",), "si": ("Noto Serif Sinhala",),
            "gu": ("Noto Serif Gujarati",), "pa": ("Noto Serif Gurmukhi",), "te": ("Noto Serif Telugu",),
            "kn": ("Noto Serif Kannada",), "ml": ("Noto Serif Malayalam",)}.get(lang, ())


def typeface(language: str, text: str) -> Typeface:
    """The stack for a book in ``language`` that prints ``text``: its language's face (first
    for CJK, whose punctuation and quotes are its own), the vendored face, then the face of
    each other script the text uses, in a fixed order."""
    base = base_cmap()
    wanted = list(language_faces(language))
    for ch in sorted(set(text)):
        if ord(ch) in base or not drawn(ch):
            continue
        f = face_for(ch, language)
        if f and f not in wanted:
            wanted.append(f)
    if is_cjk(language):
        families = (wanted[0], BASE_FAMILY, *sorted(wanted[1:]))
    else:
        own = list(language_faces(language))
        families = (BASE_FAMILY, *own, *sorted(f for f in wanted if f not in own))
    return Typeface(language, families)


# --------------------------------------------------------------------------
# What a book prints
# --------------------------------------------------------------------------

def printed(book, words=None, *, alt: bool = True) -> list[tuple[str, Location | None]]:
    """Every piece of text the book prints or shows, with where it comes from (None: a
    value of the manuscript whose place is found by searching it); ``alt``: the photos'
    alternative text too (shown by the EPUB where a photo cannot be, never drawn in a PDF)."""
    out: list[tuple[str, Location | None]] = []
    for value in (book.title, book.subtitle, book.publisher, book.rights, book.description, book.date):
        if value:
            out.append((value, None))
    out += [(c.name, None) for c in book.contributors]
    out += [(s, None) for s in book.subjects]
    out += [(p.title, p.where) for p in getattr(book, "parts", ())]
    matter = tuple(getattr(book, "front_matter", ())) + tuple(getattr(book, "back_matter", ()))
    for ch in matter + tuple(book.chapters):
        if ch.title:
            out.append((ch.title, ch.where))
        for block in ch.blocks:
            if hasattr(block, "html"):
                out.append((_plain(block.html), block.where))
            else:
                for value in (block.caption_text, block.credit, block.alt if alt else None):
                    if value:
                        out.append((value, block.where))
        for extra in (getattr(ch, "source_html", ""),) + tuple(n.html for n in getattr(ch, "notes", ())):
            if extra:
                out.append((_plain(extra), ch.where))
    for key, value in (words or {}).items():
        out.append((value, dict(book.word_places).get(key)))
    return out


def _plain(html: str) -> str:
    import html as _html

    return _html.unescape(re.sub(r"<[^>]+>", "", html))


def book_text(book, words: dict[str, str] | None = None) -> str:
    return "".join(t for t, _ in printed(book, words))


def book_typeface(book, words: dict[str, str] | None = None) -> Typeface:
    from .words import labels

    return typeface(book.language, book_text(book, words if words is not None else labels(book.language, book.words)))


# --------------------------------------------------------------------------
# The coverage check
# --------------------------------------------------------------------------

def _install_hint(family: str | None) -> str:
    if family is None:
        return "install a font that has it (README, 'Languages and fonts')"
    pkg = DEBIAN_PACKAGE.get(family)
    where = f"Debian/Ubuntu: apt install {pkg}; " if pkg else ""
    return f"install {family} ({where}other systems: README, 'Languages and fonts')"


def coverage(book, words=None, *, pdf: bool = True) -> list[Problem]:
    """An error (PR034) for every character the book prints that no installed font has,
    and a warning (PR035) for each script whose own face is not installed (another
    font draws it), each at the first place it appears.

    ``pdf``: the build makes a PDF (the screen PDF, the print edition), drawn with the
    installed fonts. A character only the EPUB shows (every one, in a build of the EPUB
    alone; the photos' alternative text) and no installed font has is a warning
    (PR038): the EPUB cannot carry a font for it, and a reading system draws it with
    its own fonts (which have emoji, say) or not at all."""
    from .words import labels

    words = words if words is not None else labels(book.language, book.words)
    pieces = printed(book, words)
    drawn_in_pdf = set("".join(t for t, _ in printed(book, words, alt=False))) if pdf else set()
    tf = typeface(book.language, "".join(t for t, _ in pieces))
    base = base_cmap() | book_font_cmap(book)
    fonts = installed()
    stack = [face(f) for f in tf.extra]
    problems: list[Problem] = []
    seen: set[str] = set()
    missing_faces: dict[str, str] = {}
    finder = _Finder(book)
    for text, where in pieces:
        for ch in text:
            if ch in seen:
                continue
            seen.add(ch)
            if ord(ch) in base or not drawn(ch):
                continue
            if any(f is not None and has(f, ch) for f in stack):
                continue
            wanted = face_for(ch, book.language)
            other = next((f for f in fonts if has(f, ch)), None)
            if other is not None:
                if wanted and face(wanted) is None and wanted not in missing_faces:
                    missing_faces[wanted] = ch
                    problems.append(Problem(finder.place(ch, where), (
                        f"U+{ord(ch):04X} '{ch}' ({_name(ch)}) and the rest of its script are set in "
                        f"{other.family}, not the book's serif face: {_install_hint(wanted)}"), "PR035", "warning"))
                continue
            if ch not in drawn_in_pdf:
                problems.append(Problem(finder.place(ch, where), (
                    f"U+{ord(ch):04X} {_shown(ch)} ({_name(ch)}): no installed font has it, and the EPUB "
                    f"carries none for it (a reading system draws it with its own fonts, or as a box); "
                    f"{_install_hint(wanted)}"), "PR038", "warning"))
                continue
            problems.append(Problem(finder.place(ch, where), (
                f"U+{ord(ch):04X} {_shown(ch)} ({_name(ch)}): no installed font has it; "
                f"{_install_hint(wanted)}"), "PR034"))
    return problems


def _name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name:
        return name
    cat = unicodedata.category(ch)
    return {"Co": "a private-use character", "Cn": "unassigned in Unicode " + unicodedata.unidata_version}.get(
        cat, "no name")


def _shown(ch: str) -> str:
    """The character quoted (a combining mark on a dotted circle)."""
    if unicodedata.category(ch) in ("Mn", "Me", "Mc"):
        return f"'\u25cc{ch}'"
    return f"'{ch}'"


class _Finder:
    """Finds a character in the manuscript (or the chapter file) it was read from."""

    def __init__(self, book):
        self.book = book
        self.texts: dict[str, str | None] = {}

    def text(self, file: str) -> str | None:
        if file not in self.texts:
            path = Path(file)
            candidates = [path] if path.is_absolute() else [Path.cwd() / path, self.book.root / path.name]
            if Path(file).name == self.book.source.name:
                candidates.insert(0, self.book.source)
            self.texts[file] = None
            for c in candidates:
                try:
                    if c.resolve().is_relative_to(self.book.root) and c.is_file():
                        self.texts[file] = c.read_text(encoding="utf-8-sig", errors="replace")
                        break
                except OSError:
                    continue
        return self.texts[file]

    def place(self, ch: str, where: Location | None) -> Location:
        file = where.file if where is not None else _manuscript_name(self.book)
        text = self.text(file)
        if text is not None:
            start = 0
            if where is not None and where.line:
                start = _offset(text, where.line)
            for needle in (ch, f"\\u{ord(ch):04x}", f"\\u{ord(ch):04X}", f"\\U{ord(ch):08x}", f"\\U{ord(ch):08X}",
                           f"&#x{ord(ch):x};", f"&#x{ord(ch):X};", f"&#{ord(ch)};"):
                i = text.find(needle, start)
                if i < 0 and start:
                    i = text.find(needle)
                if i >= 0:
                    line = text.count("\n", 0, i) + 1
                    return Location(file, line, i - (text.rfind("\n", 0, i) + 1) + 1)
        return where or Location(file, 1, 1)


def _offset(text: str, line: int) -> int:
    i = 0
    for _ in range(line - 1):
        j = text.find("\n", i)
        if j < 0:
            return i
        i = j + 1
    return i


def _manuscript_name(book) -> str:
    for ch in book.chapters:
        if ch.where.file.endswith(book.source.name):
            return ch.where.file
    return str(book.source)


def untranslated_words(book) -> list[Problem]:
    """A warning (PR036) when the book prints words in English for want of a translation
    into its language (and the book gives none of them under ``words:``)."""
    from .words import untranslated

    given = {k for k, _ in book.words}
    missing = [k for k in untranslated(book.language) if k not in given]
    if not missing:
        return []
    t = _Finder(book)
    text = t.text(_manuscript_name(book)) or ""
    m = re.search(r"^language\s*:", text, re.M)
    where = Location(_manuscript_name(book), text.count("\n", 0, m.start()) + 1, 1) if m else \
        Location(_manuscript_name(book), 1, 1)
    shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
    from .words import keys

    whole = "no words" if len(missing) == len(keys()) else "not all words"
    return [Problem(where, f"pressroom has {whole} for language '{book.language}': {shown} print in English "
                    "(give them under 'words:')", "PR036", "warning")]


def findings(book, *, pdf: bool = True, words: bool = True) -> list[Problem]:
    """Every finding about the book's languages and fonts: characters no font draws
    (errors), scripts in a fallback face and, with ``words``, words left in English
    (``pdf``: see coverage)."""
    return coverage(book, pdf=pdf) + (untranslated_words(book) if words else [])


def require_fonts(book, *, pdf: bool = True) -> list[Problem]:
    """Refuse (BuildError) a book with a character no installed font draws; the warnings
    (``pdf``: the build makes a PDF, see coverage)."""
    from .errors import BuildError

    found = coverage(book, pdf=pdf)
    errors = [p for p in found if p.severity != "warning"]
    if errors:
        raise BuildError(errors)
    return found


# --------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------

#: What the stylesheets slant: upright in a script without italics.
SLANTED = ("em, i, cite, figcaption, figcaption .credit, .book-subtitle, .stand-in-note, .spine-by, "
           ".front-title .subtitle")


def conventions_css(language: str) -> str:
    """The rules of ``language``'s typography, shared by every edition: no slanted type in a
    script without italics (emphasis is bold), no hyphenation and a full-width paragraph
    indent in CJK, text aligned to the start of the line when it runs right to left."""
    css = []
    lang = primary(language)
    if lang in NO_ITALIC_LANGUAGES:
        css.append(f"{SLANTED} {{ font-style: normal; }}")
        css.append("em, i { font-weight: 700; }")
    if is_cjk(language):
        css.append("html { line-height: 1.75; }")
        css.append("body, p, h1, h2, figcaption, .colophon p { hyphens: none; }")
        css.append(".text p + p { text-indent: 1em; }")
    elif direction(language) == "rtl" or lang in ("hi", "mr", "ne", "sa", "th", "lo", "km", "my"):
        css.append("html { line-height: 1.7; }")  # tall marks above and below the letters
        css.append("body, p, h1, h2, figcaption { hyphens: manual; }")  # no patterns: nothing to hyphenate by
    if lang == "ur":  # Nastaliq's words climb diagonally: it needs more room between lines than Naskh
        css.append("html { line-height: 2.2; }")
    if lang in ("th", "lo", "km", "my"):
        # Words run together, spaces end phrases: WeasyPrint justifies by widening spaces only,
        # which tears a Thai line apart. Set flush to the start, as Thai books on screens are.
        css.append("p, .text p { text-align: start; }")
    if direction(language) == "rtl":
        css.append(".text ul, .text ol { padding-left: 0; padding-right: 1.5em; }")
    return "\n".join(css)


def pdf_css(book, g=None) -> str:
    """The screen PDF's and the print interior's rules for the book's scripts and language
    (after its other styles): the font stack in the text and the page margins, the
    language's conventions and, in CJK, a measure of whole characters (``g``: the page
    geometry), so that a line of full-width characters is a solid block. Empty when the
    vendored face sets the book alone."""
    tf = book_typeface(book)
    if tf.plain:
        return ""
    css = [f"html {{ font-family: {tf.stack}; }}",
           f"@page {{ @top-center {{ font-family: {tf.stack}; }} @bottom-center {{ font-family: {tf.stack}; }} }}",
           conventions_css(book.language)]
    if primary(book.language) in NO_ITALIC_LANGUAGES:
        css.append("@page { @top-center { font-style: normal; } }")
    if is_cjk(book.language) and g is not None:
        em = 10.5  # styles/book.css: the body's size
        width = int(g.content_width // em) * em
        # Full-width characters at their full width (the font's kerning would pinch pairs of
        # punctuation and leave the line short of the block).
        css.append(f".text {{ width: {width:.3f}pt; max-width: none; margin-left: auto; margin-right: auto; "
                   "font-kerning: none; }")
    return "\n".join(c for c in css if c)


def cover_css(book) -> str:
    """The print cover's rules for the book's scripts and language (see pdf_css)."""
    tf = book_typeface(book)
    if tf.plain:
        return ""
    return "\n".join(c for c in (f"html {{ font-family: {tf.stack}; }}", conventions_css(book.language)) if c)


def epub_fonts(book, text: str, bold_text: str) -> list[tuple[str, str, Font, str]]:
    """The faces the EPUB carries beside the vendored one, for reading systems that lack
    them: [(family, "400" | "700", installed face, the text it is cut down to)]. A bold
    face only for the text set bold (strong, and emphasis where there is no italic)."""
    out = []
    for family in book_typeface(book).extra:
        for weight, chars in (("400", text), ("700", bold_text)):
            f = face(family, bold=weight == "700")
            if f is None or (weight == "700" and (not chars or f.weight < 150)):
                continue
            kept = "".join(ch for ch in sorted(set(chars)) if has(f, ch))
            if kept.strip():
                out.append((family, weight, f, kept))
    return out


def font_file_name(family: str, weight: str, data: bytes) -> str:
    ext = "otf" if data[:4] == b"OTTO" else "ttf"
    return re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-") + ("-bold" if weight == "700" else "") + "." + ext


def epub_css(book, faces: list[tuple[str, str, str]]) -> str:
    """The EPUB's rules for the book's scripts and language, after its stylesheet: the
    @font-face of each face it carries ((family, weight, href)), the font stack, the
    language's conventions; emphasis dots in CJK where the reading system draws them.
    Empty when the vendored face sets the book alone."""
    tf = book_typeface(book)
    if tf.plain:
        return ""
    css = [f'@font-face {{ font-family: "{fam}"; font-style: normal; font-weight: {w}; src: url(../{href}); }}'
           for fam, w, href in faces]
    css.append(f"body {{ font-family: {tf.stack}; }}")
    css.append(conventions_css(book.language))
    if is_cjk(book.language):
        mark, where = {"JP": ("filled sesame", "over right"), "KR": ("filled dot", "over right")}.get(
            cjk_region(book.language), ("filled dot", "under right"))
        css.append("@supports (text-emphasis-style: filled) or (-webkit-text-emphasis-style: filled) {\n"
                   f"  em {{ font-weight: inherit; -webkit-text-emphasis-style: {mark}; text-emphasis-style: {mark};\n"
                   f"    -webkit-text-emphasis-position: {where}; text-emphasis-position: {where}; }}\n}}")
    return "\n".join(c for c in css if c) + "\n"
