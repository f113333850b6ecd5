"""``GET /api/audit``: read the audit log (admins and coordinators; it cannot be written here)."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from datetime import datetime
from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from service.api.crud import BEARER, Limit, Offset
from service.auth import Principal, audit
from service.auth.audit import AuditFilters, AuditPage

Ident = Annotated[int | None, QueryParameter(ge=1, le=2**62)]


class AuditController(Controller):
    path = "/api/audit"
    tags = ["账号"]
    security = BEARER

    @get("/", operation_id="list_audit", summary="审计日志（管理员、对接专员只读；新的在前）")
    async def list_audit(
        self,
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
        resource: Annotated[
            str | None, QueryParameter(max_length=64, description="资源（表名），如 rounds")
        ] = None,
        resource_id: Annotated[
            int | None, QueryParameter(ge=1, le=2**62, description="资源 id")
        ] = None,
        user: Annotated[int | None, QueryParameter(ge=1, le=2**62, description="用户 id")] = None,
        action: Annotated[
            audit.Action | None, QueryParameter(description="动作：create、update、publish …")
        ] = None,
        since: Annotated[datetime | None, QueryParameter(description="起始时间（含）")] = None,
        until: Annotated[datetime | None, QueryParameter(description="截止时间（不含）")] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> AuditPage:
        filters = AuditFilters(
            resource=resource,
            resource_id=resource_id,
            user_id=user,
            action=action,
            since=since,
            until=until,
        )
        return await audit.list_entries(conn, filters, limit, offset, principal=principal)


CONTROLLERS = [AuditController]
