"""The wheel works: built from this checkout and installed in a fresh venv outside it, ``waymark ask``
answers from the shipped corpus and the prompts load.

The scratch venv gets the dependencies from a ``.pth`` line naming this venv's site-packages, written
after the install so pip never sees the editable install there. Nothing reaches the checkout: the
environment has no PYTHONPATH and the commands run in a temp folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from bot.settings import SHIPPED_CORPUS, SHIPPED_PROMPTS

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What number do I dial for the police from a mobile in Kazakhstan?"
QUOTE = "“Victims of crime should contact the police by dialing 02 from landlines and 112 from cell phones"
#: what a build must not see: hidden folders (.git, .venv, .waymark), old build output, mutmut's copy
NOT_SOURCE = shutil.ignore_patterns(
    ".*", "build", "*.egg-info", "__pycache__", "test-artifacts", "mutants", "out"
)


def outside_env() -> dict[str, str]:
    """This environment without anything that points at the checkout or sets Waymark up."""
    skip = ("PYTHON", "VIRTUAL_ENV", "WAYMARK_", "CHROMA_")
    return {k: v for k, v in os.environ.items() if not k.startswith(skip)}


def run(cmd: list, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """``cmd`` in ``cwd``, never the checkout (pip would take a stray egg-info there as installed)."""
    kwargs.setdefault("timeout", 300)
    kwargs.setdefault("env", outside_env())
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of the checkout (an in-place build/ can hold deleted modules)."""
    tmp = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, tmp / "src", ignore=NOT_SOURCE)
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    done = run([*cmd, "-q", "-w", tmp / "dist", tmp / "src"], tmp)
    assert done.returncode == 0, done.stderr
    [built] = (tmp / "dist").glob("waymark-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv, outside the checkout, with the wheel installed and this venv's dependencies."""
    tmp = tmp_path_factory.mktemp("scratch")
    venv = tmp / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", venv], tmp).returncode == 0
    python = venv / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q"]
    done = run([*install, wheel], tmp)
    assert done.returncode == 0, done.stderr
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp).stdout.strip()
    deps = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    (Path(site) / "waymark_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    return venv


def package_files(venv: Path) -> dict[str, int]:
    """The installed ``bot`` package's files and their modification times (bytecode aside)."""
    [package] = (venv / "lib").glob("python*/site-packages/bot")
    return {
        str(p.relative_to(package)): p.stat().st_mtime_ns
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_a_checkout_uses_its_own_corpus_and_prompts():
    assert SHIPPED_CORPUS == ROOT / "corpus"
    assert SHIPPED_PROMPTS == ROOT / "prompts"


@pytest.mark.slow
@pytest.mark.parametrize(
    "folder, pattern, inside",
    [
        pytest.param("bot", "*.py", "bot", id="bot-modules"),
        pytest.param("index", "*.py", "index", id="index-modules"),
        pytest.param("evals", "*.py", "evals", id="evals-modules"),
        pytest.param("bot/models/reader", "*", "bot/models/reader", id="reader-model"),
        pytest.param("corpus", "*", "bot/shipped/corpus", id="corpus"),
        pytest.param("prompts", "*", "bot/shipped/prompts", id="prompts"),
    ],
)
def test_the_wheel_carries(wheel, folder, pattern, inside):
    names = set(zipfile.ZipFile(wheel).namelist())
    here = ROOT / folder
    expected = {
        f"{inside}/{p.relative_to(here).as_posix()}"
        for p in here.rglob(pattern)
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    }
    assert expected, f"nothing matches {folder}/{pattern}"
    assert expected <= names, sorted(expected - names)


@pytest.mark.slow
def test_the_installed_wheel_answers_from_the_shipped_corpus(venv, tmp_path):
    before = package_files(venv)
    env = outside_env() | {"WAYMARK_TODAY": "2026-11-25", "WAYMARK_CACHE_DIR": str(tmp_path / "cache")}
    done = run([venv / "bin" / "waymark", "ask", QUESTION], tmp_path, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert QUOTE in done.stdout
    assert "Kazakhstan 2011 OSAC Crime and Safety Report" in done.stdout
    assert "· 2011 (15 years old) · 003_2de0709cfd47372d.txt" in done.stdout
    assert "⚠ Old sources" in done.stdout
    assert (tmp_path / ".waymark").is_dir(), "the index goes to .waymark/ in the current folder"
    assert package_files(venv) == before, "nothing is written inside the installed package"


@pytest.mark.slow
def test_the_installed_wheel_loads_its_own_prompts(venv, tmp_path):
    script = (
        "import json, bot, bot.settings as s, bot.wording as w\n"
        "names = sorted(p.stem for p in s.SHIPPED_PROMPTS.glob('*.txt'))\n"
        "roles = {n: [m.__class__.__name__ for m in w.prompt(n).messages] for n in names}\n"
        "print(json.dumps({'bot': bot.__file__, 'corpus': str(s.SHIPPED_CORPUS),\n"
        "                  'prompts': str(w.PROMPTS), 'roles': roles}))\n"
    )
    done = run([venv / "bin" / "python", "-c", script], tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    installed = (venv / "lib").resolve()
    for key in ("bot", "corpus", "prompts"):
        assert Path(found[key]).is_relative_to(installed), f"{key} comes from {found[key]}, not the wheel"
    assert set(found["roles"]) == {p.stem for p in ROOT.glob("prompts/*.txt")}
    for roles in found["roles"].values():
        assert roles == ["SystemMessagePromptTemplate", "HumanMessagePromptTemplate"]
