"""Child: one index build in a fresh interpreter (scratch, or no change when the data folder is built).

    python -m benchmarks.child_index '{"corpus": DIR, "data": DIR}'

Prints one JSON line: total, import and ``build_index()`` seconds, what was built, peak RSS.
"""

import time

from benchmarks.memory import peak_rss_mb

T0 = time.perf_counter()  # the clock starts before the project is imported; interpreter start is not timed

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from bot.settings import Settings  # noqa: E402
from index.build import build_index  # noqa: E402


def main(params: dict) -> dict:
    t1 = time.perf_counter()
    settings = Settings.from_env(corpus_dir=Path(params["corpus"]), data_dir=Path(params["data"]))
    s = build_index(settings, warn=lambda m: None)
    t2 = time.perf_counter()
    return {
        "total_s": t2 - T0,
        "import_s": t1 - T0,
        "build_s": t2 - t1,
        "passages": s.passages,
        "embedded": s.embedded,
        "documents": s.documents,
        "changed": s.changed,
        "peak_rss_mb": peak_rss_mb(),
    }


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
