"""SQL of the rounds context. Every value is a bind parameter; table names come from code."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from service.domain.access import APPROVED_OWNER, reviewed_clause
from service.rounds.schemas import (
    CandidateRow,
    QueuedRunParams,
    RunItem,
    RunSummary,
    Snapshot,
    UnmatchedRow,
)

# Per round kind: the demand and supply tables, the city column, and which scope criteria apply.
SIDES: dict[str, dict[str, dict[str, Any]]] = {
    "open_challenge": {
        "demand": {"table": "rd_needs", "city": "o.city", "fields": True, "industry": True, "tags": True},
        "supply": {"table": "capabilities", "city": "o.city", "fields": True, "industry": False, "tags": False},
    },
    "recruitment_fair": {
        "demand": {"table": "job_openings", "city": "t.city", "fields": False, "industry": True, "tags": True},
        "supply": {"table": "talent_pools", "city": "t.city", "fields": False, "industry": False, "tags": False},
    },
}  # fmt: skip

ROUND_COLUMNS = """
    r.id, r.kind, r.title, r.description, r.registration_opens, r.registration_closes, r.event_date,
    r.method, r.weights, r.top_k, r.slots, r.tables, r.state, r.published_run_id, r.version,
    r.created_at, r.updated_at, r.scope_everyone, r.scope_cities, r.scope_industries, r.scope_fields, r.scope_tags,
    r.demand_min, r.demand_max, r.supply_max
"""


async def insert_round(conn: asyncpg.Connection, v: dict[str, Any]) -> int:
    return await conn.fetchval(
        """
        INSERT INTO rounds (kind, title, description, scope_cities, scope_industries, scope_fields,
            scope_tags, registration_opens, registration_closes, event_date, method, weights,
            demand_min, demand_max, supply_max, top_k, slots, tables, scope_everyone)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
        RETURNING id
        """,
        v["kind"], v["title"], v["description"], v["scope_cities"], v["scope_industries"],
        v["scope_fields"], v["scope_tags"], v["registration_opens"], v["registration_closes"],
        v["event_date"], v["method"], v["weights"], v["demand_min"], v["demand_max"],
        v["supply_max"], v["top_k"], v["slots"], v["tables"], v["scope_everyone"],
    )  # fmt: skip


async def update_round(conn: asyncpg.Connection, round_id: int, v: dict[str, Any]) -> None:
    cols = list(v)
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(cols, start=2))
    await conn.execute(f"UPDATE rounds SET {sets} WHERE id = $1", round_id, *v.values())


async def set_state_from(
    conn: asyncpg.Connection, round_id: int, from_state: str, to_state: str
) -> None:
    """Move the round to ``to_state`` only if it is still in ``from_state``."""
    await conn.execute(
        "UPDATE rounds SET state = $3 WHERE id = $1 AND state = $2", round_id, from_state, to_state
    )


async def fetch_round(
    conn: asyncpg.Connection, round_id: int, lock: bool = False
) -> asyncpg.Record | None:
    sql = f"SELECT {ROUND_COLUMNS} FROM rounds r WHERE r.id = $1"
    if lock:
        sql += " FOR UPDATE"
    return await conn.fetchrow(sql, round_id)


async def list_rounds(
    conn: asyncpg.Connection, kind: str | None, state: str | None, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    where = "WHERE ($1::text IS NULL OR r.kind = $1) AND ($2::text IS NULL OR r.state = $2)"
    total = await conn.fetchval(f"SELECT count(*) FROM rounds r {where}", kind, state)
    rows = await conn.fetch(
        f"SELECT {ROUND_COLUMNS} FROM rounds r {where} ORDER BY r.id DESC LIMIT $3 OFFSET $4",
        kind, state, limit, offset,
    )  # fmt: skip
    return rows, total


def _participants_sql(kind: str, side: str) -> str:
    spec = SIDES[kind][side]
    table = spec["table"]
    crit = [f"(cardinality($3::text[]) = 0 OR {spec['city']} = ANY($3))"]
    if spec["industry"]:
        crit.append(
            "(cardinality($4::text[]) = 0 OR EXISTS "
            "(SELECT 1 FROM unnest($4::text[]) AS p WHERE o.industry_code LIKE p || '%'))"
        )
    if spec["fields"]:
        crit.append(
            "(cardinality($5::text[]) = 0 OR EXISTS (SELECT 1 FROM unnest(t.field_codes) AS f, "
            "unnest($5::text[]) AS p WHERE f LIKE p || '%'))"
        )
    if spec["tags"]:
        crit.append("(cardinality($6::text[]) = 0 OR o.tags && $6::text[])")
    in_scope = f"($2 AND {' AND '.join(crit)})"
    registered = (
        f"EXISTS (SELECT 1 FROM round_entries e WHERE e.round_id = $1 AND e.side = '{side}' "
        "AND e.item_id = t.id)"
    )
    return f"""
        SELECT t.*, o.id AS org_id, o.name AS org_name, o.city AS org_city,
               o.industry_code AS org_industry, o.tags AS org_tags, o.kind AS org_kind,
               {in_scope} AS by_scope, {registered} AS by_registration
        FROM {table} t JOIN organizations o ON o.id = t.owner_id
        WHERE t.status = 'published' AND {APPROVED_OWNER} AND {reviewed_clause(table)}
          AND ({in_scope} OR {registered})
          -- criteria that do not apply to this side still need their parameter types declared
          AND cardinality($4::text[]) >= 0 AND cardinality($5::text[]) >= 0
          AND cardinality($6::text[]) >= 0
        ORDER BY t.id
    """


async def participants(
    conn: asyncpg.Connection, round_row: asyncpg.Record, side: str
) -> list[asyncpg.Record]:
    r = round_row
    return await conn.fetch(
        _participants_sql(r["kind"], side),
        r["id"], scope_active(r), r["scope_cities"], r["scope_industries"], r["scope_fields"],
        r["scope_tags"],
    )  # fmt: skip


def scope_active(r: asyncpg.Record) -> bool:
    """A round with an empty scope takes registered participants only."""
    return bool(
        r["scope_everyone"]
        or r["scope_cities"]
        or r["scope_industries"]
        or r["scope_fields"]
        or r["scope_tags"]
    )


async def add_entry(conn: asyncpg.Connection, round_id: int, side: str, item_id: int) -> bool:
    status = await conn.execute(
        "INSERT INTO round_entries (round_id, side, item_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        round_id, side, item_id,
    )  # fmt: skip
    return status.endswith(" 1")


async def remove_entry(conn: asyncpg.Connection, round_id: int, side: str, item_id: int) -> bool:
    status = await conn.execute(
        "DELETE FROM round_entries WHERE round_id = $1 AND side = $2 AND item_id = $3",
        round_id, side, item_id,
    )  # fmt: skip
    return status.endswith(" 1")


async def item_owner(conn: asyncpg.Connection, table: str, item_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT t.id, t.status, t.owner_id, o.kind AS org_kind FROM {table} t "
        "JOIN organizations o ON o.id = t.owner_id WHERE t.id = $1",
        item_id,
    )


# --- applications ------------------------------------------------------------------------------

# The applicant's organization: the capability's for a challenge, the need's for a listing.
APPLICATION_SELECT = """
    SELECT a.*, o.id AS org_id, o.name AS org_name, c.owner_id AS cap_owner_id
    FROM applications a JOIN capabilities c ON c.id = a.capability_id
    JOIN rd_needs n ON n.id = a.need_id
    JOIN organizations o ON o.id = CASE WHEN a.direction = 'listing' THEN n.owner_id ELSE c.owner_id END
"""


async def insert_application(conn: asyncpg.Connection, round_id: int, v: dict[str, Any]) -> int:
    return await conn.fetchval(
        """
        INSERT INTO applications (round_id, need_id, capability_id, team, proposal, expected_months,
            price, direction)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
        """,
        round_id, v["need_id"], v["capability_id"], v["team"], v["proposal"],
        v["expected_months"], v["price"], v["direction"],
    )  # fmt: skip


async def fetch_application(conn: asyncpg.Connection, app_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(APPLICATION_SELECT + " WHERE a.id = $1", app_id)


async def list_applications(
    conn: asyncpg.Connection, round_id: int, need_id: int | None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        APPLICATION_SELECT
        + " WHERE a.round_id = $1 AND ($2::bigint IS NULL OR a.need_id = $2) ORDER BY a.id",
        round_id, need_id,
    )  # fmt: skip


async def need_owners(conn: asyncpg.Connection, need_ids: list[int]) -> dict[int, int]:
    """Each R&D need's owning organization."""
    rows = await conn.fetch("SELECT id, owner_id FROM rd_needs WHERE id = ANY($1)", need_ids)
    return {r["id"]: r["owner_id"] for r in rows}


# --- constraints -------------------------------------------------------------------------------


async def upsert_constraint(
    conn: asyncpg.Connection, round_id: int, v: dict[str, Any]
) -> asyncpg.Record:
    return await conn.fetchrow(
        """
        INSERT INTO round_constraints (round_id, demand_id, supply_id, kind, reason)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (round_id, demand_id, supply_id)
        DO UPDATE SET kind = EXCLUDED.kind, reason = EXCLUDED.reason, created_at = now()
        RETURNING demand_id, supply_id, kind, reason, created_at
        """,
        round_id, v["demand_id"], v["supply_id"], v["kind"], v["reason"],
    )  # fmt: skip


async def delete_constraint(
    conn: asyncpg.Connection, round_id: int, demand_id: int, supply_id: int
) -> bool:
    status = await conn.execute(
        "DELETE FROM round_constraints WHERE round_id = $1 AND demand_id = $2 AND supply_id = $3",
        round_id, demand_id, supply_id,
    )  # fmt: skip
    return status.endswith(" 1")


async def pairing_answers(conn: asyncpg.Connection, round_id: int) -> list[asyncpg.Record]:
    """Both sides' answers to every pairing of the round (they become pins and forbids)."""
    return await conn.fetch(
        "SELECT demand_id, supply_id, demand_response, supply_response FROM pairings"
        " WHERE round_id = $1",
        round_id,
    )


async def list_constraints(conn: asyncpg.Connection, round_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT demand_id, supply_id, kind, reason, created_at FROM round_constraints "
        "WHERE round_id = $1 ORDER BY created_at, demand_id, supply_id",
        round_id,
    )


# --- runs ----------------------------------------------------------------------------------------

RUN_COLUMNS = """id, round_id, state, stage, percent, params, seed, summary, attempts, worker_id,
    cancel_requested, error, created_at, started_at, finished_at"""


async def insert_run(
    conn: asyncpg.Connection, round_id: int, params: QueuedRunParams, seed: int
) -> asyncpg.Record:
    return await conn.fetchrow(
        f"INSERT INTO runs (round_id, params, seed) VALUES ($1, $2, $3) RETURNING {RUN_COLUMNS}",
        round_id, params, seed,
    )  # fmt: skip


async def notify_run_queued(conn: asyncpg.Connection, run_id: int) -> None:
    """Wake the workers (they LISTEN on ``duijie_runs``) when the transaction commits."""
    await conn.execute("SELECT pg_notify('duijie_runs', $1)", str(run_id))


async def fetch_run(conn: asyncpg.Connection, run_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = $1", run_id)


async def list_runs(conn: asyncpg.Connection, round_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {RUN_COLUMNS} FROM runs WHERE round_id = $1 ORDER BY id DESC LIMIT 100", round_id
    )


async def lock_run(conn: asyncpg.Connection, run_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM runs WHERE id = $1 FOR UPDATE", run_id)


async def cancel_queued_run(conn: asyncpg.Connection, run_id: int) -> None:
    await conn.execute(
        "UPDATE runs SET state = 'cancelled', stage = 'cancelled', finished_at = now(), "
        "cancel_requested = true WHERE id = $1",
        run_id,
    )


async def request_cancel(conn: asyncpg.Connection, run_id: int) -> None:
    """Ask the worker running it to stop (it checks between stages and before storing)."""
    await conn.execute("UPDATE runs SET cancel_requested = true WHERE id = $1", run_id)


async def latest_succeeded_run(conn: asyncpg.Connection, round_id: int) -> int | None:
    return await conn.fetchval(
        "SELECT id FROM runs WHERE round_id = $1 AND state = 'succeeded' ORDER BY id DESC LIMIT 1",
        round_id,
    )


async def claim_run(
    conn: asyncpg.Connection, worker_id: str, lease_seconds: float
) -> asyncpg.Record | None:
    """Take the oldest queued run, or a running one whose lease expired (its worker stopped
    renewing it). The lease that counts is the one stored in the row by its holder, not
    ``lease_seconds``, which only sets this worker's own lease on what it claims."""
    return await conn.fetchrow(
        f"""
        UPDATE runs SET state = 'running', worker_id = $1, attempts = attempts + 1,
            heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => $2),
            started_at = coalesce(started_at, now()), stage = 'claimed'
        WHERE id = (
            SELECT id FROM runs
            WHERE state = 'queued'
               OR (state = 'running'
                   AND coalesce(lease_expires_at, heartbeat_at + interval '30 seconds') < now())
            ORDER BY id
            FOR UPDATE SKIP LOCKED
            LIMIT 1
        )
        RETURNING {RUN_COLUMNS}, max_attempts
        """,
        worker_id, lease_seconds,
    )  # fmt: skip


async def heartbeat(
    conn: asyncpg.Connection,
    run_id: int,
    worker_id: str,
    stage: str | None,
    percent: int | None,
    *,
    lease_seconds: float,
) -> asyncpg.Record | None:
    """Renew the lease for ``lease_seconds`` from now; returns the run's cancel flag, or None when
    another worker took it over."""
    return await conn.fetchrow(
        """
        UPDATE runs SET heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => $5),
            stage = coalesce($3, stage), percent = coalesce($4, percent)
        WHERE id = $1 AND worker_id = $2 AND state = 'running'
        RETURNING cancel_requested
        """,
        run_id, worker_id, stage, percent, lease_seconds,
    )  # fmt: skip


async def finish_run(
    conn: asyncpg.Connection,
    run_id: int,
    worker_id: str,
    state: str,
    error: str | None = None,
    summary: RunSummary | None = None,
) -> bool:
    status = await conn.execute(
        """
        UPDATE runs SET state = $3, error = $4, summary = coalesce($5, summary),
            finished_at = now(), stage = $3, percent = CASE WHEN $3 = 'succeeded' THEN 100 ELSE percent END
        WHERE id = $1 AND worker_id = $2 AND state = 'running'
        """,
        run_id, worker_id, state, error, summary,
    )  # fmt: skip
    return status.endswith(" 1")


async def store_snapshot(conn: asyncpg.Connection, run_id: int, snapshot: Snapshot) -> None:
    await conn.execute("UPDATE runs SET input_snapshot = $2 WHERE id = $1", run_id, snapshot)


async def cancel_requested(conn: asyncpg.Connection, run_id: int) -> bool:
    """Whether the run was asked to stop, under the run's row lock (which cancel_run takes too)."""
    return await conn.fetchval("SELECT cancel_requested FROM runs WHERE id = $1 FOR UPDATE", run_id)


async def store_results(
    conn: asyncpg.Connection,
    run_id: int,
    items: list[RunItem],
    candidates: list[CandidateRow],
    unmatched: list[UnmatchedRow],
) -> None:
    await conn.copy_records_to_table(
        "run_items",
        records=[(run_id, *msgspec.structs.astuple(item)) for item in items],
        columns=["run_id", "side", "item_id", "title", "org_id", "org_name", "city",
                 "industry_code", "tags", "is_challenge"],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "run_candidates",
        records=[
            (
                run_id, c.demand_id, c.supply_id, c.rank, c.score, c.components,
                c.matched_terms, c.applied, c.chosen, c.pinned, c.forbidden, c.reason,
                c.weak,
            )
            for c in candidates
        ],
        columns=["run_id", "demand_id", "supply_id", "rank", "score", "components", "matched_terms",
                 "applied", "chosen", "pinned", "forbidden", "reason", "weak"],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "run_unmatched",
        records=[(run_id, u.demand_id, u.reasons) for u in unmatched],
        columns=["run_id", "demand_id", "reasons"],
    )


async def run_items(conn: asyncpg.Connection, run_id: int) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM run_items WHERE run_id = $1", run_id)


async def run_candidates(
    conn: asyncpg.Connection, run_id: int, demand_ids: list[int] | None = None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM run_candidates WHERE run_id = $1 "
        "AND ($2::bigint[] IS NULL OR demand_id = ANY($2)) ORDER BY demand_id, rank",
        run_id, demand_ids,
    )  # fmt: skip


async def chosen_pairs(conn: asyncpg.Connection, run_id: int) -> list[asyncpg.Record]:
    """The run's chosen pairs with both sides' organizations (what publishing turns into pairings)."""
    return await conn.fetch(
        """
        SELECT c.demand_id, c.supply_id, c.score, di.org_id AS demand_org, si.org_id AS supply_org
        FROM run_candidates c
        JOIN run_items di ON di.run_id = c.run_id AND di.side = 'demand' AND di.item_id = c.demand_id
        JOIN run_items si ON si.run_id = c.run_id AND si.side = 'supply' AND si.item_id = c.supply_id
        WHERE c.run_id = $1 AND c.chosen
        """,
        run_id,
    )


async def chosen_scores(conn: asyncpg.Connection, run_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT demand_id, score FROM run_candidates WHERE run_id = $1 AND chosen", run_id
    )


async def run_unmatched(conn: asyncpg.Connection, run_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT demand_id, reasons FROM run_unmatched WHERE run_id = $1", run_id
    )


# --- pairings ----------------------------------------------------------------------------------

PAIRING_SELECT = """
    SELECT p.*, di.title AS demand_title, di.org_name AS demand_org_name,
           si.title AS supply_title, si.org_name AS supply_org_name
    FROM pairings p
    JOIN run_items di ON di.run_id = p.run_id AND di.side = 'demand' AND di.item_id = p.demand_id
    JOIN run_items si ON si.run_id = p.run_id AND si.side = 'supply' AND si.item_id = p.supply_id
"""


async def list_pairings(
    conn: asyncpg.Connection, round_id: int, org_id: int | None = None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        PAIRING_SELECT
        + " WHERE p.round_id = $1 AND ($2::bigint IS NULL OR $2 IN (p.demand_org_id, p.supply_org_id))"
        " ORDER BY p.demand_id, p.score DESC",
        round_id, org_id,
    )  # fmt: skip


async def fetch_pairing(
    conn: asyncpg.Connection, pairing_id: int, lock: bool = False
) -> asyncpg.Record | None:
    if lock:
        await conn.execute("SELECT 1 FROM pairings WHERE id = $1 FOR UPDATE", pairing_id)
    return await conn.fetchrow(PAIRING_SELECT + " WHERE p.id = $1", pairing_id)


async def drop_unanswered_pairings(
    conn: asyncpg.Connection, round_id: int, keep: list[tuple[int, int]]
) -> None:
    """Delete the round's pairings nobody answered, except the ``keep`` (demand, supply) pairs."""
    await conn.execute(
        """
        DELETE FROM pairings WHERE round_id = $1
          AND demand_response = 'pending' AND supply_response = 'pending'
          AND (demand_id, supply_id) NOT IN (SELECT * FROM unnest($2::bigint[], $3::bigint[]))
        """,
        round_id, [k[0] for k in keep], [k[1] for k in keep],
    )  # fmt: skip


async def upsert_pairings(
    conn: asyncpg.Connection, round_id: int, run_id: int, chosen: list[asyncpg.Record]
) -> None:
    """One pairing per chosen pair (rows of :func:`chosen_pairs`), in one round trip
    (executemany pipelines them), not one per pair."""
    await conn.executemany(
        """
        INSERT INTO pairings (round_id, run_id, demand_id, supply_id, demand_org_id, supply_org_id, score)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (round_id, demand_id, supply_id)
        DO UPDATE SET run_id = EXCLUDED.run_id, score = EXCLUDED.score
        """,
        [
            (round_id, run_id, r["demand_id"], r["supply_id"], r["demand_org"], r["supply_org"], r["score"])
            for r in chosen
        ],
    )  # fmt: skip


async def set_response(
    conn: asyncpg.Connection, pairing_id: int, column: str, response: str
) -> None:
    """``column`` is ``demand_response`` or ``supply_response`` (from code, never from input)."""
    if column not in ("demand_response", "supply_response"):
        raise ValueError(column)
    await conn.execute(f"UPDATE pairings SET {column} = $2 WHERE id = $1", pairing_id, response)


async def cancel_meeting_if_no_live_pairing(
    conn: asyncpg.Connection, round_id: int, enterprise_id: int, university_id: int
) -> None:
    """The fair meeting of these two organizations goes unless another pairing needs it."""
    await conn.execute(
        """
        UPDATE meetings m SET state = 'cancelled', note = '一方婉拒配对'
        WHERE m.round_id = $1 AND m.enterprise_id = $2 AND m.university_id = $3
          AND NOT EXISTS (
            SELECT 1 FROM pairings p WHERE p.round_id = $1 AND p.demand_org_id = $2
              AND p.supply_org_id = $3 AND 'declined' NOT IN (p.demand_response, p.supply_response)
          )
        """,
        round_id, enterprise_id, university_id,
    )  # fmt: skip


async def set_outcome(
    conn: asyncpg.Connection,
    pairing_id: int,
    outcome: str,
    contract_amount: Any,
    hires: int | None,
    contract_date: Any,
) -> None:
    await conn.execute(
        "UPDATE pairings SET outcome = $2, contract_amount = $3, hires = $4, contract_date = $5"
        " WHERE id = $1",
        pairing_id, outcome, contract_amount, hires, contract_date,
    )  # fmt: skip


async def pairing_counts(conn: asyncpg.Connection, round_id: int) -> asyncpg.Record:
    """The round's pairings counted by answer and by outcome."""
    return await conn.fetchrow(
        """
        SELECT count(*) AS pairings,
               count(*) FILTER (WHERE demand_response = 'accepted' AND supply_response = 'accepted') AS both_accepted,
               count(*) FILTER (WHERE 'declined' IN (demand_response, supply_response)) AS declined,
               count(*) FILTER (WHERE demand_response = 'pending' OR supply_response = 'pending') AS pending,
               count(*) FILTER (WHERE outcome = 'meeting_held') AS meeting_held,
               count(*) FILTER (WHERE outcome = 'contract_signed') AS contract_signed,
               coalesce(sum(contract_amount) FILTER (WHERE outcome = 'contract_signed'), 0)::bigint AS contract_amount,
               count(*) FILTER (WHERE outcome = 'hired') AS hired,
               coalesce(sum(hires) FILTER (WHERE outcome = 'hired'), 0)::bigint AS hires
        FROM pairings WHERE round_id = $1
        """,
        round_id,
    )


async def org_contacts(conn: asyncpg.Connection, org_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT id, name, contact_name, contact_phone, website FROM organizations WHERE id = ANY($1)",
        org_ids,
    )
    return {r["id"]: dict(r) for r in rows}
