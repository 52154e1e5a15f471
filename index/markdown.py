"""Markdown notes: markdown-it-py for structure, front matter as metadata, inline markup as text.

``**102**`` becomes "102", ``[embassy](https://...)`` becomes "embassy", a table row becomes
"Police: 102"; headings become sections. Front matter (``---`` YAML ``---``) is never indexed: its
title, dates, publisher/author and source url become the document's metadata.
"""

from __future__ import annotations

import datetime as dt

import yaml

from index.dates import DateValue, find_dates, parse_iso_date
from index.errors import NoTextError
from index.extracted import Extracted, TextBuilder, row_text

_TITLE_KEYS = ("title", "name")
_PUBLISHED_KEYS = ("date", "published", "publish_date", "published_at", "created")
_UPDATED_KEYS = (
    "updated",
    "last_updated",
    "modified",
    "lastmod",
    "last_modified",
    "reviewed",
    "last_reviewed",
)
_PUBLISHER_KEYS = ("publisher", "source", "site", "site_name", "organisation", "organization")
_URL_KEYS = ("url", "source_url", "link", "canonical")


def load_markdown(raw: str, doc_id: str) -> Extracted:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    # raw HTML is recognised so that its tags can be dropped (an html_block is skipped whole)
    md = MarkdownIt("commonmark", {"html": True}).enable("table").use(front_matter_plugin)
    tokens = md.parse(raw)
    meta: dict = {"kind": "markdown note"}
    out = TextBuilder()
    i = 0
    list_depth = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "front_matter":
            meta.update(_front_matter(tok.content))
        elif tok.type == "heading_open":
            out.add(_inline(tokens[i + 1]), "heading")
            i += 2
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type == "paragraph_open":
            if list_depth:
                out.add(_inline(tokens[i + 1]), "item")
            else:
                _paragraph(_inline(tokens[i + 1], lines=True), out)
            i += 2
        elif tok.type == "tr_open":
            cells: list[str] = []
            head = False
            j = i + 1
            while tokens[j].type != "tr_close":
                if tokens[j].type == "inline":
                    cells.append(_inline(tokens[j]))
                head = head or tokens[j].type == "th_open"
                j += 1
            out.add(row_text([c for c in cells if c], head=head), "list")
            i = j
        elif tok.type in ("fence", "code_block"):
            for line in tok.content.splitlines():
                out.add(line, "list")
        i += 1
    extracted = out.build(meta)
    if not extracted.text.strip():
        raise NoTextError(doc_id, "no readable text (only front matter or markup)")
    return extracted


def _paragraph(text: str, out: TextBuilder) -> None:
    """A paragraph of short lines (an address, a phone list) keeps its lines; else one paragraph."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 1 and all(len(line) < 70 for line in lines):
        for line in lines:
            out.add(line, "list")
        return
    out.add(" ".join(lines), "para")


def _inline(token, lines: bool = False) -> str:
    """Plain text of an inline token: markup dropped; line breaks kept only when ``lines``."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content if child.type != "html_inline" else "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n" if lines else " ")
        elif child.type == "image":
            parts.append(child.content or "")
    text = "".join(parts)
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def _front_matter(content: str) -> dict:
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    data = {str(k).lower(): v for k, v in data.items()}
    meta: dict = {}
    title = _first(data, _TITLE_KEYS)
    if title:
        meta["title"] = str(title)
    publisher = _first(data, _PUBLISHER_KEYS)
    if publisher:
        meta["publisher"] = meta["site_name"] = str(publisher)
    author = _first(data, ("author", "authors"))
    if author:
        meta["author"] = ", ".join(map(str, author)) if isinstance(author, list) else str(author)
    url = _first(data, _URL_KEYS)
    if url:
        meta["url"] = str(url)
    dates = {}
    for role, keys in (("published", _PUBLISHED_KEYS), ("updated", _UPDATED_KEYS)):
        for key in keys:
            value = _date(data.get(key))
            if value:
                dates[role] = (value, key)
                break
    for role, (value, key) in dates.items():
        meta[role] = value.iso()
        meta[f"{role}_basis"] = f"front matter '{key}'"
    if dates:
        role = max(dates, key=lambda r: (dates[r][0].sort_key(), r == "updated"))
        meta["date"] = dates[role][0].iso()
        meta["date_basis"] = meta[f"{role}_basis"]
    return meta


def _first(data: dict, keys: tuple[str, ...]):
    for key in keys:
        if data.get(key) not in (None, "", []):
            return data[key]
    return None


def _date(raw) -> DateValue | None:
    if isinstance(raw, dt.datetime):
        return DateValue(raw.year, raw.month, raw.day)
    if isinstance(raw, dt.date):
        return DateValue(raw.year, raw.month, raw.day)
    if isinstance(raw, int) and 1800 <= raw <= 2100:
        return DateValue(raw)
    if isinstance(raw, str):
        value = parse_iso_date(raw.strip()[:10]) or parse_iso_date(raw.strip())
        if value:
            return value
        found = find_dates(raw)
        return found[0][1] if found else None
    return None
