"""Section ``squad``: the SQuAD v2 sample as a corpus and suite: Waymark's hit-rate on answerable
questions and abstention on impossible ones, beside the baseline. Skipped, with the reason, when the
file is missing (``--squad FILE`` or ``WAYMARK_SQUAD``; default ``../shared/...`` next to the checkout)."""

from __future__ import annotations

from benchmarks.harness import Context, baseline_runs, log, median_summary, squad_missing


def measure(ctx: Context) -> dict:
    # imported here: Chroma and the models load when the section runs, after the benchmark environment
    from bot.answer import Answerer
    from evals import squad
    from evals.runner import run_suites

    if not ctx.squad.exists():
        log(f"squad: skipped: {squad_missing(ctx.squad)}")
        return {"skipped": squad_missing(ctx.squad)}
    out_dir = ctx.tmp("squad")
    converted = squad.convert(squad.load_squad(ctx.squad))
    corpus, suite = squad.write(converted, out_dir, source=ctx.squad.name)
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
    base = baseline_runs(ctx.runs, corpus, suite)
    return {
        "source": str(ctx.squad),
        "articles": len(converted.articles),
        "answerable": converted.answerable,
        "impossible": converted.impossible,
        "passages": built.passages,
        "build_s": built.seconds,
        "waymark": {**median_summary(summaries), "abstained_on_answerable": false_abstain},
        "baseline": base,
    }
