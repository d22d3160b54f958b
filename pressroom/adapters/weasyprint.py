"""WeasyPrint's internals that pressroom uses, and only here (WeasyPrint 70).

- the laid-out page boxes of a Document (``Page._page_box``) and the box classes,
  to read where photos, text, the manuscript's elements and footnotes landed on each page;
- ``FontConfiguration._folder``, to remove the fonts WeasyPrint wrote for
  fontconfig as soon as a PDF is generated (not at garbage collection);
- ``weasyprint.pdf.generate_pdf`` and ``VARIANTS``, the steps of
  ``Document.write_pdf``, so a finisher runs and the PDF is written later, to a file;
  a variant's own step (its metadata) applied again to a PDF generated as another
  (:func:`restamp`: one drawing, a tagged screen PDF and a PDF/X print file);
- ``weasyprint.pdf.metadata.uuid4``, replaced while the PDF is generated so that
  PDF/X's ``xmpMM:DocumentID`` is stable (reproducible bytes);
- ``URLFetcherResponse.path``, blanked for bytes given instead of a file;
- ``url_fetcher._fail_on_errors``, which ``weasyprint.urls.fetch`` reads from every
  fetcher (:class:`FetcherBase` gives a callable fetcher that attribute);
- ``weasyprint.text.ffi`` for the native libraries' versions (the render cache's key).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import shutil
import uuid

from . import missing, unsupported
from .pydyf import kept_page_references

SUPPORTED = ">=70,<71"

CONTRACT = [
    ("weasyprint.document", "Page"),
    ("weasyprint.formatting_structure.boxes", "MarginBox"),
    ("weasyprint.formatting_structure.boxes", "TextBox"),
    ("weasyprint.formatting_structure.boxes", "ReplacedBox"),
    ("weasyprint.formatting_structure.boxes", "FootnoteAreaBox"),
    ("weasyprint.formatting_structure.boxes", "LineBox"),
    ("weasyprint.text.fonts", "FontConfiguration"),
    ("weasyprint.pdf", "generate_pdf"),
    ("weasyprint.pdf", "VARIANTS"),
    ("weasyprint.pdf.metadata", "uuid4"),
    ("weasyprint.urls", "URLFetcherResponse"),
    ("weasyprint.text.ffi", "pango.pango_version"),
    ("weasyprint.text.ffi", "harfbuzz_subset"),
]


class FetcherBase:
    """The base of a callable URL fetcher: what WeasyPrint 70's ``urls.fetch`` reads from
    every fetcher besides calling it. A refused URL is then a warning and a missing
    resource, not a failed render (pressroom reports refusals itself)."""

    _fail_on_errors = False


def _version() -> str:
    import weasyprint

    return weasyprint.__version__


def check() -> None:
    """Raise AdapterError naming what the installed WeasyPrint lacks."""
    gone = missing(CONTRACT)
    if gone:
        raise unsupported("weasyprint", _version(), ", ".join(gone), SUPPORTED)


def page_boxes(document) -> list:
    """The laid-out page box of each page of a rendered ``weasyprint.Document``."""
    try:
        return [page._page_box for page in document.pages]  # noqa: SLF001
    except AttributeError:
        raise unsupported("weasyprint", _version(), "Page._page_box", SUPPORTED) from None


def walk(box):
    """``box`` and every box inside it, depth first."""
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from walk(child)


def box_types():
    """(MarginBox, TextBox, ReplacedBox): the layout's box classes pressroom reads."""
    from weasyprint.formatting_structure.boxes import MarginBox, ReplacedBox, TextBox

    return MarginBox, TextBox, ReplacedBox


def footnote_box_types():
    """(FootnoteAreaBox, LineBox): where a page's footnotes are set, and a line of text
    (footnotes.py reads which notes a page calls and sets)."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox, LineBox

    return FootnoteAreaBox, LineBox


def remove_font_files(fonts) -> None:
    """Remove the folder where a FontConfiguration wrote the book's fonts for fontconfig,
    once the PDF is generated (its fonts are in it by then). WeasyPrint removes it only
    when the configuration is garbage-collected, which a process that ends with it in a
    reference cycle never does: builds left folders in /tmp."""
    folder = getattr(fonts, "_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        fonts._folder = None  # noqa: SLF001


@contextlib.contextmanager
def stable_uuids(seed: str):
    """Within the block, WeasyPrint's XMP metadata (PDF/X's xmpMM:DocumentID) gets UUIDs
    derived from ``seed`` instead of random ones: same book, same bytes."""
    from weasyprint.pdf import metadata

    if not hasattr(metadata, "uuid4"):
        raise unsupported("weasyprint", _version(), "weasyprint.pdf.metadata.uuid4", SUPPORTED)
    counter = itertools.count()
    original = metadata.uuid4
    metadata.uuid4 = lambda: uuid.uuid5(uuid.NAMESPACE_URL, f"pressroom:{seed}:{next(counter)}")
    try:
        yield
    finally:
        metadata.uuid4 = original


def generate_pdf(document, options: dict, variant: str | None, seed: str):
    """The pydyf PDF of a rendered ``document``, as ``Document.write_pdf`` makes it with
    ``options`` (a full set of WeasyPrint's options) and ``variant``'s defaults, not yet
    serialised; XMP UUIDs derived from ``seed``; pydyf's page references kept between
    WeasyPrint's calls (pydyf.kept_page_references). Returns (pdf, the options used)."""
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.pdf import VARIANTS, generate_pdf as generate

    pdf_opts = {k: options.get(k, v) for k, v in DEFAULT_OPTIONS.items()}
    if variant:
        for key, value in VARIANTS[variant][1].items():
            if pdf_opts.get(key) is None:
                pdf_opts[key] = value
    with stable_uuids(seed), kept_page_references():
        return generate(document, None, 1, **pdf_opts), pdf_opts


def restamp(pdf, document, variant: str, seed: str, compress: bool) -> str:
    """Make the generated pydyf ``pdf`` of ``document`` claim ``variant`` instead of the
    variant it was generated as: that variant's metadata (XMP, document info) replaces
    the other's, as ``generate_pdf`` writes them last. Returns the variant's PDF version.
    What else differs (tags, output intent) is the caller's to add or remove."""
    from weasyprint.pdf import VARIANTS

    step, properties = VARIANTS[variant]
    with stable_uuids(seed):
        step(pdf, document, [], [], compress)
    return properties["pdf_version"]


@functools.lru_cache(maxsize=1)
def _stand_in_class():
    from weasyprint.urls import URLFetcherResponse

    class StandIn(URLFetcherResponse):
        """Names no file: WeasyPrint would read a file: URL's file instead of the bytes given."""

        @property
        def path(self):
            return None

    return StandIn


def bytes_response(url: str, data: bytes):
    """A URL fetcher's response giving ``data`` for ``url`` (never the file it names)."""
    return _stand_in_class()(url, data, {})


def native_versions() -> tuple:
    """(Pango's version, whether WeasyPrint subsets fonts with HarfBuzz)."""
    from weasyprint.text.ffi import harfbuzz_subset, pango

    return pango.pango_version(), harfbuzz_subset is not None
