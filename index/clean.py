"""Find the safety content in a page: drop tickers, comments and boilerplate, mark headings.

Cleaning never rewrites text. It returns ``Block`` spans of the original, so every passage and
quote is an exact substring of the file with offsets that map back to it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str  # "heading" | "para" | "list"

    def text(self, source: str) -> str:
        return source[self.start : self.end]


_BULLET = re.compile(r"^\s*(?:[•●▪◦*\-–]|\d{1,2}[.)])\s+")
_TICKER = re.compile(r"^\s*[•●*\-]?\s*[A-Z]{3}/[A-Z]{3}\s*=")
_COMMENTS = re.compile(
    r"^\s*(?:\d+\s+(?:Comments?|Responses?|Replies)\s+(?:on|to)\b"
    r"|(?:Leave a (?:Reply|Comment)|Comments)\s*$)",
    re.I,
)
_BOILERPLATE = re.compile(
    r"^\s*(?:Back to (?:blog|top|home)\b|Share (?:this|on)\b|Tweet\s*$|Print\s*$|Email\s*$"
    r"|Image Sources?:|Text Sources?:|Last updated\b|Related (?:posts|articles)\b|Read more\s*$"
    r"|This site contains copyrighted material|Copyright\b|©|All rights reserved|Subscribe\b)",
    re.I,
)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_CAPTION = re.compile(r";\s*(?:image|photo|credit):\s*[A-Z][^.]*\.?\s*$", re.I)
_END_PUNCT = re.compile(r"[.!?:;,\"”’]\s*$")
_DATELINE = re.compile(r"^\s*(?:\d{1,2}\s+[A-Z][a-z]+|[A-Z][a-z]+\s+\d{1,2},?)\s+\d{4}\s*$")


def blocks(text: str) -> list[Block]:
    """Content blocks of ``text`` in order, noise removed, headings marked."""
    raw = [b for b in _raw_blocks(text) if text[b[0] : b[1]].strip()]
    counts = Counter(_norm(text[s:e]) for s, e in raw)
    kept: list[tuple[int, int]] = []
    for s, e in raw:
        line = text[s:e]
        if _COMMENTS.match(line):
            break  # reader comments run to the end of a blog page
        if _is_noise(line, counts[_norm(line)]):
            continue
        kept.append((s, e))
    return _classify(text, kept)


def _raw_blocks(text: str):
    """Paragraphs separated by blank lines; list and short lines stay separate blocks."""
    start = None
    prev_end = 0
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        line = m.group(0)
        if m.start() == len(text) and not line:
            break
        body = line.rstrip("\r\n")
        line_end = m.start() + len(body)
        if not body.strip():
            if start is not None:
                yield start, prev_end
                start = None
            continue
        separate = _BULLET.match(body) or len(body.strip()) < 60
        if start is not None and separate:
            yield start, prev_end
            start = None
        if start is None:
            start = m.start() + (len(body) - len(body.lstrip()))
        prev_end = m.start() + len(body.rstrip())
        if separate:
            yield start, prev_end
            start = None
        _ = line_end
    if start is not None:
        yield start, prev_end


def _norm(line: str) -> str:
    return " ".join(line.split()).lower()


def _is_noise(line: str, repeats: int) -> bool:
    stripped = line.strip()
    if _TICKER.match(stripped) or _BOILERPLATE.match(stripped) or _CAPTION.search(stripped):
        return True
    if _DATELINE.match(stripped):  # the date is read from the original text by index.dates
        return True
    # a short line repeated three times or more is a ticker, menu or share bar
    return repeats >= 3 and len(stripped) < 120


def _short(line: str) -> bool:
    s = line.strip()
    return len(s) <= 120 and len(s.split()) <= 18 and not _END_PUNCT.search(s) and not _BULLET.match(s)


def _contact_like(line: str) -> bool:
    """Phone numbers and street addresses are content, never headings."""
    return sum(ch.isdigit() for ch in line) >= 4


def _classify(text: str, spans: list[tuple[int, int]]) -> list[Block]:
    """A short unpunctuated line is a heading when a paragraph (or another heading) follows it;
    otherwise it is a list line such as an address or a phone number."""
    kinds = ["para"] * len(spans)
    next_is_heading_or_para = False
    for i in range(len(spans) - 1, -1, -1):
        s, e = spans[i]
        line = text[s:e]
        if _MD_HEADING.match(line):
            kinds[i] = "heading"
            next_is_heading_or_para = True
        elif _short(line):
            starts_like_title = line.strip()[:1].isalpha() and line.strip()[:1].isupper()
            titled = next_is_heading_or_para and starts_like_title and not _contact_like(line)
            kinds[i] = "heading" if titled else "list"
            next_is_heading_or_para = kinds[i] == "heading"
        else:
            kinds[i] = "list" if _BULLET.match(line) else "para"
            next_is_heading_or_para = kinds[i] == "para"
    for i in range(1, len(kinds)):
        prev = text[slice(*spans[i - 1])]
        line = text[slice(*spans[i])]
        continues_list = kinds[i - 1] == "list" and not _BULLET.match(prev) and any(c.isdigit() for c in line)
        if kinds[i] == "heading" and continues_list:
            kinds[i] = "list"  # the next line of an address
    return [Block(s, e, k) for (s, e), k in zip(spans, kinds, strict=True)]
