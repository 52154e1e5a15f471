"""The sections of benchmarks/README.md that ``benchmarks/run.py`` measures, rendered from
``benchmarks/out/*.json``: when and where they were measured, the targets, answer quality, speed,
scale and chat throughput. The prose around them is in ``benchmarks/README.template.md``."""

from __future__ import annotations

import os

from benchmarks.harness import TODAY

SECTIONS = ("measured", "targets", "quality", "speed", "scale", "chat_load")
TARGETS = {
    "warm_p50_ms": 25,
    "warm_p95_ms": 60,
    "cold_ask_s": 2.5,
    "scratch_s": 3.0,
    "noop_s": 0.5,
    "p95_100k_ms": 80,
    "rss_100k_mb": 2048,
}


def rate(counts: dict | None) -> float | None:
    return counts["passed"] / counts["total"] if counts and counts.get("total") else None


def fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def ratio(a: float | None, b: float | None, digits: int = 2) -> str:
    return "–" if not a or not b else f"{a / b:.{digits}f}×"


def verdict(value: float | None, limit: float) -> str:
    return "not measured" if value is None else ("**met**" if value <= limit else "**not met**")


def quality_table(res: dict) -> list[str]:
    """Dev suite and SQuAD, Waymark beside the baseline."""
    lines = ["| suite · metric | Waymark | baseline (top-4 chunks) | ratio |", "|---|---|---|---|"]
    dev = res.get("dev")
    if dev:
        w, b = dev["waymark"], dev["baseline"]
        for check in ("fact", "doc", "stale", "abstain", "forbid"):
            c = w.get(check) or {}
            base = _baseline_cell(b, check)
            ratio_cell = ratio(rate(c), b["fact"]["rate"]) if check == "fact" else ""
            lines.append(
                f"| dev · {check} | {c.get('passed', 0):g}/{c.get('total', 0)} ({pct(rate(c))}) "
                f"| {base} | {ratio_cell} |"
            )
        f = w["faithfulness"]
        lines.append(f"| dev · quotes verbatim | {f['faithful']}/{f['quotes']} ({pct(f['share'])}) | n/a | |")
    sq = res.get("squad")
    if sq and "waymark" in sq:
        w, b = sq["waymark"], sq["baseline"]
        lines.append(
            f"| SQuAD · answer hit-rate ({sq['answerable']} answerable) | {w['fact']['passed']:g}/"
            f"{w['fact']['total']} ({pct(rate(w['fact']))}) | {b['fact']['passed']}/{b['fact']['total']} "
            f"({pct(b['fact']['rate'])}) | {ratio(rate(w['fact']), b['fact']['rate'])} |"
        )
        lines.append(
            f"| SQuAD · right document cited | {w['doc']['passed']:g}/{w['doc']['total']} "
            f"({pct(rate(w['doc']))}) | n/a | |"
        )
        lines.append(
            f"| SQuAD · abstains on impossible ({sq['impossible']}) | {w['abstain']['passed']:g}/"
            f"{w['abstain']['total']} ({pct(rate(w['abstain']))}) | 0/{b['abstain']['total']} (0.0%) | ∞ |"
        )
        lines.append(
            f"| SQuAD · abstains on answerable (lower is better) | {w['abstained_on_answerable']}/"
            f"{sq['answerable']} | 0/{sq['answerable']} | |"
        )
    elif sq:
        lines.append(f"| SQuAD | {sq.get('skipped')} | | |")
    return lines


def _baseline_cell(b: dict, check: str) -> str:
    if check == "fact":
        return f"{b['fact']['passed']}/{b['fact']['total']} ({pct(b['fact']['rate'])})"
    if check == "abstain":
        return f"0/{b['abstain']['total']} (0.0%, never abstains)"
    return "n/a"


def speed_table(res: dict) -> list[str]:
    lines = ["| measure | Waymark | baseline | ratio (W/B) |", "|---|---|---|---|"]
    dev, idx = res.get("dev"), res.get("index")
    if dev:
        w, b = dev["warm"], dev["baseline"]["latency_ms"]
        lines.append(
            f"| warm answer p50, dev suite | {fmt(w['p50'], ' ms')} | {fmt(b['p50'], ' ms')} "
            f"| {ratio(w['p50'], b['p50'])} |"
        )
        lines.append(
            f"| warm answer p95, dev suite | {fmt(w['p95'], ' ms')} | {fmt(b['p95'], ' ms')} "
            f"| {ratio(w['p95'], b['p95'])} |"
        )
        lines.append(
            f"| first answer in a fresh process (after load) | {fmt(w['first_answer_s'], ' s', 2)} | | |"
        )
    if idx:
        s, n = idx["scratch"], idx["noop"]
        lines += [
            f"| seed index from scratch, fresh process, excl. interpreter start ({idx['passages']} passages)"
            f" | {fmt(s['total_s'], ' s', 2)} | | |",
            f"| … of which imports | {fmt(s['import_s'], ' s', 2)} | | |",
            f"| … of which `build_index()` (model load, embed, write) | {fmt(s['build_s'], ' s', 2)} | | |",
            f"| seed index, model already loaded | {fmt(idx['warm_build_s'], ' s', 2)} "
            f"| {fmt(idx['baseline_build_s'], ' s', 2)} ({idx['baseline_chunks']} chunks) "
            f"| {ratio(idx['warm_build_s'], idx['baseline_build_s'])} |",
            f"| no-change re-index, fresh process, excl. interpreter start | {fmt(n['total_s'], ' s', 2)} "
            "| n/a (rebuilds) | |",
            f"| … of which `build_index()` | {fmt(n['build_s'], ' s', 3)} | | |",
            f"| embedding throughput (model only, seed passages) | {fmt(idx['embed_passages_per_s'], '/s')} "
            "| same model | 1× |",
            f"| peak RSS, scratch index process | {fmt(s['peak_rss_mb'], ' MB', 0)} | | |",
        ]
    return lines


def scale_table(res: dict) -> list[str]:
    lines = [
        "| corpus | passages | index from scratch | passages/s | no-change re-index | on disk "
        "| peak RSS index | peak RSS serving | warm p50 | warm p95 | dev facts found |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    if res.get("dev") and res.get("index"):
        warm = res["dev"]["warm"]
        lines.append(
            f"| seed | {res['index']['passages']:,} | {fmt(res['index']['scratch']['build_s'], ' s')} | – "
            f"| {fmt(res['index']['noop']['build_s'], ' s', 2)} | – "
            f"| {fmt(res['index']['scratch']['peak_rss_mb'], ' MB', 0)} | {_serving_cells(warm, {})} |"
        )
    for size, s in sorted(res["scale"].items()):
        idx, errors = s.get("index") or {}, s.get("errors") or {}
        lines.append(
            f"| synthetic {size:,} | {fmt(s.get('passages'))} | {fmt(idx.get('build_s'), ' s')} "
            f"| {fmt(s.get('index_passages_per_s'))} | {_noop_cell(s.get('noop'), errors)} "
            f"| {fmt(s.get('disk_mb'), ' MB', 0)} | {fmt(idx.get('peak_rss_mb'), ' MB', 0)} "
            f"| {_serving_cells(s.get('warm'), errors)} |"
        )
    return lines


def _noop_cell(noop: dict | None, errors: dict) -> str:
    if not noop:
        return f"failed: {errors.get('noop', 'not run')}"
    if noop.get("changed"):
        return f"{fmt(noop['build_s'], ' s', 2)}, **re-embedded {noop['embedded']:,}** (expected 0)"
    return fmt(noop["build_s"], " s", 2)


def _serving_cells(warm: dict | None, errors: dict) -> str:
    if not warm:
        message = " ".join(str(errors.get("warm", "not run")).split())[-220:].replace("|", "/")
        return f"serving failed: {message} | – | – | – | –"
    fact = warm["summary"]["fact"]
    return (
        f"{fmt(warm['peak_rss_mb'], ' MB', 0)} | {fmt(warm['p50'], ' ms')} | {fmt(warm['p95'], ' ms')} "
        f"| {fact['passed']}/{fact['total']}"
    )


def latency_chart(res: dict) -> list[str]:
    """Mermaid renders on GitHub without a plotting library or an image file."""
    points = []
    if res.get("dev") and res.get("index"):
        points.append((f"seed {res['index']['passages']}", res["dev"]["warm"]))
    points += [
        (f"{s['passages']:,}".replace(",", " "), s["warm"])
        for _, s in sorted(res["scale"].items())
        if s.get("warm")
    ]
    if len(points) < 2:
        return []
    top = max(max(w["p95"] for _, w in points), TARGETS["p95_100k_ms"]) * 1.15
    return [
        "```mermaid",
        "xychart-beta",
        '    title "Warm answer latency vs corpus size (ms)"',
        "    x-axis [" + ", ".join(f'"{name}"' for name, _ in points) + "]",
        f'    y-axis "ms" 0 --> {top:.0f}',
        "    bar [" + ", ".join(f"{w['p95']:.1f}" for _, w in points) + "]",
        "    line [" + ", ".join(f"{w['p50']:.1f}" for _, w in points) + "]",
        "```",
        "",
        "Bars: p95; line: p50.",
    ]


def load_lines(res: dict) -> list[str]:
    ld = res.get("load")
    if not ld:
        return ["Not run yet (`python benchmarks/run.py --only load`)."]
    if "skipped" in ld:
        return [f"Skipped: {ld['skipped']}."]
    lat = ld.get("latency_ms") or {}
    return [
        "| users × questions | requests/s | p50 | p95 | errors | server RSS before → after |",
        "|---|---|---|---|---|---|",
        f"| {ld['users']} × {ld['questions_per_user']} | {fmt(ld['requests_per_s'])} "
        f"| {fmt(lat.get('p50'), ' ms')} "
        f"| {fmt(lat.get('p95'), ' ms')} | {ld['errors']}{' (timed out)' if ld.get('timed_out') else ''} "
        f"| {fmt(ld['rss_mb_before'], ' MB', 0)} → {fmt(ld['rss_mb_after'], ' MB', 0)} |",
    ]


def cold_value(cold: dict | None) -> float | None:
    """The cold `waymark ask` median from benchmarks/cold_start.py, for the engine in use."""
    if not isinstance(cold, dict):
        return None
    medians = cold.get("median_seconds")
    if isinstance(medians, dict):
        engine = os.environ.get("WAYMARK_QUERY_ENGINE") or "onnx"
        value = medians.get(engine, next(iter(medians.values()), None))
        return float(value) if isinstance(value, int | float) else None
    return float(medians) if isinstance(medians, int | float) else None


def cold_note(cold: dict | None) -> str:
    medians = (cold or {}).get("median_seconds")
    if not isinstance(medians, dict):
        return ""
    return "; ".join(f"{k} {v:.2f} s" for k, v in medians.items() if isinstance(v, int | float))


def target_lines(res: dict) -> list[str]:
    dev, idx = res.get("dev"), res.get("index")
    big = res["scale"].get(100_000) or {}
    big_warm, big_index = big.get("warm") or {}, big.get("index") or {}
    cold = cold_value(res.get("cold_start"))
    w = dev["warm"] if dev else {}
    rows = [
        ("warm answer p50 ≤ 25 ms (dev suite, seed)", w.get("p50"), TARGETS["warm_p50_ms"], " ms"),
        ("warm answer p95 ≤ 60 ms (dev suite, seed)", w.get("p95"), TARGETS["warm_p95_ms"], " ms"),
        (
            f"cold `waymark ask` ≤ 2.5 s (cold_start.py: {cold_note(res.get('cold_start')) or 'not run'})",
            cold,
            TARGETS["cold_ask_s"],
            " s",
        ),
        (
            "seed index from scratch ≤ 3 s, excl. interpreter start",
            idx and idx["scratch"]["total_s"],
            TARGETS["scratch_s"],
            " s",
        ),
        (
            "no-change re-index ≤ 0.5 s, excl. interpreter start",
            idx and idx["noop"]["total_s"],
            TARGETS["noop_s"],
            " s",
        ),
        (
            "no-change re-index ≤ 0.5 s, `build_index()` only",
            idx and idx["noop"]["build_s"],
            TARGETS["noop_s"],
            " s",
        ),
        ("100k passages: warm p95 ≤ 80 ms", big_warm.get("p95"), TARGETS["p95_100k_ms"], " ms"),
        (
            "100k passages: peak RSS serving ≤ 2 GB",
            big_warm.get("peak_rss_mb"),
            TARGETS["rss_100k_mb"],
            " MB",
        ),
        (
            "100k passages: peak RSS indexing ≤ 2 GB",
            big_index.get("peak_rss_mb"),
            TARGETS["rss_100k_mb"],
            " MB",
        ),
    ]
    failed = {k: v for k, v in (big.get("errors") or {}).items() if k == "warm"}
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    for name, value, limit, unit in rows:
        judged = verdict(value, limit)
        if value is None and failed and name.startswith("100k passages: warm"):
            judged = "**not met**: serving failed (see Scale)"
        lines.append(f"| {name} | {fmt(value, unit, 2 if unit == ' s' else 1)} | {judged} |")
    return lines


def load_note(res: dict) -> str:
    """When each section ran and how busy the machine was: other work skews timings. The load
    test's own clients and server raise the load average, so that section is not judged."""
    cores = res.get("meta", {}).get("cores") or 1
    seen = [(name, r) for name, r in _sections(res) if r.get("loadavg_1min")]
    if not seen:
        return ""
    parts = ", ".join(
        f"{name} ({r.get('measured_at', '?')[11:]}, {r['loadavg_1min'][0]:.1f}→{r['loadavg_1min'][1]:.1f})"
        for name, r in seen
    )
    note = f"Sections (finished at, 1-minute load average start→end on {cores} cores): {parts}."
    if any(max(r["loadavg_1min"]) > cores for name, r in seen if name != "load"):
        note += " **Other processes were competing for the CPUs, so some timings are pessimistic.**"
    return note


def _sections(res: dict) -> list[tuple[str, dict]]:
    named = [(n, res[n]) for n in ("index", "dev", "squad", "load") if isinstance(res.get(n), dict)]
    return named + [(f"scale {k:,}", v) for k, v in sorted(res["scale"].items())]


def measured_lines(res: dict) -> list[str]:
    m = res.get("meta", {})
    engine = (res.get("dev") or {}).get("warm", {}).get("query_engine", "–")
    v = m.get("versions", {})
    return [
        f"Measured {m.get('date', '–')} on {m.get('cpu', '–')} ({m.get('cores', '–')} cores), "
        f"Python {m.get('python', '–')}, torch {v.get('torch', '–')}, chromadb {v.get('chromadb', '–')}, "
        f"commit `{m.get('commit', '–')}`{' + uncommitted changes' if m.get('dirty') else ''}. "
        f"Query embeddings: `{engine}` (setting: {m.get('query_engine_setting', '–')}). "
        f"Medians of {m.get('runs', '–')} runs; `WAYMARK_TODAY={TODAY}`, `HF_HUB_OFFLINE=1`.",
        "",
        load_note(res),
    ]


def sections(res: dict) -> dict[str, str]:
    """Each README section ``run.py`` owns, by its marker name in the template."""
    chart = latency_chart(res)
    return {
        "measured": "\n".join(measured_lines(res)),
        "targets": "\n".join(target_lines(res)),
        "quality": "\n".join(quality_table(res)),
        "speed": "\n".join(speed_table(res)),
        "scale": "\n".join(scale_table(res) + (["", *chart] if chart else [])),
        "chat_load": "\n".join(load_lines(res)),
    }
