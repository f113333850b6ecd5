"""The demo loader's SQL: which demo records exist already, and the loader's lock."""

from __future__ import annotations

import asyncpg

# Same key as nothing else uses: serialises concurrent loaders.
DEMO_LOCK_KEY = 0x64656D6F

# The tables a demo record can be in (the only table names the loader passes).
_TABLES = frozenset(
    {"organizations", "rd_needs", "job_openings", "capabilities", "talent_pools", "users"}
)


async def lock(conn: asyncpg.Connection) -> None:
    """Hold the demo loader's advisory lock until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", DEMO_LOCK_KEY)


async def existing(conn: asyncpg.Connection, table: str) -> dict[str, int]:
    """demo_key → id of the demo records already in ``table``."""
    assert table in _TABLES, table
    rows = await conn.fetch(f"SELECT demo_key, id FROM {table} WHERE demo_key IS NOT NULL")
    return {r["demo_key"]: r["id"] for r in rows}


async def demo_organization(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, name FROM organizations WHERE demo_key = $1", key)


async def user_exists(conn: asyncpg.Connection, demo_key: str, login: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM users WHERE demo_key = $1 OR lower(login) = lower($2)",
            demo_key,
            login,
        )
    )
