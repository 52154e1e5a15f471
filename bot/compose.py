"""Extractive answer composition: pick the source sentences that answer the question.

No model writes anything here. A quote is a unit span recorded at index time (a sentence or an
address list), so it is an exact substring of the source. Whether the sources answer at all is
decided from evidence: how much of the question's weight a sentence covers (rare words count
most, synonyms count), how close the passage is in meaning, and whether places the question
names are ones its document talks about.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.lexical import STOPWORDS, SYNONYMS, stem, tokens, words
from bot.retrieve import Hit, Snapshot

PASSAGES_CONSIDERED = 10
# Words that ask for the kind of answer (a number, a place) rather than naming the topic.
FORM_WORDS = frozenset(
    """
    number numbers phone call dial contact reach address located location find get ring
    """.split()
)
FORM_WEIGHT = 1.0
# Question filler that says nothing about what the sources must contain.
FILLER = frozenset(
    """
    safe safely safety use using carry active best good bad worst way ways happen happening happens
    usually often really much many kind sort thing things something anything advice advise tips tip
    know aware visitor visitors traveler travelers traveller travellers tourist tourists foreigner
    foreigners people person someone anyone american americans mean say says said
    """.split()
)
MIN_COVERAGE = 0.5
MIN_DENSE = 0.3
WEAK_COVERAGE = 0.35
STRONG_DENSE = 0.6
NEAR_BEST = 0.8
_NAME = re.compile(r"\b[A-Z][a-z][a-zA-Z\-]+\b")


@dataclass
class Unit:
    passage: int  # index in the snapshot
    start: int  # offsets within the passage text
    end: int
    coverage: float
    dense: float
    score: float

    def key(self) -> tuple[int, int, int]:
        return self.passage, self.start, self.end


@dataclass
class QueryTerms:
    groups: list[tuple[str, frozenset[str], float]]  # word, accepted stems, weight
    names: list[str]  # place or proper names the question mentions (stemmed)

    @property
    def total(self) -> float:
        return sum(w for _, _, w in self.groups) or 1.0

    @property
    def anchor(self) -> frozenset[str]:
        """The rarest idea in the question: an answer must contain it (or a synonym)."""
        return max(self.groups, key=lambda g: g[2])[1] if self.groups else frozenset()


def query_terms(question: str, snapshot: Snapshot) -> QueryTerms:
    lex = snapshot.lexical
    max_idf = lex.idf("\0unseen\0")
    groups = []
    for word in dict.fromkeys(w for w in words(question) if w not in STOPWORDS and w not in FILLER):
        base = correct(stem(word), lex.vocab)
        accepted = frozenset({base, stem(word), *(stem(s) for s in SYNONYMS.get(word, ()))})
        known = [lex.idf(t) for t in accepted if t in lex.vocab]
        if not known and len(word) <= 3:
            continue  # an unknown scrap such as "cel" or "pls": a typo, not the point of the question
        weight = max(known) if known else max_idf
        if word in FORM_WORDS:
            weight = FORM_WEIGHT  # "number", "where": the shape of the answer, not its topic
        groups.append((word, accepted, weight))
    names = [correct(stem(n.lower()), lex.vocab) for n in proper_names(question)]
    names = [n for n in names if n not in STOPWORDS]
    return QueryTerms(groups, names)


def proper_names(question: str) -> list[str]:
    """Capitalized words that are not just the first word of a sentence."""
    out = []
    for m in _NAME.finditer(question):
        before = question[: m.start()].rstrip()
        if before and before[-1] not in '.!?:;"“(':
            out.append(m.group(0))
    return out


def correct(token: str, vocab: dict) -> str:
    """A typo's nearest index word ("polise" -> "police"), only for unknown words of 4+ letters."""
    if token in vocab or len(token) < 4 or token.isdigit():
        return token
    limit = 1 if len(token) < 7 else 2
    best, best_d = token, limit + 1
    for cand in vocab:
        if cand[:1] != token[:1] or abs(len(cand) - len(token)) > limit:
            continue
        d = _distance(token, cand, limit)
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


def coverage(terms: QueryTerms, unit_tokens: set[str], context_tokens: set[str]) -> float:
    """Share of the question's weight found in the unit (context words count half)."""
    got = 0.0
    for _, accepted, weight in terms.groups:
        if accepted & unit_tokens:
            got += weight
        elif accepted & context_tokens:
            got += weight / 2
    return got / terms.total


def unknown_names(terms: QueryTerms, snapshot: Snapshot) -> list[str]:
    vocab = snapshot.lexical.vocab
    return [n for n in terms.names if n not in vocab]


def candidate_units(snapshot: Snapshot, hits: list[Hit], terms: QueryTerms) -> list[Unit]:
    units: list[Unit] = []
    for rank, hit in enumerate(hits[:PASSAGES_CONSIDERED]):
        meta = snapshot.metadatas[hit.index]
        vocab = snapshot.doc_vocab.get(meta["source_id"], set())
        if any(n not in vocab for n in terms.names):
            continue  # the question names a place this document never mentions
        text = snapshot.texts[hit.index]
        context = set(tokens(f"{meta.get('section', '')} {text}"))
        for start, end in json.loads(meta["units"]):
            cov = coverage(terms, set(tokens(text[start:end])), context)
            score = 0.6 * cov + 0.4 * max(hit.dense, 0.0) + 0.02 / (1 + rank)
            units.append(Unit(hit.index, start, end, cov, hit.dense, score))
    return sorted(units, key=lambda u: u.score, reverse=True)


def answerable(best: Unit | None) -> bool:
    """Enough of the question's topic is in the sentence, and the passage is about it."""
    if best is None:
        return False
    return (best.coverage >= MIN_COVERAGE and best.dense >= MIN_DENSE) or (
        best.coverage >= WEAK_COVERAGE and best.dense >= STRONG_DENSE
    )


def select(snapshot: Snapshot, units: list[Unit], limit: int) -> list[Unit]:
    """The best unit, then close runners-up that say something different, newest first on ties."""
    if not units or not answerable(units[0]):
        return []
    best = units[0]
    chosen: list[Unit] = []
    for unit in units:
        if len(chosen) >= limit:
            break
        if unit.score < NEAR_BEST * best.score or not answerable(unit):
            continue
        text = _unit_text(snapshot, unit)
        dup = next((c for c in chosen if _similar(text, _unit_text(snapshot, c))), None)
        if dup is None:
            chosen.append(unit)
        elif _date(snapshot, unit) > _date(snapshot, dup):
            chosen[chosen.index(dup)] = unit
    return chosen


def _unit_text(snapshot: Snapshot, unit: Unit) -> str:
    return snapshot.texts[unit.passage][unit.start : unit.end]


def _similar(a: str, b: str) -> bool:
    ta, tb = set(tokens(a)), set(tokens(b))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.6


def _date(snapshot: Snapshot, unit: Unit) -> str:
    date = snapshot.metadatas[unit.passage].get("date", "unknown")
    return "" if date == "unknown" else date
