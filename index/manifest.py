"""The source manifest: who published each document, and when.

``corpus/manifest.yaml`` lists ``documents:`` with id (file name), title, publisher, kind,
published (YYYY, YYYY-MM or YYYY-MM-DD), date_note and url. A corpus without a manifest still
indexes: titles fall back to file names and dates to what the text says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import CorpusError
from index.dates import DateValue, parse_iso_date

MANIFEST_NAME = "manifest.yaml"


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    publisher: str = "unknown publisher"
    kind: str = "document"
    published: DateValue | None = None
    date_note: str = ""
    url: str | None = None


def load_manifest(corpus_dir: Path, warn=print) -> dict[str, SourceInfo]:
    """Read the manifest; bad entries are reported through ``warn`` and skipped, never fatal."""
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        msg = f"{path} is not valid YAML ({exc.__class__.__name__}); fix it or remove it."
        raise CorpusError(msg) from None
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        msg = f"{path} must have a top-level 'documents:' list."
        raise CorpusError(msg)
    sources: dict[str, SourceInfo] = {}
    for entry in entries:
        info = _entry(entry, warn)
        if info is None:
            continue
        if not (corpus_dir / info.id).exists():
            warn(f"manifest: {info.id} is listed but no such file is in the corpus; entry ignored")
            continue
        sources[info.id] = info
    return sources


def _entry(entry, warn) -> SourceInfo | None:
    if not isinstance(entry, dict) or not entry.get("id"):
        warn(f"manifest: entry without an id ignored: {entry!r:.80}")
        return None
    doc_id = str(entry["id"])
    published = None
    raw = entry.get("published")
    if raw not in (None, "", "unknown"):
        published = parse_iso_date(str(raw))
        if published is None:
            warn(f"manifest: {doc_id} has an invalid published date {raw!r}; using dates found in the text")
    return SourceInfo(
        id=doc_id,
        title=str(entry.get("title") or doc_id),
        publisher=str(entry.get("publisher") or "unknown publisher"),
        kind=str(entry.get("kind") or "document"),
        published=published,
        date_note=str(entry.get("date_note") or ""),
        url=entry.get("url") or None,
    )
