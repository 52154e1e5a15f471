"""End to end: `waymark add` an HTML advisory, a Markdown note and a PDF report the project never
saw before, then ask; the answer quotes the right document with its date, section and page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.pdf_fixtures import make_advisory_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("e2e")
    sources = root / "downloads"
    sources.mkdir()
    for name in ("advisory_veloria.html", "veloria_note.md"):
        shutil.copy(FIXTURES / name, sources / name)
    make_advisory_pdf(sources / "veloria_report.pdf", pages=3)
    (root / "corpus").mkdir()
    env = {
        "WAYMARK_CORPUS_DIR": str(root / "corpus"),
        "WAYMARK_DATA_DIR": str(root / "data"),
        "WAYMARK_TODAY": "2026-11-25",
    }
    for path in sorted(sources.iterdir()):
        result = CliRunner().invoke(main, ["add", str(path)], env=env)
        assert result.exit_code == 0, result.output
    return env


def ask(env: dict[str, str], question: str) -> dict:
    result = CliRunner().invoke(main, ["ask", question, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "quote", "source", "date", "section", "page"),
    [
        pytest.param(
            "what's the phone number for the tourist police in port amsel?",
            "555 0199",
            "advisory_veloria",
            "2024-03-04",
            "Emergency numbers",
            None,
            id="html-table-cell",
        ),
        pytest.param(
            "What time do the ferries stop running?",
            "21:00",
            "veloria_note",
            "2024-09-18",
            "Getting around",
            None,
            id="markdown-front-matter-date",
        ),
        pytest.param(
            "When do spring floods close the Estrel valley road?",
            "April",
            "veloria_report",
            "2024-03-04",
            "Natural disasters",
            2,  # the fixture puts "Crime" and "Natural disasters" on page 2
            id="pdf-page",
        ),
    ],
)
def test_added_documents_are_quoted_with_date_section_and_page(
    env, question, quote, source, date, section, page
):
    answer = ask(env, question)
    assert not answer["abstained"], answer["text"]
    cite = next(c for c in answer["citations"] if quote in c["quote"])
    assert cite["source_id"].startswith(source)
    assert cite["date"] == date and cite["section"] == section
    if page is not None:
        assert cite.get("page") == page


@pytest.mark.slow
def test_sources_lists_each_added_document_with_its_date_basis(env):
    result = CliRunner().invoke(main, ["sources", "--json"], env=env)
    rows = {r["source_id"].split(".")[0]: r for r in json.loads(result.output)}
    assert set(rows) == {"advisory_veloria", "veloria_note", "veloria_report"}
    assert all(r["date_basis"] for r in rows.values())
