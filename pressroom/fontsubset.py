"""Cutting a font down to the characters a book shows, for the EPUB.

With HarfBuzz's subsetter (uharfbuzz: HarfBuzz in a wheel, nothing to install
besides pressroom's Python packages) it takes milliseconds; without it, fontTools
does the same in about a third of a second per face. Both keep every layout
feature (kerning, ligatures, small caps) for the characters kept, every name
record (the copyright and the licence among them) and an outline for .notdef;
both drop hinting (e-readers scale outlines; hinting is most of the bytes).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _harfbuzz():
    """The uharfbuzz module, or None where it cannot be imported or lacks the subsetter."""
    try:
        import uharfbuzz as hb

        # The subsetter's input sets and flags, as used below, are in HarfBuzz 4.1 and later.
        major, minor = (int(n) for n in hb.version_string().split(".")[:2])
        if (major, minor) < (4, 1):
            return None
        for name in ("Blob", "Face", "SubsetInput", "SubsetFlags", "subset"):
            getattr(hb, name)
        for name in ("unicode_set", "name_id_set", "name_lang_id_set", "layout_feature_tag_set", "flags"):
            getattr(hb.SubsetInput, name)
    except (ImportError, AttributeError, ValueError):
        return None
    return hb


def method() -> str:
    """"harfbuzz" or "fonttools": what :func:`subset` uses on this machine."""
    return "harfbuzz" if _harfbuzz() else "fonttools"


def version() -> str:
    """What cuts the fonts here, with its version ("harfbuzz 11.2.1", "fonttools 4.55.0")."""
    hb = _harfbuzz()
    if hb:
        return "harfbuzz " + hb.version_string()
    import fontTools

    return "fonttools " + fontTools.version


def subset(font: Path, text: str, index: int = 0) -> bytes:
    """The font file ``font`` (its face ``index`` in a collection, .ttc) with only the
    glyphs ``text`` needs (see the module): one face, never a collection."""
    if _harfbuzz():
        data = _subset_harfbuzz(font.read_bytes(), text, index)
        if data:
            return data
    return _subset_fonttools(font, text, index)


def _subset_harfbuzz(source: bytes, text: str, index: int = 0) -> bytes | None:
    hb = _harfbuzz()
    options = hb.SubsetInput()
    options.unicode_set.update(ord(c) for c in set(text))
    for every in (options.name_id_set, options.name_lang_id_set, options.layout_feature_tag_set):
        every.clear()
        every.invert()  # all of them
    options.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    try:
        result = hb.subset(hb.Face(hb.Blob(source), index), options)
    except RuntimeError:  # not a font HarfBuzz can cut: fontTools tries
        return None
    return bytes(result.blob.data) or None


def _subset_fonttools(font: Path, text: str, index: int = 0) -> bytes:
    from fontTools import subset as ft
    from fontTools.ttLib import TTFont

    options = ft.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.recalc_timestamp = False
    with TTFont(font, recalcTimestamp=False, fontNumber=index) as face:
        subsetter = ft.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(face)
        buf = io.BytesIO()
        face.save(buf)
    return buf.getvalue()
