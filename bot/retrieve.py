"""Hybrid retrieval: Chroma dense search and BM25, fused by reciprocal rank.

``HybridRetriever`` is a LangChain ``BaseRetriever`` (with ``k``), so it plugs into chains and
passes ``langchain-tests``' retriever suite. ``Snapshot`` is the served index in memory: the
passages, their lexical index and the Chroma collection, reloaded when a new build is switched in.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.errors import ChromaUnreachableError, IndexCorruptError, IndexMissingError, WaymarkError
from bot.lexical import LexicalIndex, query_tokens, stem, tokens
from bot.query_embed import query_embedder
from bot.settings import Settings
from index import state, store
from index.text import STOPWORDS, place_names, words

RRF_K = 10  # small k: the top of each list counts most
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
    surface_words: dict[str, list[str]] = field(default_factory=dict)  # 5+ letter words by initial
    places: frozenset[str] = frozenset()  # stems of names after "in", "at", "from"... ("almati")

    @classmethod
    def load(cls, collection) -> Snapshot:
        got = store.get_all(collection, ["documents", "metadatas"])
        ids, texts, metas = got["ids"], got["documents"], got["metadatas"]
        if not ids:
            msg = f"The index {collection.name!r} is empty; run `waymark index --rebuild`."
            raise IndexCorruptError(msg)
        lexical = LexicalIndex([f"{m.get('section', '')} {t}" for t, m in zip(texts, metas, strict=True)])
        snap = cls(collection.name, collection, ids, texts, metas, lexical)
        snap.position = {pid: i for i, pid in enumerate(ids)}
        surface: set[str] = set()
        for text, meta in zip(texts, metas, strict=True):
            vocab = snap.doc_vocab.setdefault(meta["source_id"], set())
            found = words(f"{meta.get('title', '')} {meta.get('section', '')} {text}")
            vocab.update(tokens(" ".join(found)))
            surface.update(w for w in found if len(w) >= 5 and not w.isdigit())
        for word in sorted(surface):
            snap.surface_words.setdefault(word[0], []).append(word)
        snap.places = frozenset(places_in(texts, lexical))
        return snap


_DEMONYM = re.compile(r"(?:ian|ican|ean|ese|ish)$")
_CAPITALIZED = re.compile(r"\b[A-Z][a-z][\w\-]+")


def places_in(texts: list[str], lexical: LexicalIndex) -> set[str]:
    """Place names: always capitalized, often after "in"/"at"/"from" (``index.text.place_names``),
    and not corpus-wide ("Kazakhstan")."""
    after = Counter(name for t in texts for name in place_names(t))
    capital = Counter(m.group(0) for t in texts for m in _CAPITALIZED.finditer(t))
    lower = {w for t in texts for w in re.findall(r"\b[a-z][\w\-]+", t)}
    out = set()
    for word, n in after.items():
        token = stem(word.lower())
        if n < 2 or n < 0.1 * capital[word] or word.lower() in lower or word.lower() in STOPWORDS:
            continue
        if _DEMONYM.search(word):  # "in American hands": a people, not a place
            continue
        if lexical.df.get(token, 0) <= 0.2 * max(lexical.size, 1):
            out.add(token)
    return out


@dataclass
class Hit:
    """A retrieved passage with the evidence for its rank."""

    index: int
    fused: float
    dense: float = 0.0  # cosine similarity, 0 when not among dense candidates
    lexical: float = 0.0


class IndexHandle:
    """Serves the current snapshot; notices when `waymark index` switches in a new generation,
    when the data folder is deleted, and when another process rebuilt the store from scratch."""

    def __init__(self, settings: Settings, check_every: float = 2.0) -> None:
        self.settings = settings
        self.check_every = check_every
        self._snapshot: Snapshot | None = None
        self._identity: tuple[int, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Re-read the index pointer at the next question (a build just switched one in)."""
        self._checked = 0.0

    def snapshot(self) -> Snapshot:
        if self._snapshot is not None and time.monotonic() - self._checked < self.check_every:
            return self._snapshot
        with self._lock:
            self._refresh()
            self._checked = time.monotonic()
            return self._snapshot

    def _refresh(self) -> None:
        identity = state.store_identity(self.settings)
        if identity is None:
            self._snapshot = None
            msg = "The index folder is gone: run `waymark index` to rebuild it (the chat picks it up)."
            raise IndexMissingError(msg)
        if self._identity is not None and identity != self._identity:
            store.reset_clients(self.settings)  # rebuilt elsewhere: drop the handle on the old files
            self._snapshot = None
        try:
            db = store.client(self.settings)
            collection = store.open_current(db, self.settings)
            if self._snapshot is None or self._snapshot.name != collection.name:
                self._snapshot = Snapshot.load(collection)
        except WaymarkError:
            store.reset_clients(self.settings)  # so a repaired or rebuilt store is opened afresh next time
            raise
        except Exception as exc:
            store.reset_clients(self.settings)
            msg = (
                f"The index cannot be read ({exc.__class__.__name__}); "
                "rebuild it with `waymark index --rebuild`."
            )
            raise IndexCorruptError(msg) from None
        self._identity = identity


def search(snapshot: Snapshot, query_vector: list[float], query: str, n: int = CANDIDATES) -> list[Hit]:
    """Dense and lexical candidates, each scored both ways, fused by reciprocal rank, best first."""
    hits: dict[int, Hit] = {}
    for i, cosine in _dense(snapshot, query_vector, n):
        hits[i] = Hit(i, 0.0, dense=cosine)
    for i, score in snapshot.lexical.search(query_tokens(query), n):
        hits.setdefault(i, Hit(i, 0.0, dense=float("nan"))).lexical = score
    _fill_dense(snapshot, query_vector, [h for h in hits.values() if np.isnan(h.dense)])
    for key in (lambda h: -h.dense, lambda h: -h.lexical):
        for rank, hit in enumerate(sorted(hits.values(), key=key)):
            hit.fused += 1.0 / (RRF_K + rank)
    return sorted(hits.values(), key=lambda h: h.fused, reverse=True)


def _dense(snapshot: Snapshot, query_vector: list[float], n: int) -> list[tuple[int, float]]:
    try:
        got = snapshot.collection.query(
            query_embeddings=[query_vector], n_results=min(n, len(snapshot.ids)), include=["distances"]
        )
    except Exception as exc:
        msg = (
            f"The index stopped answering ({exc.__class__.__name__}); "
            "check the Chroma server or re-run `waymark index`."
        )
        raise ChromaUnreachableError(msg) from None
    pairs = zip(got["ids"][0], got["distances"][0], strict=True)
    return [(snapshot.position[pid], 1.0 - float(d)) for pid, d in pairs if pid in snapshot.position]


def _fill_dense(snapshot: Snapshot, query_vector: list[float], hits: list[Hit]) -> None:
    """Exact cosine for lexical-only candidates, so both rankings cover the same passages."""
    if not hits:
        return
    got = snapshot.collection.get(ids=[snapshot.ids[h.index] for h in hits], include=["embeddings"])
    vectors = dict(zip(got["ids"], got["embeddings"], strict=True))
    q = np.asarray(query_vector, dtype=np.float32)
    for hit in hits:
        vec = vectors.get(snapshot.ids[hit.index])
        hit.dense = float(np.dot(q, np.asarray(vec, dtype=np.float32))) if vec is not None else 0.0


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
        return cls(handle=IndexHandle(settings), embed_query=query_embedder(settings).embed, k=k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        snapshot = self.handle.snapshot()
        hits = search(snapshot, self.embed_query(query), query)
        return [to_document(snapshot, h) for h in hits[: k or self.k]]
