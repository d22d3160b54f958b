"""ebooklib's internals that pressroom uses, and only here (ebooklib 0.20).

ebooklib writes the package's <metadata> from its own model, which cannot say
what EPUB 3.3 and EPUB Accessibility 1.1 need (refinements, schema.org
properties, a11y:certifiedBy...). :func:`writer` returns its ``EpubWriter`` with
``_write_opf_metadata`` replaced: the <metadata> comes from pressroom's own list.
"""

from __future__ import annotations

from . import missing, unsupported

SUPPORTED = ">=0.20,<0.21"

CONTRACT = [
    ("ebooklib.epub", "EpubWriter._write_opf_metadata"),
    ("ebooklib.epub", "EpubWriter.write"),
]

DC_NS = "http://purl.org/dc/elements/1.1/"
OPF_NS = "http://www.idpf.org/2007/opf"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def check() -> None:
    """Raise AdapterError naming what the installed ebooklib lacks."""
    gone = missing(CONTRACT)
    if gone:
        import ebooklib

        raise unsupported("ebooklib", getattr(ebooklib, "VERSION", "?"), ", ".join(gone), SUPPORTED)


def writer(out, book, options: dict, language: str, metadata: list[tuple[str, dict, str]]):
    """An ``EpubWriter`` for ``book`` into ``out`` whose package has ``language`` and
    whose <metadata> holds exactly ``metadata`` ([(tag, attributes, text)]; ``dc:``
    tags in the Dublin Core namespace)."""
    from ebooklib import epub
    from lxml import etree

    check()

    class Writer(epub.EpubWriter):
        def _write_opf_metadata(self, root):
            root.set(XML_LANG, language)  # root is the <package> element
            md = etree.SubElement(root, "metadata", nsmap={"dc": DC_NS, "opf": OPF_NS})
            for tag, attrs, text in metadata:
                name = f"{{{DC_NS}}}{tag[3:]}" if tag.startswith("dc:") else tag
                el = etree.SubElement(md, name, {(XML_LANG if k == "xml:lang" else k): v for k, v in attrs.items()})
                if text:
                    el.text = text

    return Writer(out, book, options)
