"""All SQL of the shared CRUD core (service/domain/crud.py): one row, a filtered and searched
page, insert, update, delete, for any :class:`~service.domain.crud.Resource`.

Column and table names in the generated SQL come only from the :class:`Resource` declarations in
code, never from a request; every value is a bind parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import asyncpg

from service.auth import Principal

# crud imports this module and this one needs crud's fold(); both only at call time.
from service.domain import access, crud

if TYPE_CHECKING:
    from service.domain.crud import Resource


def select_sql(resource: Resource) -> str:
    """``SELECT`` of the resource's rows (alias ``t``) with the owner's columns (alias ``o``)."""
    if resource.owner_kinds is None:
        return f"SELECT t.* FROM {resource.table} t"
    return (
        f"SELECT t.*, o.name AS owner_name, o.city AS owner_city, o.kind AS owner_kind, "
        f"o.approval_state AS owner_approval "
        f"FROM {resource.table} t JOIN organizations o ON o.id = t.owner_id"
    )


async def lock_one(
    conn: asyncpg.Connection, resource: Resource, ident: int
) -> asyncpg.Record | None:
    """One row with its owner's columns, locked for update."""
    return await conn.fetchrow(f"{resource.select} WHERE t.id = $1 FOR UPDATE OF t", ident)


async def organization_kind(conn: asyncpg.Connection, org_id: int) -> str | None:
    return await conn.fetchval("SELECT kind FROM organizations WHERE id = $1", org_id)


async def fetch_one(
    conn: asyncpg.Connection, resource: Resource, ident: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(f"{resource.select} WHERE t.id = $1", ident)


async def insert_row(conn: asyncpg.Connection, resource: Resource, values: dict[str, Any]) -> int:
    cols = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    sql = f"INSERT INTO {resource.table} ({', '.join(cols)}) VALUES ({placeholders}) RETURNING id"
    return await conn.fetchval(sql, *values.values())


async def update_row(
    conn: asyncpg.Connection,
    resource: Resource,
    ident: int,
    values: dict[str, Any],
    expected_version: int | None,
) -> bool:
    cols = list(values)
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(cols, start=2))
    sql = f"UPDATE {resource.table} SET {sets} WHERE id = $1"
    args: list[Any] = [ident, *values.values()]
    if expected_version is not None:
        sql += f" AND version = ${len(args) + 1}"
        args.append(expected_version)
    status = await conn.execute(sql, *args)
    return status.endswith(" 1")


async def delete_row(conn: asyncpg.Connection, resource: Resource, ident: int) -> bool:
    status = await conn.execute(f"DELETE FROM {resource.table} WHERE id = $1", ident)
    return status.endswith(" 1")


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def build_where(
    resource: Resource, filters: Mapping[str, Any]
) -> tuple[str, list[Any], str | None]:
    """WHERE clause and arguments for the given filter values, and the folded query text."""
    clauses: list[str] = []
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    for f in resource.filters:
        value = filters.get(f.param)
        if value is None or value == [] or value == "":
            continue
        col = f"t.{f.column}" if not f.column.startswith("o.") else f.column
        if f.op == "eq":
            clauses.append(f"{col} = {arg(value)}")
        elif f.op == "prefix":
            clauses.append(f"{col} LIKE {arg(_like_escape(value))} || '%'")
        elif f.op == "array_prefix":
            clauses.append(
                f"EXISTS (SELECT 1 FROM unnest({col}) AS e WHERE e LIKE {arg(_like_escape(value))} || '%')"
            )
        elif f.op == "array_any":
            clauses.append(f"{col} && {arg(list(value))}::text[]")
    query = filters.get("q")
    folded = None
    if query:
        folded = crud.fold(query).strip()
        for term in folded.split()[:8]:
            clauses.append(f"t.search_text LIKE '%' || {arg(_like_escape(term))} || '%'")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return where, args, folded


async def list_rows(
    conn: asyncpg.Connection,
    resource: Resource,
    filters: Mapping[str, Any],
    limit: int,
    offset: int,
    principal: Principal | None = None,
) -> tuple[list[asyncpg.Record], int]:
    where, args, folded = build_where(resource, filters)
    clause, more = access.visibility_clause(principal, resource, len(args) + 1)
    if clause:
        where = f"{where} AND {clause}" if where else f" WHERE {clause}"
        args += more
    base = resource.select + where
    total = await conn.fetchval(f"SELECT count(*) FROM ({base}) AS page", *args)
    order = " ORDER BY t.id DESC"
    if folded:
        args.append(folded)
        order = f" ORDER BY word_similarity(${len(args)}, t.search_text) DESC, t.id DESC"
    args += [limit, offset]
    rows = await conn.fetch(f"{base}{order} LIMIT ${len(args) - 1} OFFSET ${len(args)}", *args)
    return rows, total


# ---- organization change requests (service/domain/org_changes.py) ---------------------------

_SELECT = """
SELECT r.id, r.org_id, o.name AS org_name, r.changes, r.note, r.state, r.requested_by,
       r.decided_by, r.decision_reason, r.created_at, r.decided_at,
       jsonb_build_object('name', o.name, 'credit_code', o.credit_code, 'city', o.city,
                          'tags', to_jsonb(o.tags)) AS current
FROM organization_change_requests r JOIN organizations o ON o.id = r.org_id
"""


async def change_request(
    conn: asyncpg.Connection, ident: int, *, lock: bool = False
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        _SELECT + " WHERE r.id = $1" + (" FOR UPDATE OF r" if lock else ""), ident
    )


async def insert_change_request(
    conn: asyncpg.Connection, *, org_id: int, changes: str, note: str, requested_by: int | None
) -> int:
    """``changes`` is the JSON text of the proposed columns."""
    return await conn.fetchval(
        "INSERT INTO organization_change_requests (org_id, changes, note, requested_by)"
        " VALUES ($1, $2::text::jsonb, $3, $4) RETURNING id",
        org_id,
        changes,
        note,
        requested_by,
    )


async def change_request_page(
    conn: asyncpg.Connection, state: str | None, org_id: int | None, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    where = " WHERE ($1::text IS NULL OR r.state = $1) AND ($2::bigint IS NULL OR r.org_id = $2)"
    total = await conn.fetchval(
        "SELECT count(*) FROM organization_change_requests r" + where, state, org_id
    )
    rows = await conn.fetch(
        _SELECT + where + " ORDER BY r.id LIMIT $3 OFFSET $4", state, org_id, limit, offset
    )
    return rows, total


async def decide_change_request(
    conn: asyncpg.Connection, ident: int, state: str, decided_by: int | None, reason: str | None
) -> None:
    await conn.execute(
        "UPDATE organization_change_requests SET state = $2, decided_by = $3,"
        " decision_reason = $4, decided_at = now() WHERE id = $1",
        ident,
        state,
        decided_by,
        reason,
    )
