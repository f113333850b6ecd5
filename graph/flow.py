"""Min-cost circulation with lower bounds: OR-Tools fast path and a networkx reference.

A network is given as parallel numpy arrays ``tail, head, lower, upper, cost`` (integers). Lower bounds
are removed the textbook way: each arc carries ``lower`` up front, the node balances absorb it, and
the residual problem ``0 <= f' <= upper - lower`` is a plain min-cost flow with supplies. A circulation
(every node balance zero) needs a return arc, which the callers add (sink -> source).

Precision: solvers need integer costs. :data:`SCALE` = 10**6, so a score ``x`` in [0, 1] becomes the
integer cost ``-round(x * 10**6)``; results are exact for scores rounded to 6 decimals, and the total of
any assignment differs from its exact float total by at most ``0.5e-6`` per chosen pair. OR-Tools
checks that ``max|cost| * (n_nodes + 1)`` fits in int64 (about 9.2e18), which holds far beyond
10**7 nodes at this scale.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SCALE", "solve_circulation", "solve_circulation_networkx", "scale_scores"]

SCALE = 1_000_000


def scale_scores(scores: np.ndarray) -> np.ndarray:
    """Integer costs for maximising a score sum (negated, scaled by :data:`SCALE`).

    Examples
    --------
    >>> scale_scores(np.array([0.5, 1.0, 0.1234567])).tolist()
    [-500000, -1000000, -123457]
    """
    return -np.rint(np.asarray(scores, dtype=np.float64) * SCALE).astype(np.int64)


def solve_circulation(
    n_nodes: int,
    tail: np.ndarray,
    head: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray | None:
    """Minimum-cost circulation with OR-Tools ``SimpleMinCostFlow``.

    Parameters
    ----------
    n_nodes : int
    tail, head : int arrays, arc endpoints in ``range(n_nodes)``.
    lower, upper : int arrays, flow bounds per arc (``0 <= lower <= upper``).
    cost : int array, cost per unit of flow.

    Returns
    -------
    numpy.ndarray or None
        Flow per arc, or ``None`` when no circulation meets the lower bounds.

    Examples
    --------
    >>> # 0 -> 1 two ways, back arc 1 -> 0 must carry at least 1 unit
    >>> f = solve_circulation(2, np.array([0, 0, 1]), np.array([1, 1, 0]),
    ...                       np.array([0, 0, 1]), np.array([1, 1, 1]), np.array([5, 3, 0]))
    >>> f.tolist()
    [0, 1, 1]
    """
    from ortools.graph.python import min_cost_flow

    tail = np.asarray(tail, np.int64)
    head = np.asarray(head, np.int64)
    lower = np.asarray(lower, np.int64)
    upper = np.asarray(upper, np.int64)
    cost = np.asarray(cost, np.int64)
    if (upper < lower).any():
        return None
    supply = np.zeros(n_nodes, np.int64)
    np.subtract.at(supply, tail, lower)
    np.add.at(supply, head, lower)
    # With every balance met by construction there is nothing to route: skip the solver.
    smcf = min_cost_flow.SimpleMinCostFlow()
    if tail.shape[0] == 0:
        return np.zeros(0, np.int64) if not supply.any() else None
    smcf.add_arcs_with_capacity_and_unit_cost(tail, head, upper - lower, cost)
    smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int64), supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        if status == smcf.INFEASIBLE or status == smcf.UNBALANCED:
            return None
        raise RuntimeError(f"OR-Tools min-cost flow failed: {status}")
    return smcf.flows(np.arange(tail.shape[0], dtype=np.int64)) + lower


def solve_circulation_networkx(
    n_nodes: int,
    tail: np.ndarray,
    head: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray | None:
    """Reference for :func:`solve_circulation` using ``networkx.network_simplex``.

    Slow (pure Python); used in tests and benchmarks only. Same contract as
    :func:`solve_circulation`.

    Examples
    --------
    >>> f = solve_circulation_networkx(2, np.array([0, 0, 1]), np.array([1, 1, 0]),
    ...                                np.array([0, 0, 1]), np.array([1, 1, 1]), np.array([5, 3, 0]))
    >>> f.tolist()
    [0, 1, 1]
    """
    import networkx as nx

    g = nx.MultiDiGraph()
    supply = np.zeros(n_nodes, np.int64)
    np.subtract.at(supply, tail, lower)
    np.add.at(supply, head, lower)
    # networkx "demand" is the negated supply.
    g.add_nodes_from((i, {"demand": int(-supply[i])}) for i in range(n_nodes))
    for i, (t, h, lo, up, c) in enumerate(zip(tail, head, lower, upper, cost, strict=True)):
        if up < lo:
            return None
        g.add_edge(int(t), int(h), key=i, capacity=int(up - lo), weight=int(c))
    try:
        _, flow = nx.network_simplex(g)
    except nx.NetworkXUnfeasible:
        return None
    out = np.asarray(lower, np.int64).copy()
    for i, (t, h) in enumerate(zip(tail, head, strict=True)):
        out[i] += flow[int(t)][int(h)][i]
    return out
