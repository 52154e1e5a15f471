"""Answer or abstain (issues 12 and 19): Waymark's reader and calibrated answer-or-abstain decision
beside the naive baseline given a similarity cut-off, and beside the same baseline's chunks read
by the same reader, in one run.

* **baseline cut-off**: tuned once per run on the validation questions of the Waymark reader
  (``training/questions.yaml`` and ``training/extra/questions_*.yaml`` over ``training/corpus/``
  and ``training/extra/corpus/``, split as ``training/reader.py`` does; never on dev, natural or
  SQuAD): the cut-off on the top-1 chunk's relevance score (cosine similarity) with the best
  balanced accuracy (``benchmarks.baseline.tune_cutoff``).
* **baseline reranked by the reader**: the baseline's top-K chunks split into sentences, each read
  by ``bot.reader`` (``benchmarks.baseline.reread``); it shows the best sentence when its
  probability clears the reader's validated threshold, else abstains. Waymark minus this row is
  the gain of Waymark's retrieval; this row minus the cut-off baseline, the gain of reading.
* **natural** suite: fact found, abstention correct (an ``abstain: true`` case that abstained and
  showed no ``forbid`` string), abstained on answerable questions, and the question-level AUC of
  the confidence against "the fact was found" (an ``abstain: true`` case counts as not found):
  of the calibrated run, and threshold-free (Waymark at ``threshold=0``; the baselines' best
  chunk or sentence whatever their cut-off).
* **conversation**: dev + natural alone and as conversations (``evals.conversation``): cases lost
  and gained.
* **dev** suite: cases passed, forbid, quotes verbatim.
* **SQuAD** v2 sample: answer hit on answerable, abstention on impossible and on answerable; the
  whole threshold curve (Waymark: ``threshold=0`` run, a case counts as answered at ``t`` when its
  confidence >= ``t``; baseline: the cut-off swept), plotted to ``benchmarks/answerability-curve.svg``.
* **warm latency**: the dev suite answered once, then timed (p50/p95 per pass, median of passes);
  for the reranked baseline, retrieval and reading together.
* **word lists emptied**: dev, natural and SQuAD again in a child process with
  ``bot.lexical.STOPWORDS``, ``bot.terms.FORM_WORDS`` and ``bot.terms.ANSWER_KINDS`` emptied
  (every module attribute bound to them is replaced), each index re-calibrated.

    python benchmarks/answerability.py [--quick] [--no-readme] [--readme-only] [--training DIR]
                                       [--squad FILE]

Writes benchmarks/out/answerability.json (everything, per case), benchmarks/answerability.json
(the summary the README is rendered from), benchmarks/answerability-curve.svg and the section
"Answer or abstain" of benchmarks/README.md (``benchmarks/answerability_readme.py``
renders it and the SVG; ``benchmarks/readme.py`` puts it in its place in the template).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import readme  # noqa: E402
from benchmarks.answerability_readme import SECTION, SVG, curve_svg, render_section  # noqa: E402
from benchmarks.answerability_targets import BEFORE, BEFORE19  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    ENV,
    TODAY,
    git,
    squad_missing,
    squad_path,
    use_benchmark_environment,
)
from benchmarks.harness import machine as harness_machine  # noqa: E402

use_benchmark_environment()

OUT = REPO / "benchmarks" / "out" / "answerability.json"
SUMMARY = REPO / "benchmarks" / "answerability.json"
DEV_SUITE = REPO / "evals" / "suites" / "dev.yaml"
NATURAL_SUITE = REPO / "evals" / "suites" / "natural.yaml"
TRAINING = REPO / "training"
READER_CALIBRATION = "bot/models/reader/calibration.json"
GRID = [i / 100 for i in range(101)]  # Waymark thresholds swept


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def count(passed: int, total: int) -> dict:
    return {"passed": int(passed), "total": int(total), "rate": passed / total if total else None}


def roc_auc(scores: list[float], labels: list[bool]) -> float | None:
    """The chance that a positive outscores a negative (ties count half): ROC AUC by Mann-Whitney,
    so the benchmark needs no scikit-learn. ``None`` without both kinds."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def question_auc(rows: list[dict], label: str = "fact") -> float | None:
    """Question-level AUC over answerable and unanswerable cases: the confidence against whether
    the row's ``label`` found the fact; an unanswerable case is labelled 0."""
    kept = [r for r in rows if r["answerable"] or r["impossible"]]
    labels = [bool(r["answerable"] and r.get(label)) for r in kept]
    return roc_auc([float(r["confidence"]) for r in kept], labels)


# ---------------------------------------------------------------- Waymark


class Recorder:
    """The answerer, remembering the last ``Answer`` (``evals.runner.run_case`` keeps only checks)."""

    def __init__(self, answerer) -> None:
        self._answerer = answerer
        self.last = None

    def answer(self, *args, **kwargs):
        self.last = self._answerer.answer(*args, **kwargs)
        return self.last

    def __getattr__(self, name):
        return getattr(self._answerer, name)


def waymark_rows(answerer, settings, cases, suite: str) -> list[dict]:
    """Each case through ``evals.runner.run_case``, with whether it abstained and its confidence."""
    from evals.runner import run_case

    recorder, sources, rows = Recorder(answerer), {}, []
    for case in cases:
        result = run_case(recorder, case, suite, settings, sources)
        answer = recorder.last
        rows.append(
            {
                "id": case.id,
                "answerable": case.any is not None and not case.abstain,
                "impossible": bool(case.abstain),
                "passed": result.passed,
                **{k: getattr(result, k) for k in ("fact", "doc", "stale", "abstain", "forbid")},
                "abstained": bool(answer.abstained) if answer is not None else True,
                "reason": getattr(answer, "reason", ""),
                "confidence": float(result.confidence),
                "threshold": float(getattr(answer, "threshold", 0.0) or 0.0),
                "quotes": result.quotes,
                "faithful_quotes": result.faithful_quotes,
                "failures": result.failures,
            }
        )
    return rows


def natural_summary(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    impossible = [r for r in rows if r["impossible"]]
    return {
        "cases": len(rows),
        "fact": count(sum(bool(r["fact"]) for r in answerable), len(answerable)),
        "abstention_correct": count(
            sum(r["abstained"] and r["forbid"] is not False for r in impossible), len(impossible)
        ),
        "abstained_on_answerable": count(sum(r["abstained"] for r in answerable), len(answerable)),
        "auc": question_auc(rows),
        # the baselines' best chunk or sentence, whatever their cut-off (Waymark: see summarize)
        "auc_threshold_free": question_auc(rows, "found") if rows and "found" in rows[0] else None,
    }


def dev_summary(rows: list[dict]) -> dict:
    out = {"cases": len(rows), "passed": count(sum(r["passed"] for r in rows), len(rows))}
    for check in ("fact", "doc", "stale", "abstain", "forbid"):
        seen = [r[check] for r in rows if r.get(check) is not None]
        out[check] = count(sum(seen), len(seen))
    quotes = sum(r.get("quotes", 0) for r in rows)
    faithful = sum(r.get("faithful_quotes", 0) for r in rows)
    out["verbatim"] = {"faithful": faithful, "quotes": quotes, "rate": faithful / quotes if quotes else None}
    return out


def squad_summary(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    impossible = [r for r in rows if r["impossible"]]
    return {
        "cases": len(rows),
        "hit": count(sum(bool(r["fact"]) for r in answerable), len(answerable)),
        "abstain_impossible": count(sum(r["abstained"] for r in impossible), len(impossible)),
        "abstain_answerable": count(sum(r["abstained"] for r in answerable), len(answerable)),
    }


def timed(call, cases, passes: int) -> dict:
    """Wall time of ``call(case)`` per case: one untimed pass, then ``passes`` timed ones; p50/p95
    per pass and their medians."""
    from benchmarks.baseline import percentiles

    for case in cases:
        call(case)
    runs = []
    for _ in range(passes):
        lat = []
        for case in cases:
            t0 = time.perf_counter()
            call(case)
            lat.append((time.perf_counter() - t0) * 1000)
        runs.append(percentiles(sorted(lat)))
    return {
        "p50": statistics.median(r["p50"] for r in runs),
        "p95": statistics.median(r["p95"] for r in runs),
        "runs": runs,
    }


def warm_latency(answerer, cases, passes: int) -> dict:
    """Wall time of ``answer()`` per dev question."""
    return timed(lambda case: answerer.answer(case.question, case.history), cases, passes)


# ---------------------------------------------------------------- baseline


def retrieved(base, cases, cache: dict) -> list:
    """What the baseline retrieves for each case (it reads the last message only), each distinct
    question searched once, query vectors embedded in one batch."""
    new = list(dict.fromkeys(c.question for c in cases if c.question not in cache))
    cache.update(zip(new, base.retrieve_many(new), strict=True))
    return [cache[c.question] for c in cases]


def baseline_rows(base, cases, cutoff: float, cache: dict) -> list[dict]:
    """Each case scored at ``cutoff`` and kept raw (top-1 score, expected string retrieved), so
    that any other cut-off can be scored without searching again."""
    return scored_rows(cases, retrieved(base, cases, cache), cutoff)


def reranked_rows(base, reader, cases, cache: dict) -> list[dict]:
    """The baseline's chunks for each case read by ``reader``: the best sentence scored at the
    reader's threshold, its probability as the confidence (``benchmarks.baseline.reread``)."""
    from benchmarks.baseline import reread

    got_each = retrieved(base, cases, cache)
    read = [reread(c.question, got, reader) for c, got in zip(cases, got_each, strict=True)]
    return scored_rows(cases, read, reader.threshold)


def scored_rows(cases, got_each: list, cutoff: float) -> list[dict]:
    """Each case against what was shown for it (``Retrieved``): scored at ``cutoff`` and raw."""
    from benchmarks.baseline import score_case

    rows = []
    for case, got in zip(cases, got_each, strict=True):
        raw, scored = score_case(case, got, None), score_case(case, got, cutoff)
        checks = {
            "fact": scored.hit,
            "forbid": None if scored.forbid_shown is None else not scored.forbid_shown,
            "doc": scored.doc,
            "abstain": None if case.abstain is None else scored.abstained == case.abstain,
        }
        rows.append(
            {
                "id": case.id,
                "answerable": case.any is not None and not case.abstain,
                "impossible": bool(case.abstain),
                "score": got.score,
                "confidence": got.score,
                "found": bool(raw.hit),
                "abstained": scored.abstained,
                "passed": all(v is not False for v in checks.values()),
                **checks,
            }
        )
    return rows


def batch_agrees(base, cases) -> float:
    """Largest top-1 score difference between one-by-one and batched retrieval (a sanity check)."""
    questions = [c.question for c in cases[:8]]
    one = [base.retrieve(q).score for q in questions]
    many = [r.score for r in base.retrieve_many(questions)]
    return max(abs(a - b) for a, b in zip(one, many, strict=True))


def baseline_latency(base, cases, passes: int) -> dict:
    """Wall time of the baseline's retrieval per dev question."""
    return timed(lambda case: base.retrieve(case.question), cases, passes)


def reranked_latency(base, reader, cases, passes: int) -> dict:
    """Wall time of the baseline's retrieval and the reader's reading per dev question."""
    from benchmarks.baseline import reread

    return timed(lambda case: reread(case.question, base.retrieve(case.question), reader), cases, passes)


def tune_baseline(embeddings, training: Path) -> dict:
    """The cut-off tuned on the Waymark reader's validation questions (training/)."""
    from benchmarks.baseline import Baseline, training_files, tune_cutoff, validation_cases
    from evals.suite import load_suite

    corpora, questions = training_files(training)
    cases = validation_cases([c for path in questions for c in load_suite(path)])
    base = Baseline(corpora, embeddings).build()
    try:
        got = retrieved(base, cases, {})
    finally:
        base.close()
    answerable = [c.any is not None and not c.abstain for c in cases]
    found = [
        a and any(str(s).lower() in g.text.lower() for s in c.any or [])
        for c, g, a in zip(cases, got, answerable, strict=True)
    ]
    cut = tune_cutoff([g.score for g in got], answerable, found)
    return {
        **asdict(cut),
        "questions": [_shown(q) for q in questions],
        "questions_sha256": hashlib.sha256(b"".join(q.read_bytes() for q in questions)).hexdigest()[:16],
        "corpora": [_shown(c) for c in corpora],
        "corpus_files": sorted(p.name for c in corpora for p in c.iterdir() if p.is_file()),
        "validation_cases": len(cases),
        "retrieved_answer": sum(found),
    }


def _shown(path: Path) -> str:
    """A path as the README shows it: relative to the repository when inside it."""
    return str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


# ---------------------------------------------------------------- curves


def quotes_hit(answerer, cases, thresholds: list[float]) -> dict[str, list[bool]]:
    """For each answerable case, whether the quotes Waymark would show at each threshold hold an
    expected string: its evidence once, then ``bot.compose.select`` (the answerer's own choice of
    quotes) at every threshold. At a lower threshold more runner-up quotes clear it, so the
    ``threshold=0`` answer alone would overstate hits at higher thresholds."""
    from bot import compose
    from bot.answer import usable_turns
    from bot.question import clean_question

    limit = answerer.settings.citations
    out = {}
    for case in cases:
        if case.any is None or case.abstain:
            continue
        text = clean_question(case.question)
        found = answerer.evidence(answerer.resolve(text, usable_turns(case.history or [])))
        wanted = [str(a).lower() for a in case.any]
        hits = []
        for t in thresholds:
            chosen = [] if found.names else compose.select(found.snapshot, found.units, limit, t)
            shown = "\n".join(u.text(found.snapshot) for u in chosen).lower()
            hits.append(any(w in shown for w in wanted))
        out[case.id] = hits
    return out


def waymark_curve(rows: list[dict], hits: dict[str, list[bool]] | None = None) -> list[dict]:
    """SQuAD figures at each threshold of ``GRID`` from one ``threshold=0`` run: answered at ``t``
    when it answered at 0 and its confidence >= ``t``. A hit when answered and the quotes chosen at
    ``t`` hold the answer (``hits``, from ``quotes_hit``); without ``hits``, when the
    ``threshold=0`` answer did (generous)."""
    points = []
    for i, t in enumerate(GRID):

        def answered(r, t=t):
            return not r["abstained"] and r["confidence"] >= t

        def hit(r, i=i):
            return r["fact"] if hits is None else hits[r["id"]][i]

        points.append(_point(t, rows, answered, hit))
    return points


def reader_curve(rows: list[dict]) -> list[dict]:
    """SQuAD figures of the reranked baseline at each threshold of ``GRID`` on its best sentence's
    probability (a hit: answered and the sentence holds the expected string)."""
    return [_point(t, rows, lambda r, t=t: r["score"] >= t, lambda r: r["found"]) for t in GRID]


def baseline_curve(rows: list[dict]) -> list[dict]:
    """SQuAD figures at each cut-off, from the lowest top-1 score to above the highest."""
    scores = sorted({r["score"] for r in rows})
    lo, hi = min(scores), max(scores)
    grid = [lo + (hi - lo) * i / 100 for i in range(101)] + [hi + 1e-6]
    return [_point(c, rows, lambda r, c=c: r["score"] >= c, lambda r: r["found"]) for c in grid]


def _point(t: float, rows: list[dict], answered, found) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    impossible = [r for r in rows if r["impossible"]]
    hit = sum(1 for r in answerable if answered(r) and found(r))
    return {
        "t": round(t, 4),
        "hit": hit,
        "abstain_impossible": sum(1 for r in impossible if not answered(r)),
        "abstain_answerable": sum(1 for r in answerable if not answered(r)),
        "answerable": len(answerable),
        "impossible": len(impossible),
    }


# ---------------------------------------------------------------- word lists emptied (child)


def empty_word_lists() -> list[str]:
    """Replace every module attribute bound to the three word lists with an empty one; the names
    replaced. Modules imported later read the emptied lists from ``bot.lexical`` / ``bot.terms``."""
    import bot.answer  # noqa: F401  (imports everything answering uses)
    import bot.calibrate  # noqa: F401
    import bot.lexical
    import bot.probes  # noqa: F401
    import bot.terms
    import evals.runner  # noqa: F401

    swaps = [
        (bot.lexical.STOPWORDS, frozenset()),
        (bot.terms.FORM_WORDS, frozenset()),
        (bot.terms.ANSWER_KINDS, ()),
    ]
    patched = []
    for name, module in sorted(sys.modules.items()):
        if name.split(".")[0] not in ("bot", "index", "evals", "benchmarks") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            for old, new in swaps:
                if value is old:
                    setattr(module, attr, new)
                    patched.append(f"{name}.{attr}")
    return patched


def emptied_child(params: dict) -> dict:
    """Runs in the child: lists emptied, then each suite over its (copied, uncalibrated) index."""
    from bot.answer import Answerer
    from bot.settings import Settings
    from evals.suite import load_suite

    patched = empty_word_lists()
    out: dict = {"patched": patched, "suites": {}}
    answerers: dict[str, Answerer] = {}
    for job in params["jobs"]:
        settings = Settings.from_env(
            corpus_dir=Path(job["corpus"]), data_dir=Path(job["data"]), today=dt.date.fromisoformat(TODAY)
        )
        answerer = answerers.setdefault(job["data"], Answerer(settings))
        rows = waymark_rows(answerer, settings, load_suite(Path(job["suite"])), job["name"])
        out["suites"][job["name"]] = {
            "threshold": answerer.threshold(answerer.handle.snapshot()),
            "rows": [{k: r[k] for k in ("id", "passed", "abstained", "fact")} for r in rows],
            "summary": SUMMARIES[job["kind"]](rows),
        }
    return out


SUMMARIES = {"dev": dev_summary, "natural": natural_summary, "squad": squad_summary}


def run_emptied(jobs: list[dict], work: Path) -> dict:
    """The emptied-lists child over copies of the indexes (no saved calibration, so each corpus is
    calibrated again with the lists emptied)."""
    copies: dict[str, str] = {}
    for job in jobs:
        if job["data"] not in copies:
            target = Path(tempfile.mkdtemp(prefix="emptied-", dir=work)) / "data"
            shutil.copytree(job["data"], target, ignore=shutil.ignore_patterns("calibration", "*.lock"))
            copies[job["data"]] = str(target)
    params = {"jobs": [{**j, "data": copies[j["data"]]} for j in jobs]}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-emptied", json.dumps(params)],
        cwd=REPO,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"word-lists-emptied child failed ({done.returncode}): {done.stderr[-1500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - t0
    return result


def changed_cases(with_lists: list[dict], emptied: list[dict]) -> dict:
    """Cases whose outcome differs with the lists emptied."""
    before = {r["id"]: r for r in with_lists}
    passed = [r["id"] for r in emptied if r["passed"] != before[r["id"]]["passed"]]
    abstained = [r["id"] for r in emptied if r["abstained"] != before[r["id"]]["abstained"]]
    return {"passed_changed": len(passed), "abstained_changed": len(abstained), "cases": len(emptied)}


# ---------------------------------------------------------------- the run


def machine() -> dict:
    m = harness_machine()
    # Changes to what is measured; benchmark outputs (README sections, JSON, SVG) do not count.
    changed = git(
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ".",
        ":!benchmarks/*.md",
        ":!benchmarks/*.json",
        ":!benchmarks/*.svg",
    )
    m["dirty"] = bool(changed)
    return {k: m[k] for k in ("date", "cpu", "cores", "python", "commit", "dirty")} | {
        "versions": {k: m["versions"].get(k) for k in ("torch", "chromadb", "onnxruntime")},
        "model_sha256": _sha(REPO / READER_CALIBRATION),
        "model_commit": git("log", "-1", "--format=%h", "--", READER_CALIBRATION),
    }


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def measure(args: argparse.Namespace) -> tuple[dict, dict]:
    """Everything in one run; returns (full results with per-case rows, their summary)."""
    from benchmarks.baseline import Baseline
    from bot.answer import Answerer
    from bot.reader import load_reader
    from bot.settings import SHIPPED_CORPUS, Settings
    from evals import squad
    from evals.conversation import compare_suites, suite_variants
    from evals.suite import load_suite
    from index.build import build_index
    from index.embed import SentenceEmbeddings

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    passes = 1 if args.quick else 3
    work = Path(tempfile.mkdtemp(prefix="waymark-answerability-"))
    today = dt.date.fromisoformat(TODAY)
    full: dict = {"quick": args.quick, "timing_passes": passes, "stages_s": {}}

    def stage(name: str, t0: float) -> float:
        now = time.perf_counter()
        full["stages_s"][name] = round(now - t0, 1)
        log(f"{name}: {now - t0:.0f}s")
        return now

    def settings(corpus: Path, data: Path) -> Settings:
        return Settings.from_env(corpus_dir=corpus, data_dir=data, today=today)

    try:
        t = time.perf_counter()
        emb = SentenceEmbeddings()
        emb.encode(["warm up"])
        log("baseline: tuning the cut-off on the training validation questions")
        full["cutoff"] = tune_baseline(emb, args.training)
        cutoff = full["cutoff"]["value"]
        t = stage("tune cut-off", t)

        seed_data = work / "seed"
        seed = settings(SHIPPED_CORPUS, seed_data)
        build_index(seed, warn=lambda _m: None, embeddings=emb)
        t = stage("seed index", t)
        dev, natural = load_suite(DEV_SUITE), load_suite(NATURAL_SUITE)
        reader = load_reader()
        answerer = Answerer(seed, reader=reader)
        rows = {"dev": waymark_rows(answerer, seed, dev, "dev")}
        rows["natural"] = waymark_rows(answerer, seed, natural, "natural")
        full["threshold_seed"] = answerer.threshold(answerer.handle.snapshot())
        full["model_threshold"] = reader.threshold
        t = stage("waymark dev + natural", t)
        zero_seed = Answerer(seed, threshold=0.0, reader=reader)
        rows["natural_t0"] = waymark_rows(zero_seed, seed, natural, "natural")
        t = stage("waymark natural (threshold 0, for the threshold-free AUC)", t)
        comparison = compare_suites(seed, {"dev": dev, "natural": natural}, answerer)
        full["standalone"] = {
            "dev": sum(not c.history for c in dev),
            "natural": sum(not c.history for c in natural),
        }
        t = stage("waymark conversation variant", t)
        warm = warm_latency(answerer, dev, passes)
        t = stage("waymark warm latency", t)

        base = Baseline(SHIPPED_CORPUS, emb).build()
        try:
            cache: dict = {}
            brows = {
                "dev": baseline_rows(base, dev, cutoff, cache),
                "natural": baseline_rows(base, natural, cutoff, cache),
            }
            variants = suite_variants({"dev": dev, "natural": natural})
            bconv = {name: baseline_rows(base, variants[name], cutoff, cache) for name in ("dev", "natural")}
            full["batch_score_difference"] = batch_agrees(base, dev)
            bwarm = baseline_latency(base, dev, passes)
            t = stage("baseline dev + natural + conversation + latency", t)
            rrows = {
                "dev": reranked_rows(base, reader, dev, cache),
                "natural": reranked_rows(base, reader, natural, cache),
            }
            rwarm = reranked_latency(base, reader, dev, passes)
        finally:
            base.close()
        t = stage("baseline reranked by the reader: dev + natural + latency", t)

        sq: dict = {}
        squad_file = squad_path(args.squad)
        if squad_file.exists():
            converted = squad.convert(squad.load_squad(squad_file))
            corpus, suite = squad.write(converted, work / "squad", source=squad_file.name)
            sq_settings = settings(corpus, work / "squad" / "data")
            build_index(sq_settings, warn=lambda _m: None, embeddings=emb)
            cases = load_suite(suite)
            t = stage("squad index", t)
            sq_answerer = Answerer(sq_settings)
            rows["squad"] = waymark_rows(sq_answerer, sq_settings, cases, "squad")
            full["threshold_squad"] = sq_answerer.threshold(sq_answerer.handle.snapshot())
            zero = Answerer(sq_settings, threshold=0.0)
            rows["squad_t0"] = waymark_rows(zero, sq_settings, cases, "squad")
            try:
                full["squad_quotes_hit"] = quotes_hit(zero, cases, [*GRID, full["threshold_squad"]])
            except Exception as exc:  # the answerer's internals moved: fall back to the t=0 answers
                full["squad_quotes_hit_error"] = f"{exc.__class__.__name__}: {exc}"
                log(f"squad: per-threshold quotes unavailable ({full['squad_quotes_hit_error']})")
            t = stage("waymark squad (calibrated, threshold 0)", t)
            base = Baseline(corpus, emb).build()
            try:
                squad_cache: dict = {}
                brows["squad"] = baseline_rows(base, cases, cutoff, squad_cache)
                rrows["squad"] = reranked_rows(base, reader, cases, squad_cache)
            finally:
                base.close()
            t = stage("baseline squad (cut-off, reranked by the reader)", t)
            sq = {
                "source": str(squad_file),
                "suite": str(suite),
                "corpus": str(corpus),
                "data": str(sq_settings.data_dir),
            }
        else:
            log(f"squad: skipped: {squad_missing(squad_file)}")

        if args.skip_emptied:
            full["emptied"] = {"skipped": "--skip-emptied"}
        else:
            jobs = [
                {
                    "name": "dev",
                    "kind": "dev",
                    "suite": str(DEV_SUITE),
                    "corpus": str(SHIPPED_CORPUS),
                    "data": str(seed_data),
                },
                {
                    "name": "natural",
                    "kind": "natural",
                    "suite": str(NATURAL_SUITE),
                    "corpus": str(SHIPPED_CORPUS),
                    "data": str(seed_data),
                },
            ]
            if sq:
                jobs.append(
                    {
                        "name": "squad",
                        "kind": "squad",
                        "suite": sq["suite"],
                        "corpus": sq["corpus"],
                        "data": sq["data"],
                    }
                )
            log("word lists emptied: dev, natural, SQuAD in a child process")
            full["emptied"] = run_emptied(jobs, work)
            t = stage("word lists emptied (child)", t)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    full["rows"] = {"waymark": rows, "baseline": brows, "baseline_conversation": bconv, "reranked": rrows}
    full["conversation_waymark"] = {
        "alone": comparison.alone,
        "conversation": comparison.conversation,
        "lost": comparison.lost,
        "gained": comparison.gained,
        "failures": comparison.failures,
    }
    summary = summarize(full, comparison, warm, bwarm, rwarm)
    summary["measured_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    summary["seconds"] = round(time.perf_counter() - started, 1)
    summary["loadavg_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    summary["stages_s"] = full["stages_s"]
    full["summary"] = summary
    return full, summary


def balanced(p: dict) -> float:
    """Balanced accuracy of one curve point: mean of hit on answerable and abstention on impossible."""
    return (p["hit"] / p["answerable"] + p["abstain_impossible"] / p["impossible"]) / 2


def best_point(curve: list[dict]) -> dict | None:
    """The point with the best balanced accuracy among those that answer some questions and
    abstain on others (answering or abstaining on everything scores 0.5 at best)."""
    total = lambda p: p["answerable"] + p["impossible"]  # noqa: E731
    mixed = [p for p in curve if 0 < p["abstain_impossible"] + p["abstain_answerable"] < total(p)]
    if not mixed:
        return None
    best = max(mixed, key=balanced)
    return {**best, "balanced_accuracy": balanced(best)}


def baseline_conversation(alone: list[dict], talk: list[dict]) -> dict:
    lost = [a["id"] for a, c in zip(alone, talk, strict=True) if a["passed"] and not c["passed"]]
    gained = [a["id"] for a, c in zip(alone, talk, strict=True) if not a["passed"] and c["passed"]]
    return {
        "cases": len(alone),
        "passed_alone": sum(a["passed"] for a in alone),
        "passed_in_conversation": sum(c["passed"] for c in talk),
        "lost": len(lost),
        "gained": len(gained),
    }


def summarize(full: dict, comparison, warm: dict, bwarm: dict, rwarm: dict) -> dict:
    rows, brows, rrows, bconv = (
        full["rows"]["waymark"],
        full["rows"]["baseline"],
        full["rows"]["reranked"],
        full["rows"]["baseline_conversation"],
    )
    cutoff = full["cutoff"]
    out: dict = {
        "machine": machine(),
        "quick": full["quick"],
        "timing_passes": full["timing_passes"],
        "cutoff": {**cutoff, "batch_score_difference": full.get("batch_score_difference")},
        "thresholds": {
            "model": full.get("model_threshold"),
            "seed": full.get("threshold_seed"),
            "squad": full.get("threshold_squad"),
        },
        "natural": {
            "waymark": {
                **natural_summary(rows["natural"]),
                "auc_threshold_free": question_auc(rows["natural_t0"]),
            },
            "baseline": natural_summary(brows["natural"]),
            "reranked": natural_summary(rrows["natural"]),
        },
        "dev": {
            "waymark": dev_summary(rows["dev"]),
            "baseline": dev_summary(brows["dev"]),
            "reranked": dev_summary(rrows["dev"]),
        },
        "conversation": {
            "standalone": full["standalone"],
            "waymark": {
                "dev": comparison.summary("dev"),
                "natural": comparison.summary("natural"),
                "all": comparison.summary(),
                "lost": comparison.lost,
                "gained": comparison.gained,
            },
            "baseline": {
                "dev": baseline_conversation(brows["dev"], bconv["dev"]),
                "natural": baseline_conversation(brows["natural"], bconv["natural"]),
            },
        },
        "warm": {
            "waymark": warm,
            "baseline": bwarm,
            "reranked": rwarm,
            "ratio_p95": warm["p95"] / bwarm["p95"] if bwarm["p95"] else None,
            "ratio_p95_before": warm["p95"] / BEFORE["warm_p95_ms"],
            "ratio_p95_before19": warm["p95"] / BEFORE19["warm_p95_ms"],
        },
    }
    if "squad" in rows:
        out["squad"] = squad_section(full)
    out["emptied"] = emptied_section(full.get("emptied") or {}, rows)
    return out


def squad_section(full: dict) -> dict:
    """SQuAD figures of the three systems at their operating points, and their curves."""
    rows, brows, rrows = (full["rows"][k] for k in ("waymark", "baseline", "reranked"))
    hits = full.get("squad_quotes_hit")
    curves = {
        "waymark": waymark_curve(rows["squad_t0"], hits),
        "baseline": baseline_curve(brows["squad"]),
        "reranked": reader_curve(rrows["squad"]),
    }
    check = None
    if hits:  # the per-threshold quotes at the operating point against the calibrated run
        real = {r["id"]: bool(r["fact"]) for r in rows["squad"] if r["answerable"]}
        zero = {r["id"]: r for r in rows["squad_t0"]}
        t = full["threshold_squad"]
        agree = sum(
            real[i] == (not zero[i]["abstained"] and zero[i]["confidence"] >= t and h[-1])
            for i, h in hits.items()
        )
        check = {"agree": agree, "cases": len(hits)}
    full["curves"] = curves
    out = {
        "waymark": {**squad_summary(rows["squad"]), "operating_point": full.get("threshold_squad")},
        "waymark_threshold_0": squad_summary(rows["squad_t0"]),
        "curve_method": "quotes chosen at each threshold" if hits else "threshold=0 answers (generous)",
        "curve_check": check,
        "curve_error": full.get("squad_quotes_hit_error"),
        "baseline": {**squad_summary(brows["squad"]), "operating_point": full["cutoff"]["value"]},
        "reranked": {**squad_summary(rrows["squad"]), "operating_point": full.get("model_threshold")},
        "curves": curves,
    }
    for key, curve in curves.items():
        out[key]["best_on_curve"] = best_point(curve)
    return out


def emptied_section(emptied: dict, rows: dict) -> dict:
    """The word-lists-emptied figures and how many cases changed, or why they were not run."""
    if "suites" not in emptied:
        return {"skipped": emptied.get("skipped", "not run")}
    out = {"patched": emptied["patched"], "seconds": emptied.get("seconds")}
    for name, got in emptied["suites"].items():
        out[name] = {
            "summary": got["summary"],
            "threshold": got["threshold"],
            "changed": changed_cases(rows[name], got["rows"]),
        }
    return out


def small(summary: dict) -> dict:
    """The committed summary: curves at every 0.05 of the threshold (Waymark) / 5% of the range."""
    out = json.loads(json.dumps(summary))
    for key, curve in (out.get("squad") or {}).get("curves", {}).items():
        out["squad"]["curves"][key] = curve[::5] + ([curve[-1]] if (len(curve) - 1) % 5 else [])
    return out


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one timed latency pass, not three")
    parser.add_argument("--skip-emptied", action="store_true", help="skip the word-lists-emptied child")
    parser.add_argument(
        "--training",
        type=Path,
        default=TRAINING,
        help="folder laid out as training/: corpus/, questions.yaml, extra/corpus/, extra/questions_*.yaml",
    )
    parser.add_argument("--squad", type=Path, help="SQuAD v2 JSON (default: $WAYMARK_SQUAD or ../shared/...)")
    parser.add_argument("--no-readme", action="store_true", help="do not touch benchmarks/README.md")
    parser.add_argument("--readme-only", action="store_true", help="re-render the README section and the SVG")
    parser.add_argument("--keep", action="store_true", help="keep the temporary indexes")
    parser.add_argument("--child-emptied", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_emptied:
        print(json.dumps(emptied_child(json.loads(args.child_emptied))))
        return 0
    if args.readme_only:
        summary = json.loads(SUMMARY.read_text(encoding="utf-8"))
        if OUT.exists():
            full = json.loads(OUT.read_text(encoding="utf-8"))
            summary_full = full.get("summary", summary)
        else:
            summary_full = summary
    else:
        full, summary_full = measure(args)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(full, indent=1, default=str), encoding="utf-8")
        summary = small(summary_full)
        SUMMARY.write_text(json.dumps(summary, indent=1, default=str) + "\n", encoding="utf-8")
        log(f"wrote {OUT.relative_to(REPO)} and {SUMMARY.relative_to(REPO)}")
    if summary_full.get("squad"):
        SVG.write_text(curve_svg(summary_full), encoding="utf-8")
    if not args.no_readme:
        readme.write_section(SECTION, render_section(summary))
        log(f"wrote the 'Answer or abstain' section of {readme.README.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
