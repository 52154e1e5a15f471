"""`waymark index`: bring the Chroma index in line with the corpus, embedding only what changed.

Unchanged corpus: nothing is embedded or written. Otherwise a new generation collection is
filled (reused vectors copied, new passages embedded) and the pointer switched to it at the end,
so a crash or ``kill -9`` mid-way leaves the previous index serving. A lock file stops two runs
from writing at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from langchain_core.embeddings import Embeddings

from bot.errors import EmptyCorpusError, IndexBusyError, IndexCorruptError, WaymarkError
from bot.settings import Settings
from index import state
from index.embed import SentenceEmbeddings, passage_embeddings
from index.load import load_corpus
from index.manifest import load_manifest
from index.passages import IndexedPassage, document_passages

BATCH = 256


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
def index_lock(settings: Settings) -> Iterator[None]:
    path = state.ensure_data_dir(settings.data_dir) / f"{settings.collection}.index.lock"
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            msg = f"Another `waymark index` is running on {settings.data_dir}; wait for it and try again."
            raise IndexBusyError(msg) from None
        handle.write(str(os.getpid()))
        handle.flush()
        yield


def collect(settings: Settings, warn: Callable[[str], None]) -> tuple[list[IndexedPassage], int, int]:
    """All passages of the corpus, with counts of documents read and files skipped."""
    skipped: list[str] = []

    def note(message: str) -> None:
        if message.startswith("skipped "):
            skipped.append(message)
        warn(message)

    manifest = load_manifest(settings.corpus_dir, warn=note)
    docs = load_corpus(settings.corpus_dir, warn=note)
    found = [p for doc in docs for p in document_passages(doc, manifest.get(doc.id))]
    if not found:
        msg = (
            f"No readable document in {settings.corpus_dir} (need .txt, .md, .html or .pdf files with text); "
            "add some or point --corpus at another folder."
        )
        raise EmptyCorpusError(msg)
    return found, len(docs), len(skipped)


def build_index(
    settings: Settings,
    *,
    rebuild: bool = False,
    warn: Callable[[str], None] = print,
    progress: bool = False,
    embeddings: Embeddings | None = None,
) -> IndexSummary:
    started = time.perf_counter()
    summary = IndexSummary()
    with index_lock(settings):
        found, summary.documents, summary.skipped_files = collect(settings, warn)
        summary.passages = len(found)
        hashes = {p.id: p.metadata["meta_hash"] for p in found}
        served = None if rebuild else state.unchanged(settings, hashes)
        if served:  # nothing changed since the last build on this very store: no Chroma needed
            summary.collection, summary.reused = served, len(found)
            summary.seconds = time.perf_counter() - started
            return summary
        from index import store

        state.forget(settings)
        db = _open_store(settings, rebuild, warn)
        current = None if rebuild else store.current_collection_name(db, settings)
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
                    embeddings = passage_embeddings(settings.data_dir, settings.query_engine, warn)
                summary.collection = _write_generation(
                    db, settings, current, wanted, reuse, fresh, embeddings or SentenceEmbeddings(), progress
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
        _drop_old_generations(db, settings, keep=summary.collection)
        _prepare_query_engine(settings, warn)
        state.record(settings, summary.collection, hashes)
    summary.seconds = time.perf_counter() - started
    return summary


def _prepare_query_engine(settings: Settings, warn: Callable[[str], None]) -> None:
    """Export the ONNX query model now (free if the passages were just embedded with it), so the
    first `waymark ask` does not pay for it."""
    if settings.query_engine != "onnx":
        return
    try:
        from index.onnx_embed import export_onnx

        export_onnx(settings.data_dir)
    except Exception as exc:
        warn(f"fast query path unavailable ({exc.__class__.__name__}: {exc}); queries will use torch")


def _open_store(settings: Settings, rebuild: bool, warn: Callable[[str], None]):
    """The store to write; with --rebuild an unreadable one is set aside and a fresh one started."""
    from index import store

    if state.store_identity(settings) is None:
        store.reset_clients(settings)  # deleted under a client this process cached
    try:
        db = store.client(settings)
        store.current_collection_name(db, settings)
        return db
    except IndexCorruptError:
        if not rebuild:
            raise
    moved = store.move_aside(settings)
    if moved is not None:
        warn(f"the unreadable index was moved to {moved.name}; building a new one")
    return store.client(settings)


def _existing_metadata(db, name: str | None) -> dict[str, dict]:
    if not name:
        return {}
    from index import store

    try:
        collection = db.get_collection(name)
    except Exception:  # the pointer names a generation that is gone: start afresh
        return {}
    got = store.get_all(collection, ["metadatas"])  # an error here must not mean "re-embed all"
    return dict(zip(got["ids"], got["metadatas"], strict=True))


def _write_generation(db, settings, current, wanted, reuse, fresh, embeddings, progress) -> str:
    from index import store

    name = f"{settings.collection}-g{time.time_ns()}"
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
    store.switch_to(db, settings, name, built_at=time.time(), passages=len(wanted))
    return name


def _drop_old_generations(db, settings: Settings, keep: str) -> None:
    from index import store

    for name in store.generations(db, settings):
        if name != keep:
            with contextlib.suppress(Exception):  # a reader may still hold it; the next run retries
                db.delete_collection(name)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="passage", desc="embedding", disable=not enabled or total == 0)
