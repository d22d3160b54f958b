"""pressroom installs as a tool: a wheel built from the repository carries the templates,
the styles and the fonts, and the `pressroom` command it installs into a fresh virtual
environment starts and builds a book from a folder outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

#: The environment as this process was started, before conftest points XDG_CACHE_HOME at a
#: temporary folder: pip keeps its downloads there, and finds them again.
USER_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def _run(args, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `pip wheel` builds from what the repository tracks (a clean copy, so that
    nothing a previous build left in build/ can slip into it)."""
    src = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("pressroom", "templates", "styles"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", dist, src], env=USER_ENV)
    (made,) = dist.glob("pressroom-*.whl")
    return made


def test_the_wheel_carries_every_template_style_and_font(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "styles"):
        files = [f for f in (ROOT / folder).rglob("*") if f.is_file() and "__pycache__" not in f.parts]
        assert files
        missing = [str(f.relative_to(ROOT)) for f in files if f"pressroom/{f.relative_to(ROOT).as_posix()}" not in names]
        assert not missing, f"not in the wheel (list the folder in pyproject.toml's packages): {missing}"
    assert "pressroom/styles/fonts/NotoSerif-Regular.ttf" in names
    assert not any(n.startswith(("tests/", "book/", "templates/", "styles/")) for n in names)


def test_pressroom_installed_from_the_wheel_builds_a_new_book_anywhere(wheel, tmp_path):
    """`pip install` of the wheel into a fresh environment (no system site packages); then,
    in a folder outside the repository, `pressroom new` and `pressroom` make all four files."""
    env_dir = tmp_path / "env"
    _run([sys.executable, "-m", "venv", env_dir], env=USER_ENV)
    python, pressroom = env_dir / "bin" / "python", env_dir / "bin" / "pressroom"
    _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel], env=USER_ENV)

    work = tmp_path / "elsewhere"
    work.mkdir()
    assert ROOT not in work.resolve().parents
    env = {**USER_ENV, "XDG_CACHE_HOME": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "1780000000"}
    where = _run([python, "-c", "import pressroom; print(pressroom.__file__)"], cwd=work, env=env).stdout.strip()
    assert Path(where).resolve().is_relative_to(env_dir.resolve()), where  # the installed copy, not the checkout

    assert _run([pressroom, "--version"], cwd=work, env=env).stdout.startswith("pressroom ")
    _run([pressroom, "new", "field-notes"], cwd=work, env=env)
    r = _run([pressroom, "--book", "field-notes", "--out", "out", "-q"], cwd=work, env=env)
    assert "Traceback" not in r.stderr
    made = sorted(p.name for p in (work / "out").iterdir())
    assert made == ["field-notes-cover.pdf", "field-notes-print.pdf", "field-notes.epub", "field-notes.pdf"], made
    for name in made:
        assert (work / "out" / name).stat().st_size > 10_000, name
