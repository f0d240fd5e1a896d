"""The layout of the package holds: the import-linter contracts, no import cycle, small modules.

The floors and what each part may import are declared in ``pyproject.toml``
(``[tool.importlinter]``) and explained in ``docs/architecture.md``; this runs ``lint-imports``
on them.  The cycle check is finer than the contracts: no two modules may import each other,
even through others, even inside one package (a package's ``__init__`` re-exporting its own
modules is not a cycle).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "tracespec"
MAX_LINES = 600


GENERATED = SRC / "datastores" / "_pb"  # gRPC stubs (tools/gen_datastore_protos.py)


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if GENERATED not in p.parents)


def test_import_linter_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout and "8 kept" in proc.stdout, proc.stdout


#: The imports upwards the contracts allow (pyproject.toml's ``ignore_imports``): ``str()`` of a
#: result imports its pretty report when it is called.
LATE_IMPORTS = {
    ("tracespec.results", "tracespec.reports.text"),
    ("tracespec.testfiles.results", "tracespec.reports.text"),
}


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    edges = {
        m: {
            d for d in graph.find_modules_directly_imported_by(m)
            if d.startswith("tracespec") and not m.startswith(d + ".")  # not its own package
            and (m, d) not in LATE_IMPORTS
        }
        for m in graph.modules if m.startswith("tracespec")
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_cycle() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    try:
        graph = grimp.build_graph("tracespec", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT / "src"))
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: two modules importing each other are a cycle."""
    graph = grimp.ImportGraph()
    for m in ("tracespec", "tracespec.a", "tracespec.b", "tracespec.c"):
        graph.add_module(m)
    graph.add_import(importer="tracespec.a", imported="tracespec.b")
    graph.add_import(importer="tracespec.b", imported="tracespec.c")
    graph.add_import(importer="tracespec.c", imported="tracespec.a")
    graph.add_import(importer="tracespec", imported="tracespec.a")
    assert _cycles(graph) == [["tracespec.a", "tracespec.b", "tracespec.c"]]


def test_modules_are_small_and_say_what_they_own() -> None:
    too_big = {}
    undocumented = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_LINES:
            too_big[str(path.relative_to(SRC))] = lines
        if text.strip() and ast.get_docstring(ast.parse(text)) is None:
            undocumented.append(str(path.relative_to(SRC)))
    assert too_big == {}
    assert undocumented == []
