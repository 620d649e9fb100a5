"""The package layout keeps its promises: a short top level, no import circle, no import that runs back up
the pipeline, and no engine named outside voxnb/engines (each engine declares itself in its own package).

Imports are read from the source (every `import`, at module level or inside a function), so a circle
hidden in a lazy import counts too.
"""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "voxnb"
ENGINE_NAME = re.compile(r"\b(f5|voxcpm|cosyvoice3)\b")


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in PKG.rglob("*.py")}


def _imports(module: str) -> set[str]:
    """The voxnb modules ``module`` imports. ``from pkg import sub`` is an edge to pkg.sub, not to pkg:
    a package's own submodule does not make its __init__ a dependency."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{a.name}" for a in node.names} & set(MODULES)
            found |= subs
            if len(subs) < len(node.names) and target in MODULES:
                found.add(target)
    return found - {module}


GRAPH = {m: _imports(m) for m in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _unit(module: str) -> str:
    """voxnb's top-level piece a module belongs to: a top-level module, or a subpackage."""
    return ".".join(module.split(".")[:2])


def test_top_level_is_short():
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert len(top) <= 12, top


def test_no_import_circle():
    assert _cycles(GRAPH) == []


def test_pieces_import_one_way():
    # voxnb/__init__ resolves its public names lazily from every piece; it is the front door, not a piece
    units = defaultdict(set)
    for m, targets in GRAPH.items():
        if m == "voxnb":
            continue
        for t in targets:
            if _unit(t) != _unit(m) and t != "voxnb":
                units[_unit(m)].add(_unit(t))
    assert _cycles(units) == [], dict(units)


def _string_literals(path: Path):
    tree = ast.parse(path.read_text())
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_engine_named_outside_its_package():
    found = [f"{p.relative_to(ROOT)}:{line}: {value[:60]!r}"
             for p in PKG.rglob("*.py") if "engines" not in p.relative_to(PKG).parts[:1]
             for line, value in _string_literals(p) if ENGINE_NAME.search(value)]
    assert found == []


def test_start_script_holds_no_engine_list():
    lines = (ROOT / "1-click-start.sh").read_text().splitlines()
    code = [f"{i}: {line.strip()}" for i, line in enumerate(lines, 1)
            if line.strip() and not line.strip().startswith("#") and ENGINE_NAME.search(line)]
    assert code == []


def test_old_module_paths_still_import():
    import importlib

    import voxnb

    for old, new in voxnb.MOVED.items():
        assert importlib.import_module(f"voxnb.{old}") is importlib.import_module(f"voxnb.{new}"), old
