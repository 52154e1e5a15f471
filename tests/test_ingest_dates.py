"""Dates of brought-in documents: general text rules, and each loader's metadata dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.dates import DateValue, document_date, find_dates
from index.load import read_document
from index.manifest import SourceInfo
from index.passages import date_document, document_passages
from index.pdf import pdf_date
from tests.pdf_fixtures import make_advisory_pdf


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


# ---- dates found by the loaders ------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _page(body: str, head: str = "") -> str:
    return (
        f"<html><head><title>Veloria advice</title>{head}</head><body><article><h1>Veloria advice</h1>"
        f"{body}<p>Pickpocketing is common on the tram lines of Port Amsel, especially on line 4 to the "
        "old harbour. Keep your passport in the hotel safe and carry a photocopy.</p></article></body></html>"
    )


def _load(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content)
    return read_document(path, name, warn=pytest.fail, strict=True)


def test_html_fixture_keeps_both_dates_and_uses_the_later(tmp_path):
    doc = read_document(FIXTURES / "advisory_veloria.html", "advisory_veloria.html", strict=True)
    meta = doc.meta
    assert (meta["published"], meta["published_basis"]) == (
        "2023-06-12",
        "htmldate: meta article:published_time",
    )
    assert (meta["updated"], meta["updated_basis"]) == ("2024-03-04", "htmldate: meta article:modified_time")
    assert (meta["date"], meta["date_basis"]) == ("2024-03-04", "htmldate: meta article:modified_time")
    dated = date_document(doc, None)
    assert (dated.iso, dated.how) == ("2024-03-04", "htmldate: meta article:modified_time")
    assert {p.metadata["date"] for p in document_passages(doc, None)} == {"2024-03-04"}


@pytest.mark.parametrize(
    ("head", "body", "iso", "basis"),
    [
        pytest.param(
            '<script type="application/ld+json">{"@type": "Article", "datePublished": "2022-01-10",'
            ' "dateModified": "2023-11-02T08:00:00Z"}</script>',
            "",
            "2023-11-02",
            "htmldate: JSON-LD dateModified",
            id="json-ld",
        ),
        pytest.param(
            "",
            '<p class="meta">Last updated: 4 March 2024</p>',
            "2024-03-04",
            "visible 'Last updated: 4 March 2024' line",
            id="visible-line-in-meta-class",
        ),
        pytest.param(
            "",
            '<header class="page-meta"><span>Page last reviewed: 9 October 2025</span></header>',
            "2025-10-09",
            "visible 'Page last reviewed: 9 October 2025' line",
            id="visible-line-in-header",
        ),
        pytest.param(
            "",
            '<div class="metadata"><dl><dt>From:</dt><dd>Travel Office</dd>'
            "<dt>Updated</dt><dd>4 March 2024</dd></dl></div>",
            "2024-03-04",
            "visible 'Updated 4 March 2024' line",
            id="definition-list",
        ),
        pytest.param(
            "",
            "<p>Last updated April 2016</p>",
            "2016-04",
            "visible 'Last updated April 2016' line",
            id="month-precision-not-invented-day",
        ),
        pytest.param(
            '<meta property="article:modified_time" content="2021-05-05T10:00:00Z">',
            "<p>Still current at: 2 February 2026</p>",
            "2026-02-02",
            "visible 'Still current at: 2 February 2026' line",
            id="later-visible-line-beats-meta",
        ),
    ],
)
def test_html_date_sources(tmp_path, head, body, iso, basis):
    doc = _load(tmp_path, "page.html", _page(body, head))
    assert (doc.meta["date"], doc.meta["date_basis"]) == (iso, basis)


def test_html_without_any_date_is_unknown(tmp_path):
    doc = _load(tmp_path, "page.html", _page(""))
    assert "date" not in doc.meta
    assert date_document(doc, None).iso == "unknown"


def test_markdown_front_matter_dates(tmp_path):
    doc = read_document(FIXTURES / "veloria_note.md", "veloria_note.md", strict=True)
    assert (doc.meta["published"], doc.meta["updated"]) == ("2024-05-02", "2024-09-18")
    assert (doc.meta["date"], doc.meta["date_basis"]) == ("2024-09-18", "front matter 'updated'")
    assert date_document(doc, None).iso == "2024-09-18"


@pytest.mark.parametrize(
    ("text", "iso", "basis"),
    [
        pytest.param(
            "---\ndate: 4 March 2024\n---\n\nCall 112.\n", "2024-03-04", "front matter 'date'", id="fm-text"
        ),
        pytest.param("---\ndate: 2019\n---\n\nCall 112.\n", "2019", "front matter 'date'", id="fm-year-only"),
        pytest.param(
            "# Note\n\nPublished: 2024-03-04\n\nCall 112.\n", "2024-03-04", "Published", id="text-line"
        ),
    ],
)
def test_markdown_dates(tmp_path, text, iso, basis):
    doc = _load(tmp_path, "note.md", text)
    assert doc.meta["date"] == iso and basis in doc.meta["date_basis"]


def test_pdf_metadata_dates(tmp_path):
    doc = read_document(make_advisory_pdf(tmp_path / "a.pdf"), "a.pdf", strict=True)
    assert (doc.meta["published"], doc.meta["published_basis"]) == (
        "2024-02-01",
        "PDF metadata /CreationDate",
    )
    assert (doc.meta["updated"], doc.meta["updated_basis"]) == ("2024-03-04", "PDF metadata /ModDate")
    assert (doc.meta["date"], doc.meta["date_basis"]) == ("2024-03-04", "PDF metadata /ModDate")
    assert {p.metadata["date"] for p in document_passages(doc, None)} == {"2024-03-04"}


def test_pdf_creation_date_alone(tmp_path):
    doc = read_document(make_advisory_pdf(tmp_path / "a.pdf", modified=None), "a.pdf", strict=True)
    assert (doc.meta["date"], doc.meta["date_basis"]) == ("2024-02-01", "PDF metadata /CreationDate")


def test_pdf_printed_date_beats_export_timestamps(tmp_path):
    path = make_advisory_pdf(tmp_path / "a.pdf", dated_line="Last updated: 10 December 2025")
    doc = read_document(path, "a.pdf", strict=True)
    assert doc.meta["date"] == "2025-12-10"
    assert doc.meta["date_basis"] == "text: 'Last updated: 10 December 2025'"
    assert doc.meta["updated"] == "2024-03-04"  # the metadata date is still kept


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("D:20240304162000Z", "2024-03-04"),
        ("D:20240304", "2024-03-04"),
        ("D:202403", "2024-03"),
        ("junk", None),
    ],
)
def test_pdf_date_strings(raw, iso):
    value = pdf_date(raw)
    assert (value.iso() if value else None) == iso


def test_manifest_date_still_wins_over_loader_dates(tmp_path):
    doc = read_document(FIXTURES / "advisory_veloria.html", "advisory_veloria.html", strict=True)
    info = SourceInfo(id=doc.id, title="Veloria", published=DateValue(2020, 1))
    assert date_document(doc, info).iso == "2020-01"


def test_htmldate_guess_from_prose_keeps_only_the_year(tmp_path):
    doc = _load(
        tmp_path, "page.html", _page("<p>The new tram line opened in May 2019 after long delays.</p>")
    )
    # htmldate answers 2019-05-01 or 2019-01-01 here; the day and month are its own filling-in
    assert doc.meta["date"] == "2019" and "year only" in doc.meta["date_basis"]
