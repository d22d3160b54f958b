"""print.binding: hardcover read back: the case wrap on Lulu's casewrap template,
the dust jacket, and the preflight of text where a case folds.

Lulu's casewrap (help.lulu.com, "Creating your hardcover casewrap cover"): the
sheet is printed 0.75in past the boards on every outer edge; the boards stand
0.125in past the pages at the head, tail and fore-edge; the spine comes from
Lulu's hardcover table (24-84 pages: 0.25in). An 8.5 x 11in book of 24-84
pages is a 19.00 x 12.75in sheet, as Lulu's template and its cover API give.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from bookmaker import make_book
from pressroom.cli import main
from pressroom.editions.press.services import LULU_CASE_SPINE, case_spine

ROOT = Path(__file__).resolve().parent.parent
IN = 72.0
SLUG = "photos-banned-by-north-korea"


def sizes(path: Path) -> tuple[tuple[float, float], tuple[float, float], list[float]]:
    """(MediaBox size, TrimBox size, TrimBox) in inches of a one-page PDF."""
    pdf = pikepdf.open(path)
    page = pdf.pages[0]
    media = [float(v) / IN for v in page.MediaBox]
    trim = [float(v) / IN for v in page.TrimBox]
    return (media[2] - media[0], media[3] - media[1]), (trim[2] - trim[0], trim[3] - trim[1]), trim


def text_of(path: Path) -> str:
    return re.sub(r"\s+", " ", pdfium.PdfDocument(str(path))[0].get_textpage().get_text_range())


def chars(path: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    tp = pdfium.PdfDocument(str(path))[0].get_textpage()
    return [(tp.get_text_range(i, 1), tp.get_charbox(i)) for i in range(tp.count_chars())]


@pytest.fixture(scope="module")
def sample_hardcover(tmp_path_factory):
    """The sample book bound as a hardcover with a dust jacket (a copy of book/)."""
    base = tmp_path_factory.mktemp("hardcover-sample")
    folder = base / "book"
    shutil.copytree(ROOT / "book", folder)
    text = (folder / "book.yaml").read_text(encoding="utf-8")
    text = text.replace("  page_multiple: 4\n", "  page_multiple: 4\n  binding: hardcover\n  jacket: true\n")
    text = text.replace("    file_as: Lafforgue, Eric\n",
                        "    file_as: Lafforgue, Eric\n    bio: A stand-in biography for the tests, on the back flap.\n")
    (folder / "book.yaml").write_text(text, encoding="utf-8")
    assert main(["print", "--book", str(folder), "--out", str(base / "out"), "-q"]) == 0
    return base / "out"


def test_lulu_spine_table():
    assert case_spine(24) == case_spine(84) == 0.25 * IN
    assert case_spine(85) == 0.5 * IN and case_spine(150) == 0.625 * IN and case_spine(200) == 0.75 * IN
    assert case_spine(500) == 1.375 * IN and case_spine(800) == 2.125 * IN
    assert [last for last, _ in LULU_CASE_SPINE] == sorted(last for last, _ in LULU_CASE_SPINE)


def test_sample_case_wrap_and_jacket_have_the_readme_sizes(sample_hardcover):
    pages = len(pikepdf.open(sample_hardcover / f"{SLUG}-print.pdf").pages)
    assert pages == 40
    spine = 0.25  # Lulu: 24-84 pages
    board_w, board_h = 8.5 + 0.125, 8.5 + 0.25
    # The case wrap: wrap + back board + spine + front board + wrap; board + 2 x wrap.
    media, trim, _ = sizes(sample_hardcover / f"{SLUG}-cover.pdf")
    assert media == pytest.approx((0.75 + board_w + spine + board_w + 0.75, board_h + 2 * 0.75), abs=0.001)
    assert media == pytest.approx((19.0, 10.25), abs=0.001)
    assert trim == pytest.approx((2 * board_w + spine, board_h), abs=0.001)
    # The jacket: bleed + flap + board + spine + 0.25in + board + flap + bleed; board + 2 x bleed.
    media, trim, _ = sizes(sample_hardcover / f"{SLUG}-jacket.pdf")
    assert media == pytest.approx((0.125 + 3.25 + board_w + spine + 0.25 + board_w + 3.25 + 0.125,
                                   board_h + 0.25), abs=0.001)
    assert media == pytest.approx((24.5, 9.0), abs=0.001)
    assert trim == pytest.approx((24.25, 8.75), abs=0.001)


def test_sample_jacket_flaps_carry_the_description_and_the_bio(sample_hardcover):
    path = sample_hardcover / f"{SLUG}-jacket.pdf"
    _, _, trim = sizes(path)
    flap = 3.25 * IN
    width = (trim[2] - trim[0]) * IN
    found = {"description": [], "bio": []}
    text = text_of(path)
    assert "North Korea strictly controls its image" in text
    assert "A stand-in biography for the tests" in text
    for ch, (left, bottom, right, top) in chars(path):
        if not ch.strip():
            continue
        if left >= width - flap - 0.5:
            found["description"].append((left, right))
        elif right <= flap + 0.5:
            found["bio"].append((left, right))
    # The description is on the front flap, the bio on the back flap, 0.375in inside their edges.
    assert found["description"] and found["bio"]
    assert min(l for l, _ in found["description"]) >= width - flap + 0.375 * IN - 0.5
    assert max(r for _, r in found["description"]) <= width - 0.375 * IN + 0.5
    assert max(r for _, r in found["bio"]) <= flap - 0.375 * IN + 0.5


def test_case_text_stays_out_of_the_hinge_and_the_wrap(sample_hardcover):
    """Every character on the case: 0.5in inside the boards' outer edges, 0.625in from the
    spine folds (the hinge), or on the spine."""
    path = sample_hardcover / f"{SLUG}-cover.pdf"
    _, _, trim = sizes(path)
    board_w, board_h = 8.625 * IN, 8.75 * IN
    spine = 0.25 * IN
    seen = 0
    for ch, (left, bottom, right, top) in chars(path):
        if not ch.strip():
            continue
        seen += 1
        x0, x1 = left - trim[0] * IN, right - trim[0] * IN
        on_spine = x0 >= board_w - 0.5 and x1 <= board_w + spine + 0.5
        if on_spine:
            continue
        assert bottom - trim[1] * IN >= 0.5 * IN - 0.5 and top - trim[1] * IN <= board_h - 0.5 * IN + 0.5, ch
        assert x0 >= 0.5 * IN - 0.5 and x1 <= 2 * board_w + spine - 0.5 * IN + 0.5, ch
        # (a glyph's box may reach a point past its text's box: an italic's overhang)
        assert x1 <= board_w - 0.625 * IN + 1 or x0 >= board_w + spine + 0.625 * IN - 1, (ch, x0, x1)
    assert seen > 100


def test_letter_case_wrap_matches_lulus_template(tmp_path):
    """8.5 x 11in, 24-84 pages: Lulu's casewrap cover is 19.00 x 12.75in."""
    folder = make_book(tmp_path / "b", photos=26, size=(600, 400),
                       extra="print:\n  trim: 8.5x11in\n  binding: hardcover\n")
    out = tmp_path / "out"
    assert main(["print", "--book", str(folder), "--out", str(out), "-q"]) == 0
    pages = len(pikepdf.open(out / "a-test-book-print.pdf").pages)
    assert 24 <= pages <= 84
    media, trim, _ = sizes(out / "a-test-book-cover.pdf")
    assert media == pytest.approx((19.0, 12.75), abs=0.001)
    assert not (out / "a-test-book-jacket.pdf").exists()


def test_a_long_description_on_a_case_is_an_error(tmp_path, capsys):
    long = " ".join(["A description far too long for the back of any cover."] * 60)
    folder = make_book(tmp_path / "b", photos=1, size=(600, 400),
                       extra=f"description: {long}\nprint:\n  binding: hardcover\n")
    assert main(["print", "--book", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert re.search(r"book\.yaml: error: cover text '.*' is in the case's hinge .* or its wrap", err), err


def test_a_long_description_on_a_jacket_flap_is_an_error(tmp_path, capsys):
    long = " ".join(["A description too long for a flap."] * 40)
    folder = make_book(tmp_path / "b", photos=1, size=(600, 400),
                       extra=f"description: {long}\nprint:\n  binding: hardcover\n  jacket: true\n")
    assert main(["print", "--book", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert re.search(r"error: jacket text '.*' runs out of its panel or flap", err), err


def test_few_pages_for_a_hardcover_is_a_warning(tmp_path, capsys):
    folder = make_book(tmp_path / "b", photos=1, size=(600, 400), extra="print:\n  binding: hardcover\n")
    assert main(["print", "--book", str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"warning: the interior has \d+ pages; Lulu binds a casewrap hardcover of 24 to 800 pages", err)
    assert "paperbacks need" not in err


@pytest.mark.parametrize("setting, message", [
    ("  jacket: true\n", r"a dust jacket is for a hardcover"),
    ("  binding: spiral\n", r"print binding 'spiral' is unknown"),
    ("  binding: hardcover\n  service: kdp\n", r"pressroom follows Lulu's casewrap template for a hardcover"),
    ("  service: amazon\n", r"print service 'amazon' is unknown"),
])
def test_binding_settings_errors_are_located(tmp_path, capsys, setting, message):
    folder = make_book(tmp_path / "b", photos=1, size=(300, 200), extra="print:\n" + setting)
    assert main(["print", "--book", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if re.search(message, ln))
    assert re.match(r"\S*book\.yaml:\d+:\d+: error: ", line), line


def test_bio_is_a_contributor_key(tmp_path):
    from pressroom.manuscript import load

    folder = make_book(tmp_path / "b", photos=1)
    text = (folder / "book.yaml").read_text().replace("    role: photographer\n",
                                                       "    role: photographer\n    bio: Ada photographs harbours.\n")
    (folder / "book.yaml").write_text(text)
    assert load(folder).contributors[0].bio == "Ada photographs harbours."
