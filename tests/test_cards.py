"""What the chat shows, as HTML: escaped text, citation cards, abstentions, the sources timeline.

Pure rendering, no Gradio and no index: the served chat is tested in ``test_ui`` and in a real
browser in ``test_browser``.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from bot.answer import Answer, Citation
from bot.cards import abstention_html, esc
from bot.catalog import SourceRow
from bot.source_ages import age_chart_svg


def test_escaping_makes_markup_and_markdown_inert():
    shown = esc('<b>bold</b> **stars** _under_ [link](x) $5 & "quotes"\n\nnext')
    assert (
        "<" not in shown and ">" not in shown and "*" not in shown and "_" not in shown and "$" not in shown
    )
    assert "\n" not in shown
    assert shown.startswith("&lt;b&gt;bold&lt;/b&gt;")


def test_age_chart_marks_the_threshold_and_escapes_titles():
    rows = [
        SourceRow("a.txt", "<script>alert(1)</script>", "p", "blog", "2011", 15, "15 years old", 3, ""),
        SourceRow("b.txt", "Fresh news", "p", "news", "2025-12-10", 0, "less than a year old", 2, ""),
        SourceRow("c.txt", "No date", "p", "blog", "unknown", None, "date unknown", 1, ""),
    ]
    svg = age_chart_svg(rows, 3, dt.date(2026, 11, 25))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "older than 3 years" in svg and "undated" in svg and "today, 2026-11-25" in svg
    assert svg.count("<circle") == 2


def test_abstention_folds_the_closest_passages_away_escaped():
    near = Citation(
        1, "Taxis <b>wait</b> outside.", "x.txt", "A & B report", "", "", "", "2011", "", "2011", 15, 0, 9
    )
    closest = Answer("q", "q", "My sources don't answer this.", abstained=True, closest=[near])
    html = abstention_html(closest)
    assert "<details class='wm-closest'>" in html and "may not answer you" in html
    assert "&lt;b&gt;wait&lt;/b&gt;" in html and "A &amp; B report" in html
    assert "<details" not in abstention_html(Answer("q", "q", "No.", abstained=True))


def test_rendering_loads_without_gradio_or_the_answer_pipeline():
    heavy = "{'gradio', 'bot.answer'}"
    probe = f"import sys, bot.cards, bot.source_ages; print(sorted({heavy} & sys.modules.keys()))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
