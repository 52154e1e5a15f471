"""The text rules ingestion and answering share: sentences, list bullets, words, stopwords, places.

Each rule is written once. ``index.chunk`` cuts sources into sentences with ``sentence_spans``
and ``bot.verify`` cuts a model's wording with it (``wording=True``: more than a capital starts
a sentence); ``BULLET`` is the list-item rule of both. ``words`` and ``STOPWORDS`` are
retrieval's tokens and the verifier's content words. ``PLACE`` finds "in Almaty" in documents,
``QUESTION_PLACE`` in follow-ups. Plain ``re`` and ``unicodedata``: importing this costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# ------------------------------------------------------------------------------------ sentences

#: words that end in a full stop without ending a sentence ("U.S.", "Dr.", "ul. Luganskogo")
ABBREVIATIONS = frozenset(
    """
    u.s u.n u.k mr mrs ms dr st no vs e.g i.e etc approx jan feb mar apr jun jul aug sep sept oct
    nov dec inc ltd co corp gen gov sen rep prof jr sr ave blvd mt ft a.m p.m tel ul pr dept
    """.split()
)
# A stop, closing quotes or brackets, then space before what may start the next sentence. In a
# document: a capital, a digit or a citation "[", perhaps after an opening quote or bracket, so
# layout symbols and emoji inside a line never cut it. In a model's wording: anything but a
# lower-case letter ("⚠ These sources...", "Öskemen..."), so no claim rides in the tail of
# another sentence and borrows its citation.
_DOCUMENT_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*(\s+)(?=[\"“‘(\[]?[A-Z0-9\[])")
_WORDING_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*(\s+)(?=[^\sa-z])")
_LAST_WORD = re.compile(r"(\S+)$")
_INITIALS = re.compile(r"[^\W\d_]|(?:[^\W\d_]\.)+[^\W\d_]")  # "E." in "Glenn E. Curtis", "U.S.A."
_TRAILING_MARK = re.compile(r"\s+[*|~^+/\\-]{1,4}\s*$")  # a footnote or layout mark after a sentence


def sentence_spans(
    text: str, start: int = 0, end: int | None = None, *, wording: bool = False
) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as absolute, trimmed spans.

    Abbreviations and initials do not end a sentence, nor does a stop inside brackets (a
    "[Source: ...]" attribution). Offsets, not strings, so the index can quote the exact source.
    ``wording=True`` reads a model's text, where anything but a lower-case letter starts a sentence.
    """
    end = len(text) if end is None else end
    boundary = _WORDING_BOUNDARY if wording else _DOCUMENT_BOUNDARY
    spans: list[tuple[int, int]] = []
    cur = start
    for m in boundary.finditer(text, start, end):
        cut = m.start(1)
        if text.count("[", cur, cut) > text.count("]", cur, cut):
            continue
        if _abbreviated(text[cur:cut]):
            continue
        spans.append((cur, cut))
        cur = m.end(1)
    spans.append((cur, end))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _abbreviated(before: str) -> bool:
    """The text up to a full stop ends in an abbreviation or an initial rather than a sentence."""
    word = _LAST_WORD.search(before)
    token = word.group(1).rstrip('"”’)]') if word else ""
    if not token.endswith("."):
        return False  # "No!" ends a sentence; "No." before a number does not
    token = token.rstrip(".").lower()  # "(e.g." stays unknown: the index has always cut after it
    return token in ABBREVIATIONS or bool(_INITIALS.fullmatch(token))


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    seg = text[s:e]
    e = s + len(_TRAILING_MARK.sub("", seg.rstrip()).rstrip())
    s += len(seg) - len(seg.lstrip())
    return s, e


#: a list bullet or number at the start of a line ("• ", "- ", "– ", "2) ", "10. ")
BULLET = re.compile(r"^\s*(?:[•●▪◦*\-–]|\d{1,2}[.)])\s+")

# ------------------------------------------------------------------------- words and stopwords

#: general English that says nothing about a topic; no word of any corpus or suite
STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for from with about as into over under is are was were
    be been being do does did doing have has had having i me my we our you your he she it its they
    them their this that these those there here what which who whom whose when where why how can
    could should would will shall may might must not no nor so than too very just also any some such
    only own same other again further then once all both each few more most s t don now tell know
    please need want get go like one up out off down am let us ok okay hi hello thanks thank yes
    """.split()
)

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ANY_WORD = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Lower case without accents, so "fiancée" meets "fiancee" and "Öskemen" meets "Oskemen"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("’", "'").lower()


def words(text: str, *, every_script: bool = False) -> list[str]:
    """Normalized words and numbers: "Öskemen's 112" -> ["oskemen", "s", "112"].

    Retrieval indexes a-z and 0-9 only. ``every_script`` keeps letters and digits of any script
    ("алматы"): the verifier must see a word it cannot find, whatever its alphabet.
    """
    return (_ANY_WORD if every_script else _ASCII_WORD).findall(normalize(text))


# ------------------------------------------------------------------------------------- places

#: a capitalised name of one or more words: "Almaty", "Nur-Sultan", "East Kazakhstan"
NAME = r"[A-Z][a-z][\w\-]*(?:\s+[A-Z][a-z][\w\-]*)*"
#: prepositions a place follows in a document: "in Almaty", "outside Astana"
PLACE_PREPOSITIONS = ("in", "at", "from", "near", "outside", "to")
#: in a question "for" names a place too ("and the one for Astana?"); in a document it is as
#: often followed by an organisation or a people ("for Foreign Affairs", "for Americans")
QUESTION_PLACE_PREPOSITIONS = (*PLACE_PREPOSITIONS, "for")


def place_rule(prepositions: tuple[str, ...] = PLACE_PREPOSITIONS) -> re.Pattern[str]:
    """Group 1 is the preposition, group 2 the name; only a lower-case preposition counts."""
    return re.compile(rf"\b({'|'.join(prepositions)})\s+({NAME})")


PLACE = place_rule()
QUESTION_PLACE = place_rule(QUESTION_PLACE_PREPOSITIONS)


def place_names(text: str) -> Iterator[str]:
    """The first word of each name after a place preposition in a document: "Almaty" in "the
    clinic in Almaty City"."""
    for m in PLACE.finditer(text):
        yield m.group(2).split()[0]
