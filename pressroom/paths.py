"""Where pressroom's own files are: the templates, the styles and the fonts they use."""

from __future__ import annotations

from pathlib import Path

#: The folder holding templates/ and styles/: the repository in a checkout (and an editable
#: install), the package itself in an installed wheel (pyproject.toml maps them into it).
_PACKAGE = Path(__file__).resolve().parent
PROJECT = _PACKAGE if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent
TEMPLATES = PROJECT / "templates"
STYLES = PROJECT / "styles"
FONTS = STYLES / "fonts"
