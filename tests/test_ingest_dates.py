"""Dates of brought-in documents: general text rules, and each loader's metadata dates."""

from __future__ import annotations

import pytest

from index.dates import DateValue, document_date, find_dates


@pytest.mark.parametrize(
    ("text", "expected", "basis"),
    [
        pytest.param("December 10, 2025\n\nPatrols rose.\n", "2025-12-10", "dateline", id="mdy-line"),
        pytest.param("Intro line\nDec. 10, 2025\n\nBody.\n", "2025-12-10", "dateline", id="abbrev-dot-line"),
        pytest.param("10 Dec 2025\n\nBody.\n", "2025-12-10", "dateline", id="dmy-abbrev-line"),
        pytest.param("2024-03-04\n\nBody.\n", "2024-03-04", "dateline", id="iso-line"),
        pytest.param("Page last reviewed: 4 March 2024\n", "2024-03-04", "Page last reviewed", id="nhs"),
        pytest.param("Published: 2024-03-04\n", "2024-03-04", "Published", id="iso-published-day"),
        pytest.param("Last updated 7 January 2023\n", "2023-01-07", "Last updated", id="last-updated"),
        pytest.param("Last reviewed: Sept. 3, 2024\n", "2024-09-03", "Last reviewed", id="last-reviewed"),
        pytest.param("Still current at: 25 November 2026\n", "2026-11-25", "Still current", id="current"),
        pytest.param("Date: 2024-03-04T16:20:00Z\n", "2024-03-04", "Date:", id="date-iso-time"),
        pytest.param("Updated: 12th June 2023\n", "2023-06-12", "Updated", id="ordinal"),
        pytest.param(
            "Published: 12 June 2023\nText.\nUpdated: 4 March 2024\n", "2024-03-04", "Updated", id="later"
        ),
        pytest.param("Last updated April 2016\n", "2016-04", "Last updated", id="month-precision-kept"),
    ],
)
def test_text_date_rules(text, expected, basis):
    value, how = document_date(text)
    assert value is not None and value.iso() == expected
    assert basis in how


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Call 8-7172-70-2200 after hours.\n", id="phone-number"),
        pytest.param("Updated travel advice for the 2024 season is below.\n", id="label-without-date"),
        pytest.param("Dates of travel: see below.\n", id="dates-is-not-date"),
        pytest.param("We met on 10 December 2025 near the station and talked.\n", id="date-inside-sentence"),
    ],
)
def test_no_document_date_is_invented(text):
    assert document_date(text)[0] is None


def test_iso_dates_keep_day_precision_and_ranges_stay_years():
    found = [d for _, d in find_dates("from 2014-2015; on 2024-03-04; phone 8-7172-70-2200")]
    assert found == [DateValue(2014), DateValue(2015), DateValue(2024, 3, 4)]


def test_month_abbreviations_are_read():
    found = [d.iso() for _, d in find_dates("Jan 5, 2020; 6 Feb. 2021; Sept 2022; 1st of May 2023")]
    assert found == ["2020-01-05", "2021-02-06", "2022-09", "2023-05-01"]
