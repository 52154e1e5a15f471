"""What a question asks: weighted terms, typo fixes, names, and the kind of answer it wants.

Rare words weigh most (inverse document frequency over the index), so everyday words ("safe",
"best") weigh little in any corpus without a list naming them; form words ("number", "where")
say what shape the answer takes but not its topic. Every word list here is general English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.lexical import STOPWORDS, stem, words
from bot.retrieve import Snapshot

FORM_WORDS = frozenset(
    """
    number numbers phone call dial contact reach address located location find get ring hotline
    country countries city cities town year years date name names region place type percent
    percentage
    """.split()
)
FORM_WEIGHT = 1.0
# General-English cues of the kind of answer a question wants, checked in this order.
ANSWER_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"\b(numbers?|phone|dial|hotline|how (many|much)|percent(age)?)\b", re.I)),
    ("date", re.compile(r"\b(when|what (year|date|month)|which (year|date|month))\b", re.I)),
    ("place", re.compile(r"\b(where|address|located|location)\b", re.I)),
    ("name", re.compile(r"\b(who|whom|whose)\b", re.I)),
)
_NAME = re.compile(r"\b[A-Z][a-z][a-zA-Z\-]+\b")


@dataclass
class QueryTerms:
    groups: list[tuple[str, frozenset[str], float]]  # word, accepted stems, weight
    names: list[str]  # place or proper names the question mentions (stemmed)
    wants_number: bool = False
    corrected: str = ""  # the question with typos fixed, for the dense embedding
    kind: str | None = None  # "number", "date", "place" or "name" when the question says so

    @property
    def total(self) -> float:
        return sum(w for _, _, w in self.groups) or 1.0


def query_terms(question: str, snapshot: Snapshot) -> QueryTerms:
    lex = snapshot.lexical
    unseen = lex.idf("\0unseen\0")
    groups = []
    fixes: dict[str, str] = {}
    for word in dict.fromkeys(w for w in words(question) if w not in STOPWORDS):
        fixed = correct(word, snapshot)
        if fixed != word:
            fixes[word] = fixed
        accepted = frozenset({stem(word), stem(fixed)})
        known = [lex.idf(t) for t in accepted if t in lex.vocab]
        if not known and len(word) <= 3:
            continue  # an unknown scrap such as "cel" or "pls": a typo, not the point of the question
        weight = FORM_WEIGHT if word in FORM_WORDS else (max(known) if known else unseen)
        groups.append((word, accepted, weight))
    parts = [w for name in proper_names(question) for w in words(name) if len(w) >= 3]
    names = [stem(correct(w, snapshot)) for w in parts]
    kind = answer_kind(question)
    return QueryTerms(
        groups=groups,
        names=[n for n in names if n not in STOPWORDS],
        wants_number=kind == "number",
        corrected=_apply(question, fixes),
        kind=kind,
    )


def answer_kind(question: str) -> str | None:
    return next((kind for kind, cue in ANSWER_KINDS if cue.search(question)), None)


def found(accepted: frozenset[str], where: set[str]) -> bool:
    """Exact stem, or one stem extending the other ("cover" ~ "coverag", "identif" ~ "identifi")."""
    if accepted & where:
        return True
    return any(
        len(a) >= 4 and len(t) >= 4 and (t.startswith(a) or a.startswith(t)) for a in accepted for t in where
    )


def coverage(terms: QueryTerms, unit_tokens: set[str], context_tokens: set[str] = frozenset()) -> float:
    """Share of the question's weight found in the unit (context words count half)."""
    got = 0.0
    for _, accepted, weight in terms.groups:
        if found(accepted, unit_tokens):
            got += weight
        elif found(accepted, context_tokens):
            got += weight / 2
    return got / terms.total


def proper_names(question: str) -> list[str]:
    """Capitalized words that are not just the first word of a sentence."""
    out = []
    for m in _NAME.finditer(question):
        before = question[: m.start()].rstrip()
        if before and before[-1] not in '.!?:;"“(':
            out.append(m.group(0))
    return out


def correct(word: str, snapshot: Snapshot) -> str:
    """A typo's nearest index word ("polise" -> "police"); known, short and numeric words stay."""
    vocab = snapshot.lexical.vocab
    if len(word) < 5 or word.isdigit() or stem(word) in vocab:
        return word
    limit = 1 if len(word) < 8 else 2
    best, best_d = word, limit + 1
    for cand in snapshot.surface_words.get(word[0], ()):
        if abs(len(cand) - len(word)) > limit:
            continue
        d = Levenshtein.distance(word, cand, score_cutoff=limit)  # limit + 1 when further
        if d < best_d:
            best, best_d = cand, d
    return best


def _apply(question: str, fixes: dict[str, str]) -> str:
    if not fixes:
        return question
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.I)
    return pattern.sub(lambda m: fixes[m.group(0).lower()], question)
