"""SQL of registration: organizations' approval state, users' e-mail, one-time account tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from service.auth.tokens import new_token, token_digest


async def org_by_credit_code(conn: asyncpg.Connection, code: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, name FROM organizations WHERE credit_code = $1", code)


async def user_by_login(conn: asyncpg.Connection, login: str) -> int | None:
    return await conn.fetchval("SELECT id FROM users WHERE lower(login) = lower($1)", login)


async def user_by_email(conn: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, email, is_active FROM users WHERE lower(email) = lower($1)", email
    )


async def insert_org(conn: asyncpg.Connection, values: dict[str, Any]) -> int:
    cols = list(values)
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    return await conn.fetchval(
        f"INSERT INTO organizations ({', '.join(cols)}) VALUES ({marks}) RETURNING id",
        *values.values(),
    )


async def insert_user(
    conn: asyncpg.Connection,
    *,
    login: str,
    display_name: str,
    role: str,
    org_id: int,
    password_hash: str,
    email: str,
    confirmed: bool,
) -> int:
    return await conn.fetchval(
        "INSERT INTO users (login, display_name, role, org_id, password_hash, email,"
        " email_confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN now() END)"
        " RETURNING id",
        login,
        display_name,
        role,
        org_id,
        password_hash,
        email,
        confirmed,
    )


async def create_token(
    conn: asyncpg.Connection,
    *,
    purpose: str,
    email: str,
    ttl: timedelta,
    user_id: int | None = None,
    org_id: int | None = None,
    role: str | None = None,
    created_by: int | None = None,
) -> tuple[str, asyncpg.Record]:
    """Store a one-time token's digest; return the token (only in the mail) and the row."""
    token = new_token()
    row = await conn.fetchrow(
        "INSERT INTO account_tokens (token_hash, purpose, user_id, org_id, email, role,"
        " created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now() + $8)"
        " RETURNING id, email, org_id, role, expires_at",
        token_digest(token),
        purpose,
        user_id,
        org_id,
        email,
        role,
        created_by,
        ttl,
    )
    return token, row


async def use_token(conn: asyncpg.Connection, token: str, purpose: str) -> asyncpg.Record | None:
    """Spend a valid token (unused, unexpired, of ``purpose``) and return its row, else None.

    The UPDATE … WHERE used_at IS NULL makes two concurrent uses spend it once.
    """
    return await conn.fetchrow(
        "UPDATE account_tokens SET used_at = now()"
        " WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()"
        " RETURNING id, user_id, org_id, email, role",
        token_digest(token),
        purpose,
    )


async def spend_other_tokens(conn: asyncpg.Connection, user_id: int, purpose: str) -> None:
    await conn.execute(
        "UPDATE account_tokens SET used_at = now()"
        " WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user_id,
        purpose,
    )


async def confirm_email(conn: asyncpg.Connection, user_id: int, email: str) -> bool:
    status = await conn.execute(
        "UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, now())"
        " WHERE id = $1 AND lower(email) = lower($2)",
        user_id,
        email,
    )
    return status.endswith(" 1")


async def set_password(conn: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    await conn.execute("UPDATE users SET password_hash = $2 WHERE id = $1", user_id, password_hash)


async def revoke_all_tokens(conn: asyncpg.Connection, user_id: int) -> int:
    status = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user_id,
    )
    return int(status.split()[-1])


_VIEW = """
SELECT o.id, o.kind, o.name, o.credit_code, o.city, o.industry_code, o.contact_name,
       o.contact_phone, o.contact_email, o.approval_state, o.return_reason, o.reviewed_at,
       o.created_at, u.login AS first_login, u.email AS first_email
FROM organizations o
LEFT JOIN LATERAL (
    SELECT login, email FROM users WHERE org_id = o.id ORDER BY id LIMIT 1
) u ON true
"""


async def registration(conn: asyncpg.Connection, org_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(_VIEW + " WHERE o.id = $1", org_id)


async def list_registrations(
    conn: asyncpg.Connection, state: str | None, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    where = " WHERE ($1::text IS NULL OR o.approval_state = $1)"
    total = await conn.fetchval("SELECT count(*) FROM organizations o" + where, state)
    rows = await conn.fetch(
        _VIEW + where + " ORDER BY o.created_at, o.id LIMIT $2 OFFSET $3", state, limit, offset
    )
    return rows, total


async def lock_org(conn: asyncpg.Connection, org_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, name, approval_state FROM organizations WHERE id = $1 FOR UPDATE", org_id
    )


async def set_approval(
    conn: asyncpg.Connection,
    org_id: int,
    state: str,
    reason: str | None,
    reviewer: int | None,
) -> None:
    await conn.execute(
        "UPDATE organizations SET approval_state = $2, return_reason = $3, reviewed_by = $4,"
        " reviewed_at = CASE WHEN $2 = 'pending' THEN reviewed_at ELSE now() END WHERE id = $1",
        org_id,
        state,
        reason,
        reviewer,
    )


async def user_role(
    conn: asyncpg.Connection, user_id: int, *, for_update: bool = False
) -> asyncpg.Record | None:
    """``role``, ``org_id`` and ``is_active`` of a user (locked when ``for_update``)."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT role, org_id, is_active FROM users WHERE id = $1{lock}", user_id
    )


async def user_email(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT email, email_confirmed_at, login, display_name FROM users WHERE id = $1", user_id
    )


async def org_name(conn: asyncpg.Connection, org_id: int | None) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT name FROM organizations WHERE id = $1", org_id)
