"""Turn the corpus into dated passages with stable ids and metadata, ready to embed."""

from __future__ import annotations

import bisect
import hashlib
import json
from dataclasses import dataclass

from index.chunk import Passage, is_attribution, passages
from index.clean import blocks
from index.dates import (
    ATTRIBUTION,
    UNKNOWN,
    DateValue,
    attribution_date,
    document_date,
    parse_iso_date,
    trailing_marker,
)
from index.load import RawDocument
from index.manifest import SourceInfo


@dataclass(frozen=True)
class DocumentDate:
    value: DateValue | None
    how: str

    @property
    def iso(self) -> str:
        return self.value.iso() if self.value else UNKNOWN


@dataclass(frozen=True)
class IndexedPassage:
    id: str
    text: str
    metadata: dict


def date_document(doc: RawDocument, info: SourceInfo | None) -> DocumentDate:
    """Manifest date first, else what the loader found (page metadata, front matter, PDF dates,
    a labelled line), else what the text says, else unknown (never a guess)."""
    if info and info.published:
        return DocumentDate(info.published, f"manifest: {info.date_note or 'published date'}")
    meta = getattr(doc, "meta", None) or {}
    stated = parse_iso_date(str(meta.get("date") or ""))
    if stated is not None:
        return DocumentDate(stated, str(meta.get("date_basis") or "document metadata"))
    value, how = document_date(doc.text)
    return DocumentDate(value, how)


def document_passages(doc: RawDocument, info: SourceInfo | None) -> list[IndexedPassage]:
    doc_date = date_document(doc, info)
    meta_found = getattr(doc, "meta", None) or {}
    found = passages(doc.id, doc.text, blocks(doc.text, getattr(doc, "layout", None)))
    page_starts = [(int(start), int(n)) for start, n in meta_found.get("pages") or []]
    attributions = _paragraph_attributions(doc.text, found)
    seen: dict[str, int] = {}
    out: list[IndexedPassage] = []
    for p in found:
        text = p.text(doc.text)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        n = seen[digest] = seen.get(digest, -1) + 1
        source, source_date = attributions.get(p.paragraph, ("", None))
        date = source_date or doc_date.value
        units = [(s - p.start, e - p.start) for s, e in p.units if not is_attribution(doc.text[s:e])]
        if not units:
            continue  # an attribution alone: it dates its paragraph but says nothing to quote
        meta = {
            "source_id": doc.id,
            "title": info.title if info else _loader_title(doc) or _fallback_title(doc),
            "publisher": info.publisher if info else _loader_publisher(doc),
            "kind": info.kind if info else str(meta_found.get("kind") or "document"),
            "url": (info.url or "") if info else str(meta_found.get("url") or ""),
            "section": p.section,
            "start": p.start,
            "end": p.end,
            "units": json.dumps(units),
            "date": date.iso() if date else UNKNOWN,
            "date_basis": "attribution" if source_date else doc_date.how,
            "doc_date": doc_date.iso,
            "attribution": source,
            "doc_sha256": doc.sha256,
        }
        if page_starts:
            meta["page"] = _page_of(page_starts, p.start)
        meta["meta_hash"] = hashlib.sha1(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:16]
        out.append(IndexedPassage(f"{doc.id}:{digest}:{n}", text, meta))
    return out


def _paragraph_attributions(text: str, found: list[Passage]) -> dict[tuple[int, int], tuple[str, DateValue]]:
    """Date paragraphs by their own "[Source: ...]" or, on compiled pages, by the trailing marker
    ('*', '|~|') that ties them to an earlier attributed paragraph of the same section."""
    by_marker: dict[tuple[str, str], tuple[str, DateValue]] = {}
    out: dict[tuple[int, int], tuple[str, DateValue]] = {}
    for paragraph, section in dict.fromkeys((p.paragraph, p.section) for p in found):
        body = text[paragraph[0] : paragraph[1]]
        sources = list(ATTRIBUTION.finditer(body))
        if sources:
            raw = sources[-1].group(1)
            marker = trailing_marker(raw)
            label = " ".join(raw.rstrip("*|~^+/\\ ").replace("“", "").replace("”", "").split())
            when = attribution_date(raw)
            if when:
                out[paragraph] = (label, when)
                if marker:
                    by_marker[(section, marker)] = (label, when)
            continue
        marker = trailing_marker(body)
        if marker and (section, marker) in by_marker:
            out[paragraph] = by_marker[(section, marker)]
    return out


def _page_of(page_starts: list[tuple[int, int]], offset: int) -> int:
    at = bisect.bisect_right([start for start, _n in page_starts], offset) - 1
    return page_starts[max(at, 0)][1]


def _loader_title(doc: RawDocument) -> str:
    meta = getattr(doc, "meta", None) or {}
    return " ".join(str(meta.get("title") or "").split())[:200]


def _loader_publisher(doc: RawDocument) -> str:
    meta = getattr(doc, "meta", None) or {}
    for key in ("publisher", "site_name", "author"):
        if meta.get(key):
            return " ".join(str(meta[key]).split())[:200]
    return "unknown publisher"


def _fallback_title(doc: RawDocument) -> str:
    for line in doc.text.splitlines():
        if 8 <= len(line.strip()) <= 120:
            return line.strip()
    return doc.id
