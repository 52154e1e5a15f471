"""Bring your own documents (issue 13): `waymark add` of a generated 50-page PDF, timed, and every
page's numbers checked in the index and through the answerer.

One run, each timing a median over fresh processes:

* **add**: ``waymark add FILE --corpus C --data-dir D`` into an empty corpus folder and a new data
  folder, as a user runs it: wall time of the subprocess (interpreter start, imports, reading the
  PDF, embedding model load, embedding, writing the index), plus the ``in N.NNs`` the CLI prints for
  its index step. One untimed add goes first, so the exported ONNX model is in the shared cache
  (``WAYMARK_CACHE_DIR``) and the file cache is warm, as on a machine that has added before; its
  corpus and index are the ones checked below.
* **read**: ``index.load.read_document`` of the PDF alone in a fresh process (the loader, no index).

Then, on the untimed add's index:

* **findable**: for every page N, its duty-officer number and its table-row number are each in some
  indexed passage whose ``page`` metadata is N (``IndexHandle(settings).snapshot()``).
* **answered**: ``Answerer(settings).answer("What is the number of the district N duty officer?")``
  per page; counted when a citation on page N quotes the number. Reported, not asserted: the
  answerer abstains when unsure.

The PDF (``make_district_pdf``): one page per district with a heading, the number in body type
("District N duty officer: +37 21 555 1NNN"), a paragraph, a three-column table whose row carries
a second number (+37 21 556 2NNN), a running header and two footer lines repeated on every page,
and /CreationDate and /ModDate metadata. Usage::

    .venv/bin/python benchmarks/pdf_ingest.py [--runs 3] [--pages 50] [--no-readme]

Writes benchmarks/out/pdf_ingest.json (everything), benchmarks/pdf_ingest.json (the summary the
README is rendered from) and the section "Bring your own documents (issue 13)" of
benchmarks/README.md (its ``byod`` section; ``benchmarks/readme.py`` keeps every other one), which
also shows benchmarks/fixture_dates.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import readme  # noqa: E402

OUT = REPO / "benchmarks" / "out" / "pdf_ingest.json"
SUMMARY = REPO / "benchmarks" / "pdf_ingest.json"
DATES_SUMMARY = REPO / "benchmarks" / "fixture_dates.json"
WAYMARK = Path(sys.executable).with_name("waymark")
SECTION = "byod"
TODAY = "2026-11-25"
TARGET_INGEST_S = 10.0
ENV = {"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "WAYMARK_TODAY": TODAY}

HEADER = "Foreign Travel Office of Examplia - Veloria district duty officers"
FOOTER = "In an emergency in Veloria call 112"
CREATED = dt.datetime(2025, 9, 1, 8, 0, tzinfo=dt.UTC)
MODIFIED = dt.datetime(2025, 10, 14, 17, 45, tzinfo=dt.UTC)
_SYLLABLES = ("am", "bel", "cor", "dun", "es", "fal", "gor", "hal", "ist", "jor", "kel", "lom", "mar", "nor")
_HOURS = ("08:00-20:00", "around the clock", "07:00-19:00", "09:00-21:00")


def duty_number(n: int) -> str:
    return f"+37 21 555 1{n:03d}"


def night_number(n: int) -> str:
    return f"+37 21 556 2{n:03d}"


def town(n: int) -> str:
    """An invented town name per district, the same on every run."""
    a, b = _SYLLABLES[n % len(_SYLLABLES)], _SYLLABLES[(n * 5 + 3) % len(_SYLLABLES)]
    return (a + b + ("a" if n % 2 else "en")).capitalize()


def make_district_pdf(path: Path | str, pages: int = 50) -> Path:
    """One page per district: the duty officer's number in body type, a paragraph and a table row
    with the night line; running header, "Page N of M" and an emergency footer on every page;
    /CreationDate and /ModDate in the metadata. Every text is invented."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    class Districts(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, HEADER, new_x="LMARGIN", new_y="NEXT", align="C")
            self.ln(4)

        def footer(self) -> None:
            self.set_y(-18)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, FOOTER, new_x="LMARGIN", new_y="NEXT", align="C")
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Districts()
    pdf.set_title("Veloria district duty officers")
    pdf.set_author("Foreign Travel Office of Examplia")
    pdf.set_creator("waymark benchmarks")
    pdf.set_creation_date(CREATED)
    pdf.alias_nb_pages()
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 9, f"District {n}: {town(n)}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.cell(0, 7, f"District {n} duty officer: {duty_number(n)}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.multi_cell(
            0,
            6,
            f"The duty officer of district {n} helps travellers in {town(n)} and the villages around it "
            "who have lost their passport, been robbed or need a doctor who speaks English. Call "
            f"ahead before visiting the office; in {town(n)} it is open {_HOURS[n % len(_HOURS)]}.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(3)
        with pdf.table(col_widths=(60, 50, 50), text_align="LEFT") as table:
            table.row(["Station", "Night line", "Hours"])
            table.row([f"District {n} station", night_number(n), _HOURS[(n + 1) % len(_HOURS)]])
        pdf.ln(3)
        pdf.multi_cell(
            0,
            6,
            f"Outside these hours the night line of district {n} forwards calls to the regional centre.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.output(str(path))
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.add_metadata({"/ModDate": MODIFIED.strftime("D:%Y%m%d%H%M%S") + "Z"})
    writer.write(path)
    return Path(path)


CHILD_READ = """
import time; t0 = time.perf_counter()
import json, sys
from pathlib import Path
from index.load import read_document
t1 = time.perf_counter()
doc = read_document(Path(sys.argv[1]), "districts.pdf", strict=True)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "chars": len(doc.text),
    "pages": len(doc.meta.get("pages", [])), "date": doc.meta.get("date"),
    "date_basis": doc.meta.get("date_basis"), "closing_missing": [n for n in range(1, int(sys.argv[2]) + 1)
    if f"night line of district {n} forwards" not in doc.text]}))
"""

_INDEX_LINE = re.compile(r"^Index: (\d+) documents, (\d+) passages: .* in ([\d.]+)s", re.M)


def run_add(pdf: Path, work: Path, name: str) -> dict:
    corpus, data = work / f"{name}-corpus", work / f"{name}-data"
    corpus.mkdir(parents=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [str(WAYMARK), "add", str(pdf), "--corpus", str(corpus), "--data-dir", str(data)],
        cwd=work,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - started
    cpu = _cpu_since(before)
    if done.returncode != 0:
        raise SystemExit(f"waymark add failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    m = _INDEX_LINE.search(done.stdout)
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "index_s": float(m.group(3)) if m else None,
        "passages": int(m.group(2)) if m else None,
        "stdout": done.stdout.strip(),
        "corpus": str(corpus),
        "data": str(data),
    }


def _cpu_since(before) -> float:
    """User + system CPU seconds of the children that ended since ``before``."""
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_read(pdf: Path, pages: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD_READ, str(pdf), str(pages)],
        cwd=REPO,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"read_document failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    result["cpu_s"] = _cpu_since(before)
    return result


def check(corpus: Path, data: Path, pages: int) -> dict:
    """Every page's two numbers in a passage of that page; one answerer question per page."""
    os.environ.update(ENV)
    from bot.answer import Answerer
    from bot.retrieve import IndexHandle
    from bot.settings import Settings

    settings = Settings.from_env(corpus_dir=corpus, data_dir=data)
    snap = IndexHandle(settings).snapshot()
    on_page: dict[int, list[str]] = {}
    for text, meta in zip(snap.texts, snap.metadatas, strict=True):
        if meta.get("page") not in (None, ""):
            on_page.setdefault(int(meta["page"]), []).append(text)
    missing = []
    for n in range(1, pages + 1):
        for label, number in (("duty", duty_number(n)), ("night", night_number(n))):
            if not any(number in text for text in on_page.get(n, [])):
                missing.append({"page": n, "which": label, "number": number})
    answerer = Answerer(settings)
    answers = []
    started = time.perf_counter()
    for n in range(1, pages + 1):
        question = f"What is the number of the district {n} duty officer?"
        a = answerer.answer(question)
        cited = [{"page": c.page, "quote": c.quote} for c in a.citations]
        answers.append(
            {
                "page": n,
                "question": question,
                "abstained": a.abstained,
                "right": any(c["page"] == n and duty_number(n) in c["quote"] for c in cited),
                "number_in_text": duty_number(n) in a.text,
                "citations": cited,
                "confidence": round(a.confidence, 3),
            }
        )
    answer_s = time.perf_counter() - started
    return {
        "passages": len(snap.texts),
        "passages_with_page": sum(len(v) for v in on_page.values()),
        "pages_with_passages": len(on_page),
        "numbers_checked": 2 * pages,
        "numbers_missing": missing,
        "pages_findable": pages - len({m["page"] for m in missing}),
        "answers": answers,
        "answered_right": sum(a["right"] for a in answers),
        "abstained": sum(a["abstained"] for a in answers),
        "wrong": sum(not a["right"] and not a["abstained"] for a in answers),
        "answer_mean_ms": round(1000 * answer_s / pages, 1),
    }


def median(values) -> float:
    return round(statistics.median(values), 3)


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        info = Path("/proc/cpuinfo").read_text()
        cpu = next(
            (ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), cpu
        )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit.stdout.strip() or "unknown",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def measure(runs: int, pages: int, work: Path) -> dict:
    pdf = make_district_pdf(work / "districts.pdf", pages)
    print(f"generated {pdf.name}: {pages} pages, {pdf.stat().st_size / 1024:.0f} KiB", flush=True)
    print("untimed add (warms the model cache; its index is checked)", flush=True)
    first = run_add(pdf, work, "first")
    adds, reads = [], []
    for i in range(runs):
        print(f"run {i + 1}/{runs}: waymark add, then read_document", flush=True)
        adds.append(run_add(pdf, work, f"run{i}"))
        shutil.rmtree(adds[-1]["data"], ignore_errors=True)
        reads.append(run_read(pdf, pages))
    print(f"checking {pages} pages in the index and asking {pages} questions", flush=True)
    checked = check(Path(first["corpus"]), Path(first["data"]), pages)
    return {
        "runs": runs,
        "pages": pages,
        "pdf_kib": round(pdf.stat().st_size / 1024, 1),
        "passages": first["passages"],
        "add_wall_s": median(r["wall_s"] for r in adds),
        "add_cpu_s": median(r["cpu_s"] for r in adds),
        "add_index_s": median(r["index_s"] for r in adds) if all(r["index_s"] for r in adds) else None,
        "read_s": median(r["read_s"] for r in reads),
        "read_import_s": median(r["import_s"] for r in reads),
        "read_wall_s": median(r["wall_s"] for r in reads),
        "date": reads[0]["date"],
        "date_basis": reads[0]["date_basis"],
        "closing_missing": reads[0]["closing_missing"],
        "check": checked,
        "add_runs": adds,
        "read_runs": reads,
        "first_add": first,
    }


def summary_of(res: dict) -> dict:
    """The small JSON committed next to the README (benchmarks/out is not committed)."""
    c = res["check"]
    keys = (
        "runs",
        "pages",
        "pdf_kib",
        "passages",
        "add_wall_s",
        "add_cpu_s",
        "add_index_s",
        "read_s",
        "read_import_s",
    )
    return {
        **{k: res[k] for k in keys},
        "read_wall_s": res["read_wall_s"],
        "date": res["date"],
        "date_basis": res["date_basis"],
        "closing_missing": res["closing_missing"],
        "numbers_checked": c["numbers_checked"],
        "numbers_missing": c["numbers_missing"],
        "pages_findable": c["pages_findable"],
        "answered_right": c["answered_right"],
        "abstained": c["abstained"],
        "wrong": c["wrong"],
        "answer_mean_ms": c["answer_mean_ms"],
        "pages_not_answered": [a["page"] for a in c["answers"] if not a["right"]],
        "loadavg_1min": res["loadavg_1min"],
        "machine": res["machine"],
    }


# ---------------------------------------------------------------- README


def section(pdf: dict | None, dates: dict | None) -> str:
    lines = ["## Bring your own documents (issue 13)", ""]
    if pdf:
        m, load = pdf["machine"], pdf["loadavg_1min"]
        ok_time = "**met**" if pdf["add_wall_s"] <= TARGET_INGEST_S else "**not met**"
        ok_find = "**met**" if not pdf["numbers_missing"] else "**not met**"
        busy = (
            " Other processes were competing for the CPUs (load above the core count), so the timings are "
            "pessimistic."
            if max(load) > m["cores"]
            else ""
        )
        lines += [
            f"`benchmarks/pdf_ingest.py`, measured {m['date']} on {m['cpu']} ({m['cores']} cores), Python "
            f"{m['python']}, commit `{m['commit']}`, 1-minute load average {load[0]:.1f}→{load[1]:.1f}: "
            f"a generated {pdf['pages']}-page text PDF ({pdf['pdf_kib']:.0f} KiB), one district per page "
            "with its duty officer's number in body type (`District N duty officer: +37 21 555 1NNN`), a "
            "table row with a night line (`+37 21 556 2NNN`), a running header, an emergency footer and "
            "`Page N of M` on every page, /CreationDate and /ModDate metadata. Timings are medians of "
            f"{pdf['runs']} fresh processes (one untimed add first warms the model cache).{busy}",
            "",
        ]
    if dates:
        ok_dates = "**met**" if all(r["date"] and r["date_basis"] for r in dates["rows"]) else "**not met**"
    lines += ["| measure | target | measured |", "|---|---|---|"]
    if pdf:
        index = f"; its index step {pdf['add_index_s']:.2f} s" if pdf.get("add_index_s") is not None else ""
        c = pdf["numbers_checked"]
        cpu = f"; {pdf['add_cpu_s']:.2f} CPU s" if pdf.get("add_cpu_s") is not None else ""
        lines += [
            f"| ingest a {pdf['pages']}-page generated PDF: `waymark add` into an empty corpus and a new "
            f"data folder, wall time incl. interpreter start | ≤ {TARGET_INGEST_S:.0f} s "
            f"| {pdf['add_wall_s']:.2f} s ({pdf['passages']} passages{index}{cpu}), {ok_time} |",
            f"| every page's numbers findable: both of each page's numbers in an indexed passage whose "
            f"`page` is that page | {c}/{c} | {c - len(pdf['numbers_missing'])}/{c} numbers, "
            f"{pdf['pages_findable']}/{pdf['pages']} pages, {ok_find} |",
        ]
    if dates:
        n = len(dates["rows"])
        dated = sum(1 for r in dates["rows"] if r["date"] and r["date_basis"])
        lines.append(
            f"| dates found on the fixture set (`benchmarks/fixture_dates.py`) | every fixture's date with "
            f"its basis | {dated}/{n} fixtures, {ok_dates} |"
        )
    if pdf:
        lines += [
            "",
            f"Reading the PDF alone (`index.load.read_document`, fresh process): {pdf['read_s']:.2f} s, "
            f"after {pdf['read_import_s']:.2f} s of imports; its date {pdf['date']} ({pdf['date_basis']}). "
            "The rest of the add is interpreter start, imports, the embedding model and the index write. "
            f'Asking the answerer once per page, "What is the number of the district N duty officer?" '
            f"(warm, {pdf['answer_mean_ms']:.0f} ms per answer on average): {pdf['answered_right']}/"
            f"{pdf['pages']} answers quote the right number with page N, {pdf['abstained']} abstain, "
            f"{pdf['wrong']} answer without it (wrong)"
            + (
                f" ({_pages(pdf['pages_not_answered'])} not answered right)."
                if pdf["pages_not_answered"]
                else "."
            )
            + " This is reported, not a target: the answerer abstains when it is unsure.",
        ]
        gone = pdf.get("closing_missing") or []
        if gone:
            lines += [
                "",
                'Found on the way: each page ends with the same body-type sentence, "Outside these hours the '
                'night line of district N forwards calls to the regional centre." The loader dropped it on '
                f"{len(gone)}/{pdf['pages']} pages ({_pages(gone)}): at a page edge and repeated on most "
                "pages it is taken for a running footer unless it carries a number of two or more digits "
                "(`index/pdf.py`, `_furniture`). No number checked above is affected.",
            ]
    if dates:
        lines += [
            "",
            "Dates as `index.load.read_document(path, id).meta` finds them (`benchmarks/fixture_dates.py`; "
            "the date used is the one ages are counted from):",
            "",
            "| fixture | published (basis) | updated (basis) | date used (basis) |",
            "|---|---|---|---|",
        ]
        for r in dates["rows"]:
            lines.append(
                f"| {r['fixture']} | {_dated(r['published'], r['published_basis'])} "
                f"| {_dated(r['updated'], r['updated_basis'])} | {_dated(r['date'], r['date_basis'])} |"
            )
    lines += [
        "",
        "Reproduce: `.venv/bin/python benchmarks/pdf_ingest.py` (~1 min) and `.venv/bin/python "
        "benchmarks/fixture_dates.py` (seconds), both run by `make bench`; each rewrites only this section, "
        "from the committed summaries `benchmarks/pdf_ingest.json` and `benchmarks/fixture_dates.json`, and "
        "`benchmarks/pdf_ingest.py --readme-only` re-renders it.",
    ]
    return "\n".join(lines)


def _pages(pages: list[int]) -> str:
    """[1, 2, 3, 7] -> "pages 1-3, 7"."""
    runs: list[list[int]] = []
    for p in sorted(pages):
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return "pages " + ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _dated(value: str | None, basis: str | None) -> str:
    if not value:
        return "–"
    return f"{value} ({basis.replace('|', '/')})" if basis else value


def write_readme() -> None:
    """The section from both committed summaries, whichever exist."""
    pdf = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else None
    dates = json.loads(DATES_SUMMARY.read_text()) if DATES_SUMMARY.exists() else None
    readme.write_section(SECTION, section(pdf, dates))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--no-readme", action="store_true", help="only print and write the JSON")
    parser.add_argument("--readme-only", action="store_true", help="re-render the README section")
    args = parser.parse_args()
    if args.readme_only:
        write_readme()
        return
    if args.runs < 3:
        parser.error("--runs must be at least 3 (medians)")
    work = Path(tempfile.mkdtemp(prefix="waymark-pdf-ingest-"))
    load_before = os.getloadavg()[0]
    try:
        res = measure(args.runs, args.pages, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res["loadavg_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    res["machine"] = machine()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    summary = summary_of(res)
    SUMMARY.write_text(json.dumps(summary, indent=2) + "\n")
    c = res["check"]
    print(
        f"add {res['add_wall_s']:.2f}s (index step {res['add_index_s']}s, {res['passages']} passages), "
        f"read_document {res['read_s']:.2f}s; numbers findable "
        f"{c['numbers_checked'] - len(c['numbers_missing'])}/{c['numbers_checked']}; "
        f"answers right {c['answered_right']}/{args.pages}, abstained {c['abstained']}, wrong {c['wrong']}"
    )
    print(f"wrote {OUT.relative_to(REPO)} and {SUMMARY.relative_to(REPO)}")
    if not args.no_readme:
        write_readme()
        print(f"wrote the 'Bring your own documents (issue 13)' section of {readme.README.relative_to(REPO)}")


if __name__ == "__main__":
    main()
