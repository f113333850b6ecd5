"""A round's runs: queue one (the worker in :mod:`service.rounds.worker` does it), list,
cancel, and read its results (staff see every demand; participants their own lines, once
published)."""

from __future__ import annotations

from collections import defaultdict

import asyncpg
import msgspec

from service.auth import Principal, audit
from service.errors import Conflict, NotFound
from service.rounds import repository as repo
from service.rounds import states
from service.rounds.rounds import (
    get_round,
    is_staff,
    own_view,
    staff,
)
from service.rounds.schemas import (
    Candidate,
    DemandResult,
    QueuedRunParams,
    Run,
    RunLoads,
    RunResults,
)

# --- runs ----------------------------------------------------------------------------------------


def to_run(row: asyncpg.Record) -> Run:
    return msgspec.convert({k: row[k] for k in Run.__struct_fields__}, Run)


async def start_run(
    conn: asyncpg.Connection, round_id: int, seed: int, principal: Principal
) -> Run:
    staff(principal)
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        states.check_runnable(row)
        params = QueuedRunParams(
            method=row["method"],
            weights=row["weights"],
            loads=RunLoads(
                demand_min=row["demand_min"],
                demand_max=row["demand_max"],
                supply_max=row["supply_max"],
            ),
            top_k=row["top_k"],
            previous_state=row["state"],
        )
        try:
            run = await repo.insert_run(conn, round_id, params, seed)
        except asyncpg.UniqueViolationError as exc:
            raise Conflict("该对接活动已有正在进行的匹配运行") from exc
        await states.run_started(conn, round_id)
        await repo.notify_run_queued(conn, run["id"])
        created = to_run(run)
        await audit.record(conn, principal, "create", "runs", created.id, None, created)
        return created


async def get_run(conn: asyncpg.Connection, run_id: int, principal: Principal | None = None) -> Run:
    if principal is not None:
        staff(principal)
    row = await repo.fetch_run(conn, run_id)
    if row is None:
        raise NotFound("匹配运行", run_id)
    return to_run(row)


async def list_runs(conn, round_id: int, principal: Principal) -> list[Run]:
    staff(principal)
    await get_round(conn, round_id)
    return [to_run(r) for r in await repo.list_runs(conn, round_id)]


async def cancel_run(conn: asyncpg.Connection, run_id: int, principal: Principal) -> Run:
    staff(principal)
    async with conn.transaction():
        row = await repo.lock_run(conn, run_id)
        if row is None:
            raise NotFound("匹配运行", run_id)
        if row["state"] == "queued":
            await repo.cancel_queued_run(conn, run_id)
            await states.run_ended(conn, row["round_id"], row["params"])
        elif row["state"] == "running":
            await repo.request_cancel(conn, run_id)
        else:
            raise Conflict(f"匹配运行 {run_id} 已结束（{row['state']}），无法取消")
        await audit.record(conn, principal, "cancel", "runs", run_id, {"state": row["state"]}, None)
    return await get_run(conn, run_id)


# --- results -------------------------------------------------------------------------------------


def _candidate(c: asyncpg.Record, items: dict[tuple[str, int], asyncpg.Record]) -> Candidate:
    s = items[("supply", c["supply_id"])]
    return Candidate(
        supply_id=c["supply_id"], supply_title=s["title"], supply_org_id=s["org_id"],
        supply_org_name=s["org_name"], rank=c["rank"], score=c["score"], components=c["components"],
        matched_terms=c["matched_terms"], applied=c["applied"], chosen=c["chosen"],
        pinned=c["pinned"], forbidden=c["forbidden"], reason=c["reason"], weak=c["weak"],
    )  # fmt: skip


INVITE_TOP = 3


async def results(
    conn: asyncpg.Connection,
    run_id: int,
    principal: Principal,
    org_id: int | None = None,
    demand_id: int | None = None,
) -> RunResults:
    """Staff see every demand; a participant sees only its own lines, and only once the run's
    round has been published (results under review are not theirs to see yet)."""
    run = await get_run(conn, run_id)
    org_id = own_view(principal, org_id)
    if not is_staff(principal):
        row = await get_round(conn, run.round_id)
        if row["published_run_id"] != run_id:
            from service.errors import Forbidden

            raise Forbidden("该运行的结果尚未发布，参与方只能查看已发布的结果")
    if run.state != "succeeded":
        raise Conflict(f"匹配运行 {run_id} 状态为 {run.state}，尚无结果")
    items = {(r["side"], r["item_id"]): r for r in await repo.run_items(conn, run_id)}
    unmatched = {r["demand_id"]: r["reasons"] for r in await repo.run_unmatched(conn, run_id)}
    by_demand: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for c in await repo.run_candidates(conn, run_id, [demand_id] if demand_id else None):
        by_demand[c["demand_id"]].append(c)
    out: list[DemandResult] = []
    demand_rows = sorted(
        (r for (side, _), r in items.items() if side == "demand"), key=lambda r: r["item_id"]
    )
    for d in demand_rows:
        did = d["item_id"]
        if demand_id is not None and did != demand_id:
            continue
        cands = by_demand.get(did, [])
        if org_id is not None and d["org_id"] != org_id:
            # A university sees a demand only where one of its own capabilities is a candidate,
            # and then only its own lines.
            cands = [c for c in cands if items[("supply", c["supply_id"])]["org_id"] == org_id]
            if not cands:
                continue
        ranked = [_candidate(c, items) for c in cands]
        chosen = [c for c in ranked if c.chosen]
        alternates = [c for c in ranked if not c.chosen and not c.forbidden][:3]
        invite: list[Candidate] = []
        if d["is_challenge"]:
            best_applicant = max((c.score for c in ranked if c.applied), default=None)
            invite = [
                c
                for c in ranked
                if not c.applied
                and not c.forbidden
                and (
                    c.rank <= INVITE_TOP
                    or (best_applicant is not None and c.score > best_applicant)
                )
            ][:5]
        out.append(
            DemandResult(
                demand_id=did,
                demand_title=d["title"],
                demand_org_id=d["org_id"],
                demand_org_name=d["org_name"],
                chosen=chosen,
                alternates=alternates,
                ranked=ranked,
                invite=invite,
                unmatched_reasons=[unmatched[did]] if did in unmatched else None,
            )  # fmt: skip
        )
    return RunResults(run=run, demands=out)
