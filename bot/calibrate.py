"""Per-corpus calibration: each index gets its own answer-or-abstain threshold, no retraining.

The reader's scores shift from corpus to corpus (a corpus of near-duplicate advisories makes
every question look answered). So, once per index generation, the answerer scores
questions this corpus cannot answer: synthetic probes made from its own sentences with the
answer taken away or the key word swapped (``bot.probes``), and a bank of questions no document
answers. The threshold never lets a bank question through. Their typical score (the ``LEVEL``
quantile) is compared with the same level measured
on the reader's training corpora (``reference_level`` in its ``calibration.json``): the
threshold moves by the difference, within ``[LOW x, HIGH x]`` the reader's validated threshold, so
a corpus can neither answer everything nor nothing.
The result is saved next to the index (``<data dir>/calibration/<generation>.json``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.probes import make_probes
from bot.reader import Reader
from bot.retrieve import Snapshot

LOW, HIGH = 0.5, 2.0  # the corpus threshold stays within these multiples of the reader's
LEVEL = 0.75  # quantile of unanswerable-question scores compared across corpora
SENTENCES = 40  # sentences probed per corpus (each gives a removed and a swapped probe)
RULE = 2  # bump when calibration changes, so saved thresholds are made again
BANK_MARGIN = 0.01  # the threshold stays at least this far above every bank question's score

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


class Scorer(Protocol):
    """What calibration needs of the answerer (``bot.answer.Answerer`` is one)."""

    reader: Reader

    def best_probability(self, question: str, exclude: Callable[[str], bool] | None = None) -> float:
        """The most probable candidate's probability of answering ``question`` (0 when none)."""
        ...


@dataclass(frozen=True)
class Calibration:
    threshold: float
    model_threshold: float
    level: float  # this corpus's unanswerable-question score level
    reference_level: float | None
    questions: int
    reader: str = ""  # the reader's fingerprint: a retrained reader calibrates again
    rule: int = 0  # ``RULE`` when made: a changed rule calibrates again


def unanswerable_scores(answerer: Scorer, snapshot: Snapshot, seed: int = 7) -> list[float]:
    """The best candidate's probability for each question this corpus cannot answer."""
    probes = make_probes(snapshot, SENTENCES, seed=seed)
    scores = [answerer.best_probability(probe.question, exclude=probe.excluded) for probe in probes]
    return scores + bank_scores(answerer)


def bank_scores(answerer: Scorer) -> list[float]:
    """The bank's questions: no document of any corpus answers them (they ask about the asker)."""
    return [answerer.best_probability(question) for question in BANK]


def level(scores: list[float]) -> float:
    return float(np.quantile(scores, LEVEL)) if scores else 0.0


def calibrate(answerer: Scorer, snapshot: Snapshot) -> Calibration:
    """This index's threshold: the reader's, moved by how much higher or lower questions it
    cannot answer score here than on the training corpora."""
    reader = answerer.reader
    scores = unanswerable_scores(answerer, snapshot)
    here = level(scores)
    base, reference = reader.threshold, reader.reference_level
    shift = here - reference if reference is not None else 0.0
    # no question of the bank may be answered here: it is unanswerable whatever the corpus
    floor = max(scores[-len(BANK) :]) + BANK_MARGIN
    threshold = float(np.clip(max(base + shift, floor), LOW * base, HIGH * base))
    return Calibration(
        round(threshold, 4), base, round(here, 4), reference, len(scores), reader.fingerprint, RULE
    )


def load_or_calibrate(answerer: Scorer, snapshot: Snapshot, data_dir: Path) -> Calibration:
    """The saved calibration of this index generation, made and saved on first use."""
    path = Path(data_dir) / "calibration" / f"{snapshot.name}.json"
    base, reference = answerer.reader.threshold, answerer.reader.reference_level
    try:
        saved = Calibration(**json.loads(path.read_text(encoding="utf-8")))
        wanted = (base, reference, answerer.reader.fingerprint, RULE)
        if (saved.model_threshold, saved.reference_level, saved.reader, saved.rule) == wanted:
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
