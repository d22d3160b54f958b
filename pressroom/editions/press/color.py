"""CMYK print files: PDF/X-1a:2003 made from the RGB interior and cover.

``print.color: cmyk`` asks for files an offset press or IngramSpark's prepress
takes: every colour CMYK for one named printing condition (the output profile),
total ink within that profile's limit, no transparency, fonts embedded.

Two colour engines, each where it does best (README, "CMYK for presses"):

- The photos, which are nearly all of the ink, are converted by LittleCMS
  (Pillow's ImageCms) from sRGB to the output profile, relative colorimetric
  with black-point compensation, once per photo and profile (cached like every
  derivative). The total ink of each converted photo is limited to the
  profile's own maximum (measured from the profile, :func:`ink_limit`) with
  headroom for the JPEG encoding, and checked again on the decoded JPEG.
- The pages are laid out as before (WeasyPrint, RGB) with those CMYK photos in
  them; Ghostscript's pdfwrite then converts what is left in RGB (text, rules,
  backgrounds, whatever a stylesheet draws) with the same profile and intent,
  passing the CMYK photos through untouched. Neutral colours (black and grey
  text) are first made DeviceGray, which Ghostscript prints on the black plate
  alone: grey text in four inks would blur with the slightest misregistration.

pikepdf then makes the result a PDF/X-1a:2003 file: the output intent carrying
the profile, GTS_PDFXVersion in the document information and the XMP, Trapped
False, PDF 1.4 without object streams, the same TrimBox and BleedBox.
:func:`audit` reads a file back and lists whatever is not so.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ...cache import atomic_write, cache_dir, content_digest
from ...errors import BuildError, Location, Problem
from ...images import Asset
from ...manuscript import Book, check_profile

#: The profile used when the manuscript names none: Ghostscript's own CMYK output
#: profile (SWOP-like US web offset coated), installed with Debian's ghostscript
#: package (libgs-common), under Ghostscript's licence (AGPL-3+). Not shipped with
#: pressroom; a press's own profile is ``print.output_profile``.
DEFAULT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")

#: What the output intent says for the default profile: the registered printing
#: condition it stands for (ICC's characterization data registry) and in words.
DEFAULT_CONDITION = ("CGATS TR 001", "U.S. Web Coated (SWOP), Ghostscript's default CMYK profile")

PDFX_VERSION = "PDF/X-1a:2003"

#: Rendering intent for every conversion: relative colorimetric (ICC intent 1),
#: with black-point compensation (the profile's darkest black for sRGB's black).
INTENT = 1

#: Percent of total ink kept free below the profile's limit before a photo is
#: JPEG-encoded: the encoding moves samples by a few levels, never more than this.
JPEG_HEADROOM = 4.0

#: Ghostscript is given this long for one file before the build gives up.
GS_TIMEOUT = 1800

#: Largest output profile read from a book folder (real ones are 0.5-3 MB).
MAX_PROFILE_BYTES = 16 << 20


class ColorError(Exception):
    """A CMYK file cannot be made: the message says why, in one line."""


@dataclass(frozen=True)
class OutputProfile:
    """A CMYK output (printer) ICC profile."""

    data: bytes
    name: str  # the profile's description
    condition: str  # the output intent's OutputConditionIdentifier
    info: str  # the output intent's Info
    ink_limit: float  # percent: the most ink the profile lays down (see ink_limit)

    @property
    def digest(self) -> str:
        return content_digest(self.data)


def _description(data: bytes) -> str:
    from PIL import ImageCms

    try:
        return (ImageCms.ImageCmsProfile(io.BytesIO(data)).profile.profile_description or "").strip()
    except (ImageCms.PyCMSError, OSError, ValueError):
        return ""


@functools.lru_cache(maxsize=8)
def load_profile(path: Path | None) -> OutputProfile:
    """The output profile at ``path`` (checked by the manuscript already), or the default."""
    if path is None:
        if not DEFAULT_PROFILE.is_file():
            raise ColorError(f"color: cmyk needs Ghostscript's CMYK profile {DEFAULT_PROFILE}: install Debian's "
                             "ghostscript package, or give the press's profile as print output_profile")
        data = DEFAULT_PROFILE.read_bytes()
        condition, info = DEFAULT_CONDITION
    else:
        data = path.read_bytes()
        info = _description(data) or path.name
        condition = "Custom"  # not a registered condition: the profile itself tells the press what it is
    why = check_profile(data)
    if why:
        raise ColorError(f"the output profile {why}")
    return OutputProfile(data, _description(data) or info, condition, info, ink_limit(data))


@functools.lru_cache(maxsize=8)
def ink_limit(data: bytes) -> float:
    """The profile's total area coverage limit, in percent: the most ink its
    relative colorimetric transform (with black-point compensation) lays down for
    any sRGB colour, measured over a 33-step cube of sRGB (its black included)."""
    from PIL import Image, ImageCms

    steps = [round(i * 255 / 32) for i in range(33)]
    cube = Image.new("RGB", (33 * 33, 33))
    cube.putdata([(r, g, b) for b in steps for r in steps for g in steps])
    return round(_max_ink(_apply(_transform(data), cube)), 1)


@functools.lru_cache(maxsize=8)
def _transform(data: bytes):
    from PIL import ImageCms

    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(io.BytesIO(data)),
                                   "RGB", "CMYK", renderingIntent=INTENT,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def _apply(transform, im):
    """``transform`` applied to ``im``. (ImageCms.applyTransform also copies the output
    profile into the result's info, and fails for the profiles LittleCMS cannot write
    back, such as Ghostscript's ps_cmyk.icc: the transform itself is done here.)"""
    from PIL import Image

    out = Image.new("CMYK", im.size)
    transform.transform.apply(im.getim(), out.getim())
    return out


def _ink_sum(im):
    """C+M+Y+K of each pixel of a CMYK image (mode I, 0-1020)."""
    from PIL import ImageMath

    c, m, y, k = (ch.convert("I") for ch in im.split())
    return ImageMath.lambda_eval(lambda v: v["c"] + v["m"] + v["y"] + v["k"], c=c, m=m, y=y, k=k)


def _max_ink(im) -> float:
    """The most ink any pixel of the CMYK image ``im`` carries, in percent."""
    return _ink_sum(im).getextrema()[1] * 100 / 255


def limit_ink(im, limit: float):
    """``im`` (CMYK) with every pixel's total ink at most ``limit`` percent: where a
    pixel carries more, its cyan, magenta and yellow are scaled down together (black
    is kept, and with it the detail in the shadows)."""
    from PIL import Image, ImageMath

    cap = limit * 255 / 100
    total = _ink_sum(im)
    if total.getextrema()[1] <= cap:
        return im
    c, m, y, k = (ch.convert("F") for ch in im.split())
    cmy = ImageMath.lambda_eval(lambda v: v["c"] + v["m"] + v["y"], c=c, m=m, y=y)
    # The share of its cyan, magenta and yellow each pixel keeps: min(1, (cap - k) / cmy).
    factor = ImageMath.lambda_eval(
        lambda v: v["min"](v["max"]((v["cap"] - v["k"]) / v["max"](v["cmy"], 1.0), 0.0), 1.0),
        cap=Image.new("F", im.size, cap), k=k, cmy=cmy)
    # Converted to 8 bits by truncation: the sum cannot round back over the cap.
    scaled = [ImageMath.lambda_eval(lambda v: v["ch"] * v["f"], ch=ch, f=factor).convert("L") for ch in (c, m, y)]
    return Image.merge("CMYK", [*scaled, k.convert("L")])


# --------------------------------------------------------------------------
# The photos: LittleCMS
# --------------------------------------------------------------------------

#: Bump when what cmyk_photo makes changes: the cache's entries are named by it.
_PHOTO_VERSION = "1"


def cmyk_photo(asset: Asset, profile: OutputProfile) -> Asset:
    """The print ``asset`` (an sRGB JPEG or PNG) as a CMYK JPEG for ``profile``: converted
    with LittleCMS, its ink limited, cached by the asset's file (named by its content)
    and the profile."""
    name = content_digest(f"{_PHOTO_VERSION}|{asset.path.name}|{profile.digest}".encode())
    path = cache_dir() / "cmyk" / f"{name}.jpg"
    if not path.is_file():
        atomic_write(path, cmyk_jpeg(asset.path, profile))
    return Asset(path, asset.width, asset.height, "image/jpeg", False)


def cmyk_jpeg(source: Path, profile: OutputProfile, quality: int = 95) -> bytes:
    """The image file ``source`` as a CMYK JPEG for ``profile``, no pixel over its ink limit.

    The conversion goes through :func:`cmyk_lut`, whose every point is within the
    limit less JPEG_HEADROOM; the encoded file is decoded again and measured, and
    should the encoding have pushed a pixel over the limit all the same, it is made
    again with twice the headroom and finer quantisation."""
    from PIL import Image

    with Image.open(source) as im:
        im.load()
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            rgba = im.convert("RGBA")
            rgb = Image.new("RGB", im.size, (255, 255, 255))  # no transparency in PDF/X-1a: on white paper
            rgb.paste(rgba, mask=rgba.getchannel("A"))
        else:
            rgb = im.convert("RGB")
    headroom = JPEG_HEADROOM
    for attempt in range(4):
        cmyk = rgb.filter(cmyk_lut(profile.data, profile.ink_limit - headroom))
        buf = io.BytesIO()
        cmyk.save(buf, "JPEG", quality=min(100, quality + 2 * attempt), subsampling=0)
        data = buf.getvalue()
        if decoded_ink(data) <= profile.ink_limit:
            return data
        headroom *= 2
    raise ColorError(f"{source.name}: its CMYK JPEG stays over the ink limit of {profile.ink_limit:g}%")


#: Points along each axis of the sRGB cube in cmyk_lut.
LUT_POINTS = 65


@functools.lru_cache(maxsize=8)
def cmyk_lut(data: bytes, limit: float):
    """sRGB to CMYK for the profile ``data`` as a 3D lookup table applied with
    trilinear interpolation (Pillow's Color3DLUT): LittleCMS's conversion
    (relative colorimetric, black-point compensation) of 65x65x65 sRGB colours,
    each point's ink limited to ``limit`` percent (limit_ink). A pixel between
    points is a weighted mean of points within the limit, so it is within the limit
    too; the table differs from converting each pixel with LittleCMS by at most 3
    levels of 255 (measured on the sample book's photos), and is as fast."""
    from PIL import Image, ImageFilter

    n = LUT_POINTS
    steps = [round(i * 255 / (n - 1)) for i in range(n)]
    grid = Image.new("RGB", (n * n, n))
    grid.putdata([(r, g, b) for b in steps for g in steps for r in steps])  # red varies fastest, as Color3DLUT reads
    points = limit_ink(_apply(_transform(data), grid), limit)
    table = [v / 255 for px in points.get_flattened_data() for v in px]
    return ImageFilter.Color3DLUT(n, table, channels=4, target_mode="CMYK")


def decoded_ink(jpeg: bytes) -> float:
    """The most ink a pixel of a CMYK JPEG file Pillow wrote carries once decoded, in
    percent, as a PDF shows it: Pillow writes Photoshop's inverted CMYK with an Adobe
    marker, and WeasyPrint embeds such a file with /Decode [1 0 1 0 1 0 1 0]."""
    return _max_ink(read_cmyk_jpeg(jpeg, [1, 0] * 4))


def read_cmyk_jpeg(jpeg: bytes, decode: list | None = None):
    """A CMYK JPEG's samples as the PDF reader sees them: Pillow reads a file with an
    Adobe marker as Photoshop's inverted CMYK (and so a /Decode [1 0 ...] in the PDF
    undoes that); a file without it is taken as it is."""
    from PIL import Image

    im = Image.open(io.BytesIO(jpeg))
    im.load()
    if im.mode != "CMYK":
        raise ValueError(f"not a CMYK JPEG ({im.mode})")
    inverted = "adobe" in im.info  # Pillow inverted the samples while reading
    if decode is not None and [float(v) for v in decode] == [1.0, 0.0] * 4:
        inverted = not inverted
    return im.point(lambda v: 255 - v) if inverted else im


# --------------------------------------------------------------------------
# The pages: Ghostscript, then pikepdf
# --------------------------------------------------------------------------

def ghostscript() -> str | None:
    return shutil.which("gs")


_NUM = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_NEUTRAL = re.compile(rb"(?<![\w.+-])(" + _NUM + rb")\s+\1\s+\1\s+(rg|RG)(?![\w])")


def neutral_to_gray(content: bytes) -> bytes:
    """A content stream with every neutral RGB colour (``v v v rg``) set as grey
    instead (``v g``): Ghostscript prints DeviceGray on the black plate alone."""
    return _NEUTRAL.sub(lambda m: m.group(1) + (b" g" if m.group(2) == b"rg" else b" G"), content)


def _grey_neutrals(pdf) -> None:
    """neutral_to_gray on every page's content and every form XObject of ``pdf``."""
    import pikepdf

    seen = set()

    def forms(resources):
        for xobj in (resources.get("/XObject") or {}).values():
            if xobj.objgen in seen or xobj.get("/Subtype") != "/Form":
                continue
            seen.add(xobj.objgen)
            xobj.write(neutral_to_gray(xobj.read_bytes()))
            forms(xobj.get("/Resources") or {})

    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
        for s in streams:
            if s.objgen not in seen:
                seen.add(s.objgen)
                s.write(neutral_to_gray(s.read_bytes()))
        forms(page.obj.get("/Resources") or {})


def gs_command(src: Path, dst: Path, profile_file: Path) -> list[str]:
    """Ghostscript's pdfwrite: everything to CMYK for the profile (relative colorimetric,
    black-point compensation), grey to black only, CMYK photos passed through as they
    are, no other image touched (never downsampled or re-encoded by choice), fonts
    embedded, PDF 1.4."""
    p = str(profile_file)
    return [ghostscript() or "gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite",
            "-dCompatibilityLevel=1.4", "-sColorConversionStrategy=CMYK", "-sProcessColorModel=DeviceCMYK",
            f"-sOutputICCProfile={p}", f"-sDefaultCMYKProfile={p}", f"-dRenderIntent={INTENT}", "-dBlackPtComp=1",
            "-dDeviceGrayToK=true", "-dPassThroughJPEGImages=true", "-dAutoFilterColorImages=false",
            "-dAutoFilterGrayImages=false", "-dDownsampleColorImages=false", "-dDownsampleGrayImages=false",
            "-dDownsampleMonoImages=false", "-dEmbedAllFonts=true", "-dSubsetFonts=true",
            "-dAutoRotatePages=/None", "-dPreserveAnnots=false", "-dNOINTERPOLATE",
            f"-sOutputFile={dst}", "-c", "<< /ColorImageFilter /DCTEncode /GrayImageFilter /DCTEncode"
            " /ColorImageDict << /QFactor 0.15 /Blend 1 /HSamples [1 1 1 1] /VSamples [1 1 1 1] >> >> setdistillerparams",
            "-f", str(src)]


def to_pdfx1a(src: Path, dst: Path, profile: OutputProfile, *, title: str, created: str, identifier: bytes,
              lang: str | None = None) -> None:
    """Convert the RGB PDF ``src`` to the PDF/X-1a:2003 file ``dst`` for ``profile``.
    ``created`` is the build's date (ISO 8601), ``identifier`` the file's /ID. Raises
    ColorError when Ghostscript is missing or fails."""
    import pikepdf

    if ghostscript() is None:
        raise ColorError("color: cmyk needs Ghostscript (Debian: apt install ghostscript); it is not installed")
    with tempfile.TemporaryDirectory(prefix="pressroom-cmyk-", dir=dst.parent) as tmp:
        work = Path(tmp)
        grey, converted, icc = work / "grey.pdf", work / "cmyk.pdf", work / "output.icc"
        icc.write_bytes(profile.data)
        with pikepdf.open(src) as pdf:
            boxes = [(page.obj.get("/TrimBox"), page.obj.get("/BleedBox"), page.obj.get("/MediaBox"))
                     for page in pdf.pages]
            boxes = [tuple([float(v) for v in b] if b is not None else None for b in t) for t in boxes]
            _grey_neutrals(pdf)
            pdf.save(grey, object_stream_mode=pikepdf.ObjectStreamMode.disable)
        try:
            run = subprocess.run(gs_command(grey, converted, icc), capture_output=True, timeout=GS_TIMEOUT,
                                 stdin=subprocess.DEVNULL, cwd=work)
        except subprocess.TimeoutExpired:
            raise ColorError(f"Ghostscript took more than {GS_TIMEOUT} s converting to CMYK") from None
        if run.returncode != 0 or not converted.is_file():
            said = (run.stderr or run.stdout).decode("utf-8", "replace").strip().splitlines()
            raise ColorError("Ghostscript could not convert to CMYK: " + (said[-1] if said else f"exit {run.returncode}"))
        finish(converted, dst, profile, boxes, title=title, created=created, identifier=identifier, lang=lang)


def _pdf_date(iso: str) -> str:
    d = re.sub(r"[^0-9]", "", iso)[:14].ljust(14, "0")
    return f"D:{d}Z"


def finish(src: Path, dst: Path, profile: OutputProfile, boxes, *, title: str, created: str, identifier: bytes,
           lang: str | None = None) -> None:
    """Ghostscript's CMYK file made PDF/X-1a:2003 (see the module's docstring)."""
    import pikepdf

    with pikepdf.open(src) as pdf:
        if len(pdf.pages) != len(boxes):
            raise ColorError(f"Ghostscript wrote {len(pdf.pages)} pages for {len(boxes)}")
        for page, (trim, bleed, media) in zip(pdf.pages, boxes):
            # Ghostscript moves the origin to the MediaBox's corner: the boxes keep their places in it.
            new_media = [float(v) for v in page.obj.MediaBox]
            dx, dy = new_media[0] - media[0], new_media[1] - media[1]
            for key, box in (("/TrimBox", trim), ("/BleedBox", bleed)):
                if box is not None:
                    page.obj[key] = pikepdf.Array([round(box[0] + dx, 4), round(box[1] + dy, 4),
                                                   round(box[2] + dx, 4), round(box[3] + dy, 4)])
            for key in ("/Group", "/Annots"):  # no transparency group, no annotation (Ghostscript writes none)
                if key in page.obj:
                    del page.obj[key]
        icc = pikepdf.Stream(pdf, profile.data)
        icc["/N"] = 4
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
            OutputConditionIdentifier=pikepdf.String(profile.condition),
            OutputCondition=pikepdf.String(profile.info),
            RegistryName=pikepdf.String("http://www.color.org"),
            Info=pikepdf.String(profile.info), DestOutputProfile=icc)])
        if lang:
            pdf.Root.Lang = pikepdf.String(lang)
        date = _pdf_date(created)
        info = pdf.trailer.get("/Info")
        if info is None:
            pdf.trailer.Info = info = pdf.make_indirect(pikepdf.Dictionary())
        info.Title = pikepdf.String(title)
        info.Producer = pikepdf.String("pressroom (WeasyPrint, Ghostscript, LittleCMS)")
        info.CreationDate = info.ModDate = pikepdf.String(date)
        info.Trapped = pikepdf.Name("/False")
        info.GTS_PDFXVersion = pikepdf.String(PDFX_VERSION)
        _xmp(pdf, title, created, identifier)
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(identifier), pikepdf.String(identifier)])
        pdf.save(dst, object_stream_mode=pikepdf.ObjectStreamMode.disable, force_version="1.4",
                 compress_streams=True, static_id=True)


def _xmp(pdf, title: str, created: str, identifier: bytes) -> None:
    """The XMP metadata PDF/X-1a:2003 asks for: the same title, dates and version as the
    document information, and a document ID from the file's /ID (same book, same bytes)."""
    import pikepdf

    when = re.sub(r"\+00:00$", "Z", created)
    uid = "uuid:" + str(__import__("uuid").UUID(hashlib.sha256(identifier).hexdigest()[:32]))
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # noqa: E731
    xmp = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"
    xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{esc(title)}</rdf:li></rdf:Alt></dc:title>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:MetadataDate>{when}</xmp:MetadataDate>
   <xmp:CreatorTool>pressroom</xmp:CreatorTool>
   <pdf:Producer>pressroom (WeasyPrint, Ghostscript, LittleCMS)</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>{uid}</xmpMM:DocumentID>
   <xmpMM:InstanceID>{uid}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
   <pdfx:GTS_PDFXVersion>{PDFX_VERSION}</pdfx:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    stream = pikepdf.Stream(pdf, xmp.encode("utf-8"))
    stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    pdf.Root.Metadata = pdf.make_indirect(stream)


# --------------------------------------------------------------------------
# Reading a file back
# --------------------------------------------------------------------------

@dataclass
class Audit:
    """What a PDF/X-1a check finds in a file (empty lists: none)."""

    version: str = ""  # GTS_PDFXVersion
    pdf_version: str = ""
    intent: str = ""  # the output intent's condition, "" when none
    intent_components: int = 0  # 4 for a CMYK profile
    rgb: list[str] = field(default_factory=list)  # where an RGB colour space or operator is
    transparency: list[str] = field(default_factory=list)
    fonts_not_embedded: list[str] = field(default_factory=list)
    over_ink: list[tuple[int, str, float]] = field(default_factory=list)  # (page, what, percent)
    max_ink: float = 0.0
    object_streams: bool = False
    boxes: list[tuple] = field(default_factory=list)  # (TrimBox, BleedBox) per page

    def problems(self) -> list[str]:
        out = []
        if self.version != PDFX_VERSION:
            out.append(f"GTS_PDFXVersion is {self.version or 'missing'}")
        if self.intent_components != 4:
            out.append("no CMYK output intent")
        out += [f"RGB: {w}" for w in self.rgb[:5]] + [f"transparency: {w}" for w in self.transparency[:5]]
        out += [f"font not embedded: {f}" for f in self.fonts_not_embedded]
        if self.object_streams:
            out.append("object streams (PDF 1.5)")
        return out


_RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/Lab"}


def _space_is_rgb(cs) -> bool:
    """Whether a colour space (name or array) is or falls back to RGB (or Lab, itself device-independent but not allowed in X-1a)."""
    import pikepdf

    if isinstance(cs, pikepdf.Name):
        return str(cs) in _RGB_SPACES or str(cs) == "/DefaultRGB"
    if isinstance(cs, pikepdf.Array) and len(cs):
        kind = str(cs[0])
        if kind in _RGB_SPACES:
            return True
        if kind == "/ICCBased":
            return int(cs[1].get("/N", 0)) not in (1, 4)
        if kind == "/Indexed":
            return _space_is_rgb(cs[1])
        if kind in ("/Separation", "/DeviceN"):
            return _space_is_rgb(cs[2])
        if kind == "/Pattern" and len(cs) > 1:
            return _space_is_rgb(cs[1])
    return False


def audit(path: Path, ink_limit: float | None = None, *, images: bool = True) -> Audit:
    """Read the PDF at ``path`` back: its PDF/X version and output intent, every colour
    space in every page's resources (images, forms, shadings, patterns, named spaces),
    the colour operators of every content stream, transparency (groups, soft masks,
    blend modes, constant alpha below 1), fonts' embedding, the ink of every CMYK
    image's samples (unless not ``images``: the photos were checked when they were
    made) and of every CMYK colour operator (against ``ink_limit``)."""
    import pikepdf

    a = Audit()
    with pikepdf.open(path) as pdf:
        a.pdf_version = pdf.pdf_version
        info = pdf.trailer.get("/Info") or {}
        a.version = str(info.get("/GTS_PDFXVersion", ""))
        for oi in pdf.Root.get("/OutputIntents") or []:
            if oi.get("/S") == "/GTS_PDFX":
                a.intent = str(oi.get("/OutputConditionIdentifier", ""))
                prof = oi.get("/DestOutputProfile")
                a.intent_components = int(prof.get("/N", 0)) if prof is not None else 0
        a.object_streams = any(isinstance(o, pikepdf.Stream) and o.get("/Type") in ("/ObjStm", "/XRef")
                               for o in pdf.objects)
        seen: set = set()
        for n, page in enumerate(pdf.pages, 1):
            p = page.obj
            a.boxes.append(tuple([float(v) for v in p[k]] if k in p else None for k in ("/TrimBox", "/BleedBox")))
            if p.get("/Group") is not None:
                a.transparency.append(f"page {n} has a transparency group")
            _audit_content(a, n, f"page {n}", p, p.get("/Resources") or pikepdf.Dictionary(), seen, ink_limit, images)
    return a


def _audit_content(a: Audit, n: int, where: str, holder, res, seen: set, ink_limit, images: bool = True) -> None:
    import pikepdf

    # Content: colour operators in device RGB, CMYK ink of 'k' operators.
    content = pikepdf.Page(holder) if holder.get("/Type") == "/Page" else holder
    for operands, op in pikepdf.parse_content_stream(content):
        o = str(op)
        if o in ("rg", "RG"):
            a.rgb.append(f"{where}: an RGB colour ({o})")
        elif o in ("k", "K") and ink_limit is not None:
            ink = sum(float(v) for v in operands) * 100
            a.max_ink = max(a.max_ink, ink)
            if ink > ink_limit + 0.5:
                a.over_ink.append((n, f"{where}: a colour of {ink:.0f}% ink", ink))
    for name, cs in (res.get("/ColorSpace") or {}).items():
        if _space_is_rgb(cs):
            a.rgb.append(f"{where}: colour space {name}")
    for name, gs in (res.get("/ExtGState") or {}).items():
        if gs.get("/SMask") not in (None, pikepdf.Name("/None")):
            a.transparency.append(f"{where}: soft mask in {name}")
        for key in ("/ca", "/CA"):
            if key in gs and float(gs[key]) < 1:
                a.transparency.append(f"{where}: alpha {float(gs[key]):g} in {name}")
        if "/BM" in gs and str(gs["/BM"]) not in ("/Normal", "/Compatible"):
            a.transparency.append(f"{where}: blend mode {gs['/BM']} in {name}")
    for name, sh in (res.get("/Shading") or {}).items():
        if _space_is_rgb(sh.get("/ColorSpace")):
            a.rgb.append(f"{where}: shading {name}")
    for name, pat in (res.get("/Pattern") or {}).items():
        sh = pat.get("/Shading")
        if sh is not None and _space_is_rgb(sh.get("/ColorSpace")):
            a.rgb.append(f"{where}: pattern {name}'s shading")
        if pat.get("/PatternType") == 1 and pat.objgen not in seen:
            seen.add(pat.objgen)
            _audit_content(a, n, f"{where}, pattern {name}", pat, pat.get("/Resources") or pikepdf.Dictionary(),
                           seen, ink_limit, images)
    for name, font in (res.get("/Font") or {}).items():
        for f in [font] + list(font.get("/DescendantFonts") or []):
            desc = f.get("/FontDescriptor")
            if desc is not None and not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                a.fonts_not_embedded.append(str(f.get("/BaseFont", name)))
        if font.get("/Subtype") == "/Type3" and font.objgen not in seen:
            seen.add(font.objgen)
            for cname, proc in (font.get("/CharProcs") or {}).items():
                _audit_content(a, n, f"{where}, Type 3 glyph {cname}", proc, font.get("/Resources") or res, seen,
                               ink_limit, images)
    for name, x in (res.get("/XObject") or {}).items():
        if x.objgen in seen:
            continue
        seen.add(x.objgen)
        what = f"{where}: image {name}"
        if x.get("/Subtype") == "/Image":
            if x.get("/SMask") is not None or x.get("/SMaskInData", 0):
                a.transparency.append(f"{what} has a soft mask")
            if _space_is_rgb(x.get("/ColorSpace")):
                a.rgb.append(f"{what} is RGB")
            elif images and ink_limit is not None and _is_cmyk(x.get("/ColorSpace")):
                ink = image_ink(x)
                a.max_ink = max(a.max_ink, ink)
                if ink > ink_limit:
                    a.over_ink.append((n, what, ink))
        elif x.get("/Subtype") == "/Form":
            grp = x.get("/Group")
            if grp is not None and grp.get("/S") == "/Transparency":
                a.transparency.append(f"{where}: form {name} is a transparency group")
            _audit_content(a, n, f"{where}, form {name}", x, x.get("/Resources") or res, seen, ink_limit, images)


def _is_cmyk(cs) -> bool:
    import pikepdf

    if cs == pikepdf.Name("/DeviceCMYK"):
        return True
    return isinstance(cs, pikepdf.Array) and len(cs) > 1 and str(cs[0]) == "/ICCBased" and int(cs[1].get("/N", 0)) == 4


def image_ink(x) -> float:
    """The most ink any sample of the CMYK image XObject ``x`` carries, in percent."""
    from pikepdf import PdfImage

    if x.get("/Filter") == "/DCTDecode":
        im = read_cmyk_jpeg(x.read_raw_bytes(), list(x.get("/Decode") or []) or None)
    else:
        im = PdfImage(x).as_pil_image()
        decode = [float(v) for v in (x.get("/Decode") or [])]
        if decode == [1.0, 0.0] * 4:
            im = im.point(lambda v: 255 - v)
    return _max_ink(im)


# --------------------------------------------------------------------------
# The print edition's use of it
# --------------------------------------------------------------------------

def _where(book: Book) -> Location:
    if book.print.where is not None:
        return book.print.where
    return Location(str(book.source))


def book_profile(book: Book) -> OutputProfile:
    """The book's output profile (print.output_profile, or the default), or a located BuildError."""
    try:
        return load_profile(book.print.output_profile)
    except (ColorError, OSError) as e:
        raise BuildError([Problem(_where(book), str(e), "PR093")]) from None


def color_assets(book: Book, assets):
    """``assets`` with each print photo as the CMYK JPEG made for the book's output
    profile (cmyk_photo) when the book is printed in CMYK; ``assets`` itself otherwise."""
    if book.print.color != "cmyk":
        return assets
    profile = book_profile(book)
    out = dict(assets)
    for p in book.images:
        key = (p.path, "print")
        if key in assets:
            try:
                out[key] = cmyk_photo(assets[key], profile)
            except ColorError as e:
                raise BuildError([Problem(p.where, f"photo '{p.src}': {e}", "PRINT-013")]) from None
            except OSError as e:
                raise BuildError([Problem(p.where, f"photo '{p.src}' cannot be converted to CMYK: "
                                          f"{e.strerror or e}", "PR033")]) from None
    return out


def cmyk_write(book: Book, write_rgb, out, what: str, title: str, created: str) -> None:
    """Write to ``out`` (a binary file) the PDF/X-1a:2003 file made from the RGB PDF that
    ``write_rgb(file)`` writes, audited (no RGB, no transparency, a CMYK intent, no ink
    over the limit in its colours) before a byte of it is given."""
    profile = book_profile(book)
    where = _where(book)
    identifier = hashlib.sha256(f"{book.identifier}|pdf/x-1a|{what}".encode()).hexdigest()[:32].encode()
    with tempfile.TemporaryDirectory(prefix="pressroom-cmyk-") as tmp:
        rgb, x1a = Path(tmp) / "rgb.pdf", Path(tmp) / "x1a.pdf"
        with open(rgb, "wb") as f:
            write_rgb(f)
        try:
            to_pdfx1a(rgb, x1a, profile, title=title, created=created, identifier=identifier, lang=book.language)
        except ColorError as e:
            raise BuildError([Problem(where, f"the {what}: {e}", "PR093")]) from None
        found = audit(x1a, profile.ink_limit, images=False)  # the photos were measured when made
        problems = [Problem(where, f"the CMYK {what}: {w}", "PRINT-014") for w in found.problems()]
        problems += [Problem(where, f"the CMYK {what}: {w}, over the profile's ink limit of "
                             f"{profile.ink_limit:g}%", "PRINT-013") for _, w, _ in found.over_ink[:5]]
        if problems:
            raise BuildError(problems)
        with open(x1a, "rb") as f:
            shutil.copyfileobj(f, out, 1 << 20)


def cmyk_bytes(book: Book, rgb: bytes, what: str, title: str, created: str) -> bytes:
    """cmyk_write for an RGB PDF in memory (the cover)."""
    buf = io.BytesIO()
    cmyk_write(book, lambda f: f.write(rgb), buf, what, title, created)
    return buf.getvalue()
