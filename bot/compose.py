"""Extractive answer composition: which source sentences answer the question, read by the reader.

No model writes anything here. A quote is a unit span recorded at index time (a sentence, or an
address list with the sentence that introduces it), so it is an exact substring of the source.
The units of the best passages are shortlisted by how much of the question they cover and by
their passage's meaning; the reader (``bot.reader``) then reads each shortlisted unit with its
heading and the line before it, and its calibrated probability both orders them and decides:
a unit is quoted when it clears the corpus's threshold. A place the question names must appear in
the sentence's document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.lexical import tokens
from bot.reader import Candidate, Reader
from bot.retrieve import Hit, Snapshot
from bot.terms import QueryTerms, coverage

PASSAGES_CONSIDERED = 10
UNITS_READ = 16  # the shortlist the reader reads; the fact is in it for most questions


@dataclass
class Unit:
    passage: int  # index in the snapshot
    start: int  # offsets within the passage text
    end: int
    shortlist: float  # coverage and passage meaning: what decides which units are read
    context: Candidate  # what the reader reads
    p: float = 0.0  # calibrated probability that this unit answers the question

    def text(self, snapshot: Snapshot) -> str:
        return snapshot.texts[self.passage][self.start : self.end]


def unknown_names(terms: QueryTerms, snapshot: Snapshot) -> list[str]:
    return [n for n in terms.names if n not in snapshot.lexical.vocab]


def candidate_units(snapshot: Snapshot, hits: list[Hit], terms: QueryTerms) -> list[Unit]:
    """Units of the best passages, with their context, shortlisted best first."""
    units: list[Unit] = []
    required = {n for n in terms.names if n in snapshot.places}
    for hit in hits[:PASSAGES_CONSIDERED]:
        meta = snapshot.metadatas[hit.index]
        vocab = snapshot.doc_vocab.get(meta["source_id"], set())
        if any(n not in vocab for n in terms.names):
            continue  # the question names a place this document never mentions
        text = snapshot.texts[hit.index]
        section = meta.get("section", "")
        heading = " · ".join(part for part in (meta.get("title", ""), section) if part)
        section_tokens = set(tokens(section))
        previous = ""
        for start, end in json.loads(meta["units"]):
            sentence = text[start:end]
            own = set(tokens(sentence))
            if required and not required & own and own & snapshot.places - required:
                previous = sentence
                continue  # names another place ("Astana ...") and not the one asked for
            around = section_tokens | set(tokens(previous))
            shortlist = 0.6 * coverage(terms, own, around) + 0.4 * hit.dense
            units.append(Unit(hit.index, start, end, shortlist, Candidate(sentence, heading, previous)))
            previous = sentence
    units.sort(key=lambda u: u.shortlist, reverse=True)
    return units[:UNITS_READ]


def read(question: str, units: list[Unit], reader: Reader) -> list[Unit]:
    """Each unit's probability of answering ``question``, set on ``unit.p``; most probable first."""
    for unit, p in zip(units, reader.probabilities(question, [u.context for u in units]), strict=True):
        unit.p = float(p)
    return sorted(units, key=lambda u: u.p, reverse=True)


def select(snapshot: Snapshot, units: list[Unit], limit: int, threshold: float) -> list[Unit]:
    """Every unit that clears ``threshold``, up to ``limit``, in the reader's order; of two that
    say nearly the same, the newer is kept. Nothing when the best does not clear it."""
    chosen: list[Unit] = []
    for unit in units:
        if len(chosen) >= limit or unit.p < threshold:
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
