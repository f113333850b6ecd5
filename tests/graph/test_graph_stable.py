"""``stable`` against daffidwilde's ``matching`` package and a brute-force stability check.

The reference is matching 1.4.3 vendored as ``tests/oracles/daffidwilde_matching`` (the PyPI
distribution's top-level ``matching`` would shadow this project's own ``matching/`` package).
"""

from __future__ import annotations

import itertools
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import Preference, assign, blocking_pairs, encode, solve_instance


def _load_hospital_resident():
    try:
        from daffidwilde_matching.games import HospitalResident as hr
    except ImportError:  # pytest not configured to put tests/oracles on sys.path
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracles"))
        from daffidwilde_matching.games import HospitalResident as hr
    return hr


HospitalResident = _load_hospital_resident()


def _random_hr(seed: int):
    rng = np.random.default_rng(seed)
    nr, nh = int(rng.integers(5, 40)), int(rng.integers(2, 12))
    acc = {(r, h) for r in range(nr) for h in range(nh) if rng.random() < 0.4}
    for r in range(nr):  # the reference wants non-empty lists on both sides
        acc.add((r, int(rng.integers(nh))))
    for h in range(nh):
        acc.add((int(rng.integers(nr)), h))
    rp = {f"r{r}": [f"h{h}" for h in rng.permutation(nh) if (r, h) in acc] for r in range(nr)}
    hp = {f"h{h}": [f"r{r}" for r in rng.permutation(nr) if (r, h) in acc] for h in range(nh)}
    caps = {f"h{h}": int(rng.integers(1, 4)) for h in range(nh)}
    return rp, hp, caps, rng


def _ours(rp, hp, caps, rng, proposing):
    pairs = [(r, h, float(rng.random())) for r, hs in rp.items() for h in hs]  # scores ignored
    prefs = [Preference(id=r, side="demand", ranking=hs) for r, hs in rp.items()]
    prefs += [Preference(id=h, side="supply", ranking=rs) for h, rs in hp.items()]
    loads = [(h, "supply", 0, c) for h, c in caps.items()]
    res = assign(pairs, loads=loads, preferences=prefs, method="stable", proposing=proposing)
    inst = encode(pairs, loads=loads, preferences=prefs)
    return {(p.demand_id, p.supply_id) for p in res.pairs}, inst


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("proposing", "optimal"), [("demand", "resident"), ("supply", "hospital")])
def test_stable_equals_reference_package(seed, proposing, optimal):
    rp, hp, caps, rng = _random_hr(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(rp, hp, caps)
        ref = game.solve(optimal=optimal)
        assert game.check_stability()
    want = {(r.name, h.name) for h, rs in ref.items() for r in rs}
    got, inst = _ours(rp, hp, caps, rng, proposing)
    assert got == want
    chosen = solve_instance(inst, "stable", proposing=proposing).chosen
    assert blocking_pairs(inst, chosen) == []


def _naive_blocking(pairs, chosen, cap_d, cap_s):
    """Independent double-loop check with score preferences (ties by the other side's id)."""
    score = {(d, s): sc for d, s, sc in pairs}
    part_d: dict[str, list[str]] = {}
    part_s: dict[str, list[str]] = {}
    for d, s in chosen:
        part_d.setdefault(d, []).append(s)
        part_s.setdefault(s, []).append(d)

    def d_prefers(d, s, s2):  # d prefers s to s2
        return (-score[(d, s)], s) < (-score[(d, s2)], s2)

    def s_prefers(s, d, d2):
        return (-score[(d, s)], d) < (-score[(d2, s)], d2)

    out = []
    for d, s, _ in pairs:
        if (d, s) in chosen:
            continue
        pd, ps = part_d.get(d, []), part_s.get(s, [])
        dw = cap_d.get(d, 1) > 0 and (
            len(pd) < cap_d.get(d, 1) or any(d_prefers(d, s, x) for x in pd)
        )
        sw = cap_s.get(s, 1) > 0 and (
            len(ps) < cap_s.get(s, 1) or any(s_prefers(s, d, x) for x in ps)
        )
        if dw and sw:
            out.append((d, s))
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10_000),
    st.sampled_from(["demand", "supply"]),
)
def test_many_to_many_stable_has_no_blocking_pair(seed, proposing):
    rng = np.random.default_rng(seed)
    nd, ns = int(rng.integers(1, 15)), int(rng.integers(1, 15))
    pairs = [
        (f"d{d}", f"s{s}", float(rng.choice([0.2, 0.5, 0.7, 0.9])))  # ties on purpose
        for d in range(nd)
        for s in range(ns)
        if rng.random() < 0.5
    ]
    if not pairs:
        return
    cap_d = {f"d{d}": int(rng.integers(0, 4)) for d in range(nd)}
    cap_s = {f"s{s}": int(rng.integers(0, 4)) for s in range(ns)}
    loads = [(k, "demand", 0, v) for k, v in cap_d.items()] + [
        (k, "supply", 0, v) for k, v in cap_s.items()
    ]
    res = assign(pairs, loads=loads, method="stable", proposing=proposing)
    chosen = {(p.demand_id, p.supply_id) for p in res.pairs}
    assert _naive_blocking(pairs, chosen, cap_d, cap_s) == []
    for d, c in cap_d.items():
        assert sum(1 for x in chosen if x[0] == d) <= c
    for s, c in cap_s.items():
        assert sum(1 for x in chosen if x[1] == s) <= c


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_demand_proposing_is_demand_optimal_by_brute_force(seed):
    """Every demand gets its best partner over all stable matchings (one-to-many case)."""
    rng = np.random.default_rng(seed)
    nd, ns = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    pairs = [
        (f"d{d}", f"s{s}", float(rng.random()))
        for d in range(nd)
        for s in range(ns)
        if rng.random() < 0.7
    ]
    if not pairs or len(pairs) > 10:
        return
    cap_s = {f"s{s}": int(rng.integers(1, 3)) for s in range(ns)}
    loads = [(k, "supply", 0, v) for k, v in cap_s.items()]
    res = assign(pairs, loads=loads, method="stable")
    got = {p.demand_id: p.score for p in res.pairs}
    best: dict[str, float] = {}
    for mask in itertools.product([0, 1], repeat=len(pairs)):
        sub = {(d, s) for (d, s, _), b in zip(pairs, mask, strict=True) if b}
        if any(sum(1 for x in sub if x[0] == d) > 1 for d, _, _ in pairs):
            continue
        if any(sum(1 for x in sub if x[1] == s) > c for s, c in cap_s.items()):
            continue
        if _naive_blocking(pairs, sub, {}, cap_s):
            continue
        for d, s, sc in pairs:
            if (d, s) in sub:
                best[d] = max(best.get(d, -1.0), sc)
    assert got == best


def test_pins_take_capacity_and_preferences_from_scores_break_ties_by_id():
    pairs = [("d1", "s1", 0.5), ("d2", "s1", 0.5), ("d3", "s1", 0.9)]
    res = assign(pairs, loads=[("s1", "supply", 0, 2)], pins=[("d3", "s1")], method="stable")
    assert {(p.demand_id, p.supply_id, p.pinned) for p in res.pairs} == {
        ("d3", "s1", True),
        ("d1", "s1", False),
    }
    (un,) = res.unmatched
    assert un.demand_id == "d2" and un.candidates[0].reason == "taken_by_higher"


def test_stable_reports_min_shortfalls_instead_of_failing():
    res = assign([("d1", "s1", 0.5)], loads=[("s1", "supply", 2, 2)], method="stable")
    assert [(s.id, s.min, s.got) for s in res.shortfalls] == [("s1", 2, 1)]


def test_explicit_preference_makes_pair_unacceptable():
    pairs = [("d1", "s1", 0.9), ("d1", "s2", 0.3)]
    prefs = [Preference(id="s1", side="supply", ranking=[])]
    res = assign(pairs, preferences=prefs, method="stable")
    assert [(p.supply_id) for p in res.pairs] == ["s2"]
    assert res.alternates[0].candidates[0].reason == "unacceptable"
