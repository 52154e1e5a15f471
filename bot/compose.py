"""Extractive answer composition: pick the source sentences that answer the question.

No model writes anything here. A quote is a unit span recorded at index time (a sentence, or an
address list with the sentence that introduces it), so it is an exact substring of the source.
Candidates come from the best passages, ranked first by coverage and passage meaning, then by
sentence meaning; whether a candidate answers is the learned, calibrated probability of
``bot.answerability`` (coverage, meaning, margins, answer type, key term), compared with the
corpus's threshold. A place the question names must appear in the sentence's document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.answerability import FEATURES, Model, unit_features
from bot.lexical import tokens
from bot.retrieve import Hit, Snapshot
from bot.terms import FORM_WORDS, QueryTerms, coverage, found

PASSAGES_CONSIDERED = 10
UNITS_EMBEDDED = 8
NEAR_BEST = 0.75  # runners-up ranked within this share of the best are quoted too


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
    p: float = 0.0  # calibrated probability that this unit answers the question
    rank: int = 0  # position of its passage in the retrieval order
    where: frozenset[str] = frozenset()  # its tokens with heading and previous sentence
    own: frozenset[str] = frozenset()  # its own tokens

    def text(self, snapshot: Snapshot) -> str:
        return snapshot.texts[self.passage][self.start : self.end]


def unknown_names(terms: QueryTerms, snapshot: Snapshot) -> list[str]:
    return [n for n in terms.names if n not in snapshot.lexical.vocab]


def candidate_units(
    snapshot: Snapshot, hits: list[Hit], terms: QueryTerms, follow: QueryTerms | None = None
) -> list[Unit]:
    """Units of the best passages, scored by coverage and passage meaning, best first."""
    units: list[Unit] = []
    seen: list[set[str]] = []
    required = {n for n in terms.names if n in snapshot.places}
    for rank, hit in enumerate(hits[:PASSAGES_CONSIDERED]):
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
            unit.rank, unit.own, unit.where = rank, frozenset(own), frozenset(own | heading | previous)
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


def score(units: list[Unit], snapshot: Snapshot, terms: QueryTerms, model: Model) -> np.ndarray:
    """Each unit's answer probability, set on ``unit.p``; the features, one row per unit.

    The order stays the ranking's (sentence meaning, coverage, passage meaning): the model
    decides whether the best-ranked sentences answer, not which sentence is best."""
    if not units:
        return np.zeros((0, len(FEATURES)))
    x = unit_features(units, snapshot, terms)
    for unit, p in zip(units, model.probability(x), strict=True):
        unit.p = float(p)
    return x


def select(snapshot: Snapshot, units: list[Unit], limit: int, threshold: float) -> list[Unit]:
    """The best-ranked unit if its probability clears ``threshold``, then close runners-up that
    clear it too and say something different (newest kept); nothing otherwise."""
    if not units or units[0].p < threshold:
        return []
    best = units[0].score
    chosen: list[Unit] = []
    for unit in units:
        if len(chosen) >= limit or unit.score < NEAR_BEST * best:
            break
        if unit.p < threshold:
            continue
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
