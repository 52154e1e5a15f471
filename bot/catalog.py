"""What is indexed: one row per document, for the Sources tab and `waymark sources`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot import render
from bot.retrieve import IndexHandle
from bot.settings import Settings
from index.dates import UNKNOWN, parse_iso_date


@dataclass
class SourceRow:
    source_id: str
    title: str
    publisher: str
    kind: str
    date: str
    age_years: int | None
    age: str
    passages: int
    date_basis: str


def catalog(settings: Settings, handle: IndexHandle | None = None) -> list[SourceRow]:
    snap = (handle or IndexHandle(settings)).snapshot()
    counts = Counter(m["source_id"] for m in snap.metadatas)
    first: dict[str, dict] = {}
    for meta in snap.metadatas:
        first.setdefault(meta["source_id"], meta)
        if first[meta["source_id"]].get("date_basis") == "attribution":  # that is one passage's date
            first[meta["source_id"]] = meta
    today = settings.current_date()
    rows = []
    for sid, meta in sorted(first.items()):
        date = meta.get("doc_date", UNKNOWN)
        value = parse_iso_date(date) if date != UNKNOWN else None
        age = value.age_years(today) if value else None
        rows.append(
            SourceRow(
                sid,
                meta.get("title", sid),
                meta.get("publisher", ""),
                meta.get("kind", ""),
                date,
                age,
                render.age_phrase(age),
                counts[sid],
                meta.get("date_basis", ""),
            )
        )
    return rows
