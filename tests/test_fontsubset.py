"""The EPUB's font subsets, by HarfBuzz and by fontTools (the fallback): the same
characters, names and features, a small fraction of the face."""

from __future__ import annotations

import io
import os

import pytest
from fontTools.ttLib import TTFont

from pressroom import fontsubset
from pressroom.render import FONTS

TEXT = "Photos banned by North Korea — “a leisurely afternoon”, ﬁne café naïve 1234 ½ ÆØÅ"


def _faces():
    yield "fonttools", lambda font, text: fontsubset._subset_fonttools(font, text)
    if fontsubset.method() == "harfbuzz":
        yield "harfbuzz", lambda font, text: fontsubset._subset_harfbuzz(font.read_bytes(), text)


def test_harfbuzz_is_used_where_ci_installs_it():
    if os.environ.get("PRESSROOM_CI"):
        assert fontsubset.method() == "harfbuzz"  # .ci/run installs libharfbuzz-subset0
    assert fontsubset.method() in ("harfbuzz", "fonttools")


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
