"""Extractive answer composition: pick the source sentences that answer the question.

No model writes anything here. A quote is a unit span recorded at index time (a sentence, or an
address list with the sentence that introduces it), so it is an exact substring of the source.
Whether the sources answer at all is decided from evidence, per sentence:

* coverage: how much of the question's weight the sentence holds (context counts half);
* meaning: cosine between the question and the sentence itself;
* form: a question asking for a number needs digits in its answer;
* follow-ups: the words the follow-up adds ("...an ambulance?") must be found, not just the
  earlier question's;
* names: a place the question names must appear in the sentence's document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.lexical import tokens
from bot.retrieve import Hit, Snapshot
from bot.terms import FORM_WORDS, QueryTerms

PASSAGES_CONSIDERED = 10
UNITS_EMBEDDED = 6
MIN_COVERAGE = 0.5
MIN_MEANING = 0.3
WEAK_COVERAGE = 0.25
CLOSE_MEANING = 0.55
NEAR_BEST = 0.75
_DIGITS = re.compile(r"\d{2,}")


@dataclass
class Unit:
    passage: int  # index in the snapshot
    start: int  # offsets within the passage text
    end: int
    coverage: float
    dense: float  # passage cosine
    meaning: float = 0.0  # sentence cosine
    follow: float = 1.0  # coverage of the follow-up's own words
    key: bool = True  # the question's rarest topic word is here
    score: float = 0.0

    def text(self, snapshot: Snapshot) -> str:
        return snapshot.texts[self.passage][self.start : self.end]


def found(accepted: frozenset[str], where: set[str]) -> bool:
    """Exact stem, or one stem extending the other ("cover" ~ "coverag", "identif" ~ "identifi")."""
    if accepted & where:
        return True
    return any(
        len(a) >= 4 and len(t) >= 4 and (t.startswith(a) or a.startswith(t)) for a in accepted for t in where
    )


def coverage(terms: QueryTerms, unit_tokens: set[str], context_tokens: set[str]) -> float:
    """Share of the question's weight found in the unit (context words count half)."""
    got = 0.0
    for _, accepted, weight in terms.groups:
        if found(accepted, unit_tokens):
            got += weight
        elif found(accepted, context_tokens):
            got += weight / 2
    return got / terms.total


def unknown_names(terms: QueryTerms, snapshot: Snapshot) -> list[str]:
    return [n for n in terms.names if n not in snapshot.lexical.vocab]


def candidate_units(
    snapshot: Snapshot, hits: list[Hit], terms: QueryTerms, follow: QueryTerms | None = None
) -> list[Unit]:
    """Units of the best passages, scored by coverage and passage meaning, best first."""
    units: list[Unit] = []
    seen: list[set[str]] = []
    required = {n for n in terms.names if n in snapshot.places}
    for hit in hits[:PASSAGES_CONSIDERED]:
        meta = snapshot.metadatas[hit.index]
        vocab = snapshot.doc_vocab.get(meta["source_id"], set())
        if any(n not in vocab for n in terms.names):
            continue  # the question names a place this document never mentions
        text = snapshot.texts[hit.index]
        heading = set(tokens(meta.get("section", "")))
        previous: set[str] = set()
        for start, end in json.loads(meta["units"]):
            own = set(tokens(text[start:end]))
            if required and not required & own and own & snapshot.places - required:
                previous = own
                continue  # names another place ("Astana ...") and not the one asked for
            unit = Unit(hit.index, start, end, coverage(terms, own, heading | previous), hit.dense)
            seen.append(own | heading | previous)
            if follow is not None and follow.groups:
                unit.follow = coverage(follow, own, heading | previous)
            unit.score = 0.6 * unit.coverage + 0.4 * hit.dense
            units.append(unit)
            previous = own
    key = key_term(terms, seen)
    for unit, where in zip(units, seen, strict=True):
        unit.key = key is not None and found(key, where)
    return sorted(units, key=lambda u: u.score, reverse=True)


def key_term(terms: QueryTerms, candidates: list[set[str]]) -> frozenset[str] | None:
    """The rarest topic word that the retrieved text mentions at all ("fire", not "cope")."""
    topical = sorted((g for g in terms.groups if g[0] not in FORM_WORDS), key=lambda g: -g[2])
    for _, accepted, _ in topical:
        if any(found(accepted, where) for where in candidates):
            return accepted
    return None


def add_meaning(
    units: list[Unit], query_vector, embed_units: Callable[[list[Unit]], np.ndarray]
) -> list[Unit]:
    """Embed the leading units and re-rank by sentence meaning, coverage and passage meaning."""
    top = units[:UNITS_EMBEDDED]
    if not top:
        return []
    vectors = embed_units(top)
    q = np.asarray(query_vector, dtype=np.float32)
    for unit, vec in zip(top, vectors, strict=True):
        unit.meaning = float(np.dot(q, vec))
        unit.score = 0.45 * unit.meaning + 0.35 * unit.coverage + 0.2 * unit.dense
    return sorted(top, key=lambda u: u.score, reverse=True)


def answerable(unit: Unit, snapshot: Snapshot, terms: QueryTerms) -> bool:
    """Enough of the question is in the sentence, or less of it plus the question's key word when
    the sentence means nearly the same thing; a follow-up's own words count; a number needs digits."""
    close = unit.meaning >= CLOSE_MEANING
    if unit.follow < MIN_COVERAGE and not close:
        return False
    if terms.wants_number and not _DIGITS.search(unit.text(snapshot)):
        return False
    if unit.coverage >= MIN_COVERAGE and unit.meaning >= MIN_MEANING:
        return True
    return unit.coverage >= WEAK_COVERAGE and close and unit.key


def select(snapshot: Snapshot, units: list[Unit], terms: QueryTerms, limit: int) -> list[Unit]:
    """The best answering unit, then close runners-up that say something different (newest kept)."""
    good = [u for u in units if answerable(u, snapshot, terms)]
    if not good:
        return []
    best = good[0].score
    chosen: list[Unit] = []
    for unit in good:
        if len(chosen) >= limit or unit.score < NEAR_BEST * best:
            break
        text = unit.text(snapshot)
        dup = next((c for c in chosen if _similar(text, c.text(snapshot))), None)
        if dup is None:
            chosen.append(unit)
        elif _date(snapshot, unit) > _date(snapshot, dup):
            chosen[chosen.index(dup)] = unit
    return chosen


def _similar(a: str, b: str) -> bool:
    ta, tb = set(tokens(a)), set(tokens(b))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.6


def _date(snapshot: Snapshot, unit: Unit) -> str:
    date = snapshot.metadatas[unit.passage].get("date", "unknown")
    return "" if date == "unknown" else date
