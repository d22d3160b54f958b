"""What every edition shares: the interface and page geometry.

An edition says only what differs for it: the photo derivatives it wants, its
template and stylesheet, and how it writes its file. What one edition hands
another in a build (the print interior's page map, for the EPUB's page-list)
is passed by the build schedule as a :class:`Given`.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from ..images import Asset, Target
from ..limits import DEFAULT as DEFAULT_LIMITS, Limits
from ..manuscript import Book, Photo
from ..staging import Staged, stage


@dataclass(frozen=True)
class Given:
    """What the other editions of a build hand an edition (see Edition.needs): filled
    in by the build schedule, empty when the edition is made on its own."""

    page_map: object = None  # the print interior's press.pagemap.PageMap
    screen_pieces: object = None  # a long book's screen PDF, drawn from the print layout (chapterwise.Chapterwise)


NOTHING = Given()


class Edition:
    """One output file of a book."""

    name = ""  # the build.py subcommand: "pdf", "epub", "print"
    suffix = ""  # appended to the slug: ".pdf", ".epub", "-print.pdf"
    label = ""  # for people: "screen PDF"
    #: The fields of Given this edition uses when another edition of the build makes
    #: them, and those it makes (the schedule runs a giver's preflight first).
    needs: frozenset[str] = frozenset()
    gives: frozenset[str] = frozenset()

    def __init__(self, *, limits: Limits = DEFAULT_LIMITS):
        self.limits = limits  # for the photos this edition derives beyond the build's

    def targets(self, book: Book) -> list[Target]:
        """The photo derivatives this edition needs."""
        raise NotImplementedError

    def more_targets(self, book: Book) -> dict[Path, list[Target]]:
        """Derivatives of particular photos this edition will ask for beyond targets()
        ({photo path: targets}): made with the others, in the same pass over the photos."""
        return {}

    def build(self, book: Book, assets: dict[tuple[Path, str], Asset], given: Given = NOTHING) -> dict[str, bytes]:
        """The edition's files, {file name: bytes} (the print edition makes two)."""
        raise NotImplementedError

    def unneeded(self, book: Book) -> set[tuple[Path, str]]:
        """(photo path, target name) pairs of targets() this edition will not use for
        that photo: not made."""
        return set()

    def needs_for(self, book: Book) -> frozenset[str]:
        """The fields of Given this edition uses for ``book``: by default, ``needs``."""
        return self.needs

    def alongside(self, names: set[str]) -> None:
        """Told the names of the editions made in the same build (before anything is made)."""

    def prepare(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> None:
        """Work of build() that no other edition's result changes, done ahead (into the
        cache) while that result is awaited: the EPUB composes its cover while the
        print interior is laid out. By default, nothing."""

    def write(self, book: Book, assets: dict[tuple[Path, str], Asset], folder: Path,
              given: Given = NOTHING) -> Staged:
        """The edition's files, staged as temporaries in ``folder`` (see staging.py):
        [(temporary, final path)]. An edition whose files are large streams them there."""
        return stage(folder, list(self.build(book, assets, given).items()))

    def hand_over(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> Given:
        """What this edition gives the others (its ``gives``), once its preflight ran."""
        return NOTHING

    def preflight(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> list[Problem]:
        """Findings about this edition (warnings and errors with stable codes), without writing it."""
        return []

    def filename(self, book: Book) -> str:
        return book.slug + self.suffix


def source_date() -> _dt.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).replace(microsecond=0)
        except (ValueError, OverflowError, OSError):
            pass
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


# --------------------------------------------------------------------------
# Page geometry (points)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Geometry:
    """A page and where photos go on it, in points (1/72 in).

    The template draws each photo at the size these methods give, so the size a
    photo is placed at (and so its resolution on the page) is known before
    WeasyPrint runs.
    """

    width: float  # trim
    height: float
    top: float
    bottom: float
    inside: float
    outside: float
    bleed: float = 0.0
    caption_room: float = 72 * 1.1  # kept free under a page photo for its caption
    heading_room: float = 72 * 0.95  # kept free above a photo that shares its page with the chapter title

    @property
    def content_width(self) -> float:
        return self.width - self.inside - self.outside

    @property
    def content_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def place_page(self, asset: Asset, has_caption: bool, heading: bool = False,
                   caption_room: float | None = None) -> tuple[float, float]:
        """Size of a `page` photo: as large as fits in the margins above its caption
        (``caption_room`` high, by default :attr:`caption_room`) and below the
        chapter title when it opens a chapter."""
        room_h = (self.content_height - self._caption(has_caption, caption_room)
                  - (self.heading_room if heading else 0))
        w = self.content_width
        h = w / asset.aspect
        if h > room_h:
            h = room_h
            w = h * asset.aspect
        return w, h

    def page_offset(self, photo_height: float, caption: float = 0.0, heading: bool = False) -> float:
        """Space above a `page` photo that puts it, with the ``caption`` points its caption
        really takes, a little above the middle of the room it has (the optical centre):
        40 % of the free height above, 60 % below. A chapter's title, when the photo opens
        the chapter, keeps its place at the top of the text area, as on every chapter's
        first page, and the room is what is left below it."""
        room = self.content_height - (self.heading_room if heading else 0)
        return max(0.0, (room - photo_height - caption) * 0.4)

    def _caption(self, has_caption: bool, room: float | None) -> float:
        if not has_caption:
            return 0.0
        return self.caption_room if room is None else max(room, self.caption_room)

    def place_inline(self, asset: Asset) -> tuple[float, float]:
        """Size of an `inline` photo: the text width, at most 60 % of the text height."""
        w = self.content_width
        h = w / asset.aspect
        limit = self.content_height * 0.6
        if h > limit:
            h = limit
            w = h * asset.aspect
        return w, h

    def place_bleed(self) -> tuple[float, float]:
        """The box of a `full-bleed` photo: the page and its bleed on every side."""
        return self.width + 2 * self.bleed, self.height + 2 * self.bleed

    def place_spread(self) -> tuple[float, float]:
        """The box of a `spread` photo: two facing pages and the bleed on their three
        outer edges (the top, the bottom, the verso's left and the recto's right)."""
        return 2 * self.width + 2 * self.bleed, self.height + 2 * self.bleed

    def drawn_spread(self, asset: Asset) -> tuple[float, float]:
        """The size a `spread` photo is drawn at: scaled to cover its box, cropped."""
        bw, bh = self.place_spread()
        scale = max(bw / asset.width, bh / asset.height)
        return asset.width * scale, asset.height * scale

    def drawn_bleed(self, asset: Asset) -> tuple[float, float]:
        """The size a `full-bleed` photo is drawn at: scaled to cover its box, the
        overflow cropped (CSS object-fit: cover)."""
        bw, bh = self.place_bleed()
        scale = max(bw / asset.width, bh / asset.height)
        return asset.width * scale, asset.height * scale


def layout_of(photo: Photo, asset: Asset) -> str:
    """The layout a photo gets: the manuscript's, and for ``auto`` always ``page``.

    ``page`` gives a photo a page of its own within the margins, whatever its shape
    (a landscape photo fills the text width, a portrait one the text height); nothing
    is cropped. ``full-bleed`` (cropped to fill the page) and ``inline`` (in the text)
    are the writer's choice, never a guess.
    """
    if photo.layout != "auto":
        return photo.layout
    return "page"


def estimated_pages(book: Book, g: Geometry) -> int:
    """The interior's page count as the manuscript suggests it, before any layout: the
    front matter, a page for each photo placed on its own page, half a page for an inline
    one, the text at the body type's characters per page, chapters opening on right-hand
    pages. Only good enough to pick the gutter's bracket (layout() corrects a wrong one)."""
    font, leading = 10.5, 10.5 * 1.45  # styles/book.css
    per_page = (g.content_width / (font * 0.5)) * (g.content_height / leading)
    pages = 4.0  # half title, title, colophon, contents
    for chapter in book.chapters:
        pages += 1.5  # the opening (on a right-hand page: half a blank page on average)
        chars = 0
        for block in chapter.blocks:
            if isinstance(block, Photo):
                pages += {"inline": 0.5, "spread": 2.5}.get(block.layout, 1)  # a spread: two pages, on a verso
            else:
                chars += len(block.markdown)
        pages += chars / per_page
    return math.ceil(pages)
