"""Answer or abstain (issues 12 and 19): the README section and the SQuAD threshold-curve SVG,
rendered from the summary ``benchmarks/answerability.py`` measures (``benchmarks/answerability.json``)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.answerability_targets import BEFORE, BEFORE19, TARGETS, TARGETS19

SVG = Path(__file__).resolve().parent / "answerability-curve.svg"
SECTION = "answerability"

# ---------------------------------------------------------------- curves

SYSTEMS = (
    ("waymark", "Waymark", "#1f6feb"),
    ("baseline", "baseline (cut-off)", "#d9480f"),
    ("reranked", "baseline + reader", "#7048e8"),
)
RATES = (  # key, denominator, label, dash pattern
    ("hit", "answerable", "hit on answerable", ""),
    ("abstain_impossible", "impossible", "abstains on impossible", "7 3"),
    ("abstain_answerable", "answerable", "abstains on answerable", "2 3"),
)


class Panel:
    """One square plot area with 0..1 on both axes, drawn into ``out``."""

    def __init__(self, out: list[str], x0: float, y0: float, size: float) -> None:
        self.out, self.x0, self.y0, self.size = out, x0, y0, size

    def x(self, v: float) -> float:
        return self.x0 + v * self.size

    def y(self, v: float) -> float:
        return self.y0 + (1 - v) * self.size

    def frame(self, title: str, xlabel: str, ylabel: str) -> None:
        o, s = self.out, self.size
        o.append(f'<text x="{self.x(0.5):.1f}" y="{self.y0 - 10:.1f}" text-anchor="middle">{title}</text>')
        for i in range(0, 11, 2):
            v = i / 10
            o.append(
                f'<line x1="{self.x(v):.1f}" y1="{self.y(0):.1f}" x2="{self.x(v):.1f}" '
                f'y2="{self.y(1):.1f}" stroke="#eee"/>'
            )
            o.append(
                f'<line x1="{self.x(0):.1f}" y1="{self.y(v):.1f}" x2="{self.x(1):.1f}" '
                f'y2="{self.y(v):.1f}" stroke="#eee"/>'
            )
            o.append(f'<text x="{self.x(v):.1f}" y="{self.y(0) + 16:.1f}" text-anchor="middle">{v:g}</text>')
            o.append(f'<text x="{self.x0 - 6:.1f}" y="{self.y(v) + 4:.1f}" text-anchor="end">{v:.0%}</text>')
        o.append(f'<rect x="{self.x0}" y="{self.y0}" width="{s}" height="{s}" fill="none" stroke="#888"/>')
        o.append(f'<text x="{self.x(0.5):.1f}" y="{self.y(0) + 34:.1f}" text-anchor="middle">{xlabel}</text>')
        o.append(
            f'<text x="{self.x0 - 42:.1f}" y="{self.y(0.5):.1f}" text-anchor="middle" '
            f'transform="rotate(-90 {self.x0 - 42:.1f} {self.y(0.5):.1f})">{ylabel}</text>'
        )

    def line(self, points: list[tuple[float, float]], color: str, dash: str = "", width: float = 2) -> None:
        xy = " ".join(f"{self.x(a):.1f},{self.y(b):.1f}" for a, b in points)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.out.append(
            f'<polyline points="{xy}" fill="none" stroke="{color}" stroke-width="{width}"{extra}/>'
        )

    def dot(self, a: float, b: float, color: str, filled: bool = True) -> None:
        fill = color if filled else "white"
        self.out.append(
            f'<circle cx="{self.x(a):.1f}" cy="{self.y(b):.1f}" r="5" fill="{fill}" stroke="{color}" '
            'stroke-width="2"/>'
        )


def curve_svg(summary: dict) -> str:
    """Two panels from the SQuAD curves: hit on answerable against abstention on impossible (the
    trade-off, comparable across systems), and the three rates against the threshold / cut-off."""
    sq = summary["squad"]
    systems = [s for s in SYSTEMS if s[0] in sq["curves"]]
    width, height, size = 1000, 600, 380
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">SQuAD v2 sample '
        f"({sq['waymark']['hit']['total']} answerable, {sq['waymark']['abstain_impossible']['total']} "
        "impossible): answer or abstain at every threshold</text>",
    ]
    left = Panel(out, 80, 60, size)
    left.frame("trade-off", "abstains on impossible", "answer hit on answerable")
    target_box(out, left)
    for key, _label, color in systems:
        curve = sq["curves"][key]
        left.line(
            [(p["abstain_impossible"] / p["impossible"], p["hit"] / p["answerable"]) for p in curve], color
        )
        left.dot(sq[key]["abstain_impossible"]["rate"], sq[key]["hit"]["rate"], color)
    for before, name in ((BEFORE, "before issue 12"), (BEFORE19, "before issue 19")):
        bx, by = _share(before["squad_abstain_impossible"]), _share(before["squad_hit"])
        left.dot(bx, by, "#555", filled=False)
        out.append(f'<text x="{left.x(bx) + 9:.1f}" y="{left.y(by) + 4:.1f}" fill="#555">{name}</text>')

    right = Panel(out, 80 + size + 120, 60, size)
    right.frame("rates vs threshold", "Waymark t / reader p / baseline cosine cut-off", "share of questions")
    for key, _label, color in systems:
        curve = [p for p in sq["curves"][key] if 0 <= p["t"] <= 1]
        for rate, total, _name, dash in RATES:
            right.line([(p["t"], p[rate] / p[total]) for p in curve], color, dash, width=1.8)
        t = sq[key].get("operating_point")
        if t is not None and 0 <= t <= 1:
            right.line([(t, 0), (t, 1)], color, "1 4", width=1)

    y = height - 90
    legend(out, y, [(label, color, "") for _k, label, color in systems])
    legend(out, y + 22, [(n, "#444", d) for _r, _t, n, d in RATES])
    notes = (
        "Dots: operating points (Waymark: calibrated threshold; baseline: cut-off tuned on the "
        "training validation; + reader: the reader's threshold).",
        "Open circles: Waymark before issues 12 and 19; dotted verticals: the same thresholds.",
    )
    for i, note in enumerate(notes):
        out.append(f'<text x="80" y="{y + 46 + 18 * i}" fill="#555">{note}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def target_box(out: list[str], panel: Panel) -> None:
    """Issue 19's SQuAD targets as a shaded corner of the trade-off panel."""
    tx, ty = TARGETS19["squad_abstain_impossible"][1], TARGETS19["squad_hit"][1]
    out.append(
        f'<rect x="{panel.x(tx):.1f}" y="{panel.y(1):.1f}" width="{panel.x(1) - panel.x(tx):.1f}" '
        f'height="{panel.y(ty) - panel.y(1):.1f}" fill="#2f9e44" fill-opacity="0.08" stroke="#2f9e44" '
        'stroke-dasharray="4 3"/>'
    )
    out.append(
        f'<text x="{panel.x(1) - 5:.1f}" y="{panel.y(1) + 15:.1f}" text-anchor="end" '
        'fill="#2f9e44">target (issue 19)</text>'
    )


def legend(out: list[str], y: float, entries: list[tuple[str, str, str]]) -> None:
    """One row of line samples with their labels."""
    x = 80.0
    for label, color, dash in entries:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{color}" stroke-width="2"{extra}/>'
        )
        out.append(f'<text x="{x + 29}" y="{y + 4}">{label}</text>')
        x += 50 + 7 * len(label)


def _share(p: tuple[int, int]) -> float:
    return p[0] / p[1]


# ---------------------------------------------------------------- README


def frac(c: dict | None, digits: int = 1) -> str:
    """``passed/total (rate)``; a count with its percentage."""
    if not c or not c.get("total"):
        return "–"
    return f"{c['passed']:g}/{c['total']} ({c['passed'] / c['total']:.{digits}%})"


def pair(p: tuple[int, int]) -> str:
    return f"{p[0]}/{p[1]} ({p[0] / p[1]:.1%})"


def ms(v: float | None) -> str:
    return "–" if v is None else f"{v:,.1f} ms"


def meets(key: str, value: float | None, targets: dict = TARGETS) -> str:
    if value is None:
        return "not measured"
    op, limit = targets[key]
    ok = value >= limit - 1e-9 if op == ">=" else value <= limit + 1e-9
    return "**met**" if ok else "**not met**"


def _rate(c: dict | None) -> float | None:
    return c["passed"] / c["total"] if c and c.get("total") else None


def goal(key: str, show) -> str:
    """Issue 19's target for ``key`` as the README shows it (``show`` formats the limit)."""
    op, limit = TARGETS19[key]
    return f"{'≥' if op == '>=' else '≤'} {show(limit)}"


def auc(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def percent(v: float) -> str:
    return f"{v:.0%}"


def issue19_rows(s: dict) -> list[str]:
    """Issue 19's table: before (the logistic model of issue 12), now, target, verdict."""
    nat, dev, conv = s["natural"]["waymark"], s["dev"]["waymark"], s["conversation"]["waymark"]
    b, lost, alone = BEFORE19, conv["all"]["lost"], s["conversation"]["standalone"]
    v = dev["verbatim"]
    rows = [
        (
            "dev · cases passed",
            f"{b['dev_passed'][0]}/{b['dev_passed'][1]}",
            f"{dev['passed']['passed']}/{dev['passed']['total']}",
            goal("dev_passed", lambda x: f"{x}/100"),
            meets("dev_passed", dev["passed"]["passed"], TARGETS19),
        ),
        (
            "dev · forbid",
            pair(b["dev_forbid"]),
            frac(dev["forbid"]),
            percent(TARGETS19["dev_forbid"][1]),
            meets("dev_forbid", _rate(dev["forbid"]), TARGETS19),
        ),
        (
            "dev · quotes verbatim",
            pair(b["dev_verbatim"]),
            f"{v['faithful']}/{v['quotes']} ({v['rate'] or 0:.1%})",
            percent(TARGETS19["dev_verbatim"][1]),
            meets("dev_verbatim", v["rate"], TARGETS19),
        ),
        (
            "natural · fact found",
            pair(b["natural_fact"]),
            frac(nat["fact"]),
            goal("natural_fact", percent),
            meets("natural_fact", _rate(nat["fact"]), TARGETS19),
        ),
        (
            "natural · abstention correct",
            pair(b["natural_abstain"]),
            frac(nat["abstention_correct"]),
            goal("natural_abstain", percent),
            meets("natural_abstain", _rate(nat["abstention_correct"]), TARGETS19),
        ),
        (
            "natural · question-level AUC ²",
            f"{b['natural_auc']:.2f}",
            f"{auc(nat.get('auc'))} (threshold-free {auc(nat.get('auc_threshold_free'))})",
            goal("natural_auc", lambda x: f"{x:.2f}"),
            meets("natural_auc", nat.get("auc"), TARGETS19),
        ),
    ]
    rows += issue19_squad_rows(s)
    w = s["warm"]["waymark"]
    rows += [
        (
            "conversation variant (dev + natural) · standalone cases lost",
            str(b["conversation_lost"]),
            f"{lost} ({conv['dev']['lost']} of {alone['dev']} dev, "
            f"{conv['natural']['lost']} of {alone['natural']} natural; gained {conv['all']['gained']})",
            str(TARGETS19["conversation_lost"][1]),
            meets("conversation_lost", lost, TARGETS19),
        ),
        (
            "warm answer p95, dev suite",
            ms(b["warm_p95_ms"]),
            f"{ms(w['p95'])} (p50 {ms(w['p50'])}; {w['p95'] / b['warm_p95_ms']:.1f}× before)",
            goal("warm_p95_ms", lambda x: f"{x:g} ms"),
            meets("warm_p95_ms", w["p95"], TARGETS19),
        ),
    ]
    lines = ["| measure | before | now | target | verdict |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows]
    return lines


def issue19_squad_rows(s: dict) -> list[tuple[str, ...]]:
    sq = (s.get("squad") or {}).get("waymark")
    spec = (
        ("hit", "squad_hit", "answer hit on answerable"),
        ("abstain_impossible", "squad_abstain_impossible", "abstains on impossible"),
        ("abstain_answerable", "squad_abstain_answerable", "abstains on answerable"),
    )
    if not sq:
        return [(f"SQuAD · {n}", pair(BEFORE19[k]), "not run", goal(k, percent), "") for _, k, n in spec]
    return [
        (
            f"SQuAD · {name}",
            pair(BEFORE19[key]),
            frac(sq[figure]),
            goal(key, percent),
            meets(key, _rate(sq[figure]), TARGETS19),
        )
        for figure, key, name in spec
    ]


def issue12_rows(s: dict) -> list[str]:
    """Issue 12's table: before (the rule-based answerer), now, its targets, verdict."""
    nat, dev, conv = s["natural"]["waymark"], s["dev"]["waymark"], s["conversation"]["waymark"]
    sq = (s.get("squad") or {}).get("waymark")
    lost = conv["all"]["lost"]
    alone = s["conversation"]["standalone"]
    b = BEFORE["conversation_lost"]
    rows = [
        (
            "natural · fact found",
            pair(BEFORE["natural_fact"]),
            frac(nat["fact"]),
            "≥ 90%",
            meets("natural_fact", _rate(nat["fact"])),
        ),
        (
            "natural · abstention correct",
            pair(BEFORE["natural_abstain"]),
            frac(nat["abstention_correct"]),
            "≥ 95%",
            meets("natural_abstain", _rate(nat["abstention_correct"])),
        ),
        (
            "natural · abstained on answerable (lower is better)",
            pair(BEFORE["natural_abstained_answerable"]),
            frac(nat["abstained_on_answerable"]),
            "–",
            "",
        ),
        (
            "conversation variant (dev + natural) · standalone cases lost",
            f"{b['total']} ({b['dev'][0]} of {b['dev'][1]} dev, "
            f"{b['natural'][0]} of {b['natural'][1]} natural)",
            f"{lost} ({conv['dev']['lost']} of {alone['dev']} dev, "
            f"{conv['natural']['lost']} of {alone['natural']} natural; "
            f"gained {conv['all']['gained']})",
            "0",
            meets("conversation_lost", lost),
        ),
        (
            "dev · cases passed",
            f"{BEFORE['dev_passed'][0]}/{BEFORE['dev_passed'][1]}",
            f"{dev['passed']['passed']}/{dev['passed']['total']}",
            "≥ 97/100",
            meets("dev_passed", dev["passed"]["passed"]),
        ),
        (
            "dev · forbid",
            f"{BEFORE['dev_forbid'][0]}/{BEFORE['dev_forbid'][1]}",
            frac(dev["forbid"]),
            "100%",
            meets("dev_forbid", _rate(dev["forbid"])),
        ),
        (
            "dev · quotes verbatim",
            f"{BEFORE['dev_verbatim']:.0%}",
            f"{dev['verbatim']['faithful']}/{dev['verbatim']['quotes']} ({dev['verbatim']['rate'] or 0:.1%})",
            "100%",
            meets("dev_verbatim", dev["verbatim"]["rate"]),
        ),
    ]
    if sq:
        rows += [
            (
                "SQuAD · answer hit on answerable",
                pair(BEFORE["squad_hit"]),
                frac(sq["hit"]),
                "≥ 80%",
                meets("squad_hit", _rate(sq["hit"])),
            ),
            (
                "SQuAD · abstains on impossible",
                pair(BEFORE["squad_abstain_impossible"]),
                frac(sq["abstain_impossible"]),
                "≥ 60%",
                meets("squad_abstain_impossible", _rate(sq["abstain_impossible"])),
            ),
            (
                "SQuAD · abstains on answerable",
                pair(BEFORE["squad_abstain_answerable"]),
                frac(sq["abstain_answerable"]),
                "≤ 10%",
                meets("squad_abstain_answerable", _rate(sq["abstain_answerable"])),
            ),
        ]
    w = s["warm"]["waymark"]
    rows.append(
        (
            "warm answer p95, dev suite",
            ms(BEFORE["warm_p95_ms"]),
            f"{ms(w['p95'])} (p50 {ms(w['p50'])}; {s['warm']['ratio_p95_before']:.1f}× before)",
            "≤ 60 ms",
            meets("warm_p95_ms", w["p95"]),
        )
    )
    lines = ["| measure | before | now | target | verdict |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows]
    return lines


def side_by_side(s: dict) -> list[str]:
    """Waymark, the cut-off baseline and the baseline reranked by the reader, measure by measure."""
    n, d, c = s["natural"], s["dev"], s["conversation"]
    r = {"natural": n.get("reranked"), "dev": d.get("reranked")}
    lines = [
        "| measure | Waymark (calibrated threshold) | baseline (top-1 cut-off) | baseline + reader ³ |",
        "|---|---|---|---|",
    ]

    def row(name: str, w: str, b: str, rr: str) -> None:
        lines.append(f"| {name} | {w} | {b} | {rr} |")

    def figures(suite: str, key: str, name: str, mark: str = "") -> None:
        reread = frac(r[suite][key]) if r[suite] else "–"
        row(name, frac(s[suite]["waymark"][key]), frac(s[suite]["baseline"][key]) + mark, reread)

    figures("natural", "fact", "natural · fact found")
    figures("natural", "abstention_correct", "natural · abstention correct")
    figures("natural", "abstained_on_answerable", "natural · abstained on answerable")
    row(
        "natural · question-level AUC: calibrated run / threshold-free ²",
        *(aucs(x) for x in (n["waymark"], n["baseline"], r["natural"])),
    )
    for suite in ("dev", "natural"):
        w, b = c["waymark"][suite], c["baseline"][suite]
        row(
            f"conversation variant · {suite}: lost (of passing alone) / gained",
            f"{w['lost']} of {w['passed_alone']} / {w['gained']}",
            f"{b['lost']} of {b['passed_alone']} / {b['gained']}",
            "as the baseline ¹",
        )
    figures("dev", "passed", "dev · cases passed", " ¹")
    figures("dev", "forbid", "dev · forbid")
    figures("dev", "abstain", "dev · abstain")
    v = d["waymark"]["verbatim"]
    row(
        "dev · quotes verbatim",
        f"{v['faithful']}/{v['quotes']} ({v['rate'] or 0:.1%})",
        "n/a (whole chunks)",
        "n/a (a sentence of a chunk)",
    )
    side_by_side_squad(s, row)
    w, b, rr = s["warm"]["waymark"], s["warm"]["baseline"], s["warm"].get("reranked")
    row(
        "warm p50 / p95, dev suite",
        f"{ms(w['p50'])} / {ms(w['p95'])}",
        f"{ms(b['p50'])} / {ms(b['p95'])} (Waymark/baseline p95: {s['warm']['ratio_p95']:.2f}×)",
        f"{ms(rr['p50'])} / {ms(rr['p95'])} (retrieval + reading)" if rr else "–",
    )
    return lines


def side_by_side_squad(s: dict, row) -> None:
    sq = s.get("squad")
    if not sq:
        return
    rr = sq.get("reranked")
    for key, name in (
        ("hit", "answer hit on answerable"),
        ("abstain_impossible", "abstains on impossible"),
        ("abstain_answerable", "abstains on answerable"),
    ):
        reread = frac(rr[key]) if rr else "–"
        row(f"SQuAD · {name}", frac(sq["waymark"][key]), frac(sq["baseline"][key]), reread)
    row(
        "SQuAD · operating point",
        f"t = {sq['waymark']['operating_point']:.3f} (calibrated for this corpus)",
        f"cosine ≥ {sq['baseline']['operating_point']:.3f} (tuned on training validation)",
        f"p ≥ {rr['operating_point']:.3f} (the reader's validated threshold)" if rr else "–",
    )


def aucs(n: dict | None) -> str:
    """A system's natural question-level AUC, of the calibrated run and threshold-free."""
    if not n:
        return "–"
    return f"{auc(n.get('auc'))} / {auc(n.get('auc_threshold_free'))}"


def trace(s: dict) -> str:
    """Where the gain comes from, on natural and SQuAD: reading (baseline → baseline + reader)
    and retrieval with per-corpus calibration (baseline + reader → Waymark)."""
    n, sq = s["natural"], s.get("squad") or {}
    if not n.get("reranked"):
        return ""
    steps = (("baseline", "baseline"), ("reranked", "+ reader"), ("waymark", "Waymark"))

    def chain(group: dict, key: str) -> str:
        return " → ".join(f"{name} {_pct(group[k][key])}" for k, name in steps if k in group)

    text = f"""Tracing the gain: natural fact found {chain(n, "fact")}; abstention correct
    {chain(n, "abstention_correct")}"""
    if sq.get("reranked"):
        text += f"""; SQuAD hit on answerable {chain(sq, "hit")}; abstains on impossible
        {chain(sq, "abstain_impossible")}"""
    return para(
        text
        + """. The first step is reading (the same chunks, one sentence shown, the reader's own
        threshold); the second, Waymark's retrieval, units and per-corpus threshold. The baseline's
        fact found is generous (anywhere in ~4000 characters), so reading can lower it."""
    )


def _pct(c: dict | None) -> str:
    rate = _rate(c)
    return "–" if rate is None else f"{rate:.1%}"


def curve_note(s: dict) -> list[str]:
    sq = s.get("squad")
    if not sq:
        return ["SQuAD was not run (file not found; pass `--squad FILE` or set `WAYMARK_SQUAD`)."]
    out = [
        para("""Balanced accuracy (the mean of hit on answerable and abstention on impossible;
        answering or abstaining on everything scores at most 50%):""")
    ]
    named = (
        ("waymark", "Waymark", "t"),
        ("reranked", "the baseline + reader", "p"),
        ("baseline", "the baseline", "cut-off"),
    )
    for key, name, unit in (x for x in named if x[0] in sq):
        w, p = sq[key], sq[key]["best_on_curve"]
        op = (_rate(w["hit"]) + _rate(w["abstain_impossible"])) / 2
        best = (
            "no point answers some questions and abstains on others"
            if p is None
            else para(f"""best on its curve {p["balanced_accuracy"]:.1%} at {unit} = {p["t"]:.2f} (hit
            {pair((p["hit"], p["answerable"]))}, abstains on impossible
            {pair((p["abstain_impossible"], p["impossible"]))}, on answerable
            {pair((p["abstain_answerable"], p["answerable"]))})""")
        )
        out.append(f"{name} {op:.1%} at its operating point, {best}{'.' if key == 'baseline' else ';'}")
    z = sq["waymark_threshold_0"]
    out.append(
        para(f"""Waymark at `threshold=0` (no confidence test): hit {frac(z["hit"])}, abstains on
        impossible {frac(z["abstain_impossible"])} and on answerable {frac(z["abstain_answerable"])}
        (names the corpus does not know, or no candidate).""")
    )
    return [" ".join(out)]


def curve_method(s: dict) -> str:
    sq = s.get("squad") or {}
    check = sq.get("curve_check")
    if check:
        how = f"""a hit when the quotes it would show at `t` hold the expected text: its evidence once,
        then the answerer's own quote choice (`bot.compose.select`) at every `t`. At the operating
        point this agrees with the calibrated run on {check["agree"]}/{check["cases"]} answerable
        questions."""
    else:
        how = f"""a hit when its `threshold=0` answer held the expected text (generous: at 0 more
        runner-up quotes are shown; per-threshold quotes were unavailable:
        {sq.get("curve_error") or "not run"})."""
    return para(f"""Waymark's curve comes from one `threshold=0` run: a question counts as answered at
    `t` when it was answered at 0 and its confidence ≥ `t`, and as {how} The baseline's cut-off is
    swept from its lowest to its highest top-1 score (a hit: answered and the expected string
    retrieved); the baseline + reader's threshold from 0 to 1 on its best sentence's probability (a
    hit: answered and that sentence holds the expected string). Dots: the operating points above;
    open circles: Waymark before issues 12 and 19. Every point is in
    `benchmarks/out/answerability.json`, every 5th in `benchmarks/answerability.json`.""")


def para(text: str) -> str:
    """One Markdown paragraph from a template wrapped over several source lines."""
    return " ".join(text.split())


def emptied_rows(s: dict) -> list[str]:
    e = s.get("emptied") or {}
    if "skipped" in e:
        return [
            f"Not run ({e['skipped']}); `python benchmarks/answerability.py` (without `--quick`) runs it."
        ]
    lines = [
        "| measure | with the lists | lists emptied | cases changed (pass / abstain) |",
        "|---|---|---|---|",
    ]
    spec = [
        ("dev", "dev · cases passed", "passed", s["dev"]["waymark"]),
        ("dev", "dev · forbid", "forbid", s["dev"]["waymark"]),
        ("natural", "natural · fact found", "fact", s["natural"]["waymark"]),
        ("natural", "natural · abstention correct", "abstention_correct", s["natural"]["waymark"]),
        ("natural", "natural · abstained on answerable", "abstained_on_answerable", s["natural"]["waymark"]),
    ]
    if s.get("squad") and "squad" in e:
        sq = s["squad"]["waymark"]
        spec += [
            ("squad", "SQuAD · answer hit on answerable", "hit", sq),
            ("squad", "SQuAD · abstains on impossible", "abstain_impossible", sq),
            ("squad", "SQuAD · abstains on answerable", "abstain_answerable", sq),
        ]
    shown = set()
    for suite, name, key, before in spec:
        if suite not in e:
            continue
        ch = e[suite]["changed"]
        note = (
            "" if suite in shown else f"{ch['passed_changed']} / {ch['abstained_changed']} of {ch['cases']}"
        )
        shown.add(suite)
        lines.append(f"| {name} | {frac(before[key])} | {frac(e[suite]['summary'][key])} | {note} |")
    thresholds = ", ".join(
        f"{name} {e[k]['threshold']:.3f}" for k, name in (("dev", "seed"), ("squad", "SQuAD")) if k in e
    )
    t = s["thresholds"]
    squad = f", SQuAD {t['squad']:.3f}" if t.get("squad") is not None else ""
    names = ", ".join(f"`{p}`" for p in e["patched"])
    lines += [
        "",
        para(f"""Emptied by replacing {len(e["patched"])} module attributes ({names}); each index
        re-calibrated with the lists emptied (thresholds: {thresholds}; with the lists: seed
        {t["seed"]:.3f}{squad}). Cases changed: how many cases' pass/fail and answer/abstain differ
        from the run with the lists. Child process: {e["seconds"]:.0f} s."""),
    ]
    return lines


def render_section(s: dict) -> str:
    m, t = s["machine"], s["thresholds"]
    load = s.get("loadavg_1min") or [None, None]
    busy = (
        " **Other processes were competing for the CPUs, so timings are pessimistic.**"
        if max(x or 0 for x in load) > (m.get("cores") or 1)
        else ""
    )
    dirty = " + uncommitted changes" if m.get("dirty") else ""
    squad = f", SQuAD {t['squad']:.3f}" if t.get("squad") is not None else ""
    lines = [
        "## Answer or abstain (issue 19: the reader; issue 12)",
        "",
        para("""Generated by `python benchmarks/answerability.py` from `benchmarks/answerability.json`;
        edit `benchmarks/answerability_readme.py`, not here."""),
        "",
        para(f"""Measured {s["measured_at"]} in one run of {s["seconds"]:.0f} s on {m["cpu"]}
        ({m["cores"]} cores), Python {m["python"]}, commit `{m["commit"]}`{dirty}, reader
        (`bot/models/reader/calibration.json`) sha256 `{m.get("model_sha256")}`
        (commit `{m.get("model_commit") or "not committed"}`); 1-minute load average
        {load[0]}→{load[1]}.{busy}
        {"Quick run (one timed latency pass)." if s.get("quick") else ""}"""),
        "",
        para(f"""Waymark runs at its default operating point: each index's calibrated threshold (seed
        corpus {t["seed"]:.3f}{squad}; reader {t["model"]:.3f}). {baseline_text(s)}"""),
        "",
        "### Targets (issue 19)",
        "",
        *issue19_rows(s),
        "",
        para("""Before: Waymark with the logistic answerability model of issue 12 (measured at
        a26b8cf). Abstention correct: an `abstain: true` case that abstained and showed no `forbid`
        string (near misses included). Conversation variant: every standalone dev and natural
        question asked third, after two unrelated ones (`evals/conversation.py`); lost = passes
        alone, fails in conversation."""),
        "",
        para("""² Question-level AUC over natural's answerable and `abstain: true` cases: the answer's
        confidence (the best candidate's calibrated probability) against "the expected fact was
        shown", an `abstain: true` case counting as not shown. Of the calibrated run (what the
        target is judged on; an abstention shows nothing, so the threshold helps it), and
        threshold-free: the fact in what the system would show at threshold 0 (Waymark) or in its
        best chunks or sentence whatever the cut-off (the baselines)."""),
        "",
        "### Waymark beside the baseline with a cut-off and the baseline reranked by the reader",
        "",
        *side_by_side(s),
        "",
        para("""¹ The baseline is scored on the checks it can be: fact, doc, forbid (in the retrieved
        text) and abstain, not staleness. It searches the last message alone, so the conversation
        variant cannot change it."""),
        "",
        para("""³ The baseline + reader: the baseline's top-4 chunks, each line split into sentences
        (`index.text.sentence_spans`), every sentence read by Waymark's reader with its document's
        title and the sentence before it in the chunk (`benchmarks.baseline.reread`). It shows the
        most probable sentence when it clears the reader's validated threshold, else abstains; it is
        scored like the baseline, on that one sentence."""),
        "",
        trace(s),
        "",
        "### SQuAD threshold curve",
        "",
        "![SQuAD v2 sample: hit on answerable vs abstention on impossible, and the three rates vs the "
        "threshold](answerability-curve.svg)",
        "",
        curve_method(s),
        "",
        *curve_note(s),
        "",
        "### Targets (issue 12)",
        "",
        *issue12_rows(s),
        "",
        para("""Before: the rule-based answerer before issue 12; the targets issue 12 set, kept for
        the record."""),
        "",
        "### Word lists emptied",
        "",
        para("""The same Waymark figures with `bot.lexical.STOPWORDS`, `bot.terms.FORM_WORDS` and
        `bot.terms.ANSWER_KINDS` emptied by monkeypatching in a child process: does any hand-written
        list decide answers?"""),
        "",
        *emptied_rows(s),
        "",
        para(f"""Warm latency: wall time of `Answerer.answer()` per dev question in the benchmark
        process after one untimed pass over the suite; median of {s["timing_passes"]} timed pass(es).
        The baseline's is `similarity_search_with_relevance_scores(k=4)` (query embedding with
        sentence-transformers + Chroma search), measured the same way; the baseline + reader's adds
        reading the chunks' sentences."""),
        "",
        para("""`make bench` runs this module, which rewrites only this section of the file;
        `--readme-only` re-renders it from the committed JSON."""),
        "",
        "```sh",
        f".venv/bin/python benchmarks/answerability.py          # everything "
        f"(~{s['seconds'] / 60:.0f} min here)",
        ".venv/bin/python benchmarks/answerability.py --quick  # one timed pass: what `make bench` runs",
        ".venv/bin/python benchmarks/answerability.py --readme-only  # re-render from answerability.json",
        "```",
    ]
    return "\n".join(lines)


def baseline_text(s: dict) -> str:
    """How the baseline and its cut-off were set up, and how the cut-off did where it was tuned."""
    cut = s["cutoff"]
    questions = cut["questions"] if isinstance(cut["questions"], list) else [cut["questions"]]
    corpora = cut.get("corpora") or ["training/corpus"]
    return para(f"""The baseline (`benchmarks/baseline.py`: top-4 chunks of 1000 characters, same
    embedding model) abstains when the top-1 chunk's relevance score is below a cut-off. The score
    is LangChain's `similarity_search_with_relevance_scores` on the cosine Chroma store, i.e.
    cosine similarity = 1 − Chroma's cosine distance. The cut-off is tuned for balanced accuracy
    on the Waymark reader's validation questions ({cut["validation_cases"]} questions of
    {", ".join(f"`{q}`" for q in questions)} over {" + ".join(f"`{c}/`" for c in corpora)}, split
    as `training/reader.py` does; never dev, natural or SQuAD): **{cut["value"]:.3f}**, balanced
    accuracy {cut["balanced_accuracy"]:.1%} (answerable and retrieved
    {cut["answerable_correct"]}/{cut["answerable"]}, unanswerable abstained
    {cut["unanswerable_correct"]}/{cut["unanswerable"]}). The baseline is still scored generously: a
    fact counts as found when it appears anywhere in the ~4000 retrieved characters.""")
