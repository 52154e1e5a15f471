"""Section ``index``: the seed corpus built from scratch and re-indexed with no change, each in a
fresh process; the model's throughput; model-loaded builds of Waymark and the baseline."""

from __future__ import annotations

from benchmarks.harness import Context, child, index_child, log, median, median_of
from bot.settings import SHIPPED_CORPUS


def measure(ctx: Context) -> dict:
    scratch, noop = [], []
    for i in range(ctx.runs):
        data = ctx.tmp(f"scratch{i}")
        log(f"index: scratch build {i + 1}/{ctx.runs} in a fresh process")
        scratch.append(index_child(SHIPPED_CORPUS, data))
        noop.append(index_child(SHIPPED_CORPUS, data))
    warm = []
    for i in range(ctx.runs):
        log(f"index: model-loaded builds (Waymark, baseline) {i + 1}/{ctx.runs} in a fresh process")
        warm.append(child("child_warm_build", {"corpus": str(SHIPPED_CORPUS), "data": str(ctx.tmp("warm"))}))
    return {
        "passages": scratch[0]["passages"],
        "scratch": {
            **median_of(scratch, "total_s", "import_s", "build_s", "process_s", "peak_rss_mb"),
            "runs": scratch,
        },
        "noop": {**median_of(noop, "total_s", "import_s", "build_s", "process_s"), "runs": noop},
        "embed_passages_per_s": median(w["embed_passages_per_s"] for w in warm),
        "warm_build_s": median(w["build_s"] for w in warm),
        "baseline_build_s": median(w["baseline_build_s"] for w in warm),
        "baseline_chunks": warm[0]["baseline_chunks"],
        "warm_runs": warm,
    }
