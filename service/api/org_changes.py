"""Organization change requests: propose (the organization), list, approve or reject (staff)."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated

import asyncpg
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.crud import BEARER, Limit, Offset
from service.auth import Principal
from service.domain import org_changes
from service.domain.org_changes import (
    ChangeRequest,
    ChangeRequestCreate,
    ChangeRequestPage,
    Decision,
    State,
)
from service.errors import NotFound

Conn = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal]


def _id(ident: int, label: str) -> int:
    if not 1 <= ident < 2**62:
        raise NotFound(label, ident)
    return ident


class ProposeController(Controller):
    path = "/api/organizations"
    tags = ["机构"]
    security = BEARER

    @post(
        "/{org_id:int}/change-requests",
        operation_id="propose_organization_change",
        summary="申请变更机构名称、信用代码、城市或资质标签（由对接专员审批）",
    )
    async def propose(
        self,
        org_id: FromPath[int],
        data: JSONBody[ChangeRequestCreate],
        conn: Conn,
        principal: Who,
    ) -> ChangeRequest:
        return await org_changes.propose(conn, _id(org_id, "机构"), data, principal=principal)


class ChangeRequestController(Controller):
    path = "/api/organization-change-requests"
    tags = ["机构"]
    security = BEARER

    @get(
        "/",
        operation_id="list_organization_changes",
        summary="机构信息变更申请（对接专员看全部，机构用户看本机构）",
    )
    async def list_requests(
        self,
        conn: Conn,
        principal: Who,
        request_state: Annotated[
            State | None, QueryParameter(name="state", description="pending | approved | rejected")
        ] = None,
        org: Annotated[int | None, QueryParameter(ge=1, le=2**62, description="机构 id")] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> ChangeRequestPage:
        return await org_changes.list_requests(
            conn, principal=principal, state=request_state, org_id=org, limit=limit, offset=offset
        )

    @post(
        "/{request_id:int}/approve",
        status_code=200,
        operation_id="approve_organization_change",
        summary="批准变更申请（变更随即生效）",
    )
    async def approve(
        self,
        request_id: FromPath[int],
        data: JSONBody[Decision],
        conn: Conn,
        principal: Who,
    ) -> ChangeRequest:
        ident = _id(request_id, "机构信息变更申请")
        return await org_changes.decide(conn, ident, True, data, principal=principal)

    @post(
        "/{request_id:int}/reject",
        status_code=200,
        operation_id="reject_organization_change",
        summary="驳回变更申请（须说明理由）",
    )
    async def reject(
        self,
        request_id: FromPath[int],
        data: JSONBody[Decision],
        conn: Conn,
        principal: Who,
    ) -> ChangeRequest:
        ident = _id(request_id, "机构信息变更申请")
        return await org_changes.decide(conn, ident, False, data, principal=principal)


CONTROLLERS = [ProposeController, ChangeRequestController]
