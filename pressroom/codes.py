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
              "Use a trim preset or a size like 8x10in / 150x200mm, a bleed like 0.125in or 3mm, and paper white, cream or color."),
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
    # Building
    "PR090": ("PDF rendering failed",
              "Run `python build.py check` for the cause; if it finds nothing, report the message as a bug."),
    "PR091": ("a file outside the book was requested",
              "Keep every photo and file the book uses inside its folder; pressroom reads nothing else."),
}


def fix_for(code: str) -> str:
    """The fix for ``code``; a code not in the table still gets a useful pointer."""
    entry = CODES.get(code)
    return entry[1] if entry else "See README.md, 'Problem codes'."


def title_for(code: str) -> str:
    entry = CODES.get(code)
    return entry[0] if entry else ""
