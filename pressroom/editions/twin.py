"""One layout, two PDFs: what makes a PDF drawn from the print interior's layout a
screen PDF (see chapterwise.Twin), and the print file the same drawing (untag).

The print interior of a long book is laid out once, chapter by chapter, and each
chapter drawn once, tagged (PDF/UA); that drawing is written twice: with the screen
derivatives in the photos' places, the page cut to its trim and the links kept (the
screen PDF); and with the print files in their places, untagged, as PDF/X (the print
interior). Only pydyf's public objects are touched here: the photos' image objects are
replaced by objects of the same number, everything else is put back as it was.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..adapters.pydyf import file_image, pages as _pages


class ScreenImage(NamedTuple):
    """A screen derivative drawn where a print photo's stand-in was laid out."""

    path: str
    width: int
    height: int
    colour_space: str  # "/DeviceRGB" or "/DeviceGray"


@dataclass
class _Redrawn:
    """The image object ``file_image`` copies: the stand-in's number, the derivative's dictionary."""

    number: int
    generation: int
    offset: int
    free: str
    extra: dict


def _image_data(o) -> bytes | None:
    """The bytes a WeasyPrint image object was made from (a stand-in's), when it has them."""
    stream = getattr(o, "stream", None)
    if stream is None or len(stream) != 1 or not hasattr(stream[0], "data"):
        return None
    data = stream[0].data
    return data if isinstance(data, bytes) else None


@contextlib.contextmanager
def screen_side(pdf, images: dict[bytes, ScreenImage]):
    """Within the block, the generated print drawing ``pdf`` (pydyf) is the screen PDF's:
    each photo's stand-in replaced by its screen derivative (``images``: {stand-in: image},
    read from its file when written), every page's MediaBox its TrimBox (the bleed is
    paper's), no output intent (the screen PDF is sRGB as every screen). Put back after."""
    import pydyf

    objects = list(pdf.objects)
    pages = [(page, page.get("MediaBox"), page.get("BleedBox")) for page in _pages(pdf)]
    intents = pdf.catalog.get("OutputIntents")
    try:
        for i, o in enumerate(pdf.objects):
            if not (isinstance(o, pydyf.Stream) and o.extra.get("Subtype") == "/Image"):
                continue
            hit = images.get(_image_data(o))
            if hit is None:
                continue  # not a photo laid out from a stand-in: drawn as it is
            extra = pydyf.Dictionary({k: v for k, v in o.extra.items() if k not in ("Decode", "Length")})
            extra.update({"Width": hit.width, "Height": hit.height, "ColorSpace": hit.colour_space,
                          "BitsPerComponent": 8, "Filter": "/DCTDecode"})
            path = Path(hit.path)
            pdf.objects[i] = file_image(_Redrawn(o.number, o.generation, o.offset, o.free, extra), path,
                                        b"pressroom screen " + path.name.encode())
        for page, media, _ in pages:
            if "TrimBox" in page:
                page["MediaBox"] = page["TrimBox"]
            page.pop("BleedBox", None)
        pdf.catalog.pop("OutputIntents", None)
        yield
    finally:
        pdf.objects[:] = objects
        for page, media, bleed in pages:
            page["MediaBox"] = media
            if bleed is not None:
                page["BleedBox"] = bleed
        if intents is not None:
            pdf.catalog["OutputIntents"] = intents


def untag(pdf) -> None:
    """Make the tagged drawing ``pdf`` (pydyf) an untagged one, as the print interior is:
    no structure tree, no page's key into it (the marked-content ids stay, unused)."""
    pdf.catalog.pop("StructTreeRoot", None)
    pdf.catalog.pop("MarkInfo", None)
    for page in _pages(pdf):
        page.pop("StructParents", None)
