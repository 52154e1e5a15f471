"""Bring your own documents (issue 13): the dates Waymark finds in each document fixture, and how.

For every document fixture under tests/fixtures/ (HTML, Markdown, plain text) and for generated
PDFs (``tests.pdf_fixtures.make_advisory_pdf`` with its metadata dates only, and with a printed
"Last updated" line under the title; the 50-page PDF of ``benchmarks/pdf_ingest.py``), prints

    fixture | published (basis) | updated (basis) | date used (basis)

from ``index.load.read_document(path, id).meta``: ``published``/``updated`` and their ``*_basis``,
and ``date``/``date_basis``, the date ages are counted from. Usage::

    .venv/bin/python benchmarks/fixture_dates.py [--no-readme]

Writes benchmarks/out/fixture_dates.json, benchmarks/fixture_dates.json (committed; the README is
rendered from it) and the section "Bring your own documents (issue 13)" of benchmarks/README.md,
together with the PDF ingest results of benchmarks/pdf_ingest.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from pdf_ingest import DATES_SUMMARY, make_district_pdf, write_readme  # noqa: E402

from index.load import read_document  # noqa: E402
from tests.pdf_fixtures import make_advisory_pdf  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
OUT = REPO / "benchmarks" / "out" / "fixture_dates.json"
SUFFIXES = {".html", ".htm", ".md", ".markdown", ".txt", ".pdf"}
DATED_LINE = "Last updated: 12 March 2024"


def fixture_files() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(FIXTURES).as_posix(), path)
        for path in sorted(FIXTURES.rglob("*"))
        if path.is_file() and path.suffix.lower() in SUFFIXES
    ]


def generated_pdfs(work: Path) -> list[tuple[str, Path]]:
    return [
        (
            "make_advisory_pdf() (metadata dates only)",
            make_advisory_pdf(work / "advisory.pdf", pages=3),
        ),
        (
            f'make_advisory_pdf(dated_line="{DATED_LINE}")',
            make_advisory_pdf(work / "advisory-dated.pdf", pages=3, dated_line=DATED_LINE),
        ),
        ("make_district_pdf() (pdf_ingest.py, 50 pages)", make_district_pdf(work / "districts.pdf", 50)),
    ]


def row(label: str, path: Path) -> dict:
    meta = read_document(path, path.name, strict=True).meta
    return {
        "fixture": label,
        "format": path.suffix.lower().lstrip("."),
        **{key: meta.get(key) for key in ("published", "published_basis", "updated", "updated_basis")},
        "date": meta.get("date"),
        "date_basis": meta.get("date_basis"),
    }


def table(rows: list[dict]) -> str:
    def cell(value, basis) -> str:
        return f"{value} ({basis})" if value else "–"

    head = ("fixture", "published (basis)", "updated (basis)", "date used (basis)")
    body = [
        (
            r["fixture"],
            cell(r["published"], r["published_basis"]),
            cell(r["updated"], r["updated_basis"]),
            cell(r["date"], r["date_basis"]),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    lines = [head, tuple("-" * w for w in widths), *body]
    return "\n".join(
        " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-readme", action="store_true", help="only print and write the JSON")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="waymark-fixture-dates-"))
    try:
        rows = [row(label, path) for label, path in fixture_files() + generated_pdfs(work)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(rows))
    res = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "rows": rows}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    DATES_SUMMARY.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {OUT.relative_to(REPO)} and {DATES_SUMMARY.relative_to(REPO)}")
    if not args.no_readme:
        write_readme()
        print("wrote the 'Bring your own documents (issue 13)' section of benchmarks/README.md")


if __name__ == "__main__":
    main()
