"""fontmerge: one embedded copy of each face in a PDF merged from several.

Real documents only: WeasyPrint lays out small documents set in the vendored Noto Serif
(TrueType), EB Garamond (CFF, Debian's fonts-ebgaramond) and Noto Serif CJK (a face
of a .ttc collection, Debian's fonts-noto-cjk); pikepdf merges their pages as the
per-chapter layout does; pypdfium2 reads the text and renders the pages back.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pikepdf
import pytest

from bookmaker import make_book
from pdfread import page_texts
from pressroom import fontmerge
from pressroom.fontmerge import FontIndex, book_font_files, face_key, merge_fonts
from pressroom.paths import FONTS

ON_CI = os.environ.get("PRESSROOM_CI") == "1"
EB_GARAMOND = Path("/usr/share/fonts/opentype/ebgaramond/EBGaramond12-Regular.otf")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SERIF = {("normal", 400): "NotoSerif-Regular.ttf", ("italic", 400): "NotoSerif-Italic.ttf",
         ("normal", 700): "NotoSerif-Bold.ttf", ("italic", 700): "NotoSerif-BoldItalic.ttf"}


def need(path: Path, package: str) -> Path:
    if not path.exists():
        if ON_CI:
            pytest.fail(f"{package} not installed (PRESSROOM_CI=1: .ci/run installs it)")
        pytest.skip(f"{package} not installed (Debian/Ubuntu: apt-get install {package})")
    return path


def font_faces(cff: Path | None, cjk: Path | None) -> str:
    css = "".join(f'@font-face {{ font-family: "Serif"; font-style: {style}; font-weight: {weight}; '
                  f'src: url("{(FONTS / name).as_uri()}"); }}\n' for (style, weight), name in SERIF.items())
    if cff:
        css += f'@font-face {{ font-family: "Garamond"; src: url("{cff.as_uri()}"); }}\n'
    if cjk:
        css += f'@font-face {{ font-family: "CJK"; src: url("{cjk.as_uri()}"); }}\n'
    return css


def document(body: str, css: str, **options) -> bytes:
    import weasyprint

    html = (f"<!DOCTYPE html><html lang='en'><head><title>t</title><style>{css}"
            "@page { size: 120mm 90mm; margin: 10mm } body { font-family: Serif; font-size: 11pt }"
            ".g { font-family: Garamond } .c { font-family: CJK }</style></head><body>"
            f"{body}</body></html>")
    return weasyprint.HTML(string=html).write_pdf(**options)


#: Three chapters with different glyphs in every face: upright, italic, bold, bold italic,
#: CFF and CJK; text inside a form XObject (opacity).
CHAPTERS = [
    "<h1>One</h1><p>The quick brown fox jumps over the lazy dog. <i>Italic words</i> and "
    "<b>bold ones</b>.</p><p class=g>Garamond: office, affluent, ‘quoted’ 1234.</p>"
    "<p class=c>漢字と仮名の文章です。</p><p style='opacity: .5'>Half seen: xyz.</p>",
    "<h1>Two</h1><p>Zephyrs blow; vexing quartz. <i>Jinxed</i> <b><i>WALTZ</i></b> 56789 — “ok”.</p>"
    "<p class=g>Quiet Garamond: VWXYZ, 0987.</p><p class=c>日本語の本を読む。</p>",
    "<h1>Three</h1><p>Ångström, façade, naïve, œuvre: ÉÀÇ. <b>Bold Ü</b> <i>ß ø</i>.</p>"
    "<p class=g>Garamond gathers kilns.</p><p class=c>東京と大阪。</p><p style='opacity: .7'>Faint ÆŒ.</p>",
]


@pytest.fixture(scope="module")
def fonts():
    return need(EB_GARAMOND, "fonts-ebgaramond"), need(NOTO_CJK, "fonts-noto-cjk")


@pytest.fixture(scope="module")
def chapters(fonts):
    css = font_faces(*fonts)
    return [document(body, css) for body in CHAPTERS]


def merged(parts: list[bytes]) -> pikepdf.Pdf:
    """The chapters' pages in one PDF, as the per-chapter layout merges them."""
    out = pikepdf.new()
    for data in parts:
        out.pages.extend(pikepdf.open(io.BytesIO(data)).pages)
    return out


def saved(pdf: pikepdf.Pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


def everything(fonts: tuple[Path, Path]) -> FontIndex:
    return FontIndex(sorted(FONTS.glob("*.ttf")) + list(fonts))


def programs_by_face(data: bytes) -> dict[str, set[bytes]]:
    """{face name without its subset tag: digests of the font programs embedded for it}, over
    every object in the file (a font left behind anywhere would show)."""
    out: dict[str, set[bytes]] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for kind in ("/FontFile2", "/FontFile3"):
                    if kind in obj:
                        name = str(obj.FontName)[1:].split("+", 1)[-1]
                        out.setdefault(name, set()).add(hashlib.sha256(obj[kind].read_bytes()).digest())
    return out


def page_images(data: bytes) -> list:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    return [doc[i].render(scale=2, may_draw_forms=True).to_pil().convert("RGB") for i in range(len(doc))]


def assert_same_pages(parts: list[bytes], data: bytes) -> None:
    """Each page of ``data`` shows and says what the same page of its chapter did."""
    from PIL import ImageChops

    texts, images = [], []
    for part in parts:
        texts += page_texts(part)
        images += page_images(part)
    assert page_texts(data) == texts
    for i, (before, after) in enumerate(zip(images, page_images(data), strict=True)):
        worst = max(high for _, high in ImageChops.difference(before, after).getextrema())
        assert worst <= 8, f"page {i + 1} differs by {worst}"


@pytest.fixture(scope="module")
def result(chapters, fonts):
    pdf = merged(chapters)
    report = merge_fonts(pdf, everything(fonts))
    return report, saved(pdf)


# --------------------------------------------------------------------------
# Finding the original
# --------------------------------------------------------------------------

def test_the_index_finds_each_face_by_its_name_and_head(fonts):
    index = FontIndex(sorted(FONTS.glob("*.ttf")) + list(fonts))
    for name in SERIF.values():
        found = index.find(face_key((FONTS / name).read_bytes()))
        assert found is not None and found.path == FONTS / name and found.index == 0
    from fontTools.ttLib import TTFont

    for i in range(4):  # the faces of the collection (SC, TC, JP, KR, ...), each by its index
        with TTFont(fonts[1], fontNumber=i, lazy=True) as f:
            key = (f["name"].getDebugName(6), f["head"].created, round(f["head"].fontRevision * 65536),
                   f["head"].unitsPerEm)
        found = index.find(key)
        assert found is not None and (found.path, found.index) == (fonts[1], i)
    assert index.find(("NoSuchFont-Regular", 0, 0, 1000)) is None


def test_an_embedded_subset_leads_to_its_original_file(chapters, fonts):
    index = everything(fonts)
    found = set()
    with pikepdf.open(io.BytesIO(chapters[0])) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).read_bytes()
            original = index.original_of(program)
            assert original is not None, str(font.BaseFont)
            found.add((original.path.name, original.index))
    assert {("NotoSerif-Regular.ttf", 0), ("NotoSerif-Italic.ttf", 0), ("NotoSerif-Bold.ttf", 0),
            (EB_GARAMOND.name, 0)} <= found
    assert any(name == NOTO_CJK.name for name, _ in found)


def test_the_index_reads_files_only_when_asked(tmp_path, fonts):
    missing = tmp_path / "gone.ttf"
    index = FontIndex([missing, FONTS / "NotoSerif-Regular.ttf", tmp_path])  # unreadable entries are passed over
    assert index.find(face_key((FONTS / "NotoSerif-Regular.ttf").read_bytes())).path.name == "NotoSerif-Regular.ttf"


def test_a_books_font_files(tmp_path, fonts):
    from pressroom.manuscript import load

    folder = make_book(tmp_path / "b", 0, chapters="chapters:\n  - title: One\n    content:\n      - text: Words.\n",
                       extra="design:\n  fonts:\n    body: fonts/EBG\n")
    (folder / "fonts" / "EBG").mkdir(parents=True)
    shutil.copy(fonts[0], folder / "fonts" / "EBG" / fonts[0].name)
    files = book_font_files(load(folder))
    assert FONTS / "NotoSerif-Regular.ttf" in files and FONTS / "NotoSans-Bold.ttf" in files
    assert (folder / "fonts" / "EBG" / fonts[0].name).resolve() in [f.resolve() for f in files]
    assert len(files) == len(set(files))

    japanese = make_book(tmp_path / "ja", 0, language="ja",
                         chapters="chapters:\n  - title: 一\n    content:\n      - text: 日本語の本。\n")
    files = book_font_files(load(japanese))
    assert NOTO_CJK in files  # the script face pressroom adds, from fontconfig


# --------------------------------------------------------------------------
# Merging
# --------------------------------------------------------------------------

def test_one_font_program_per_face(chapters, result):
    report, data = result
    before = programs_by_face(saved(merged(chapters)))
    after = programs_by_face(data)
    assert set(after) == set(before)
    several = {name for name, p in before.items() if len(p) > 1}  # embedded once per chapter
    assert {"Serif", "Serif-Italic", "Serif-Bold", "Garamond", "CJK"} <= several
    assert {name: len(p) for name, p in after.items()} == {name: 1 for name in before}
    assert len(report.merged) == len(several) and report.kept == () and report.retagged == ()
    assert report.programs_after == len(before) < report.programs_before


def test_every_page_reads_and_looks_as_it_did(chapters, result):
    assert_same_pages(chapters, result[1])


def test_the_merged_file_is_smaller(chapters, result):
    report, data = result
    assert len(data) < len(saved(merged(chapters))) * 0.8
    assert report.program_bytes_after < report.program_bytes_before


def test_the_same_pages_give_the_same_bytes(chapters, fonts, result):
    pdf = merged(chapters)
    merge_fonts(pdf, everything(fonts))
    assert saved(pdf) == result[1]


def test_a_face_without_its_original_keeps_its_programs_under_distinct_tags(chapters, fonts):
    pdf = merged(chapters)
    report = merge_fonts(pdf, FontIndex(sorted(FONTS.glob("*.ttf")) + [fonts[1]]))  # EB Garamond not given
    data = saved(pdf)
    programs = programs_by_face(data)
    garamond = next(name for name in programs if name.endswith("Garamond"))
    assert len(programs[garamond]) == len(CHAPTERS)  # one per chapter, as they were
    assert report.kept and all(name.endswith("Garamond") for name, _ in report.kept)
    names: dict[str, set[bytes]] = {}
    with pikepdf.open(io.BytesIO(data)) as merged_pdf:
        for font in merged_pdf.objects:
            if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type0":
                cid = font.DescendantFonts[0]
                descriptor = cid.FontDescriptor
                assert str(font.BaseFont) == str(cid.BaseFont) == str(descriptor.FontName)
                program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).read_bytes()
                names.setdefault(str(font.BaseFont), set()).add(hashlib.sha256(program).digest())
    assert all(len(p) == 1 for p in names.values())  # no name for two programs
    assert len(report.retagged) == len(CHAPTERS) - 1
    assert_same_pages(chapters, data)


def test_text_that_disagrees_keeps_its_own_font_dictionary_over_one_program():
    # HarfBuzz draws "e" and a combining acute as the glyph of "é": that glyph stands for
    # "e\u0301" in one chapter and for "é" in the other. One ToUnicode cannot say both;
    # one font program draws both.
    css = font_faces(None, None)
    parts = [document("<p>Cafe\u0301 noir.</p>", css), document("<p>Café crème.</p>", css)]
    pdf = merged(parts)
    report = merge_fonts(pdf, FontIndex([FONTS / "NotoSerif-Regular.ttf"]))
    data = saved(pdf)
    assert report.fonts_before == 2 and report.fonts_after == 2 and report.programs_after == 1
    assert {n: len(p) for n, p in programs_by_face(data).items()} == {"Serif": 1}
    assert_same_pages(parts, data)


def test_one_chapter_alone_is_left_as_it_was():
    css = font_faces(None, None)
    part = document("<p>Only <i>one</i> chapter.</p>", css)
    pdf = pikepdf.open(io.BytesIO(part))
    before = saved(pdf)
    report = merge_fonts(pdf, FontIndex(sorted(FONTS.glob("*.ttf"))))
    assert report.merged == () and report.retagged == () and saved(pdf) == before


def test_without_an_index_identical_programs_are_shared_and_distinct_ones_renamed():
    css = font_faces(None, None)
    parts = [document("<p>Same words.</p>", css), document("<p>Same words.</p>", css),
             document("<p>Other words, quite different.</p>", css)]
    pdf = merged(parts)
    report = merge_fonts(pdf, None)
    data = saved(pdf)
    assert report.merged == () and report.programs_after == 2
    assert {n: len(p) for n, p in programs_by_face(data).items()} == {"Serif": 2}
    assert len(report.retagged) == 1
    assert_same_pages(parts, data)


def test_a_merged_tagged_pdf_has_no_structural_errors(fonts):
    css = font_faces(*fonts)
    parts = [document(body, css, pdf_variant="pdf/ua-1") for body in CHAPTERS]
    pdf = merged(parts)
    report = merge_fonts(pdf, everything(fonts))
    assert report.merged
    data = saved(pdf)
    with pikepdf.open(io.BytesIO(data)) as check:
        assert check.check_pdf_syntax() == []
    assert_same_pages(parts, data)


def test_cmaps_and_widths_round_trip():
    mapping = {3: " ", 0x44: "a", 0x1F0: "ﬁ", 0x2000: "fi", 0x2001: "\U0001F600", 7: ""}
    assert fontmerge.parse_to_unicode(fontmerge.to_unicode_cmap(mapping)) == mapping
    widths = {1: 200, 2: 300, 3: 300, 10: 500, 11: 510}
    array = fontmerge.widths_array(widths)
    assert [int(x) if not isinstance(x, pikepdf.Array) else [int(v) for v in x] for x in array] == \
        [1, [200, 300, 300], 10, [500, 510]]
    assert {k: int(v) for k, v in fontmerge.parse_widths(array).items()} == widths
    assert {k: int(v) for k, v in fontmerge.parse_widths(pikepdf.Array([5, 7, 250])).items()} == \
        {5: 250, 6: 250, 7: 250}
    bfrange = b"1 beginbfrange\n<0010> <0012> <0041>\n<0020> <0021> [<0061> <00660069>]\nendbfrange"
    assert fontmerge.parse_to_unicode(bfrange) == {0x10: "A", 0x11: "B", 0x12: "C", 0x20: "a", 0x21: "fi"}


@pytest.mark.filterwarnings("ignore::pikepdf.PageCopyWarning")  # merged as #16 merges: pages.extend
def test_a_form_fields_whole_font_stays_apart_from_the_cut_ones(fonts):
    # WeasyPrint embeds a face a form field uses whole, hinting and all, in that chapter:
    # it renders otherwise than the unhinted cuts, and keeps its own program and name.
    css = font_faces(None, None)
    parts = [document("<p>Plain words.</p>", css), document("<p>More plain words.</p>", css),
             document("<p>A field:</p><form><input name=f value='typed'></form>", css, pdf_forms=True)]
    pdf = merged(parts)
    report = merge_fonts(pdf, FontIndex(sorted(FONTS.glob("*.ttf"))))
    data = saved(pdf)
    assert len(report.merged) == 1  # the two cut ones
    assert {n: len(p) for n, p in programs_by_face(data).items()} == {"Serif": 2}
    assert len(report.retagged) == 1
    assert_same_pages(parts, data)


def test_fonts_in_annotation_appearances_are_pointed_at_the_merged_font():
    css = font_faces(None, None)
    parts = [document("<p>First chapter.</p>", css), document("<p>Second chapter, other letters.</p>", css)]
    with_note = pikepdf.open(io.BytesIO(parts[1]))
    page = with_note.pages[0]
    font = next(iter(page.Resources.Font.values()))
    appearance = pikepdf.Stream(with_note, b"BT /F1 12 Tf 0 0 Td <0033> Tj ET")
    appearance.update({"/Type": pikepdf.Name.XObject, "/Subtype": pikepdf.Name.Form, "/BBox": [0, 0, 50, 20],
                       "/Resources": pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))})
    note = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=[10, 10, 60, 30],
                              AP=pikepdf.Dictionary(N=appearance))
    page.Annots = with_note.make_indirect(pikepdf.Array([with_note.make_indirect(note)]))
    parts[1] = saved(with_note)
    pdf = merged(parts)
    merge_fonts(pdf, FontIndex([FONTS / "NotoSerif-Regular.ttf"]))
    data = saved(pdf)
    assert {n: len(p) for n, p in programs_by_face(data).items()} == {"Serif": 1}  # none left behind
    with pikepdf.open(io.BytesIO(data)) as out:
        used = out.pages[1].Annots[0].AP.N.Resources.Font.F1
        assert used.objgen == next(iter(out.pages[1].Resources.Font.values())).objgen


def test_a_cidset_covers_every_glyph_of_the_merged_program():
    # PDF/A-1 (PDF 1.4): WeasyPrint lists the glyphs a subset holds in a CIDSet.
    css = font_faces(None, None)
    parts = [document("<p>Alpha beta.</p>", css, pdf_variant="pdf/a-1b"),
             document("<p>Gamma delta, zeta.</p>", css, pdf_variant="pdf/a-1b")]
    pdf = merged(parts)
    merge_fonts(pdf, FontIndex([FONTS / "NotoSerif-Regular.ttf"]))
    data = saved(pdf)
    with pikepdf.open(io.BytesIO(data)) as out:
        cid = next(iter(out.pages[0].Resources.Font.values())).DescendantFonts[0]
        bits = cid.FontDescriptor.CIDSet.read_bytes()
        listed = {i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))}
        assert set(fontmerge.parse_widths(cid.W)) <= listed
    assert_same_pages(parts, data)
