"""Lexical side of retrieval: index tokens, a light stemmer and a BM25 index.

Exact tokens ("112", "02", "SOS", "Luganskogo") must be findable. Everyday words that the
sources phrase differently ("mobile" for "cell phones") are the dense embedding's job: no
synonym table, so nothing here is fitted to one corpus. Words and the general-English stoplist
are ``index.text``'s, shared with the verifier. bm25s scores through sparse matrices, so a query
never loops over passages in Python.
"""

from __future__ import annotations

from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

# Re-exported: bot.terms and bot.probes import the shared tokenizer and stoplist from here.
from index.text import STOPWORDS as STOPWORDS
from index.text import normalize as normalize
from index.text import words as words

_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """Snowball stem ("riding" -> "ride", "buses" -> "bus"); numbers stay whole ("02", "112")."""
    if word.isdigit() or len(word) <= 3:
        return word
    return _STEMMER.stemWord(word)


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
