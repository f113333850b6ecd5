"""All SQL of the accounts core (service/auth): rate-limit buckets, tokens, users, audit log.

Functions take a connection and plain values and return records or Structs; the services in
service/auth call them and own the transactions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

# The refilled bucket: what was left plus the time since the last write at the rate, at most burst.
_REFILLED = "least($3::float8, b.tokens + greatest(extract(epoch FROM now() - b.at)::float8, 0) * $4::float8)"
_TAKE = f"""
WITH who AS (
    -- Per user when the token is a user's (however many tokens they mint), per bare token,
    -- else per client address (unknown tokens are refused anyway and must not get fresh buckets).
    SELECT coalesce(
        (SELECT CASE WHEN user_id IS NULL THEN 'write:t:' || id ELSE 'write:u:' || user_id END
         FROM api_tokens WHERE $1::bytea IS NOT NULL AND token_hash = $1),
        $2) AS key
)
INSERT INTO rate_limits AS b (key, tokens, at, allowed)
SELECT who.key, $3 - 1, now(), true FROM who
ON CONFLICT (key) DO UPDATE SET
    tokens = {_REFILLED} - CASE WHEN {_REFILLED} >= 1 THEN 1 ELSE 0 END,
    at = greatest(b.at, now()),
    allowed = {_REFILLED} >= 1
RETURNING b.allowed, b.tokens
"""


async def take_rate_token(
    conn: asyncpg.Connection, digest: bytes | None, address_key: str, burst: float, rate: float
) -> asyncpg.Record:
    """Spend one token of the bucket of the token's user (or bare token, or ``address_key``);
    returns ``allowed`` and the ``tokens`` left."""
    return await conn.fetchrow(_TAKE, digest, address_key, burst, rate)


# ---- tokens (service/auth/tokens.py) -------------------------------------------------------

_LOOKUP = """
SELECT t.id AS token_id, t.user_id,
       CASE WHEN t.user_id IS NULL THEN t.role ELSE u.role END AS role,
       CASE WHEN t.user_id IS NULL THEN t.org_id ELSE u.org_id END AS org_id,
       u.is_active
FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
"""


async def token_by_digest(conn: asyncpg.Connection, digest: bytes) -> asyncpg.Record | None:
    """The live token with this digest: ``token_id``, ``user_id``, ``role``, ``org_id``,
    ``is_active`` (the role and org of its user, or its own for a bare token)."""
    return await conn.fetchrow(_LOOKUP, digest)


async def insert_token(
    conn: asyncpg.Connection,
    *,
    digest: bytes,
    kind: str,
    user_id: int | None,
    role: str | None,
    org_id: int | None,
    name: str,
    expires_at: datetime,
) -> int:
    return await conn.fetchval(
        "INSERT INTO api_tokens (token_hash, kind, user_id, role, org_id, name, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        digest,
        kind,
        user_id,
        role,
        org_id,
        name,
        expires_at,
    )


async def revoke_token(conn: asyncpg.Connection, token_id: int) -> bool:
    status = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", token_id
    )
    return status.endswith(" 1")


async def revoke_user_tokens(conn: asyncpg.Connection, user_id: int, keep: int | None) -> int:
    status = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"
        " AND id IS DISTINCT FROM $2",
        user_id,
        keep,
    )
    return int(status.rsplit(" ", 1)[1])


async def live_tokens(
    conn: asyncpg.Connection, user_id: int | None, token_id: int | None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, kind, name, created_at, expires_at FROM api_tokens"
        " WHERE revoked_at IS NULL AND expires_at > now()"
        " AND (user_id = $1 OR ($1::bigint IS NULL AND id = $2)) ORDER BY id",
        user_id,
        token_id,
    )


async def lock_live_token(conn: asyncpg.Connection, token_id: int) -> asyncpg.Record | None:
    """``id``, ``user_id``, ``kind``, ``name`` of a token not yet revoked, locked for update."""
    return await conn.fetchrow(
        "SELECT id, user_id, kind, name FROM api_tokens WHERE id = $1 AND revoked_at IS NULL"
        " FOR UPDATE",
        token_id,
    )


async def is_fresh_session(conn: asyncpg.Connection, token_id: int, window: timedelta) -> bool:
    """Whether the token is a session created within ``window``."""
    return bool(
        await conn.fetchval(
            "SELECT kind = 'session' AND created_at > now() - $2::interval FROM api_tokens"
            " WHERE id = $1",
            token_id,
            window,
        )
    )


# ---- users (service/auth/accounts.py) ------------------------------------------------------

USER_COLUMNS = "id, login, display_name, role, org_id, is_active, version, created_at, updated_at"


async def organization_kind(conn: asyncpg.Connection, org_id: int) -> str | None:
    return await conn.fetchval("SELECT kind FROM organizations WHERE id = $1", org_id)


async def insert_user(
    conn: asyncpg.Connection,
    *,
    login: str,
    display_name: str,
    role: str,
    org_id: int | None,
    password_hash: str | None,
    demo_key: str | None,
) -> asyncpg.Record:
    """Raises :class:`asyncpg.UniqueViolationError` when the login is taken."""
    return await conn.fetchrow(
        "INSERT INTO users (login, display_name, role, org_id, password_hash, demo_key)"
        f" VALUES ($1, $2, $3, $4, $5, $6) RETURNING {USER_COLUMNS}",
        login,
        display_name,
        role,
        org_id,
        password_hash,
        demo_key,
    )


async def user_row(
    conn: asyncpg.Connection, ident: int, *, for_update: bool = False
) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE id = $1{lock}", ident)


async def user_exists(conn: asyncpg.Connection, ident: int) -> bool:
    return bool(await conn.fetchval("SELECT true FROM users WHERE id = $1", ident))


async def user_page(
    conn: asyncpg.Connection, role: str | None, org_id: int | None, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    where = " WHERE ($1::text IS NULL OR role = $1) AND ($2::bigint IS NULL OR org_id = $2)"
    total = await conn.fetchval(f"SELECT count(*) FROM users{where}", role, org_id)
    rows = await conn.fetch(
        f"SELECT {USER_COLUMNS} FROM users{where} ORDER BY id LIMIT $3 OFFSET $4",
        role,
        org_id,
        limit,
        offset,
    )
    return rows, total


async def password_hash(conn: asyncpg.Connection, user_id: int) -> str | None:
    return await conn.fetchval("SELECT password_hash FROM users WHERE id = $1", user_id)


async def update_user(
    conn: asyncpg.Connection, ident: int, changes: dict[str, Any]
) -> asyncpg.Record:
    """Set ``changes`` (column → value; the keys are the service's, never the caller's)."""
    cols = list(changes)
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(cols, start=2))
    return await conn.fetchrow(
        f"UPDATE users SET {sets} WHERE id = $1 RETURNING {USER_COLUMNS}",
        ident,
        *changes.values(),
    )


async def user_id_by_login(conn: asyncpg.Connection, login: str) -> int | None:
    return await conn.fetchval("SELECT id FROM users WHERE lower(login) = lower($1)", login)


async def user_for_login(conn: asyncpg.Connection, login: str) -> asyncpg.Record | None:
    """The user with this login (case-insensitive), with ``password_hash``."""
    return await conn.fetchrow(
        f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(login) = lower($1)", login
    )


# ---- audit log (service/auth/audit.py) -----------------------------------------------------


async def insert_audit(
    conn: asyncpg.Connection,
    *,
    user_id: int | None,
    token_id: int | None,
    role: str,
    org_id: int | None,
    action: str,
    resource: str,
    resource_id: int | None,
    before: str | None,
    after: str | None,
) -> None:
    # Sent as text and cast, so it works on connections with or without the pool's jsonb codec.
    await conn.execute(
        "INSERT INTO audit_log (user_id, token_id, role, org_id, action, resource, resource_id,"
        " before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb)",
        user_id,
        token_id,
        role,
        org_id,
        action,
        resource,
        resource_id,
        before,
        after,
    )


_AUDIT_WHERE = """
FROM audit_log
WHERE ($1::text IS NULL OR resource = $1) AND ($2::bigint IS NULL OR resource_id = $2)
  AND ($3::bigint IS NULL OR user_id = $3) AND ($4::text IS NULL OR action = $4)
  AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
"""


async def audit_page(
    conn: asyncpg.Connection, args: tuple[Any, ...], limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    """Entries matching ``args`` (resource, resource_id, user_id, action, since, until), newest
    first, with the total."""
    total = await conn.fetchval(f"SELECT count(*) {_AUDIT_WHERE}", *args)
    rows = await conn.fetch(
        "SELECT id, chain_seq, at, user_id, token_id, role, org_id, action, resource,"
        " resource_id, before::text AS before, after::text AS after, prev_hash, hash"
        f" {_AUDIT_WHERE} ORDER BY chain_seq DESC LIMIT $7 OFFSET $8",
        *args,
        limit,
        offset,
    )
    return rows, total


# Recomputes every row's hash from its content and the stored previous hash, and checks that
# each row names the hash of the row before it and that no place in the chain is missing.
_VERIFY = """
SELECT id, chain_seq, prev_hash, hash,
       lag(hash) OVER w AS expected_prev, lag(chain_seq) OVER w AS prev_seq,
       duijie_audit_hash(prev_hash, a) AS recomputed
FROM audit_log a WINDOW w AS (ORDER BY chain_seq) ORDER BY chain_seq
"""


def audit_chain(conn: asyncpg.Connection) -> Any:
    """A cursor over the chain with each row's recomputed hash (use inside a transaction)."""
    return conn.cursor(_VERIFY, prefetch=2000)
