"""SQL of a capability's documents (table capability_documents, migration 0010)."""

from __future__ import annotations

from typing import Any

import asyncpg

_COLUMNS = "id, capability_id, kind, title, abstract, keywords, year, position, created_at"


async def list_for(conn: asyncpg.Connection, capability_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {_COLUMNS} FROM capability_documents WHERE capability_id = $1 "
        "ORDER BY position, id",
        capability_id,
    )


async def by_capability(
    conn: asyncpg.Connection, capability_ids: list[int]
) -> dict[int, list[dict]]:
    """The documents of many capabilities as engine records (kind, title, abstract, keywords,
    year), in their order, keyed by capability id: what a round's snapshot and the
    recommendation index attach to each capability."""
    rows = await conn.fetch(
        "SELECT capability_id, kind, title, abstract, keywords, year FROM capability_documents "
        "WHERE capability_id = ANY($1::bigint[]) ORDER BY capability_id, position, id",
        capability_ids,
    )
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r["capability_id"], []).append(
            {k: r[k] for k in ("kind", "title", "abstract", "keywords", "year")}
        )
    return out


async def keys_for(conn: asyncpg.Connection, capability_id: int) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT title_key, position FROM capability_documents WHERE capability_id = $1",
        capability_id,
    )
    return {r["title_key"]: r["position"] for r in rows}


async def delete_all(conn: asyncpg.Connection, capability_id: int) -> None:
    await conn.execute("DELETE FROM capability_documents WHERE capability_id = $1", capability_id)


async def insert_many(
    conn: asyncpg.Connection, capability_id: int, docs: list[dict[str, Any]], first: int
) -> None:
    await conn.executemany(
        "INSERT INTO capability_documents "
        "(capability_id, kind, title, abstract, keywords, year, title_key, position) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            (capability_id, d["kind"], d["title"], d["abstract"], d["keywords"], d["year"],
             d["title_key"], first + k)
            for k, d in enumerate(docs)
        ],
    )  # fmt: skip


async def touch_capability(conn: asyncpg.Connection, capability_id: int) -> None:
    """Documents are part of the capability's profile: its ``updated_at`` moves, so the
    recommendation index notices the change (its version, the ETag of the fields, does not)."""
    await conn.execute("UPDATE capabilities SET updated_at = now() WHERE id = $1", capability_id)
