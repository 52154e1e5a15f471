"""HTML for the chat's replies: quotes as citation cards, the staleness banner, abstentions,
drafts and errors, and the CSS that styles them. Pure functions, no Gradio.

Every string a document or a user wrote is escaped here (``esc``) before it reaches the page:
Gradio returns our replies verbatim to API clients and only sanitizes them in the browser, so
escaping is the one defence that holds everywhere.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot import render

if TYPE_CHECKING:
    from bot.answer import Answer, Citation

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
