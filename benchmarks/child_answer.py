"""Child: warm answer latency over a suite in a process that only serves, with its peak memory.

    python -m benchmarks.child_answer '{"corpus": DIR, "data": DIR, "suite": FILE, "runs": N}'

The suite is answered once untimed, then timed ``runs`` times (p50, p95 and max per pass), then
scored with ``evals.runner.run_suites``. Prints one JSON line.
"""

import time

from benchmarks.memory import peak_rss_mb

T0 = time.perf_counter()  # load time counts from here: imports, index and model

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from bot.answer import Answerer  # noqa: E402
from bot.settings import Settings  # noqa: E402
from evals.runner import run_suites  # noqa: E402
from evals.suite import load_suite  # noqa: E402


def main(params: dict) -> dict:
    settings = Settings.from_env(corpus_dir=Path(params["corpus"]), data_dir=Path(params["data"]))
    answerer = Answerer(settings)
    cases = load_suite(Path(params["suite"]))
    t1 = time.perf_counter()
    answerer.answer(cases[0].question, cases[0].history)
    t2 = time.perf_counter()

    def timed(case) -> float:
        t = time.perf_counter()
        answerer.answer(case.question, case.history)
        return (time.perf_counter() - t) * 1000

    for case in cases:
        timed(case)
    runs = []
    for _ in range(params["runs"]):
        lat = sorted(timed(c) for c in cases)
        q = statistics.quantiles(lat, n=100, method="inclusive")
        runs.append({"p50": q[49], "p95": q[94], "max": lat[-1]})
    report = run_suites(settings, [Path(params["suite"])], answerer=answerer)
    engine = getattr(answerer.embed_query, "__qualname__", type(answerer.embed_query).__name__)
    return {
        "runs": runs,
        "first_answer_s": t2 - t1,
        "load_s": t1 - T0,
        "query_engine": engine,
        "torch_loaded": "torch" in sys.modules,
        "passages": len(answerer.handle.snapshot().ids),
        "summary": report.summary(),
        "peak_rss_mb": peak_rss_mb(),
    }


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
