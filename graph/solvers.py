"""Assignment methods behind one Protocol and a registry by name (分配方法与注册表).

Every method takes an :class:`~graph.model.Instance` and :class:`SolveOptions` and returns a
:class:`SolveOutput` (a boolean mask over the instance's edges, plus what the "why not" explanations
need). Pinned edges are always chosen and count against both loads; forbidden pairs are not edges.

Methods
-------
``ranked``
    Recommendation lists, not an exclusive assignment: each demand gets its top ``k`` candidates
    (``k`` = its maximum load unless ``SolveOptions.k`` is set), pins first; supply capacities are not
    enforced. The result also carries each supply's top ``k_s`` demands (``k_s`` = its maximum load).
``optimal``
    Maximum total score subject to ``min <= load <= max`` on every node, solved exactly as a min-cost
    circulation (OR-Tools; integer scaling in :mod:`graph.flow`).
``stable``
    Deferred acceptance (Gale–Shapley) with capacities on both sides; ``proposing`` is ``"demand"``
    (default) or ``"supply"``. The result is pairwise stable and optimal for the proposing side.
    Preferences come from the scores (higher first, ties by the other side's id) unless a participant
    gives an explicit :class:`~graph.model.Preference`, whose omitted partners are unacceptable.
    Minimum loads cannot be enforced by a stable matching (the rural hospitals theorem fixes who is
    matched); shortfalls are reported instead.
``fair``
    Lexicographic objective, per connected component (components are independent):

    1. maximise ``N`` = the number of demands with at least one partner;
    2. among those, maximise the threshold ``t``, taken from the component's distinct non-pinned edge
       scores, such that every chosen non-pinned pair scores at least ``t``: ``t`` is the score of the
       worst-off partner any demand is handed (pins are decisions already taken and do not count; when
       pins alone reach ``N``, ``t`` is the highest free score, so extra partners are still allowed);
    3. among those, maximise the total score.

    Solved exactly: one min-cost flow finds ``N`` (a unit bonus on each demand's first unit of
    flow); then a bisection over the component's distinct scores finds the largest ``t`` for which
    edges ``>= t`` still reach ``N`` with all minimum loads met (monotone in ``t``; all components
    bisect together, one flow per round); finally a min-cost circulation with edges ``>= t`` and a
    node forcing exactly ``N`` first units maximises the total. Minimum loads are hard constraints.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from msgspec import Struct

from graph.errors import InfeasibleError, UnknownMethodError
from graph.flow import scale_scores, solve_circulation
from graph.model import Instance

__all__ = [
    "SolveOptions",
    "SolveOutput",
    "Solver",
    "register",
    "get_solver",
    "methods",
    "edge_ranks",
    "preference_keys",
    "blocking_pairs",
    "RankedSolver",
    "OptimalSolver",
    "StableSolver",
    "FairSolver",
]


class SolveOptions(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Method options (方法参数).

    proposing : which side proposes in ``stable`` (default ``"demand"``).
    k : list length per demand for ``ranked`` (default: the demand's maximum load).
    n_alternates : backup candidates reported per demand.
    """

    proposing: Literal["demand", "supply"] = "demand"
    k: int | None = None
    n_alternates: int = 3


@dataclass(eq=False)
class SolveOutput:
    """What a solver returns (boolean mask over ``Instance`` edges, plus explanation aids)."""

    chosen: np.ndarray
    enforces_min: bool
    exclusive: bool = True  # False for ranked: supply capacity not enforced
    threshold: np.ndarray | None = None  # fair: per-demand threshold (nan = none)
    unacceptable: np.ndarray | None = None  # stable: edges excluded by explicit preferences
    supply_top: list[tuple[int, list[int]]] | None = None  # ranked: supply -> demand indices


@runtime_checkable
class Solver(Protocol):
    """An assignment method. ``name`` is its registry key."""

    name: str

    def solve(self, inst: Instance, opts: SolveOptions) -> SolveOutput: ...


_REGISTRY: dict[str, Solver] = {}


def register(solver: Solver) -> Solver:
    """Add a solver to the registry under ``solver.name`` (later registrations replace earlier).

    Examples
    --------
    >>> sorted(methods())
    ['fair', 'optimal', 'ranked', 'stable']
    """
    _REGISTRY[solver.name] = solver
    return solver


def methods() -> list[str]:
    """Registered method names."""
    return sorted(_REGISTRY)


def get_solver(name: str) -> Solver:
    """Look a solver up by name.

    Raises
    ------
    UnknownMethodError

    Examples
    --------
    >>> get_solver("optimal").name
    'optimal'
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownMethodError(name, methods()) from None


# ---------------------------------------------------------------- shared helpers


def _id_rank(ids: list[str]) -> np.ndarray:
    """Position of each id in sorted string order (the deterministic tie-break)."""
    order = sorted(range(len(ids)), key=ids.__getitem__)
    r = np.empty(len(ids), np.int64)
    r[order] = np.arange(len(ids))
    return r


def edge_ranks(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """1-based rank of each edge in its demand's and its supply's score-ordered list.

    Higher score first; ties go to the smaller id of the other side.

    Examples
    --------
    >>> from graph.model import encode
    >>> inst = encode([("d1", "s1", 0.5), ("d1", "s2", 0.9), ("d2", "s2", 0.9)])
    >>> [r.tolist() for r in edge_ranks(inst)]
    [[2, 1, 1], [1, 1, 2]]
    """
    dk, sk = preference_keys(inst, explicit=False)
    return _positions(inst.e_d, dk, inst.n_demands), _positions(inst.e_s, sk, inst.n_supplies)


def _positions(owner: np.ndarray, key: np.ndarray, n_owner: int) -> np.ndarray:
    """Rank (1-based) of each edge among its owner's edges ordered by ``key``."""
    order = np.lexsort((key, owner))
    counts = np.bincount(owner, minlength=n_owner)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.empty(owner.shape[0], np.int64)
    pos[order] = np.arange(owner.shape[0]) - np.repeat(starts, counts) + 1
    return pos


def preference_keys(
    inst: Instance, explicit: bool = True
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Totally ordered preference keys per edge for each side (lower = preferred).

    With ``explicit=False`` returns ``(demand_key, supply_key)`` from scores only. With
    ``explicit=True`` also applies :class:`~graph.model.Preference` lists and returns
    ``(demand_key, supply_key, acceptable)``.
    """
    n = inst.n_edges
    # key = primary * (n_other) + tie-break; primary is the score position among distinct scores.
    uniq, inv = np.unique(-inst.e_score, return_inverse=True)
    s_tie = _id_rank(inst.supply_ids)[inst.e_s]
    d_tie = _id_rank(inst.demand_ids)[inst.e_d]
    dprim = inv.astype(np.int64)
    sprim = inv.astype(np.int64)
    acceptable = np.ones(n, bool)
    if explicit and inst.preferences:
        dpos = {i: k for k, i in enumerate(inst.demand_ids)}
        spos = {i: k for k, i in enumerate(inst.supply_ids)}
        edge_of = {
            (int(a), int(b)): e
            for e, (a, b) in enumerate(zip(inst.e_d.tolist(), inst.e_s.tolist(), strict=True))
        }
        for pref in inst.preferences:
            own, other = (dpos, spos) if pref.side == "demand" else (spos, dpos)
            me = own.get(pref.id)
            if me is None:
                continue  # a participant without candidates: nothing to rank
            mask = (inst.e_d if pref.side == "demand" else inst.e_s) == me
            acceptable[mask] = False
            prim = dprim if pref.side == "demand" else sprim
            for pos, oid in enumerate(pref.ranking):
                o = other.get(oid)
                if o is None:
                    continue
                e = edge_of.get((me, o) if pref.side == "demand" else (o, me))
                if e is not None:
                    acceptable[e] = True
                    prim[e] = pos
    big = max(inst.n_demands, inst.n_supplies, 1)
    dk = dprim * big + s_tie
    sk = sprim * big + d_tie
    if explicit:
        return dk, sk, acceptable
    return dk, sk


def _arcs(*parts: tuple) -> tuple[np.ndarray, ...]:
    """Concatenate arc blocks ``(tail, head, lower, upper, cost)`` (scalars broadcast)."""
    cols = [[], [], [], [], []]
    for block in parts:
        sizes = [np.shape(x)[0] for x in block if np.ndim(x) > 0]
        n = sizes[0] if sizes else 1
        for c, x in zip(cols, block, strict=True):
            c.append(np.broadcast_to(np.asarray(x, np.int64), (n,)))
    return tuple(np.concatenate(c) if c else np.zeros(0, np.int64) for c in cols)


def _diagnose(inst: Instance) -> InfeasibleError:
    """Find which minimum loads cannot be met together, and say what would fix it.

    Maximises the number of minimum-load units met (one flow); the nodes left short in that
    maximum are the culprits.
    """
    lo_d, hi_d, lo_s, hi_s = inst.residual_loads()
    nd, ns = inst.n_demands, inst.n_supplies
    free = ~inst.e_pinned
    fd, fs = inst.e_d[free], inst.e_s[free]
    S, T = nd + ns, nd + ns + 1
    dn, sn = np.arange(nd), nd + np.arange(ns)
    tail, head, lower, upper, cost = _arcs(
        (S, dn, 0, lo_d, -1),
        (S, dn, 0, hi_d - lo_d, 0),
        (fd, nd + fs, 0, 1, 0),
        (sn, T, 0, lo_s, -1),
        (sn, T, 0, hi_s - lo_s, 0),
        (T, S, 0, int(hi_d.sum() + hi_s.sum() + 1), 0),
    )
    f = solve_circulation(nd + ns + 2, tail, head, lower, upper, cost)
    assert f is not None  # no lower bounds: always feasible
    got_d = f[:nd]
    got_s = f[nd + nd + fd.shape[0] : nd + nd + fd.shape[0] + ns]
    short_d = np.flatnonzero(got_d < lo_d)
    short_s = np.flatnonzero(got_s < lo_s)
    cand_d = np.bincount(fd, minlength=nd)
    cand_s = np.bincount(fs, minlength=ns)
    pd = inst.dmin - lo_d  # pins already counted
    ps = inst.smin - lo_s
    hints: list[str] = []
    parts: list[str] = []
    # The same reasoning for both sides: (label, other side's label, ids, mins, reachable,
    # candidate counts, pins, shortfalls, own and other endpoint of every usable edge).
    sides = (
        ("需求", "供给", inst.demand_ids, inst.dmin, got_d, cand_d, pd, lo_d, short_d, fd, fs,
         inst.supply_ids),
        ("供给", "需求", inst.supply_ids, inst.smin, got_s, cand_s, ps, lo_s, short_s, fs, fd,
         inst.demand_ids),
    )  # fmt: skip
    for label, other, ids, mins, got, cand, pin, lo, short, own, far, far_ids in sides:
        for i in short[:10]:
            name = ids[i]
            parts.append(f"{label} {name} 最低 {mins[i]}，最多只能得到 {got[i] + pin[i]}")
            if cand[i] < lo[i]:
                hints.append(
                    f"为{label} {name} 增加候选（现有 {cand[i]} 个可用）或把其最低负载降到 {cand[i] + pin[i]}"
                )
            else:
                nb = [far_ids[j] for j in far[own == i][:5]]
                hints.append(
                    f"提高{label} {name} 的候选{other}（{'、'.join(nb)}）的最高负载，或把其最低负载降到 {got[i] + pin[i]}"
                )
    more = len(short_d) + len(short_s) - len(parts)
    msg = "最低负载无法同时满足 (minimum loads infeasible)：" + "；".join(parts)
    if more > 0:
        msg += f"；另有 {more} 个节点"
    return InfeasibleError(
        msg,
        demands=tuple(inst.demand_ids[i] for i in short_d),
        supplies=tuple(inst.supply_ids[i] for i in short_s),
        hints=tuple(hints),
    )


# ---------------------------------------------------------------- ranked


class RankedSolver:
    """Top-k lists per demand and per supply (non-exclusive; see module docstring)."""

    name = "ranked"

    def solve(self, inst: Instance, opts: SolveOptions) -> SolveOutput:
        dk, sk = preference_keys(inst, explicit=False)
        # Pins go first in every list.
        dk = np.where(inst.e_pinned, -1, dk)
        sk = np.where(inst.e_pinned, -1, sk)
        dpos = _positions(inst.e_d, dk, inst.n_demands)
        k = inst.dmax if opts.k is None else np.full(inst.n_demands, opts.k)
        chosen = dpos <= k[inst.e_d]
        spos = _positions(inst.e_s, sk, inst.n_supplies)
        top = spos <= inst.smax[inst.e_s]
        supply_top: list[tuple[int, list[int]]] = []
        idx = np.flatnonzero(top)
        idx = idx[np.lexsort((spos[idx], inst.e_s[idx]))]
        cur, lst = -1, []
        for e in idx.tolist():
            s = int(inst.e_s[e])
            if s != cur:
                if cur >= 0:
                    supply_top.append((cur, lst))
                cur, lst = s, []
            lst.append(int(inst.e_d[e]))
        if cur >= 0:
            supply_top.append((cur, lst))
        return SolveOutput(
            chosen=chosen, enforces_min=False, exclusive=False, supply_top=supply_top
        )


# ---------------------------------------------------------------- optimal


class OptimalSolver:
    """Maximum total score under min/max loads (exact min-cost circulation)."""

    name = "optimal"

    def solve(self, inst: Instance, opts: SolveOptions) -> SolveOutput:
        lo_d, hi_d, lo_s, hi_s = inst.residual_loads()
        nd, ns = inst.n_demands, inst.n_supplies
        free = np.flatnonzero(~inst.e_pinned)
        fd, fs = inst.e_d[free], inst.e_s[free]
        S, T = nd + ns, nd + ns + 1
        tail, head, lower, upper, cost = _arcs(
            (S, np.arange(nd), lo_d, hi_d, 0),
            (fd, nd + fs, 0, 1, scale_scores(inst.e_score[free])),
            (nd + np.arange(ns), T, lo_s, hi_s, 0),
            (T, S, 0, int(hi_d.sum() + 1), 0),
        )
        f = solve_circulation(nd + ns + 2, tail, head, lower, upper, cost)
        if f is None:
            raise _diagnose(inst)
        chosen = inst.e_pinned.copy()
        chosen[free] = f[nd : nd + free.shape[0]] > 0
        return SolveOutput(chosen=chosen, enforces_min=True)


# ---------------------------------------------------------------- fair


class FairSolver:
    """Lexicographic (count, worst chosen score, total) per component; see module docstring."""

    name = "fair"

    def _count_round(
        self,
        inst: Instance,
        allowed: np.ndarray,
        loads: tuple[np.ndarray, ...],
        pinned_d: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One flow: meet minimum loads if possible (weight P), then match most demands (weight 1).

        Returns per-demand matched flag, per-demand min-met flag, per-supply min-met flag.
        """
        lo_d, hi_d, lo_s, hi_s = loads
        nd, ns = inst.n_demands, inst.n_supplies
        S, T = nd + ns, nd + ns + 1
        P = nd + 1  # one unmet minimum unit outweighs every possible gain in count
        dn, sn = np.arange(nd), nd + np.arange(ns)
        fresh = (pinned_d == 0) & (hi_d >= 1)
        first_cap = fresh.astype(np.int64)
        first_cost = np.where(lo_d >= 1, -1 - P, -1)
        min_rest = np.where(fresh, np.maximum(lo_d - 1, 0), lo_d)
        free_rest = hi_d - first_cap - min_rest
        ed, es = inst.e_d[allowed], inst.e_s[allowed]
        tail, head, lower, upper, cost = _arcs(
            (S, dn, 0, first_cap, first_cost),
            (S, dn, 0, min_rest, -P),
            (S, dn, 0, free_rest, 0),
            (ed, nd + es, 0, 1, 0),
            (sn, T, 0, lo_s, -P),
            (sn, T, 0, hi_s - lo_s, 0),
            (T, S, 0, int(hi_d.sum() + 1), 0),
        )
        f = solve_circulation(nd + ns + 2, tail, head, lower, upper, cost)
        assert f is not None  # no lower bounds
        first = f[:nd]
        rest_min = f[nd : 2 * nd]
        off = 3 * nd + ed.shape[0]
        got_s_min = f[off : off + ns]
        d_ok = (first * (lo_d >= 1) * fresh + rest_min) >= lo_d
        matched = (first > 0) | (pinned_d > 0)
        return matched, d_ok, got_s_min >= lo_s

    def solve(self, inst: Instance, opts: SolveOptions) -> SolveOutput:
        loads = inst.residual_loads()
        lo_d, hi_d, lo_s, hi_s = loads
        nd, ns = inst.n_demands, inst.n_supplies
        pinned_d = np.bincount(inst.e_d[inst.e_pinned], minlength=nd)
        k, lab_d, lab_s = inst.component_labels()
        free = ~inst.e_pinned
        all_edges = free.copy()

        def per_comp(matched: np.ndarray, d_ok: np.ndarray, s_ok: np.ndarray):
            cnt = np.bincount(lab_d, weights=matched, minlength=k).astype(np.int64)
            bad = np.bincount(lab_d, weights=~d_ok, minlength=k) + np.bincount(
                lab_s, weights=~s_ok, minlength=k
            )
            return cnt, bad == 0

        m0, dok0, sok0 = self._count_round(inst, all_edges, loads, pinned_d)
        best_cnt, ok0 = per_comp(m0, dok0, sok0)
        if not ok0.all():
            raise _diagnose(inst)

        # Candidate thresholds per component: its distinct free-edge scores, ascending.
        fe = np.flatnonzero(free)
        comp_e = lab_d[inst.e_d[fe]]
        pairs = (
            np.unique(np.stack([comp_e, inst.e_score[fe]], axis=1), axis=0)
            if fe.size
            else np.zeros((0, 2))
        )
        pc = pairs[:, 0].astype(np.int64)
        ps = pairs[:, 1]
        n_c = np.bincount(pc, minlength=k)
        start = np.concatenate([[0], np.cumsum(n_c)[:-1]])
        lo = np.zeros(k, np.int64)  # index of a feasible threshold (the lowest: all edges)
        hi = np.maximum(n_c - 1, 0)
        while True:
            active = lo < hi
            if not active.any():
                break
            mid = np.where(active, (lo + hi + 1) // 2, lo)
            thr = np.full(k, -np.inf)
            has = n_c > 0
            thr[has] = ps[start[has] + mid[has]]
            allowed = free & (inst.e_score >= thr[lab_d[inst.e_d]])
            m, dok, sok = self._count_round(inst, allowed, loads, pinned_d)
            cnt, ok = per_comp(m, dok, sok)
            good = ok & (cnt == best_cnt)
            lo = np.where(active & good, mid, lo)
            hi = np.where(active & ~good, mid - 1, hi)
        thr = np.full(k, -np.inf)
        has = n_c > 0
        thr[has] = ps[start[has] + lo[has]]
        allowed = free & (inst.e_score >= thr[lab_d[inst.e_d]])

        # Final: maximise total with exactly best_cnt matched demands (F node forces the count).
        S, T, F = nd + ns, nd + ns + 1, nd + ns + 2
        fresh = (pinned_d == 0) & (hi_d >= 1)
        need = int(best_cnt.sum() - (pinned_d > 0).sum())
        first_lo = (fresh & (lo_d >= 1)).astype(np.int64)
        rest_lo = np.where(fresh, np.maximum(lo_d - 1, 0), lo_d)
        rest_hi = hi_d - fresh.astype(np.int64)
        ae = np.flatnonzero(allowed)
        dn, sn = np.arange(nd), nd + np.arange(ns)
        tail, head, lower, upper, cost = _arcs(
            (S, F, need, need, 0),
            (F, dn, first_lo, fresh.astype(np.int64), 0),
            (S, dn, rest_lo, rest_hi, 0),
            (inst.e_d[ae], nd + inst.e_s[ae], 0, 1, scale_scores(inst.e_score[ae])),
            (sn, T, lo_s, hi_s, 0),
            (T, S, 0, int(hi_d.sum() + 1), 0),
        )
        f = solve_circulation(nd + ns + 3, tail, head, lower, upper, cost)
        if f is None:  # cannot happen when the rounds were right; keep the error typed anyway
            raise _diagnose(inst)
        chosen = inst.e_pinned.copy()
        chosen[ae] = f[1 + 2 * nd : 1 + 2 * nd + ae.shape[0]] > 0
        comp_thr = np.where(best_cnt > 0, thr, np.nan)
        return SolveOutput(chosen=chosen, enforces_min=True, threshold=comp_thr[lab_d])


# ---------------------------------------------------------------- stable


def _deferred_acceptance(
    n_prop: int,
    prop: np.ndarray,
    acc: np.ndarray,
    prop_key: np.ndarray,
    acc_key: np.ndarray,
    q_prop: np.ndarray,
    q_acc: np.ndarray,
) -> np.ndarray:
    """Many-to-many deferred acceptance over the given edges; returns the held-edge mask.

    Each proposer walks its list best first while it holds fewer than its quota; each acceptor
    keeps its best ``quota`` proposals (a max-heap on its key) and rejects the rest.
    """
    m = prop.shape[0]
    order = np.lexsort((prop_key, prop))
    counts = np.bincount(prop, minlength=n_prop)
    ends = np.cumsum(counts)
    nxt = (ends - counts).tolist()
    ends = ends.tolist()
    order_l = order.tolist()
    acc_l = acc.tolist()
    akey = acc_key.tolist()
    prop_l = prop.tolist()
    qp = q_prop.tolist()
    qa = q_acc.tolist()
    held = [0] * n_prop
    heaps: dict[int, list[tuple[int, int]]] = {}
    stack = [p for p in range(n_prop) if qp[p] > 0 and counts[p] > 0]
    heappush, heapreplace = heapq.heappush, heapq.heapreplace
    while stack:
        p = stack.pop()
        i, end, need = nxt[p], ends[p], qp[p] - held[p]
        while need > 0 and i < end:
            e = order_l[i]
            i += 1
            a = acc_l[e]
            cap = qa[a]
            if cap <= 0:
                continue
            h = heaps.get(a)
            if h is None:
                h = heaps[a] = []
            if len(h) < cap:
                heappush(h, (-akey[e], e))
                need -= 1
            elif -h[0][0] > akey[e]:
                _, out = heapreplace(h, (-akey[e], e))
                need -= 1
                q = prop_l[out]
                held[q] -= 1
                stack.append(q)
        nxt[p] = i
        held[p] = qp[p] - need
    chosen = np.zeros(m, bool)
    for h in heaps.values():
        for _, e in h:
            chosen[e] = True
    return chosen


class StableSolver:
    """Deferred acceptance with capacities (hospital–residents, many-to-many)."""

    name = "stable"

    def solve(self, inst: Instance, opts: SolveOptions) -> SolveOutput:
        dk, sk, acceptable = preference_keys(inst, explicit=True)
        _, hi_d, _, hi_s = inst.residual_loads()
        use = np.flatnonzero(acceptable & ~inst.e_pinned)
        ed, es = inst.e_d[use], inst.e_s[use]
        if opts.proposing == "demand":
            held = _deferred_acceptance(inst.n_demands, ed, es, dk[use], sk[use], hi_d, hi_s)
        else:
            held = _deferred_acceptance(inst.n_supplies, es, ed, sk[use], dk[use], hi_s, hi_d)
        chosen = inst.e_pinned.copy()
        chosen[use[held]] = True
        return SolveOutput(
            chosen=chosen, enforces_min=False, unacceptable=~acceptable & ~inst.e_pinned
        )


def blocking_pairs(inst: Instance, chosen: np.ndarray) -> list[tuple[str, str]]:
    """Pairs that would both rather be together than with (one of) their current partners.

    Uses the same preferences as ``stable`` (scores, ties by id, explicit lists) and the residual
    loads after pins; pinned pairs are never blocking. An empty list means ``chosen`` is stable.

    Examples
    --------
    >>> from graph.model import encode
    >>> inst = encode([("d1", "s1", 0.9), ("d2", "s1", 0.5), ("d2", "s2", 0.4)])
    >>> blocking_pairs(inst, np.array([False, True, False]))
    [('d1', 's1')]
    """
    dk, sk, acceptable = preference_keys(inst, explicit=True)
    _, hi_d, _, hi_s = inst.residual_loads()
    free = ~inst.e_pinned
    ch = chosen & free
    nd, ns = inst.n_demands, inst.n_supplies
    load_d = np.bincount(inst.e_d[ch], minlength=nd)
    load_s = np.bincount(inst.e_s[ch], minlength=ns)
    worst_d = np.full(nd, -1, np.int64)
    np.maximum.at(worst_d, inst.e_d[ch], dk[ch])
    worst_s = np.full(ns, -1, np.int64)
    np.maximum.at(worst_s, inst.e_s[ch], sk[ch])
    cand = acceptable & free & ~chosen
    d, s = inst.e_d, inst.e_s
    d_wants = (load_d[d] < hi_d[d]) | (dk < worst_d[d])
    s_wants = (load_s[s] < hi_s[s]) | (sk < worst_s[s])
    block = np.flatnonzero(cand & d_wants & s_wants & (hi_d[d] > 0) & (hi_s[s] > 0))
    return [(inst.demand_ids[d[e]], inst.supply_ids[s[e]]) for e in block.tolist()]


for _solver in (RankedSolver(), OptimalSolver(), StableSolver(), FairSolver()):
    register(_solver)
