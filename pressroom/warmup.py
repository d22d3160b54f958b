"""A head start for a build: WeasyPrint, pikepdf, the templates and the book's
hyphenation patterns loaded once, in the parent, before the editions' processes fork
(about a second and a half, which each process would otherwise spend again)."""

from __future__ import annotations

import contextlib
import json
import os

from .adapters import pyphen as pyphen_adapter
from .cache import atomic_write, cache_dir, cached_render

_loaded: set[str] = set()


def preload(language: str) -> None:
    """Import what rendering needs, compile the templates and parse ``language``'s
    hyphenation patterns, once per process and language. Only a head start: a failure here is left to the renderer
    to report."""
    if language in _loaded:
        return
    _loaded.add(language)
    try:
        import pikepdf  # noqa: F401  (the PDFs' finishing, and the summary's page counts)

        with remembered_libraries():
            import weasyprint  # noqa: F401

        from .render import compile_templates

        compile_templates()
        path = pyphen_adapter.patterns_file(language)  # as WeasyPrint looks it up
        if path is not None:
            pyphen_adapter.preload(path, cached_render)
    except Exception:  # pragma: no cover - only a head start; the renderer reports real failures
        pass


@contextlib.contextmanager
def remembered_libraries():
    """Within the block, ``ctypes.util.find_library`` answers from the cache folder while
    the system's library cache and LD_LIBRARY_PATH are unchanged: WeasyPrint's loading
    asks it about many names, and each answer runs ldconfig (a fifth of a second in all)."""
    import ctypes.util

    try:
        stamp = f"{os.stat('/etc/ld.so.cache').st_mtime_ns}|{os.environ.get('LD_LIBRARY_PATH', '')}"
    except OSError:  # not Linux with glibc: find_library is quick there, or its answers can change
        yield
        return
    file = cache_dir() / "libraries.json"
    try:
        kept = json.loads(file.read_text())
        found = kept["found"] if kept.get("stamp") == stamp and isinstance(kept.get("found"), dict) else {}
    except (OSError, ValueError, AttributeError, KeyError):
        found = {}
    before = dict(found)
    original = ctypes.util.find_library
    listing: list[bytes] = []  # `ldconfig -p`, read once for every name not remembered

    def find_library(name):
        if name not in found:
            found[name] = quick_find_library(name, listing)
        return found[name]

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
        if found != before:
            with contextlib.suppress(OSError):  # the cache only saves time
                atomic_write(file, json.dumps({"stamp": stamp, "found": found}).encode())


def quick_find_library(name: str, listing: list[bytes]) -> str | None:
    """What ``ctypes.util.find_library(name)`` answers on Linux, from one ``ldconfig -p``
    (kept in ``listing``) instead of one per name, and, for a name ldconfig does not know,
    from the folders of LD_LIBRARY_PATH, where ctypes then looks (through ``ld``) too. ctypes
    also asks gcc, whose folders are those ldconfig lists: a name not found costs it two
    programs run, and WeasyPrint asks about seventeen such names (0.15 s of a cold start)."""
    import ctypes.util
    import re
    import struct
    import subprocess

    if not listing:
        try:
            listing.append(subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, check=False,
                                          env={"LC_ALL": "C", "LANG": "C"}).stdout)
        except OSError:
            return ctypes.util.find_library(name)
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
           "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")
    hit = re.search(os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), abi)), listing[0])
    if hit:
        return os.fsdecode(hit.group(1))
    for folder in filter(None, os.environ.get("LD_LIBRARY_PATH", "").split(":")):
        with contextlib.suppress(OSError):
            for entry in sorted(os.listdir(folder)):
                if re.fullmatch(r"lib%s\.so(\.[\d.]+)?" % re.escape(name), entry):
                    return entry
    return None
