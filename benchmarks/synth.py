"""A reproducible synthetic corpus, grown from the seed documents, for scale benchmarks.

Sentences of ``corpus/*.txt`` (as Waymark's own chunker finds them) are recombined into new
documents. In each one, places, nationalities and people get invented names and non-year numbers
a shuffled digit table, all drawn from a seeded RNG, so the text reads like the seed (same
vocabulary and length mix, realistic near-duplicates for retrieval) without repeating its facts.
The seed documents are copied in too, so the dev questions still have their real answers.
Same seed and size, same files, byte for byte.

    python benchmarks/synth.py OUT_DIR --passages 10000 [--seed 7] [--no-seed-docs]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PARAGRAPHS_PER_DOC = 20
MAX_PARAGRAPH_CHARS = 460  # under the chunker's 500, so one paragraph is one passage

COUNTRIES = (
    "Kazakhstan Kyrgyzstan Tajikistan Uzbekistan Turkmenistan Russia China Ukraine Georgia Italy".split()
)
CITIES = "Almaty Astana Nursultan Karaganda Bishkek Osh Tashkent Dushanbe Shymkent Fergana London".split()
DEMONYMS = "Kazakhstani Kazakhs Kazakh Kazak Kyrgyz Uzbeks Uzbek Tajik Russian Georgian".split()
PEOPLE = (
    "Nazarbayev Ablyazov Bokontayev Bektibayev Saltanat Berdikeeva Altynbek Tiberghien Manon Madec".split()
)
SYLLABLES = "ka ra vel mor dan ti sha lo ven bar zer ost lin mar ne ul dor ista po rem gal su".split()
PUBLISHERS = [
    "Synthetic Travel Advisory Office",
    "Synthetic Regional Security Council",
    "Synthetic Traveler Forum",
    "Synthetic News Desk",
]
KINDS = ["official report", "blog", "news", "crime overview (compilation)"]
_NAMES = re.compile(
    r"\b(" + "|".join(sorted(COUNTRIES + CITIES + DEMONYMS + PEOPLE, key=len, reverse=True)) + r")\b"
)
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class SynthSummary:
    out_dir: str
    seed: int
    documents: int
    paragraphs: int  # ~ passages; the index reports the exact count
    seed_documents: int


def seed_material(corpus_dir: Path) -> tuple[list[str], list[str]]:
    """Sentences and section titles of the seed corpus, as the indexer would cut them."""
    from index.load import load_corpus
    from index.passages import document_passages

    sentences: list[str] = []
    sections: set[str] = set()
    for doc in load_corpus(corpus_dir, warn=lambda _m: None):
        for p in document_passages(doc, None):
            if p.metadata["section"]:
                sections.add(p.metadata["section"])
            for s, e in json.loads(p.metadata["units"]):
                sentence = " ".join(p.text[s:e].split())
                if 30 <= len(sentence) <= 300:
                    sentences.append(sentence)
    return sorted(set(sentences)), sorted(sections)


class Renamer:
    """One document's consistent invented geography, cast and digit table."""

    def __init__(self, rng: random.Random) -> None:
        base = self._word(rng)
        self.country = base + rng.choice(["ia", "stan", "ova", "land"])
        self.demonym = base + "i"
        used = {self.country}
        self.names: dict[str, str] = {}
        for name in COUNTRIES:
            self.names[name] = self.country if name == "Kazakhstan" else self._fresh(rng, used, "ia")
        for name in CITIES + PEOPLE:
            self.names[name] = self._fresh(rng, used, "")
        for name in DEMONYMS:
            self.names[name] = self.demonym if name.startswith("Kaz") else self._fresh(rng, used, "i")
        digits = list("0123456789")
        rng.shuffle(digits)
        self.digits = str.maketrans("0123456789", "".join(digits))

    @staticmethod
    def _word(rng: random.Random) -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    def _fresh(self, rng: random.Random, used: set[str], suffix: str) -> str:
        while True:
            word = self._word(rng) + suffix
            if word not in used:
                used.add(word)
                return word

    def __call__(self, text: str) -> str:
        text = _NAMES.sub(lambda m: self.names[m.group(0)], text)
        return _NUMBER.sub(self._number, text)

    def _number(self, m: re.Match) -> str:
        """Years stay years (dates must stay plausible); other numbers are scrambled."""
        value = m.group(0)
        if len(value) == 4 and 1900 <= int(value) <= 2029:
            return value
        return value.translate(self.digits)


def paragraph(rng: random.Random, sentences: list[str]) -> str:
    """One to three random seed sentences that fit in one passage."""
    out = [rng.choice(sentences)]
    for _ in range(rng.randint(0, 2)):
        nxt = rng.choice(sentences)
        if len(" ".join(out)) + 1 + len(nxt) > MAX_PARAGRAPH_CHARS:
            break
        out.append(nxt)
    return " ".join(out)


def document(
    rng: random.Random, sentences: list[str], sections: list[str], paragraphs: int
) -> tuple[str, str]:
    """(title, text) of one synthetic document with a few headed sections."""
    rename = Renamer(rng)
    city = rename.names[rng.choice(CITIES)]
    title = f"Travel Safety Notes: {city}, {rename.country}"
    parts = [f"# {title}"]
    written = 0
    while written < paragraphs:
        parts.append(f"## {rename(rng.choice(sections))}")
        for _ in range(min(rng.randint(2, 6), paragraphs - written)):
            parts.append(rename(paragraph(rng, sentences)))
            written += 1
    return title, "\n\n".join(parts) + "\n"


def manifest_entry(rng: random.Random, file_id: str, title: str) -> dict:
    """Publisher, kind and a date spread over 20 years, so staleness warnings vary like real data."""
    year = rng.randint(2006, 2026)
    month = rng.randint(1, 10 if year == 2026 else 12)
    return {
        "id": file_id,
        "title": title,
        "publisher": rng.choice(PUBLISHERS),
        "kind": rng.choice(KINDS),
        "published": f"{year}-{month:02d}",
        "date_note": "synthetic benchmark document (benchmarks/synth.py)",
    }


def generate(
    out_dir: Path, passages: int, *, seed: int = 7, seed_corpus: Path | None = None, include_seed: bool = True
) -> SynthSummary:
    """Write about ``passages`` passages of synthetic documents (plus the seed corpus) to ``out_dir``."""
    from bot.settings import SHIPPED_CORPUS

    seed_corpus = seed_corpus or SHIPPED_CORPUS
    sentences, sections = seed_material(seed_corpus)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    entries: list[dict] = []
    if include_seed:
        entries.extend(_copy_seed(seed_corpus, out_dir))
    rng = random.Random(seed)
    remaining, n = passages, 0
    while remaining > 0:
        count = min(PARAGRAPHS_PER_DOC, remaining)
        doc_rng = random.Random(rng.getrandbits(64))
        title, text = document(doc_rng, sentences, sections, count)
        file_id = f"synth_{n:06d}.txt"
        (out_dir / file_id).write_text(text, encoding="utf-8")
        entries.append(manifest_entry(doc_rng, file_id, title))
        remaining -= count
        n += 1
    header = f"# Synthetic benchmark corpus: seed {seed}, {passages} generated paragraphs.\n"
    body = yaml.safe_dump({"documents": entries}, sort_keys=False, allow_unicode=True, width=110)
    (out_dir / "manifest.yaml").write_text(header + body, encoding="utf-8")
    seeds = len(entries) - n
    return SynthSummary(str(out_dir), seed, len(entries), passages, seeds)


def _copy_seed(seed_corpus: Path, out_dir: Path) -> list[dict]:
    for path in sorted(seed_corpus.glob("*.txt")):
        shutil.copy2(path, out_dir / path.name)
    manifest = seed_corpus / "manifest.yaml"
    if not manifest.exists():
        return []
    return list((yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}).get("documents") or [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--passages", type=int, default=10_000, help="generated paragraphs (~passages)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-seed-docs", action="store_true", help="leave the seed corpus out")
    args = parser.parse_args(argv)
    summary = generate(args.out_dir, args.passages, seed=args.seed, include_seed=not args.no_seed_docs)
    print(json.dumps(summary.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
