"""Compiled loops over sparse rows (numba), for the pairwise scores of :mod:`matching.engine`.

The pair kernels (:func:`pair_dot`, :func:`pair_cover`, :func:`pair_shared`) take a set of
(demand row ``ii[p]``, supply row ``jj[p]``) pairs of two CSR matrices and walk the supply
row's stored entries once, looking each term up in a dense copy of the demand row (scattered
once per run of equal ``ii``, so pairs should be grouped by demand). :func:`sharers` walks the
inverted index (terms × supplies) from each demand's terms; :func:`best_shared` orders each
pair's shared terms for explanations. Sums run in the order ``numpy.bincount`` and scipy's
sparse product used in the vectorised code these replace, so scores are bit-identical;
``tests/matching/test_matching_kernels.py`` checks each kernel against a brute-force oracle.

Why compiled: the vectorised form needed about eight numpy passes per stored entry
(positions, gathers, products, bincount), and a ranking touches ~10⁸ entries at
20,000 × 20,000; a loop that reads each entry once is several times cheaper and needs no
temporary arrays. Compiled code is cached in ``__pycache__`` (``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["best_shared", "pair_cover", "pair_dot", "pair_shared", "sharers"]


@njit(cache=True, nogil=True, inline="always")
def _scatter(buf, q_ptr, q_idx, q_dat, i, clear):  # pragma: no cover
    """Copy demand row ``i`` into the dense buffer, or (``clear``) zero its cells again."""
    for k in range(q_ptr[i], q_ptr[i + 1]):
        buf[q_idx[k]] = 0.0 if clear else q_dat[k]


@njit(cache=True, nogil=True)
def pair_dot(q_ptr, q_idx, q_dat, s_ptr, s_idx, s_dat, ii, jj, width):  # pragma: no cover
    """``out[p] = q[ii[p]] · s[jj[p]]``."""
    n = len(ii)
    out = np.zeros(n)
    buf = np.zeros(width)
    p = 0
    while p < n:
        i = ii[p]
        _scatter(buf, q_ptr, q_idx, q_dat, i, False)
        while p < n and ii[p] == i:
            j = jj[p]
            acc = 0.0
            for k in range(s_ptr[j], s_ptr[j + 1]):
                acc += buf[s_idx[k]] * s_dat[k]
            out[p] = acc
            p += 1
        _scatter(buf, q_ptr, q_idx, q_dat, i, True)
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
        _scatter(buf, q_ptr, q_idx, q_dat, i, False)
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
        _scatter(buf, q_ptr, q_idx, q_dat, i, True)
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
        _scatter(buf, q_ptr, q_idx, q_dat, i, False)
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
        _scatter(buf, q_ptr, q_idx, q_dat, i, True)
    return pid, col, val


@njit(cache=True, inline="always")
def _before(v1, c1, v2, c2):  # pragma: no cover
    return v1 > v2 or (v1 == v2 and c1 < c2)


@njit(cache=True, nogil=True)
def best_shared(pid, col, val, n_pairs, limit):  # pragma: no cover
    """The ``limit`` heaviest shared terms of each pair, by weight descending then term id.

    ``pid``/``col``/``val`` are :func:`pair_shared`'s output (grouped by pair). Returns
    ``cuts`` (pair ``p``'s terms are ``terms[cuts[p]:cuts[p + 1]]``) and ``terms``.
    """
    starts = np.zeros(n_pairs + 1, np.int64)
    for e in range(len(pid)):
        starts[pid[e] + 1] += 1
    for p in range(n_pairs):
        starts[p + 1] += starts[p]
    cuts = np.zeros(n_pairs + 1, np.int64)
    for p in range(n_pairs):
        cuts[p + 1] = cuts[p] + min(starts[p + 1] - starts[p], limit)
    best = np.empty(cuts[n_pairs], np.int64)  # positions of the kept entries
    for p in range(n_pairs):
        a, b = starts[p], starts[p + 1]
        # Insertion into a sorted buffer of the best ``limit``: no allocation, and a few
        # dozen shifts at most per term.
        k = cuts[p]
        m = 0
        for e in range(a, b):
            if m == limit and not _before(
                val[e], col[e], val[best[k + m - 1]], col[best[k + m - 1]]
            ):
                continue
            y = min(m, limit - 1)
            while y > 0 and _before(val[e], col[e], val[best[k + y - 1]], col[best[k + y - 1]]):
                best[k + y] = best[k + y - 1]
                y -= 1
            best[k + y] = e
            m = min(m + 1, limit)
    terms = col[best]
    return cuts, terms


@njit(cache=True, nogil=True)
def sharers(
    q_ptr, q_idx, q_dat, rows, t_ptr, t_idx, t_dat, qsum, ssum, alpha, wide
):  # pragma: no cover
    """Supplies sharing a term with each demand row, and a coverage proxy of each pair.

    ``t`` is the transposed supply matrix (terms × supplies, supply weights). For demand
    ``rows[r]`` the sharers are the supplies with a stored entry under one of its terms;
    ``a`` sums the demand's weights of the shared terms, ``b`` the supply's, and the proxy is
    ``min(a/qsum, 1)**alpha * min(b/ssum, 1)**(1-alpha)``. Returns per row the number of
    sharers, and the kept sharers as ``(row, supply, proxy)`` in supply order: all of them
    when a row has at most ``wide``, else the ``wide`` best by proxy (ties: smaller supply).
    The sums run over the demand's terms in stored order, as a sparse product does.
    """
    n_sup = len(ssum)
    acc_a = np.zeros(n_sup)
    acc_b = np.zeros(n_sup)
    seen = np.zeros(n_sup, np.bool_)
    touched = np.empty(n_sup, np.int64)
    counts = np.zeros(len(rows), np.int64)
    cap = 1024
    out_r = np.empty(cap, np.int64)
    out_j = np.empty(cap, np.int64)
    out_p = np.empty(cap)
    e = 0
    for r in range(len(rows)):
        i = rows[r]
        m = 0
        for k in range(q_ptr[i], q_ptr[i + 1]):
            t = q_idx[k]
            qv = q_dat[k]
            for x in range(t_ptr[t], t_ptr[t + 1]):
                j = t_idx[x]
                if not seen[j]:
                    seen[j] = True
                    touched[m] = j
                    m += 1
                acc_a[j] += qv
                acc_b[j] += t_dat[x]
        counts[r] = m
        if m == 0:
            continue
        if m * 64 > n_sup:  # many sharers: a scan of the flags is cheaper than a sort
            sel = np.empty(m, np.int64)
            y = 0
            for j in range(n_sup):
                if seen[j]:
                    sel[y] = j
                    y += 1
        else:
            sel = np.sort(touched[:m])
        prox = np.empty(m)
        qs = max(qsum[i], 1e-12)
        for y in range(m):
            j = sel[y]
            cd = min(acc_a[j] / qs, 1.0)
            cs = min(acc_b[j] / max(ssum[j], 1e-12), 1.0)
            prox[y] = cd**alpha * cs ** (1.0 - alpha)
            acc_a[j] = 0.0
            acc_b[j] = 0.0
            seen[j] = False
        while e + min(m, wide) > cap:
            cap *= 2
            out_r = _grow(out_r, cap)
            out_j = _grow(out_j, cap)
            out_p = _grow(out_p, cap)
        if m <= wide:
            for y in range(m):
                out_r[e] = r
                out_j[e] = sel[y]
                out_p[e] = prox[y]
                e += 1
            continue
        # The wide-th best proxy; better ones are all kept, ties in supply order.
        thr = np.partition(-prox, wide - 1)[wide - 1]
        better = 0
        for y in range(m):
            if -prox[y] < thr:
                better += 1
        ties = wide - better
        for y in range(m):
            v = -prox[y]
            if v < thr or (v == thr and ties > 0):
                if v == thr:
                    ties -= 1
                out_r[e] = r
                out_j[e] = sel[y]
                out_p[e] = prox[y]
                e += 1
    return counts, out_r[:e], out_j[:e], out_p[:e]


@njit(cache=True)
def _grow(a, cap):  # pragma: no cover
    b = np.empty(cap, a.dtype)
    b[: len(a)] = a
    return b


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
    sharers(ptr, idx, dat, pairs[:0], ptr, idx, dat, dat, dat, 0.5, 1)
    best_shared(*pair_shared(*args, 0), 1, 1)
