"""The floors of docs/architecture.md, checked from the imports of the source tree.

A package may import its own modules and any package on a lower floor, never one on
its own floor or above. Every import counts: module level, inside functions, and
under `if TYPE_CHECKING:`. On top of that no two modules import each other, directly
or round a circle. The floors are written down once, here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FLOORS: list[set[str]] = [
    {"errors"},  # 0: DeskError and its groups by what the operator must do
    {"exchange", "config"},  # 1: the exchange's rules; config files and the Frozen base
    {"orders", "marketdata"},  # 2: orders as values; market data
    {"bus"},  # 3: streams, messages, publish/consume
    {"risk"},  # 4: NAV, drawdown, hedge ladder, contracts
    {"strategies", "execution"},  # 5: the model and backtest; approval, slicing, gateways
    {"services"},  # 6: the processes, settings composition, CLI, console
    {"bench"},  # 7: benchmarks
]
FLOOR_OF = {package: level for level, packages in enumerate(FLOORS) for package in packages}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path) -> Iterator[Path]:
    for package in FLOOR_OF:
        # A virtual environment inside a folder (bench/peers/.venv) is not desk code.
        yield from sorted(p for p in (root / package).rglob("*.py") if ".venv" not in p.parts)


def imported(tree: ast.AST, known: set[str]) -> set[str]:
    """The desk modules an AST imports (a `from M import x` counts M.x when x is a module)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in FLOOR_OF and name in known:
                found.add(name)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in source_files(root)}
    known = set(files)
    return {m: imported(ast.parse(p.read_text(encoding="utf-8")), known) - {m}
            for m, p in files.items()}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in sorted(graph.items()):
        here = module.split(".")[0]
        for target in sorted(targets):
            there = target.split(".")[0]
            if there != here and FLOOR_OF[there] >= FLOOR_OF[here]:
                bad.append(f"{module} -> {target} (floor {FLOOR_OF[here]} may not import "
                           f"floor {FLOOR_OF[there]})")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Top-level packages and their imports of each other."""
    top: dict[str, set[str]] = {m.split(".")[0]: set() for m in graph}
    for module, targets in graph.items():
        top[module.split(".")[0]] |= {t.split(".")[0] for t in targets}
    return {p: t - {p} for p, t in top.items()}


def test_every_top_level_package_has_a_floor() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages <= set(FLOOR_OF), f"give {sorted(packages - set(FLOOR_OF))} a floor"


def test_no_import_runs_up_or_across_a_floor() -> None:
    bad = upward_imports(import_graph(ROOT))
    assert not bad, "imports against the floors:\n  " + "\n  ".join(bad)


def test_no_module_imports_round_a_circle() -> None:
    found = cycles(import_graph(ROOT))
    assert not found, "import circles:\n  " + "\n  ".join(" <-> ".join(c) for c in found)


def test_top_level_packages_form_a_dag() -> None:
    found = cycles(package_graph(import_graph(ROOT)))
    assert not found, f"package circles: {found}"
