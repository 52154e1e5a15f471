"""Eval suite files: the YAML schema shared with suites written elsewhere.

```yaml
cases:
  - id: police-mobile
    question: "..."
    history: ["earlier user turn"]   # optional
    any: ["112"]      # answer text must contain at least one (case-insensitive)
    forbid: ["103"]   # answer text must contain none
    doc: "003"        # some cited source id must start with this
    stale: true       # staleness warning expected or not
    abstain: true     # an abstention is expected
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import SuiteError

FIELDS = {"id", "question", "history", "any", "forbid", "doc", "stale", "abstain"}
#: what a case can check, in report order ("fact" is the ``any`` field)
CHECKS = ("fact", "doc", "stale", "abstain", "forbid")


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    history: list[str] = field(default_factory=list)
    any: list[str] | None = None
    forbid: list[str] | None = None
    doc: str | None = None
    stale: bool | None = None
    abstain: bool | None = None


def load_suite(path: Path) -> list[Case]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        msg = f"Suite {path} cannot be read ({exc.__class__.__name__}: {exc}); fix the file."
        raise SuiteError(msg) from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        msg = f"Suite {path} must have a top-level 'cases:' list."
        raise SuiteError(msg)
    cases, seen = [], set()
    for i, raw in enumerate(data["cases"], 1):
        case = _case(path, i, raw)
        if case.id in seen:
            msg = f"Suite {path}: case id {case.id!r} is used twice; ids must be unique."
            raise SuiteError(msg)
        seen.add(case.id)
        cases.append(case)
    return cases


def _case(path: Path, i: int, raw) -> Case:
    where = f"Suite {path}, case {i}"
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("question"):
        msg = f"{where}: every case needs an 'id' and a 'question'."
        raise SuiteError(msg)
    unknown = set(raw) - FIELDS
    if unknown:
        msg = f"{where} ({raw['id']}): unknown field(s) {sorted(unknown)}; allowed: {sorted(FIELDS)}."
        raise SuiteError(msg)
    for key in ("history", "any", "forbid"):
        if key in raw and not (
            isinstance(raw[key], list) and all(isinstance(v, str | int) for v in raw[key])
        ):
            msg = f"{where} ({raw['id']}): '{key}' must be a list of strings."
            raise SuiteError(msg)
    for key in ("stale", "abstain"):
        if key in raw and not isinstance(raw[key], bool):
            msg = f"{where} ({raw['id']}): '{key}' must be true or false."
            raise SuiteError(msg)
    return Case(
        id=str(raw["id"]),
        question=str(raw["question"]),
        history=[str(h) for h in raw.get("history") or []],
        any=[str(v) for v in raw["any"]] if "any" in raw else None,
        forbid=[str(v) for v in raw["forbid"]] if "forbid" in raw else None,
        doc=str(raw["doc"]) if raw.get("doc") is not None else None,
        stale=raw.get("stale"),
        abstain=raw.get("abstain"),
    )
