"""All SQL of the notifications context: recipients, inbox rows, the e-mail outbox and the
users' mail preferences. Functions take a connection and plain values; the services
(``service.notifications``, ``inbox``, ``mailer``, ``events``) own the transactions."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

# ---- notify / send_email ---------------------------------------------------------------------


async def recipients(
    conn: asyncpg.Connection, user_ids: list[int], org_ids: list[int], roles: list[str]
) -> list[asyncpg.Record]:
    """Active users among ``user_ids``, of ``org_ids`` or with a role in ``roles``: ``id``,
    ``email`` and ``mail`` (confirmed address and e-mail notifications on)."""
    return await conn.fetch(
        """
        SELECT id, email, email_confirmed_at IS NOT NULL AND email_notifications AS mail
        FROM users
        WHERE is_active
          AND (id = ANY($1::bigint[]) OR org_id = ANY($2::bigint[]) OR role = ANY($3::text[]))
        ORDER BY id
        """,
        user_ids,
        org_ids,
        roles,
    )


async def insert_inbox(
    conn: asyncpg.Connection, rows: Iterable[tuple[int, str, str, str, str | None]]
) -> None:
    """Inbox rows (user_id, kind, title, body, link)."""
    await conn.executemany(
        "INSERT INTO notifications (user_id, kind, title, body, link) VALUES ($1, $2, $3, $4, $5)",
        list(rows),
    )


async def queue_mail(conn: asyncpg.Connection, rows: Iterable[tuple[str, str, str, str]]) -> None:
    """Outbox rows (dedupe_key, to_address, subject, body); a known dedupe_key is skipped."""
    await conn.executemany(
        "INSERT INTO outbox (dedupe_key, to_address, subject, body) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        list(rows),
    )


async def organization_names(conn: asyncpg.Connection, ids: list[int]) -> dict[int, str]:
    rows = await conn.fetch("SELECT id, name FROM organizations WHERE id = ANY($1)", ids)
    return {r["id"]: r["name"] for r in rows}


# ---- inbox -----------------------------------------------------------------------------------

_COLUMNS = "id, kind, title, body, link, created_at, read_at"


async def inbox_page(
    conn: asyncpg.Connection, user_id: int, unread_only: bool, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int, int]:
    """A page of the user's notifications, newest first, with the total and the unread count."""
    where = "user_id = $1 AND ($2::bool IS FALSE OR read_at IS NULL)"
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM notifications WHERE {where} ORDER BY id DESC LIMIT $3 OFFSET $4",
        user_id,
        unread_only,
        limit,
        offset,
    )
    counts = await conn.fetchrow(
        f"SELECT count(*) FILTER (WHERE {where}) AS total,"
        " count(*) FILTER (WHERE read_at IS NULL) AS unread"
        " FROM notifications WHERE user_id = $1",
        user_id,
        unread_only,
    )
    return rows, counts["total"], counts["unread"]


async def unread_count(conn: asyncpg.Connection, user_id: int) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", user_id
    )


async def mark_read(conn: asyncpg.Connection, ident: int, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "UPDATE notifications SET read_at = coalesce(read_at, now())"
        f" WHERE id = $1 AND user_id = $2 RETURNING {_COLUMNS}",
        ident,
        user_id,
    )


async def mark_all_read(conn: asyncpg.Connection, user_id: int) -> int:
    status = await conn.execute(
        "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL",
        user_id,
    )
    return int(status.split()[-1])


_PREFS = (
    "SELECT email, email_confirmed_at IS NOT NULL AS email_confirmed, email_notifications"
    " FROM users WHERE id = $1"
)


async def preferences(
    conn: asyncpg.Connection, user_id: int, *, for_update: bool = False
) -> asyncpg.Record | None:
    return await conn.fetchrow(_PREFS + (" FOR UPDATE" if for_update else ""), user_id)


async def set_email_notifications(conn: asyncpg.Connection, user_id: int, on: bool) -> None:
    await conn.execute("UPDATE users SET email_notifications = $2 WHERE id = $1", user_id, on)


# ---- mailer ----------------------------------------------------------------------------------

_CLAIM = """
SELECT id, to_address, subject, body, attempts FROM outbox
WHERE sent_at IS NULL AND next_attempt_at <= now()
ORDER BY next_attempt_at, id
LIMIT 1
FOR UPDATE SKIP LOCKED
"""


async def claim_due_mail(conn: asyncpg.Connection) -> asyncpg.Record | None:
    """The next due outbox row, locked (skipping rows another sender holds)."""
    return await conn.fetchrow(_CLAIM)


async def mail_failed(conn: asyncpg.Connection, ident: int, error: str, delay: float) -> None:
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2,"
        " next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
        ident,
        error,
        delay,
    )


async def mail_sent(conn: asyncpg.Connection, ident: int) -> None:
    await conn.execute(
        "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL"
        " WHERE id = $1",
        ident,
    )
