"""Conversation variants of eval suites, and the end-to-end target: no case lost in conversation."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path

import pytest

from evals.conversation import (
    COMMON_SHARE,
    TURNS,
    compare,
    conversation_variant,
    load_suites,
    main,
    merged_variant,
    topic_words,
    write_suite,
)
from evals.suite import Case, load_suite

SUITES = Path(__file__).resolve().parent.parent / "evals" / "suites"
DEV = SUITES / "dev.yaml"


@pytest.fixture(scope="module")
def dev_cases() -> list[Case]:
    return load_suite(DEV)


def test_every_standalone_case_gets_two_earlier_turns_from_other_cases(dev_cases):
    variant = conversation_variant(dev_cases)
    assert [c.id for c in variant] == [c.id for c in dev_cases]
    questions = {c.question for c in dev_cases if not c.history}
    standalone = 0
    for case, talk in zip(dev_cases, variant, strict=True):
        if case.history:
            assert talk == case  # the suite's own follow-ups are kept as they are
            continue
        standalone += 1
        assert len(talk.history) == TURNS and len(set(talk.history)) == TURNS
        assert case.question not in talk.history
        assert set(talk.history) <= questions  # questions of other standalone cases
        assert dataclasses.replace(talk, history=[]) == case  # same question, same expectations
    assert standalone == sum(not c.history for c in dev_cases) > 80


def test_the_earlier_turns_are_unrelated(dev_cases):
    """Another source document, and no topic word in common but the few that most questions use."""
    standalone = [c for c in dev_cases if not c.history]
    by_question = {c.question: c for c in standalone}
    counts = Counter(w for c in standalone for w in topic_words(c.question))
    common = {w for w, n in counts.items() if n > COMMON_SHARE * len(standalone)}
    for case, talk in zip(dev_cases, conversation_variant(dev_cases), strict=True):
        for turn in [] if case.history else talk.history:
            other = by_question[turn]
            if talk.doc and other.doc:
                assert talk.doc != other.doc, (talk.id, other.id)
            shared = topic_words(talk.question) & topic_words(turn)
            assert shared <= common, (talk.id, other.id, shared)


def test_the_variant_is_deterministic(dev_cases):
    assert conversation_variant(dev_cases) == conversation_variant(list(dev_cases))
    assert conversation_variant(dev_cases[:40], dev_cases) == conversation_variant(dev_cases, dev_cases)[:40]


def test_a_pool_too_small_is_an_error():
    cases = [Case("a", "Where is the clinic?", doc="1"), Case("b", "What is the police number?", doc="1")]
    with pytest.raises(ValueError, match="larger pool"):
        conversation_variant(cases)


def test_written_variant_loads_back(tmp_path, dev_cases):
    out = tmp_path / "conversation.yaml"
    variant = conversation_variant(dev_cases)
    write_suite(variant, out, "generated")
    assert out.read_text().startswith("# generated\n")
    assert load_suite(out) == variant


def test_cli_writes_one_suite_from_several(tmp_path, capsys):
    other = tmp_path / "other.yaml"
    shutil.copy(DEV, other)  # same ids twice: they get their suite's name in front
    out = tmp_path / "out.yaml"
    assert main([str(DEV), str(other), "-o", str(out)]) == 0
    cases = load_suite(out)
    assert len(cases) == 2 * len(load_suite(DEV))
    assert cases[0].id == "dev:police-mobile" and cases[-1].id.startswith("other:")
    assert "wrote" in capsys.readouterr().out
    single = tmp_path / "single.yaml"
    main([str(DEV), "-o", str(single)])
    assert load_suite(single) == merged_variant(load_suites([DEV])) == conversation_variant(load_suite(DEV))


def test_no_dev_case_is_lost_in_conversation(seed_settings, answerer):
    """The target: each dev case passes in conversation exactly when it passes alone."""
    result = compare(seed_settings, [DEV], answerer)
    assert result.lost == [] and result.gained == [], result.summary_text()
    assert result.summary()["cases"] == len(load_suite(DEV)) >= result.summary()["passed_alone"] > 0
