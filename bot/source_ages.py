"""How old the indexed sources are, for the chat's Sources tab: a one-line summary, the table rows,
and a hand-drawn SVG timeline with the staleness threshold shaded. Pure functions, no Gradio.

The timeline is plain SVG text, so the page needs no charting library and makes no request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cards import esc
from index.dates import DateValue, parse_iso_date

if TYPE_CHECKING:
    from bot.catalog import SourceRow

SOURCE_HEADERS = ["Title", "Publisher", "Kind", "Published", "Age", "Passages", "Source id"]
LEFT, RIGHT, TOP, ROW_H = 330, 880, 46, 30  # the timeline's geometry, in units of its 920-wide viewBox
STALE, FRESH = "#d97706", "#16a34a"  # amber: answers quoting it carry a warning


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
    """One row per document, in ``SOURCE_HEADERS`` order, its date as people write it."""

    def when(date: str) -> str:
        value = parse_iso_date(date)
        return value.human() if value else "unknown"

    return [[r.title, r.publisher, r.kind, when(r.date), r.age, r.passages, r.source_id] for r in rows]


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


@dataclass(frozen=True)
class Axis:
    """The years ``start``..``end`` laid out from x=LEFT to x=RIGHT; dates outside are clamped."""

    start: int
    end: int

    def x(self, year: float) -> float:
        span = min(max(year, self.start), self.end) - self.start
        return LEFT + span / (self.end - self.start) * (RIGHT - LEFT)


def age_chart_svg(rows: list[SourceRow], stale_years: float, today: dt.date) -> str:
    """A timeline of source dates with the staleness threshold shaded; plain SVG, no network."""
    dated = [(r, parse_iso_date(r.date)) for r in rows]
    years = [year_fraction(v) for _, v in dated if v]
    now = today_fraction(today)
    axis = Axis(int(min([*years, now - stale_years, now - 1])) - 1, today.year + 1)
    height = TOP + ROW_H * max(1, len(rows)) + 40
    parts = [*chart_frame(axis, height, stale_years, today), *year_grid(axis, height)]
    for i, (row, value) in enumerate(dated):
        parts += source_mark(axis, TOP + i * ROW_H + ROW_H / 2, row, value, stale_years)
    return "".join([*parts, "</svg>"])


def chart_frame(axis: Axis, height: int, stale_years: float, today: dt.date) -> list[str]:
    """The opening tag, the shaded stale zone with its caption, and the dashed line for today."""
    now = axis.x(today_fraction(today))
    stale_width = axis.x(today_fraction(today) - stale_years) - LEFT
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 920 {height}" width="100%" role="img" '
        f'aria-label="Timeline of when each source was published; sources older than {stale_years:g} years '
        f'trigger a warning" style="max-width:920px;font-family:inherit;font-size:13px">',
        f'<rect x="{LEFT}" y="{TOP - 14}" width="{stale_width:.1f}" height="{height - TOP - 26}" '
        'fill="#f59e0b" fill-opacity="0.16"/>',
        f'<text x="{LEFT + 4}" y="{TOP - 20}" fill="#92400e" font-weight="600">'
        f"older than {stale_years:g} years → answers carry a warning</text>",
        f'<line x1="{now:.1f}" x2="{now:.1f}" y1="{TOP - 14}" y2="{height - 40}" stroke="#0f766e" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{now:.1f}" y="{height - 6}" text-anchor="end" fill="#0f766e">'
        f"today, {esc(today.isoformat())}</text>",
    ]


def year_grid(axis: Axis, height: int) -> list[str]:
    """A faint vertical line and a label every 1, 2 or 5 years, whichever keeps the labels apart."""
    years = axis.end - axis.start
    step = 1 if years <= 12 else 2 if years <= 24 else 5
    parts = []
    for year in range(axis.start, axis.end + 1, step):
        x = axis.x(year)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 14}" y2="{height - 40}" '
            'stroke="#94a3b8" stroke-opacity="0.35"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{height - 24}" text-anchor="middle" fill="#64748b">{year}</text>')
    return parts


def source_mark(
    axis: Axis, y: float, row: SourceRow, value: DateValue | None, stale_years: float
) -> list[str]:
    """One source's row: its title on the left, then a dot at its date (amber if stale) and its age."""
    parts = [
        f'<text x="{LEFT - 10}" y="{y + 4:.1f}" text-anchor="end" fill="currentColor">'
        f"<title>{esc(row.title)}</title>{esc(shorten(row.title, 38))}</text>"
    ]
    if value is None:
        return [*parts, f'<text x="{LEFT + 6}" y="{y + 4:.1f}" fill="#64748b">undated</text>']
    stale = row.age_years is None or row.age_years >= stale_years
    cx = axis.x(year_fraction(value))
    anchor = "end" if cx > RIGHT - 150 else "start"
    dx = -10 if anchor == "end" else 10
    return [
        *parts,
        f'<circle cx="{cx:.1f}" cy="{y:.1f}" r="7" fill="{STALE if stale else FRESH}"/>',
        f'<text x="{cx + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" fill="currentColor">'
        f"{esc(f'{value.human()} · {row.age}')}</text>",
    ]
