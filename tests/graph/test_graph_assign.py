"""Assignment methods against independent oracles: scipy, brute force, OR-Library, networkx."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from graph import (
    GraphError,
    InfeasibleError,
    InputError,
    UnknownMethodError,
    assign,
    build_graph,
    encode,
    graph_components,
    solve_instance,
)
from graph.flow import solve_circulation, solve_circulation_networkx

ASSIGN100 = Path("/work/shared/data/orlib/assign100.txt")


def _dense_pairs(w: np.ndarray) -> list[tuple[str, str, float]]:
    return [
        (f"d{i}", f"s{j}", float(w[i, j])) for i in range(w.shape[0]) for j in range(w.shape[1])
    ]


@pytest.mark.parametrize("seed", range(8))
def test_optimal_matches_scipy_on_random_one_to_one(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(3, 25, size=2)
    w = np.round(rng.random((n, m)), 3)
    res = assign(_dense_pairs(w), method="optimal")
    r, c = linear_sum_assignment(w, maximize=True)
    assert res.total_score == pytest.approx(w[r, c].sum(), abs=1e-9)
    # a matching: nobody twice
    assert len({p.demand_id for p in res.pairs}) == len(res.pairs)
    assert len({p.supply_id for p in res.pairs}) == len(res.pairs)


@pytest.mark.parametrize("seed", range(4))
def test_optimal_perfect_matching_with_min_loads_matches_scipy(seed):
    rng = np.random.default_rng(100 + seed)
    n = 30
    w = rng.random((n, n))
    loads = [(f"d{i}", "demand", 1, 1) for i in range(n)] + [
        (f"s{j}", "supply", 1, 1) for j in range(n)
    ]
    # Minimising the sum forced by min loads: a low-score perfect matching must still be complete.
    res = assign(_dense_pairs(1 - w), loads=loads, method="optimal")
    assert len(res.pairs) == n
    r, c = linear_sum_assignment(w)
    assert sum(1 - p.score for p in res.pairs) == pytest.approx(w[r, c].sum(), abs=1e-4)


def test_orlib_assign100_reproduces_published_optimum():
    nums = [int(x) for x in ASSIGN100.read_text().split()]
    n, costs = nums[0], np.array(nums[1:], dtype=np.int64).reshape(nums[0], nums[0])
    lo, hi = costs.min(), costs.max()
    score = (hi - costs) / (hi - lo)  # min cost <=> max score under a perfect matching
    loads = [(f"r{i}", "demand", 1, 1) for i in range(n)] + [
        (f"c{j}", "supply", 1, 1) for j in range(n)
    ]
    pairs = [(f"r{i}", f"c{j}", float(score[i, j])) for i in range(n) for j in range(n)]
    res = assign(pairs, loads=loads, method="optimal", n_alternates=0)
    total = sum(int(costs[int(p.demand_id[1:]), int(p.supply_id[1:])]) for p in res.pairs)
    assert len(res.pairs) == n
    assert total == 305


# ------------------------------------------------------------------ brute force


@st.composite
def tiny_instances(draw):
    nd = draw(st.integers(1, 3))
    ns = draw(st.integers(1, 3))
    all_pairs = [(d, s) for d in range(nd) for s in range(ns)]
    chosen = draw(st.lists(st.sampled_from(all_pairs), min_size=1, max_size=7, unique=True))
    scores = draw(
        st.lists(
            st.sampled_from([0.1, 0.2, 0.35, 0.5, 0.8, 1.0]),
            min_size=len(chosen),
            max_size=len(chosen),
        )
    )
    pairs = [(f"d{d}", f"s{s}", sc) for (d, s), sc in zip(chosen, scores, strict=True)]
    loads = []
    for d in range(nd):
        hi = draw(st.integers(0, 2))
        loads.append((f"d{d}", "demand", draw(st.integers(0, hi)), hi))
    for s in range(ns):
        hi = draw(st.integers(0, 3))
        loads.append((f"s{s}", "supply", draw(st.integers(0, min(hi, 1))), hi))
    pins = draw(st.lists(st.sampled_from([(p[0], p[1]) for p in pairs]), max_size=1, unique=True))
    return pairs, loads, pins


def _feasible_subsets(pairs, loads, pins):
    lim = {(i, side): (lo, hi) for i, side, lo, hi in loads}
    pinset = set(pins)
    for mask in itertools.product([0, 1], repeat=len(pairs)):
        sub = [p for p, b in zip(pairs, mask, strict=True) if b]
        if not pinset <= {(p[0], p[1]) for p in sub}:
            continue
        cd: dict[str, int] = {}
        cs: dict[str, int] = {}
        for d, s, _ in sub:
            cd[d] = cd.get(d, 0) + 1
            cs[s] = cs.get(s, 0) + 1
        if all(
            lo <= (cd if side == "demand" else cs).get(i, 0) <= hi
            for (i, side), (lo, hi) in lim.items()
        ):
            yield sub


def _components(pairs):
    g = nx.Graph()
    g.add_edges_from((("d", d), ("s", s)) for d, s, _ in pairs)
    return [{n[1] for n in c if n[0] == "d"} for c in nx.connected_components(g)]


def _fair_key(sub, comp_demands, pins, pairs):
    """(matched demands, threshold t, total) as documented in graph.solvers for ``fair``."""
    mine = [p for p in sub if p[0] in comp_demands]
    free = [p[2] for p in mine if (p[0], p[1]) not in set(pins)]
    levels = [p[2] for p in pairs if p[0] in comp_demands and (p[0], p[1]) not in set(pins)]
    t = min(free + [max(levels)]) if levels else None
    return (len({p[0] for p in mine}), t, round(sum(p[2] for p in mine), 9))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_optimal_and_fair_equal_brute_force(inst):
    pairs, loads, pins = inst
    subs = list(_feasible_subsets(pairs, loads, pins))
    maxload = {(i, side): hi for i, side, _, hi in loads}
    over = any(
        sum(p[k] == i for p in pins) > maxload[(i, side)]
        for (i, side) in maxload
        for k in [0 if side == "demand" else 1]
    )
    if over:  # more pins than a maximum load: an input contradiction, not an optimisation failure
        with pytest.raises(InputError):
            assign(pairs, loads=loads, pins=pins)
        return
    if not subs:
        for method in ("optimal", "fair"):
            with pytest.raises(InfeasibleError):
                assign(pairs, loads=loads, pins=pins, method=method)
        return
    best = max(sum(p[2] for p in s) for s in subs)
    res = assign(pairs, loads=loads, pins=pins, method="optimal")
    assert res.total_score == pytest.approx(best, abs=1e-9)
    got = [(p.demand_id, p.supply_id, p.score) for p in res.pairs]
    assert any(sorted(got) == sorted(s) for s in subs)  # feasible and containing the pins

    fair = assign(pairs, loads=loads, pins=pins, method="fair")
    fgot = [(p.demand_id, p.supply_id, p.score) for p in fair.pairs]
    assert any(sorted(fgot) == sorted(s) for s in subs)
    for comp in _components(pairs):
        want = max(_fair_key(s, comp, pins, pairs) for s in subs)
        have = _fair_key(fgot, comp, pins, pairs)
        assert have[:2] == want[:2]  # count, then threshold
        assert have[2] == pytest.approx(want[2], abs=1e-9)


def test_fair_prefers_more_matches_then_worst_off():
    # optimal takes d1-s1 (1.0) + d2-s2 (0.1): total 1.1. fair raises the worst-off pair to 0.5.
    pairs = [("d1", "s1", 1.0), ("d1", "s2", 0.5), ("d2", "s1", 0.5), ("d2", "s2", 0.1)]
    opt = assign(pairs, method="optimal")
    fair = assign(pairs, method="fair")
    assert opt.total_score == pytest.approx(1.1)
    assert {(p.demand_id, p.supply_id) for p in fair.pairs} == {("d1", "s2"), ("d2", "s1")}
    assert fair.min_score == 0.5


def test_fair_counts_matched_demands_first():
    # d1 could take s1 at 0.9, but then d2 (only s1) stays alone; fair matches both.
    pairs = [("d1", "s1", 0.9), ("d1", "s2", 0.2), ("d2", "s1", 0.3)]
    fair = assign(pairs, method="fair")
    assert {p.demand_id for p in fair.pairs} == {"d1", "d2"}


# ------------------------------------------------------------------ flow reference


@pytest.mark.parametrize("seed", range(10))
def test_ortools_circulation_equals_networkx_network_simplex(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 12))
    m = int(rng.integers(n, 4 * n))
    tail = rng.integers(0, n, m)
    head = (tail + rng.integers(1, n, m)) % n
    upper = rng.integers(0, 5, m)
    lower = np.where(rng.random(m) < 0.2, rng.integers(0, 2, m), 0)
    lower = np.minimum(lower, upper)
    cost = rng.integers(-20, 20, m)
    a = solve_circulation(n, tail, head, lower, upper, cost)
    b = solve_circulation_networkx(n, tail, head, lower, upper, cost)
    assert (a is None) == (b is None)
    if a is not None:
        assert int(a @ cost) == int(b @ cost)
        for f in (a, b):
            assert (f >= lower).all() and (f <= upper).all()
            bal = np.zeros(n, np.int64)
            np.add.at(bal, head, f)
            np.subtract.at(bal, tail, f)
            assert not bal.any()


# ------------------------------------------------------------------ errors and explanations


def test_infeasible_min_load_names_the_culprit_and_a_fix():
    pairs = [("d1", "s1", 0.9), ("d2", "s1", 0.8)]
    loads = [("s1", "supply", 0, 1), ("d1", "demand", 1, 1), ("d2", "demand", 1, 1)]
    with pytest.raises(InfeasibleError) as ei:
        assign(pairs, loads=loads, method="optimal")
    err = ei.value
    assert set(err.demands) & {"d1", "d2"}
    assert "s1" in str(err) and "最低负载" in str(err)
    assert err.hints


def test_infeasible_when_node_has_too_few_candidates():
    with pytest.raises(InfeasibleError) as ei:
        assign([("d1", "s1", 0.5)], loads=[("s2", "supply", 1, 2)], method="fair")
    assert ei.value.supplies == ("s2",)
    assert "增加候选" in str(ei.value)


def test_why_not_reasons():
    pairs = [("d1", "s1", 0.9), ("d2", "s1", 0.8), ("d2", "s2", 0.7), ("d3", "s2", 0.95)]
    res = assign(pairs, forbids=[("d2", "s2")], method="optimal")
    (un,) = res.unmatched
    assert un.demand_id == "d2" and un.reason == "not_chosen"
    by = {c.supply_id: c for c in un.candidates}
    assert by["s1"].reason == "taken_by_higher" and by["s1"].holder_id == "d1"
    assert by["s2"].reason == "forbidden"


def test_capacity_full_when_holder_scores_lower():
    # optimal gives s1 to d2 (0.8) so that d1 takes s2: d1's s1 is held by a lower pair.
    pairs = [("d1", "s1", 0.9), ("d1", "s2", 0.85), ("d2", "s1", 0.8)]
    res = assign(pairs, method="optimal")
    (alt,) = [a for a in res.alternates if a.demand_id == "d1"]
    assert alt.candidates[0].reason == "capacity_full"
    assert alt.candidates[0].holder_id == "d2"


def test_no_candidates_and_pins():
    res = assign(
        [("d1", "s1", 0.2), ("d2", "s1", 0.9)], loads=[("d3", "demand", 0, 1)], pins=[("d1", "s1")]
    )
    assert [(p.demand_id, p.pinned) for p in res.pairs] == [("d1", True)]
    reasons = {u.demand_id: u.reason for u in res.unmatched}
    assert reasons == {"d2": "not_chosen", "d3": "no_candidates"}


def test_same_id_on_both_sides_does_not_collide():
    inst = encode([("x", "x", 0.5), ("x", "y", 0.4), ("y", "x", 0.3)])
    g, top, bottom = build_graph(inst)
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 3
    assert nx.bipartite.is_bipartite_node_set(g, top) and not top & bottom


@pytest.mark.parametrize("seed", range(3))
def test_component_labels_agree_with_networkx(seed):
    rng = np.random.default_rng(seed)
    pairs = {(f"d{rng.integers(40)}", f"s{rng.integers(40)}") for _ in range(35)}
    inst = encode([(d, s, 0.5) for d, s in sorted(pairs)])
    k, ld, ls = inst.component_labels()
    ref = graph_components(inst)
    assert k == len(ref)
    for dset, sset in ref:
        labels = {ld[inst.demand_ids.index(d)] for d in dset} | {
            ls[inst.supply_ids.index(s)] for s in sset
        }
        assert len(labels) == 1


def test_ranked_top_k_and_supply_lists():
    pairs = [("d1", "s1", 0.9), ("d1", "s2", 0.8), ("d1", "s3", 0.1), ("d2", "s1", 0.95)]
    res = assign(pairs, method="ranked", k=2)
    assert [(p.demand_id, p.supply_id, p.rank) for p in res.pairs] == [
        ("d1", "s1", 1),
        ("d1", "s2", 2),
        ("d2", "s1", 1),
    ]
    assert dict(res.supply_top)["s1"] == ("d2",)  # s1 max load 1: its single best demand
    assert res.alternates[0].candidates[0].supply_id == "s3"


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"pairs": [("d", "s", 1.5)]}, "不在 [0, 1]"),
        ({"pairs": [("d", "s", 0.5), ("d", "s", 0.2)]}, "配对重复"),
        ({"pairs": [("d", "s", 0.5)], "pins": [("d", "t")]}, "不在候选配对"),
        (
            {"pairs": [("d", "s", 0.5)], "pins": [("d", "s")], "forbids": [("d", "s")]},
            "既被锁定又被禁止",
        ),
        ({"pairs": [("d", "s", 0.5)], "loads": [("d", "demand", 2, 1)]}, "大于最高负载"),
        ({"pairs": [("d", "s", 0.5)], "loads": [("d", "both", 0, 1)]}, "loads"),
        ({"pairs": [("", "s", 0.5)]}, "demand_id"),
    ],
)
def test_input_errors_name_the_culprit(kwargs, needle):
    with pytest.raises(InputError) as ei:
        assign(**kwargs)
    assert needle in str(ei.value)
    assert isinstance(ei.value, GraphError)


def test_unknown_method():
    with pytest.raises(UnknownMethodError) as ei:
        assign([("d", "s", 0.5)], method="greedy")
    assert "optimal" in str(ei.value)


def test_fast_path_columns_equal_tuple_input():
    rng = np.random.default_rng(7)
    d = [f"d{i}" for i in rng.integers(0, 50, 300)]
    s = [f"s{i}" for i in rng.integers(0, 50, 300)]
    seen, rows = set(), []
    for a, b in zip(d, s, strict=True):
        if (a, b) not in seen:
            seen.add((a, b))
            rows.append((a, b, float(rng.random())))
    cols = ([r[0] for r in rows], [r[1] for r in rows], np.array([r[2] for r in rows]))
    a = solve_instance(encode(cols), "optimal").chosen
    b = solve_instance(encode(rows), "optimal").chosen
    assert (a == b).all()
