"""Compiled loops over sparse rows (numba), for the pairwise scores of :mod:`matching.engine`.

Every kernel takes a set of (demand row ``ii[p]``, supply row ``jj[p]``) pairs of two CSR
matrices and walks the supply row's stored entries once, looking each term up in a dense copy
of the demand row (scattered once per run of equal ``ii``, so pairs should be grouped by
demand). The sums run in the order of the stored entries, which is the order
``numpy.bincount`` used in the vectorised versions these replace: results are bit-identical.
``tests/test_kernels.py`` checks them against scipy.

Why compiled: the vectorised form needs about eight numpy passes per stored entry (positions,
gathers, products, bincount), and a ranking touches ~10⁸ entries at 20,000 × 20,000; a loop
that reads each entry once is several times cheaper, and needs no temporary arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["pair_cover", "pair_dot", "pair_shared"]


@njit(cache=True, nogil=True)
def pair_dot(q_ptr, q_idx, q_dat, s_ptr, s_idx, s_dat, ii, jj, width):  # pragma: no cover
    """``out[p] = q[ii[p]] · s[jj[p]]``."""
    n = len(ii)
    out = np.zeros(n)
    buf = np.zeros(width)
    p = 0
    while p < n:
        i = ii[p]
        for k in range(q_ptr[i], q_ptr[i + 1]):
            buf[q_idx[k]] = q_dat[k]
        while p < n and ii[p] == i:
            j = jj[p]
            acc = 0.0
            for k in range(s_ptr[j], s_ptr[j + 1]):
                acc += buf[s_idx[k]] * s_dat[k]
            out[p] = acc
            p += 1
        for k in range(q_ptr[i], q_ptr[i + 1]):
            buf[q_idx[k]] = 0.0
    return out


@njit(cache=True, nogil=True)
def pair_cover(q_ptr, q_idx, q_dat, s_ptr, s_idx, s_dat, ii, jj, width):  # pragma: no cover
    """Per pair: the demand's weight of the shared terms (``a``), the supply's (``b``), and
    how many terms are shared (``hits``)."""
    n = len(ii)
    a = np.zeros(n)
    b = np.zeros(n)
    hits = np.zeros(n, np.int64)
    buf = np.zeros(width)
    p = 0
    while p < n:
        i = ii[p]
        for k in range(q_ptr[i], q_ptr[i + 1]):
            buf[q_idx[k]] = q_dat[k]
        while p < n and ii[p] == i:
            j = jj[p]
            sa = 0.0
            sb = 0.0
            h = 0
            for k in range(s_ptr[j], s_ptr[j + 1]):
                qv = buf[s_idx[k]]
                sa += qv
                if qv > 0:
                    sb += s_dat[k]
                    h += 1
            a[p] = sa
            b[p] = sb
            hits[p] = h
            p += 1
        for k in range(q_ptr[i], q_ptr[i + 1]):
            buf[q_idx[k]] = 0.0
    return a, b, hits


@njit(cache=True, nogil=True)
def pair_shared(q_ptr, q_idx, q_dat, s_ptr, s_idx, s_dat, ii, jj, width, total):  # pragma: no cover
    """The shared terms of every pair as ``(pair, term, demand weight)``, pairs in order and
    terms in the supply row's order; ``total`` is the number of shared terms (the sum of
    :func:`pair_cover`'s ``hits``). ``s_dat`` is unused: the arguments match the others'."""
    n = len(ii)
    pid = np.empty(total, np.int64)
    col = np.empty(total, np.int64)
    val = np.empty(total)
    buf = np.zeros(width)
    e = 0
    p = 0
    while p < n:
        i = ii[p]
        for k in range(q_ptr[i], q_ptr[i + 1]):
            buf[q_idx[k]] = q_dat[k]
        while p < n and ii[p] == i:
            j = jj[p]
            for k in range(s_ptr[j], s_ptr[j + 1]):
                qv = buf[s_idx[k]]
                if qv > 0:
                    pid[e] = p
                    col[e] = s_idx[k]
                    val[e] = qv
                    e += 1
            p += 1
        for k in range(q_ptr[i], q_ptr[i + 1]):
            buf[q_idx[k]] = 0.0
    return pid, col, val


def warm() -> None:
    """Compile (or load from numba's cache) the kernels for scipy's usual CSR types.

    Called before forking workers, so each child inherits the machine code instead of loading
    it again (about half a second per process).
    """
    ptr = np.zeros(2, np.int32)
    idx = np.zeros(0, np.int32)
    dat = np.zeros(0)
    pairs = np.zeros(1, np.int64)
    args = (ptr, idx, dat, ptr, idx, dat, pairs, pairs, 1)
    pair_dot(*args)
    pair_cover(*args)
    pair_shared(*args, 0)
