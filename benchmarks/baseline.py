"""The naive LangChain RAG retriever Waymark is compared against.

Same corpus files and same embedding model, but the textbook recipe: 1000-character chunks with
200 overlap, a cosine Chroma store, top-4 similarity search. It has no answer step, so it is
scored generously: a fact counts as found when an expected string appears anywhere in the ~4000
retrieved characters. It never abstains, so its abstention rate is 0 by construction.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 4


@dataclass
class BaselineCase:
    id: str
    hit: bool | None  # None when the case has no expected fact
    abstain_expected: bool
    latency_ms: float


@dataclass
class BaselineReport:
    cases: list[BaselineCase] = field(default_factory=list)
    chunks: int = 0
    build_seconds: float = 0.0

    def summary(self) -> dict:
        facts = [c.hit for c in self.cases if c.hit is not None]
        abstain = [c for c in self.cases if c.abstain_expected]
        lat = sorted(c.latency_ms for c in self.cases)
        return {
            "cases": len(self.cases),
            "chunks": self.chunks,
            "build_seconds": self.build_seconds,
            "fact": {"passed": sum(facts), "total": len(facts), "rate": _rate(sum(facts), len(facts))},
            "abstain": {"passed": 0, "total": len(abstain), "rate": 0.0 if abstain else None},
            "latency_ms": percentiles(lat),
        }


class Baseline:
    """A built baseline index over one corpus folder; ``search`` returns the retrieved text."""

    def __init__(self, corpus_dir: Path, embeddings=None) -> None:
        from index.embed import SentenceEmbeddings

        self.corpus_dir = corpus_dir
        self.embeddings = embeddings or SentenceEmbeddings()
        self._tmp = tempfile.TemporaryDirectory(prefix="waymark-baseline-")
        self.store = None
        self.chunks = 0
        self.build_seconds = 0.0

    def build(self) -> Baseline:
        """Split, embed and store the corpus; the time includes all three, as a user would wait."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        started = time.perf_counter()
        docs = split_corpus(self.corpus_dir)
        client = chromadb.PersistentClient(
            path=self._tmp.name, settings=ChromaSettings(anonymized_telemetry=False)
        )
        self.store = Chroma(
            client=client,
            collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
            embedding_function=self.embeddings,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        for i in range(0, len(docs), 256):
            self.store.add_documents(docs[i : i + 256])
        self.chunks = len(docs)
        self.build_seconds = time.perf_counter() - started
        return self

    def search(self, question: str) -> str:
        return "\n".join(d.page_content for d in self.store.similarity_search(question, k=K))

    def close(self) -> None:
        self._tmp.cleanup()

    def run(self, cases) -> BaselineReport:
        """Score each eval ``Case``: fact hit when an ``any`` string is in the retrieved text."""
        report = BaselineReport(chunks=self.chunks, build_seconds=self.build_seconds)
        for case in cases:
            t0 = time.perf_counter()
            text = self.search(case.question).lower()
            ms = (time.perf_counter() - t0) * 1000
            hit = None if case.any is None else any(s.lower() in text for s in case.any)
            report.cases.append(BaselineCase(case.id, hit, bool(case.abstain), ms))
        return report


def split_corpus(corpus_dir: Path):
    """Every readable corpus file, split with the stock recursive splitter."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index.load import load_corpus

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    docs = load_corpus(corpus_dir, warn=lambda _m: None)
    return splitter.create_documents([d.text for d in docs], metadatas=[{"source": d.id} for d in docs])


def percentiles(values: list[float]) -> dict:
    """p50 and p95 the same way ``evals.runner`` computes them."""
    if not values:
        return {}
    if len(values) == 1:
        return {"p50": values[0], "p95": values[0]}
    q = statistics.quantiles(sorted(values), n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94]}


def _rate(passed: int, total: int) -> float | None:
    return passed / total if total else None
