"""The layers point one way: index/ <- bot/ <- evals/, benchmarks/, training/."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import bot.errors
import index.errors

ROOT = Path(__file__).resolve().parent.parent
RANK = {"index": 0, "bot": 1, "evals": 2, "benchmarks": 2, "training": 2}
#: the CLI is the composition root: `waymark eval` runs the evals layer (see ARCHITECTURE.md)
ALLOWED = {("bot.cli", "evals.runner")}


def project_imports(path: Path) -> set[str]:
    """Every project module ``path`` imports, at the top or inside a function (not TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.split(".")[0] in RANK}


def upward_imports(package: str) -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / package).glob("*.py")):
        module = f"{package}.{path.stem}"
        for target in project_imports(path):
            if RANK[target.split(".")[0]] > RANK[package] and (module, target) not in ALLOWED:
                out.append((module, target))
    return out


@pytest.mark.parametrize("package", [pytest.param(p, id=p) for p in ("index", "bot")])
def test_no_module_imports_a_higher_layer(package):
    assert upward_imports(package) == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "late.py").write_text("def f():\n    from bot.settings import Settings\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert upward_imports("index") == [("index.late", "bot.settings")]


def test_bot_errors_are_the_index_errors_re_exported():
    """One tree: an ``except WaymarkError`` anywhere catches what index/ raises."""
    for name in bot.errors.__all__:
        cls = getattr(bot.errors, name)
        if hasattr(index.errors, name):
            assert cls is getattr(index.errors, name)
        assert issubclass(cls, bot.errors.WaymarkError) or issubclass(cls, index.errors.IngestError)
    assert issubclass(bot.errors.QuestionError, index.errors.WaymarkError)
