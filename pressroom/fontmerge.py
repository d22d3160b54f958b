"""One embedded copy of each face in a PDF merged from several (the chapters of a book).

A book laid out one chapter at a time (each chapter its own small PDF, cached) and
merged with pikepdf carries a subset of each face per chapter: the same Noto Serif
Regular, under the same name, once per chapter. :func:`merge_fonts` puts each face
back together: the font program cut again from the original font file for the union
of the glyphs the chapters use, one ``/W`` and one ``/ToUnicode`` for them all, and
every page (form, pattern and annotation appearance) pointed at it.

It relies on how WeasyPrint 70 embeds a font (weasyprint/pdf/fonts.py):

- a Type0 font, ``/Encoding /Identity-H``, its ``/BaseFont`` ``TAG+Family-Style``
  where TAG is a digest of the Pango font description: the same face has the same
  name in every chapter, whatever glyphs it draws there;
- one descendant CIDFontType2 (``/FontFile2``) or CIDFontType0 (``/FontFile3``
  ``/Subtype /OpenType``), CID = glyph id of the *original* font: HarfBuzz cut it
  with RETAIN_GIDS, then a second pass dropped the empty glyphs after the last one
  used. Content streams need not change; only the font program must hold every glyph.

The original file is found by :class:`FontIndex`: the subset keeps the ``name`` and
``head`` tables, and the PostScript name, the creation date, the revision and the
units per em tell one face from another (faces of a .ttc/.otc collection included).

A face whose original is not found (a font fontconfig chose that the book does not
name), or that this module cannot cut again the way WeasyPrint did (a variable or
colour font, a font with glyphs missing and its own encoding), stays as it is, one
copy per chapter, with a distinct subset tag for each distinct program: validators
(PDF/A, PDF/UA) object to two different font programs under one name. Byte-identical
programs are shared. Type3 (bitmap) fonts are left alone.
"""

from __future__ import annotations

import hashlib
import io
from binascii import unhexlify
from decimal import Decimal
import re
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

#: Files a font may come from (TrueType, CFF-flavoured OpenType, collections, web fonts).
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2")

#: What tells one face from another: (PostScript name, head.created, head.fontRevision as
#: its raw 16.16 integer, head.unitsPerEm).
FaceKey = tuple[str, int, int, int]

#: Tables WeasyPrint drops when it subsets (fonts.py, _harfbuzz_subset).
DROPPED_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")
#: Tables of a face WeasyPrint does more to than subset (instancing a variable font,
#: blanking colour glyphs): such a face is not cut again here.
UNMERGEABLE_TABLES = frozenset({"fvar", "CBDT", "CBLC", "sbix", "SVG ", "COLR"})
#: TrueType hinting: a subset holding any of these was cut with hinting kept.
HINTING_TABLES = frozenset({"fpgm", "prep", "cvt "})


# --------------------------------------------------------------------------
# Reading a face's name and head (sfnt, without fontTools)
# --------------------------------------------------------------------------

def _u16(b: bytes, o: int) -> int:
    return int.from_bytes(b[o:o + 2], "big")


def _u32(b: bytes, o: int) -> int:
    return int.from_bytes(b[o:o + 4], "big")


def _ps_name(name: bytes) -> str | None:
    """nameID 6 from a ``name`` table (Windows Unicode first, then Unicode, then Mac Roman)."""
    if len(name) < 6:
        return None
    count, start = _u16(name, 2), _u16(name, 4)
    found: dict[int, str] = {}
    for i in range(count):
        r = 6 + 12 * i
        if r + 12 > len(name):
            break
        platform, encoding, _lang, name_id, length, offset = (_u16(name, r + 2 * k) for k in range(6))
        if name_id != 6:
            continue
        raw = name[start + offset:start + offset + length]
        rank = {3: 0, 0: 1, 1: 2}.get(platform)
        if rank is None or rank in found:
            continue
        try:
            found[rank] = raw.decode("utf-16-be" if platform in (0, 3) else "mac-roman").strip("\0 ")
        except UnicodeDecodeError:
            continue
    return found[min(found)] if found else None


def _sfnt_faces(read) -> list[tuple[FaceKey | None, frozenset[str]]]:
    """(key, table tags) of each face in an sfnt or a collection; ``read(offset, size)``
    gives the file's bytes. [] for anything else (a WOFF, not a font)."""
    head4 = read(0, 12)
    if head4[:4] == b"ttcf":
        count = _u32(head4, 8)
        if count > 4096:
            return []
        raw = read(12, 4 * count)
        offsets = [_u32(raw, 4 * i) for i in range(count)]
    elif head4[:4] in (b"\0\1\0\0", b"OTTO", b"true"):
        offsets = [0]
    else:
        return []
    out = []
    for offset in offsets:
        directory = read(offset, 12)
        n = _u16(directory, 4)
        records = read(offset + 12, 16 * n)
        tables = {}
        for i in range(n):
            r = records[16 * i:16 * i + 16]
            if len(r) == 16:
                tables[r[:4].decode("latin-1")] = (_u32(r, 8), _u32(r, 12))
        key = None
        if "head" in tables and "name" in tables:
            head = read(tables["head"][0], 54)
            name = read(*tables["name"])
            ps = _ps_name(name)
            if ps and len(head) >= 54:
                key = (ps, int.from_bytes(head[20:28], "big", signed=True), _u32(head, 4), _u16(head, 18))
        out.append((key, frozenset(tables)))
    return out


def face_key(program: bytes) -> FaceKey | None:
    """The key of a font program (an embedded subset, one face), or None."""
    faces = _sfnt_faces(lambda o, n: program[o:o + n])
    return faces[0][0] if len(faces) == 1 else None


def _stream_face(stream: pikepdf.Object) -> tuple[FaceKey | None, frozenset[str]]:
    """The key and tables of the font program in ``stream``, inflating only as much of it
    as the table directory, ``head`` and ``name`` need (they come first in HarfBuzz's and
    most fonts' layout); the whole program for any filter but Flate without parameters."""
    if stream.get("/Filter") == Name.FlateDecode and "/DecodeParms" not in stream:
        inflate = zlib.decompressobj()
        pending = [stream.read_raw_bytes()]
        buf = bytearray()

        def read(offset: int, n: int) -> bytes:
            while len(buf) < offset + n and (pending[0] or not inflate.eof):
                chunk = inflate.decompress(pending[0], max(offset + n - len(buf), 1 << 16))
                pending[0] = inflate.unconsumed_tail
                buf.extend(chunk)
                if not chunk and not pending[0]:
                    break
            return bytes(buf[offset:offset + n])
    else:
        data = stream.read_bytes()

        def read(offset: int, n: int) -> bytes:
            return data[offset:offset + n]
    try:
        faces = _sfnt_faces(read)
    except zlib.error:
        return None, frozenset()
    return faces[0] if len(faces) == 1 else (None, frozenset())


def _digest(stream: pikepdf.Object) -> tuple[bytes, int]:
    """Tells programs apart: their bytes as stored, and how they are stored (two copies
    of one program stored alike have the same digest; stored otherwise, they differ,
    which is never wrong here, only less thrifty), and the stored size."""
    how = repr((stream.get("/Filter"), stream.get("/DecodeParms"), stream.get("/Subtype"))).encode()
    raw = stream.read_raw_bytes()
    return hashlib.blake2b(raw + b"\0" + how, digest_size=20).digest(), len(raw)


@lru_cache(maxsize=1024)
def _faces_of(path: str, mtime_ns: int, size: int) -> tuple[tuple[FaceKey | None, frozenset[str]], ...]:
    """Every face of a font file (memoised by its path, time and size)."""
    try:
        with open(path, "rb") as f:
            def read(offset: int, n: int) -> bytes:
                f.seek(offset)
                return f.read(n)

            magic = read(0, 4)
            if magic in (b"wOFF", b"wOF2"):
                return (_web_face(path),)
            return tuple(_sfnt_faces(read))
    except (OSError, ValueError, UnicodeDecodeError):
        return ()


def _web_face(path: str) -> tuple[FaceKey | None, frozenset[str]]:
    """A WOFF or WOFF2 file's key and tables, through fontTools."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True) as f:
            ps = f["name"].getDebugName(6)
            head = f["head"]
            created = int(head.created)
            revision = round(float(head.fontRevision) * 65536) & 0xFFFFFFFF
            key = (ps, created, revision, int(head.unitsPerEm)) if ps else None
            return key, frozenset(f.keys())
    except Exception:  # noqa: BLE001 -- a file that is not a font: no face
        return None, frozenset()


@dataclass(frozen=True)
class Original:
    """A face found for a subset: its file, its index in a collection, its tables."""

    path: Path
    index: int
    key: FaceKey
    tables: frozenset[str]

    @property
    def mergeable(self) -> bool:
        """Whether WeasyPrint only subsets this face (no instancing, no colour glyphs)."""
        return not (self.tables & UNMERGEABLE_TABLES)

    def sfnt(self) -> bytes | None:
        """The face's file as an sfnt (a WOFF decoded), for the subsetter; None for a plain
        sfnt (the subsetter reads the file itself)."""
        with open(self.path, "rb") as f:
            magic = f.read(4)
        if magic not in (b"wOFF", b"wOF2"):
            return None
        from fontTools.ttLib import TTFont

        with TTFont(self.path, recalcTimestamp=False, recalcBBoxes=False) as f:
            f.flavor = None
            buf = io.BytesIO()
            f.save(buf, reorderTables=False)
        return buf.getvalue()


class FontIndex:
    """Finds the original file of an embedded subset among ``files``.

    Files are read only when a face is looked for, and only as far as needed: their
    table directories, ``head`` and ``name`` (not fontTools, not the glyphs), each file
    once per process for a given size and modification time."""

    def __init__(self, files: list[Path]):
        seen: dict[str, Path] = {}
        for f in files:
            seen.setdefault(str(f), Path(f))
        self.files = list(seen.values())
        self._next = 0
        self._found: dict[FaceKey, Original] = {}

    def find(self, key: FaceKey) -> Original | None:
        """The face with ``key`` (the first file listed that has it), or None."""
        while key not in self._found and self._next < len(self.files):
            path = self.files[self._next]
            self._next += 1
            try:
                st = path.stat()
            except OSError:
                continue
            for index, (k, tables) in enumerate(_faces_of(str(path), st.st_mtime_ns, st.st_size)):
                if k is not None and k not in self._found:
                    self._found[k] = Original(path, index, k, tables)
        return self._found.get(key)

    def original_of(self, program: bytes) -> Original | None:
        """The face an embedded program was cut from, or None."""
        key = face_key(program)
        return self.find(key) if key else None


# --------------------------------------------------------------------------
# The font files a book's PDFs can use
# --------------------------------------------------------------------------

def book_font_files(book) -> list[Path]:
    """Every font file the book's PDFs can draw with, in a stable order: the vendored faces
    (styles/fonts/), the book's own (``design: fonts``, and fonts its CSS names), and the
    installed faces of the script families pressroom adds (scripts.py, through fontconfig).
    A face fontconfig picks for a character outside the book's typeface is not among them."""
    from . import scripts
    from .paths import FONTS

    out = sorted(p for p in FONTS.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    design = getattr(book, "design", None)
    if design is not None:
        out += [p for p in design.files if p.suffix.lower() in FONT_SUFFIXES]
    families = set(scripts.book_typeface(book).extra)
    if families:
        out += [f.file for f in scripts.installed() if f.family in families]
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------
# Cutting a face again (as WeasyPrint does)
# --------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _harfbuzz():
    """uharfbuzz, or None where it lacks the subsetter's sets (fontTools then cuts)."""
    try:
        import uharfbuzz as hb

        for name in ("Blob", "Face", "SubsetInput", "SubsetFlags", "subset"):
            getattr(hb, name)
        for name in ("glyph_set", "drop_table_tag_set", "flags"):
            getattr(hb.SubsetInput, name)
    except (ImportError, AttributeError):
        return None
    return hb


def subset_program(original: Original, gids: set[int], hinting: bool = False) -> bytes | None:
    """The face cut to ``gids`` exactly as WeasyPrint 70 cuts it (glyph ids kept, unknown
    tables passed through, CFF desubroutinised, its layout and a few other tables dropped,
    hinting only with ``hinting``; then the empty glyphs after the last one used dropped).
    None when neither HarfBuzz nor fontTools can cut it."""
    if not gids:
        return None
    hb = _harfbuzz()
    data = original.sfnt()
    if hb is not None:
        try:
            blob = hb.Blob(data) if data is not None else hb.Blob.from_file_path(str(original.path))
            face = hb.Face(blob, original.index)
            options = hb.SubsetInput()
            options.glyph_set.update(sorted(gids))
            options.drop_table_tag_set.update(int.from_bytes(t.encode("latin-1"), "big") for t in DROPPED_TABLES)
            f = hb.SubsetFlags
            options.flags = f.RETAIN_GIDS | f.PASSTHROUGH_UNRECOGNIZED | f.DESUBROUTINIZE
            first = hb.subset(face, options)
            options.glyph_set.add_range(0, max(gids))
            flags = f.PASSTHROUGH_UNRECOGNIZED | f.DESUBROUTINIZE
            options.flags = flags if hinting else flags | f.NO_HINTING
            result = bytes(hb.subset(first, options).blob.data)
            if result:
                return result
        except Exception:  # noqa: BLE001 -- HarfBuzz refused it (HarfBuzzError, RuntimeError): fontTools tries
            pass
    return _subset_fonttools(original, data, gids, hinting)


def _subset_fonttools(original: Original, data: bytes | None, gids: set[int], hinting: bool) -> bytes | None:
    from fontTools import subset as ft
    from fontTools.ttLib import TTFont

    options = ft.Options(retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
                         hinting=hinting, desubroutinize=True, notdef_outline=False)
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    try:
        source = io.BytesIO(data) if data is not None else original.path
        with TTFont(source, fontNumber=original.index, recalcTimestamp=False) as face:
            subsetter = ft.Subsetter(options)
            subsetter.populate(gids=sorted(gids))
            subsetter.subset(face)
            buf = io.BytesIO()
            face.save(buf)
        return buf.getvalue()
    except Exception:  # noqa: BLE001 -- not a font fontTools can cut either
        return None


# --------------------------------------------------------------------------
# Reading the PDF's fonts
# --------------------------------------------------------------------------

_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)> <((?:[0-9A-Fa-f]{2})*)>")
_W_TOKEN = re.compile(rb"\[|\]|[-+]?(?:\d+\.?\d*|\.\d+)")
_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])")


def _utf16(hexs: bytes) -> str:
    return bytes.fromhex(hexs.decode("ascii")).decode("utf-16-be", "surrogatepass")  # fromhex skips whitespace


def parse_to_unicode(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's {code: text} (bfchar and bfrange entries, two-byte codes)."""
    out: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        pairs = _PAIR.findall(block)
        if len(pairs) * 2 == len(_HEX.findall(block)):  # WeasyPrint's lines: <code> <text>
            for code, text in pairs:
                out[int(code, 16)] = unhexlify(text).decode("utf-16-be", "surrogatepass")
            continue
        hexes = _HEX.findall(block)
        for code, text in zip(hexes[::2], hexes[1::2]):
            out[int(code, 16)] = _utf16(text)
    for block in _BFRANGE.findall(data):
        for lo, hi, dst in _RANGE.findall(block):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if hi_i - lo_i > 0xFFFF:
                raise ValueError("bfrange too long")
            if dst.startswith(b"["):
                for i, text in enumerate(_HEX.findall(dst)):
                    out[lo_i + i] = _utf16(text)
            else:
                text = _utf16(dst[1:-1])
                for i in range(hi_i - lo_i + 1):
                    out[lo_i + i] = text[:-1] + chr(ord(text[-1]) + i) if text else ""
    return out


def to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap for ``mapping`` as WeasyPrint writes one (bfchar, 100 to a block),
    in code order."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for i in range(0, len(items), 100):
        batch = items[i:i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for code, text in batch:
            lines.append(f"<{code:04x}> <{text.encode('utf-16-be', 'surrogatepass').hex()}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def parse_widths(w) -> dict[int, int | Decimal]:
    """A CIDFont's /W as {cid: width} (both of its forms: ``c [w1 w2 ...]`` and
    ``cfirst clast w``), read from its PDF syntax at once (fast for thousands of glyphs)."""
    out: dict[int, int | Decimal] = {}
    tokens = _W_TOKEN.findall(w.unparse() if isinstance(w, pikepdf.Object) else bytes(w))
    if tokens[:1] == [b"["] and tokens[-1:] == [b"]"]:
        tokens = tokens[1:-1]
    number = lambda t: int(t) if t.lstrip(b"+-").isdigit() else Decimal(t.decode())  # noqa: E731
    i, n = 0, len(tokens)
    while i < n:
        first = int(number(tokens[i]))
        if i + 1 < n and tokens[i + 1] == b"[":
            j = tokens.index(b"]", i + 2)
            for k, t in enumerate(tokens[i + 2:j]):
                out[first + k] = number(t)
            i = j + 1
        else:
            if i + 2 >= n or b"[" in tokens[i + 1:i + 3]:
                raise ValueError("a /W entry cut short")
            last, width = int(number(tokens[i + 1])), number(tokens[i + 2])
            if last - first > 0xFFFF:
                raise ValueError("a /W range too long")
            for cid in range(first, last + 1):
                out[cid] = width
            i += 3
    return out


def widths_array(widths: dict[int, object]) -> Array:
    """/W for ``widths`` as WeasyPrint writes it: runs of consecutive CIDs."""
    runs: list[tuple[int, list]] = []
    for cid in sorted(widths):
        if runs and cid == runs[-1][0] + len(runs[-1][1]):
            runs[-1][1].append(widths[cid])
        else:
            runs.append((cid, [widths[cid]]))
    items: list = []
    for first, ws in runs:
        items += [first, Array(ws)]
    return Array(items)


@dataclass
class _Font:
    """One Type0 font dictionary of the PDF, as read."""

    font: pikepdf.Object  # the Type0 dictionary (indirect)
    base: str  # /BaseFont, as a string without the slash
    program_stream: pikepdf.Object | None = None
    digest: bytes = b""  # of the program as stored (see _digest)
    size: int = 0  # the program's bytes as stored
    kind: str = ""  # "FontFile2" or "FontFile3"
    widths: dict[int, object] = field(default_factory=dict)
    to_unicode: dict[int, str] = field(default_factory=dict)
    key: FaceKey | None = None
    #: Cut with TrueType hinting kept (WeasyPrint's hinting option, or a font embedded
    #: whole for a form field): never merged with unhinted cuts, which render otherwise.
    hinted: bool = False
    #: Why it cannot be merged (None: it can).
    why_not: str | None = None

    @property
    def descendant(self) -> pikepdf.Object:
        return self.font.DescendantFonts[0]

    @property
    def descriptor(self) -> pikepdf.Object:
        return self.descendant.FontDescriptor


def _read_font(font: pikepdf.Object) -> _Font:
    base = str(font.get("/BaseFont", "/"))[1:]
    f = _Font(font, base)
    try:
        descendants = font.get("/DescendantFonts")
        if descendants is None or len(descendants) != 1:
            f.why_not = "not one descendant font"
            return f
        cid = descendants[0]
        descriptor = cid.get("/FontDescriptor")
        if descriptor is None:
            f.why_not = "no font descriptor"
            return f
        for kind in ("/FontFile2", "/FontFile3", "/FontFile"):
            if kind in descriptor:
                f.kind = kind[1:]
                f.program_stream = descriptor[kind]
                break
        if f.program_stream is None:
            f.why_not = "not embedded"
            return f
        f.digest, f.size = _digest(f.program_stream)
        if f.kind == "FontFile" or (f.kind == "FontFile3" and f.program_stream.get("/Subtype") != Name.OpenType):
            f.why_not = "not an OpenType or TrueType program"
            return f
        if font.get("/Encoding") != Name("/Identity-H"):
            f.why_not = "an encoding of its own (glyphs missing from the font)"
            return f
        if cid.get("/Subtype") == Name.CIDFontType2 and cid.get("/CIDToGIDMap", Name.Identity) != Name.Identity:
            f.why_not = "a CIDToGIDMap of its own"
            return f
        if cid.get("/Subtype") not in (Name.CIDFontType2, Name.CIDFontType0):
            f.why_not = "not a CIDFont"
            return f
        f.widths = parse_widths(cid.get("/W", Array()))
        tu = font.get("/ToUnicode")
        f.to_unicode = parse_to_unicode(tu.read_bytes()) if tu is not None else {}
        f.key, tables = _stream_face(f.program_stream)
        f.hinted = bool(tables & HINTING_TABLES)
        if f.key is None:
            f.why_not = "no name and head tables"
    except (pikepdf.PdfError, ValueError, TypeError, AttributeError, KeyError, UnicodeDecodeError,
            zlib.error) as e:
        f.why_not = f"unreadable ({type(e).__name__})"
    return f


def _resources(pdf: pikepdf.Pdf):
    """Every resource dictionary in the PDF (pages, with what they inherit; forms, patterns
    and Type3 fonts inside them, annotations' appearances, the form's defaults), once each."""
    seen: set[tuple[int, int]] = set()
    out: list[pikepdf.Object] = []

    def visit(res) -> None:
        if not isinstance(res, Dictionary):
            return
        if res.is_indirect:
            if res.objgen in seen:
                return
            seen.add(res.objgen)
        out.append(res)
        for group in ("/XObject", "/Pattern", "/Font"):
            entries = res.get(group)
            if not isinstance(entries, Dictionary):
                continue
            for _, obj in sorted(entries.items()):
                stream(obj)

    def stream(obj) -> None:
        if not isinstance(obj, (Dictionary, pikepdf.Stream)):
            return
        if obj.is_indirect:
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
        if "/Resources" in obj and (obj.get("/Subtype") in (Name.Form, Name.Type3) or obj.get("/PatternType") == 1):
            visit(obj.Resources)

    def appearance(ap) -> None:
        if isinstance(ap, pikepdf.Stream):
            stream(ap)
        elif isinstance(ap, Dictionary):
            for _, state in sorted(ap.items()):
                if isinstance(state, pikepdf.Stream):
                    stream(state)

    for page in pdf.pages:
        node = page.obj
        res = node.get("/Resources")
        hops = 0
        while res is None and "/Parent" in node and hops < 64:
            node, hops = node.Parent, hops + 1
            res = node.get("/Resources")
        visit(res)
        for annot in page.obj.get("/Annots", ()):
            ap = annot.get("/AP") if isinstance(annot, Dictionary) else None
            if isinstance(ap, Dictionary):
                for state in ("/N", "/R", "/D"):
                    if state in ap:
                        appearance(ap[state])
    acroform = pdf.Root.get("/AcroForm")
    if isinstance(acroform, Dictionary) and "/DR" in acroform:
        visit(acroform.DR)
    return out


# --------------------------------------------------------------------------
# Merging
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class FontMergeReport:
    """What :func:`merge_fonts` did."""

    #: Type0 font dictionaries used before and after.
    fonts_before: int
    fonts_after: int
    #: Distinct embedded font programs before and after, and their bytes as stored (compressed).
    programs_before: int
    programs_after: int
    program_bytes_before: int
    program_bytes_after: int
    #: The faces cut again from their original file, by /BaseFont.
    merged: tuple[str, ...]
    #: Faces used in more than one font program and left as they were, with why.
    kept: tuple[tuple[str, str], ...]
    #: Fonts given a new subset tag (old /BaseFont, new).
    retagged: tuple[tuple[str, str], ...]
    seconds: float


def _tag(seed: bytes, taken: set[str]) -> str:
    """Six capital letters from ``seed`` (stable), not among ``taken``."""
    n = 0
    while True:
        digest = hashlib.md5(seed + (b"#%d" % n if n else b""), usedforsecurity=False).digest()
        tag = "".join(chr(65 + b % 26) for b in digest[:6])
        if tag not in taken:
            return tag
        n += 1


def _split(base: str) -> tuple[str, str]:
    """(tag, name) of a subset font's name ("ABCDEF+Noto-Serif"), ("", name) without a tag."""
    if len(base) > 7 and base[6] == "+" and base[:6].isalpha() and base[:6].isupper():
        return base[:6], base[7:]
    return "", base


def _compatible(a: dict, b: dict) -> bool:
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return all(large.get(k, v) == v for k, v in small.items())


def _flate(pdf: pikepdf.Pdf, data: bytes, **keys) -> pikepdf.Object:
    stream = pikepdf.Stream(pdf, b"")
    stream.write(zlib.compress(data, 6), filter=Name.FlateDecode)
    for k, v in keys.items():
        stream[Name("/" + k)] = v
    return stream


def _cidset(gids: set[int]) -> bytes:
    size = max(gids) // 8 + 1
    bits = bytearray(size)
    for g in gids:
        bits[g // 8] |= 0x80 >> (g % 8)
    return bytes(bits)


def _merge_face(pdf: pikepdf.Pdf, members: list[_Font], original: Original | None = None, hinting: bool = False
                ) -> dict[tuple[int, int], pikepdf.Object] | None:
    """One font program for ``members`` (one face): cut from ``original`` for all their
    glyphs (all cut with ``hinting`` or all without), or without ``original`` the one
    program they all embed already. And a font dictionary for each set of them that agree
    on widths and text: {member's objgen: its replacement}. None when the face cannot be
    cut again."""
    gids: set[int] = set()
    for m in members:
        gids |= m.widths.keys() | m.to_unicode.keys()
    first = members[0]
    if original is None:
        if len({m.digest for m in members}) != 1:
            return None
        kind, font_file = first.kind, first.program_stream
    else:
        program = subset_program(original, gids, hinting)
        if not program:
            return None
        kind = "FontFile3" if program[:4] == b"OTTO" else "FontFile2"
        if any(m.kind != kind for m in members):
            return None
        if kind == "FontFile3":
            font_file = _flate(pdf, program, Subtype=Name.OpenType)
        else:
            font_file = _flate(pdf, program, Length1=len(program))

    # One descriptor: the first's, its box around every member's, its CIDSet the union.
    descriptor = Dictionary({k: v for k, v in first.descriptor.items() if k not in ("/FontFile2", "/FontFile3", "/CIDSet")})
    descriptor[Name("/" + kind)] = font_file
    boxes = [[float(x) for x in m.descriptor.FontBBox] for m in members if "/FontBBox" in m.descriptor]
    if boxes:
        box = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
        descriptor.FontBBox = Array([int(v) if v == int(v) else v for v in box])
    all_widths: dict[int, object] = {}
    for m in members:
        all_widths.update(m.widths)
    if "/Flags" in descriptor:
        flags = int(descriptor.Flags) & ~1
        if len(all_widths) > 1 and len({float(w) for w in all_widths.values()}) == 1:
            flags |= 1  # FixedPitch, as WeasyPrint decides it
        descriptor.Flags = flags
    if any("/CIDSet" in m.descriptor for m in members):
        descriptor.CIDSet = _flate(pdf, _cidset(set(all_widths) | gids))
    descriptor = pdf.make_indirect(descriptor)

    # Sets of members whose widths and text agree: each a font dictionary (usually one).
    clusters: list[tuple[dict, dict, list[_Font]]] = []
    for m in members:
        for widths, text, group in clusters:
            if _compatible(widths, m.widths) and _compatible(text, m.to_unicode):
                widths.update(m.widths)
                text.update(m.to_unicode)
                group.append(m)
                break
        else:
            clusters.append((dict(m.widths), dict(m.to_unicode), [m]))
    replaced: dict[tuple[int, int], pikepdf.Object] = {}
    for widths, text, group in clusters:
        head = group[0]
        cid = Dictionary({k: v for k, v in head.descendant.items() if k not in ("/W", "/FontDescriptor")})
        cid.W = widths_array(widths)
        cid.FontDescriptor = descriptor
        font = Dictionary({k: v for k, v in head.font.items() if k not in ("/ToUnicode", "/DescendantFonts")})
        font.DescendantFonts = Array([pdf.make_indirect(cid)])
        if text or "/ToUnicode" in head.font:
            font.ToUnicode = _flate(pdf, to_unicode_cmap(text))
        font = pdf.make_indirect(font)
        for m in group:
            replaced[m.font.objgen] = font
    return replaced


def _rename(font: pikepdf.Object, base: str) -> None:
    name = Name("/" + base)
    font.BaseFont = name
    for cid in font.get("/DescendantFonts", ()):
        if isinstance(cid, Dictionary):
            cid.BaseFont = name
            descriptor = cid.get("/FontDescriptor")
            if isinstance(descriptor, Dictionary) and "/FontName" in descriptor:
                descriptor.FontName = name


def merge_fonts(pdf: pikepdf.Pdf, originals: FontIndex | None) -> FontMergeReport:
    """Put together the subsets of each face in ``pdf`` (see the module): each group of
    Type0 fonts of one /BaseFont whose original ``originals`` finds becomes one font
    program, and every resource dictionary points at it. The rest keep their programs,
    each distinct program under a distinct subset tag. ``pdf`` is changed in place."""
    start = time.perf_counter()
    resources = _resources(pdf)

    # Every Type0 font used, in the order first used.
    fonts: dict[tuple[int, int], _Font] = {}
    for res in resources:
        entries = res.get("/Font")
        if not isinstance(entries, Dictionary):
            continue
        for _, font in sorted(entries.items()):
            if (isinstance(font, Dictionary) and font.is_indirect and font.get("/Subtype") == Name.Type0
                    and font.objgen not in fonts):
                fonts[font.objgen] = _read_font(font)
    programs_before = {f.digest: f.size for f in fonts.values() if f.digest}

    groups: dict[str, list[_Font]] = {}
    for f in fonts.values():
        groups.setdefault(f.base, []).append(f)

    replaced: dict[tuple[int, int], pikepdf.Object] = {}
    merged: list[str] = []
    kept: list[tuple[str, str]] = []
    for base in sorted(groups):
        members = groups[base]
        by_key: dict[tuple[FaceKey, bool], list[_Font]] = {}
        for m in members:
            if m.why_not is None:
                by_key.setdefault((m.key, m.hinted), []).append(m)
        for (key, hinted), faces in by_key.items():
            digests = list(dict.fromkeys(m.digest for m in faces))
            if len(digests) > 1:
                original = originals.find(key) if originals is not None else None
                if original is None:
                    why = "its original font file is not among the files given"
                elif not original.mergeable:
                    why = "a variable or colour font"
                else:
                    done = _merge_face(pdf, faces, original, hinted)
                    if done is not None:
                        replaced.update(done)
                        merged.append(base)
                        continue
                    why = "the face cannot be cut again"
                kept.append((base, why))
            # Fonts embedding the very same program (the same glyphs in two chapters): one
            # font dictionary where they agree, whether the original is found or not.
            for digest in digests:
                same = [m for m in faces if m.digest == digest]
                if len(same) > 1:
                    replaced.update(_merge_face(pdf, same) or {})
        for m in members:
            if m.why_not is not None and len(members) > 1:
                kept.append((base, m.why_not))

    # Point every resource at the merged fonts.
    if replaced:
        for res in resources:
            entries = res.get("/Font")
            if not isinstance(entries, Dictionary):
                continue
            for name, font in list(entries.items()):
                if isinstance(font, Dictionary) and font.is_indirect and font.objgen in replaced:
                    entries[name] = replaced[font.objgen]

    # The fonts now used: byte-identical programs shared, distinct programs under distinct tags.
    used: dict[tuple[int, int], pikepdf.Object] = {}
    for f in fonts.values():
        survivor = replaced.get(f.font.objgen, f.font)
        used.setdefault(survivor.objgen, survivor)
    by_name: dict[str, list[pikepdf.Object]] = {}
    for obj in used.values():
        by_name.setdefault(str(obj.get("/BaseFont", "/"))[1:], []).append(obj)
    tags = {_split(name)[0] for name in by_name}
    retagged: list[tuple[str, str]] = []
    shared: dict[tuple[str, str, bytes], pikepdf.Object] = {}
    program_sizes: dict[bytes, int] = {}
    for base in sorted(by_name):
        tag, rest = _split(base)
        programs: dict[bytes, str] = {}
        for obj in by_name[base]:
            stream, kind = _program_of(obj)
            if stream is None:
                continue
            digest, size = _digest(stream)
            program_sizes[digest] = size
            # The same bytes in another stream: share the first.
            first = shared.setdefault((base, kind, digest), stream)
            if first.objgen != stream.objgen:
                obj.DescendantFonts[0].FontDescriptor[Name("/" + kind)] = first
            if not programs:
                programs[digest] = base
            elif digest not in programs:
                new_tag = _tag(digest + base.encode(), tags)
                tags.add(new_tag)
                programs[digest] = f"{new_tag}+{rest}"
            if programs[digest] != base:
                retagged.append((base, programs[digest]))
                _rename(obj, programs[digest])
    return FontMergeReport(
        fonts_before=len(fonts), fonts_after=len(used),
        programs_before=len(programs_before), programs_after=len(program_sizes),
        program_bytes_before=sum(programs_before.values()), program_bytes_after=sum(program_sizes.values()),
        merged=tuple(merged), kept=tuple(kept), retagged=tuple(retagged),
        seconds=time.perf_counter() - start)


def _program_of(font: pikepdf.Object) -> tuple[pikepdf.Object | None, str]:
    try:
        descriptor = font.DescendantFonts[0].FontDescriptor
    except (AttributeError, IndexError, KeyError, TypeError):
        return None, ""
    for kind in ("FontFile2", "FontFile3", "FontFile"):
        if "/" + kind in descriptor:
            return descriptor["/" + kind], kind
    return None, ""
