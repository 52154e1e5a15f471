"""Per-corpus calibration: each index gets its own answer-or-abstain threshold, no retraining.

Scores of the same model shift from corpus to corpus (a corpus of near-duplicate advisories
makes every question look answered). So, once per index generation, the answerer scores
questions this corpus cannot answer: synthetic probes made from its own sentences with the
answer taken away or the key word swapped (``bot.probes``), and a bank of questions no document
answers. Their typical score (the ``LEVEL`` quantile) is compared with the same level measured
on the training corpora (stored with the model): the threshold moves by the difference, within
``[LOW x, HIGH x]`` the model's validated threshold, so a corpus can neither answer everything
nor nothing. The result is saved next to the index (``<data dir>/calibration/<generation>.json``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.answerability import Model
from bot.probes import make_probes

if TYPE_CHECKING:
    from bot.answer import Answerer
    from bot.retrieve import Snapshot

LOW, HIGH = 0.5, 2.0  # the corpus threshold stays within these multiples of the model's
LEVEL = 0.75  # quantile of unanswerable-question scores compared across corpora
SENTENCES = 40  # sentences probed per corpus (each gives a removed and a swapped probe)

# Questions that no document answers, whatever the corpus: they ask about the asker's own life.
BANK = (
    "what is my neighbour's favourite colour?",
    "how many goals did my brother's team score last sunday?",
    "what did i have for breakfast yesterday?",
    "what is the name of my first teacher?",
    "when is my cousin's wedding anniversary?",
    "which song was playing when we met?",
    "how tall is my daughter now?",
    "where did i leave my reading glasses?",
    "what is the password to my email account?",
    "who won our office quiz last friday?",
    "what time does my grandmother usually wake up?",
    "how much did my flatmate pay for his bicycle?",
    "what is my dog's favourite toy?",
    "which flavour of ice cream does my son prefer?",
    "what was the score of our chess game last night?",
    "how many emails did i get this morning?",
)


@dataclass(frozen=True)
class Calibration:
    threshold: float
    model_threshold: float
    level: float  # this corpus's unanswerable-question score level
    reference_level: float | None
    questions: int


def unanswerable_evidence(answerer: Answerer, snapshot: Snapshot, seed: int = 7) -> list[np.ndarray]:
    """Candidate features, best-ranked first, for each question this corpus cannot answer."""
    found = []
    for probe in make_probes(snapshot, SENTENCES, seed=seed, kinds=("removed", "swapped")):
        found.append(answerer.evidence(probe.question, exclude=probe.excluded).features)
    found += [answerer.evidence(question).features for question in BANK]
    return found


def best_scores(model: Model, evidence: list[np.ndarray]) -> list[float]:
    """The model's probability for each question's best-ranked candidate (0 when none)."""
    return [float(model.probability(x[:1])[0]) if len(x) else 0.0 for x in evidence]


def level(scores: list[float]) -> float:
    return float(np.quantile(scores, LEVEL)) if scores else 0.0


def calibrate(answerer: Answerer, snapshot: Snapshot) -> Calibration:
    """This index's threshold: the model's, moved by how much higher or lower questions it
    cannot answer score here than on the training corpora."""
    model = answerer.model
    scores = best_scores(model, unanswerable_evidence(answerer, snapshot))
    here = level(scores)
    base = model.threshold
    shift = here - model.reference_level if model.reference_level is not None else 0.0
    threshold = float(np.clip(base + shift, LOW * base, HIGH * base))
    return Calibration(round(threshold, 4), base, round(here, 4), model.reference_level, len(scores))


def load_or_calibrate(answerer: Answerer, snapshot: Snapshot, data_dir: Path) -> Calibration:
    """The saved calibration of this index generation, made and saved on first use."""
    path = Path(data_dir) / "calibration" / f"{snapshot.name}.json"
    base = answerer.model.threshold
    try:
        saved = Calibration(**json.loads(path.read_text(encoding="utf-8")))
        if saved.model_threshold == base and saved.reference_level == answerer.model.reference_level:
            return saved
    except (OSError, ValueError, TypeError):
        pass
    result = calibrate(answerer, snapshot)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(result)), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only data folder: calibrate again next start, answers are the same
    return result
