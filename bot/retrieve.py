"""Hybrid retrieval: Chroma dense search and BM25, fused by reciprocal rank.

``HybridRetriever`` is a LangChain ``BaseRetriever`` (with ``k``), so it plugs into chains and
passes ``langchain-tests``' retriever suite. ``Snapshot`` is the served index in memory: the
passages, their lexical index and the Chroma collection, reloaded when a new build is switched in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.errors import ChromaUnreachableError, IndexCorruptError
from bot.lexical import LexicalIndex, query_tokens
from bot.settings import Settings
from index import store

RRF_K = 60
CANDIDATES = 30


@dataclass
class Snapshot:
    """One generation of the index, loaded for querying."""

    name: str
    collection: Any
    ids: list[str]
    texts: list[str]
    metadatas: list[dict]
    lexical: LexicalIndex
    position: dict[str, int] = field(default_factory=dict)
    doc_vocab: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, collection) -> Snapshot:
        got = collection.get(include=["documents", "metadatas"])
        ids, texts, metas = got["ids"], got["documents"], got["metadatas"]
        if not ids:
            msg = f"The index {collection.name!r} is empty; run `waymark index --rebuild`."
            raise IndexCorruptError(msg)
        lexical = LexicalIndex([f"{m.get('section', '')} {t}" for t, m in zip(texts, metas, strict=True)])
        snap = cls(collection.name, collection, ids, texts, metas, lexical)
        snap.position = {pid: i for i, pid in enumerate(ids)}
        for text, meta in zip(texts, metas, strict=True):
            vocab = snap.doc_vocab.setdefault(meta["source_id"], set())
            vocab.update(query_tokens(f"{meta.get('title', '')} {meta.get('section', '')} {text}"))
        return snap


@dataclass
class Hit:
    """A retrieved passage with the evidence for its rank."""

    index: int
    fused: float
    dense: float = 0.0  # cosine similarity, 0 when not among dense candidates
    lexical: float = 0.0


class IndexHandle:
    """Serves the current snapshot; notices when `waymark index` switches in a new generation."""

    def __init__(self, settings: Settings, check_every: float = 2.0) -> None:
        self.settings = settings
        self.check_every = check_every
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked < self.check_every:
            return self._snapshot
        with self._lock:
            try:
                db = store.client(self.settings)
                collection = store.open_current(db, self.settings)
                if self._snapshot is None or self._snapshot.name != collection.name:
                    self._snapshot = Snapshot.load(collection)
            except ChromaUnreachableError:
                raise
            except IndexCorruptError:
                raise
            except Exception as exc:
                if isinstance(exc, store.IndexMissingError):
                    raise
                msg = f"The index cannot be read ({exc.__class__.__name__}); rebuild it with `waymark index`."
                raise IndexCorruptError(msg) from None
            self._checked = now
            return self._snapshot


def search(snapshot: Snapshot, query_vector: list[float], query: str, n: int = CANDIDATES) -> list[Hit]:
    """Dense and lexical candidates fused by reciprocal rank, best first."""
    hits: dict[int, Hit] = {}
    try:
        dense = snapshot.collection.query(
            query_embeddings=[query_vector], n_results=min(n, len(snapshot.ids)), include=["distances"]
        )
    except Exception as exc:
        msg = (
            f"The index stopped answering ({exc.__class__.__name__}); "
            "check the Chroma server or re-run `waymark index`."
        )
        raise ChromaUnreachableError(msg) from None
    for rank, (pid, dist) in enumerate(zip(dense["ids"][0], dense["distances"][0], strict=True)):
        i = snapshot.position.get(pid)
        if i is None:
            continue
        hit = hits.setdefault(i, Hit(i, 0.0))
        hit.dense = 1.0 - float(dist)
        hit.fused += 1.0 / (RRF_K + rank)
    for rank, (i, score) in enumerate(snapshot.lexical.search(query_tokens(query), n)):
        hit = hits.setdefault(i, Hit(i, 0.0))
        hit.lexical = score
        hit.fused += 1.0 / (RRF_K + rank)
    return sorted(hits.values(), key=lambda h: h.fused, reverse=True)


def to_document(snapshot: Snapshot, hit: Hit) -> Document:
    meta = dict(snapshot.metadatas[hit.index])
    meta.update(dense_score=hit.dense, lexical_score=hit.lexical, fused_score=hit.fused)
    return Document(id=snapshot.ids[hit.index], page_content=snapshot.texts[hit.index], metadata=meta)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the served index.

    Example:
        .. code-block:: python

            from bot.retrieve import HybridRetriever
            retriever = HybridRetriever.from_settings(Settings.from_env(), k=3)
            docs = retriever.invoke("police number from a mobile")
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    handle: Any
    embed_query: Callable[[str], list[float]]
    k: int = 4

    @classmethod
    def from_settings(cls, settings: Settings, k: int = 4) -> HybridRetriever:
        from bot.query_embed import query_embedder

        return cls(handle=IndexHandle(settings), embed_query=query_embedder(settings), k=k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        snapshot = self.handle.snapshot()
        hits = search(snapshot, self.embed_query(query), query)
        return [to_document(snapshot, h) for h in hits[: k or self.k]]
