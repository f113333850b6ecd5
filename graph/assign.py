"""Entry points: :func:`assign`, :func:`solve_instance`, :func:`build_graph` (分配入口).

The flow is encoder → solver → decoder: :func:`graph.model.encode` validates plain values into
arrays, a registered solver (:mod:`graph.solvers`) returns an edge mask, and
:func:`graph.explain.decode` builds frozen result Structs with "why not" reasons.
"""

from __future__ import annotations

from typing import Any, Literal

import networkx as nx

from graph.errors import InputError
from graph.explain import decode
from graph.model import Assignment, Instance, encode
from graph.solvers import SolveOptions, SolveOutput, get_solver

__all__ = ["assign", "assign_instance", "solve_instance", "build_graph", "graph_components"]


def _options(proposing: str, k: int | None, n_alternates: int) -> SolveOptions:
    if proposing not in ("demand", "supply"):
        raise InputError(
            f"proposing 须为 demand 或 supply，收到 {proposing!r} (invalid proposing side)",
            field="proposing",
        )
    if k is not None and k < 0:
        raise InputError(f"k 不能为负：{k} (k must be >= 0)", field="k")
    if n_alternates < 0:
        raise InputError(f"n_alternates 不能为负：{n_alternates}", field="n_alternates")
    return SolveOptions(proposing=proposing, k=k, n_alternates=n_alternates)  # type: ignore[arg-type]


def solve_instance(
    inst: Instance,
    method: str = "optimal",
    *,
    proposing: Literal["demand", "supply"] = "demand",
    k: int | None = None,
) -> SolveOutput:
    """Run a method on an encoded instance and return the raw edge mask (the fast path).

    Examples
    --------
    >>> inst = encode([("d1", "s1", 0.9), ("d2", "s1", 0.8), ("d2", "s2", 0.1)])
    >>> solve_instance(inst, "optimal").chosen.tolist()
    [True, False, True]
    """
    return get_solver(method).solve(inst, _options(proposing, k, 0))


def assign_instance(
    inst: Instance,
    method: str = "optimal",
    *,
    proposing: Literal["demand", "supply"] = "demand",
    k: int | None = None,
    n_alternates: int = 3,
) -> Assignment:
    """Like :func:`assign`, on an already encoded :class:`~graph.model.Instance`.

    Examples
    --------
    >>> inst = encode([("d1", "s1", 0.9)])
    >>> assign_instance(inst, "stable").pairs[0].supply_id
    's1'
    """
    opts = _options(proposing, k, n_alternates)
    out = get_solver(method).solve(inst, opts)
    n_comp = inst.component_labels()[0]
    return decode(inst, method, out, n_alternates=n_alternates, n_components=n_comp)


def assign(
    pairs: Any,
    loads: Any = (),
    pins: Any = (),
    forbids: Any = (),
    preferences: Any = (),
    method: str = "optimal",
    *,
    proposing: Literal["demand", "supply"] = "demand",
    k: int | None = None,
    n_alternates: int = 3,
) -> Assignment:
    """Pair demands with supplies.

    Parameters
    ----------
    pairs : sequence of ``(demand_id, supply_id, score)`` (tuples, dicts or
        :class:`~graph.model.ScoredPair`), score in [0, 1].
    loads : sequence of ``(id, side, min, max)`` / :class:`~graph.model.Load`; default 0..1 per node.
    pins : pairs that must be in the result (already agreed).
    forbids : pairs that must not be (conflicts, declined).
    preferences : explicit :class:`~graph.model.Preference` lists (``stable`` only).
    method : ``"optimal"``, ``"stable"``, ``"fair"`` or ``"ranked"`` (see :mod:`graph.solvers`).
    proposing : proposing side for ``stable``.
    k : list length per demand for ``ranked``.
    n_alternates : backup candidates reported per matched demand (unmatched demands get at least 3).

    Returns
    -------
    Assignment

    Raises
    ------
    InputError, InfeasibleError, UnknownMethodError

    Examples
    --------
    >>> res = assign([("d1", "s1", 0.9), ("d2", "s1", 0.8), ("d2", "s2", 0.1)])
    >>> [(p.demand_id, p.supply_id, p.score) for p in res.pairs]
    [('d1', 's1', 0.9), ('d2', 's2', 0.1)]
    >>> res = assign([("d1", "s1", 0.9), ("d2", "s1", 0.8)])
    >>> res.unmatched[0].candidates[0].reason
    'taken_by_higher'
    """
    inst = encode(pairs, loads, pins, forbids, preferences)
    return assign_instance(inst, method, proposing=proposing, k=k, n_alternates=n_alternates)


def build_graph(inst: Instance) -> tuple[nx.Graph, set, set]:
    """The instance as a networkx bipartite graph, with explicit node sets.

    Nodes are ``("demand", id)`` and ``("supply", id)`` tuples (so equal ids on the two sides never
    collide), with ``bipartite`` 0/1 and ``min``/``max`` attributes; edges carry ``score`` and
    ``pinned``. Forbidden pairs are not edges.

    Returns
    -------
    (graph, demand_nodes, supply_nodes)

    Examples
    --------
    >>> g, top, bottom = build_graph(encode([("x", "x", 0.5)]))
    >>> sorted(g.edges(data="score"))
    [(('demand', 'x'), ('supply', 'x'), 0.5)]
    >>> nx.bipartite.is_bipartite_node_set(g, top)
    True
    """
    g = nx.Graph()
    top = {("demand", i) for i in inst.demand_ids}
    bottom = {("supply", i) for i in inst.supply_ids}
    g.add_nodes_from(
        (("demand", i), {"bipartite": 0, "min": int(lo), "max": int(hi)})
        for i, lo, hi in zip(inst.demand_ids, inst.dmin, inst.dmax, strict=True)
    )
    g.add_nodes_from(
        (("supply", i), {"bipartite": 1, "min": int(lo), "max": int(hi)})
        for i, lo, hi in zip(inst.supply_ids, inst.smin, inst.smax, strict=True)
    )
    did, sid = inst.demand_ids, inst.supply_ids
    g.add_edges_from(
        (("demand", did[d]), ("supply", sid[s]), {"score": sc, "pinned": p})
        for d, s, sc, p in zip(
            inst.e_d.tolist(),
            inst.e_s.tolist(),
            inst.e_score.tolist(),
            inst.e_pinned.tolist(),
            strict=True,
        )
    )
    return g, top, bottom


def graph_components(inst: Instance) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Connected components as ``(demand_ids, supply_ids)``, via networkx (the reference).

    Examples
    --------
    >>> comps = graph_components(encode([("a", "s", 0.5), ("b", "t", 0.5)]))
    >>> sorted(sorted(d) for d, _ in comps)
    [['a'], ['b']]
    """
    g, _, _ = build_graph(inst)
    out = []
    for comp in nx.connected_components(g):
        out.append(
            (
                frozenset(n[1] for n in comp if n[0] == "demand"),
                frozenset(n[1] for n in comp if n[0] == "supply"),
            )
        )
    return out
