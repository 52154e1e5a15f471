"""Grounded answers: retrieve, pick verbatim quotes, date them, warn when old, or abstain.

Example:
    .. code-block:: python

        from bot.answer import Answerer
        from bot.settings import Settings
        result = Answerer(Settings.from_env()).answer("Police number from a mobile?")
        print(result.text)
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Protocol

from bot import compose, render
from bot.calibrate import load_or_calibrate
from bot.errors import QuestionError
from bot.followup import resolve, stands_alone
from bot.query_embed import CallableEmbedder, QueryEmbedder, query_embedder
from bot.question import MAX_CHARS, clean_question
from bot.reader import Reader, load_reader
from bot.retrieve import IndexHandle, Snapshot, search
from bot.settings import Settings
from bot.terms import QueryTerms, proper_names, query_terms
from bot.wording import make_wording
from index.dates import UNKNOWN, parse_iso_date


@dataclass
class Citation:
    n: int
    quote: str
    source_id: str
    title: str
    publisher: str
    kind: str
    section: str
    date: str  # passage date where known, else the document's; "unknown" if neither
    date_basis: str
    doc_date: str
    age_years: int | None
    start: int  # offsets of the quote in the source text
    end: int
    url: str = ""
    attribution: str = ""
    page: int | None = None  # for PDFs, the page the quote starts on


@dataclass
class Answer:
    question: str
    query: str  # what was retrieved with, after follow-up resolution
    text: str  # everything the user sees
    citations: list[Citation] = field(default_factory=list)
    stale: bool = False
    warning: str = ""
    abstained: bool = False
    reason: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    worded_by: str = ""  # the LLM backend that worded the answer, "" when extractive
    model_sentences: int = 0  # sentences the model wrote
    dropped_sentences: int = 0  # of those, dropped by the verifier
    passages: list[str] = field(default_factory=list, repr=False)  # full text of each cited passage
    confidence: float = 0.0  # calibrated probability that the best quote answers the question
    threshold: float = 0.0  # the corpus's operating point it was compared with
    closest: list[Citation] = field(default_factory=list)  # on abstention: nearest, may not answer

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("passages")
        return data


class Wording(Protocol):
    """Optional LLM wording (``bot.wording``): grounded, verified, and never deciding abstention."""

    name: str

    def rewrite(self, question: str, history: list[str]) -> str:
        """The follow-up resolved into a standalone question."""

    def word(self, answer: Answer) -> Answer:
        """The answer re-worded from its cited passages, or unchanged when the model fails."""

    def stream(self, answer: Answer) -> Iterator[str | Answer]:
        """Draft text as it arrives, then the verified ``Answer`` last."""


class Answerer:
    """Answers questions from the served index; safe to share between threads."""

    def __init__(
        self,
        settings: Settings,
        handle: IndexHandle | None = None,
        embedder: QueryEmbedder | None = None,
        wording: Wording | None = None,
        *,
        embed_query: Callable[[str], list[float]] | None = None,
        threshold: float | None = None,
        reader: Reader | None = None,
    ) -> None:
        """``threshold`` fixes the answer-or-abstain operating point (benchmarks sweep it);
        by default each index gets its calibrated one (``bot.calibrate``)."""
        self.settings = settings
        self.handle = handle or IndexHandle(settings)
        if embedder is None:
            embedder = CallableEmbedder(embed_query) if embed_query else query_embedder(settings)
        self.embedder = embedder
        if wording is None and settings.llm:
            wording = make_wording(settings)
        self.wording = wording
        self.reader: Reader = reader or load_reader()
        self._thresholds: dict[str, float] = {}
        self._calibrating = threading.Lock()
        self.fixed_threshold = threshold

    @property
    def embed_query(self) -> Callable[[str], list[float]]:
        return self.embedder.embed

    def answer(
        self,
        question: object,
        history: list[str] | None = None,
        *,
        stale_years: float | None = None,
        citations: int | None = None,
        word: bool = True,
    ) -> Answer:
        """The grounded answer. With ``word=False`` an LLM backend, if any, is not called
        (the chat streams the model's wording itself through ``self.wording.stream``)."""
        clock = [time.perf_counter()]
        text = clean_question(question)
        query = self.resolve(text, usable_turns(history or []))
        result = self._ground(text, query, stale_years, citations or self.settings.citations, clock)
        if word and self.wording is not None and not result.abstained:
            result = self.wording.word(result)
        clock += [time.perf_counter()] * (4 - len(clock))
        stages = zip(("embed", "retrieve", "compose"), clock[:-1], clock[1:], strict=True)
        result.timings_ms = {name: round((end - start) * 1000, 2) for name, start, end in stages}
        result.timings_ms["total"] = round((clock[-1] - clock[0]) * 1000, 2)
        return result

    def _ground(self, text: str, query: str, stale_years, limit: int, clock: list[float]) -> Answer:
        """Retrieve and pick the quotes; ``clock`` gets a time stamp after each stage."""
        found = self.evidence(query, clock)
        if found.names:
            return self._abstain(text, query, "names", found.names)
        threshold = self.threshold(found.snapshot)
        chosen = compose.select(found.snapshot, found.units, limit, threshold)
        confidence = found.units[0].p if found.units else 0.0
        if not chosen:
            result = self._abstain(text, query, "no-evidence", [])
            result.closest = self._closest(found, threshold)
        else:
            result = self._compose(text, query, found.snapshot, chosen, stale_years)
        result.confidence, result.threshold = round(confidence, 4), round(threshold, 4)
        return result

    def evidence(
        self,
        query: str,
        clock: list[float] | None = None,
        exclude: Callable[[str], bool] | None = None,
    ) -> Evidence:
        """Candidates for ``query``, each with the reader's calibrated probability that it
        answers, most probable first (a follow-up is read as merged into ``query``). ``exclude``
        hides sentences from the candidates (probes with the answer taken away)."""
        clock = clock if clock is not None else []
        snapshot = self.handle.snapshot()
        terms = query_terms(query, snapshot)
        names = compose.unknown_names(terms, snapshot)
        if names:
            return Evidence(snapshot, terms, [], proper_names(query)[:3] or names)
        vector = self.embedder.embed(terms.corrected)
        clock.append(time.perf_counter())
        hits = search(snapshot, vector, terms.corrected)
        clock.append(time.perf_counter())
        units = compose.candidate_units(snapshot, hits, terms)
        if exclude is not None:
            units = [u for u in units if not exclude(u.text(snapshot))]
        units = compose.read(terms.corrected, units, self.reader)
        return Evidence(snapshot, terms, units)

    def best_probability(self, question: str, exclude: Callable[[str], bool] | None = None) -> float:
        """The most probable candidate's probability of answering (0 when there is none)."""
        found = self.evidence(question, exclude=exclude)
        return found.units[0].p if found.units else 0.0

    def threshold(self, snapshot: Snapshot) -> float:
        """The operating point for this index: the model's, raised or lowered per corpus from
        questions it cannot answer (``bot.calibrate``; computed once per index generation)."""
        if self.fixed_threshold is not None:
            return self.fixed_threshold
        if snapshot.name not in self._thresholds:
            with self._calibrating:
                if snapshot.name not in self._thresholds:
                    found = load_or_calibrate(self, snapshot, self.settings.data_dir)
                    self._thresholds[snapshot.name] = found.threshold
        return self._thresholds[snapshot.name]

    def _closest(self, found: Evidence, threshold: float) -> list[Citation]:
        """Up to two nearest sentences for an abstention: never for a number question and never
        a sentence with digits, so no number reaches a "no answer"."""
        if found.terms.kind == "number":
            return []
        today = self.settings.current_date()
        near = [u for u in found.units if u.p >= CLOSEST_FLOOR * threshold][:4]
        near = [u for u in near if not any(ch.isdigit() for ch in u.text(found.snapshot))][:2]
        return [self._citation(n, found.snapshot, u, today) for n, u in enumerate(near, 1)]

    def resolve(self, question: str, earlier: list[str]) -> str:
        """The question to search with: a standalone question as typed, a follow-up merged with
        the conversation (by the LLM when one is configured, else by rule)."""
        if earlier and self.wording is not None and not stands_alone(question):
            return self.wording.rewrite(question, earlier)
        return resolve(question, earlier)

    def _compose(self, question, query, snapshot: Snapshot, chosen, stale_years) -> Answer:
        if not chosen:
            return self._abstain(question, query, "no-evidence", [])
        today = self.settings.current_date()
        cites = [self._citation(n, snapshot, u, today) for n, u in enumerate(chosen, 1)]
        threshold = self.settings.stale_years if stale_years is None else stale_years
        stale, warning = staleness(cites, threshold, today)
        body = render.answer_text(cites, warning)
        passages = [snapshot.texts[u.passage] for u in chosen]
        return Answer(question, query, body, cites, stale, warning, passages=passages)

    def _abstain(self, question, query, reason, names) -> Answer:
        return Answer(question, query, render.abstention_text(names), abstained=True, reason=reason)

    def _citation(self, n: int, snapshot: Snapshot, unit: compose.Unit, today: dt.date) -> Citation:
        meta = snapshot.metadatas[unit.passage]
        quote = snapshot.texts[unit.passage][unit.start : unit.end]
        date = meta.get("date", UNKNOWN)
        value = parse_iso_date(date) if date != UNKNOWN else None
        return Citation(
            n=n,
            quote=quote,
            source_id=meta["source_id"],
            title=meta.get("title", meta["source_id"]),
            publisher=meta.get("publisher", ""),
            kind=meta.get("kind", ""),
            section=meta.get("section", ""),
            date=date,
            date_basis=meta.get("date_basis", ""),
            doc_date=meta.get("doc_date", UNKNOWN),
            age_years=value.age_years(today) if value else None,
            start=int(meta["start"]) + unit.start,
            end=int(meta["start"]) + unit.end,
            url=meta.get("url", ""),
            attribution=meta.get("attribution", ""),
            page=int(meta["page"]) if meta.get("page") not in (None, "") else None,
        )


@dataclass
class Evidence:
    """What the answerer found for one question, before it decides."""

    snapshot: Snapshot
    terms: QueryTerms
    units: list[compose.Unit]
    names: list[str] = field(default_factory=list)  # names the corpus never mentions


CLOSEST_FLOOR = 0.5  # an abstention shows near misses scoring at least this share of the threshold


def usable_turns(history: list) -> list[str]:
    """Earlier user turns that can inform a follow-up; an unusable one ("???") is skipped."""
    turns = []
    for turn in history:
        if not isinstance(turn, str):
            continue
        try:
            turns.append(clean_question(turn[:MAX_CHARS]))
        except QuestionError:
            continue
    return turns


def staleness(cites: list[Citation], threshold: float, today: dt.date) -> tuple[bool, str]:
    """(stale, warning) from the newest dated source behind the answer."""
    dated = [(c.date, c.age_years) for c in cites if c.age_years is not None]
    if not dated:
        return True, render.undated_warning()
    newest_date, age = max(dated, key=lambda d: parse_iso_date(d[0]).sort_key())
    if age >= threshold:
        return True, render.stale_warning(parse_iso_date(newest_date), age)
    return False, ""
