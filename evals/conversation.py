"""Conversation variants of eval suites: each standalone question asked after two unrelated ones.

A question that stands on its own must get the same answer whether it opens a chat or comes
third in one. ``conversation_variant`` gives every case without ``history`` two earlier user
turns taken from other cases of the suites (a different source document, no shared topic
word), chosen deterministically from the case id, and keeps its expectations; cases that
already have a ``history`` are kept as they are. ``compare`` runs the suites alone and as
conversations and lists the cases that pass alone but fail in conversation ("lost") and the
other way round ("gained").

    python -m evals.conversation evals/suites/dev.yaml [more.yaml ...] -o OUT.yaml [--compare]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answer import Answerer, usable_turns
from bot.cli import ensure_index, settings_from
from evals.runner import run_case
from evals.suite import Case, load_suite

TURNS = 2
# A word in more than this share of the pool's questions (the country every question is about,
# "safe") says nothing about a question's topic.
COMMON_SHARE = 0.08
# General English that says nothing about a question's topic.
_FUNCTION_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either else even ever
    every few for from further get gets getting got had has have having he her here hers him his
    how i if in into is it its just let like may me might more most much must my need no nor not
    now of off on once one only or other our ours out over own really same shall she should so
    some still such than that the their theirs them then there these they this those through to
    too under until up us very was we were what when where which while who whom whose why will
    with within without would yes yet you your yours""".split()
)
_WORD = re.compile(r"[a-z][a-z'\-]+")


def topic_words(question: str) -> set[str]:
    """Lower-cased words of three letters or more that are not general-English function words."""
    return {w.strip("'-") for w in _WORD.findall(question.lower())} - _FUNCTION_WORDS - {""}


def _seed(case_id: str) -> int:
    return int.from_bytes(hashlib.sha256(case_id.encode("utf-8")).digest()[:8], "big")


def _unrelated(case: Case, other: Case, topics: dict[str, set[str]]) -> bool:
    if other.id == case.id or other.history or other.question.strip() == case.question.strip():
        return False
    if case.doc and other.doc and (case.doc.startswith(other.doc) or other.doc.startswith(case.doc)):
        return False
    return not (topics[case.id] & topics[other.id])


def conversation_variant(
    cases: Sequence[Case], pool: Sequence[Case] | None = None, turns: int = TURNS
) -> list[Case]:
    """``cases`` with every standalone one preceded by ``turns`` unrelated questions from ``pool``.

    ``pool`` (default: ``cases``) supplies the earlier turns: standalone cases whose source
    document differs (when both name one) and that share no topic word with the case, a topic
    word being one that is neither general English nor in more than ``COMMON_SHARE`` of the pool.
    The choice is seeded by the case id, so the variant is the same on every run; the earlier
    turns are also unrelated to each other where the pool allows.
    """
    pool = [c for c in (cases if pool is None else pool) if not c.history]
    everyone = {c.id: c for c in [*pool, *cases]}.values()
    counts = Counter(w for c in pool for w in topic_words(c.question))
    common = {w for w, n in counts.items() if n > COMMON_SHARE * max(len(pool), 1)}
    topics = {c.id: topic_words(c.question) - common for c in everyone}
    out = []
    for case in cases:
        if case.history:
            out.append(case)
            continue
        rng = random.Random(_seed(case.id))
        candidates = [c for c in pool if _unrelated(case, c, topics)]
        rng.shuffle(candidates)
        chosen: list[Case] = []
        for candidate in candidates:
            if all(_unrelated(candidate, c, topics) for c in chosen):
                chosen.append(candidate)
            if len(chosen) == turns:
                break
        for candidate in candidates:  # a small pool: relax "unrelated to each other"
            if len(chosen) == turns:
                break
            if candidate not in chosen:
                chosen.append(candidate)
        if len(chosen) < turns:
            msg = f"Only {len(chosen)} unrelated question(s) for case {case.id!r}; give a larger pool."
            raise ValueError(msg)
        out.append(dataclasses.replace(case, history=[c.question for c in chosen]))
    return out


def load_suites(paths: Iterable[Path]) -> dict[str, list[Case]]:
    """Each suite's cases by the suite's name (its file stem), in the order given."""
    return {Path(p).stem: load_suite(Path(p)) for p in paths}


def suite_variants(suites: dict[str, list[Case]]) -> dict[str, list[Case]]:
    """The conversation variant of each suite, earlier turns drawn from all the suites together."""
    pool = [c for cases in suites.values() for c in cases]
    return {name: conversation_variant(cases, pool) for name, cases in suites.items()}


def case_dict(case: Case) -> dict:
    """A case as a suite-file entry: only the fields that are set."""
    raw: dict = {"id": case.id}
    if case.history:
        raw["history"] = list(case.history)
    raw["question"] = case.question
    for key in ("any", "forbid", "doc", "stale", "abstain"):
        value = getattr(case, key)
        if value is not None:
            raw[key] = value
    return raw


def write_suite(cases: Sequence[Case], path: Path, header: str = "") -> None:
    """A suite file ``evals.suite.load_suite`` reads back into the same cases."""
    text = yaml.safe_dump(
        {"cases": [case_dict(c) for c in cases]}, sort_keys=False, allow_unicode=True, width=120
    )
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    Path(path).write_text(comment + text, encoding="utf-8")


def merged_variant(suites: dict[str, list[Case]]) -> list[Case]:
    """All the suites' variants in one list; ids are prefixed ``suite:`` only if two would clash."""
    variants = suite_variants(suites)
    ids = Counter(c.id for cases in variants.values() for c in cases)
    clash = any(n > 1 for n in ids.values())
    return [
        dataclasses.replace(c, id=f"{name}:{c.id}") if clash else c
        for name, cases in variants.items()
        for c in cases
    ]


# ------------------------------------------------------------------ alone vs in conversation


@dataclass
class Comparison:
    """Pass/fail of every case asked alone and in conversation, keyed ``suite:id``."""

    alone: dict[str, bool]
    conversation: dict[str, bool]
    failures: dict[str, list[str]] = field(default_factory=dict)  # in conversation, when it differs
    queries: dict[str, str] = field(default_factory=dict)  # searched in conversation, when it differs

    @property
    def lost(self) -> list[str]:
        """Cases that pass alone but fail after the earlier turns."""
        return [k for k, ok in self.alone.items() if ok and not self.conversation[k]]

    @property
    def gained(self) -> list[str]:
        return [k for k, ok in self.alone.items() if not ok and self.conversation[k]]

    def summary(self, suite: str | None = None) -> dict:
        """Counts over all cases, or over one suite's."""
        keys = [k for k in self.alone if suite is None or k.startswith(f"{suite}:")]
        return {
            "cases": len(keys),
            "passed_alone": sum(self.alone[k] for k in keys),
            "passed_in_conversation": sum(self.conversation[k] for k in keys),
            "lost": sum(k in keys for k in self.lost),
            "gained": sum(k in keys for k in self.gained),
        }

    def summary_text(self) -> str:
        suites = list(dict.fromkeys(k.split(":", 1)[0] for k in self.alone))
        lines = []
        for name in [None, *suites] if len(suites) > 1 else [None]:
            s = self.summary(name)
            lines.append(
                f"{name or 'all'}: {s['cases']} cases, {s['passed_alone']} pass alone, "
                f"{s['passed_in_conversation']} in conversation; lost {s['lost']}, gained {s['gained']}"
            )
        for key in self.lost:
            lines.append(f"  lost   {key}: searched {self.queries.get(key, '')!r}")
            lines += [f"           {f}" for f in self.failures.get(key, [])]
        lines += [f"  gained {key}" for key in self.gained]
        return "\n".join(lines)


def compare(settings, paths: Sequence[Path], answerer=None) -> Comparison:
    """Run the suites at ``paths`` alone and as conversations with one answerer."""
    return compare_suites(settings, load_suites(paths), answerer)


def compare_suites(settings, suites: dict[str, list[Case]], answerer=None) -> Comparison:
    """Each case through ``evals.runner.run_case`` alone and in its conversation variant."""
    answerer = answerer or Answerer(settings)
    variants = suite_variants(suites)
    sources: dict = {}
    result = Comparison({}, {})
    for name, cases in suites.items():
        for case, variant in zip(cases, variants[name], strict=True):
            key = f"{name}:{case.id}"
            result.alone[key] = run_case(answerer, case, name, settings, sources).passed
            talk = run_case(answerer, variant, name, settings, sources)
            result.conversation[key] = talk.passed
            if result.alone[key] != talk.passed:
                result.failures[key] = talk.failures
                result.queries[key] = answerer.resolve(variant.question, usable_turns(variant.history))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.conversation", description=__doc__.split("\n")[0])
    parser.add_argument("suites", nargs="+", type=Path, help="Suite YAML files.")
    parser.add_argument("-o", "--out", type=Path, help="Write the conversation variant here.")
    parser.add_argument("--compare", action="store_true", help="Run alone and in conversation.")
    parser.add_argument("--data-dir", type=Path, help="Index folder (default: WAYMARK_DATA_DIR).")
    parser.add_argument("--today", help="Pretend today is this ISO date (default: WAYMARK_TODAY).")
    args = parser.parse_args(argv)
    suites = load_suites(args.suites)
    if args.out:
        names = ", ".join(str(p) for p in args.suites)
        header = f"Conversation variant of {names}: generated by python -m evals.conversation; do not edit."
        write_suite(merged_variant(suites), args.out, header)
        print(f"wrote {args.out}")
    if not args.compare:
        return 0
    today = dt.date.fromisoformat(args.today) if args.today else None
    settings = settings_from({"data_dir": args.data_dir, "today": today})
    ensure_index(settings)
    result = compare(settings, args.suites)
    print(result.summary_text())
    return 1 if result.lost else 0


if __name__ == "__main__":
    sys.exit(main())
