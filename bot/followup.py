"""Resolve a follow-up ("And in Astana?", "What about from a landline?") with earlier user turns.

Rule-based, used when no LLM is configured: an elliptical question, or one that points back
("riding in it", "their papers", "then"), borrows the last full question. A place in the
follow-up replaces the earlier question's place ("...Officer in Astana?" + "And the one in
Almaty?" -> "...Officer in Almaty"); otherwise the follow-up's words are appended.
"""

from __future__ import annotations

import re

_LEADS = re.compile(
    r"^\s*(?:and|or|also|but|then|so|what about|how about|and what about|what if|and what if|same for"
    r"|and the one|the one)\b[\s,]*",
    re.I,
)
_BACK_REFERENCE = re.compile(r"\b(it|its|they|them|their|there|those|these|that one|this one|then)\b", re.I)
_DUMMY_IT = re.compile(
    r"^\s*(is|was|will|would)\s+it\s+(safe|ok|okay|possible|legal|true|dangerous|easy|hard)\b", re.I
)
_PLACE = re.compile(r"\b(in|at|from|near|for|to)\s+((?:[A-Z][a-z][\w\-]*)(?:\s+[A-Z][a-z][\w\-]*)*)")


def is_follow_up(question: str) -> bool:
    words = question.split()
    if _LEADS.match(question) or len(words) <= 3:
        return True
    refers_back = _BACK_REFERENCE.search(_DUMMY_IT.sub("", question))
    return bool(refers_back)


def resolve(question: str, history: list[str]) -> str:
    """The question to retrieve with: itself, or the last full user turn merged with it."""
    earlier = [h.strip() for h in history if h and h.strip()]
    if not earlier or not is_follow_up(question):
        return question
    base = next((h for h in reversed(earlier) if not is_follow_up(h)), earlier[-1])
    base = base.strip().rstrip("?.! ")
    new_place = _PLACE.search(question)
    old_places = list(_PLACE.finditer(base))
    rest = _LEADS.sub("", question).strip().rstrip("?.! ")
    if new_place and old_places:
        old = old_places[-1]
        base = base[: old.start(2)] + new_place.group(2) + base[old.end(2) :]
        rest = _PLACE.sub("", rest).strip()
        rest = re.sub(r"^(?:the one|in|at|for)\b\s*", "", rest, flags=re.I).strip()
    return f"{base} {rest}".strip()
