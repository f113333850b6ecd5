"""Decode a solver's edge mask into result Structs, with "why not" reasons (解释未选原因).

For every candidate that was not chosen the reason is, in this order:

``forbidden``        the pair is forbidden (conflict, declined);
``unacceptable``     (stable) a participant's explicit preference list leaves the other out;
``below_threshold``  (fair) the score is below the component's fairness threshold ``t``;
``taken_by_higher``  the supply is full and every pair it holds scores at least as high;
``capacity_full``    the supply is full, though it holds a lower-scoring pair — kept because the
                     method's objective (total, minimum loads, fairness, stability) needs it;
``demand_full``      the demand already has its maximum number of partners;
``available``        the supply still has room (a usable backup);
``not_chosen``       none of the above (e.g. a zero score adds nothing to the total).
"""

from __future__ import annotations

import numpy as np

from graph.model import (
    Alternates,
    Assignment,
    Candidate,
    ChosenPair,
    Instance,
    Shortfall,
    Unmatched,
    fmt_score,
)
from graph.solvers import SolveOutput, edge_ranks

__all__ = ["decode"]

_CODES = (
    "forbidden",
    "unacceptable",
    "below_threshold",
    "taken_by_higher",
    "capacity_full",
    "demand_full",
    "available",
    "not_chosen",
)


def _reasons(inst: Instance, out: SolveOutput, load_d, load_s, hold_d, hold_score):
    """Reason code index (into ``_CODES``) for every edge (chosen edges get -1)."""
    d, s, sc = inst.e_d, inst.e_s, inst.e_score
    code = np.full(inst.n_edges, 7, np.int64)
    s_full = load_s[s] >= inst.smax[s]
    d_full = load_d[d] >= inst.dmax[d]
    code[~d_full & ~s_full] = 6
    code[d_full] = 5
    if out.exclusive:
        # A full demand passing over a candidate no better than its worst partner is "demand_full";
        # otherwise the supply side is the binding reason.
        worst_d = np.full(inst.n_demands, np.inf)
        np.minimum.at(worst_d, d[out.chosen], sc[out.chosen])
        supply_binds = s_full & ~(d_full & (sc <= worst_d[d]))
        taken = supply_binds & (hold_score[s] >= sc)
        code[supply_binds & ~taken] = 4
        code[taken] = 3
    if out.threshold is not None:
        thr = out.threshold[d]
        code[~np.isnan(thr) & (sc < thr)] = 2
    if out.unacceptable is not None:
        code[out.unacceptable] = 1
    code[out.chosen] = -1
    return code


def _detail(
    code: str,
    inst: Instance,
    s: int,
    score: float,
    holder: int,
    hscore: float,
    thr: float,
    method: str,
) -> str:
    sid = inst.supply_ids[s]
    if code == "forbidden":
        return f"与 {sid} 的配对被禁止（冲突或已拒绝）"
    if code == "unacceptable":
        return f"按明确偏好，{sid} 与该需求互不接受"
    if code == "below_threshold":
        return f"得分 {fmt_score(score)} 低于公平阈值 {fmt_score(thr)}"
    if code == "taken_by_higher":
        return (
            f"{sid} 已满（{inst.smax[s]} 个名额），被得分更高的 {inst.demand_ids[holder]}"
            f"（{fmt_score(hscore)}）等占用"
        )
    if code == "capacity_full":
        if inst.smax[s] == 0:
            return f"{sid} 容量为 0"
        why = "按偏好与稳定性" if method == "stable" else "为整体目标（总分、最低负载或公平）"
        return (
            f"{sid} 已满（{inst.smax[s]} 个名额）；{why}保留了得分较低的 "
            f"{inst.demand_ids[holder]}（{fmt_score(hscore)}）"
        )
    if code == "demand_full":
        return "该需求的名额已用完"
    if code == "available":
        return f"{sid} 仍有空位，可作候补"
    return "未被选中（得分无增益）"


def decode(
    inst: Instance, method: str, out: SolveOutput, n_alternates: int = 3, n_components: int = 0
) -> Assignment:
    """Turn a solver's edge mask into an :class:`~graph.model.Assignment`.

    Examples
    --------
    >>> from graph.model import encode
    >>> from graph.solvers import get_solver, SolveOptions
    >>> inst = encode([("d1", "s1", 0.9), ("d2", "s1", 0.8), ("d2", "s2", 0.1)])
    >>> res = decode(inst, "optimal", get_solver("optimal").solve(inst, SolveOptions()))
    >>> [(p.demand_id, p.supply_id) for p in res.pairs]
    [('d1', 's1'), ('d2', 's2')]
    """
    nd, ns = inst.n_demands, inst.n_supplies
    ch = out.chosen
    d_rank, s_rank = edge_ranks(inst)
    load_d = np.bincount(inst.e_d[ch], minlength=nd)
    load_s = np.bincount(inst.e_s[ch], minlength=ns)
    # Weakest holder per supply: lowest-scoring chosen pair there.
    ce = np.flatnonzero(ch)
    hold_d = np.full(ns, -1, np.int64)
    hold_score = np.full(ns, np.inf)
    if ce.shape[0]:
        o = ce[np.lexsort((inst.e_score[ce], inst.e_s[ce]))]
        sup, first = np.unique(inst.e_s[o], return_index=True)
        hold_d[sup] = inst.e_d[o[first]]
        hold_score[sup] = inst.e_score[o[first]]
    code = _reasons(inst, out, load_d, load_s, hold_d, hold_score)

    # Chosen pairs, by demand then rank.
    o = ce[np.lexsort((d_rank[ce], inst.e_d[ce]))]
    did, sid = inst.demand_ids, inst.supply_ids
    ed, es, esc, epin = (
        inst.e_d.tolist(),
        inst.e_s.tolist(),
        inst.e_score.tolist(),
        inst.e_pinned.tolist(),
    )
    dr, sr = d_rank.tolist(), s_rank.tolist()
    pairs = tuple(
        ChosenPair(
            demand_id=did[ed[e]],
            supply_id=sid[es[e]],
            score=esc[e],
            rank=dr[e],
            supply_rank=sr[e],
            pinned=epin[e],
        )
        for e in o.tolist()
    )

    # Candidates per demand: unchosen edges and forbidden pairs, best first.
    nf = inst.f_d.shape[0]
    un = np.flatnonzero(~ch)
    c_d = np.concatenate([inst.e_d[un], inst.f_d])
    c_s = np.concatenate([inst.e_s[un], inst.f_s])
    c_sc = np.concatenate([inst.e_score[un], inst.f_score])
    c_code = np.concatenate([code[un], np.zeros(nf, np.int64)])
    unmatched_d = load_d == 0
    keep_n = np.where(unmatched_d, max(n_alternates, 3), n_alternates)
    if c_d.shape[0]:
        order = np.lexsort((c_s, -c_sc, c_d))
        counts = np.bincount(c_d, minlength=nd)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pos = np.arange(order.shape[0]) - np.repeat(starts, counts)
        sel = order[pos < keep_n[c_d[order]]]
    else:
        sel = np.zeros(0, np.int64)
    thr = out.threshold
    per_d: dict[int, list[Candidate]] = {}
    hold_l, hsc_l = hold_d.tolist(), hold_score.tolist()
    for i in sel.tolist():
        d, s, score, cd = int(c_d[i]), int(c_s[i]), float(c_sc[i]), _CODES[int(c_code[i])]
        held = cd in ("taken_by_higher", "capacity_full") and hold_l[s] >= 0
        per_d.setdefault(d, []).append(
            Candidate(
                supply_id=sid[s],
                score=score,
                reason=cd,
                detail=_detail(
                    cd,
                    inst,
                    s,
                    score,
                    hold_l[s],
                    hsc_l[s],
                    float(thr[d]) if thr is not None else 0.0,
                    method,
                ),
                holder_id=did[hold_l[s]] if held else None,
                holder_score=hsc_l[s] if held else None,
            )
        )
    alternates = tuple(
        Alternates(demand_id=did[d], candidates=tuple(per_d[d]))
        for d in range(nd)
        if not unmatched_d[d] and d in per_d
    )
    n_cand = np.bincount(inst.e_d, minlength=nd)
    unmatched = []
    for d in np.flatnonzero(unmatched_d).tolist():
        cands = tuple(per_d.get(d, ()))
        if inst.dmax[d] == 0:
            reason, detail = "no_capacity", "该需求的最高负载为 0"
        elif n_cand[d] == 0:
            reason = "no_candidates"
            detail = "没有可用候选" + ("（候选均被禁止）" if cands else "")
        else:
            reason = "not_chosen"
            detail = "最佳候选均未分配给该需求：" + "；".join(c.detail for c in cands[:3])
        unmatched.append(
            Unmatched(demand_id=did[d], reason=reason, detail=detail, candidates=cands)
        )

    shortfalls: list[Shortfall] = []
    if not out.enforces_min:
        for d in np.flatnonzero(load_d < inst.dmin).tolist():
            shortfalls.append(
                Shortfall(id=did[d], side="demand", min=int(inst.dmin[d]), got=int(load_d[d]))
            )
        for s in np.flatnonzero(load_s < inst.smin).tolist():
            shortfalls.append(
                Shortfall(id=sid[s], side="supply", min=int(inst.smin[s]), got=int(load_s[s]))
            )
    free_ch = ch & ~inst.e_pinned
    supply_top: tuple = ()
    if out.supply_top is not None:
        supply_top = tuple((sid[s], tuple(did[d] for d in lst)) for s, lst in out.supply_top)
    return Assignment(
        method=method,
        pairs=pairs,
        alternates=alternates,
        unmatched=tuple(unmatched),
        shortfalls=tuple(shortfalls),
        total_score=float(inst.e_score[ch].sum()),
        n_components=n_components,
        min_score=float(inst.e_score[free_ch].min()) if free_ch.any() else None,
        supply_top=supply_top,
    )
