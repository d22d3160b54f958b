"""Where pressroom reaches into other libraries' private or internal APIs: one module
per library, and nowhere else.

Each adapter lists the attributes it relies on in ``CONTRACT`` ([(module, dotted
name)]); :func:`missing` says which of them the installed version lacks, and
tests/test_adapters.py fails naming them. At run time, a missing one is reported
as :class:`AdapterError`: a one-line message naming the library, its version,
the attribute and the versions pressroom supports, never a bare AttributeError
deep in a render.
"""

from __future__ import annotations

import importlib


class AdapterError(RuntimeError):
    """An internal API pressroom relies on is not in the installed library."""


def missing(contract: list[tuple[str, str]]) -> list[str]:
    """The ``module:name`` entries of ``contract`` the installed libraries do not have."""
    out = []
    for module, dotted in contract:
        try:
            obj = importlib.import_module(module)
        except ImportError:
            out.append(f"{module} (module)")
            continue
        for part in dotted.split("."):
            if not hasattr(obj, part):
                out.append(f"{module}:{dotted}")
                break
            obj = getattr(obj, part)
    return out


def unsupported(library: str, version: str, what: str, supported: str) -> AdapterError:
    """The error for a library whose internals changed under pressroom."""
    return AdapterError(f"{library} {version} lacks {what}, which pressroom relies on; "
                        f"install {library}{supported} (see pyproject.toml)")
