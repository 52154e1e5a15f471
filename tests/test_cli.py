"""The CLI: index, ask (text and JSON), sources, and one-line errors with a non-zero exit."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main


@pytest.fixture
def env(seed_settings) -> dict[str, str]:
    return {
        "WAYMARK_CORPUS_DIR": str(seed_settings.corpus_dir),
        "WAYMARK_DATA_DIR": str(seed_settings.data_dir),
        "WAYMARK_TODAY": "2026-11-25",
    }


def test_ask_prints_quotes_sources_and_warning(env):
    result = CliRunner().invoke(main, ["ask", "What number do I dial for the police from a mobile?"], env=env)
    assert result.exit_code == 0, result.output
    assert "112" in result.output and "Sources:" in result.output and "15 years old" in result.output


def test_ask_json_has_the_structured_result(env):
    result = CliRunner().invoke(main, ["ask", "--json", "Where is the SOS clinic in Almaty?"], env=env)
    data = json.loads(result.output)
    assert set(data) >= {"text", "citations", "stale", "abstained", "timings_ms"}
    cite = data["citations"][0]
    assert set(cite) >= {"quote", "source_id", "title", "publisher", "date", "age_years", "start", "end"}


def test_ask_with_history_resolves_follow_up(env):
    args = ["ask", "What about from a landline?", "-H", "What number do I dial for the police from a mobile?"]
    result = CliRunner().invoke(main, args, env=env)
    assert "02 from landlines" in result.output


def test_index_on_unchanged_corpus_reports_nothing_to_do(env):
    result = CliRunner().invoke(main, ["index"], env=env)
    assert result.exit_code == 0
    assert "0 embedded" in result.output and "already up to date" in result.output


def test_sources_lists_each_document_with_age(env):
    result = CliRunner().invoke(main, ["sources"], env=env)
    assert result.exit_code == 0
    assert "003_2de0709cfd47372d.txt" in result.output and "15 years old" in result.output


@pytest.mark.parametrize(
    ("args", "extra_env", "message"),
    [
        pytest.param(["ask", ""], {}, "Please type a question", id="empty-question"),
        pytest.param(["index", "--corpus", "/nonexistent/corpus"], {}, "does not exist", id="missing-corpus"),
        pytest.param(["index", "--data-dir", "/proc/waymark"], {}, "not writable", id="unwritable-data"),
        pytest.param(
            ["ask", "taxi?"],
            {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": "9"},
            "unreachable",
            id="chroma-down",
        ),
        pytest.param(["ask", "taxi?"], {"WAYMARK_STALE_YEARS": "soon"}, "WAYMARK_STALE_YEARS", id="bad-env"),
    ],
)
def test_user_errors_are_one_line_without_traceback(env, args, extra_env, message):
    result = CliRunner().invoke(main, args, env={**env, **extra_env})
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
