"""Every problem code pressroom reports, with what it means and how to fix it.

One table, keyed by the stable code a :class:`~pressroom.errors.Problem`
carries. ``check`` prints the fix beside each finding, and README.md's list of
codes is this table (a test keeps the two, and the codes used in the source,
in step). A code never changes meaning; a retired code is not reused.
"""

from __future__ import annotations

#: code -> (what it is about, how to fix it)
CODES: dict[str, tuple[str, str]] = {
    # The manuscript file
    "PR001": ("book folder or book.yaml not found",
              "Pass --book the folder that holds book.yaml (or the YAML file itself); `python build.py new FOLDER` makes one."),
    "PR002": ("manuscript too large",
              "A manuscript is text; keep it under 5 MB. Photos belong in files beside it, not inside it."),
    "PR003": ("manuscript is not UTF-8",
              "Save book.yaml as UTF-8 (every modern editor offers it under 'Save with encoding')."),
    "PR004": ("YAML syntax error",
              "Look at the line given: usually a missing space after ':', a tab used for indenting, or text with ': ' or '#' that needs quotes."),
    "PR005": ("manuscript empty or not a mapping",
              "Start book.yaml with 'title:', 'language:' and 'chapters:' lines (see README, 'The manuscript')."),
    "PR006": ("manuscript expands too far",
              "Remove YAML aliases (*name) that repeat large parts of the manuscript."),
    "PR007": ("YAML tag not allowed",
              "Remove the '!tag' before the value; a manuscript holds only plain text, numbers, lists and mappings."),
    # Keys and values
    "PR010": ("expected a mapping",
              "Write 'key: value' lines indented under the key, as in README's examples."),
    "PR011": ("duplicate key",
              "Keep one of the two keys; YAML would otherwise silently drop the first."),
    "PR012": ("unknown key",
              "Fix the spelling (the message suggests the nearest key) or remove it; README lists every key."),
    "PR013": ("control character in text",
              "Delete the invisible character at that place (often pasted from a PDF or a word processor)."),
    "PR014": ("wrong type of value",
              "Give the kind of value the message asks for: quote text that looks like a number or a date, use true/false, a whole number, or a list of '- ' lines."),
    "PR015": ("empty value",
              "Fill the value in, or remove the key if it is optional."),
    "PR016": ("required key missing",
              "Add the key the message names: every book needs title, language and chapters; every chapter content; every contributor a name."),
    "PR017": ("language is not a BCP 47 tag",
              "Use a language tag such as en, fr, de, pt-BR or zh-Hant."),
    "PR018": ("slug not usable as a file name",
              "Use lowercase letters, digits and hyphens (the message suggests one), or remove 'slug' to derive it from the title."),
    "PR019": ("identifier is not a valid ISBN-13 or UUID",
              "Copy the ISBN-13 exactly as your ISBN agency issued it (978... or 979...), or remove 'identifier' to get a stable UUID."),
    "PR020": ("link not allowed",
              "Link only to http, https or mailto addresses."),
    "PR021": ("unknown contributor role",
              "Use one of the roles in README's contributors table (author, photographer, editor, ...) or a MARC relator code."),
    "PR022": ("print setting not valid",
              "Use a trim preset or a size like 8x10in / 150x200mm, a bleed like 0.125in or 3mm, paper white, cream or color, color rgb or cmyk, and an output_profile that is a CMYK printer profile (.icc) inside the book folder."),
    "PR023": ("content block not text or photo",
              "Start each content item with '- text: ...' or '- photo: photos/NAME.jpg' (with 'alt:' on the next line)."),
    "PR024": ("photo has no alt text",
              "Add 'alt:' under the photo: one sentence saying what it shows, for readers who cannot see it."),
    "PR025": ("unknown photo layout",
              "Use layout auto, page, full-bleed or inline (or leave it out for auto)."),
    "PR026": ("photo path leaves the book folder",
              "Put the photo inside the book folder (e.g. photos/) and give its path relative to book.yaml."),
    "PR027": ("photo not found",
              "Check the file name and its case (Photo.JPG is not photo.jpg) against the photos folder."),
    # Photos
    "PR030": ("photo cannot be used",
              "Re-export the photo as a JPEG, PNG or TIFF from your photo editor; an incomplete or corrupted file must be copied again from the camera or backup."),
    "PR028": ("photo file over the size limit",
              "Export the photo smaller (a 300 ppi print needs no more than its placed size), or raise the limit with --max-photo-size."),
    "PR029": ("more photos than the limit",
              "Split the book, or raise the limit with --max-photos if the book really holds that many."),
    "PR031": ("photo warning: only part of the file is used",
              "Only the first frame or page is used (an animated GIF, a multi-page TIFF): export the frame you want as a still JPEG or PNG."),
    "PR032": ("photo over the pixel limit",
              "Export the photo at a smaller size (8000 px on the long edge is plenty for any page), or raise the limit with --max-photo-pixels."),
    "PR033": ("photo cache cannot be written",
              "Set XDG_CACHE_HOME to a folder you can write to, or free space on the disk that holds ~/.cache."),
    # The book's design (design: theme, fonts, css)
    "PR040": ("unknown theme",
              "Use theme classic, modern, gallery or novel (or leave it out for classic)."),
    "PR041": ("design file outside the book folder",
              "Put the fonts and the stylesheet inside the book folder (e.g. fonts/ and styles/) and give their paths relative to book.yaml."),
    "PR042": ("design file not found",
              "Check the path and its case against the book folder: a font is a .ttf/.otf file or a folder of them, the stylesheet a .css file."),
    "PR043": ("font cannot be used",
              "Give TrueType (.ttf) or OpenType (.otf) files of one family with an upright regular face; re-download a damaged file."),
    "PR044": ("font licence forbids embedding",
              "Its licence bits (OS/2 fsType) forbid embedding or subsetting it in a book: use a font whose licence allows it (SIL OFL fonts do), or ask its foundry for an embeddable version."),
    "PR045": ("font family lacks a face (italic, bold)",
              "Add the family's italic and bold files to the folder; until then that text is set upright or regular, never in a faked slant or weight."),
    "PR046": ("CSS syntax error",
              "Look at the line and column given: usually a missing '}' or ';', or a quote left open."),
    "PR047": ("CSS reaches outside the book",
              "Name only files inside the book folder, relative to the stylesheet (url(../fonts/x.otf)); no http:, file: or data: URLs, no absolute paths, no local()."),
    "PR048": ("CSS names a file it cannot use",
              "Check the file exists inside the book folder and is a stylesheet (@import), a font (.ttf, .otf, .woff, .woff2) or an image (.jpg, .png, .gif, .svg, .webp)."),
    # Building
    "PR090": ("PDF rendering failed",
              "Run `python build.py check` for the cause; if it finds nothing, report the message as a bug."),
    "PR091": ("a file outside the book was requested",
              "Keep every photo and file the book uses inside its folder; pressroom reads nothing else."),
    "PR093": ("CMYK print file cannot be made",
              "Install Ghostscript (Debian/Ubuntu: apt install ghostscript; macOS: brew install ghostscript), which makes the CMYK files and provides the default CMYK profile, or give the press's profile as print output_profile."),
    "PR092": ("an edition cannot be written",
              "Make the --out folder writable, free disk space, or move away the folder or file that stands where the edition goes. When it names a file in the photo cache, the cache changed during the build (it was cleared): build again."),
    # Editions
    "PR201": ("EPUB cover photo too small",
              "Use a cover photo of at least 1600x2560 pixels (or larger, cropped to fill); stores reject soft covers."),
    "PR202": ("EPUB cover cannot carry the title",
              "The vendored font has no letters for the title's script: the cover is the photo alone. Put the title in the cover photo itself if the store needs it."),
    "PR410": ("photo too small for its place in the screen PDF",
              "Use a larger original, or a layout that places it smaller (page or inline instead of full-bleed)."),
    # Print preflight (pressroom/preflight.py)
    "PRINT-001": ("photo under 300 ppi where placed (print)",
              "Use a larger original, or place it smaller (page instead of full-bleed); printers ask for 300 ppi."),
    "PRINT-002": ("photo under 150 ppi where placed (print)",
              "Use a larger original: below 150 ppi the print looks visibly soft (an error with --strict)."),
    "PRINT-003": ("font not embedded (print)",
              "Report it as a bug: pressroom embeds its own fonts; a printer rejects a file whose fonts are not embedded."),
    "PRINT-004": ("too few pages for a paperback",
              "Add content, or accept the padding: KDP and IngramSpark paperbacks need 24 pages, Lulu's perfect binding 32."),
    "PRINT-005": ("too many pages for a paperback",
              "Split the book: KDP binds at most 828 pages."),
    "PRINT-006": ("text too close to the trim (print)",
              "Report it as a bug with the book: every text should stay 0.5in inside the trim."),
    "PRINT-007": ("spine too narrow for text",
              "Nothing to do: the spine stays plain (KDP allows spine text from 80 pages). Add pages if you want a titled spine."),
    "PRINT-008": ("photo drawn stretched (print)",
              "Report it as a bug: photos are cropped to fill, never stretched."),
    "PRINT-009": ("no cover photo: plain front cover",
              "Add 'cover: photos/NAME.jpg' to book.yaml."),
    "PRINT-010": ("bleed under 0.125in",
              "Set print bleed to 0.125in (3mm) or more: the services require it."),
    "PRINT-011": ("no ISBN: no barcode on the back",
              "Give the book's ISBN-13 as 'identifier'; without it the back keeps a white box where the service prints its own barcode."),
    "PRINT-012": ("spine text longer than the spine",
              "Shorten the title (or the byline), or add pages: the text is cut at the spine's ends."),
    "PRINT-013": ("ink over the profile's limit (CMYK print)",
              "Report it as a bug with the book and the profile: photos and colours are converted within the output profile's total ink; a press rejects more."),
    "PRINT-014": ("CMYK file is not PDF/X-1a",
              "Report it as a bug with the book: something the stylesheet draws stayed RGB or transparent after the conversion."),

}


def fix_for(code: str) -> str:
    """The fix for ``code``; a code not in the table still gets a useful pointer."""
    entry = CODES.get(code)
    return entry[1] if entry else "See README.md, 'Problem codes'."


def title_for(code: str) -> str:
    entry = CODES.get(code)
    return entry[0] if entry else ""
