"""Section ``load``: 20 concurrent chat users x 20 dev questions against the chat app on 127.0.0.1
(``benchmarks/load.py`` does the serving and the asking)."""

from __future__ import annotations

from dataclasses import asdict

from benchmarks import load
from benchmarks.harness import REPO, Context, log, prepare_serving
from bot.settings import SHIPPED_CORPUS


def measure(ctx: Context) -> dict:
    if not (REPO / "bot" / "ui.py").exists():
        return {"skipped": "bot/ui.py is not there yet"}
    prepare_serving(SHIPPED_CORPUS, ctx.seed_data)
    log("load: 20 users x 20 questions against the chat app on 127.0.0.1")
    with load.serve(ctx.seed_data) as (url, pid):
        result = load.run_load(url, load.dev_questions(), users=20, per_user=20, pid=pid)
    return asdict(result)
