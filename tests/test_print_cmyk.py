"""print.color: cmyk read back: PDF/X-1a:2003 files for a press.

The files are read with pikepdf and Pillow by code of this module (not by
pressroom's own audit): every colour space anywhere in the file, the colour
operators of every content stream, transparency, fonts, the output intent, the
boxes, and the ink of every sample of every photo. Pages are rendered with
Ghostscript (which honours the CMYK profile) to compare the CMYK edition with the
RGB one.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms, ImageStat

from bookmaker import cmyk_icc, make_book
from pressroom.cli import main
from pressroom.editions.press import color
from pressroom.manuscript import load

ROOT = Path(__file__).resolve().parent.parent
IN = 72.0
SLUG = "photos-banned-by-north-korea"
GS_PROFILES = Path("/usr/share/color/icc/ghostscript")

@pytest.fixture(autouse=True)
def _ghostscript():
    """Ghostscript makes the CMYK files: skipped where it is missing, a failure on CI."""
    if shutil.which("gs") is None:
        if os.environ.get("PRESSROOM_CI") == "1":
            pytest.fail("Ghostscript is not installed (PRESSROOM_CI=1: .ci/run must install it)")
        pytest.skip("Ghostscript is not installed (apt-get install ghostscript)")


# --------------------------------------------------------------------------
# Reading a CMYK file back, independently of pressroom
# --------------------------------------------------------------------------

RGB_NAMES = {"/DeviceRGB", "/CalRGB", "/Lab", "/DefaultRGB"}


def rgb_anywhere(pdf: pikepdf.Pdf) -> list[str]:
    """Every RGB (or Lab) colour space in the file, in any object, and every RGB colour
    operator in any content stream (pages, forms, patterns, Type 3 glyphs)."""
    found = []

    def space(cs, where):
        if isinstance(cs, pikepdf.Name) and str(cs) in RGB_NAMES:
            found.append(f"{where}: {cs}")
        elif isinstance(cs, pikepdf.Array) and len(cs):
            if str(cs[0]) in RGB_NAMES:
                found.append(f"{where}: {cs[0]}")
            elif str(cs[0]) == "/ICCBased" and int(cs[1].N) not in (1, 4):
                found.append(f"{where}: ICCBased N={cs[1].N}")
            else:
                for part in list(cs)[1:]:
                    if isinstance(part, (pikepdf.Name, pikepdf.Array)):
                        space(part, where)

    for o in pdf.objects:
        if isinstance(o, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in ("/ColorSpace", "/CS"):
                if key in o:
                    v = o[key]
                    if isinstance(v, pikepdf.Dictionary):  # a resources' named spaces
                        for name, cs in v.items():
                            space(cs, f"{o.objgen} {name}")
                    else:
                        space(v, f"{o.objgen} {key}")
    streams = [pikepdf.Page(p) for p in pdf.pages]
    streams += [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                and (o.get("/Subtype") == "/Form" or o.get("/PatternType") == 1)]
    for s in streams:
        for operands, op in pikepdf.parse_content_stream(s):
            if str(op) in ("rg", "RG"):
                found.append(f"operator {op}")
            if str(op) in ("sc", "scn", "SC", "SCN") and len(operands) == 3:
                found.append(f"three-component {op}")
    return found


def transparency(pdf: pikepdf.Pdf) -> list[str]:
    found = []
    for o in pdf.objects:
        if not isinstance(o, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        if o.get("/S") == "/Transparency":
            found.append(f"{o.objgen}: transparency group")
        if "/SMask" in o and o.SMask != "/None":
            found.append(f"{o.objgen}: soft mask")
        if o.get("/Type") == "/ExtGState" or "/ca" in o or "/CA" in o:
            if float(o.get("/ca", 1)) < 1 or float(o.get("/CA", 1)) < 1:
                found.append(f"{o.objgen}: alpha")
            if str(o.get("/BM", "/Normal")) not in ("/Normal", "/Compatible"):
                found.append(f"{o.objgen}: blend mode")
    return found


def cmyk_samples(x: pikepdf.Stream) -> Image.Image:
    """A CMYK image XObject's samples as the PDF defines them (0 = no ink)."""
    assert x.ColorSpace == "/DeviceCMYK", x.ColorSpace
    assert x.Filter == "/DCTDecode"
    im = Image.open(io.BytesIO(x.read_raw_bytes()))
    im.load()
    raw = im.point(lambda v: 255 - v) if "adobe" in im.info else im  # Pillow inverts Adobe files; a PDF does not
    decode = [float(v) for v in x.get("/Decode", [])]
    return raw.point(lambda v: 255 - v) if decode == [1.0, 0.0] * 4 else raw


def max_ink(im: Image.Image) -> float:
    """The most ink (percent) of any pixel: C+M+Y+K."""
    total = None
    for ch in im.split():
        ch = ch.convert("I")
        total = ch if total is None else _add(total, ch)
    return total.getextrema()[1] * 100 / 255


def _add(a: Image.Image, b: Image.Image) -> Image.Image:
    from PIL import ImageMath

    return ImageMath.lambda_eval(lambda v: v["a"] + v["b"], a=a, b=b)


def images_of(pdf: pikepdf.Pdf) -> list[pikepdf.Stream]:
    return [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]


def check_x1a(path: Path, trim: tuple[float, float], bleed: float, profile: bytes, limit: float) -> pikepdf.Pdf:
    """A PDF/X-1a:2003 file for ``profile``: only CMYK and grey, no transparency, a CMYK
    output intent carrying the profile, fonts embedded, PDF 1.4 with no object or xref
    streams, the boxes where the RGB file has them, no image sample over ``limit``."""
    pdf = pikepdf.open(path)
    assert pdf.check_pdf_syntax() == []
    assert pdf.pdf_version == "1.4"
    assert path.read_bytes().startswith(b"%PDF-1.4")
    assert not [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Type") in ("/ObjStm", "/XRef")]
    assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-1a:2003"
    assert str(pdf.docinfo["/Trapped"]) == "/False"
    meta = pdf.open_metadata()
    assert meta.get("pdfxid:GTS_PDFXVersion") == "PDF/X-1a:2003"
    intents = pdf.Root.OutputIntents
    assert len(intents) == 1 and intents[0].S == "/GTS_PDFX"
    assert int(intents[0].DestOutputProfile.N) == 4
    assert intents[0].DestOutputProfile.read_bytes() == profile
    assert str(intents[0].OutputConditionIdentifier) and str(intents[0].Info)
    assert rgb_anywhere(pdf) == []
    assert transparency(pdf) == []
    for n, page in enumerate(pdf.pages, 1):
        tb = [float(v) for v in page.TrimBox]
        bb = [float(v) for v in page.BleedBox]
        assert tb[2] - tb[0] == pytest.approx(trim[0], abs=0.01) and tb[3] - tb[1] == pytest.approx(trim[1], abs=0.01)
        assert bb == pytest.approx([tb[0] - bleed, tb[1] - bleed, tb[2] + bleed, tb[3] + bleed], abs=0.01), n
        assert "/Annots" not in page and "/Group" not in page
    fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
    assert fonts
    for f in fonts:
        for d in f.get("/DescendantFonts") or [f]:
            assert any(k in d.FontDescriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), str(d.BaseFont)
    for x in images_of(pdf):
        assert max_ink(cmyk_samples(x)) <= limit + 1e-9
    # Colour operators in CMYK: within the limit too.
    for page in pdf.pages:
        for operands, op in pikepdf.parse_content_stream(page):
            if str(op) in ("k", "K"):
                assert sum(float(v) for v in operands) * 100 <= limit + 0.5
    return pdf


def render(path: Path, page: int, dpi: int = 20) -> Image.Image:
    """A page as Ghostscript renders it (CMYK through the default CMYK profile)."""
    out = subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=png16m", f"-r{dpi}",
                          f"-dFirstPage={page}", f"-dLastPage={page}", "-dUseTrimBox", "-sOutputFile=-", str(path)],
                         capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(out)).convert("RGB")


# --------------------------------------------------------------------------
# The sample book in CMYK
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_cmyk(tmp_path_factory):
    """The sample book with color: cmyk (a copy of book/ with that one line added), and
    the RGB edition of it, both built."""
    base = tmp_path_factory.mktemp("cmyk-sample")
    folder = base / "book"
    shutil.copytree(ROOT / "book", folder)
    text = (folder / "book.yaml").read_text(encoding="utf-8")
    (folder / "book.yaml").write_text(text.replace("  page_multiple: 4\n", "  page_multiple: 4\n  color: cmyk\n"),
                                      encoding="utf-8")
    assert main(["print", "--book", str(folder), "--out", str(base / "cmyk"), "-q"]) == 0
    assert main(["print", "--book", str(ROOT / "book"), "--out", str(base / "rgb"), "-q"]) == 0
    return base


@pytest.mark.slow
def test_sample_cmyk_interior_and_cover_are_pdfx1a(sample_cmyk):
    profile = (GS_PROFILES / "default_cmyk.icc").read_bytes()
    limit = color.ink_limit(profile)
    assert 250 < limit <= 300  # a SWOP profile: 300 % at most
    interior = check_x1a(sample_cmyk / "cmyk" / f"{SLUG}-print.pdf", (8.5 * IN, 8.5 * IN), 0.125 * IN, profile, limit)
    rgb = pikepdf.open(sample_cmyk / "rgb" / f"{SLUG}-print.pdf")
    assert len(interior.pages) == len(rgb.pages) == 40
    assert len(images_of(interior)) == 27
    # The profile is named: the output intent of the default profile is SWOP's registered condition.
    oi = interior.Root.OutputIntents[0]
    assert str(oi.OutputConditionIdentifier) == "CGATS TR 001" and "SWOP" in str(oi.Info)
    pages = len(interior.pages)
    cover = check_x1a(sample_cmyk / "cmyk" / f"{SLUG}-cover.pdf",
                      (2 * 8.5 * IN + pages * 0.002252 * IN, 8.5 * IN), 0.125 * IN, profile, limit)
    assert len(images_of(cover)) == 1
    # Black and grey text (#111 and #333 in the stylesheet) print on the black plate alone:
    # DeviceGray, which the press's RIP puts on black; no four-colour grey anywhere.
    colours = {(str(op), tuple(round(float(v), 3) for v in operands))
               for page in interior.pages for operands, op in pikepdf.parse_content_stream(page)
               if str(op) in ("g", "G", "k", "K")}
    assert ("g", (0.067,)) in colours and ("g", (0.2,)) in colours
    assert not [c for c in colours if c[0] in ("k", "K") and len(set(c[1][:3])) == 1 and c[1][0] > 0]


@pytest.mark.slow
def test_sample_cmyk_looks_like_the_rgb_edition(sample_cmyk, tmp_path):
    """Rendered side by side, the CMYK pages are the RGB pages within the gamut of
    print: the same page, mean colour within a few levels, grey text still grey."""
    for page in (9, 10, 38):
        a = render(sample_cmyk / "rgb" / f"{SLUG}-print.pdf", page)
        b = render(sample_cmyk / "cmyk" / f"{SLUG}-print.pdf", page)
        assert a.size == b.size
        mean_a, mean_b = ImageStat.Stat(a).mean, ImageStat.Stat(b).mean
        assert all(abs(x - y) < 12 for x, y in zip(mean_a, mean_b)), (page, mean_a, mean_b)
        side = Image.new("RGB", (a.width * 2 + 4, a.height), "grey")
        side.paste(a, (0, 0))
        side.paste(b, (a.width + 4, 0))
        side.save(tmp_path / f"side-{page}.png")


# --------------------------------------------------------------------------
# Small books
# --------------------------------------------------------------------------

def _build(folder: Path, out: Path) -> int:
    return main(["print", "--book", str(folder), "--out", str(out), "-q"])


@pytest.mark.slow
def test_press_profile_in_the_book_folder(tmp_path):
    folder = make_book(tmp_path / "b", photos=3, size=(900, 600), layouts={2: "full-bleed", 3: "spread"},
                       extra="print:\n  trim: 6x9in\n  color: cmyk\n  output_profile: profiles/press.icc\n")
    (folder / "profiles").mkdir()
    profile = (GS_PROFILES / "ps_cmyk.icc").read_bytes()
    (folder / "profiles" / "press.icc").write_bytes(profile)
    assert _build(folder, tmp_path / "out") == 0
    limit = color.ink_limit(profile)
    pdf = check_x1a(tmp_path / "out" / "a-test-book-print.pdf", (6 * IN, 9 * IN), 0.125 * IN, profile, limit)
    oi = pdf.Root.OutputIntents[0]
    assert str(oi.OutputConditionIdentifier) == "Custom" and str(oi.Info) == "Artifex PS CMYK Profile"
    # The full-bleed photo's and the spread's caption bands are opaque (no transparency).
    assert transparency(pdf) == []


def test_rgb_stays_the_default(tmp_path):
    folder = make_book(tmp_path / "b", photos=1)
    assert load(folder).print.color == "rgb"
    assert _build(folder, tmp_path / "out") == 0
    pdf = pikepdf.open(tmp_path / "out" / "a-test-book-print.pdf")
    assert pdf.open_metadata().get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
    assert int(pdf.Root.OutputIntents[0].DestOutputProfile.N) == 3


@pytest.mark.slow
def test_cmyk_build_is_reproducible(tmp_path):
    folder = make_book(tmp_path / "b", photos=1, size=(600, 400), extra="print:\n  color: cmyk\n")
    assert _build(folder, tmp_path / "one") == 0
    assert _build(folder, tmp_path / "two") == 0
    for name in ("a-test-book-print.pdf", "a-test-book-cover.pdf"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_without_ghostscript_a_located_error(tmp_path, monkeypatch, capsys):
    folder = make_book(tmp_path / "b", photos=1, size=(600, 400), extra="print:\n  color: cmyk\n")
    monkeypatch.setattr(color, "ghostscript", lambda: None)
    assert _build(folder, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert re.search(r"book\.yaml:\d+:\d+: error: .*Ghostscript .*apt install ghostscript", err), err
    assert "Traceback" not in err
    assert not list((tmp_path / "out").glob("*.pdf")) if (tmp_path / "out").exists() else True


@pytest.mark.parametrize("setting, message", [
    ("  color: cmky\n", r"print color 'cmky' is unknown; did you mean 'cmyk'\?"),
    ("  color: cmyk\n  output_profile: ../press.icc\n", r"output profile '../press.icc' must be a file inside the book folder"),
    ("  color: cmyk\n  output_profile: /etc/passwd\n", r"must be a file inside the book folder"),
    ("  color: cmyk\n  output_profile: profiles/missing.icc\n", r"output profile 'profiles/missing.icc' not found"),
    ("  color: cmyk\n  output_profile: profiles/srgb.icc\n", r"is a RGB profile; a press needs a CMYK one"),
    ("  color: cmyk\n  output_profile: profiles/a2b-only.icc\n", r"cannot be used by LittleCMS"),
    ("  color: cmyk\n  output_profile: profiles/not.icc\n", r"is not an ICC profile"),
    ("  output_profile: profiles/press.icc\n", r"an output profile is for CMYK files"),
])
def test_print_settings_errors_are_located(tmp_path, capsys, setting, message):
    folder = make_book(tmp_path / "b", photos=1, size=(300, 200), extra="print:\n" + setting)
    (folder / "profiles").mkdir()
    (folder / "profiles" / "press.icc").write_bytes((GS_PROFILES / "default_cmyk.icc").read_bytes())
    (folder / "profiles" / "srgb.icc").write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (folder / "profiles" / "a2b-only.icc").write_bytes(cmyk_icc())
    (folder / "profiles" / "not.icc").write_bytes(b"not a profile at all" * 10)
    assert main(["print", "--book", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if re.search(message, ln))
    assert re.match(r"\S*book\.yaml:\d+:\d+: error: ", line), line
    assert "Traceback" not in err


# --------------------------------------------------------------------------
# The pieces
# --------------------------------------------------------------------------

def test_neutral_colours_become_grey():
    assert color.neutral_to_gray(b"0.067 0.067 0.067 rg BT") == b"0.067 g BT"
    assert color.neutral_to_gray(b"q 0 0 0 RG 1 w") == b"q 0 G 1 w"
    assert color.neutral_to_gray(b"1 0 0 rg 0.5 0.5 0.51 rg") == b"1 0 0 rg 0.5 0.5 0.51 rg"
    assert color.neutral_to_gray(b"10.5 0.5 0.5 rg") == b"10.5 0.5 0.5 rg"  # not a neutral: 10.5 is not 0.5
    assert color.neutral_to_gray(b"/F1 1 1 1 rgx") == b"/F1 1 1 1 rgx"


def test_ink_limit_holds_for_the_darkest_and_most_saturated_colours(tmp_path):
    profile = color.load_profile(None)
    im = Image.new("RGB", (256, 64))
    colours = [(0, 0, 0), (20, 10, 40), (0, 0, 255), (40, 0, 0), (0, 30, 0), (255, 0, 255), (5, 5, 5), (60, 40, 20)]
    for i, c in enumerate(colours):
        im.paste(c, (i * 32, 0, i * 32 + 32, 64))
    im.save(tmp_path / "dark.png")
    data = color.cmyk_jpeg(tmp_path / "dark.png", profile)
    x = Image.open(io.BytesIO(data))
    x.load()
    assert x.mode == "CMYK" and "adobe" in x.info  # Pillow's view is the PDF's with WeasyPrint's /Decode
    assert max_ink(x) <= profile.ink_limit
    # Black is the profile's rich black, not four inks at 100 %.
    c, m, y, k = x.getpixel((16, 32))
    assert k > 200 and c + m + y + k < 300 * 255 / 100


def test_limit_ink_scales_colour_inks_and_keeps_black():
    im = Image.new("CMYK", (2, 1))
    im.putpixel((0, 0), (255, 255, 255, 255))
    im.putpixel((1, 0), (10, 20, 30, 40))
    out = color.limit_ink(im, 280)
    c, m, y, k = out.getpixel((0, 0))
    assert k == 255 and (c + m + y + k) * 100 / 255 <= 280
    assert out.getpixel((1, 0)) == (10, 20, 30, 40)


def test_cmyk_hardcover_case_and_jacket_are_pdfx1a(tmp_path):
    folder = make_book(tmp_path / "b", photos=2, size=(900, 600),
                       extra="description: A short blurb for the flap.\ncover: photos/01.jpg\n"
                             "print:\n  trim: 6x9in\n  color: cmyk\n  binding: hardcover\n  jacket: true\n")
    out = tmp_path / "out"
    assert _build(folder, out) == 0
    profile = (GS_PROFILES / "default_cmyk.icc").read_bytes()
    limit = color.ink_limit(profile)
    board_w, board_h = 6.125 * IN, 9.25 * IN
    check_x1a(out / "a-test-book-cover.pdf", (2 * board_w + 0.25 * IN, board_h), 0.75 * IN, profile, limit)
    check_x1a(out / "a-test-book-jacket.pdf", (2 * 3.25 * IN + 2 * board_w + 0.5 * IN, board_h), 0.125 * IN,
              profile, limit)
