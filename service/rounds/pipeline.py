"""One run of a round, as a pure function of its input snapshot: score (``matching``), assign
(``graph``), and return plain rows ready to store.

No database here: the worker loads the snapshot, calls :func:`execute` in a thread, and writes
what comes back in one transaction. The same snapshot always gives the same result (both engines
are deterministic; ties are broken by id), which is what makes stored runs reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

import graph
import matching

Progress = Callable[[str, int], None]

RD_DEMAND_FIELDS = (
    "title", "description", "keywords", "field_codes", "cooperation_modes", "city",
    "industry_code", "tags", "budget_min", "budget_max",
)  # fmt: skip
RD_SUPPLY_FIELDS = (
    "title", "description", "keywords", "field_codes", "cooperation_modes", "city", "capacity",
    "kind", "documents",
)  # fmt: skip
JOB_FIELDS = (
    "title", "description", "skills", "majors", "min_education", "headcount", "city",
    "industry_code", "tags",
)  # fmt: skip
POOL_FIELDS = (
    "title", "major_name", "major_code", "degree_level", "graduation_year", "graduates", "skills",
    "city",
)  # fmt: skip


class RunFailed(Exception):
    """The inputs cannot produce a result (e.g. minimum loads infeasible); the message is for people."""


def _engine_record(rec: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(rec["id"])}
    for f in fields:
        v = rec.get(f)
        if v is not None and v != []:
            out[f] = v
    return out


def _supply_cap(rec: dict[str, Any], kind: str, supply_max: int | None) -> int:
    own = rec.get("capacity") if kind == "open_challenge" else rec.get("graduates")
    own = int(own or 1)
    return min(own, supply_max) if supply_max else own


def execute(snapshot: dict[str, Any], progress: Progress | None = None) -> dict[str, Any]:
    """Score and assign one snapshot.

    Returns ``{"candidates": [...], "unmatched": [...], "summary": {...}}`` where each candidate is
    ``{demand_id, supply_id, rank, score, components, matched_terms, applied, chosen, pinned,
    forbidden, reason}`` (ids as ints).
    """
    report = progress or (lambda stage, pct: None)
    kind = snapshot["kind"]
    params = snapshot["params"]
    demands: list[dict[str, Any]] = snapshot["demands"]
    supplies: list[dict[str, Any]] = snapshot["supplies"]
    summary: dict[str, Any] = {
        "demands": len(demands),
        "supplies": len(supplies),
        "method": params["method"],
    }
    if not demands or not supplies:
        summary.update(pairs=0, matched_demands=0, total_score=0.0)
        return {"candidates": [], "unmatched": [], "summary": summary}

    engine_kind = "rd" if kind == "open_challenge" else "jobs"
    demand_fields = RD_DEMAND_FIELDS if engine_kind == "rd" else JOB_FIELDS
    supply_fields = RD_SUPPLY_FIELDS if engine_kind == "rd" else POOL_FIELDS
    e_demands = [_engine_record(d, demand_fields) for d in demands]
    e_supplies = [_engine_record(s, supply_fields) for s in supplies]
    weights = params.get("weights") or None

    report("scoring", 10)
    try:
        index = matching.MatchIndex(e_supplies, kind=engine_kind, weights=weights)
        rankings = index.rank(e_demands, top_k=params["top_k"])
    except matching.MatchingError as exc:
        raise RunFailed(f"评分失败：{exc}") from exc
    report("scoring", 55)

    scored: dict[tuple[str, str], matching.ScoredPair] = {}
    ranked_lists: dict[str, list[str]] = {}
    for ranking in rankings:
        ranked_lists[ranking.demand_id] = [p.supply_id for p in ranking.pairs]
        for p in ranking.pairs:
            scored[(p.demand_id, p.supply_id)] = p

    # 揭榜 goes either way: universities apply to a challenge (per demand), enterprises apply to
    # take up a listed achievement (per supply). Snapshots from before listings are challenges.
    applied: dict[str, set[str]] = {}
    takers: dict[str, set[str]] = {}
    for a in snapshot.get("applications", []):
        d, s = str(a["need_id"]), str(a["capability_id"])
        if a.get("direction", "challenge") == "listing":
            takers.setdefault(s, set()).add(d)
        else:
            applied.setdefault(d, set()).add(s)
    pins = {(str(d), str(s)) for d, s in snapshot.get("pins", [])}
    forbids = {(str(d), str(s)): reason for d, s, reason in snapshot.get("forbids", [])}
    demand_ids = {str(d["id"]) for d in demands}
    supply_ids = {str(s["id"]) for s in supplies}

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
    report("assigning", 65)

    # Assignment edges: for an open challenge with applicants only applicants can win (揭榜),
    # and a listed achievement with applicants goes only to one of them; everyone else is
    # matched against their ranked candidates.
    edges: list[tuple[str, str, float]] = []
    for (d, s), p in scored.items():
        if d in applied and s not in applied[d] and (d, s) not in pins:
            continue
        if s in takers and d not in takers[s] and (d, s) not in pins:
            continue
        edges.append((d, s, p.score))
    edge_set = {(d, s) for d, s, _ in edges}
    loads_cfg = params["loads"]
    loads: list[tuple[str, str, int, int]] = []
    for d in demands:
        dmax = loads_cfg["demand_max"]
        if kind == "recruitment_fair":
            dmax = max(1, min(dmax, int(d.get("headcount") or 1)))
        loads.append((str(d["id"]), "demand", min(loads_cfg["demand_min"], dmax), dmax))
    for s in supplies:
        loads.append((str(s["id"]), "supply", 0, _supply_cap(s, kind, loads_cfg.get("supply_max"))))
    pin_list = sorted(p for p in pins if p in edge_set)
    forbid_list = sorted(f for f in forbids if f in edge_set and f not in pins)
    try:
        assignment = graph.assign(
            edges, loads, pins=pin_list, forbids=forbid_list, method=params["method"]
        )
    except graph.InfeasibleError as exc:
        raise RunFailed(f"无法满足最低对接数要求：{exc}") from exc
    except graph.GraphError as exc:
        raise RunFailed(f"分配失败：{exc}") from exc
    report("assembling", 85)

    chosen = {(p.demand_id, p.supply_id) for p in assignment.pairs}
    reasons: dict[tuple[str, str], str] = {}
    for alt in assignment.alternates:
        for c in alt.candidates:
            reasons[(alt.demand_id, c.supply_id)] = c.detail
    for um in assignment.unmatched:
        for c in um.candidates:
            reasons[(um.demand_id, c.supply_id)] = c.detail

    by_demand: dict[str, list[matching.ScoredPair]] = {}
    for (dd, _), p in scored.items():
        by_demand.setdefault(dd, []).append(p)
    candidates: list[dict[str, Any]] = []
    for d in (str(x["id"]) for x in demands):
        pairs = by_demand.get(d, [])
        pairs.sort(key=lambda p: (-p.score, p.supply_id))
        for rank, p in enumerate(pairs, start=1):
            key = (d, p.supply_id)
            candidates.append(
                {
                    "demand_id": int(d),
                    "supply_id": int(p.supply_id),
                    "rank": rank,
                    "score": round(float(p.score), 6),
                    "components": {k: round(float(v), 4) for k, v in p.components.items()},
                    "matched_terms": msgspec.to_builtins(p.matched_terms),
                    "weak": p.weak,
                    "applied": p.supply_id in applied.get(d, ())
                    or d in takers.get(p.supply_id, ()),
                    "chosen": key in chosen,
                    "pinned": key in pins,
                    "forbidden": key in forbids,
                    "reason": forbids.get(key) if key in forbids else reasons.get(key),
                }
            )
    unmatched = [
        {
            "demand_id": int(u.demand_id),
            "reasons": {
                "reason": u.reason,
                "detail": u.detail,
                "candidates": [
                    {
                        "supply_id": int(c.supply_id),
                        "score": c.score,
                        "reason": c.reason,
                        "detail": c.detail,
                    }
                    for c in u.candidates
                ],
            },
        }
        for u in assignment.unmatched
    ]
    summary.update(
        pairs=len(assignment.pairs),
        matched_demands=len({p.demand_id for p in assignment.pairs}),
        total_score=round(float(assignment.total_score), 6),
        min_score=assignment.min_score,
        components=assignment.n_components,
        shortfalls=[msgspec.to_builtins(s) for s in assignment.shortfalls],
    )
    return {"candidates": candidates, "unmatched": unmatched, "summary": summary}
