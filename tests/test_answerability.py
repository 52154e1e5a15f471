"""The learned answer-or-abstain score: shipped parameters, features, answer kinds, probes."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from bot.answerability import FEATURES, MODEL_PATH, Model, load_model, type_fits
from bot.probes import make_probes, make_question
from bot.terms import answer_kind


def test_shipped_model_matches_the_features_the_code_computes():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    model = load_model()
    assert 0.0 < model.threshold < 1.0
    assert np.any(model.coef != 0), "a model of zeros would answer everything the same way"


def test_a_model_trained_on_other_features_is_refused():
    data = load_model().as_dict()
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        Model.from_dict(data)


def test_probability_is_a_probability_and_rises_with_evidence():
    model = load_model()
    coverage = FEATURES.index("own_coverage")
    x = np.tile(model.mean, (2, 1))
    x[1, coverage] += 3 * model.scale[coverage]
    p = model.probability(x)
    assert np.all((p > 0) & (p < 1))
    assert (p[1] > p[0]) == (model.coef[coverage] > 0)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        pytest.param("what number do i dial for the cops", "number", id="number"),
        pytest.param("How many people were robbed?", "number", id="how-many"),
        pytest.param("when did the law change", "date", id="when"),
        pytest.param("where is the clinic", "place", id="where"),
        pytest.param("who should we contact after a robbery", "name", id="who"),
        pytest.param("is it safe to walk at night", None, id="none"),
    ],
)
def test_answer_kind_comes_from_general_question_words(question, kind):
    assert answer_kind(question) == kind


@pytest.mark.parametrize(
    ("kind", "text", "fits"),
    [
        pytest.param("number", "Dial 112 from a mobile.", True, id="number-with-digits"),
        pytest.param("number", "Call the police.", False, id="number-without-digits"),
        pytest.param("date", "The law changed in March.", True, id="date-month"),
        pytest.param("date", "The law changed recently.", False, id="date-none"),
        pytest.param(None, "Anything at all.", True, id="no-kind"),
    ],
)
def test_type_fit(kind, text, fits):
    assert type_fits(kind, text) is fits


def test_cloze_questions_ask_for_a_span_of_their_sentence(answerer):
    snapshot = answerer.handle.snapshot()
    rng = random.Random(1)
    sentence = (
        "Victims of crime should contact the police by dialing 02 from landlines and 112 from cell phones."
    )
    made = [make_question(sentence, snapshot, rng) for _ in range(20)]
    for question, answer in filter(None, made):
        assert answer.lower() in sentence.lower()
        assert answer.lower() not in question.lower()


def test_probes_come_in_three_kinds_with_consistent_labels(answerer):
    snapshot = answerer.handle.snapshot()
    probes = make_probes(snapshot, 10, seed=3)
    kinds = {p.kind for p in probes}
    assert kinds == {"cloze", "removed", "swapped"}
    for probe in probes:
        holder = f"... {probe.answer} ..."
        assert probe.answers(holder) is (probe.kind == "cloze")
        assert probe.excluded(holder) is (probe.kind == "removed")


def test_answers_report_their_confidence_and_threshold(answerer):
    result = answerer.answer("What number do I dial for the police from a mobile in Kazakhstan?")
    assert not result.abstained
    assert result.confidence >= result.threshold > 0
    refused = answerer.answer("What is my neighbour's favourite colour?")
    assert refused.abstained
    assert refused.confidence < refused.threshold
