"""Follow-ups: what is merged with the conversation, what stands alone, and the merged query.

A question with a topic of its own is never merged, even with "it", "there" or a leading "and";
an elliptical one ("and from a landline?") or one whose pronoun needs the earlier turn ("is it
open around the clock?") borrows the conversation's last question, and only that one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.followup import context, resolve, stands_alone
from evals.conversation import conversation_variant
from evals.suite import load_suite

DEV = Path(__file__).resolve().parent.parent / "evals" / "suites" / "dev.yaml"
CLINIC = "Is there a western-style clinic in Almaty?"
POLICE = "What number do I dial for the police from a mobile?"
SOS_ALMATY = "Where is the SOS clinic in Almaty?"
UNRELATED = ["How many migrants did Russia expel in 2024?", "Is Almaty at risk of earthquakes?"]


@pytest.mark.parametrize(
    ("question", "history"),
    [
        pytest.param(
            "is my bank card going to get skimmed if I use cash machines over there in kazakhstan",
            [CLINIC, "and what's their phone number?"],
            id="issue-12-skimming-after-clinic-turns",
        ),
        pytest.param("Where is it safe to use credit cards in Kazakhstan?", UNRELATED, id="dummy-it-safe-to"),
        pytest.param("How long does it take to get a visa?", UNRELATED, id="dummy-it-take"),
        pytest.param(CLINIC, UNRELATED, id="existential-there"),
        pytest.param(
            "Should I get into a cab that already has another passenger in it?",
            UNRELATED,
            id="it-inside-relative-clause",
        ),
        pytest.param(
            "What happens if I cannot show identification when a police officer asks for it?",
            UNRELATED,
            id="it-with-own-topic",
        ),
        pytest.param(
            "What are smash-and-grab car break-ins and where do they happen?",
            UNRELATED,
            id="they-with-own-topic",
        ),
        pytest.param(
            "Can I have a glass of wine and then drive in Kazakhstan?", UNRELATED, id="then-in-mid-sentence"
        ),
        pytest.param("Can I drink the tap water there?", [SOS_ALMATY], id="there-with-own-topic"),
        pytest.param(
            "are there pickpockets on the buses, those little minibuses", UNRELATED, id="those-as-determiner"
        ),
        pytest.param(
            "And what should I do if my passport is stolen?", [SOS_ALMATY], id="leading-and-full-question"
        ),
        pytest.param("erthquake risk almaty", UNRELATED, id="short-verbless-with-topic"),
        pytest.param(
            "after hours phone number of the embassy in bishkek kyrgyzstan",
            UNRELATED,
            id="starts-with-preposition",
        ),
        pytest.param("Are taxis safe?", [SOS_ALMATY], id="short-no-pointer"),
        pytest.param("I was assaulted in Almaty. What should I do?", [POLICE], id="two-sentences"),
        pytest.param("What should I do if I see a demonstration?", UNRELATED, id="no-pointer-few-words"),
    ],
)
def test_standalone_questions_are_never_merged(question, history):
    assert stands_alone(question)
    assert resolve(question, history) == question


@pytest.mark.parametrize(
    ("question", "history", "merged"),
    [
        pytest.param(
            "and what's their phone number?",
            [CLINIC],
            "Is there a western-style clinic in Almaty what's their phone number",
            id="issue-12-their-phone-number",
        ),
        pytest.param("And in Astana?", [SOS_ALMATY], "Where is the SOS clinic in Astana", id="place-swap"),
        pytest.param(
            "And the one in Almaty?",
            ["What is the number of the Regional Security Officer in Astana?"],
            "What is the number of the Regional Security Officer in Almaty",
            id="the-one-in-place-swap",
        ),
        pytest.param("Astana?", [SOS_ALMATY], "Where is the SOS clinic in Astana", id="bare-place-swap"),
        pytest.param(
            "What about from a landline?",
            [POLICE],
            "What number do I dial for the police from a mobile from a landline",
            id="what-about-fragment",
        ),
        pytest.param(
            "And for an ambulance?",
            [POLICE],
            "What number do I dial for the police from a mobile for an ambulance",
            id="prepositional-fragment",
        ),
        pytest.param(
            "And what if it's a weekend or after hours?",
            ["What is the number for American Citizen Services at the embassy?"],
            "What is the number for American Citizen Services at the embassy it's a weekend or after hours",
            id="what-if-lead",
        ),
        pytest.param(
            "Is it okay to get in if someone is already riding in it?",
            ["Tell me about gypsy cabs in Kazakhstan."],
            "Tell me about gypsy cabs in Kazakhstan Is it okay to get in if someone is already riding in it",
            id="riding-in-it",
        ),
        pytest.param(
            "What insurance should I get then?",
            ["Is driving in Kazakhstan dangerous?"],
            "Is driving in Kazakhstan dangerous What insurance should I get then",
            id="final-then",
        ),
        pytest.param(
            "By when do they have to sort out their papers?",
            ["What new rules did Russia introduce for migrants?"],
            "What new rules did Russia introduce for migrants By when do they have to sort out their papers",
            id="they-their",
        ),
        pytest.param(
            "Is it open around the clock?",
            ["What is the phone number of the SOS clinic in Almaty?"],
            "What is the phone number of the SOS clinic in Almaty Is it open around the clock",
            id="is-it-open",
        ),
        pytest.param(
            "how many people usually go to those",
            ["are there protests in almaty"],
            "are there protests in almaty how many people usually go to those",
            id="final-those",
        ),
        pytest.param(
            "Is that safe?",
            ["Can I take a gypsy cab from the airport?"],
            "Can I take a gypsy cab from the airport Is that safe",
            id="is-that",
        ),
        pytest.param("Why?", [POLICE], "What number do I dial for the police from a mobile Why", id="why"),
    ],
)
def test_elliptical_follow_ups_are_merged(question, history, merged):
    assert not stands_alone(question)
    assert resolve(question, history) == merged


@pytest.mark.parametrize(
    ("history", "question", "merged"),
    [
        pytest.param(
            ["What is the most likely crime against travelers?", SOS_ALMATY],
            "Is it open at night?",
            "Where is the SOS clinic in Almaty Is it open at night",
            id="only-the-last-question",
        ),
        pytest.param(
            [SOS_ALMATY, "And in Astana?"],
            "Is it open at night?",
            "Where is the SOS clinic in Astana Is it open at night",
            id="earlier-follow-up-folded-in",
        ),
        pytest.param(
            [SOS_ALMATY, "and their phone number?", "Is ATM skimming a problem in Kazakhstan?"],
            "And in Astana?",
            "Is ATM skimming a problem in Astana",
            id="new-topic-starts-a-new-context",
        ),
        pytest.param(
            [CLINIC, "and what's their phone number?", UNRELATED[0]],
            "and their address?",
            "How many migrants did Russia expel in 2024 their address",
            id="never-two-unrelated-turns",
        ),
        pytest.param(
            ["", "   ", SOS_ALMATY], "And in Astana?", "Where is the SOS clinic in Astana", id="blank-turns"
        ),
    ],
)
def test_the_merged_query_comes_from_the_last_full_question(history, question, merged):
    assert resolve(question, history) == merged


@pytest.mark.parametrize(
    ("history", "question", "merged"),
    [
        pytest.param([SOS_ALMATY], "And in Astana?", "Where is the SOS clinic in Astana", id="in"),
        pytest.param(
            ["What is the embassy number for Almaty?"],
            "And for Astana?",
            "What is the embassy number for Astana",
            id="for",
        ),
        pytest.param(
            ["Is it safe to drive outside Almaty?"],
            "And outside Astana?",
            "Is it safe to drive outside Astana",
            id="outside",
        ),
        pytest.param(
            [SOS_ALMATY],
            "And in East Kazakhstan?",
            "Where is the SOS clinic in East Kazakhstan",
            id="multi-word",
        ),
        pytest.param([SOS_ALMATY], "Astana?", "Where is the SOS clinic in Astana", id="name-alone"),
        pytest.param(
            [SOS_ALMATY],
            "And in astana?",
            "Where is the SOS clinic in Almaty in astana",
            id="lower-case-is-no-place",
        ),
    ],
)
def test_a_place_in_the_follow_up_replaces_the_earlier_place(history, question, merged):
    assert resolve(question, history) == merged


def test_context_is_the_last_question_as_resolved():
    assert context([POLICE]) == POLICE
    assert context([POLICE, SOS_ALMATY, "And in Astana?"]) == "Where is the SOS clinic in Astana"


def test_without_history_the_question_is_unchanged():
    assert resolve("And in Astana?", []) == "And in Astana?"
    assert resolve("And in Astana?", ["", "  "]) == "And in Astana?"


def test_no_dev_standalone_question_is_merged_after_two_unrelated_turns():
    cases = load_suite(DEV)
    for case, variant in zip(cases, conversation_variant(cases), strict=True):
        merged = resolve(variant.question, variant.history) != variant.question
        assert merged == bool(case.history), case.id  # the suite's own follow-ups still merge
