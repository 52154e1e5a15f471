"""Query-time embeddings: ONNX Runtime for a fast start, sentence-transformers as the reference.

Importing torch costs seconds; a one-shot `waymark ask` should not pay it. Both runtimes live in
``index.embed``, which embeds the passages the same way. If the ONNX model cannot be loaded or
exported, queries fall back to sentence-transformers with a ``QueryEngineFallbackWarning`` saying
why (never silently: the fallback starts seconds slower and the user should know the reason).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from bot.settings import Settings
from index.embed import Embedder, TorchEmbedder, fallback_reason, open_embedder

__all__ = [
    "CallableEmbedder",
    "QueryEmbedder",
    "QueryEngineFallbackWarning",
    "TorchEmbedder",
    "query_embedder",
]

QueryEmbedder = Embedder


class CallableEmbedder:
    """Adapts a one-text function (e.g. LangChain ``embed_query``) to ``QueryEmbedder``."""

    def __init__(self, fn: Callable[[str], list[float]]) -> None:
        self.embed = fn

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return np.asarray([self.embed(t) for t in texts], dtype=np.float32)


class QueryEngineFallbackWarning(RuntimeWarning):
    """The ONNX query engine was asked for but could not be used; torch answers instead."""


def query_embedder(settings: Settings) -> QueryEmbedder:
    """ONNX Runtime unless ``settings.query_engine`` is ``torch``; torch, with a warning, when ONNX fails."""

    def fall_back(exc: Exception) -> None:
        message = (
            f"fast query path unavailable ({fallback_reason(exc)}); "
            "embedding queries with sentence-transformers (torch), which starts seconds slower"
        )
        warnings.warn(message, QueryEngineFallbackWarning, stacklevel=4)  # at query_embedder's caller

    return open_embedder(settings.data_dir, settings.query_engine, fall_back)
