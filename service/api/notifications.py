"""HTTP handlers of the in-app inbox and the caller's e-mail preference."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated

import asyncpg
from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.crud import BEARER, Limit, Offset
from service.auth import Principal
from service.errors import NotFound
from service.notifications import inbox
from service.notifications.inbox import (
    MarkedRead,
    Notification,
    NotificationPage,
    Preferences,
    PreferencesPatch,
    UnreadCount,
)

Conn = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal]


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ["通知"]
    security = BEARER

    @get("/", operation_id="list_notifications", summary="我的通知（新的在前）")
    async def list_notifications(
        self,
        conn: Conn,
        principal: Who,
        unread: Annotated[bool, QueryParameter(description="只看未读")] = False,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> NotificationPage:
        return await inbox.list_notifications(
            conn, principal=principal, unread=unread, limit=limit, offset=offset
        )

    @get("/unread-count", operation_id="unread_notifications", summary="未读通知数")
    async def unread_count(self, conn: Conn, principal: Who) -> UnreadCount:
        return await inbox.unread_count(conn, principal=principal)

    @post(
        "/{notification_id:int}/read",
        operation_id="read_notification",
        summary="标为已读",
        status_code=200,
    )
    async def mark_read(
        self, notification_id: FromPath[int], conn: Conn, principal: Who
    ) -> Notification:
        if not 1 <= notification_id < 2**62:
            raise NotFound("通知", notification_id)
        return await inbox.mark_read(conn, notification_id, principal=principal)

    @post(
        "/read-all", operation_id="read_all_notifications", summary="全部标为已读", status_code=200
    )
    async def mark_all_read(self, conn: Conn, principal: Who) -> MarkedRead:
        return await inbox.mark_all_read(conn, principal=principal)


class PreferencesController(Controller):
    path = "/api/users/me/preferences"
    tags = ["通知"]
    security = BEARER

    @get("/", operation_id="get_preferences", summary="我的通知偏好（邮件开关）")
    async def get_preferences(self, conn: Conn, principal: Who) -> Preferences:
        return await inbox.get_preferences(conn, principal=principal)

    @patch("/", operation_id="set_preferences", summary="开启或关闭邮件通知")
    async def set_preferences(
        self, data: JSONBody[PreferencesPatch], conn: Conn, principal: Who
    ) -> Preferences:
        return await inbox.set_preferences(conn, data, principal=principal)


CONTROLLERS = [NotificationController, PreferencesController]
