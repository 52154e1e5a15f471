"""Dates of documents and passages, as precise as the text supports and never invented.

A ``DateValue`` keeps its precision ("2011", "2016-04", "2025-12-10"); ages are whole years.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_YEAR = r"((?:19|20)\d\d)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"

# Most precise first: each returns (year, month, day) groups in a known order.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.I), "dmy"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I), "mdy"),
    (re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.I), "my"),
    (re.compile(rf"\b{_YEAR}\b"), "y"),
]
UNKNOWN = "unknown"


@dataclass(frozen=True)
class DateValue:
    year: int
    month: int | None = None
    day: int | None = None

    def sort_key(self) -> tuple[int, int, int]:
        return self.year, self.month or 0, self.day or 0

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def age_years(self, today: dt.date) -> int:
        """Whole years between this date (its first possible day) and ``today``."""
        month, day = self.month or 1, self.day or 1
        return today.year - self.year - ((today.month, today.day) < (month, day))

    def human(self) -> str:
        if self.month is None:
            return str(self.year)
        name = dt.date(2000, self.month, 1).strftime("%B")
        return f"{name} {self.year}" if self.day is None else f"{self.day} {name} {self.year}"


def parse_iso_date(raw: str) -> DateValue | None:
    """Parse the manifest form YYYY, YYYY-MM or YYYY-MM-DD; None if it is not a real date."""
    m = re.fullmatch(r"((?:1[89]|20)\d\d)(?:-(\d\d)(?:-(\d\d))?)?", raw.strip())
    if not m:
        return None
    year, month, day = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return DateValue(year, month or None, day or None)


def find_dates(text: str) -> list[tuple[int, DateValue]]:
    """Every date expression in ``text`` with its offset; overlapping weaker matches dropped."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, DateValue]] = []
    for pattern, order in _PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            value = _value(m.groups(), order)
            if value:
                taken.append((m.start(), m.end()))
                found.append((m.start(), value))
    return sorted(found, key=lambda item: item[0])


def _value(groups, order: str) -> DateValue | None:
    try:
        if order == "dmy":
            value = DateValue(int(groups[2]), MONTHS[groups[1].lower()], int(groups[0]))
        elif order == "mdy":
            value = DateValue(int(groups[2]), MONTHS[groups[0].lower()], int(groups[1]))
        elif order == "my":
            value = DateValue(int(groups[1]), MONTHS[groups[0].lower()])
        else:
            value = DateValue(int(groups[0]))
        dt.date(value.year, value.month or 1, value.day or 1)
    except (ValueError, KeyError):
        return None
    return value


_DOC_DATE_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^\s*(?:Last\s+updated|Updated|Published|Posted)(?:\s+on)?:?\s+(.{4,40})$", re.I | re.M),
        "text: '{line}'",
    ),
    (re.compile(r"^\s*(\d{1,2}\s+[A-Z][a-z]+\s+\d{4})\s*$", re.M), "dateline '{line}'"),
    (
        re.compile(r"^.*\b((?:19|20)\d\d)\b[^\n]{0,60}\b(?:Report|Review|Assessment)\b.*$", re.M),
        "year in the title line '{line}'",
    ),
]


def document_date(text: str) -> tuple[DateValue | None, str]:
    """The date a document states about itself, and how it was found; (None, ...) if none."""
    for pattern, how in _DOC_DATE_RULES:
        for m in pattern.finditer(text):
            dates = find_dates(m.group(1))
            if dates:
                line = m.group(0).strip()[:80]
                return dates[0][1], how.format(line=line)
    return None, "no date in the manifest or the text"


ATTRIBUTION = re.compile(r"\[Source:\s*([^\]]{3,400})\]")
_MARKER = re.compile(r"\s([*|~^+/\\-]{1,4})\s*$")


def attribution_date(source_text: str) -> DateValue | None:
    """The most precise, latest date named in an attribution such as
    "Library of Congress, March 1996" or "Country Reports on Human Rights Practices for 2014"."""
    dates = [d for _, d in find_dates(source_text)]
    if not dates:
        return None
    return max(dates, key=DateValue.sort_key)


def trailing_marker(text: str) -> str:
    """The footnote-like marker a compiled page uses to tie a paragraph to its source ('*', '|~|')."""
    m = _MARKER.search(text.rstrip())
    return m.group(1).replace("\\", "") if m else ""
