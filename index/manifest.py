"""The source manifest: who published each document, and when.

``corpus/manifest.yaml`` lists ``documents:`` with id (file name), title, publisher, kind,
published (YYYY, YYYY-MM or YYYY-MM-DD), date_note and url. A corpus without a manifest still
indexes: titles fall back to file names and dates to what the text says.

``published`` is the date the document speaks for, the one ages are counted from: a page "last
updated April 2016" is published 2016-04. Entries written by `waymark add` also keep ``updated``
and ``first_published`` when the document states them, ``date_note`` says how the date was found,
and ``added``/``sha256``/``added_from`` record where the file came from.

``write_entry`` and ``remove_entry`` change the file under a lock, atomically (a temporary file
renamed over it), and keep its comments and layout when they can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from index.dates import DateValue, parse_iso_date
from index.errors import CorpusError
from index.files import FileLock, atomic_write, file_lock

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
    updated: DateValue | None = None


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
    updated = parse_iso_date(str(entry["updated"])) if entry.get("updated") else None
    return SourceInfo(
        id=doc_id,
        title=str(entry.get("title") or doc_id),
        publisher=str(entry.get("publisher") or "unknown publisher"),
        kind=str(entry.get("kind") or "document"),
        published=published,
        date_note=str(entry.get("date_note") or ""),
        url=entry.get("url") or None,
        updated=updated,
    )


# ---------------------------------------------------------------- writing


MANIFEST_HEADER = (
    "# Source manifest: title, publisher, kind and dates of each document in this folder.\n"
    "# published: YYYY, YYYY-MM or YYYY-MM-DD, the date the document speaks for; "
    "date_note says how it was found.\n"
)
LOCK_TIMEOUT = 120.0


def manifest_lock(corpus_dir: Path) -> FileLock:
    """One writer at a time for the manifest (and the files `waymark add` puts beside it).

    Re-entrant in one thread, so a caller may hold it around ``write_entry``; the lock file is
    hidden (the corpus loader skips dot files) and removed on release."""
    return file_lock(corpus_dir / f".{MANIFEST_NAME}.lock", timeout=LOCK_TIMEOUT, reentrant=True)


def read_entries(corpus_dir: Path) -> list[dict]:
    """The manifest's raw entries (an absent manifest has none); malformed is a CorpusError."""
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return []
    return _entries_of(path.read_text(encoding="utf-8"), path)


def _entries_of(text: str, path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        msg = f"{path} is not valid YAML ({exc.__class__.__name__}); fix it or remove it."
        raise CorpusError(msg) from None
    entries = data.get("documents", []) if isinstance(data, dict) else None
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        msg = f"{path} must have a top-level 'documents:' list."
        raise CorpusError(msg)
    return entries


def write_entry(corpus_dir: Path, entry: dict) -> None:
    """Add ``entry`` to the manifest, replacing any entry with the same id."""
    with manifest_lock(corpus_dir):
        path = corpus_dir / MANIFEST_NAME
        text = path.read_text(encoding="utf-8") if path.exists() else MANIFEST_HEADER + "documents:\n"
        entries = _entries_of(text, path)
        kept = [e for e in entries if not (isinstance(e, dict) and str(e.get("id")) == str(entry["id"]))]
        if len(kept) != len(entries):
            text = _without_entry(text, str(entry["id"]), kept, path)
        new = _appended(text, entry, [*kept, entry], path)
        atomic_write(path, new)


def remove_entry(corpus_dir: Path, doc_id: str) -> dict | None:
    """Drop the entry for ``doc_id``; returns it (None if there was none)."""
    with manifest_lock(corpus_dir):
        path = corpus_dir / MANIFEST_NAME
        if not path.exists():
            return None
        text = path.read_text(encoding="utf-8")
        entries = _entries_of(text, path)
        removed = [e for e in entries if isinstance(e, dict) and str(e.get("id")) == doc_id]
        if not removed:
            return None
        kept = [e for e in entries if not (isinstance(e, dict) and str(e.get("id")) == doc_id)]
        atomic_write(path, _without_entry(text, doc_id, kept, path))
        return removed[0]


def _dump_item(entry: dict, indent: str) -> str:
    block = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return "".join(indent + line if line.strip() else line for line in block.splitlines(keepends=True))


_ITEM = re.compile(r"^(\s*)-\s")


def _appended(text: str, entry: dict, expected: list[dict], path: Path) -> str:
    """The manifest text with ``entry`` appended to the documents list, comments kept; a full
    rewrite when the layout does not allow a plain append (e.g. ``documents: []``)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^documents:\s*(#.*)?$", line)), None)
    if start is not None:
        indent = next((m.group(1) for line in lines[start + 1 :] if (m := _ITEM.match(line))), "  ")
        candidate = (text if text.endswith("\n") else text + "\n") + _dump_item(entry, indent)
        if _same(candidate, expected, path):
            return candidate
    return _rewritten(text, expected)


def _without_entry(text: str, doc_id: str, expected: list[dict], path: Path) -> str:
    """The manifest text without the item whose id is ``doc_id``, comments kept where possible."""
    lines = text.splitlines(keepends=True)
    head = re.compile(rf"^(\s*)-\s+id:\s*(['\"]?){re.escape(doc_id)}\2\s*(#.*)?$")
    for i, line in enumerate(lines):
        m = head.match(line.rstrip("\n"))
        if not m:
            continue
        indent = len(m.group(1))
        end = i + 1
        while end < len(lines):
            nxt = lines[end]
            stripped = nxt.strip()
            if stripped and not stripped.startswith("#"):
                depth = len(nxt) - len(nxt.lstrip())
                if depth < indent or (depth == indent and stripped.startswith("-")):
                    break
                if depth == indent and not stripped.startswith("-"):
                    break
            end += 1
        candidate = "".join(lines[:i] + lines[end:])
        if _same(candidate, expected, path):
            return candidate
        break
    return _rewritten(text, expected)


def _same(text: str, expected: list[dict], path: Path) -> bool:
    """Whether ``text`` holds exactly ``expected`` as a list the loader accepts (not ``documents:``
    left empty, which reads as null)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return (
        isinstance(data, dict) and isinstance(data.get("documents"), list) and data["documents"] == expected
    )


def _rewritten(text: str, entries: list[dict]) -> str:
    """A fresh manifest: the leading comment lines kept, the documents dumped anew."""
    header = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        header.append(line)
    body = yaml.safe_dump(
        {"documents": entries}, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False
    )
    return "".join(header or [MANIFEST_HEADER]) + body
