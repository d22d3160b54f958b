"""Shared fixtures: small books generated in temporary folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bookmaker import make_book  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Each test session gets its own derivative cache, never the user's. Session-wide,
    so that module fixtures (which run before any function's fixtures) use it too."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        mp.setenv("SOURCE_DATE_EPOCH", "1780000000")
        yield


@pytest.fixture
def book_dir(tmp_path):
    return make_book(tmp_path / "book")
