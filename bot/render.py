"""The words a user reads: quotes with [n] markers, the citation list, warnings, abstentions.

Shared by the CLI and the chat so both say exactly the same thing. Abstentions carry no digits,
so no number can leak from the corpus into a "no answer".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.dates import DateValue, parse_iso_date

if TYPE_CHECKING:
    from bot.answer import Citation

NO_ANSWER = (
    "My sources don't answer this. I only reply with sentences quoted from the documents I have "
    "indexed, and none of them covers your question. For current advice, ask your embassy or "
    "check your government's official travel advisory."
)


def quote_line(c: Citation) -> str:
    return f"[{c.n}] “{' '.join(c.quote.split())}”"


def age_phrase(age: int | None) -> str:
    if age is None:
        return "date unknown"
    if age < 1:
        return "less than a year old"
    return "1 year old" if age == 1 else f"{age} years old"


def date_phrase(c: Citation) -> str:
    if c.age_years is None:
        return "undated"
    value = parse_iso_date(c.date)
    return f"{value.human() if value else c.date} ({age_phrase(c.age_years)})"


def source_line(c: Citation) -> str:
    parts = [c.title, c.publisher]
    if c.section:
        parts.append(f"section “{c.section}”")
    if c.page:
        parts.append(f"page {c.page}")
    parts.append(date_phrase(c))
    if c.attribution:
        parts.append(f"quoting {c.attribution}")
    parts.append(c.source_id)
    return f"[{c.n}] " + " · ".join(p for p in parts if p)


def stale_warning(newest: DateValue, age: int) -> str:
    return (
        f"⚠ Old sources: the newest source behind this answer is from {newest.human()} "
        f"({age_phrase(age)}). Phone numbers, addresses and laws change — check current official "
        "advice (your embassy, your government's travel advisory) before relying on it."
    )


def undated_warning() -> str:
    return (
        "⚠ Undated sources: I cannot tell how old the sources behind this answer are. Check current "
        "official advice (your embassy, your government's travel advisory) before relying on it."
    )


def answer_text(cites: list[Citation], warning: str) -> str:
    lines = ["From my sources:", ""]
    lines += [quote_line(c) for c in cites]
    if warning:
        lines += ["", warning]
    lines += ["", "Sources:"]
    lines += [source_line(c) for c in cites]
    return "\n".join(lines)


def abstention_text(names: list[str]) -> str:
    if names:
        listed = ", ".join(names)
        return f"My sources say nothing about {listed}. " + NO_ANSWER.split(". ", 1)[1]
    return NO_ANSWER


CLOSEST_HEAD = "Closest passages I found (these may not answer you):"


def closest_text(closest: list[Citation]) -> str:
    """Near misses shown under an abstention, quoted and dated; empty when there are none."""
    if not closest:
        return ""
    lines = [CLOSEST_HEAD]
    for c in closest:
        lines.append(f"- “{' '.join(c.quote.split())}” ({c.title}, {date_phrase(c)})")
    return "\n".join(lines)
