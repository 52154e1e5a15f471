"""Waymark vs a naive LangChain RAG baseline, side by side, on this machine, in one run.

Sections (each writes ``benchmarks/out/<section>.json``; its README sections are rendered from every
JSON present, so sections can be re-run alone and a long 100k run can be merged in later):

    index   seed index from scratch / no-change re-index (fresh processes), embedding throughput,
            baseline build time                                      (benchmarks/seed_index.py)
    dev     dev suite per-check summary (Waymark) and fact hit-rate (baseline); warm latency
                                                                     (benchmarks/dev_suite.py)
    squad   SQuAD v2 sample: answer hit-rate on answerable, abstention on impossible
                                                                     (benchmarks/squad_suite.py)
    scale   synthetic corpora (benchmarks/synth.py): index throughput, disk, peak RSS, warm latency
                                                                     (benchmarks/scale.py)
    load    20 concurrent gradio_client users x 20 questions against the chat app
                                                                     (benchmarks/chat_load.py)

Fresh-process timings run in ``benchmarks/child_*.py``. The README sections are rendered by
``benchmarks/report.py`` into ``benchmarks/README.template.md``; other benchmarks' sections stay.

    python benchmarks/run.py [--quick] [--sizes 10000,100000] [--runs 3] [--only dev,squad]
                             [--squad FILE] [--readme-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import chat_load, dev_suite, readme, report, scale, seed_index, squad_suite  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    OUT,
    Context,
    load_results,
    log,
    machine,
    save,
    use_benchmark_environment,
)

use_benchmark_environment()

MEASURES: dict[str, Callable[[Context], dict]] = {
    "index": seed_index.measure,
    "dev": dev_suite.measure,
    "squad": squad_suite.measure,
    "load": chat_load.measure,
}
SECTIONS = ("index", "dev", "squad", "scale", "load")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="scale at 10k passages only")
    parser.add_argument("--sizes", help="synthetic corpus sizes, comma-separated (default 10000,100000)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions for medians (at least 3)")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--squad", type=Path, help="SQuAD v2 JSON (default: $WAYMARK_SQUAD or ../shared/...)")
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


def jobs(ctx: Context, sections: list[str]) -> list[tuple[str, Callable[[], dict]]]:
    """(result name, measurement) in run order; scale has one job per corpus size."""
    out: list[tuple[str, Callable[[], dict]]] = []
    for section in sections:
        if section == "scale":
            out += [(f"scale_{n}", lambda n=n: scale.measure(ctx, n)) for n in ctx.sizes]
        else:
            out.append((section, lambda fn=MEASURES[section]: fn(ctx)))
    return out


def run_sections(ctx: Context, sections: list[str]) -> list[str]:
    """Each section saved as soon as it is done; a failing one is reported, not fatal."""
    failed = []
    for name, job in jobs(ctx, sections):
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
    failed: list[str] = []
    if not args.readme_only:
        work = Path(tempfile.mkdtemp(prefix="waymark-bench-"))
        try:
            ctx = Context(args.runs, args.size_list, work, squad=args.squad)
            failed = run_sections(ctx, args.section_list)
            save("meta", {**machine(), "runs": args.runs})
        finally:
            if args.keep:
                log(f"kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    results = load_results()
    if "meta" not in results:
        log(f"no results in {OUT.relative_to(REPO)}/: run benchmarks/run.py first; README.md left as it is")
        return 1
    readme.write_sections(report.sections(results))
    log(f"wrote the sections {', '.join(report.SECTIONS)} of {readme.README.name} from out/*.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
