"""Login, logout, the caller's identity, API tokens and user management under ``/api``."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from datetime import datetime
from typing import Annotated

import asyncpg
import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta

from service.api.crud import IfMatch, Limit, Offset, etag, parse_if_match
from service.auth import Principal, Role, accounts, cookies, tokens
from service.auth.accounts import (
    LoginRequest,
    LoginResult,
    TokenInfo,
    User,
    UserCreate,
    UserPage,
    UserPatch,
)
from service.errors import NotFound

BEARER = [{"BearerToken": []}]


class Me(msgspec.Struct, kw_only=True, frozen=True):
    user_id: int | None
    role: Role
    org_id: int | None
    token_id: int | None
    user: User | None = None


class TokenRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, Meta(max_length=100)] = ""
    # Default and maximum 90 days (admins may choose up to 3650).
    days: Annotated[int, Meta(ge=1, le=3650)] | None = None
    # The current password, when the login is older than 10 minutes.
    password: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class TokenCreated(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    token: str
    token_type: str
    name: str
    expires_at: datetime


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _user_id(ident: int) -> int:
    if not 1 <= ident < 2**62:
        raise NotFound("用户", ident)
    return ident


class AuthController(Controller):
    path = "/api/auth"
    tags = ["账号"]

    @post("/login", operation_id="login", summary="用户名密码登录，返回令牌（12 小时有效）")
    async def login(
        self,
        request: Request,
        data: JSONBody[LoginRequest],
        conn: NamedDependency[asyncpg.Connection],
    ) -> Response[LoginResult]:
        user, token, expires = await accounts.login(conn, data.login, data.password)
        if data.cookie:
            # The web UI: the token only in the HttpOnly cookie, never readable by a script.
            result = LoginResult(token=None, token_type="cookie", expires_at=expires, user=user)
            return Response(
                result,
                status_code=200,
                headers={"Cache-Control": "no-store"},
                cookies=cookies.session_cookies(token, expires, secure=_secure(request)),
            )
        result = LoginResult(token=token, token_type="bearer", expires_at=expires, user=user)
        return Response(result, status_code=200, headers={"Cache-Control": "no-store"})

    @post(
        "/logout",
        operation_id="logout",
        summary="吊销当前令牌（并清除网页的会话 Cookie）",
        status_code=204,
        security=BEARER,
        # Expiring the cookies needs no Secure flag: an https page may replace a Secure cookie.
        response_cookies=cookies.cleared_cookies(secure=False),
    )
    async def logout(
        self, conn: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal]
    ) -> None:
        if principal.token_id is not None:
            await tokens.revoke(conn, principal.token_id)

    @get("/me", operation_id="me", summary="当前身份", security=BEARER)
    async def me(
        self, conn: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal]
    ) -> Me:
        user = None
        if principal.user_id is not None:
            user = await accounts.get_user(conn, principal.user_id, principal=principal)
        return Me(
            user_id=principal.user_id,
            role=principal.role,
            org_id=principal.org_id,
            token_id=principal.token_id,
            user=user,
        )

    @post(
        "/tokens",
        operation_id="create_api_token",
        summary="为当前用户创建 API 令牌（供系统集成使用，只显示一次）",
        security=BEARER,
    )
    async def create_token(
        self,
        data: JSONBody[TokenRequest],
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
    ) -> Response[TokenCreated]:
        if principal.user_id is None:
            # A bare integration token cannot mint more tokens for itself.
            from service.errors import Forbidden

            raise Forbidden("未绑定用户的 API 令牌不能再创建令牌；请使用 duijie token create")
        await accounts.require_recent_login(conn, principal, data.password)
        ident, token, expires = await accounts.issue_api_token(
            conn, principal=principal, user_id=principal.user_id, name=data.name, days=data.days
        )
        created = TokenCreated(
            id=ident, token=token, token_type="bearer", name=data.name, expires_at=expires
        )
        return Response(created, status_code=201, headers={"Cache-Control": "no-store"})

    @get(
        "/tokens",
        operation_id="list_api_tokens",
        summary="我的有效令牌（会话与 API 令牌）",
        security=BEARER,
    )
    async def list_tokens(
        self, conn: NamedDependency[asyncpg.Connection], principal: NamedDependency[Principal]
    ) -> list[TokenInfo]:
        return await accounts.list_tokens(conn, principal=principal)

    @delete(
        "/tokens/{token_id:int}",
        operation_id="revoke_api_token",
        summary="吊销我的一个令牌",
        security=BEARER,
    )
    async def revoke_token(
        self,
        token_id: FromPath[int],
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
    ) -> None:
        if not 1 <= token_id < 2**62:
            raise NotFound("令牌", token_id)
        await accounts.revoke_token(conn, token_id, principal=principal)


class UsersController(Controller):
    path = "/api/users"
    tags = ["账号"]
    security = BEARER

    @post("/", operation_id="create_user", summary="新建用户（管理员）")
    async def create_user(
        self,
        data: JSONBody[UserCreate],
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
    ) -> User:
        return await accounts.create_user(conn, data, principal=principal)

    @get("/", operation_id="list_users", summary="用户列表（管理员）")
    async def list_users(
        self,
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
        role: Annotated[Role | None, QueryParameter(description="角色")] = None,
        org: Annotated[int | None, QueryParameter(ge=1, le=2**62, description="机构 id")] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> UserPage:
        return await accounts.list_users(
            conn, principal=principal, role=role, org_id=org, limit=limit, offset=offset
        )

    @get("/{user_id:int}", operation_id="get_user", summary="读取用户（管理员或本人）")
    async def get_user(
        self,
        user_id: FromPath[int],
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
    ) -> Response[User]:
        user = await accounts.get_user(conn, _user_id(user_id), principal=principal)
        return Response(user, headers={"ETag": etag(user.version)})

    @patch(
        "/{user_id:int}",
        operation_id="update_user",
        summary="修改用户（管理员；本人只能改显示名和密码）",
    )
    async def patch_user(
        self,
        user_id: FromPath[int],
        data: JSONBody[UserPatch],
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
        if_match: IfMatch = None,
    ) -> Response[User]:
        expected = parse_if_match(if_match)
        user = await accounts.patch_user(
            conn, _user_id(user_id), data, expected, principal=principal
        )
        return Response(user, headers={"ETag": etag(user.version)})


CONTROLLERS = [AuthController, UsersController]
