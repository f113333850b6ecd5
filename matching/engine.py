"""Scoring engine: analysed records, a reusable supply index, candidate and exhaustive ranking.

Every component except ``fuzzy`` is a cheap closed form over per-record vectors (sparse term
matrices for text, skills and majors; small one-hot tables for fields, modes, region and
education), evaluated for arrays of (demand, supply) pairs at once.

``candidates`` mode: (1) a sparse product over the inverted index restricted to informative
terms (document frequency ≤ ``max(50, min(200, n/40))``) finds the supplies sharing such a term with the
demand and keeps the best ``candidates`` by a coverage proxy (a demand with fewer sharers is
scored against every supply); (2) all cheap components are computed exactly for these pairs;
(3) rapidfuzz (``process.cpdist``, all cores) runs on the best ``fuzzy_candidates`` by the cheap
score, then on every other candidate whose upper bound (cheap part + full fuzzy weight) could
still beat the k-th score (at most ``extra_cap``). ``exhaustive`` mode scores every pair in
full with the same code.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process

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
#: Inferred research fields kept per demand, and the sharpness of their relative weights.
INFER_TOP = 3
INFER_GAMMA = 4.0
_MAX_SHOWN = 10

_NSFC = re.compile(r"^[A-H][0-9]{2}")
_MODE_INDEX = {m: i for i, m in enumerate(COOPERATION_MODES)}
_MODE_COMPAT = np.eye(len(COOPERATION_MODES), dtype=np.float32)
for _a, _b in (("委托开发", "合作开发"), ("技术转让", "技术许可"), ("技术咨询", "技术服务")):
    _MODE_COMPAT[_MODE_INDEX[_a], _MODE_INDEX[_b]] = 0.5
    _MODE_COMPAT[_MODE_INDEX[_b], _MODE_INDEX[_a]] = 0.5
_CITY_INDEX = {c: i for i, c in enumerate(CITIES)}
_EDU_INDEX = {e: i for i, e in enumerate(EDUCATION_LEVELS)}


# --------------------------------------------------------------------------- analysis


@dataclass(slots=True)
class _Doc:
    text: dict[str, float]
    whole: dict[str, float]
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


def _merge(dst: dict[str, float], src: dict[str, float]) -> None:
    for k, v in src.items():
        if dst.get(k, 0.0) < v:
            dst[k] = v


def _city(value: str | None) -> int:
    if not value:
        return -1
    c = T.normalize(value).removesuffix("市")
    if not c:
        return -1
    return _CITY_INDEX.get(c, len(CITIES))


def _code(value: str) -> str:
    return T.normalize(value).upper().replace(" ", "")


def _analyse(rec: Any, policy_tags: Mapping[str, float]) -> _Doc:
    whole: dict[str, float] = {}
    text: dict[str, float] = {}

    def add(raw: str | None, weight: float) -> tuple[str, ...]:
        toks = tuple(T.tokenize(raw))
        for t in toks:
            if whole.get(t, 0.0) < weight:
                whole[t] = weight
        _merge(text, T.features(toks, weight))
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
                    for m in (T.normalize(x) for x in rec.cooperation_modes)
                    if m in _MODE_INDEX
                }
            )
        )
    if isinstance(rec, JobOpening | TalentPool):
        for s in rec.skills:
            toks = add(s, 1.0)
            if toks:
                doc.skill_src.append((s, toks))
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
        else:
            doc.edu = _EDU_INDEX.get(rec.degree_level or "", -1)
            doc.count = float(rec.graduates) if rec.graduates is not None else -1.0
    if isinstance(rec, RDNeed | JobOpening):
        tags = {T.normalize(t) for t in rec.tags}
        doc.boost = max((v for k, v in policy_tags.items() if T.normalize(k) in tags), default=0.0)
    return doc


# --------------------------------------------------------------------------- term spaces


# --------------------------------------------------------------------------- term spaces


def _rows_sum(m) -> np.ndarray:
    return np.asarray(m.sum(axis=1), dtype=np.float64).ravel()


class _Space:
    """IDF-weighted coverage between demand and supply feature sets.

    ``cov_d`` is the share of the demand's weight (``feature weight × idf``) found in the
    supply, ``cov_s`` the share of the supply's weight found in the demand; the score is
    ``cov_d**a * cov_s**(1-a)``. Both shares are non-decreasing when the demand gains a feature
    that the supply has, hence so is the score.
    """

    def __init__(self, docs: Sequence[dict[str, float]]):
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for i, d in enumerate(docs):
            for t, w in d.items():
                j = vocab.setdefault(t, len(vocab))
                rows.append(i)
                cols.append(j)
                vals.append(w)
        n = len(docs)
        self.vocab = vocab
        self.terms = list(vocab)
        raw = sp.csr_matrix(
            (np.asarray(vals, np.float64), (rows, cols)), shape=(n, max(len(vocab), 1))
        )
        raw.sum_duplicates()
        self.df = np.diff(raw.tocsc().indptr).astype(np.float64)
        self.idf = np.log1p(n / np.maximum(self.df, 1.0))
        self.oov_idf = math.log1p(max(n, 1))
        self.sw = (raw @ sp.diags(self.idf)).tocsr()
        self.ssum = _rows_sum(self.sw)
        self.sbin = (raw > 0).astype(np.float64).tocsr()
        self.has = self.ssum > 0
        norms = np.sqrt(_rows_sum(self.sw.multiply(self.sw)))
        self.unit = (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ self.sw).tocsr()
        self._pruned_t: dict[int | None, tuple] = {}

    def idf_of(self, term: str) -> float:
        j = self.vocab.get(term)
        return float(self.idf[j]) if j is not None else self.oov_idf

    def vectorize(self, docs: Sequence[dict[str, float]]):
        rows, cols, vals = [], [], []
        qsum = np.zeros(len(docs))
        for i, d in enumerate(docs):
            tot = 0.0
            for t, w in d.items():
                j = self.vocab.get(t)
                if j is None:
                    tot += w * self.oov_idf
                    continue
                v = w * self.idf[j]
                tot += v
                rows.append(i)
                cols.append(j)
                vals.append(v)
            qsum[i] = tot
        qw = sp.csr_matrix(
            (np.asarray(vals, np.float64), (rows, cols)), shape=(len(docs), self.sw.shape[1])
        )
        qw.sum_duplicates()
        return qw, (qw > 0).astype(np.float64).tocsr(), qsum

    def pair_score(self, vec, ii: np.ndarray, jj: np.ndarray, alpha: float):
        """Coverage score of the pairs (``ii[p]``, ``jj[p]``) and their shared-weight matrix."""
        qw, qbin, qsum = vec
        shared_q = qw[ii].multiply(self.sbin[jj]).tocsr()
        a = _rows_sum(shared_q)
        b = _rows_sum(self.sw[jj].multiply(qbin[ii]))
        with np.errstate(divide="ignore", invalid="ignore"):
            cd = np.where(qsum[ii] > 0, a / qsum[ii], 0.0)
            cs = np.where(self.ssum[jj] > 0, b / self.ssum[jj], 0.0)
        cd = np.clip(cd, 0.0, 1.0)
        cs = np.clip(cs, 0.0, 1.0)
        return cd**alpha * cs ** (1.0 - alpha), shared_q

    def pruned(self, max_df: int | None):
        """Transposed supply matrices (binary, weighted) keeping terms with ``df <= max_df``."""
        if max_df not in self._pruned_t:
            if max_df is None:
                self._pruned_t[None] = (self.sbin.T.tocsr(), self.sw.T.tocsr())
            else:
                keep = sp.diags((self.df <= max_df).astype(np.float64))
                self._pruned_t[max_df] = ((self.sbin @ keep).T.tocsr(), (self.sw @ keep).T.tocsr())
        return self._pruned_t[max_df]


def _onehot(lists: Sequence[Sequence[int]], width: int, vals=None) -> sp.csr_matrix:
    rows = [i for i, lst in enumerate(lists) for _ in lst]
    cols = [j for lst in lists for j in lst]
    data = np.ones(len(cols)) if vals is None else np.asarray(vals, np.float64)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(lists), max(width, 1)))


class _Fields:
    """Research-field alignment: shared code 1.0, same NSFC 2nd level 0.6, same department 0.3.

    A demand without codes gets up to ``INFER_TOP`` fields inferred by nearest centroid: each
    field's centroid is the mean unit tf-idf vector of the supplies that carry it, so the
    classifier is learned from the supply side of the index at hand.
    """

    LEVELS = ((0, 1.0), (3, 0.6), (1, 0.3))  # (prefix length, 0 = whole code), score

    def __init__(self, docs: Sequence[_Doc], space: _Space):
        self.maps: list[dict[str, int]] = []
        self.mats = []  # supplies × codes, per level
        for plen, _ in self.LEVELS:
            keys = [self._keys(d.fields, plen) for d in docs]
            vocab: dict[str, int] = {}
            idx = [[vocab.setdefault(k, len(vocab)) for k in ks] for ks in keys]
            self.maps.append(vocab)
            self.mats.append(_onehot(idx, len(vocab)))
        self.has = np.array([bool(d.fields) for d in docs], bool)
        self.codes = list(self.maps[0])
        if self.codes and self.has.sum() >= 2:
            cent = (self.mats[0].T @ space.unit).tocsr()
            norms = np.sqrt(_rows_sum(cent.multiply(cent)))
            self.centroids_t = (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ cent).T.tocsr()
        else:
            self.centroids_t = None

    @staticmethod
    def _keys(codes: Sequence[str], plen: int) -> list[str]:
        if plen == 0:
            return list(codes)
        return sorted({c[:plen] for c in codes if _NSFC.match(c)})

    def demand_vectors(self, docs: Sequence[_Doc], qw) -> tuple[list, np.ndarray, list]:
        """Per level a (demands × codes) matrix, availability, and inferred codes per demand."""
        has = np.zeros(len(docs), bool)
        inferred: list[dict[str, float]] = [{} for _ in docs]
        sims = None
        if self.centroids_t is not None and any(not d.fields for d in docs):
            norms = np.sqrt(_rows_sum(qw.multiply(qw)))
            unit = (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ qw).tocsr()
            sims = (unit @ self.centroids_t).tocsr()
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
                            rows.append(i)
                            cols.append(int(idx[t]))
                            vals.append(p)
                            inferred[i][self.codes[idx[t]]] = p
                    has[i] = True
            out.append(
                sp.csr_matrix(
                    (np.asarray(vals, np.float64), (rows, cols)),
                    shape=(len(docs), max(len(vocab), 1)),
                )
            )
        return out, has, inferred

    def pair_score(self, dvecs: list, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        best = np.zeros(len(ii))
        for (_, s), dv, mat in zip(self.LEVELS, dvecs, self.mats, strict=True):
            x = np.minimum(_rows_sum(dv[ii].multiply(mat[jj])), 1.0) * s
            np.maximum(best, x, out=best)
        return best


# --------------------------------------------------------------------------- index


@dataclass(slots=True)
class _Pairs:
    """Cheap score parts of a set of (demand, supply) pairs."""

    ii: np.ndarray  # demand positions
    jj: np.ndarray  # supply positions
    num: np.ndarray  # Σ w_c x_c a_c over the cheap components
    den: np.ndarray  # Σ w_c a_c over all components incl. fuzzy
    mult: np.ndarray  # policy multiplier of the pair's demand
    parts: dict[str, tuple[np.ndarray, np.ndarray | None]]  # name → (values, availability)


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
        candidates: int = 60,
        fuzzy_candidates: int = 20,
        extra_cap: int = 40,
    ):
        self.kind = kind
        self.weights = resolve_weights(kind, weights)
        if candidates < 1 or fuzzy_candidates < 1 or extra_cap < 0:
            raise MatchingError("candidates 须 ≥ 1，extra_cap 须 ≥ 0 (bad candidate settings)")
        self.records = coerce_records(supplies, kind, "supply")
        self.candidates = candidates
        self.fuzzy_candidates = fuzzy_candidates
        self.extra_cap = extra_cap
        self.ids = [r.id for r in self.records]
        docs = [_analyse(r, self.weights.policy_tags) for r in self.records]
        self.docs = docs
        self.n = len(docs)
        self.text = _Space([d.text for d in docs])
        self.fields = _Fields(docs, self.text) if kind == "rd" else None
        self.skills = _Space([d.skills for d in docs]) if kind == "jobs" else None
        self.majors = _Space([d.majors for d in docs]) if kind == "jobs" else None
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
        self.edu = np.array([d.edu for d in docs], np.int64)
        self.count = np.array([d.count for d in docs], np.float64)
        self.keys = [self._fuzzy_key(d, self.text) for d in docs]
        # Terms this common do not generate candidates (they still count in the score); a fixed
        # cap keeps candidate generation linear in the number of supplies.
        self.max_df = max(50, min(200, self.n // 40))

    # -- preparation

    @staticmethod
    def _fuzzy_key(doc: _Doc, space: _Space) -> str:
        ranked = sorted(doc.whole, key=lambda t: (-doc.whole[t] * space.idf_of(t), t))
        return " ".join(ranked[:FUZZY_TOKENS])

    def _weights(self, override) -> Weights:
        return self.weights if override is None else resolve_weights(self.kind, override)

    def _prepare(self, docs: Sequence[_Doc], w: Weights) -> dict[str, Any]:
        prep: dict[str, Any] = {"docs": docs}
        prep["text"] = self.text.vectorize([d.text for d in docs])
        if self.fields is not None:
            prep["fields"] = self.fields.demand_vectors(docs, prep["text"][0])
        if self.skills is not None:
            prep["skills"] = self.skills.vectorize([d.skills for d in docs])
            prep["majors"] = self.majors.vectorize([d.majors for d in docs])
            names = [{T.normalize(m) for m in d.major_names} for d in docs]
            prep["major_exact"] = _onehot(
                [[self.major_vocab[m] for m in ns if m in self.major_vocab] for ns in names],
                len(self.major_vocab),
            )
        prep["modes"] = _onehot([d.modes for d in docs], len(COOPERATION_MODES)).toarray()
        prep["city"] = np.array([d.city for d in docs], np.int64)
        prep["edu"] = np.array([d.edu for d in docs], np.int64)
        prep["count"] = np.array([d.count for d in docs], np.float64)
        boost = np.array([d.boost for d in docs], np.float64)
        prep["mult"] = 1.0 - w.policy * (1.0 - boost)
        prep["keys"] = [self._fuzzy_key(d, self.text) for d in docs]
        return prep

    # -- scoring

    def _score_pairs(self, prep, ii, jj, w: Weights, text_values=None) -> _Pairs:
        alpha = w.text_demand_share
        parts: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        if text_values is None:
            text_values = self.text.pair_score(prep["text"], ii, jj, alpha)[0]
        parts["text"] = (text_values, None)
        if self.fields is not None and w.field > 0:
            dvecs, has, _ = prep["fields"]
            parts["field"] = (
                self.fields.pair_score(dvecs, ii, jj),
                has[ii] & self.fields.has[jj],
            )
        if w.mode > 0:
            dm = prep["modes"]
            best = (dm[:, :, None] * _MODE_COMPAT[None, :, :]).max(axis=1)
            compat = best[ii] * self.mode_mat[jj]
            parts["mode"] = (compat.max(axis=1), dm.any(axis=1)[ii] & self.has_mode[jj])
        if w.region > 0:
            k = len(CITIES)
            tab = np.full((k + 1, k + 1), w.region_elsewhere)
            tab[:k, :k] = w.region_same_province
            tab[np.arange(k), np.arange(k)] = w.region_same_city
            dc, sc = prep["city"][ii], self.city[jj]
            parts["region"] = (tab[np.maximum(dc, 0), np.maximum(sc, 0)], (dc >= 0) & (sc >= 0))
        if self.skills is not None:
            if w.skills > 0:
                vals = self.skills.pair_score(prep["skills"], ii, jj, alpha)[0]
                parts["skills"] = (vals, (prep["skills"][2][ii] > 0) & self.skills.has[jj])
            if w.major > 0:
                vals = self.majors.pair_score(prep["majors"], ii, jj, 0.5)[0]
                exact = _rows_sum(prep["major_exact"][ii].multiply(self.major_onehot[jj])) > 0
                parts["major"] = (
                    np.where(exact, 1.0, vals),
                    (prep["majors"][2][ii] > 0) & self.majors.has[jj],
                )
            if w.education > 0:
                de, se = prep["edu"][ii], self.edu[jj]
                diff = se - de
                vals = np.where(diff >= 0, 1.0, np.where(diff == -1, 0.25, 0.0))
                parts["education"] = (vals, (de >= 0) & (se >= 0))
            if w.capacity > 0:
                dn, sn = prep["count"][ii], self.count[jj]
                with np.errstate(divide="ignore", invalid="ignore"):
                    vals = np.where(dn > 0, np.minimum(1.0, sn / dn), 0.0)
                parts["capacity"] = (vals, (dn > 0) & (sn >= 0))
        num = np.zeros(len(ii))
        den = np.full(len(ii), w.text + w.fuzzy)
        for name, (vals, avail) in parts.items():
            wc = getattr(w, name)
            if avail is None:
                num += wc * vals
            else:
                num += wc * np.where(avail, vals, 0.0)
                den += wc * avail
        return _Pairs(ii=ii, jj=jj, num=num, den=den, mult=prep["mult"][ii], parts=parts)

    @staticmethod
    def _full(num, den, mult, fz, wf):
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(den > 0, (num + wf * fz) / den, 0.0) * mult
        return np.clip(s, 0.0, 1.0)

    def _fuzzy(self, prep, ii: np.ndarray, jj: np.ndarray, wf: float) -> np.ndarray:
        if wf <= 0 or len(ii) == 0:
            return np.zeros(len(ii))
        keys = prep["keys"]
        q = [keys[i] for i in ii]
        c = [self.keys[j] for j in jj]
        out = process.cpdist(q, c, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.float32)
        return out.astype(np.float64) / 100.0

    def _candidates(self, prep, lo: int, hi: int, w: Weights) -> tuple[np.ndarray, np.ndarray]:
        """Pairs to score for demands ``lo:hi``: sharers of informative terms, best first."""
        b, c = hi - lo, self.candidates
        if self.n <= c:
            return np.repeat(np.arange(lo, hi), self.n), np.tile(np.arange(self.n), b)
        qw, qbin, qsum = prep["text"]
        alpha = w.text_demand_share
        wide = 4 * c
        rows = np.arange(lo, hi)
        pool_i, pool_j, pool_t = [], [], []
        full_rows: list[int] = []
        # Informative terms first; demands left with too few sharers retry with every term,
        # and only a demand with fewer than ``candidates`` sharers overall is scored in full.
        for max_df in (self.max_df, None):
            if len(rows) == 0:
                break
            short = []
            sbin_t, sw_t = self.text.pruned(max_df)
            a = (qw[rows] @ sbin_t).tocsr()
            a.sort_indices()
            bb = (qbin[rows] @ sw_t).tocsr()
            bb.sort_indices()
            for r, i in enumerate(rows):
                x0, x1 = a.indptr[r], a.indptr[r + 1]
                cols, va = a.indices[x0:x1], a.data[x0:x1]
                if len(cols) < c:
                    (short if max_df is not None else full_rows).append(i)
                    continue
                # Both products have one sparsity pattern: the supplies sharing a kept term.
                vb = bb.data[bb.indptr[r] : bb.indptr[r + 1]]
                cd = np.minimum(va / max(qsum[i], 1e-12), 1.0)
                cs = np.minimum(vb / np.maximum(self.text.ssum[cols], 1e-12), 1.0)
                proxy = cd**alpha * cs ** (1.0 - alpha)
                if len(cols) > wide:
                    top = np.argpartition(-proxy, wide - 1)[:wide]
                    cols, proxy = cols[top], proxy[top]
                pool_i.append(np.full(len(cols), i))
                pool_j.append(cols)
                pool_t.append(proxy)
            rows = np.asarray(short, np.int64)
        ii_out, jj_out = [], []
        if pool_i:
            # Second funnel: rank the pool by every cheap component, text by its proxy.
            pi, pj = np.concatenate(pool_i), np.concatenate(pool_j)
            pr = self._score_pairs(prep, pi, pj, w, text_values=np.concatenate(pool_t))
            with np.errstate(divide="ignore", invalid="ignore"):
                cheap = np.where(pr.den > 0, pr.num / pr.den, 0.0)
            starts = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]])
            for s, e in zip(starts, np.r_[starts[1:], len(pi)], strict=True):
                seg = cheap[s:e]
                top = np.argpartition(-seg, c - 1)[:c] if e - s > c else np.arange(e - s)
                ii_out.append(pi[s:e][top])
                jj_out.append(np.sort(pj[s:e][top]))
        for i in full_rows:
            ii_out.append(np.full(self.n, i))
            jj_out.append(np.arange(self.n))
        if not ii_out:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ii = np.concatenate(ii_out)
        jj = np.concatenate(jj_out)
        order = np.argsort(ii, kind="stable")
        return ii[order], jj[order]

    def _rank_block(self, prep, lo: int, hi: int, w: Weights, top_k: int, mode: Mode):
        """Top pairs of demands ``lo:hi`` as (demand pos, supply pos, score, fuzzy) arrays."""
        if mode == "exhaustive":
            ii = np.repeat(np.arange(lo, hi), self.n)
            jj = np.tile(np.arange(self.n), hi - lo)
        else:
            ii, jj = self._candidates(prep, lo, hi, w)
        pr = self._score_pairs(prep, ii, jj, w)
        wf = w.fuzzy
        k = min(top_k, self.n)
        with np.errstate(divide="ignore", invalid="ignore"):
            lower = np.where(pr.den > 0, pr.num / pr.den, 0.0) * pr.mult
            upper = np.where(pr.den > 0, (pr.num + wf) / pr.den, 0.0) * pr.mult
        fz = np.full(len(ii), np.nan)
        # Group pairs by demand (ii is sorted by construction).
        starts = np.flatnonzero(np.r_[True, ii[1:] != ii[:-1]]) if len(ii) else np.zeros(0, int)
        bounds = list(zip(starts, np.r_[starts[1:], len(ii)], strict=True))
        if mode == "exhaustive" or wf <= 0:
            fz[:] = self._fuzzy(prep, ii, jj, wf)
        else:
            first = []
            for s, e in bounds:
                m = min(self.fuzzy_candidates, e - s)
                sel = s + np.argpartition(-lower[s:e], m - 1)[:m] if m < e - s else np.arange(s, e)
                first.append(sel)
            sel = np.concatenate(first) if first else np.zeros(0, np.int64)
            fz[sel] = self._fuzzy(prep, ii[sel], jj[sel], wf)
            extra = []
            for s, e in bounds:
                seg = fz[s:e]
                done = ~np.isnan(seg)
                if done.all():
                    continue
                full = self._full(
                    pr.num[s:e][done], pr.den[s:e][done], pr.mult[s:e][done], seg[done], wf
                )
                theta = np.sort(full)[-min(k, len(full))] if len(full) >= k else -1.0
                cand = np.flatnonzero(~done & (upper[s:e] >= theta - 1e-12))
                if len(cand) > self.extra_cap:
                    cand = cand[np.argsort(-upper[s:e][cand], kind="stable")[: self.extra_cap]]
                extra.append(s + cand)
            if extra:
                sel = np.concatenate(extra)
                fz[sel] = self._fuzzy(prep, ii[sel], jj[sel], wf)
        scored = ~np.isnan(fz)
        full = np.full(len(ii), -1.0)
        full[scored] = self._full(pr.num[scored], pr.den[scored], pr.mult[scored], fz[scored], wf)
        picks = []
        for s, e in bounds:
            order = np.lexsort((jj[s:e], -full[s:e]))[:k]
            order = order[full[s:e][order] >= 0]
            picks.append(s + order)
        idx = np.concatenate(picks) if picks else np.zeros(0, np.int64)
        return pr, idx, full, fz

    # -- explanations

    def _explain(self, prep, pr: _Pairs, idx: np.ndarray, full, fz, w: Weights, recs):
        ii, jj = pr.ii[idx], pr.jj[idx]
        _, shared = self.text.pair_score(prep["text"], ii, jj, w.text_demand_share)
        out: dict[int, list[ScoredPair]] = {}
        # One global sort: rows ascending, shared weight descending, then term id.
        rows = np.repeat(np.arange(len(idx)), np.diff(shared.indptr))
        order = np.lexsort((shared.indices, -shared.data, rows))
        sorted_terms = shared.indices[order]
        terms_of = self.text.terms
        for r, p in enumerate(idx):
            i, j = int(ii[r]), int(jj[r])
            terms: list[str] = []
            for t in sorted_terms[shared.indptr[r] : shared.indptr[r + 1]]:
                term = terms_of[t]
                # A sub-word of a term already shown adds nothing for a reader.
                if not any(term in u for u in terms):
                    terms.append(term)
                    if len(terms) >= _MAX_SHOWN:
                        break
            comps: dict[str, float] = {}
            for name, (vals, avail) in pr.parts.items():
                if avail is None or avail[p]:
                    comps[name] = round(float(vals[p]), 4)
                if name == "text" and w.fuzzy > 0:
                    comps["fuzzy"] = round(float(fz[p]), 4)
            comps["policy"] = round(float(pr.mult[p]), 4)
            lst = out.setdefault(i, [])
            lst.append(
                ScoredPair(
                    demand_id=recs[i].id,
                    supply_id=self.ids[j],
                    rank=len(lst) + 1,
                    score=round(float(full[p]), 6),
                    components=comps,
                    matched_terms=self._matched(prep, i, j, comps, tuple(terms)),
                )
            )
        return out

    def _matched(self, prep, i: int, j: int, comps, keywords) -> MatchedTerms:
        d, s = prep["docs"][i], self.docs[j]
        skills = tuple(src for src, toks in d.skill_src if any(t in s.skills for t in toks))
        majors = tuple(
            m
            for m in d.major_names
            if T.normalize(m) in self.major_names[j] or any(t in s.majors for t in T.tokenize(m))
        )
        fields: list[str] = []
        if self.fields is not None and "field" in comps:
            inferred = prep["fields"][2][i]
            for code in s.fields:
                if code in d.fields or any(
                    _NSFC.match(code) and _NSFC.match(c) and c[:3] == code[:3] for c in d.fields
                ):
                    fields.append(code)
                elif code in inferred:
                    fields.append(f"{code}(推断)")
        return MatchedTerms(
            keywords=keywords,
            skills=skills[:_MAX_SHOWN],
            majors=majors[:_MAX_SHOWN],
            fields=tuple(fields[:_MAX_SHOWN]),
            modes=tuple(COOPERATION_MODES[m] for m in d.modes if m in s.modes),
        )

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
        if mode not in ("candidates", "exhaustive"):
            raise MatchingError(f"未知的模式 mode={mode!r}，应为 candidates 或 exhaustive")
        if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
            raise MatchingError(f"top_k 须为正整数 (top_k must be ≥ 1)，收到 {top_k!r}")
        w = self._weights(weights)
        recs = coerce_records(demands, self.kind, "demand")
        if self.n == 0 or not recs:
            return [Ranking(demand_id=r.id, pairs=()) for r in recs]
        docs = [_analyse(r, w.policy_tags) for r in recs]
        prep = self._prepare(docs, w)
        per = self.n if mode == "exhaustive" else min(self.n, self.candidates)
        step = max(1, min(2000, 400_000 // max(per, 1)))
        out: list[Ranking] = []
        for lo in range(0, len(recs), step):
            hi = min(lo + step, len(recs))
            pr, idx, full, fz = self._rank_block(prep, lo, hi, w, top_k, mode)
            ranked = self._explain(prep, pr, idx, full, fz, w, recs)
            for i in range(lo, hi):
                out.append(Ranking(demand_id=recs[i].id, pairs=tuple(ranked.get(i, ()))))
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
    return MatchIndex(supplies, kind, weights).rank(demands, top_k, mode=mode, progress=progress)


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
