"""The reader: a cross-encoder that reads a question with a candidate sentence and its context.

It returns, for each candidate, the probability that the sentence answers the question. It is
the packaged MiniLM fine-tuned on human-written questions (SQuAD 1.1 train, SQuAD 2.0 with its
unanswerable questions, and the labelled traveler questions in ``training/``); see
``bot/models/reader/MODEL_CARD.md``. It runs with ONNX Runtime and ``tokenizers`` only, so answering
imports no torch and needs no network.

Example:
    .. code-block:: python

        from bot.reader import Candidate, load_reader
        reader = load_reader()
        reader.probabilities("Police number from a mobile?", [
            Candidate("Police: 112 from mobiles.", "Emergency numbers", ""),
        ])
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from bot.errors import ReaderError

READER_DIR = Path(__file__).resolve().parent / "models" / "reader"
MAX_LENGTH = 128  # tokens of question + sentence + context; context is cut first
CONTEXT_CHARS = 240  # the heading and the previous sentence, together
THREADS = 2
BATCH = 16


@dataclass(frozen=True)
class Candidate:
    """A sentence as the reader sees it: its own words, then where it sits."""

    sentence: str
    heading: str = ""  # document title and section
    previous: str = ""  # the sentence or line before it in its passage

    def text(self) -> str:
        """The second segment of the reader's input: the sentence first, so that truncation
        drops context before it drops any of the sentence."""
        context = " | ".join(part for part in (self.heading.strip(), self.previous.strip()) if part)
        if not context:
            return self.sentence
        return f"{self.sentence} [SEP] {context[:CONTEXT_CHARS]}"


class Reader:
    """The ONNX reader plus its calibration (``calibration.json``: Platt scaling of the best
    candidate's logit to a question-level probability, and the validated threshold)."""

    def __init__(self, folder: Path = READER_DIR) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = folder / "model.onnx"
        if not model.exists():
            msg = f"The reader model is missing from {folder}: reinstall Waymark, or rebuild it with "
            msg += "python -m training.reader (see its MODEL_CARD.md)."
            raise ReaderError(msg)
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_LENGTH, strategy="longest_first")
        self.tokenizer.enable_padding()
        raw = (folder / "calibration.json").read_bytes()
        self.calibration = json.loads(raw)
        self.fingerprint = hashlib.sha1(raw).hexdigest()[:16]
        self.inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()  # tokenizers' padding settings are shared state

    @property
    def threshold(self) -> float:
        """The validated question-level operating point (before per-index calibration)."""
        return float(self.calibration["threshold"])

    @property
    def reference_level(self) -> float | None:
        """How high unanswerable questions score on the training corpora (``bot.calibrate``)."""
        level = self.calibration.get("reference_level")
        return None if level is None else float(level)

    def logits(self, question: str, candidates: list[Candidate]) -> np.ndarray:
        """One raw score per candidate; higher means more likely to answer."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        out = []
        for i in range(0, len(candidates), BATCH):
            pairs = [(question, c.text()) for c in candidates[i : i + BATCH]]
            with self._lock:
                encoded = self.tokenizer.encode_batch(pairs)
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
            }
            feed = {k: v for k, v in feed.items() if k in self.inputs}
            out.append(self.session.run(None, feed)[0].reshape(-1))
        return np.concatenate(out).astype(np.float32)

    def probabilities(self, question: str, candidates: list[Candidate]) -> np.ndarray:
        """Calibrated probability, per candidate, that it answers the question."""
        return self.calibrate(self.logits(question, candidates))

    def calibrate(self, logits: np.ndarray) -> np.ndarray:
        a, b = self.calibration["platt"]
        return 1.0 / (1.0 + np.exp(-(a * np.asarray(logits, dtype=np.float64) + b)))


@cache
def load_reader(folder: Path = READER_DIR) -> Reader:
    """The shipped reader, loaded once per process."""
    return Reader(folder)
