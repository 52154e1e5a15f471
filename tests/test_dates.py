"""Every passage is dated from the manifest, the text, or its own attribution — never guessed."""

import datetime as dt

import pytest

from bot.settings import SHIPPED_CORPUS
from index.dates import DateValue, attribution_date, document_date, parse_iso_date
from index.load import load_corpus, read_document
from index.manifest import load_manifest
from index.passages import date_document, document_passages

DOCS = {d.id[:3]: d for d in load_corpus(SHIPPED_CORPUS, warn=lambda _m: None)}
MANIFEST = load_manifest(SHIPPED_CORPUS)


@pytest.mark.parametrize(
    ("prefix", "iso"),
    [
        pytest.param("000", "2012-07", id="blog-almaty"),
        pytest.param("001", "2016-04", id="crime-overview"),
        pytest.param("002", "2025-12-10", id="news"),
        pytest.param("003", "2011", id="osac-2011"),
        pytest.param("004", "2012-08", id="blog-fergana"),
    ],
)
def test_each_seed_document_date(prefix, iso):
    doc = DOCS[prefix]
    assert date_document(doc, MANIFEST.get(doc.id)).iso == iso


@pytest.mark.parametrize(
    ("prefix", "iso"),
    [
        pytest.param("001", "2016-04", id="last-updated-footer"),
        pytest.param("002", "2025-12-10", id="dateline"),
        pytest.param("003", "2011", id="report-title-year"),
        pytest.param("000", "unknown", id="blog-has-no-date-in-its-text"),
    ],
)
def test_dates_found_in_text_without_a_manifest(prefix, iso):
    assert date_document(DOCS[prefix], None).iso == iso


@pytest.mark.parametrize(
    ("attribution", "expected"),
    [
        pytest.param("Library of Congress, March 1996 *", DateValue(1996, 3), id="loc-month"),
        pytest.param("Library of Congress, December, 2006 **", DateValue(2006, 12), id="loc-comma"),
        pytest.param(
            "“Country Reports on Human Rights Practices for 2014: Kazakhstan,” U.S. Department of State *",
            DateValue(2014),
            id="country-reports",
        ),
        pytest.param("Joanna Lillis,, October 26, 2015 ^|^", DateValue(2015, 10, 26), id="full-date"),
        pytest.param("Wikipedia", None, id="no-date"),
    ],
)
def test_attribution_dates(attribution, expected):
    assert attribution_date(attribution) == expected


def test_attributed_passages_carry_their_source_date():
    doc = DOCS["001"]
    by_text = {p.text: p.metadata for p in document_passages(doc, MANIFEST.get(doc.id))}
    rape_law = next(m for t, m in by_text.items() if "The law criminalizes rape" in t)
    assert rape_law["date"] == "2014"
    assert rape_law["date_basis"] == "attribution"
    # a follow-on paragraph tied by the same '*' marker inherits the 2014 source
    violence = next(m for t, m in by_text.items() if t.startswith("Violence against women"))
    assert violence["date"] == "2014"
    plain = next(
        m for t, m in by_text.items() if t.startswith("Travelers should avoid riding overly crowded")
    )
    assert plain["date"] == "2016-04"


def test_an_undated_document_is_unknown_not_guessed(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Keep your passport with you at all times when you walk around town.\n")
    doc = read_document(path, "note.txt")
    passages = document_passages(doc, None)
    assert {p.metadata["date"] for p in passages} == {"unknown"}


def test_document_date_prefers_last_updated_line():
    value, how = document_date("Some text.\n\nLast updated April 2016\n")
    assert value == DateValue(2016, 4)
    assert "Last updated April 2016" in how


@pytest.mark.parametrize("raw", ["2011-13", "2011-02-30", "twenty", "11-2011", ""])
def test_invalid_manifest_dates_are_rejected(raw):
    assert parse_iso_date(raw) is None


def test_age_in_whole_years():
    assert DateValue(2011).age_years(dt.date(2026, 11, 25)) == 15
    assert DateValue(2025, 12, 10).age_years(dt.date(2026, 11, 25)) == 0
