"""The eval runner checks each present field, reports per check, and rejects malformed suites."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.errors import SuiteError
from evals.runner import run_suites
from evals.suite import load_suite


def write_suite(path, cases) -> str:
    path.write_text(yaml.safe_dump({"cases": cases}))
    return str(path)


def test_runner_scores_each_check(seed_settings, answerer, tmp_path):
    suite = write_suite(
        tmp_path / "s.yaml",
        [
            {
                "id": "ok",
                "question": "What number do I dial for the police from a mobile in Kazakhstan?",
                "any": ["112"],
                "forbid": ["103"],
                "doc": "003",
                "stale": True,
            },
            {
                "id": "wrong-doc",
                "question": "What number do I dial for the police from a mobile in Kazakhstan?",
                "doc": "002",
            },
            {"id": "oos", "question": "What is the weather in Almaty?", "abstain": True},
        ],
    )
    report = run_suites(seed_settings, [suite], answerer=answerer)
    by_id = {c.id: c for c in report.cases}
    assert by_id["ok"].passed and by_id["ok"].fact and by_id["ok"].forbid and by_id["ok"].stale
    assert by_id["wrong-doc"].doc is False and not by_id["wrong-doc"].passed
    assert by_id["oos"].abstain and by_id["oos"].fact is None
    summary = report.summary()
    assert summary["doc"] == {"passed": 1, "total": 2}
    assert summary["faithfulness"]["share"] == 1.0
    assert summary["latency_ms"]["p50"] > 0


def test_eval_cli_writes_json_and_markdown(seed_settings, tmp_path):
    case = {
        "id": "a",
        "question": "What number do I dial for the police from a mobile in Kazakhstan?",
        "stale": True,
    }
    suite = write_suite(tmp_path / "s.yaml", [case])
    env = {"WAYMARK_DATA_DIR": str(seed_settings.data_dir), "WAYMARK_TODAY": "2026-11-25"}
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    result = CliRunner().invoke(main, ["eval", suite, "--json", str(out), "--report", str(md)], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["cases"][0]["id"] == "a" and data["cases"][0]["passed"] is True
    assert data["cases"][0]["stale"] is True and data["cases"][0]["fact"] is None
    assert "xychart-beta" in md.read_text()


def test_eval_cli_exits_non_zero_on_failures(seed_settings, tmp_path):
    suite = write_suite(
        tmp_path / "s.yaml",
        [
            {
                "id": "x",
                "question": "What number do I dial for the police from a mobile in Kazakhstan?",
                "stale": False,
            }
        ],
    )
    env = {"WAYMARK_DATA_DIR": str(seed_settings.data_dir), "WAYMARK_TODAY": "2026-11-25"}
    result = CliRunner().invoke(main, ["eval", suite], env=env)
    assert result.exit_code == 2 and "x FAILED" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("cases: 3", "top-level 'cases:' list", id="not-a-list"),
        pytest.param("cases:\n  - id: a\n", "needs an 'id' and a 'question'", id="no-question"),
        pytest.param("cases:\n  - {id: a, question: q, anyy: [x]}\n", "unknown field", id="typo-field"),
        pytest.param("cases:\n  - {id: a, question: q, stale: maybe}\n", "true or false", id="bad-bool"),
        pytest.param(
            "cases:\n  - {id: a, question: q}\n  - {id: a, question: r}\n", "used twice", id="dup-id"
        ),
        pytest.param("cases: [", "cannot be read", id="bad-yaml"),
    ],
)
def test_malformed_suites_are_rejected_with_the_reason(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(SuiteError, match=message):
        load_suite(path)


def test_dev_suite_is_valid_and_large_enough():
    from bot.settings import REPO_ROOT

    cases = load_suite(REPO_ROOT / "evals" / "suites" / "dev.yaml")
    assert len(cases) >= 50
    assert sum(bool(c.abstain) for c in cases) >= 10
    assert sum(bool(c.history) for c in cases) >= 5
