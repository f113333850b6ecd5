"""Who is looking at a public page: the web UI's session cookie resolved to a user, so the header
offers 工作台 / 我的对接 / 退出 instead of 登录 / 注册, and a form to log out without JavaScript.

A page that shows who is logged in is personal: it is sent ``Cache-Control: private, no-store``,
and the anonymous pages (``public, max-age=60``) carry ``Vary: Cookie``, so no shared cache hands
one visitor's header to another. A cookie that is unknown, expired or revoked is simply an
anonymous visitor here (a public page does not answer 401).
"""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

import hmac
import logging
from typing import Annotated
from urllib.parse import quote

import asyncpg
import msgspec
from litestar import Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from service.auth import Principal, tokens
from service.auth.accounts import get_user
from service.auth.cookies import cleared_cookies, cookie_token, csrf_for

log = logging.getLogger("duijie.public")

ROLE_SHORT = {
    "enterprise": "企业",
    "university": "高校院所",
    "coordinator": "对接专员",
    "admin": "管理员",
}
ANONYMOUS_CACHE = {"Cache-Control": "public, max-age=60", "Vary": "Cookie"}
PERSONAL_CACHE = {"Cache-Control": "private, no-store", "Vary": "Cookie"}


class Viewer(msgspec.Struct, kw_only=True, frozen=True):
    """The logged-in visitor as the public header shows them."""

    principal: Principal
    name: str
    role_name: str
    csrf: str  # the session's CSRF value, for the logout form (double submit, as the SPA does)


async def _viewer(request: Request) -> Viewer | None:
    token = cookie_token(request.scope)
    pool = request.app.state.get("pool")
    if token is None or pool is None:
        return None
    try:
        async with pool.acquire(timeout=5) as conn:
            principal = await tokens.lookup(conn, token)
            if principal is None or principal.user_id is None:
                return None
            user = await get_user(conn, principal.user_id, principal=principal)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        # The database is away: the page's own handler answers 503 for it.
        log.warning("public header: could not resolve the session", exc_info=True)
        return None
    return Viewer(
        principal=principal,
        name=user.display_name or user.login,
        role_name=ROLE_SHORT.get(principal.role, principal.role),
        csrf=csrf_for(token),
    )


async def resolve_viewer(request: Request) -> None:
    """``before_request`` hook of the public router: ``request.state.viewer`` for the templates,
    and ``request.state.here``, this page's address as a ``next=`` value for the 登录 link (the
    query string is already percent-encoded, so ``%`` stays as it is)."""
    request.state.viewer = await _viewer(request)
    query = request.scope.get("query_string", b"").decode("latin-1")
    request.state.here = quote(request.url.path + (f"?{query}" if query else ""), safe="/%")


def cache_headers(request: Request) -> dict[str, str]:
    """Personal pages are never stored by a shared cache; anonymous ones vary by cookie."""
    return PERSONAL_CACHE if request.state.get("viewer") else ANONYMOUS_CACHE


class LogoutForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    csrf: Annotated[str, msgspec.Meta(max_length=100)] = ""


@post("/logout", status_code=303, include_in_schema=False, dto=None)  # a form, not JSON
async def logout_form(
    request: Request,
    data: Annotated[LogoutForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    """退出 from a public page: when the form carries the session's CSRF value, revokes the
    session and clears its cookies; then back to the home page."""
    token = cookie_token(request.scope)
    viewer = request.state.get("viewer")
    if not (token and viewer and hmac.compare_digest(data.csrf.encode(), csrf_for(token).encode())):
        # Not this session's own form (another site cannot read the value): nothing happens.
        return Redirect("/", status_code=303)
    if viewer.principal.token_id is not None:
        async with request.app.state.pool.acquire(timeout=5) as conn:
            await tokens.revoke(conn, viewer.principal.token_id)
    secure = request.url.scheme == "https"
    return Redirect("/", status_code=303, cookies=cleared_cookies(secure=secure))
