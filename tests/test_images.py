"""The photo pipeline: every awkward file in, an upright, sRGB, metadata-free derivative out.

Every fixture is generated here (tests/bookmaker.py); every check reads the
derivative back with Pillow or looks at its bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from bookmaker import (GPS, make_photo, PRINTED_INKS, cmyk_icc, QUADRANTS, SECRET_COMMENT, SECRET_IPTC_CITY, SECRET_MAKE, SECRET_MODEL,
                       SECRET_SERIAL, SECRET_XMP_NOTE, ADOBE_RGB, DISPLAY_P3, adobe_rgb_icc, camera_exif,
                       display_p3_icc, make_book, make_camera_jpeg, make_pattern, stored_for, write_png16_rgba,
                       write_png_bomb, write_tiff16_rgb, xmp_packet)
from pressroom.errors import BuildError, Location, ManuscriptError
from pressroom.cache import cache_dir
from pressroom.images import Target, derive, srgb_profile_bytes, strip_jpeg
from pressroom.limits import Limits
from pressroom.manuscript import Photo, load

SCREEN = Target("screen", 240, 85)
EPUB = Target("epub", 160, 82)
PRINT = Target("print", None, 95, passthrough=True)
TARGETS = [SCREEN, EPUB, PRINT]


def photo(path: Path, line: int = 7) -> Photo:
    return Photo(number=1, src=f"photos/{path.name}", path=path, alt="A test photo.", caption_html="",
                 caption_text="", credit=None, layout="auto", where=Location("book.yaml", line, 9))


def run(*paths: Path, targets=TARGETS, **kw):
    kw.setdefault("jobs", 1)
    return derive([photo(p, 10 + i) for i, p in enumerate(paths)], targets, **kw)


# --------------------------------------------------------------------------
# Checks on a derivative
# --------------------------------------------------------------------------

def segments(data: bytes) -> list[tuple[int, bytes]]:
    """The marker segments of a JPEG up to its first scan: [(marker, payload)]."""
    assert data[:2] == b"\xff\xd8"
    out, i = [], 2
    while True:
        assert data[i] == 0xFF
        m = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        out.append((m, data[i + 4:i + 2 + length]))
        if m == 0xDA:
            return out
        i += 2 + length


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    for secret in (b"Exif\x00", b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"8BIM", b"ICC_PROFILE",
                   b"FPXR", SECRET_MAKE.encode(), SECRET_MODEL.encode(), SECRET_SERIAL.encode(),
                   SECRET_COMMENT.encode(), SECRET_IPTC_CITY.encode(), SECRET_XMP_NOTE.encode(), b"MAKERNOTE"):
        assert secret not in data, f"{secret!r} leaked into {path.name}"
    for marker, payload in segments(data):
        assert marker == 0xFE or not (0xE0 <= marker <= 0xEF) or \
            (marker == 0xE0 and payload.startswith(b"JFIF\x00") and payload[12:14] == b"\x00\x00") or \
            (marker == 0xEE and payload.startswith(b"Adobe")), f"segment {marker:#x} in {path.name}"
        assert marker != 0xFE, f"a comment in {path.name}"
    with Image.open(path) as im:
        assert im.format == "JPEG"
        assert len(im.getexif()) == 0
        for key in ("exif", "xmp", "icc_profile", "comment", "photoshop"):
            assert key not in im.info, f"{key} in {path.name}"


def corners(path: Path, inset: float = 0.2) -> list[tuple[int, int, int]]:
    """The colours near the four corners: top-left, top-right, bottom-left, bottom-right."""
    with Image.open(path) as im:
        im = im.convert("RGB")
        w, h = im.size
        pts = [(inset, inset), (1 - inset, inset), (inset, 1 - inset), (1 - inset, 1 - inset)]
        return [im.getpixel((int(x * w), int(y * h))) for x, y in pts]


def close(a, b, tol: int) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def assert_colours(path: Path, expected, tol: int = 8) -> None:
    got = corners(path)
    assert all(close(g, e, tol) for g, e in zip(got, expected)), f"{path.name}: {got} != {list(expected)}"


def expected_size(source: tuple[int, int], target: Target) -> tuple[int, int]:
    w, h = source
    if target.long_edge and max(w, h) > target.long_edge:
        s = target.long_edge / max(w, h)
        return round(w * s), round(h * s)
    return w, h


def assert_derivatives(result, path: Path, upright_size, colours=QUADRANTS, tol=8, targets=TARGETS):
    for t in targets:
        a = result[(path, t.name)]
        assert (a.width, a.height) == expected_size(upright_size, t)
        with Image.open(a.path) as im:
            assert im.size == (a.width, a.height)
            assert im.mode in ("RGB", "L")
        assert_no_metadata(a.path)
        assert_colours(a.path, colours, tol)


# --------------------------------------------------------------------------
# Orientation and privacy
# --------------------------------------------------------------------------

@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_upright_and_scrubbed_in_every_edition(tmp_path, orientation):
    src = make_camera_jpeg(tmp_path / f"o{orientation}.jpg", make_pattern((300, 200)), orientation)
    with Image.open(src) as im:  # the fixture carries what a camera leaves
        exif = im.getexif()
        assert exif[0x0112] == orientation and exif.get_ifd(0x8825)[2] == GPS[0]
        assert exif.get_ifd(-1)  # IFD1: the thumbnail
        assert {"xmp", "comment", "photoshop"} <= set(im.info)
    result = run(src)
    assert_derivatives(result, src, (300, 200))
    # Only an upright original keeps its compressed data in print; the rest are re-encoded.
    assert result[(src, "print")].passthrough is (orientation == 1)
    assert not result[(src, "screen")].passthrough and not result[(src, "epub")].passthrough
    assert result.warnings == []


def test_print_passthrough_keeps_the_pixels_and_drops_every_metadata_segment(tmp_path):
    src = make_camera_jpeg(tmp_path / "cam.jpg", make_pattern((320, 240)), 1,
                           trailing=b"\xff\xd8trailing " + SECRET_SERIAL.encode())
    a = run(src, targets=[PRINT])[(src, "print")]
    assert a.passthrough
    assert_no_metadata(a.path)
    assert a.path.stat().st_size < src.stat().st_size
    with Image.open(src) as orig, Image.open(a.path) as out:
        assert out.tobytes() == orig.tobytes()  # not re-encoded: the very same pixels
    # the original is untouched
    assert SECRET_SERIAL.encode() in src.read_bytes()


def test_strip_jpeg_handles_progressive_restart_markers_and_stuffing(tmp_path):
    buf = io.BytesIO()
    make_pattern((200, 150)).save(buf, "JPEG", quality=90, progressive=True, comment=b"hello",
                                  exif=camera_exif(1), restart_marker_rows=1)
    data = buf.getvalue()
    clean = strip_jpeg(data)
    assert b"hello" not in clean and b"Exif" not in clean
    with Image.open(io.BytesIO(data)) as a, Image.open(io.BytesIO(clean)) as b:
        assert a.tobytes() == b.tobytes()


def test_heic_webp_tiff_png_metadata_is_dropped_too(tmp_path):
    up = make_pattern((300, 200))
    webp = tmp_path / "w.webp"
    stored_for(up, 6).save(webp, "WEBP", quality=95, exif=camera_exif(6, thumbnail=False), xmp=xmp_packet())
    png = tmp_path / "p.png"
    up.save(png, exif=camera_exif(1, thumbnail=False))
    heic = tmp_path / "h.heic"
    up.save(heic, "HEIF", quality=95, exif=camera_exif(1, thumbnail=False))
    result = run(webp, png, heic)
    for p in (webp, png, heic):
        assert_derivatives(result, p, (300, 200), tol=12)


# --------------------------------------------------------------------------
# Colour
# --------------------------------------------------------------------------

SRGB_D50 = ((0.4361, 0.3851, 0.1431), (0.2225, 0.7169, 0.0606), (0.0139, 0.0971, 0.7141))


def _inverse(m):
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return ((e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det), \
           ((f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det), \
           ((d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det)


def _mul(m, v):
    return tuple(sum(m[r][k] * v[k] for k in range(3)) for r in range(3))


def _srgb_decode(v):
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _srgb_encode(v):
    v = min(1.0, max(0.0, v))
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def to_srgb(rgb, profile) -> tuple[int, int, int]:
    """The sRGB value of ``rgb`` in a matrix profile, computed here from the primaries."""
    m = tuple(zip(profile["red"], profile["green"], profile["blue"]))  # columns are the colorants
    if "gamma" in profile:
        lin = [(c / 255) ** profile["gamma"] for c in rgb]
    else:
        lin = [_srgb_decode(c / 255) for c in rgb]
    out = _mul(_inverse(SRGB_D50), _mul(m, lin))
    return tuple(round(_srgb_encode(v) * 255) for v in out)


#: In gamut for sRGB, but far enough from it in wider spaces that a missed conversion shows.
WIDE_COLOURS = ((120, 190, 110), (200, 90, 80), (90, 110, 190), (128, 128, 128))


@pytest.mark.parametrize("kind", ["adobe-jpeg", "p3-jpeg", "adobe-tiff16", "p3-webp", "p3-png", "p3-heic", "p3-nclx"])
def test_wide_gamut_photos_are_converted_to_srgb(tmp_path, kind):
    space, fmt = kind.split("-")
    profile, icc = (ADOBE_RGB, adobe_rgb_icc()) if space == "adobe" else (DISPLAY_P3, display_p3_icc())
    up = make_pattern((300, 200), WIDE_COLOURS)
    if fmt == "jpeg":
        src = make_camera_jpeg(tmp_path / "w.jpg", up, 1, icc=icc, quality=98)
    elif fmt == "tiff16":
        src = write_tiff16_rgb(tmp_path / "w.tif", up, orientation=6, icc=icc)
    elif fmt == "webp":
        src = tmp_path / "w.webp"
        up.save(src, "WEBP", lossless=True, icc_profile=icc)
    elif fmt == "heic":
        src = tmp_path / "w.heic"
        up.save(src, "HEIF", quality=-1, icc_profile=icc)  # lossless
    elif fmt == "nclx":  # HEIF says "Display P3" with code points instead of a profile
        src = tmp_path / "n.heic"
        up.save(src, "HEIF", quality=-1, nclx_profile={"color_primaries": 12, "transfer_characteristics": 13,
                                                       "matrix_coefficients": 6, "full_range_flag": 1})
        with Image.open(src) as im:
            assert "icc_profile" not in im.info and im.info["nclx_profile"]["color_primaries"] == 12
    else:
        src = tmp_path / "w.png"
        up.save(src, icc_profile=icc)
    expected = [to_srgb(c, profile) for c in WIDE_COLOURS]
    # the conversion matters: at least one colour moves by more than the tolerance
    assert any(not close(e, c, 10) for e, c in zip(expected, WIDE_COLOURS))
    result = run(src)
    assert_derivatives(result, src, (300, 200), expected, tol=4)
    assert not result[(src, "print")].passthrough  # not sRGB: never passed through


def test_an_srgb_profile_may_pass_through_and_no_profile_means_srgb(tmp_path):
    from pressroom.images import srgb_profile_bytes

    tagged = make_camera_jpeg(tmp_path / "s.jpg", make_pattern(), 1, icc=srgb_profile_bytes())
    plain = make_camera_jpeg(tmp_path / "n.jpg", make_pattern(), 1, metadata=False)
    result = run(tagged, plain)
    for p in (tagged, plain):
        assert result[(p, "print")].passthrough
        assert_derivatives(result, p, (300, 200), QUADRANTS, tol=4)


CMYK_QUADRANTS = ((0, 0, 0, 0), (255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 0, 255))  # white, cyan, magenta, black


def test_adobe_inverted_cmyk_jpeg_comes_out_as_the_right_rgb(tmp_path):
    im = Image.new("CMYK", (300, 200))
    for i, c in enumerate(CMYK_QUADRANTS):
        im.paste(c, ((i % 2) * 150, (i // 2) * 100, (i % 2) * 150 + 150, (i // 2) * 100 + 100))
    src = tmp_path / "cmyk.jpg"
    im.save(src, "JPEG", quality=95, exif=camera_exif(1))
    data = src.read_bytes()
    adobe = [p for m, p in segments(data) if m == 0xEE]
    assert adobe and adobe[0].startswith(b"Adobe")  # Photoshop's convention: inverted CMYK
    with Image.open(src) as check:
        check.load()
        assert check.mode == "CMYK" and check.getpixel((10, 10)) == (0, 0, 0, 0)  # Pillow undid the inversion
    result = run(src)
    assert_derivatives(result, src, (300, 200), [(255, 255, 255), (0, 255, 255), (255, 0, 255), (0, 0, 0)], tol=10)
    assert not result[(src, "print")].passthrough


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_a_cmyk_profile_is_honoured(tmp_path, fmt):
    im = Image.new("CMYK", (300, 200))
    for i, c in enumerate(CMYK_QUADRANTS):
        im.paste(c, ((i % 2) * 150, (i // 2) * 100, (i % 2) * 150 + 150, (i // 2) * 100 + 100))
    src = tmp_path / f"cmyk.{fmt.lower()}"
    im.save(src, fmt, icc_profile=cmyk_icc(), **({"quality": 95} if fmt == "JPEG" else {"compression": "tiff_lzw"}))
    # printed cyan is not (0, 255, 255): the profile says what the inks look like
    expected = [(255, 255, 255), PRINTED_INKS["c"], PRINTED_INKS["m"], PRINTED_INKS["k"]]
    assert_derivatives(run(src), src, (300, 200), expected, tol=6)


# --------------------------------------------------------------------------
# Formats in
# --------------------------------------------------------------------------

def test_16_bit_png_with_alpha_is_flattened_on_white(tmp_path):
    up = make_pattern((300, 200))
    alpha = Image.new("L", (300, 200), 255)
    alpha.paste(0, (150, 100, 300, 200))  # bottom-right transparent
    src = write_png16_rgba(tmp_path / "a16.png", up, alpha)
    with Image.open(src) as im:
        assert im.mode == "RGBA"
    result = run(src)
    assert_derivatives(result, src, (300, 200), [*QUADRANTS[:3], (255, 255, 255)], tol=6)


@pytest.mark.parametrize("compression", ["tiff_lzw", "tiff_adobe_deflate"])
def test_16_bit_grey_tiff_is_scaled_not_clipped(tmp_path, compression):
    src = tmp_path / "g16.tif"
    Image.new("I;16", (300, 200), 40000).save(src, "TIFF", compression=compression)
    result = run(src)
    assert_derivatives(result, src, (300, 200), [(156, 156, 156)] * 4, tol=2)


def test_16_bit_rgb_tiff_deflate_with_orientation(tmp_path):
    src = write_tiff16_rgb(tmp_path / "rgb16.tif", make_pattern((300, 200)), orientation=5)
    assert_derivatives(run(src), src, (300, 200), tol=4)


def test_8_bit_tiff_lzw_and_webp_and_heic_rotated(tmp_path):
    up = make_pattern((300, 200))
    tif = tmp_path / "r.tif"
    exif = Image.Exif()
    exif[0x0112] = 8
    stored_for(up, 8).save(tif, "TIFF", compression="tiff_lzw", exif=exif)
    webp = tmp_path / "r.webp"
    stored_for(up, 3).save(webp, "WEBP", quality=95, exif=camera_exif(3, thumbnail=False))
    heic = tmp_path / "r.heic"  # pillow-heif turns EXIF orientation into HEIF's irot/imir
    stored_for(up, 6).save(heic, "HEIF", quality=95, exif=camera_exif(6, thumbnail=False))
    with Image.open(heic) as im:
        assert im.info["original_orientation"] == 6
    result = run(tif, webp, heic)
    for p in (tif, webp, heic):
        assert_derivatives(result, p, (300, 200), tol=12)


def test_animated_gif_uses_its_first_frame_and_warns(tmp_path):
    frames = [make_pattern((300, 200)), Image.new("RGB", (300, 200), (0, 0, 0)), Image.new("RGB", (300, 200), (9, 9, 9))]
    src = tmp_path / "anim.gif"
    frames[0].save(src, save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = run(src)
    assert_derivatives(result, src, (300, 200), tol=12)
    assert [str(w) for w in result.warnings] == [
        "book.yaml:10:9: warning: photo 'photos/anim.gif' is animated (3 frames); only its first frame is used"]
    assert result.warnings[0].code == "PR031"
    # the warning survives a warm build (it comes from the cache then)
    assert [w.message for w in run(src).warnings] == [w.message for w in result.warnings]


@pytest.mark.parametrize("fmt", ["GIF", "PNG"])
def test_a_transparent_palette_colour_becomes_white(tmp_path, fmt):
    im = Image.new("P", (300, 200), 0)
    im.putpalette([0, 0, 0] + [v for c in QUADRANTS[1:] for v in c])  # index 0: black, but transparent
    for i in (1, 2, 3):
        x, y = (i % 2) * 150, (i // 2) * 100
        im.paste(i, (x, y, x + 150, y + 100))
    src = tmp_path / f"t.{fmt.lower()}"
    im.save(src, fmt, transparency=0)
    assert_derivatives(run(src), src, (300, 200), [(255, 255, 255), *QUADRANTS[1:]], tol=6)


def test_never_upsampled_and_draft_decoding_keeps_the_exact_size(tmp_path):
    small = make_camera_jpeg(tmp_path / "small.jpg", make_pattern((120, 80)), 6)
    big = make_camera_jpeg(tmp_path / "big.jpg", make_pattern((1600, 1200)), 1, quality=90)
    result = run(small, big, targets=[Target("screen", 1000, 85), Target("epub", 390, 82)])
    assert (result[(small, "screen")].width, result[(small, "screen")].height) == (120, 80)
    assert (result[(small, "epub")].width, result[(small, "epub")].height) == (120, 80)
    assert (result[(big, "screen")].width, result[(big, "screen")].height) == (1000, 750)
    assert (result[(big, "epub")].width, result[(big, "epub")].height) == (390, 292)
    for key in result:
        assert_colours(result[key].path, QUADRANTS, 8)


# --------------------------------------------------------------------------
# Bad files: one clear line naming the photo and its manuscript line
# --------------------------------------------------------------------------

def _truncated(p: Path) -> Path:
    data = make_camera_jpeg(p.with_suffix(".full"), make_pattern((400, 300)), 1).read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def _just_short(p: Path) -> Path:
    data = make_camera_jpeg(p.with_suffix(".full"), make_pattern((400, 300)), 1, metadata=False).read_bytes()
    p.write_bytes(data[:-40])
    return p


BAD = {
    "empty": (lambda p: (p.write_bytes(b""), p)[1], "is empty"),
    "truncated": (_truncated, "is truncated"),
    "cut-near-end": (_just_short, "is truncated"),
    "text": (lambda p: (p.write_text("just some notes about the trip\n"), p)[1], "is a text file, not a photo"),
    "pdf": (lambda p: (p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), p)[1],
            "is a PDF document, not a photo"),
    "svg": (lambda p: (p.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), p)[1],
            "is an SVG drawing, not a photo"),
    "garbage": (lambda p: (p.write_bytes(bytes(range(256)) * 8), p)[1], "is not an image this program can read"),
    "bmp": (lambda p: (make_pattern().save(p, "BMP"), p)[1], "is in BMP format; use JPEG"),
    "bomb": (lambda p: write_png_bomb(p), "is 60000x60000 pixels (3,600 megapixels), more than the limit of 250"),
}


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("targets", [TARGETS, [PRINT]], ids=["all", "print-only"])
def test_bad_photo_is_one_clear_line(tmp_path, kind, targets):
    make, message = BAD[kind]
    src = make(tmp_path / "bad.jpg")
    with pytest.raises(ManuscriptError) as e:
        run(src, targets=targets)
    [problem] = e.value.problems
    line = str(problem)
    assert line.startswith("book.yaml:10:9: error: photo 'photos/bad.jpg' "), line
    assert message in line, line
    assert "\n" not in line and "Traceback" not in line
    assert problem.code in ("PR030", "PR032")


def test_limits_are_configurable_and_do_not_leak(tmp_path):
    before = Image.MAX_IMAGE_PIXELS
    src = make_camera_jpeg(tmp_path / "p.jpg", make_pattern((300, 200)), 1)
    with pytest.raises(ManuscriptError) as e:
        run(src, limits=Limits(max_photo_pixels=50_000))
    assert "is 300x200 pixels" in str(e.value) and e.value.problems[0].code == "PR032"
    with pytest.raises(ManuscriptError) as e:
        run(src, limits=Limits(max_photo_bytes=1000))
    assert "KB, more than the limit of 1,000 bytes" in str(e.value)
    assert e.value.problems[0].code == "PR028"  # the file size limit's code (codes.py), not the pixels'
    assert Image.MAX_IMAGE_PIXELS == before
    assert run(src, limits=Limits(max_photo_pixels=60_000))[(src, "print")].width == 300
    # a cached derivative is held to the limits too
    with pytest.raises(ManuscriptError):
        run(src, limits=Limits(max_photo_pixels=50_000))


def test_every_bad_photo_is_reported_at_once_and_good_ones_still_named(tmp_path):
    good = make_camera_jpeg(tmp_path / "good.jpg", make_pattern(), 1)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    cut = _truncated(tmp_path / "cut.jpg")
    with pytest.raises(ManuscriptError) as e:
        run(good, empty, cut, jobs=2)
    assert [str(p).split(" error: ")[0] for p in e.value.problems] == ["book.yaml:11:9:", "book.yaml:12:9:"]


# --------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------

def snapshot() -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in cache_dir().rglob("*") if p.is_file()}


def test_a_caption_edit_decodes_and_encodes_no_photo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_book(tmp_path / "book", photos=3)
    book = load(folder)
    targets = [SCREEN, EPUB, PRINT]
    calls = []
    first = derive(list(book.images), targets, progress=lambda n, what: calls.append((n, what)))
    assert len(calls) == 9 and not any(what.endswith("cached)") for _, what in calls)
    before = snapshot()
    yaml = folder / "book.yaml"
    yaml.write_text(yaml.read_text().replace("Fields after the harvest.", "Fields, after the harvest."))
    book2 = load(folder)
    assert book2.images[0].caption_text != book.images[0].caption_text
    calls.clear()
    second = derive(list(book2.images), targets, progress=lambda n, what: calls.append((n, what)))
    assert len(calls) == 9 and all(what.endswith("cached)") for _, what in calls)  # nothing to make
    assert snapshot() == before  # no file written, not even the source index
    assert {k: (a.path, a.width, a.height) for k, a in first.items()} == \
           {k: (a.path, a.width, a.height) for k, a in second.items()}


def test_a_changed_photo_is_derived_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = make_camera_jpeg(tmp_path / "p.jpg", make_pattern((300, 200)), 1)
    a = run(src)[(src, "screen")]
    make_camera_jpeg(src, make_pattern((300, 200), tuple(reversed(QUADRANTS))), 1)
    b = run(src)[(src, "screen")]
    assert a.path != b.path
    assert_colours(b.path, tuple(reversed(QUADRANTS)))


@pytest.mark.parametrize("damage", ["truncate", "flip-byte", "sidecar"])
def test_a_corrupt_cache_entry_is_rebuilt(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = make_camera_jpeg(tmp_path / "p.jpg", make_pattern((300, 200)), 6)
    a = run(src)[(src, "epub")]
    good = a.path.read_bytes()
    if damage == "truncate":
        a.path.write_bytes(good[: len(good) // 2])
    elif damage == "flip-byte":
        a.path.write_bytes(good[:300] + bytes([good[300] ^ 0xFF]) + good[301:])
    else:
        a.path.with_suffix(".json").write_text("{not json")
    calls = []
    b = run(src, progress=lambda n, what: calls.append(what))[(src, "epub")]
    made = [what for what in calls if not what.endswith("cached)")]
    assert made == ["photos/p.jpg (epub)"]  # only the damaged entry was made again
    assert b.path == a.path and b.path.read_bytes() == good


def test_processes_give_the_same_bytes_as_one(tmp_path, monkeypatch):
    srcs = [make_camera_jpeg(tmp_path / f"{i}.jpg", make_pattern((300, 200)), i) for i in (1, 3, 6, 8)]
    results = []
    for jobs in (1, 2):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache{jobs}"))
        r = derive([photo(s) for s in srcs], TARGETS, jobs=jobs)
        results.append({k: a.path.read_bytes() for k, a in r.items()})
    assert results[0] == results[1] and len(results[0]) == 12


def test_the_originals_are_never_changed(tmp_path):
    srcs = [make_camera_jpeg(tmp_path / "a.jpg", make_pattern(), 6),
            write_tiff16_rgb(tmp_path / "b.tif", make_pattern(), orientation=2, icc=adobe_rgb_icc())]
    before = {s: (s.read_bytes(), os.stat(s).st_mtime_ns) for s in srcs}
    run(*srcs)
    assert before == {s: (s.read_bytes(), os.stat(s).st_mtime_ns) for s in srcs}


@pytest.mark.parametrize("size, expected", [((800, 600), (400, 300)), ((806, 604), (403, 302)),
                                            ((1200, 900), (450, 338)), ((300, 200), (300, 200))])
def test_min_long_edge_takes_the_jpeg_decoders_own_scale_when_it_fits(tmp_path, size, expected):
    # 800 -> 400 (1/2) and 806 -> 403 fit [380, 450]: decoded straight to that size;
    # 1200 -> 600 (1/2) or 300 (1/4) do not: resampled to 450 as usual; 300 is never upsampled.
    src = make_camera_jpeg(tmp_path / "p.jpg", make_pattern(size), 6 if size[0] == 806 else 1)
    t = Target("epub", 450, 82, min_long_edge=380)
    a = run(src, targets=[t])[(src, "epub")]
    assert (a.width, a.height) == expected
    assert_colours(a.path, QUADRANTS, 8)
    assert_no_metadata(a.path)


def test_orientation_given_only_in_xmp_is_applied_too(tmp_path):
    up = make_pattern((300, 200))
    src = tmp_path / "xmp6.jpg"
    stored_for(up, 6).save(src, "JPEG", quality=95, xmp=xmp_packet(orientation=6))
    result = run(src)
    assert_derivatives(result, src, (300, 200))
    assert not result[(src, "print")].passthrough


def test_a_cameras_mpo_gives_its_first_picture_without_the_second(tmp_path):
    first, second = make_pattern((300, 200)), Image.new("RGB", (300, 200), (0, 0, 0))
    src = tmp_path / "stereo.jpg"
    first.save(src, "MPO", save_all=True, append_images=[second], quality=95, exif=camera_exif(1))
    with Image.open(src) as im:
        assert im.format == "MPO" and im.n_frames == 2
    result = run(src)
    assert_derivatives(result, src, (300, 200))
    a = result[(src, "print")]
    assert a.passthrough and b"MPF" not in a.path.read_bytes()
    assert a.path.read_bytes().count(b"\xff\xd8") == 1  # one picture, no second one after it
    assert result.warnings == []


def test_16_bit_grey_png_is_scaled_not_clipped(tmp_path):
    src = tmp_path / "g16.png"
    Image.new("I;16", (300, 200), 40000).save(src)
    with Image.open(src) as im:
        assert im.mode in ("I;16", "I")
    assert_derivatives(run(src), src, (300, 200), [(156, 156, 156)] * 4, tol=2)


def test_truncated_photos_stay_refused_when_pillow_was_told_to_load_them(tmp_path, monkeypatch):
    # importing WeasyPrint sets LOAD_TRUNCATED_IMAGES for the whole process (and its workers)
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    rotated = make_camera_jpeg(tmp_path / "r.full", make_pattern((400, 300)), 6).read_bytes()
    (tmp_path / "r.jpg").write_bytes(rotated[: len(rotated) // 2])  # not a pass-through candidate
    buf = io.BytesIO()
    make_pattern((400, 300)).save(buf, "PNG")
    (tmp_path / "t.png").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    for name in ("r.jpg", "t.png"):
        with pytest.raises(ManuscriptError) as e:
            run(tmp_path / name, targets=[SCREEN])
        assert "is truncated" in str(e.value)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # and it is left as it was


def test_a_motion_jpeg_frame_without_huffman_tables_is_re_encoded_for_print(tmp_path):
    buf = io.BytesIO()
    make_pattern((300, 200)).save(buf, "JPEG", quality=95, subsampling=0)
    data = buf.getvalue()
    out, i = [data[:2]], 2
    for marker, payload in segments(data):  # drop every DHT: the decoder's standard tables apply
        seg = bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload
        if marker != 0xC4:
            out.append(seg)
        i += len(seg)
    out.append(data[i:])
    src = tmp_path / "mjpeg.jpg"
    src.write_bytes(b"".join(out))
    with Image.open(src) as im:
        im.load()  # libjpeg decodes it
    result = run(src)
    assert not result[(src, "print")].passthrough
    assert_derivatives(result, src, (300, 200), tol=4)


def test_an_srgb_nclx_heif_is_left_as_it_is(tmp_path):
    src = tmp_path / "s.heic"
    make_pattern((300, 200)).save(src, "HEIF", quality=-1, nclx_profile={
        "color_primaries": 1, "transfer_characteristics": 13, "matrix_coefficients": 6, "full_range_flag": 1})
    assert_derivatives(run(src), src, (300, 200), tol=4)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_unwritable_cache_is_one_clear_line(tmp_path, monkeypatch, jobs):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file" / "cache"))
    srcs = [make_camera_jpeg(tmp_path / f"{i}.jpg", make_pattern(), 1) for i in (1, 2)]
    with pytest.raises(BuildError) as e:
        run(*srcs, jobs=jobs)
    [problem] = e.value.problems
    assert str(problem).startswith(f"{tmp_path}/file/cache/pressroom: error: cannot write the photo cache: ")
    assert problem.code == "PR033"


def test_one_decode_for_many_targets_gives_the_bytes_of_one_target_at_a_time(tmp_path, monkeypatch):
    """A photo's targets are made in one job (one decode per DCT scale, the print copy
    decoded for the others); each derivative is the same bytes as when made alone."""
    srcs = [make_camera_jpeg(tmp_path / "plain.jpg", make_pattern((800, 600)), 1, metadata=False),  # passes through
            make_camera_jpeg(tmp_path / "turned.jpg", make_pattern((800, 600)), 6)]  # re-encoded for print
    targets = [Target("screen", 300, 85), Target("epub", 400, 82, min_long_edge=350), Target("half", 400, 80),
               Target("big", 2000, 90), Target("near", 700, 84), PRINT]  # near: a 1/1 draft, decoded with big
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "together"))
    together = derive([photo(s) for s in srcs], targets, jobs=1)
    apart = {}
    for i, t in enumerate(targets):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"apart{i}"))
        apart.update(derive([photo(s) for s in srcs], [t], jobs=1))
    assert len(together) == len(apart) == 12
    for key, a in together.items():
        assert a.path.read_bytes() == apart[key].path.read_bytes(), key
        assert (a.width, a.height, a.passthrough) == (apart[key].width, apart[key].height, apart[key].passthrough)
    assert together[(srcs[0], "print")].passthrough and not together[(srcs[1], "print")].passthrough
    assert max(together[(srcs[0], "epub")].width, together[(srcs[0], "epub")].height) == 400  # 800 / 2, drafted


def test_a_later_scale_is_drafted_from_the_photo_as_stored(tmp_path, monkeypatch):
    """The first decode of a photo that is not passed through turns it upright in place;
    a later target's DCT scale (1/8 here) must still come from the photo as stored, or
    a turned camera photo's small derivative differs with the targets made beside it."""
    src = make_camera_jpeg(tmp_path / "turned.jpg", make_pattern((1600, 1067)), 6)
    targets = [Target("near", 700, 84), PRINT, Target("thumb", 180, 80)]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "together"))
    together = derive([photo(src)], targets, jobs=1)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "alone"))
    alone = derive([photo(src)], targets[2:], jobs=1)
    a, b = together[(src, "thumb")], alone[(src, "thumb")]
    assert (a.width, a.height) == (b.width, b.height) and a.path.read_bytes() == b.path.read_bytes()


def test_a_warm_derive_reads_no_cached_file_until_one_changes(tmp_path, monkeypatch):
    """Untouched cache entries are trusted by size and modification time (the print
    copies are whole originals: re-hashing them made every warm build read the book);
    an entry whose time or size changed is read and checked against its hash."""
    import pressroom.cache as cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = make_camera_jpeg(tmp_path / "p.jpg", make_pattern((300, 200)), 1)
    first = run(src)
    hashed = []
    real = cache.hash_file
    monkeypatch.setattr(cache, "hash_file", lambda p: (hashed.append(Path(p)), real(p))[1])
    run(src)
    assert all(not p.is_relative_to(cache_dir() / "derivatives") for p in hashed)
    touched = first[(src, "screen")].path
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1_000_000_000))
    calls = []
    again = run(src, progress=lambda n, what: calls.append(what))
    assert touched in hashed and all(what.endswith("cached)") for what in calls)  # checked, still good
    assert again[(src, "screen")].path.read_bytes() == touched.read_bytes()
    hashed.clear()
    run(src)
    assert touched not in hashed  # its new time was remembered
    # The print copy has no hash (cheaper to cut again from the original than to hash):
    # touched, it is made again, the same bytes, and trusted by its new time after.
    copy = first[(src, "print")].path
    kept = copy.read_bytes()
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 1_000_000_000))
    calls.clear()
    again = run(src, progress=lambda n, what: calls.append(what))
    assert copy not in hashed and any(w.endswith("(print)") for w in calls)  # made, not read and hashed
    assert again[(src, "print")].path.read_bytes() == kept
    calls.clear()
    run(src, progress=lambda n, what: calls.append(what))
    assert all(what.endswith("cached)") for what in calls)


def test_identical_photos_under_two_names_each_get_their_derivatives(tmp_path, monkeypatch):
    """Two files with the same bytes (a photo used twice) share their derivatives: a
    cold build gives both names every target, not only the last one seen."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_book(tmp_path / "book", photos=3, size=(320, 200))
    (folder / "photos" / "02.jpg").write_bytes((folder / "photos" / "01.jpg").read_bytes())
    book = load(folder)
    targets = [Target("screen", 200, 85), Target("print", None, 95, passthrough=True)]
    got = derive(list(book.images), targets, jobs=2)
    assert set(got) == {(p.path, t.name) for p in book.images for t in targets}
    assert got[(book.images[0].path, "print")] == got[(book.images[1].path, "print")]

# --------------------------------------------------------------------------
# Decoding work
# --------------------------------------------------------------------------

@pytest.fixture
def decodes(monkeypatch):
    """The sizes of the images Pillow really decodes (a load() with tiles left to read)."""
    sizes: list[tuple[int, int]] = []
    real = ImageFile.ImageFile.load

    def load(self):
        if self.tile:
            sizes.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def test_targets_on_the_same_dct_scale_share_one_decode(tmp_path, decodes):
    """Screen (1400 px) and EPUB (2048 px, from 1600) ask the decoder for different sizes
    of a 4000 px camera photo, but both at 1/2 scale: it is decoded once, and each
    derivative is still the bytes of that target made alone. A 300 px target is 1/8:
    a second decode."""
    from pressroom.images import derive_many, derive_one

    src = make_photo(tmp_path / "camera.jpg", (4000, 2667), seed=5, quality=92)
    screen, epub = Target("screen", 1400, 85), Target("epub", 2048, 82, min_long_edge=1600)
    together = derive_many(src, [screen, epub])
    assert decodes == [(2000, 1334)]
    decodes.clear()
    alone = [derive_one(src, t) for t in (screen, epub)]
    assert decodes == [(2000, 1334), (2000, 1334)]
    assert [d for d, _ in together] == [d for d, _ in alone]
    assert [(i["width"], i["height"]) for _, i in together] == [(1400, 934), (2000, 1334)]
    decodes.clear()
    thumb = Target("thumb", 300, 80)
    three = derive_many(src, [screen, thumb, epub, PRINT])
    assert sorted(decodes) == [(500, 334), (2000, 1334)]
    assert [three[0][0], three[2][0]] == [d for d, _ in together] and three[1][0] == derive_one(src, thumb)[0]


def test_a_passed_through_original_is_written_as_stripped_and_decoded_as_its_copy(tmp_path):
    """The print copy of a camera file is written from views into the file as read (not a
    joined copy): the cache holds exactly strip_jpeg's bytes and their size (not hashed),
    and the other targets, decoded from the original's bytes (metadata and all), are the
    bytes they would be when decoded from the stripped copy."""
    src = make_camera_jpeg(tmp_path / "cam.jpg", make_pattern((900, 600)), 1, icc=srgb_profile_bytes())
    stripped = strip_jpeg(src.read_bytes())
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(stripped)
    screen, epub = Target("screen", 500, 85), Target("epub", 700, 82)
    result = run(src, targets=[screen, epub, PRINT])
    a = result[(src, "print")]
    assert a.passthrough and a.path.read_bytes() == stripped and (a.width, a.height) == (900, 600)
    meta = json.loads(a.path.with_suffix(".json").read_text())
    assert meta["size"] == len(stripped) and meta["digest"] is None
    assert json.loads(result[(src, "screen")].path.with_suffix(".json").read_text())["digest"] == \
        hashlib.sha256(result[(src, "screen")].path.read_bytes()).hexdigest()[:40]
    from pressroom.images import derive_many

    alone = derive_many(copy, [screen, epub])
    assert [result[(src, t.name)].path.read_bytes() for t in (screen, epub)] == [d for d, _ in alone]
    assert derive_many(src, [PRINT])[0][0] == stripped  # the public call still gives bytes


def _strip_jpeg_before_the_regex(data: bytes) -> bytes:
    """strip_jpeg as it was with a Python step per 0xFF of the entropy-coded data: the
    reference its one-search version must match byte for byte (and error for error)."""
    from pressroom.images import _SOF_PLAIN, PhotoError, _NotPlain

    n = len(data)
    if data[:2] != b"\xff\xd8":
        raise PhotoError("is not a JPEG file although it was read as one")
    out = [b"\xff\xd8"]
    i = 2
    seen_sof = seen_dht = False

    def truncated():
        return PhotoError("is truncated (the file ends before the image does)")

    while True:
        if i >= n:
            raise truncated()
        if data[i] != 0xFF:
            raise PhotoError("is damaged (a JPEG marker is missing)")
        while i < n and data[i] == 0xFF:
            i += 1
        if i >= n:
            raise truncated()
        m = data[i]
        i += 1
        if m == 0xD9:
            out.append(b"\xff\xd9")
            if not seen_sof:
                raise PhotoError("is damaged (no image frame)")
            return b"".join(out)
        if 0xD0 <= m <= 0xD7 or m == 0x01:
            out.append(bytes((0xFF, m)))
            continue
        if i + 2 > n:
            raise truncated()
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2 or i + length > n:
            raise truncated()
        payload = data[i + 2:i + length]
        i += length
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            if m not in _SOF_PLAIN or (payload and payload[0] != 8):
                raise _NotPlain()
            seen_sof = True
        seen_dht = seen_dht or m == 0xC4
        if m == 0xDA and not seen_dht:
            raise _NotPlain()
        if m == 0xE0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
            out.append(b"\xff\xe0\x00\x10" + payload[:12] + b"\x00\x00")
            continue
        if m == 0xEE and payload.startswith(b"Adobe"):
            out.append(bytes((0xFF, m)) + data[i - length:i])
            continue
        if 0xE0 <= m <= 0xEF or m == 0xFE:
            continue
        out.append(bytes((0xFF, m)) + data[i - length:i])
        if m == 0xDA:
            j = i
            while True:
                k = data.find(b"\xff", j)
                if k < 0 or k + 1 >= n:
                    raise truncated()
                nxt = data[k + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    j = k + 1 if nxt == 0xFF else k + 2
                    continue
                out.append(data[i:k])
                i = k
                break


def _outcome(strip, data: bytes):
    try:
        return strip(data)
    except Exception as e:  # the same exception, with the same message, counts as the same outcome
        return type(e).__name__, str(e)


def _with_fill_bytes(data: bytes) -> bytes:
    """``data`` with 0xFF fill bytes before its restart markers, its second scan and its end
    (JPEG allows any number before a marker)."""
    data = data.replace(b"\xff\xd0", b"\xff\xff\xff\xd0").replace(b"\xff\xd3", b"\xff\xff\xd3")
    end = data.rindex(b"\xff\xd9")
    data = data[:end] + b"\xff" * 5 + data[end:]
    scans = [k for k in range(len(data) - 1) if data[k:k + 2] == b"\xff\xda"]
    if len(scans) > 1:
        data = data[:scans[1]] + b"\xff\xff" + data[scans[1]:]
    return data


def test_strip_jpeg_gives_the_bytes_of_its_old_step_by_step_scan(tmp_path):
    """One regex search for the marker after a scan: the same bytes as the old loop on
    noisy photos full of stuffed 0xFF00, progressive scans, restart intervals, grey and
    CMYK, fill bytes, and the same error on every truncation of one of them."""
    noisy = Image.effect_noise((640, 427), 90)
    noisy = Image.merge("RGB", [noisy, noisy.rotate(90, expand=False), noisy.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    photo_ = Image.open(make_photo(tmp_path / "p.jpg", (640, 427), seed=2))
    samples = []
    for im in (noisy, photo_, noisy.convert("L"), photo_.convert("CMYK")):
        for kw in ({}, {"progressive": True}, {"restart_marker_rows": 1}, {"progressive": True, "restart_marker_blocks": 7},
                   {"quality": 100, "subsampling": 0, "comment": b"a\xff\xd9comment", "exif": camera_exif(1)}):
            buf = io.BytesIO()
            im.save(buf, "JPEG", **kw)
            samples.append(buf.getvalue())
    samples += [_with_fill_bytes(d) for d in samples]
    stuffed = restarts = fills = 0
    for data in samples:
        ok = strip_jpeg(data)
        assert ok == _strip_jpeg_before_the_regex(data)
        with Image.open(io.BytesIO(data)) as a, Image.open(io.BytesIO(ok)) as b:
            assert a.tobytes() == b.tobytes()
        stuffed += data.count(b"\xff\x00")
        restarts += data.count(b"\xff\xd0")
        fills += data.count(b"\xff\xff\xff")
    assert stuffed > 10_000 and restarts > 50 and fills > 50  # the cases were really there
    some = samples[1::3]
    for data in some:  # every way a scan can be cut short, and damaged bytes after a stuffed 0xFF
        cuts = sorted({*range(0, len(data), max(1, len(data) // 97)), *(k + d for k in
                       (data.find(b"\xff\x00"), data.rfind(b"\xff\xd9"), data.find(b"\xff\xda")) for d in (0, 1, 2))})
        for cut in cuts:
            assert _outcome(strip_jpeg, data[:cut]) == _outcome(_strip_jpeg_before_the_regex, data[:cut]), cut
        k = data.find(b"\xff\x00")
        for b in (0x01, 0xC4, 0xD0, 0xD9, 0xFE, 0xFF):
            bent = data[:k + 1] + bytes([b]) + data[k + 2:]
            assert _outcome(strip_jpeg, bent) == _outcome(_strip_jpeg_before_the_regex, bent), b
