"""`waymark index`: bring the Chroma index in line with the corpus, embedding only what changed.

Unchanged corpus: nothing is embedded or written. Otherwise a new generation collection is
filled (reused vectors copied, new passages embedded) and the pointer switched to it at the end,
so a crash or ``kill -9`` mid-way leaves the previous index serving. A lock file stops two runs
from writing at once.

Configuration comes as a ``BuildConfig``: the corpus folder, the embedding engine and where the
store is (``index.state.StoreConfig``). bot's ``Settings`` is one; ``index`` never imports it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Protocol

from langchain_core.embeddings import Embeddings

from index import state
from index.embed import SentenceEmbeddings, passage_embeddings
from index.errors import EmptyCorpusError, IndexBusyError, IndexCorruptError, WaymarkError
from index.files import Timeout, file_lock
from index.load import load_corpus
from index.manifest import load_manifest
from index.onnx_embed import export_onnx
from index.passages import IndexedPassage, document_passages

BATCH = 256


class BuildConfig(state.StoreConfig, Protocol):
    """What a build reads: where the store is, plus the corpus folder and the embedding engine."""

    @property
    def corpus_dir(self) -> Path: ...

    @property
    def query_engine(self) -> str: ...


def _store() -> ModuleType:
    """``index.store``, imported on first need: it imports chromadb and langchain-chroma (about
    half a second), which a build of an unchanged corpus never touches."""
    from index import store

    return store


@dataclass
class IndexSummary:
    documents: int = 0
    passages: int = 0
    embedded: int = 0
    reused: int = 0
    deleted: int = 0
    skipped_files: int = 0
    changed: bool = False
    collection: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.documents} documents, {self.passages} passages: {self.embedded} embedded, "
            f"{self.reused} unchanged, {self.deleted} deleted, {self.skipped_files} files skipped "
            f"in {self.seconds:.2f}s" + ("" if self.changed else " (index already up to date)")
        )

    def as_dict(self) -> dict:
        return asdict(self)


@contextmanager
def index_lock(config: state.StoreConfig) -> Iterator[None]:
    """One build per index at a time; a second one is refused at once, even in this process."""
    path = state.ensure_data_dir(config.data_dir) / f"{config.collection}.index.lock"
    lock = file_lock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        msg = f"Another `waymark index` is running on {config.data_dir}; wait for it and try again."
        raise IndexBusyError(msg) from None
    try:
        yield
    finally:
        lock.release()


def collect(config: BuildConfig, warn: Callable[[str], None]) -> tuple[list[IndexedPassage], int, int]:
    """All passages of the corpus, with counts of documents read and files skipped."""
    skipped: list[str] = []

    def note(message: str) -> None:
        if message.startswith("skipped "):
            skipped.append(message)
        warn(message)

    manifest = load_manifest(config.corpus_dir, warn=note)
    docs = load_corpus(config.corpus_dir, warn=note)
    found = [p for doc in docs for p in document_passages(doc, manifest.get(doc.id))]
    if not found:
        msg = (
            f"No readable document in {config.corpus_dir} (need .txt, .md, .html or .pdf files with text); "
            "add some or point --corpus at another folder."
        )
        raise EmptyCorpusError(msg)
    return found, len(docs), len(skipped)


def build_index(
    config: BuildConfig,
    *,
    rebuild: bool = False,
    warn: Callable[[str], None] = print,
    progress: bool = False,
    embeddings: Embeddings | None = None,
) -> IndexSummary:
    started = time.perf_counter()
    summary = IndexSummary()
    with index_lock(config):
        found, summary.documents, summary.skipped_files = collect(config, warn)
        summary.passages = len(found)
        hashes = {p.id: p.metadata["meta_hash"] for p in found}
        served = None if rebuild else state.unchanged(config, hashes)
        if served:  # nothing changed since the last build on this very store: no Chroma needed
            summary.collection, summary.reused = served, len(found)
            summary.seconds = time.perf_counter() - started
            return summary
        store = _store()
        state.forget(config)
        db = _open_store(config, rebuild, warn)
        current = None if rebuild else store.current_collection_name(db, config)
        existing = _existing_metadata(db, current)
        wanted = {p.id: p for p in found}
        reuse = [pid for pid in wanted if pid in existing]
        fresh = [p for p in found if p.id not in existing]
        summary.deleted = len(set(existing) - set(wanted))
        summary.reused = len(reuse)
        same_meta = all(existing[pid].get("meta_hash") == wanted[pid].metadata["meta_hash"] for pid in reuse)
        if current and not fresh and not summary.deleted and same_meta:
            summary.collection = current
        else:
            summary.changed = True
            try:
                if embeddings is None and fresh:  # ONNX (or torch, with a warning when ONNX fails)
                    embeddings = passage_embeddings(config.data_dir, config.query_engine, warn)
                summary.collection = _write_generation(
                    db, config, current, wanted, reuse, fresh, embeddings or SentenceEmbeddings(), progress
                )
            except WaymarkError:
                raise
            except Exception as exc:  # chromadb's own errors: disk full, files deleted under us...
                msg = (
                    f"Writing the index failed ({exc.__class__.__name__}: {str(exc)[:120]}); the previous "
                    "index is still served. Run `waymark index --rebuild` in a new process."
                )
                raise IndexCorruptError(msg) from None
            summary.embedded = len(fresh)
        _drop_old_generations(db, config, keep=summary.collection)
        _prepare_query_engine(config, warn)
        state.record(config, summary.collection, hashes)
    summary.seconds = time.perf_counter() - started
    return summary


def _prepare_query_engine(config: BuildConfig, warn: Callable[[str], None]) -> None:
    """Export the ONNX query model now (free if the passages were just embedded with it), so the
    first `waymark ask` does not pay for it."""
    if config.query_engine != "onnx":
        return
    try:
        export_onnx(config.data_dir)
    except Exception as exc:
        warn(f"fast query path unavailable ({exc.__class__.__name__}: {exc}); queries will use torch")


def _open_store(config: BuildConfig, rebuild: bool, warn: Callable[[str], None]):
    """The store to write; with --rebuild an unreadable one is set aside and a fresh one started."""
    store = _store()
    if state.store_identity(config) is None:
        store.reset_clients(config)  # deleted under a client this process cached
    try:
        db = store.client(config)
        store.current_collection_name(db, config)
        return db
    except IndexCorruptError:
        if not rebuild:
            raise
    moved = store.move_aside(config)
    if moved is not None:
        warn(f"the unreadable index was moved to {moved.name}; building a new one")
    return store.client(config)


def _existing_metadata(db, name: str | None) -> dict[str, dict]:
    if not name:
        return {}
    store = _store()
    try:
        collection = db.get_collection(name)
    except Exception:  # the pointer names a generation that is gone: start afresh
        return {}
    got = store.get_all(collection, ["metadatas"])  # an error here must not mean "re-embed all"
    return dict(zip(got["ids"], got["metadatas"], strict=True))


def _write_generation(db, config, current, wanted, reuse, fresh, embeddings, progress) -> str:
    store = _store()
    name = f"{config.collection}-g{time.time_ns()}"
    target = db.create_collection(name, configuration=store.COSINE, embedding_function=None)
    if current and reuse:
        source = db.get_collection(current)
        for i in range(0, len(reuse), BATCH):
            ids = reuse[i : i + BATCH]
            got = source.get(ids=ids, include=["embeddings"])
            target.add(
                ids=got["ids"],
                embeddings=got["embeddings"],
                documents=[wanted[pid].text for pid in got["ids"]],
                metadatas=[wanted[pid].metadata for pid in got["ids"]],
            )
    view = store.vectorstore(db, name, embeddings)
    bar = _progress(len(fresh), progress)
    for i in range(0, len(fresh), BATCH):
        batch = fresh[i : i + BATCH]
        view.add_texts(
            [p.text for p in batch], metadatas=[p.metadata for p in batch], ids=[p.id for p in batch]
        )
        bar.update(len(batch))
    bar.close()
    store.switch_to(db, config, name, built_at=time.time(), passages=len(wanted))
    return name


def _drop_old_generations(db, config: BuildConfig, keep: str) -> None:
    store = _store()
    for name in store.generations(db, config):
        if name != keep:
            with contextlib.suppress(Exception):  # a reader may still hold it; the next run retries
                db.delete_collection(name)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="passage", desc="embedding", disable=not enabled or total == 0)
