"""Cleaning rules are general: page furniture goes, safety facts stay — even when repeated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.settings import SHIPPED_CORPUS
from index.clean import NOISE_RULES, blocks, noise_reason
from index.load import read_document
from index.passages import document_passages

CLEAN_SOURCE = (Path(__file__).resolve().parent.parent / "index" / "clean.py").read_text(encoding="utf-8")

THREE_CITIES = """Emergency contacts

Call the numbers below from any phone. Operators in the cities speak English.

Port Amsel
Police: 102
Ambulance: 103

Lake Morrow
Police: 102
Ambulance: 103

Estrel
Police: 102
Ambulance: 103

Share this page
Facebook Twitter Email
"""


def kept(text: str) -> str:
    return "\n".join(b.text(text) for b in blocks(text))


def test_repeated_contact_lines_are_all_kept():
    out = kept(THREE_CITIES)
    assert out.count("Police: 102") == 3 and out.count("Ambulance: 103") == 3
    assert "Share this page" not in out and "Facebook" not in out


def test_repeated_contact_lines_reach_the_passages(tmp_path):
    (tmp_path / "contacts.txt").write_text(THREE_CITIES)
    doc = read_document(tmp_path / "contacts.txt", "contacts.txt")
    text = "\n".join(p.text for p in document_passages(doc, None))
    assert text.count("Police: 102") == 3


def test_repeated_lines_in_html_lists_are_kept(tmp_path):
    cities = "".join(
        f"<h2>{city}</h2><p>Emergency services in {city} answer around the clock.</p>"
        "<ul><li>Police: 102</li><li>Ambulance: 103</li><li>Embassy: 14 Harbour Road</li></ul>"
        for city in ("Port Amsel", "Lake Morrow", "Estrel")
    )
    page = tmp_path / "cities.html"
    page.write_text(f"<html><body><article><h1>Veloria contacts</h1>{cities}</article></body></html>")
    doc = read_document(page, "cities.html", strict=True)
    text = "\n".join(p.text for p in document_passages(doc, None))
    assert text.count("Police: 102") == 3 and text.count("Embassy: 14 Harbour Road") == 3


def test_a_short_line_without_facts_repeated_three_times_is_still_noise():
    advice = [
        "Use licensed taxis only.",
        "Keep your passport in the hotel safe.",
        "Avoid the old harbour at night.",
    ]
    text = "".join(f"Travel safely\n\n{line}\n\n" for line in advice)
    assert "Travel safely" not in kept(text)
    assert all(line in kept(text) for line in advice)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        pytest.param(
            "We use cookies to improve your experience on this site.", "cookie banner", id="cookies"
        ),
        pytest.param("Accept all cookies", "cookie banner", id="accept-cookies"),
        pytest.param(
            "This website uses cookies. By continuing you agree to our policy.", "cookie banner", id="uses"
        ),
        pytest.param("Home | Travel advice | Veloria", "menu row", id="menu-row"),
        pytest.param("Home > Travel advice > Veloria", "menu row", id="breadcrumb"),
        pytest.param("Skip to main content", "navigation", id="skip-link"),
        pytest.param("Back to top", "navigation", id="back-to-top"),
        pytest.param("Related articles", "navigation", id="related"),
        pytest.param("Share this page", "share buttons", id="share-this"),
        pytest.param("Facebook | Twitter | WhatsApp | Email", "share buttons", id="share-bar"),
        pytest.param("Print", "share buttons", id="print"),
        pytest.param(
            "© 2024 Foreign Travel Office. All rights reserved.", "copyright notice", id="copyright"
        ),
        pytest.param("Photo credits: A. Reporter, B. Camera", "source or credit list", id="credits"),
        pytest.param("Sources: national police, city hall", "source or credit list", id="sources"),
        pytest.param("The harbour at dusk; photo: A. Reporter", "photo caption", id="caption"),
        pytest.param("Last updated: 4 March 2024", "date line", id="date-line"),
    ],
)
def test_furniture_rules(line, rule):
    assert noise_reason(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("Police | 102 | Ambulance | 103", id="table-with-pipes"),
        pytest.param("Cookies and pastries are sold at every station kiosk in the city.", id="cookies-food"),
        pytest.param("Share taxis leave from the main square every hour.", id="share-taxis"),
        pytest.param("Tourist police: +37 21 555 0199", id="phone"),
        pytest.param("Print copies of your passport before you travel.", id="print-copies"),
        pytest.param("Copyright law in Veloria allows photos of public buildings.", id="copyright-law"),
    ],
)
def test_content_is_not_furniture(line):
    assert noise_reason(line) == ""


def _seed_shingles(n: int = 4) -> set[str]:
    shingles: set[str] = set()
    for path in SHIPPED_CORPUS.glob("*.txt"):
        words = re.findall(r"[a-z]+", path.read_text(encoding="utf-8").lower())
        shingles.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return shingles


def _rule_strings() -> str:
    """Every string literal of index/clean.py (the rules), regex escapes such as \\s blanked."""
    literals = [
        node.value
        for node in ast.walk(ast.parse(CLEAN_SOURCE))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    return re.sub(r"\\[a-z]", " ", "\n".join(literals).lower())


def test_no_cleaning_rule_names_a_seed_file():
    words = re.findall(r"[a-z]+", _rule_strings())
    rule_shingles = {" ".join(words[i : i + 4]) for i in range(len(words) - 3)}
    named = sorted(rule_shingles & _seed_shingles())
    assert not named, named
    for phrase in ["image sources", "this site contains", "image:", "kzt", "manon"]:
        assert phrase not in CLEAN_SOURCE.lower()
    assert len(NOISE_RULES) >= 8
