"""Who is asking: principals, bearer tokens and the two authorization helpers.

Every request carries at most one bearer token (``Authorization: Bearer dj_…``), or the web UI's
session cookie (:mod:`service.auth.cookies`, with CSRF protection on writes). The app-wide
dependencies resolve it:

* ``principal`` — the :class:`Principal`, or a 401 problem when the token is missing or invalid;
* ``maybe_principal`` — the same, or ``None`` for an anonymous request. A token that is present
  but invalid is still a 401: a client whose token expired must learn it, not silently see the
  anonymous view.

Authorization itself happens in the service layer with :func:`require_role` and
:func:`require_org`, which raise :class:`~service.errors.Forbidden` (403) naming what is needed.
"""

from __future__ import annotations

from typing import Literal

import asyncpg
import msgspec
from litestar import Request
from litestar.di import NamedDependency

from service.errors import Forbidden, Unauthorized

Role = Literal["enterprise", "university", "coordinator", "admin"]
ROLES: tuple[Role, ...] = ("enterprise", "university", "coordinator", "admin")
STAFF: tuple[Role, ...] = ("coordinator", "admin")

ROLE_NAMES = {
    "enterprise": "企业用户（enterprise）",
    "university": "高校/科研院所用户（university）",
    "coordinator": "对接专员（coordinator）",
    "admin": "管理员（admin）",
}


class Principal(msgspec.Struct, frozen=True):
    """The authenticated caller.

    ``user_id`` is ``None`` for a bare API token made with ``duijie token create`` (an
    integration, not a person) and for :data:`SYSTEM`; ``token_id`` is ``None`` only for
    :data:`SYSTEM`.
    """

    user_id: int | None
    role: Role
    org_id: int | None
    token_id: int | None


# In-process actors (the demo loader, CLI commands) act as this; it is never the result of a
# token lookup, and the audit log shows it as role admin with neither user nor token.
SYSTEM = Principal(user_id=None, role="admin", org_id=None, token_id=None)


def require_role(principal: Principal, *roles: str) -> Principal:
    """Raise 403 unless the principal has one of ``roles``; return it for chaining.

    >>> p = Principal(user_id=1, role="enterprise", org_id=7, token_id=3)
    >>> require_role(p, "enterprise", "admin").org_id
    7
    """
    if principal.role not in roles:
        needed = "、".join(ROLE_NAMES.get(r, r) for r in roles)
        raise Forbidden(
            f"此操作需要以下角色之一：{needed}；当前角色为{ROLE_NAMES[principal.role]}"
            f" (requires role: {', '.join(roles)})"
        )
    return principal


def require_org(
    principal: Principal, org_id: int | None, *, allow: tuple[str, ...] = STAFF
) -> Principal:
    """Raise 403 unless the principal acts for organization ``org_id``.

    Roles in ``allow`` (by default coordinators and admins) may act for any organization; pass
    ``allow=("admin",)`` where coordinators must not (e.g. editing an enterprise's needs).

    >>> p = Principal(user_id=1, role="university", org_id=7, token_id=3)
    >>> require_org(p, 7).role
    'university'
    """
    if principal.role in allow:
        return principal
    if org_id is None or principal.org_id != org_id:
        mine = f"机构 {principal.org_id}" if principal.org_id else "任何机构"
        raise Forbidden(
            f"只能操作本机构的数据：该数据属于机构 {org_id}，当前用户属于{mine}"
            f" (organization {org_id} is not yours)"
        )
    return principal


def bearer_token(request: Request) -> str | None:
    """The raw token of the ``Authorization`` header, ``None`` when there is none."""
    header = request.headers.get("authorization")
    if header is None or not header.strip():
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise Unauthorized("Authorization 头格式应为 “Bearer <令牌>”")
    return token


async def provide_maybe_principal(
    request: Request, conn: NamedDependency[asyncpg.Connection]
) -> Principal | None:
    from service.auth.tokens import lookup

    token = bearer_token(request)
    if token is None:
        # The web UI's HttpOnly session cookie; its writes must echo the CSRF value.
        from service.auth.cookies import cookie_token, csrf_ok

        token = cookie_token(request.scope)
        if token is None:
            return None
        if not csrf_ok(request.scope, token):
            raise Forbidden("缺少或错误的 CSRF 令牌（X-CSRF-Token），请刷新页面后重试")
    principal = await lookup(conn, token)
    if principal is None:
        raise Unauthorized("令牌无效、已过期或已被吊销，请重新登录")
    return principal


async def provide_principal(
    request: Request, conn: NamedDependency[asyncpg.Connection]
) -> Principal:
    principal = await provide_maybe_principal(request, conn)
    if principal is None:
        raise Unauthorized("需要登录：请在 Authorization 头中提供 “Bearer <令牌>”")
    return principal


__all__ = [
    "ROLES",
    "ROLE_NAMES",
    "STAFF",
    "SYSTEM",
    "Principal",
    "Role",
    "bearer_token",
    "provide_maybe_principal",
    "provide_principal",
    "require_org",
    "require_role",
]
