"""Section ``scale_<size>``: one synthetic corpus size (``benchmarks/synth.py``): a fresh-process
index build, disk, peak RSS, a bounded no-change re-index and warm latency. A stage that fails is
recorded with its error; the stages before it still count."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict

from benchmarks import synth
from benchmarks.harness import Context, answer_child, disk_mb, index_child, log


def measure(ctx: Context, size: int) -> dict:
    corpus = ctx.tmp(f"synth{size}") / "corpus"
    t0 = time.perf_counter()
    made = synth.generate(corpus, size)
    out: dict = {"size": size, "synth": asdict(made), "generate_s": time.perf_counter() - t0, "errors": {}}
    data = ctx.tmp(f"data{size}")
    log(f"scale {size}: indexing {made.documents} documents in a fresh process (slow: ~50 passages/s)")
    built = index_child(corpus, data)
    out.update(passages=built["passages"], index=built, disk_mb=disk_mb(data))
    out["index_passages_per_s"] = built["passages"] / built["build_s"]
    log(f"scale {size}: no-change re-index (bounded) and warm latency")
    noop_limit = max(120.0, built["build_s"] / 4)
    out["noop"] = _stage(out, "noop", lambda: index_child(corpus, data, timeout=noop_limit))
    out["warm"] = _stage(out, "warm", lambda: answer_child(corpus, data, ctx.runs))
    return out


def _stage(out: dict, name: str, fn: Callable[[], dict]) -> dict | None:
    try:
        return fn()
    except subprocess.TimeoutExpired as exc:
        out["errors"][name] = f"did not finish within {exc.timeout:.0f} s (stopped)"
    except Exception as exc:
        out["errors"][name] = f"{exc.__class__.__name__}: {str(exc)[-600:]}"
    log(f"{name}: {out['errors'][name][:300]}")
    return None
