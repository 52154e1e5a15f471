"""The chat in a browser: quoted, dated answers as cards, a Sources tab, and an API for scripts.

Every string a document or a user wrote is HTML-escaped here before it reaches the page: Gradio
returns our replies verbatim to API clients and only sanitizes them in the browser, so escaping
is the one defence that holds everywhere.

Scripts can ask without the page:
    .. code-block:: python

        from gradio_client import Client
        client = Client("http://127.0.0.1:7860/")
        result = client.predict("Police number?", [], 3, 4, api_name="/ask")  # Answer.as_dict()
        html_reply = client.predict("Police number?", 3, 4, api_name="/chat")  # what the page shows

``/chat`` keeps one conversation per client session (follow-ups work there too); ``/ask`` takes
the earlier user turns explicitly, so a script decides what a follow-up refers to.
"""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

# Before gradio is imported: no usage pings, no version check.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from bot import render  # noqa: E402
from bot.answer import Answer, Answerer, Citation  # noqa: E402
from bot.catalog import SourceRow, catalog  # noqa: E402
from bot.errors import QuestionError, WaymarkError  # noqa: E402
from bot.question import clean_question  # noqa: E402
from bot.retrieve import IndexHandle  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index.add import SUPPORTED_SUFFIXES, add_source, remove_source  # noqa: E402
from index.dates import DateValue, parse_iso_date  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLES = [
    "What number do I dial for the police from a mobile in Kazakhstan?",
    "Are gypsy cabs safe to use?",
    "Where is the SOS clinic in Almaty?",
    "Do police check ID documents?",
]
MAX_CITATIONS = 10
MAX_TURNS = 20  # earlier user turns passed on for follow-ups
MAX_STALE_YEARS = 30
SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
CONCURRENCY = 4
SOMETHING_BROKE = "Something went wrong on my side while answering. Please try again in a moment."

# Characters Markdown (or the chat's LaTeX) would act on, as numeric entities: they display as-is.
_MARKDOWN_ACTIVE = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]$~|"})

CSS = """
.wm-reply { display: flex; flex-direction: column; gap: 0.6rem; line-height: 1.5; }
.wm-asked { font-size: 0.85em; opacity: 0.75; }
.wm-head { font-weight: 600; font-size: 1.02em; display: flex; align-items: center; gap: 0.45rem; }
.wm-icon { display: inline-flex; align-items: center; justify-content: center; flex: none; width: 1.4em;
  height: 1.4em; border-radius: 50%; font-size: 0.9em; color: #fff; background: #0f766e; }
.wm-abstain .wm-icon { background: #64748b; }
.wm-error .wm-icon { background: #dc2626; }
.wm-answer .wm-head { color: #0f766e; }
.wm-card { border: 1px solid var(--border-color-primary, #d4d4d8); border-left: 4px solid #0f766e;
  border-radius: 8px; padding: 0.55rem 0.8rem; background: var(--background-fill-primary, #fff); }
.wm-quote { font-size: 1.05em; margin: 0 0 0.3rem 0; }
.wm-n { font-weight: 600; color: #0f766e; margin-right: 0.25rem; }
.wm-meta { font-size: 0.86em; opacity: 0.9; }
.wm-title { font-weight: 600; }
.wm-age { display: inline-block; padding: 0 0.5rem; border-radius: 999px; font-weight: 600;
  background: #fef3c7; color: #92400e; white-space: nowrap; }
.wm-age.wm-fresh { background: #dcfce7; color: #166534; }
.wm-card details { margin-top: 0.3rem; font-size: 0.84em; }
.wm-card summary { cursor: pointer; opacity: 0.8; }
.wm-card dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.7rem;
  margin: 0.3rem 0 0 0; }
.wm-card dt { font-weight: 600; }
.wm-card dd { margin: 0; overflow-wrap: anywhere; }
.wm-warning { border: 2px solid #d97706; background: #fffbeb; color: #78350f; border-radius: 8px;
  padding: 0.55rem 0.8rem; }
.wm-warning strong { font-weight: 600; color: inherit; }
#wm-sources { --font-mono: var(--font); }
.wm-abstain { border: 2px dashed #64748b; background: #f1f5f9; color: #1e293b; border-radius: 8px;
  padding: 0.6rem 0.8rem; }
.wm-abstain .wm-head { color: #334155; }
.wm-error { border-left: 4px solid #dc2626; background: #fef2f2; color: #7f1d1d; border-radius: 6px;
  padding: 0.5rem 0.8rem; }
.wm-status, .wm-draft { opacity: 0.75; font-style: italic; }
.wm-worded { font-size: 1.03em; }
.wm-note { font-size: 0.85em; opacity: 0.8; }
.dark .wm-warning { background: #451a03; color: #fde68a; border-color: #f59e0b; }
.dark .wm-abstain { background: #1e293b; color: #e2e8f0; }
.dark .wm-abstain .wm-head { color: #e2e8f0; }
.dark .wm-error { background: #450a0a; color: #fecaca; }
.dark .wm-age { background: #78350f; color: #fef3c7; }
.dark .wm-age.wm-fresh { background: #14532d; color: #dcfce7; }
.dark .wm-answer .wm-head { color: #5eead4; }
.dark .wm-n { color: #5eead4; }
#wm-chat button[aria-label="Copy message"] { display: none; } /* it would copy our HTML, not the text */
"""

PLACEHOLDER = (
    "**Ask a travel-safety question.** I answer only with sentences quoted word for word from the "
    "documents listed under *Sources*, tell you how old they are, and say so when they don't cover "
    "your question."
)


# ---------------------------------------------------------------- text that is safe to show


def esc(text: object) -> str:
    """Text as inert HTML on one line: tags, entities and Markdown markers all display literally."""
    return html.escape(" ".join(str(text).split())).translate(_MARKDOWN_ACTIVE)


def block(css_class: str, *parts: str, role: str = "") -> str:
    """A div of already-escaped parts; one line, so Markdown treats the whole reply as raw HTML."""
    aria = f' role="{role}"' if role else ""
    return f'<div class="{css_class}"{aria}>{"".join(parts)}</div>'


def reply(kind: str, *parts: str) -> str:
    return block(f"wm-reply wm-{kind}", *parts)


def asked_line(result: Answer) -> str:
    """Echo the question (and the search a follow-up became) so a long chat stays readable."""
    line = f"You asked: “{esc(result.question)}”"
    if result.query and result.query != result.question:
        line += f" · searched for: “{esc(result.query)}”"
    return block("wm-asked", line)


def age_badge(c: Citation, stale_years: float) -> str:
    fresh = c.age_years is not None and c.age_years < stale_years
    return f'<span class="wm-age{" wm-fresh" if fresh else ""}">{esc(render.date_phrase(c))}</span>'


def source_details(c: Citation) -> str:
    """What a careful reader needs to find the quote again, folded away by default."""
    rows = [("Publisher", c.publisher), ("Kind", c.kind), ("Section", c.section)]
    rows += [("Dated", c.date), ("How dated", c.date_basis), ("Quoting", c.attribution)]
    rows += [("Source id", c.source_id), ("Characters", f"{c.start}–{c.end}")]
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v)
    if c.url.startswith(("https://", "http://")):
        link = f'<a href="{html.escape(c.url, quote=True)}" target="_blank" rel="noopener noreferrer">'
        items += f"<dt>Link</dt><dd>{link}{esc(c.url)}</a></dd>"
    return f"<details><summary>Source details</summary><dl>{items}</dl></details>"


def citation_card(c: Citation, stale_years: float) -> str:
    """One quote, verbatim, with where and when it comes from."""
    quote = block("wm-quote", f'<span class="wm-n">[{c.n}]</span>“{esc(c.quote)}”')
    meta = [f'<span class="wm-title">{esc(c.title)}</span>', esc(c.publisher)]
    if c.section:
        meta.append(f"section “{esc(c.section)}”")
    if c.page:
        meta.append(f"page {c.page}")
    meta.append(age_badge(c, stale_years))
    meta.append(f"<code>{esc(c.source_id)}</code>")
    return block("wm-card", quote, block("wm-meta", " · ".join(m for m in meta if m)), source_details(c))


def icon(symbol: str) -> str:
    return f'<span class="wm-icon" aria-hidden="true">{symbol}</span>'


def warning_banner(text: str) -> str:
    """The staleness warning as an alert box, its lead ("⚠ Old sources:") in bold."""
    if not text:
        return ""
    lead, colon, rest = text.partition(":")
    body = f"<strong>{esc(lead)}:</strong> {esc(rest)}" if colon and len(lead) < 40 else esc(text)
    return block("wm-warning", body, role="alert")


def answer_heading(result: Answer) -> str:
    sources = len({c.source_id for c in result.citations})
    quotes = len(result.citations)
    counted = f"{quotes} quote{'s' * (quotes != 1)} from {sources} source{'s' * (sources != 1)}"
    return block("wm-head", icon("✓"), f"From my sources — {counted}, word for word:")


def extractive_html(result: Answer, stale_years: float, shown: int | None = None, note: str = "") -> str:
    """The quotes as cards under the warning; ``shown`` limits them while streaming."""
    cards = [citation_card(c, stale_years) for c in result.citations[:shown]]
    head = [asked_line(result), warning_banner(result.warning), answer_heading(result)]
    return reply("answer", *head, *cards, block("wm-note", esc(note)) if note else "")


def answer_frames(result: Answer, stale_years: float) -> Iterator[str]:
    """The reply growing quote by quote, so the first quote shows before the last is laid out."""
    for shown in range(1, len(result.citations)):
        yield extractive_html(result, stale_years, shown)
    yield answer_html(result, stale_years)


def worded_body(result: Answer) -> str:
    """The model's wording without the warning and source list the cards already show."""
    text = result.text.split("\nSources:")[0]
    if result.warning:
        text = text.replace(result.warning, "")
    return "<br>".join(esc(line) for line in text.splitlines() if line.strip())


def answer_html(result: Answer, stale_years: float, note: str = "") -> str:
    """The finished reply: an abstention, the quotes, or verified model wording above its quotes."""
    if result.abstained:
        return abstention_html(result)
    if not result.worded_by:
        return extractive_html(result, stale_years, note=note)
    note = f"Worded by {esc(result.worded_by)} from the quotes below and checked against them"
    if result.dropped_sentences:
        note += f"; {result.dropped_sentences} unsupported sentence(s) removed"
    cards = [citation_card(c, stale_years) for c in result.citations]
    parts = [asked_line(result), warning_banner(result.warning), block("wm-worded", worded_body(result))]
    parts += [block("wm-note", note + "."), block("wm-head", "Sources, word for word:"), *cards]
    return reply("answer", *parts)


def abstention_html(result: Answer) -> str:
    """Visibly not an answer: a dashed grey box with its own icon and heading; near misses, if
    any, folded away underneath (quoted and dated, and flagged as possibly not answering)."""
    head = block("wm-head", icon("?"), "No answer in my sources")
    parts = [asked_line(result), head, block("wm-body", esc(result.text))]
    if result.closest:
        items = "".join(
            f"<li>“{esc(' '.join(c.quote.split()))}” <span class='wm-meta'>{esc(c.title)} · "
            f"{esc(render.date_phrase(c))}</span></li>"
            for c in result.closest
        )
        summary = f"<summary>{esc(render.CLOSEST_HEAD)}</summary>"
        parts.append(f"<details class='wm-closest'>{summary}<ul>{items}</ul></details>")
    return reply("abstain", *parts)


def draft_html(result: Answer, draft: str) -> str:
    note = block("wm-status", "Wording the answer from the quotes; only sentences that check out are shown…")
    return reply("draft", asked_line(result), note, block("wm-draft", esc(draft)))


def error_html(message: str) -> str:
    return reply("error", block("wm-head", icon("!"), esc(message)))


def status_html(text: str) -> str:
    return reply("status", block("wm-status", esc(text)))


# ---------------------------------------------------------------- chat and API


def message_text(content: object) -> str:
    """Plain text of a Gradio message: a string, a {"text": ...} dict, or a list of such parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return message_text(content.get("text", content.get("content", "")))
    if isinstance(content, list | tuple):
        return " ".join(t for t in (message_text(p) for p in content) if t)
    return ""


def user_turns(history: object) -> list[str]:
    """The earlier user questions, oldest first: follow-ups are resolved against these only."""
    turns = []
    for message in history if isinstance(history, list) else []:
        if isinstance(message, dict) and message.get("role") == "user":
            turns.append(message_text(message.get("content")))
        elif isinstance(message, list | tuple) and message:  # legacy [user, bot] pairs
            turns.append(message_text(message[0]))
    return [t for t in turns if is_question(t)][-MAX_TURNS:]


def is_question(text: str) -> bool:
    """Whether an earlier turn can steer a follow-up: one the user got an error for ("???") cannot,
    and passing it on would make every later question fail with the same error."""
    try:
        clean_question(text)
    except QuestionError:
        return False
    return True


def knobs(settings: Settings, stale_years: object, citations: object) -> tuple[float, int]:
    """UI/API values made safe: missing means the configured default; citations kept in 1–10."""
    try:
        years = float(stale_years) if stale_years not in (None, "") else settings.stale_years
    except (TypeError, ValueError):
        years = settings.stale_years
    try:
        count = int(citations) if citations not in (None, "") else settings.citations
    except (TypeError, ValueError):
        count = settings.citations
    return max(0.0, years), min(MAX_CITATIONS, max(1, count))


def worded_frames(answerer: Answerer, result: Answer, stale_years: float) -> Iterator[str]:
    """Stream the model's draft, then replace it with the verified answer (or the quotes on failure)."""
    final, draft = result, ""
    try:
        for item in answerer.wording.stream(result):  # type: ignore[union-attr]
            if isinstance(item, Answer):
                final = item
            elif isinstance(item, str):  # cumulative or delta chunks: accept both
                draft = item if item.startswith(draft) else draft + item
                yield draft_html(result, draft)
    except WaymarkError as exc:
        log.warning("wording failed, showing the quotes instead: %s", exc)
        final = result
    yield answer_html(final, stale_years, note=fallback_note(result, final))


def fallback_note(extractive: Answer, final: Answer) -> str:
    """What the wording step appended when it gave up (e.g. "model timed out; showing the quotes")."""
    if final.worded_by or not final.text.startswith(extractive.text):
        return ""
    return final.text[len(extractive.text) :].strip()


def make_respond(answerer: Answerer) -> Callable[..., Iterator[str]]:
    """The chat function: streams cumulative HTML, and turns every failure into a short message."""

    def respond(message: str, history: list[dict], stale_years: float, citations: int) -> Iterator[str]:
        years, count = knobs(answerer.settings, stale_years, citations)
        try:
            yield status_html("Searching the sources…")
            result = answerer.answer(
                message_text(message), user_turns(history), stale_years=years, citations=count, word=False
            )
            if answerer.wording is None or result.abstained:
                yield from answer_frames(result, years)
            else:
                yield from worded_frames(answerer, result, years)
        except WaymarkError as exc:
            yield error_html(str(exc))
        except Exception:
            log.exception("chat reply failed")
            yield error_html(SOMETHING_BROKE)

    return respond


def make_ask(answerer: Answerer) -> Callable[..., dict]:
    """The /ask endpoint: the structured answer, with history passed explicitly by the script."""

    def ask(question: str, history: list[str], stale_years: float, citations: int) -> dict:
        """Answer QUESTION (earlier user turns in HISTORY, oldest first); returns Answer.as_dict()."""
        years, count = knobs(answerer.settings, stale_years, citations)
        earlier = (
            [h for h in history if isinstance(h, str) and is_question(h)] if isinstance(history, list) else []
        )
        try:
            return answerer.answer(question, earlier, stale_years=years, citations=count).as_dict()
        except WaymarkError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return ask


# ---------------------------------------------------------------- sources tab


def year_fraction(value: DateValue) -> float:
    """A date's position on a year axis; an imprecise date sits mid-way through its span."""
    if value.month is None:
        return value.year + 0.5
    if value.day is None:
        return value.year + (value.month - 0.5) / 12
    return value.year + (dt.date(value.year, value.month, value.day).timetuple().tm_yday - 0.5) / 366


def today_fraction(today: dt.date) -> float:
    return year_fraction(DateValue(today.year, today.month, today.day))


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def age_chart_svg(rows: list[SourceRow], stale_years: float, today: dt.date) -> str:
    """A timeline of source dates with the staleness threshold shaded; plain SVG, no network."""
    dated = [(r, parse_iso_date(r.date)) for r in rows]
    years = [year_fraction(v) for _, v in dated if v]
    now = today_fraction(today)
    cutoff = now - stale_years
    start = int(min([*years, cutoff, now - 1])) - 1
    end = today.year + 1
    left, right, top, row_h = 330, 880, 46, 30
    height = top + row_h * max(1, len(rows)) + 40

    def x(year: float) -> float:
        return left + (min(max(year, start), end) - start) / (end - start) * (right - left)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 920 {height}" width="100%" role="img" '
        f'aria-label="Timeline of when each source was published; sources older than {stale_years:g} years '
        f'trigger a warning" style="max-width:920px;font-family:inherit;font-size:13px">',
        f'<rect x="{left}" y="{top - 14}" width="{x(cutoff) - left:.1f}" height="{height - top - 26}" '
        'fill="#f59e0b" fill-opacity="0.16"/>',
        f'<text x="{left + 4}" y="{top - 20}" fill="#92400e" font-weight="600">'
        f"older than {stale_years:g} years → answers carry a warning</text>",
        f'<line x1="{x(now):.1f}" x2="{x(now):.1f}" y1="{top - 14}" y2="{height - 40}" stroke="#0f766e" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{x(now):.1f}" y="{height - 6}" text-anchor="end" fill="#0f766e">'
        f"today, {esc(today.isoformat())}</text>",
    ]
    step = 1 if end - start <= 12 else 2 if end - start <= 24 else 5
    for year in range(start, end + 1, step):
        parts.append(
            f'<line x1="{x(year):.1f}" x2="{x(year):.1f}" y1="{top - 14}" y2="{height - 40}" '
            'stroke="#94a3b8" stroke-opacity="0.35"/>'
        )
        parts.append(
            f'<text x="{x(year):.1f}" y="{height - 24}" text-anchor="middle" fill="#64748b">{year}</text>'
        )
    for i, (row, value) in enumerate(dated):
        y = top + i * row_h + row_h / 2
        parts.append(
            f'<text x="{left - 10}" y="{y + 4:.1f}" text-anchor="end" fill="currentColor">'
            f"<title>{esc(row.title)}</title>{esc(shorten(row.title, 38))}</text>"
        )
        if value is None:
            parts.append(f'<text x="{left + 6}" y="{y + 4:.1f}" fill="#64748b">undated</text>')
            continue
        stale = row.age_years is None or row.age_years >= stale_years
        color = "#d97706" if stale else "#16a34a"
        cx = x(year_fraction(value))
        label = f"{value.human()} · {row.age}"
        anchor = "end" if cx > right - 150 else "start"
        dx = -10 if anchor == "end" else 10
        parts.append(f'<circle cx="{cx:.1f}" cy="{y:.1f}" r="7" fill="{color}"/>')
        parts.append(
            f'<text x="{cx + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" fill="currentColor">'
            f"{esc(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def sources_summary(rows: list[SourceRow], stale_years: float) -> str:
    """One sentence on what is indexed and how old it is, as Markdown with escaped values."""
    dated = sorted((v.sort_key(), v.human()) for v in (parse_iso_date(r.date) for r in rows) if v)
    passages = sum(r.passages for r in rows)
    text = f"**{len(rows)} documents · {passages} passages indexed.** "
    if dated:
        text += f"Oldest: {esc(dated[0][1])}. Newest: {esc(dated[-1][1])}. "
    stale = sum(1 for r in rows if r.age_years is None or r.age_years >= stale_years)
    older = f"{stale} of {len(rows)} are older than {stale_years:g} years (or undated)"
    return text + older + ": answers quoting them carry a warning."


def sources_table(rows: list[SourceRow]) -> list[list]:
    def when(date: str) -> str:
        value = parse_iso_date(date)
        return value.human() if value else "unknown"

    return [[r.title, r.publisher, r.kind, when(r.date), r.age, r.passages, r.source_id] for r in rows]


SOURCE_HEADERS = ["Title", "Publisher", "Kind", "Published", "Age", "Passages", "Source id"]


# ---------------------------------------------------------------- app and launch


def build_app(settings: Settings, answerer: Answerer | None = None) -> gr.Blocks:
    """The whole UI around one shared Answerer (loading its embedding model is the slow part)."""
    answerer = answerer or Answerer(settings)
    sources_view = make_sources_view(settings, answerer)
    with gr.Blocks(
        title="Waymark — travel safety, quoted from dated sources", analytics_enabled=False
    ) as app:
        gr.Markdown(
            "# Waymark\nTravel-safety answers you can check: every sentence is quoted from a named, "
            "dated source, old sources come with a warning, and when the sources don't say, I say so."
        )
        stale, cites = answer_controls(settings)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat_interface(answerer, [stale, cites])
            with gr.Tab("Sources", id="sources"):
                views = sources_tab(*sources_view(settings.stale_years))
                if upload_allowed(settings):
                    manage_sources(settings, answerer, sources_view, stale, views, app)
                else:
                    gr.Markdown(UPLOAD_OFF, elem_id="wm-upload-off")
        app.load(sources_view, [stale], views, api_visibility="private")  # fresh after a re-index
        stale.change(sources_view, [stale], views, api_visibility="private")  # threshold line follows
        gr.api(make_ask(answerer), api_name="ask", concurrency_limit=CONCURRENCY)
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app


def answer_controls(settings: Settings) -> tuple[gr.Slider, gr.Slider]:
    """The two knobs a user may turn; unrendered, so the chat shows them in its settings accordion."""
    stale = gr.Slider(
        0,
        MAX_STALE_YEARS,
        value=min(MAX_STALE_YEARS, settings.stale_years),
        step=0.5,
        render=False,
        label="Warn when the newest source is older than (years)",
    )
    cites = gr.Slider(
        1,
        MAX_CITATIONS,
        value=min(MAX_CITATIONS, settings.citations),
        step=1,
        render=False,
        label="Most quotes per answer",
    )
    return stale, cites


def chat_interface(answerer: Answerer, controls: list[gr.Slider]) -> gr.ChatInterface:
    """Streaming chat exposed as /chat; the Chatbot sanitizes too, as a second line behind esc()."""
    return gr.ChatInterface(
        make_respond(answerer),
        chatbot=gr.Chatbot(
            elem_id="wm-chat",
            height=560,
            sanitize_html=True,
            allow_tags=False,
            render_markdown=True,
            latex_delimiters=[],
            placeholder=PLACEHOLDER,
            buttons=[],
            feedback_options=None,
            show_label=False,
        ),
        textbox=gr.Textbox(
            elem_id="wm-question",
            placeholder="Ask about safety, police, taxis, clinics…",
            show_label=False,
            max_lines=4,
            submit_btn=True,
        ),
        additional_inputs=controls,
        additional_inputs_accordion="Answer settings",
        examples=[[q, None, None] for q in EXAMPLES],  # no slider values: clicking keeps the user's
        cache_examples=False,
        api_name="chat",
        concurrency_limit=CONCURRENCY,
        fill_height=False,
    )


def make_sources_view(
    settings: Settings, answerer: Answerer
) -> Callable[[float], tuple[str, str, list[list]]]:
    """Summary, age chart and table of the indexed documents for a given staleness threshold."""

    def sources_view(stale_years: float) -> tuple[str, str, list[list]]:
        years, _ = knobs(settings, stale_years, None)
        try:
            rows = catalog(settings, answerer.handle)
        except WaymarkError as exc:  # e.g. the Chroma server went away: say so, keep the page
            return f"**Sources unavailable:** {esc(exc)}", "", []
        return (
            sources_summary(rows, years),
            age_chart_svg(rows, years, settings.current_date()),
            sources_table(rows),
        )

    return sources_view


def sources_tab(summary: str, chart: str, table: list[list]) -> list[gr.Component]:
    return [
        gr.Markdown(summary, elem_id="wm-sources-summary"),
        gr.HTML(chart, elem_id="wm-age-chart"),
        gr.Dataframe(
            table,
            headers=SOURCE_HEADERS,
            interactive=False,
            wrap=True,
            column_widths=["25%", "22%", "11%", "11%", "10%", "9%", "12%"],
            elem_id="wm-sources",
        ),
    ]


# ---------------------------------------------------------------- adding and removing documents

UPLOAD_OFF = (
    "*Adding documents here is off.* Start the chat with `waymark chat --allow-upload`, or set "
    "`WAYMARK_AUTH=user:password` so only people who log in can add or remove documents. "
    "From a terminal: `waymark add FILE-or-URL` and `waymark remove ID`."
)
UPLOAD_FAILED = "could not be added because something went wrong on my side; nothing was changed."


def upload_allowed(settings: Settings) -> bool:
    """Uploads change what everyone is answered from: only behind a login, or when asked for."""
    return bool(settings.auth) or settings.allow_upload


def pick_up_new_index(answerer: Answerer) -> None:
    """Let the very next question see the generation just built, instead of within IndexHandle's
    re-check interval (it re-reads the index pointer every couple of seconds)."""
    handle = getattr(answerer, "handle", None)
    if isinstance(handle, IndexHandle):
        handle.invalidate()


def uploaded_paths(files: object) -> list[str]:
    """Paths from gr.File, whether it hands over one path, a list, or file dicts/objects."""
    if not files:
        return []
    items = files if isinstance(files, list | tuple) else [files]
    paths = []
    for item in items:
        path = item.get("path") if isinstance(item, dict) else getattr(item, "path", item)
        if isinstance(path, str | Path):
            paths.append(str(path))
    return paths


def make_source_manager(
    settings: Settings, answerer: Answerer, sources_view: Callable
) -> tuple[Callable, ...]:
    """The upload and remove handlers: one change at a time, each re-indexing incrementally and
    taking itself back if that fails (index.add), then refreshing the Sources views."""
    busy = threading.Lock()

    def reindex(warn: Callable[[str], None]) -> None:
        from index.build import build_index

        build_index(settings, warn=warn)

    def outputs(stale_years: float, lines: list[str]) -> tuple:
        pick_up_new_index(answerer)
        summary, chart, table = sources_view(stale_years)
        ids = [row[-1] for row in table]
        status = "\n\n".join(lines)
        return status, summary, chart, table, gr.Dropdown(choices=ids, value=None)

    def upload(files: object, stale_years: float) -> tuple:
        lines = []
        with busy:
            for path in uploaded_paths(files):
                name = Path(path).name
                try:
                    added = add_source(
                        Path(path),
                        settings.corpus_dir,
                        name=name,
                        max_bytes=settings.max_upload_bytes,
                        today=settings.current_date(),
                        reindex=reindex,
                    )
                    lines.append(("✓ " if not added.duplicate else "= ") + esc(added.line()))
                except WaymarkError as exc:
                    lines.append(f"✗ {esc(exc)}")
                except Exception:
                    log.exception("upload of %s failed", name)
                    lines.append(f"✗ {esc(name)} {UPLOAD_FAILED}")
        return (*outputs(stale_years, lines), None)

    def remove(doc_id: str | None, stale_years: float) -> tuple:
        if not doc_id:
            return outputs(stale_years, ["Choose a document to remove first."])
        with busy:
            try:
                entry = remove_source(str(doc_id), settings.corpus_dir, reindex=reindex)
                title = entry.get("title")
                line = f"✓ Removed {esc(doc_id)}" + (f" (“{esc(title)}”)" if title else "")
            except WaymarkError as exc:
                line = f"✗ {esc(exc)}"
            except Exception:
                log.exception("removing %s failed", doc_id)
                line = (
                    f"✗ {esc(doc_id)} could not be removed because something went wrong; nothing was changed."
                )
        return outputs(stale_years, [line])

    def source_ids() -> gr.Dropdown:
        _, _, table = sources_view(settings.stale_years)
        return gr.Dropdown(choices=[row[-1] for row in table], value=None)

    return upload, remove, source_ids


def manage_sources(
    settings: Settings,
    answerer: Answerer,
    sources_view: Callable,
    stale: gr.Slider,
    views: list[gr.Component],
    app: gr.Blocks,
) -> None:
    """The upload box and the remove control under the sources table."""
    upload, remove, source_ids = make_source_manager(settings, answerer, sources_view)
    limit = f"{settings.max_upload_mb:g} MB"
    gr.Markdown(
        f"### Add or remove documents\nPDF, HTML, Markdown or text, up to {limit} each. An added "
        "document is indexed at once and can be quoted in the next answer; fill in or correct its "
        "title, publisher and date in `manifest.yaml` in the corpus folder.",
        elem_id="wm-upload-help",
    )
    files = gr.File(
        label="Add documents",
        file_count="multiple",
        file_types=list(SUPPORTED_SUFFIXES),
        type="filepath",
        height=150,
        elem_id="wm-upload",
    )
    status = gr.Markdown("", elem_id="wm-upload-status")
    with gr.Row(equal_height=True):
        choice = gr.Dropdown(
            choices=[], value=None, label="Remove a document", scale=3, elem_id="wm-remove-id"
        )
        button = gr.Button("Remove", variant="stop", scale=1, elem_id="wm-remove")
    shown = [status, *views, choice]
    files.upload(upload, [files, stale], [*shown, files], api_visibility="private", concurrency_limit=1)
    button.click(remove, [choice, stale], shown, api_visibility="private", concurrency_limit=1)
    app.load(source_ids, None, choice, api_visibility="private")


def parse_auth(raw: str | None) -> tuple[str, str] | None:
    """WAYMARK_AUTH "user:password" as Gradio's auth pair; a malformed value is an error, not no login."""
    if not raw:
        return None
    user, sep, password = raw.partition(":")
    if not (sep and user and password):
        raise WaymarkError("WAYMARK_AUTH must look like user:password (both parts non-empty).")
    return user, password


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(settings: Settings, share: bool) -> str:
    """What to tell the person starting the chat when others could reach it without a login."""
    if settings.auth:
        return ""
    uploads = " --allow-upload lets them add and remove documents too." if settings.allow_upload else ""
    if share:
        return (
            "Warning: --share opens a public link and no login is set; anyone with the link can use it. "
            "Set WAYMARK_AUTH=user:password to require one." + uploads
        )
    if not is_loopback(settings.host):
        return (
            f"Warning: the chat listens on {settings.host}, reachable from other machines, with no login. "
            "Set WAYMARK_AUTH=user:password to require one." + uploads
        )
    return ""


def launch_options(settings: Settings, share: bool = False) -> dict:
    """Keyword arguments for ``Blocks.launch``: bind address, login, look, and nothing that phones home."""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": share,
        "auth": parse_auth(settings.auth),
        "auth_message": "Waymark: log in with the user and password you were given.",
        "theme": gr.themes.Default(primary_hue="teal", font=SYSTEM_FONTS),  # no requests to font CDNs
        "css": CSS,
        "footer_links": ["api"],
        "ssr_mode": False,
        "pwa": False,
        "mcp_server": False,
        "show_error": False,
        "max_file_size": settings.max_upload_bytes,  # larger uploads are refused before they are saved
    }


def launch(settings: Settings, share: bool = False) -> None:
    """Serve the chat until interrupted; loopback only unless --host/--share says otherwise."""
    options = launch_options(settings, share)
    warning = exposure_warning(settings, share)
    if warning:
        print(warning, file=sys.stderr)
    build_app(settings).launch(**options)
