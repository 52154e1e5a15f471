"""`waymark add`, `remove` and `sources`, and the chat's upload handlers: a document goes into the
corpus under a safe name with a filled-in manifest entry and is indexed at once; an identical one
is not added twice; bad input (too large, unsupported, unreachable, unreadable, a name reaching
outside the folder) gets one line and exit 1, with the corpus exactly as it was."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from index.add import safe_name
from index.manifest import load_manifest, remove_entry, write_entry

pytestmark = pytest.mark.slow

TAXI_MD = """# Taxi safety in Bishkek

Last updated March 2025

Licensed taxis in Bishkek show a yellow roof sign and can be ordered through the Namba app; \
travelers should avoid unmarked cars at Manas airport.
"""
CLINIC_TXT = """Clinics in Osh

Published: 12 June 2024

The Osh city clinic on Lenin Street treats foreigners around the clock and accepts cash only.
"""
PAGE_HTML = """<!doctype html>
<html><head>
<title>Border crossings into Tajikistan</title>
<meta property="og:site_name" content="Examplia Travel Office">
<meta property="article:published_time" content="2024-09-02T08:00:00Z">
<meta property="article:modified_time" content="2025-01-15T10:30:00Z">
</head><body>
<nav>Home | Advisories | Contact</nav>
<article>
<h1>Border crossings into Tajikistan</h1>
<p>The Kyzyl-Art pass border post opens from 8 am to 5 pm and is closed on public holidays.</p>
<p>Travelers need a GBAO permit for the Pamir Highway, issued with the e-visa for a small fee.</p>
</article>
<footer>Examplia Travel Office</footer>
</body></html>
"""
SEED = {
    "police.txt": "Police\n\nDial 102 for the police in Examplestan. Carry your passport at all times.\n",
    "water.md": "# Water\n\nTap water in Examplestan is not safe to drink; buy sealed bottles.\n",
}
SEED_MANIFEST = """# Test manifest: comments like this one survive `waymark add` and `waymark remove`.
documents:
  - id: police.txt
    title: "Police in Examplestan"
    publisher: "Examplestan Tourist Board"
    kind: official page
    published: "2019-05"
    date_note: "Footer 'Last reviewed May 2019'."
    url: null
"""


# ------------------------------------------------------------------- fixtures


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in SEED.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "manifest.yaml").write_text(SEED_MANIFEST, encoding="utf-8")
    return folder


@pytest.fixture
def env(corpus: Path, tmp_path: Path) -> dict[str, str]:
    return {
        "WAYMARK_CORPUS_DIR": str(corpus),
        "WAYMARK_DATA_DIR": str(tmp_path / "data"),
        "WAYMARK_TODAY": "2026-11-25",
    }


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Documents to add, outside the corpus."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "taxis.md").write_text(TAXI_MD, encoding="utf-8")
    (folder / "clinic.txt").write_text(CLINIC_TXT, encoding="utf-8")
    (folder / "border.html").write_text(PAGE_HTML, encoding="utf-8")
    return folder


@pytest.fixture
def seeded(tmp_path: Path, seed_settings) -> dict[str, str]:
    """The shipped corpus and a copy of the session's index of it (answers need a real corpus:
    the answerability check abstains on a two-document toy); adding embeds only the new file."""
    corpus = tmp_path / "seed-corpus"
    shutil.copytree(seed_settings.corpus_dir, corpus)
    shutil.copytree(seed_settings.data_dir, tmp_path / "seed-data")
    return {
        "WAYMARK_CORPUS_DIR": str(corpus),
        "WAYMARK_DATA_DIR": str(tmp_path / "seed-data"),
        "WAYMARK_TODAY": "2026-11-25",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".md": "text/markdown"}

    def guess_type(self, path):
        if str(path).endswith("latin1.txt"):
            return "text/plain; charset=iso-8859-1"
        return super().guess_type(path)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """Fixture pages served by http.server on 127.0.0.1 (a free port, in a thread); nothing else."""
    root = tmp_path / "site"
    (root / "advisories").mkdir(parents=True)
    (root / "advisories" / "tajikistan-border.html").write_text(PAGE_HTML, encoding="utf-8")
    (root / "notes.md").write_text(TAXI_MD, encoding="utf-8")
    (root / "big.html").write_text("<p>" + "x" * 4000 + "</p>", encoding="utf-8")
    (root / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (root / "latin1.txt").write_bytes(LATIN1_TEXT.encode("latin-1"))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=root)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run(env: dict, *args: str):
    return CliRunner().invoke(main, list(args), env=env)


def entries(corpus: Path) -> dict[str, dict]:
    data = yaml.safe_load((corpus / "manifest.yaml").read_text(encoding="utf-8"))
    return {e["id"]: e for e in data["documents"]}


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in the folder (hidden ones too, bar the lock) with its content hash."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def sources_json(env: dict) -> dict[str, dict]:
    result = run(env, "sources", "--json")
    assert result.exit_code == 0, result.output
    return {row["source_id"]: row for row in json.loads(result.stdout)}


# ------------------------------------------------------------------- adding files


@pytest.mark.parametrize(
    ("name", "title", "date", "basis"),
    [
        pytest.param(
            "taxis.md", "Taxi safety in Bishkek", "2025-03", "Last updated March 2025", id="markdown"
        ),
        pytest.param("clinic.txt", "Clinics in Osh", "2024-06-12", "12 June 2024", id="text"),
        pytest.param("border.html", "Border crossings into Tajikistan", "2025-01-15", "", id="html"),
    ],
)
def test_added_file_is_copied_described_and_indexed(env, corpus, files, name, title, date, basis):
    result = run(env, "add", str(files / name))
    assert result.exit_code == 0, result.output
    assert f"Added {name}" in result.stdout and title in result.stdout
    assert (corpus / name).read_bytes() == (files / name).read_bytes()

    entry = entries(corpus)[name]
    assert entry["title"] == title
    assert entry["publisher"] and entry["kind"]
    assert entry["published"] == date
    assert basis in entry["date_note"]
    assert entry["sha256"] == hashlib.sha256((files / name).read_bytes()).hexdigest()
    assert entry["added"] == "2026-11-25" and entry["added_from"] == name

    row = sources_json(env)[name]
    assert row["title"] == title and row["date"] == date and row["passages"] >= 1
    assert row["date_basis"].startswith("manifest:")
    assert set(sources_json(env)) == {*SEED, name}, "the rest of the corpus is still indexed"


def test_html_page_keeps_its_site_name_and_both_dates(env, corpus, files):
    assert run(env, "add", str(files / "border.html")).exit_code == 0
    entry = entries(corpus)["border.html"]
    assert entry["publisher"] == "Examplia Travel Office"
    assert entry["kind"] == "web page"
    assert entry["updated"] == "2025-01-15" and entry["first_published"] == "2024-09-02"


def test_next_answer_quotes_the_added_document(seeded, files):
    added = run(seeded, "add", "--json", str(files / "taxis.md"))
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)[0]["entry"]["published"] == "2025-03"
    result = run(seeded, "ask", "--json", "What sign do licensed taxis in Bishkek show?")
    assert result.exit_code == 0, result.output
    cite = json.loads(result.stdout)["citations"][0]
    assert cite["source_id"] == "taxis.md" and "yellow roof sign" in cite["quote"]
    assert cite["date"] == "2025-03" and cite["title"] == "Taxi safety in Bishkek"


def test_identical_document_is_reported_as_a_duplicate_and_not_added_again(env, corpus, files):
    assert run(env, "add", str(files / "taxis.md")).exit_code == 0
    before = snapshot(corpus)
    copy = files / "same-bytes-other-name.md"
    copy.write_bytes((files / "taxis.md").read_bytes())
    for path in (files / "taxis.md", copy):
        result = run(env, "add", str(path))
        assert result.exit_code == 0, result.output
        assert f"{path.name} is already in the corpus as taxis.md" in result.stdout
        assert "not added again" in result.stdout
    assert snapshot(corpus) == before
    assert list(entries(corpus)).count("taxis.md") == 1


def test_several_sources_in_one_command_and_one_bad_one(env, corpus, files):
    result = run(env, "add", str(files / "taxis.md"), str(files / "nope.md"), str(files / "clinic.txt"))
    assert result.exit_code == 1
    assert "Added taxis.md" in result.stdout and "Added clinic.txt" in result.stdout
    assert result.stderr.count("Error:") == 1 and "No such file" in result.stderr
    assert {"taxis.md", "clinic.txt"} <= set(sources_json(env))


def test_manifest_comments_and_other_entries_survive_add_and_remove(env, corpus, files):
    assert run(env, "add", str(files / "clinic.txt")).exit_code == 0
    text = (corpus / "manifest.yaml").read_text(encoding="utf-8")
    assert text.startswith(SEED_MANIFEST), "appended, not rewritten"
    assert run(env, "remove", "clinic.txt").exit_code == 0
    assert (corpus / "manifest.yaml").read_text(encoding="utf-8") == SEED_MANIFEST


# ------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        pytest.param("../../etc/passwd.txt", "passwd.txt", id="dot-dot"),
        pytest.param("..\\..\\windows\\notes.md", "notes.md", id="backslashes"),
        pytest.param("/abs/path/Report.PDF", "Report.pdf", id="absolute-and-case"),
        pytest.param("Río de Janeiro (2024).md", "Rio-de-Janeiro-2024.md", id="accents-spaces"),
        pytest.param("<script>alert(1)</script>.html", "script.html", id="markup"),
        pytest.param("..hidden.txt", "hidden.txt", id="leading-dots"),
        pytest.param("report.v2.txt", "report.v2.txt", id="inner-dot"),
        pytest.param("???.txt", "document.txt", id="nothing-left"),
        pytest.param("a" * 300 + ".txt", "a" * 80 + ".txt", id="too-long"),
    ],
)
def test_safe_names(raw, safe):
    assert safe_name(raw) == safe


def test_name_reaching_outside_the_corpus_is_made_safe(env, corpus, files, tmp_path):
    result = run(env, "add", "--name", "../../outside/ev il<x>.md", str(files / "taxis.md"))
    assert result.exit_code == 0, result.output
    assert (corpus / "ev-il-x.md").exists()
    assert not (tmp_path / "outside").exists() and not (corpus.parent / "outside").exists()
    assert "ev-il-x.md" in sources_json(env)


def test_taken_name_gets_a_number(env, corpus, files):
    (files / "police.txt").write_text(CLINIC_TXT, encoding="utf-8")  # same name as a seed document
    assert run(env, "add", str(files / "police.txt")).exit_code == 0
    assert (corpus / "police.txt").read_text(encoding="utf-8") == SEED["police.txt"]
    assert (corpus / "police-2.txt").read_text(encoding="utf-8") == CLINIC_TXT


# ------------------------------------------------------------------- web pages


def test_url_from_a_local_server_is_fetched_and_described(env, corpus, site):
    url = f"{site}/advisories/tajikistan-border.html"
    result = run(env, "add", url)
    assert result.exit_code == 0, result.output
    doc_id = "127.0.0.1-tajikistan-border.html"
    assert (corpus / doc_id).read_text(encoding="utf-8") == PAGE_HTML
    entry = entries(corpus)[doc_id]
    assert entry["url"] == url and entry["added_from"] == url
    assert entry["title"] == "Border crossings into Tajikistan"
    assert entry["publisher"] == "Examplia Travel Office" and entry["kind"] == "web page"
    assert entry["published"] == "2025-01-15"
    assert sources_json(env)[doc_id]["date"] == "2025-01-15"


def test_markdown_url_is_stored_as_markdown(env, corpus, site):
    result = run(env, "add", f"{site}/notes.md")
    assert result.exit_code == 0, result.output
    assert (corpus / "127.0.0.1-notes.md").exists()
    assert entries(corpus)["127.0.0.1-notes.md"]["published"] == "2025-03"


LATIN1_TEXT = "Cafés in Almaty\n\nLast updated May 2024\n\n" + (
    "The Café Central near the Opera serves tourists until 2 am.\n"
)


def test_text_in_another_charset_is_saved_as_utf8(env, corpus, site):
    result = run(env, "add", f"{site}/latin1.txt")
    assert result.exit_code == 0, result.output
    assert (corpus / "127.0.0.1-latin1.txt").read_text(encoding="utf-8") == LATIN1_TEXT
    assert entries(corpus)["127.0.0.1-latin1.txt"]["published"] == "2024-05"


# ------------------------------------------------------------------- bad input: one line, nothing changed


SCRIPT_ONLY_HTML = (
    "<html><head><title>App</title></head><body><div id=root></div><script>render()</script></body></html>"
)


def pdf_loading() -> bool:
    try:
        import index.pdf  # noqa: F401
        import tests.pdf_fixtures  # noqa: F401
    except ImportError:
        return False
    return True


NEEDS_PDF = pytest.mark.skipif(not pdf_loading(), reason="PDF loading (index.pdf) has not landed yet")


def pdf(maker: str, path: Path) -> str:
    """A broken PDF from the loader's fixtures (encrypted, scanned, truncated, a zip bomb)."""
    import tests.pdf_fixtures

    return str(getattr(tests.pdf_fixtures, maker)(path))


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/advisory.html"  # nothing listens there any more


@pytest.mark.parametrize(
    ("make", "extra_env", "message"),
    [
        pytest.param(lambda f, s: closed_port_url(), {}, "Cannot reach 127.0.0.1", id="unreachable-url"),
        pytest.param(lambda f, s: f"{s}/missing.html", {}, "HTTP 404", id="http-404"),
        pytest.param(lambda f, s: f"{s}/map.png", {}, "image/png", id="unsupported-content-type"),
        pytest.param(
            lambda f, s: f"{s}/big.html",
            {"WAYMARK_MAX_UPLOAD_MB": "0.001"},
            "over the 1 KB size limit",
            id="url-over-size-limit",
        ),
        pytest.param(
            lambda f, s: str(f / "border.html"),
            {"WAYMARK_MAX_UPLOAD_MB": "0.0005"},
            "over the 524 bytes size limit",
            id="file-over-size-limit",
        ),
        pytest.param(lambda f, s: "ftp://127.0.0.1/x.txt", {}, "http:// or https:// only", id="not-http"),
        pytest.param(lambda f, s: str(f / "notes.docx"), {}, "a .docx file", id="unsupported-type"),
        pytest.param(lambda f, s: str(f / "README"), {}, "without a type suffix", id="no-suffix"),
        pytest.param(lambda f, s: str(f / "absent.md"), {}, "No such file", id="missing-file"),
        pytest.param(lambda f, s: str(f), {}, "is a folder", id="folder"),
        pytest.param(lambda f, s: str(f / "latin1.txt"), {}, "not UTF-8", id="not-utf8"),
        pytest.param(lambda f, s: str(f / "blank.md"), {}, "cannot be added", id="empty"),
        pytest.param(lambda f, s: str(f / "app.html"), {}, "only scripts", id="script-only-html"),
        pytest.param(
            lambda f, s: str(f / "fake.pdf"), {}, "not a PDF", id="mislabelled-pdf", marks=NEEDS_PDF
        ),
        pytest.param(
            lambda f, s: pdf("make_encrypted_pdf", f / "locked.pdf"),
            {},
            "encrypted",
            id="encrypted-pdf",
            marks=NEEDS_PDF,
        ),
        pytest.param(
            lambda f, s: pdf("make_scanned_pdf", f / "scan.pdf"),
            {},
            "OCR is not supported",
            id="scanned-pdf",
            marks=NEEDS_PDF,
        ),
        pytest.param(
            lambda f, s: pdf("make_truncated_pdf", f / "cut.pdf"),
            {},
            "damaged or truncated",
            id="truncated-pdf",
            marks=NEEDS_PDF,
        ),
        pytest.param(
            lambda f, s: pdf("make_bomb_pdf", f / "bomb.pdf"), {}, "zip bomb", id="bomb-pdf", marks=NEEDS_PDF
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(env, corpus, files, site, make, extra_env, message):
    (files / "notes.docx").write_bytes(b"PK\x03\x04 not really a document")
    (files / "README").write_text("Read me.\n", encoding="utf-8")
    (files / "latin1.txt").write_bytes(
        "Caf\xe9 safety: the Caf\xe9 Central is safe at night.\n".encode("latin-1")
    )
    (files / "blank.md").write_text("   \n\n", encoding="utf-8")
    (files / "app.html").write_text(SCRIPT_ONLY_HTML, encoding="utf-8")
    (files / "fake.pdf").write_text("Not a PDF at all, just a renamed note.\n", encoding="utf-8")
    before = snapshot(corpus)
    result = run({**env, **extra_env}, "add", make(files, site))
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    assert snapshot(corpus) == before, "no file, temporary or final, and the manifest untouched"


def test_a_failed_reindex_takes_the_document_back_out(env, corpus, files, tmp_path):
    from bot.errors import IndexBusyError
    from index.build import index_lock
    from tests.conftest import settings_for

    assert run(env, "add", str(files / "clinic.txt")).exit_code == 0
    before = snapshot(corpus)
    with index_lock(settings_for(corpus, tmp_path / "data")):  # as if `waymark index` were running
        result = run(env, "add", str(files / "taxis.md"))
    assert result.exit_code == 1
    assert "taxis.md was not added" in result.stderr and "Another `waymark index`" in result.stderr
    assert snapshot(corpus) == before
    assert "taxis.md" not in sources_json(env)
    assert IndexBusyError.__name__  # the message above is that error's, one line


# ------------------------------------------------------------------- remove and sources


def test_remove_takes_it_out_of_corpus_manifest_and_index(env, corpus, files):
    assert run(env, "add", str(files / "taxis.md")).exit_code == 0
    assert "taxis.md" in sources_json(env)
    result = run(env, "remove", "taxis.md")
    assert result.exit_code == 0, result.output
    assert "Removed taxis.md" in result.stdout and "Taxi safety in Bishkek" in result.stdout
    assert not (corpus / "taxis.md").exists() and "taxis.md" not in entries(corpus)
    assert set(sources_json(env)) == set(SEED)
    assert snapshot(corpus).keys() == {*SEED, "manifest.yaml"}


@pytest.mark.parametrize(
    "doc_id",
    [
        pytest.param("nope.txt", id="unknown"),
        pytest.param("../corpus/police.txt", id="dot-dot"),
        pytest.param("manifest.yaml", id="manifest"),
        pytest.param(".manifest.yaml.lock", id="hidden"),
    ],
)
def test_remove_refuses_what_is_not_a_document(env, corpus, doc_id):
    assert run(env, "sources").exit_code in (0, 1)
    before = snapshot(corpus)
    result = run(env, "remove", doc_id)
    assert result.exit_code == 1
    assert "No document" in result.stderr and "waymark sources" in result.stderr
    assert snapshot(corpus) == before


def test_remove_clears_the_entry_of_a_file_deleted_by_hand(env, corpus):
    (corpus / "police.txt").unlink()
    result = run(env, "remove", "police.txt")
    assert result.exit_code == 0, result.output
    assert "police.txt" not in entries(corpus) and "# Test manifest" in (corpus / "manifest.yaml").read_text()


def test_removing_the_last_document_is_refused_and_undone(env, tmp_path):
    corpus = tmp_path / "solo"
    corpus.mkdir()
    (corpus / "only.txt").write_text(SEED["police.txt"], encoding="utf-8")
    solo = {**env, "WAYMARK_CORPUS_DIR": str(corpus), "WAYMARK_DATA_DIR": str(tmp_path / "solo-data")}
    assert run(solo, "index").exit_code == 0
    result = run(solo, "remove", "only.txt")
    assert result.exit_code == 1 and "only.txt was not removed" in result.stderr
    assert (corpus / "only.txt").read_text(encoding="utf-8") == SEED["police.txt"]


def test_sources_lists_every_document_with_date_and_basis(env, files):
    assert run(env, "add", str(files / "taxis.md")).exit_code == 0
    result = run(env, "sources")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    police = next(i for i, line in enumerate(lines) if "police.txt" in line)
    assert "2019-05" in lines[police] and "7 years old" in lines[police]
    assert lines[police + 1].strip() == "dated from: manifest: Footer 'Last reviewed May 2019'."
    taxis = next(i for i, line in enumerate(lines) if "taxis.md" in line)
    assert "2025-03" in lines[taxis] and "Last updated March 2025" in lines[taxis + 1]
    water = next(i for i, line in enumerate(lines) if "water.md" in line)
    assert "unknown" in lines[water] and "dated from:" in lines[water + 1]


# ------------------------------------------------------------------- manifest writing


def test_write_and_remove_entry_keep_layout_and_are_atomic(corpus):
    (corpus / "new.txt").write_text("New\n\nSomething new.\n", encoding="utf-8")
    write_entry(corpus, {"id": "new.txt", "title": "New: “quoted” title", "published": "2011", "url": None})
    text = (corpus / "manifest.yaml").read_text(encoding="utf-8")
    assert text.startswith(SEED_MANIFEST)
    info = load_manifest(corpus)["new.txt"]
    assert info.title == "New: “quoted” title" and info.published.iso() == "2011"
    write_entry(corpus, {"id": "new.txt", "title": "Renamed"})
    assert load_manifest(corpus)["new.txt"].title == "Renamed"
    assert remove_entry(corpus, "new.txt")["title"] == "Renamed"
    assert remove_entry(corpus, "new.txt") is None
    assert (corpus / "manifest.yaml").read_text(encoding="utf-8") == SEED_MANIFEST
    assert not [p for p in corpus.iterdir() if p.name.endswith(".tmp")]


def test_removing_every_entry_leaves_a_loadable_manifest(corpus):
    remove_entry(corpus, "police.txt")
    assert yaml.safe_load((corpus / "manifest.yaml").read_text())["documents"] == []
    assert load_manifest(corpus) == {}
    write_entry(corpus, {"id": "water.md", "title": "Water"})
    assert load_manifest(corpus)["water.md"].title == "Water"
    assert (corpus / "manifest.yaml").read_text().startswith("# Test manifest")


# ------------------------------------------------------------------- the chat's upload handlers


@pytest.fixture
def chat_settings(seeded):
    from tests.conftest import settings_for

    return settings_for(Path(seeded["WAYMARK_CORPUS_DIR"]), Path(seeded["WAYMARK_DATA_DIR"]))


def test_upload_and_remove_handlers_update_sources_and_answers(chat_settings, files):
    from bot import ui
    from bot.answer import Answerer

    answerer = Answerer(chat_settings)
    view = ui.make_sources_view(chat_settings, answerer)
    upload, remove, source_ids = ui.make_source_manager(chat_settings, answerer, view)

    bad = files / "evil.docx"
    bad.write_bytes(b"PK")
    status, summary, chart, table, choice, cleared = upload([str(files / "taxis.md"), str(bad)], 3)
    assert "✓ Added taxis.md" in status and "✗" in status and "a .docx file" in status
    assert cleared is None
    assert any(row[-1] == "taxis.md" and row[0] == "Taxi safety in Bishkek" for row in table)
    assert "Taxi safety in Bishkek" in chart and "6 documents" in summary
    assert "taxis.md" in choice.constructor_args["choices"] or "taxis.md" in str(choice)

    result = answerer.answer("What sign do licensed taxis in Bishkek show?")
    assert result.citations and result.citations[0].source_id == "taxis.md"

    again, *_ = upload([str(files / "taxis.md")], 3)
    assert "already in the corpus as taxis.md" in again

    status, summary, chart, table, choice = remove("taxis.md", 3)
    assert "Removed taxis.md" in status
    assert all(row[-1] != "taxis.md" for row in table)
    assert "Choose a document" in remove(None, 3)[0]


def test_upload_box_needs_a_login_or_allow_upload(chat_settings):
    from bot import ui
    from bot.answer import Answerer

    answerer = Answerer(chat_settings)

    def elem_ids(settings) -> set[str]:
        app = ui.build_app(settings, answerer)
        return {getattr(block, "elem_id", None) for block in app.blocks.values()}

    closed = elem_ids(chat_settings)
    assert "wm-upload" not in closed and "wm-remove" not in closed and "wm-upload-off" in closed
    for settings in (chat_settings.replace(allow_upload=True), chat_settings.replace(auth="user:pass")):
        opened = elem_ids(settings)
        assert {"wm-upload", "wm-remove", "wm-remove-id"} <= opened and "wm-upload-off" not in opened
    assert not ui.upload_allowed(chat_settings)
    assert "--allow-upload" in ui.UPLOAD_OFF and "WAYMARK_AUTH" in ui.UPLOAD_OFF
    warning = ui.exposure_warning(chat_settings.replace(host="0.0.0.0", allow_upload=True), share=False)
    assert "add and remove documents" in warning


def test_chat_flag_reaches_the_app(monkeypatch, env):
    launched = []
    monkeypatch.setattr("bot.ui.launch", lambda settings, share=False: launched.append(settings))
    monkeypatch.setattr("bot.cli.ensure_index", lambda settings: None)
    assert run(env, "chat", "--allow-upload").exit_code == 0
    assert run(env, "chat").exit_code == 0
    assert launched[0].allow_upload is True and launched[1].allow_upload is False


def test_max_upload_setting_comes_from_the_environment():
    from bot.settings import ENV_VARS, Settings

    assert "WAYMARK_MAX_UPLOAD_MB" in ENV_VARS
    assert Settings.from_env({"WAYMARK_MAX_UPLOAD_MB": "2.5"}).max_upload_bytes == int(2.5 * 1024 * 1024)
    assert Settings().max_upload_mb == 20
    from bot import ui

    assert ui.launch_options(Settings(max_upload_mb=1))["max_file_size"] == 1024 * 1024


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["add", str(Path(__file__).parent / "fixtures" / "veloria_note.md")], id="add"),
        pytest.param(["remove", "veloria_note.md"], id="remove"),
    ],
)
def test_the_corpus_inside_an_installed_package_is_never_changed(tmp_path, args):
    """A wheel ships the corpus inside the package; an upgrade would replace it, so documents are
    added to a folder of the user's own instead (the path need not exist for the refusal)."""
    from bot.settings import PACKAGE_DIR

    packaged = PACKAGE_DIR / "shipped" / "corpus"
    result = CliRunner().invoke(main, [*args, "--corpus", str(packaged), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1, result.output
    assert "cannot be changed" in result.output and "--corpus DIR" in result.output
    assert not (PACKAGE_DIR / "shipped").exists() or not (packaged / "manifest.yaml").exists()
