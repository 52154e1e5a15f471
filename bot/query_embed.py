"""Query embeddings: ONNX Runtime for a fast start, sentence-transformers as the reference.

Importing torch costs seconds; a one-shot `waymark ask` should not pay it. The ONNX file is
exported once from the packaged model (same weights, same mean pooling, same normalization) into
the data folder; if that is not possible, queries fall back to sentence-transformers.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.settings import Settings


def query_embedder(settings: Settings) -> Callable[[str], list[float]]:
    if settings.query_engine == "onnx":
        try:
            from bot.onnx_query import OnnxQueryEmbedder

            return OnnxQueryEmbedder.open(settings.data_dir).embed
        except Exception:  # no exported model and no way to export it: use the reference path
            pass
    from index.embed import SentenceEmbeddings

    return SentenceEmbeddings().embed_query
