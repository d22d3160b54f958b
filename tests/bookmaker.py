"""Generate small, valid books (and photos) for tests."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

CAPTIONS = [
    "A street at *dusk*, with “curly quotes” and an apostrophe’s place.",
    "Fields after the harvest.",
    "A [market](https://example.org/market) in the morning.",
    "Children on their way to school.",
]


def make_photo(path: Path, size=(1200, 800), seed=0, fmt="JPEG", **save) -> Path:
    """A small photo-like image: a gradient with soft shapes and grain."""
    rnd = random.Random(seed)
    w, h = size
    base = Image.linear_gradient("L").resize((w, h))
    im = Image.merge("RGB", [base.point(lambda v, k=k: int(v * (0.4 + 0.2 * k)) + rnd.randint(0, 60)) for k in range(3)])
    d = ImageDraw.Draw(im)
    for _ in range(6):
        x, y = rnd.randrange(w), rnd.randrange(h)
        r = rnd.randrange(min(w, h) // 10, min(w, h) // 3)
        d.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rnd.randrange(256) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(3))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, fmt, **({"quality": 85} if fmt == "JPEG" else {}) | save)
    return path


def make_book(folder: Path, photos: int = 3, *, title: str = "A Test Book", language: str = "en",
              extra: str = "", chapters: str | None = None, size=(1200, 800),
              layouts: dict[int, str] | None = None) -> Path:
    """Write book.yaml and its photos under ``folder``; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(1, photos + 1):
        sz = size if i % 3 else (size[1], size[0])
        make_photo(folder / "photos" / f"{i:02d}.jpg", sz, seed=i)
        items.append(
            f"      - photo: photos/{i:02d}.jpg\n"
            f"        alt: Test photo number {i}\n"
            f"        caption: \"{CAPTIONS[i % len(CAPTIONS)].replace(chr(34), chr(92) + chr(34))}\"\n"
            + (f"        layout: {layouts[i]}\n" if layouts and i in layouts else "")
        )
    if chapters is None:
        chapters = (
            "chapters:\n"
            "  - title: Opening\n"
            "    content:\n"
            "      - text: |\n"
            "          The *first* paragraph, with a [link](https://example.org).\n\n"
            "          A second paragraph.\n"
            "  - title: Pictures\n"
            "    content:\n" + "".join(items)
        )
    (folder / "book.yaml").write_text(
        f"title: {title}\n"
        f"language: {language}\n"
        "contributors:\n"
        "  - name: Ada Example\n"
        "    role: photographer\n"
        + extra + chapters,
        encoding="utf-8",
    )
    return folder


# --------------------------------------------------------------------------
# Awkward photos: what photographers' files really carry
# --------------------------------------------------------------------------

import io as _io
import struct as _struct
import zlib as _zlib


#: The colours of make_pattern's quadrants, top-left, top-right, bottom-left, bottom-right:
#: four different corners tell every one of the 8 EXIF orientations apart.
QUADRANTS = ((220, 30, 30), (30, 200, 40), (30, 60, 220), (240, 220, 40))

#: Things a camera file carries that must never reach a derivative.
SECRET_MAKE = "PhotoCorp"
SECRET_MODEL = "Spyglass X-9000"
SECRET_SERIAL = "SN-0042-SECRET"
SECRET_COMMENT = "shot near the border checkpoint"
SECRET_IPTC_CITY = "Hyesan"
SECRET_XMP_NOTE = "GPS-in-XMP-39.0392N"
GPS = (39.0, 2.0, 21.12), (125.0, 45.0, 45.0)  # degrees, minutes, seconds


def make_pattern(size=(300, 200), colours=QUADRANTS) -> Image.Image:
    """An upright RGB test image: four flat quadrants of different colours."""
    w, h = size
    im = Image.new("RGB", size)
    d = ImageDraw.Draw(im)
    for i, c in enumerate(colours):
        x, y = (i % 2) * w // 2, (i // 2) * h // 2
        d.rectangle([x, y, x + w // 2 - 1 + (w % 2) * (i % 2), y + h // 2 - 1 + (h % 2) * (i // 2)], fill=c)
    return im


_STORE_FOR = {  # how to store an upright image so that EXIF orientation N shows it upright
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def stored_for(upright: Image.Image, orientation: int) -> Image.Image:
    """The pixels a camera stores for ``upright`` when it tags them with ``orientation``."""
    t = _STORE_FOR[orientation]
    return upright.copy() if t is None else upright.transpose(t)


def _thumbnail_jpeg() -> bytes:
    buf = _io.BytesIO()
    Image.new("RGB", (32, 24), (90, 90, 90)).save(buf, "JPEG", quality=50)
    return buf.getvalue()


def camera_exif(orientation: int = 1, thumbnail: bool = True) -> bytes:
    """EXIF as a camera writes it: make, model, serial, maker note, GPS position and an IFD1 thumbnail."""
    exif = Image.Exif()
    exif[0x010F] = SECRET_MAKE
    exif[0x0110] = SECRET_MODEL
    exif[0x0112] = orientation
    exif[0x0131] = "PhotoCorp Firmware 1.2"
    exif[0x0132] = "2026:01:02 03:04:05"
    sub = exif.get_ifd(0x8769)
    sub[0xA431] = SECRET_SERIAL  # BodySerialNumber
    sub[0x9003] = "2026:01:02 03:04:05"
    sub[0x927C] = b"MAKERNOTE" + SECRET_SERIAL.encode()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", GPS[0], "E", GPS[1]
    data = exif.tobytes()
    if not thumbnail:
        return data
    # Pillow writes no IFD1: append one holding a JPEG thumbnail, linked from IFD0.
    tiff = bytearray(data[6:])
    e = "<" if tiff[:2] == b"II" else ">"
    ifd0 = _struct.unpack_from(e + "I", tiff, 4)[0]
    count = _struct.unpack_from(e + "H", tiff, ifd0)[0]
    next_at = ifd0 + 2 + 12 * count
    if len(tiff) % 2:
        tiff += b"\x00"
    ifd1 = len(tiff)
    _struct.pack_into(e + "I", tiff, next_at, ifd1)
    thumb = _thumbnail_jpeg()
    thumb_at = ifd1 + 2 + 2 * 12 + 4
    tiff += _struct.pack(e + "H", 2)
    tiff += _struct.pack(e + "HHII", 0x0201, 4, 1, thumb_at)
    tiff += _struct.pack(e + "HHII", 0x0202, 4, 1, len(thumb))
    tiff += _struct.pack(e + "I", 0) + thumb
    return b"Exif\x00\x00" + bytes(tiff)


def xmp_packet(orientation: int | None = None) -> bytes:
    o = f' tiff:Orientation="{orientation}"' if orientation else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"'
        ' xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' exif:GPSLatitude="39,2.352N" tiff:Model="{SECRET_MODEL}"{o}>'
        f'<dc:description>{SECRET_XMP_NOTE}</dc:description>'
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode("utf-8")


def iptc_app13() -> bytes:
    """A Photoshop APP13 segment holding IPTC records (by-line, city, keywords)."""
    def rec(ds: int, value: str) -> bytes:
        v = value.encode()
        return b"\x1c\x02" + bytes([ds]) + _struct.pack(">H", len(v)) + v
    iptc = rec(80, "Ada Example") + rec(90, SECRET_IPTC_CITY) + rec(25, "secret") + rec(116, "(c) Ada Example")
    res = b"8BIM" + _struct.pack(">H", 0x0404) + b"\x00\x00" + _struct.pack(">I", len(iptc)) + iptc
    if len(iptc) % 2:
        res += b"\x00"
    payload = b"Photoshop 3.0\x00" + res
    return b"\xff\xed" + _struct.pack(">H", len(payload) + 2) + payload


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + _struct.pack(">H", len(payload) + 2) + payload


def jfif_with_thumbnail() -> bytes:
    """A JFIF APP0 carrying a 2x2 RGB thumbnail (allowed by JFIF 1.02)."""
    payload = b"JFIF\x00\x01\x02\x00\x00\x48\x00\x48" + bytes([2, 2]) + bytes([200, 0, 0] * 4)
    return _segment(0xE0, payload)


def insert_segments(jpeg: bytes, segments: bytes) -> bytes:
    """``jpeg`` with raw marker segments inserted after SOI (and after its JFIF APP0, if any)."""
    assert jpeg[:2] == b"\xff\xd8"
    at = 2
    if jpeg[2:4] == b"\xff\xe0":
        at = 4 + _struct.unpack(">H", jpeg[4:6])[0]
    return jpeg[:at] + segments + jpeg[at:]


def make_camera_jpeg(path: Path, upright: Image.Image | None = None, orientation: int = 1, *,
                     icc: bytes | None = None, quality: int = 95, metadata: bool = True,
                     trailing: bytes = b"") -> Path:
    """A JPEG as a camera or an editor leaves it: EXIF (GPS, serial, thumbnail), XMP, IPTC,
    a comment, a JFIF thumbnail and an MPF-like APP2, stored so that ``orientation`` shows
    ``upright`` upright."""
    upright = upright or make_pattern()
    stored = stored_for(upright, orientation)
    buf = _io.BytesIO()
    kw: dict = {"quality": quality, "subsampling": 0}
    if icc:
        kw["icc_profile"] = icc
    if metadata:
        kw.update(exif=camera_exif(orientation), xmp=xmp_packet(), comment=SECRET_COMMENT.encode())
    elif orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kw["exif"] = exif.tobytes()
    stored.save(buf, "JPEG", **kw)
    data = buf.getvalue()
    if metadata:
        data = insert_segments(data, iptc_app13() + _segment(0xE2, b"FPXR\x00" + SECRET_SERIAL.encode())
                               + _segment(0xEB, b"JP\x00\x00maker-private " + SECRET_MODEL.encode()))
        data = data[:2] + jfif_with_thumbnail() + data[2:] if data[2:4] != b"\xff\xe0" else \
            data[:2] + jfif_with_thumbnail() + data[4 + _struct.unpack(">H", data[4:6])[0]:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data + trailing)
    return path


# ---- ICC profiles, written by hand (Pillow creates only sRGB and LAB) ------

def _s15(v: float) -> bytes:
    return _struct.pack(">i", round(v * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \x00\x00\x00\x00" + _s15(x) + _s15(y) + _s15(z)


def _desc(text: str) -> bytes:
    a = text.encode("ascii") + b"\x00"
    return b"desc\x00\x00\x00\x00" + _struct.pack(">I", len(a)) + a + b"\x00" * 8 + b"\x00\x00\x00" + b"\x00" * 67


def _srgb_curve(n: int = 1024) -> bytes:
    vals = []
    for i in range(n):
        v = i / (n - 1)
        lin = v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
        vals.append(round(lin * 65535))
    return b"curv\x00\x00\x00\x00" + _struct.pack(">I", n) + _struct.pack(f">{n}H", *vals)


def _gamma_curve(gamma: float) -> bytes:
    return b"curv\x00\x00\x00\x00" + _struct.pack(">IH", 1, round(gamma * 256))


def rgb_icc(description: str, red, green, blue, trc: bytes) -> bytes:
    """A v2 display profile from D50-adapted colorants and one tone curve for all channels."""
    tags = [(b"desc", _desc(description)), (b"cprt", b"text\x00\x00\x00\x00Public domain test profile\x00"),
            (b"wtpt", _xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", _xyz(*red)), (b"gXYZ", _xyz(*green)),
            (b"bXYZ", _xyz(*blue)), (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)]
    table = _struct.pack(">I", len(tags))
    body = b""
    offset = 128 + 4 + 12 * len(tags)
    shared: dict[bytes, int] = {}
    for sig, data in tags:
        if data not in shared:
            shared[data] = offset + len(body)
            body += data + b"\x00" * (-len(data) % 4)
        table += sig + _struct.pack(">II", shared[data], len(data))
    size = 128 + len(table) + len(body)
    header = (_struct.pack(">I", size) + b"\x00" * 4 + b"\x02\x10\x00\x00" + b"mntrRGB XYZ "
              + _struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\x00" * 24 + b"\x00" * 4
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\x00" * 4 + b"\x00" * 16 + b"\x00" * 28)
    assert len(header) == 128
    return header + table + body


#: Adobe RGB (1998): primaries and gamma 563/256 as Adobe publishes them, D50-adapted.
ADOBE_RGB = dict(red=(0.60974, 0.31111, 0.01947), green=(0.20528, 0.62567, 0.06087),
                 blue=(0.14919, 0.06322, 0.74457), gamma=563 / 256)
#: Display P3: DCI-P3 primaries, D65 white, the sRGB tone curve; D50-adapted.
DISPLAY_P3 = dict(red=(0.515121, 0.241196, -0.001053), green=(0.291977, 0.692245, 0.041885),
                  blue=(0.157104, 0.066574, 0.784073))


def adobe_rgb_icc() -> bytes:
    return rgb_icc("Adobe RGB (1998) compatible test profile", ADOBE_RGB["red"], ADOBE_RGB["green"],
                   ADOBE_RGB["blue"], _gamma_curve(ADOBE_RGB["gamma"]))


def display_p3_icc() -> bytes:
    return rgb_icc("Display P3 compatible test profile", DISPLAY_P3["red"], DISPLAY_P3["green"],
                   DISPLAY_P3["blue"], _srgb_curve())


# ---- Formats Pillow cannot write as cameras do ------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return _struct.pack(">I", len(data)) + kind + data + _struct.pack(">I", _zlib.crc32(kind + data))


def write_png16_rgba(path: Path, upright: Image.Image, alpha: Image.Image) -> Path:
    """A 16-bit-per-channel RGBA PNG from an 8-bit RGB image and an L alpha mask."""
    w, h = upright.size
    rgb, a = upright.convert("RGB").tobytes(), alpha.convert("L").tobytes()
    rows = bytearray()
    for y in range(h):
        rows += b"\x00"
        for x in range(w):
            r, g, b = rgb[3 * (y * w + x): 3 * (y * w + x) + 3]
            rows += _struct.pack(">4H", r * 257, g * 257, b * 257, a[y * w + x] * 257)
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", _struct.pack(">IIBBBBB", w, h, 16, 6, 0, 0, 0))
            + _png_chunk(b"IDAT", _zlib.compress(bytes(rows), 9)) + _png_chunk(b"IEND", b""))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_png_bomb(path: Path, width: int = 60_000, height: int = 60_000) -> Path:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", _struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _png_chunk(b"IDAT", _zlib.compress(b"\x00" * 1024)) + _png_chunk(b"IEND", b""))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_tiff16_rgb(path: Path, upright: Image.Image, *, orientation: int = 1, icc: bytes | None = None,
                     deflate: bool = True) -> Path:
    """A 16-bit RGB TIFF (as Lightroom exports it), Deflate-compressed, with an orientation tag."""
    im = stored_for(upright.convert("RGB"), orientation)
    w, h = im.size
    px = im.tobytes()
    raw = _struct.pack(f"<{len(px)}H", *(v * 257 for v in px))
    strip = _zlib.compress(raw, 6) if deflate else raw
    entries = []
    extra = bytearray()
    base = 8  # the IFD follows the header; data after the IFD
    n_tags = 12 + (1 if icc else 0)
    data_at = base + 2 + 12 * n_tags + 4

    def put(blob: bytes) -> int:
        nonlocal extra
        at = data_at + len(extra)
        extra += blob + (b"\x00" if len(blob) % 2 else b"")
        return at

    bps = put(_struct.pack("<3H", 16, 16, 16))
    strip_at = put(strip)
    icc_at = put(icc) if icc else 0
    entries = [
        (256, 4, 1, w), (257, 4, 1, h), (258, 3, 3, bps), (259, 3, 1, 8 if deflate else 1),
        (262, 3, 1, 2), (273, 4, 1, strip_at), (274, 3, 1, orientation), (277, 3, 1, 3),
        (278, 4, 1, h), (279, 4, 1, len(strip)), (284, 3, 1, 1), (305, 2, 4, int.from_bytes(b"cam\x00", "little")),
    ]
    if icc:
        entries.append((34675, 7, len(icc), icc_at))
    ifd = _struct.pack("<H", len(entries))
    for tag, typ, count, value in sorted(entries):
        if typ == 3 and count == 1:
            ifd += _struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            ifd += _struct.pack("<HHII", tag, typ, count, value)
    ifd += _struct.pack("<I", 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"II*\x00" + _struct.pack("<I", base) + ifd + bytes(extra))
    return path


#: The sRGB look of printed process inks on white paper (roughly SWOP): what a CMYK
#: profile says, and a plain CMYK-to-RGB conversion does not.
PRINTED_INKS = {"c": (0, 174, 239), "m": (236, 0, 140), "y": (255, 242, 0), "k": (35, 31, 32)}
_SRGB_D50_MATRIX = ((0.4361, 0.3851, 0.1431), (0.2225, 0.7169, 0.0606), (0.0139, 0.0971, 0.7141))


def _linear(v: int) -> float:
    v = v / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def cmyk_icc(inks=PRINTED_INKS) -> bytes:
    """A v2 CMYK output profile (A2B0 as a 2-point lut16 to PCS XYZ): inks multiply like filters."""
    grid = []
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    lin = [1.0, 1.0, 1.0]
                    for on, ink in ((c, "c"), (m, "m"), (y, "y"), (k, "k")):
                        if on:
                            lin = [a * _linear(b) for a, b in zip(lin, inks[ink])]
                    xyz = [sum(_SRGB_D50_MATRIX[r][i] * lin[i] for i in range(3)) for r in range(3)]
                    grid += [min(65535, round(v * 32768)) for v in xyz]
    identity = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    lut = (b"mft2\x00\x00\x00\x00" + bytes([4, 3, 2, 0]) + identity + _struct.pack(">HH", 2, 2)
           + _struct.pack(">8H", *([0, 65535] * 4)) + _struct.pack(f">{len(grid)}H", *grid)
           + _struct.pack(">6H", *([0, 65535] * 3)))
    tags = [(b"desc", _desc("CMYK test profile (inks as filters)")), (b"cprt", b"text\x00\x00\x00\x00Public domain\x00"),
            (b"wtpt", _xyz(0.9642, 1.0, 0.8249)), (b"A2B0", lut)]
    table = _struct.pack(">I", len(tags))
    body = b""
    offset = 128 + 4 + 12 * len(tags)
    for sig, data in tags:
        table += sig + _struct.pack(">II", offset + len(body), len(data))
        body += data + b"\x00" * (-len(data) % 4)
    size = 128 + len(table) + len(body)
    header = (_struct.pack(">I", size) + b"\x00" * 4 + b"\x02\x10\x00\x00" + b"prtrCMYKXYZ "
              + _struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\x00" * 24 + b"\x00" * 4
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\x00" * 4 + b"\x00" * 16 + b"\x00" * 28)
    return header + table + body


WORDS = ("the sea wind harbour lamp boat night morning rope salt gull keeper light shore tide stone "
         "window letter door road bread fire smoke water hand voice silence river bell winter summer "
         "old small long quiet dark bright cold warm slow far near under over along across toward "
         "walked waited listened carried remembered watched turned kept found lost spoke wrote read").split()


def prose(rnd: random.Random, sentences: int) -> str:
    """Plain, deterministic sentences of ordinary words."""
    out = []
    for _ in range(sentences):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(8, 22))]
        out.append(" ".join(words).capitalize() + rnd.choice([".", ".", ".", "?", ";", ","])[0].replace(",", ".").replace(";", "."))
    return " ".join(out)


def make_novel(folder: Path, *, parts: int = 2, chapters_per_part: int = 2, paragraphs: int = 6,
               notes: int = 2, photo: bool = True, seed: int = 7, extra_yaml: str = "") -> Path:
    """A long-form book: book.yaml with front and back matter and parts, chapter files in
    Markdown (sections, footnotes with unique words in the call's sentence and the note,
    a scene break, a line block, a pipe table with a caption, a photo, cross-references).

    Footnote k of chapter c (0: the foreword's) begins "nbCxKz" and its call is glued
    to the word "cwCxKz", so a test can find both on the pages of a PDF."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chapters").mkdir(exist_ok=True)
    (folder / "front").mkdir(exist_ok=True)
    (folder / "back").mkdir(exist_ok=True)
    if photo:
        make_photo(folder / "photos" / "01.jpg", (1600, 1000), seed=1)
    (folder / "front" / "foreword.md").write_text(
        "# Foreword\n\n" + prose(rnd, 8) + " Foreword cw0x1z[^f].\n\n"
        "[^f]: nb0x1z A note in the foreword.\n", encoding="utf-8")
    (folder / "back" / "acknowledgements.md").write_text(
        "# Acknowledgements\n\nThanks to everyone on the [first chapter](#chapter-one)'s boats.\n", encoding="utf-8")
    entries = []
    n = 0
    for p in range(1, parts + 1):
        entries.append(f"  - part: Part {p}\n")
        for _ in range(chapters_per_part):
            n += 1
            body = [f"# Chapter {n} {{#chapter-{'one' if n == 1 else n}}}\n"]
            for k in range(1, paragraphs + 1):
                para = prose(rnd, rnd.randint(4, 9))
                if k <= notes:
                    para += f" Then cw{n}x{k}z[^n{k}] and more."
                body.append(para + "\n")
                if k == paragraphs // 2:
                    body.append(f"## Section {n}.{k} {{#sec-{n}-{k}}}\n")
                if k == 2:
                    body.append("* * *\n")
            if n == 1:
                body.append("| The sea is wide,\n|     and I am small,\n| and the lamp is low.\n")
                body.append("| Ship | Tons |\n|------|-----:|\n| Mary | 120 |\n| Ann | 80 |\n\nTable: The fleet in spring\n")
                if photo:
                    body.append('![A boat at dawn on a flat sea](photos/01.jpg "The boat, *early*"){layout=inline}\n')
                body.append(f"Back to [the section](#sec-{n}-{paragraphs // 2}) and ahead to [the last chapter](#chapter-{parts * chapters_per_part}).\n")
            for k in range(1, notes + 1):
                body.append(f"[^n{k}]: nb{n}x{k}z " + prose(rnd, 2) + "\n\n    A second paragraph of the note.\n")
            (folder / "chapters" / f"{n:02d}.md").write_text("\n".join(body), encoding="utf-8")
            entries.append(f"  - file: chapters/{n:02d}.md\n")
    (folder / "book.yaml").write_text(
        "title: The Lamp at the Harbour\n"
        "subtitle: A Novel\n"
        "language: en\n"
        "contributors:\n  - name: Ada Marsh\n"
        "toc_depth: 2\n"
        + ("cover: photos/01.jpg\n" if photo else "")
        + "front_matter:\n"
        "  - dedication: For M., who kept the lamp lit.\n"
        "  - epigraph: The sea is a book that never ends.\n"
        "    source: A. Sailor, *Logbook*\n"
        "  - file: front/foreword.md\n"
        "    kind: foreword\n"
        "chapters:\n" + "".join(entries)
        + "back_matter:\n"
        "  - file: back/acknowledgements.md\n"
        "    kind: acknowledgements\n"
        "  - text: Ada Marsh lives by the sea.\n"
        "    kind: about the author\n" + extra_yaml,
        encoding="utf-8")
    return folder
