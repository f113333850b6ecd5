"""The audit log: one row per write, with who, what, when, and the record before and after.

Services call :func:`record` inside the transaction of the write itself, so a write and its
audit row commit or roll back together.
"""

from __future__ import annotations

from typing import Any, Literal

import asyncpg
import msgspec

from service.auth import Principal

Action = Literal["create", "update", "delete"]


def snapshot(item: Any) -> dict[str, Any] | None:
    """A JSON-ready copy of a record (Struct, Record or mapping) for the log."""
    if item is None:
        return None
    if isinstance(item, msgspec.Struct):
        return msgspec.to_builtins(item)
    return msgspec.to_builtins(dict(item))


async def record(
    conn: asyncpg.Connection,
    principal: Principal,
    action: Action,
    resource: str,
    resource_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    # Sent as text and cast, so it works on connections with or without the pool's jsonb codec.
    def encode(item: Any) -> str | None:
        snap = snapshot(item)
        return None if snap is None else msgspec.json.encode(snap).decode()

    await conn.execute(
        "INSERT INTO audit_log (user_id, token_id, role, org_id, action, resource, resource_id,"
        " before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb)",
        principal.user_id,
        principal.token_id,
        principal.role,
        principal.org_id,
        action,
        resource,
        resource_id,
        encode(before),
        encode(after),
    )
