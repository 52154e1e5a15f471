"""Passages keep whole sentences, and their offsets map back to the exact source text."""

import json

import pytest

from bot.settings import SHIPPED_CORPUS
from index.chunk import MAX_PASSAGE_CHARS
from index.load import load_corpus
from index.manifest import load_manifest
from index.passages import document_passages

DOCS = load_corpus(SHIPPED_CORPUS, warn=lambda _m: None)
MANIFEST = load_manifest(SHIPPED_CORPUS)


@pytest.mark.parametrize("doc", DOCS, ids=[d.id[:3] for d in DOCS])
def test_offsets_map_back_to_the_exact_file_text(doc):
    raw = (SHIPPED_CORPUS / doc.id).read_text(encoding="utf-8")
    for p in document_passages(doc, MANIFEST.get(doc.id)):
        assert raw[p.metadata["start"] : p.metadata["end"]] == p.text
        for s, e in json.loads(p.metadata["units"]):
            assert p.text[s:e].strip() == p.text[s:e]
            assert p.text[s:e]


@pytest.mark.parametrize("doc", DOCS, ids=[d.id[:3] for d in DOCS])
def test_passages_end_on_sentence_or_paragraph_boundaries(doc):
    for p in document_passages(doc, MANIFEST.get(doc.id)):
        end = p.metadata["end"]
        rest_of_line = doc.text[end:].split("\n", 1)[0]
        at_line_end = not rest_of_line.strip(" *|~^+/\\-")
        assert p.text.rstrip()[-1] in '.!?:”"’)' or at_line_end, p.text[-80:]


def test_passages_stay_short_unless_one_sentence_is_long():
    for doc in DOCS:
        for p in document_passages(doc, MANIFEST.get(doc.id)):
            units = json.loads(p.metadata["units"])
            assert len(p.text) <= MAX_PASSAGE_CHARS or len(units) == 1


def test_address_list_joins_the_sentence_that_introduces_it():
    doc = next(d for d in DOCS if d.id.startswith("003"))
    texts = [p.text for p in document_passages(doc, MANIFEST.get(doc.id))]
    clinic = next(t for t in texts if "Luganskogo" in t)
    assert clinic.startswith("The following clinic in Almaty provides western-type medical services:")
    assert "8-300-722-8000 (24 hrs)" in clinic


def test_passages_carry_their_section_heading():
    doc = next(d for d in DOCS if d.id.startswith("003"))
    by_text = {p.text: p.metadata for p in document_passages(doc, MANIFEST.get(doc.id))}
    police = next(m for t, m in by_text.items() if "112 from cell phones" in t)
    assert police["section"] == "Police Response"


def test_list_items_from_a_layout_are_units_after_their_introduction():
    from index.chunk import passages
    from index.clean import blocks

    lines = [
        "Embassy",
        "",
        "The embassy can help if you lose your passport.",
        "",
        "Address: 14 Harbour Road",
        "Call +37 21 555 0100. Ask for the duty officer.",
    ]
    text = "\n".join(lines) + "\n"
    starts = [text.index(line) for line in lines if line]
    kinds = ["heading", "para", "item", "item"]
    layout = tuple(
        (s, s + len(line), kind) for s, line, kind in zip(starts, [x for x in lines if x], kinds, strict=True)
    )
    found = passages("x", text, blocks(text, layout))
    assert len(found) == 1 and found[0].section == "Embassy"
    units = [text[s:e] for s, e in found[0].units]
    assert units == [
        "The embassy can help if you lose your passport.",
        "Address: 14 Harbour Road",
        "Call +37 21 555 0100.",
        "Ask for the duty officer.",
    ]
