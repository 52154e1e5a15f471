"""Staleness: how old a source is, which source decides, and the warning a reader sees.

Ages are whole years counted from a date's first possible day ("2011" is 1 January 2011,
"2016-04" is 1 April 2016). The newest dated source behind an answer decides: at the threshold
or older the answer carries the old-sources warning; with no dated source at all it carries the
undated warning; otherwise no warning.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot import render
from bot.answer import Citation, staleness
from index.dates import DateValue

TODAY = dt.date(2026, 11, 25)


def old_warning(newest: str) -> str:
    return (
        f"⚠ Old sources: the newest source behind this answer is from {newest}. Phone numbers, addresses "
        "and laws change — check current official advice (your embassy, your government's travel "
        "advisory) before relying on it."
    )


OLD_2011 = old_warning("2011 (15 years old)")
UNDATED = (
    "⚠ Undated sources: I cannot tell how old the sources behind this answer are. Check current official "
    "advice (your embassy, your government's travel advisory) before relying on it."
)


def cite(date: str, age: int | None, n: int = 1) -> Citation:
    return Citation(
        n=n,
        quote="Dial 112 from a mobile.",
        source_id=f"doc-{n}.txt",
        title="Advisory",
        publisher="Embassy",
        kind="advisory",
        section="",
        date=date,
        date_basis="manifest",
        doc_date=date,
        age_years=age,
        start=0,
        end=23,
    )


@pytest.mark.parametrize(
    ("date", "today", "age"),
    [
        pytest.param(DateValue(2011), TODAY, 15, id="year-only"),
        pytest.param(DateValue(2025, 12, 10), TODAY, 0, id="under-a-year"),
        pytest.param(DateValue(2020, 3, 15), dt.date(2026, 3, 15), 6, id="on-the-anniversary"),
        pytest.param(DateValue(2020, 3, 15), dt.date(2026, 3, 14), 5, id="the-day-before-it"),
        pytest.param(DateValue(2020, 3), dt.date(2026, 3, 1), 6, id="month-counts-from-its-first-day"),
        pytest.param(DateValue(2020, 3), dt.date(2026, 2, 28), 5, id="month-not-yet-reached"),
        pytest.param(DateValue(2020), dt.date(2026, 1, 1), 6, id="year-counts-from-1-january"),
        pytest.param(DateValue(2020), dt.date(2025, 12, 31), 5, id="year-not-yet-reached"),
    ],
)
def test_age_is_whole_years_from_the_first_possible_day(date, today, age):
    assert date.age_years(today) == age


@pytest.mark.parametrize(
    ("date", "text"),
    [
        pytest.param(DateValue(2011), "2011", id="year"),
        pytest.param(DateValue(2012, 8), "August 2012", id="month"),
        pytest.param(DateValue(2025, 12, 10), "10 December 2025", id="day"),
    ],
)
def test_dates_read_as_precisely_as_they_are_known(date, text):
    assert date.human() == text


@pytest.mark.parametrize(
    ("age", "phrase"),
    [
        pytest.param(None, "date unknown", id="unknown"),
        pytest.param(-1, "less than a year old", id="future-date"),
        pytest.param(0, "less than a year old", id="this-year"),
        pytest.param(1, "1 year old", id="one"),
        pytest.param(2, "2 years old", id="two"),
        pytest.param(15, "15 years old", id="fifteen"),
    ],
)
def test_age_phrase(age, phrase):
    assert render.age_phrase(age) == phrase


@pytest.mark.parametrize(
    ("date", "age", "phrase"),
    [
        pytest.param("2011", 15, "2011 (15 years old)", id="year"),
        pytest.param("2012-08", 14, "August 2012 (14 years old)", id="month"),
        pytest.param("2025-12-10", 0, "10 December 2025 (less than a year old)", id="day"),
        pytest.param("unknown", None, "undated", id="undated"),
        pytest.param("spring 2011", 15, "spring 2011 (15 years old)", id="unparsed-date-shown-as-is"),
    ],
)
def test_each_quote_shows_its_date_and_age(date, age, phrase):
    assert render.date_phrase(cite(date, age)) == phrase


def test_the_old_sources_warning_names_the_newest_date_and_its_age():
    assert render.stale_warning(DateValue(2011), 15) == OLD_2011


def test_the_undated_warning_says_the_age_is_unknown():
    assert render.undated_warning() == UNDATED


@pytest.mark.parametrize(
    ("cites", "threshold", "expected"),
    [
        pytest.param([cite("2011", 15)], 3, (True, OLD_2011), id="old"),
        pytest.param(
            [cite("2023-11-25", 3)],
            3,
            (True, old_warning("25 November 2023 (3 years old)")),
            id="at-the-threshold",
        ),
        pytest.param([cite("2024-01", 2)], 3, (False, ""), id="younger-than-the-threshold"),
        pytest.param([cite("2011", 15)], 16, (False, ""), id="threshold-raised"),
        pytest.param([cite("2011", 15), cite("2025-12-10", 0, 2)], 3, (False, ""), id="newest-decides"),
        pytest.param([cite("2025-12-10", 0), cite("2011", 15, 2)], 3, (False, ""), id="whatever-the-order"),
        pytest.param([cite("unknown", None), cite("2011", 15, 2)], 3, (True, OLD_2011), id="undated-ignored"),
        pytest.param([cite("unknown", None), cite("unknown", None, 2)], 3, (True, UNDATED), id="all-undated"),
        pytest.param([], 3, (True, UNDATED), id="no-sources"),
    ],
)
def test_the_newest_dated_source_decides_the_warning(cites, threshold, expected):
    assert staleness(cites, threshold, TODAY) == expected


@pytest.mark.parametrize(
    ("dates", "named"),
    [
        pytest.param(["2012-07", "2012-08"], "August 2012", id="later-month"),
        pytest.param(["2012", "2012-01"], "January 2012", id="month-beats-its-bare-year"),
        pytest.param(["2012-01", "2012-01-01"], "1 January 2012", id="day-beats-its-bare-month"),
        pytest.param(["2012-08-02", "2012-08-01"], "2 August 2012", id="later-day"),
    ],
)
def test_among_sources_of_one_year_the_latest_known_date_is_named(dates, named):
    cites = [cite(d, 14, n) for n, d in enumerate(dates, start=1)]
    assert staleness(cites, 3, TODAY) == (True, old_warning(f"{named} (14 years old)"))
