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

from service.auth import Principal

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


_LIST = """
FROM audit_log
WHERE ($1::text IS NULL OR resource = $1) AND ($2::bigint IS NULL OR resource_id = $2)
  AND ($3::bigint IS NULL OR user_id = $3) AND ($4::text IS NULL OR action = $4)
  AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
"""


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
    total = await conn.fetchval(f"SELECT count(*) {_LIST}", *args)
    rows = await conn.fetch(
        "SELECT id, chain_seq, at, user_id, token_id, role, org_id, action, resource,"
        " resource_id, before::text AS before, after::text AS after, prev_hash, hash"
        f" {_LIST} ORDER BY chain_seq DESC LIMIT $7 OFFSET $8",
        *args,
        limit,
        offset,
    )
    return AuditPage(items=[_entry(r) for r in rows], total=total, limit=limit, offset=offset)


class ChainBreak(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    chain_seq: int
    reason: str


# Recomputes every row's hash from its content and the stored previous hash, and checks that
# each row names the hash of the row before it and that no place in the chain is missing.
_VERIFY = """
SELECT id, chain_seq, prev_hash, hash,
       lag(hash) OVER w AS expected_prev, lag(chain_seq) OVER w AS prev_seq,
       duijie_audit_hash(prev_hash, a) AS recomputed
FROM audit_log a WINDOW w AS (ORDER BY chain_seq) ORDER BY chain_seq
"""


async def verify(conn: asyncpg.Connection) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return (rows checked, the first broken row or ``None``)."""
    checked = 0
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for r in conn.cursor(_VERIFY, prefetch=2000):
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
