"""Resolve a follow-up ("And in Astana?", "What about from a landline?") with earlier user turns.

Rule-based, used when no LLM is configured. A question is merged with the conversation only if
it cannot stand on its own; the evidence is general English, never the corpus's vocabulary:

* **Topic words** are the words left once general-English function words are removed (pronouns,
  determiners, auxiliaries and modals, wh-words, prepositions, conjunctions, common adverbs, the
  light verbs *get* and *go*); a name counts once ("SOS International Clinic"). A question with
  ``OWN_TOPIC`` (3) or more topic words has a topic of its own and stands alone, whatever
  pronouns it contains: "is my bank card going to get skimmed if I use cash machines over there"
  is a new question, not a follow-up because of "there".
* Below that, it is a follow-up when it is **elliptical** — no topic word at all ("why?", "what
  should I do?"), a phrase with no verb (no auxiliary, modal or wh-word) of fewer than
  ``OWN_TOPIC`` topic words ("and from a landline?", "and in Astana?", "Astana?"), or led by
  "what about", "how about", "what if", "same for" — or when it **points back** with a pronoun
  whose referent is not in the question itself ("and what's their phone number?", "is it open
  around the clock?", "by when do they have to sort out their papers?", "what insurance should
  I get then?"). Dummy *it* ("is it safe to...", "how long does it take"), existential *there*
  ("is there a clinic...") and a pronoun inside a relative clause
  ("a cab that already has a passenger in it") do not point back.

A follow-up is merged with the conversation's last question as resolved so far: the latest
standalone turn, with the follow-ups after it folded in, so a follow-up never joins two
unrelated earlier turns. A place in the follow-up replaces the earlier question's place
("...Officer in Astana?" + "And the one in Almaty?" -> "...Officer in Almaty"); otherwise the
follow-up's words are appended. Places are found by ``index.text.QUESTION_PLACE``, the place
rule ``bot.retrieve`` uses on documents plus "for" ("and the one for Astana?").

Embedding similarity to the earlier turn was measured as an extra signal and left out: a
question that points back shares little wording with the turn it points to, so real follow-ups
(cosine 0.12-0.29 to their earlier turn) and unrelated standalone questions (0.05-0.20) overlap
and no cut-off separates them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.text import NAME, QUESTION_PLACE

OWN_TOPIC = 3
"""Topic words from which a question stands alone even with a pronoun or a leading "and"."""

# ------------------------------------------------------------------ general-English word classes

_PRONOUNS = set(
    """i me my mine myself you your yours yourself yourselves we us our ours ourselves he him his
    himself she her hers herself it its itself they them their theirs themselves one ones someone
    somebody anyone anybody everyone everybody nobody something anything everything nothing
    somewhere anywhere everywhere""".split()
)
_DETERMINERS = set(
    """a an the this that these those some any no every each all both either neither another other
    others such much many more most few fewer less least several enough same own""".split()
)
_AUXILIARIES = set(
    """am is are was were be been being do does did done doing have has had having can could may
    might must shall should will would ought cannot ca wo s re m ve ll d""".split()
)
_WH = set("what which who whom whose when where why how whether".split())
_PREPOSITIONS = set(
    """about above across after against along among around as at before behind below beneath
    beside besides between beyond by despite down during except for from in inside into like near
    nearby of off on onto out outside over past per since through throughout till to toward
    towards under underneath until up upon via with within without""".split()
)
_CONJUNCTIONS = set("and or but nor so yet if then than because though although unless while".split())
_ADVERBS = set(
    """also too very really just still even already again ever never always often sometimes usually
    now here there then soon only quite rather maybe perhaps please else instead anyway actually
    generally not n't t yes ok okay alright fine well oh hi hello thanks thank""".split()
)
_LIGHT_VERBS = set("get gets got gotten getting go goes going went gone gonna".split())
_FUNCTION = (
    _PRONOUNS | _DETERMINERS | _AUXILIARIES | _WH | _PREPOSITIONS | _CONJUNCTIONS | _ADVERBS | _LIGHT_VERBS
)

# "and", "so", "also"... only join; "what about", "the one" make the rest elliptical.
_JOINERS = r"and|or|but|also|then|so|plus|ok|okay|well|oh"
_ELLIPTICAL = r"what about|how about|what if|same for|same with|the one|the ones"
_LEAD = re.compile(rf"^\s*(?:(?:{_JOINERS}|{_ELLIPTICAL})\b[\s,]*)+", re.I)
_ELLIPTICAL_LEAD = re.compile(rf"^\s*(?:(?:{_JOINERS})\b[\s,]*)*(?:{_ELLIPTICAL})\b", re.I)

_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*(?:'[A-Za-z]+)?")
# Pronouns that need a referent; "it" and "there" only when not dummy / existential (below).
_POINTERS = {"it", "its", "they", "them", "their", "theirs", "those", "these", "he", "him", "his"}
_POINTERS |= {"she", "her", "there"}
_DUMMY_IT = re.compile(
    r"\b(?:(?:is|was|will|would|isn't|wasn't)\s+it|it\s+(?:is|was|will\s+be|would\s+be)|it's)\s+"
    r"(?:\w+\s+)?(?:to|for|if|that|when|whether)\b"  # is it safe to..., it's better if...
    r"|\bit\s+(?:takes?|took|costs?|cost)\b"  # how long does it take
    r"|\b(?:does|did|do)\s+it\s+(?:take|cost|matter)\b",
    re.I,
)
_EXISTENTIAL_THERE = re.compile(
    r"\b(?:is|are|was|were|isn't|aren't|will|would|could|might|can)\s+there\b"
    r"|\bthere\s+(?:is|are|was|were|will|would|could|might|may|must|should|has|have|seems?|used)\b"
    r"|\bthere's\b|\bthere're\b",
    re.I,
)
_DEMONSTRATIVE = re.compile(
    r"\b(?:this|that)\s+one\b|\b(?:is|was|does|did|can|will|would)\s+(?:this|that)\b"
    r"|\b(?:this|that)\s+(?:is|was|does|means?|sounds?)\b|\b(?:this|that)\s*[?.!]*\s*$"
    r"|\bthe\s+same\b|\bthen\s*[?.!]*\s*$",
    re.I,
)
# A noun phrase with a relative clause: a later pronoun in the clause refers to it.
_RELATIVE = re.compile(
    r"\b(?:a|an|the|another|some|any|my|your|our)\s+(?:[\w\-]+\s+){0,3}?[\w\-]+\s+(?:that|which|who|whose)\b",
    re.I,
)
_NAME_ONLY = re.compile(rf"^()({NAME})\s*[?.!]*$")  # "Astana?": a place with its preposition left out


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.replace("\u2019", "'"))


def _split(word: str) -> list[str]:
    """Contractions split: "what's" -> ["what", "s"]; "isn't" -> ["is", "n't"]."""
    low = word.lower()
    if low.endswith("n't"):
        return [low[:-3], "n't"]
    return low.split("'")


def topic_words(text: str) -> list[str]:
    """Words that are not general-English function words; a name counts once, however many
    capitalised words it has ("SOS International Clinic"). The first word's capital is the
    sentence's, not a name's."""
    out: list[str] = []
    in_name = False
    for i, word in enumerate(_tokens(text)):
        if i > 0 and word[0].isupper() and word.lower() != "i":
            if not in_name:
                out.append(word)
            in_name = True
            continue
        in_name = False
        out += [p for p in _split(word) if p and p not in _FUNCTION]
    return out


def _has_verb_frame(words: list[str]) -> bool:
    """A wh-word, an auxiliary or a modal: the question has a clause, not just a phrase."""
    return any(p in _AUXILIARIES or p in _WH for w in words for p in _split(w))


def _points_back(question: str) -> bool:
    """A pronoun that needs a referent the question itself does not give."""
    if _DEMONSTRATIVE.search(question):
        return True
    text = _EXISTENTIAL_THERE.sub(" ", _DUMMY_IT.sub(" ", question.replace("\u2019", "'")))
    words = _tokens(text)
    for i, word in enumerate(words):
        pointer = _split(word)[0]
        if pointer not in _POINTERS:
            continue
        following = _split(words[i + 1])[0] if i + 1 < len(words) else ""
        if pointer in {"those", "these"} and following and following not in _FUNCTION:
            continue  # a determiner: "those little minibuses"
        if pointer != "there" and _RELATIVE.search(" ".join(words[:i])):
            continue  # "a cab that already has another passenger in it": the referent is right there
        return True
    return False


def _body(question: str) -> str:
    return _LEAD.sub("", question).strip()


def is_elliptical(question: str) -> bool:
    """A phrase that only makes sense with an earlier question: "and from a landline?"."""
    body = _body(question)
    words = _tokens(body)
    own = topic_words(body)
    if not own:
        return True  # "And?", "Why?", "What should I do?", "And in Astana?"
    if _ELLIPTICAL_LEAD.match(question):
        return len(own) < OWN_TOPIC
    if _has_verb_frame(words):
        return False
    return len(own) < OWN_TOPIC


def stands_alone(question: str) -> bool:
    """True if ``question`` has a topic of its own and is not a fragment of an earlier one."""
    if is_elliptical(question):
        return False
    return not _points_back(question) or len(topic_words(_body(question))) >= OWN_TOPIC


def is_follow_up(question: str) -> bool:
    return not stands_alone(question)


def resolve(question: str, history: Sequence[str]) -> str:
    """The question to retrieve with: itself, or the conversation's last question merged with it."""
    earlier = [h.strip() for h in history if h and h.strip()]
    if not earlier or stands_alone(question):
        return question
    return _merge(context(earlier), question)


def context(earlier: Sequence[str]) -> str:
    """The last of ``earlier`` as it was resolved: its standalone turn with later follow-ups folded
    in ("Where is the clinic in Almaty?", "And in Astana?" -> "Where is the clinic in Astana")."""
    start = next((i for i in range(len(earlier) - 1, 0, -1) if stands_alone(earlier[i])), 0)
    query = earlier[start]
    for turn in earlier[start + 1 :]:
        query = _merge(query, turn)
    return query


def _merge(base: str, question: str) -> str:
    """``base`` with the follow-up's place swapped in, or with the follow-up's words appended."""
    base = base.strip().rstrip("?.! ")
    rest = _body(question).rstrip("?.! ")
    new_place = QUESTION_PLACE.search(question) or _NAME_ONLY.match(rest)
    old_places = list(QUESTION_PLACE.finditer(base))
    if new_place and old_places:
        old = old_places[-1]
        base = base[: old.start(2)] + new_place.group(2) + base[old.end(2) :]
        rest = "" if _NAME_ONLY.match(rest) else QUESTION_PLACE.sub("", rest).strip()
        rest = re.sub(r"^(?:the one|in|at|for)\b\s*", "", rest, flags=re.I).strip()
    return f"{base} {rest}".strip()
