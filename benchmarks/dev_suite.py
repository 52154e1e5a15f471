"""Section ``dev``: per-check quality on the dev suite (deterministic, but medians over runs all the
same), warm answer latency in a serving-only process, and the baseline on the same cases."""

from __future__ import annotations

from benchmarks.harness import DEV_SUITE, Context, answer_child, baseline_runs, log, median_summary
from bot.settings import SHIPPED_CORPUS


def measure(ctx: Context) -> dict:
    # imported here: Chroma and the models load when the section runs, after the benchmark environment
    from bot.answer import Answerer
    from evals.runner import run_suites

    settings = ctx.settings(SHIPPED_CORPUS, ctx.seed_data)
    answerer = Answerer(settings)
    summaries = []
    for i in range(ctx.runs):
        log(f"dev: Waymark run {i + 1}/{ctx.runs}")
        summaries.append(run_suites(settings, [DEV_SUITE], answerer=answerer).summary())
    log("dev: warm latency in a fresh serving process")
    warm = answer_child(SHIPPED_CORPUS, ctx.seed_data, ctx.runs)
    base = baseline_runs(ctx.runs, SHIPPED_CORPUS, DEV_SUITE)
    return {"waymark": median_summary(summaries), "warm": warm, "baseline": base}
