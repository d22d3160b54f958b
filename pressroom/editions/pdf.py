"""The screen PDF: the book as people read it on screens, photos sized for them.

Tagged PDF/UA-1 (every photo a Figure with its alt text, headings, language,
the title in the window), an outline of the chapters, a linked contents page,
and photos at about :data:`SCREEN_PPI` where they are placed.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from .. import design
from ..adapters.pydyf import mark_pagination_artifacts
from ..errors import Problem
from ..images import Asset, Target, derive, planned_size
from ..manuscript import Book, Matter, Photo
from ..render import STYLES, labels, render
from ..scripts import direction, ems, pdf_css
from ..words import chapter_label
from . import chapterwise
from .base import NOTHING, Edition, Geometry, Given, estimated_pages, layout_of, source_date
from .render_pdf import write_pdf

#: Photos are downsampled to about this many pixels per inch at their placed size.
SCREEN_PPI = 200
#: Below this a photo looks soft on a screen (preflight warns).
MIN_PPI = 150
#: A derivative within this factor of the size its placement needs is used as it is.
PPI_TOLERANCE = 1.1


def page_css(g: Geometry, *, bleed: float = 0.0, marks: bool = False, safety: float = 0.0) -> str:
    """The rules that depend on the page geometry: @page size, margins mirrored
    left/right, running heads and page numbers on text pages only, and the boxes
    sized from the geometry (the colophon's page, the full-bleed photo page).
    Text on a full-bleed page stays at least ``safety`` points inside the trim."""
    pt = lambda v: f"{v:.3f}pt"  # noqa: E731
    none = "@top-center { content: none; } @bottom-center { content: none; }"
    return f"""
@page {{ size: {pt(g.width)} {pt(g.height)}; margin: {pt(g.top)} {pt(g.outside)} {pt(g.bottom)} {pt(g.inside)};
  bleed: {pt(bleed)}; marks: {'crop' if marks else 'none'};
  @top-center {{ content: string(chapter, first-except); font-family: "Noto Serif", serif; font-size: 8pt;
    font-style: italic; color: #555; }}
  @bottom-center {{ content: counter(page); font-family: "Noto Serif", serif; font-size: 8.5pt; color: #333; }} }}
@page :left {{ margin-left: {pt(g.outside)}; margin-right: {pt(g.inside)}; }}
@page :right {{ margin-left: {pt(g.inside)}; margin-right: {pt(g.outside)}; }}
@page :blank {{ {none} }}
@page front {{ {none} }}
@page photo {{ {none} }}
@page bleed {{ margin: 0; {none} }}
.colophon, .title-page {{ height: {pt(g.content_height)}; }}
.half-title, .title-page {{ padding-top: {pt(g.content_height * 0.22)}; }}
.leaf-page figcaption, .layout-inline figcaption, .leaf-full-bleed .band figcaption {{ max-width: {pt(CAPTION_MEASURE)}; }}
.leaf-page .opener-head {{ height: {pt(g.heading_room)}; }}
.leaf-full-bleed {{ width: {pt(g.width)}; height: {pt(g.height)}; }}
.leaf-full-bleed .frame {{ position: absolute; top: {pt(-bleed)}; left: {pt(-bleed)}; }}
.leaf-full-bleed .band {{ left: {pt(-bleed)}; right: {pt(-bleed)};
  padding-left: {pt(max(g.inside, safety) + bleed)}; padding-right: {pt(max(g.outside, safety) + bleed)}; }}
.leaf-full-bleed .band-bottom {{ bottom: {pt(-bleed)}; padding-bottom: {pt(max(g.bottom * 0.6, 24, safety) + bleed)}; }}
.leaf-full-bleed .band-top {{ top: {pt(-bleed)}; padding-top: {pt(max(g.top * 0.6, 24, safety) + bleed)}; }}
.leaf-spread {{ width: {pt(g.width)}; height: {pt(g.height)}; }}
.leaf-spread .frame {{ position: absolute; top: {pt(-bleed)}; left: {pt(-bleed)}; }}
.leaf-spread-recto .frame {{ left: {pt(-bleed - g.width)}; }}
[dir=rtl] .leaf-spread-verso .frame {{ left: {pt(-bleed - g.width)}; }}
[dir=rtl] .leaf-spread-recto .frame {{ left: {pt(-bleed)}; }}
.leaf-spread .band {{ left: {pt(-bleed)}; right: {pt(-bleed)};
  padding-left: {pt(max(g.inside, safety) + bleed)}; padding-right: {pt(max(g.outside, safety) + bleed)}; }}
.leaf-spread .band-bottom {{ bottom: {pt(-bleed)}; padding-bottom: {pt(max(g.bottom * 0.6, 24, safety) + bleed)}; }}
.leaf-spread figcaption {{ max-width: {pt(CAPTION_MEASURE)}; }}
"""


def placements(book: Book, g: Geometry, assets: dict[tuple[Path, str], Asset], target: str) -> dict[int, tuple]:
    """Where each photo goes: {photo number: (layout, (w, h) box in points, offset, opens chapter)}.

    The layout is chosen from ``target``'s derivative (its aspect ratio), the box
    from the geometry: the template draws each photo at exactly that size.
    """
    out = {}
    for chapter in book.chapters:
        first = chapter.blocks[0] if chapter.blocks else None
        for p in chapter.photos:
            a = assets[(p.path, target)]
            lay = layout_of(p, a)
            # A chapter that opens with a photo page shares that page with its title.
            opener = p is first and lay in ("page", "full-bleed")
            offset = 0.0
            if lay == "full-bleed":
                box = g.place_bleed()
            elif lay == "spread":
                box = g.place_spread()
            elif lay == "inline":
                box = g.place_inline(a)
            else:
                captioned = bool(p.caption_html or p.credit)
                room = caption_height(p, caption_measure(g))  # the narrowest a caption is set
                box = g.place_page(a, captioned, opener, room)
                # Centred on what the page really holds: the caption at its set width, not the room kept for it.
                width = caption_width(g, box[0])
                offset = g.page_offset(box[1], caption_height(p, width, spare=False), opener)
                # ...but never so low that a caption longer than guessed would not fit under the photo.
                left = g.content_height - (g.heading_room if opener else 0) - box[1]
                offset = min(offset, max(0.0, left - caption_height(p, width)))
            out[p.number] = (lay, box, offset, opener)
    return out


#: Caption type (book.css figcaption: 0.85em of 10.5pt, line-height 1.35) and a
#: generous average advance of an italic character, for estimating caption height.
CAPTION_SIZE = 10.5 * 0.85
CAPTION_CHAR = CAPTION_SIZE * 0.5
#: The longest line a caption is set in (about 60 characters): a caption under a wide
#: photo keeps a readable measure, flush with the photo's left edge.
CAPTION_MEASURE = 288.0
#: The space between a photo and its caption (book.css .caption-box margin-top).
CAPTION_GAP = 10.5 * 0.9


def caption_box(g: Geometry, photo_width: float) -> float:
    """The width of the box under a `page` photo that holds its caption: the photo's
    width, or 60 % of the text width under a narrow photo."""
    return max(photo_width, g.content_width * 0.6)


def caption_width(g: Geometry, photo_width: float) -> float:
    """The measure a `page` photo's caption is set in."""
    return min(caption_box(g, photo_width), CAPTION_MEASURE)


def caption_measure(g: Geometry) -> float:
    """The narrowest measure a `page` photo's caption can be set in on this page."""
    return caption_width(g, 0.0)


def caption_height(photo, width: float, spare: bool = True) -> float:
    """An estimate of the height (points) a photo's caption and credit take when set
    ``width`` wide, with the gap above them. Safe (a line to spare) by default, so that
    a long caption shrinks its photo instead of pushing the caption onto a page of its
    own; ``spare=False`` for the height it most likely takes."""
    chars = ems(photo.caption_text) + (ems(photo.credit) + 8 if photo.credit else 0)
    if not chars:
        return 0.0
    lines = math.ceil(chars * CAPTION_CHAR / width) + (1 if spare else 0)
    return lines * CAPTION_SIZE * 1.35 + CAPTION_GAP + (6 if spare else 0)


def drawn_size(g: Geometry, layout: str, box: tuple[float, float], asset: Asset) -> tuple[float, float]:
    """The size (points) a photo is drawn at: its box, or larger when cropped to fill it."""
    if layout == "spread":
        return g.drawn_spread(asset)
    return g.drawn_bleed(asset) if layout == "full-bleed" else box


def book_html(book: Book, edition: str, target: str, g: Geometry, assets: dict[tuple[Path, str], Asset]) -> str:
    """The book's HTML for a PDF edition, each photo sized to its placed box.

    ``assets`` maps (photo path, target) to derivatives; a photo uses the one
    for ``target``, or the one keyed (path, f"{target}@{number}") when the
    edition made one for that photo's placement.
    """
    places = placements(book, g, assets, target)
    photos = {p.number: assets.get((p.path, f"{target}@{p.number}"), assets[(p.path, target)]) for p in book.photos}
    return render("pdf/book.html", book, edition=edition, photos=photos, texts=design.openings(book),
                  layouts={n: v[0] for n, v in places.items()}, placed={n: v[1] for n, v in places.items()},
                  offsets={n: v[2] for n, v in places.items()},
                  openers={n for n, v in places.items() if v[3]}, g=g, created=source_date().isoformat())


class ScreenPDF(Edition):
    name = "pdf"
    suffix = ".pdf"
    label = "screen PDF"

    def geometry(self, book: Book) -> Geometry:
        """The screen page: the trim with the theme's even margins; a long book's is the
        print interior's (one_layout), with its first gutter."""
        if self.one_layout(book):
            from .press.services import first_gutter, print_geometry

            return print_geometry(book, first_gutter(book))
        w, h = book.print.width, book.print.height
        m = book.design.theme.screen_margin  # 0.75in in the classic theme
        return Geometry(w, h, top=m, bottom=m * 1.15, inside=m, outside=m)

    def one_layout(self, book: Book) -> bool:
        """Whether this book's screen PDF is drawn from the print interior's layout
        (chapterwise.one_layout: a long book), asked once per book."""
        if getattr(self, "_one_for", (None,))[0] is not book:
            self._one_for = (book, chapterwise.one_layout(book))
        return self._one_for[1]

    def needs_for(self, book: Book) -> frozenset[str]:
        """A long book's screen PDF waits for the print interior's layout, drawn for it too."""
        return frozenset({"screen_pieces"}) if self.one_layout(book) else frozenset()

    def targets(self, book: Book) -> list[Target]:
        # Sized for a photo that fills the text area's long side: the common case.
        # build() asks for other sizes where a photo is placed smaller or larger.
        g = self.geometry(book)
        return [Target("screen", round(max(g.content_width, g.content_height) / 72 * SCREEN_PPI), 85)]

    def _resized(self, book: Book, g: Geometry, assets) -> dict[int, list[Photo]]:
        """{long edge in px: the photos whose placement wants a derivative that size}:
        each photo whose placement wants a noticeably different size than the common
        derivative (``assets``' "screen" ones)."""
        base = self.targets(book)[0]
        places = placements(book, g, assets, base.name)
        wanted: dict[int, list] = {}
        for p in book.photos:
            a = assets[(p.path, base.name)]
            lay, box, _, _ = places[p.number]
            # Rounded up to 50 px: photos placed alike share one derivative size.
            need = math.ceil(max(drawn_size(g, lay, box, a)) / 72 * SCREEN_PPI / 50) * 50
            have = max(a.width, a.height)
            # Smaller when placed smaller; larger when placed larger and the original allows it.
            if have > need * PPI_TOLERANCE or (have * PPI_TOLERANCE < need and have == base.long_edge):
                wanted.setdefault(need, []).append(p)
        return wanted

    def _target(self, book: Book, need: int) -> Target:
        return Target(f"screen-{need}", need, self.targets(book)[0].quality)

    def _planned(self, book: Book) -> dict[tuple[Path, str], Asset] | None:
        """The common derivative of every photo as it will be (its size from the photo's
        header, nothing decoded), or None when a photo's header cannot tell."""
        base = self.targets(book)[0]
        planned = {}
        for p in book.images:
            size = planned_size(p.path, base, self.limits)
            if size is None:
                return None  # a photo derive() will report: nothing to plan
            planned[(p.path, base.name)] = Asset(p.path, *size)
        return planned

    def _plan(self, book: Book) -> tuple[dict, dict[Path, list[Target]], set[tuple[Path, str]]]:
        """(the common derivatives as planned, see _planned, {} when they cannot be; the
        per-placement derivatives build() will ask for, {photo path: targets}; the photos
        whose common derivative no placement draws, {(path, "screen")}): planned once per
        book (it reads every photo's header)."""
        if getattr(self, "_plan_for", (None,))[0] is not book:
            self._plan_for = (book, self._make_plan(book))
        return self._plan_for[1]

    def _make_plan(self, book: Book) -> tuple[dict, dict[Path, list[Target]], set[tuple[Path, str]]]:
        planned = self._planned(book)
        if planned is None:
            return {}, {}, set()
        extra: dict[Path, list[Target]] = {}
        resized: set[int] = set()
        for need, photos in self._resized(book, self.geometry(book), planned).items():
            for p in photos:
                extra.setdefault(p.path, []).append(self._target(book, need))
                resized.add(p.number)
        # A file placed twice may be drawn at the common size in one place; the cover
        # photo, when no chapter shows it, is not in this edition at all.
        unused = {(p.path, "screen") for p in book.images}
        unused -= {(p.path, "screen") for p in book.photos if p.number not in resized}
        return planned, extra, unused

    def more_targets(self, book: Book) -> dict[Path, list[Target]]:
        """The per-placement derivatives build() will ask for (see sized), planned from the
        photos' headers: made with the common ones, in the same pass over the photos."""
        return self._plan(book)[1]

    def unneeded(self, book: Book) -> set[tuple[Path, str]]:
        """The common derivatives never drawn, so not made: of the photos that get one of
        their own everywhere they are placed (build() plans with their planned size),
        and of a cover photo no chapter shows."""
        return self._plan(book)[2]

    def _complete(self, book: Book, assets) -> dict[tuple[Path, str], Asset]:
        """``assets`` with the common derivative of each photo, the planned one (its size:
        see unneeded) where it was not made."""
        if all((p.path, "screen") in assets for p in book.images):
            return assets
        planned = self._plan(book)[0]
        return {**{k: v for k, v in planned.items() if k not in assets}, **assets}

    def sized(self, book: Book, g: Geometry, assets) -> dict[tuple[Path, str], Asset]:
        """``assets`` plus, for each photo whose placement wants a noticeably different
        size than the common derivative, one made for it (cached like any other):
        every photo lands at about SCREEN_PPI where it is placed."""
        out = dict(self._complete(book, assets))
        for need, photos in sorted(self._resized(book, g, out).items()):
            target = self._target(book, need)
            made = derive(photos, [target], limits=self.limits)
            for p in photos:
                out[(p.path, f"screen@{p.number}")] = made[(p.path, target.name)]
        return out

    def preflight(self, book: Book, assets) -> list[Problem]:
        """A warning (PR410) for each photo with too few pixels for where it is placed
        (in the derivative build() draws there): below MIN_PPI it looks soft on a screen."""
        g = self.geometry(book)
        assets = self._complete(book, assets)
        places = placements(book, g, assets, "screen")
        sized = self.sized(book, g, assets)  # what build() places: cached, so made once
        found = list(book.design.warnings)  # what the book's fonts lack (reported once: cli, check)
        for p in book.photos:
            a = sized.get((p.path, f"screen@{p.number}"), assets[(p.path, "screen")])
            lay, box, _, _ = places[p.number]
            ppi = max(a.width, a.height) / (max(drawn_size(g, lay, box, a)) / 72)
            if ppi < MIN_PPI:
                found.append(Problem(p.where, f"photo '{p.src}' has {a.width}x{a.height} pixels: placed {lay} it "
                                     f"shows at {ppi:.0f} ppi and looks soft (use {MIN_PPI} ppi or more)",
                                     "PR410", "warning"))
        return found

    def build(self, book: Book, assets, given: Given = NOTHING) -> dict[str, bytes]:
        if self.one_layout(book) and given.screen_pieces is not None:
            # Drawn from the print interior's layout (the build lays it out when it makes no
            # print edition: schedule._helpers). Without it (the interior laid out whole, or
            # this edition made on its own) the screen PDF is laid out here, with the same page.
            with chapterwise.merge(book, given.screen_pieces) as merged:
                return {self.filename(book): finished(book, merged.pdf)}
        g = self.geometry(book)
        html = book_html(book, "screen", "screen", g, self.sized(book, g, assets))
        sheets = [STYLES / "fonts.css", STYLES / "book.css", STYLES / "screen.css"]
        extra, after = page_css(g) + pdf_css(book, g), design.sheets(book.design, "book")
        if chapterwise.applies(book, estimated_pages(book, g)):
            # A long book: laid out chapter by chapter, the chapters not edited from the cache.
            laid = chapterwise.lay_out(book, html, sheets, kind="screen", extra_css=extra, variant="pdf/ua-1",
                                       after_css=after, two_sided=False)
            if laid is not None:  # else its contents did not settle: laid out whole below
                with chapterwise.merge(book, laid) as merged:
                    return {self.filename(book): finished(book, merged.pdf)}
        pdf = write_pdf(book, html, sheets, extra_css=extra, variant="pdf/ua-1", after_css=after,
                        finisher=lambda document, generated: mark_pagination_artifacts(generated))
        return {self.filename(book): finish(book, pdf)}


def finish(book: Book, pdf: bytes) -> bytes:
    """``pdf`` (its page furniture marked as artifacts when it was generated: see
    adapters.pydyf.mark_pagination_artifacts) with the book's full XMP metadata and
    document info.

    WeasyPrint writes the title, creators, description, keywords and dates it
    finds in the HTML; this adds what a catalogue wants besides (subjects as a
    list, language, rights, publisher, identifier, publication date, subtitle)
    and keeps the file reproducible (dates from SOURCE_DATE_EPOCH, a /ID derived
    from the content).
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return finished(book, doc)


def finished(book: Book, doc) -> bytes:
    """The bytes of ``doc`` (a pikepdf.Pdf of the screen PDF, its artifacts marked) finished
    as :func:`finish` says."""
    import pikepdf

    when = source_date()
    if any(item.notes for item in book.front_matter + book.chapters + book.back_matter):
        tag_notes(doc)
    if direction(book.language) == "rtl":  # a viewer shows the spreads right to left
        prefs = doc.Root.get("/ViewerPreferences", pikepdf.Dictionary())
        prefs.Direction = pikepdf.Name.R2L
        doc.Root.ViewerPreferences = prefs
    # A link's description (PDF/UA 7.18.5): WeasyPrint gives an internal one its anchor id.
    t = labels(book.language, book.words)
    titles = {c.id: c.title or chapter_label(t, c.number) for c in book.chapters}
    titles.update(link_titles(book))
    for page in doc.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Link" and str(annot.get("/Dest", "")) in titles:
                annot.Contents = pikepdf.String(titles[str(annot.Dest)])
    with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:title"] = full_title(book)
        xmp["dc:creator"] = [c.name for c in book.creators]
        contributors = [c.name for c in book.contributors if c not in book.creators]
        if contributors:
            xmp["dc:contributor"] = contributors
        if book.description:
            xmp["dc:description"] = book.description
        if book.subjects:
            xmp["dc:subject"] = set(book.subjects)
            xmp["pdf:Keywords"] = ", ".join(book.subjects)
        xmp["dc:language"] = {book.language}
        if book.rights:
            xmp["dc:rights"] = book.rights
        if book.publisher:
            xmp["dc:publisher"] = {book.publisher}
        if book.date:
            xmp["dc:date"] = [book.date]
        xmp["dc:identifier"] = book.identifier
        xmp["dc:format"] = "application/pdf"
        xmp["xmp:MetadataDate"] = when.isoformat()
        xmp["xmp:CreateDate"] = when.isoformat()
        xmp["xmp:ModifyDate"] = when.isoformat()
    info = doc.docinfo
    info["/Title"] = pikepdf.String(full_title(book))
    if book.subtitle:
        info["/Subtitle"] = pikepdf.String(book.subtitle)
    if book.rights:
        info["/Rights"] = pikepdf.String(book.rights)
    if book.publisher:
        info["/Publisher"] = pikepdf.String(book.publisher)
    info["/Identifier"] = pikepdf.String(book.identifier)
    out = io.BytesIO()
    doc.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def link_titles(book: Book) -> dict[str, str]:
    """{id: what a link to it names} for the places a long book's links lead besides its
    chapters: parts, matter, titles and sections of chapter files, footnotes."""
    t = labels(book.language, book.words)
    out: dict[str, str] = {p.id: p.title for p in book.parts}
    for item in book.front_matter + book.chapters + book.back_matter:
        title = item.title or (t.get(f"kind:{item.kind}") if isinstance(item, Matter) else chapter_label(t, item.number))
        if isinstance(item, Matter):
            out[item.id] = title
        if item.anchor:
            out[item.anchor] = title
        out.update({s.id: s.title for s in item.sections})
        out.update({n.id: f"{t['note']} {n.number}" for n in item.notes})
    return out


def full_title(book: Book) -> str:
    return f"{book.title}: {book.subtitle}" if book.subtitle else book.title


def tag_notes(doc) -> None:
    """Tag each footnote a /Note with an /ID (PDF/UA-1 7.9): WeasyPrint tags the area at
    a page's foot that holds them /NonStruct and each note, a ``span.footnote``, /Span."""
    import pikepdf

    root = doc.Root.get("/StructTreeRoot")
    if root is None:
        return
    n = 0
    for top in root.K:
        for area in (top.get("/K", []) if isinstance(top, pikepdf.Dictionary) else []):
            if not isinstance(area, pikepdf.Dictionary) or area.get("/S") != "/NonStruct":
                continue
            kids = [k for k in area.get("/K", []) if isinstance(k, pikepdf.Dictionary) and "/S" in k]
            if kids and len(kids) == len(area.get("/K", [])) and all(k.S == "/Span" for k in kids):
                for note in kids:
                    n += 1
                    note.S = pikepdf.Name.Note
                    note.ID = pikepdf.String(f"note-{n}")
