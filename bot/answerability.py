"""The learned answer-or-abstain decision: evidence per candidate sentence, a calibrated score.

Each candidate sentence gets a feature vector built from what retrieval and composition already
know (coverage of the question's weighted terms, sentence and passage meaning, ranks and margins
between candidates, whether the answer type fits, whether the rarest term is present). A logistic
model trained on synthetic questions (``training/``, kept apart from every eval suite) turns it
into the probability that the sentence answers the question. The parameters ship as
``bot/models/answerability.json``; ``python -m training.train`` rebuilds them.

The question is answered when its best sentence clears the corpus's threshold (``bot.calibrate``
sets one per index from questions that corpus cannot answer); otherwise Waymark abstains.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.terms import QueryTerms, coverage, found

if TYPE_CHECKING:
    from bot.compose import Unit
    from bot.retrieve import Snapshot

MODEL_PATH = Path(__file__).resolve().parent / "models" / "answerability.json"

FEATURES: tuple[str, ...] = (
    "coverage",  # share of the question's weight in the sentence (heading and previous count half)
    "own_coverage",  # the same, sentence only
    "follow",  # coverage of a follow-up's own words (1 when not a follow-up)
    "meaning",  # cosine question-sentence
    "dense",  # cosine question-passage
    "meaning_gap",  # this sentence's meaning minus the best other candidate's
    "top_meaning",  # 1 for the candidate with the highest meaning
    "key",  # the rarest topic word the retrieved text mentions is in or around the sentence
    "missing_top",  # weight of the heaviest question term absent here, over the heaviest term's
    "unseen",  # share of the question's weight in words the corpus never uses
    "type_missing",  # the question asks for a number/date/name and the sentence has none
    "type_wanted",  # the question asks for a number, a date, a place or a name
    "passage_rank",  # 1/(1+rank) of the sentence's passage in the fused retrieval order
    "length",  # log(characters of the sentence)
)


@dataclass(frozen=True)
class Model:
    """Standardised logistic regression over ``FEATURES``, then Platt scaling at question level."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # operating point picked on validation (question level)
    platt: tuple[float, float] = (1.0, 0.0)
    reference_level: float | None = None  # unanswerable-probe score level on the training corpora

    def logits(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probability that each row's sentence answers the question."""
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * self.logits(x) + b)))

    def as_dict(self) -> dict:
        return {
            "features": list(self.names),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "platt": list(self.platt),
            "reference_level": self.reference_level,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        names = tuple(data["features"])
        if names != FEATURES:
            msg = f"answerability model was trained on {names}, code computes {FEATURES}; retrain it"
            raise ValueError(msg)
        return cls(
            names=names,
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            platt=tuple(data.get("platt", (1.0, 0.0))),
            reference_level=data.get("reference_level"),
        )


@cache
def load_model(path: Path = MODEL_PATH) -> Model:
    return Model.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


_DIGITS = re.compile(r"\d{2,}")
_YEAR_OR_MONTH = re.compile(
    r"\b(1[6-9]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|october"
    r"|november|december)\b",
    re.I,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")


def type_fits(kind: str | None, text: str) -> bool:
    """Does the sentence hold the kind of thing asked for (digits, a date, a name)?"""
    if kind == "number":
        return bool(_DIGITS.search(text))
    if kind == "date":
        return bool(_YEAR_OR_MONTH.search(text))
    if kind in ("place", "name"):
        return bool(_NAME.search(text)) or bool(_DIGITS.search(text))
    return True


def unit_features(units: list[Unit], snapshot: Snapshot, terms: QueryTerms) -> np.ndarray:
    """One row of ``FEATURES`` per candidate unit (its meaning already computed)."""
    meanings = [u.meaning for u in units]
    best = max(meanings) if meanings else 0.0
    heaviest = max((w for _, _, w in terms.groups), default=1.0) or 1.0
    vocab = snapshot.lexical.vocab
    unseen_w = sum(w for _, acc, w in terms.groups if not any(t in vocab for t in acc))
    rows = []
    for i, unit in enumerate(units):
        others = [m for j, m in enumerate(meanings) if j != i]
        missing = [w for _, acc, w in terms.groups if not found(acc, set(unit.where))]
        text = unit.text(snapshot)
        rows.append(
            [
                unit.coverage,
                coverage(terms, set(unit.own)),
                unit.follow,
                unit.meaning,
                unit.dense,
                unit.meaning - (max(others) if others else 0.0),
                1.0 if unit.meaning >= best else 0.0,
                1.0 if unit.key else 0.0,
                (max(missing) / heaviest) if missing else 0.0,
                unseen_w / terms.total,
                0.0 if type_fits(terms.kind, text) else 1.0,
                1.0 if terms.kind else 0.0,
                1.0 / (1 + unit.rank),
                math.log(max(len(text), 1)),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(units), len(FEATURES))
