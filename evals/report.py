"""A Markdown eval report a person would rather look at: a chart, a table, the failures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evals.suite import CHECKS

if TYPE_CHECKING:
    from evals.runner import Report


def markdown_report(report: Report) -> str:
    s = report.summary()
    shares = [round(100 * s[c]["passed"] / s[c]["total"]) if s[c]["total"] else 100 for c in CHECKS]
    lines = [
        "# Waymark eval report",
        "",
        f"Corpus: `{report.corpus}` — {s['passed']}/{s['cases']} cases passed.",
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Checks passed (%)"',
        f"    x-axis [{', '.join(CHECKS)}]",
        '    y-axis "passed %" 0 --> 100',
        f"    bar [{', '.join(map(str, shares))}]",
        "```",
        "",
        "| check | passed | total | share |",
        "|---|---|---|---|",
    ]
    for check, share in zip(CHECKS, shares, strict=True):
        lines.append(f"| {check} | {s[check]['passed']} | {s[check]['total']} | {share}% {_bar(share)} |")
    f = s["faithfulness"]
    lines += ["", f"Quote faithfulness: {f['faithful']}/{f['quotes']} ({f['share']:.1%}) exact substrings."]
    if s["latency_ms"]:
        lines.append(f"Latency: p50 {s['latency_ms']['p50']:.1f} ms, p95 {s['latency_ms']['p95']:.1f} ms.")
    failed = [c for c in report.cases if not c.passed]
    if failed:
        lines += ["", "## Failures", ""]
        lines += [f"- **{c.id}** — {c.question}: {'; '.join(c.failures)}" for c in failed]
    return "\n".join(lines) + "\n"


def _bar(share: int) -> str:
    return "█" * (share // 10) + "░" * (10 - share // 10)
