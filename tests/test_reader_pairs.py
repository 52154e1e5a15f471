"""The cross-encoder experiment (``training/reader.py``) trains on training rows only."""

from __future__ import annotations

import pytest

from training.reader import training_pairs


def row(question: str, split: str, kind: str, labels: list[int]) -> dict:
    texts = [f"{question} s{i}" for i in range(len(labels))]
    return {"q": question, "split": split, "kind": kind, "texts": texts, "y": labels}


ROWS = [
    row("probe", "train", "cloze", [0, 1, 0, 0, 0, 0]),
    row("removed", "train", "removed", [0, 0, 0, 0, 0]),
    row("asked", "train", "labelled-answerable", [0, 0, 1, 0]),
    row("held out", "val", "labelled-answerable", [1, 0]),
    row("held out probe", "val", "cloze", [1, 0]),
]


def test_no_validation_row_reaches_training():
    pairs = training_pairs(ROWS, negatives=3, labelled_repeat=2)
    assert not {q for q, _, _ in pairs} & {"held out", "held out probe"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("probe", [(1.0, 1), (0.0, 3)], id="probe: every positive, the best-ranked negatives"),
        pytest.param("removed", [(0.0, 3)], id="unanswerable probe: negatives only"),
        pytest.param("asked", [(1.0, 2), (0.0, 6)], id="labelled: every candidate, repeated"),
    ],
)
def test_pairs_per_row(question, expected):
    pairs = [p for p in training_pairs(ROWS, negatives=3, labelled_repeat=2) if p[0] == question]
    counts = sorted({(label, sum(1 for p in pairs if p[2] == label)) for _, _, label in pairs}, reverse=True)
    assert counts == expected


def test_probe_negatives_are_the_best_ranked():
    pairs = training_pairs(ROWS, negatives=2, labelled_repeat=0)
    assert sorted(t for q, t, y in pairs if q == "probe" and not y) == ["probe s0", "probe s2"]


def test_labelled_questions_can_be_left_out():
    assert not [p for p in training_pairs(ROWS, negatives=3, labelled_repeat=0) if p[0] == "asked"]
