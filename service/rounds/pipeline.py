"""One run of a round, as a pure function of its input snapshot: score (``matching``), assign
(``graph``), and assemble plain rows ready to store.

No database here: the worker loads the snapshot, calls :func:`run` in a thread, and writes
what comes back in one transaction. The same snapshot always gives the same result (both engines
are deterministic; ties are broken by id), which is what makes stored runs reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

import graph
import matching
from service.rounds.records import (
    ENGINE_KIND,
    FIELDS,
    JOB_FIELDS,
    POOL_FIELDS,
    RD_DEMAND_FIELDS,
    RD_SUPPLY_FIELDS,
    engine_record,
)
from service.rounds.schemas import (
    CandidateRow,
    RunOutput,
    RunSummary,
    Snapshot,
    UnmatchedCandidate,
    UnmatchedReasons,
    UnmatchedRow,
)

Progress = Callable[[str, int], None]

__all__ = [
    "JOB_FIELDS", "POOL_FIELDS", "RD_DEMAND_FIELDS", "RD_SUPPLY_FIELDS", "Progress", "RunFailed",
    "Scored", "assemble", "assign", "execute", "run", "score",
]  # fmt: skip


class RunFailed(Exception):
    """The inputs cannot produce a result (e.g. minimum loads infeasible); the message is for people."""


@dataclass(frozen=True)
class Scored:
    """The scoring stage's output: every scored pair (by text ids) and who applied to what."""

    pairs: dict[tuple[str, str], matching.ScoredPair]
    applied: dict[str, set[str]]  # demand → applicants (揭榜 a challenge)
    takers: dict[str, set[str]]  # supply → enterprises applying to take up a listing
    pins: set[tuple[str, str]]
    forbids: dict[tuple[str, str], str]


def _supply_cap(rec: Mapping[str, Any], kind: str, supply_max: int | None) -> int:
    own = rec.get("capacity") if kind == "open_challenge" else rec.get("graduates")
    own = int(own or 1)
    return min(own, supply_max) if supply_max else own


def score(snapshot: Snapshot, report: Progress) -> Scored:
    """Rank every demand's top k, then score applicants and pinned pairs outside it."""
    engine_kind = ENGINE_KIND[snapshot.kind]
    e_demands = [engine_record(d, FIELDS[(engine_kind, "demand")]) for d in snapshot.demands]
    e_supplies = [engine_record(s, FIELDS[(engine_kind, "supply")]) for s in snapshot.supplies]
    params = snapshot.params
    report("scoring", 10)
    try:
        index = matching.MatchIndex(e_supplies, kind=engine_kind, weights=params.weights or None)
        rankings = index.rank(e_demands, top_k=params.top_k)
    except matching.MatchingError as exc:
        raise RunFailed(f"评分失败：{exc}") from exc
    report("scoring", 55)

    scored: dict[tuple[str, str], matching.ScoredPair] = {}
    for ranking in rankings:
        for p in ranking.pairs:
            scored[(p.demand_id, p.supply_id)] = p

    # 揭榜 goes either way: universities apply to a challenge (per demand), enterprises apply to
    # take up a listed achievement (per supply). Snapshots from before listings are challenges.
    applied: dict[str, set[str]] = {}
    takers: dict[str, set[str]] = {}
    for a in snapshot.applications:
        d, s = str(a.need_id), str(a.capability_id)
        if a.direction == "listing":
            takers.setdefault(s, set()).add(d)
        else:
            applied.setdefault(d, set()).add(s)
    pins = {(str(d), str(s)) for d, s in snapshot.pins}
    forbids = {(str(d), str(s)): reason for d, s, reason in snapshot.forbids}
    demand_ids = {str(d["id"]) for d in snapshot.demands}
    supply_ids = {str(s["id"]) for s in snapshot.supplies}

    # Applicants and pinned pairs are scored even when they fall outside the top k.
    extra: dict[str, set[str]] = {}
    for d, caps in applied.items():
        extra.setdefault(d, set()).update(caps)
    for s, needs in takers.items():
        for d in needs:
            extra.setdefault(d, set()).add(s)
    for d, s in pins:
        extra.setdefault(d, set()).add(s)
    missing = sorted(
        (d, s)
        for d, wanted in extra.items()
        if d in demand_ids
        for s in wanted
        if s in supply_ids and (d, s) not in scored
    )
    if missing:
        # The same scores the ranking would give these pairs, at the cost of these pairs.
        needed = {d for d, _ in missing}
        try:
            extra_scored = index.score([r for r in e_demands if r["id"] in needed], missing)
        except matching.MatchingError as exc:
            raise RunFailed(f"评分失败：{exc}") from exc
        for p in extra_scored:
            scored[(p.demand_id, p.supply_id)] = p
    return Scored(scored, applied, takers, pins, forbids)


def assign(snapshot: Snapshot, scored: Scored) -> graph.Assignment:
    """Choose pairs under the round's loads, pins and forbids."""
    # Assignment edges: for an open challenge with applicants only applicants can win (揭榜),
    # and a listed achievement with applicants goes only to one of them; everyone else is
    # matched against their ranked candidates.
    applied, takers, pins = scored.applied, scored.takers, scored.pins
    edges: list[tuple[str, str, float]] = []
    for (d, s), p in scored.pairs.items():
        if d in applied and s not in applied[d] and (d, s) not in pins:
            continue
        if s in takers and d not in takers[s] and (d, s) not in pins:
            continue
        edges.append((d, s, p.score))
    edge_set = {(d, s) for d, s, _ in edges}
    cfg = snapshot.params.loads
    loads: list[tuple[str, str, int, int]] = []
    for d in snapshot.demands:
        dmax = cfg.demand_max
        if snapshot.kind == "recruitment_fair":
            dmax = max(1, min(dmax, int(d.get("headcount") or 1)))
        loads.append((str(d["id"]), "demand", min(cfg.demand_min, dmax), dmax))
    for s in snapshot.supplies:
        loads.append((str(s["id"]), "supply", 0, _supply_cap(s, snapshot.kind, cfg.supply_max)))
    pin_list = sorted(p for p in pins if p in edge_set)
    forbid_list = sorted(f for f in scored.forbids if f in edge_set and f not in pins)
    try:
        return graph.assign(
            edges, loads, pins=pin_list, forbids=forbid_list, method=snapshot.params.method
        )
    except graph.InfeasibleError as exc:
        raise RunFailed(f"无法满足最低对接数要求：{exc}") from exc
    except graph.GraphError as exc:
        raise RunFailed(f"分配失败：{exc}") from exc


def assemble(snapshot: Snapshot, scored: Scored, assignment: graph.Assignment) -> RunOutput:
    """The rows to store: every scored pair ranked per demand, the unmatched, the summary."""
    applied, takers, pins, forbids = scored.applied, scored.takers, scored.pins, scored.forbids
    chosen = {(p.demand_id, p.supply_id) for p in assignment.pairs}
    reasons: dict[tuple[str, str], str] = {}
    for alt in assignment.alternates:
        for c in alt.candidates:
            reasons[(alt.demand_id, c.supply_id)] = c.detail
    for um in assignment.unmatched:
        for c in um.candidates:
            reasons[(um.demand_id, c.supply_id)] = c.detail

    by_demand: dict[str, list[matching.ScoredPair]] = {}
    for (dd, _), p in scored.pairs.items():
        by_demand.setdefault(dd, []).append(p)
    candidates: list[CandidateRow] = []
    for d in (str(x["id"]) for x in snapshot.demands):
        pairs = by_demand.get(d, [])
        pairs.sort(key=lambda p: (-p.score, p.supply_id))
        for rank, p in enumerate(pairs, start=1):
            key = (d, p.supply_id)
            candidates.append(
                CandidateRow(
                    demand_id=int(d),
                    supply_id=int(p.supply_id),
                    rank=rank,
                    score=round(float(p.score), 6),
                    components={k: round(float(v), 4) for k, v in p.components.items()},
                    matched_terms=msgspec.to_builtins(p.matched_terms),
                    weak=p.weak,
                    applied=p.supply_id in applied.get(d, ()) or d in takers.get(p.supply_id, ()),
                    chosen=key in chosen,
                    pinned=key in pins,
                    forbidden=key in forbids,
                    reason=forbids.get(key) if key in forbids else reasons.get(key),
                )
            )
    unmatched = [
        UnmatchedRow(
            demand_id=int(u.demand_id),
            reasons=UnmatchedReasons(
                reason=u.reason,
                detail=u.detail,
                candidates=[
                    UnmatchedCandidate(
                        supply_id=int(c.supply_id), score=c.score, reason=c.reason, detail=c.detail
                    )
                    for c in u.candidates
                ],
            ),
        )
        for u in assignment.unmatched
    ]
    summary = RunSummary(
        demands=len(snapshot.demands),
        supplies=len(snapshot.supplies),
        method=snapshot.params.method,
        pairs=len(assignment.pairs),
        matched_demands=len({p.demand_id for p in assignment.pairs}),
        total_score=round(float(assignment.total_score), 6),
        min_score=assignment.min_score,
        components=assignment.n_components,
        shortfalls=[msgspec.to_builtins(s) for s in assignment.shortfalls],
    )
    return RunOutput(candidates=candidates, unmatched=unmatched, summary=summary)


def run(snapshot: Snapshot, progress: Progress | None = None) -> RunOutput:
    """Score, assign and assemble one snapshot (``progress(stage, percent)`` between stages)."""
    report = progress or (lambda stage, pct: None)
    if not snapshot.demands or not snapshot.supplies:
        summary = RunSummary(
            demands=len(snapshot.demands),
            supplies=len(snapshot.supplies),
            method=snapshot.params.method,
        )
        return RunOutput(candidates=[], unmatched=[], summary=summary)
    scored = score(snapshot, report)
    report("assigning", 65)
    assignment = assign(snapshot, scored)
    report("assembling", 85)
    return assemble(snapshot, scored, assignment)


def execute(
    snapshot: Snapshot | Mapping[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    """:func:`run` on a snapshot as stored (decoded JSON), returning plain builtins.

    Returns ``{"candidates": [...], "unmatched": [...], "summary": {...}}`` where each candidate is
    ``{demand_id, supply_id, rank, score, components, matched_terms, applied, chosen, pinned,
    forbidden, reason}`` (ids as ints).
    """
    if not isinstance(snapshot, Snapshot):
        snapshot = msgspec.convert(snapshot, Snapshot)
    return msgspec.to_builtins(run(snapshot, progress))
