"""The naive LangChain RAG retriever Waymark is compared against.

Same corpus files and same embedding model, but the textbook recipe: 1000-character chunks with
200 overlap, a cosine Chroma store, top-4 similarity search. It has no answer step, so it is
scored generously: a fact counts as found when an expected string appears anywhere in the ~4000
retrieved characters.

By default it never abstains (abstention rate 0 by construction). Given a ``cutoff`` it abstains
when the top-1 chunk's LangChain relevance score is below it: ``similarity_search_with_relevance_scores``
on a cosine store, i.e. cosine similarity = 1 - Chroma's cosine distance. ``tune_cutoff`` picks
the cut-off with the best balanced accuracy on labelled validation questions (answerable: an
expected string is in the retrieved text; unanswerable: abstained); ``validation_cases`` selects
the same validation questions the Waymark reader is validated on (never an eval suite).

``reread`` is the baseline's retrieval with Waymark's reader (``bot.reader``) in place of an
answer step: the best-read sentence of the top-K chunks, or an abstention when it is below the
reader's threshold. Beside the two others it tells the gain of retrieval from the gain of reading.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.reader import Candidate, Reader

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 4
# Mirrors ``WRITTEN``, ``LABELLED`` and ``written_pairs()`` in training/reader.py (paths relative to
# training/): questions about the ``WRITTEN_VALIDATION`` documents validate, and so does a question
# with no ``doc`` when crc32(id) % 5 < 2.
TRAINING_CORPORA = ("corpus", "extra/corpus")
TRAINING_QUESTIONS = ("questions.yaml", "extra/questions_b.yaml", "extra/questions_c.yaml")
VALIDATION_DOCS = ("04", "05", "08", "12")
VALIDATION_SHARE = 2  # out of 5


@dataclass
class BaselineCase:
    id: str
    hit: bool | None  # None when the case has no expected fact; False when it abstained
    abstain_expected: bool
    latency_ms: float
    score: float = 0.0  # top-1 relevance score (cosine similarity)
    abstained: bool = False
    forbid_shown: bool | None = None  # None when the case has no forbid list
    doc: bool | None = None  # a retrieved chunk comes from the expected document


@dataclass
class Retrieved:
    """The top-K chunks for one question, best first."""

    text: str
    score: float  # top-1 relevance score: cosine similarity, 1 - Chroma's cosine distance
    sources: list[str]
    chunks: list[str] = field(default_factory=list)  # each chunk's text, best first
    titles: list[str] = field(default_factory=list)  # each chunk's document title, "" when unknown


@dataclass(frozen=True)
class Cutoff:
    """A tuned cut-off and how it does on the data it was tuned on."""

    value: float
    balanced_accuracy: float
    answerable_correct: int  # answered and the expected string retrieved
    answerable: int
    unanswerable_correct: int  # abstained
    unanswerable: int


@dataclass
class BaselineReport:
    cases: list[BaselineCase] = field(default_factory=list)
    chunks: int = 0
    build_seconds: float = 0.0

    def summary(self) -> dict:
        facts = [c.hit for c in self.cases if c.hit is not None]
        abstain = [c for c in self.cases if c.abstain_expected]
        right = sum(c.abstained for c in abstain)
        lat = sorted(c.latency_ms for c in self.cases)
        return {
            "cases": len(self.cases),
            "chunks": self.chunks,
            "build_seconds": self.build_seconds,
            "fact": {"passed": sum(facts), "total": len(facts), "rate": _rate(sum(facts), len(facts))},
            "abstain": {"passed": right, "total": len(abstain), "rate": _rate(right, len(abstain))},
            "latency_ms": percentiles(lat),
        }


class Baseline:
    """A built baseline index over one corpus folder (or several, as one store); ``search``
    returns the retrieved text."""

    def __init__(self, corpus_dir: Path | Sequence[Path], embeddings=None) -> None:
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

    def retrieve(self, question: str) -> Retrieved:
        """Top-K chunks with the top-1 relevance score (cosine store: 1 - cosine distance)."""
        found = self.store.similarity_search_with_relevance_scores(question, k=K)
        return _retrieved([d for d, _ in found], float(found[0][1]) if found else float("-inf"))

    def retrieve_many(self, questions: list[str]) -> list[Retrieved]:
        """``retrieve`` for many questions, the query vectors embedded in one batch (same scores to
        ~1e-6; for scoring suites quickly, not for timing)."""
        vectors = self.embeddings.embed_documents(list(questions)) if questions else []
        out = []
        for vector in vectors:
            found = self.store.similarity_search_by_vector_with_relevance_scores(vector, k=K)  # distances
            score = 1.0 - float(found[0][1]) if found else float("-inf")
            out.append(_retrieved([d for d, _ in found], score))
        return out

    def close(self) -> None:
        self._tmp.cleanup()

    def run(self, cases, cutoff: float | None = None) -> BaselineReport:
        """Score each eval ``Case``: fact hit when an ``any`` string is in the retrieved text.
        With ``cutoff`` the baseline abstains (shows nothing) when the top-1 score is below it."""
        report = BaselineReport(chunks=self.chunks, build_seconds=self.build_seconds)
        for case in cases:
            t0 = time.perf_counter()
            got = self.retrieve(case.question)
            ms = (time.perf_counter() - t0) * 1000
            report.cases.append(score_case(case, got, cutoff, ms))
        return report


def _retrieved(docs: list, score: float) -> Retrieved:
    """LangChain documents, best first, as one ``Retrieved``."""
    return Retrieved(
        text="\n".join(d.page_content for d in docs),
        score=score,
        sources=[str(d.metadata.get("source", "")) for d in docs],
        chunks=[d.page_content for d in docs],
        titles=[str(d.metadata.get("title", "")) for d in docs],
    )


def chunk_candidates(got: Retrieved) -> list[tuple[Candidate, str]]:
    """Every sentence of the retrieved chunks as the reader reads it, with its chunk's source.

    Each line of a chunk (a paragraph, heading or list item) is split with ``sentence_spans``, so
    a heading never runs into the sentence after it; the heading is the document's title and the
    context the sentence or line before it in the same chunk, as Waymark reads its units."""
    from bot.reader import Candidate
    from index.text import sentence_spans

    out: list[tuple[Candidate, str]] = []
    for chunk, title, source in zip(got.chunks, got.titles, got.sources, strict=True):
        previous = ""
        for line in chunk.splitlines():
            for start, end in sentence_spans(line):
                sentence = line[start:end]
                out.append((Candidate(sentence, title, previous), source))
                previous = sentence
    return out


def reread(question: str, got: Retrieved, reader: Reader) -> Retrieved:
    """The retrieved chunks narrowed to the sentence the reader rates most likely to answer: its
    text, its calibrated probability as the score and its chunk's source. Scored with
    ``score_case(case, reread(...), reader.threshold)``, it abstains below the reader's threshold."""
    pairs = chunk_candidates(got)
    if not pairs:
        return Retrieved(text="", score=0.0, sources=[])
    p = reader.probabilities(question, [c for c, _ in pairs])
    best = max(range(len(pairs)), key=lambda i: p[i])  # the first of equals, as argmax
    candidate, source = pairs[best]
    return Retrieved(
        text=candidate.sentence,
        score=float(p[best]),
        sources=[source],
        chunks=[candidate.sentence],
        titles=[candidate.heading],
    )


def score_case(case, got: Retrieved, cutoff: float | None, latency_ms: float = 0.0) -> BaselineCase:
    """One eval case against what the baseline retrieved; an abstention shows no text."""
    abstained = cutoff is not None and got.score < cutoff
    text = "" if abstained else got.text.lower()
    sources = [] if abstained else got.sources
    return BaselineCase(
        id=case.id,
        hit=None if case.any is None else any(str(s).lower() in text for s in case.any),
        abstain_expected=bool(case.abstain),
        latency_ms=latency_ms,
        score=got.score,
        abstained=abstained,
        forbid_shown=None if case.forbid is None else any(str(s).lower() in text for s in case.forbid),
        doc=None if case.doc is None else any(s.startswith(case.doc) for s in sources),
    )


def training_files(training: Path) -> tuple[list[Path], list[Path]]:
    """The reader's written corpora and labelled question files under ``training`` (a folder laid
    out as ``training/``); the ones missing are left out."""
    corpora = [training / c for c in TRAINING_CORPORA if (training / c).is_dir()]
    questions = [training / q for q in TRAINING_QUESTIONS if (training / q).is_file()]
    return corpora, questions


def validation_cases(cases) -> list:
    """The labelled questions (``training/questions.yaml``, ``training/extra/questions_*.yaml``)
    the Waymark reader validates on, selected exactly as ``written_pairs()`` in
    training/reader.py splits them."""
    out = []
    for case in cases:
        if case.doc:
            keep = case.doc in VALIDATION_DOCS
        else:
            keep = zlib.crc32(case.id.encode()) % 5 < VALIDATION_SHARE
        if keep:
            out.append(case)
    return out


def tune_cutoff(scores: Sequence[float], answerable: Sequence[bool], found: Sequence[bool]) -> Cutoff:
    """The cut-off with the best balanced accuracy over labelled questions.

    ``scores``: each question's top-1 relevance score; ``answerable``: whether its source answers
    it; ``found``: whether an expected string is in the retrieved text (ignored for unanswerable
    ones). At cut-off ``c`` a question is answered when its score >= ``c``; an answerable question
    is right when answered and found, an unanswerable one when it abstained. Balanced accuracy is
    the mean of the two rates. The candidates are every observed score (answer it and everything
    above) and "abstain on everything"; the lowest best one wins ties, and the value returned lies
    halfway between it and the next lower score, so it separates the tuning data the same way
    with a margin.
    """
    if not (len(scores) == len(answerable) == len(found)):
        raise ValueError("scores, answerable and found must have the same length")
    rows = sorted(zip(scores, answerable, found, strict=True), key=lambda r: r[0])
    pos = sum(1 for _, a, _ in rows if a)
    neg = len(rows) - pos
    if not pos or not neg:
        raise ValueError("tuning needs both answerable and unanswerable questions")
    # Start at "answer everything" and raise the cut-off past one distinct score at a time.
    pos_ok = sum(1 for _, a, f in rows if a and f)
    neg_ok = 0
    distinct = sorted({r[0] for r in rows})
    best: Cutoff | None = None
    below = 0  # rows with a score below the current candidate
    for i, value in enumerate([*distinct, None]):
        while below < len(rows) and (value is None or rows[below][0] < value):
            _, a, f = rows[below]
            if a:
                pos_ok -= bool(f)
            else:
                neg_ok += 1
            below += 1
        accuracy = (pos_ok / pos + neg_ok / neg) / 2
        if best is None or accuracy > best.balanced_accuracy + 1e-12:
            if value is None:
                cut = distinct[-1] + 1e-6  # above every score: abstain on everything
            elif i == 0:
                cut = value
            else:
                cut = (value + distinct[i - 1]) / 2
            best = Cutoff(cut, accuracy, pos_ok, pos, neg_ok, neg)
    assert best is not None
    return best


def split_corpus(corpus_dir: Path | Sequence[Path]):
    """Every readable corpus file (of one folder or several), split with the stock recursive
    splitter; each chunk keeps its document's id and title (for the reader; never embedded)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index.load import load_corpus
    from index.manifest import load_manifest

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    folders = [corpus_dir] if isinstance(corpus_dir, Path) else list(corpus_dir)
    docs, metadatas = [], []
    for folder in folders:
        manifest = load_manifest(folder, warn=lambda _m: None)
        for doc in load_corpus(folder, warn=lambda _m: None):
            docs.append(doc)
            metadatas.append({"source": doc.id, "title": document_title(doc, manifest.get(doc.id))})
    return splitter.create_documents([d.text for d in docs], metadatas=metadatas)


def document_title(doc, info) -> str:
    """The title Waymark's index gives a document (``index.passages``: the manifest's, else the
    loader's, else its first short line), so the reader sees the same heading in both systems."""
    from index.passages import _fallback_title, _loader_title

    return info.title if info else _loader_title(doc) or _fallback_title(doc)


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
