"""Reading PDFs back in tests: each page's text, where each image is drawn."""

from __future__ import annotations

import math
from pathlib import Path

import pikepdf

IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def page_texts(pdf: Path | bytes) -> list[str]:
    """Each page's text as pdfium extracts it; ``pdf`` a file or the PDF's bytes."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf) if isinstance(pdf, Path) else pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def _mul(m, n):
    """``m`` then ``n``, in PDF's row-vector convention."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _operations(page, ctm=IDENTITY):
    """(operands, operator, current transformation matrix) of each operation of ``page``'s
    content stream, the graphics state's q, Q and cm applied to the matrix as they come."""
    stack = []
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _mul(tuple(float(v) for v in operands), ctm)
        yield operands, op, ctm


def drawn_images(page: pikepdf.Page | pikepdf.Object, resources=None, ctm=IDENTITY) -> list[dict]:
    """Each image drawn on ``page`` (form XObjects followed), in drawing order: its pixel
    size, the box its matrix maps the unit square to (user space, points) and the
    drawn width and height. Keys: pixels, x0, y0, x1, y1, box, w, h, size, xobject."""
    resources = page.get("/Resources", {}) if resources is None else resources
    xobjects = resources.get("/XObject", {})
    out = []
    for operands, op, ctm in _operations(page, ctm):
        if op == "Do":
            xo = xobjects[operands[0]]
            if xo.Subtype == "/Form":
                matrix = tuple(float(v) for v in xo.get("/Matrix", IDENTITY))
                out += drawn_images(xo, xo.get("/Resources", resources), _mul(matrix, ctm))
                continue
            if xo.Subtype != "/Image":
                continue
            a, b, c, d, e, f = ctm
            xs, ys = [e, e + a, e + c, e + a + c], [f, f + b, f + d, f + b + d]
            w, h = math.hypot(a, b), math.hypot(c, d)
            out.append({"pixels": (int(xo.Width), int(xo.Height)), "x0": min(xs), "x1": max(xs),
                        "y0": min(ys), "y1": max(ys), "box": (min(xs), min(ys), max(xs), max(ys)),
                        "w": w, "h": h, "size": (w, h), "xobject": xo})
    return out


def _to_unicode(font) -> dict[int, str]:
    """A font's ToUnicode map, {code: text} (bfchar and bfrange entries)."""
    import re

    out: dict[int, str] = {}
    tu = font.get("/ToUnicode")
    if tu is None:
        return out
    data = tu.read_bytes().decode("latin-1")
    hexs = lambda s: bytes.fromhex(s).decode("utf-16-be", "replace")  # noqa: E731
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            out[int(code, 16)] = hexs(text)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, start in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int(start, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(first + i) if first + i < 0x110000 else "?"
    return out


def glyphs_drawn(pdf: pikepdf.Pdf) -> list[tuple[int, str, int, str]]:
    """Every glyph drawn in ``pdf``'s text (form XObjects followed): (page, font name, glyph
    code, its text from the font's ToUnicode map). For WeasyPrint's Type0 fonts (Identity-H,
    identity CID-to-GID) a code is a glyph id: 0 is .notdef, the empty box of a missing letter."""
    out = []

    def codes(font, data: bytes) -> list[int]:
        if font.get("/Subtype") == "/Type0":
            return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def walk(obj, resources, page_no, seen):
        fonts = resources.get("/Font", {})
        font = None
        for operands, op in pikepdf.parse_content_stream(obj):
            op = str(op)
            if op == "Tf":
                font = fonts.get(operands[0])
            elif op in ("Tj", "'", '"', "TJ") and font is not None:
                strings = operands[0] if op == "TJ" else [operands[-1]]
                tu = _to_unicode(font)
                for s in strings:
                    if isinstance(s, pikepdf.String):
                        for code in codes(font, bytes(s)):
                            out.append((page_no, str(font.get("/BaseFont", "?")), code, tu.get(code, "")))
            elif op == "Do":
                xo = resources.get("/XObject", {}).get(operands[0])
                if xo is not None and xo.get("/Subtype") == "/Form" and xo.objgen not in seen:
                    seen.add(xo.objgen)
                    walk(xo, xo.get("/Resources", resources), page_no, seen)

    for n, page in enumerate(pdf.pages, 1):
        walk(page, page.obj.get("/Resources", {}), n, set())
    return out


def _glyph_count(font) -> int | None:
    """How many glyphs the font program embedded for a Type0 font holds (None: not known)."""
    import io as _io

    from fontTools.ttLib import TTFont

    try:
        descriptor = font["/DescendantFonts"][0]["/FontDescriptor"]
    except (KeyError, IndexError, TypeError):
        return None
    for key in ("/FontFile2", "/FontFile3", "/FontFile"):
        if key in descriptor:
            data = descriptor[key].read_bytes()
            try:
                if key == "/FontFile3" and descriptor[key].get("/Subtype") == "/CIDFontType0C":
                    from fontTools.cffLib import CFFFontSet

                    cff = CFFFontSet()
                    cff.decompile(_io.BytesIO(data), None)
                    return len(cff[cff.fontNames[0]].charset)
                return TTFont(_io.BytesIO(data)).getGlyphOrder().__len__()
            except Exception:
                return None
    return None


def _cid_to_gid(font):
    try:
        m = font["/DescendantFonts"][0].get("/CIDToGIDMap")
    except (KeyError, IndexError, TypeError):
        return None
    if m is None or isinstance(m, pikepdf.Name):
        return None  # /Identity
    data = m.read_bytes()
    return lambda cid: int.from_bytes(data[2 * cid:2 * cid + 2], "big") if 2 * cid + 2 <= len(data) else 0


def notdef_glyphs(pdf: pikepdf.Pdf) -> list[str]:
    """Each missing letter drawn in ``pdf``, described for a failure message: glyph 0 (.notdef),
    or a glyph the embedded font does not have (WeasyPrint 70 gives a character no font has
    an unused glyph id, which a viewer draws as .notdef: an empty box)."""
    counts: dict[str, int | None] = {}
    maps: dict[str, object] = {}
    fonts: dict[str, object] = {}
    for page in pdf.pages:
        for name, font in page.obj.get("/Resources", {}).get("/Font", {}).items():
            fonts[str(font.get("/BaseFont", "?"))] = font
        for xo in page.obj.get("/Resources", {}).get("/XObject", {}).values():
            for name, font in xo.get("/Resources", {}).get("/Font", {}).items():
                fonts[str(font.get("/BaseFont", "?"))] = font
    for base, font in fonts.items():
        if font.get("/Subtype") == "/Type0":
            counts[base] = _glyph_count(font)
            maps[base] = _cid_to_gid(font)
    out = []
    for n, font, code, text in glyphs_drawn(pdf):
        gid = maps[font](code) if maps.get(font) else code
        total = counts.get(font)
        if gid == 0 or (total is not None and gid >= total):
            out.append(f"page {n}: {font} draws no glyph (gid {gid}) for {text!r}")
    return out


def _widths(font) -> dict[int, float]:
    """A Type0 font's glyph widths, {code: width in thousandths of the size}."""
    out: dict[int, float] = {}
    try:
        w = font["/DescendantFonts"][0].get("/W", [])
    except (KeyError, IndexError, TypeError):
        return out
    i = 0
    while i < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], pikepdf.Array):
            for k, v in enumerate(w[i + 1]):
                out[first + k] = float(v)
            i += 2
        else:
            for code in range(first, int(w[i + 1]) + 1):
                out[code] = float(w[i + 2])
            i += 3
    return out


def text_runs(page: pikepdf.Page) -> list[dict]:
    """Each run of text shown on ``page`` (not in form XObjects): its text (from ToUnicode)
    and where it starts and ends in user space (points), in which font: keys text, x0, x1, y, font."""
    fonts = page.obj.get("/Resources", {}).get("/Font", {})
    out = []
    tm, font, size = IDENTITY, None, 0.0
    cache: dict = {}
    for operands, op, ctm in _operations(page):
        if op == "Tm":
            tm = tuple(float(v) for v in operands)
        elif op == "Tf":
            font, size = fonts.get(operands[0]), float(operands[1])
        elif op in ("TJ", "Tj") and font is not None:
            key = font.objgen
            if key not in cache:
                cache[key] = (_widths(font), _to_unicode(font))
            widths, tu = cache[key]
            advance, text = 0.0, ""
            for item in (operands[0] if op == "TJ" else [operands[0]]):
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    for k in range(0, len(data) - 1, 2):
                        code = int.from_bytes(data[k:k + 2], "big")
                        advance += widths.get(code, 0.0) / 1000 * size
                        text += tu.get(code, "")
                else:
                    advance -= float(item) / 1000 * size
            m = _mul(tm, ctm)
            x0, y0 = m[4], m[5]
            x1 = m[0] * advance + m[4]
            out.append({"text": text, "x0": min(x0, x1), "x1": max(x0, x1), "y": y0,
                        "font": str(font.get("/BaseFont", "?")).split("+", 1)[-1]})
    return out


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of a tagged ``pdf``, in reading (document) order."""
    out = []

    def walk(e):
        out.append(e)
        for k in e.get("/K", []):
            if isinstance(k, pikepdf.Dictionary) and "/S" in k:
                walk(k)

    for k in pdf.Root.StructTreeRoot.K:
        walk(k)
    return out


def reached_mcids(pdf: pikepdf.Pdf) -> set[tuple[tuple[int, int], int]]:
    """(page's objgen, marked-content id) of every marked-content sequence the structure
    tree of ``pdf`` reaches: an element's integer kids on its page (/Pg, inherited from
    its parent) and its marked-content references (/MCR)."""
    reached = set()

    def walk(e, page):
        page = e.get("/Pg", page)
        for k in e.get("/K", []):
            if isinstance(k, pikepdf.Dictionary) and "/S" in k:
                walk(k, page)
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR":
                reached.add((k.get("/Pg", page).objgen, int(k.MCID)))
            elif not isinstance(k, (pikepdf.Dictionary, pikepdf.Array)):
                reached.add((page.objgen, int(k)))

    for k in pdf.Root.StructTreeRoot.K:
        walk(k, None)
    return reached
