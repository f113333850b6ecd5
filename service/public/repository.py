"""SQL of the public halls. The filters and the keyword search are the list machinery of
:mod:`service.domain.crud` (``build_where``: ``q`` over ``search_text`` with pg_trgm's index);
what anonymous visitors may see comes only from :func:`service.domain.access.visibility_clause`
with no principal, so every visibility condition added there applies here too.

Rows leave this module as dicts with the contact fields already blanked by
:func:`service.domain.access.redact` (no principal), so a page cannot show them by mistake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from service.domain import access
from service.domain import repository as domain_repository
from service.domain.crud import Resource

#: Money a record offers, for the range filter and the amount sort: a need's reward (challenges)
#: or else its budget; a job's monthly salary.
AMOUNT = {
    "rd_needs": "COALESCE(t.reward, t.budget_max, t.budget_min)",
    "job_openings": "COALESCE(t.salary_max, t.salary_min)",
}


def _select(resource: Resource) -> str:
    # Same aliases as Resource.select (t, o), so the visibility clause applies unchanged.
    return (
        "SELECT t.*, o.name AS owner_name, o.city AS owner_city, o.kind AS owner_kind, "
        "o.industry_code AS owner_industry, o.tags AS owner_tags "
        f"FROM {resource.table} t JOIN organizations o ON o.id = t.owner_id"
    )


def _public(resource: Resource, rows: Sequence[asyncpg.Record]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        rec = dict(r)
        access.redact(None, resource, rec)
        rec.pop("search_text", None)
        out.append(rec)
    return out


def _where(
    resource: Resource,
    filters: Mapping[str, Any],
    *,
    mode: str | None = None,
    amount_min: int | None = None,
    amount_max: int | None = None,
) -> tuple[str, list[Any], str | None]:
    where, args, folded = domain_repository.build_where(resource, filters)
    clauses = [where.removeprefix(" WHERE ")] if where else []
    clause, more = access.visibility_clause(None, resource, len(args) + 1)
    if clause:
        clauses.append(clause)
        args += more
    if mode:
        args.append(mode)
        clauses.append(f"${len(args)} = ANY(t.cooperation_modes)")
    amount = AMOUNT.get(resource.table)
    if amount and amount_min is not None:
        args.append(amount_min)
        clauses.append(f"{amount} >= ${len(args)}")
    if amount and amount_max is not None:
        args.append(amount_max)
        clauses.append(f"{amount} <= ${len(args)}")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args, folded


async def hall_page(
    conn: asyncpg.Connection,
    resource: Resource,
    filters: Mapping[str, Any],
    *,
    sort: str,
    limit: int,
    offset: int,
    mode: str | None = None,
    amount_min: int | None = None,
    amount_max: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the publicly visible records matching ``filters``, and their total."""
    where, args, folded = _where(
        resource, filters, mode=mode, amount_min=amount_min, amount_max=amount_max
    )
    base = _select(resource) + where
    total = await conn.fetchval(f"SELECT count(*) FROM ({base}) AS page", *args)
    if sort == "relevance" and folded:
        # pg_trgm: how well the query occurs in the record's search text (as domain.repository.list_rows).
        args.append(folded)
        order = f"word_similarity(${len(args)}, t.search_text) DESC, t.id DESC"
    elif sort == "deadline" and resource.table == "rd_needs":
        order = "t.deadline ASC NULLS LAST, t.id DESC"
    elif sort == "amount" and resource.table in AMOUNT:
        order = f"{AMOUNT[resource.table]} DESC NULLS LAST, t.id DESC"
    else:
        order = "t.created_at DESC, t.id DESC"
    args += [limit, offset]
    rows = await conn.fetch(
        f"{base} ORDER BY {order} LIMIT ${len(args) - 1} OFFSET ${len(args)}", *args
    )
    return _public(resource, rows), total


async def catalogue_rows(
    conn: asyncpg.Connection,
    resource: Resource,
    filters: Mapping[str, Any],
    *,
    limit: int,
    mode: str | None = None,
    amount_min: int | None = None,
    amount_max: int | None = None,
) -> list[dict[str, Any]]:
    """Every matching visible need (up to ``limit``), challenges first, by city then industry."""
    where, args, _ = _where(
        resource, filters, mode=mode, amount_min=amount_min, amount_max=amount_max
    )
    args.append(limit)
    rows = await conn.fetch(
        f"{_select(resource)}{where} ORDER BY t.is_challenge DESC, o.city, "
        f"o.industry_code NULLS LAST, t.id LIMIT ${len(args)}",
        *args,
    )
    return _public(resource, rows)


async def visible_one(
    conn: asyncpg.Connection, resource: Resource, ident: int
) -> dict[str, Any] | None:
    clause, more = access.visibility_clause(None, resource, 2)
    sql = f"{_select(resource)} WHERE t.id = $1" + (f" AND {clause}" if clause else "")
    row = await conn.fetchrow(sql, ident, *more)
    return _public(resource, [row])[0] if row is not None else None


async def visible_by_ids(
    conn: asyncpg.Connection, resource: Resource, ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    clause, more = access.visibility_clause(None, resource, 2)
    sql = f"{_select(resource)} WHERE t.id = ANY($1::bigint[])" + (
        f" AND {clause}" if clause else ""
    )
    rows = await conn.fetch(sql, list(ids), *more)
    return {r["id"]: r for r in _public(resource, rows)}


async def count_visible(
    conn: asyncpg.Connection, resource: Resource, filters: Mapping[str, Any] | None = None
) -> int:
    where, args, _ = _where(resource, filters or {})
    return await conn.fetchval(f"SELECT count(*) FROM ({_select(resource)}{where}) AS c", *args)


async def visible_ids(conn: asyncpg.Connection, resource: Resource) -> list[asyncpg.Record]:
    """Id and last change of every visible record (for the sitemap)."""
    where, args, _ = _where(resource, {})
    return await conn.fetch(
        f"SELECT id, updated_at FROM ({_select(resource)}{where}) AS s ORDER BY id", *args
    )
