"""The words a book prints itself, in its own language.

``LABELS`` holds every word the templates print (contents, photo credits, the
colophon's words, "stand-in photo", the EPUB's navigation and page labels) and
``ROLE_LABELS`` the colophon's names of contributor roles, by language. A language
missing here, or a key missing in its table, falls back to English, and ``check``
says so (PR036); a book overrides any word with its ``words:`` key (see README).

Keys: a label with ``{n}`` in it is a pattern (``chapter_n``: "Chapter {n}", "第{n}章").
``sep`` goes between a label and its value ("Photo: Ada"; French sets a narrow
no-break space before the colon, Chinese and Japanese a full-width colon), ``space``
between words (none in Chinese and Japanese), ``comma`` between the names of a
list and ``and`` before its last name (with the spaces it needs: Arabic and Hebrew
join "and" to the name).
"""

from __future__ import annotations

#: Words the book prints, by language (a primary subtag, or zh-Hans / zh-Hant / pt-BR).
LABELS: dict[str, dict[str, str]] = {
    "en": {"contents": "Contents", "photo": "Photo", "photos": "Photographs", "cover": "Cover",
           "title_page": "Title page", "colophon": "Colophon", "start": "Start of content",
           "standin": "The photographs in this edition are generated stand-ins, not the original photographs.",
           "identifier": "Identifier", "isbn": "ISBN", "published": "Published by", "by": "by",
           "chapter": "Chapter", "chapter_n": "Chapter {n}", "pages": "Pages", "page": "Page",
           "landmarks": "Landmarks", "print_pages": "Pages of the print edition",
           "sep": ": ", "space": " ", "comma": ", ", "and": " and ",
          "notes": "Notes", "note": "Note", "kind:dedication": "Dedication", "kind:epigraph": "Epigraph",
          "kind:foreword": "Foreword", "kind:preface": "Preface", "kind:introduction": "Introduction", "kind:prologue": "Prologue",
          "kind:afterword": "Afterword", "kind:epilogue": "Epilogue", "kind:acknowledgements": "Acknowledgements", "kind:about-the-author": "About the Author",
          "kind:also-by": "Also by the Author", "kind:appendix": "Appendix", "kind:glossary": "Glossary", "kind:bibliography": "Bibliography",
          "kind:notes": "Notes"},
    "fr": {"contents": "Table des matières", "photo": "Photo", "photos": "Photographies", "cover": "Couverture",
           "title_page": "Page de titre", "colophon": "Colophon", "start": "Début du contenu",
           "standin": "Les photographies de cette édition sont des images de remplacement, pas les originaux.",
           "identifier": "Identifiant", "isbn": "ISBN", "published": "Publié par", "by": "par",
           "chapter": "Chapitre", "chapter_n": "Chapitre {n}", "pages": "Pages", "page": "Page",
           "landmarks": "Repères", "print_pages": "Pages de l’édition imprimée",
           "sep": "\u202f: ", "space": " ", "comma": ", ", "and": " et ",
          "notes": "Notes", "note": "Note", "kind:dedication": "Dédicace", "kind:epigraph": "Épigraphe",
          "kind:foreword": "Préface", "kind:preface": "Avant-propos", "kind:introduction": "Introduction", "kind:prologue": "Prologue",
          "kind:afterword": "Postface", "kind:epilogue": "Épilogue", "kind:acknowledgements": "Remerciements", "kind:about-the-author": "À propos de l’auteur",
          "kind:also-by": "Du même auteur", "kind:appendix": "Annexe", "kind:glossary": "Glossaire", "kind:bibliography": "Bibliographie",
          "kind:notes": "Notes"},
    "de": {"contents": "Inhalt", "photo": "Foto", "photos": "Fotografien", "cover": "Umschlag",
           "title_page": "Titelseite", "colophon": "Impressum", "start": "Beginn des Inhalts",
           "standin": "Die Fotografien dieser Ausgabe sind generierte Platzhalter, nicht die Originale.",
           "identifier": "Kennung", "isbn": "ISBN", "published": "Verlag", "by": "von",
           "chapter": "Kapitel", "chapter_n": "Kapitel {n}", "pages": "Seiten", "page": "Seite",
           "landmarks": "Orientierung", "print_pages": "Seiten der Druckausgabe",
           "sep": ": ", "space": " ", "comma": ", ", "and": " und ",
          "notes": "Anmerkungen", "note": "Anmerkung", "kind:dedication": "Widmung", "kind:epigraph": "Motto",
          "kind:foreword": "Geleitwort", "kind:preface": "Vorwort", "kind:introduction": "Einleitung", "kind:prologue": "Prolog",
          "kind:afterword": "Nachwort", "kind:epilogue": "Epilog", "kind:acknowledgements": "Danksagung", "kind:about-the-author": "Über den Autor",
          "kind:also-by": "Vom selben Autor", "kind:appendix": "Anhang", "kind:glossary": "Glossar", "kind:bibliography": "Literaturverzeichnis",
          "kind:notes": "Anmerkungen"},
    "es": {"contents": "Índice", "photo": "Foto", "photos": "Fotografías", "cover": "Cubierta",
           "title_page": "Portada", "colophon": "Colofón", "start": "Inicio del contenido",
           "standin": "Las fotografías de esta edición son imágenes provisionales, no las originales.",
           "identifier": "Identificador", "isbn": "ISBN", "published": "Publicado por", "by": "por",
           "chapter": "Capítulo", "chapter_n": "Capítulo {n}", "pages": "Páginas", "page": "Página",
           "landmarks": "Puntos de referencia", "print_pages": "Páginas de la edición impresa",
           "sep": ": ", "space": " ", "comma": ", ", "and": " y ",
          "notes": "Notas", "note": "Nota", "kind:dedication": "Dedicatoria", "kind:epigraph": "Epígrafe",
          "kind:foreword": "Prólogo", "kind:preface": "Prefacio", "kind:introduction": "Introducción", "kind:prologue": "Prólogo",
          "kind:afterword": "Posfacio", "kind:epilogue": "Epílogo", "kind:acknowledgements": "Agradecimientos", "kind:about-the-author": "Sobre el autor",
          "kind:also-by": "Del mismo autor", "kind:appendix": "Apéndice", "kind:glossary": "Glosario", "kind:bibliography": "Bibliografía",
          "kind:notes": "Notas"},
    "it": {"contents": "Indice", "photo": "Foto", "photos": "Fotografie", "cover": "Copertina",
           "title_page": "Frontespizio", "colophon": "Colophon", "start": "Inizio del contenuto",
           "standin": "Le fotografie di questa edizione sono immagini sostitutive generate, non le fotografie originali.",
           "identifier": "Identificativo", "isbn": "ISBN", "published": "Pubblicato da", "by": "di",
           "chapter": "Capitolo", "chapter_n": "Capitolo {n}", "pages": "Pagine", "page": "Pagina",
           "landmarks": "Punti di riferimento", "print_pages": "Pagine dell’edizione a stampa",
           "sep": ": ", "space": " ", "comma": ", ", "and": " e ",
          "notes": "Note", "note": "Nota", "kind:dedication": "Dedica", "kind:epigraph": "Epigrafe",
          "kind:foreword": "Prefazione", "kind:preface": "Premessa", "kind:introduction": "Introduzione", "kind:prologue": "Prologo",
          "kind:afterword": "Postfazione", "kind:epilogue": "Epilogo", "kind:acknowledgements": "Ringraziamenti", "kind:about-the-author": "Nota sull’autore",
          "kind:also-by": "Dello stesso autore", "kind:appendix": "Appendice", "kind:glossary": "Glossario", "kind:bibliography": "Bibliografia",
          "kind:notes": "Note"},
    "pt": {"contents": "Índice", "photo": "Foto", "photos": "Fotografias", "cover": "Capa",
           "title_page": "Folha de rosto", "colophon": "Colofão", "start": "Início do conteúdo",
           "standin": "As fotografias desta edição são imagens de substituição geradas, não as fotografias originais.",
           "identifier": "Identificador", "isbn": "ISBN", "published": "Publicado por", "by": "de",
           "chapter": "Capítulo", "chapter_n": "Capítulo {n}", "pages": "Páginas", "page": "Página",
           "landmarks": "Pontos de referência", "print_pages": "Páginas da edição impressa",
           "sep": ": ", "space": " ", "comma": ", ", "and": " e ",
          "notes": "Notas", "note": "Nota", "kind:dedication": "Dedicatória", "kind:epigraph": "Epígrafe",
          "kind:foreword": "Prefácio", "kind:preface": "Nota do autor", "kind:introduction": "Introdução", "kind:prologue": "Prólogo",
          "kind:afterword": "Posfácio", "kind:epilogue": "Epílogo", "kind:acknowledgements": "Agradecimentos", "kind:about-the-author": "Sobre o autor",
          "kind:also-by": "Do mesmo autor", "kind:appendix": "Apêndice", "kind:glossary": "Glossário", "kind:bibliography": "Bibliografia",
          "kind:notes": "Notas"},
    "pt-BR": {"contents": "Sumário"},
    "nl": {"contents": "Inhoud", "photo": "Foto", "photos": "Foto’s", "cover": "Omslag",
           "title_page": "Titelpagina", "colophon": "Colofon", "start": "Begin van de inhoud",
           "standin": "De foto’s in deze uitgave zijn gegenereerde vervangende afbeeldingen, niet de oorspronkelijke foto’s.",
           "identifier": "Identificatiecode", "isbn": "ISBN", "published": "Uitgegeven door", "by": "door",
           "chapter": "Hoofdstuk", "chapter_n": "Hoofdstuk {n}", "pages": "Pagina’s", "page": "Pagina",
           "landmarks": "Oriëntatiepunten", "print_pages": "Pagina’s van de gedrukte uitgave",
           "sep": ": ", "space": " ", "comma": ", ", "and": " en ",
          "notes": "Noten", "note": "Noot", "kind:dedication": "Opdracht", "kind:epigraph": "Motto",
          "kind:foreword": "Voorwoord", "kind:preface": "Woord vooraf", "kind:introduction": "Inleiding", "kind:prologue": "Proloog",
          "kind:afterword": "Nawoord", "kind:epilogue": "Epiloog", "kind:acknowledgements": "Dankwoord", "kind:about-the-author": "Over de auteur",
          "kind:also-by": "Van dezelfde auteur", "kind:appendix": "Bijlage", "kind:glossary": "Woordenlijst", "kind:bibliography": "Bibliografie",
          "kind:notes": "Noten"},
    "sv": {"contents": "Innehåll", "photo": "Foto", "photos": "Fotografier", "cover": "Omslag",
           "title_page": "Titelsida", "colophon": "Kolofon", "start": "Innehållets början",
           "standin": "Fotografierna i den här utgåvan är genererade ersättningsbilder, inte originalfotografierna.",
           "identifier": "Identifierare", "isbn": "ISBN", "published": "Utgiven av", "by": "av",
           "chapter": "Kapitel", "chapter_n": "Kapitel {n}", "pages": "Sidor", "page": "Sida",
           "landmarks": "Orienteringspunkter", "print_pages": "Sidor i den tryckta utgåvan",
           "sep": ": ", "space": " ", "comma": ", ", "and": " och ",
          "notes": "Noter", "note": "Not", "kind:dedication": "Dedikation", "kind:epigraph": "Motto",
          "kind:foreword": "Förord", "kind:preface": "Författarens förord", "kind:introduction": "Inledning", "kind:prologue": "Prolog",
          "kind:afterword": "Efterord", "kind:epilogue": "Epilog", "kind:acknowledgements": "Tack", "kind:about-the-author": "Om författaren",
          "kind:also-by": "Av samma författare", "kind:appendix": "Bilaga", "kind:glossary": "Ordlista", "kind:bibliography": "Litteraturförteckning",
          "kind:notes": "Noter"},
    "pl": {"contents": "Spis treści", "photo": "Zdjęcie", "photos": "Fotografie", "cover": "Okładka",
           "title_page": "Strona tytułowa", "colophon": "Stopka redakcyjna", "start": "Początek treści",
           "standin": "Fotografie w tym wydaniu są wygenerowanymi obrazami zastępczymi, a nie oryginalnymi zdjęciami.",
           "identifier": "Identyfikator", "isbn": "ISBN", "published": "Wydawca", "by": "autorstwa",
           "chapter": "Rozdział", "chapter_n": "Rozdział {n}", "pages": "Strony", "page": "Strona",
           "landmarks": "Punkty orientacyjne", "print_pages": "Strony wydania drukowanego",
           "sep": ": ", "space": " ", "comma": ", ", "and": " i ",
          "notes": "Przypisy", "note": "Przypis", "kind:dedication": "Dedykacja", "kind:epigraph": "Motto",
          "kind:foreword": "Przedmowa", "kind:preface": "Słowo wstępne", "kind:introduction": "Wstęp", "kind:prologue": "Prolog",
          "kind:afterword": "Posłowie", "kind:epilogue": "Epilog", "kind:acknowledgements": "Podziękowania", "kind:about-the-author": "O autorze",
          "kind:also-by": "Tego samego autora", "kind:appendix": "Aneks", "kind:glossary": "Słowniczek", "kind:bibliography": "Bibliografia",
          "kind:notes": "Przypisy"},
    "ru": {"contents": "Содержание", "photo": "Фото", "photos": "Фотографии", "cover": "Обложка",
           "title_page": "Титульный лист", "colophon": "Выходные данные", "start": "Начало основного текста",
           "standin": "Фотографии в этом издании — сгенерированные заменители, а не оригинальные снимки.",
           "identifier": "Идентификатор", "isbn": "ISBN", "published": "Издатель", "by": "автор",
           "chapter": "Глава", "chapter_n": "Глава {n}", "pages": "Страницы", "page": "Страница",
           "landmarks": "Ориентиры", "print_pages": "Страницы печатного издания",
           "sep": ": ", "space": " ", "comma": ", ", "and": " и ",
          "notes": "Примечания", "note": "Примечание", "kind:dedication": "Посвящение", "kind:epigraph": "Эпиграф",
          "kind:foreword": "Предисловие", "kind:preface": "От автора", "kind:introduction": "Введение", "kind:prologue": "Пролог",
          "kind:afterword": "Послесловие", "kind:epilogue": "Эпилог", "kind:acknowledgements": "Благодарности", "kind:about-the-author": "Об авторе",
          "kind:also-by": "Другие книги автора", "kind:appendix": "Приложение", "kind:glossary": "Глоссарий", "kind:bibliography": "Библиография",
          "kind:notes": "Примечания"},
    "el": {"contents": "Περιεχόμενα", "photo": "Φωτογραφία", "photos": "Φωτογραφίες", "cover": "Εξώφυλλο",
           "title_page": "Σελίδα τίτλου", "colophon": "Κολοφώνας", "start": "Αρχή του περιεχομένου",
           "standin": "Οι φωτογραφίες αυτής της έκδοσης είναι εικόνες αντικατάστασης που δημιουργήθηκαν αυτόματα, όχι οι πρωτότυπες φωτογραφίες.",
           "identifier": "Αναγνωριστικό", "isbn": "ISBN", "published": "Εκδότης", "by": "από",
           "chapter": "Κεφάλαιο", "chapter_n": "Κεφάλαιο {n}", "pages": "Σελίδες", "page": "Σελίδα",
           "landmarks": "Ορόσημα", "print_pages": "Σελίδες της έντυπης έκδοσης",
           "sep": ": ", "space": " ", "comma": ", ", "and": " και ",
          "notes": "Σημειώσεις", "note": "Σημείωση", "kind:dedication": "Αφιέρωση", "kind:epigraph": "Μότο",
          "kind:foreword": "Προλογικό σημείωμα", "kind:preface": "Πρόλογος του συγγραφέα", "kind:introduction": "Εισαγωγή", "kind:prologue": "Πρόλογος",
          "kind:afterword": "Επίμετρο", "kind:epilogue": "Επίλογος", "kind:acknowledgements": "Ευχαριστίες", "kind:about-the-author": "Για τον συγγραφέα",
          "kind:also-by": "Του ιδίου", "kind:appendix": "Παράρτημα", "kind:glossary": "Γλωσσάριο", "kind:bibliography": "Βιβλιογραφία",
          "kind:notes": "Σημειώσεις"},
    "tr": {"contents": "İçindekiler", "photo": "Fotoğraf", "photos": "Fotoğraflar", "cover": "Kapak",
           "title_page": "İç kapak", "colophon": "Künye", "start": "İçeriğin başlangıcı",
           "standin": "Bu baskıdaki fotoğraflar özgün fotoğraflar değil, üretilmiş yer tutucu görsellerdir.",
           "identifier": "Tanımlayıcı", "isbn": "ISBN", "published": "Yayımlayan", "by": "yazan",
           "chapter": "Bölüm", "chapter_n": "{n}. Bölüm", "pages": "Sayfalar", "page": "Sayfa",
           "landmarks": "Yer işaretleri", "print_pages": "Basılı baskının sayfaları",
           "sep": ": ", "space": " ", "comma": ", ", "and": " ve ",
          "notes": "Notlar", "note": "Not", "kind:dedication": "İthaf", "kind:epigraph": "Epigraf",
          "kind:foreword": "Sunuş", "kind:preface": "Önsöz", "kind:introduction": "Giriş", "kind:prologue": "Öndeyiş",
          "kind:afterword": "Sonsöz", "kind:epilogue": "Sondeyiş", "kind:acknowledgements": "Teşekkür", "kind:about-the-author": "Yazar hakkında",
          "kind:also-by": "Yazarın diğer kitapları", "kind:appendix": "Ek", "kind:glossary": "Sözlükçe", "kind:bibliography": "Kaynakça",
          "kind:notes": "Notlar"},
    "ar": {"contents": "المحتويات", "photo": "تصوير", "photos": "الصور", "cover": "الغلاف",
           "title_page": "صفحة العنوان", "colophon": "بيانات النشر", "start": "بداية المحتوى",
           "standin": "الصور في هذه الطبعة صور بديلة مولَّدة، وليست الصور الأصلية.",
           "identifier": "المعرِّف", "isbn": "ردمك", "published": "الناشر", "by": "بقلم",
           "chapter": "الفصل", "chapter_n": "الفصل {n}", "pages": "الصفحات", "page": "الصفحة",
           "landmarks": "معالم الكتاب", "print_pages": "صفحات الطبعة الورقية",
           "sep": ": ", "space": " ", "comma": "، ", "and": " و",
          "notes": "الحواشي", "note": "حاشية", "kind:dedication": "الإهداء", "kind:epigraph": "تصدير",
          "kind:foreword": "تقديم", "kind:preface": "مقدمة المؤلف", "kind:introduction": "مقدمة", "kind:prologue": "استهلال",
          "kind:afterword": "كلمة ختامية", "kind:epilogue": "خاتمة", "kind:acknowledgements": "شكر وتقدير", "kind:about-the-author": "عن المؤلف",
          "kind:also-by": "للمؤلف أيضًا", "kind:appendix": "ملحق", "kind:glossary": "مسرد المصطلحات", "kind:bibliography": "المراجع",
          "kind:notes": "الحواشي"},
    "he": {"contents": "תוכן העניינים", "photo": "צילום", "photos": "צילומים", "cover": "כריכה",
           "title_page": "שער", "colophon": "קולופון", "start": "תחילת התוכן",
           "standin": "התצלומים במהדורה זו הם תמונות חלופיות שנוצרו, ולא התצלומים המקוריים.",
           "identifier": "מזהה", "isbn": "ISBN", "published": "בהוצאת", "by": "מאת",
           "chapter": "פרק", "chapter_n": "פרק {n}", "pages": "עמודים", "page": "עמוד",
           "landmarks": "ציוני דרך", "print_pages": "עמודי המהדורה המודפסת",
           "sep": ": ", "space": " ", "comma": ", ", "and": " ו",
          "notes": "הערות", "note": "הערה", "kind:dedication": "הקדשה", "kind:epigraph": "מוטו",
          "kind:foreword": "פתח דבר", "kind:preface": "הקדמה", "kind:introduction": "מבוא", "kind:prologue": "פרולוג",
          "kind:afterword": "אחרית דבר", "kind:epilogue": "אפילוג", "kind:acknowledgements": "תודות", "kind:about-the-author": "על המחבר",
          "kind:also-by": "ספרים נוספים של המחבר", "kind:appendix": "נספח", "kind:glossary": "מילון מונחים", "kind:bibliography": "ביבליוגרפיה",
          "kind:notes": "הערות"},
    "hi": {"contents": "विषय-सूची", "photo": "फ़ोटो", "photos": "छायाचित्र", "cover": "आवरण",
           "title_page": "मुखपृष्ठ", "colophon": "प्रकाशन विवरण", "start": "सामग्री का आरंभ",
           "standin": "इस संस्करण के छायाचित्र मूल छायाचित्र नहीं, बल्कि बनाए गए स्थानापन्न चित्र हैं।",
           "identifier": "पहचानकर्ता", "isbn": "ISBN", "published": "प्रकाशक", "by": "द्वारा",
           "chapter": "अध्याय", "chapter_n": "अध्याय {n}", "pages": "पृष्ठ", "page": "पृष्ठ",
           "landmarks": "मुख्य स्थान", "print_pages": "मुद्रित संस्करण के पृष्ठ",
           "sep": ": ", "space": " ", "comma": ", ", "and": " और ",
          "notes": "टिप्पणियाँ", "note": "टिप्पणी", "kind:dedication": "समर्पण", "kind:epigraph": "उद्धरण",
          "kind:foreword": "प्राक्कथन", "kind:preface": "भूमिका", "kind:introduction": "परिचय", "kind:prologue": "प्रस्तावना",
          "kind:afterword": "उपसंहार", "kind:epilogue": "समापन", "kind:acknowledgements": "आभार", "kind:about-the-author": "लेखक परिचय",
          "kind:also-by": "लेखक की अन्य पुस्तकें", "kind:appendix": "परिशिष्ट", "kind:glossary": "शब्दावली", "kind:bibliography": "संदर्भ ग्रंथ सूची",
          "kind:notes": "टिप्पणियाँ"},
    "th": {"contents": "สารบัญ", "photo": "ภาพ", "photos": "ภาพถ่าย", "cover": "ปก",
           "title_page": "หน้าปกใน", "colophon": "ข้อมูลการจัดพิมพ์", "start": "เริ่มเนื้อหา",
           "standin": "ภาพถ่ายในฉบับนี้เป็นภาพแทนที่สร้างขึ้น ไม่ใช่ภาพถ่ายต้นฉบับ",
           "identifier": "รหัสระบุ", "isbn": "ISBN", "published": "จัดพิมพ์โดย", "by": "โดย",
           "chapter": "บท", "chapter_n": "บทที่ {n}", "pages": "หน้า", "page": "หน้า",
           "landmarks": "จุดสำคัญ", "print_pages": "หน้าของฉบับพิมพ์",
           "sep": ": ", "space": " ", "comma": ", ", "and": " และ ",
          "notes": "เชิงอรรถ", "note": "เชิงอรรถ", "kind:dedication": "คำอุทิศ", "kind:epigraph": "ข้อความนำ",
          "kind:foreword": "คำนิยม", "kind:preface": "คำนำ", "kind:introduction": "บทนำ", "kind:prologue": "ปฐมบท",
          "kind:afterword": "บทส่งท้าย", "kind:epilogue": "ปัจฉิมบท", "kind:acknowledgements": "กิตติกรรมประกาศ", "kind:about-the-author": "เกี่ยวกับผู้เขียน",
          "kind:also-by": "ผลงานอื่นของผู้เขียน", "kind:appendix": "ภาคผนวก", "kind:glossary": "อภิธานศัพท์", "kind:bibliography": "บรรณานุกรม",
          "kind:notes": "เชิงอรรถ"},
    "ja": {"contents": "目次", "photo": "写真", "photos": "写真", "cover": "表紙",
           "title_page": "扉", "colophon": "奥付", "start": "本文",
           "standin": "この版の写真は生成された代替画像であり、元の写真ではありません。",
           "identifier": "識別子", "isbn": "ISBN", "published": "発行", "by": "著",
           "chapter": "章", "chapter_n": "第{n}章", "pages": "ページ", "page": "ページ",
           "landmarks": "ランドマーク", "print_pages": "印刷版のページ",
           "sep": "：", "space": "", "comma": "、", "and": "、",
          "notes": "注", "note": "注", "kind:dedication": "献辞", "kind:epigraph": "エピグラフ",
          "kind:foreword": "序文", "kind:preface": "まえがき", "kind:introduction": "はじめに", "kind:prologue": "プロローグ",
          "kind:afterword": "あとがき", "kind:epilogue": "エピローグ", "kind:acknowledgements": "謝辞", "kind:about-the-author": "著者について",
          "kind:also-by": "同じ著者の作品", "kind:appendix": "付録", "kind:glossary": "用語集", "kind:bibliography": "参考文献",
          "kind:notes": "注"},
    "zh-Hans": {"contents": "目录", "photo": "摄影", "photos": "照片", "cover": "封面",
                "title_page": "扉页", "colophon": "版权页", "start": "正文",
                "standin": "本版中的照片是生成的替代图像，并非原始照片。",
                "identifier": "标识符", "isbn": "ISBN", "published": "出版", "by": "著",
                "chapter": "章", "chapter_n": "第{n}章", "pages": "页", "page": "页",
                "landmarks": "导航标志", "print_pages": "印刷版页码",
                "sep": "：", "space": "", "comma": "、", "and": "、",
               "notes": "注释", "note": "注", "kind:dedication": "献词", "kind:epigraph": "题记",
               "kind:foreword": "序", "kind:preface": "前言", "kind:introduction": "引言", "kind:prologue": "序章",
               "kind:afterword": "后记", "kind:epilogue": "尾声", "kind:acknowledgements": "致谢", "kind:about-the-author": "关于作者",
               "kind:also-by": "作者的其他作品", "kind:appendix": "附录", "kind:glossary": "术语表", "kind:bibliography": "参考文献",
               "kind:notes": "注释"},
    "zh-Hant": {"contents": "目錄", "photo": "攝影", "photos": "照片", "cover": "封面",
                "title_page": "扉頁", "colophon": "版權頁", "start": "正文",
                "standin": "本版中的照片是生成的替代圖像，並非原始照片。",
                "identifier": "識別碼", "isbn": "ISBN", "published": "出版", "by": "著",
                "chapter": "章", "chapter_n": "第{n}章", "pages": "頁", "page": "頁",
                "landmarks": "導覽標記", "print_pages": "印刷版頁碼",
                "sep": "：", "space": "", "comma": "、", "and": "、",
               "notes": "註釋", "note": "註", "kind:dedication": "獻詞", "kind:epigraph": "題記",
               "kind:foreword": "序", "kind:preface": "前言", "kind:introduction": "引言", "kind:prologue": "序章",
               "kind:afterword": "後記", "kind:epilogue": "尾聲", "kind:acknowledgements": "致謝", "kind:about-the-author": "關於作者",
               "kind:also-by": "作者的其他作品", "kind:appendix": "附錄", "kind:glossary": "詞彙表", "kind:bibliography": "參考文獻",
               "kind:notes": "註釋"},
    "ko": {"contents": "차례", "photo": "사진", "photos": "사진", "cover": "표지",
           "title_page": "속표지", "colophon": "판권", "start": "본문 시작",
           "standin": "이 판의 사진은 원본 사진이 아니라 생성된 대체 이미지입니다.",
           "identifier": "식별자", "isbn": "ISBN", "published": "펴낸곳", "by": "지음",
           "chapter": "장", "chapter_n": "제{n}장", "pages": "쪽", "page": "쪽",
           "landmarks": "랜드마크", "print_pages": "인쇄본 쪽 번호",
           "sep": ": ", "space": " ", "comma": ", ", "and": ", ",
          "notes": "주", "note": "주", "kind:dedication": "헌사", "kind:epigraph": "제사",
          "kind:foreword": "추천의 글", "kind:preface": "머리말", "kind:introduction": "들어가며", "kind:prologue": "프롤로그",
          "kind:afterword": "맺음말", "kind:epilogue": "에필로그", "kind:acknowledgements": "감사의 글", "kind:about-the-author": "지은이 소개",
          "kind:also-by": "지은이의 다른 책", "kind:appendix": "부록", "kind:glossary": "용어 해설", "kind:bibliography": "참고 문헌",
          "kind:notes": "주"},
}

#: Contributor roles as the colophon names them (keys: manuscript.ROLES), by language.
ROLE_LABELS: dict[str, dict[str, str]] = {
    "en": {"author": "Text", "photographer": "Photographs", "editor": "Editor", "translator": "Translation",
           "illustrator": "Illustrations", "designer": "Design", "book designer": "Book design",
           "cover designer": "Cover design", "introduction": "Introduction", "foreword": "Foreword",
           "afterword": "Afterword", "contributor": "Contributor", "narrator": "Narrator",
           "compiler": "Compiled by", "artist": "Artist"},
    "fr": {"author": "Texte", "photographer": "Photographies", "editor": "Édition", "translator": "Traduction",
           "illustrator": "Illustrations", "designer": "Conception graphique", "book designer": "Maquette",
           "cover designer": "Couverture", "introduction": "Introduction", "foreword": "Préface",
           "afterword": "Postface", "contributor": "Contribution", "narrator": "Lecture",
           "compiler": "Compilation", "artist": "Artiste"},
    "de": {"author": "Text", "photographer": "Fotografien", "editor": "Herausgeber", "translator": "Übersetzung",
           "illustrator": "Illustrationen", "designer": "Gestaltung", "book designer": "Buchgestaltung",
           "cover designer": "Umschlaggestaltung", "introduction": "Einleitung", "foreword": "Vorwort",
           "afterword": "Nachwort", "contributor": "Mitarbeit", "narrator": "Sprecher",
           "compiler": "Zusammenstellung", "artist": "Künstler"},
    "es": {"author": "Texto", "photographer": "Fotografías", "editor": "Edición", "translator": "Traducción",
           "illustrator": "Ilustraciones", "designer": "Diseño", "book designer": "Diseño del libro",
           "cover designer": "Diseño de cubierta", "introduction": "Introducción", "foreword": "Prólogo",
           "afterword": "Epílogo", "contributor": "Colaboración", "narrator": "Narración",
           "compiler": "Compilación", "artist": "Artista"},
    "it": {"author": "Testo", "photographer": "Fotografie", "editor": "A cura di", "translator": "Traduzione",
           "illustrator": "Illustrazioni", "designer": "Progetto grafico", "book designer": "Progetto grafico del libro",
           "cover designer": "Progetto della copertina", "introduction": "Introduzione", "foreword": "Prefazione",
           "afterword": "Postfazione", "contributor": "Collaborazione", "narrator": "Voce narrante",
           "compiler": "Raccolta", "artist": "Artista"},
    "pt": {"author": "Texto", "photographer": "Fotografias", "editor": "Edição", "translator": "Tradução",
           "illustrator": "Ilustrações", "designer": "Design", "book designer": "Projeto gráfico",
           "cover designer": "Design da capa", "introduction": "Introdução", "foreword": "Prefácio",
           "afterword": "Posfácio", "contributor": "Colaboração", "narrator": "Narração",
           "compiler": "Compilação", "artist": "Artista"},
    "nl": {"author": "Tekst", "photographer": "Fotografie", "editor": "Redactie", "translator": "Vertaling",
           "illustrator": "Illustraties", "designer": "Vormgeving", "book designer": "Boekverzorging",
           "cover designer": "Omslagontwerp", "introduction": "Inleiding", "foreword": "Voorwoord",
           "afterword": "Nawoord", "contributor": "Medewerking", "narrator": "Verteller",
           "compiler": "Samenstelling", "artist": "Kunstenaar"},
    "sv": {"author": "Text", "photographer": "Foto", "editor": "Redaktör", "translator": "Översättning",
           "illustrator": "Illustrationer", "designer": "Formgivning", "book designer": "Grafisk form",
           "cover designer": "Omslag", "introduction": "Inledning", "foreword": "Förord",
           "afterword": "Efterord", "contributor": "Medverkande", "narrator": "Uppläsare",
           "compiler": "Sammanställning", "artist": "Konstnär"},
    "pl": {"author": "Tekst", "photographer": "Zdjęcia", "editor": "Redakcja", "translator": "Przekład",
           "illustrator": "Ilustracje", "designer": "Projekt graficzny", "book designer": "Opracowanie graficzne",
           "cover designer": "Projekt okładki", "introduction": "Wstęp", "foreword": "Przedmowa",
           "afterword": "Posłowie", "contributor": "Współpraca", "narrator": "Lektor",
           "compiler": "Wybór i opracowanie", "artist": "Artysta"},
    "ru": {"author": "Текст", "photographer": "Фотографии", "editor": "Редактор", "translator": "Перевод",
           "illustrator": "Иллюстрации", "designer": "Дизайн", "book designer": "Оформление книги",
           "cover designer": "Дизайн обложки", "introduction": "Введение", "foreword": "Предисловие",
           "afterword": "Послесловие", "contributor": "При участии", "narrator": "Чтец",
           "compiler": "Составитель", "artist": "Художник"},
    "el": {"author": "Κείμενο", "photographer": "Φωτογραφίες", "editor": "Επιμέλεια", "translator": "Μετάφραση",
           "illustrator": "Εικονογράφηση", "designer": "Σχεδιασμός", "book designer": "Σχεδιασμός βιβλίου",
           "cover designer": "Σχεδιασμός εξωφύλλου", "introduction": "Εισαγωγή", "foreword": "Πρόλογος",
           "afterword": "Επίλογος", "contributor": "Συνεργασία", "narrator": "Αφήγηση",
           "compiler": "Ανθολόγηση", "artist": "Καλλιτέχνης"},
    "tr": {"author": "Metin", "photographer": "Fotoğraflar", "editor": "Editör", "translator": "Çeviri",
           "illustrator": "Resimler", "designer": "Tasarım", "book designer": "Kitap tasarımı",
           "cover designer": "Kapak tasarımı", "introduction": "Giriş", "foreword": "Önsöz",
           "afterword": "Sonsöz", "contributor": "Katkıda bulunan", "narrator": "Seslendiren",
           "compiler": "Derleyen", "artist": "Sanatçı"},
    "ar": {"author": "النص", "photographer": "التصوير", "editor": "التحرير", "translator": "الترجمة",
           "illustrator": "الرسوم", "designer": "التصميم", "book designer": "تصميم الكتاب",
           "cover designer": "تصميم الغلاف", "introduction": "المقدمة", "foreword": "التقديم",
           "afterword": "كلمة ختامية", "contributor": "مساهمة", "narrator": "الراوي",
           "compiler": "جمع وإعداد", "artist": "الفنان"},
    "he": {"author": "טקסט", "photographer": "צילום", "editor": "עריכה", "translator": "תרגום",
           "illustrator": "איורים", "designer": "עיצוב", "book designer": "עיצוב הספר",
           "cover designer": "עיצוב העטיפה", "introduction": "מבוא", "foreword": "פתח דבר",
           "afterword": "אחרית דבר", "contributor": "השתתפות", "narrator": "קריינות",
           "compiler": "ליקוט", "artist": "אמן"},
    "hi": {"author": "पाठ", "photographer": "छायाचित्र", "editor": "संपादन", "translator": "अनुवाद",
           "illustrator": "चित्रांकन", "designer": "डिज़ाइन", "book designer": "पुस्तक डिज़ाइन",
           "cover designer": "आवरण डिज़ाइन", "introduction": "परिचय", "foreword": "प्राक्कथन",
           "afterword": "उपसंहार", "contributor": "सहयोग", "narrator": "वाचक",
           "compiler": "संकलन", "artist": "कलाकार"},
    "th": {"author": "ผู้เขียน", "photographer": "ภาพถ่าย", "editor": "บรรณาธิการ", "translator": "แปล",
           "illustrator": "ภาพประกอบ", "designer": "ออกแบบ", "book designer": "ออกแบบรูปเล่ม",
           "cover designer": "ออกแบบปก", "introduction": "บทนำ", "foreword": "คำนำ",
           "afterword": "บทส่งท้าย", "contributor": "ผู้มีส่วนร่วม", "narrator": "ผู้บรรยาย",
           "compiler": "รวบรวม", "artist": "ศิลปิน"},
    "ja": {"author": "文", "photographer": "写真", "editor": "編集", "translator": "翻訳",
           "illustrator": "イラスト", "designer": "デザイン", "book designer": "ブックデザイン",
           "cover designer": "装丁", "introduction": "序文", "foreword": "まえがき",
           "afterword": "あとがき", "contributor": "協力", "narrator": "朗読",
           "compiler": "編", "artist": "アーティスト"},
    "zh-Hans": {"author": "文", "photographer": "摄影", "editor": "编辑", "translator": "翻译",
                "illustrator": "插图", "designer": "设计", "book designer": "装帧设计",
                "cover designer": "封面设计", "introduction": "导言", "foreword": "序",
                "afterword": "后记", "contributor": "参与", "narrator": "朗读",
                "compiler": "编", "artist": "艺术家"},
    "zh-Hant": {"author": "文", "photographer": "攝影", "editor": "編輯", "translator": "翻譯",
                "illustrator": "插圖", "designer": "設計", "book designer": "裝幀設計",
                "cover designer": "封面設計", "introduction": "導言", "foreword": "序",
                "afterword": "後記", "contributor": "參與", "narrator": "朗讀",
                "compiler": "編", "artist": "藝術家"},
    "ko": {"author": "글", "photographer": "사진", "editor": "편집", "translator": "옮김",
           "illustrator": "그림", "designer": "디자인", "book designer": "북 디자인",
           "cover designer": "표지 디자인", "introduction": "서론", "foreword": "머리말",
           "afterword": "맺음말", "contributor": "참여", "narrator": "낭독",
           "compiler": "엮음", "artist": "예술가"},
}

#: Kept for what imported it: the separator is the "sep" label now.
LABEL_SEPARATOR = {lang: t["sep"] for lang, t in LABELS.items() if t.get("sep", ": ") != ": "}

#: Labels that are patterns, with the placeholder each must keep.
PATTERNS = {"chapter_n": "{n}"}


def table_for(language: str) -> list[str]:
    """The tables that apply to ``language``, most specific first: "zh-TW" gives
    ["zh-Hant"], "pt-BR" ["pt-BR", "pt"], "de-CH" ["de"]."""
    parts = [p.lower() for p in language.split("-")]
    lang, rest = parts[0], set(parts[1:])
    if lang == "zh" or lang in ("cmn", "yue"):
        hant = bool(rest & {"hant", "tw", "hk", "mo"}) and "hans" not in rest
        return ["zh-Hant" if hant or lang == "yue" else "zh-Hans"]
    if lang == "iw":
        lang = "he"
    out = []
    for tag in LABELS:
        if "-" in tag and tag.split("-")[0].lower() == lang and tag.split("-")[1].lower() in rest:
            out.append(tag)
    if lang in LABELS or lang in ROLE_LABELS:
        out.append(lang)
    return out


def role_key(role: str) -> str:
    return f"role:{role}"


def labels(language: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The words a book in ``language`` prints (a role's label is under "role:<role>"),
    English where the language has none, then the book's own ``overrides``."""
    tables = table_for(language)
    out = dict(LABELS["en"])
    roles = dict(ROLE_LABELS["en"])
    for tag in reversed(tables):
        out.update(LABELS.get(tag, {}))
        roles.update(ROLE_LABELS.get(tag, {}))
    out.update({role_key(k): v for k, v in roles.items()})
    if overrides:
        out.update(overrides)
    return out


def keys() -> list[str]:
    """Every word a book can override."""
    return list(LABELS["en"]) + [role_key(r) for r in ROLE_LABELS["en"]]


def untranslated(language: str) -> list[str]:
    """The keys ``language`` prints in English for want of a translation ([] for English)."""
    tables = table_for(language)
    if language.split("-")[0].lower() == "en" or "en" in tables:
        return []
    have = set()
    for tag in tables:
        have |= set(LABELS.get(tag, {})) | {role_key(r) for r in ROLE_LABELS.get(tag, {})}
    return [k for k in keys() if k not in have]


def chapter_label(t: dict[str, str], n: int) -> str:
    """"Chapter 3" in the book's words."""
    return t["chapter_n"].replace("{n}", str(n))


def join_names(t: dict[str, str], names: list[str]) -> str:
    """"A and B", "A, B and C" in the book's words."""
    if len(names) <= 1:
        return "".join(names)
    return t["comma"].join(names[:-1]) + t["and"] + names[-1]
