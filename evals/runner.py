"""Run eval suites against the answerer and report each check, faithfulness and latency."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.answer import Answer, Answerer
from bot.errors import WaymarkError
from bot.render import closest_text
from bot.settings import Settings
from evals.doubles import double_for
from evals.report import markdown_report
from evals.suite import CHECKS, Case, load_suite
from index.load import read_document

__all__ = ["CHECKS", "CaseResult", "Report", "check_case", "run_case", "run_suites"]


@dataclass
class CaseResult:
    id: str
    suite: str
    question: str
    passed: bool
    fact: bool | None = None
    doc: bool | None = None
    stale: bool | None = None
    abstain: bool | None = None
    forbid: bool | None = None
    failures: list[str] = field(default_factory=list)
    answer: str = ""
    cited: list[str] = field(default_factory=list)
    quotes: int = 0
    faithful_quotes: int = 0
    confidence: float = 0.0
    dropped_sentences: int = 0
    model_sentences: int = 0
    latency_ms: float = 0.0


def check_case(case: Case, answer: Answer) -> dict[str, bool | None]:
    """Each present field of ``case`` checked against what the user sees and the structured result."""
    text = answer.text.lower()
    shown = f"{text}\n{closest_text(answer.closest).lower()}"  # near misses count for forbid only
    cited = [c.source_id for c in answer.citations]
    return {
        "fact": None if case.any is None else any(s.lower() in text for s in case.any),
        "forbid": None if case.forbid is None else not any(s.lower() in shown for s in case.forbid),
        "doc": None if case.doc is None else any(s.startswith(case.doc) for s in cited),
        "stale": None if case.stale is None else answer.stale == case.stale,
        "abstain": None if case.abstain is None else answer.abstained == case.abstain,
    }


@dataclass
class Report:
    cases: list[CaseResult]
    corpus: str

    @property
    def all_passed(self) -> bool:
        return all(c.passed for c in self.cases)

    def summary(self) -> dict:
        out: dict = {"cases": len(self.cases), "passed": sum(c.passed for c in self.cases)}
        for check in CHECKS:
            outcomes = [getattr(c, check) for c in self.cases if getattr(c, check) is not None]
            out[check] = {"passed": sum(outcomes), "total": len(outcomes)}
        quotes = sum(c.quotes for c in self.cases)
        faithful = sum(c.faithful_quotes for c in self.cases)
        out["faithfulness"] = {
            "faithful": faithful,
            "quotes": quotes,
            "share": faithful / quotes if quotes else 1.0,
        }
        lat = sorted(c.latency_ms for c in self.cases)
        out["latency_ms"] = {"p50": _pct(lat, 50), "p95": _pct(lat, 95)} if lat else {}
        sentences = sum(c.model_sentences for c in self.cases)
        if sentences:
            dropped = sum(c.dropped_sentences for c in self.cases)
            out["verifier"] = {"dropped": dropped, "sentences": sentences, "share": dropped / sentences}
        return out

    def as_dict(self) -> dict:
        return {"summary": self.summary(), "corpus": self.corpus, "cases": [asdict(c) for c in self.cases]}

    def summary_text(self) -> str:
        s = self.summary()
        lines = [f"{c.suite}:{c.id} FAILED: {'; '.join(c.failures)}" for c in self.cases if not c.passed]
        lines.append(f"cases: {s['passed']}/{s['cases']} passed")
        for check in CHECKS:
            lines.append(f"  {check:<8} {s[check]['passed']}/{s[check]['total']}")
        f = s["faithfulness"]
        lines.append(f"  quotes faithful: {f['faithful']}/{f['quotes']} ({f['share']:.1%})")
        if s["latency_ms"]:
            lines.append(
                f"  latency p50 {s['latency_ms']['p50']:.1f} ms, p95 {s['latency_ms']['p95']:.1f} ms"
            )
        if "verifier" in s:
            v = s["verifier"]
            lines.append(f"  model sentences dropped by the verifier: {v['dropped']}/{v['sentences']}")
        return "\n".join(lines)

    def markdown(self) -> str:
        return markdown_report(self)


def _pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def run_suites(settings: Settings, paths: list[Path], answerer: Answerer | None = None) -> Report:
    answerer = answerer or Answerer(settings, wording=double_for(settings))
    sources: dict[str, str | None] = {}
    results = []
    for path in paths:
        for case in load_suite(path):
            results.append(run_case(answerer, case, Path(path).stem, settings, sources))
    return Report(results, str(settings.corpus_dir))


def run_case(answerer: Answerer, case: Case, suite: str, settings: Settings, sources: dict) -> CaseResult:
    try:
        answer = answerer.answer(case.question, case.history)
    except WaymarkError as exc:
        answer = Answer(case.question, case.question, f"Error: {exc}", abstained=True, reason="error")
    outcomes = check_case(case, answer)
    failures = [f"{k}: {_explain(k, case, answer)}" for k, v in outcomes.items() if v is False]
    faithful = sum(_faithful(c, settings, sources) for c in [*answer.citations, *answer.closest])
    return CaseResult(
        id=case.id,
        suite=suite,
        question=case.question,
        passed=not failures,
        failures=failures,
        answer=answer.text,
        cited=[c.source_id for c in answer.citations],
        quotes=len(answer.citations) + len(answer.closest),
        faithful_quotes=faithful,
        dropped_sentences=getattr(answer, "dropped_sentences", 0),
        model_sentences=getattr(answer, "model_sentences", 0),
        latency_ms=answer.timings_ms.get("total", 0.0),
        confidence=answer.confidence,
        **outcomes,
    )


def _explain(check: str, case: Case, answer: Answer) -> str:
    short = " ".join(answer.text.split())[:160]
    return {
        "fact": f"none of {case.any} in {short!r}",
        "forbid": f"found one of {case.forbid} in {short!r}",
        "doc": f"no citation from {case.doc}* (cited {[c.source_id[:3] for c in answer.citations]})",
        "stale": f"expected stale={case.stale}, got {answer.stale}",
        "abstain": f"expected abstain={case.abstain}, got {answer.abstained} ({short[:80]!r})",
    }[check]


def _faithful(citation, settings: Settings, sources: dict) -> bool:
    """The quote is exactly the source text at its offsets (re-read from the corpus)."""
    sid = citation.source_id
    if sid not in sources:
        doc = read_document(settings.corpus_dir / sid, sid, warn=lambda _m: None)
        sources[sid] = doc.text if doc else None
    text = sources[sid]
    return text is not None and text[citation.start : citation.end] == citation.quote
