"""SQL of the recommendations: the published records of a collection, with their owner's
columns (``owner_*``), and the collection's generation (count and last change)."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.domain.access import APPROVED_OWNER, reviewed_clause

_SELECT = """
    SELECT t.*, o.name AS owner_name, o.city AS owner_city, o.industry_code AS owner_industry,
           o.tags AS owner_tags, o.approval_state AS owner_approval
    FROM {table} t JOIN organizations o ON o.id = t.owner_id
"""


def _published(table: str) -> str:
    return f" WHERE t.status = 'published' AND {APPROVED_OWNER} AND {reviewed_clause(table)}"


async def generation(conn: asyncpg.Connection, table: str) -> tuple[int, Any]:
    """The published collection's size and last change: when they move, the index is stale."""
    row = await conn.fetchrow(
        f"SELECT count(*) AS n, max(t.updated_at) AS at FROM {table} t"
        f" JOIN organizations o ON o.id = t.owner_id" + _published(table)
    )
    return (row["n"], row["at"])


async def published_rows(conn: asyncpg.Connection, table: str) -> list[asyncpg.Record]:
    """Every record of ``table`` anyone may see (what an index is built over)."""
    return await conn.fetch(_SELECT.format(table=table) + _published(table))


async def all_rows(conn: asyncpg.Connection, table: str) -> list[asyncpg.Record]:
    """Every record of ``table``, drafts too (their owners ask for recommendations)."""
    return await conn.fetch(_SELECT.format(table=table))


async def fetch_row(conn: asyncpg.Connection, table: str, item_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(_SELECT.format(table=table) + " WHERE t.id = $1", item_id)
