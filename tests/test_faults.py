"""Faults lose nothing: after each one the dev suite answers exactly as before."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.answer import Answerer
from bot.errors import IndexCorruptError, IndexMissingError
from bot.settings import REPO_ROOT, SHIPPED_CORPUS
from evals.runner import run_suites
from index.build import build_index
from tests.conftest import settings_for

pytestmark = pytest.mark.slow
DEV_SUITE = REPO_ROOT / "evals" / "suites" / "dev.yaml"
WAYMARK = str(Path(sys.executable).parent / "waymark")


def outcomes(settings, answerer) -> dict[str, tuple]:
    report = run_suites(settings, [DEV_SUITE], answerer=answerer)
    return {c.id: (c.passed, c.fact, c.doc, c.stale, c.abstain, c.forbid) for c in report.cases}


@pytest.fixture
def private_index(seed_settings, tmp_path):
    """A copy of the session's seed index that a test may break."""
    data = tmp_path / "data"
    shutil.copytree(seed_settings.data_dir, data)
    return settings_for(SHIPPED_CORPUS, data)


@pytest.fixture(scope="module")
def baseline(seed_settings, answerer) -> dict[str, tuple]:
    return outcomes(seed_settings, answerer)


def fresh_answerer(settings, answerer) -> Answerer:
    bot = Answerer(settings, embedder=answerer.embedder)
    bot.handle.check_every = 0
    return bot


def test_kill_9_during_indexing_leaves_the_previous_index_answering(private_index, answerer, baseline):
    env = {**os.environ, "WAYMARK_DATA_DIR": str(private_index.data_dir), "WAYMARK_TODAY": "2026-11-25"}
    proc = subprocess.Popen([WAYMARK, "index", "--rebuild"], env=env, stderr=subprocess.DEVNULL)
    time.sleep(4)  # model loaded, new generation half written
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert outcomes(private_index, fresh_answerer(private_index, answerer)) == baseline
    # the lock died with the process; the next run finishes and cleans up the half-written generation
    summary = build_index(private_index, warn=lambda _m: None)
    assert summary.embedded == 0


def test_deleted_data_folder_is_a_clear_error_then_index_recovers(private_index, answerer, baseline):
    bot = fresh_answerer(private_index, answerer)
    bot.answer("Where is the SOS clinic in Almaty?")
    shutil.rmtree(private_index.data_dir)
    with pytest.raises(IndexMissingError, match="run `waymark index`"):
        bot.answer("Where is the SOS clinic in Almaty?")
    env = {**os.environ, "WAYMARK_DATA_DIR": str(private_index.data_dir)}
    subprocess.run([WAYMARK, "index"], env=env, check=True, capture_output=True)
    assert outcomes(private_index, bot) == baseline


def test_corrupted_store_is_a_clear_error_and_rebuild_recovers(private_index, answerer, baseline):
    (private_index.data_dir / "chroma" / "chroma.sqlite3").write_bytes(b"not a database" * 512)
    bot = fresh_answerer(private_index, answerer)
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        bot.answer("Where is the SOS clinic in Almaty?")
    env = {**os.environ, "WAYMARK_DATA_DIR": str(private_index.data_dir)}
    plain = subprocess.run([WAYMARK, "index"], env=env, capture_output=True, text=True)
    assert plain.returncode == 1 and "--rebuild" in plain.stderr and "Traceback" not in plain.stderr
    rebuilt = subprocess.run([WAYMARK, "index", "--rebuild"], env=env, capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "moved to chroma.unreadable-" in rebuilt.stderr
    assert outcomes(private_index, bot) == baseline


def test_no_index_yet_says_how_to_build_it(tmp_path, answerer):
    bot = fresh_answerer(settings_for(SHIPPED_CORPUS, tmp_path / "empty"), answerer)
    with pytest.raises(IndexMissingError, match="waymark index"):
        bot.answer("Where is the SOS clinic in Almaty?")


def test_first_ask_builds_the_index(tmp_path):
    env = {**os.environ, "WAYMARK_DATA_DIR": str(tmp_path / "new"), "WAYMARK_TODAY": "2026-11-25"}
    result = subprocess.run(
        [WAYMARK, "ask", "What number do I dial for the police from a mobile?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "building it now" in result.stderr and "112" in result.stdout
