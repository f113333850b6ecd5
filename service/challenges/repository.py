"""SQL of the 揭榜挂帅 lifecycle, two-way 揭榜, 公示, milestones and "my" views."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from service.domain.access import APPROVED_OWNER

# --- 发榜 review -----------------------------------------------------------------------------------


async def pending_challenges(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT t.*, o.name AS owner_name FROM rd_needs t JOIN organizations o ON o.id = t.owner_id
        WHERE t.is_challenge AND t.challenge_review = 'pending' AND t.status = 'published'
        ORDER BY t.updated_at, t.id
        """
    )


async def fetch_need(conn: asyncpg.Connection, need_id: int, lock: bool = False):
    sql = (
        "SELECT t.*, o.name AS owner_name, o.approval_state AS owner_approval"
        " FROM rd_needs t JOIN organizations o ON o.id = t.owner_id"
        " WHERE t.id = $1"
    )
    return await conn.fetchrow(sql + (" FOR UPDATE OF t" if lock else ""), need_id)


async def set_review(
    conn: asyncpg.Connection, need_id: int, review: str, reason: str | None, user_id: int | None
) -> asyncpg.Record:
    return await conn.fetchrow(
        """
        UPDATE rd_needs SET challenge_review = $2, return_reason = $3, reviewed_by = $4,
            reviewed_at = now()
        WHERE id = $1 RETURNING id, challenge_review, return_reason, reviewed_at
        """,
        need_id, review, reason, user_id,
    )  # fmt: skip


# --- applications ---------------------------------------------------------------------------------

# An application with everything its rules need: the challenge (need), the capability, both
# organizations and the round.
APPLICATION = """
    SELECT a.*, n.title AS need_title, n.owner_id AS need_org_id, n.deadline, n.reward,
           n.status AS need_status, n.is_challenge, no.name AS need_org_name,
           c.title AS cap_title, c.owner_id AS cap_org_id, c.asking_price, co.name AS cap_org_name,
           r.title AS round_title, r.state AS round_state, r.registration_closes
    FROM applications a
    JOIN rd_needs n ON n.id = a.need_id JOIN organizations no ON no.id = n.owner_id
    JOIN capabilities c ON c.id = a.capability_id JOIN organizations co ON co.id = c.owner_id
    JOIN rounds r ON r.id = a.round_id
"""


async def fetch_application(conn: asyncpg.Connection, app_id: int, lock: bool = False):
    if lock:
        await conn.execute("SELECT 1 FROM applications WHERE id = $1 FOR UPDATE", app_id)
    return await conn.fetchrow(APPLICATION + " WHERE a.id = $1", app_id)


async def set_status(
    conn: asyncpg.Connection, app_ids: list[int], status: str, note: str | None = None
) -> None:
    await conn.execute(
        """
        UPDATE applications SET status = $2, status_note = coalesce($3, status_note),
            updated_at = now(),
            withdrawn_at = CASE WHEN $2 = 'withdrawn' THEN now() ELSE NULL END
        WHERE id = ANY($1::bigint[])
        """,
        app_ids, status, note,
    )  # fmt: skip


async def applications_to(
    conn: asyncpg.Connection, direction: str, target_id: int
) -> list[asyncpg.Record]:
    """The applications to one challenge (need) or one listed achievement, oldest first."""
    column = "a.need_id" if direction == "challenge" else "a.capability_id"
    return await conn.fetch(
        APPLICATION + f" WHERE a.direction = $1 AND {column} = $2 ORDER BY a.id",
        direction,
        target_id,
    )


async def my_applications(
    conn: asyncpg.Connection, org_id: int | None, status: str | None
) -> list[asyncpg.Record]:
    """Applications my organization made: its capabilities to challenges, its needs to listings."""
    return await conn.fetch(
        APPLICATION
        + """ WHERE ($1::bigint IS NULL
                 OR (a.direction = 'challenge' AND c.owner_id = $1)
                 OR (a.direction = 'listing' AND n.owner_id = $1))
              AND ($2::text IS NULL OR a.status = $2)
            ORDER BY a.id DESC LIMIT 500""",
        org_id, status,
    )  # fmt: skip


async def questions(conn: asyncpg.Connection, app_ids: list[int]) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM application_questions WHERE application_id = ANY($1::bigint[]) ORDER BY id",
        app_ids,
    )


async def count_questions(conn: asyncpg.Connection, app_id: int) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM application_questions WHERE application_id = $1", app_id
    )


async def insert_question(
    conn: asyncpg.Connection, app_id: int, question: str, user_id: int | None
) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO application_questions (application_id, question, asked_by) VALUES ($1, $2, $3)"
        " RETURNING *",
        app_id, question, user_id,
    )  # fmt: skip


async def fetch_question(conn: asyncpg.Connection, app_id: int, question_id: int):
    return await conn.fetchrow(
        "SELECT * FROM application_questions WHERE id = $1 AND application_id = $2 FOR UPDATE",
        question_id, app_id,
    )  # fmt: skip


async def answer_question(
    conn: asyncpg.Connection, question_id: int, answer: str, user_id: int | None
) -> asyncpg.Record:
    return await conn.fetchrow(
        "UPDATE application_questions SET answer = $2, answered_by = $3, answered_at = now()"
        " WHERE id = $1 RETURNING *",
        question_id, answer, user_id,
    )  # fmt: skip


async def capabilities_rows(conn: asyncpg.Connection, ids: list[int]) -> list[asyncpg.Record]:
    return await _rows(conn, "capabilities", ids)


async def needs_rows(conn: asyncpg.Connection, ids: list[int]) -> list[asyncpg.Record]:
    return await _rows(conn, "rd_needs", ids)


async def _rows(conn: asyncpg.Connection, table: str, ids: list[int]) -> list[asyncpg.Record]:
    # The recommendation engine's record shape (service.recommend.as_demand / as_supply).
    return await conn.fetch(
        f"""
        SELECT t.*, o.name AS owner_name, o.city AS owner_city, o.industry_code AS owner_industry,
               o.tags AS owner_tags
        FROM {table} t JOIN organizations o ON o.id = t.owner_id WHERE t.id = ANY($1::bigint[])
        """,
        ids,
    )


async def fetch_capability(conn: asyncpg.Connection, cap_id: int):
    return await conn.fetchrow(
        "SELECT t.*, o.name AS owner_name, o.approval_state AS owner_approval FROM capabilities t"
        " JOIN organizations o"
        " ON o.id = t.owner_id WHERE t.id = $1",
        cap_id,
    )


async def listings(conn: asyncpg.Connection, limit: int, offset: int):
    where = (
        f"WHERE t.status = 'published' AND cardinality(t.listing_modes) > 0 AND {APPROVED_OWNER}"
    )
    total = await conn.fetchval(
        f"SELECT count(*) FROM capabilities t JOIN organizations o ON o.id = t.owner_id {where}"
    )
    rows = await conn.fetch(
        f"""
        SELECT t.id, t.title, t.description, t.keywords, t.field_codes, t.patent_number,
               t.listing_modes, t.asking_price, t.listing_terms, t.owner_id, o.name AS owner_name,
               o.city AS owner_city
        FROM capabilities t JOIN organizations o ON o.id = t.owner_id {where}
        ORDER BY t.id DESC LIMIT $1 OFFSET $2
        """,
        limit, offset,
    )  # fmt: skip
    return rows, total


# --- 公示 ------------------------------------------------------------------------------------------


async def insert_result(conn: asyncpg.Connection, v: dict[str, Any]) -> asyncpg.Record:
    return await conn.fetchrow(
        """
        INSERT INTO challenge_results (pairing_id, need_id, capability_id, direction, title,
            owner_name, winner_name, reward, publicity_start, publicity_end)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *
        """,
        v["pairing_id"], v["need_id"], v["capability_id"], v["direction"], v["title"],
        v["owner_name"], v["winner_name"], v["reward"], v["publicity_start"], v["publicity_end"],
    )  # fmt: skip


async def publicity(conn: asyncpg.Connection, on: date, include_past: bool) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT * FROM challenge_results
        WHERE publicity_start <= $1 AND ($2 OR publicity_end >= $1)
        ORDER BY publicity_start DESC, id DESC LIMIT 200
        """,
        on, include_past,
    )  # fmt: skip


async def results_for(conn: asyncpg.Connection, pairing_ids: list[int]) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM challenge_results WHERE pairing_id = ANY($1::bigint[])", pairing_ids
    )


# --- milestones -----------------------------------------------------------------------------------


async def upsert_milestone(
    conn: asyncpg.Connection, pairing_id: int, v: dict[str, Any], user_id: int | None
) -> None:
    await conn.execute(
        """
        INSERT INTO pairing_milestones (pairing_id, kind, held_on, passed, note, recorded_by)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (pairing_id, kind) DO UPDATE SET held_on = EXCLUDED.held_on,
            passed = EXCLUDED.passed, note = EXCLUDED.note, recorded_by = EXCLUDED.recorded_by
        """,
        pairing_id, v["kind"], v["held_on"], v["passed"], v["note"], user_id,
    )  # fmt: skip


async def milestones(conn: asyncpg.Connection, pairing_ids: list[int]) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM pairing_milestones WHERE pairing_id = ANY($1::bigint[]) ORDER BY held_on, id",
        pairing_ids,
    )


# --- my pairings and agenda -----------------------------------------------------------------------


def _my_pairings_where() -> str:
    return """
        WHERE ($1::bigint IS NULL OR $1 IN (p.demand_org_id, p.supply_org_id))
          AND ($2::bigint IS NULL OR p.round_id = $2)
          AND ($3::text IS NULL OR ($3 = 'demand' AND p.demand_org_id = $1)
                                OR ($3 = 'supply' AND p.supply_org_id = $1))
          AND ($4::text IS NULL
               OR ($4 = 'declined' AND 'declined' IN (p.demand_response, p.supply_response))
               OR ($4 = 'confirmed' AND p.demand_response = 'accepted' AND p.supply_response = 'accepted')
               OR ($4 = 'pending' AND 'declined' NOT IN (p.demand_response, p.supply_response)
                   AND 'pending' IN (p.demand_response, p.supply_response)))
    """


async def my_pairings(
    conn: asyncpg.Connection,
    org_id: int | None,
    round_id: int | None,
    side: str | None,
    state: str | None,
    limit: int,
    offset: int,
) -> tuple[list[asyncpg.Record], int]:
    """Pairings of every round (closed ones included) that involve ``org_id`` (all: None)."""
    where = _my_pairings_where()
    args = (org_id, round_id, side, state)
    total = await conn.fetchval(f"SELECT count(*) FROM pairings p {where}", *args)
    rows = await conn.fetch(
        f"""
        SELECT p.*, di.title AS demand_title, di.org_name AS demand_org_name,
               si.title AS supply_title, si.org_name AS supply_org_name,
               r.title AS round_title, r.kind AS round_kind, r.state AS round_state
        FROM pairings p JOIN rounds r ON r.id = p.round_id
        JOIN run_items di ON di.run_id = p.run_id AND di.side = 'demand' AND di.item_id = p.demand_id
        JOIN run_items si ON si.run_id = p.run_id AND si.side = 'supply' AND si.item_id = p.supply_id
        {where}
        ORDER BY p.round_id DESC, p.id LIMIT $5 OFFSET $6
        """,
        *args, limit, offset,
    )  # fmt: skip
    return rows, total


async def agenda(
    conn: asyncpg.Connection, org_id: int | None, round_id: int | None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT m.*, r.title AS round_title, r.event_date, r.slots,
               e.name AS enterprise_name, u.name AS university_name,
               coalesce((SELECT bool_and(p.demand_response = 'accepted' AND p.supply_response = 'accepted')
                         FROM pairings p WHERE p.round_id = m.round_id AND p.demand_org_id = m.enterprise_id
                           AND p.supply_org_id = m.university_id), false) AS confirmed
        FROM meetings m JOIN rounds r ON r.id = m.round_id
        JOIN organizations e ON e.id = m.enterprise_id JOIN organizations u ON u.id = m.university_id
        WHERE ($1::bigint IS NULL OR $1 IN (m.enterprise_id, m.university_id))
          AND ($2::bigint IS NULL OR m.round_id = $2)
        ORDER BY r.event_date NULLS LAST, m.round_id, m.slot NULLS LAST, m.table_no, m.id
        LIMIT 1000
        """,
        org_id, round_id,
    )  # fmt: skip


# --- rows the rules read ---------------------------------------------------------------------------


async def need_row(conn: asyncpg.Connection, need_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM rd_needs WHERE id = $1", need_id)


async def capability_row(conn: asyncpg.Connection, cap_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM capabilities WHERE id = $1", cap_id)


async def lock_pairing(conn: asyncpg.Connection, pairing_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM pairings WHERE id = $1 FOR UPDATE", pairing_id)


async def application_for_pair(
    conn: asyncpg.Connection, round_id: int, need_id: int, capability_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM applications WHERE round_id = $1 AND need_id = $2 AND capability_id = $3",
        round_id, need_id, capability_id,
    )  # fmt: skip


async def undecided_applications(
    conn: asyncpg.Connection,
    round_id: int,
    direction: str,
    target: str,
    target_id: int,
    except_id: int | None,
) -> list[asyncpg.Record]:
    """Active applications of ``direction`` to the same target (``target`` is the column,
    ``need_id`` or ``capability_id``, from code) that no live pairing of the round holds."""
    if target not in ("need_id", "capability_id"):
        raise ValueError(target)
    return await conn.fetch(
        f"""
        SELECT a.id FROM applications a
        WHERE a.round_id = $1 AND a.direction = $2 AND a.{target} = $3
          AND a.status IN ('submitted', 'shortlisted') AND a.id IS DISTINCT FROM $4
          AND NOT EXISTS (SELECT 1 FROM pairings q WHERE q.round_id = a.round_id
                AND q.demand_id = a.need_id AND q.supply_id = a.capability_id
                AND 'declined' NOT IN (q.demand_response, q.supply_response))
        """,
        round_id, direction, target_id, except_id,
    )  # fmt: skip


async def midterm_date(conn: asyncpg.Connection, pairing_id: int):
    return await conn.fetchval(
        "SELECT held_on FROM pairing_milestones WHERE pairing_id = $1 AND kind = 'midterm_check'",
        pairing_id,
    )
