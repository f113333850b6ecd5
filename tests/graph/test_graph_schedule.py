"""Scheduling: no double booking, König's Δ slots, table limits, brute force, repair."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from graph import ScheduleError
from graph.schedule import Placement, check_schedule, repair, schedule

SLOTS = [f"s{i:03d}" for i in range(150)]


def _random_meetings(rng, max_e=60):
    na, nb = rng.integers(2, 12, 2)
    e = int(rng.integers(1, max_e))
    return [(f"m{i}", f"企业{rng.integers(na)}", f"高校{rng.integers(nb)}") for i in range(e)]


def _max_degree(ms):
    deg: dict[tuple[str, str], int] = {}
    for _, a, b in ms:
        deg[("a", a)] = deg.get(("a", a), 0) + 1
        deg[("b", b)] = deg.get(("b", b), 0) + 1
    return max(deg.values())


@pytest.mark.parametrize("seed", range(40))
def test_konig_uses_exactly_max_degree_slots(seed):
    ms = _random_meetings(np.random.default_rng(seed))
    s = schedule(ms, SLOTS, [f"T{i}" for i in range(200)])
    assert check_schedule(s) == []
    assert not s.unplaced
    assert s.n_slots_used == _max_degree(ms)  # repeated pairs included: a multigraph


@pytest.mark.parametrize("seed", range(40))
def test_table_limit_reaches_lower_bound(seed):
    rng = np.random.default_rng(1000 + seed)
    ms = _random_meetings(rng)
    t = int(rng.integers(1, 8))
    s = schedule(ms, SLOTS, [f"T{i}" for i in range(t)])
    assert check_schedule(s) == []
    assert not s.unplaced
    assert s.n_slots_used == max(_max_degree(ms), math.ceil(len(ms) / t))
    per_slot: dict[str, int] = {}
    for p in s.placements:
        per_slot[p.slot] = per_slot.get(p.slot, 0) + 1
    assert max(per_slot.values()) <= t


def _brute_force_prefix(ms, slots, t, un):
    """Smallest k such that the meetings fit into the first k slots (None if they never fit)."""
    best = None
    for sl in itertools.product(range(len(slots)), repeat=len(ms)):
        if any(slots[c] in un[m[1]] or slots[c] in un[m[2]] for m, c in zip(ms, sl, strict=True)):
            continue
        if max(np.bincount(sl)) > t:
            continue
        if any(
            sl[i] == sl[j] and (ms[i][1] == ms[j][1] or ms[i][2] == ms[j][2])
            for i, j in itertools.combinations(range(len(ms)), 2)
        ):
            continue
        k = max(sl) + 1
        best = k if best is None else min(best, k)
    return best


@pytest.mark.parametrize("seed", range(120))
def test_with_unavailability_equals_brute_force_on_tiny_instances(seed):
    rng = np.random.default_rng(seed)
    e, t = int(rng.integers(1, 7)), int(rng.integers(1, 4))
    ms = [(f"m{i}", f"A{rng.integers(3)}", f"B{rng.integers(3)}") for i in range(e)]
    slots = [f"s{i}" for i in range(4)]
    un = {p: [s for s in slots if rng.random() < 0.3] for m in ms for p in m[1:]}
    s = schedule(ms, slots, [f"T{i}" for i in range(t)], unavailable=un)
    assert check_schedule(s, un) == []
    want = _brute_force_prefix(ms, slots, t, un)
    if want is None:
        assert s.unplaced
    else:
        assert not s.unplaced
        assert max(slots.index(p.slot) for p in s.placements) + 1 == want


def test_unplaced_meeting_says_why_per_slot():
    ms = [("m1", "企业A", "高校X"), ("m2", "企业A", "高校Y")]
    s = schedule(ms, ["上午", "下午"], ["T1"], unavailable={"高校Y": ["下午"]})
    assert s.unplaced == () and check_schedule(s, {"高校Y": ["下午"]}) == []
    s = schedule(ms, ["上午", "下午"], ["T1"], unavailable={"高校Y": ["下午"], "高校X": ["下午"]})
    (u,) = s.unplaced
    reasons = dict(u.reasons)
    assert "下午" in reasons and "不可用" in reasons["下午"]
    assert "已有会谈" in reasons["上午"]


def test_repair_keeps_confirmed_meetings_in_place():
    rng = np.random.default_rng(5)
    ms = _random_meetings(rng, 40)
    tables = [f"T{i}" for i in range(4)]
    s0 = schedule(ms, SLOTS[:30], tables)
    cancelled = {m[0] for m in ms[::5]}
    added = [(f"new{i}", f"企业{rng.integers(12)}", f"高校{rng.integers(12)}") for i in range(8)]
    now = [m for m in ms if m[0] not in cancelled] + added
    s1 = repair(s0, now)
    assert check_schedule(s1) == []
    before = {p.meeting_id: (p.slot, p.table) for p in s0.placements}
    after = {p.meeting_id: (p.slot, p.table) for p in s1.placements}
    for mid, where in before.items():
        if mid not in cancelled:
            assert after[mid] == where
    assert not cancelled & set(after)
    assert {m[0] for m in added} <= set(after) | {u.meeting_id for u in s1.unplaced}
    assert all(p.confirmed == (p.meeting_id in before) for p in s1.placements)


def test_repair_reports_meeting_that_would_need_moves():
    s0 = schedule([("m1", "A", "X")], ["s1"], ["T1"])
    s1 = repair(s0, [("m1", "A", "X"), ("m2", "A", "Y")])
    (u,) = s1.unplaced
    assert u.meeting_id == "m2" and "m1" in u.detail


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"meetings": [("m1", "A", "X"), ("m1", "B", "Y")]}, "重复"),
        ({"meetings": [("m1", "A", "X"), ("m2", "X", "B")]}, "两侧"),
        ({"meetings": [("m1", "A", "X")], "unavailable": {"A": ["nope"]}}, "不在时段列表"),
        (
            {
                "meetings": [("m1", "A", "X"), ("m2", "A", "Y")],
                "confirmed": [
                    Placement(meeting_id="m1", a="A", b="X", slot="s1", table="T1"),
                    Placement(meeting_id="m2", a="A", b="Y", slot="s1", table="T2"),
                ],
            },
            "m1",
        ),
    ],
)
def test_schedule_input_errors(kwargs, needle):
    base = {"slots": ["s1", "s2"], "tables": ["T1", "T2"]}
    with pytest.raises(ScheduleError) as ei:
        schedule(**(base | kwargs))
    assert needle in str(ei.value)
