"""What every benchmark in ``benchmarks/run.py`` shares: the environment, fresh child processes,
medians, a run's temporary folders and its results on disk (``benchmarks/out/<section>.json``).

Timings that must not include a warm model, or peak memory, are taken in a fresh interpreter: one of
the ``benchmarks/child_*.py`` modules, run as ``python -m benchmarks.child_X PARAMS_JSON``. Each
starts its clock on its first line, so interpreter start-up is excluded, and prints one JSON line.

The parent imports project code inside the functions that use it: the entry point sets the benchmark
environment first (``HF_HUB_OFFLINE`` is read on import), and ``run.py --readme-only`` loads no model.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
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

OUT = REPO / "benchmarks" / "out"
DEV_SUITE = REPO / "evals" / "suites" / "dev.yaml"
# The SQuAD v2 sample lives next to the checkout (../shared/...), not in it: it is not ours to ship.
DEFAULT_SQUAD = REPO.parent / "shared" / "benchmarks" / "squad-small" / "small.json"


def squad_path(given: str | Path | None = None) -> Path:
    """The SQuAD v2 file: ``given`` (``--squad``), else ``$WAYMARK_SQUAD``, else next to the checkout."""
    return Path(given or os.environ.get("WAYMARK_SQUAD") or DEFAULT_SQUAD)


def squad_missing(path: Path) -> str:
    """Why the SQuAD part is skipped, and how to run it."""
    return f"{path} not found (pass --squad FILE or set WAYMARK_SQUAD to a SQuAD v2 JSON file)"


def use_benchmark_environment() -> None:
    """Offline models, no telemetry and a fixed today, for this process and the children it starts.
    Called by the entry points, not on import, so importing a benchmark module changes nothing."""
    os.environ.update(ENV)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- child processes


def child(module: str, params: dict, timeout: float = 7200) -> dict:
    """Run ``benchmarks/<module>.py`` in a fresh interpreter; its last stdout line is the JSON result."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", json.dumps(params)],
        cwd=REPO,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        msg = f"benchmark child {module} failed ({done.returncode}): {done.stderr[-1500:]}"
        raise RuntimeError(msg)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - t0
    return result


def paths(corpus: Path, data: Path) -> dict:
    return {"corpus": str(corpus), "data": str(data)}


def index_child(corpus: Path, data: Path, timeout: float = 7200) -> dict:
    """One index build in a fresh process (``child_index``)."""
    return child("child_index", paths(corpus, data), timeout=timeout)


def prepare_serving(corpus: Path, data: Path) -> None:
    """Answer once in a throw-away process, so one-time work (the ONNX query-model export, if the
    index build did not do it) is not counted as serving time or serving memory."""
    child("child_prepare", paths(corpus, data))


def answer_child(corpus: Path, data: Path, runs: int) -> dict:
    """Warm latency over the dev suite in a process that only serves, with its peak memory."""
    prepare_serving(corpus, data)
    out = child("child_answer", {**paths(corpus, data), "suite": str(DEV_SUITE), "runs": runs})
    out["p50"] = statistics.median(r["p50"] for r in out["runs"])
    out["p95"] = statistics.median(r["p95"] for r in out["runs"])
    return out


def baseline_runs(runs: int, corpus: Path, suite: Path) -> dict:
    """The baseline over one suite in a fresh process (its own model, its own memory)."""
    log(f"baseline: {suite.name} in a fresh process")
    got = child("child_baseline", {"corpus": str(corpus), "suite": str(suite), "runs": runs})
    out = got["runs"][0]
    out["latency_ms"] = median_latency([r["latency_ms"] for r in got["runs"]])
    out["latency_runs"] = [r["latency_ms"] for r in got["runs"]]
    out["peak_rss_mb"] = got["peak_rss_mb"]
    return out


# ---------------------------------------------------------------- medians


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def median_latency(runs: list[dict]) -> dict:
    return {k: median(r.get(k) for r in runs) for k in ("p50", "p95")}


def median_of(rows: list[dict], *keys: str) -> dict:
    return {k: median(r.get(k) for r in rows) for k in keys}


def median_summary(summaries: list[dict]) -> dict:
    """Median of each count and latency over runs (counts are deterministic; latency is not)."""
    out = json.loads(json.dumps(summaries[0]))
    for key, value in out.items():
        if isinstance(value, dict) and "passed" in value:
            value["passed"] = median(s[key]["passed"] for s in summaries)
    out["latency_ms"] = median_latency([s["latency_ms"] for s in summaries])
    out["latency_runs"] = [s["latency_ms"] for s in summaries]
    return out


# ---------------------------------------------------------------- one run's shared state


class Context:
    """Shared state for one benchmark run: temp folders, the loaded model, the seed index."""

    def __init__(self, runs: int, sizes: list[int], work: Path, squad: Path | None = None) -> None:
        self.runs = runs
        self.sizes = sizes
        self.work = work
        self.squad = squad_path(squad)
        self._embeddings = None
        self._seed_data: Path | None = None

    def tmp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.work))

    @property
    def embeddings(self):
        if self._embeddings is None:  # torch only when a section needs the model
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
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain")),
        "query_engine_setting": os.environ.get("WAYMARK_QUERY_ENGINE", "onnx (default)"),
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def git(*args: str) -> str:
    """The output of a git command in the checkout, or "" when git is missing or fails."""
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def save(name: str, data: dict, out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(data, indent=2, default=str))


def load_results(out: Path = OUT) -> dict:
    """Every JSON result present, so the README shows the latest of each section."""
    results: dict = {"scale": {}}
    for path in sorted(out.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if path.stem.startswith("scale_"):
            results["scale"][int(path.stem.split("_", 1)[1])] = data
        else:
            results[path.stem] = data
    return results
