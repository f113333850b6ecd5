"""The in-app inbox: a user's notifications, the unread count, marking read, e-mail preferences.

Every call acts for the principal's own user; a bare API token (no user) has no inbox. Another
user's notification does not exist for the caller (404), so ids do not leak.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from service.auth import Principal, audit
from service.errors import Forbidden, NotFound


class Notification(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    kind: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[Notification]
    total: int
    unread: int
    limit: int
    offset: int


class UnreadCount(msgspec.Struct, kw_only=True, frozen=True):
    unread: int


class MarkedRead(msgspec.Struct, kw_only=True, frozen=True):
    updated: int


class Preferences(msgspec.Struct, kw_only=True, frozen=True):
    email: str | None
    email_confirmed: bool
    email_notifications: bool


class PreferencesPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email_notifications: bool


def _user(principal: Principal) -> int:
    if principal.user_id is None:
        raise Forbidden("通知属于用户：未绑定用户的 API 令牌没有收件箱 (no user for this token)")
    return principal.user_id


# --- repository ------------------------------------------------------------------------------

_COLUMNS = "id, kind, title, body, link, created_at, read_at"


async def _page(
    conn: asyncpg.Connection, user_id: int, unread_only: bool, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int, int]:
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


# --- service ---------------------------------------------------------------------------------


async def list_notifications(
    conn: asyncpg.Connection, *, principal: Principal, unread: bool, limit: int, offset: int
) -> NotificationPage:
    rows, total, unread_n = await _page(conn, _user(principal), unread, limit, offset)
    items = [msgspec.convert(dict(r), Notification) for r in rows]
    return NotificationPage(items=items, total=total, unread=unread_n, limit=limit, offset=offset)


async def unread_count(conn: asyncpg.Connection, *, principal: Principal) -> UnreadCount:
    n = await conn.fetchval(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        _user(principal),
    )
    return UnreadCount(unread=n)


async def mark_read(conn: asyncpg.Connection, ident: int, *, principal: Principal) -> Notification:
    user_id = _user(principal)
    async with conn.transaction():
        row = await conn.fetchrow(
            "UPDATE notifications SET read_at = coalesce(read_at, now())"
            f" WHERE id = $1 AND user_id = $2 RETURNING {_COLUMNS}",
            ident,
            user_id,
        )
        if row is None:
            raise NotFound("通知", ident)
        item = msgspec.convert(dict(row), Notification)
        await audit.record(conn, principal, "update", "notifications", ident, None, item)
    return item


async def mark_all_read(conn: asyncpg.Connection, *, principal: Principal) -> MarkedRead:
    user_id = _user(principal)
    async with conn.transaction():
        status = await conn.execute(
            "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL",
            user_id,
        )
        n = int(status.split()[-1])
        await audit.record(conn, principal, "update", "notifications", None, None, {"read": n})
    return MarkedRead(updated=n)


_PREFS = (
    "SELECT email, email_confirmed_at IS NOT NULL AS email_confirmed, email_notifications"
    " FROM users WHERE id = $1"
)


async def get_preferences(conn: asyncpg.Connection, *, principal: Principal) -> Preferences:
    row = await conn.fetchrow(_PREFS, _user(principal))
    if row is None:
        raise NotFound("用户", principal.user_id)
    return msgspec.convert(dict(row), Preferences)


async def set_preferences(
    conn: asyncpg.Connection, data: PreferencesPatch, *, principal: Principal
) -> Preferences:
    """Turn e-mail notifications on or off (the inbox always receives)."""
    user_id = _user(principal)
    async with conn.transaction():
        before = await conn.fetchrow(_PREFS + " FOR UPDATE", user_id)
        if before is None:
            raise NotFound("用户", user_id)
        await conn.execute(
            "UPDATE users SET email_notifications = $2 WHERE id = $1",
            user_id,
            data.email_notifications,
        )
        after = msgspec.convert(dict(await conn.fetchrow(_PREFS, user_id)), Preferences)
        await audit.record(conn, principal, "update", "users", user_id, before, after)
    return after
