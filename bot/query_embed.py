"""Query-time embeddings: ONNX Runtime for a fast start, sentence-transformers as the reference.

Importing torch costs seconds; a one-shot `waymark ask` should not pay it. Both runtimes live in
``index`` (``index.onnx_embed``, ``index.embed``), which embeds the passages the same way. If the
ONNX model cannot be loaded or exported, queries fall back to sentence-transformers with a
``QueryEngineFallbackWarning`` saying why.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Protocol

import numpy as np

from bot.settings import Settings


class QueryEmbedder(Protocol):
    def embed(self, text: str) -> list[float]: ...

    def embed_many(self, texts: list[str]) -> np.ndarray: ...


class CallableEmbedder:
    """Adapts a one-text function (e.g. LangChain ``embed_query``) to ``QueryEmbedder``."""

    def __init__(self, fn: Callable[[str], list[float]]) -> None:
        self.embed = fn

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return np.asarray([self.embed(t) for t in texts], dtype=np.float32)


class TorchEmbedder:
    """The reference path: sentence-transformers on torch (the fallback when ONNX fails)."""

    def __init__(self) -> None:
        from index.embed import SentenceEmbeddings

        self._model = SentenceEmbeddings()

    def embed(self, text: str) -> list[float]:
        return self._model.embed_query(text)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


class QueryEngineFallbackWarning(RuntimeWarning):
    """The ONNX query engine was asked for but could not be used; torch answers instead."""


def query_embedder(settings: Settings) -> QueryEmbedder:
    """ONNX Runtime unless ``settings.query_engine`` is ``torch``; torch, with a warning, when ONNX fails."""
    if settings.query_engine == "onnx":
        try:
            from index.onnx_embed import OnnxEmbedder

            return OnnxEmbedder.open(settings.data_dir)
        except Exception as exc:  # no exported model and no way to export it: use the reference path
            message = (
                f"fast query path unavailable ({exc.__class__.__name__}: {str(exc)[:300]}); "
                "embedding queries with sentence-transformers (torch), which starts seconds slower"
            )
            warnings.warn(message, QueryEngineFallbackWarning, stacklevel=2)
    return TorchEmbedder()
