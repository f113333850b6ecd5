"""A capability's documents: its members' papers, patents and projects (issue #14, item 3).

A capability may carry up to 500 documents. Beside its profile text, a demand is compared with
each document (the same IDF-weighted coverage as ``text``, with the IDF taken over all the
index's documents) and the document scores of a capability are aggregated into the
``documents`` component: the mean of the best ``BEST_K`` (all of them when it has fewer),
each document's score first multiplied by its recency weight. The aggregation was chosen by
measuring teams as separate papers on the dev data (bench/match_documents.py, BENCHMARKS.md):
the best few papers say what a team works on better than one concatenated profile, and better
than its single best paper, which rewards one lucky overlap. A capability without documents
has no ``documents`` component and scores exactly as before.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["BEST_K", "RECENCY_FLOOR", "RECENCY_HALF_LIFE", "DocumentIndex", "analyse"]

#: Documents averaged per capability (the best ones).
BEST_K = 3
#: Recency: a document ``age`` years older than the index's newest one weighs
#: ``max(RECENCY_FLOOR, 0.5 ** (age / RECENCY_HALF_LIFE))``; a document without a year weighs
#: as the floor's midpoint to 1. (The dev papers have no years, so this is a judgement, kept
#: mild: a ten-year-old paper still counts 0.71.)
RECENCY_HALF_LIFE = 20.0
RECENCY_FLOOR = 0.5
_NO_YEAR = (1.0 + RECENCY_FLOOR) / 2

#: Best-matching documents named in an explanation.
SHOWN = 3

Analysed = tuple[dict[str, float], int | None, str]  # features, year, title


def analyse(documents: Sequence[Any], analyse_record) -> list[Analysed]:
    """Features of each document, analysed as a record (title and keywords at 1, abstract at
    0.7) by ``analyse_record`` (the engine's record analysis)."""
    out = []
    for d in documents:
        rec = types.SimpleNamespace(
            title=d.title, keywords=d.keywords, description=d.abstract, city=None
        )
        out.append((analyse_record(rec).text, d.year, d.title))
    return out


class DocumentIndex:
    """All documents of an index's supplies in one term space, with their owners."""

    def __init__(self, per_supply: Sequence[Sequence[Analysed]], space_cls):
        counts = np.fromiter(map(len, per_supply), np.int64, len(per_supply))
        self.count = counts
        self.start = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        self.has = counts > 0
        flat = [a for docs in per_supply for a in docs]
        self.space = space_cls([f for f, _, _ in flat])
        self.owner = np.repeat(np.arange(len(per_supply)), counts)
        self.titles = [t for _, _, t in flat]
        years = np.array([y if y is not None else -1 for _, y, _ in flat], np.float64)
        newest = years.max() if len(years) and years.max() > 0 else 0.0
        rec = np.maximum(RECENCY_FLOOR, 0.5 ** (np.maximum(newest - years, 0) / RECENCY_HALF_LIFE))
        self.recency = np.where(years > 0, rec, _NO_YEAR)

    def vectorize(self, texts: Sequence[dict[str, float]]):
        return self.space.vectorize(texts)

    def expand(self, ii: np.ndarray, jj: np.ndarray):
        """(pair, demand, document) triples of the pairs whose supply has documents."""
        p = np.flatnonzero(self.has[jj])
        c = self.count[jj[p]]
        total = int(c.sum())
        pe = np.repeat(p, c)
        offsets = np.arange(total) - np.repeat(np.cumsum(c) - c, c)
        dd = np.repeat(self.start[jj[p]], c) + offsets
        return pe, ii[pe], dd

    def pair_scores(self, vec, ii, jj, alpha: float, seg_top, shown: bool = False):
        """The ``documents`` component of each pair (0 where the supply has none) and, with
        ``shown``, the titles of each pair's best-matching documents."""
        out = np.zeros(len(ii))
        pe, ie, dd = self.expand(ii, jj)
        if len(pe) == 0:
            return (out, [() for _ in range(len(ii))]) if shown else out
        score = self.space.pair_score(vec, ie, dd, alpha) * self.recency[dd]
        top = seg_top(pe, score, BEST_K)
        sums = np.bincount(pe[top], weights=score[top], minlength=len(ii))
        k = np.minimum(self.count[jj], BEST_K)
        np.divide(sums, k, out=out, where=k > 0)
        if not shown:
            return out
        titles: list[tuple[str, ...]] = [() for _ in range(len(ii))]
        by_pair: dict[int, list[str]] = {}
        for x in top.tolist():  # grouped by pair, best first
            if score[x] > 0:
                lst = by_pair.setdefault(int(pe[x]), [])
                if len(lst) < SHOWN:
                    lst.append(self.titles[dd[x]])
        for q, lst in by_pair.items():
            titles[q] = tuple(lst)
        return out, titles
