"""Fair-day schedules: one meeting per (enterprise, university) pair that has a live pairing,
placed into time slots and tables by :func:`graph.schedule` so nobody is double-booked.

Re-scheduling after a cancellation or a late addition keeps every *confirmed* meeting (all of
the two organizations' pairings accepted by both sides) exactly where it was.
"""

from __future__ import annotations

from typing import Any

import asyncpg

import graph
from service.auth import Principal, audit, require_org
from service.errors import FieldInvalid
from service.notifications.events import meetings_changed
from service.rounds import schedule_repository as repo
from service.rounds.rounds import get_round, own_view, staff, wrong_state
from service.rounds.schemas import AvailabilityUpdate, MeetingView, ScheduleView


def _ent(org_id: int) -> str:
    return f"E{org_id}"


def _uni(org_id: int) -> str:
    return f"U{org_id}"


async def set_availability(
    conn: asyncpg.Connection, round_id: int, body: AvailabilityUpdate, principal: Principal
) -> dict[str, Any]:
    """Staff, or the organization itself, say when it cannot meet."""
    require_org(principal, body.org_id)
    row = await get_round(conn, round_id)
    n = len(row["slots"])
    bad = [s for s in body.unavailable_slots if s >= n]
    if bad:
        raise FieldInvalid(
            "unavailable_slots", f"时段编号 {bad} 超出本活动的 {n} 个时段（从 0 开始）"
        )
    if not await repo.org_exists(conn, body.org_id):
        raise FieldInvalid("org_id", f"机构 {body.org_id} 不存在")
    slots = sorted(set(body.unavailable_slots))
    after = {"round_id": round_id, "org_id": body.org_id, "unavailable_slots": slots}
    async with conn.transaction():
        before = await repo.unavailable_slots(conn, round_id, body.org_id, lock=True)
        await repo.set_unavailable_slots(conn, round_id, body.org_id, slots)
        old = None if before is None else {**after, "unavailable_slots": list(before)}
        await audit.record(conn, principal, "update", "fair_availability", round_id, old, after)
    return after


async def get_availability(
    conn: asyncpg.Connection, round_id: int, org_id: int, principal: Principal
) -> dict[str, Any]:
    """The slots an organization said it cannot attend (staff, or the organization itself)."""
    require_org(principal, org_id)
    await get_round(conn, round_id)
    slots = await repo.unavailable_slots(conn, round_id, org_id)
    return {"round_id": round_id, "org_id": org_id, "unavailable_slots": list(slots or [])}


async def build(conn: asyncpg.Connection, round_id: int, principal: Principal) -> ScheduleView:
    staff(principal)
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        if row["state"] != "published":
            raise wrong_state(row, "发布配对后才能排定日程")
        if not row["slots"] or not row["tables"]:
            raise FieldInvalid("slots", "请先在活动设置中填写时段（slots）和洽谈桌数（tables）")
        pairs = await repo.meeting_pairs(conn, round_id)
        previous = {
            (m["enterprise_id"], m["university_id"]): m
            for m in await repo.scheduled_meetings(conn, round_id)
        }
        meetings = [(f"{p['ent']}-{p['uni']}", _ent(p["ent"]), _uni(p["uni"])) for p in pairs]
        confirmed = [
            graph.Placement(
                meeting_id=f"{p['ent']}-{p['uni']}", a=_ent(p["ent"]), b=_uni(p["uni"]),
                slot=str(previous[(p["ent"], p["uni"])]["slot"]),
                table=str(previous[(p["ent"], p["uni"])]["table_no"]), confirmed=True,
            )
            for p in pairs
            if p["confirmed"] and (p["ent"], p["uni"]) in previous
        ]  # fmt: skip
        unavailable: dict[str, list[str]] = {}
        for a in await repo.availability(conn, round_id):
            slots = [str(s) for s in a["unavailable_slots"]]
            unavailable[_ent(a["org_id"])] = slots
            unavailable[_uni(a["org_id"])] = slots
        result = graph.schedule(
            meetings,
            slots=[str(i) for i in range(len(row["slots"]))],
            tables=[str(t) for t in range(1, row["tables"] + 1)],
            unavailable=unavailable,
            confirmed=confirmed,
        )
        live = {(p["ent"], p["uni"]) for p in pairs}
        await repo.cancel_meetings_except(conn, round_id, sorted(live))
        rows = [
            (round_id, *(int(x) for x in pl.meeting_id.split("-")), int(pl.slot), int(pl.table), "scheduled", None)
            for pl in result.placements
        ] + [
            (round_id, *(int(x) for x in un.meeting_id.split("-")), None, None, "unplaced", un.detail)
            for un in result.unplaced
        ]  # fmt: skip
        await repo.upsert_meetings(conn, rows)
        await meetings_changed(conn, row, previous, [r[1:5] for r in rows if r[5] == "scheduled"])
        summary = {"placed": len(result.placements), "unplaced": len(result.unplaced)}
        await audit.record(conn, principal, "create", "meetings", round_id, None, summary)
    return await view(conn, round_id, None, principal)


async def view(
    conn: asyncpg.Connection, round_id: int, org_id: int | None, principal: Principal
) -> ScheduleView:
    """Staff see the whole grid (or one organization's agenda); a participant its own agenda."""
    org_id = own_view(principal, org_id)
    row = await get_round(conn, round_id)
    rows = await repo.meetings(conn, round_id, org_id)
    labels = row["slots"]
    meetings = [
        MeetingView(
            id=m["id"],
            enterprise_id=m["enterprise_id"],
            enterprise_name=m["enterprise_name"],
            university_id=m["university_id"],
            university_name=m["university_name"],
            slot=m["slot"],
            slot_label=labels[m["slot"]]
            if m["slot"] is not None and m["slot"] < len(labels)
            else None,
            table_no=m["table_no"],
            state=m["state"],
            confirmed=m["confirmed"],
            note=m["note"],
        )  # fmt: skip
        for m in rows
    ]
    scheduled = [m for m in meetings if m.state == "scheduled"]
    degree: dict[str, int] = {}
    for m in scheduled + [m for m in meetings if m.state == "unplaced"]:
        for key in (_ent(m.enterprise_id), _uni(m.university_id)):
            degree[key] = degree.get(key, 0) + 1
    n_live = sum(1 for m in meetings if m.state != "cancelled")
    tables = row["tables"] or 1
    lower = max(max(degree.values(), default=0), -(-n_live // tables)) if n_live else 0
    return ScheduleView(
        round_id=round_id, slots=list(labels), tables=row["tables"], meetings=meetings,
        n_slots_used=len({m.slot for m in scheduled}), lower_bound=lower,
        unplaced=sum(1 for m in meetings if m.state == "unplaced"),
    )  # fmt: skip
