"""What a question asks, in the sources' own words: weighted terms, typo fixes, names, form.

Rare words weigh most (inverse document frequency over the index); synonyms count as the word
("mobile" ~ "cell phones"); form words ("number", "where") say what shape the answer takes but
not its topic; filler ("safe", "best", "tips") weighs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.lexical import STOPWORDS, SYNONYMS, stem, words
from bot.retrieve import Snapshot

FORM_WORDS = frozenset(
    """
    number numbers phone call dial contact reach address located location find get ring hotline
    country countries city cities town year years date name names region place type percent
    percentage
    """.split()
)
# A question with one of these wants digits in its answer.
NUMBER_WORDS = frozenset("number numbers phone call dial ring hotline".split())
FORM_WEIGHT = 1.0
FILLER = frozenset(
    """
    safe safely safety use using carry active best good bad worst way ways happen happening happens
    usually often really much many kind sort thing things something anything advice advise
    know aware visitor visitors traveler travelers traveller travellers tourist tourists foreigner
    foreigners people person someone anyone mean say says said going goes went come coming even still
    nothing wrong might ask asks asked show make sure while
    """.split()
)
_NAME = re.compile(r"\b[A-Z][a-z][a-zA-Z\-]+\b")


@dataclass
class QueryTerms:
    groups: list[tuple[str, frozenset[str], float]]  # word, accepted stems, weight
    names: list[str]  # place or proper names the question mentions (stemmed)
    wants_number: bool = False
    corrected: str = ""  # the question with typos fixed, for the dense embedding

    @property
    def total(self) -> float:
        return sum(w for _, _, w in self.groups) or 1.0


def query_terms(question: str, snapshot: Snapshot) -> QueryTerms:
    lex = snapshot.lexical
    unseen = lex.idf("\0unseen\0")
    groups = []
    fixes: dict[str, str] = {}
    for word in dict.fromkeys(w for w in words(question) if w not in STOPWORDS and w not in FILLER):
        fixed = correct(word, snapshot)
        if fixed != word:
            fixes[word] = fixed
        accepted = frozenset({stem(word), stem(fixed), *(stem(s) for s in SYNONYMS.get(fixed, ()))})
        known = [lex.idf(t) for t in accepted if t in lex.vocab]
        if not known and len(word) <= 3:
            continue  # an unknown scrap such as "cel" or "pls": a typo, not the point of the question
        weight = FORM_WEIGHT if word in FORM_WORDS else (max(known) if known else unseen)
        groups.append((word, accepted, weight))
    parts = [w for name in proper_names(question) for w in words(name) if len(w) >= 3]
    names = [stem(correct(w, snapshot)) for w in parts]
    return QueryTerms(
        groups=groups,
        names=[n for n in names if n not in STOPWORDS],
        wants_number=any(w in NUMBER_WORDS for w in words(question)),
        corrected=_apply(question, fixes),
    )


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
    if len(word) < 5 or word.isdigit() or stem(word) in vocab or word in SYNONYMS:
        return word
    limit = 1 if len(word) < 8 else 2
    best, best_d = word, limit + 1
    for cand in snapshot.surface_words.get(word[0], ()):
        if abs(len(cand) - len(word)) > limit:
            continue
        d = _distance(word, cand, limit)
        if d < best_d:
            best, best_d = cand, d
    return best


def _distance(a: str, b: str, limit: int) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _apply(question: str, fixes: dict[str, str]) -> str:
    if not fixes:
        return question
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.I)
    return pattern.sub(lambda m: fixes[m.group(0).lower()], question)
