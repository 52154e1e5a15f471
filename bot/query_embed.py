"""Query-time embeddings: ONNX Runtime for a fast start, sentence-transformers as the reference.

Importing torch costs seconds; a one-shot `waymark ask` should not pay it. The ONNX file is
exported once from the packaged model (same weights, same mean pooling, same normalization) into
the data folder; if that is not possible, queries fall back to sentence-transformers.
"""

from __future__ import annotations

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
    """The reference path: the sentence-transformers model that embedded the passages."""

    def __init__(self) -> None:
        from index.embed import SentenceEmbeddings

        self._model = SentenceEmbeddings()

    def embed(self, text: str) -> list[float]:
        return self._model.embed_query(text)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


def query_embedder(settings: Settings) -> QueryEmbedder:
    if settings.query_engine == "onnx":
        try:
            from bot.onnx_query import OnnxQueryEmbedder

            onnx = OnnxQueryEmbedder.open(settings.data_dir)
            return onnx if hasattr(onnx, "embed_many") else CallableEmbedder(onnx.embed)
        except Exception:  # no exported model and no way to export it: use the reference path
            pass
    return TorchEmbedder()
