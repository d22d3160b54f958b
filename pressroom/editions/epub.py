"""The EPUB 3 edition, written with ebooklib from our own XHTML templates."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ebooklib import epub

from ..images import Asset, Target
from ..manuscript import Book
from ..render import FONTS, STYLES, render
from .base import Edition, source_date

#: Long edge of the photos inside the EPUB, in pixels.
EPUB_LONG_EDGE = 2048
EPUB_QUALITY = 82

FONT_FILES = ("NotoSerif-Regular.ttf", "NotoSerif-Italic.ttf", "NotoSerif-Bold.ttf", "NotoSerif-BoldItalic.ttf")
#: A fixed timestamp for every zip entry: the bytes depend on the book, not on when it was built.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _xhtml(uid: str, name: str, content: str, properties: list[str] | None = None) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=name, media_type="application/xhtml+xml", content=content.encode("utf-8"))
    item.properties = properties or []
    return item


class EPUB(Edition):
    name = "epub"
    suffix = ".epub"
    label = "EPUB"

    def targets(self, book: Book) -> list[Target]:
        return [Target("epub", EPUB_LONG_EDGE, EPUB_QUALITY)]

    def build(self, book: Book, assets: dict[tuple[Path, str], Asset]) -> dict[str, bytes]:
        e = epub.EpubBook()
        e.set_identifier(book.identifier)
        e.set_title(book.title)
        e.set_language(book.language)
        e.set_direction(None)
        for i, c in enumerate(book.contributors):
            e.add_author(c.name, file_as=c.file_as, role=c.marc, uid=f"creator{i}")
        if book.publisher:
            e.add_metadata("DC", "publisher", book.publisher)
        if book.date:
            e.add_metadata("DC", "date", book.date)
        if book.rights:
            e.add_metadata("DC", "rights", book.rights)
        if book.description:
            e.add_metadata("DC", "description", book.description)
        for s in book.subjects:
            e.add_metadata("DC", "subject", s)

        # Photos, each file once even when placed twice.
        images: dict[int, str] = {}
        added: dict[Path, str] = {}
        for p in book.photos:
            a = assets[(p.path, "epub")]
            if a.path not in added:
                href = f"images/photo-{len(added) + 1:03d}.jpg"
                e.add_item(epub.EpubItem(uid=f"img{len(added) + 1:03d}", file_name=href,
                                         media_type="image/jpeg", content=a.path.read_bytes()))
                added[a.path] = href
            images[p.number] = added[a.path]

        spine: list[epub.EpubItem] = []
        has_cover = book.cover is not None
        if has_cover:
            a = assets[(book.cover.path, "epub")]
            cover_img = epub.EpubItem(uid="cover-image", file_name="images/cover.jpg",
                                      media_type="image/jpeg", content=a.path.read_bytes())
            cover_img.properties = ["cover-image"]
            e.add_item(cover_img)
            cover = _xhtml("cover", "cover.xhtml", render("epub/cover.xhtml", book, cover_href="images/cover.jpg"))
            e.add_item(cover)
            spine.append(cover)
        title = _xhtml("title", "title.xhtml", render("epub/title.xhtml", book))
        nav = _xhtml("nav", "nav.xhtml", render("epub/nav.xhtml", book, has_cover=has_cover), ["nav"])
        e.add_item(title)
        e.add_item(nav)
        spine += [title, nav]
        toc = [epub.Link("title.xhtml", "Title", "toc-title")]
        for ch in book.chapters:
            doc = _xhtml(ch.id, f"{ch.id}.xhtml", render("epub/chapter.xhtml", book, chapter=ch, images=images))
            e.add_item(doc)
            spine.append(doc)
            toc.append(epub.Link(f"{ch.id}.xhtml", ch.title or f"{ch.number}", f"toc-{ch.id}"))
        colophon = _xhtml("colophon", "colophon.xhtml", render("epub/colophon.xhtml", book))
        e.add_item(colophon)
        spine.append(colophon)
        toc.append(epub.Link("colophon.xhtml", "Colophon", "toc-colophon"))

        e.add_item(epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css",
                                 content=(STYLES / "epub.css").read_bytes()))
        for i, f in enumerate(FONT_FILES):
            e.add_item(epub.EpubItem(uid=f"font{i}", file_name=f"fonts/{f}", media_type="font/ttf",
                                     content=(FONTS / f).read_bytes()))
        e.add_item(epub.EpubNcx())
        e.toc = toc
        e.spine = spine

        buf = io.BytesIO()
        epub.write_epub(buf, e, {"mtime": source_date(), "epub3_pages": False, "epub2_guide": False,
                                 "epub3_landmark": False, "play_order": {"enabled": False, "start_from": 1}})
        return {self.filename(book): _normalise_zip(buf.getvalue())}


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the container with fixed entry times: mimetype first and stored, the rest deflated."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        names = src.namelist()
        order = ["mimetype"] + [n for n in names if n != "mimetype"]
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, src.read(name), compresslevel=9 if name != "mimetype" else None)
    return out.getvalue()
