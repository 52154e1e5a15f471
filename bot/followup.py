"""Resolve a follow-up ("And in Astana?", "What about from a landline?") with earlier user turns.

Rule-based: a short or elliptical question borrows the words of the last full question; a new
place name in the follow-up replaces the place names of the earlier turn.
"""

from __future__ import annotations

import re

_LEADS = re.compile(
    r"^\s*(and|or|also|what about|how about|and what about|same for|what if|but|then|so)\b", re.I
)
_PRONOUN = re.compile(r"\b(it|that|there|they|them|those|this one|that one)\b", re.I)
_PROPER = re.compile(r"\b[A-Z][a-z][a-zA-Z\-]+\b")
_QUESTION_WORDS = {
    "And",
    "What",
    "How",
    "Where",
    "When",
    "Who",
    "Which",
    "Why",
    "Also",
    "But",
    "Then",
    "Same",
    "Is",
    "Are",
    "Can",
    "Do",
    "Does",
    "Should",
    "The",
    "Any",
    "Or",
    "So",
    "If",
}


def is_follow_up(question: str) -> bool:
    words = question.split()
    return (
        bool(_LEADS.match(question))
        or len(words) <= 3
        or (len(words) <= 7 and bool(_PRONOUN.search(question)))
    )


def places(text: str) -> list[str]:
    return [w for w in _PROPER.findall(text) if w not in _QUESTION_WORDS]


def resolve(question: str, history: list[str]) -> str:
    """The question to retrieve with: itself, or the last full user turn merged with it."""
    earlier = [h.strip() for h in history if h and h.strip()]
    if not earlier or not is_follow_up(question):
        return question
    base = next((h for h in reversed(earlier) if not is_follow_up(h)), earlier[-1])
    new_places = places(question)
    if new_places:
        for old in places(base):
            if old not in new_places:
                base = re.sub(rf"\b{re.escape(old)}\b", "", base)
    follow = _LEADS.sub("", question).strip(" ?")
    base = re.sub(r"\s+([?.!,])", r"\1", " ".join(base.split())).rstrip(" ?")
    return f"{base} {follow}".strip()
