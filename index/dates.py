"""Dates of documents and passages, as precise as the text supports and never invented.

A ``DateValue`` keeps its precision ("2011", "2016-04", "2025-12-10"); ages are whole years.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_NAMES = [
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
]
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
# full names first, then abbreviations ("Dec", "Dec.", "Sept."); looked up by their first three letters
_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_YEAR = r"((?:19|20)\d\d)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"

# Most precise first: each returns (year, month, day) groups in a known order.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<![\d-])((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[T ]\d\d:\d\d(?::\d\d)?\S*)?(?![\d-])"), "iso"),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I), "dmy"),
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


def _month(name: str) -> int:
    return MONTHS[next(m for m in _MONTH_NAMES if m.startswith(name.lower()[:3]))]


def _value(groups, order: str) -> DateValue | None:
    try:
        if order == "iso":
            value = DateValue(int(groups[0]), int(groups[1]), int(groups[2]))
        elif order == "dmy":
            value = DateValue(int(groups[2]), _month(groups[1]), int(groups[0]))
        elif order == "mdy":
            value = DateValue(int(groups[2]), _month(groups[0]), int(groups[1]))
        elif order == "my":
            value = DateValue(int(groups[1]), _month(groups[0]))
        else:
            value = DateValue(int(groups[0]))
        dt.date(value.year, value.month or 1, value.day or 1)
    except (ValueError, KeyError):
        return None
    return value


# Labels a page puts before its own date; the latest labelled date wins (an update beats the
# first publication). Lines stay short so a sentence that merely mentions a date is not taken.
DATE_LABELS = (
    r"Page\s+last\s+(?:reviewed|updated|modified)|Last\s+(?:updated|reviewed|modified|revised)"
    r"|(?:Date\s+)?(?:Updated|Published|Posted|Reviewed|Modified|Revised)|Still\s+current\s+at"
    r"|Date(?:\s+of\s+(?:publication|issue))?|Issued|Valid\s+(?:as\s+of|from)"
)
_LABELLED_LINE = re.compile(
    rf"^[ \t]*(?:This\s+(?:page|advice|article)\s+was\s+)?({DATE_LABELS})\b(?:\s+(?:on|at|in))?[ \t]*:?[ \t]*"
    r"([^\n]{4,60}?)[ \t.]*$",
    re.I | re.M,
)
_DATELINE_ANY = re.compile(r"^[ \t]*([^\n]{6,40}?)[ \t]*$", re.M)
_TITLE_YEAR = re.compile(r"^.*\b((?:19|20)\d\d)\b[^\n]{0,60}\b(?:Report|Review|Assessment)\b.*$", re.M)


def labelled_dates(text: str) -> list[tuple[DateValue, str, str]]:
    """Dates the text labels as its own ("Last updated: 4 March 2024"): (date, label, line)."""
    out = []
    for m in _LABELLED_LINE.finditer(text):
        dates = find_dates(m.group(2))
        if dates and dates[0][0] <= 3:  # the date follows the label directly
            out.append((dates[0][1], " ".join(m.group(1).split()), m.group(0).strip()[:80]))
    return out


def dateline(text: str) -> tuple[DateValue, str] | None:
    """The first line that is nothing but a date with at least its month ("10 December 2025")."""
    for m in _DATELINE_ANY.finditer(text):
        dates = find_dates(m.group(1))
        if len(dates) == 1 and dates[0][1].month is not None and _only_date(m.group(1)):
            return dates[0][1], m.group(1).strip()
    return None


def _only_date(line: str) -> bool:
    for pattern, _order in _PATTERNS[:-1]:
        m = pattern.search(line)
        if m and not (line[: m.start()] + line[m.end() :]).strip(" \t,.;:|-–—()[]"):
            return True
    return False


def document_date(text: str) -> tuple[DateValue | None, str]:
    """The date a document states about itself, and how it was found; (None, ...) if none."""
    labelled = labelled_dates(text)
    if labelled:
        value, _label, line = max(labelled, key=lambda item: item[0].sort_key())
        return value, f"text: '{line}'"
    found = dateline(text)
    if found:
        return found[0], f"dateline '{found[1][:80]}'"
    for m in _TITLE_YEAR.finditer(text):
        dates = find_dates(m.group(1))
        if dates:
            return dates[0][1], f"year in the title line '{m.group(0).strip()[:80]}'"
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
