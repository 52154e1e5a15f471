"""Child: model-loaded builds of Waymark and the baseline, for a like-for-like ratio, and the
embedding model's throughput on the seed passages.

    python -m benchmarks.child_warm_build '{"corpus": DIR, "data": DIR}'
"""

import json
import sys
import time
from pathlib import Path

from benchmarks.baseline import Baseline
from benchmarks.memory import peak_rss_mb
from bot.settings import Settings
from index.build import build_index, collect
from index.embed import SentenceEmbeddings


def main(params: dict) -> dict:
    settings = Settings.from_env(corpus_dir=Path(params["corpus"]), data_dir=Path(params["data"]))
    emb = SentenceEmbeddings()
    emb.encode(["warm up"])
    texts = [x.text for x in collect(settings, lambda m: None)[0]]
    t0 = time.perf_counter()
    emb.encode(texts)
    t1 = time.perf_counter()
    summary = build_index(settings, warn=lambda m: None, embeddings=emb)
    base = Baseline(Path(params["corpus"]), emb).build()
    base.close()
    return {
        "embed_passages_per_s": len(texts) / (t1 - t0),
        "build_s": summary.seconds,
        "baseline_build_s": base.build_seconds,
        "baseline_chunks": base.chunks,
        "peak_rss_mb": peak_rss_mb(),
    }


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
