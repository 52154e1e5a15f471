"""Loaders: HTML, Markdown, PDF and plain text each give exact, structured, dated extracted text;
bad input is refused with one clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import (
    CorruptDocumentError,
    EncryptedPdfError,
    IngestError,
    NoTextError,
    TooLargeError,
    UnsupportedTypeError,
)
from index.load import load_corpus, read_document
from index.passages import document_passages
from tests.pdf_fixtures import (
    make_advisory_pdf,
    make_bomb_pdf,
    make_encrypted_pdf,
    make_scanned_pdf,
    make_truncated_pdf,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load(path: Path, doc_id: str | None = None):
    return read_document(path, doc_id or path.name, warn=pytest.fail, strict=True)


def passages_of(doc):
    return document_passages(doc, None)


def assert_offsets_exact(doc):
    for p in passages_of(doc):
        assert doc.text[p.metadata["start"] : p.metadata["end"]] == p.text
        for s, e in json.loads(p.metadata["units"]):
            assert p.text[s:e] and p.text[s:e].strip() == p.text[s:e]


# ---- HTML -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_doc():
    return load(FIXTURES / "advisory_veloria.html")


def test_html_keeps_spaces_around_inline_tags(html_doc):
    assert "In an emergency, call 112 or the embassy now." in html_doc.text
    assert "call112" not in html_doc.text and "theembassy" not in html_doc.text


def test_html_drops_navigation_cookie_banner_share_bar_and_footer(html_doc):
    for furniture in ["We use cookies", "Accept all cookies", "Travel advice", "Share this page", "Facebook"]:
        assert furniture not in html_doc.text, furniture
    assert "All rights reserved" not in html_doc.text and "Accessibility" not in html_doc.text


def test_html_keeps_the_article_header_with_its_date_line(html_doc):
    assert "Last updated: 4 March 2024" in html_doc.text
    assert html_doc.text.startswith("Veloria travel advice: safety and emergencies")


def test_html_table_cells_and_list_items_become_plain_lines(html_doc):
    for line in ["Police: 102", "Ambulance: 103", "Tourist police (Port Amsel): +37 21 555 0199"]:
        assert f"\n{line}\n" in html_doc.text
    assert "|" not in html_doc.text
    assert "\nTelephone: +37 21 555 0100 (24 hours)\n" in html_doc.text


def test_html_metadata(html_doc):
    meta = html_doc.meta
    assert html_doc.format == "html" and meta["kind"] == "web page"
    assert meta["title"] == "Veloria travel advice: safety and emergencies"
    assert meta["publisher"] == "Foreign Travel Office of Examplia"
    assert meta["url"] == "https://travel.example.org/advice/veloria"


def test_html_passages_carry_sections_and_exact_offsets(html_doc):
    by_text = {p.text: p.metadata for p in passages_of(html_doc)}
    police = next(m for t, m in by_text.items() if "Police: 102" in t)
    assert police["section"] == "Emergency numbers"
    embassy = next(m for t, m in by_text.items() if "14 Harbour Road" in t)
    assert embassy["section"] == "Embassy of Examplia in Port Amsel"
    assert police["publisher"] == "Foreign Travel Office of Examplia"
    assert not any("Last updated" in t for t in by_text)  # a date line is metadata, not a quote
    assert_offsets_exact(html_doc)


def test_small_html_page_without_article_markup(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><nav>Home | News</nav><h2>Airport</h2>"
        "<p>Book a <em>hotel</em> taxi before you land at the airport.</p></body></html>"
    )
    doc = load(page)
    assert [p.text for p in passages_of(doc)] == ["Book a hotel taxi before you land at the airport."]
    assert passages_of(doc)[0].metadata["section"] == "Airport"


# ---- Markdown ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def md_doc():
    return load(FIXTURES / "veloria_note.md")


def test_markdown_front_matter_is_metadata_not_text(md_doc):
    assert "---" not in md_doc.text and "source_url" not in md_doc.text and "Mira Tolan" not in md_doc.text
    meta = md_doc.meta
    assert meta["title"] == "Veloria - notes for the lake district trip"
    assert meta["author"] == "Mira Tolan" and meta["publisher"] == "Examplia Travellers' Club"
    assert meta["url"] == "https://club.example.net/notes/veloria-lakes"
    assert md_doc.format == "markdown" and meta["kind"] == "markdown note"


def test_markdown_inline_markup_is_plain_text(md_doc):
    assert "In an emergency dial 112; the operators speak English and German." in md_doc.text
    assert "checked against the Foreign Travel Office advice." in md_doc.text
    for markup in ["**", "](", "`", "_English_", "|", "# "]:
        assert markup not in md_doc.text, markup


def test_markdown_table_list_and_address_lines(md_doc):
    assert "\nLake Morrow / 102 / 103\n" in md_doc.text
    assert "\nFerries stop running at 21:00; the last boat back is often full.\n" in md_doc.text
    assert "\n12 Quay Street, Lake Morrow\nPhone: +37 44 555 0142\n" in md_doc.text


def test_markdown_passages_carry_sections(md_doc):
    by_text = {p.text: p.metadata for p in passages_of(md_doc)}
    ferries = next(m for t, m in by_text.items() if "Ferries stop running" in t)
    assert ferries["section"] == "Getting around"
    assert ferries["title"] == "Veloria - notes for the lake district trip"
    assert_offsets_exact(md_doc)


# ---- PDF --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_doc(tmp_path_factory):
    path = make_advisory_pdf(tmp_path_factory.mktemp("pdf") / "veloria.pdf", pages=4)
    return load(path)


def test_pdf_running_header_and_page_numbers_are_removed(pdf_doc):
    assert "Foreign Travel Office of Examplia - Veloria travel advisory" not in pdf_doc.text
    assert "Page 1 of" not in pdf_doc.text and "of 4" not in pdf_doc.text


def test_pdf_repeated_contact_footer_keeps_one_occurrence(pdf_doc):
    assert pdf_doc.text.count("In an emergency in Veloria call 112") == 1


def test_pdf_table_of_numbers_survives(pdf_doc):
    for row in ["Port Amsel 102 103", "Lake Morrow 102 103", "Estrel 102 103"]:
        assert row in pdf_doc.text


def test_pdf_wrapped_lines_are_one_paragraph(pdf_doc):
    assert "Keep your passport in the hotel safe and carry a photocopy with you at all times." in pdf_doc.text
    assert "Keep your\npassport" not in pdf_doc.text


def test_pdf_passages_know_their_page_and_section(pdf_doc):
    assert pdf_doc.format == "pdf" and pdf_doc.meta["kind"] == "pdf report"
    assert [n for _start, n in pdf_doc.meta["pages"]] == [1, 2, 3, 4]
    by_text = {p.text: p.metadata for p in passages_of(pdf_doc)}
    table = next(m for t, m in by_text.items() if "Estrel 102 103" in t)
    assert (table["page"], table["section"]) == (1, "Emergency numbers")
    crime = next(m for t, m in by_text.items() if "Pickpocketing" in t)
    assert (crime["page"], crime["section"]) == (2, "Crime")
    assert {m["page"] for m in by_text.values()} == {1, 2, 3, 4}
    assert_offsets_exact(pdf_doc)


def test_pdf_metadata(pdf_doc):
    assert pdf_doc.meta["title"] == "Veloria travel advisory"
    assert pdf_doc.meta["author"] == "Foreign Travel Office of Examplia"


# ---- plain text -------------------------------------------------------------------------------


def test_plain_text_is_kept_exactly(tmp_path):
    raw = "Police\n\nDial **102** | for the police in Examplestan.  Carry your passport.\n"
    (tmp_path / "a.txt").write_text(raw)
    doc = load(tmp_path / "a.txt")
    assert doc.text == raw and doc.format == "text" and doc.layout == ()
    assert doc.meta["kind"] == "text"


# ---- bad input --------------------------------------------------------------------------------


def _scripts_only(path: Path) -> Path:
    path.write_text(
        "<html><head><script>var a = 1;</script><style>p{}</style></head>"
        "<body><script>document.write('hi')</script><noscript>Enable JavaScript</noscript></body></html>"
    )
    return path


def _docx(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 not really a word file")
    return path


def _fake_pdf(path: Path) -> Path:
    path.write_text("This is a text file saved with a .pdf name.")
    return path


BAD_INPUTS = [
    pytest.param("locked.pdf", make_encrypted_pdf, EncryptedPdfError, "encrypted", id="encrypted-pdf"),
    pytest.param("scan.pdf", make_scanned_pdf, NoTextError, "OCR is not supported", id="scanned-pdf"),
    pytest.param("cut.pdf", make_truncated_pdf, CorruptDocumentError, "damaged or truncated", id="truncated"),
    pytest.param("bomb.pdf", make_bomb_pdf, TooLargeError, "zip bomb", id="decompression-bomb"),
    pytest.param("fake.pdf", _fake_pdf, CorruptDocumentError, "not a PDF", id="not-really-pdf"),
    pytest.param("app.html", _scripts_only, NoTextError, "no readable text", id="scripts-only-html"),
    pytest.param("notes.docx", _docx, UnsupportedTypeError, "not a text, Markdown, HTML or PDF", id="docx"),
]


@pytest.mark.parametrize(("name", "make", "error", "message"), BAD_INPUTS)
def test_bad_input_raises_one_clear_error_when_strict(tmp_path, name, make, error, message):
    path = make(tmp_path / name) or tmp_path / name
    with pytest.raises(error, match=message) as caught:
        read_document(path, name, strict=True)
    assert isinstance(caught.value, IngestError)
    assert str(caught.value).startswith(f"{name}: ") and "\n" not in str(caught.value)


@pytest.mark.parametrize(("name", "make", "error", "message"), BAD_INPUTS)
def test_bad_input_in_a_corpus_is_named_and_skipped(tmp_path, name, make, error, message):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Dial 102 for the police in Examplestan.\n")
    make(corpus / name)
    warnings: list[str] = []
    docs = load_corpus(corpus, warn=warnings.append)
    assert [d.id for d in docs] == ["good.txt"]
    assert [w for w in warnings if name in w and message in w and w.startswith("skipped ")], warnings
    assert read_document(corpus / name, name, warn=lambda _m: None) is None


def test_html_in_its_declared_charset(tmp_path):
    page = tmp_path / "old.html"
    page.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body><h2>Café safety</h2>'
        "<p>Don’t leave bags unattended at the café terraces in Port Amsel.</p></body></html>".encode(
            "cp1252"
        )
    )
    doc = load(page)
    assert "Don’t leave bags unattended at the café terraces in Port Amsel." in doc.text


def test_a_pdf_page_over_pypdfs_own_limit_is_a_bomb_too(tmp_path):
    path = make_bomb_pdf(tmp_path / "big.pdf", decompressed_mb=120)
    with pytest.raises(TooLargeError, match="zip bomb"):
        read_document(path, "big.pdf", strict=True)


def test_pdf_words_hyphenated_at_a_line_end_are_joined():
    from index.pdf import _join_wrapped

    assert (
        _join_wrapped(["Keep your pass-", "port safe and call", "112."])
        == "Keep your pass-port safe and call 112."
    )


def test_markdown_inline_html_tags_are_dropped_and_text_kept(tmp_path):
    (tmp_path / "n.md").write_text(
        "## Police\n\nDial <b>102</b> from any phone.<br>\n\n<div class='ad'>\nBuy travel insurance\n</div>\n"
    )
    doc = load(tmp_path / "n.md")
    assert "Dial 102 from any phone." in doc.text
    assert "<" not in doc.text and "insurance" not in doc.text


def test_pdf_contact_lines_repeated_in_body_type_are_all_kept(tmp_path):
    from tests.pdf_fixtures import HEADER, make_city_contacts_pdf

    doc = load(make_city_contacts_pdf(tmp_path / "cities.pdf"))
    assert doc.text.count("Police: 102") == 3 and doc.text.count("Ambulance: 103") == 3
    assert HEADER not in doc.text and "Page 2" not in doc.text


def test_pdf_line_naming_its_pages_own_number_is_content_not_a_header(tmp_path):
    """Page N about district N: "District 3 ... 555 1003" changes more than the page number, so
    it stays on every page; the running header that only counts pages goes."""
    from tests.pdf_fixtures import DISTRICT_HEADER, make_district_pages_pdf

    doc = load(make_district_pages_pdf(tmp_path / "districts.pdf", pages=4))
    for n in range(1, 5):
        assert f"District {n} duty officer: +37 21 555 {1000 + n}" in doc.text
    assert DISTRICT_HEADER.format(n=2, m=4) not in doc.text and "district guide" not in doc.text


def test_html_wrapper_named_like_a_menu_keeps_the_article_inside(tmp_path):
    page = tmp_path / "w.html"
    page.write_text(
        '<html><body><div class="layout-with-menu"><nav>Home</nav><article><h1>Veloria</h1>'
        "<p>Dial 112 in Veloria for every emergency service, day or night.</p></article></div>"
        '<div class="share-bar"><p>Send this to a friend</p></div></body></html>'
    )
    doc = load(page)
    assert "Dial 112 in Veloria for every emergency service, day or night." in doc.text
    assert "Send this to a friend" not in doc.text and "Home" not in doc.text


def test_pdf_body_line_whose_numbers_follow_the_page_subject_is_kept_but_page_headers_go():
    from index.pdf import _furniture

    pages = [
        [
            f"Veloria report, page {n} of 12",
            f"Outside these hours the night line of district {n} forwards calls to the regional centre.",
            "Body.",
            "Police: 102",
        ]
        for n in range(1, 13)
    ]
    drop = _furniture(pages, [set() for _ in pages])
    assert all(0 in gone and 1 not in gone and 3 not in gone for gone in drop)
