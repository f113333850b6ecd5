"""SQL of fair-day schedules: availability, the pairs that need a meeting, and meetings."""

from __future__ import annotations

import asyncpg


async def org_exists(conn: asyncpg.Connection, org_id: int) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM organizations WHERE id = $1", org_id))


async def unavailable_slots(
    conn: asyncpg.Connection, round_id: int, org_id: int, lock: bool = False
) -> list[int] | None:
    """The slots the organization said it cannot attend (None: it said nothing)."""
    return await conn.fetchval(
        "SELECT unavailable_slots FROM fair_availability WHERE round_id = $1 AND org_id = $2"
        + (" FOR UPDATE" if lock else ""),
        round_id,
        org_id,
    )


async def set_unavailable_slots(
    conn: asyncpg.Connection, round_id: int, org_id: int, slots: list[int]
) -> None:
    await conn.execute(
        """
        INSERT INTO fair_availability (round_id, org_id, unavailable_slots) VALUES ($1, $2, $3)
        ON CONFLICT (round_id, org_id) DO UPDATE SET unavailable_slots = EXCLUDED.unavailable_slots
        """,
        round_id, org_id, slots,
    )  # fmt: skip


async def availability(conn: asyncpg.Connection, round_id: int) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM fair_availability WHERE round_id = $1", round_id)


async def meeting_pairs(conn: asyncpg.Connection, round_id: int) -> list[asyncpg.Record]:
    """(enterprise, university) pairs with a live pairing, and whether all are confirmed."""
    return await conn.fetch(
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


async def scheduled_meetings(conn: asyncpg.Connection, round_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM meetings WHERE round_id = $1 AND state = 'scheduled'", round_id
    )


async def cancel_meetings_except(
    conn: asyncpg.Connection, round_id: int, live: list[tuple[int, int]]
) -> None:
    """Cancel the round's meetings whose (enterprise, university) pair is not ``live``."""
    await conn.execute(
        """
        UPDATE meetings SET state = 'cancelled', slot = NULL, table_no = NULL,
            note = coalesce(note, '配对已取消')
        WHERE round_id = $1 AND state <> 'cancelled'
          AND (enterprise_id, university_id) NOT IN (SELECT * FROM unnest($2::bigint[], $3::bigint[]))
        """,
        round_id, [k[0] for k in live], [k[1] for k in live],
    )  # fmt: skip


async def upsert_meetings(conn: asyncpg.Connection, rows: list[tuple]) -> None:
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


async def meetings(
    conn: asyncpg.Connection, round_id: int, org_id: int | None
) -> list[asyncpg.Record]:
    """The round's meetings (or one organization's), with names and whether confirmed."""
    return await conn.fetch(
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
