"""Indexing speed (issue 13): the seed index from scratch with ONNX Runtime against sentence-transformers.

Both paths in one run, interleaved so that machine noise hits both alike, each measure a median
over fresh processes:

* **scratch**: `build_index()` of the shipped corpus into a new data folder, in a fresh process,
  clock started on the child's first line (interpreter start excluded, imports and model load
  included), as in ``benchmarks/run.py``. The ONNX export is made once up front (untimed) into a
  temporary shared cache, so each timed ONNX run pays what a new data folder pays on a machine
  that has exported before: a file copy, no torch. The torch path is ``WAYMARK_QUERY_ENGINE=torch``,
  i.e. sentence-transformers for passages, as before issue 13.
* **throughput**: passages per second of the embedding model alone on the seed passages, model
  loaded and warmed up, in a fresh process per run.

It also reports the largest absolute difference between the two paths' vectors. Usage::

    .venv/bin/python benchmarks/index_speed.py [--runs 3] [--no-readme]

Writes benchmarks/out/index_speed.json and the section "Indexing speed (issue 13)" of
benchmarks/README.md (its ``index_speed`` section; ``benchmarks/readme.py`` keeps every other one).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import readme  # noqa: E402

OUT = REPO / "benchmarks" / "out" / "index_speed.json"
ENGINES = ("onnx", "torch")
TARGET_SCRATCH_S = 3.0
TARGET_PER_S = 150.0
SECTION = "index_speed"

CHILD_SCRATCH = """
import time; t0 = time.perf_counter()
import json, sys
from pathlib import Path
from bot.settings import Settings
from index.build import build_index
p = json.loads(sys.argv[1]); t1 = time.perf_counter()
warnings = []
s = build_index(Settings.from_env(corpus_dir=Path(p["corpus"]), data_dir=Path(p["data"]),
    query_engine=p["engine"]), warn=warnings.append)
t2 = time.perf_counter()
print(json.dumps({"total_s": t2 - t0, "import_s": t1 - t0, "build_s": t2 - t1, "passages": s.passages,
    "embedded": s.embedded, "warnings": warnings, "torch_imported": "torch" in sys.modules}))
"""

CHILD_THROUGHPUT = """
import json, sys, time
from pathlib import Path
import numpy as np
from bot.settings import Settings
from index.build import collect
from index.embed import SentenceEmbeddings, passage_embeddings
p = json.loads(sys.argv[1])
settings = Settings(corpus_dir=Path(p["corpus"]), data_dir=Path(p["data"]))
texts = [x.text for x in collect(settings, lambda m: None)[0]]
t0 = time.perf_counter()
if p["engine"] == "onnx":
    emb = passage_embeddings(settings.data_dir, "onnx", warn=lambda m: sys.exit("fell back: " + m))
else:
    emb = SentenceEmbeddings()
emb.encode(texts[:16])
t1, c1 = time.perf_counter(), time.process_time()
vectors = emb.encode(texts)
t2, c2 = time.perf_counter(), time.process_time()
if p.get("save"):
    np.save(p["save"], np.asarray(vectors, dtype=np.float32))
print(json.dumps({"passages": len(texts), "load_s": t1 - t0, "embed_s": t2 - t1,
    "passages_per_s": len(texts) / (t2 - t1), "passages_per_cpu_s": len(texts) / (c2 - c1),
    "torch_imported": "torch" in sys.modules}))
"""


def child(code: str, params: dict, env: dict[str, str]) -> dict:
    """One fresh interpreter; its JSON line plus its wall seconds (interpreter start included) and CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(params)],
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"child failed ({params}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def median(values) -> float:
    return round(statistics.median(values), 3)


def measure(runs: int, work: Path) -> dict:
    cache = work / "cache"
    env = {"WAYMARK_CACHE_DIR": str(cache)}
    corpus = str(REPO / "corpus")
    print("preparing: one untimed ONNX index build exports the model into the temporary cache", flush=True)
    first = child(CHILD_SCRATCH, {"corpus": corpus, "data": str(work / "prep"), "engine": "onnx"}, env)
    scratch: dict[str, list[dict]] = {e: [] for e in ENGINES}
    speed: dict[str, list[dict]] = {e: [] for e in ENGINES}
    for i in range(runs):
        for engine in ENGINES:
            print(f"run {i + 1}/{runs}: {engine} scratch build, then throughput", flush=True)
            data = work / f"scratch-{engine}-{i}"
            scratch[engine].append(
                child(CHILD_SCRATCH, {"corpus": corpus, "data": str(data), "engine": engine}, env)
            )
            shutil.rmtree(data, ignore_errors=True)
            save = str(work / f"vectors-{engine}.npy") if i == 0 else None
            params = {"corpus": corpus, "data": str(work / "prep"), "engine": engine, "save": save}
            speed[engine].append(child(CHILD_THROUGHPUT, params, env))
    import numpy as np

    a, b = (np.load(work / f"vectors-{e}.npy").astype(np.float64) for e in ENGINES)
    summary = {
        e: {
            "scratch_total_s": median(r["total_s"] for r in scratch[e]),
            "scratch_import_s": median(r["import_s"] for r in scratch[e]),
            "scratch_build_s": median(r["build_s"] for r in scratch[e]),
            "scratch_wall_s": median(r["wall_s"] for r in scratch[e]),
            "scratch_cpu_s": median(r["cpu_s"] for r in scratch[e]),
            "passages_per_s": median(r["passages_per_s"] for r in speed[e]),
            "passages_per_cpu_s": median(r["passages_per_cpu_s"] for r in speed[e]),
            "model_load_s": median(r["load_s"] for r in speed[e]),
            "torch_imported": any(r["torch_imported"] for r in scratch[e]),
            "warnings": sorted({w for r in scratch[e] for w in r["warnings"]}),
        }
        for e in ENGINES
    }
    return {
        "runs": runs,
        "passages": scratch["onnx"][0]["passages"],
        "summary": summary,
        "scratch": scratch,
        "throughput": speed,
        "first_onnx_build_with_export": first,
        "max_abs_diff": float(np.max(np.abs(a - b))),
        "min_cosine": float(
            np.min(np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)))
        ),
    }


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        info = Path("/proc/cpuinfo").read_text()
        cpu = next(
            (ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), cpu
        )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit.stdout.strip() or "unknown",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def section(res: dict) -> str:
    s, m = res["summary"], res["machine"]
    onnx, torch = s["onnx"], s["torch"]

    def row(label: str, key: str, unit: str, digits: int, better: str) -> str:
        a, b = onnx[key], torch[key]
        ratio = (b / a if better == "lower" else a / b) if a and b else float("nan")
        return f"| {label} | {a:.{digits}f}{unit} | {b:.{digits}f}{unit} | {ratio:.2f}× |"

    verdict_time = "**met**" if onnx["scratch_total_s"] <= TARGET_SCRATCH_S else "**not met**"
    verdict_rate = "**met**" if onnx["passages_per_s"] >= TARGET_PER_S else "**not met**"
    load = res["loadavg_1min"]
    contention = (
        f" The 1-minute load average went {load[0]:.1f}→{load[1]:.1f} on {m['cores']} cores: other processes "
        "were competing for the CPUs, so both columns are pessimistic (CPU seconds are less affected)."
        if max(load) > m["cores"]
        else f" 1-minute load average {load[0]:.1f}→{load[1]:.1f} on {m['cores']} cores."
    )
    lines = [
        "## Indexing speed (issue 13)",
        "",
        f"`benchmarks/index_speed.py`, measured {m['date']} on {m['cpu']} ({m['cores']} cores), Python "
        f"{m['python']}, commit `{m['commit']}`: the seed corpus ({res['passages']} passages), medians of "
        f"{res['runs']} fresh processes per path, the two paths interleaved in one run.{contention}",
        "",
        "| measure | ONNX Runtime (default) | sentence-transformers (`WAYMARK_QUERY_ENGINE=torch`) "
        "| speed-up |",
        "|---|---|---|---|",
        row(
            "seed index from scratch, fresh process, excl. interpreter start",
            "scratch_total_s",
            " s",
            2,
            "lower",
        ),
        row("… of which `build_index()` (model load, embed, write)", "scratch_build_s", " s", 2, "lower"),
        row("same, wall time incl. interpreter start", "scratch_wall_s", " s", 2, "lower"),
        row("same, CPU seconds (user + sys)", "scratch_cpu_s", " s", 2, "lower"),
        row("embedding throughput (model only, seed passages)", "passages_per_s", " passages/s", 1, "higher"),
        row(
            "… per CPU-second (all threads; less affected by other load)",
            "passages_per_cpu_s",
            "",
            1,
            "higher",
        ),
        row("model load before the first vector", "model_load_s", " s", 2, "lower"),
        "",
        f"Targets: seed index from scratch ≤ {TARGET_SCRATCH_S:.0f} s: {onnx['scratch_total_s']:.2f} s, "
        f"{verdict_time}; throughput ≥ {TARGET_PER_S:.0f} passages/s on 2 cores: "
        f"{onnx['passages_per_s']:.1f}/s, {verdict_rate}. torch imported by the ONNX build: "
        f"{'yes' if onnx['torch_imported'] else 'no'}. Largest absolute difference between the two paths' "
        f"vectors over all seed passages: {res['max_abs_diff']:.1e} (lowest cosine "
        f"{res['min_cosine']:.9f}), so indexes built either way are interchangeable.",
        "",
        "The ONNX path tokenizes all passages once, sorts them by token count and runs batches of 16 "
        "similar lengths (little padding) on an ONNX Runtime session with 2 intra-op threads. Each timed "
        "ONNX build starts from an empty data folder and copies the exported model from the shared cache "
        "(`WAYMARK_CACHE_DIR`, default `~/.cache/waymark`). On a machine without a cached export the first "
        "build exports it, without torch (`index/onnx_build.py` writes the graph from the safetensors "
        f"weights): that build took {res['first_onnx_build_with_export']['total_s']:.2f} s, torch imported: "
        f"{'yes' if res['first_onnx_build_with_export']['torch_imported'] else 'no'}.",
        "",
        "`.venv/bin/python benchmarks/index_speed.py --readme-only` re-renders this section from the saved "
        "results; every benchmark rewrites only its own sections of this file.",
    ]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme.write_section(SECTION, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true", help="Only print and write the JSON.")
    parser.add_argument("--readme-only", action="store_true", help="Re-render the section from the JSON.")
    args = parser.parse_args()
    if args.readme_only:
        write_readme(section(json.loads(OUT.read_text())))
        return
    if args.runs < 3:
        parser.error("--runs must be at least 3 (medians)")
    work = Path(tempfile.mkdtemp(prefix="waymark-index-speed-"))
    load_before = os.getloadavg()[0]
    try:
        res = measure(args.runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res["loadavg_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    res["machine"] = machine()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    for engine, s in res["summary"].items():
        print(
            f"{engine:>5}: scratch {s['scratch_total_s']:.2f}s (build {s['scratch_build_s']:.2f}s, "
            f"CPU {s['scratch_cpu_s']:.2f}s), {s['passages_per_s']:.1f} passages/s"
        )
    print(f"max abs diff {res['max_abs_diff']:.2e}; wrote {OUT}")
    if not args.no_readme:
        write_readme(section(res))
        print(f"wrote the section to {readme.README}")


if __name__ == "__main__":
    main()
