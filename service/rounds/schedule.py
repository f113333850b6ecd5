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
from service.rounds.schemas import AvailabilityUpdate, MeetingView, ScheduleView
from service.rounds.service import get_round, own_view, staff, wrong_state


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
    if not await conn.fetchval("SELECT 1 FROM organizations WHERE id = $1", body.org_id):
        raise FieldInvalid("org_id", f"机构 {body.org_id} 不存在")
    slots = sorted(set(body.unavailable_slots))
    after = {"round_id": round_id, "org_id": body.org_id, "unavailable_slots": slots}
    async with conn.transaction():
        before = await conn.fetchval(
            "SELECT unavailable_slots FROM fair_availability WHERE round_id = $1 AND org_id = $2"
            " FOR UPDATE",
            round_id,
            body.org_id,
        )
        await conn.execute(
            """
            INSERT INTO fair_availability (round_id, org_id, unavailable_slots) VALUES ($1, $2, $3)
            ON CONFLICT (round_id, org_id) DO UPDATE SET unavailable_slots = EXCLUDED.unavailable_slots
            """,
            round_id, body.org_id, slots,
        )  # fmt: skip
        old = None if before is None else {**after, "unavailable_slots": list(before)}
        await audit.record(conn, principal, "update", "fair_availability", round_id, old, after)
    return after


async def get_availability(
    conn: asyncpg.Connection, round_id: int, org_id: int, principal: Principal
) -> dict[str, Any]:
    """The slots an organization said it cannot attend (staff, or the organization itself)."""
    require_org(principal, org_id)
    await get_round(conn, round_id)
    slots = await conn.fetchval(
        "SELECT unavailable_slots FROM fair_availability WHERE round_id = $1 AND org_id = $2",
        round_id,
        org_id,
    )
    return {"round_id": round_id, "org_id": org_id, "unavailable_slots": list(slots or [])}


async def build(conn: asyncpg.Connection, round_id: int, principal: Principal) -> ScheduleView:
    staff(principal)
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        if row["state"] != "published":
            raise wrong_state(row, "发布配对后才能排定日程")
        if not row["slots"] or not row["tables"]:
            raise FieldInvalid("slots", "请先在活动设置中填写时段（slots）和洽谈桌数（tables）")
        pairs = await conn.fetch(
            """
            SELECT demand_org_id AS ent, supply_org_id AS uni,
                   bool_and(demand_response = 'accepted' AND supply_response = 'accepted') AS confirmed
            FROM pairings
            WHERE round_id = $1 AND 'declined' NOT IN (demand_response, supply_response)
            GROUP BY demand_org_id, supply_org_id
            ORDER BY demand_org_id, supply_org_id
            """,
            round_id,
        )
        previous = {
            (m["enterprise_id"], m["university_id"]): m
            for m in await conn.fetch(
                "SELECT * FROM meetings WHERE round_id = $1 AND state = 'scheduled'", round_id
            )
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
        for a in await conn.fetch("SELECT * FROM fair_availability WHERE round_id = $1", round_id):
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
        await conn.execute(
            """
            UPDATE meetings SET state = 'cancelled', slot = NULL, table_no = NULL,
                note = coalesce(note, '配对已取消')
            WHERE round_id = $1 AND state <> 'cancelled'
              AND (enterprise_id, university_id) NOT IN (SELECT * FROM unnest($2::bigint[], $3::bigint[]))
            """,
            round_id, [k[0] for k in live], [k[1] for k in live],
        )  # fmt: skip
        rows = [
            (round_id, *(int(x) for x in pl.meeting_id.split("-")), int(pl.slot), int(pl.table), "scheduled", None)
            for pl in result.placements
        ] + [
            (round_id, *(int(x) for x in un.meeting_id.split("-")), None, None, "unplaced", un.detail)
            for un in result.unplaced
        ]  # fmt: skip
        await _upsert(conn, rows)
        await meetings_changed(conn, row, previous, [r[1:5] for r in rows if r[5] == "scheduled"])
        summary = {"placed": len(result.placements), "unplaced": len(result.unplaced)}
        await audit.record(conn, principal, "create", "meetings", round_id, None, summary)
    return await view(conn, round_id, None, principal)


async def _upsert(conn: asyncpg.Connection, rows: list[tuple]) -> None:
    """Write (round, enterprise, university, slot, table, state, note) rows in one round trip."""
    await conn.executemany(
        """
        INSERT INTO meetings (round_id, enterprise_id, university_id, slot, table_no, state, note)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (round_id, enterprise_id, university_id)
        DO UPDATE SET slot = EXCLUDED.slot, table_no = EXCLUDED.table_no, state = EXCLUDED.state,
                      note = EXCLUDED.note
        """,
        rows,
    )


async def view(
    conn: asyncpg.Connection, round_id: int, org_id: int | None, principal: Principal
) -> ScheduleView:
    """Staff see the whole grid (or one organization's agenda); a participant its own agenda."""
    org_id = own_view(principal, org_id)
    row = await get_round(conn, round_id)
    rows = await conn.fetch(
        """
        SELECT m.*, e.name AS enterprise_name, u.name AS university_name,
               coalesce((SELECT bool_and(p.demand_response = 'accepted' AND p.supply_response = 'accepted')
                         FROM pairings p WHERE p.round_id = m.round_id AND p.demand_org_id = m.enterprise_id
                           AND p.supply_org_id = m.university_id), false) AS confirmed
        FROM meetings m JOIN organizations e ON e.id = m.enterprise_id
        JOIN organizations u ON u.id = m.university_id
        WHERE m.round_id = $1 AND ($2::bigint IS NULL OR $2 IN (m.enterprise_id, m.university_id))
        ORDER BY m.slot NULLS LAST, m.table_no, m.id
        """,
        round_id, org_id,
    )  # fmt: skip
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
