"""Meeting scheduling for recruitment fairs and brokerage days (洽谈会排期).

Each meeting joins two participants, one from each side (e.g. enterprise × university), so the
meetings form a bipartite multigraph and a schedule is an edge colouring: colour = time slot,
no participant twice in one slot. König's theorem says ``Δ`` colours suffice (``Δ`` = the most
meetings any participant has), and with ``T`` tables per slot at least ``ceil(E / T)`` slots are
needed, so ``L = max(Δ, ceil(E / T))`` is a lower bound on the slots used.

Algorithm (for ``k = L, L + 1, …`` up to the number of slots, using the earliest ``k`` slots):

1. *Colouring* — meetings in order of fewest usable slots; each takes the first slot free for both
   participants; otherwise an alternating-path (Kempe chain) recolouring: with slot ``α`` free at
   one end ``u`` and ``β`` free at the other end ``v``, the ``α/β`` path from ``v`` cannot reach ``u``
   (bipartite parity), so swapping it frees ``α`` at ``v``. Without unavailability this reaches
   exactly ``Δ`` slots (König).
2. *Table balancing* — while a slot holds more than ``T`` meetings, take the fullest slot ``A`` and
   the emptiest ``B``; the ``A/B`` subgraph is paths and even cycles, and some path has one more
   ``A`` edge than ``B`` edges; swapping it moves one meeting from ``A`` to ``B``. Without
   unavailability this reaches ``max(Δ, ceil(E/T))`` slots, the lower bound.
3. Unavailability restricts every step (a swap is taken only if every moved meeting can attend its
   new slot); confirmed meetings never move. Meetings that still do not fit are reported with the
   reason per slot (participant busy with meeting X, participant unavailable, tables full).

:func:`repair` re-runs the same procedure with every surviving placement confirmed, after
cancellations or late additions.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
from msgspec import Struct

from graph.errors import ScheduleError
from graph.model import Id

__all__ = [
    "Meeting",
    "Placement",
    "Unplaced",
    "Schedule",
    "schedule",
    "repair",
    "check_schedule",
]


class Meeting(Struct, kw_only=True, forbid_unknown_fields=True):
    """An agreed meeting between participant ``a`` (one side) and ``b`` (the other side)."""

    id: Id
    a: Id
    b: Id


class Placement(Struct, frozen=True, kw_only=True):
    """A meeting given a slot and a table (已排定的会谈)."""

    meeting_id: str
    a: str
    b: str
    slot: str
    table: str
    confirmed: bool = False


class Unplaced(Struct, frozen=True, kw_only=True):
    """A meeting that could not be placed, with the blocking reason per slot (未能排定及原因)."""

    meeting_id: str
    a: str
    b: str
    detail: str
    reasons: tuple[tuple[str, str], ...]  # (slot, reason)


class Schedule(Struct, frozen=True, kw_only=True):
    """The result of :func:`schedule` / :func:`repair` (排期结果).

    ``lower_bound`` is ``max(Δ, ceil(E / T))`` over all meetings; ``n_slots_used`` equals it whenever
    availability allows.
    """

    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    slots: tuple[str, ...]
    tables: tuple[str, ...]
    n_slots_used: int
    lower_bound: int
    max_degree: int


class _Colouring:
    """Proper edge colouring of a bipartite multigraph with per-edge allowed colours."""

    def __init__(
        self, ends: list[tuple[int, int]], n_colours: int, cap: int, allowed: list[set[int]]
    ):
        self.ends = ends
        self.cap = cap
        self.allowed = allowed
        self.colour: list[int | None] = [None] * len(ends)
        self.fixed: list[bool] = [False] * len(ends)
        self.at: dict[int, dict[int, int]] = {}
        self.size = [0] * n_colours
        self.members: list[set[int]] = [set() for _ in range(n_colours)]
        self.k = n_colours

    def _set(self, e: int, c: int) -> None:
        u, v = self.ends[e]
        self.at.setdefault(u, {})[c] = e
        self.at.setdefault(v, {})[c] = e
        self.colour[e] = c
        self.size[c] += 1
        self.members[c].add(e)

    def _unset(self, e: int) -> None:
        c = self.colour[e]
        u, v = self.ends[e]
        del self.at[u][c]
        del self.at[v][c]
        self.colour[e] = None
        self.size[c] -= 1
        self.members[c].discard(e)

    def fix(self, e: int, c: int) -> None:
        self._set(e, c)
        self.fixed[e] = True

    def free(self, node: int, c: int) -> bool:
        return c not in self.at.get(node, {})

    def _path(self, start: int, first: int, second: int, avoid: int = -1) -> list[int]:
        """Maximal alternating path from ``start``: an edge coloured ``first``, then ``second``, …

        Stops before revisiting an edge (or ``avoid``), so cycles terminate; a walk that stopped
        that way ends with the sentinel ``-1``.
        """
        out, node, c = [], start, first
        seen = {avoid}
        while True:
            e = self.at.get(node, {}).get(c)
            if e is None:
                return out
            if e in seen:
                out.append(-1)
                return out
            seen.add(e)
            out.append(e)
            u, v = self.ends[e]
            node = v if node == u else u
            c = second if c == first else first

    def _swap(self, path: list[int], a: int, b: int, check_cap: bool) -> bool:
        """Exchange colours ``a``/``b`` along ``path`` if every edge may move; report success."""
        for e in path:
            new = b if self.colour[e] == a else a
            if self.fixed[e] or new not in self.allowed[e]:
                return False
        if check_cap:
            na = sum(1 for e in path if self.colour[e] == a)
            nb = len(path) - na
            if self.size[b] + na - nb > self.cap or self.size[a] - na + nb > self.cap:
                return False
        old = [(e, self.colour[e]) for e in path]
        for e, _ in old:
            self._unset(e)
        for e, c in old:
            self._set(e, b if c == a else a)
        return True

    def insert(self, e: int, respect_cap: bool) -> bool:
        u, v = self.ends[e]
        cols = sorted(c for c in self.allowed[e] if c < self.k)
        room = (lambda c: self.size[c] < self.cap) if respect_cap else (lambda c: True)
        for c in cols:
            if self.free(u, c) and self.free(v, c) and room(c):
                self._set(e, c)
                return True
        # Kempe chain: alpha free at u, beta free at v; the alpha/beta path from v avoids u.
        for alpha in cols:
            if not self.free(u, alpha) or not room(alpha):
                continue
            for beta in cols:
                if beta == alpha or not self.free(v, beta):
                    continue
                path = self._path(v, alpha, beta)
                if path and path[-1] == -1:
                    continue
                if u in {x for p in path for x in self.ends[p]}:
                    continue  # cannot happen in a bipartite graph; kept as a guard
                if self._swap(path, alpha, beta, respect_cap) and self.free(v, alpha):
                    self._set(e, alpha)
                    return True
        return False

    def balance(self, usable: set[int]) -> None:
        """Move meetings from over-full slots along alternating paths (equitable colouring)."""
        guard = 0
        while guard < 10 * len(self.ends) + 10:
            guard += 1
            over = [c for c in usable if self.size[c] > self.cap]
            if not over:
                return
            moved = False
            for a in sorted(over, key=lambda c: -self.size[c]):
                for b in sorted(usable, key=lambda c: self.size[c]):
                    if self.size[b] >= self.cap or b == a:
                        continue
                    if self._move_one(a, b):
                        moved = True
                        break
                if moved:
                    break
            if not moved:
                return

    def _move_one(self, a: int, b: int) -> bool:
        seen: set[int] = set()
        for e in sorted(self.members[a]):
            if e in seen:
                continue
            u, v = self.ends[e]
            # The component of e in the a/b subgraph: walk both ways from e.
            left = self._path(u, b, a, avoid=e)
            if left and left[-1] == -1:  # an even cycle: swapping it moves nothing
                seen.update(left[:-1])
                continue
            right = self._path(v, b, a, avoid=e)
            comp = left[::-1] + [e] + right
            seen.update(comp)
            na = sum(1 for x in comp if self.colour[x] == a)
            if na == len(comp) - na + 1 and self._swap(comp, a, b, check_cap=False):
                return True
        return False


def _lower_bound(ends: Sequence[tuple[int, int]], n_tables: int) -> tuple[int, int]:
    deg: dict[int, int] = {}
    for u, v in ends:
        deg[u] = deg.get(u, 0) + 1
        deg[v] = deg.get(v, 0) + 1
    delta = max(deg.values(), default=0)
    return max(delta, math.ceil(len(ends) / n_tables) if ends else 0), delta


def _validate(
    meetings: Sequence[Any],
    slots: Sequence[str],
    tables: Sequence[str],
    unavailable: Mapping[str, Iterable[str]],
) -> tuple[list[Meeting], dict[str, set[str]]]:
    ms = []
    for i, m in enumerate(meetings):
        if isinstance(m, Meeting):
            m = msgspec.to_builtins(m)
        elif isinstance(m, list | tuple):
            m = dict(zip(("id", "a", "b"), m, strict=False))
        try:
            ms.append(msgspec.convert(m, Meeting))
        except msgspec.ValidationError as exc:
            raise ScheduleError(f"第 {i + 1} 个会谈无效：{exc} (invalid meeting)") from exc
    ids = [m.id for m in ms]
    if len(set(ids)) != len(ids):
        dup = next(x for x in ids if ids.count(x) > 1)
        raise ScheduleError(f"会谈编号重复：{dup} (duplicate meeting id)")
    side_a, side_b = {m.a for m in ms}, {m.b for m in ms}
    both = side_a & side_b
    if both:
        raise ScheduleError(
            f"参与方 {sorted(both)[0]} 同时出现在两侧（a 与 b）；排期要求二部图 (participant on both sides)"
        )
    for m in ms:
        if m.a == m.b:
            raise ScheduleError(f"会谈 {m.id} 的双方相同：{m.a} (a meeting needs two participants)")
    for what, xs in (("时段 slot", slots), ("桌位 table", tables)):
        if len(set(xs)) != len(xs) or any(not isinstance(x, str) or not x for x in xs):
            raise ScheduleError(f"{what} 列表须为不重复的非空字符串 (unique non-empty ids)")
    if not tables:
        raise ScheduleError("至少需要一个桌位 (at least one table)")
    slot_set = set(slots)
    un: dict[str, set[str]] = {}
    for p, ss in (unavailable or {}).items():
        ss = set(ss)
        bad = ss - slot_set
        if bad:
            raise ScheduleError(
                f"参与方 {p} 的不可用时段 {sorted(bad)[0]} 不在时段列表中 (unknown slot)"
            )
        un[p] = ss
    return ms, un


def schedule(
    meetings: Sequence[Any],
    slots: Sequence[str],
    tables: Sequence[str],
    unavailable: Mapping[str, Iterable[str]] | None = None,
    confirmed: Sequence[Placement] = (),
    restarts: int = 8,
) -> Schedule:
    """Give each meeting a slot and a table; nobody is double-booked.

    Parameters
    ----------
    meetings : sequence of :class:`Meeting` or ``(id, a, b)`` tuples; ``a`` and ``b`` come from
        the two sides (an id may not appear on both sides).
    slots : slot ids in time order (earlier slots are used first).
    tables : table (booth) ids; each table hosts one meeting per slot.
    unavailable : participant id → slots it cannot attend.
    confirmed : placements that must not move (their meetings must be in ``meetings``).
    restarts : insertion orders tried per slot count when unavailability restricts slots.

    Returns
    -------
    Schedule

    Raises
    ------
    ScheduleError
        On malformed input or confirmed placements that clash.

    Examples
    --------
    >>> ms = [("m1", "企业A", "高校X"), ("m2", "企业A", "高校Y"), ("m3", "企业B", "高校X")]
    >>> s = schedule(ms, slots=["09:00", "09:30", "10:00"], tables=["T1", "T2"])
    >>> s.n_slots_used, s.lower_bound, len(s.unplaced)
    (2, 2, 0)
    """
    ms, un = _validate(meetings, slots, tables, unavailable or {})
    slot_ix = {s: i for i, s in enumerate(slots)}
    node: dict[tuple[str, str], int] = {}
    ends = [
        (node.setdefault(("a", m.a), len(node)), node.setdefault(("b", m.b), len(node))) for m in ms
    ]
    allowed = [
        {slot_ix[s] for s in slots if s not in un.get(m.a, ()) and s not in un.get(m.b, ())}
        for m in ms
    ]
    by_id = {m.id: i for i, m in enumerate(ms)}
    fixed: dict[int, tuple[int, str]] = {}
    for p in confirmed:
        e = by_id.get(p.meeting_id)
        if e is None:
            raise ScheduleError(
                f"已确认的会谈 {p.meeting_id} 不在会谈列表中 (confirmed meeting unknown)"
            )
        if p.slot not in slot_ix or p.table not in tables:
            raise ScheduleError(
                f"已确认的会谈 {p.meeting_id} 的时段或桌位不存在 (unknown slot/table)"
            )
        fixed[e] = (slot_ix[p.slot], p.table)
    _check_confirmed(fixed, ends, ms, slots)
    lb, delta = _lower_bound(ends, len(tables))
    fixed_cols = {c for c, _ in fixed.values()}

    best: _Colouring | None = None
    best_placed = -1
    k0 = min(max(lb, 1), len(slots))
    # Unavailability makes this list edge colouring (NP-hard in general): a few deterministic
    # reshuffles of the insertion order per k before giving up on k. Without unavailability the
    # first attempt always succeeds at k = L.
    has_limits = any(len(a) < len(slots) for a in allowed)
    tries = restarts if has_limits else 1
    for k in range(k0, len(slots) + 1):
        for attempt in range(tries):
            col = _attempt(ends, allowed, fixed, k, len(tables), len(slots), ms, attempt)
            placed = sum(c is not None for c in col.colour)
            if placed > best_placed:
                best, best_placed = col, placed
            if placed == len(ms):
                break
        if best_placed == len(ms):
            break
    assert best is not None or not ms
    if best is None:
        best = _Colouring(ends, len(slots), len(tables), allowed)

    # Tables per slot: confirmed keep theirs, the rest take free tables in order.
    used: dict[int, set[str]] = {}
    for c, t in fixed.values():
        used.setdefault(c, set()).add(t)
    placements: list[Placement] = []
    unplaced: list[Unplaced] = []
    for e, m in enumerate(ms):
        c = best.colour[e]
        if c is None:
            continue
        if e in fixed:
            table = fixed[e][1]
        else:
            taken = used.setdefault(c, set())
            table = next(t for t in tables if t not in taken)
            taken.add(table)
        placements.append(
            Placement(
                meeting_id=m.id, a=m.a, b=m.b, slot=slots[c], table=table, confirmed=e in fixed
            )
        )
    for e, m in enumerate(ms):
        if best.colour[e] is None:
            unplaced.append(_explain(e, m, best, slots, un, len(tables), ms))
    placements.sort(key=lambda p: (slot_ix[p.slot], p.table))
    used_slots = {best.colour[e] for e in range(len(ms)) if best.colour[e] is not None} | fixed_cols
    return Schedule(
        placements=tuple(placements),
        unplaced=tuple(unplaced),
        slots=tuple(slots),
        tables=tuple(tables),
        n_slots_used=len(used_slots),
        lower_bound=lb,
        max_degree=delta,
    )


def _check_confirmed(fixed, ends, ms, slots) -> None:
    who: dict[tuple[int, int], int] = {}
    where: dict[tuple[int, str], int] = {}
    for e, (c, t) in sorted(fixed.items()):
        for n in ends[e]:
            if (n, c) in who:
                raise ScheduleError(
                    f"已确认的会谈 {ms[who[(n, c)]].id} 与 {ms[e].id} 在时段 {slots[c]} 有相同参与方 "
                    "(confirmed double booking)"
                )
            who[(n, c)] = e
        if (c, t) in where:
            raise ScheduleError(
                f"已确认的会谈 {ms[where[(c, t)]].id} 与 {ms[e].id} 在时段 {slots[c]} 共用桌位 {t} "
                "(confirmed table clash)"
            )
        where[(c, t)] = e


def _attempt(ends, allowed, fixed, k, n_tables, n_slots, ms, attempt=0) -> _Colouring:
    col = _Colouring(ends, n_slots, n_tables, allowed)
    col.k = n_slots  # confirmed meetings may sit in any slot
    for e, (c, _) in fixed.items():
        col.fix(e, c)
    fixed_cols = {c for c, _ in fixed.values()}
    # Usable colours: the first k slots plus any slot already holding a confirmed meeting.
    use = set(range(k)) | fixed_cols
    restricted = [a & use for a in allowed]
    col.allowed = restricted
    deg: dict[int, int] = {}
    for u, v in ends:
        deg[u] = deg.get(u, 0) + 1
        deg[v] = deg.get(v, 0) + 1
    order = sorted(
        (e for e in range(len(ends)) if e not in fixed),
        key=lambda e: (len(restricted[e]), -(deg[ends[e][0]] + deg[ends[e][1]]), e),
    )
    if attempt:
        random.Random(attempt).shuffle(order)
    failed = []
    for e in order:
        if not col.insert(e, respect_cap=False):
            failed.append(e)
    col.balance(use)
    # Whatever still overflows a slot's tables is taken out and re-inserted under the cap.
    for c in range(n_slots):
        while col.size[c] > n_tables:
            e = max(x for x in col.members[c] if not col.fixed[x])
            col._unset(e)
            failed.append(e)
    for e in failed:
        col.insert(e, respect_cap=True)
    return col


def _explain(e, m: Meeting, col: _Colouring, slots, un, n_tables, ms) -> Unplaced:
    u, v = col.ends[e]
    reasons = []
    for c, s in enumerate(slots):
        if s in un.get(m.a, ()):
            r = f"{m.a} 不可用"
        elif s in un.get(m.b, ()):
            r = f"{m.b} 不可用"
        elif not col.free(u, c):
            r = f"{m.a} 已有会谈 {ms[col.at[u][c]].id}"
        elif not col.free(v, c):
            r = f"{m.b} 已有会谈 {ms[col.at[v][c]].id}"
        elif col.size[c] >= n_tables:
            r = "桌位已满"
        else:
            r = "可用，但放入会迫使已确认会谈移动"
        reasons.append((s, r))
    detail = "无法安排：" + "；".join(f"{s}：{r}" for s, r in reasons[:6])
    if len(reasons) > 6:
        detail += f"；……（共 {len(reasons)} 个时段）"
    return Unplaced(meeting_id=m.id, a=m.a, b=m.b, detail=detail, reasons=tuple(reasons))


def repair(
    previous: Schedule,
    meetings: Sequence[Any],
    unavailable: Mapping[str, Iterable[str]] | None = None,
) -> Schedule:
    """Re-schedule after cancellations or late additions without moving placed meetings.

    ``meetings`` is the current full list: meetings missing from it are cancelled (their slots are
    freed), new ones are placed around the previous placements, which all stay where they were.

    Examples
    --------
    >>> s = schedule([("m1", "A", "X"), ("m2", "B", "X")], slots=["s1", "s2"], tables=["T1"])
    >>> r = repair(s, [("m2", "B", "X"), ("m3", "A", "Y")])
    >>> [(p.meeting_id, p.slot, p.confirmed) for p in r.placements]
    [('m3', 's1', False), ('m2', 's2', True)]
    """
    ms, _ = _validate(meetings, previous.slots, previous.tables, unavailable or {})
    keep = {m.id for m in ms}
    confirmed = [
        msgspec.structs.replace(p, confirmed=True)
        for p in previous.placements
        if p.meeting_id in keep
    ]
    return schedule(ms, previous.slots, previous.tables, unavailable, confirmed)


def check_schedule(
    s: Schedule, unavailable: Mapping[str, Iterable[str]] | None = None
) -> list[str]:
    """Violations in a schedule (double booking, table reuse, unavailable slot); empty if none.

    Examples
    --------
    >>> check_schedule(schedule([("m1", "A", "X")], ["s1"], ["T1"]))
    []
    """
    out: list[str] = []
    busy: dict[tuple[str, str], str] = {}
    table: dict[tuple[str, str], str] = {}
    un = {p: set(x) for p, x in (unavailable or {}).items()}
    for p in s.placements:
        for who in (("a", p.a), ("b", p.b)):
            key = (who[1], p.slot)
            if key in busy:
                out.append(f"{who[1]} 在 {p.slot} 同时有 {busy[key]} 与 {p.meeting_id}")
            busy[key] = p.meeting_id
            if p.slot in un.get(who[1], ()):
                out.append(f"{who[1]} 在 {p.slot} 不可用却安排了 {p.meeting_id}")
        tk = (p.table, p.slot)
        if tk in table:
            out.append(f"桌位 {p.table} 在 {p.slot} 被 {table[tk]} 与 {p.meeting_id} 同时使用")
        table[tk] = p.meeting_id
    return out
