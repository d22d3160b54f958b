"""Every script and language: fonts that draw every letter, the words in the book's language,
right-to-left books, CJK conventions. Read back from the real files (pikepdf, EPUBCheck, Ace)."""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from pathlib import Path

import pikepdf
import pytest

from bookmaker import make_book, make_photo
from pdfread import drawn_images, glyphs_drawn, notdef_glyphs, text_runs
from pressroom import scripts
from pressroom.cache import cache_dir
from pressroom.cli import main
from pressroom.manuscript import load
from pressroom.words import LABELS, ROLE_LABELS, keys, labels, untranslated

#: The languages whose words pressroom prints (issue 17), each with a tag a writer would use.
LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "nl", "sv", "pl", "ru", "el", "tr", "ar", "he", "hi", "th",
             "ja", "zh-Hans", "zh-Hant", "ko"]

#: A title, an author, a paragraph (with *emphasis*) and a caption in each script tried.
SAMPLES = {
    "ja": ("東京の写真", "山田太郎", "東京は日本の首都であり、世界で最も人口の多い都市圏の一つです。「朝の市場」では、"
           "魚や野菜が並び、人々が行き交います。*強調*された言葉もあります。\n\n二つ目の段落です。句読点（、。）が"
           "行頭に来ないことを確かめるために、長い文章を書いています。ゃゅょっなどの小書き文字も含みます。",
           "朝の築地市場、2019年。"),
    "zh-Hans": ("北京的照片", "王小明", "北京是中华人民共和国的首都，也是全国的政治和文化中心。在“早市”上，"
                "人们买卖蔬菜和水果。这里有*强调*的词语。", "清晨的胡同，2019年。"),
    "zh-Hant": ("臺北的照片", "陳大文", "臺北是臺灣的首都，也是政治和文化中心。在「早市」上，人們買賣蔬菜和水果。"
                "這裡有*強調*的詞語。", "清晨的街道，2019年。"),
    "ko": ("서울의 사진", "김철수", "서울은 대한민국의 수도이며 정치와 문화의 중심지입니다. 아침 시장에서는 사람들이 "
           "채소와 과일을 사고팝니다. *강조*된 말도 있습니다.", "이른 아침의 골목, 2019년."),
    "ar": ("صور من القاهرة", "ليلى أحمد", "القاهرة هي عاصمة مصر وأكبر مدنها. في *السوق* الصباحي يبيع الناس "
           "الخضار والفواكه. التقط Ada Example هذه الصور في عام 2019.", "سوق خان الخليلي في الصباح، 2019."),
    "he": ("תמונות מירושלים", "דוד לוי", "ירושלים היא עיר עתיקה. בשוק *מחנה יהודה* אנשים קונים ירקות ופירות. "
           "Ada Example צילמה את התמונות בשנת 2019.", "השוק בבוקר, 2019."),
    "hi": ("दिल्ली की तस्वीरें", "राम शर्मा", "दिल्ली भारत की राजधानी है। सुबह के *बाज़ार* में लोग सब्ज़ियाँ और "
           "फल ख़रीदते हैं। क्षत्रिय, श्रृंगार, द्वार जैसे संयुक्ताक्षर भी हैं।", "सुबह का बाज़ार, 2019।"),
    "th": ("ภาพถ่ายกรุงเทพฯ", "สมชาย ใจดี", "กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย ในตลาดเช้าผู้คนซื้อขาย"
           "ผักและผลไม้ *ภาษาไทย*ไม่มีการเว้นวรรคระหว่างคำ", "ตลาดยามเช้า พ.ศ. 2562"),
    "ru": ("Фотографии Москвы", "Иван Петров", "Москва — столица России. На *утреннем* рынке люди покупают "
           "овощи и фрукты.", "Утренний рынок, 2019."),
    "el": ("Φωτογραφίες της Αθήνας", "Νίκος Παππάς", "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας. Στην *πρωινή* "
           "αγορά οι άνθρωποι αγοράζουν λαχανικά.", "Η πρωινή αγορά, 2019."),
}

#: The face each language's own script must be set in (the regional CJK face by language).
FACE = {"ja": "Noto-Serif-CJK-JP", "zh-Hans": "Noto-Serif-CJK-SC", "zh-Hant": "Noto-Serif-CJK-TC",
        "ko": "Noto-Serif-CJK-KR", "ar": "Noto-Naskh-Arabic", "he": "Noto-Serif-Hebrew",
        "hi": "Noto-Serif-Devanagari", "th": "Noto-Serif-Thai", "ru": "Noto-Serif", "el": "Noto-Serif"}


def q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def language_book(folder: Path, lang: str, *, extra: str = "", cover: bool = False) -> Path:
    """A small book in ``lang``: a chapter of text, one captioned photo with a credit."""
    title, author, text, caption = SAMPLES[lang]
    folder.mkdir(parents=True, exist_ok=True)
    make_photo(folder / "photos" / "01.jpg", (900, 600), seed=1)
    body = "\n".join("          " + line for line in text.split("\n"))
    (folder / "book.yaml").write_text(
        f"title: {q(title)}\nlanguage: {lang}\n"
        f"contributors:\n  - name: {q(author)}\n  - name: Ada Example\n    role: photographer\n"
        f"publisher: Pressroom\ndate: 2026\n" + ("cover: photos/01.jpg\n" if cover else "") + extra +
        f"chapters:\n  - title: {q(title)}\n    content:\n      - text: |\n{body}\n"
        f"      - photo: photos/01.jpg\n        alt: {q(caption)}\n        caption: {q(caption)}\n"
        f"        credit: {q(author)}\n", encoding="utf-8")
    return folder


# --------------------------------------------------------------------------
# The words a book prints
# --------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_prints_all_its_words_in_itself(lang):
    assert untranslated(lang) == []
    t = labels(lang)
    assert set(t) == set(keys())
    assert "{n}" in t["chapter_n"]
    if lang != "en":
        assert t["contents"] != LABELS["en"]["contents"]
        assert t["role:photographer"] == ROLE_LABELS[scripts_table(lang)]["photographer"]


def scripts_table(lang: str) -> str:
    from pressroom.words import table_for

    return table_for(lang)[-1]


def test_language_tags_choose_their_table():
    assert labels("zh-TW")["contents"] == labels("zh-Hant")["contents"] == "目錄"
    assert labels("zh-CN")["contents"] == labels("zh")["contents"] == labels("zh-Hans")["contents"] == "目录"
    assert labels("zh-HK")["photo"] == "攝影"
    assert labels("pt-BR")["contents"] == "Sumário" and labels("pt-PT")["contents"] == "Índice"
    assert labels("pt-BR")["photo"] == "Foto"  # the rest from Portuguese
    assert labels("de-CH")["contents"] == "Inhalt"
    assert labels("iw")["contents"] == labels("he")["contents"]
    assert labels("sw")["contents"] == "Contents" and "contents" in untranslated("sw")
    assert untranslated("en-GB") == []


def test_byline_and_chapter_labels_in_the_books_language(tmp_path):
    from pressroom.words import chapter_label

    assert chapter_label(labels("ja"), 3) == "第3章"
    assert chapter_label(labels("tr"), 3) == "3. Bölüm"
    folder = language_book(tmp_path / "ar", "ar", extra="words:\n  and: \" و\"\n")
    book = load(folder)
    assert book.byline == "ليلى أحمد و\u2068Ada Example\u2069"
    book = load(language_book(tmp_path / "ja", "ja"))
    assert book.byline == "山田太郎、Ada Example"


@pytest.mark.slow
def test_a_book_overrides_any_word_and_the_pdf_prints_it(tmp_path):
    folder = language_book(tmp_path / "b", "ru", extra=(
        "words:\n  contents: Оглавление\n  role:photographer: Снимки\n  chapter_n: \"Часть {n}\"\n"))
    book = load(folder)
    t = labels(book.language, book.words)
    assert (t["contents"], t["role:photographer"], t["chapter_n"]) == ("Оглавление", "Снимки", "Часть {n}")
    assert t["photos"] == "Фотографии"
    assert main(["pdf", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    with pikepdf.open(pdf) as doc:
        text = " ".join(r["text"] for page in doc.pages for r in text_runs(page))
    assert "Оглавление" in text and "Снимки" in text


def test_bad_words_are_located_errors(tmp_path, capsys):
    folder = language_book(tmp_path / "b", "ru", extra=(
        "words:\n  contnets: Оглавление\n  chapter_n: Глава\n  photo: [a, b]\n"))
    assert main(["pdf", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert any(re.fullmatch(r".*book\.yaml:10:3: error: unknown key 'contnets' in words; did you mean 'contents'\?", e)
               for e in err), err
    assert any(re.fullmatch(r".*book\.yaml:11:14: error: words: chapter_n must contain \{n\}.*", e) for e in err), err
    assert any(re.fullmatch(r".*book\.yaml:12:10: error: words: photo must be text, not a list", e) for e in err), err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_check_warns_about_words_left_in_english(tmp_path, capsys):
    folder = language_book(tmp_path / "b", "ru")
    text = (folder / "book.yaml").read_text().replace("language: ru", "language: sw")
    (folder / "book.yaml").write_text(text)
    assert main(["check", "--book", str(folder), "--json"]) == 0
    found = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "PR036"]
    assert len(found) == 1 and found[0]["severity"] == "warning" and found[0]["line"] == 2
    assert "contents" in found[0]["message"] and "'sw'" in found[0]["message"]
    # A book that gives every word is not warned about.
    given = "".join(f"  {k}: {q(v)}\n" for k, v in labels("en").items())
    (folder / "book.yaml").write_text(text.replace("publisher:", "words:\n" + given + "publisher:"))
    assert main(["check", "--book", str(folder), "--json"]) == 0
    assert not [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "PR036"]


# --------------------------------------------------------------------------
# Fonts: a face for every script, never a box
# --------------------------------------------------------------------------

def test_the_stack_sets_each_script_in_its_serif_face():
    assert scripts.typeface("zh-Hans", "中文").families[:2] == ("Noto Serif CJK SC", "Noto Serif")
    assert scripts.typeface("zh-Hant", "中文").families[0] == "Noto Serif CJK TC"
    assert scripts.typeface("zh-TW", "中文").families[0] == "Noto Serif CJK TC"
    assert scripts.typeface("ja", "日本").families[0] == "Noto Serif CJK JP"
    assert scripts.typeface("ko", "한국").families[0] == "Noto Serif CJK KR"
    assert scripts.typeface("ar", "عربي").families == ("Noto Serif", "Noto Naskh Arabic")
    assert scripts.typeface("ur", "اردو").families[:2] == ("Noto Serif", "Noto Nastaliq Urdu")
    mixed = scripts.typeface("en", "Hello שלום नमस्ते สวัสดี")
    assert mixed.families == ("Noto Serif", "Noto Serif Devanagari", "Noto Serif Hebrew", "Noto Serif Thai")
    assert scripts.typeface("en", "Plain English, “quoted” — and Ελληνικά, Русский.").plain


def test_a_character_no_font_has_refuses_the_build_one_line_each(tmp_path, capsys):
    # Characters of the supplementary private use areas: no font on any system has them.
    folder = language_book(tmp_path / "b", "ru")
    text = (folder / "book.yaml").read_text()
    text = text.replace("caption: \"Утренний рынок, 2019.\"", "caption: \"Утренний \U000F0041 рынок \U0010fffd.\"")
    text = text.replace("title: \"Фотографии Москвы\"", "title: \"Фотографии \\U000F0042 Москвы\"", 1)
    (folder / "book.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    photos = {p.read_bytes() for p in (folder / "photos").iterdir()}
    derived = cache_dir() / "derivatives"
    before = set(derived.rglob("*")) if derived.exists() else set()
    threads = threading.active_count()
    assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 1
    # Refused before any photo was made (the photos' files were only read meanwhile, for
    # their digests, by threads that are gone).
    assert (set(derived.rglob("*")) if derived.exists() else set()) == before
    assert threading.active_count() == threads
    assert {p.read_bytes() for p in (folder / "photos").iterdir()} == photos
    err = capsys.readouterr().err.strip().splitlines()
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if "\U000F0041" in line)
    hint = "no installed font has it; install a font that has it (README, 'Languages and fonts')"
    assert err == [
        f"{folder / 'book.yaml'}:1:20: error: U+F0042 '\U000F0042' (a private-use character): {hint}",
        f"{folder / 'book.yaml'}:{row + 1}:{lines[row].index(chr(0xF0041)) + 1}: error: U+F0041 '\U000F0041' "
        f"(a private-use character): {hint}",
        f"{folder / 'book.yaml'}:{row + 1}:{lines[row].index(chr(0x10FFFD)) + 1}: error: U+10FFFD '\U0010fffd' "
        f"(a private-use character): {hint}",
    ]
    assert not out.exists() or not any(out.iterdir())
    # check finds them too, with their fix.
    assert main(["check", "--book", str(folder), "--json"]) == 1
    found = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "PR034"]
    assert [f["severity"] for f in found] == ["error"] * 3 and "fonts-noto-core" in found[0]["fix"]
    # A letter of a script whose face is named says which face and package to install.
    assert "install Noto Serif Thai (Debian/Ubuntu: apt install fonts-noto-core" in scripts._install_hint(
        "Noto Serif Thai")


@pytest.mark.slow
def test_a_character_only_the_epub_shows_is_a_warning(tmp_path, capsys):
    folder = language_book(tmp_path / "b", "ru")
    text = (folder / "book.yaml").read_text().replace("alt: \"Утренний рынок, 2019.\"", "alt: \"Рынок \U000F0041.\"")
    (folder / "book.yaml").write_text(text)
    assert main(["pdf", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "warning: U+F0041" in err and "the EPUB carries none for it" in err


def test_a_script_without_its_face_is_drawn_by_another_font_with_a_warning(tmp_path, monkeypatch):
    folder = language_book(tmp_path / "b", "th")
    real = scripts.face
    monkeypatch.setattr(scripts, "face", lambda family, bold=False: None if "Thai" in family else real(family, bold))
    found = scripts.coverage(load(folder))
    assert [p.code for p in found] == ["PR035"]
    assert found[0].severity == "warning" and "install Noto Serif Thai (Debian/Ubuntu: apt install fonts-noto-core" \
        in found[0].message


def test_the_notdef_reader_sees_a_box(tmp_path):
    """The check below is only as good as this reader: WeasyPrint, left to itself, draws a
    character no font has (and says nothing a build would show)."""
    import weasyprint

    pdf = weasyprint.HTML(string="<p lang='en'>ab\ue000c</p>").write_pdf()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert [g[3] for g in glyphs_drawn(doc)] == ["a", "b", "\ue000", "c"]
        assert len(notdef_glyphs(doc)) == 1 and "'\\ue000'" in notdef_glyphs(doc)[0]


# --------------------------------------------------------------------------
# Books in each script, built and read back
# --------------------------------------------------------------------------

#: The word each sample emphasises (*...*): set bold where the script has no italic.
EMPHASIS = {"ja": "強調", "zh-Hans": "强调", "zh-Hant": "強調", "ko": "강조", "ar": "السوق", "he": "מחנה יהודה",
            "hi": "बाज़ार", "th": "ภาษาไทย", "ru": "утреннем", "el": "πρωινή"}


def edition(out: Path, kind: str) -> Path:
    """The file of an edition in ``out``: kind "pdf", "print", "cover" or "epub"."""
    (path,) = [p for p in out.iterdir() if {"pdf": p.suffix == ".pdf" and not p.stem.endswith(("-print", "-cover")),
                                             "print": p.name.endswith("-print.pdf"),
                                             "cover": p.name.endswith("-cover.pdf"), "epub": p.suffix == ".epub"}[kind]]
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    out = {}
    root = tmp_path_factory.mktemp("languages")
    for lang in SAMPLES:
        folder = language_book(root / lang, lang, cover=lang in ("ar", "ja"))
        assert main(["all", "--book", str(folder), "--out", str(root / lang / "out"), "-q"]) == 0, lang
        out[lang] = root / lang / "out"
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(SAMPLES))
def test_language_book_draws_every_letter_in_its_face(built, lang):
    for pdf in sorted(built[lang].glob("*.pdf")):
        with pikepdf.open(pdf) as doc:
            assert notdef_glyphs(doc) == [], pdf.name
            fonts = {g[1].split("+", 1)[-1] for g in glyphs_drawn(doc)}
            for page in doc.pages:
                for font in page.obj.get("/Resources", {}).get("/Font", {}).values():
                    assert "/FontFile" in str(font["/DescendantFonts"][0]["/FontDescriptor"].keys())
            if not pdf.name.endswith("-cover.pdf"):
                assert FACE[lang] in fonts, (pdf.name, fonts)
            if pdf == edition(built[lang], "pdf"):  # emphasis: bold where the script has no italic, else italic
                runs = [r for page in doc.pages for r in text_runs(page)]
                upright = scripts.primary(lang) in scripts.NO_ITALIC_LANGUAGES
                styled = "".join(r["text"] for r in runs if r["font"].endswith("Bold" if upright else "Italic"))
                assert set(EMPHASIS[lang].replace(" ", "")) <= set(styled), (styled, runs)
                if upright:  # nothing slanted: no italic face at all (captions, subtitles...)
                    assert not [r for r in runs if "Italic" in r["font"]]
            if lang in ("zh-Hans", "zh-Hant", "ko"):  # never another region's forms
                assert not {f for f in fonts if "CJK" in f} - {FACE[lang], FACE[lang] + "-Bold"}, fonts


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(SAMPLES))
def test_language_book_prints_its_words(built, lang):
    t = labels(lang)
    with zipfile.ZipFile(edition(built[lang], "epub")) as z:
        nav, colophon = (z.read(f"EPUB/{n}.xhtml").decode() for n in ("nav", "colophon"))
    assert f">{t['contents']}</h2>" in nav and f">{t['title_page']}</a>" in nav
    assert f"{t['role:photographer']}{t['sep']}{scripts.isolate('Ada Example', lang)}</p>" in colophon
    if lang in ("hi", "th"):  # shaping reorders their letters: the PDF's text is not the string
        return
    with pikepdf.open(edition(built[lang], "pdf")) as doc:
        text = "".join(r["text"] for page in doc.pages for r in text_runs(page))
    # Runs of right-to-left text come out of the PDF in visual order.
    contents = t["contents"][::-1] if scripts.direction(lang) == "rtl" else t["contents"]
    assert contents.replace(" ", "") in text.replace(" ", "")


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(SAMPLES))
def test_language_book_epub_passes_epubcheck_and_carries_its_face(built, lang):
    from test_epub import epubcheck_messages

    epub = edition(built[lang], "epub")
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as z:
        css = z.read("EPUB/css/book.css").decode()
        names = z.namelist()
    family = FACE[lang].replace("-", " ")
    if family != "Noto Serif":
        assert f'font-family: "{family}"' in css
        face = "fonts/" + family.lower().replace(" ", "-")
        assert any(n.startswith("EPUB/" + face + ".") for n in names), names


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ja", "hi", "th"])
def test_language_book_epub_passes_ace(built, lang, tmp_path):
    from test_epub import ace_report, ace_violations

    assert ace_violations(ace_report(edition(built[lang], "epub"), tmp_path / "ace")) == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ar", "he"])
def test_right_to_left_books_turn_every_edition(built, lang):
    out = built[lang]
    for kind in ("pdf", "print"):
        with pikepdf.open(edition(out, kind)) as doc:
            assert doc.Root.ViewerPreferences.Direction == pikepdf.Name.R2L, kind
    with zipfile.ZipFile(edition(out, "epub")) as z:
        assert 'page-progression-direction="rtl"' in z.read("EPUB/content.opf").decode()
    with pikepdf.open(edition(out, "print")) as doc:
        # The first page is a recto: in a book that opens from the right, bound on its right.
        (run,) = text_runs(doc.pages[0])
        width = float(doc.pages[0].TrimBox[2])
        assert (run["x0"] + run["x1"]) / 2 < width / 2 - 3


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ar", "he"])
def test_right_to_left_text_keeps_its_measure_on_a_wide_page(tmp_path, lang):
    """On a page wider than the text's measure (8.5x8.5in), the measure and the photos
    narrower than the page are centred. Right to left, WeasyPrint 70 misplaces a block centred by auto
    margins (the start margin twice): the contents, the chapter and an inline photo's
    caption ran off the page, and print preflight refused the book. Every line now lies
    inside the page, the text and the inline photos centred on it."""
    trim = "print:\n  trim: 8.5x8.5in\n"
    books = [language_book(tmp_path / "text", lang, extra=trim),
             make_book(tmp_path / "inline", photos=3, size=(1200, 800), language=lang,  # the third: portrait
                       layouts={1: "inline", 2: "inline", 3: "page"}, extra=trim)]
    centred = []
    for folder in books:
        out = folder / "out"
        assert main(["all", "--book", str(folder), "--out", str(out), "-q"]) == 0, folder.name
        for kind in ("pdf", "print"):
            with pikepdf.open(edition(out, kind)) as doc:
                for n, page in enumerate(doc.pages, 1):
                    left, width = float(page.TrimBox[0]), float(page.TrimBox[2] - page.TrimBox[0])
                    runs = text_runs(page)
                    if runs:
                        x0, x1 = min(r["x0"] for r in runs) - left, max(r["x1"] for r in runs) - left
                        assert 36 <= x0 and x1 <= width - 36, (folder.name, kind, n, x0, x1)
                        if x1 - x0 > width / 2:  # the measure (not the colophon, set at the start side)
                            assert abs((x0 + x1) / 2 - width / 2) < 0.5 * 72, (folder.name, kind, n, x0, x1)
                            centred.append((folder.name, kind, "text"))
                    for im in drawn_images(page):  # inline photos, and a portrait one on its page
                        assert abs((im["x0"] + im["x1"]) / 2 - left - width / 2) < 0.5 * 72, (kind, n, im)
                        centred.append((folder.name, kind, "photo"))
    assert {(b, k, what) for b, what in (("text", "text"), ("inline", "photo")) for k in ("pdf", "print")} \
        <= set(centred)


@pytest.mark.slow
def test_left_to_right_recto_is_bound_on_its_left(built):
    with pikepdf.open(edition(built["ja"], "print")) as doc:
        (run,) = text_runs(doc.pages[0])
        assert (run["x0"] + run["x1"]) / 2 > float(doc.pages[0].TrimBox[2]) / 2 + 3


@pytest.mark.slow
def test_right_to_left_cover_has_its_front_on_the_left(built):
    for lang, left in (("ar", True), ("ja", False)):
        with pikepdf.open(edition(built[lang], "cover")) as doc:
            page = doc.pages[0]
            (photo,) = drawn_images(page)
            middle = float(page.TrimBox[0] + page.TrimBox[2]) / 2
            centre = (photo["x0"] + photo["x1"]) / 2  # the photo fills the front (cropped to it)
            assert (centre < middle) if left else (centre > middle), lang


@pytest.mark.slow
def test_rtl_spine_text_reads_towards_the_front(tmp_path):
    from pressroom.editions.press import PrintInterior
    from pressroom.editions.press.cover import build_cover
    from pressroom.images import derive

    for lang, turn in (("ar", -1), ("ru", 1)):
        book = load(language_book(tmp_path / lang, lang))
        assets = derive(list(book.images), PrintInterior().targets(book))
        cover = build_cover(book, assets, 300)
        with pikepdf.open(io.BytesIO(cover.pdf)) as doc:
            turns = [float(ops[1]) for ops, op in pikepdf.parse_content_stream(doc.pages[0])
                     if str(op) in ("cm", "Tm") and abs(float(ops[0])) < 1e-6 and abs(float(ops[1])) > 0.1]
        # The spine's rotation: +90 degrees (top to bottom) left to right, -90 right to left.
        assert turns and all((t > 0) == (turn > 0) for t in turns), (lang, turns)


def test_slugs_tell_books_apart_in_any_script(tmp_path):
    from pressroom.manuscript import slugify

    assert slugify("Фотографии Москвы") == "fotografii-moskvy"
    assert slugify("Φωτογραφίες της Αθήνας") == "fotografies-tis-athinas"
    assert slugify("Photos Banned By North Korea, But Smuggled Out") == "photos-banned-by-north-korea-but-smuggled-out"
    assert slugify("İstanbul’dan fotoğraflar") == "istanbul-dan-fotograflar"
    assert slugify("Zdjęcia z Krakowa") == "zdjecia-z-krakowa"
    books = {lang: load(language_book(tmp_path / lang, lang)) for lang in ("ja", "zh-Hans", "zh-Hant", "ar", "he")}
    slugs = {b.slug for b in books.values()}
    assert len(slugs) == len(books)
    assert all(re.fullmatch(r"book-[0-9a-f]{8}", s) for s in slugs), slugs
    assert books["ja"].slug == "book-" + books["ja"].identifier.removeprefix("urn:uuid:")[:8]
    isbn = load(language_book(tmp_path / "isbn", "ja", extra="identifier: 978-0-306-40615-7\n"))
    assert isbn.slug == "book-9780306406157"


def test_latin_names_and_numbers_are_isolated_in_right_to_left_text(tmp_path):
    book = load(language_book(tmp_path / "ar", "ar"))
    assert book.byline == "ليلى أحمد و\u2068Ada Example\u2069"
    assert load(language_book(tmp_path / "ru", "ru")).byline == "Иван Петров и Ada Example"


@pytest.mark.parametrize("lang", ["ja", "ar", "hi", "th", "ko"])
def test_the_epub_store_cover_sets_title_and_byline_in_any_script(tmp_path, lang):
    """The store cover (Pillow) sets the title and the byline, a Latin name beside the
    book's script included, in the faces of their scripts; the ground is plain here, so
    white pixels are the type."""
    from PIL import Image

    from pressroom.editions.epub import COVER_SIZE, _cover_faces, _compose_cover, cover_type_fits

    book = load(language_book(tmp_path / lang, lang))
    assert cover_type_fits(book)
    assert len(_cover_faces(book, book.byline, "NotoSerif-Regular.ttf")) == (1 if lang in ("ja", "ko") else 2)
    im = Image.open(io.BytesIO(_compose_cover(book, None, True))).convert("L")
    w, h = COVER_SIZE
    white = lambda box: im.crop(box).point(lambda v: 255 if v > 200 else 0).histogram()[255]  # noqa: E731
    assert white((0, 150, w, 500)) > 2000  # the title
    assert white((0, h - 300, w, h - 100)) > 1000  # the byline
    assert white((0, 700, w, h - 500)) == 0  # nothing else


@pytest.mark.slow
def test_japanese_lines_keep_kinsoku_and_the_character_grid(tmp_path):
    """Pango's line breaking keeps the kinsoku rules; the text block is a whole number of
    characters wide and kerning is off, so every line ends on the block's edge or a whole
    number of characters short of it (where kinsoku moved characters to the next line)."""
    import random

    rnd = random.Random(3)
    parts = ["東京", "の", "写真", "、", "。", "「市場」", "しゃ", "きゅ", "ちょ", "っぱ", "ー", "（注）", "々", "人々",
             "ですね", "！", "？", "ティー", "ファ"]
    folder = language_book(tmp_path / "b", "ja")
    text = (folder / "book.yaml").read_text()
    text = re.sub(r"      - text: \|\n(          .*\n)+",
                  "      - text: |\n          " + "".join(rnd.choice(parts) for _ in range(1400)) + "\n", text)
    (folder / "book.yaml").write_text(text)
    assert main(["pdf", "--book", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    no_start = set("。、，．・：；？！ー」』）〕］｝〉》】ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々")
    lines = []
    with pikepdf.open(edition(tmp_path / "out", "pdf")) as doc:
        for page in doc.pages:
            rows: dict[float, list] = {}
            for r in text_runs(page):
                rows.setdefault(round(r["y"], 1), []).append(r)
            lines += [sorted(rs, key=lambda r: r["x0"]) for y, rs in sorted(rows.items(), reverse=True)
                      if len("".join(r["text"] for r in rs)) > 20]  # the body's lines
    from collections import Counter

    left = Counter(round(rs[0]["x0"], 1) for rs in lines).most_common(1)[0][0]
    lines = [rs for rs in lines if abs(rs[0]["x0"] - left) < 0.5]  # the body, not the colophon or a caption
    assert len(lines) > 60
    texts = ["".join(r["text"] for r in rs) for rs in lines]
    assert not [t for t in texts if t[0] in no_start]
    assert not [t for t in texts if t[-1] in "「（『〔［｛〈《【"]
    right = Counter(round(rs[-1]["x1"], 1) for rs in lines).most_common(1)[0][0]
    assert abs(right - left - 30 * 10.5) < 0.1  # 30 characters of 10.5 pt on a 6x9in page
    short = [round((right - rs[-1]["x1"]) / 10.5, 2) for rs in lines[:-1]]
    assert all(s == int(s) for s in short), short
    assert short.count(0) > len(short) / 2
