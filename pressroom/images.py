"""Per-edition photo derivatives and their cache.

The manuscript's photos are the user's originals and are never changed. Each
edition asks for a :class:`Target` (how large, what quality, whether a clean
original may pass through) and gets back an :class:`Asset`: an upright, sRGB
JPEG with no metadata at all (no EXIF, XMP, IPTC, GPS, thumbnail, maker note,
comment or ICC profile), in the user's cache folder. Derivatives are keyed by
the source bytes, the target and :data:`PIPELINE_VERSION`, so a rebuild after a
caption edit decodes nothing.

A photo that cannot be used (empty, truncated, not an image, an unsupported
format, over a :class:`Limits` setting) is reported as a :class:`ManuscriptError`
naming the photo and its line in the manuscript; a photo that can be used with a
caveat (an animated GIF: only its first frame) as a warning on
:attr:`Derivatives.warnings`.
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
import warnings
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PIL import Image, ImageCms, ImageFile, ImageOps

from .cache import SourceIndex, cache_dir, content_digest, derivative_entry, store, verified
from .errors import BuildError, Location, ManuscriptError, Problem
from .limits import DEFAULT as DEFAULT_LIMITS, Limits, human_bytes
from .manuscript import Photo

#: Bump when a change here alters the bytes of any derivative.
PIPELINE_VERSION = "5"


#: Formats a photo may come in (as Pillow names them; MPO is a camera's multi-picture JPEG).
ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "TIFF", "WEBP", "GIF", "HEIF"}
FORMAT_NAMES = "JPEG, PNG, TIFF, WebP, HEIC/HEIF or GIF"

_SRGB = ImageCms.createProfile("sRGB")
_SRGB_RED_D50 = (0.4361, 0.2225, 0.0139)  # sRGB's red colorant, D50-adapted, as ICC profiles carry it

_heif_registered = False


def _register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (pillow-heif), once per process."""
    global _heif_registered
    if not _heif_registered:
        try:
            from pillow_heif import register_heif_opener
        except ImportError:  # pragma: no cover - a dependency; without it HEIC is "not an image"
            pass
        else:
            register_heif_opener()
        _heif_registered = True


_register_heif()


@dataclass(frozen=True)
class Target:
    """What one edition needs from a photo."""

    name: str  # "screen", "epub", "print"
    long_edge: int | None  # pixels; None keeps full resolution (never upsampled)
    quality: int  # JPEG quality of a re-encoded derivative
    passthrough: bool = False  # a plain, upright sRGB JPEG keeps its compressed data (metadata dropped)
    #: The smallest long edge this edition accepts when that saves decoding work: a JPEG
    #: whose 1/2, 1/4 or 1/8 scale lands in [min_long_edge, long_edge] is decoded straight
    #: to that size by the JPEG decoder and not resampled (a 4032 px phone photo gives
    #: 2016 px for a 2048 px target, four times faster than a full decode). None: exactly long_edge.
    min_long_edge: int | None = None

    def key(self) -> str:
        k = f"{self.name}-{self.long_edge}-{self.quality}-{int(self.passthrough)}"
        return k + (f"-min{self.min_long_edge}" if self.min_long_edge else "")


@dataclass(frozen=True)
class Asset:
    """A file an edition may embed."""

    path: Path
    width: int
    height: int
    media_type: str = "image/jpeg"
    passthrough: bool = False  # the original's JPEG data, only its metadata segments dropped

    @property
    def aspect(self) -> float:
        return self.width / self.height


class Derivatives(dict):
    """``{(photo.path, target.name): Asset}``, with the warnings the photos raised."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[Problem] = []


def srgb_profile_bytes() -> bytes:
    return ImageCms.ImageCmsProfile(_SRGB).tobytes()


# --------------------------------------------------------------------------
# One photo
# --------------------------------------------------------------------------

class PhotoError(Exception):
    """A photo that cannot be used; the message says what is wrong."""

    def __init__(self, message: str, code: str = "PR030"):
        super().__init__(message)
        self.code = code

    def __reduce__(self):  # keep the code across the process pool
        return (PhotoError, (str(self), self.code))


def _sniff(head: bytes) -> str | None:
    """What a file that Pillow cannot open seems to be, for a clearer message."""
    h = head.lstrip()
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if h[:5].lower() == b"<?xml" or h[:4].lower() == b"<svg" or b"<svg" in h[:1024].lower():
        return "an SVG drawing"
    if h[:1] in (b"<",) or h[:9].lower() == b"<!doctype":
        return "an HTML or XML file"
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive"
    if head[4:8] == b"ftyp":
        return "a HEIF/AVIF/MP4 container this program cannot decode"
    try:
        head[:256].decode("utf-8")
        return "a text file"
    except UnicodeDecodeError:
        return None


def _open(path: Path, limits: Limits) -> Image.Image:
    try:
        size = path.stat().st_size
    except OSError as e:
        raise PhotoError(f"cannot be read: {e.strerror or e}") from None
    if size == 0:
        raise PhotoError("is empty (0 bytes)")
    if size > limits.max_photo_bytes:
        raise PhotoError(f"is {human_bytes(size)}, more than the limit of {human_bytes(limits.max_photo_bytes)}", "PR028")
    saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # checked below, with the size in the message
    try:
        im = Image.open(path)
    except Image.DecompressionBombError:
        raise _too_many_pixels(None, limits) from None
    except Exception:
        try:
            with open(path, "rb") as f:
                head = f.read(1024)
        except OSError:
            head = b""
        what = _sniff(head)
        if what:
            raise PhotoError(f"is {what}, not a photo; use {FORMAT_NAMES}") from None
        raise PhotoError(f"is not an image this program can read ({FORMAT_NAMES})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    if im.format not in ALLOWED_FORMATS:
        im.close()
        raise PhotoError(f"is in {im.format} format; use {FORMAT_NAMES}")
    if im.width * im.height > limits.max_photo_pixels:
        w, h = im.size
        im.close()
        raise _too_many_pixels((w, h), limits)
    return im


def _pixels(n: int) -> str:
    if n >= 10_000_000:
        return f"{n / 1e6:,.0f} megapixels"
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} megapixels"
    return f"{n:,} pixels"


def _too_many_pixels(size: tuple[int, int] | None, limits: Limits) -> PhotoError:
    if size is None:
        return PhotoError(f"has more pixels than the limit of {_pixels(limits.max_photo_pixels)}", "PR032")
    w, h = size
    return PhotoError(f"is {w}x{h} pixels ({_pixels(w * h)}), more than the limit of "
                      f"{_pixels(limits.max_photo_pixels)}", "PR032")


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:
        return 1


def _is_srgb(icc: bytes) -> bool:
    """Whether an embedded profile is sRGB (so dropping it changes nothing)."""
    try:
        p = ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile
        desc = (p.profile_description or "") + (p.model or "")
        red = p.red_colorant
    except Exception:
        return False
    if "srgb" not in desc.lower() or red is None:
        return False
    return all(abs(a - b) < 0.003 for a, b in zip(red[0], _SRGB_RED_D50))


# ---- Colour described by HEIF's nclx box instead of an ICC profile -------

def _mat_inv(m):
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return (((e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det),
            ((f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det),
            ((d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det))


def _mat_mul(a, b):
    return tuple(tuple(sum(a[r][k] * b[k][c] for k in range(3)) for c in range(3)) for r in range(3))


def _mat_vec(m, v):
    return tuple(sum(m[r][k] * v[k] for k in range(3)) for r in range(3))


_BRADFORD = ((0.8951, 0.2664, -0.1614), (-0.7502, 1.7135, 0.0367), (0.0389, -0.0685, 1.0296))
_D50 = (0.9642, 1.0, 0.8249)

#: nclx transfer characteristics (ISO/IEC 23091-2) as decoding functions; HDR curves
#: (PQ, HLG) are not photographs for print and are read as sRGB.
_TRANSFER = {
    1: lambda v: v / 4.5 if v < 0.081 else ((v + 0.099) / 1.099) ** (1 / 0.45),  # BT.709, 601, 2020
    4: lambda v: v ** 2.2,
    5: lambda v: v ** 2.8,
    8: lambda v: v,
    13: lambda v: v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4,  # sRGB
}
_TRANSFER.update({6: _TRANSFER[1], 14: _TRANSFER[1], 15: _TRANSFER[1]})


def _nclx_icc(nclx: dict) -> bytes | None:
    """An ICC profile for a HEIF whose colour is given by nclx primaries other than sRGB's."""
    try:
        if nclx.get("color_primaries") in (None, 1, 2):  # BT.709 (sRGB's) or unspecified
            return None
        xy = [(nclx[f"color_primary_{c}_x"], nclx[f"color_primary_{c}_y"]) for c in ("red", "green", "blue", "white")]
    except (KeyError, TypeError, AttributeError):
        return None
    cols = tuple((x / y, 1.0, (1 - x - y) / y) for x, y in xy[:3])
    m = tuple(tuple(cols[c][r] for c in range(3)) for r in range(3))
    wx, wy = xy[3]
    white = (wx / wy, 1.0, (1 - wx - wy) / wy)
    scale = _mat_vec(_mat_inv(m), white)
    rgb_to_xyz = tuple(tuple(m[r][c] * scale[c] for c in range(3)) for r in range(3))
    src, dst = _mat_vec(_BRADFORD, white), _mat_vec(_BRADFORD, _D50)
    gain = tuple(tuple((dst[r] / src[r]) if r == c else 0.0 for c in range(3)) for r in range(3))
    adapt = _mat_mul(_mat_inv(_BRADFORD), _mat_mul(gain, _BRADFORD))
    d50 = _mat_mul(adapt, rgb_to_xyz)
    decode = _TRANSFER.get(nclx.get("transfer_characteristics"), _TRANSFER[13])
    curve = [max(0, min(65535, round(decode(i / 1023) * 65535))) for i in range(1024)]

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(v) -> bytes:
        return b"XYZ \x00\x00\x00\x00" + b"".join(s15(c) for c in v)

    text = b"HEIF nclx colour\x00"
    tags = [(b"desc", b"desc\x00\x00\x00\x00" + struct.pack(">I", len(text)) + text + b"\x00" * 78),
            (b"wtpt", xyz(_D50))]
    tags += [(sig, xyz(tuple(d50[r][c] for r in range(3)))) for c, sig in enumerate((b"rXYZ", b"gXYZ", b"bXYZ"))]
    trc = b"curv\x00\x00\x00\x00" + struct.pack(">I", 1024) + struct.pack(">1024H", *curve)
    tags += [(b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)]
    table, body = struct.pack(">I", len(tags)), b""
    first = 128 + 4 + 12 * len(tags)
    for sig, data in tags:
        table += sig + struct.pack(">II", first + len(body), len(data))
        body += data + b"\x00" * (-len(data) % 4)
    header = (struct.pack(">I", 128 + len(table) + len(body)) + b"\x00" * 4 + b"\x02\x10\x00\x00"
              + b"mntrRGB XYZ " + b"\x00" * 12 + b"acsp" + b"\x00" * 28 + b"".join(s15(v) for v in _D50)
              + b"\x00" * 48)
    return header + table + body


# ---- Lossless metadata stripping for JPEG ---------------------------------

_SOF_PLAIN = {0xC0, 0xC1, 0xC2}  # baseline, extended, progressive Huffman: what every PDF reader decodes


class _NotPlain(Exception):
    """A JPEG that is valid but must be re-encoded rather than passed through."""


#: The marker that ends entropy-coded data: 0xFF followed by neither a stuffed 0x00, nor
#: RST0-7 (restart markers belong to the scan), nor 0xFF (a fill byte: the marker is the
#: last 0xFF of a run). One search in C instead of a Python step per 0xFF of a noisy photo.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


class Pieces(tuple):
    """A file's bytes as the buffers that make it, in order: the kept ranges of a photo as
    read (views, not copies) and the few bytes made anew. ``bytes(pieces)`` joins them;
    cache.store writes them one after the other, so a camera file's megabytes are never
    copied in memory on their way into the cache."""

    def __bytes__(self) -> bytes:
        return b"".join(self)


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG ``data`` without any metadata, its compressed image data untouched:
    :func:`jpeg_pieces`, joined."""
    return bytes(jpeg_pieces(data))


def jpeg_pieces(data: bytes) -> Pieces:
    """The JPEG ``data`` without any metadata, its compressed image data untouched, as
    :class:`Pieces` (views into ``data``, which must stay unchanged while they are used).

    Keeps the frame, tables and scans, the JFIF APP0 header (without its
    thumbnail) and Adobe's APP14 (it says how to decode the colours); drops every
    other APPn (EXIF, XMP, ICC, IPTC, maker data, MPF), comments and anything
    after the first image's end (a second MPO picture, trailing data).
    Raises PhotoError when the file ends before the image does, and _NotPlain
    for a JPEG kind that should be re-encoded (arithmetic coding, lossless, 12-bit,
    Motion-JPEG frames without Huffman tables).
    """
    n = len(data)
    if data[:2] != b"\xff\xd8":
        raise PhotoError("is not a JPEG file although it was read as one")
    view = memoryview(data)
    out: list = [b"\xff\xd8"]
    i = 2
    seen_sof = seen_dht = False

    def truncated() -> PhotoError:
        return PhotoError("is truncated (the file ends before the image does)")

    while True:
        if i >= n:
            raise truncated()
        if data[i] != 0xFF:
            raise PhotoError("is damaged (a JPEG marker is missing)")
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            raise truncated()
        m = data[i]
        i += 1
        if m == 0xD9:  # EOI
            out.append(b"\xff\xd9")
            if not seen_sof:
                raise PhotoError("is damaged (no image frame)")
            return Pieces(out)
        if 0xD0 <= m <= 0xD7 or m == 0x01:  # standalone markers
            out.append(bytes((0xFF, m)))
            continue
        if i + 2 > n:
            raise truncated()
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2 or i + length > n:
            raise truncated()
        payload = data[i + 2:i + length] if 0xE0 <= m <= 0xEF else b""  # only APPn's are looked into
        i += length
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):  # SOFn
            if m not in _SOF_PLAIN or (length > 2 and data[i - length + 2] != 8):  # 8-bit samples
                raise _NotPlain()
            seen_sof = True
        seen_dht = seen_dht or m == 0xC4
        if m == 0xDA and not seen_dht:
            raise _NotPlain()  # Motion-JPEG leaves out its Huffman tables: not every PDF reader copes
        if m == 0xE0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
            # JFIF header without its optional thumbnail
            out.append(b"\xff\xe0\x00\x10" + payload[:12] + b"\x00\x00")
            continue
        if m == 0xEE and payload.startswith(b"Adobe"):
            out.append(view[i - length - 2:i])  # the marker (after any fill bytes) and its segment
            continue
        if 0xE0 <= m <= 0xEF or m == 0xFE:  # other APPn and COM: metadata
            continue
        out.append(view[i - length - 2:i])
        if m == 0xDA:  # start of scan: keep the entropy-coded data up to the next marker
            found = _NEXT_MARKER.search(data, i)
            if found is None:
                raise truncated()
            k = found.start()
            out.append(view[i:k])
            i = k


# ---- Decoding and converting ----------------------------------------------

def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """``im`` as 8-bit sRGB (or grey), alpha flattened on white."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit grey: scale to 8 bits (a plain convert would clip at 255)
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif im.mode == "F":
        im = im.convert("L")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im).convert("RGB")
    if im.mode == "LAB":
        return ImageCms.profileToProfile(im, ImageCms.createProfile("LAB"), _SRGB, outputMode="RGB")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            space = src.profile.xcolor_space.strip()
            mode = {"RGB": "RGB", "CMYK": "CMYK", "GRAY": "L"}.get(space)
            if mode is not None:
                if im.mode != mode:
                    im = im.convert(mode)
                return ImageCms.profileToProfile(im, src, _SRGB, outputMode="RGB",
                                                 renderingIntent=ImageCms.Intent.PERCEPTUAL)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: fall back to taking the pixels as they are
    if im.mode not in ("RGB", "L"):
        im = im.convert("RGB")  # CMYK without a profile, palette, bilevel, YCbCr
    return im


def _draft_size(im: Image.Image, target: Target) -> tuple[int, int] | None:
    """The size to ask the JPEG decoder for (its DCT scaling picks the smallest 1/2, 1/4
    or 1/8 scale still >= it), or None for a full decode."""
    if not (target.long_edge and im.format in ("JPEG", "MPO") and max(im.size) > target.long_edge):
        return None
    long = max(im.size)
    for s in (8, 4, 2):
        if target.min_long_edge and target.min_long_edge <= -(-long // s) <= target.long_edge:
            return (im.width // s, im.height // s)
    # DCT scaling by 1/2, 1/4 or 1/8 is free, but only down to a size still >= the target
    scale = target.long_edge / long
    return (math.ceil(im.width * scale), math.ceil(im.height * scale))


def _dct_scale(im: Image.Image, size: tuple[int, int] | None) -> int:
    """The DCT scale (1, 2, 4 or 8) at which ``im.draft(im.mode, size)`` makes the JPEG
    decoder work: Pillow's JpegImageFile.draft takes the largest of 8, 4 and 2 that is at
    most min(width // size[0], height // size[1]), else 1 (and a scale of 1 decodes the
    very pixels of no draft at all). Two sizes with the same scale decode alike."""
    if size is None or len(im.tile) != 1:
        return 1
    ratio = min(im.width // size[0], im.height // size[1])
    return next((s for s in (8, 4, 2) if ratio >= s), 1)


def planned_size(src: Path, target: Target, limits: Limits = DEFAULT_LIMITS) -> tuple[int, int] | None:
    """The size ``target``'s derivative of ``src`` will have (upright), read from the file's
    header without decoding it; None when the header cannot tell (derive reports why).
    Editions plan the derivatives they will ask for with it, so that all are made in
    one pass over the photos."""
    try:
        with _open(src, limits) as im:
            turned = _orientation(im) in (5, 6, 7, 8)
            size = _draft_size(im, target)
            if size is not None and not target.passthrough:
                im.draft(im.mode, size)  # only the size it would decode to: nothing is decoded
            w, h = im.size
    except (PhotoError, OSError, ValueError, SyntaxError):
        return None
    if target.long_edge and max(w, h) > target.long_edge:
        scale = target.long_edge / max(w, h)
        w, h = max(1, round(w * scale)), max(1, round(h * scale))
    return (h, w) if turned else (w, h)


def derive_one(src: Path, target: Target, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, dict]:
    """``target``'s derivative of ``src``: its bytes and {"width", "height", "passthrough",
    "warnings": [message, ...], "source_pixels", "source_bytes"};
    raises PhotoError when the photo cannot be used.
    """
    return derive_many(src, [target], limits)[0]


def derive_many(src: Path, targets: list[Target], limits: Limits = DEFAULT_LIMITS) -> list[tuple[bytes, dict]]:
    """:func:`derive_one` for several targets of one photo, in order, decoding it once per
    DCT scale the targets need (not once per target): the bytes are the same as
    :func:`derive_one` gives for each. Raises PhotoError when the photo cannot be used.
    """
    return [(bytes(data), info) for data, info in _derived(src, targets, limits)]


def _derived(src: Path, targets: list[Target], limits: Limits) -> list[tuple[bytes | Pieces, dict]]:
    """:func:`derive_many`, a passed-through original given as its :class:`Pieces`."""
    saved_limit, saved_truncated = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS = limits.max_photo_pixels
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # importing WeasyPrint sets it True for the whole process
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _derive_many(src, targets, limits)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None, limits) from None
    except MemoryError:
        raise PhotoError("is too large to decode in the memory available", "PR032") from None
    except Exception as e:
        msg = str(e) or type(e).__name__
        low = msg.lower()
        if "truncated" in low or "premature" in low or "broken data stream" in low:
            raise PhotoError("is truncated or damaged (the image data ends early)") from None
        raise PhotoError(f"cannot be decoded: {msg}") from None
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = saved_limit, saved_truncated


def _verify_jpeg(data: bytes) -> tuple[int, int]:
    """The size of the JPEG ``data``, after decoding all of its entropy-coded data (at
    the smallest DCT scale: every coefficient is still read, so a truncated or damaged
    scan is found as by a full decode, for a fraction of the work)."""
    with Image.open(io.BytesIO(data)) as clean:
        size = clean.size
        clean.draft(clean.mode, (max(1, size[0] // 8), max(1, size[1] // 8)))
        clean.load()
    return size


def _derive_many(src: Path, targets: list[Target], limits: Limits) -> list[tuple[bytes | Pieces, dict]]:
    notes: list[str] = []
    results: dict[int, tuple[bytes | Pieces, dict]] = {}
    with _open(src, limits) as im:
        source = {"source_pixels": im.width * im.height, "source_bytes": src.stat().st_size}
        frames = getattr(im, "n_frames", 1)
        if frames > 1 and im.format in ("GIF", "WEBP", "PNG"):
            notes.append(f"is animated ({frames} frames); only its first frame is used")
        elif frames > 1 and im.format == "TIFF":
            notes.append(f"has {frames} pages; only the first is used")
        icc = im.info.get("icc_profile") or None
        if icc is None and im.format == "HEIF":
            icc = _nclx_icc(im.info.get("nclx_profile") or {})
        orientation = _orientation(im)
        original: bytes | None = None  # the file as read, when its JPEG data passes through
        decode: list[int] = []
        for i, target in enumerate(targets):
            if (target.passthrough and im.format in ("JPEG", "MPO") and im.mode in ("RGB", "L")
                    and orientation == 1 and (icc is None or _is_srgb(icc))):
                try:
                    data = original or src.read_bytes()
                    kept = jpeg_pieces(data)
                except _NotPlain:
                    pass
                else:
                    original = data
                    results[i] = kept, {"width": im.width, "height": im.height, "passthrough": True,
                                        "warnings": notes, **source}
                    continue
            decode.append(i)
        # One decode per DCT scale the decoder will really use: targets whose draft sizes
        # differ but land on the same scale (1400 and 2000 px of a 4000 px photo: both 1/2)
        # share it. When the original passes through, the other targets decode the very
        # bytes it was read as (its metadata aside, the frame, tables and scans the copy
        # keeps, so the same pixels): that decode also proves the copy whole.
        # Draft sizes from the photo as stored: the first group may decode (and turn) ``im``.
        drafts = {i: _draft_size(im, targets[i]) for i in decode}
        by_scale: dict[int, list[int]] = {}
        for i in decode:
            by_scale.setdefault(_dct_scale(im, drafts[i]), []).append(i)
        verified = False
        for scale, group in by_scale.items():
            if original is not None:
                frame = Image.open(io.BytesIO(original))  # shares the bytes: no copy
            else:
                frame = im if not verified else _open(src, limits)
            try:
                if scale > 1:  # every target of the group asks for a size with this scale
                    frame.draft(frame.mode, drafts[group[0]])
                frame.load()
                verified = True
                ImageOps.exif_transpose(frame, in_place=True)
                upright = _to_srgb(frame, icc)
                for i in group:
                    data, info = _encode(upright, targets[i])
                    results[i] = data, {**info, "warnings": notes, **source}
            finally:
                if frame is not im:
                    frame.close()
        if original is not None and not verified:
            # WeasyPrint embeds a JPEG without decoding it, so damage must be found here.
            _verify_jpeg(original)
    return [results[i] for i in range(len(targets))]


def _encode(upright: Image.Image, target: Target) -> tuple[bytes, dict]:
    """``target``'s JPEG of the decoded, upright, sRGB image ``upright`` (left unchanged)."""
    im = upright
    if target.long_edge and max(im.size) > target.long_edge:
        scale = target.long_edge / max(im.size)
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        im = im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    # Nothing of the original's info may reach the file (Pillow would copy a comment): it
    # is saved with none, and the caller's image gets its own back (no copy of the pixels).
    info, im.info = im.info, {}
    try:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=target.quality, optimize=True,
                subsampling=0 if target.quality >= 90 else 2)
    finally:
        im.info = info
    return buf.getvalue(), {"width": im.width, "height": im.height, "passthrough": False}


# --------------------------------------------------------------------------
# The cache (its files: cache.py)
# --------------------------------------------------------------------------

def _cached(key: str, limits: Limits) -> tuple[Asset, list[str]] | None:
    """The cached derivative, or None when there is none, it is damaged or its source is
    over ``limits`` (then deriving it reports that)."""
    info = verified(*derivative_entry(key))
    try:
        if info is None or info["source_bytes"] > limits.max_photo_bytes or info["source_pixels"] > limits.max_photo_pixels:
            return None  # derive it again to report the limit the same way a cold build does
        return (Asset(derivative_entry(key)[0], info["width"], info["height"], passthrough=info["passthrough"]),
                info["warnings"])
    except (KeyError, TypeError):
        return None


class _CacheUnwritable(Exception):
    pass


def _job(args: tuple[str, list[tuple[str, str, str, Target]], Limits]) -> list[tuple[str, object]]:
    """Make one photo's derivatives into the cache; runs in a worker process. The cache
    paths come from the caller, so a worker never depends on its own environment."""
    src, entries, limits = args
    try:
        made = _derived(Path(src), [t for _, _, _, t in entries], limits)
    except PhotoError as e:
        return [(key, e) for key, _, _, _ in entries]
    out: list[tuple[str, object]] = []
    for (key, img, meta, _), (data, info) in zip(entries, made):
        img, meta = Path(img), Path(meta)
        try:
            # A print copy (the original's bytes, cut) is not hashed: 137 MB of a camera
            # book's cold build, for an entry that is cheaper to make again than to check.
            info = store(img, meta, data, info, digest=not info["passthrough"])
        except OSError as e:
            out.append((key, _CacheUnwritable(f"{e.strerror or e} ({e.filename or img.parent})")))
            continue
        out.append((key, (Asset(img, info["width"], info["height"], passthrough=info["passthrough"]),
                          info["warnings"])))
    return out


def requested(paths: list[Path], targets: list[Target], extra: dict[Path, list[Target]] | None = None,
              skip: set[tuple[Path, str]] = frozenset()) -> list[tuple[Path, Target]]:
    """The (photo path, target) pairs :func:`derive` makes for these arguments: every
    target for every path, the path's ``extra`` ones not already among them, none in ``skip``."""
    out = []
    for path in paths:
        for t in [*targets, *(t for t in (extra or {}).get(path, []) if t not in targets)]:
            if (path, t.name) not in skip:
                out.append((path, t))
    return out


def derive(photos: list[Photo], targets: list[Target], jobs: int | None = None, *,
           limits: Limits = DEFAULT_LIMITS,
           progress: Callable[[int, str], None] | None = None,
           idle: Callable[[], None] | None = None,
           extra: dict[Path, list[Target]] | None = None,
           skip: set[tuple[Path, str]] = frozenset(),
           hashing: Hashing | None = None) -> Derivatives:
    """Derivatives of every photo for every target, {(photo.path, target.name): Asset},
    from the cache or made; for the photos ``extra`` names, its targets too; none of
    the (photo path, target name) pairs in ``skip``.

    ``jobs`` processes decode photos (default: one per core). ``hashing``: the photos'
    digests, already being read (Hashing of exactly these photos' paths).
    ``progress(1, what)`` is called once per derivative as it is ready; ``idle()``
    once while worker processes decode (work for this process meanwhile). The
    result's ``warnings`` holds the photos' warnings (PR031). Raises ManuscriptError
    naming each photo that cannot be used, at its line in the manuscript; BuildError
    when the cache cannot be written.
    """
    by_path: dict[Path, Photo] = {}
    for p in photos:
        by_path.setdefault(p.path, p)
    run = _Run(by_path, progress)
    digests = run.digests(jobs, hashing)
    wanted: dict[str, list[tuple[Path, Target]]] = {}  # identical files share one derivative
    for path, t in requested(list(digests), targets, extra, skip):
        key = content_digest(f"{PIPELINE_VERSION}|{digests[path]}|{t.key()}".encode())
        hit = _cached(key, limits)
        if hit is not None:
            run.take(path, t, hit, cached=True)
        else:
            wanted.setdefault(key, []).append((path, t))
    if wanted:
        run.make(wanted, limits, jobs, idle)
    return run.result()


class Hashing:
    """The digests of photo files (what derivatives are named by), read in threads from
    the moment this is made, or remembered from an earlier build (cache.SourceIndex):
    a build starts it before it checks the book's fonts, which then costs no time."""

    def __init__(self, paths: list[Path], jobs: int | None = None):
        self._index = SourceIndex()
        paths = list(dict.fromkeys(paths))
        self._pool = ThreadPoolExecutor(max(1, min(jobs or os.cpu_count() or 1, len(paths))))
        self._futures = {path: self._pool.submit(self._read, path) for path in paths}

    def _read(self, path: Path) -> str | OSError:
        try:
            return self._index.digest(path)
        except OSError as e:
            return e

    def result(self) -> dict[Path, str | OSError]:
        """{path: its digest, or the OSError reading it gave}, in the order given."""
        try:
            out = {path: f.result() for path, f in self._futures.items()}
        finally:
            self.close()
        self._index.save()
        return out

    def close(self) -> None:
        """Stop reading (a build that ends before it needs the digests); again: nothing."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Hashing:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Run:
    """One derive() call's state: the derivatives found so far, the photos' notes and problems."""

    def __init__(self, by_path: dict[Path, Photo], progress):
        self.by_path = by_path
        self.progress = progress
        self.assets = Derivatives()
        self.notes: dict[Path, list[str]] = {}
        self.problems: dict[Path, PhotoError] = {}
        self.unwritable: list[str] = []

    def digests(self, jobs: int | None, hashing: Hashing | None = None) -> dict[Path, str]:
        """{path: digest of its bytes} of every readable photo (see :class:`Hashing`;
        ``hashing``, when given, was started on these photos before)."""
        digests: dict[Path, str] = {}
        for path, d in (hashing or Hashing(list(self.by_path), jobs)).result().items():
            if isinstance(d, OSError):
                self.problems[path] = PhotoError(f"cannot be read: {d.strerror or d}")
            else:
                digests[path] = d
        return digests

    def take(self, path: Path, t: Target, value: object, cached: bool = False) -> None:
        """Record what deriving ``path`` for ``t`` gave: (asset, notes), a PhotoError or a cache failure."""
        if isinstance(value, _CacheUnwritable):
            self.unwritable.append(str(value))
        elif isinstance(value, PhotoError):
            self.problems.setdefault(path, value)
        else:
            asset, notes = value
            self.assets[(path, t.name)] = asset
            self.notes.setdefault(path, notes)
        if self.progress:
            self.progress(1, f"{self.by_path[path].src} ({t.name}{', cached' if cached else ''})")

    def make(self, wanted: dict[str, list[tuple[Path, Target]]], limits: Limits, jobs: int | None, idle) -> None:
        """Make the ``wanted`` derivatives ({cache key: [(path, target)]}), one job per photo
        decoding it once for all the targets it still needs, in worker processes."""
        per_photo: dict[Path, list[tuple[str, str, str, Target]]] = {}
        for key, [(path, t), *_] in wanted.items():
            per_photo.setdefault(path, []).append((key, *map(str, derivative_entry(key)), t))
        args = [(str(path), entries, limits) for path, entries in per_photo.items()]

        def done(results: list[tuple[str, object]]) -> None:
            for key, value in results:
                for path, t in wanted[key]:
                    self.take(path, t, value)

        workers = min(jobs or os.cpu_count() or 1, len(args))
        if workers <= 1:
            for a in args:
                done(_job(a))
            return
        with ProcessPoolExecutor(workers) as pool:
            futures: dict[Future, tuple] = {pool.submit(_job, a): a for a in args}
            if idle:  # every worker is forked by now: nothing this does reaches them
                idle()
            for fut in as_completed(futures):
                try:
                    results = fut.result()
                except Exception as e:  # a decoder crashed the worker, or it ran out of memory
                    err = PhotoError(f"could not be processed ({type(e).__name__}: {e})")
                    results = [(key, err) for key, _, _, _ in futures[fut][1]]
                done(results)

    def result(self) -> Derivatives:
        """The derivatives, or the problems that stop the build."""
        if self.unwritable:
            raise BuildError([Problem(Location(str(cache_dir())), f"cannot write the photo cache: "
                                      f"{self.unwritable[0]}; set XDG_CACHE_HOME to a writable folder", "PR033")])
        for path, notes in self.notes.items():
            ph = self.by_path[path]
            self.assets.warnings += [Problem(ph.where, f"photo '{ph.src}' {w}", "PR031", "warning") for w in notes]
        if self.problems:
            # In the book's order, not the order the photos' workers finished in.
            raise ManuscriptError([
                Problem(self.by_path[path].where, f"photo '{self.by_path[path].src}' {self.problems[path]}",
                        self.problems[path].code)
                for path in self.by_path if path in self.problems
            ] + self.assets.warnings)
        return self.assets
