"""Per-edition photo derivatives and their cache.

The manuscript's photos are the user's originals and are never changed. Each
edition asks for a :class:`Target` (how large, what quality, whether a clean
original may pass through) and gets back an :class:`Asset`: an upright, sRGB,
metadata-free JPEG in the user's cache folder, keyed by the source bytes, the
target and the pipeline version, so a rebuild after a caption edit decodes
nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, asdict
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, ImageOps

from .errors import ManuscriptError, Problem
from .manuscript import Photo

#: Bump when a change here alters the bytes of any derivative.
PIPELINE_VERSION = "1"

#: Refuse photos with more pixels than this (decompression bombs).
MAX_PIXELS = 250_000_000
#: Refuse photo files larger than this.
MAX_FILE_BYTES = 500 * 1024 * 1024

ALLOWED_FORMATS = {"JPEG", "PNG", "TIFF", "WEBP", "GIF", "HEIF", "MPO"}

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Target:
    """What one edition needs from a photo."""

    name: str  # "screen", "epub", "print"
    long_edge: int | None  # pixels; None keeps full resolution (never upsampled)
    quality: int  # JPEG quality of a re-encoded derivative
    passthrough: bool = False  # a clean, upright sRGB JPEG original is used as it is

    def key(self) -> str:
        return f"{self.name}-{self.long_edge}-{self.quality}-{int(self.passthrough)}"


@dataclass(frozen=True)
class Asset:
    """A file an edition may embed."""

    path: Path
    width: int
    height: int
    media_type: str = "image/jpeg"
    passthrough: bool = False  # the original file, untouched

    @property
    def aspect(self) -> float:
        return self.width / self.height


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pressroom"


def srgb_profile_bytes() -> bytes:
    return ImageCms.ImageCmsProfile(_SRGB).tobytes()


# --------------------------------------------------------------------------
# One photo
# --------------------------------------------------------------------------

class PhotoError(Exception):
    """A photo that cannot be used; the message names what is wrong."""


def _open(path: Path) -> Image.Image:
    size = path.stat().st_size
    if size == 0:
        raise PhotoError("is empty")
    if size > MAX_FILE_BYTES:
        raise PhotoError(f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        im = Image.open(path)
    except Image.DecompressionBombError:
        raise PhotoError(f"has more than {MAX_PIXELS:,} pixels") from None
    except Exception:
        raise PhotoError("is not an image this program can read (JPEG, PNG, TIFF, WebP, HEIC, GIF)") from None
    if im.format not in ALLOWED_FORMATS:
        raise PhotoError(f"is a {im.format} image; use JPEG, PNG, TIFF, WebP, HEIC or GIF")
    if im.width * im.height > MAX_PIXELS:
        raise PhotoError(f"has {im.width * im.height:,} pixels, more than the limit of {MAX_PIXELS:,}")
    return im


def _is_clean_jpeg(path: Path, im: Image.Image) -> bool:
    """An original the print edition may embed as it is."""
    if im.format != "JPEG" or im.mode not in ("RGB", "L"):
        return False
    info = im.info
    if any(k in info for k in ("exif", "xmp", "photoshop", "comment", "adobe", "icc_profile")):
        return False
    # Any segment but JFIF's APP0 (EXIF, XMP, ICC, IPTC, comments) makes it unclean.
    return all(name == "APP0" for name, _ in getattr(im, "applist", []))


def _to_srgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.point(lambda v: v / 256).convert("L") if im.mode != "I" else im.convert("L")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im).convert("RGB")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = im.mode if im.mode in ("RGB", "CMYK", "L") else "RGB"
            if im.mode != mode:
                im = im.convert(mode)
            return ImageCms.profileToProfile(im, src, _SRGB, outputMode="RGB", renderingIntent=0)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to taking the pixels as they are
    if im.mode == "CMYK":
        return im.convert("RGB")
    if im.mode not in ("RGB", "L"):
        im = im.convert("RGB")
    return im


def derive_one(src: Path, target: Target, out: Path) -> tuple[int, int, bool]:
    """Make ``target``'s derivative of ``src`` at ``out``; return (w, h, passthrough)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        ImageFile.LOAD_TRUNCATED_IMAGES = False  # importing WeasyPrint sets it True process-wide
        try:
            im = _open(src)
            with im:
                if target.passthrough and _is_clean_jpeg(src, im):
                    im.load()  # decode fully: a truncated file must fail here, not in the PDF
                    _atomic_copy(src, out)
                    return im.width, im.height, True
                if getattr(im, "n_frames", 1) > 1:
                    im.seek(0)
                if target.long_edge and im.format == "JPEG":
                    # DCT scaling is free, but only down to a size still >= the target.
                    scale = target.long_edge / max(im.size)
                    if scale < 1:
                        im.draft(im.mode, (int(im.width * scale) + 1, int(im.height * scale) + 1))
                im.load()
                icc = im.info.get("icc_profile")
                im = ImageOps.exif_transpose(im)
                if icc:
                    im.info["icc_profile"] = icc
                im = _to_srgb(im)
                if target.long_edge and max(im.size) > target.long_edge:
                    scale = target.long_edge / max(im.size)
                    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
                    im = im.resize(size, Image.Resampling.LANCZOS)
                buf = io.BytesIO()
                im.save(buf, "JPEG", quality=target.quality, optimize=True,
                        subsampling=0 if target.quality >= 90 else 2, dpi=(300, 300))
                _atomic_write(out, buf.getvalue())
                return im.width, im.height, False
        except PhotoError:
            raise
        except Image.DecompressionBombError:
            raise PhotoError(f"has more pixels than the limit of {MAX_PIXELS:,}") from None
        except (OSError, SyntaxError, ValueError) as e:
            msg = str(e) or type(e).__name__
            if "truncated" in msg.lower() or "premature" in msg.lower():
                raise PhotoError("is truncated (the file is incomplete)") from None
            raise PhotoError(f"cannot be decoded: {msg}") from None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_copy(src: Path, dst: Path) -> None:
    _atomic_write(dst, src.read_bytes())


# --------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------

def _hash_file(path: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _entry(key: str) -> tuple[Path, Path]:
    d = cache_dir() / "derivatives" / key[:2]
    return d / f"{key}.jpg", d / f"{key}.json"


def _cached(key: str) -> Asset | None:
    img, meta = _entry(key)
    try:
        info = json.loads(meta.read_text())
        data = img.read_bytes()
    except (OSError, ValueError):
        return None
    if len(data) != info.get("size") or hashlib.blake2b(data, digest_size=20).hexdigest() != info.get("digest"):
        return None  # corrupt entry: rebuild it
    return Asset(img, info["width"], info["height"], passthrough=info.get("passthrough", False))


def _job(args: tuple[str, str, Target]) -> tuple[str, object]:
    src, key, target = args
    img, meta = _entry(key)
    try:
        w, h, passthrough = derive_one(Path(src), target, img)
    except PhotoError as e:
        return key, str(e)
    data = img.read_bytes()
    info = {"width": w, "height": h, "passthrough": passthrough, "size": len(data),
            "digest": hashlib.blake2b(data, digest_size=20).hexdigest()}
    _atomic_write(meta, json.dumps(info).encode())
    return key, Asset(img, w, h, passthrough=passthrough)


def derive(photos: list[Photo], targets: list[Target], jobs: int | None = None) -> dict[tuple[Path, str], Asset]:
    """Derivatives of every photo for every target: {(photo.path, target.name): Asset}.

    Raises ManuscriptError naming each photo that cannot be used, with its line.
    """
    by_path: dict[Path, Photo] = {}
    for p in photos:
        by_path.setdefault(p.path, p)
    digests = {path: _hash_file(path) for path in by_path}
    wanted: dict[str, tuple[Path, Target]] = {}
    result: dict[tuple[Path, str], Asset] = {}
    for path, digest in digests.items():
        for t in targets:
            key = hashlib.blake2b(f"{PIPELINE_VERSION}|{digest}|{t.key()}".encode(), digest_size=20).hexdigest()
            hit = _cached(key)
            if hit is not None:
                result[(path, t.name)] = hit
            else:
                wanted[key] = (path, t)
    problems: dict[Path, str] = {}
    if wanted:
        args = [(str(path), key, t) for key, (path, t) in wanted.items()]
        workers = min(jobs or os.cpu_count() or 1, len(args))
        if workers > 1:
            with ProcessPoolExecutor(workers) as pool:
                done = list(pool.map(_job, args))
        else:
            done = [_job(a) for a in args]
        for key, value in done:
            path, t = wanted[key]
            if isinstance(value, Asset):
                result[(path, t.name)] = value
            else:
                problems.setdefault(path, str(value))
    if problems:
        raise ManuscriptError([
            Problem(by_path[path].where, f"photo '{by_path[path].src}' {msg}", "PR030")
            for path, msg in problems.items()
        ])
    return result
