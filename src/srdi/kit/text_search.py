"""Chinese text search shared by the domains: rjieba with a domain dictionary, and a small Okapi BM25.

Moved here from srdi.appeal.routing (decision record 0014-appeal-routing) so that matchmaking (供需对接) ranks
enterprises with the same tokenisation the appeals router uses; each caller brings its own dictionary.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import rjieba

BM25_K1 = 1.2
BM25_B = 0.3

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Everything but Chinese characters, Latin letters, digits and the brackets of 首台（套） is a separator.
_NOT_TOKEN = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9（）()]+")


class Tokenizer:
    """rjieba with a domain dictionary; an instance of its own so the process-wide default stays untouched."""

    def __init__(self, words: Iterable[str], stopwords: frozenset[str]) -> None:
        self._jieba = rjieba.Jieba()
        self._stopwords = stopwords
        for word in sorted(set(words), key=len):
            word = word.strip()
            if len(word) >= 2:
                # A frequency above what jieba would need to join the characters keeps the word whole even
                # next to a common word (suggest_freq gives the minimum).
                freq = max(self._jieba.suggest_freq(word), 1) * 10 + 1000
                self._jieba.add_word(word, freq, None)

    def words(self, text: str) -> list[str]:
        """Words of the text in order, lower-cased, without punctuation and stopwords."""
        cleaned = _NOT_TOKEN.sub(" ", text)
        stop = self._stopwords
        # lower-cased after the cut: the dictionary holds AEO认证 as written
        return [
            w for w in (raw.strip().lower() for raw in self._jieba.cut(cleaned, True)) if w and w not in stop
        ]

    def terms(self, text: str) -> list[str]:
        """Index terms: the words (single characters dropped) plus the character bigrams of long CJK words."""
        return self.terms_of(self.words(text))

    def terms_of(self, words: Iterable[str]) -> list[str]:
        out: list[str] = []
        for word in words:
            if len(word) >= 2:
                out.append(word)
            if len(word) >= 3 and _CJK.match(word):
                bigrams = (word[i : i + 2] for i in range(len(word) - 1))
                out.extend(b for b in bigrams if b not in self._stopwords)
        return out


# ───────────────────────────── BM25 ─────────────────────────────


class BM25:
    """Okapi BM25 over a small set of documents that grow (staff corrections), with postings kept as dicts.

    bm25s (measured in benchmarks/appeal_routing.py) ranks the same, but its index is rebuilt as a whole
    on every change; with ~80 unit profiles and a correction at any time, a dict of postings is simpler.
    """

    def __init__(self, k1: float = BM25_K1, b: float = BM25_B) -> None:
        self.k1 = k1
        self.b = b
        self._tf: dict[str, Counter[str]] = {}
        self._postings: dict[str, dict[str, int]] = defaultdict(dict)
        self._len: dict[str, int] = {}
        self._total = 0
        self._norm: dict[str, float] | None = None
        self._idf: dict[str, float] = {}

    def add(self, doc: str, terms: Iterable[str]) -> None:
        tf = self._tf.setdefault(doc, Counter())
        for term in terms:
            tf[term] += 1
            self._total += 1
        for term, f in tf.items():
            self._postings[term][doc] = f
        self._len[doc] = sum(tf.values())
        self._norm = None
        self._idf = {}

    @property
    def documents(self) -> list[str]:
        return list(self._tf)

    def term_frequencies(self, doc: str) -> Counter[str]:
        return Counter(self._tf.get(doc, {}))

    def knows(self, term: str) -> bool:
        return term in self._postings

    def idf(self, term: str) -> float:
        cached = self._idf.get(term)
        if cached is None:
            n = len(self._tf)
            df = len(self._postings.get(term, ()))
            cached = self._idf[term] = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return cached

    def _norms(self) -> dict[str, float]:
        if self._norm is None:
            # An index whose documents are all empty (every profile without text) has average
            # length 0; length/average is then 0/0 and every document's norm is k1·(1 − b).
            avg = self._total / len(self._tf) if self._total else 1.0
            self._norm = {d: self.k1 * (1.0 - self.b + self.b * n / avg) for d, n in self._len.items()}
        return self._norm

    def doc_count(self) -> int:
        return len(self._tf)

    def norms(self) -> dict[str, float]:
        """Per document, ``k1 · (1 − b + b · length / average length)`` (the denominator's length part)."""
        return self._norms()

    def postings(self) -> Mapping[str, Mapping[str, int]]:
        """term → {document: term frequency}; read-only view for column indexes built on top."""
        return self._postings

    def doc_scores(
        self, doc: str, terms: Iterable[str], weights: Mapping[str, float] | None = None
    ) -> dict[str, float]:
        """``scores(terms, [doc], weights)[doc]`` for one document, the same floats in the same order."""
        norms = self._norms()
        tf = self._tf.get(doc)
        w = weights or {}
        out: dict[str, float] = {}
        if not tf:
            return out
        for term in terms:
            f = tf.get(term)
            if f:
                idf = self.idf(term) * w.get(term, 1.0)
                out[term] = idf * f * (self.k1 + 1.0) / (f + norms[doc])
        return out

    def scores(
        self, query: Iterable[str], docs: Iterable[str], weights: Mapping[str, float] | None = None
    ) -> dict[str, dict[str, float]]:
        """Per document, the contribution of each query term that occurs in it (times the term's weight)."""
        wanted = set(docs)
        norms = self._norms()
        w = weights or {}
        out: dict[str, dict[str, float]] = {}
        for term in set(query):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self.idf(term) * w.get(term, 1.0)
            for doc, f in postings.items():
                if doc in wanted:
                    out.setdefault(doc, {})[term] = idf * f * (self.k1 + 1.0) / (f + norms[doc])
        return out
