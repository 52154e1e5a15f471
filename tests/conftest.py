"""Shared fixtures: a tmp copy of the seed corpus and one real index built from it per session."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bot.settings import SHIPPED_CORPUS, Settings  # noqa: E402

TODAY = dt.date(2026, 11, 25)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def settings_for(corpus: Path, data: Path, **extra) -> Settings:
    return Settings(corpus_dir=corpus, data_dir=data, today=TODAY, **extra)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory) -> Settings:
    """Settings over the shipped corpus with an index built once for the whole session."""
    from index.build import build_index

    data = tmp_path_factory.mktemp("seed-index")
    settings = settings_for(SHIPPED_CORPUS, data)
    build_index(settings, warn=lambda _m: None)
    return settings


@pytest.fixture(scope="session")
def answerer(seed_settings):
    from bot.answer import Answerer

    return Answerer(seed_settings)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
