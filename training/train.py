"""Retrain the answerability model (``bot/models/answerability.json``) from data no suite uses.

    python -m training.train [--out bot/models/answerability.json] [--work DIR] [--reuse]

Data (``training/README.md``):

* synthetic probes (``bot.probes``: cloze, removed, swapped) from three corpora: the shipped seed
  documents, the Python language reference topics that ship with CPython
  (``pydoc_data.topics``), and ``training/corpus/`` (five fictional-country documents written
  for training);
* ``training/questions.yaml``: traveler-style questions about ``training/corpus/``, labelled
  answerable (with the answering span) or not, written for training only.

The split is by document: probes and questions of the validation documents never train. Every
candidate sentence the answerer considers is one row, labelled 1 when it holds the answer. A
standardised logistic regression is fitted on the training rows (labelled questions weigh
one probe: ``PROBE_WEIGHTS`` are tried and the one with the best validation AUC on the labelled
questions kept). On the validation labelled questions (traveler phrasing, the distribution
that matters), the best-ranked candidate's logit is Platt-scaled to a question-level probability
and the operating point is the threshold with the best balanced accuracy between "the best quote
answers" and "it does not". The unanswerable-probe score level of the training corpora is stored
for per-corpus calibration (``bot.calibrate``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot.answer import Answerer
from bot.answerability import FEATURES, MODEL_PATH, Model
from bot.calibrate import best_scores, level, unanswerable_evidence
from bot.probes import make_probes, word_neighbours
from bot.settings import SHIPPED_CORPUS, Settings
from evals.suite import load_suite
from index.build import build_index

HERE = Path(__file__).resolve().parent
WRITTEN_CORPUS = HERE / "corpus"
QUESTIONS = HERE / "questions.yaml"
EXTRA = HERE / "extra"  # batches b and c: 8 more documents, 562 questions (``--extra``; not shipped)
PROBE_WEIGHTS = (1.0, 0.3, 0.1, 0.03, 0.0)  # weight of a probe row relative to a labelled one
# written documents whose questions only validate (08 and 12 are in the extra batches)
WRITTEN_VALIDATION = ("04", "05", "08", "12")

DATA = Path(__file__).resolve().parent / "data"  # the probes asked, one JSON line each
SEED_VALIDATION = ("002", "004")  # seed documents whose probes only validate
PYDOC_VALIDATION_EVERY = 4  # every 4th Python reference topic validates


@dataclass
class Rows:
    x: list[np.ndarray]
    y: list[np.ndarray]
    group: list[int]  # question number of each block of rows
    kind: list[str]
    probes: list[dict] = field(default_factory=list)  # what was asked, for the record


def pydoc_corpus(target: Path) -> Path:
    """The Python language reference topics as plain-text documents (ships with CPython)."""
    from pydoc_data.topics import topics

    target.mkdir(parents=True, exist_ok=True)
    for i, (name, text) in enumerate(sorted(topics.items())):
        body = f"# {name}\n\n{text.strip()}\n"
        (target / f"{i:03d}_{name}.txt").write_text(body, encoding="utf-8")
    return target


def validation_doc(source_id: str, corpus: str) -> bool:
    if corpus == "seed":
        return source_id[:3] in SEED_VALIDATION
    if corpus == "written":
        return source_id[:2] in WRITTEN_VALIDATION
    return int(source_id[:3]) % PYDOC_VALIDATION_EVERY == 0


def labelled(answerer: Answerer, path: Path) -> tuple[Rows, Rows]:
    """Rows from the hand-labelled traveler questions; split by the answering document (an
    unanswerable question validates when a stable hash of its id says so, 2 in 5)."""
    import zlib

    snapshot = answerer.handle.snapshot()
    train, val = Rows([], [], [], []), Rows([], [], [], [])
    for case in load_suite(path):
        query = answerer.resolve(case.question, case.history)
        found = answerer.evidence(query, case.question)
        if not found.units:
            continue
        if case.doc:
            into = val if case.doc in WRITTEN_VALIDATION else train
        else:
            into = val if zlib.crc32(case.id.encode()) % 5 < 2 else train
        spans = [] if case.abstain else [a.lower() for a in case.any or []]
        labels = [any(a in u.text(snapshot).lower() for a in spans) for u in found.units]
        into.x.append(found.features)
        into.y.append(np.array(labels, dtype=int))
        into.group.append(len(into.group))
        into.kind.append("labelled-unanswerable" if case.abstain else "labelled-answerable")
        into.probes.append({"corpus": "written", "id": case.id, "question": case.question})
    return train, val


def collect(answerer: Answerer, corpus: str, per_doc: int, seed: int) -> tuple[Rows, Rows]:
    """Training and validation rows from one indexed corpus."""
    snapshot = answerer.handle.snapshot()
    sources = sorted({m["source_id"] for m in snapshot.metadatas})
    train, val = Rows([], [], [], []), Rows([], [], [], [])
    neighbours = word_neighbours(snapshot, answerer.embedder.embed_many)
    for n, source in enumerate(sources):
        probes = make_probes(snapshot, per_doc, seed=seed + n, sources={source}, neighbours=neighbours)
        into = val if validation_doc(source, corpus) else train
        for probe in probes:
            found = answerer.evidence(probe.question, exclude=probe.excluded)
            if not found.units:
                continue
            into.x.append(found.features)
            into.y.append(np.array([probe.answers(u.text(snapshot)) for u in found.units], dtype=int))
            into.group.append(len(into.group))
            into.kind.append(probe.kind)
            into.probes.append({"corpus": corpus, **asdict(probe)})
    return train, val


def merge(parts: list[Rows]) -> Rows:
    out = Rows([], [], [], [])
    for p in parts:
        out.x += p.x
        out.y += p.y
        out.kind += p.kind
        out.probes += p.probes
    out.group = list(range(len(out.x)))
    return out


def fit(train: Rows, val: Rows, reference: float | None) -> tuple[Model, dict]:
    """The model for the probe weight with the best labelled-validation AUC, Platt-scaled and
    with its operating point, and a report of how it was chosen."""
    human = [i for i, k in enumerate(val.kind) if k.startswith("labelled")] or list(range(len(val.x)))
    tried = {}
    for probe_weight in PROBE_WEIGHTS:
        base = _logistic(train, probe_weight)
        top_logit, top_label = _top(base, val)
        tried[probe_weight] = (_auc(top_logit[human], top_label[human]), base)
    chosen = max(tried, key=lambda w: tried[w][0])
    base = tried[chosen][1]
    top_logit, top_label = _top(base, val)
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(top_logit[human].reshape(-1, 1), top_label[human])
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    prob = 1.0 / (1.0 + np.exp(-(a * top_logit + b)))
    threshold, curve = _operating_point(prob[human], top_label[human])
    model = replace(base, threshold=threshold, platt=(a, b), reference_level=reference)
    report = {
        "probe_weight": chosen,
        "validation_auc_by_probe_weight": {str(w): round(v[0], 4) for w, v in tried.items()},
        "train_rows": int(sum(len(y) for y in train.y)),
        "train_questions": len(train.x),
        "val_questions": len(val.x),
        "val_labelled_questions": len(human),
        "threshold": threshold,
        "reference_level": reference,
        "curve": curve,
        "reliability": _reliability(prob[human], top_label[human]),
        "coefficients": dict(zip(FEATURES, map(float, base.coef), strict=True)),
        "val_by_kind": _by_kind(prob, top_label, val.kind, threshold),
    }
    return model, report


def _logistic(train: Rows, probe_weight: float) -> Model:
    x = np.vstack(train.x)
    y = np.concatenate(train.y)
    weight = np.concatenate(
        [
            np.full(len(r), 1.0 if k.startswith("labelled") else probe_weight)
            for r, k in zip(train.y, train.kind, strict=True)
        ]
    )
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    keep = weight > 0
    lr = LogisticRegression(C=1.0, max_iter=2000)
    lr.fit(((x - mean) / scale)[keep], y[keep], sample_weight=weight[keep])
    return Model(FEATURES, mean, scale, lr.coef_[0], float(lr.intercept_[0]), threshold=0.5)


def _auc(score: np.ndarray, label: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(label, score)) if 0 < label.sum() < len(label) else 0.5


def _top(model: Model, rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    logits, labels = [], []
    for x, y in zip(rows.x, rows.y, strict=True):
        z = model.logits(x)
        logits.append(z[0])  # the best-ranked candidate: the one the answerer would quote
        labels.append(y[0])
    return np.array(logits), np.array(labels)


def _operating_point(prob: np.ndarray, label: np.ndarray) -> tuple[float, list[dict]]:
    """Threshold with the best balanced accuracy on validation, and the whole curve."""
    curve = []
    best, best_t = -1.0, 0.5
    for t in np.round(np.arange(0.05, 0.96, 0.025), 3):
        answered = prob >= t
        tpr = float((answered & (label == 1)).sum() / max((label == 1).sum(), 1))
        tnr = float((~answered & (label == 0)).sum() / max((label == 0).sum(), 1))
        curve.append({"threshold": float(t), "answered_correct": tpr, "abstained_wrong": tnr})
        if (tpr + tnr) / 2 > best:
            best, best_t = (tpr + tnr) / 2, float(t)
    return best_t, curve


def _reliability(prob: np.ndarray, label: np.ndarray, bins: int = 10) -> list[dict]:
    out = []
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (prob >= lo) & (prob < hi if hi < 1 else prob <= hi)
        if inside.sum():
            out.append(
                {
                    "bin": f"{lo:.1f}-{hi:.1f}",
                    "n": int(inside.sum()),
                    "mean_p": float(prob[inside].mean()),
                    "share_correct": float(label[inside].mean()),
                }
            )
    return out


def _by_kind(prob, label, kinds, threshold) -> dict:
    out = {}
    for kind in sorted(set(kinds)):
        idx = np.array([k == kind for k in kinds])
        answered = prob[idx] >= threshold
        out[kind] = {
            "questions": int(idx.sum()),
            "answered": float(answered.mean()),
            "answered_and_right": float((answered & (label[idx] == 1)).mean()),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--work", type=Path, default=None, help="where to build the training indexes")
    parser.add_argument("--per-doc", type=int, default=30, help="sentences probed per document")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--reuse", action="store_true", help="refit from the rows saved in --work")
    parser.add_argument("--extra", action="store_true", help="add training/extra/ (see training/README.md)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="waymark-train-"))
    trains, vals, unanswerable = collect_all(work, args.per_doc, args.seed, args.reuse, args.extra)
    model, report = fit(merge(trains), merge(vals), None)
    levels = [level(best_scores(model, evidence)) for evidence in unanswerable]
    model = replace(model, reference_level=round(float(np.mean(levels)), 4))
    report["reference_level"], report["corpus_levels"] = model.reference_level, levels
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.as_dict(), indent=1) + "\n", encoding="utf-8")
    DATA.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", merge(trains)), ("validation", merge(vals))):
        lines = [json.dumps(p, ensure_ascii=False) for p in rows.probes]
        (DATA / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report_path = args.out.with_suffix(".report.json")
    report_path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {k: report[k] for k in ("threshold", "reference_level", "coefficients", "val_by_kind")}, indent=1
        )
    )


def collect_all(
    work: Path, per_doc: int, seed: int, reuse: bool, extra: bool = False
) -> tuple[list[Rows], list[Rows], list]:
    """Index each training corpus; collect its rows and its unanswerable questions' evidence
    (saved per corpus in ``work``; ``reuse`` loads what is saved instead)."""
    corpora = {
        "seed": SHIPPED_CORPUS,
        "pydoc": pydoc_corpus(work / "pydoc-corpus"),
        "written": written_corpus(work / "written-corpus") if extra else WRITTEN_CORPUS,
    }
    trains, vals, levels = [], [], []
    for name, corpus in corpora.items():
        if not corpus.is_dir():
            continue
        saved = work / f"rows-{name}{'-extra' if extra and name == 'written' else ''}.pickle"
        if reuse and saved.exists():
            train, val, evidence = pickle.loads(saved.read_bytes())
        else:
            questions = [QUESTIONS, *sorted(EXTRA.glob("questions_*.yaml"))] if extra else [QUESTIONS]
            train, val, evidence = collect_corpus(work, name, corpus, per_doc, seed, questions)
            saved.write_bytes(pickle.dumps((train, val, evidence)))
        trains.append(train)
        vals.append(val)
        levels.append(evidence)
        print(f"{name}: {len(train.x)} training and {len(val.x)} validation questions")
    return trains, vals, levels


def written_corpus(target: Path) -> Path:
    """``training/corpus/`` and ``training/extra/corpus/`` in one folder."""
    target.mkdir(parents=True, exist_ok=True)
    for path in [*WRITTEN_CORPUS.glob("*.txt"), *(EXTRA / "corpus").glob("*.txt")]:
        shutil.copy(path, target / path.name)
    return target


def collect_corpus(
    work: Path, name: str, corpus: Path, per_doc: int, seed: int, questions: list[Path]
) -> tuple[Rows, Rows, list]:
    """Build the corpus's index, then its probe rows (and labelled rows for the written one)."""
    settings = Settings(corpus_dir=corpus, data_dir=work / f"{name}-data", today=dt.date(2026, 11, 25))
    build_index(settings, warn=lambda _m: None)
    answerer = Answerer(settings)
    answerer.model = Model.from_dict(_neutral())  # features and ranking do not depend on it
    train, val = collect(answerer, name, per_doc * (8 if name != "pydoc" else 1), seed)
    for path in questions if name == "written" else []:
        more_train, more_val = labelled(answerer, path)
        train, val = merge([train, more_train]), merge([val, more_val])
    return train, val, unanswerable_evidence(answerer, answerer.handle.snapshot())


def _neutral() -> dict:
    n = len(FEATURES)
    return {
        "features": list(FEATURES),
        "mean": [0.0] * n,
        "scale": [1.0] * n,
        "coef": [0.0] * n,
        "intercept": 0.0,
        "threshold": 0.5,
    }


if __name__ == "__main__":
    main()
