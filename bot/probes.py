"""Synthetic questions made from an index's own sentences, with known answers or none.

Cloze-style question generation (unsupervised QA, Lewis et al. 2019): take a sentence, pick an
answer span in it (a number, a date, a name, or a rare word), and ask for it with a wh-phrase and
some of the sentence's other words. Two kinds of unanswerable probe come from each sentence:

* ``removed``: the question with every sentence holding the answer taken away, so what
  retrieval finds looks relevant but does not answer (SQuAD v2's "plausible" distractors);
* ``swapped``: the question's rarest word replaced by a rare word of another document, so the
  sentence it came from no longer answers it (the other-country near miss).

``bot.calibrate`` scores them on each new index to set that corpus's threshold. No eval suite
question is ever a probe.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass

from bot.lexical import STOPWORDS, normalize, stem, words
from bot.retrieve import Snapshot

KINDS = ("removed", "swapped")
_PHONE = re.compile(r"\+?\d[\d\- ]{4,}\d")
_NUMBER = re.compile(r"\b\d{2,}(?:[.,]\d+)?\b")
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
_NAME = re.compile(r"(?<=[a-z,;] )(?:[A-Z][a-z]+)(?: [A-Z][a-z]+)*")
# General-English openings and asides people wrap questions in; they carry no topic.
_ASIDES = (
    "",
    "",
    "",
    "quick question",
    "i was wondering",
    "can you tell me",
    "we are going soon and",
    "sorry if this is obvious but",
    "my friend asked",
    "honestly worried",
    "first trip here",
    "any idea",
    "does anyone know",
    "planning ahead",
)
_WH = {
    "phone": ("what is the phone number", "what number", "which number do i call"),
    "number": ("how many", "what number", "how much"),
    "date": ("when", "what year", "in which year"),
    "name": ("who", "what", "which"),
    "word": ("what", "which", "what is"),
}


@dataclass(frozen=True)
class Probe:
    question: str
    answer: str  # the span the original question asked for
    kind: str  # one of KINDS
    source_id: str

    def excluded(self, sentence: str) -> bool:
        """For a removed probe, the sentences retrieval must not see."""
        return self.kind == "removed" and normalize(self.answer) in normalize(sentence)


def sentences(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(source id, sentence) for every quotable unit of the index."""
    out = []
    for text, meta in zip(snapshot.texts, snapshot.metadatas, strict=True):
        for start, end in json.loads(meta["units"]):
            out.append((meta["source_id"], text[start:end]))
    return out


def make_probes(
    snapshot: Snapshot,
    n: int,
    seed: int = 0,
    kinds: tuple[str, ...] = KINDS,
    sources=None,
) -> list[Probe]:
    """Up to ``n`` probes of each kind, from sentences of ``sources`` (all documents if None)."""
    rng = random.Random(seed)
    pool = [(sid, s) for sid, s in sentences(snapshot) if sources is None or sid in sources]
    rng.shuffle(pool)
    rare = _rare_words(snapshot)
    out: list[Probe] = []
    made = 0
    for sid, sentence in pool:
        if made >= n:
            break
        made_question = make_question(sentence, snapshot, rng)
        if made_question is None:
            continue
        question, answer = made_question
        made += 1
        if "removed" in kinds:
            out.append(Probe(question, answer, "removed", sid))
        if "swapped" in kinds:
            swapped = swap_rarest(question, snapshot, rare, sid, rng)
            if swapped:
                out.append(Probe(swapped, answer, "swapped", sid))
    return out


def make_question(sentence: str, snapshot: Snapshot, rng: random.Random) -> tuple[str, str] | None:
    """A question asking for one span of ``sentence``, and that span; None if nothing fits.

    People rarely reuse a source's words: some kept words are swapped for another word of the
    corpus, and a general aside may wrap the question, as real questions are."""
    span = _answer_span(sentence, snapshot, rng)
    if span is None:
        return None
    kind, answer = span
    answer_words = set(words(answer))
    content = [w for w in words(sentence) if w not in STOPWORDS and w not in answer_words and not w.isdigit()]
    content = list(dict.fromkeys(content))
    if len(content) < 2:
        return None
    keep = max(2, min(len(content), rng.randint(2, 6)))
    chosen = [content[i] for i in sorted(rng.sample(range(len(content)), keep))]
    vocab = snapshot.surface_words
    for i in range(len(chosen)):
        if rng.random() > 0.92 and vocab:
            bucket = vocab[rng.choice(sorted(vocab))]
            chosen[i] = rng.choice(bucket)
    wh = rng.choice(_WH[kind])
    aside = rng.choice(_ASIDES)
    question = f"{aside} {wh} {' '.join(chosen)}?".strip()
    return question, answer


def _answer_span(sentence: str, snapshot: Snapshot, rng: random.Random) -> tuple[str, str] | None:
    options: list[tuple[str, str]] = []
    options += [("phone", m.group(0).strip()) for m in _PHONE.finditer(sentence)]
    options += [("date", m.group(0)) for m in _YEAR.finditer(sentence)]
    options += [("number", m.group(0)) for m in _NUMBER.finditer(sentence) if not _YEAR.fullmatch(m.group(0))]
    options += [("name", m.group(0)) for m in _NAME.finditer(sentence)]
    lex = snapshot.lexical
    rare = [w for w in words(sentence) if len(w) >= 5 and w not in STOPWORDS and not w.isdigit()]
    rare = [w for w in rare if lex.df.get(stem(w), 0) <= max(2, lex.size // 100)]
    options += [("word", w) for w in rare]
    return rng.choice(options) if options else None


def _rare_words(snapshot: Snapshot) -> dict[str, list[str]]:
    """Per document, words of 5+ letters found in at most two passages (candidates to swap in)."""
    lex = snapshot.lexical
    out: dict[str, list[str]] = {}
    for text, meta in zip(snapshot.texts, snapshot.metadatas, strict=True):
        for w in words(text):
            if len(w) >= 5 and not w.isdigit() and w not in STOPWORDS and lex.df.get(stem(w), 0) <= 2:
                out.setdefault(meta["source_id"], []).append(w)
    return {k: sorted(set(v)) for k, v in out.items()}


def swap_rarest(
    question: str, snapshot: Snapshot, rare: dict[str, list[str]], source_id: str, rng: random.Random
) -> str | None:
    """The question with its rarest word replaced by a rare word of another document."""
    lex = snapshot.lexical
    qwords = [w for w in words(question) if w not in STOPWORDS and not w.isdigit()]
    if not qwords:
        return None
    rarest = max(qwords, key=lambda w: lex.idf(stem(w)))
    others = [w for sid, ws in rare.items() if sid != source_id for w in ws]
    if not others:
        others = [w for ws in rare.values() for w in ws if w != rarest]
    if not others:
        return None
    return re.sub(rf"\b{re.escape(rarest)}\b", rng.choice(others), question, count=1)
