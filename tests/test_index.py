"""Incremental indexing: unchanged corpus embeds nothing; a change touches exactly its passages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import DataDirError, EmptyCorpusError, IndexBusyError
from index import store
from index.build import build_index, index_lock
from tests.conftest import settings_for


@pytest.fixture
def small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Taxis\n\nUse marked taxis only. Never share a cab with strangers.\n\nLast updated May 2020\n"
    )
    (corpus / "b.txt").write_text("Police\n\nDial 102 for the police in Examplestan. Carry your passport.\n")
    (corpus / "c.md").write_text("# Clinics\n\nThe city clinic on Main Street is open all night.\n")
    return corpus


def collection_ids(settings) -> set[str]:
    db = store.client(settings)
    return set(store.open_current(db, settings).get()["ids"])


def test_first_run_embeds_everything_then_nothing(small_corpus, tmp_path):
    settings = settings_for(small_corpus, tmp_path / "data")
    first = build_index(settings, warn=lambda _m: None)
    assert (first.documents, first.embedded, first.reused) == (3, first.passages, 0)
    second = build_index(settings, warn=lambda _m: None)
    assert (second.embedded, second.deleted, second.changed) == (0, 0, False)
    assert second.reused == first.passages
    assert second.collection == first.collection


def test_unchanged_corpus_is_checked_without_opening_chroma(small_corpus, tmp_path):
    settings = settings_for(small_corpus, tmp_path / "data")
    build_index(settings, warn=lambda _m: None)
    corpus, data = str(small_corpus), str(settings.data_dir)
    code = (
        "import sys; from pathlib import Path; from bot.settings import Settings; "
        "from index.build import build_index; "
        f"s = build_index(Settings(corpus_dir=Path({corpus!r}), data_dir=Path({data!r})), warn=print); "
        "print(s.changed, s.embedded, 'chromadb' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "0", "False"]


def test_a_replaced_store_is_not_trusted_by_the_fast_path(small_corpus, tmp_path):
    settings = settings_for(small_corpus, tmp_path / "data")
    build_index(settings, warn=lambda _m: None)
    shutil.rmtree(settings.data_dir / "chroma")
    summary = build_index(settings, warn=lambda _m: None)
    assert summary.changed and summary.embedded == summary.passages


def test_changed_file_reembeds_only_its_passages(small_corpus, tmp_path):
    settings = settings_for(small_corpus, tmp_path / "data")
    first = build_index(settings, warn=lambda _m: None)
    (small_corpus / "b.txt").write_text(
        "Police\n\nDial 103 for the police in Examplestan. Carry your passport.\n"
    )
    second = build_index(settings, warn=lambda _m: None)
    assert (second.embedded, second.deleted) == (1, 1)
    assert second.reused == first.passages - 1
    texts = store.open_current(store.client(settings), settings).get()["documents"]
    assert any("Dial 103" in t for t in texts) and not any("Dial 102" in t for t in texts)


def test_removed_file_deletes_exactly_its_passages(small_corpus, tmp_path):
    settings = settings_for(small_corpus, tmp_path / "data")
    build_index(settings, warn=lambda _m: None)
    before = collection_ids(settings)
    (small_corpus / "c.md").unlink()
    summary = build_index(settings, warn=lambda _m: None)
    after = collection_ids(settings)
    assert summary.deleted == 1 and summary.embedded == 0
    assert before - after == {i for i in before if i.startswith("c.md:")}


def test_old_generation_is_dropped_after_the_switch(small_corpus, tmp_path):
    settings = settings_for(small_corpus, tmp_path / "data")
    build_index(settings, warn=lambda _m: None)
    (small_corpus / "a.txt").write_text("Taxis\n\nUse marked taxis. Agree the fare first.\n")
    summary = build_index(settings, warn=lambda _m: None)
    assert store.generations(store.client(settings), settings) == [summary.collection]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        pytest.param("bin.txt", b"\x00\x01\x02binary", "binary content", id="binary"),
        pytest.param("latin1.txt", "Caf\xe9 near the station.".encode("latin-1"), "not UTF-8", id="non-utf8"),
        pytest.param("empty.txt", b"   \n", "empty", id="empty"),
        pytest.param("photo.jpg", b"\xff\xd8\xff", "not a text", id="wrong-type"),
        pytest.param("dup.txt", None, "same content as", id="duplicate"),
    ],
)
def test_bad_files_are_named_skipped_and_the_rest_indexed(small_corpus, tmp_path, name, content, reason):
    if content is None:
        content = (small_corpus / "a.txt").read_bytes()
    (small_corpus / name).write_bytes(content)
    warnings: list[str] = []
    summary = build_index(settings_for(small_corpus, tmp_path / "data"), warn=warnings.append)
    assert summary.documents == 3 and summary.skipped_files == 1
    assert any(name in w and reason in w for w in warnings), warnings


def test_huge_file_is_skipped_by_name(small_corpus, tmp_path):
    (small_corpus / "huge.txt").write_bytes(b"Taxis are cheap. " * (21 * 1024 * 1024 // 17 + 1))
    warnings: list[str] = []
    summary = build_index(settings_for(small_corpus, tmp_path / "data"), warn=warnings.append)
    assert summary.documents == 3 and summary.skipped_files == 1
    assert any("huge.txt" in w and "limit" in w for w in warnings), warnings


def test_empty_corpus_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptyCorpusError, match="No readable document"):
        build_index(settings_for(tmp_path / "empty", tmp_path / "data"), warn=lambda _m: None)


def test_unwritable_data_dir_is_an_error(small_corpus):
    # /proc refuses new folders even to root, like a read-only mount would
    with pytest.raises(DataDirError, match="not writable"):
        build_index(settings_for(small_corpus, Path("/proc/waymark-data")), warn=lambda _m: None)


def test_data_dir_under_a_file_is_an_error(small_corpus, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataDirError, match="not writable"):
        build_index(settings_for(small_corpus, blocker / "data"), warn=lambda _m: None)


def test_a_second_concurrent_run_is_refused(small_corpus, tmp_path):
    settings = settings_for(small_corpus, tmp_path / "data")
    with index_lock(settings), pytest.raises(IndexBusyError, match="Another `waymark index`"):
        build_index(settings, warn=lambda _m: None)


def test_manifest_problems_are_warnings(small_corpus, tmp_path):
    (small_corpus / "manifest.yaml").write_text(
        "documents:\n"
        "  - id: a.txt\n    title: Taxi advice\n    published: '2020-13-01'\n"
        "  - id: missing.txt\n    title: Gone\n    published: '2020'\n"
    )
    warnings: list[str] = []
    summary = build_index(settings_for(small_corpus, tmp_path / "data"), warn=warnings.append)
    assert summary.documents == 3
    assert any("a.txt" in w and "invalid published date" in w for w in warnings)
    assert any("missing.txt" in w and "no such file" in w for w in warnings)
    metas = store.open_current(
        store.client(settings_for(small_corpus, tmp_path / "data")),
        settings_for(small_corpus, tmp_path / "data"),
    ).get()["metadatas"]
    taxi = next(m for m in metas if m["source_id"] == "a.txt")
    assert taxi["title"] == "Taxi advice" and taxi["date"] == "2020-05"  # fell back to the text's date


def test_html_documents_are_read_as_visible_text(small_corpus, tmp_path):
    (small_corpus / "page.html").write_text(
        "<html><head><script>alert(1)</script></head><body><nav>Home | News</nav>"
        "<h2>Airport</h2><p>Book a hotel taxi before you land at the airport.</p></body></html>"
    )
    settings = settings_for(small_corpus, tmp_path / "data")
    build_index(settings, warn=lambda _m: None)
    got = store.open_current(store.client(settings), settings).get()
    page = [
        t for t, m in zip(got["documents"], got["metadatas"], strict=True) if m["source_id"] == "page.html"
    ]
    assert page == ["Book a hotel taxi before you land at the airport."]
