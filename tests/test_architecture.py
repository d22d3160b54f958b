"""The house rules of pressroom/: imports go one way, privates stay private, the
command line stays small. Read from the source with ast (nothing is imported)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pressroom"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in the file, at any depth."""
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, [a.name for a in node.names], node.lineno))
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for target, names, _ in _imports(name, path):
            if not target.startswith("pressroom"):
                continue
            # `from pkg import module` imports the module; `from module import name` the module.
            for n in names or [""]:
                sub = f"{target}.{n}" if n else target
                dep = sub if sub in mods else target
                if dep in mods and dep != name:
                    graph[name].add(dep)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _is_ancestor(package: str, module: str) -> bool:
    return module.startswith(package + ".")


def test_no_import_cycles_in_pressroom():
    graph = _graph()
    # A package's __init__ re-exporting its own modules is not a cycle of the code.
    for name in graph:
        graph[name] = {d for d in graph[name] if not _is_ancestor(d, name) or not (PACKAGE.parent / (d.replace(".", "/"))).is_dir()}
    assert _cycles(graph) == []


def test_no_module_imports_another_modules_private_names():
    found = []
    for name, path in _modules().items():
        for target, names, line in _imports(name, path):
            if target.startswith("pressroom") and target != name:
                found += [f"{path.name}:{line}: {n} from {target}" for n in names if n.startswith("_") and n != "__version__"]
    assert found == []


#: Names with a leading underscore that their library documents as public.
PUBLIC = {"os._exit"}  # how a forked child leaves without running its parent's clean-up


def test_other_libraries_private_names_only_in_their_adapters():
    """`x._private` on an imported library's objects only in pressroom/adapters/."""
    found = []
    for name, path in _modules().items():
        if name.startswith("pressroom.adapters"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
                    and ast.unparse(node) not in PUBLIC):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: .{node.attr}")
    assert found == []


def test_the_command_line_only_parses_and_dispatches():
    assert len((PACKAGE / "cli.py").read_text().splitlines()) <= 250
