"""Scoring engine: analysed records, a reusable supply index, candidate and exhaustive ranking.

Every component except ``fuzzy`` and ``chars`` is a cheap closed form over per-record vectors
(sparse term matrices for text, skills and majors; small one-hot tables for fields, modes,
region and education), evaluated for arrays of (demand, supply) pairs at once.

``candidates`` mode: (1) a walk over the inverted index restricted to informative terms
(document frequency ≤ ``max(50, min(200, n/40))``) finds the supplies sharing such a term with
the demand and keeps the best ``WIDE_FACTOR × candidates`` by a coverage proxy, then the best
``candidates`` of those by every cheap component (a demand with too few sharers retries with
all its terms, and with fewer still is scored against every supply); (2) all cheap components
are computed exactly for these pairs; (3) the costly components, rapidfuzz
(``process.cpdist``, all cores) and the character cosine, run on the best
``fuzzy_candidates`` by the cheap score, then on every other candidate whose upper bound
(cheap part + full costly weights) could still beat the k-th score (at most ``extra_cap``).
``exhaustive`` mode scores every pair in full with the same code.

The loops over sparse rows are compiled (:mod:`matching._kernels`): a demand row is scattered
into a dense buffer once and each of its pairs' supply entries looks its term up there, so
scoring and explanations need no sparse row gathers. Selections per demand (top candidates,
top k) are done for whole blocks at once (:func:`_seg_top`). Large batches are analysed and
ranked in forked worker processes (:func:`_can_fork`), with the same result as in-process;
:func:`match` builds the supply index while the workers still analyse the demands.
"""

from __future__ import annotations

import gc
import itertools
import math
import multiprocessing as mp
import os
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import msgspec
import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process

from . import crosswalk as X
from . import documents as D
from . import fieldspace as FS
from . import relevance as R
from . import terms as TM
from . import text as T
from .errors import MatchingError
from .records import (
    CITIES,
    COOPERATION_MODES,
    EDUCATION_LEVELS,
    Capability,
    JobOpening,
    MatchedTerms,
    Ranking,
    RDNeed,
    ScoredPair,
    TalentPool,
    Weights,
    coerce_records,
    resolve_weights,
)

__all__ = ["MatchIndex", "match"]

Mode = Literal["candidates", "exhaustive"]

#: Whole tokens of a record kept for the fuzzy (rapidfuzz) comparison, most informative first.
FUZZY_TOKENS = 24
#: Inferred research fields kept per demand, and the sharpness of their relative weights
#: ``(sim / best_sim) ** INFER_GAMMA``. Inference is right about half the time (top 1), so the
#: runners-up keep most of the weight and the text decides between their supplies; a sharp
#: exponent (4 was used before) bets everything on the first guess.
INFER_TOP = 5
INFER_GAMMA = 0.5
#: Whether codes are also inferred by nearest centroid of the index's supplies (beside the
#: shipped discipline model, see :class:`_Fields`).
CENTROIDS = True
#: Value of a discipline shared by two records that state it (through the crosswalk) without
#: sharing an NSFC code prefix: a shared 一级学科, the level of a shared NSFC 2nd-level code.
DISC_STATED = 0.6
#: Whether a demand without stated disciplines gets the shipped model's (off: only the
#: centroids infer its field, as before the model).
DISC_INFERENCE = True
_MAX_SHOWN = 10
#: Shared terms shown per pair: the informative ones (:func:`matching.terms.is_noise`),
#: heaviest first.
_MAX_TERMS = 8
#: BM25's usual k1: a feature seen c times weighs (k1 + 1)·c / (k1 + c) times its field weight
#: (1 for c = 1, at most k1 + 1), so repeated terms count more, with diminishing returns.
#: ``None`` restores set semantics. Not fitted to any data set.
TF_K1: float | None = 1.2
#: Weight of a field's name beside its supplies' centroid in field inference (only the name's
#: terms that occur in the index's vocabulary carry evidence).
LABEL_WEIGHT = 0.3
#: Weight of the character-level similarity beside the word-level one in field inference:
#: records of one discipline share characters (morphemes) more often than whole words.
CHAR_WEIGHT = 1.0
#: The first candidate funnel keeps ``WIDE_FACTOR × candidates`` sharers per demand by the text
#: proxy before all cheap components pick the final ``candidates``.
WIDE_FACTOR = 4
FUZZY_SCORER = fuzz.token_set_ratio

_NSFC = re.compile(r"^[A-H][0-9]{2}")
_MODE_INDEX = {m: i for i, m in enumerate(COOPERATION_MODES)}
_MODE_COMPAT = np.eye(len(COOPERATION_MODES), dtype=np.float32)
for _a, _b in (("委托开发", "合作开发"), ("技术转让", "技术许可"), ("技术咨询", "技术服务")):
    _MODE_COMPAT[_MODE_INDEX[_a], _MODE_INDEX[_b]] = 0.5
    _MODE_COMPAT[_MODE_INDEX[_b], _MODE_INDEX[_a]] = 0.5
#: Row b: membership of each cooperation mode in the set with bit mask b.
_MODE_SETS = (
    (np.arange(1 << len(COOPERATION_MODES))[:, None] >> np.arange(len(COOPERATION_MODES))) & 1
).astype(np.float64)
_CITY_INDEX = {c: i for i, c in enumerate(CITIES)}
_EDU_INDEX = {e: i for i, e in enumerate(EDUCATION_LEVELS)}


# --------------------------------------------------------------------------- analysis


@dataclass(slots=True)
class _Doc:
    text: dict[str, float]
    whole: dict[str, float]
    han: str = ""  # the record's Chinese characters (``chars`` and field inference)
    skills: dict[str, float] = field(default_factory=dict)
    skill_src: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    majors: dict[str, float] = field(default_factory=dict)
    major_names: list[str] = field(default_factory=list)
    fields: tuple[str, ...] = ()
    modes: tuple[int, ...] = ()
    city: int = -1  # 0..10 province cities, 11 elsewhere, -1 unknown
    edu: int = -1
    count: float = -1.0
    boost: float = 0.0
    lower_ok: bool = False  # a job that accepts degrees below its minimum education
    documents: list = field(default_factory=list)  # a capability's analysed documents
    links: tuple = ()  # disciplines the stated codes reach (:func:`fieldspace.record_links`)


def _merge(dst: dict[str, float], src: dict[str, float]) -> None:
    for k, v in src.items():
        if dst.get(k, 0.0) < v:
            dst[k] = v


def _city(value: str | None) -> int:
    if not value:
        return -1
    c = T.normalize_short(value).removesuffix("市")
    if not c:
        return -1
    return _CITY_INDEX.get(c, len(CITIES))


def _code(value: str) -> str:
    return T.normalize_short(value).upper().replace(" ", "")


@lru_cache(maxsize=262144)
def _subs(tok: str) -> tuple[str, ...]:
    # An expansion may map back onto the token itself through the synonym table.
    return tuple(x for x in T._expand(tok) if x != tok)


@lru_cache(maxsize=262144)
def _with_subs(tok: str) -> tuple[str, ...]:
    return (tok, *_subs(tok))


def _analyse(rec: Any, policy_tags: Mapping[str, float]) -> _Doc:
    """Features of one record: ``text`` as :func:`matching.text.features` per field (the
    largest weight wins) times the BM25-style saturation ``(k1 + 1)·c / (k1 + c)`` of the
    feature's number of occurrences ``c`` (``k1 = TF_K1``), and ``whole`` (tokens only)."""
    whole: dict[str, float] = {}
    text: dict[str, float] = {}
    counts: Counter[str] = Counter()
    sub_share = T.SUBWORD_WEIGHT

    texts: list[str] = []

    def add(raw: str | None, weight: float) -> list[str]:
        if raw:
            texts.append(raw)
        toks = T.tokenize(raw)
        if not toks:
            return toks
        sub_w = weight * sub_share
        wget, tget = whole.get, text.get
        # Unique tokens in first-seen order: a repeat changes no weight (it is counted below).
        for t in dict.fromkeys(toks):
            if wget(t, 0.0) < weight:
                whole[t] = weight
            if tget(t, 0.0) < weight:
                text[t] = weight
            for x in _subs(t):
                if tget(x, 0.0) < sub_w:
                    text[x] = sub_w
        counts.update(itertools.chain.from_iterable(map(_with_subs, toks)))
        return toks

    add(rec.title, 1.0)
    for kw in rec.keywords:
        add(kw, 1.0)
    add(rec.description, 0.7)
    doc = _Doc(text=text, whole=whole, city=_city(rec.city))
    if isinstance(rec, RDNeed | Capability):
        doc.fields = tuple(dict.fromkeys(c for c in map(_code, rec.field_codes) if c))
        doc.modes = tuple(
            sorted(
                {
                    _MODE_INDEX[m]
                    for m in map(T.normalize_short, rec.cooperation_modes)
                    if m in _MODE_INDEX
                }
            )
        )
    if isinstance(rec, JobOpening | TalentPool):
        for s in rec.skills:
            toks = add(s, 1.0)
            if toks:
                doc.skill_src.append((s, tuple(toks)))
                _merge(doc.skills, T.features(toks))
        names = list(rec.majors) if isinstance(rec, JobOpening) else [rec.major_name or ""]
        for m in names:
            toks = add(m, 0.8)
            if toks:
                doc.major_names.append(m)
                _merge(doc.majors, T.features(toks))
        if isinstance(rec, JobOpening):
            doc.edu = _EDU_INDEX.get(rec.min_education or "", -1)
            doc.count = float(rec.headcount) if rec.headcount else -1.0
            doc.lower_ok = R.accepts_lower(rec.description)
        else:
            doc.edu = _EDU_INDEX.get(rec.degree_level or "", -1)
            doc.count = float(rec.graduates) if rec.graduates is not None else -1.0
    if isinstance(rec, RDNeed | JobOpening):
        if rec.tags:
            tags = set(map(T.normalize_short, rec.tags))
            doc.boost = max(
                (v for k, v in policy_tags.items() if T.normalize_short(k) in tags), default=0.0
            )
    doc.han = T.han_characters(*texts)
    doc.links = FS.record_links(
        field_codes=getattr(rec, "field_codes", ()),
        industry_code=getattr(rec, "industry_code", None),
        majors=getattr(rec, "majors", ()) or filter(None, [getattr(rec, "major_name", None)]),
        major_code=getattr(rec, "major_code", None),
    )
    if TF_K1 is not None:
        k = TF_K1
        # (k + 1)·c / (k + c) is 1 for c = 1, so only repeated features change.
        for t, c in counts.items():
            if c > 1 and t in text:
                text[t] = text[t] * (k + 1.0) * c / (k + c)  # same rounding as before
    # Generic words, numbers, units and single letters weigh little (matching.terms).
    TM.damp(text)
    TM.damp(doc.skills)
    TM.damp(doc.majors)
    if isinstance(rec, Capability) and rec.documents:
        doc.documents = D.analyse(rec.documents, lambda r: _analyse(r, policy_tags))
    return doc


#: Batches at least this large are analysed and ranked in parallel processes (see
#: :func:`_can_fork`); smaller ones are not worth the fork.
PARALLEL_MIN = 4000
_JOB: Any = None


def _cores() -> int:
    return min(os.cpu_count() or 1, 8)


def _can_fork(n: int) -> bool:
    """Whether a batch of ``n`` records may be split between forked worker processes.

    Only where it is safe: a POSIX ``fork`` start method and a single thread in the caller (a
    forked child of a threaded server could inherit a lock held by another thread); otherwise
    the work stays in this process, with the same result.
    """
    return (
        n >= PARALLEL_MIN
        and _cores() >= 2
        and "fork" in mp.get_all_start_methods()
        and threading.active_count() == 1
        and not mp.current_process().daemon  # a daemonic process may not have children
    )


@contextmanager
def _forked(job: Any, processes: int):
    """A fork pool whose workers see ``job`` (inherited through fork, never pickled)."""
    global _JOB
    T.tokenize("")  # load the dictionaries once, before forking, so children share them
    _JOB = job
    # Frozen objects are skipped by the garbage collector, so neither the children's nor this
    # process's collections walk (and, in the children, copy-on-write) the existing heap.
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(processes) as pool:
            yield pool
    finally:
        _JOB = None
        gc.unfreeze()


def _analyse_range(bounds: tuple[int, int]) -> list[_Doc]:
    recs, tags = _JOB
    return [_analyse(r, tags) for r in recs[bounds[0] : bounds[1]]]


#: Records per task of the forked analysis: small enough to balance the workers, large
#: enough that a task's overhead (a pickled result) stays negligible.
_ANALYSIS_CHUNK = 1000


def _analyse_batches(
    batches: Sequence[Sequence[Any]],
    policy_tags: Mapping[str, float],
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[list[_Doc]]:
    """Analysed documents of each batch of records, in order, one batch per ``next``.

    Segmentation is pure Python around rjieba and dominates batch runs, so large inputs are
    analysed by forked workers (the records reach them through fork; only the results are
    pickled back). They go on with later batches while the caller works on an earlier one:
    :func:`match` builds the supply index while the demands are still being analysed.
    ``meanwhile`` is called once the workers have started (or before analysing in-process).
    """
    total = sum(len(b) for b in batches)
    if not _can_fork(total):
        if meanwhile is not None:
            meanwhile()
        for b in batches:
            yield [_analyse(r, policy_tags) for r in b]
        return
    flat = [r for b in batches for r in b]
    chunks: list[list[tuple[int, int]]] = []
    lo = 0
    for b in batches:
        chunks.append(
            [
                (x, min(x + _ANALYSIS_CHUNK, lo + len(b)))
                for x in range(lo, lo + len(b), _ANALYSIS_CHUNK)
            ]
        )
        lo += len(b)
    with _forked((flat, policy_tags), _cores()) as pool:
        results = pool.imap(_analyse_range, [c for cs in chunks for c in cs], chunksize=1)
        if meanwhile is not None:
            meanwhile()
        for cs in chunks:
            yield [d for _ in cs for d in next(results)]


def _analyse_all(recs: Sequence[Any], policy_tags: Mapping[str, float]) -> list[_Doc]:
    """Analysed documents of ``recs`` (see :func:`_analyse_batches`)."""
    analysed = _analyse_batches([recs], policy_tags)
    try:
        return next(analysed)
    finally:
        analysed.close()  # ends the worker pool now, not whenever the generator is collected


def _rank_range(job: tuple, lo: int, hi: int) -> list[Ranking]:
    """Rankings of demands ``lo:hi``, prepared here: preparation is per demand, so each block
    (in a forked worker, for large batches) prepares only its own."""
    index, docs, w, top_k, mode, recs = job
    prep = index._prepare(docs[lo:hi], w)
    pr, idx, full, fz, cc = index._rank_block(prep, 0, hi - lo, w, top_k, mode)
    ranked = index._explain(prep, pr, idx, full, fz, cc, w, recs[lo:hi])
    return [
        Ranking(demand_id=recs[lo + i].id, pairs=tuple(ranked.get(i, ()))) for i in range(hi - lo)
    ]


def _rank_blob(bounds: tuple[int, int]) -> bytes:
    return msgspec.msgpack.encode(_rank_range(_JOB, *bounds))


# --------------------------------------------------------------------------- term spaces


def _idf(df: np.ndarray, n: int) -> tuple[np.ndarray, float]:
    """``ln(1 + n / df)`` per term, and the same for a term no document has (df = 1)."""
    return np.log1p(n / np.maximum(df, 1.0)), math.log1p(max(n, 1))


def _rows_sum(m) -> np.ndarray:
    return np.asarray(m.sum(axis=1), dtype=np.float64).ravel()


def _kernels():
    """:mod:`matching._kernels`, imported on first use: numba takes over half a second to
    import, which processes that never score a pair (the web service's other routes, the
    CLI's other commands) should not pay."""
    from . import _kernels as kernels

    return kernels


def _csr_args(q, s) -> tuple:
    return (q.indptr, q.indices, q.data, s.indptr, s.indices, s.data)


def _pair_dot(q, s, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
    """``out[p] = q[ii[p]] · s[jj[p]]`` for pairs grouped by demand (see :mod:`._kernels`)."""
    if len(ii) == 0:
        return np.zeros(0)
    return _kernels().pair_dot(*_csr_args(q, s), _i64(ii), _i64(jj), max(s.shape[1], 1))


def _i64(a: np.ndarray) -> np.ndarray:
    # One integer type for the pair arrays, so each kernel is compiled once per matrix type.
    return np.ascontiguousarray(a, dtype=np.int64)


class _Space:
    """IDF-weighted coverage between demand and supply feature sets.

    ``cov_d`` is the share of the demand's weight (``feature weight × idf``) found in the
    supply, ``cov_s`` the share of the supply's weight found in the demand; the score is
    ``cov_d**a * cov_s**(1-a)``. Both shares are non-decreasing when the demand gains a feature
    that the supply has, hence so is the score.
    """

    def __init__(self, docs: Sequence[dict[str, float]]):
        # Factorise every (doc, term) entry at C speed: a defaultdict hands out new ids.
        vocab: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        lens = np.fromiter(map(len, docs), np.int64, len(docs))
        cols = np.fromiter(
            map(vocab.__getitem__, itertools.chain.from_iterable(docs)), np.int64, int(lens.sum())
        )
        vals = np.fromiter(
            itertools.chain.from_iterable(d.values() for d in docs), np.float64, len(cols)
        )
        n = len(docs)
        self.vocab = dict(vocab)
        self.terms = list(self.vocab)
        indptr = np.concatenate(([0], np.cumsum(lens)))
        raw = sp.csr_matrix((vals, cols, indptr), shape=(n, max(len(vocab), 1)))
        raw.sum_duplicates()
        self.df = np.bincount(raw.indices, minlength=raw.shape[1]).astype(np.float64)
        self.idf, self.oov_idf = _idf(self.df, n)
        # Column n_terms of ``_idf_ext`` is the idf of a term outside the vocabulary.
        self._idf_ext = np.append(self.idf, self.oov_idf)
        self.sw = (raw @ sp.diags(self.idf)).tocsr()
        self.ssum = _rows_sum(self.sw)
        self.has = self.ssum > 0
        norms = np.sqrt(_rows_sum(self.sw.multiply(self.sw)))
        self.unit = (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ self.sw).tocsr()
        self._pruned_t: dict[int | None, tuple] = {}

    def term_ids(self, terms: Iterable[str], count: int) -> np.ndarray:
        """Vocabulary ids of ``terms``; ``len(vocab)`` for an unknown term."""
        oov = len(self.vocab)
        return np.fromiter(map(self.vocab.get, terms, itertools.repeat(oov)), np.int64, count)

    def idf_of(self, term: str) -> float:
        j = self.vocab.get(term)
        return float(self.idf[j]) if j is not None else self.oov_idf

    def vectorize(self, docs: Sequence[dict[str, float]]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Demands' weighted vectors over the supplies' terms, and each one's total weight."""
        lens = np.fromiter(map(len, docs), np.int64, len(docs))
        total = int(lens.sum())
        cols = self.term_ids(itertools.chain.from_iterable(docs), total)
        vals = np.fromiter(
            itertools.chain.from_iterable(d.values() for d in docs), np.float64, total
        )
        vals *= self._idf_ext[cols]
        rows = np.repeat(np.arange(len(docs)), lens)
        # Unknown terms count in the demand's total weight but can never be shared.
        qsum = np.bincount(rows, weights=vals, minlength=len(docs))
        known = cols < len(self.vocab)
        qw = sp.csr_matrix(
            (vals[known], (rows[known], cols[known])), shape=(len(docs), self.sw.shape[1])
        )
        qw.sum_duplicates()
        return qw, qsum

    def pair_score(self, vec, ii: np.ndarray, jj: np.ndarray, alpha: float, *, terms=False):
        """Coverage score of the pairs (``ii[p]``, ``jj[p]``), ``ii`` non-decreasing.

        With ``terms=True`` also returns the shared terms as ``(pair, term, demand weight)``
        arrays, for explanations.
        """
        qw, qsum = vec
        ii, jj = _i64(ii), _i64(jj)
        args = (*_csr_args(qw, self.sw), ii, jj, max(self.sw.shape[1], 1))
        if len(ii):
            a, b, hits = _kernels().pair_cover(*args)
        else:
            a, b, hits = np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
        qs, ss = qsum[ii], self.ssum[jj]
        with np.errstate(divide="ignore", invalid="ignore"):
            cd = np.where(qs > 0, a / qs, 0.0)
            cs = np.where(ss > 0, b / ss, 0.0)
        cd = np.clip(cd, 0.0, 1.0)
        cs = np.clip(cs, 0.0, 1.0)
        score = cd**alpha * cs ** (1.0 - alpha)
        if not terms:
            return score
        if not len(ii):
            return score, (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        return score, _kernels().pair_shared(*args, int(hits.sum()))

    def pruned(self, max_df: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays of the transposed weighted supply matrix (terms × supplies), keeping
        the terms with ``df <= max_df``: the inverted index."""
        if max_df not in self._pruned_t:
            m = self.sw if max_df is None else self.sw @ sp.diags((self.df <= max_df) * 1.0)
            t = m.T.tocsr()
            self._pruned_t[max_df] = (t.indptr, t.indices, t.data)
        return self._pruned_t[max_df]


def _unit_rows(m) -> sp.csr_matrix:
    norms = np.sqrt(_rows_sum(m.multiply(m)))
    return (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ m).tocsr()


def _seg_top(seg: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest ``key`` in each run of equal ``seg`` (non-decreasing).

    Grouped by segment, best first; ties go to the earlier position, so the selection is
    deterministic. Segments are laid out as rows of a padded matrix and sorted together.
    """
    n = len(seg)
    if n == 0 or k <= 0:
        return np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
    lens = np.diff(np.r_[starts, n])
    width = int(lens.max())
    if len(starts) * width > (1 << 23):
        parts = [
            s + np.argsort(-key[s : s + m], kind="stable")[:k]
            for s, m in zip(starts, lens, strict=True)
        ]
        return np.concatenate(parts)
    mat = np.full((len(starts), width), np.inf)
    mat[np.repeat(np.arange(len(starts)), lens), np.arange(n) - np.repeat(starts, lens)] = -key
    order = np.argsort(mat, axis=1, kind="stable")[:, :k]
    return (starts[:, None] + order)[order < lens[:, None]]


def _char_counts(strings: Sequence[str], lookup: np.ndarray | None = None):
    """(strings × characters) matrix of sublinear counts ``1 + ln(count)``, and the lookup.

    ``lookup`` maps a BMP code point to its column (-1: unknown); without it, one is made
    from the characters of ``strings``. Characters outside it (or outside the BMP) get no
    column; their squared sublinear counts are summed per string in the third value. All in
    numpy, with no per-record dicts: 20,000 records hold millions of characters.
    """
    n = len(strings)
    lens = np.fromiter(map(len, strings), np.int64, n)
    cps = np.frombuffer("".join(strings).encode("utf-32-le"), dtype=np.uint32)
    rows = np.repeat(np.arange(n, dtype=np.int64), lens)
    bmp = cps < 0x10000
    if lookup is None:
        present = np.flatnonzero(np.bincount(cps[bmp], minlength=0x10000))
        lookup = np.full(0x10000, -1, np.int32)
        lookup[present] = np.arange(len(present), dtype=np.int32)
    width = max(int(lookup.max()) + 1, 1)
    cols = np.where(bmp, lookup[np.where(bmp, cps, 0)], -1)
    known = cols >= 0

    def sublinear(r, c, w):
        # Rows arrive grouped, so the CSR arrays are direct; sum_duplicates sorts within rows.
        indptr = np.concatenate(([0], np.cumsum(np.bincount(r, minlength=n))))
        m = sp.csr_matrix((np.ones(len(c)), c, indptr), shape=(n, w))
        m.sum_duplicates()
        m.data = 1.0 + np.log(m.data)
        return m

    m = sublinear(rows[known], cols[known], width)
    unknown_sq = np.zeros(n)
    if not known.all():
        u = sublinear(rows[~known], cps[~known].astype(np.int64), 0x110000)
        unknown_sq = _rows_sum(u.multiply(u))
    return m, lookup, unknown_sq


class _Chars:
    """Unit tf-idf vectors of the records' Chinese characters (sublinear counts, idf over the
    supplies): the ``chars`` component is their cosine, field inference uses them too."""

    def __init__(self, docs: Sequence[_Doc]):
        counts, self.lookup, _ = _char_counts([d.han for d in docs])
        idf, self.oov_idf = _idf(np.bincount(counts.indices, minlength=counts.shape[1]), len(docs))
        self.idf = sp.diags(idf)
        self.unit = _unit_rows(counts @ self.idf)

    def vectorize(self, strings: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Unit vectors over the known characters, and each one's share of the full norm.

        Characters no supply has can never be shared, but they still make a text less like
        any supply: the cosine is the known part's times ``share`` (unknown characters
        weigh as the rarest known ones).
        """
        counts, _, unknown_sq = _char_counts(strings, self.lookup)
        known = counts @ self.idf
        known_sq = _rows_sum(known.multiply(known))
        total = known_sq + unknown_sq * self.oov_idf**2
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, np.sqrt(known_sq / total), 0.0)
        return _unit_rows(known), share


def _onehot(lists: Sequence[Sequence[int]], width: int, vals=None) -> sp.csr_matrix:
    rows = [i for i, lst in enumerate(lists) for _ in lst]
    cols = [j for lst in lists for j in lst]
    data = np.ones(len(cols)) if vals is None else np.asarray(vals, np.float64)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(lists), max(width, 1)))


@dataclass(slots=True)
class _DemandFields:
    """What the field component knows of a block of demands (see :meth:`_Fields.demand_vectors`)."""

    levels: list  # per code level a (demands × codes) matrix
    disc: sp.csr_matrix  # (demands × disciplines): stated indicator or inferred p / p_max
    stated: np.ndarray  # whether each demand's disciplines are stated (else inferred)
    inferred_codes: list[dict[str, float]]  # codes inferred by centroid, per demand
    top: np.ndarray  # inferred disciplines' columns (demands × fieldspace.INFER_TOP)
    top_p: np.ndarray  # and their probabilities


class _Fields:
    """Research-field alignment in two spaces: the records' own codes, and the disciplines.

    **Codes**: shared code 1.0, same NSFC 2nd level (``E04``) 0.6, same department letter
    0.3. A demand without codes gets up to ``INFER_TOP`` codes inferred by nearest centroid
    (only codes that reach no discipline through the crosswalk, see ``cent_cols``):
    each code's centroid is the mean unit tf-idf vector of the supplies that carry it plus, at
    ``LABEL_WEIGHT``, the unit vector of the code's name (the shipped NSFC name, or the label
    itself when it is a name), over words and, at ``CHAR_WEIGHT``, characters. This learns
    from the index at hand, so it also serves codes no standard knows (an organisation's own
    labels).

    **Disciplines** (:mod:`matching.fieldspace`): a record's stated codes (NSFC, 一级学科, its
    industry, a pool's major) reach disciplines through the shipped crosswalk; a demand with
    none gets the shipped model's distribution (``p / p_max`` of its likeliest disciplines).
    A supply is compared when it states something; a shared discipline between two stated
    records is worth ``DISC_STATED`` (the level of a shared NSFC 2nd-level code), an inferred
    one its relative weight. The component is the larger of the two spaces' values.
    """

    LEVELS = ((0, 1.0), (3, 0.6), (1, 0.3))  # (prefix length, 0 = whole code), score

    def __init__(self, docs: Sequence[_Doc], space: _Space, chars: _Chars):
        self.maps: list[dict[str, int]] = []
        self.mats = []  # supplies × codes, per level
        for plen, _ in self.LEVELS:
            keys = [self._keys(d.fields, plen) for d in docs]
            vocab: dict[str, int] = {}
            idx = [[vocab.setdefault(k, len(vocab)) for k in ks] for ks in keys]
            self.maps.append(vocab)
            self.mats.append(_onehot(idx, len(vocab)))
        self.disc = FS.DisciplineSpace()  # loads the model: a bad file fails here, named
        self.links = [d.links for d in docs]
        self.disc_mat = self.disc.stated(self.links).tocsr()
        self.has = np.array([bool(d.fields) or bool(d.links) for d in docs], bool)
        self.codes = list(self.maps[0])
        self.centroids_t = self.char_centroids_t = None
        # Centroids infer only the codes that reach no discipline (an organisation's own
        # labels): for the others the shipped model, trained on thousands of labelled texts,
        # is the better judge than a mean over the few supplies that carry a code, and the
        # two together did worse than the model alone (BENCHMARKS.md, issue 14).
        self.cent_cols = np.array(
            [k for k, c in enumerate(self.codes) if not X.field_code_links(c)], np.int64
        )
        with_own = self.mats[0][:, self.cent_cols].getnnz(axis=1) > 0
        if CENTROIDS and len(self.cent_cols) and with_own.sum() >= 2:
            # A field's name is evidence of its own: a term of the name found in a demand
            # points to the field even when few supplies carry it.
            names = T.field_names()
            label_text = [names.get(self.codes[k], self.codes[k]) for k in self.cent_cols]
            labels = space.vectorize([T.features(T.tokenize(x)) for x in label_text])[0]
            self.centroids_t = self._centroids(space.unit, labels)
            if CHAR_WEIGHT > 0:
                self.char_centroids_t = self._centroids(
                    chars.unit, chars.vectorize([T.han_characters(x) for x in label_text])[0]
                )

    def _centroids(self, unit_supplies, labels) -> sp.csr_matrix:
        """(terms × centroid codes): per code the unit mean of its supplies plus its name's."""
        cent = _unit_rows((self.mats[0][:, self.cent_cols].T @ unit_supplies).tocsr())
        return _unit_rows(cent + LABEL_WEIGHT * _unit_rows(labels)).T.tocsr()

    @staticmethod
    def _keys(codes: Sequence[str], plen: int) -> list[str]:
        if plen == 0:
            return list(codes)
        return sorted({c[:plen] for c in codes if _NSFC.match(c)})

    def demand_vectors(self, docs: Sequence[_Doc], qw, qchars):
        """``(vectors, availability, _DemandFields)`` of a block of demands."""
        n = len(docs)
        has = np.zeros(n, bool)
        inferred: list[dict[str, float]] = [{} for _ in docs]
        sims = None
        if self.centroids_t is not None and any(not d.fields for d in docs):
            sims = _unit_rows(qw) @ self.centroids_t
            if self.char_centroids_t is not None:
                sims = sims + CHAR_WEIGHT * (qchars[0] @ self.char_centroids_t)
            sims = sp.csr_matrix(sims)
        out = []
        for level, (plen, _) in enumerate(self.LEVELS):
            vocab = self.maps[level]
            rows, cols, vals = [], [], []
            for i, d in enumerate(docs):
                if d.fields:
                    has[i] = True
                    for k in self._keys(d.fields, plen):
                        j = vocab.get(k)
                        if j is not None:
                            rows.append(i)
                            cols.append(j)
                            vals.append(1.0)
                elif level == 0 and sims is not None:
                    a, b = sims.indptr[i], sims.indptr[i + 1]
                    idx, row = sims.indices[a:b], sims.data[a:b]
                    if len(row) == 0 or row.max() <= 0:
                        continue
                    top = np.lexsort((idx, -row))[:INFER_TOP]
                    best = row[top[0]]
                    for t in top:
                        p = float((row[t] / best) ** INFER_GAMMA)
                        if p > 0.01:
                            code = int(self.cent_cols[idx[t]])
                            rows.append(i)
                            cols.append(code)
                            vals.append(p)
                            inferred[i][self.codes[code]] = p
                    has[i] = True
            out.append(
                sp.csr_matrix(
                    (np.asarray(vals, np.float64), (rows, cols)),
                    shape=(n, max(len(vocab), 1)),
                )
            )
        # Disciplines: stated through the crosswalk, else inferred by the shipped model. The
        # matrix is assembled from arrays in one go (a single query pays scipy per operation).
        stated = np.array([bool(d.links) for d in docs], bool)
        dindex = X.discipline_index()
        r = [i for i, d in enumerate(docs) for _ in d.links]
        c = [dindex[link.discipline] for d in docs for link in d.links]
        rows_d, cols_d = [np.array(r, np.int64)], [np.array(c, np.int64)]
        vals_d = [np.full(len(r), DISC_STATED)]
        top = np.full((n, FS.INFER_TOP), -1, np.int64)
        top_p = np.zeros((n, FS.INFER_TOP))
        guess = np.flatnonzero(~stated & np.array([bool(d.text or d.han) for d in docs], bool))
        if not DISC_INFERENCE or self.disc_mat.nnz == 0:
            guess = guess[:0]  # no supply states a discipline: nothing to meet
        if len(guess):
            sub = [docs[i] for i in guess]
            cols, probs = self.disc.inferred([d.text for d in sub], [d.han for d in sub])
            top[guess, : cols.shape[1]] = cols
            top_p[guess, : probs.shape[1]] = probs
            rows_d.append(np.repeat(guess, cols.shape[1]))
            cols_d.append(cols.ravel())
            vals_d.append((probs / np.maximum(probs[:, :1], 1e-12)).ravel())
            has[guess] = True
        has |= stated
        disc = sp.csr_matrix(
            (np.concatenate(vals_d), (np.concatenate(rows_d), np.concatenate(cols_d))),
            shape=(n, self.disc.width),
        )
        return (out, disc), has, _DemandFields(out, disc, stated, inferred, top, top_p)

    def pair_score(self, dvecs, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        levels, disc = dvecs
        best = np.minimum(_pair_dot(disc, self.disc_mat, ii, jj), 1.0)
        for (_, s), dv, mat in zip(self.LEVELS, levels, self.mats, strict=True):
            x = np.minimum(_pair_dot(dv, mat, ii, jj), 1.0) * s
            np.maximum(best, x, out=best)
        return best

    def explain(self, dem: _DemandFields, i: int, j: int, d: _Doc, s: _Doc) -> list[str]:
        """What the pair's field value rests on, for a reader: shared codes, centroid-inferred
        codes (``E04(推断)``), and shared disciplines with how each side reached them
        (``学科：材料科学与工程（推断 0.72）``, ``NSFC E01 ↔ 材料科学与工程``)."""
        out: list[str] = []
        inferred = dem.inferred_codes[i]
        for code in s.fields:
            if code in d.fields or any(
                _NSFC.match(code) and _NSFC.match(c) and c[:3] == code[:3] for c in d.fields
            ):
                out.append(code)
            elif code in inferred:
                out.append(f"{code}(推断)")
        s_links = {link.discipline: link for link in s.links}
        if not s_links:
            return out
        if dem.stated[i]:
            for link in d.links:
                other = s_links.get(link.discipline)
                if other is not None:
                    out.append(link.label)
                    if other.label != link.label:
                        out.append(other.label)
        else:
            names = self.disc.names
            for c, p in zip(dem.top[i].tolist(), dem.top_p[i].tolist(), strict=True):
                if c >= 0 and names[c] in s_links:
                    out.append(FS.inferred_label(names[c], p))
                    out.append(s_links[names[c]].label)
        return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- index


@dataclass(slots=True)
class _Pairs:
    """Cheap score parts of a set of (demand, supply) pairs."""

    ii: np.ndarray  # demand positions
    jj: np.ndarray  # supply positions
    num: np.ndarray  # Σ w_c x_c a_c over the cheap components
    den: np.ndarray  # Σ w_c a_c over all components incl. fuzzy
    mult: np.ndarray  # policy multiplier of the pair's demand (times the education rule's)
    parts: dict[str, tuple[np.ndarray, np.ndarray | None]]  # name → (values, availability)
    weak: np.ndarray  # content relevance below the minimum, or below the required degree


#: Components that measure a pair's content relevance, and the bonuses that count in
#: proportion to it (:mod:`matching.relevance`).
_CONTENT = ("text", "documents", "skills", "major")
_BONUS = frozenset({"field", "mode", "region", "capacity"})

#: Defaults of :class:`MatchIndex`'s candidate settings (see there).
_CANDIDATES, _FUZZY_CANDIDATES, _EXTRA_CAP = 60, 20, 40


class MatchIndex:
    """Supplies analysed once, scored against any number of demands.

    Parameters
    ----------
    supplies : iterable of dict or Struct
        Capabilities (``kind="rd"``) or talent pools (``kind="jobs"``); validated here.
    kind : {"rd", "jobs"}
    weights : Weights or mapping, optional
        Overrides of the kind's default weights; ``query`` may override again per call.
    candidates : int
        Supplies per demand scored exactly (by all cheap components), chosen among those that
        share one of the demand's informative terms; an index no larger than this is always
        scored in full.
    fuzzy_candidates : int
        Supplies per demand whose fuzzy component is computed first (at least ``top_k``).
    extra_cap : int
        Most extra candidates per demand whose fuzzy component is also computed because their
        upper bound could still enter the top k; beyond it the answer may differ (rarely) from
        exhaustive scoring.

    Examples
    --------
    >>> idx = MatchIndex([
    ...     {"id": "s1", "title": "锂离子电池正极材料", "keywords": ["锂电池", "正极材料"]},
    ...     {"id": "s2", "title": "煤层气高效抽采技术", "keywords": ["煤层气", "瓦斯抽采"]},
    ... ], kind="rd")
    >>> pairs = idx.query({"id": "d1", "title": "锂电池材料研发", "keywords": ["正极材料"]}, top_k=1)
    >>> pairs[0].supply_id, sorted(pairs[0].matched_terms.keywords)
    ('s1', ['材料', '正极', '锂离子电池'])
    """

    def __init__(
        self,
        supplies: Iterable[Any],
        kind: str = "rd",
        weights: Weights | Mapping[str, Any] | None = None,
        *,
        candidates: int = _CANDIDATES,
        fuzzy_candidates: int = _FUZZY_CANDIDATES,
        extra_cap: int = _EXTRA_CAP,
    ):
        self._configure(kind, weights, candidates, fuzzy_candidates, extra_cap)
        self.records = coerce_records(supplies, kind, "supply")
        self._build(_analyse_all(self.records, self.weights.policy_tags))

    def _configure(self, kind, weights, candidates, fuzzy_candidates, extra_cap) -> None:
        self.kind = kind
        self.weights = resolve_weights(kind, weights)
        if candidates < 1 or fuzzy_candidates < 1 or extra_cap < 0:
            raise MatchingError("candidates 须 ≥ 1，extra_cap 须 ≥ 0 (bad candidate settings)")
        self.candidates = candidates
        self.fuzzy_candidates = fuzzy_candidates
        self.extra_cap = extra_cap

    def _build(self, docs: list[_Doc]) -> None:
        """The index over ``self.records``, analysed as ``docs``."""
        self.ids = [r.id for r in self.records]
        self.positions = {sid: j for j, sid in enumerate(self.ids)}
        self.docs = docs
        self.n = len(docs)
        self.text = _Space([d.text for d in docs])
        self._term_array = np.array(self.text.terms + [""], dtype=object)
        self.chars = _Chars(docs)
        # Jobs compare fields (a pool's major, an opening's majors and industry) only when
        # the index's weights ask for it.
        with_fields = self.kind == "rd" or self.weights.field > 0
        self.fields = _Fields(docs, self.text, self.chars) if with_fields else None
        self.skills = _Space([d.skills for d in docs]) if self.kind == "jobs" else None
        self.documents = (
            D.DocumentIndex([d.documents for d in docs], _Space)
            if any(d.documents for d in docs)
            else None
        )
        self.majors = _Space([d.majors for d in docs]) if self.kind == "jobs" else None
        self.major_names = [{T.normalize(m) for m in d.major_names} for d in docs]
        self.major_vocab: dict[str, int] = {}
        midx = [
            [self.major_vocab.setdefault(m, len(self.major_vocab)) for m in sorted(names)]
            for names in self.major_names
        ]
        self.major_onehot = _onehot(midx, len(self.major_vocab))
        self.city = np.array([d.city for d in docs], np.int64)
        self.mode_mat = _onehot([d.modes for d in docs], len(COOPERATION_MODES)).toarray()
        self.has_mode = self.mode_mat.any(axis=1)
        self.mode_bits = (self.mode_mat > 0).astype(np.int64) @ (
            1 << np.arange(len(COOPERATION_MODES))
        )
        self.edu = np.array([d.edu for d in docs], np.int64)
        self.count = np.array([d.count for d in docs], np.float64)
        self.keys = self._fuzzy_keys(docs, self.text)
        # Terms this common do not generate candidates (they still count in the score); a fixed
        # cap keeps candidate generation linear in the number of supplies.
        self.max_df = max(50, min(200, self.n // 40))

    # -- preparation

    @staticmethod
    def _fuzzy_keys(docs: Sequence[_Doc], space: _Space) -> list[str]:
        """Per record its ``FUZZY_TOKENS`` most informative whole tokens (weight × idf)."""
        toks = [sorted(d.whole) for d in docs]
        lens = np.fromiter(map(len, toks), np.int64, len(toks))
        total = int(lens.sum())
        flat = list(itertools.chain.from_iterable(toks))
        wts = np.fromiter(
            (d.whole[t] for d, ts in zip(docs, toks, strict=True) for t in ts), np.float64, total
        )
        score = wts * space._idf_ext[space.term_ids(flat, total)]
        rows = np.repeat(np.arange(len(docs)), lens)
        # Stable: rows ascending, score descending, ties in alphabetical (input) order.
        order = np.lexsort((-score, rows))
        starts = np.concatenate(([0], np.cumsum(lens)))
        out = []
        for i in range(len(docs)):
            sel = order[starts[i] : min(starts[i + 1], starts[i] + FUZZY_TOKENS)]
            out.append(" ".join([flat[k] for k in sel.tolist()]))
        return out

    def _weights(self, override) -> Weights:
        return self.weights if override is None else resolve_weights(self.kind, override)

    def _prepare(self, docs: Sequence[_Doc], w: Weights) -> dict[str, Any]:
        prep: dict[str, Any] = {"docs": docs}
        prep["text"] = self.text.vectorize([d.text for d in docs])
        prep["chars"] = self.chars.vectorize([d.han for d in docs])
        if self.fields is not None:
            prep["fields"] = self.fields.demand_vectors(docs, prep["text"][0], prep["chars"])
        if self.documents is not None:
            prep["documents"] = self.documents.vectorize([d.text for d in docs])
        if self.skills is not None:
            prep["skills"] = self.skills.vectorize([d.skills for d in docs])
            prep["majors"] = self.majors.vectorize([d.majors for d in docs])
            names = [{T.normalize(m) for m in d.major_names} for d in docs]
            prep["major_exact"] = _onehot(
                [[self.major_vocab[m] for m in ns if m in self.major_vocab] for ns in names],
                len(self.major_vocab),
            )
        dm = _onehot([d.modes for d in docs], len(COOPERATION_MODES)).toarray()
        # best[i, m]: compatibility of supply mode m with demand i's modes; the table holds
        # its maximum over each of the 2^7 sets of supply modes, so a pair is one lookup.
        best = (dm[:, :, None] * _MODE_COMPAT[None, :, :]).max(axis=1)
        table = np.zeros((len(docs), 1 << len(COOPERATION_MODES)))
        for m in range(len(COOPERATION_MODES)):
            table = np.maximum(table, best[:, m : m + 1] * _MODE_SETS[None, :, m])
        prep["mode_table"] = (table, dm.any(axis=1))
        prep["city"] = np.array([d.city for d in docs], np.int64)
        prep["edu"] = np.array([d.edu for d in docs], np.int64)
        prep["count"] = np.array([d.count for d in docs], np.float64)
        prep["lower_ok"] = np.array([d.lower_ok for d in docs], bool)
        prep["field_inferred"] = np.array([not d.fields for d in docs], bool)
        boost = np.array([d.boost for d in docs], np.float64)
        prep["mult"] = 1.0 - w.policy * (1.0 - boost)
        prep["keys"] = self._fuzzy_keys(docs, self.text)
        return prep

    # -- scoring

    def _score_pairs(self, prep, ii, jj, w: Weights, text_values=None) -> _Pairs:
        alpha = w.text_demand_share
        parts: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        if text_values is None:
            text_values = self.text.pair_score(prep["text"], ii, jj, alpha)
        parts["text"] = (text_values, None)
        if self.documents is not None and w.documents > 0:
            vals = self.documents.pair_scores(prep["documents"], ii, jj, alpha, _seg_top)
            parts["documents"] = (vals, self.documents.has[jj])
        if self.fields is not None and w.field > 0:
            dvecs, has, _ = prep["fields"]
            parts["field"] = (
                self.fields.pair_score(dvecs, ii, jj),
                has[ii] & self.fields.has[jj],
            )
        if w.mode > 0:
            table, has = prep["mode_table"]
            parts["mode"] = (table[ii, self.mode_bits[jj]], has[ii] & self.has_mode[jj])
        if w.region > 0:
            k = len(CITIES)
            tab = np.full((k + 1, k + 1), w.region_elsewhere)
            tab[:k, :k] = w.region_same_province
            tab[np.arange(k), np.arange(k)] = w.region_same_city
            dc, sc = prep["city"][ii], self.city[jj]
            parts["region"] = (tab[np.maximum(dc, 0), np.maximum(sc, 0)], (dc >= 0) & (sc >= 0))
        if self.skills is not None:
            if w.skills > 0:
                vals = self.skills.pair_score(prep["skills"], ii, jj, alpha)
                parts["skills"] = (vals, (prep["skills"][1][ii] > 0) & self.skills.has[jj])
            if w.major > 0:
                vals = self.majors.pair_score(prep["majors"], ii, jj, 0.5)
                exact = _pair_dot(prep["major_exact"], self.major_onehot, ii, jj) > 0
                parts["major"] = (
                    np.where(exact, 1.0, vals),
                    (prep["majors"][1][ii] > 0) & self.majors.has[jj],
                )
            de, se = prep["edu"][ii], self.edu[jj]
            edu_known = (de >= 0) & (se >= 0)
            vals, edu_mult = R.education(de, se, prep["lower_ok"][ii])
            edu_mult = np.where(edu_known, edu_mult, 1.0)
            if w.education > 0:
                parts["education"] = (vals, edu_known)
            if w.capacity > 0:
                dn, sn = prep["count"][ii], self.count[jj]
                with np.errstate(divide="ignore", invalid="ignore"):
                    vals = np.where(dn > 0, np.minimum(1.0, sn / dn), 0.0)
                parts["capacity"] = (vals, (dn > 0) & (sn >= 0))
        # Content relevance: the weighted mean of the content components; the bonuses count
        # in proportion to it (matching.relevance).
        rel_num, rel_den = np.zeros(len(ii)), np.zeros(len(ii))
        for name in _CONTENT:
            if name in parts:
                vals, avail = parts[name]
                wc = getattr(w, name)
                rel_num += wc * (vals if avail is None else np.where(avail, vals, 0.0))
                rel_den += wc if avail is None else wc * avail
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(rel_den > 0, rel_num / rel_den, 0.0)
        g = R.gate(rel)
        num = np.zeros(len(ii))
        den = np.full(len(ii), w.text + w.fuzzy + w.chars)
        for name, (vals, avail) in parts.items():
            wc = getattr(w, name)
            x = vals
            if name in _BONUS:
                # Fields inferred from the demand's own words are content, not a bonus.
                x = vals * (np.where(prep["field_inferred"][ii], 1.0, g) if name == "field" else g)
            if avail is None:
                num += wc * x
            else:
                num += wc * np.where(avail, x, 0.0)
                den += wc * avail
        mult = prep["mult"][ii]
        weak = rel < R.MIN_RELEVANCE[self.kind]
        if self.skills is not None:
            mult = mult * edu_mult
            weak |= edu_mult < R.BELOW_LEVEL + 1e-9
        return _Pairs(ii=ii, jj=jj, num=num, den=den, mult=mult, parts=parts, weak=weak)

    @staticmethod
    def _full(num, den, mult, extra):
        """Full scores from the cheap parts and ``extra`` = Σ w·x of fuzzy and chars."""
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(den > 0, (num + extra) / den, 0.0) * mult
        return np.clip(s, 0.0, 1.0)

    def _costly(self, prep, ii: np.ndarray, jj: np.ndarray, w: Weights):
        """The components computed only for promising pairs: ``fuzzy`` and ``chars``."""
        fz = self._fuzzy(prep, ii, jj, w.fuzzy)
        if w.chars > 0 and len(ii):
            unit, share = prep["chars"]
            cc = np.minimum(_pair_dot(unit, self.chars.unit, ii, jj) * share[ii], 1.0)
        else:
            cc = np.zeros(len(ii))
        return fz, cc

    def _fuzzy(self, prep, ii: np.ndarray, jj: np.ndarray, wf: float) -> np.ndarray:
        if wf <= 0 or len(ii) == 0:
            return np.zeros(len(ii))
        keys = prep["keys"]
        q = [keys[i] for i in ii]
        c = [self.keys[j] for j in jj]
        out = process.cpdist(q, c, scorer=FUZZY_SCORER, workers=-1, dtype=np.float32)
        return out.astype(np.float64) / 100.0

    def _candidates(self, prep, lo: int, hi: int, w: Weights) -> tuple[np.ndarray, np.ndarray]:
        """Pairs to score for demands ``lo:hi``: sharers of informative terms, best first."""
        b, c = hi - lo, self.candidates
        if self.n <= c:
            return np.repeat(np.arange(lo, hi), self.n), np.tile(np.arange(self.n), b)
        qw, qsum = prep["text"]
        alpha = w.text_demand_share
        wide = WIDE_FACTOR * c
        rows = np.arange(lo, hi)
        pool_i, pool_j, pool_t = [], [], []
        full_rows = np.zeros(0, np.int64)
        # Informative terms first; demands left with too few sharers retry with every term,
        # and only a demand with fewer than ``candidates`` sharers overall is scored in full.
        for max_df in (self.max_df, None):
            if len(rows) == 0:
                break
            cnt, r_of, cols, proxy = _kernels().sharers(
                qw.indptr,
                qw.indices,
                qw.data,
                _i64(rows),
                *self.text.pruned(max_df),
                qsum,
                self.text.ssum,
                alpha,
                wide,
            )
            ok = cnt >= c
            if max_df is None:
                full_rows = rows[~ok]
            # Every sharer of a row with few, the best ``wide`` of a row with many.
            keep = ok[r_of]
            pool_i.append(rows[r_of[keep]])
            pool_j.append(cols[keep])
            pool_t.append(proxy[keep])
            rows = rows[~ok]
        ii_out, jj_out = [], []
        pi = np.concatenate(pool_i) if pool_i else np.zeros(0, np.int64)
        if len(pi):
            # Second funnel: rank the pool by every cheap component, text by its proxy.
            order = np.argsort(pi, kind="stable")
            pi, pj = pi[order], np.concatenate(pool_j)[order]
            pr = self._score_pairs(prep, pi, pj, w, text_values=np.concatenate(pool_t)[order])
            with np.errstate(divide="ignore", invalid="ignore"):
                cheap = np.where(pr.den > 0, pr.num / pr.den, 0.0)
            top = _seg_top(pi, cheap, c)
            ii_out.append(pi[top])
            jj_out.append(pj[top])
        for i in full_rows:
            ii_out.append(np.full(self.n, i))
            jj_out.append(np.arange(self.n))
        if self.documents is not None and w.documents > 0:
            # Supplies whose documents share informative terms, though their profile may not.
            dw, dsum = prep["documents"]
            space = self.documents.space
            _, r_of, cols, _ = _kernels().sharers(
                dw.indptr, dw.indices, dw.data, _i64(np.arange(lo, hi)),
                *space.pruned(max(50, min(200, space.sw.shape[0] // 40))),
                dsum, space.ssum, alpha, c,
            )  # fmt: skip
            ii_out.append(lo + r_of)
            jj_out.append(self.documents.owner[cols])
        if not ii_out:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ii = np.concatenate(ii_out)
        jj = np.concatenate(jj_out)
        if self.documents is not None:
            key = np.unique(ii * self.n + jj)
            return key // self.n, key % self.n
        order = np.lexsort((jj, ii))
        return ii[order], jj[order]

    def _rank_block(self, prep, lo: int, hi: int, w: Weights, top_k: int, mode: Mode):
        """Top pairs of demands ``lo:hi``: (pairs, top positions, full scores, fuzzy, chars)."""
        if mode == "exhaustive":
            ii = np.repeat(np.arange(lo, hi), self.n)
            jj = np.tile(np.arange(self.n), hi - lo)
        else:
            ii, jj = self._candidates(prep, lo, hi, w)
        pr = self._score_pairs(prep, ii, jj, w)
        wf, wc = w.fuzzy, w.chars
        k = min(top_k, self.n)
        with np.errstate(divide="ignore", invalid="ignore"):
            lower = np.where(pr.den > 0, pr.num / pr.den, 0.0) * pr.mult
            upper = np.where(pr.den > 0, (pr.num + wf + wc) / pr.den, 0.0) * pr.mult
        fz = np.full(len(ii), np.nan)
        cc = np.zeros(len(ii))

        def extra(m):  # Σ w·x of the costly components of the pairs ``m``
            return wf * fz[m] + wc * cc[m]

        # Pairs are grouped by demand (ii is sorted by construction).
        if mode == "exhaustive" or wf + wc <= 0:
            fz[:], cc[:] = self._costly(prep, ii, jj, w)
        else:
            sel = np.sort(_seg_top(ii, lower, self.fuzzy_candidates))
            fz[sel], cc[sel] = self._costly(prep, ii[sel], jj[sel], w)
            # theta: a demand's k-th best full score so far (-1 while it has fewer than k);
            # a pair whose upper bound cannot reach it cannot enter the top k.
            done = np.flatnonzero(~np.isnan(fz))
            fd = self._full(pr.num[done], pr.den[done], pr.mult[done], extra(done))
            top = _seg_top(ii[done], fd, k)
            seg = ii[done][top] - lo
            theta = np.full(hi - lo, np.inf)
            np.minimum.at(theta, seg, fd[top])
            theta[np.bincount(seg, minlength=hi - lo) < k] = -1.0
            open_ = np.flatnonzero(np.isnan(fz) & (upper >= theta[ii - lo] - 1e-12))
            sel = np.sort(open_[_seg_top(ii[open_], upper[open_], self.extra_cap)])
            if len(sel):
                fz[sel], cc[sel] = self._costly(prep, ii[sel], jj[sel], w)
        scored = ~np.isnan(fz)
        full = np.full(len(ii), -1.0)
        full[scored] = self._full(pr.num[scored], pr.den[scored], pr.mult[scored], extra(scored))
        # Ties go to the smaller supply position: pairs are sorted by (ii, jj).
        idx = _seg_top(ii, full, k)
        idx = idx[full[idx] >= 0]
        return pr, idx, full, fz, cc

    # -- explanations

    def _explain(self, prep, pr: _Pairs, idx: np.ndarray, full, fz, cc, w: Weights, recs):
        ii, jj = pr.ii[idx], pr.jj[idx]
        _, (tp, tt, tv) = self.text.pair_score(
            prep["text"], ii, jj, w.text_demand_share, terms=True
        )
        # Per pair: shared weight descending, then term id; only the first few terms of a pair
        # can be shown, so the rest is dropped before leaving numpy.
        cuts, tt = _kernels().best_shared(tp, tt, tv, len(idx), 4 * _MAX_SHOWN)
        cuts = cuts.tolist()
        sorted_terms = self._term_array[tt].tolist()
        doc_titles = None
        if "documents" in pr.parts:
            _, doc_titles = self.documents.pair_scores(
                prep["documents"], ii, jj, w.text_demand_share, _seg_top, shown=True
            )
        # Components are assembled column by column, in the order of the score's parts.
        n = len(idx)
        comps_of: list[dict[str, float]] = [{} for _ in range(n)]
        for name, (vals, avail) in pr.parts.items():
            cols = [(name, vals, avail)]
            if name == "text" and w.fuzzy > 0:
                cols.append(("fuzzy", fz, None))
            if name == "text" and w.chars > 0:
                cols.append(("chars", cc, None))
            for cname, v, av in cols:
                v = np.round(v[idx], 4).tolist()
                rows = range(n) if av is None else np.flatnonzero(av[idx]).tolist()
                for r in rows:
                    comps_of[r][cname] = v[r]
        for r, v in enumerate(np.round(pr.mult[idx], 4).tolist()):
            comps_of[r]["policy"] = v
        scores = np.round(full[idx], 6).tolist()
        weak = pr.weak[idx].tolist()
        out: dict[int, list[ScoredPair]] = {}
        for r, (i, j) in enumerate(zip(ii.tolist(), jj.tolist(), strict=True)):
            terms: list[str] = []
            shown = ""  # the shown terms joined by \x01, which no term contains
            for term in sorted_terms[cuts[r] : cuts[r + 1]]:
                # A sub-word of a term already shown adds nothing for a reader, nor does a
                # generic word, a number, a unit or a single letter.
                if term not in shown and not TM.is_noise(term):
                    terms.append(term)
                    shown += "\x01" + term
                    if len(terms) >= _MAX_TERMS:
                        break
            comps = comps_of[r]
            lst = out.setdefault(i, [])
            lst.append(
                ScoredPair(
                    demand_id=recs[i].id,
                    supply_id=self.ids[j],
                    rank=len(lst) + 1,
                    score=scores[r],
                    components=comps,
                    matched_terms=self._matched(
                        prep, i, j, comps, tuple(terms), doc_titles[r] if doc_titles else ()
                    ),
                    weak=weak[r],
                )
            )
        return out

    def _matched(self, prep, i: int, j: int, comps, keywords, documents=()) -> MatchedTerms:
        d, s = prep["docs"][i], self.docs[j]
        skills = tuple(
            src
            for src, toks in d.skill_src
            if any(t in s.skills and not TM.is_noise(t) for t in toks)
        )
        # A major is matched by the pool's own major only (see _major_matches).
        majors = tuple(m for m in d.major_names if self._major_matches(m, s))
        fields: list[str] = []
        if self.fields is not None and "field" in comps and (s.fields or s.links):
            fields = self.fields.explain(prep["fields"][2], i, j, d, s)
        return MatchedTerms(
            keywords=keywords,
            skills=skills[:_MAX_SHOWN],
            majors=majors[:_MAX_SHOWN],
            fields=tuple(fields[:_MAX_SHOWN]),
            modes=tuple(COOPERATION_MODES[m] for m in d.modes if m in s.modes),
            documents=documents,
        )

    @staticmethod
    def _major_matches(name: str, s: _Doc) -> bool:
        """The pool's own major matches a job's major: the same name, or every informative
        word of the job's major is a word or sub-word of the pool's (not 工程 or 科学 alone)."""
        if T.normalize(name) in {T.normalize(x) for x in s.major_names}:
            return True
        own = {t for t in T.tokenize(name) if not TM.is_noise(t)}
        return bool(own) and all(t in s.majors for t in own)

    # -- public

    def rank(
        self,
        demands: Iterable[Any],
        top_k: int = 10,
        *,
        weights: Weights | Mapping[str, Any] | None = None,
        mode: Mode = "candidates",
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Ranking]:
        """Rank the supplies for each demand.

        Parameters
        ----------
        demands : iterable of dict or Struct
            R&D needs (``rd``) or job openings (``jobs``); validated here.
        top_k : int
            Pairs kept per demand.
        weights : Weights or mapping, optional
            Per-call override of the index's weights.
        mode : {"candidates", "exhaustive"}
            ``exhaustive`` scores every pair in full.
        progress : callable, optional
            Called as ``progress(done, total)`` after each block of demands.

        Returns
        -------
        list of Ranking
            One per demand, in input order.

        Examples
        --------
        >>> idx = MatchIndex([{"id": "s1", "title": "碳纤维复合材料"},
        ...                   {"id": "s2", "title": "氢燃料电池电堆"}])
        >>> [p.supply_id for p in idx.rank([{"id": "d", "title": "燃料电池"}], top_k=2)[0].pairs]
        ['s2', 's1']
        """
        _check_rank_args(top_k, mode)
        w = self._weights(weights)
        recs = coerce_records(demands, self.kind, "demand")
        if self.n == 0 or not recs:
            return [Ranking(demand_id=r.id, pairs=()) for r in recs]  # nothing to analyse
        return self._rank_docs(recs, _analyse_all(recs, w.policy_tags), top_k, w, mode, progress)

    def _rank_docs(self, recs, docs, top_k: int, w: Weights, mode: Mode, progress) -> list[Ranking]:
        if self.n == 0 or not recs:
            return [Ranking(demand_id=r.id, pairs=()) for r in recs]
        per = self.n if mode == "exhaustive" else min(self.n, self.candidates)
        step = max(1, min(1000, 400_000 // max(per, 1)))
        blocks = [(lo, min(lo + step, len(recs))) for lo in range(0, len(recs), step)]
        job = (self, docs, w, top_k, mode, recs)
        out: list[Ranking] = []
        if len(blocks) > 1 and _can_fork(len(recs)):
            # Blocks are independent: forked workers inherit the index and the analysed
            # demands, and send back their rankings msgpack-encoded (cheaper than pickle).
            decoder = msgspec.msgpack.Decoder(list[Ranking])
            _kernels().warm()  # compiled once here, inherited by the workers
            with _forked(job, min(_cores(), len(blocks))) as pool:
                for (_, hi), payload in zip(
                    blocks, pool.imap(_rank_blob, blocks, chunksize=1), strict=True
                ):
                    out.extend(decoder.decode(payload))
                    if progress is not None:
                        progress(hi, len(recs))
            return out
        for lo, hi in blocks:
            out.extend(_rank_range(job, lo, hi))
            if progress is not None:
                progress(hi, len(recs))
        return out

    def query(
        self,
        demand: Any,
        top_k: int = 10,
        *,
        weights: Weights | Mapping[str, Any] | None = None,
    ) -> tuple[ScoredPair, ...]:
        """Best supplies for one demand (candidates mode); a few ms on 20,000 supplies.

        Examples
        --------
        >>> idx = MatchIndex([{"id": "s1", "title": "机器视觉检测"}, {"id": "s2", "title": "焦化"}])
        >>> idx.query({"id": "d", "title": "视觉检测设备"}, top_k=1)[0].supply_id
        's1'
        """
        return self.rank([demand], top_k, weights=weights)[0].pairs

    def score(
        self,
        demands: Iterable[Any],
        pairs: Iterable[tuple[str, str]],
        *,
        weights: Weights | Mapping[str, Any] | None = None,
    ) -> list[ScoredPair]:
        """Score and explain the given (demand id, supply id) pairs only.

        For pairs a ranking would not reach, such as the applicants to an open challenge who
        fall outside its top k: the score, components and matched terms are those the pair
        gets in :meth:`rank` (in either mode), at the cost of these pairs alone.

        Parameters
        ----------
        demands : iterable of dict or Struct
            The demands the pairs refer to (validated as in :meth:`rank`).
        pairs : iterable of (str, str)
            Demand id and supply id of each pair; repeats are allowed.
        weights : Weights or mapping, optional
            Per-call override of the index's weights.

        Returns
        -------
        list of ScoredPair
            One per given pair, in the given order; ``rank`` is the pair's place among the
            given pairs of its demand (1 = best).

        Raises
        ------
        MatchingError
            A pair is not two strings, or names an unknown demand or supply.

        Examples
        --------
        >>> idx = MatchIndex([{"id": "s1", "title": "碳纤维复合材料"},
        ...                   {"id": "s2", "title": "氢燃料电池电堆"}])
        >>> [(p.supply_id, p.rank) for p in idx.score([{"id": "d", "title": "电堆测试"}],
        ...                                          [("d", "s1"), ("d", "s2")])]
        [('s1', 2), ('s2', 1)]
        """
        w = self._weights(weights)
        recs = coerce_records(demands, self.kind, "demand")
        pairs = list(pairs)
        if not pairs:
            return []
        dpos = {r.id: i for i, r in enumerate(recs)}
        spos = self.positions
        ii = np.empty(len(pairs), np.int64)
        jj = np.empty(len(pairs), np.int64)
        for k, pair in enumerate(pairs):
            if not (
                isinstance(pair, tuple | list)
                and len(pair) == 2
                and all(isinstance(x, str) for x in pair)
            ):
                raise MatchingError(f"第 {k + 1} 个配对应为 (需求 id, 供给 id)，收到 {pair!r}")
            d, s_ = pair
            if d not in dpos:
                raise MatchingError(f"第 {k + 1} 个配对的需求 id={d!r} 不在给定的需求中")
            if s_ not in spos:
                raise MatchingError(f"第 {k + 1} 个配对的供给 id={s_!r} 不在索引中")
            ii[k], jj[k] = dpos[d], spos[s_]
        # Score each distinct pair once, grouped by demand as the kernels require.
        key = np.unique(ii * self.n + jj)
        ui, uj = key // self.n, key % self.n
        docs = _analyse_all(recs, w.policy_tags)
        prep = self._prepare(docs, w)
        pr = self._score_pairs(prep, ui, uj, w)
        fz, cc = self._costly(prep, ui, uj, w)
        full = self._full(pr.num, pr.den, pr.mult, w.fuzzy * fz + w.chars * cc)
        order = np.lexsort((uj, -full, ui))  # per demand, best first
        explained = self._explain(prep, pr, order, full, fz, cc, w, recs)
        by_key = {(i, spos[p.supply_id]): p for i, lst in explained.items() for p in lst}
        return [by_key[(i, j)] for i, j in zip(ii.tolist(), jj.tolist(), strict=True)]


def match(
    demands: Iterable[Any],
    supplies: Iterable[Any],
    kind: str = "rd",
    weights: Weights | Mapping[str, Any] | None = None,
    top_k: int = 10,
    mode: Mode = "candidates",
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[Ranking]:
    """Rank supplies for every demand: ``MatchIndex(supplies, kind, weights).rank(demands)``.

    Parameters
    ----------
    demands, supplies : iterable of dict or Struct
        Records of the kind (see :mod:`matching`); only ``id`` and ``title`` are required.
    kind : {"rd", "jobs"}
    weights : Weights or mapping, optional
        Override of :func:`matching.default_weights` (a mapping may be partial).
    top_k : int
    mode : {"candidates", "exhaustive"}
    progress : callable, optional
        ``progress(done, total)`` after each block of demands.

    Returns
    -------
    list of Ranking

    Examples
    --------
    >>> res = match([{"id": "d1", "title": "煤层气开发", "keywords": ["煤层气"]}],
    ...             [{"id": "s1", "title": "页岩气"}, {"id": "s2", "title": "煤层气抽采"}], top_k=1)
    >>> res[0].pairs[0].supply_id, res[0].pairs[0].matched_terms.keywords
    ('s2', ('煤层气',))
    """
    _check_rank_args(top_k, mode)
    index = MatchIndex.__new__(MatchIndex)
    index._configure(kind, weights, _CANDIDATES, _FUZZY_CANDIDATES, _EXTRA_CAP)
    index.records = coerce_records(supplies, kind, "supply")
    recs = coerce_records(demands, kind, "demand")
    # One analysis for both sides: the workers analyse the demands while the index is built.
    analysed = _analyse_batches(
        [index.records, recs], index.weights.policy_tags, meanwhile=lambda: _kernels().warm()
    )
    try:
        index._build(next(analysed))
        docs = next(analysed)
    finally:
        analysed.close()  # the worker pool ends before the ranking forks its own
    return index._rank_docs(recs, docs, top_k, index.weights, mode, progress)


def _check_rank_args(top_k: Any, mode: Any) -> None:
    if mode not in ("candidates", "exhaustive"):
        raise MatchingError(f"未知的模式 mode={mode!r}，应为 candidates 或 exhaustive")
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
        raise MatchingError(f"top_k 须为正整数 (top_k must be ≥ 1)，收到 {top_k!r}")


def stderr_progress(prefix: str = "匹配进度") -> Callable[[int, int], None]:
    """A progress callback printing ``done/total`` to stderr at most once a second.

    Examples
    --------
    >>> cb = stderr_progress()
    >>> cb(1, 1)
    """
    last = [0.0]

    def cb(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= 1.0:
            last[0] = now
            print(f"{prefix}: {done}/{total}", file=sys.stderr, flush=True)

    return cb
