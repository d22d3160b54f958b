"""The screen PDF: the book as people read it on screens, photos sized for them.

Tagged PDF/UA-1 (every photo a Figure with its alt text, headings, language,
the title in the window), an outline of the chapters, a linked contents page,
and photos at about :data:`SCREEN_PPI` where they are placed.
"""

from __future__ import annotations

import io
from pathlib import Path

from ..images import Asset, Target
from ..manuscript import Book
from ..render import STYLES, render
from .base import Edition, Geometry, layout_of, source_date, write_pdf

#: Photos are downsampled to about this many pixels per inch at their placed size.
SCREEN_PPI = 200
#: A full-bleed photo is cropped to fill the page; its derivative leaves room for
#: cropping a 3:2 photo to the page's shape at SCREEN_PPI.
BLEED_CROP_ROOM = 1.5


def page_css(g: Geometry, *, bleed: float = 0.0, marks: bool = False) -> str:
    """The rules that depend on the page geometry: @page size, margins mirrored
    left/right, running heads and page numbers on text pages only, and the boxes
    sized from the geometry (the colophon's page, the full-bleed photo page)."""
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
.colophon {{ height: {pt(g.content_height)}; }}
.leaf-full-bleed {{ width: {pt(g.width)}; height: {pt(g.height)}; }}
.leaf-full-bleed .frame {{ margin: {pt(-bleed)} 0 0 {pt(-bleed)}; }}
.leaf-full-bleed .band {{ padding-left: {pt(g.inside)}; padding-right: {pt(g.outside)}; }}
.leaf-full-bleed .band-bottom {{ padding-bottom: {pt(max(g.bottom * 0.6, 24))}; }}
.leaf-full-bleed .band-top {{ padding-top: {pt(max(g.top * 0.6, 24))}; }}
"""


def book_html(book: Book, edition: str, target: str, g: Geometry, assets: dict[tuple[Path, str], Asset],
              *, bleed_target: str | None = None) -> str:
    """The book's HTML for a PDF edition, each photo sized to its placed box.

    ``target`` names the derivative every photo uses; ``bleed_target``, when
    given, the one a full-bleed photo uses instead (larger: it is cropped).
    """
    photos, layouts, placed, offsets, openers = {}, {}, {}, {}, set()
    for chapter in book.chapters:
        first = chapter.blocks[0] if chapter.blocks else None
        for p in chapter.photos:
            a = assets[(p.path, target)]
            layouts[p.number] = lay = layout_of(p, a)
            # A chapter that opens with a photo page shares that page with its title.
            heading = p is first and lay in ("page", "full-bleed")
            if heading:
                openers.add(p.number)
            if lay == "full-bleed":
                a = assets.get((p.path, bleed_target or target), a)
                placed[p.number] = g.place_bleed()
            elif lay == "inline":
                placed[p.number] = g.place_inline(a)
            else:
                captioned = bool(p.caption_html or p.credit)
                placed[p.number] = w, h = g.place_page(a, captioned, heading)
                offsets[p.number] = g.page_offset(h, captioned, heading)
            photos[p.number] = a
    return render("pdf/book.html", book, edition=edition, photos=photos, layouts=layouts,
                  placed=placed, offsets=offsets, openers=openers, g=g, created=source_date().isoformat())


class ScreenPDF(Edition):
    name = "pdf"
    suffix = ".pdf"
    label = "screen PDF"

    def geometry(self, book: Book) -> Geometry:
        w, h = book.print.width, book.print.height
        m = 54.0  # 0.75in
        return Geometry(w, h, top=m, bottom=m * 1.15, inside=m, outside=m)

    def targets(self, book: Book) -> list[Target]:
        g = self.geometry(book)
        # A page or inline photo is at most the text area's long side.
        text_long = max(g.content_width, g.content_height) / 72
        targets = [Target("screen", round(text_long * SCREEN_PPI), 85)]
        if any(p.layout == "full-bleed" for p in book.photos):
            page_long = max(g.width, g.height) / 72
            targets.append(Target("screen-bleed", round(page_long * BLEED_CROP_ROOM * SCREEN_PPI), 85))
        return targets

    def build(self, book: Book, assets) -> dict[str, bytes]:
        g = self.geometry(book)
        html = book_html(book, "screen", "screen", g, assets, bleed_target="screen-bleed")
        pdf = write_pdf(book, html, [STYLES / "fonts.css", STYLES / "book.css", STYLES / "screen.css"],
                        extra_css=page_css(g), variant="pdf/ua-1")
        return {self.filename(book): with_metadata(book, pdf)}


def with_metadata(book: Book, pdf: bytes) -> bytes:
    """``pdf`` with the book's full XMP metadata and document info.

    WeasyPrint writes the title, creators, description, keywords and dates it
    finds in the HTML; this adds what a catalogue wants besides (subjects as a
    list, language, rights, publisher, identifier, publication date, subtitle)
    and keeps the file reproducible (dates from SOURCE_DATE_EPOCH, a /ID derived
    from the content).
    """
    import pikepdf

    when = source_date()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
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


def full_title(book: Book) -> str:
    return f"{book.title}: {book.subtitle}" if book.subtitle else book.title
