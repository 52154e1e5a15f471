"""Cleaning drops web noise and keeps every safety sentence, with headings attached."""

from bot.settings import SHIPPED_CORPUS
from index.clean import blocks


def kept_text(name: str) -> tuple[str, list]:
    text = (SHIPPED_CORPUS / name).read_text(encoding="utf-8")
    return text, blocks(text)


def joined(text, found) -> str:
    return "\n".join(b.text(text) for b in found)


def test_currency_ticker_repeated_lines_are_dropped():
    text, found = kept_text("002_936039f8d18cd382.txt")
    assert text.count("KZT/USD") > 5
    assert "KZT/USD" not in joined(text, found)
    assert "77,300 children were born" in joined(text, found)


def test_blog_comments_and_back_link_are_dropped():
    text, found = kept_text("000_b512ebc211cd252d.txt")
    kept = joined(text, found)
    assert "Says:" in text and "Says:" not in kept
    assert "Back to blog" not in kept
    assert "a third of the prostituted women in Almaty are underage" in kept


def test_copyright_and_source_lists_are_dropped_but_content_stays():
    text, found = kept_text("001_088dbf00e04031bb.txt")
    kept = joined(text, found)
    assert "This site contains copyrighted material" not in kept
    assert "Text Sources:" not in kept
    assert "gypsy cabs" in kept


def test_headings_are_marked_and_address_lines_are_not():
    text, found = kept_text("003_2de0709cfd47372d.txt")
    headings = {b.text(text) for b in found if b.kind == "heading"}
    assert {"Medical Emergencies", "Police Response", "Road Safety"} <= headings
    lists = {b.text(text) for b in found if b.kind == "list"}
    assert "11 Luganskogo Street, corner of Satpayev Street" in lists
    assert "Almaty, Kazakhstan 050059" in lists


def test_every_phone_number_of_the_report_survives_cleaning():
    text, found = kept_text("003_2de0709cfd47372d.txt")
    kept = joined(text, found)
    for number in ["112", "8-727-250-4900", "8-7172-70-2200", "8-7272-58-19-11", "8-701-745-9876"]:
        assert number in kept
