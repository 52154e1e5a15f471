"""Training pairs for the reader: which sentence is the positive, and when there is none."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from training.reader import Pair, answer_sentence, sentences, squad_pairs

PARAGRAPH = (
    "The old harbour of Tessaly was built in 1820. Its lighthouse is 40 metres tall. "
    "Ferries to the islands leave from the north pier every morning. The pier was rebuilt in 1975."
)
OTHER = "Tessaly has a population of 12,000. Its market opens on Saturdays."


def _squad_file(tmp_path, qas: list[dict]):
    path = tmp_path / "squad.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"title": "Tessaly", "context": PARAGRAPH, "qas": qas}) + "\n")
        fh.write(json.dumps({"title": "Tessaly", "context": OTHER, "qas": []}) + "\n")
    return path


def _pairs(tmp_path, qa: dict) -> list[Pair]:
    return list(squad_pairs(_squad_file(tmp_path, [qa]), "squad11", random.Random(0)))


def test_the_answer_text_is_found_in_exactly_the_sentence_that_holds_it(tmp_path):
    qa = {
        "id": "q1",
        "question": "How tall is the lighthouse?",
        "answers": ["40 metres"],
        "is_impossible": False,
    }
    pairs = _pairs(tmp_path, qa)
    positives = [p for p in pairs if p.label]
    assert [p.sentence for p in positives] == ["Its lighthouse is 40 metres tall."]
    assert positives[0].previous == "The old harbour of Tessaly was built in 1820."
    assert positives[0].heading == "Tessaly"
    assert all("40 metres" not in p.sentence for p in pairs if not p.label)


def test_negatives_come_from_the_paragraph_and_from_elsewhere_in_the_article(tmp_path):
    qa = {"id": "q1", "question": "When was the pier rebuilt?", "answers": ["1975"], "is_impossible": False}
    negatives = {p.sentence for p in _pairs(tmp_path, qa) if not p.label}
    assert negatives & set(sentences(PARAGRAPH))
    assert negatives & set(sentences(OTHER))


def test_an_unanswerable_question_yields_no_positive(tmp_path):
    qa = {"id": "q2", "question": "When was the lighthouse painted?", "answers": [], "is_impossible": True}
    pairs = _pairs(tmp_path, qa)
    assert pairs and not any(p.label for p in pairs)
    assert {p.group for p in pairs} == {"q2"}


def test_an_answer_across_a_sentence_boundary_gives_no_pairs(tmp_path):
    qa = {"id": "q3", "question": "?", "answers": ["1820. Its lighthouse"], "is_impossible": False}
    assert _pairs(tmp_path, qa) == []


@pytest.mark.parametrize(
    ("answers", "question", "expected"),
    [
        pytest.param(["1820"], "When was the harbour built?", 0, id="one-holder"),
        pytest.param(["north pier"], "Where do ferries leave from?", 2, id="middle"),
        pytest.param(["PIER"], "What was rebuilt in 1975?", 3, id="case-insensitive-fallback"),
        pytest.param(["nowhere"], "What?", None, id="absent"),
    ],
)
def test_answer_sentence(answers, question, expected):
    assert answer_sentence(sentences(PARAGRAPH), answers, question) == expected
