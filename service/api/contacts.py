"""HTTP handlers of contact requests (对接请求)."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated

import asyncpg
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.crud import BEARER, OPTIONAL_BEARER, Limit, Offset
from service.auth import Principal
from service.contacts import service
from service.contacts.schemas import (
    Answer,
    Box,
    ContactRequest,
    ContactRequestCreate,
    ContactRequestPage,
    ContactState,
    ContactStats,
    Target,
    TargetKind,
)
from service.errors import NotFound

Conn = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal]


def _id(ident: int) -> int:
    if not 1 <= ident < 2**62:
        raise NotFound("对接请求", ident)
    return ident


class ContactRequestController(Controller):
    path = "/api/contact-requests"
    tags = ["对接请求"]
    security = BEARER

    @post("/", operation_id="create_contact_request", summary="发送对接请求")
    async def create(
        self, data: JSONBody[ContactRequestCreate], conn: Conn, principal: Who
    ) -> Response[ContactRequest]:
        return Response(await service.create(conn, data, principal=principal), status_code=201)

    @get("/", operation_id="list_contact_requests", summary="本机构发出和收到的对接请求")
    async def list_requests(
        self,
        conn: Conn,
        principal: Who,
        box: Annotated[Box | None, QueryParameter(description="sent 发出 / received 收到")] = None,
        request_state: Annotated[
            ContactState | None, QueryParameter(name="state", description="状态")
        ] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> ContactRequestPage:
        return await service.list_requests(
            conn, principal=principal, box=box, state=request_state, limit=limit, offset=offset
        )

    @get("/stats", operation_id="contact_request_stats", summary="按城市和行业统计（对接专员）")
    async def stats(self, conn: Conn, principal: Who) -> ContactStats:
        return await service.stats(conn, principal=principal)

    @get(
        "/target",
        operation_id="contact_request_target",
        summary="对接对象（发送前显示标题）",
        security=OPTIONAL_BEARER,
    )
    async def target(
        self,
        conn: Conn,
        maybe_principal: NamedDependency[Principal | None],
        kind: Annotated[TargetKind, QueryParameter(description="need/job/capability/talent_pool")],
        target_id: Annotated[int, QueryParameter(name="id", ge=1, le=2**62)],
    ) -> Target:
        return await service.get_target(conn, kind, target_id, principal=maybe_principal)

    @get("/{request_id:int}", operation_id="get_contact_request", summary="读取对接请求")
    async def get_request(
        self, request_id: FromPath[int], conn: Conn, principal: Who
    ) -> ContactRequest:
        return await service.get(conn, _id(request_id), principal=principal)

    @post(
        "/{request_id:int}/answer",
        operation_id="answer_contact_request",
        summary="接受或拒绝（接收方）",
        status_code=200,
    )
    async def answer(
        self,
        request_id: FromPath[int],
        data: JSONBody[Answer],
        conn: Conn,
        principal: Who,
    ) -> ContactRequest:
        return await service.answer(conn, _id(request_id), data, principal=principal)

    @post(
        "/{request_id:int}/withdraw",
        operation_id="withdraw_contact_request",
        summary="撤回（发送方）",
        status_code=200,
    )
    async def withdraw(
        self, request_id: FromPath[int], conn: Conn, principal: Who
    ) -> ContactRequest:
        return await service.withdraw(conn, _id(request_id), principal=principal)


CONTROLLERS = [ContactRequestController]
