"""HTTP handlers of joining on one's own: registration, account mail, invitations, approval."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated

import asyncpg
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.crud import BEARER, Limit, Offset
from service.auth import Principal
from service.errors import NotFound
from service.registration import service
from service.registration.schemas import (
    Accepted,
    ApprovalState,
    EmailConfirmed,
    Invitation,
    InvitationAccept,
    InvitationCreate,
    Joined,
    Registered,
    RegistrationCreate,
    RegistrationPage,
    RegistrationView,
    ResetConfirm,
    ResetRequest,
    ReturnBody,
    TokenBody,
)

Conn = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal]
NO_STORE = {"Cache-Control": "no-store"}


def _org_id(ident: int) -> int:
    if not 1 <= ident < 2**62:
        raise NotFound("机构", ident)
    return ident


class AccountMailController(Controller):
    """E-mail confirmation and password reset (no login needed: the mailed token is the proof)."""

    path = "/api/auth"
    tags = ["账号"]

    @post("/confirm-email", operation_id="confirm_email", summary="用邮件中的链接确认邮箱")
    async def confirm_email(
        self, data: JSONBody[TokenBody], conn: Conn
    ) -> Response[EmailConfirmed]:
        return Response(await service.confirm_email(conn, data.token), status_code=200)

    @post(
        "/resend-confirmation",
        operation_id="resend_confirmation",
        summary="重新发送邮箱确认邮件",
        status_code=202,
        security=BEARER,
    )
    async def resend(self, conn: Conn, principal: Who) -> Accepted:
        await service.resend_confirmation(conn, principal=principal)
        return Accepted(detail="确认邮件已重新发送")

    @post(
        "/password-reset",
        operation_id="request_password_reset",
        summary="申请重设密码（无论邮箱是否注册都返回 202）",
        status_code=202,
    )
    async def request_reset(self, data: JSONBody[ResetRequest], conn: Conn) -> Accepted:
        await service.request_reset(conn, data.email)
        return Accepted(detail="如果该邮箱已注册，重设密码的邮件已发送，请查收")

    @post(
        "/password-reset/confirm",
        operation_id="reset_password",
        summary="用邮件中的链接设置新密码（其他登录全部失效）",
        status_code=204,
    )
    async def reset(self, data: JSONBody[ResetConfirm], conn: Conn) -> None:
        await service.reset_password(conn, data)


class RegistrationController(Controller):
    path = "/api/registrations"
    tags = ["注册"]

    @post("/", operation_id="register", summary="机构自助注册（机构 + 第一个用户）")
    async def register(
        self, data: JSONBody[RegistrationCreate], conn: Conn
    ) -> Response[Registered]:
        return Response(await service.register(conn, data), status_code=201, headers=NO_STORE)

    @get(
        "/",
        operation_id="list_registrations",
        summary="机构注册审核列表（对接专员）",
        security=BEARER,
    )
    async def list_registrations(
        self,
        conn: Conn,
        principal: Who,
        approval_state: Annotated[
            ApprovalState | None, QueryParameter(name="state", description="审核状态（默认待审核）")
        ] = "pending",
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> RegistrationPage:
        return await service.list_registrations(
            conn, principal=principal, state=approval_state, limit=limit, offset=offset
        )

    @get("/mine", operation_id="my_registration", summary="本机构的审核状态", security=BEARER)
    async def mine(self, conn: Conn, principal: Who) -> RegistrationView:
        return await service.my_registration(conn, principal=principal)

    @post(
        "/mine/resubmit",
        operation_id="resubmit_registration",
        summary="被退回后重新提交审核",
        status_code=200,
        security=BEARER,
    )
    async def resubmit(self, conn: Conn, principal: Who) -> RegistrationView:
        return await service.resubmit(conn, principal=principal)

    @post(
        "/{org_id:int}/approve",
        operation_id="approve_registration",
        summary="审核通过（对接专员）",
        status_code=200,
        security=BEARER,
    )
    async def approve(self, org_id: FromPath[int], conn: Conn, principal: Who) -> RegistrationView:
        return await service.review(
            conn, _org_id(org_id), approve=True, reason=None, principal=principal
        )

    @post(
        "/{org_id:int}/return",
        operation_id="return_registration",
        summary="退回并说明原因（对接专员）",
        status_code=200,
        security=BEARER,
    )
    async def return_(
        self,
        org_id: FromPath[int],
        data: JSONBody[ReturnBody],
        conn: Conn,
        principal: Who,
    ) -> RegistrationView:
        return await service.review(
            conn, _org_id(org_id), approve=False, reason=data.reason, principal=principal
        )

    @post(
        "/invitations",
        operation_id="invite_colleague",
        summary="邀请同事加入本机构（发送邀请邮件）",
        security=BEARER,
    )
    async def invite(
        self, data: JSONBody[InvitationCreate], conn: Conn, principal: Who
    ) -> Response[Invitation]:
        invitation = await service.invite(conn, data, principal=principal)
        return Response(invitation, status_code=201)

    @post(
        "/invitations/accept",
        operation_id="accept_invitation",
        summary="接受邀请：设置登录名和密码，加入机构",
    )
    async def accept(self, data: JSONBody[InvitationAccept], conn: Conn) -> Response[Joined]:
        return Response(
            await service.accept_invitation(conn, data), status_code=201, headers=NO_STORE
        )


CONTROLLERS = [AccountMailController, RegistrationController]
