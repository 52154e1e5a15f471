"""Lexical side of retrieval: tokens, a light stemmer and a BM25 index.

Exact tokens ("112", "02", "SOS", "Luganskogo") must be findable. Everyday words that the
sources phrase differently ("mobile" for "cell phones") are the dense embedding's job: no
synonym table, so nothing here is fitted to one corpus. The stoplist is general English.
bm25s scores through sparse matrices, so a query never loops over passages in Python.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for from with about as into over under is are was were
    be been being do does did doing have has had having i me my we our you your he she it its they
    them their this that these those there here what which who whom whose when where why how can
    could should would will shall may might must not no nor so than too very just also any some such
    only own same other again further then once all both each few more most s t don now tell know
    please need want get go like one up out off down am let us ok okay hi hello thanks thank yes
    """.split()
)

_TOKEN = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lower case without accents, so "fiancée" meets "fiancee" and "Öskemen" meets "Oskemen"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("’", "'").lower()


_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """Snowball stem ("riding" -> "ride", "buses" -> "bus"); numbers stay whole ("02", "112")."""
    if word.isdigit() or len(word) <= 3:
        return word
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


def tokens(text: str) -> list[str]:
    """Index tokens: stemmed words without stopwords; numbers kept whole ("02", "112")."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def query_tokens(text: str) -> list[str]:
    """Distinct tokens of a question, in order (meaning beyond the words is the dense side's job)."""
    return list(dict.fromkeys(tokens(text)))


class LexicalIndex:
    """BM25 over passages (text plus section and title) with document frequencies for weighting."""

    def __init__(self, texts: list[str]) -> None:
        corpus = [tokens(t) for t in texts]
        self.size = len(corpus)
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)
        self.vocab = self.bm25.vocab_dict
        df: dict[str, int] = {}
        for toks in corpus:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        self.df = df

    def idf(self, token: str) -> float:
        return float(np.log(1 + (self.size - self.df.get(token, 0) + 0.5) / (self.df.get(token, 0) + 0.5)))

    def search(self, query: list[str], k: int) -> list[tuple[int, float]]:
        known = [t for t in query if t in self.vocab]
        if not known or not self.size:
            return []
        docs, scores = self.bm25.retrieve([known], k=min(k, self.size), show_progress=False, n_threads=1)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
