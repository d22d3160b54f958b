"""The EPUB's font subsets, by HarfBuzz (uharfbuzz's) and by fontTools (the fallback):
the same characters, names and features, a small fraction of the face."""

from __future__ import annotations

import io
import os
import sys

import pytest
from fontTools.ttLib import TTFont

from pressroom import fontsubset
from pressroom.adapters.weasyprint import native_versions
from pressroom.render import FONTS

TEXT = "Photos banned by North Korea — “a leisurely afternoon”, ﬁne café naïve 1234 ½ ÆØÅ"


def _faces():
    yield "fonttools", lambda font, text: fontsubset._subset_fonttools(font, text)
    if fontsubset.method() == "harfbuzz":
        yield "harfbuzz", lambda font, text: fontsubset._subset_harfbuzz(font.read_bytes(), text)


def test_harfbuzz_comes_with_pressroom():
    """uharfbuzz is one of pressroom's dependencies: HarfBuzz cuts the EPUB's fonts
    wherever pressroom is installed, with no system library."""
    assert fontsubset.method() == "harfbuzz"
    assert fontsubset.version().startswith("harfbuzz ")


def test_weasyprint_subsets_with_the_system_harfbuzz_where_ci_installs_it():
    """WeasyPrint cuts the PDFs' fonts with the system's libharfbuzz-subset0 (not
    uharfbuzz's): .ci/run installs it, and a user should (README)."""
    if os.environ.get("PRESSROOM_CI"):
        assert native_versions()[1], "WeasyPrint found no libharfbuzz-subset"


def test_without_harfbuzz_fonttools_cuts_the_fonts(monkeypatch):
    """Where uharfbuzz cannot be imported (or cannot cut a font), fontTools does the work."""
    monkeypatch.setitem(sys.modules, "uharfbuzz", None)  # `import uharfbuzz` raises ImportError
    fontsubset._harfbuzz.cache_clear()
    try:
        assert fontsubset.method() == "fonttools" and fontsubset.version().startswith("fonttools ")
        data = fontsubset.subset(FONTS / "NotoSerif-Regular.ttf", TEXT)
        assert ord("é") in TTFont(io.BytesIO(data)).getBestCmap()
    finally:
        monkeypatch.undo()
        fontsubset._harfbuzz.cache_clear()
    assert fontsubset.method() == "harfbuzz"
    assert fontsubset._subset_harfbuzz(b"not a font", TEXT) is None  # subset() then asks fontTools


@pytest.mark.parametrize("face", ["NotoSerif-Regular.ttf", "NotoSerif-BoldItalic.ttf"])
def test_a_subset_keeps_the_text_names_and_features(face):
    full = TTFont(FONTS / face)
    full_cmap = full.getBestCmap()
    full_features = {r.FeatureTag for r in full["GSUB"].table.FeatureList.FeatureRecord}
    for how, make in _faces():
        data = make(FONTS / face, TEXT)
        assert data and len(data) < (FONTS / face).stat().st_size / 10, how
        sub = TTFont(io.BytesIO(data))
        cmap = sub.getBestCmap()
        assert {ord(c) for c in TEXT if ord(c) in full_cmap} <= set(cmap), how
        assert len(cmap) < 200, how  # the text's characters, not the face's thousands
        names = {n.nameID for n in sub["name"].names}
        assert {0, 1, 2, 13, 14} <= names, how  # copyright, family, style, licence and its URL
        features = {r.FeatureTag for r in sub["GSUB"].table.FeatureList.FeatureRecord}
        assert {"liga", "smcp", "onum"} <= features <= full_features, how
        assert "fpgm" not in sub and "prep" not in sub, how  # no hinting
        assert sub["glyf"][sub.getGlyphOrder()[0]].numberOfContours != 0, how  # .notdef drawn


def test_both_subsets_map_the_same_characters():
    made = {how: TTFont(io.BytesIO(make(FONTS / "NotoSerif-Regular.ttf", TEXT))).getBestCmap() for how, make in _faces()}
    wanted = {ord(c) for c in TEXT}
    assert len({frozenset(set(cmap) & wanted) for cmap in made.values()}) == 1
