"""SQL of contact requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

# Target kind -> (table, SQL for its title). Names come from this table only, never a request.
TARGETS: dict[str, tuple[str, str]] = {
    "need": ("rd_needs", "t.title"),
    "job": ("job_openings", "t.title"),
    "capability": ("capabilities", "t.title"),
    "talent_pool": (
        "talent_pools",
        "t.major_name || '（' || t.degree_level || '，' || t.graduation_year || '届）'",
    ),
}


async def fetch_target(conn: asyncpg.Connection, kind: str, ident: int) -> asyncpg.Record | None:
    table, title = TARGETS[kind]
    contact = "t.contact" if kind == "capability" else "NULL::text"
    review = "t.challenge_review" if kind == "need" else "'approved'"
    return await conn.fetchrow(
        f"SELECT t.id, t.owner_id, t.status, {title} AS title, {contact} AS target_contact,"
        f" {review} AS challenge_review,"
        " o.name AS owner_name, o.approval_state AS owner_approval"
        f" FROM {table} t JOIN organizations o ON o.id = t.owner_id WHERE t.id = $1",
        ident,
    )


async def lock_org(conn: asyncpg.Connection, org_id: int) -> asyncpg.Record | None:
    """Serialises the limit checks of one requesting organization."""
    return await conn.fetchrow(
        "SELECT id, name, approval_state FROM organizations WHERE id = $1 FOR UPDATE", org_id
    )


async def created_since(
    conn: asyncpg.Connection, org_id: int, since: timedelta
) -> tuple[int, datetime | None]:
    row = await conn.fetchrow(
        "SELECT count(*) AS n, min(created_at) AS oldest FROM contact_requests"
        " WHERE from_org = $1 AND created_at > now() - $2::interval",
        org_id,
        since,
    )
    return row["n"], row["oldest"]


async def open_request(
    conn: asyncpg.Connection, org_id: int, kind: str, target_id: int
) -> int | None:
    return await conn.fetchval(
        "SELECT id FROM contact_requests WHERE from_org = $1 AND target_kind = $2"
        " AND target_id = $3 AND state = 'pending'",
        org_id,
        kind,
        target_id,
    )


async def last_decline(
    conn: asyncpg.Connection, from_org: int, to_org: int, since: timedelta
) -> datetime | None:
    return await conn.fetchval(
        "SELECT max(answered_at) FROM contact_requests WHERE from_org = $1 AND to_org = $2"
        " AND state = 'declined' AND answered_at > now() - $3::interval",
        from_org,
        to_org,
        since,
    )


async def insert(conn: asyncpg.Connection, values: dict[str, Any]) -> int:
    cols = list(values)
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    return await conn.fetchval(
        f"INSERT INTO contact_requests ({', '.join(cols)}) VALUES ({marks}) RETURNING id",
        *values.values(),
    )


_SELECT = """
SELECT c.*, f.name AS from_org_name, o.name AS to_org_name,
       f.contact_name AS from_contact_name, f.contact_phone AS from_contact_phone,
       f.contact_email AS from_contact_email,
       o.contact_name AS to_contact_name, o.contact_phone AS to_contact_phone,
       o.contact_email AS to_contact_email,
       coalesce(n.title, j.title, k.title,
                p.major_name || '（' || p.degree_level || '，' || p.graduation_year || '届）',
                '（已删除）') AS target_title,
       k.contact AS target_contact
FROM contact_requests c
JOIN organizations f ON f.id = c.from_org
JOIN organizations o ON o.id = c.to_org
LEFT JOIN rd_needs n ON c.target_kind = 'need' AND n.id = c.target_id
LEFT JOIN job_openings j ON c.target_kind = 'job' AND j.id = c.target_id
LEFT JOIN capabilities k ON c.target_kind = 'capability' AND k.id = c.target_id
LEFT JOIN talent_pools p ON c.target_kind = 'talent_pool' AND p.id = c.target_id
"""


async def fetch(
    conn: asyncpg.Connection, ident: int, *, for_update: bool = False
) -> asyncpg.Record | None:
    lock = " FOR UPDATE OF c" if for_update else ""
    return await conn.fetchrow(_SELECT + " WHERE c.id = $1" + lock, ident)


async def list_for(
    conn: asyncpg.Connection,
    *,
    org_id: int | None,
    box: str | None,
    state: str | None,
    limit: int,
    offset: int,
) -> tuple[list[asyncpg.Record], int]:
    """``box`` sent/received of ``org_id``; both when None; every request when org_id is None."""
    where = (
        " WHERE ($1::bigint IS NULL"
        "  OR ($2::text IS DISTINCT FROM 'received' AND c.from_org = $1)"
        "  OR ($2::text IS DISTINCT FROM 'sent' AND c.to_org = $1))"
        " AND ($3::text IS NULL OR c.state = $3)"
    )
    total = await conn.fetchval(
        "SELECT count(*) FROM contact_requests c" + where, org_id, box, state
    )
    rows = await conn.fetch(
        _SELECT + where + " ORDER BY c.id DESC LIMIT $4 OFFSET $5",
        org_id,
        box,
        state,
        limit,
        offset,
    )
    return rows, total


async def answer(
    conn: asyncpg.Connection, ident: int, state: str, reason: str | None, user_id: int | None
) -> None:
    await conn.execute(
        "UPDATE contact_requests SET state = $2, reason = $3, answered_by = $4,"
        " answered_at = now() WHERE id = $1",
        ident,
        state,
        reason,
        user_id,
    )


_STATS = """
WITH r AS (
    SELECT c.state,
           CASE WHEN f.kind = 'enterprise' OR o.kind <> 'enterprise' THEN f.city ELSE o.city END
               AS city,
           CASE WHEN f.kind = 'enterprise' OR o.kind <> 'enterprise' THEN f.industry_code
                ELSE o.industry_code END AS industry_code
    FROM contact_requests c
    JOIN organizations f ON f.id = c.from_org
    JOIN organizations o ON o.id = c.to_org
)
SELECT {key} AS key, count(*) AS total,
       count(*) FILTER (WHERE state = 'pending') AS pending,
       count(*) FILTER (WHERE state = 'accepted') AS accepted,
       count(*) FILTER (WHERE state = 'declined') AS declined,
       count(*) FILTER (WHERE state = 'withdrawn') AS withdrawn
FROM r GROUP BY 1 ORDER BY total DESC, key NULLS LAST
"""


async def stats(conn: asyncpg.Connection) -> dict[str, list[asyncpg.Record]]:
    return {
        "city": await conn.fetch(_STATS.format(key="city")),
        # The GB/T 4754 major class (C34), the level an SME bureau reports by.
        "industry": await conn.fetch(_STATS.format(key="left(industry_code, 3)")),
        "total": await conn.fetch(_STATS.format(key="'all'")),
    }
