"""Cold-start wall time of `waymark ask`: the ONNX query engine against torch.

A one-shot `waymark ask` must answer within 2.5 s, and importing torch alone takes longer, so this
times fresh processes (median of 5 each, interleaved so that machine noise hits both engines) on
one index built up front. Usage::

    .venv/bin/python benchmarks/cold_start.py [--runs 5] [--keep]

Prints the medians and their ratio and writes benchmarks/out/cold_start.json.
"""

from __future__ import annotations

import argparse
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

QUESTION = "What number do I dial for the police from a mobile in Kazakhstan?"
ENGINES = ("onnx", "torch")
BUDGET_SECONDS = 2.5
OUT = Path(__file__).resolve().parent / "out" / "cold_start.json"


def waymark() -> str:
    """The console script of the interpreter running this file, so the venv is the one measured."""
    script = Path(sys.executable).with_name("waymark")
    return str(script) if script.exists() else shutil.which("waymark") or "waymark"


def run(args: list[str], engine: str, data_dir: Path) -> tuple[float, float, str]:
    """Wall and CPU (user + sys) seconds of one fresh process, and its stdout.

    CPU time is reported too because wall time on a shared machine swings with other load.
    A failing command stops the benchmark.
    """
    env = {**os.environ, "WAYMARK_QUERY_ENGINE": engine, "WAYMARK_DATA_DIR": str(data_dir)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([waymark(), *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"`waymark {' '.join(args)}` ({engine}) failed:\n{done.stderr}")
    return seconds, cpu, done.stdout


def prepare(data_dir: Path) -> dict:
    """Build the index, then one untimed ask per engine: it exports the ONNX model if the index
    build did not, and warms the page cache for both engines alike."""
    index_seconds, _, _ = run(["index"], "onnx", data_dir)
    first = {engine: run(["ask", QUESTION], engine, data_dir)[0] for engine in ENGINES}
    if not list((data_dir / "onnx").glob("*/model.onnx")):
        raise SystemExit("No ONNX export was written: the onnx engine silently fell back to torch.")
    return {
        "index_seconds": round(index_seconds, 3),
        "first_ask_seconds": {k: round(v, 3) for k, v in first.items()},
    }


def measure(
    data_dir: Path, runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, str]]:
    """Wall and CPU seconds per engine, plus each engine's last answer text."""
    wall: dict[str, list[float]] = {engine: [] for engine in ENGINES}
    cpu: dict[str, list[float]] = {engine: [] for engine in ENGINES}
    answers: dict[str, str] = {}
    for _ in range(runs):
        for engine in ENGINES:
            seconds, cpu_seconds, answers[engine] = run(["ask", QUESTION], engine, data_dir)
            wall[engine].append(round(seconds, 3))
            cpu[engine].append(round(cpu_seconds, 3))
    return wall, cpu, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data folder.")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="waymark-cold-"))
    try:
        setup = prepare(data_dir)
        times, cpu, answers = measure(data_dir, args.runs)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    medians = {engine: round(statistics.median(values), 3) for engine, values in times.items()}
    cpu_medians = {engine: round(statistics.median(values), 3) for engine, values in cpu.items()}
    result = {
        "question": QUESTION,
        "runs": args.runs,
        "seconds": times,
        "median_seconds": medians,
        "torch_over_onnx": round(medians["torch"] / medians["onnx"], 2),
        "cpu_seconds": cpu,
        "median_cpu_seconds": cpu_medians,
        "onnx_within_budget": medians["onnx"] <= BUDGET_SECONDS,
        "same_answer": answers["onnx"] == answers["torch"],
        **setup,
        "load_average": os.getloadavg(),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    for engine in ENGINES:
        print(
            f"{engine:>5}: median {medians[engine]:.2f}s wall, {cpu_medians[engine]:.2f}s CPU  "
            f"runs {times[engine]}"
        )
    print(
        f"torch/onnx = {result['torch_over_onnx']:.2f}x; onnx within {BUDGET_SECONDS}s: "
        f"{result['onnx_within_budget']}; same answer: {result['same_answer']}; wrote {OUT}"
    )


if __name__ == "__main__":
    main()
