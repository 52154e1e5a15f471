"""The baseline's similarity cut-off: tuned for balanced accuracy on labelled questions; its chunks
read by the reader; and the question-level AUC the benchmark reports."""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from unittest import mock

import pytest

from benchmarks import baseline
from benchmarks.baseline import Retrieved, reread, score_case, tune_cutoff, validation_cases
from evals.suite import Case

with mock.patch.dict(os.environ):  # the module sets the benchmark environment on import
    from benchmarks.answerability import question_auc, roc_auc


def test_separable_scores_give_a_cutoff_between_the_two_groups():
    scores = [0.81, 0.74, 0.69, 0.52, 0.47, 0.30]
    answerable = [True, True, True, False, False, False]
    found = [True, True, True, False, False, False]
    cut = tune_cutoff(scores, answerable, found)
    assert cut.balanced_accuracy == 1.0
    assert cut.value == pytest.approx((0.69 + 0.52) / 2)
    assert (cut.answerable_correct, cut.answerable) == (3, 3)
    assert (cut.unanswerable_correct, cut.unanswerable) == (3, 3)


def test_balanced_not_plain_accuracy_decides():
    # Nine answerable questions scoring 0.6..0.68 and one unanswerable at 0.9 above them all,
    # one unanswerable at 0.1. Plain accuracy would answer everything (10/11); balanced accuracy
    # weighs the two unanswerable questions as much as the nine answerable ones.
    scores = [0.6 + i / 100 for i in range(9)] + [0.9, 0.1]
    answerable = [True] * 9 + [False, False]
    found = [True] * 9 + [False, False]
    cut = tune_cutoff(scores, answerable, found)
    assert cut.value == pytest.approx((0.1 + 0.6) / 2)
    assert cut.balanced_accuracy == pytest.approx((1.0 + 0.5) / 2)


def test_answerable_questions_whose_answer_was_not_retrieved_do_not_pull_the_cutoff_down():
    # The two low-scoring answerable questions are wrong either way (the expected string is not in
    # the retrieved text), so abstaining on them costs nothing and wins the unanswerable one at 0.4.
    scores = [0.9, 0.8, 0.35, 0.3, 0.4]
    answerable = [True, True, True, True, False]
    found = [True, True, False, False, False]
    cut = tune_cutoff(scores, answerable, found)
    assert 0.4 < cut.value <= 0.8
    assert cut.balanced_accuracy == pytest.approx((2 / 4 + 1) / 2)


def test_unanswerable_above_everything_abstains_on_everything():
    cut = tune_cutoff([0.2, 0.3, 0.95], [True, True, False], [False, False, False])
    assert cut.value > 0.95
    assert cut.unanswerable_correct == 1 and cut.answerable_correct == 0


def test_ties_go_to_the_lowest_cutoff():
    # Abstaining below 0.8 or below 0.9 scores the same (the 0.8 answerable question's answer was
    # not retrieved, so it is wrong either way): the lower cut-off answers more.
    cut = tune_cutoff([0.9, 0.6, 0.4, 0.8], [True, False, False, True], [True, False, True, False])
    assert cut.value == pytest.approx((0.6 + 0.8) / 2)
    assert cut.balanced_accuracy == pytest.approx(0.75)


def test_needs_both_kinds_and_equal_lengths():
    with pytest.raises(ValueError):
        tune_cutoff([0.1, 0.2], [True, True], [True, True])
    with pytest.raises(ValueError):
        tune_cutoff([0.1], [True, False], [True, False])


def test_abstaining_case_shows_nothing():
    case = Case(id="c", question="q", any=["112"], forbid=["911"], doc="003")
    got = Retrieved(text="Dial 112 or 911", score=0.3, sources=["003_osac.txt"])
    seen = score_case(case, got, cutoff=0.2)
    assert (seen.abstained, seen.hit, seen.forbid_shown, seen.doc) == (False, True, True, True)
    quiet = score_case(case, got, cutoff=0.5)
    assert (quiet.abstained, quiet.hit, quiet.forbid_shown, quiet.doc) == (True, False, False, False)
    assert score_case(case, got, cutoff=None).abstained is False


def test_validation_split_mirrors_training():
    cases = [
        Case(id="a", question="q", any=["x"], doc="04"),
        Case(id="b", question="q", any=["x"], doc="01"),
        *[Case(id=f"u{i}", question="q", abstain=True) for i in range(40)],
    ]
    kept = {c.id for c in validation_cases(cases)}
    assert "a" in kept and "b" not in kept
    expected = {f"u{i}" for i in range(40) if zlib.crc32(f"u{i}".encode()) % 5 < 2}
    assert kept - {"a"} == expected
    assert 0 < len(expected) < 40


def test_validation_split_is_the_readers():
    from training import reader

    training = Path(reader.__file__).parent
    corpora, questions = baseline.training_files(training)
    assert corpora == reader.WRITTEN
    assert questions == reader.LABELLED
    assert baseline.VALIDATION_DOCS == reader.WRITTEN_VALIDATION


class FakeReader:
    """Rates a sentence by the share of its words found in the question; records what it read."""

    threshold = 0.5

    def __init__(self) -> None:
        self.read: list = []

    def probabilities(self, question, candidates):
        self.read += candidates
        asked = words(question)
        return [len(asked & words(c.sentence)) / len(asked) for c in candidates]


def words(text: str) -> set[str]:
    return {w.strip(".:?") for w in text.lower().split()}


def test_reread_shows_the_sentence_the_reader_rates_best_with_its_source():
    got = Retrieved(
        text="",
        score=0.7,
        sources=["001_a.txt", "002_b.txt"],
        chunks=["Emergency numbers\nFire: 101. Police: 112 from mobiles.", "Police stations close at 6."],
        titles=["Safety guide", ""],
    )
    fake = FakeReader()
    best = reread("police from mobiles", got, fake)
    assert (best.text, best.sources, best.score) == ("Police: 112 from mobiles.", ["001_a.txt"], 1.0)
    read = {c.sentence: (c.heading, c.previous) for c in fake.read}
    assert read["Emergency numbers"] == ("Safety guide", "")  # a heading line is its own sentence
    assert read["Fire: 101."] == ("Safety guide", "Emergency numbers")
    assert read["Police: 112 from mobiles."] == ("Safety guide", "Fire: 101.")
    assert read["Police stations close at 6."] == ("", "")  # another chunk: no previous sentence
    case = Case(id="c", question="q", any=["112"], forbid=["101"], doc="001")
    seen = score_case(case, best, fake.threshold)
    assert (seen.abstained, seen.hit, seen.forbid_shown, seen.doc) == (False, True, False, True)


def test_reread_below_the_threshold_abstains_and_nothing_retrieved_is_nothing_read():
    got = Retrieved(text="", score=0.7, sources=["001_a.txt"], chunks=["Fire: 101."], titles=[""])
    low = reread("police from mobiles", got, FakeReader())
    assert score_case(Case(id="c", question="q", any=["101"]), low, FakeReader.threshold).abstained
    empty = reread("police", Retrieved(text="", score=float("-inf"), sources=[]), FakeReader())
    assert (empty.text, empty.score) == ("", 0.0)


def test_roc_auc_counts_ties_half_and_needs_both_kinds():
    assert roc_auc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert roc_auc([0.1, 0.9], [True, False]) == 0.0
    assert roc_auc([0.5, 0.5, 0.2], [True, False, False]) == pytest.approx(0.75)
    assert roc_auc([0.5], [True]) is None


def test_question_auc_labels_unanswerable_cases_not_found_and_skips_the_rest():
    rows = [
        {"answerable": True, "impossible": False, "fact": True, "confidence": 0.9},
        {"answerable": True, "impossible": False, "fact": False, "confidence": 0.2},
        {"answerable": False, "impossible": True, "fact": None, "confidence": 0.6},
        {"answerable": False, "impossible": False, "fact": None, "confidence": 0.99},  # no expectation
    ]
    assert question_auc(rows) == 1.0
