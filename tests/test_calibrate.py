"""Per-corpus calibration: a corpus that answers does, a corpus that cannot answer abstains,
without retraining, on corpora the model never saw."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.answer import Answerer
from bot.calibrate import BANK, HIGH, LOW, calibrate, load_or_calibrate
from bot.probes import make_probes
from tests.conftest import settings_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SQUAD = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "squad-small" / "small.json"


@pytest.fixture(scope="module")
def veloria(tmp_path_factory) -> Answerer:
    """An advisory for a country the model never saw (written for this test)."""
    from index.build import build_index

    corpus = tmp_path_factory.mktemp("veloria-corpus")
    shutil.copy(FIXTURES / "veloria" / "veloria_advisory.txt", corpus)
    settings = settings_for(corpus, tmp_path_factory.mktemp("veloria-data"))
    build_index(settings, warn=lambda _m: None)
    return Answerer(settings)


@pytest.fixture(scope="module")
def squad(tmp_path_factory) -> Answerer:
    """Two Wikipedia articles (SQuAD v2 sample): nothing in them is travel advice."""
    if not SQUAD.exists():
        pytest.skip(f"{SQUAD} is not here (it ships in shared/ beside the repository)")
    from evals import squad as convert
    from index.build import build_index

    out = tmp_path_factory.mktemp("squad")
    corpus, _suite = convert.write(convert.convert(convert.load_squad(SQUAD)), out, source=SQUAD.name)
    settings = settings_for(corpus, tmp_path_factory.mktemp("squad-data"))
    build_index(settings, warn=lambda _m: None)
    return Answerer(settings)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("what number do i call for an ambulance in veloria", "194", id="ambulance"),
        pytest.param("what number do i call for the fire brigade", "196", id="fire"),
        pytest.param("is the tap water ok to drink", "bottled water", id="water"),
        pytest.param(
            "someone might copy my bank card at a cash machine?", "skimming", id="skimming-paraphrase"
        ),
    ],
)
def test_a_corpus_that_answers_does(veloria, question, expected):
    result = veloria.answer(question)
    assert not result.abstained, result.text
    assert expected in result.text


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        pytest.param("What number do I dial for the police from a mobile in Kazakhstan?", id="police"),
        pytest.param("is it safe to take a taxi from the airport at night?", id="taxi"),
        pytest.param("where is the nearest western clinic?", id="clinic"),
        pytest.param("can I drink a glass of wine and then drive?", id="drink-driving"),
    ],
)
def test_a_corpus_that_cannot_answer_abstains(squad, question):
    result = squad.answer(question)
    assert result.abstained, result.text
    assert not any(ch.isdigit() for ch in result.text)


@pytest.mark.slow
def test_unanswerable_bank_abstains_on_every_corpus(veloria, squad, answerer):
    for bot in (veloria, squad, answerer):
        answered = [q for q in BANK if not bot.answer(q).abstained]
        assert answered == []


@pytest.mark.slow
def test_threshold_stays_near_the_validated_one(veloria, squad):
    for bot in (veloria, squad):
        found = calibrate(bot, bot.handle.snapshot())
        base = bot.reader.threshold
        assert LOW * base <= found.threshold <= HIGH * base
        assert found.questions >= len(BANK)


@pytest.mark.slow
def test_calibration_is_saved_once_per_index_generation(veloria):
    snapshot = veloria.handle.snapshot()
    first = load_or_calibrate(veloria, snapshot, veloria.settings.data_dir)
    path = veloria.settings.data_dir / "calibration" / f"{snapshot.name}.json"
    assert json.loads(path.read_text())["threshold"] == first.threshold
    path.write_text(json.dumps({**json.loads(path.read_text()), "threshold": 0.123}))
    assert load_or_calibrate(veloria, snapshot, veloria.settings.data_dir).threshold == 0.123


@pytest.mark.slow
def test_probes_are_questions_the_index_cannot_answer(answerer):
    probes = make_probes(answerer.handle.snapshot(), 10, seed=3)
    assert {p.kind for p in probes} == {"removed", "swapped"}
    for probe in probes:
        holder = f"Here it is: {probe.answer}."
        assert probe.excluded(holder) == (probe.kind == "removed")
        assert probe.question.endswith("?")
    swapped = {p.answer: p.question for p in probes if p.kind == "swapped"}
    removed = {p.answer: p.question for p in probes if p.kind == "removed"}
    assert any(swapped[a] != removed[a] for a in swapped if a in removed)
