"""Check a model's wording against the passages it cites, sentence by sentence, before anyone sees it.

A sentence survives only if it cites [n] with a valid n and every number, address-like token and
proper noun in it appears in the passages it cites; instructions aimed at a model and sentences
whose words mostly come from elsewhere are dropped too. Pure functions: no LangChain, no I/O.

Example:
    .. code-block:: python

        from bot.verify import verify
        verdict = verify("Dial 112 from a mobile [1]. The ambulance is 103 [1].", [passage])
        verdict.kept  # ["Dial 112 from a mobile [1]."]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.text import BULLET, STOPWORDS, sentence_spans, words

#: least share of a sentence's content words that must occur in its cited passages
MIN_WORD_SUPPORT = 1 / 3

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")
_NUMBER = re.compile(r"\+?\(?\d+(?:\)?(?:[ \u00a0]?[-–/][ \u00a0]?|[ \u00a0]|[.,](?=\d))\(?\d+)*\)?")
_SEGMENT_SPLIT = re.compile(r"[\s\-–/()+]+")
_LETTERS = re.compile(r"[^\W\d_]+")
_ACRONYM_DOTS = re.compile(r"\b[^\W\d_](?:\.[^\W\d_])+\b\.?")  # "U.S." and "U.S" (before a moved [n])
_ALNUM = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[\w-]+\b")
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|above|previous)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bas an ai\b|\bnew instructions?\b",
    re.I,
)


@dataclass(frozen=True)
class Checked:
    """One model sentence and why it was dropped ("" when it was kept)."""

    sentence: str
    reason: str = ""


@dataclass(frozen=True)
class Verdict:
    """Every sentence the model wrote, checked; ``usable`` says whether to show the kept ones."""

    checked: tuple[Checked, ...]

    @property
    def kept(self) -> list[str]:
        return [c.sentence for c in self.checked if not c.reason]

    @property
    def dropped(self) -> list[Checked]:
        return [c for c in self.checked if c.reason]

    @property
    def model_sentences(self) -> int:
        return len(self.checked)

    @property
    def dropped_sentences(self) -> int:
        return len(self.dropped)

    @property
    def usable(self) -> bool:
        """At least one sentence, and at least half of them, survived: otherwise quote instead."""
        kept = len(self.kept)
        return kept > 0 and 2 * kept >= self.model_sentences


def verify(text: str, passages: Sequence[str]) -> Verdict:
    """Each sentence of ``text`` checked against ``passages`` (``passages[n - 1]`` is source [n])."""
    return Verdict(tuple(Checked(s, check_sentence(s, passages)) for s in split_sentences(text)))


def split_sentences(text: str) -> list[str]:
    """Sentences of model output; a marker after the full stop ("... 112. [1]") stays with its sentence.

    Lines are boundaries too (models write lists); list bullets are removed; within a line the
    index's rule cuts, read as wording (``sentence_spans(..., wording=True)``); fragments with no
    letter or digit outside citation markers are not sentences.
    """
    out: list[str] = []
    for line in text.replace("\r", "\n").split("\n"):
        line = _MARKERS_AFTER_STOP.sub(lambda m: f" {m[2].strip()}{m[1]}", BULLET.sub("", line)).strip()
        out += [line[s:e] for s, e in sentence_spans(line, wording=True)]
    return [s for s in out if re.search(r"[^\W_]", MARKER.sub("", s))]


def cited(sentence: str) -> list[int]:
    """Every n of the [n] / [n, m] markers in ``sentence``, in order."""
    return [int(n) for group in MARKER.findall(sentence) for n in group.split(",")]


def check_sentence(sentence: str, passages: Sequence[str]) -> str:
    """Why ``sentence`` must be dropped, or "" when every checked token is in its cited passages."""
    numbers = cited(sentence)
    if not numbers:
        return "no citation"
    bad = [n for n in numbers if not 1 <= n <= len(passages)]
    if bad:
        return f"citation [{bad[0]}] out of range 1..{len(passages)}"
    if _INSTRUCTION.search(sentence):
        return "instruction to a model"
    claim = MARKER.sub(" ", sentence)
    source = " ".join(passages[n - 1] for n in dict.fromkeys(numbers))
    return (
        _missing_address(claim, source)
        or _missing_number(claim, source)
        or _missing_name(claim, source)
        or _weak_support(claim, source)
    )


def _missing_number(claim: str, source: str) -> str:
    tokens = [_segments(t) for t in _NUMBER.findall(source)]
    tokens += [_segments(p) for t in _NUMBER.findall(source) for p in t.split()]
    for raw in _NUMBER.findall(claim):
        if not _number_supported(raw, tokens):
            return f"number {raw.strip('()')!r} not in cited passage"
    return ""


def _segments(token: str) -> list[str]:
    """Digit groups of a number split where phone numbers split ("8-727-250-4900"), not at "." or ","."""
    return [d for d in (re.sub(r"\D", "", s) for s in _SEGMENT_SPLIT.split(token)) if d]


def _number_supported(raw: str, tokens: list[list[str]]) -> bool:
    """The digits equal a passage number, or its leading or trailing groups ("250-4900")."""
    digits = re.sub(r"\D", "", raw)
    for segs in tokens:
        for k in range(1, len(segs) + 1):
            if digits in ("".join(segs[:k]), "".join(segs[-k:])):
                return True
    parts = raw.split()
    return len(parts) > 1 and all(_number_supported(p, tokens) for p in parts)


def _missing_address(claim: str, source: str) -> str:
    """Letters-and-digits tokens ("4B", "Samal-2"); street names are checked as names, house numbers
    as numbers."""
    alnum = {t.lower() for t in _ALNUM.findall(source)}
    for token in _ALNUM.findall(claim):
        if token.lower() not in alnum:
            return f"address {token!r} not in cited passage"
    return ""


def _missing_name(claim: str, source: str) -> str:
    """Capitalised words after the first, and acronyms anywhere ("SOS", "U.S.")."""
    words = _words(source)
    for i, word in enumerate(_LETTERS.findall(_undot(claim))):
        acronym = len(word) > 1 and word.isupper()
        if word[0].isupper() and (i > 0 or acronym) and word != "I" and word.lower() not in words:
            return f"name {word!r} not in cited passage"
    return ""


def _words(text: str) -> set[str]:
    """Lower-cased letter runs, with "U.S." read as "us"."""
    return {w.lower() for w in _LETTERS.findall(_undot(text))}


def _undot(text: str) -> str:
    return _ACRONYM_DOTS.sub(lambda m: m.group().replace(".", ""), text)


def _weak_support(claim: str, source: str) -> str:
    """Content words (four letters or more, not stopwords, not numbers) whose first five letters are
    not in the source; every script counts, so a word in any alphabet must be found."""
    claimed = words(claim, every_script=True)
    content = [w for w in claimed if len(w) >= 4 and w not in STOPWORDS and not w.isdigit()]
    if not content:
        return ""
    prefixes = {w[:k] for w in words(_undot(source), every_script=True) for k in (4, 5)}
    found = sum(w[:5] in prefixes for w in content)
    if found < MIN_WORD_SUPPORT * len(content):
        return f"only {found} of {len(content)} words found in cited passage"
    return ""
