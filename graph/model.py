"""Input and result Structs, and the array encoding every solver works on (输入、结果与数组编码).

Inputs are ``kw_only`` msgspec Structs that forbid unknown fields (they may be decoded from user
files); results are ``frozen``. :func:`encode` validates a :class:`Problem` (or plain values) and turns
it into an :class:`Instance`: integer node indices and numpy edge arrays, the fast path the solvers
share. Node ids are kept per side, so a demand and a supply may carry the same id without colliding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec
import numpy as np
from msgspec import Meta, Struct

from graph.errors import InputError

__all__ = [
    "Id",
    "Side",
    "ScoredPair",
    "Load",
    "PairRef",
    "Preference",
    "Problem",
    "ChosenPair",
    "Candidate",
    "Alternates",
    "Unmatched",
    "Shortfall",
    "Assignment",
    "Instance",
    "encode",
    "MAX_ID_LEN",
]

MAX_ID_LEN = 200
MAX_ITEMS = 5_000_000

Id = Annotated[str, Meta(min_length=1, max_length=MAX_ID_LEN)]
Side = Literal["demand", "supply"]
Score = Annotated[float, Meta(ge=0.0, le=1.0)]
Count = Annotated[int, Meta(ge=0, le=1_000_000)]


class ScoredPair(Struct, kw_only=True, forbid_unknown_fields=True):
    """A candidate pair with its score in [0, 1] (候选配对及得分)."""

    demand_id: Id
    supply_id: Id
    score: Score


class Load(Struct, kw_only=True, forbid_unknown_fields=True):
    """How many partners a node takes: ``min``..``max`` (节点负载；默认 0..1)."""

    id: Id
    side: Side
    min: Count = 0
    max: Count = 1


class PairRef(Struct, kw_only=True, forbid_unknown_fields=True):
    """A (demand, supply) pair named by id, used for pins and forbids (指定配对)."""

    demand_id: Id
    supply_id: Id


class Preference(Struct, kw_only=True, forbid_unknown_fields=True):
    """An explicit preference list given by a participant, best first (参与方明确给出的偏好顺序).

    Partners left out of the list are unacceptable to that participant (only used by ``stable``).
    """

    id: Id
    side: Side
    ranking: Annotated[list[Id], Meta(max_length=100_000)]


class Problem(Struct, kw_only=True, forbid_unknown_fields=True):
    """Everything an assignment needs (一次分配的全部输入)."""

    pairs: Annotated[list[ScoredPair], Meta(max_length=MAX_ITEMS)]
    loads: Annotated[list[Load], Meta(max_length=MAX_ITEMS)] = []
    pins: Annotated[list[PairRef], Meta(max_length=MAX_ITEMS)] = []
    forbids: Annotated[list[PairRef], Meta(max_length=MAX_ITEMS)] = []
    preferences: Annotated[list[Preference], Meta(max_length=MAX_ITEMS)] = []


# ---------------------------------------------------------------- results


class ChosenPair(Struct, frozen=True, kw_only=True):
    """A pair in the result (选中的配对).

    ``rank`` is the supply's position in the demand's candidate list (1 = best) and
    ``supply_rank`` the demand's position in the supply's list; ``pinned`` marks pairs fixed in advance.
    """

    demand_id: str
    supply_id: str
    score: float
    rank: int
    supply_rank: int
    pinned: bool = False


Reason = Literal[
    "forbidden",
    "taken_by_higher",
    "capacity_full",
    "below_threshold",
    "unacceptable",
    "demand_full",
    "available",
    "not_chosen",
]


class Candidate(Struct, frozen=True, kw_only=True):
    """A candidate supply that was not chosen for a demand, and why (未选候选及原因).

    ``reason`` is a stable code, ``detail`` a zh-CN sentence; ``holder_id``/``holder_score`` name
    the weakest demand that holds the supply, when the supply is full.
    """

    supply_id: str
    score: float
    reason: Reason
    detail: str
    holder_id: str | None = None
    holder_score: float | None = None


class Alternates(Struct, frozen=True, kw_only=True):
    """Backup candidates of a demand, best first (候补名单)."""

    demand_id: str
    candidates: tuple[Candidate, ...]


class Unmatched(Struct, frozen=True, kw_only=True):
    """A demand without any partner and why (未匹配的需求及原因)."""

    demand_id: str
    reason: Literal["no_candidates", "no_capacity", "not_chosen"]
    detail: str
    candidates: tuple[Candidate, ...]


class Shortfall(Struct, frozen=True, kw_only=True):
    """A node that got fewer partners than its minimum (methods that do not enforce minimums)."""

    id: str
    side: Side
    min: int
    got: int


class Assignment(Struct, frozen=True, kw_only=True):
    """The result of :func:`graph.assign` (分配结果).

    ``min_score`` is the lowest score among chosen non-pinned pairs (what ``fair`` maximises);
    ``supply_top`` (``ranked`` only) lists each supply's top demands.
    """

    method: str
    pairs: tuple[ChosenPair, ...]
    alternates: tuple[Alternates, ...]
    unmatched: tuple[Unmatched, ...]
    shortfalls: tuple[Shortfall, ...]
    total_score: float
    n_components: int
    min_score: float | None = None
    supply_top: tuple[tuple[str, tuple[str, ...]], ...] = ()


# ---------------------------------------------------------------- encoding


@dataclass(eq=False)
class Instance:
    """Array form of a :class:`Problem` (solver-facing; built by :func:`encode`).

    Edges are the scored, non-forbidden pairs; ``e_pinned`` marks pins. Forbidden pairs are kept
    apart (``f_d``, ``f_s``, ``f_score``) for the "why not" explanations.
    """

    demand_ids: list[str]
    supply_ids: list[str]
    e_d: np.ndarray  # int64 demand index per edge
    e_s: np.ndarray  # int64 supply index per edge
    e_score: np.ndarray  # float64
    e_pinned: np.ndarray  # bool
    dmin: np.ndarray
    dmax: np.ndarray
    smin: np.ndarray
    smax: np.ndarray
    f_d: np.ndarray
    f_s: np.ndarray
    f_score: np.ndarray
    preferences: list[Preference] = field(default_factory=list)

    @property
    def n_demands(self) -> int:
        return len(self.demand_ids)

    @property
    def n_supplies(self) -> int:
        return len(self.supply_ids)

    @property
    def n_edges(self) -> int:
        return int(self.e_d.shape[0])

    def residual_loads(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Loads left after the pins: ``(dmin, dmax, smin, smax)`` for the free edges."""
        pd = np.bincount(self.e_d[self.e_pinned], minlength=self.n_demands)
        ps = np.bincount(self.e_s[self.e_pinned], minlength=self.n_supplies)
        return (
            np.maximum(self.dmin - pd, 0),
            self.dmax - pd,
            np.maximum(self.smin - ps, 0),
            self.smax - ps,
        )

    def component_labels(self) -> tuple[int, np.ndarray, np.ndarray]:
        """Connected components over all (free and pinned) edges.

        Returns ``(n, demand_label, supply_label)``; isolated nodes are components of their own.
        """
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        nd, ns = self.n_demands, self.n_supplies
        n = nd + ns
        adj = coo_matrix(
            (np.ones(self.n_edges, dtype=np.int8), (self.e_d, self.e_s + nd)), shape=(n, n)
        )
        k, labels = connected_components(adj, directed=False)
        return int(k), labels[:nd], labels[nd:]


def _factorize(values: Sequence[Any], what: str, index: dict[str, int]) -> np.ndarray:
    get = index.setdefault
    try:
        codes = [get(v, len(index)) for v in values]
    except TypeError as exc:  # unhashable id
        raise InputError(f"{what} 必须是字符串 ({what} must be a string)", field=what) from exc
    return np.asarray(codes, dtype=np.int64)


def _check_ids(ids: Iterable[Any], what: str) -> None:
    for v in ids:
        if not isinstance(v, str) or not v or len(v) > MAX_ID_LEN:
            raise InputError(
                f"{what} 无效：{v!r}（须为 1–{MAX_ID_LEN} 字符的字符串）(invalid {what})",
                field=what,
            )


def _as_pairs(pairs: Any) -> tuple[list[Any], list[Any], np.ndarray]:
    """Accept ScoredPair Structs, (d, s, score) tuples or dicts; return three columns."""
    if isinstance(pairs, tuple) and len(pairs) == 3 and isinstance(pairs[2], np.ndarray):
        d, s, sc = pairs
        return list(d), list(s), np.asarray(sc, dtype=np.float64)
    if len(pairs) == 0:
        return [], [], np.zeros(0)
    first = pairs[0]
    try:
        if isinstance(first, ScoredPair):
            d = [p.demand_id for p in pairs]
            s = [p.supply_id for p in pairs]
            sc = [p.score for p in pairs]
        elif isinstance(first, dict):
            d = [p["demand_id"] for p in pairs]
            s = [p["supply_id"] for p in pairs]
            sc = [p["score"] for p in pairs]
        else:
            d, s, sc = (list(c) for c in zip(*pairs, strict=True))
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(
            f"配对格式错误：{exc}（应为 demand_id, supply_id, score）(malformed pairs)",
            field="pairs",
        ) from exc
    try:
        arr = np.asarray(sc, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"score 须为数字 (score must be a number): {exc}", field="score") from exc
    return d, s, arr


def _convert_list(items: Any, typ: type, what: str) -> list[Any]:
    if not items:
        return []
    out = []
    for i, x in enumerate(items):
        if isinstance(x, typ):
            x = msgspec.to_builtins(x)
        elif isinstance(x, list | tuple):
            x = dict(zip(typ.__struct_fields__, x, strict=False))
        try:
            out.append(msgspec.convert(x, typ))
        except msgspec.ValidationError as exc:
            raise InputError(
                f"{what} 第 {i + 1} 项无效：{exc} (invalid {what} #{i + 1})", field=what
            ) from exc
    return out


def encode(
    pairs: Any,
    loads: Any = (),
    pins: Any = (),
    forbids: Any = (),
    preferences: Any = (),
) -> Instance:
    """Validate plain values or Structs and build the solver :class:`Instance`.

    Parameters
    ----------
    pairs : sequence of ScoredPair, (demand_id, supply_id, score) tuples or dicts, or a
        3-tuple of columns ``(demand_ids, supply_ids, scores_ndarray)`` (the fast path), or a whole
        :class:`Problem` (then the other arguments are ignored).
    loads : sequence of Load (or dicts / ``(id, side, min, max)`` tuples); unspecified nodes take 0..1.
    pins, forbids : sequences of PairRef (or ``(demand_id, supply_id)`` tuples).
    preferences : sequence of Preference (only ``stable`` reads them).

    Returns
    -------
    Instance

    Raises
    ------
    InputError
        On a malformed value, a duplicate pair, a score outside [0, 1], ``min > max``, a pin or forbid
        that names no scored pair, or a pair both pinned and forbidden.

    Examples
    --------
    >>> inst = encode([("d1", "s1", 0.9), ("d1", "s2", 0.4)], loads=[("s1", "supply", 0, 2)])
    >>> inst.n_demands, inst.n_supplies, inst.smax.tolist()
    (1, 2, [2, 1])
    """
    if isinstance(pairs, Problem):
        p = pairs
        pairs, loads, pins, forbids, preferences = (
            p.pairs,
            p.loads,
            p.pins,
            p.forbids,
            p.preferences,
        )
    d_raw, s_raw, score = _as_pairs(pairs)
    if len(d_raw) != len(s_raw) or len(d_raw) != score.shape[0]:
        raise InputError("配对列长度不一致 (pair columns differ in length)", field="pairs")
    didx: dict[str, int] = {}
    sidx: dict[str, int] = {}
    e_d = _factorize(d_raw, "demand_id", didx)
    e_s = _factorize(s_raw, "supply_id", sidx)
    _check_ids(didx, "demand_id")
    _check_ids(sidx, "supply_id")
    bad = ~np.isfinite(score) | (score < 0.0) | (score > 1.0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"第 {i + 1} 个配对 ({d_raw[i]}, {s_raw[i]}) 的得分 {score[i]!r} 不在 [0, 1] 内 "
            "(score out of range)",
            field="score",
        )
    loads_l = _convert_list(loads, Load, "loads")
    pins_l = _convert_list(pins, PairRef, "pins")
    forbids_l = _convert_list(forbids, PairRef, "forbids")
    prefs_l = _convert_list(preferences, Preference, "preferences")

    # Nodes named only by loads still matter (a minimum load on a node without candidates).
    seen_load: set[tuple[str, str]] = set()
    for ld in loads_l:
        key = (ld.side, ld.id)
        if key in seen_load:
            raise InputError(f"负载重复：{ld.side} {ld.id} (duplicate load)", field=ld.id)
        seen_load.add(key)
        (didx if ld.side == "demand" else sidx).setdefault(
            ld.id, len(didx if ld.side == "demand" else sidx)
        )
    nd, ns = len(didx), len(sidx)
    dmin = np.zeros(nd, np.int64)
    dmax = np.ones(nd, np.int64)
    smin = np.zeros(ns, np.int64)
    smax = np.ones(ns, np.int64)
    for ld in loads_l:
        if ld.min > ld.max:
            raise InputError(
                f"{ld.side} {ld.id} 的最低负载 {ld.min} 大于最高负载 {ld.max} (min > max)",
                field=ld.id,
            )
        if ld.side == "demand":
            dmin[didx[ld.id]], dmax[didx[ld.id]] = ld.min, ld.max
        else:
            smin[sidx[ld.id]], smax[sidx[ld.id]] = ld.min, ld.max

    key = e_d * max(ns, 1) + e_s
    if key.shape[0]:
        order = np.argsort(key, kind="stable")
        dup = np.flatnonzero(key[order][1:] == key[order][:-1])
        if dup.shape[0]:
            i = int(order[dup[0] + 1])
            raise InputError(
                f"配对重复：({d_raw[i]}, {s_raw[i]}) (duplicate pair, line {i + 1})", field="pairs"
            )
    edge_of = None

    def lookup(refs: list[PairRef], what: str) -> np.ndarray:
        nonlocal edge_of
        if not refs:
            return np.zeros(0, np.int64)
        if edge_of is None:
            edge_of = {int(k): i for i, k in enumerate(key.tolist())}
        out = []
        for r in refs:
            di, si = didx.get(r.demand_id), sidx.get(r.supply_id)
            e = None if di is None or si is None else edge_of.get(di * max(ns, 1) + si)
            if e is None:
                raise InputError(
                    f"{what} ({r.demand_id}, {r.supply_id}) 不在候选配对中 ({what} names no scored pair)",
                    field=f"{r.demand_id},{r.supply_id}",
                )
            out.append(e)
        return np.unique(np.asarray(out, np.int64))

    pin_e = lookup(pins_l, "锁定配对 pin")
    forbid_e = lookup(forbids_l, "禁止配对 forbid")
    both = np.intersect1d(pin_e, forbid_e)
    if both.shape[0]:
        i = int(both[0])
        raise InputError(
            f"配对 ({d_raw[i]}, {s_raw[i]}) 既被锁定又被禁止 (pair both pinned and forbidden)",
            field=f"{d_raw[i]},{s_raw[i]}",
        )
    pinned = np.zeros(key.shape[0], bool)
    pinned[pin_e] = True
    keep = np.ones(key.shape[0], bool)
    keep[forbid_e] = False
    inst = Instance(
        demand_ids=list(didx),
        supply_ids=list(sidx),
        e_d=e_d[keep],
        e_s=e_s[keep],
        e_score=score[keep],
        e_pinned=pinned[keep],
        dmin=dmin,
        dmax=dmax,
        smin=smin,
        smax=smax,
        f_d=e_d[~keep],
        f_s=e_s[~keep],
        f_score=score[~keep],
        preferences=prefs_l,
    )
    _check_pins(inst)
    return inst


def _check_pins(inst: Instance) -> None:
    pd = np.bincount(inst.e_d[inst.e_pinned], minlength=inst.n_demands)
    over = np.flatnonzero(pd > inst.dmax)
    if over.shape[0]:
        i = int(over[0])
        raise InputError(
            f"需求 {inst.demand_ids[i]} 锁定了 {pd[i]} 个配对，超过最高负载 {inst.dmax[i]} "
            "(more pins than max load)",
            field=inst.demand_ids[i],
        )
    ps = np.bincount(inst.e_s[inst.e_pinned], minlength=inst.n_supplies)
    over = np.flatnonzero(ps > inst.smax)
    if over.shape[0]:
        i = int(over[0])
        raise InputError(
            f"供给 {inst.supply_ids[i]} 锁定了 {ps[i]} 个配对，超过最高负载 {inst.smax[i]} "
            "(more pins than max load)",
            field=inst.supply_ids[i],
        )


def fmt_score(x: float) -> str:
    """Format a score for messages (4 decimals)."""
    return f"{x:.4f}" if math.isfinite(x) else str(x)
