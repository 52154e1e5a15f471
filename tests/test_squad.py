"""The SQuAD converter writes a corpus whose offsets match SQuAD's and a suite the runner accepts."""

from __future__ import annotations

import json

import pytest
import yaml

from evals import squad
from evals.suite import load_suite
from index.manifest import load_manifest

CONTEXT_A = "The Normans were the people who gave their name to Normandy, a region in France."
CONTEXT_B = "Rollo was the Norse leader.\nHe swore fealty to King Charles III of West Francia."
CONTEXT_C = "P versus NP is an open problem in computer science."

SAMPLE = {
    "version": "v2.0",
    "data": [
        {
            "title": "Normans",
            "paragraphs": [
                {
                    "context": CONTEXT_A,
                    "qas": [
                        {
                            "id": "q1",
                            "question": "Where is Normandy?",
                            "answers": [
                                {"text": "France", "answer_start": CONTEXT_A.index("France")},
                                {"text": "France", "answer_start": CONTEXT_A.index("France")},
                                {"text": "in France", "answer_start": CONTEXT_A.index("in France")},
                            ],
                            "is_impossible": False,
                        },
                        {
                            "id": "q2",
                            "question": "Who gave their name to Normandy in the 1000s?",
                            "answers": [],
                            "plausible_answers": [{"text": "Normans", "answer_start": 4}],
                            "is_impossible": True,
                        },
                    ],
                },
                {
                    "context": CONTEXT_B,
                    "qas": [
                        {
                            "id": "q3",
                            "question": "Who was the Norse leader?",
                            "answers": [{"text": "Rollo", "answer_start": 0}],
                            "is_impossible": False,
                        },
                        {
                            "id": "q3",
                            "question": "To whom did Rollo swear fealty?",
                            "answers": [
                                {"text": "King Charles III", "answer_start": CONTEXT_B.index("King Charles")}
                            ],
                            "is_impossible": False,
                        },
                    ],
                },
            ],
        },
        {
            "title": "Computational_complexity_theory",
            "paragraphs": [
                {
                    "context": CONTEXT_C,
                    "qas": [
                        {
                            "id": "q5",
                            "question": "Is P versus NP solved?",
                            "answers": [],
                            "is_impossible": True,
                        },
                        {"id": "q6", "question": "   ", "answers": [], "is_impossible": True},
                    ],
                }
            ],
        },
    ],
}


@pytest.fixture
def written(tmp_path):
    source = tmp_path / "squad.json"
    source.write_text(json.dumps(SAMPLE))
    out = tmp_path / "out"
    assert squad.main([str(source), str(out)]) == 0
    return out


def test_answer_offsets_map_into_the_written_corpus(written):
    converted = squad.convert(SAMPLE["data"])
    for raw, article in zip(SAMPLE["data"], converted.articles, strict=True):
        text = (written / "corpus" / article.file_id).read_text(encoding="utf-8")
        assert text == article.text
        for paragraph, start in zip(raw["paragraphs"], article.paragraph_starts, strict=True):
            for qa in paragraph["qas"]:
                for answer in qa["answers"]:
                    begin = start + answer["answer_start"]
                    assert text[begin : begin + len(answer["text"])] == answer["text"]


def test_article_file_has_title_heading_and_blank_line_separated_paragraphs(written):
    files = sorted((written / "corpus").glob("*.txt"))
    assert [f.name for f in files] == ["000_normans.txt", "001_computational_complexity_theory.txt"]
    text = files[0].read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# Normans"
    blocks = text.strip().split("\n\n")
    assert blocks[1:] == [CONTEXT_A, CONTEXT_B.replace("\n", " ")]
    assert files[1].read_text(encoding="utf-8").startswith("# Computational complexity theory\n\n")


def test_manifest_names_wikipedia_and_leaves_the_date_unknown(written):
    sources = load_manifest(written / "corpus", warn=pytest.fail)
    info = sources["001_computational_complexity_theory.txt"]
    assert info.title == "Computational complexity theory"
    assert info.publisher == "Wikipedia (via SQuAD v2)" and info.kind == "encyclopedia"
    assert info.published is None
    raw = yaml.safe_load((written / "corpus" / "manifest.yaml").read_text())
    assert all("published" not in entry for entry in raw["documents"])


def test_suite_cases_expect_answers_or_abstention(written):
    cases = {c.question: c for c in load_suite(written / "suite.yaml")}
    where = cases["Where is Normandy?"]
    assert where.any == ["France", "in France"] and where.doc == "000_normans.txt"
    assert where.abstain is None
    for question in ("Who gave their name to Normandy in the 1000s?", "Is P versus NP solved?"):
        assert cases[question].abstain is True
        assert cases[question].any is None and cases[question].doc is None
    assert "   " not in cases and len(cases) == 5


def test_case_ids_are_unique_even_when_squad_repeats_one(written):
    ids = [c.id for c in load_suite(written / "suite.yaml")]
    assert len(ids) == len(set(ids)) == 5
    assert ids[:4] == ["q1", "q2", "q3", "q3-2"]


def test_rerun_replaces_articles_of_an_earlier_conversion(written, tmp_path):
    smaller = {"data": SAMPLE["data"][1:]}
    source = tmp_path / "smaller.json"
    source.write_text(json.dumps(smaller))
    assert squad.main([str(source), str(written)]) == 0
    assert [f.name for f in (written / "corpus").glob("*.txt")] == ["000_computational_complexity_theory.txt"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{not json", "cannot be read as JSON", id="bad-json"),
        pytest.param('{"version": "v2.0"}', "no top-level 'data' list", id="no-data"),
    ],
)
def test_bad_input_is_one_line_error(tmp_path, capsys, content, message):
    source = tmp_path / "bad.json"
    source.write_text(content)
    assert squad.main([str(source), str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
