"""Find the safety content in a page: drop tickers, comments and boilerplate, mark headings.

Cleaning never rewrites text. It returns ``Block`` spans of the original, so every passage and
quote is an exact substring of the file with offsets that map back to it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.dates import _LABELLED_LINE, _only_date, find_dates
from index.text import BULLET as _BULLET


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str  # "heading" | "para" | "list"

    def text(self, source: str) -> str:
        return source[self.start : self.end]


_TICKER = re.compile(r"^\s*[•●*\-]?\s*[A-Z]{3}/[A-Z]{3}\s*=")
_COMMENTS = re.compile(
    r"^\s*(?:\d+\s+(?:Comments?|Responses?|Replies)\s+(?:on|to)\b"
    r"|(?:Leave a (?:Reply|Comment)|Comments)\s*$)",
    re.I,
)
# Page furniture, by what it is rather than by which site it came from.
_SOCIAL = (
    r"(?:Facebook|Twitter|X|LinkedIn|WhatsApp|Telegram|Pinterest|Reddit|Email|E-mail|Print|Copy link|Share)"
)
NOISE_RULES: dict[str, re.Pattern[str]] = {
    # "Back to top", "Skip to main content", "Main menu", "Read more", "Related articles"
    "navigation": re.compile(
        r"^\s*(?:Back to (?:blog|top|home|the top)\b|Skip to (?:main )?(?:content|navigation)\b"
        r"|Jump to (?:content|navigation)\b|(?:Main |Site )?(?:menu|navigation)\s*$|Toggle navigation"
        r"|Related (?:posts|articles|pages|links|content)\b|Read more\s*$|You are here:|Breadcrumbs?\s*$"
        r"|(?:Previous|Next) (?:post|article|page)\b|Sign in\s*$|Log in\s*$|Search\s*$)",
        re.I,
    ),
    "cookie banner": re.compile(
        r"^\s*(?:(?:Accept|Reject|Allow|Decline|Manage|Refuse)(?: all)? cookies\b"
        r"|Cookie (?:settings|policy|preferences)"
        r"|.{0,200}\b(?:uses?|using|store|set) cookies\b.{0,200}$|.{0,200}\bcookies?\b.{0,120}"
        r"\b(?:accept|consent|agree|preferences|policy)\b.{0,200}$)",
        re.I,
    ),
    "share buttons": re.compile(
        rf"^\s*(?:Share (?:this|on|via)\b.{{0,40}}$|Share\s*:?\s*$|Tweet\s*$"
        rf"|(?:{_SOCIAL}[\s,|/·•]*){{1,8}}$)",
        re.I,
    ),
    # "Home | News | Contact", "Home > Travel > Veloria": a row of short links
    "menu row": re.compile(r"^\s*(?:[^|»›>•·.!?]{1,32}\s[|»›>•·]\s){2,}[^|»›>•·.!?]{1,32}$"),
    "copyright notice": re.compile(
        r"^\s*(?:(?:Copyright\s*(?:©|\(c\)|(?:19|20)\d\d|by\b|notice\b)|©|\(c\)\s*(?:19|20)\d\d).{0,160}$"
        r"|.{0,160}\bAll rights reserved\b.{0,80}$"
        r"|.{0,200}\bcopyright(?:ed)?\b.{0,200}\b(?:fair use|permission|authori[sz]ed|copyright owner)\b)",
        re.I,
    ),
    # "Sources: national police, city hall", "Photo credits: ..." — where text or images came from
    "source or credit list": re.compile(
        r"^\s*(?:(?:Text|Image|Photo|Picture|Map|Video)s?\s+)?(?:Sources?|Credits?)\s*:"
        r"(?:\s*$|\s+[^\n]{0,1500}$)",
        re.I,
    ),
    # "The old harbour at dusk; photo: A. Reporter." — a caption ending with a photo credit
    "photo caption": re.compile(
        r"^.{0,200}[;,|(–—-]\s*(?:image|photo(?:graph)?|picture|illustration|credit|photo credit)s?\s*:\s*"
        r"[A-Z][\w.'’ -]{1,60}\)?\.?\s*$"
        r"|^\s*(?:Photo|Image|Picture)(?: credit)?\s*:\s*[A-Z][\w.'’ -]{1,60}\.?\s*$",
        re.I,
    ),
    "subscription box": re.compile(
        r"^\s*(?:Subscribe\b.{0,80}$|Sign up (?:for|to) (?:our|the) newsletter\b|Newsletter\s*$)", re.I
    ),
}
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_END_PUNCT = re.compile(r"[.!?:;,\"”’]\s*$")
# a fact a traveller needs: any number (phone, address, price), an e-mail, or a street address
_FACT = re.compile(
    r"\d|@|\b(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Boulevard|Blvd|Lane|Square|Highway|Prospekt|ulitsa)\b",
    re.I,
)


def blocks(text: str, layout: tuple[tuple[int, int, str], ...] | list | None = None) -> list[Block]:
    """Content blocks of ``text`` in order, noise removed, headings marked.

    ``layout`` is a loader's block structure (start, end, kind); without one (plain text) blocks
    are read from the lines and classified by their shape."""
    if layout:
        raw = [(s, e) for s, e, _k in layout if text[s:e].strip()]
        kinds = {(s, e): k for s, e, k in layout}
    else:
        raw = [b for b in _raw_blocks(text) if text[b[0] : b[1]].strip()]
        kinds = {}
    counts = Counter(_norm(text[s:e]) for s, e in raw)
    kept: list[tuple[int, int]] = []
    for s, e in raw:
        line = text[s:e]
        if _COMMENTS.match(line):
            break  # reader comments run to the end of a blog page
        if noise_reason(line, counts[_norm(line)]):
            continue
        kept.append((s, e))
    if layout:
        return [Block(s, e, kinds[(s, e)]) for s, e in kept]
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
    if start is not None:
        yield start, prev_end


def _norm(line: str) -> str:
    return " ".join(line.split()).lower()


def noise_reason(line: str, repeats: int = 1) -> str:
    """Why ``line`` is page furniture rather than content ("" when it is content)."""
    stripped = line.strip()
    if _TICKER.match(stripped):
        return "ticker"
    for name, rule in NOISE_RULES.items():
        if len(stripped) <= 2000 and rule.match(stripped):
            if name == "menu row" and _FACT.search(stripped):
                continue  # "Police | 102 | Ambulance | 103" is a table, not a menu
            return name
    if _only_a_date(stripped):  # the date is read from the original text by index.dates
        return "date line"
    # a short line repeated three times or more is a ticker, menu or share bar — unless it carries a
    # number, an address or a contact: "Police: 102" under three cities is three facts
    if repeats >= 3 and len(stripped) < 120 and not _FACT.search(stripped):
        return "repeated line"
    return ""


def _only_a_date(line: str) -> bool:
    if len(line) > 90 or not any(ch.isdigit() for ch in line):
        return False
    if _only_date(line):
        return True
    labelled = _LABELLED_LINE.fullmatch(line)
    return bool(labelled and find_dates(labelled.group(2)) and _only_date(labelled.group(2)))


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
