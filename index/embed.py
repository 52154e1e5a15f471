"""Sentence embeddings from the packaged model: the one interface indexing and queries use.

Two runtimes give the same normalized vectors (within 1e-6):

* ``OnnxEmbedder`` (``index.onnx_embed``): ONNX Runtime, no torch import; the default for passages
  and queries once the model has been exported (or copied from the shared cache).
* ``TorchEmbedder``: sentence-transformers on torch, the reference, and the fallback.

``open_embedder`` picks one for an engine name and says why when ONNX cannot be had;
``passage_embeddings`` does the same for `waymark index`, as LangChain ``Embeddings``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from index.model import MODEL_NAME, sentence_transformer
from index.onnx_embed import OnnxEmbedder

__all__ = [
    "ENGINES",
    "MODEL_NAME",
    "Embedder",
    "OnnxEmbedder",
    "OnnxEmbeddings",
    "SentenceEmbeddings",
    "TorchEmbedder",
    "fallback_reason",
    "open_embedder",
    "passage_embeddings",
]

ENGINES = ("onnx", "torch")


class Embedder(Protocol):
    """What both runtimes offer: one text, or many at once (one row per text, in order)."""

    def embed(self, text: str) -> list[float]: ...

    def embed_many(self, texts: list[str]) -> np.ndarray: ...


class SentenceEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over the packaged model: normalized vectors for cosine space."""

    batch_size: int = 64

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str]) -> np.ndarray:
        with sentence_transformer() as model:
            return model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )


class TorchEmbedder:
    """The reference path as an ``Embedder``: sentence-transformers on torch."""

    def __init__(self) -> None:
        self.embeddings = SentenceEmbeddings()

    def embed(self, text: str) -> list[float]:
        return self.embeddings.embed_query(text)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return self.embeddings.encode(texts)


class OnnxEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over an ``OnnxEmbedder``: the same vectors without torch."""

    def __init__(self, embedder: OnnxEmbedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed(text)

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed_many(texts)


def open_embedder(
    data_dir: Path, engine: str = "onnx", on_fallback: Callable[[Exception], None] | None = None
) -> OnnxEmbedder | TorchEmbedder:
    """ONNX Runtime (exported or copied into ``data_dir`` on first use) unless ``engine`` is
    ``torch``. When ONNX cannot be had, sentence-transformers, after ``on_fallback(error)``: the
    caller says why, in its own words and through its own channel."""
    if engine == "onnx":
        try:
            return OnnxEmbedder.open(data_dir)
        except Exception as exc:  # onnxruntime, onnx, tokenizers or the export failed: go on with torch
            if on_fallback is not None:
                on_fallback(exc)
    return TorchEmbedder()


def fallback_reason(exc: Exception) -> str:
    """Why ONNX could not be used, short enough for one warning line."""
    return f"{exc.__class__.__name__}: {str(exc)[:300]}"


def passage_embeddings(
    data_dir: Path, engine: str = "onnx", warn: Callable[[str], None] = print
) -> OnnxEmbeddings | SentenceEmbeddings:
    """The embeddings `waymark index` uses (``open_embedder``), warning through ``warn`` when it
    falls back to sentence-transformers."""

    def fall_back(exc: Exception) -> None:
        warn(
            f"fast embedding path unavailable ({fallback_reason(exc)}); "
            "embedding passages with sentence-transformers (torch) instead"
        )

    embedder = open_embedder(data_dir, engine, fall_back)
    return OnnxEmbeddings(embedder) if isinstance(embedder, OnnxEmbedder) else embedder.embeddings
