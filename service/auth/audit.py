"""The audit log: one row per write, with who, what, when, and the record before and after.

Services call :func:`record` inside the transaction of the write itself, so a write and its
audit row commit or roll back together.

The log is a hash chain (migration 0005): a trigger gives each row its place (``chain_seq``),
the previous row's hash and its own hash, under a transaction-level advisory lock, so concurrent
writers cannot fork it. :func:`verify` recomputes it; :func:`list_entries` reads it (staff).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import asyncpg
import msgspec

from service.auth import Principal, repository

# ``resource`` is always the table (so resource + resource_id is one record's whole history);
# the verb says what happened to it.
Action = Literal[
    "create",
    "update",
    "delete",
    "transition",
    "publish",
    "respond",
    "outcome",
    "import",
    "cancel",
    "revoke",
    "propose",
    "approve",
    "reject",
]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]


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
    def encode(item: Any) -> str | None:
        snap = snapshot(item)
        return None if snap is None else msgspec.json.encode(snap).decode()

    await repository.insert_audit(
        conn,
        user_id=principal.user_id,
        token_id=principal.token_id,
        role=principal.role,
        org_id=principal.org_id,
        action=action,
        resource=resource,
        resource_id=resource_id,
        before=encode(before),
        after=encode(after),
    )


class AuditEntry(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    chain_seq: int
    at: datetime
    user_id: int | None
    token_id: int | None
    role: str
    org_id: int | None
    action: str
    resource: str
    resource_id: int | None
    before: Any
    after: Any
    prev_hash: str | None
    hash: str


class AuditPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int


class AuditFilters(msgspec.Struct, kw_only=True, frozen=True):
    resource: str | None = None
    resource_id: int | None = None
    user_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _entry(row: asyncpg.Record) -> AuditEntry:
    rec = dict(row)
    for k in ("before", "after"):
        if isinstance(rec[k], str):
            rec[k] = msgspec.json.decode(rec[k])
    rec["prev_hash"] = rec["prev_hash"].hex() if rec["prev_hash"] is not None else None
    rec["hash"] = rec["hash"].hex()
    return msgspec.convert(rec, AuditEntry)


async def list_entries(
    conn: asyncpg.Connection,
    filters: AuditFilters,
    limit: int,
    offset: int,
    *,
    principal: Principal,
) -> AuditPage:
    """The log, newest first (admins and coordinators; nobody can change it through the API)."""
    from service.auth import STAFF, require_role

    require_role(principal, *STAFF)
    args = (
        filters.resource,
        filters.resource_id,
        filters.user_id,
        filters.action,
        filters.since,
        filters.until,
    )
    rows, total = await repository.audit_page(conn, args, limit, offset)
    return AuditPage(items=[_entry(r) for r in rows], total=total, limit=limit, offset=offset)


class ChainBreak(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    chain_seq: int
    reason: str


async def verify(conn: asyncpg.Connection) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return (rows checked, the first broken row or ``None``)."""
    checked = 0
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for r in repository.audit_chain(conn):
            checked += 1
            reason = None
            expected_seq = (r["prev_seq"] or 0) + 1
            if r["chain_seq"] != expected_seq:
                reason = f"链序号 {expected_seq}–{r['chain_seq'] - 1} 的记录缺失（被删除）"
            elif r["prev_hash"] != r["expected_prev"]:
                reason = "前一条记录的哈希不符（前一条被修改、删除或插入了记录）"
            elif r["hash"] != r["recomputed"]:
                reason = "本条记录的内容与其哈希不符（被修改）"
            if reason:
                return checked, ChainBreak(id=r["id"], chain_seq=r["chain_seq"], reason=reason)
    return checked, None
