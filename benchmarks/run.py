"""Waymark vs a naive LangChain RAG baseline, side by side, on this machine, in one run.

Sections (each writes ``benchmarks/out/<section>.json``; the README is rebuilt from every JSON
present, so sections can be re-run alone and a long 100k run can be merged in later):

    index   seed index from scratch / no-change re-index (fresh processes), embedding throughput,
            baseline build time
    dev     dev suite per-check summary (Waymark) and fact hit-rate (baseline); warm latency
    squad   SQuAD v2 sample: answer hit-rate on answerable, abstention on impossible
    scale   synthetic corpora (benchmarks/synth.py): index throughput, disk, peak RSS, warm latency
    load    20 concurrent gradio_client users x 20 questions against the chat app

    python benchmarks/run.py [--quick] [--sizes 10000,100000] [--runs 3] [--only dev,squad]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TODAY = "2026-11-25"
ENV = {
    "HF_HUB_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "WAYMARK_TODAY": TODAY,
}
os.environ.update(ENV)


OUT = REPO / "benchmarks" / "out"
README = REPO / "benchmarks" / "README.md"
DEV_SUITE = REPO / "evals" / "suites" / "dev.yaml"
SQUAD = Path(
    os.environ.get(
        "WAYMARK_SQUAD", Path(__file__).resolve().parents[2] / "shared/benchmarks/squad-small/small.json"
    )
)
SECTIONS = ("index", "dev", "squad", "scale", "load")
TARGETS = {
    "warm_p50_ms": 25,
    "warm_p95_ms": 60,
    "cold_ask_s": 2.5,
    "scratch_s": 3.0,
    "noop_s": 0.5,
    "p95_100k_ms": 80,
    "rss_100k_mb": 2048,
}

# ---------------------------------------------------------------- child processes
# Timings that must not include a warm model, or peak memory, are taken in a fresh interpreter.
# Each child starts its clock on its first line, so interpreter start-up is excluded. Peak memory
# is VmHWM: ru_maxrss survives fork + exec on Linux and would report this (large) parent's peak.

PEAK_RSS = """
def peak_rss_mb():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

CHILD_INDEX = """
import time; t0 = time.perf_counter()
import json, sys
from pathlib import Path
from bot.settings import Settings
from index.build import build_index
p = json.loads(sys.argv[1]); t1 = time.perf_counter()
s = build_index(
    Settings.from_env(corpus_dir=Path(p["corpus"]), data_dir=Path(p["data"])), warn=lambda m: None
)
t2 = time.perf_counter()
print(json.dumps({"total_s": t2 - t0, "import_s": t1 - t0, "build_s": t2 - t1, "passages": s.passages,
    "embedded": s.embedded, "documents": s.documents, "changed": s.changed,
    "peak_rss_mb": peak_rss_mb()}))
"""

CHILD_ANSWER = """
import time; t0 = time.perf_counter()
import json, statistics, sys
from pathlib import Path
from bot.answer import Answerer
from bot.settings import Settings
from evals.runner import run_suites
from evals.suite import load_suite
p = json.loads(sys.argv[1])
settings = Settings.from_env(corpus_dir=Path(p["corpus"]), data_dir=Path(p["data"]))
answerer = Answerer(settings)
cases = load_suite(Path(p["suite"]))
t1 = time.perf_counter(); answerer.answer(cases[0].question, cases[0].history); t2 = time.perf_counter()
def timed(case):
    t = time.perf_counter()
    answerer.answer(case.question, case.history)
    return (time.perf_counter() - t) * 1000
for case in cases: timed(case)
runs = []
for _ in range(p["runs"]):
    lat = sorted(timed(c) for c in cases)
    q = statistics.quantiles(lat, n=100, method="inclusive")
    runs.append({"p50": q[49], "p95": q[94], "max": lat[-1]})
report = run_suites(settings, [Path(p["suite"])], answerer=answerer)
engine = getattr(answerer.embed_query, "__qualname__", type(answerer.embed_query).__name__)
print(json.dumps({"runs": runs, "first_answer_s": t2 - t1, "load_s": t1 - t0, "query_engine": engine,
    "torch_loaded": "torch" in sys.modules,
    "passages": len(answerer.handle.snapshot().ids), "summary": report.summary(),
    "peak_rss_mb": peak_rss_mb()}))
"""

CHILD_WARM_BUILD = """
import json, sys, time
from pathlib import Path
from benchmarks.baseline import Baseline
from bot.settings import Settings
from index.build import build_index, collect
from index.embed import SentenceEmbeddings
p = json.loads(sys.argv[1])
settings = Settings.from_env(corpus_dir=Path(p["corpus"]), data_dir=Path(p["data"]))
emb = SentenceEmbeddings()
emb.encode(["warm up"])
texts = [x.text for x in collect(settings, lambda m: None)[0]]
t0 = time.perf_counter(); emb.encode(texts); t1 = time.perf_counter()
summary = build_index(settings, warn=lambda m: None, embeddings=emb)
base = Baseline(Path(p["corpus"]), emb).build(); base.close()
print(json.dumps({"embed_passages_per_s": len(texts) / (t1 - t0), "build_s": summary.seconds,
    "baseline_build_s": base.build_seconds, "baseline_chunks": base.chunks, "peak_rss_mb": peak_rss_mb()}))
"""

CHILD_BASELINE = """
import json, sys
from pathlib import Path
from benchmarks.baseline import Baseline
from evals.suite import load_suite
p = json.loads(sys.argv[1])
cases = load_suite(Path(p["suite"]))
base = Baseline(Path(p["corpus"])).build()
base.run(cases[:5])
runs = [base.run(cases).summary() for _ in range(p["runs"])]
base.close()
print(json.dumps({"runs": runs, "peak_rss_mb": peak_rss_mb()}))
"""

CHILD_PREPARE = """
import json, sys
from pathlib import Path
from bot.answer import Answerer
from bot.settings import Settings
p = json.loads(sys.argv[1])
Answerer(Settings.from_env(corpus_dir=Path(p["corpus"]), data_dir=Path(p["data"]))).answer("warm up")
print("{}")
"""


def child(code: str, params: dict, timeout: float = 7200) -> dict:
    """Run ``code`` in a fresh interpreter; its last stdout line is the JSON result."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS + code, json.dumps(params)],
        cwd=REPO,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        msg = f"benchmark child failed ({done.returncode}): {done.stderr[-1500:]}"
        raise RuntimeError(msg)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - t0
    return result


def index_child(corpus: Path, data: Path) -> dict:
    return child(CHILD_INDEX, _paths(corpus, data))


def prepare_serving(corpus: Path, data: Path) -> None:
    """Answer once in a throw-away process, so one-time work (the ONNX query-model export, if the
    index build did not do it) is not counted as serving time or serving memory."""
    child(CHILD_PREPARE, {"corpus": str(corpus), "data": str(data)})


def answer_child(corpus: Path, data: Path, runs: int) -> dict:
    """Warm latency over the dev suite in a process that only serves, with its peak memory."""
    prepare_serving(corpus, data)
    out = child(
        CHILD_ANSWER, {"corpus": str(corpus), "data": str(data), "suite": str(DEV_SUITE), "runs": runs}
    )
    out["p50"] = statistics.median(r["p50"] for r in out["runs"])
    out["p95"] = statistics.median(r["p95"] for r in out["runs"])
    return out


# ---------------------------------------------------------------- helpers


class Context:
    """Shared state for one benchmark run: temp folders, the loaded model, the seed index."""

    def __init__(self, runs: int, sizes: list[int], work: Path) -> None:
        self.runs = runs
        self.sizes = sizes
        self.work = work
        self._embeddings = None
        self._seed_data: Path | None = None

    def tmp(self, name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.work))
        return path

    @property
    def embeddings(self):
        if self._embeddings is None:
            from index.embed import SentenceEmbeddings

            self._embeddings = SentenceEmbeddings()
            self._embeddings.encode(["warm up"])
        return self._embeddings

    def settings(self, corpus: Path, data: Path):
        from bot.settings import Settings

        return Settings.from_env(corpus_dir=corpus, data_dir=data, today=dt.date.fromisoformat(TODAY))

    def build(self, corpus: Path, data: Path):
        from index.build import build_index

        return build_index(self.settings(corpus, data), warn=lambda _m: None, embeddings=self.embeddings)

    @property
    def seed_data(self) -> Path:
        """One index of the shipped corpus, shared by the sections that only read it."""
        from bot.settings import SHIPPED_CORPUS

        if self._seed_data is None:
            self._seed_data = self.tmp("seed")
            self.build(SHIPPED_CORPUS, self._seed_data)
        return self._seed_data


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def median_latency(runs: list[dict]) -> dict:
    return {k: median(r.get(k) for r in runs) for k in ("p50", "p95")}


def rate(counts: dict | None) -> float | None:
    return counts["passed"] / counts["total"] if counts and counts.get("total") else None


def disk_mb(path: Path) -> float:
    """Allocated size, as ``du`` reports it."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total / 1_048_576


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- sections


def bench_index(ctx: Context) -> dict:
    """Seed corpus: scratch build and no-change re-index in fresh processes; model throughput;
    warm-model builds of Waymark and the baseline, for a like-for-like ratio."""
    from bot.settings import SHIPPED_CORPUS

    scratch, noop = [], []
    for i in range(ctx.runs):
        data = ctx.tmp(f"scratch{i}")
        log(f"index: scratch build {i + 1}/{ctx.runs} in a fresh process")
        scratch.append(index_child(SHIPPED_CORPUS, data))
        noop.append(index_child(SHIPPED_CORPUS, data))
    warm = []
    for i in range(ctx.runs):
        log(f"index: model-loaded builds (Waymark, baseline) {i + 1}/{ctx.runs} in a fresh process")
        warm.append(child(CHILD_WARM_BUILD, {"corpus": str(SHIPPED_CORPUS), "data": str(ctx.tmp("warm"))}))
    return {
        "passages": scratch[0]["passages"],
        "scratch": {
            **_med(scratch, "total_s", "import_s", "build_s", "process_s", "peak_rss_mb"),
            "runs": scratch,
        },
        "noop": {**_med(noop, "total_s", "import_s", "build_s", "process_s"), "runs": noop},
        "embed_passages_per_s": median(w["embed_passages_per_s"] for w in warm),
        "warm_build_s": median(w["build_s"] for w in warm),
        "baseline_build_s": median(w["baseline_build_s"] for w in warm),
        "baseline_chunks": warm[0]["baseline_chunks"],
        "warm_runs": warm,
    }


def _med(rows: list[dict], *keys: str) -> dict:
    return {k: median(r.get(k) for r in rows) for k in keys}


def bench_dev(ctx: Context) -> dict:
    """Per-check quality on the dev suite (deterministic, but medians over runs all the same),
    warm answer latency in a serving-only process, and the baseline on the same cases."""
    from bot.answer import Answerer
    from bot.settings import SHIPPED_CORPUS
    from evals.runner import run_suites

    settings = ctx.settings(SHIPPED_CORPUS, ctx.seed_data)
    answerer = Answerer(settings)
    summaries = []
    for i in range(ctx.runs):
        log(f"dev: Waymark run {i + 1}/{ctx.runs}")
        summaries.append(run_suites(settings, [DEV_SUITE], answerer=answerer).summary())
    log("dev: warm latency in a fresh serving process")
    warm = answer_child(SHIPPED_CORPUS, ctx.seed_data, ctx.runs)
    base = _baseline_runs(ctx, SHIPPED_CORPUS, DEV_SUITE)
    return {"waymark": _median_summary(summaries), "warm": warm, "baseline": base}


def _baseline_runs(ctx: Context, corpus: Path, suite: Path) -> dict:
    """The baseline over one suite in a fresh process (its own model, its own memory)."""
    log(f"baseline: {suite.name} in a fresh process")
    got = child(CHILD_BASELINE, {"corpus": str(corpus), "suite": str(suite), "runs": ctx.runs})
    runs = got["runs"]
    out = runs[0]
    out["latency_ms"] = median_latency([r["latency_ms"] for r in runs])
    out["latency_runs"] = [r["latency_ms"] for r in runs]
    out["peak_rss_mb"] = got["peak_rss_mb"]
    return out


def _median_summary(summaries: list[dict]) -> dict:
    """Median of each count and latency over runs (counts are deterministic; latency is not)."""
    out = json.loads(json.dumps(summaries[0]))
    for key, value in out.items():
        if isinstance(value, dict) and "passed" in value:
            value["passed"] = median(s[key]["passed"] for s in summaries)
    out["latency_ms"] = median_latency([s["latency_ms"] for s in summaries])
    out["latency_runs"] = [s["latency_ms"] for s in summaries]
    return out


def bench_squad(ctx: Context) -> dict:
    """SQuAD v2 sample as a corpus + suite: hit-rate on answerable, abstention on impossible."""
    from bot.answer import Answerer
    from evals import squad
    from evals.runner import run_suites

    if not SQUAD.exists():
        return {"skipped": f"{SQUAD} not found (set WAYMARK_SQUAD)"}
    out_dir = ctx.tmp("squad")
    converted = squad.convert(squad.load_squad(SQUAD))
    corpus, suite = squad.write(converted, out_dir, source=SQUAD.name)
    data = out_dir / "data"
    log("squad: building the Waymark index")
    built = ctx.build(corpus, data)
    settings = ctx.settings(corpus, data)
    answerer = Answerer(settings)
    summaries, false_abstain = [], 0
    for i in range(ctx.runs):
        log(f"squad: Waymark run {i + 1}/{ctx.runs}")
        report = run_suites(settings, [suite], answerer=answerer)
        summaries.append(report.summary())
        false_abstain = sum(1 for c in report.cases if c.fact is not None and c.quotes == 0)
    base = _baseline_runs(ctx, corpus, suite)
    return {
        "source": str(SQUAD),
        "articles": len(converted.articles),
        "answerable": converted.answerable,
        "impossible": converted.impossible,
        "passages": built.passages,
        "build_s": built.seconds,
        "waymark": {**_median_summary(summaries), "abstained_on_answerable": false_abstain},
        "baseline": base,
    }


def bench_scale(ctx: Context, size: int) -> dict:
    """One synthetic corpus size: fresh-process index build, disk, peak RSS, warm latency.
    A stage that fails is recorded with its error; the stages before it still count."""
    from benchmarks import synth

    corpus = ctx.tmp(f"synth{size}") / "corpus"
    t0 = time.perf_counter()
    made = synth.generate(corpus, size)
    out: dict = {"size": size, "synth": asdict(made), "generate_s": time.perf_counter() - t0, "errors": {}}
    data = ctx.tmp(f"data{size}")
    log(f"scale {size}: indexing {made.documents} documents in a fresh process (slow: ~50 passages/s)")
    built = index_child(corpus, data)
    out.update(passages=built["passages"], index=built, disk_mb=disk_mb(data))
    out["index_passages_per_s"] = built["passages"] / built["build_s"]
    log(f"scale {size}: no-change re-index (bounded) and warm latency")
    noop_limit = max(120.0, built["build_s"] / 4)
    out["noop"] = _stage(out, "noop", lambda: child(CHILD_INDEX, _paths(corpus, data), timeout=noop_limit))
    out["warm"] = _stage(out, "warm", lambda: answer_child(corpus, data, ctx.runs))
    return out


def _paths(corpus: Path, data: Path) -> dict:
    return {"corpus": str(corpus), "data": str(data)}


def _stage(out: dict, name: str, fn: Callable[[], dict]) -> dict | None:
    try:
        return fn()
    except subprocess.TimeoutExpired as exc:
        out["errors"][name] = f"did not finish within {exc.timeout:.0f} s (stopped)"
    except Exception as exc:
        out["errors"][name] = f"{exc.__class__.__name__}: {str(exc)[-600:]}"
    log(f"{name}: {out['errors'][name][:300]}")
    return None


def bench_load(ctx: Context) -> dict:
    """Concurrent chat users, when the chat app (bot/ui.py) exists."""
    if not (REPO / "bot" / "ui.py").exists():
        return {"skipped": "bot/ui.py is not there yet"}
    from benchmarks import load
    from bot.settings import SHIPPED_CORPUS

    prepare_serving(SHIPPED_CORPUS, ctx.seed_data)
    log("load: 20 users x 20 questions against the chat app on 127.0.0.1")
    with load.serve(ctx.seed_data) as (url, pid):
        result = load.run_load(url, load.dev_questions(), users=20, per_user=20, pid=pid)
    return asdict(result)


# ---------------------------------------------------------------- results on disk


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {
            n: ver(n) for n in ("torch", "sentence-transformers", "chromadb", "onnxruntime", "gradio")
        },
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain")),
        "query_engine_setting": os.environ.get("WAYMARK_QUERY_ENGINE", "onnx (default)"),
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def save(name: str, data: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2, default=str))


def load_results() -> dict:
    """Every JSON result present, so the README shows the latest of each section."""
    results: dict = {"scale": {}}
    for path in sorted(OUT.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if path.stem.startswith("scale_"):
            results["scale"][int(path.stem.split("_", 1)[1])] = data
        else:
            results[path.stem] = data
    return results


# ---------------------------------------------------------------- README


def fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def ratio(a: float | None, b: float | None, digits: int = 2) -> str:
    return "–" if not a or not b else f"{a / b:.{digits}f}×"


def verdict(value: float | None, limit: float) -> str:
    return "not measured" if value is None else ("**met**" if value <= limit else "**not met**")


def quality_table(res: dict) -> list[str]:
    """Dev suite and SQuAD, Waymark beside the baseline."""
    lines = ["| suite · metric | Waymark | baseline (top-4 chunks) | ratio |", "|---|---|---|---|"]
    dev = res.get("dev")
    if dev:
        w, b = dev["waymark"], dev["baseline"]
        for check in ("fact", "doc", "stale", "abstain", "forbid"):
            c = w.get(check) or {}
            base = _baseline_cell(b, check)
            ratio_cell = ratio(rate(c), b["fact"]["rate"]) if check == "fact" else ""
            lines.append(
                f"| dev · {check} | {c.get('passed', 0):g}/{c.get('total', 0)} ({pct(rate(c))}) "
                f"| {base} | {ratio_cell} |"
            )
        f = w["faithfulness"]
        lines.append(f"| dev · quotes verbatim | {f['faithful']}/{f['quotes']} ({pct(f['share'])}) | n/a | |")
    sq = res.get("squad")
    if sq and "waymark" in sq:
        w, b = sq["waymark"], sq["baseline"]
        lines.append(
            f"| SQuAD · answer hit-rate ({sq['answerable']} answerable) | {w['fact']['passed']:g}/"
            f"{w['fact']['total']} ({pct(rate(w['fact']))}) | {b['fact']['passed']}/{b['fact']['total']} "
            f"({pct(b['fact']['rate'])}) | {ratio(rate(w['fact']), b['fact']['rate'])} |"
        )
        lines.append(
            f"| SQuAD · right document cited | {w['doc']['passed']:g}/{w['doc']['total']} "
            f"({pct(rate(w['doc']))}) | n/a | |"
        )
        lines.append(
            f"| SQuAD · abstains on impossible ({sq['impossible']}) | {w['abstain']['passed']:g}/"
            f"{w['abstain']['total']} ({pct(rate(w['abstain']))}) | 0/{b['abstain']['total']} (0.0%) | ∞ |"
        )
        lines.append(
            f"| SQuAD · abstains on answerable (lower is better) | {w['abstained_on_answerable']}/"
            f"{sq['answerable']} | 0/{sq['answerable']} | |"
        )
    elif sq:
        lines.append(f"| SQuAD | {sq.get('skipped')} | | |")
    return lines


def _baseline_cell(b: dict, check: str) -> str:
    if check == "fact":
        return f"{b['fact']['passed']}/{b['fact']['total']} ({pct(b['fact']['rate'])})"
    if check == "abstain":
        return f"0/{b['abstain']['total']} (0.0%, never abstains)"
    return "n/a"


def speed_table(res: dict) -> list[str]:
    lines = ["| measure | Waymark | baseline | ratio (W/B) |", "|---|---|---|---|"]
    dev, idx = res.get("dev"), res.get("index")
    if dev:
        w, b = dev["warm"], dev["baseline"]["latency_ms"]
        lines.append(
            f"| warm answer p50, dev suite | {fmt(w['p50'], ' ms')} | {fmt(b['p50'], ' ms')} "
            f"| {ratio(w['p50'], b['p50'])} |"
        )
        lines.append(
            f"| warm answer p95, dev suite | {fmt(w['p95'], ' ms')} | {fmt(b['p95'], ' ms')} "
            f"| {ratio(w['p95'], b['p95'])} |"
        )
        lines.append(
            f"| first answer in a fresh process (after load) | {fmt(w['first_answer_s'], ' s', 2)} | | |"
        )
    if idx:
        s, n = idx["scratch"], idx["noop"]
        lines += [
            f"| seed index from scratch, fresh process, excl. interpreter start ({idx['passages']} passages)"
            f" | {fmt(s['total_s'], ' s', 2)} | | |",
            f"| … of which imports | {fmt(s['import_s'], ' s', 2)} | | |",
            f"| … of which `build_index()` (model load, embed, write) | {fmt(s['build_s'], ' s', 2)} | | |",
            f"| seed index, model already loaded | {fmt(idx['warm_build_s'], ' s', 2)} "
            f"| {fmt(idx['baseline_build_s'], ' s', 2)} ({idx['baseline_chunks']} chunks) "
            f"| {ratio(idx['warm_build_s'], idx['baseline_build_s'])} |",
            f"| no-change re-index, fresh process, excl. interpreter start | {fmt(n['total_s'], ' s', 2)} "
            "| n/a (rebuilds) | |",
            f"| … of which `build_index()` | {fmt(n['build_s'], ' s', 3)} | | |",
            f"| embedding throughput (model only, seed passages) | {fmt(idx['embed_passages_per_s'], '/s')} "
            "| same model | 1× |",
            f"| peak RSS, scratch index process | {fmt(s['peak_rss_mb'], ' MB', 0)} | | |",
        ]
    return lines


def scale_table(res: dict) -> list[str]:
    lines = [
        "| corpus | passages | index from scratch | passages/s | no-change re-index | on disk "
        "| peak RSS index | peak RSS serving | warm p50 | warm p95 | dev facts found |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    if res.get("dev") and res.get("index"):
        warm = res["dev"]["warm"]
        lines.append(
            f"| seed | {res['index']['passages']:,} | {fmt(res['index']['scratch']['build_s'], ' s')} | – "
            f"| {fmt(res['index']['noop']['build_s'], ' s', 2)} | – "
            f"| {fmt(res['index']['scratch']['peak_rss_mb'], ' MB', 0)} | {_serving_cells(warm, {})} |"
        )
    for size, s in sorted(res["scale"].items()):
        idx, errors = s.get("index") or {}, s.get("errors") or {}
        lines.append(
            f"| synthetic {size:,} | {fmt(s.get('passages'))} | {fmt(idx.get('build_s'), ' s')} "
            f"| {fmt(s.get('index_passages_per_s'))} | {_noop_cell(s.get('noop'), errors)} "
            f"| {fmt(s.get('disk_mb'), ' MB', 0)} | {fmt(idx.get('peak_rss_mb'), ' MB', 0)} "
            f"| {_serving_cells(s.get('warm'), errors)} |"
        )
    return lines


def _noop_cell(noop: dict | None, errors: dict) -> str:
    if not noop:
        return f"failed: {errors.get('noop', 'not run')}"
    if noop.get("changed"):
        return f"{fmt(noop['build_s'], ' s', 2)}, **re-embedded {noop['embedded']:,}** (expected 0)"
    return fmt(noop["build_s"], " s", 2)


def _serving_cells(warm: dict | None, errors: dict) -> str:
    if not warm:
        message = " ".join(str(errors.get("warm", "not run")).split())[-220:].replace("|", "/")
        return f"serving failed: {message} | – | – | – | –"
    fact = warm["summary"]["fact"]
    return (
        f"{fmt(warm['peak_rss_mb'], ' MB', 0)} | {fmt(warm['p50'], ' ms')} | {fmt(warm['p95'], ' ms')} "
        f"| {fact['passed']}/{fact['total']}"
    )


def latency_chart(res: dict) -> list[str]:
    """Mermaid renders on GitHub without a plotting library or an image file."""
    points = []
    if res.get("dev") and res.get("index"):
        points.append((f"seed {res['index']['passages']}", res["dev"]["warm"]))
    points += [
        (f"{s['passages']:,}".replace(",", " "), s["warm"])
        for _, s in sorted(res["scale"].items())
        if s.get("warm")
    ]
    if len(points) < 2:
        return []
    top = max(max(w["p95"] for _, w in points), TARGETS["p95_100k_ms"]) * 1.15
    return [
        "```mermaid",
        "xychart-beta",
        '    title "Warm answer latency vs corpus size (ms)"',
        "    x-axis [" + ", ".join(f'"{name}"' for name, _ in points) + "]",
        f'    y-axis "ms" 0 --> {top:.0f}',
        "    bar [" + ", ".join(f"{w['p95']:.1f}" for _, w in points) + "]",
        "    line [" + ", ".join(f"{w['p50']:.1f}" for _, w in points) + "]",
        "```",
        "",
        "Bars: p95; line: p50.",
    ]


def load_lines(res: dict) -> list[str]:
    ld = res.get("load")
    if not ld:
        return ["Not run yet (`python benchmarks/run.py --only load`)."]
    if "skipped" in ld:
        return [f"Skipped: {ld['skipped']}."]
    lat = ld.get("latency_ms") or {}
    return [
        "| users × questions | requests/s | p50 | p95 | errors | server RSS before → after |",
        "|---|---|---|---|---|---|",
        f"| {ld['users']} × {ld['questions_per_user']} | {fmt(ld['requests_per_s'])} "
        f"| {fmt(lat.get('p50'), ' ms')} "
        f"| {fmt(lat.get('p95'), ' ms')} | {ld['errors']}{' (timed out)' if ld.get('timed_out') else ''} "
        f"| {fmt(ld['rss_mb_before'], ' MB', 0)} → {fmt(ld['rss_mb_after'], ' MB', 0)} |",
    ]


def cold_value(cold: dict | None) -> float | None:
    """The cold `waymark ask` median from benchmarks/cold_start.py, for the engine in use."""
    if not isinstance(cold, dict):
        return None
    medians = cold.get("median_seconds")
    if isinstance(medians, dict):
        engine = os.environ.get("WAYMARK_QUERY_ENGINE") or "onnx"
        value = medians.get(engine, next(iter(medians.values()), None))
        return float(value) if isinstance(value, int | float) else None
    return float(medians) if isinstance(medians, int | float) else None


def cold_note(cold: dict | None) -> str:
    medians = (cold or {}).get("median_seconds")
    if not isinstance(medians, dict):
        return ""
    return "; ".join(f"{k} {v:.2f} s" for k, v in medians.items() if isinstance(v, int | float))


def target_lines(res: dict) -> list[str]:
    dev, idx = res.get("dev"), res.get("index")
    big = res["scale"].get(100_000) or {}
    big_warm, big_index = big.get("warm") or {}, big.get("index") or {}
    cold = cold_value(res.get("cold_start"))
    w = dev["warm"] if dev else {}
    rows = [
        ("warm answer p50 ≤ 25 ms (dev suite, seed)", w.get("p50"), TARGETS["warm_p50_ms"], " ms"),
        ("warm answer p95 ≤ 60 ms (dev suite, seed)", w.get("p95"), TARGETS["warm_p95_ms"], " ms"),
        (
            f"cold `waymark ask` ≤ 2.5 s (cold_start.py: {cold_note(res.get('cold_start')) or 'not run'})",
            cold,
            TARGETS["cold_ask_s"],
            " s",
        ),
        (
            "seed index from scratch ≤ 3 s, excl. interpreter start",
            idx and idx["scratch"]["total_s"],
            TARGETS["scratch_s"],
            " s",
        ),
        (
            "no-change re-index ≤ 0.5 s, excl. interpreter start",
            idx and idx["noop"]["total_s"],
            TARGETS["noop_s"],
            " s",
        ),
        (
            "no-change re-index ≤ 0.5 s, `build_index()` only",
            idx and idx["noop"]["build_s"],
            TARGETS["noop_s"],
            " s",
        ),
        ("100k passages: warm p95 ≤ 80 ms", big_warm.get("p95"), TARGETS["p95_100k_ms"], " ms"),
        (
            "100k passages: peak RSS serving ≤ 2 GB",
            big_warm.get("peak_rss_mb"),
            TARGETS["rss_100k_mb"],
            " MB",
        ),
        (
            "100k passages: peak RSS indexing ≤ 2 GB",
            big_index.get("peak_rss_mb"),
            TARGETS["rss_100k_mb"],
            " MB",
        ),
    ]
    failed = {k: v for k, v in (big.get("errors") or {}).items() if k == "warm"}
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    for name, value, limit, unit in rows:
        judged = verdict(value, limit)
        if value is None and failed and name.startswith("100k passages: warm"):
            judged = "**not met**: serving failed (see Scale)"
        lines.append(f"| {name} | {fmt(value, unit, 2 if unit == ' s' else 1)} | {judged} |")
    return lines


def load_note(res: dict) -> str:
    """When each section ran and how busy the machine was: other work skews timings. The load
    test's own clients and server raise the load average, so that section is not judged."""
    cores = res.get("meta", {}).get("cores") or 1
    seen = [(name, r) for name, r in _sections(res) if r.get("loadavg_1min")]
    if not seen:
        return ""
    parts = ", ".join(
        f"{name} ({r.get('measured_at', '?')[11:]}, {r['loadavg_1min'][0]:.1f}→{r['loadavg_1min'][1]:.1f})"
        for name, r in seen
    )
    note = f"Sections (finished at, 1-minute load average start→end on {cores} cores): {parts}."
    if any(max(r["loadavg_1min"]) > cores for name, r in seen if name != "load"):
        note += " **Other processes were competing for the CPUs, so some timings are pessimistic.**"
    return note


def _sections(res: dict) -> list[tuple[str, dict]]:
    named = [(n, res[n]) for n in ("index", "dev", "squad", "load") if isinstance(res.get(n), dict)]
    return named + [(f"scale {k:,}", v) for k, v in sorted(res["scale"].items())]


def render_readme(res: dict) -> str:
    m = res.get("meta", {})
    engine = (res.get("dev") or {}).get("warm", {}).get("query_engine", "–")
    v = m.get("versions", {})
    return "\n".join(
        [
            "# Benchmarks",
            "",
            "Waymark beside a naive LangChain RAG baseline, measured in one run on one machine.",
            "This file is generated by `python benchmarks/run.py`; edit the template in `run.py`, not here.",
            "",
            f"Measured {m.get('date', '–')} on {m.get('cpu', '–')} ({m.get('cores', '–')} cores), "
            f"Python {m.get('python', '–')}, torch {v.get('torch', '–')}, chromadb {v.get('chromadb', '–')}, "
            f"commit `{m.get('commit', '–')}`{' + uncommitted changes' if m.get('dirty') else ''}. "
            f"Query embeddings: `{engine}` (setting: {m.get('query_engine_setting', '–')}). "
            f"Medians of {m.get('runs', '–')} runs; `WAYMARK_TODAY={TODAY}`, `HF_HUB_OFFLINE=1`.",
            "",
            load_note(res),
            "",
            "## Targets",
            "",
            *target_lines(res),
            "",
            "## Answer quality",
            "",
            "The baseline is the textbook recipe: `RecursiveCharacterTextSplitter(chunk_size=1000, "
            "chunk_overlap=200)` over the same files, the same all-MiniLM-L6-v2 embeddings, a cosine Chroma "
            "store and `similarity_search(k=4)` (`benchmarks/baseline.py`). It has no answer step, so it is "
            "scored generously: a fact counts as found when an expected string appears anywhere in the ~4000 "
            "retrieved characters. Waymark must put it in a short answer of verbatim quotes. The baseline "
            "cannot abstain, so its abstention rate is 0% by construction.",
            "",
            *quality_table(res),
            "",
            "SQuAD: the SQuAD v2 sample from deepset-ai/haystack v1.26.4 `test/samples/squad/small.json` "
            "(2 Wikipedia articles, 87 paragraphs, 626 questions of which 333 unanswerable; CC BY-SA 4.0), "
            "converted by `python -m evals.squad`. A general-knowledge corpus is not what Waymark is tuned "
            "for; it shows how abstention and quoting generalise.",
            "",
            "## Speed",
            "",
            *speed_table(res),
            "",
            "Every timing comes from a fresh child process that does only that job. Warm latency is the "
            "wall time of `Answerer.answer()` per dev-suite question after the process has loaded the index "
            "and answered every question once; the baseline's is `similarity_search(k=4)` on its store, "
            "measured the same way. Same model, different runtimes: Waymark embeds queries with ONNX "
            "Runtime (unless `WAYMARK_QUERY_ENGINE=torch`), the baseline with sentence-transformers. "
            "Fresh-process build timings start on the child's first line (interpreter start excluded) and "
            "include imports and model load; peak RSS is the child's `VmHWM`.",
            "",
            "## Scale",
            "",
            "Synthetic corpora from `benchmarks/synth.py` (seeded, reproducible): seed sentences recombined "
            "into new documents with invented places, people and numbers, plus the seed documents so the dev "
            "questions keep their answers among many near-duplicates. Index: one fresh-process build. "
            "Serving: dev-suite warm latency and peak RSS in a fresh process.",
            "",
            *scale_table(res),
            "",
            *latency_chart(res),
            "",
            "## Chat throughput",
            "",
            "`benchmarks/load.py`: the chat app (`waymark chat`) on 127.0.0.1, 20 `gradio_client` users "
            "each asking 20 dev questions through the `/ask` endpoint, at once. Latency is per request as "
            "a user sees it, so it includes waiting in the app's queue (a few answers run at a time); the "
            "clients run on the same cores as the server.",
            "",
            *load_lines(res),
            "",
            "## Reproduce",
            "",
            "```sh",
            "make bench                                     # all sections, sizes 10k and 100k (~25 min)",
            ".venv/bin/python benchmarks/run.py --quick     # 10k only (~6 min)",
            ".venv/bin/python benchmarks/run.py --only scale --sizes 100000   # add the 100k row later",
            ".venv/bin/python benchmarks/run.py --readme-only                  # re-render from out/*.json",
            ".venv/bin/python benchmarks/synth.py /tmp/synth --passages 10000  # just the corpus",
            ".venv/bin/python benchmarks/load.py --data-dir .waymark           # just the load test",
            ".venv/bin/python -m evals.squad SQUAD.json OUT     # SQuAD as corpus + suite, then:",
            ".venv/bin/waymark eval OUT/suite.yaml --corpus OUT/corpus --data-dir OUT/data",
            "```",
            "",
            "Raw results: `benchmarks/out/*.json` (not committed). `WAYMARK_QUERY_ENGINE=torch` benchmarks "
            "the reference query path; `WAYMARK_SQUAD=FILE` points at another SQuAD v2 file.",
            "",
        ]
    )


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="scale at 10k passages only")
    parser.add_argument("--sizes", help="synthetic corpus sizes, comma-separated (default 10000,100000)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions for medians (at least 3)")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--readme-only", action="store_true", help="re-render README.md from out/*.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpora and indexes")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3 (the README reports medians)")
    default = "10000" if args.quick else "10000,100000"
    args.size_list = [int(s) for s in (args.sizes or default).split(",") if s.strip()]
    args.section_list = args.only.split(",") if args.only else list(SECTIONS)
    unknown = set(args.section_list) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def run_sections(ctx: Context, sections: list[str]) -> list[str]:
    """Each section saved as soon as it is done; a failing one is reported, not fatal."""
    plain: dict[str, Callable[[Context], dict]] = {
        "index": bench_index,
        "dev": bench_dev,
        "squad": bench_squad,
    }
    jobs: list[tuple[str, Callable[[], dict]]] = []
    for section in sections:
        if section == "scale":
            jobs += [(f"scale_{n}", lambda n=n: bench_scale(ctx, n)) for n in ctx.sizes]
        elif section == "load":
            jobs.append(("load", lambda: bench_load(ctx)))
        else:
            jobs.append((section, lambda fn=plain[section]: fn(ctx)))
    failed = []
    for name, job in jobs:
        started, load_before = time.perf_counter(), os.getloadavg()[0]
        try:
            result = job()
        except Exception as exc:  # keep the other sections' results
            log(f"{name}: FAILED {exc.__class__.__name__}: {exc}")
            failed.append(name)
            continue
        result["section_s"] = time.perf_counter() - started
        result["measured_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        result["loadavg_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        save(name, result)
        log(f"{name}: done in {result['section_s']:.0f}s")
    return failed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.readme_only:
        work = Path(tempfile.mkdtemp(prefix="waymark-bench-"))
        try:
            ctx = Context(args.runs, args.size_list, work)
            failed = run_sections(ctx, args.section_list)
            save("meta", {**machine(), "runs": args.runs})
        finally:
            if args.keep:
                log(f"kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    else:
        failed = []
    README.write_text(render_readme(load_results()))
    log(f"wrote {README.relative_to(REPO)} from {OUT.relative_to(REPO)}/*.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
