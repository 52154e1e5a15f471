"""Split cleaned blocks into passages of whole sentences, each with offsets into the source.

A passage never crosses a paragraph or a section; an address or phone list joins the sentence
that introduces it ("...at the following locations:"), so a quote keeps the number with its
context. Each passage records its quotable units (sentences or list runs) as offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.clean import Block
from index.dates import ATTRIBUTION
from index.text import BULLET, sentence_spans

MAX_PASSAGE_CHARS = 500

_LABELLED = re.compile(r"^[^:\n]{3,60}:\s*\S")


@dataclass
class Passage:
    source_id: str
    start: int
    end: int
    section: str
    units: list[tuple[int, int]]  # absolute offsets of quotable units
    paragraph: tuple[int, int]  # the paragraph the passage belongs to
    meta: dict = field(default_factory=dict)

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def is_attribution(text: str) -> bool:
    return bool(ATTRIBUTION.fullmatch(text.strip().rstrip("*|~^+/\\ ")))


def passages(source_id: str, text: str, blocks: list[Block]) -> list[Passage]:
    """Group ``blocks`` into passages of whole sentences."""
    out: list[Passage] = []
    section = ""
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "heading":
            section = " ".join(block.text(text).lstrip("# ").split())
            i += 1
            continue
        units, paragraph, i = _units(text, blocks, i)
        out.extend(_pack(source_id, section, units, paragraph))
    return out


def _units(text: str, blocks: list[Block], i: int) -> tuple[list[tuple[int, int]], tuple[int, int], int]:
    """Units of the paragraph at ``blocks[i]`` plus the list lines that follow it."""
    block = blocks[i]
    units = sentence_spans(text, block.start, block.end) if block.kind == "para" else []
    if block.kind == "para":
        i += 1
    while i < len(blocks) and blocks[i].kind in ("list", "item"):
        run_start = blocks[i].start
        if blocks[i].kind == "item":  # a list item from a page's or note's own markup
            units.extend(sentence_spans(text, blocks[i].start, blocks[i].end))
            i += 1
            continue
        if BULLET.match(blocks[i].text(text)):
            units.append((blocks[i].start, blocks[i].end))
            i += 1
            continue
        run: list[Block] = []
        while i < len(blocks) and blocks[i].kind == "list" and not BULLET.match(blocks[i].text(text)):
            run.append(blocks[i])
            i += 1
        run_end = run[-1].end
        if all(_LABELLED.match(b.text(text)) for b in run):
            units.extend((b.start, b.end) for b in run)  # "After hours: 8-7172-70-2200" stands alone
        elif units and text[units[-1][0] : units[-1][1]].rstrip().endswith(":"):
            units[-1] = (units[-1][0], run_end)  # "...at the following locations:" + the addresses
        else:
            units.append((run_start, run_end))
    paragraph = (block.start, max(block.end, units[-1][1] if units else block.end))
    return units, paragraph, i


def _pack(source_id: str, section: str, units, paragraph) -> list[Passage]:
    out: list[Passage] = []
    current: list[tuple[int, int]] = []
    for unit in units:
        if current and unit[1] - current[0][0] > MAX_PASSAGE_CHARS:
            out.append(Passage(source_id, current[0][0], current[-1][1], section, current, paragraph))
            current = []
        current.append(unit)
    if current:
        out.append(Passage(source_id, current[0][0], current[-1][1], section, current, paragraph))
    return out
