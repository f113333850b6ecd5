"""HTTP wiring of accounts into the app: the ``principal``/``maybe_principal`` dependencies, the account
routes, rate limits, security headers, CORS (off unless configured) and the OpenAPI bearer
scheme. :func:`on_app_init` does all of it, so the app factory needs one line.

Rate limits are token buckets in PostgreSQL (:class:`service.auth.limits.RateLimiter`), so
every server process on the database spends from the same buckets. Writes (POST/PUT/PATCH/DELETE) are limited per user
(the token is parsed as authentication parses it, so re-spelling the header does not help, and
every token of a user shares one bucket), per bare API token, or per client address when the
request has no known token; ``POST /api/auth/login``, registrations and password-reset requests per client address. The address is the
TCP peer: behind a reverse proxy it must pass the real one (uvicorn ``--proxy-headers``).
"""

from __future__ import annotations

import math
import os

import asyncpg
import msgspec
from litestar.config.app import AppConfig
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.auth import provide_maybe_principal, provide_principal
from service.auth.cookies import cookie_token
from service.auth.limits import RateLimiter
from service.web import docs

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_PATH = "/api/auth/login"
ADDRESS_LIMITED = {
    "/api/registrations": "注册过于频繁",
    "/api/auth/password-reset": "重设密码申请过于频繁",
}


def _header(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return v
    return None


def _client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


async def _send_429(scope: Scope, send: Send, retry_after: float, detail: str) -> None:
    seconds = max(1, math.ceil(retry_after))
    body = msgspec.json.encode(
        {
            "type": "/problems/too-many-requests",
            "title": "请求过于频繁",
            "status": 429,
            "detail": f"{detail}，请在 {seconds} 秒后重试",
            "instance": scope.get("path", ""),
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(seconds).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def request_token(scope: Scope) -> str | None:
    """The token a request carries, parsed as the principal dependency parses it (any case of
    "Bearer", any spaces), or the web UI's session cookie; ``None`` when there is none or it is
    malformed (then the request is keyed by address, and refused later anyway)."""
    auth = _header(scope, b"authorization")
    if auth is not None:
        scheme, _, token = auth.decode("latin-1").strip().partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token and len(token) <= 200:
            return token
        return None
    return cookie_token(scope)


def rate_limit(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in WRITE_METHODS:
            state = scope["app"].state
            limiter: RateLimiter | None = state.get("rate_limiter")
            pool = state.get("pool")
            if limiter is not None and pool is not None:
                path = scope.get("path")
                address = _client_address(scope)
                if path == LOGIN_PATH:
                    kind, token, detail = "login", None, "登录尝试过于频繁"
                elif path in ADDRESS_LIMITED:
                    # Registration and reset mails: per client address and path, like logins.
                    kind, token, detail = "login", None, ADDRESS_LIMITED[path]
                    address = f"{path}:{address}"
                else:
                    kind, token, detail = "write", request_token(scope), "写操作过于频繁"
                try:
                    async with pool.acquire(timeout=5) as conn:
                        wait = await limiter.take(conn, kind, token=token, address=address)
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    # The database is away: the handler answers 503 for it; nothing to count.
                    wait = 0.0
                if wait > 0:
                    await _send_429(scope, send, wait, detail)
                    return
        await app(scope, receive, send)

    return middleware


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# The API returns only JSON: nothing in it may run or be framed. The Swagger UI under /schema
# runs only the package's own scripts (service/web/docs.py).
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
DOCS_CSP = (b"content-security-policy", docs.DOCS_CSP.encode())


def security_headers(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        is_docs = scope.get("path", "").startswith("/schema")
        has_auth = _header(scope, b"authorization") is not None or cookie_token(scope) is not None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [h for h in SECURITY_HEADERS if h[0] not in present]
                if API_CSP[0] not in present:
                    extra.append(DOCS_CSP if is_docs else API_CSP)
                if has_auth and b"cache-control" not in present:
                    # Answers to authenticated requests may hold drafts and contact details.
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + extra}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def cors_from_env() -> CORSConfig | None:
    """CORS stays off unless ``DUIJIE_CORS_ORIGINS`` lists the allowed origins (comma-separated)."""
    raw = os.environ.get("DUIJIE_CORS_ORIGINS", "").strip()
    if not raw:
        return None
    origins = [o.strip() for o in raw.split(",") if o.strip()]
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "If-Match"],
        expose_headers=["ETag", "Retry-After"],
        allow_credentials=False,
    )


def on_app_init(config: AppConfig) -> AppConfig:
    from service.api.accounts import CONTROLLERS

    config.dependencies.setdefault("principal", Provide(provide_principal))
    config.dependencies.setdefault("maybe_principal", Provide(provide_maybe_principal))
    config.route_handlers = [*config.route_handlers, *CONTROLLERS]
    # Outermost first: every response (404s, 413s, 429s included) gets the security headers.
    config.middleware = [security_headers, rate_limit, *config.middleware]
    if config.cors_config is None:
        config.cors_config = cors_from_env()
    if "rate_limiter" not in config.state:
        config.state["rate_limiter"] = RateLimiter()
    if config.openapi_config is not None:
        oc = config.openapi_config
        scheme = SecurityScheme(
            type="http",
            scheme="bearer",
            description="登录（POST /api/auth/login）或 duijie token create 得到的令牌",
        )
        components = oc.components if isinstance(oc.components, list) else [oc.components]
        oc.components = [*components, Components(security_schemes={"BearerToken": scheme})]
        oc.tags = [*(oc.tags or []), Tag(name="账号")]
    return config
