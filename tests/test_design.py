"""The book's own look (design:): themes, the book's own fonts, the author's CSS.

Real fonts (EB Garamond, OFL, from Debian's fonts-ebgaramond: copied into each test's
book folder, never committed), real WeasyPrint, ebooklib, EPUBCheck and Ace.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from bookmaker import make_book
from pressroom.cli import main
from pressroom.design import THEMES, with_initial
from pressroom.errors import ManuscriptError
from pressroom.manuscript import load

ON_CI = os.environ.get("PRESSROOM_CI") == "1"
EB_GARAMOND = Path("/usr/share/fonts/opentype/ebgaramond")
NOTO_SANS = Path(__file__).resolve().parent.parent / "styles" / "fonts"

STORY = (
    "chapters:\n"
    "  - title: A Morning\n"
    "    content:\n"
    "      - text: |\n"
    "          “Before the boats go out,” she said, “the harbour is quiet.” The nets are dry on the quay\n"
    "          and the gulls wait on the roofs of the sheds. Nobody speaks much at that hour; the men\n"
    "          smoke and look at the sky, and the boys carry the crates down to the water.\n\n"
    "          The first engine starts at a quarter to six. By seven the harbour is *empty* again.\n\n"
    "          ***\n\n"
    "          In the afternoon they come back one by one, and the **prices** are settled on the quay.\n"
    "  - title: Pictures\n"
    "    content:\n"
    "      - photo: photos/01.jpg\n"
    "        alt: A test photo.\n"
    "        caption: The first boats, before six.\n"
    "      - text: After the photo, the text goes on.\n"
    "      - photo: photos/02.jpg\n"
    "        alt: Another test photo.\n"
    "        caption: The quay in the evening.\n"
    "        layout: full-bleed\n"
)


def ebgaramond(folder: Path) -> Path:
    """EB Garamond's regular, italic and bold copied into ``folder`` (a book's fonts/ folder)."""
    if not (EB_GARAMOND / "EBGaramond12-Regular.otf").exists():
        if ON_CI:
            pytest.fail("fonts-ebgaramond not installed (PRESSROOM_CI=1: .ci/run installs it)")
        pytest.skip("fonts-ebgaramond not installed (Debian/Ubuntu: apt-get install fonts-ebgaramond)")
    folder.mkdir(parents=True, exist_ok=True)
    for f in EB_GARAMOND.glob("EBGaramond12-*.otf"):
        shutil.copy(f, folder / f.name)
    return folder


def story_book(folder: Path, design: str = "", photos: int = 2) -> Path:
    return make_book(folder, photos, extra=design, chapters=STORY)


def problems(folder: Path) -> list[str]:
    with pytest.raises(ManuscriptError) as e:
        load(folder)
    return [str(p) for p in e.value.problems]


# --------------------------------------------------------------------------
# The manuscript surface
# --------------------------------------------------------------------------

def test_default_is_classic_and_plain(tmp_path):
    book = load(story_book(tmp_path / "b"))
    assert book.design.theme.name == "classic" and book.design.plain


def test_every_theme_is_accepted(tmp_path):
    for name in THEMES:
        book = load(story_book(tmp_path / name, f"design:\n  theme: {name}\n"))
        assert book.design.theme.name == name
        assert book.design.plain == (name == "classic")


def test_unknown_theme_is_located_with_a_suggestion(tmp_path):
    found = problems(story_book(tmp_path / "b", "design:\n  theme: novell\n"))
    assert len(found) == 1
    assert re.match(r".*book\.yaml:7:10: error: theme 'novell' is unknown; did you mean 'novel'\?", found[0])


def test_unknown_design_key(tmp_path):
    found = problems(story_book(tmp_path / "b", "design:\n  themes: novel\n"))
    assert "unknown key 'themes'" in found[0] or "themes" in found[0]


@pytest.mark.parametrize("src, message", [
    ("../outside.css", "points outside the book folder"),
    ("/etc/passwd.css", "must be a path relative to the book folder"),
    ("https://example.org/a.css", "must be a path relative to the book folder"),
    ("styles/missing.css", "not found"),
])
def test_css_path_must_be_inside_the_book(tmp_path, src, message):
    (tmp_path / "outside.css").write_text("p { color: red }")
    found = problems(story_book(tmp_path / "b", f"design:\n  css: {src}\n"))
    assert len(found) == 1 and message in found[0] and "book.yaml:7:8: error:" in found[0]


def test_a_symlinked_font_folder_leading_outside_is_refused(tmp_path):
    outside = ebgaramond(tmp_path / "elsewhere")
    folder = story_book(tmp_path / "b", "design:\n  fonts:\n    body: fonts/EBG\n")
    (folder / "fonts").mkdir()
    (folder / "fonts" / "EBG").symlink_to(outside)
    found = problems(folder)
    assert "leads outside the book folder" in found[0] and "book.yaml:8:11" in found[0]


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------

def test_eb_garamond_family_is_read_and_its_missing_bold_italic_warned(tmp_path):
    folder = story_book(tmp_path / "b", "design:\n  fonts:\n    body: fonts/EBGaramond\n")
    ebgaramond(folder / "fonts" / "EBGaramond")
    book = load(folder)
    body = book.design.body
    assert body.name == "EB Garamond"
    assert {s: f.path.name for s, f in body.slots.items()} == {
        "regular": "EBGaramond12-Regular.otf", "italic": "EBGaramond12-Italic.otf",
        "bold": "EBGaramond12-Bold.otf", "bold italic": "EBGaramond12-Bold.otf"}
    assert all(f.cff for f in body.faces)
    (w,) = book.design.warnings
    assert w.code == "PR045" and w.severity == "warning" and "no bold italic face" in w.message
    assert str(w.where).endswith("book.yaml:8:11")


def test_the_store_cover_is_set_in_the_books_fonts(tmp_path):
    from pressroom.editions.epub import COVER_FONTS, compose_cover, cover_fonts, cover_type_fits

    plain = load(story_book(tmp_path / "plain"))
    assert cover_fonts(plain) == COVER_FONTS
    assert cover_fonts(load(story_book(tmp_path / "m", "design:\n  theme: modern\n")))[0] == "NotoSans-Bold.ttf"
    folder = story_book(tmp_path / "b", "design:\n  fonts:\n    body: fonts/EBG\n    headings: fonts/Head.ttf\n")
    ebgaramond(folder / "fonts" / "EBG")
    shutil.copy(NOTO_SANS / "NotoSans-Bold.ttf", folder / "fonts" / "Head.ttf")
    book = load(folder)
    title, subtitle, byline = cover_fonts(book)
    assert (title.name, subtitle.name, byline.name) == ("Head.ttf", "EBGaramond12-Italic.otf", "EBGaramond12-Regular.otf")
    assert cover_type_fits(book)
    assert compose_cover(book, None) != compose_cover(plain, None)  # the same words, other faces


def test_a_single_file_without_italic_is_warned_and_never_slanted(tmp_path):
    folder = story_book(tmp_path / "b", "design:\n  fonts:\n    body: fonts/Sans.ttf\n")
    (folder / "fonts").mkdir()
    shutil.copy(NOTO_SANS / "NotoSans-Regular.ttf", folder / "fonts" / "Sans.ttf")
    book = load(folder)
    assert not book.design.body.slots["italic"].cff  # TrueType
    assert {f.path.name for f in book.design.body.slots.values()} == {"Sans.ttf"}
    (w,) = book.design.warnings
    assert "no italic and no bold and no bold italic face" in w.message and "never a slanted" in w.message


def restricted_copy(src: Path, dst: Path, fs_type: int = 0x0002) -> Path:
    from fontTools.ttLib import TTFont

    with TTFont(src) as f:
        f["OS/2"].fsType = fs_type
        f.save(dst)
    return dst


@pytest.mark.parametrize("fs_type, why", [(0x0002, "forbids embedding"), (0x0200, "bitmaps only"),
                                          (0x0100, "forbids subsetting")])
def test_a_font_whose_licence_forbids_embedding_is_refused_by_name(tmp_path, fs_type, why):
    folder = story_book(tmp_path / "b", "design:\n  fonts:\n    body: fonts/EBG\n")
    ebgaramond(folder / "fonts" / "EBG")
    restricted_copy(folder / "fonts" / "EBG" / "EBGaramond12-Italic.otf", folder / "fonts" / "EBG" / "EBGaramond12-Italic.otf",
                    fs_type)
    (found,) = problems(folder)
    assert re.search(r"book\.yaml:8:11: error: font 'fonts/EBG/EBGaramond12-Italic\.otf' cannot be used: its licence", found)
    assert why in found


def test_restricted_font_refused_by_check_and_build_without_output(tmp_path, capsys):
    folder = story_book(tmp_path / "b", "design:\n  fonts:\n    headings: fonts/Head.ttf\n")
    (folder / "fonts").mkdir()
    restricted_copy(NOTO_SANS / "NotoSans-Bold.ttf", folder / "fonts" / "Head.ttf")
    out = tmp_path / "out"
    assert main(["pdf", "--book", str(folder), "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "font 'fonts/Head.ttf' cannot be used" in err and "Traceback" not in err
    assert not out.exists() or not list(out.iterdir())


def test_a_file_that_is_not_a_font_is_refused(tmp_path):
    folder = story_book(tmp_path / "b", "design:\n  fonts:\n    body: fonts/Fake.otf\n")
    (folder / "fonts").mkdir()
    (folder / "fonts" / "Fake.otf").write_bytes(b"OTTO" + b"\0" * 200)
    (found,) = problems(folder)
    assert "error: font 'fonts/Fake.otf' lacks the tables a book needs" in found


def test_two_families_in_one_folder_are_refused(tmp_path):
    folder = story_book(tmp_path / "b", "design:\n  fonts:\n    body: fonts/mixed\n")
    ebgaramond(folder / "fonts" / "mixed")
    shutil.copy(NOTO_SANS / "NotoSans-Regular.ttf", folder / "fonts" / "mixed")
    (found,) = problems(folder)
    assert "holds more than one family (EB Garamond, Noto Sans)" in found


# --------------------------------------------------------------------------
# The author's CSS
# --------------------------------------------------------------------------

def css_book(tmp_path: Path, css: str) -> Path:
    folder = story_book(tmp_path / "b", "design:\n  css: styles/book.css\n")
    (folder / "styles").mkdir()
    (folder / "styles" / "book.css").write_text(css, encoding="utf-8")
    return folder


@pytest.mark.parametrize("css, where, message", [
    ('p { color: red }\nh2 { background: url(../../secret.png) }\n', "2:18", "url() '../../secret.png' points outside the book folder"),
    ('@import url("https://example.org/x.css");\n', "1:9", "is not a file inside the book folder"),
    ('@import "/etc/x.css";\n', "1:9", "is an absolute path"),
    ("@font-face {\n  font-family: X;\n  src: local(Arial);\n}\n", "3:8", "local() reads a font installed on the machine"),
    ("p { background: url(file:///etc/passwd) }\n", "1:17", "is not a file inside the book folder"),
    ("p { background: url(data:image/png;base64,AAAA) }\n", "1:17", "is not a file inside the book folder"),
    ("p { background: url('//host/share/x.png') }\n", "1:17", "is not a file inside the book folder"),
    ("p { color: red; }\n}\n", "2:2", "CSS syntax"),
    ("p { background: url(../photos/missing.png) }\n", "1:17", "not found"),
    ("p { background: url(../book.yaml) }\n", "1:17", "is not a kind of file a book carries"),
])
def test_css_reaching_outside_is_refused_with_its_line(tmp_path, css, where, message):
    (tmp_path / "secret.png").write_bytes(b"x")
    found = problems(css_book(tmp_path, css))
    assert len(found) == 1, found
    assert re.match(rf".*b/styles/book\.css:{where}: error: .*{re.escape(message)}", found[0]), found[0]


def test_css_imports_are_checked_too(tmp_path):
    folder = css_book(tmp_path, '@import "more.css";\np { color: #222 }\n')
    (folder / "styles" / "more.css").write_text("\n\nh2 { background: url(/etc/x.png) }\n")
    (found,) = problems(folder)
    assert re.match(r".*styles/more\.css:3:18: error: url\(\) '/etc/x\.png' is an absolute path", found)


def test_a_font_named_by_the_css_is_licence_checked(tmp_path):
    folder = css_book(tmp_path, '@font-face { font-family: X; src: url("../fonts/X.ttf"); }\n')
    (folder / "fonts").mkdir()
    restricted_copy(NOTO_SANS / "NotoSans-Regular.ttf", folder / "fonts" / "X.ttf")
    (found,) = problems(folder)
    assert "styles/book.css:1:35: error: font 'fonts/X.ttf' cannot be used: its licence forbids embedding" in found


def test_a_woff2_font_named_by_the_css_is_licence_checked(tmp_path):
    from fontTools.ttLib import TTFont

    folder = css_book(tmp_path, '@font-face {\n  font-family: X;\n  src: url(../fonts/X.woff2) format("woff2");\n}\n')
    (folder / "fonts").mkdir()
    with TTFont(NOTO_SANS / "NotoSans-Regular.ttf") as f:
        f["OS/2"].fsType = 0x0002
        f.flavor = "woff2"
        f.save(folder / "fonts" / "X.woff2")
    (found,) = problems(folder)
    assert "styles/book.css:3:8: error: font 'fonts/X.woff2' cannot be used: its licence forbids embedding" in found


def test_good_css_names_its_files(tmp_path):
    folder = css_book(tmp_path, '@import "parts/more.css";\n.chapter-title { color: #7a2a1a }\n'
                                'p { background: url(../photos/01.jpg) }\n')
    (folder / "styles" / "parts").mkdir()
    (folder / "styles" / "parts" / "more.css").write_text("figcaption { font-size: 0.8em }\n")
    book = load(folder)
    assert sorted(book.design.css.files) == ["photos/01.jpg", "styles/book.css", "styles/parts/more.css"]
    assert not book.design.warnings


# --------------------------------------------------------------------------
# Drop caps
# --------------------------------------------------------------------------

def test_initial_takes_the_opening_punctuation():
    assert with_initial("<p>“Before,” she said.</p>\n<p>Next.</p>") == \
        '<p><span class="initial">“B</span>efore,” she said.</p>\n<p>Next.</p>'
    assert with_initial("<p><em>Before</em> it.</p>") == "<p><em>Before</em> it.</p>"  # left as it is
    assert with_initial("<ul><li>a</li></ul>") == "<ul><li>a</li></ul>"
    # Hebrew letters stand alone: a drop cap (set at the start of the line, on the right).
    assert with_initial("<p>ירושלים היא עיר.</p>") == '<p><span class="initial">י</span>רושלים היא עיר.</p>'
    # Arabic letters join the next: set apart, the first would take another shape. None.
    for text in ("القاهرة هي عاصمة مصر.", "«القاهرة»", "ܫܠܡܐ", "ᠮᠣᠩᠭᠣᠯ"):
        assert with_initial(f"<p>{text}</p>") == f"<p>{text}</p>", text


# --------------------------------------------------------------------------
# Building: every theme, every edition
# --------------------------------------------------------------------------

def pdf_fonts(path: Path) -> dict[str, str]:
    """{base font name: how it is embedded (FontFile2 TrueType, FontFile3 CFF)} of every font in the PDF."""
    out = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                kind = next((k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in obj), "not embedded")
                out[str(obj.FontName).split("+", 1)[-1]] = kind
    return out


def page_pixels(pdf: Path, page: int, tmp: Path) -> bytes:
    from PIL import Image

    prefix = tmp / f"{pdf.stem}-{page}"
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                    str(pdf), str(prefix)], check=True)
    with Image.open(f"{prefix}.png") as im:
        return im.tobytes()


@pytest.fixture(scope="module")
def themed(tmp_path_factory) -> dict[str, Path]:
    """The story book built in every theme, every edition: {theme: out folder}."""
    outs = {}
    for name in THEMES:
        base = tmp_path_factory.mktemp(f"theme-{name}")
        folder = story_book(base / "book", f"design:\n  theme: {name}\nprint:\n  trim: 5x8in\n")
        out = base / "out"
        assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 0
        outs[name] = out
    return outs


@pytest.mark.slow
def test_every_theme_builds_and_looks_different(themed, tmp_path):
    for out in themed.values():
        names = sorted(p.name for p in out.iterdir())
        assert names == ["a-test-book-cover.pdf", "a-test-book-print.pdf", "a-test-book.epub", "a-test-book.pdf"]
    # The chapter opener (screen page 5), the photo page and the cover differ between every two themes.
    for kind, page in (("a-test-book.pdf", 5), ("a-test-book-print.pdf", 7), ("a-test-book-cover.pdf", 1)):
        seen = {name: page_pixels(out / kind, page, tmp_path) for name, out in themed.items()}
        assert len(set(seen.values())) == len(THEMES), f"{kind} page {page}: two themes look the same"


HEBREW_CHAPTER = """chapters:
  - title: "פרק ראשון"
    content:
      - text: |
          ירושלים היא עיר עתיקה. בשוק מחנה יהודה אנשים קונים ירקות ופירות, לחם וגבינה, ומדברים
          זה עם זה בקול רם. בבוקר השוק שקט, ובצהריים הוא מלא אנשים.

          ***

          בערב העיר מתקררת. הרחובות מתמלאים באנשים שחוזרים הביתה מהעבודה.
"""


@pytest.mark.slow
@pytest.mark.parametrize("theme", ["modern", "novel"])
def test_a_theme_sets_a_right_to_left_book_from_the_right(tmp_path, theme):
    """A Hebrew book on a page wider than the measure (8.5x8.5in), read back letter by
    letter from its screen PDF: the modern theme's ragged lines end flush at the right
    (text-align: start, not left) and its scene-break rule stays inside the page (right
    to left WeasyPrint 70 misplaces a block centred by auto margins: it was drawn at the
    page's edge); the novel theme's drop cap stands at the right, where the word it begins
    starts (it floated to the left end of the line)."""
    import pypdfium2 as pdfium

    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "book.yaml").write_text(f'title: "ספר"\nlanguage: he\ncontributors:\n  - name: "דוד לוי"\n'
                                      f"date: 2026\ndesign:\n  theme: {theme}\nprint:\n  trim: 8.5x8.5in\n"
                                      + HEBREW_CHAPTER, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 0
    (screen,) = [p for p in out.glob("*.pdf") if not p.name.endswith(("-print.pdf", "-cover.pdf"))]
    doc = pdfium.PdfDocument(str(screen))
    page = next(p for p in doc if "שוק" in p.get_textpage().get_text_range())  # the chapter's page
    width = page.get_width()
    tp = page.get_textpage()
    letters = [(tp.get_text_range(i, 1), tp.get_charbox(i)) for i in range(tp.count_chars())]
    letters = [(c, box) for c, box in letters if "\u05d0" <= c <= "\u05ea"]  # Hebrew letters
    assert all(36 <= box[0] and box[2] <= width - 36 for _, box in letters)
    ink = page.render(scale=1).to_pil().convert("L").point(lambda v: 255 if v < 200 else 0).getbbox()
    assert 36 <= ink[0] and ink[2] <= width - 36, ink  # the rule of a scene break too
    size = sorted(box[3] - box[1] for _, box in letters)[len(letters) // 2]
    body = [box for _, box in letters if box[3] - box[1] < 2 * size]
    lines: list[list] = []  # letters by line: their middles within half a letter's height
    for box in sorted(body, key=lambda b: -(b[1] + b[3])):
        if lines and abs((lines[-1][0][1] + lines[-1][0][3]) - (box[1] + box[3])) / 2 < size / 2 + 2:
            lines[-1].append(box)
        else:
            lines.append([box])
    ends = [max(b[2] for b in line) for line in lines if len(line) > 3]
    starts = [min(b[0] for b in line) for line in lines if len(line) > 3]
    if theme == "modern":  # flush right, ragged left
        assert len(ends) >= 4 and max(ends) - min(ends) < 2 and max(starts) - min(starts) > 20, (ends, starts)
    else:  # the drop cap: right of every line beside it
        (initial,) = [box for c, box in letters if box[3] - box[1] > 2.5 * size]
        beside = [b for b in body if b[1] > initial[1] - size]
        assert initial[0] >= max(b[2] for b in beside) - 1 and initial[0] > width / 2, (initial, beside[:3])


@pytest.mark.slow
def test_themed_pdfs_keep_their_standards(themed):
    for name, out in themed.items():
        with pikepdf.open(out / "a-test-book.pdf") as pdf:
            assert "pdfuaid" in str(pdf.open_metadata()), name
            assert pdf.Root.MarkInfo.Marked
        with pikepdf.open(out / "a-test-book-print.pdf") as pdf:
            assert "GTS_PDFX" in str(pdf.Root.OutputIntents[0].S)
        for f in ("a-test-book.pdf", "a-test-book-print.pdf", "a-test-book-cover.pdf"):
            fonts = pdf_fonts(out / f)
            assert fonts and all(k != "not embedded" for k in fonts.values()), (name, f, fonts)


@pytest.mark.slow
def test_themed_epubs_pass_epubcheck(themed):
    from test_epub import epubcheck_messages

    for name, out in themed.items():
        assert epubcheck_messages(out / "a-test-book.epub") == [], name
        with zipfile.ZipFile(out / "a-test-book.epub") as z:
            chapter = z.read("EPUB/chapter-01.xhtml").decode()
            if name == "classic":
                assert "css/theme.css" not in chapter and "META-INF/com.apple.ibooks.display-options.xml" not in z.namelist()
            else:
                assert '<link rel="stylesheet" type="text/css" href="css/theme.css"/>' in chapter
                assert "specified-fonts" in z.read("META-INF/com.apple.ibooks.display-options.xml").decode()


@pytest.mark.slow
def test_novel_sets_drop_caps_running_heads_and_ornaments(themed):
    text = subprocess.run(["pdftotext", "-layout", str(themed["novel"] / "a-test-book-print.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = [p.strip() for p in text.split("\f")]
    # A chapter's first page carries no running head; a page of text after it the author
    # (a left page) or the book's title (a right page), above the text.
    opener = next(i for i, p in enumerate(pages) if "look at the sky" in p)
    assert not pages[opener].startswith(("Ada Example", "A Test Book"))
    after = next(i for i, p in enumerate(pages) if "After the photo" in p)
    assert pages[after].split("\n")[0].strip() == ("Ada Example" if (after + 1) % 2 == 0 else "A Test Book")
    assert "\u2042" in text  # the asterism at the scene break
    with zipfile.ZipFile(themed["novel"] / "a-test-book.epub") as z:
        css = z.read("EPUB/css/theme.css").decode()
    assert "::first-letter" in css and "float: left" in css


def test_classic_in_design_writes_the_same_bytes(tmp_path):
    plain = story_book(tmp_path / "plain")
    classic = story_book(tmp_path / "classic", "design:\n  theme: classic\n")
    outs = []
    for folder in (plain, classic):
        out = folder.parent / f"{folder.name}-out"
        assert main(["pdf", "--book", str(folder), "--out", str(out), "-q"]) == 0
        outs.append((out / "a-test-book.pdf").read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.slow
def test_eb_garamond_is_embedded_in_every_edition(tmp_path):
    folder = story_book(tmp_path / "b", "design:\n  theme: novel\n  fonts:\n    body: fonts/EBGaramond\n"
                                        "    headings: fonts/Head.ttf\n  css: styles/book.css\n")
    ebgaramond(folder / "fonts" / "EBGaramond")
    shutil.copy(NOTO_SANS / "NotoSans-Bold.ttf", folder / "fonts" / "Head.ttf")
    (folder / "styles").mkdir()
    (folder / "styles" / "book.css").write_text(".chapter-title { color: #6b2216 }\n")
    out = tmp_path / "out"
    assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 0
    for f in ("a-test-book.pdf", "a-test-book-print.pdf"):
        fonts = pdf_fonts(out / f)
        assert fonts.get("book-body") == "/FontFile3", fonts  # CFF, embedded (subset)
        assert fonts.get("book-body-Italic") == "/FontFile3", fonts
        assert any(k.startswith("book-headings") and v == "/FontFile2" for k, v in fonts.items()), fonts
    with zipfile.ZipFile(out / "a-test-book.epub") as z:
        names = z.namelist()
        assert "EPUB/fonts/body-EBGaramond12-Regular.otf" in names and "EPUB/fonts/headings-Head.ttf" in names
        theme_css = z.read("EPUB/css/theme.css").decode()
        assert 'font-family: "book-body"' in theme_css and "../fonts/body-EBGaramond12-Italic.otf" in theme_css
        assert z.read("EPUB/css/book/styles/book.css") == b".chapter-title { color: #6b2216 }\n"
        chapter = z.read("EPUB/chapter-01.xhtml").decode()
        assert chapter.index("css/theme.css") < chapter.index("css/book/styles/book.css")
        opf = z.read("EPUB/content.opf").decode()
        assert re.search(r'href="fonts/body-EBGaramond12-Regular.otf" id="[^"]+" media-type="font/otf"', opf)
        from fontTools.ttLib import TTFont

        subset = TTFont(io.BytesIO(z.read("EPUB/fonts/body-EBGaramond12-Regular.otf")))
        full = TTFont(folder / "fonts" / "EBGaramond" / "EBGaramond12-Regular.otf")
        assert "CFF " in subset and len(subset.getGlyphOrder()) < len(full.getGlyphOrder()) / 2  # subset, CFF kept
    from test_epub import epubcheck_messages

    assert epubcheck_messages(out / "a-test-book.epub") == []


@pytest.mark.slow
def test_eb_garamond_epub_passes_ace(tmp_path):
    from test_epub import ace_report, ace_violations

    folder = story_book(tmp_path / "b", "design:\n  theme: novel\n  fonts:\n    body: fonts/EBGaramond\n")
    ebgaramond(folder / "fonts" / "EBGaramond")
    out = tmp_path / "out"
    assert main(["epub", "--book", str(folder), "--out", str(out), "-q"]) == 0
    report = ace_report(out / "a-test-book.epub", tmp_path / "ace")
    assert ace_violations(report) == []
