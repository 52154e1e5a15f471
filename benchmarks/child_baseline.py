"""Child: the naive baseline over one suite in a fresh process (its own model, its own memory).

    python -m benchmarks.child_baseline '{"corpus": DIR, "suite": FILE, "runs": N}'

Five questions untimed to warm up, then the whole suite ``runs`` times; one summary per run.
"""

import json
import sys
from pathlib import Path

from benchmarks.baseline import Baseline
from benchmarks.memory import peak_rss_mb
from evals.suite import load_suite


def main(params: dict) -> dict:
    cases = load_suite(Path(params["suite"]))
    base = Baseline(Path(params["corpus"])).build()
    base.run(cases[:5])
    runs = [base.run(cases).summary() for _ in range(params["runs"])]
    base.close()
    return {"runs": runs, "peak_rss_mb": peak_rss_mb()}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
