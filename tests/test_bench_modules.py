"""The benchmark modules hang together: what one imports from another exists, and every child
process a benchmark starts is a module that is there. Benchmarks run for minutes before reaching a
late import, so these are checked statically."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
MODULES = sorted(BENCHMARKS.glob("*.py"))


def defined(path: Path) -> set[str]:
    """Names bound at the top level of a module: functions, classes, assignments, imports."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def benchmark_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every `from benchmarks.X import name`, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("benchmarks."):
            found += [(node.module.removeprefix("benchmarks."), a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "benchmarks":
            found += [(a.name, "") for a in node.names]
    return found


def child_modules(path: Path) -> list[str]:
    """The modules passed to ``harness.child("child_X", ...)``."""
    return [
        node.args[0].value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) == "child"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_what_a_benchmark_imports_from_another_exists(path):
    for module, name in benchmark_imports(path):
        source = BENCHMARKS / f"{module}.py"
        assert source.exists(), f"{path.name} imports benchmarks.{module}, which is not there"
        if name:
            assert name in defined(source), f"{path.name} imports {name} from benchmarks.{module}"


def test_every_child_process_is_a_module():
    started = {name for path in MODULES for name in child_modules(path)}
    assert started >= {"child_index", "child_answer", "child_prepare", "child_warm_build", "child_baseline"}
    assert {name for name in started if not (BENCHMARKS / f"{name}.py").exists()} == set()
