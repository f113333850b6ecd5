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
from service.notifications import repository


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


# --- service ---------------------------------------------------------------------------------


async def list_notifications(
    conn: asyncpg.Connection, *, principal: Principal, unread: bool, limit: int, offset: int
) -> NotificationPage:
    rows, total, unread_n = await repository.inbox_page(
        conn, _user(principal), unread, limit, offset
    )
    items = [msgspec.convert(dict(r), Notification) for r in rows]
    return NotificationPage(items=items, total=total, unread=unread_n, limit=limit, offset=offset)


async def unread_count(conn: asyncpg.Connection, *, principal: Principal) -> UnreadCount:
    n = await repository.unread_count(conn, _user(principal))
    return UnreadCount(unread=n)


async def mark_read(conn: asyncpg.Connection, ident: int, *, principal: Principal) -> Notification:
    user_id = _user(principal)
    async with conn.transaction():
        row = await repository.mark_read(conn, ident, user_id)
        if row is None:
            raise NotFound("通知", ident)
        item = msgspec.convert(dict(row), Notification)
        await audit.record(conn, principal, "update", "notifications", ident, None, item)
    return item


async def mark_all_read(conn: asyncpg.Connection, *, principal: Principal) -> MarkedRead:
    user_id = _user(principal)
    async with conn.transaction():
        n = await repository.mark_all_read(conn, user_id)
        await audit.record(conn, principal, "update", "notifications", None, None, {"read": n})
    return MarkedRead(updated=n)


async def get_preferences(conn: asyncpg.Connection, *, principal: Principal) -> Preferences:
    row = await repository.preferences(conn, _user(principal))
    if row is None:
        raise NotFound("用户", principal.user_id)
    return msgspec.convert(dict(row), Preferences)


async def set_preferences(
    conn: asyncpg.Connection, data: PreferencesPatch, *, principal: Principal
) -> Preferences:
    """Turn e-mail notifications on or off (the inbox always receives)."""
    user_id = _user(principal)
    async with conn.transaction():
        before = await repository.preferences(conn, user_id, for_update=True)
        if before is None:
            raise NotFound("用户", user_id)
        await repository.set_email_notifications(conn, user_id, data.email_notifications)
        after = msgspec.convert(dict(await repository.preferences(conn, user_id)), Preferences)
        await audit.record(conn, principal, "update", "users", user_id, before, after)
    return after
