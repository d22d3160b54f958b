"""Cutting a font down to the characters a book shows, for the EPUB.

With HarfBuzz's subsetter (Debian's libharfbuzz-subset0, which WeasyPrint uses
for the PDFs too) it takes milliseconds; without it, fontTools does the same in
about a third of a second per face. Both keep every layout feature (kerning,
ligatures, small caps) for the characters kept, every name record (the
copyright and the licence among them) and an outline for .notdef; both drop
hinting (e-readers scale outlines; hinting is most of the bytes).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _harfbuzz():
    """(ffi, libharfbuzz, libharfbuzz-subset), or None where they cannot be loaded."""
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef("""
            typedef struct hb_blob_t hb_blob_t;
            typedef struct hb_face_t hb_face_t;
            typedef struct hb_set_t hb_set_t;
            typedef struct hb_subset_input_t hb_subset_input_t;
            typedef int hb_bool_t;
            hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode,
                                       void *user_data, void *destroy);
            void hb_blob_destroy (hb_blob_t *blob);
            const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
            hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
            void hb_face_destroy (hb_face_t *face);
            hb_blob_t *hb_face_reference_blob (hb_face_t *face);
            hb_bool_t hb_version_atleast (unsigned int major, unsigned int minor, unsigned int micro);
            const char *hb_version_string (void);
            void hb_set_add (hb_set_t *set, uint32_t codepoint);
            void hb_set_clear (hb_set_t *set);
            void hb_set_invert (hb_set_t *set);
            hb_subset_input_t *hb_subset_input_create_or_fail (void);
            void hb_subset_input_destroy (hb_subset_input_t *input);
            hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
            void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
            hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
        """)
        hb = _open(ffi, "libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll", "harfbuzz")
        sub = _open(ffi, "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll",
                    "harfbuzz-subset")
        # hb_set_invert and the subset sets used here are in HarfBuzz 4.1 and later.
        if not hb.hb_version_atleast(4, 1, 0):
            return None
        for name in ("hb_subset_input_create_or_fail", "hb_subset_input_set", "hb_subset_or_fail"):
            getattr(sub, name)
        for name in ("hb_set_invert", "hb_blob_create", "hb_face_create"):
            getattr(hb, name)
    except (ImportError, OSError, AttributeError):
        return None
    return ffi, hb, sub


def _open(ffi, *names: str):
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    raise OSError(f"none of {names} could be loaded")


_MEMORY_MODE_DUPLICATE = 0
_SETS = {"unicode": 1, "name_id": 4, "name_lang_id": 5, "layout_feature_tag": 6}
_NO_HINTING, _NOTDEF_OUTLINE = 0x1, 0x40


def method() -> str:
    """"harfbuzz" or "fonttools": what :func:`subset` uses on this machine."""
    return "harfbuzz" if _harfbuzz() else "fonttools"


def version() -> str:
    """What cuts the fonts here, with its version ("harfbuzz 6.0.0", "fonttools 4.55.0")."""
    loaded = _harfbuzz()
    if loaded:
        ffi, hb, _ = loaded
        return "harfbuzz " + ffi.string(hb.hb_version_string()).decode()
    import fontTools

    return "fonttools " + fontTools.version


def subset(font: Path, text: str) -> bytes:
    """The font file ``font`` with only the glyphs ``text`` needs (see the module)."""
    if _harfbuzz():
        data = _subset_harfbuzz(font.read_bytes(), text)
        if data:
            return data
    return _subset_fonttools(font, text)


def _subset_harfbuzz(source: bytes, text: str) -> bytes | None:
    ffi, hb, sub = _harfbuzz()
    blob = hb.hb_blob_create(source, len(source), _MEMORY_MODE_DUPLICATE, ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, 0)
    hb.hb_blob_destroy(blob)
    options = sub.hb_subset_input_create_or_fail()
    try:
        if options == ffi.NULL:
            return None
        unicodes = sub.hb_subset_input_set(options, _SETS["unicode"])
        for c in sorted(set(text)):
            hb.hb_set_add(unicodes, ord(c))
        for every in ("name_id", "name_lang_id", "layout_feature_tag"):  # all of them
            s = sub.hb_subset_input_set(options, _SETS[every])
            hb.hb_set_clear(s)
            hb.hb_set_invert(s)
        sub.hb_subset_input_set_flags(options, _NO_HINTING | _NOTDEF_OUTLINE)
        result = sub.hb_subset_or_fail(face, options)
        if result == ffi.NULL:
            return None
        try:
            out = hb.hb_face_reference_blob(result)
            try:
                length = ffi.new("unsigned int *")
                data = hb.hb_blob_get_data(out, length)
                return bytes(ffi.buffer(data, length[0])) if length[0] else None
            finally:
                hb.hb_blob_destroy(out)
        finally:
            hb.hb_face_destroy(result)
    finally:
        if options != ffi.NULL:
            sub.hb_subset_input_destroy(options)
        hb.hb_face_destroy(face)


def _subset_fonttools(font: Path, text: str) -> bytes:
    from fontTools import subset as ft
    from fontTools.ttLib import TTFont

    options = ft.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.recalc_timestamp = False
    with TTFont(font, recalcTimestamp=False) as face:
        subsetter = ft.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(face)
        buf = io.BytesIO()
        face.save(buf)
    return buf.getvalue()
