"""`waymark`: build the index, ask one question, chat in the browser, run eval suites, add and
remove documents.

Every ``WaymarkError`` becomes one line on stderr and exit status 1, never a traceback.

Commands import what they run when they run (chromadb and the models for ``ask``, Gradio for
``chat``, the eval runner for ``eval``), so that ``waymark --help`` and a typo answer at once.
This module is the composition root: it is the one place in ``bot`` that reaches up to
``evals`` (for ``waymark eval``), and only when that command runs.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from bot.errors import AddError, IngestError, WaymarkError
from bot.render import closest_text
from bot.settings import ENV_VARS, Settings

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def user_errors(fn):
    """Turn user-facing errors into a clean message and a non-zero exit."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (WaymarkError, IngestError) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper


def store_options(fn):
    fn = click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), help="Corpus folder.")(fn)
    fn = click.option("--data-dir", type=click.Path(path_type=Path), help="Index folder.")(fn)
    return fn


def settings_from(ctx_overrides: dict) -> Settings:
    overrides = dict(ctx_overrides)
    for key in ("corpus_dir", "data_dir"):
        if overrides.get(key) is not None:
            overrides[key] = Path(overrides[key]).expanduser().resolve()
    return Settings.from_env(**overrides)


@click.group(epilog="Configuration: " + ", ".join(ENV_VARS))
@click.version_option(package_name="waymark")
def main() -> None:
    """Waymark: traveler-safety answers quoted from named, dated sources."""


@main.command()
@store_options
@click.option("--rebuild", is_flag=True, help="Re-embed everything instead of only what changed.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@user_errors
def index(corpus_dir, data_dir, rebuild, as_json) -> None:
    """Index the corpus (only changed documents are re-embedded)."""
    from index.build import build_index  # langchain and the embedders: only when indexing

    settings = settings_from({"corpus_dir": corpus_dir, "data_dir": data_dir})
    summary = build_index(
        settings,
        rebuild=rebuild,
        warn=lambda m: click.echo(f"warning: {m}", err=True),
        progress=not as_json and sys.stderr.isatty(),
    )
    click.echo(json.dumps(summary.as_dict(), indent=2) if as_json else summary.line())
    if summary.changed:
        calibrated = calibrate_index(settings)
        if not as_json:
            click.echo(f"Answer threshold for this corpus: {calibrated.threshold:.3f} (calibrated)")


def calibrate_index(settings: Settings):
    """Set the new index generation's answer-or-abstain threshold now, not at the first question."""
    from bot.answer import Answerer  # chromadb and the models (seconds): only for commands that answer
    from bot.calibrate import load_or_calibrate

    answerer = Answerer(settings.replace(llm="none"))  # scores evidence only: no wording model needed
    return load_or_calibrate(answerer, answerer.handle.snapshot(), settings.data_dir)


def ensure_index(settings: Settings) -> None:
    """Build the index on first use, so the first question just works."""
    from index import store  # chromadb: only for commands that read the index

    db = store.client(settings)
    if store.current_collection_name(db, settings):
        return
    from index.build import build_index  # the embedders: only when there is no index yet

    click.echo("No index yet: building it now (first run only)...", err=True)
    summary = build_index(settings, warn=lambda m: click.echo(f"warning: {m}", err=True), progress=True)
    click.echo(summary.line(), err=True)
    calibrated = calibrate_index(settings)
    click.echo(f"Answer threshold for this corpus: {calibrated.threshold:.3f} (calibrated)", err=True)


@main.command()
@click.argument("question")
@store_options
@click.option("--history", "-H", multiple=True, help="An earlier user turn (repeat, oldest first).")
@click.option("--stale-years", type=float, help="Warn when sources are older than this.")
@click.option("--citations", type=click.IntRange(1, 10), help="Most quotes in the answer.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this date.")
@click.option("--json", "as_json", is_flag=True, help="Print the structured result.")
@user_errors
def ask(question, corpus_dir, data_dir, history, stale_years, citations, today, as_json) -> None:
    """Answer one QUESTION from the sources."""
    from bot.answer import Answerer  # chromadb and the models: not for --help

    settings = settings_from(
        {"corpus_dir": corpus_dir, "data_dir": data_dir, "today": today.date() if today else None}
    )
    ensure_index(settings)
    result = Answerer(settings).answer(question, list(history), stale_years=stale_years, citations=citations)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(result.text)
    if result.closest:
        click.echo("\n" + closest_text(result.closest))


@main.command()
@store_options
@click.option("--host", help="Bind address (default 127.0.0.1; anything else exposes the chat).")
@click.option("--port", type=int, help="Port (default 7860).")
@click.option("--share", is_flag=True, help="Also open a public Gradio share link.")
@click.option(
    "--allow-upload",
    is_flag=True,
    help="Show the upload box (and remove control) in the Sources tab without a login (WAYMARK_AUTH).",
)
@user_errors
def chat(corpus_dir, data_dir, host, port, share, allow_upload) -> None:
    """Open the chat in your browser (builds the index on first use)."""
    from bot.ui import launch  # Gradio (seconds): only for the chat

    settings = settings_from(
        {
            "corpus_dir": corpus_dir,
            "data_dir": data_dir,
            "host": host,
            "port": port,
            "allow_upload": allow_upload or None,
        }
    )
    ensure_index(settings)
    launch(settings, share=share)


@main.command(name="eval")
@click.argument("suites", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@store_options
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this date.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write all results here.")
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Write a Markdown report.")
@click.option("--llm", help="Word answers with this backend (openai, ollama, fake, fake-liar).")
@user_errors
def eval_command(suites, corpus_dir, data_dir, today, json_path, report_path, llm) -> None:
    """Run eval SUITES (YAML) and report per-check results."""
    # The one import above bot/: the CLI is the composition root and `waymark eval` runs the
    # evals layer on top of the answerer. Imported here so that no other command loads it.
    from evals.runner import run_suites

    settings = settings_from(
        {"corpus_dir": corpus_dir, "data_dir": data_dir, "llm": llm, "today": today.date() if today else None}
    )
    ensure_index(settings)
    report = run_suites(settings, list(suites))
    click.echo(report.summary_text())
    if json_path:
        json_path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    if report_path:
        report_path.write_text(report.markdown())
    sys.exit(0 if report.all_passed else 2)


@main.command()
@store_options
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@user_errors
def sources(corpus_dir, data_dir, as_json) -> None:
    """List every indexed document with its date, age and how the date was found."""
    from bot.catalog import catalog  # chromadb: only when listing

    settings = settings_from({"corpus_dir": corpus_dir, "data_dir": data_dir})
    rows = catalog(settings)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], indent=2, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r.date:>10}  {r.age:<22} {r.passages:>4} passages  {r.source_id}  {r.title}")
        click.echo(f"{'':>10}  dated from: {r.date_basis or 'unknown'}")


def reindexer(settings: Settings, quiet: bool = False):
    """The re-index step `add`/`remove` hand to index.add: incremental, the builder's own embeddings."""
    from index.build import build_index  # langchain and the embedders: only when re-indexing

    summaries: list = []

    def reindex(warn) -> None:
        progress = not quiet and sys.stderr.isatty()
        summaries.append(build_index(settings, warn=warn, progress=progress))

    reindex.summaries = summaries  # type: ignore[attr-defined]
    return reindex


@main.command()
@click.argument("sources", nargs=-1, required=True)
@store_options
@click.option("--name", help="Save under this file name (one source only; made safe either way).")
@click.option("--json", "as_json", is_flag=True, help="Print what was added as JSON.")
@user_errors
def add(sources, corpus_dir, data_dir, name, as_json) -> None:
    """Add documents (files or http(s) URLs: PDF, HTML, Markdown, text) to the corpus and index them.

    Each is copied into the corpus folder under a safe name with a manifest entry (title,
    publisher, kind, dates and how they were found, URL); an identical document is not added twice.
    """
    from index.add import add_source  # the loaders and YAML: only when adding

    if name and len(sources) > 1:
        raise AddError("--name works with one source at a time.")
    settings = settings_from({"corpus_dir": corpus_dir, "data_dir": data_dir})
    corpus = settings.editable_corpus()
    reindex = reindexer(settings, quiet=as_json)
    results, failed = [], 0
    for source in sources:
        try:
            added = add_source(
                source,
                corpus,
                name=name,
                max_bytes=settings.max_upload_bytes,
                today=settings.current_date(),
                reindex=reindex,
            )
        except WaymarkError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        for message in added.warnings:
            click.echo(f"warning: {message}", err=True)
        results.append(added)
        if not as_json:
            click.echo(added.line())
    if as_json:
        out = [{"id": a.id, "duplicate_of": a.duplicate_of, "entry": a.entry} for a in results]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    elif reindex.summaries:
        click.echo("Index: " + reindex.summaries[-1].line())
    if failed:
        sys.exit(1)


@main.command()
@click.argument("doc_id", metavar="ID")
@store_options
@user_errors
def remove(doc_id, corpus_dir, data_dir) -> None:
    """Remove document ID (its file name, as `waymark sources` shows) from the corpus and the index."""
    from index.add import remove_source  # the loaders and YAML: only when removing

    settings = settings_from({"corpus_dir": corpus_dir, "data_dir": data_dir})
    corpus = settings.editable_corpus()
    reindex = reindexer(settings)
    entry = remove_source(doc_id, corpus, reindex=reindex)
    title = f" (“{entry['title']}”)" if entry.get("title") else ""
    click.echo(f"Removed {doc_id}{title} from {settings.corpus_dir} and its manifest.")
    if reindex.summaries:
        click.echo("Index: " + reindex.summaries[-1].line())


if __name__ == "__main__":
    main()
