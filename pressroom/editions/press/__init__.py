"""The print edition: an interior and its cover for a printer, from one layout.

- ``services``: the print services' numbers (margins, gutters, page counts, paper, spine);
- ``interior``: :class:`PrintInterior`, the edition (layout, the page count's gutter, writing);
- ``cover``: back, spine and front on one sheet, from the interior's page count;
- ``pdfx``: what both PDFs share (reading the layout, the finisher, PDF/X options);
- ``pagemap``: where the interior's pages begin, for the EPUB's page-list;
- ``preflight``: the PRINT-0xx findings.
"""

from .interior import PRINT_TARGET, PrintInterior, print_page_map

__all__ = ["PRINT_TARGET", "PrintInterior", "print_page_map"]
