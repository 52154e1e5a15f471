"""One of each text rule: the sentences, bullets, words, stopwords and places that the index and
the bot share, and proof that each user reads the shared rule rather than a copy."""

from __future__ import annotations

import pytest

from bot import followup, lexical, retrieve, verify
from index import chunk, clean
from index.text import BULLET, QUESTION_PLACE, STOPWORDS, place_names, sentence_spans, words


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("Call 112. Then wait.", ["Call 112.", "Then wait."], id="plain"),
        pytest.param(
            "The U.S. Embassy helps. It is open.", ["The U.S. Embassy helps.", "It is open."], id="us-abbrev"
        ),
        pytest.param("Glenn E. Curtis wrote it. Yes.", ["Glenn E. Curtis wrote it.", "Yes."], id="initial"),
        pytest.param("He said “stop.” Then left.", ["He said “stop.”", "Then left."], id="closing-quote"),
        pytest.param("Is it 112? Yes! Call.", ["Is it 112?", "Yes!", "Call."], id="question-and-exclamation"),
        pytest.param("Dial 112. 02 works too.", ["Dial 112.", "02 works too."], id="digit-starts-a-sentence"),
        pytest.param("He left. “Stop,” she said.", ["He left.", "“Stop,” she said."], id="opening-quote"),
        pytest.param("Dial 112. then wait.", ["Dial 112. then wait."], id="lower-case-never-starts-one"),
        pytest.param(
            "The clinic is at ul. Luganskogo 11. Call first.",
            ["The clinic is at ul. Luganskogo 11.", "Call first."],
            id="street-abbreviation",
        ),
        pytest.param("Tel. 8-727-250-4900 answers. Go.", ["Tel. 8-727-250-4900 answers.", "Go."], id="tel"),
        pytest.param("Open 9 a.m. Daily.", ["Open 9 a.m. Daily."], id="a-m"),
        pytest.param(
            "Crime is low. [Source: Dept. of State. Report 2024.] Next.",
            ["Crime is low.", "[Source: Dept. of State. Report 2024.]", "Next."],
            id="never-inside-brackets",
        ),
        pytest.param("Dial 112. *", ["Dial 112."], id="trailing-layout-mark"),
        pytest.param("No! Call 112.", ["No!", "Call 112."], id="abbreviations-end-in-a-full-stop"),
        pytest.param("Ask Ж. Ivanov. Then go.", ["Ask Ж. Ivanov.", "Then go."], id="initial-in-any-script"),
        pytest.param(
            "Dial 112. ⚠ Check it.", ["Dial 112. ⚠ Check it."], id="a-symbol-does-not-cut-a-document"
        ),
        pytest.param("  ", [], id="blank"),
    ],
)
def test_sentences(source, expected):
    assert [source[s:e] for s, e in sentence_spans(source)] == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("Dial 112. ⚠ Check it.", ["Dial 112.", "⚠ Check it."], id="symbol"),
        pytest.param(
            "Go to Almaty. Öskemen is far.", ["Go to Almaty.", "Öskemen is far."], id="non-ascii-capital"
        ),
        pytest.param("Dial 112. then wait.", ["Dial 112. then wait."], id="lower-case-still-continues"),
        pytest.param(
            "The U.S. Embassy helps. Call.", ["The U.S. Embassy helps.", "Call."], id="same-abbreviations"
        ),
    ],
)
def test_sentences_in_a_models_wording(source, expected):
    assert [source[s:e] for s, e in sentence_spans(source, wording=True)] == expected


def test_sentence_offsets_are_absolute_within_a_slice():
    source = "Header\nCall 112. Then wait.\nFooter"
    start, end = source.index("Call"), source.index("\nFooter")
    assert sentence_spans(source, start, end) == [(7, 16), (17, 27)]
    assert [source[s:e] for s, e in sentence_spans(source, start, end)] == ["Call 112.", "Then wait."]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("- Dial 112", id="hyphen"),
        pytest.param("– Dial 112", id="en-dash"),
        pytest.param("• Dial 112", id="bullet"),
        pytest.param("● Dial 112", id="black-circle"),
        pytest.param("▪ Dial 112", id="square"),
        pytest.param("◦ Dial 112", id="white-bullet"),
        pytest.param("* Dial 112", id="asterisk"),
        pytest.param("  2) Dial 112", id="indented-number-bracket"),
        pytest.param("10. Dial 112", id="two-digit-number"),
    ],
)
def test_bullets(line):
    assert BULLET.sub("", line) == "Dial 112"


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("-5 degrees at night", id="negative-number"),
        pytest.param("2024. A year of change", id="year"),
        pytest.param("100. Dial 112", id="three-digit-number"),
        pytest.param("— Dial 112", id="em-dash"),
        pytest.param("Dial 112 - or 02", id="hyphen-inside"),
    ],
)
def test_not_bullets(line):
    assert not BULLET.match(line)


@pytest.mark.parametrize(
    ("source", "every_script", "expected"),
    [
        pytest.param("Öskemen's 112", False, ["oskemen", "s", "112"], id="folded-and-split"),
        pytest.param("fiancée’s", False, ["fiancee", "s"], id="curly-apostrophe"),
        pytest.param("SOS_clinic", False, ["sos", "clinic"], id="underscore-splits"),
        pytest.param("Алматы 112", False, ["112"], id="retrieval-indexes-ascii-only"),
        pytest.param("Алматы 112", True, ["алматы", "112"], id="every-script-for-the-verifier"),
        pytest.param("Café №5", True, ["cafe", "no5"], id="every-script-still-folds"),
    ],
)
def test_words(source, every_script, expected):
    assert words(source, every_script=every_script) == expected


@pytest.mark.parametrize(
    ("word", "stop"),
    [
        pytest.param("the", True, id="article"),
        pytest.param("please", True, id="politeness"),
        pytest.param("where", True, id="wh-word"),
        pytest.param("through", False, id="preposition-not-listed"),
        pytest.param("police", False, id="topic-word"),
        pytest.param("safe", False, id="everyday-topic-word"),
    ],
)
def test_stopwords_are_general_english(word, stop):
    assert (word in STOPWORDS) is stop


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "The clinic in Almaty City is near Astana.", ["Almaty", "Astana"], id="first-word-of-name"
        ),
        pytest.param("Avoid driving outside Aktau at night.", ["Aktau"], id="outside"),
        pytest.param("Flights from Nur-Sultan to Oskemen", ["Nur-Sultan", "Oskemen"], id="hyphenated"),
        pytest.param("Advice for Americans", [], id="for-is-not-a-place-in-documents"),
        pytest.param("In Almaty, crime is low.", [], id="capital-preposition-starts-a-sentence"),
        pytest.param("the clinic in almaty", [], id="lower-case-name"),
    ],
)
def test_place_names_in_documents(source, expected):
    assert list(place_names(source)) == expected


@pytest.mark.parametrize(
    ("question", "place"),
    [
        pytest.param("And for Astana?", "Astana", id="for"),
        pytest.param("And outside Astana?", "Astana", id="outside"),
        pytest.param("And the one in East Kazakhstan?", "East Kazakhstan", id="multi-word"),
        pytest.param("And the embassy?", None, id="no-place"),
    ],
)
def test_place_in_a_question(question, place):
    m = QUESTION_PLACE.search(question)
    assert (m.group(2) if m else None) == place


@pytest.mark.parametrize(
    ("user", "name", "rule"),
    [
        pytest.param(chunk, "sentence_spans", sentence_spans, id="chunk-sentences"),
        pytest.param(verify, "sentence_spans", sentence_spans, id="verify-sentences"),
        pytest.param(chunk, "BULLET", BULLET, id="chunk-bullet"),
        pytest.param(clean, "_BULLET", BULLET, id="clean-bullet"),
        pytest.param(verify, "BULLET", BULLET, id="verify-bullet"),
        pytest.param(lexical, "words", words, id="lexical-words"),
        pytest.param(verify, "words", words, id="verify-words"),
        pytest.param(lexical, "STOPWORDS", STOPWORDS, id="lexical-stopwords"),
        pytest.param(verify, "STOPWORDS", STOPWORDS, id="verify-stopwords"),
        pytest.param(retrieve, "place_names", place_names, id="retrieve-places"),
        pytest.param(followup, "QUESTION_PLACE", QUESTION_PLACE, id="followup-places"),
    ],
)
def test_each_user_reads_the_shared_rule(user, name, rule):
    assert getattr(user, name) is rule


def test_no_copy_of_a_rule_is_left_behind():
    copies = {
        chunk: ["_ABBREV", "_SPLIT"],
        verify: ["_ABBREVIATIONS", "_BOUNDARY", "_BULLET", "_STOPWORDS"],
        retrieve: ["_PLACE"],
        followup: ["_PLACE", "_NAME"],
    }
    left = [f"{m.__name__}.{a}" for m, attrs in copies.items() for a in attrs if hasattr(m, a)]
    assert left == []
