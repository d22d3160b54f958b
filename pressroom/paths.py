"""Where pressroom's own files are: the templates, the styles and the fonts they use."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "templates"
STYLES = PROJECT / "styles"
FONTS = STYLES / "fonts"
