"""Turn a SQuAD v2 file into a Waymark corpus and eval suite, so answer quality and abstention
can be measured on a public benchmark with the same runner as the dev suite.

Each article becomes one ``.txt`` file: its title as a Markdown heading, then its paragraphs
verbatim, separated by blank lines, so every SQuAD ``answer_start`` maps to a known offset in the
written file. Answerable questions expect one of their answer texts from that file; impossible
ones expect an abstention.

    python -m evals.squad SQUAD.json OUT_DIR    # writes OUT_DIR/corpus/ and OUT_DIR/suite.yaml
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import yaml

from bot.errors import SuiteError

PUBLISHER = "Wikipedia (via SQuAD v2)"
KIND = "encyclopedia"
LICENSE_NOTE = (
    "Text from Wikipedia via SQuAD v2 (Rajpurkar et al., 2018), licensed CC BY-SA 4.0; "
    "converted by `python -m evals.squad`."
)


class SquadError(SuiteError):
    """The input is not a usable SQuAD v2 file."""


@dataclass
class Article:
    """One written corpus file and where each paragraph starts in it."""

    file_id: str
    title: str
    text: str
    paragraph_starts: list[int] = field(default_factory=list)


@dataclass
class Converted:
    articles: list[Article]
    cases: list[dict]

    @property
    def answerable(self) -> int:
        return sum("any" in c for c in self.cases)

    @property
    def impossible(self) -> int:
        return sum(bool(c.get("abstain")) for c in self.cases)


def load_squad(path: Path) -> list[dict]:
    """The ``data`` list of a SQuAD file, with a clear message when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{path} cannot be read as JSON ({exc.__class__.__name__}: {exc})"
        raise SquadError(msg) from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        msg = f"{path} has no top-level 'data' list; is it a SQuAD file?"
        raise SquadError(msg)
    return data["data"]


def slug(title: str) -> str:
    """A file-name-safe version of an article title."""
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:60] or "article"


def display_title(raw: str) -> str:
    """SQuAD titles are Wikipedia page names ("Computational_complexity_theory")."""
    return " ".join(raw.replace("_", " ").split()) or "Untitled"


def flatten(context: str) -> str:
    """One line per paragraph; a newline becomes a space, so every offset stays the same."""
    return context.replace("\r", " ").replace("\n", " ")


def convert(data: list[dict]) -> Converted:
    """Articles and suite cases from SQuAD ``data`` (no files written)."""
    articles: list[Article] = []
    cases: list[dict] = []
    seen_ids: set[str] = set()
    for n, raw in enumerate(data):
        title = display_title(str(raw.get("title", "")))
        article = Article(f"{n:03d}_{slug(title)}.txt", title, f"# {title}\n")
        for paragraph in raw.get("paragraphs") or []:
            article.text += "\n"
            article.paragraph_starts.append(len(article.text))
            article.text += flatten(str(paragraph.get("context", ""))) + "\n"
            for qa in paragraph.get("qas") or []:
                case = _case(qa, article.file_id, seen_ids)
                if case:
                    cases.append(case)
        articles.append(article)
    return Converted(articles, cases)


def _case(qa: dict, file_id: str, seen_ids: set[str]) -> dict | None:
    question = " ".join(str(qa.get("question", "")).split())
    if not question:
        return None
    case: dict = {"id": _unique_id(str(qa.get("id") or "q"), seen_ids), "question": question}
    texts = (str(a.get("text", "")).strip() for a in qa.get("answers") or [] if isinstance(a, dict))
    answers = list(dict.fromkeys(t for t in texts if t))
    if qa.get("is_impossible") or not answers:
        case["abstain"] = True
    else:
        case["any"] = answers
        case["doc"] = file_id
    return case


def _unique_id(raw: str, seen: set[str]) -> str:
    """SQuAD ids are unique in the official files; the suite loader insists, so make sure."""
    candidate, n = raw, 1
    while candidate in seen:
        n += 1
        candidate = f"{raw}-{n}"
    seen.add(candidate)
    return candidate


def manifest(articles: list[Article]) -> dict:
    """Manifest entries: no revision date is known, so ``published`` is left out, never guessed."""
    return {
        "documents": [
            {
                "id": a.file_id,
                "title": a.title,
                "publisher": PUBLISHER,
                "kind": KIND,
                "date_note": "SQuAD v2 does not record the Wikipedia revision date.",
                "url": "https://en.wikipedia.org/wiki/" + quote(a.title.replace(" ", "_")),
            }
            for a in articles
        ]
    }


def write(converted: Converted, out_dir: Path, source: str = "") -> tuple[Path, Path]:
    """Write ``out_dir/corpus/`` (texts + manifest) and ``out_dir/suite.yaml``."""
    corpus = out_dir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for stale in corpus.glob("*.txt"):  # a re-run over a different file must not leave old articles
        stale.unlink()
    for article in converted.articles:
        (corpus / article.file_id).write_text(article.text, encoding="utf-8")
    header = f"# {LICENSE_NOTE}\n" + (f"# Source file: {source}\n" if source else "")
    (corpus / "manifest.yaml").write_text(header + _dump(manifest(converted.articles)), encoding="utf-8")
    suite = out_dir / "suite.yaml"
    counts = f"# {converted.answerable} answerable (any + doc), {converted.impossible} impossible (abstain)\n"
    suite.write_text(header + counts + _dump({"cases": converted.cases}), encoding="utf-8")
    return corpus, suite


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.squad", description=__doc__.split("\n\n")[0])
    parser.add_argument("squad", type=Path, help="SQuAD v2 JSON file")
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/corpus/ and OUT_DIR/suite.yaml")
    args = parser.parse_args(argv)
    try:
        converted = convert(load_squad(args.squad))
        corpus, suite = write(converted, args.out_dir, source=args.squad.name)
    except (SquadError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{len(converted.articles)} articles -> {corpus}; {len(converted.cases)} cases "
        f"({converted.answerable} answerable, {converted.impossible} impossible) -> {suite}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
