"""The follow-up rules one at a time: topic words, contractions and names, determiners, pronouns
inside a relative clause, leads like "what about", and what a merged query keeps.

``tests/test_followup.py`` checks whole conversations; these cases pin each rule down.
"""

from __future__ import annotations

import pytest

from bot.followup import is_follow_up, resolve, stands_alone, topic_words

SOS_ALMATY = "Where is the SOS clinic in Almaty?"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        pytest.param("Is Almaty safe?", ["Almaty", "safe"], id="a-name-after-the-first-word"),
        pytest.param("Where can I buy a SIM card?", ["buy", "SIM", "card"], id="I-is-not-a-name"),
        pytest.param(
            "Where is the SOS International Clinic in Almaty?", ["SOS", "Almaty"], id="a-name-counts-once"
        ),
        pytest.param("Why can't I pay?", ["pay"], id="cant"),
        pytest.param("Why shouldn't I pay?", ["pay"], id="shouldnt"),
        pytest.param("Why isn’t the embassy open?", ["embassy", "open"], id="curly-apostrophe"),
    ],
)
def test_topic_words_leave_out_general_english(question, topic):
    assert topic_words(question) == topic


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("It's fine to tip?", id="dummy-it"),
        pytest.param("It’s fine to tip?", id="dummy-it-curly-apostrophe"),
        pytest.param("Are those minibuses safe?", id="those-as-determiner"),
        pytest.param("Can I trust these taxis?", id="these-as-determiner-before-the-last-word"),
        pytest.param("What about travel insurance for skiing?", id="what-about-with-three-topic-words"),
    ],
)
def test_questions_with_their_own_referent_stand_alone(question):
    assert stands_alone(question)
    assert not is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("Do those buses go there?", id="there-after-a-determiner"),
        pytest.param("Does the one that sells them deliver there?", id="there-after-a-relative-clause"),
        pytest.param("Is the one that opens late over there?", id="there-is-never-in-the-clause"),
    ],
)
def test_a_pointer_the_question_does_not_explain_makes_a_follow_up(question):
    assert is_follow_up(question)
    assert not stands_alone(question)


def test_a_new_place_keeps_the_follow_ups_other_words():
    merged = resolve("And in Astana after hours?", [SOS_ALMATY])
    assert merged == "Where is the SOS clinic in Astana after hours"
