"""Make any typed question safe to process, or say briefly why it cannot be."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import QuestionError

MAX_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_question(raw: object) -> str:
    """Printable, UTF-8-safe text of at most ``MAX_CHARS``; ``QuestionError`` if nothing is left."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raw = str(raw)
    text = raw.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become '?'
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))
    text = " ".join(text.split())
    if not text:
        msg = "Please type a question, for example: What number do I dial for the police?"
        raise QuestionError(msg)
    if len(text) > MAX_CHARS:
        msg = f"That question is {len(text):,} characters long; please ask in under {MAX_CHARS:,}."
        raise QuestionError(msg)
    if not any(ch.isalnum() for ch in text):
        msg = "Please ask in words, for example: Is it safe to take a taxi from the airport?"
        raise QuestionError(msg)
    return text
