"""Preflight: what a printer would reject or print badly, with stable codes.

Each finding is a :class:`Problem` at the place in the manuscript it comes from
(the photo's line, or the manuscript itself for the whole book). The codes never
change meaning; new checks get new numbers.

| code | severity | finding |
|---|---|---|
| PRINT-001 | warning | a photo is below 300 ppi where it is placed |
| PRINT-002 | warning (error with --strict) | a photo is below 150 ppi where it is placed |
| PRINT-003 | error | a font is not embedded |
| PRINT-004 | warning | fewer pages than the services' minimum (24) |
| PRINT-005 | warning | more pages than the services' maximum (828) |
| PRINT-006 | error | text closer to the trim than the safety margin |
| PRINT-007 | warning | the spine is too narrow for text: it is left plain |
| PRINT-008 | error | a photo is drawn stretched |
| PRINT-009 | warning | no cover photo: the front is plain |
| PRINT-010 | warning | bleed below 0.125in |
| PRINT-011 | warning | the identifier is not an ISBN: the barcode box is left white |
| PRINT-012 | warning | the spine's title and byline are longer than the spine: they are cut |
| PRINT-013 | error | CMYK: a colour or photo over the output profile's ink limit (color.py, when the file is made) |
| PRINT-014 | error | CMYK: the file is not PDF/X-1a (color.py's audit, when the file is made) |
| PRINT-015 | error (hardcover, jacket); warning (paperback) | cover text in a hinge, a wrap, a fold or the trim's margin |
| PRINT-016 | warning | a spread photo has fewer pixels than two pages at 300 ppi |
| PRINT-017 | warning | a hardcover's page count outside Lulu's casewrap range (24-800) |
"""

from __future__ import annotations

from ...errors import Location, Problem
from ...manuscript import Book
from .pdfx import manuscript_name
from .services import (CASE_MAX_PAGES, CASE_MIN_PAGES, COVER_SAFETY, LOW_PPI, MAX_PAGES, MIN_PAGES, SAFETY,
                       SPINE_MIN_FONT, SPINE_TEXT_MIN_PAGES, STANDARD_BLEED, WARN_PPI)

CODES = {
    "low_ppi": "PRINT-001",
    "very_low_ppi": "PRINT-002",
    "font": "PRINT-003",
    "few_pages": "PRINT-004",
    "many_pages": "PRINT-005",
    "unsafe_text": "PRINT-006",
    "spine": "PRINT-007",
    "stretched": "PRINT-008",
    "no_cover": "PRINT-009",
    "bleed": "PRINT-010",
    "no_isbn": "PRINT-011",
    "spine_overflow": "PRINT-012",
    "cover_text": "PRINT-015",
    "spread_ppi": "PRINT-016",
    "case_pages": "PRINT-017",
}


def _ppi_problem(where: Location, what: str, ppi: float, strict: bool) -> Problem | None:
    if ppi < LOW_PPI:
        return Problem(where, f"{what} is {ppi:.0f} ppi where it is placed, below {LOW_PPI}: it will print "
                       "visibly soft; use a larger original or a smaller layout", CODES["very_low_ppi"],
                       "error" if strict else "warning")
    if ppi < WARN_PPI:
        return Problem(where, f"{what} is {ppi:.0f} ppi where it is placed; printers ask for {WARN_PPI}",
                       CODES["low_ppi"], "warning")
    return None


def check_print(book: Book, layout, cover, *, strict: bool = False, jacket=None) -> list[Problem]:
    """Findings for the print interior ``layout``, its ``cover`` (a hardcover's case
    wrap) and a hardcover's ``jacket``."""
    book_at = Location(manuscript_name(book))
    out: list[Problem] = []
    worst: dict[int, tuple[float, object]] = {}  # photo number -> (lowest ppi, placement)
    for pl in layout.placements:
        if pl.photo.number not in worst or pl.ppi < worst[pl.photo.number][0]:
            worst[pl.photo.number] = (pl.ppi, pl)
        if pl.stretched:
            out.append(Problem(pl.photo.where, f"photo '{pl.photo.src}' is drawn stretched on page {pl.page}",
                               CODES["stretched"]))
    for ppi, pl in sorted(worst.values(), key=lambda v: v[1].photo.number):
        p = _ppi_problem(pl.photo.where, f"photo '{pl.photo.src}' (page {pl.page})", ppi, strict)
        if p and pl.photo.layout == "spread" and ppi < WARN_PPI:
            # Across two pages: say what two pages need (PRINT-016), and keep PRINT-002 when it is that low.
            w = 2 * book.print.width + 2 * book.print.bleed
            h = book.print.height + 2 * book.print.bleed
            need = (round(w / 72 * WARN_PPI), round(h / 72 * WARN_PPI))
            out.append(Problem(pl.photo.where, f"spread photo '{pl.photo.src}' (pages {pl.page}-{pl.page + 1}) is "
                               f"{ppi:.0f} ppi across its two pages; filling them at {WARN_PPI} ppi takes "
                               f"{need[0]} x {need[1]} pixels", CODES["spread_ppi"], "warning"))
            if p.code == CODES["low_ppi"]:
                continue
        if p:
            out.append(p)
    if cover.photo is not None and cover.photo_ppi is not None:
        p = _ppi_problem(cover.photo.where, f"cover photo '{cover.photo.src}'", cover.photo_ppi, strict)
        if p:
            out.append(p)
    elif cover.photo is None:
        out.append(Problem(book_at, "no 'cover' photo: the front cover is plain", CODES["no_cover"], "warning"))

    jacket_fonts = set(jacket.unembedded_fonts) if jacket is not None else set()
    for name in sorted(set(layout.unembedded_fonts) | set(cover.unembedded_fonts) | jacket_fonts):
        out.append(Problem(book_at, f"font '{name}' is not embedded", CODES["font"]))
    for page, text in layout.unsafe_text[:5]:
        out.append(Problem(book_at, f"text '{text[:40]}' on page {page} is within {SAFETY / 72:g}in of the trim",
                           CODES["unsafe_text"]))

    hardcover = book.print.binding == "hardcover"
    if hardcover and not CASE_MIN_PAGES <= layout.pages <= CASE_MAX_PAGES:
        out.append(Problem(book_at, f"the interior has {layout.pages} pages; Lulu binds a casewrap hardcover of "
                           f"{CASE_MIN_PAGES} to {CASE_MAX_PAGES} pages", CODES["case_pages"], "warning"))
    if not hardcover and layout.pages < MIN_PAGES:
        out.append(Problem(book_at, f"the interior has {layout.pages} pages; KDP and IngramSpark paperbacks need "
                           f"at least {MIN_PAGES} (Lulu's perfect binding 32)", CODES["few_pages"], "warning"))
    if not hardcover and layout.pages > MAX_PAGES:
        out.append(Problem(book_at, f"the interior has {layout.pages} pages; KDP paperbacks take at most {MAX_PAGES}",
                           CODES["many_pages"], "warning"))
    if book.print.bleed < STANDARD_BLEED - 0.01:
        out.append(Problem(book_at, f"print bleed is {book.print.bleed / 72:.3f}in; the services need 0.125in (3.2mm) "
                           "on pages that bleed", CODES["bleed"], "warning"))

    s = cover.sheet
    if not s.spine_text:
        why = (f"{layout.pages} pages; KDP allows spine text from {SPINE_TEXT_MIN_PAGES}"
               if layout.pages < SPINE_TEXT_MIN_PAGES else f"its type would be under {SPINE_MIN_FONT:g}pt")
        out.append(Problem(book_at, f"the spine is {s.spine / 72:.3f}in wide ({why}): it carries no text",
                           CODES["spine"], "warning"))
    elif cover.spine_overflow:
        out.append(Problem(book_at, "the title and byline are longer than the spine and are cut there; "
                           "a shorter title or a thicker book fits", CODES["spine_overflow"], "warning"))
    # Text where the cover folds, turns in or is cut.
    where = ("in the case's hinge (within {:g}in of a spine fold) or its wrap (within {:g}in of the boards' edges)"
             if hardcover else "within {:g}in of a spine fold or {:g}in of the trim").format(
                 s.hinge / 72, COVER_SAFETY / 72)
    for text in cover.unsafe_text[:5]:
        out.append(Problem(book_at, f"cover text '{text[:40]}' is {where}: it would be lost there; shorten it",
                           CODES["cover_text"], "error" if hardcover else "warning"))
    if jacket is not None:
        for text in jacket.unsafe_text[:5]:
            out.append(Problem(book_at, f"jacket text '{text[:40]}' runs out of its panel or flap (into a fold, "
                               "the hinge or the trim): shorten it", CODES["cover_text"]))
        if jacket.spine_overflow:
            out.append(Problem(book_at, "the title and byline are longer than the jacket's spine and are cut "
                               "there", CODES["spine_overflow"], "warning"))
    if not book.isbn:
        out.append(Problem(book_at, "the identifier is not an ISBN: the back cover keeps a white 2x1.2in box "
                           "for the barcode the service prints", CODES["no_isbn"], "warning"))
    return out
