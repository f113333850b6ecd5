"""Wiring accounts into the app: the ``principal``/``maybe_principal`` dependencies, the account
routes, rate limits, security headers, CORS (off unless configured) and the OpenAPI bearer
scheme. :func:`on_app_init` does all of it, so the app factory needs one line.

Rate limits are token buckets held in this process (a dict of buckets, bounded in size): with
several worker processes each has its own buckets, so the effective limit multiplies by the
number of workers. Writes (POST/PUT/PATCH/DELETE) are limited per bearer token (per client
address when there is none); ``POST /api/auth/login``, registrations and password-reset requests per client address. The address is the
TCP peer: behind a reverse proxy it must pass the real one (uvicorn ``--proxy-headers``).
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from dataclasses import dataclass, field

import msgspec
from litestar.config.app import AppConfig
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.auth import provide_maybe_principal, provide_principal

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_PATH = "/api/auth/login"
ADDRESS_LIMITED = {
    "/api/registrations": "注册过于频繁",
    "/api/auth/password-reset": "重设密码申请过于频繁",
}


@dataclass
class Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """Token buckets: ``burst`` requests at once, refilled at ``per_minute`` a minute.

    >>> rl = RateLimiter(write_burst=2, write_per_minute=60)
    >>> [rl.take("write", "k", now=0.0) for _ in range(3)]
    [0.0, 0.0, 1.0]
    >>> rl.take("write", "k", now=1.0)
    0.0
    """

    write_burst: int = 60
    write_per_minute: float = 120
    login_burst: int = 10
    login_per_minute: float = 10
    max_keys: int = 100_000
    _buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict, repr=False)

    def take(self, kind: str, key: str, now: float | None = None) -> float:
        """Spend one token; return 0 when allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        burst = self.write_burst if kind == "write" else self.login_burst
        rate = (self.write_per_minute if kind == "write" else self.login_per_minute) / 60.0
        bucket = self._buckets.get((kind, key))
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._evict(now)
            bucket = self._buckets[(kind, key)] = Bucket(float(burst), now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate

    def _evict(self, now: float) -> None:
        # Buckets idle long enough to be full again carry no information; drop those first,
        # then the least recently used half, so memory stays bounded under a key flood.
        idle = [k for k, b in self._buckets.items() if now - b.at > 60]
        for k in idle:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].at)
            for k in oldest[: len(oldest) // 2]:
                del self._buckets[k]


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


def rate_limit(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in WRITE_METHODS:
            limiter: RateLimiter | None = scope["app"].state.get("rate_limiter")
            if limiter is not None:
                path = scope.get("path")
                if path == LOGIN_PATH:
                    wait = limiter.take("login", _client_address(scope))
                    detail = "登录尝试过于频繁"
                elif path in ADDRESS_LIMITED:
                    # Registration and reset mails: per client address, like logins.
                    wait = limiter.take("login", f"{path}:{_client_address(scope)}")
                    detail = ADDRESS_LIMITED[path]
                else:
                    auth = _header(scope, b"authorization")
                    # Keyed by a digest so the raw token is not kept in memory.
                    key = (
                        "t:" + hashlib.sha256(auth).hexdigest()[:32]
                        if auth
                        else "a:" + _client_address(scope)
                    )
                    wait = limiter.take("write", key)
                    detail = "写操作过于频繁"
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
# loads its scripts from a CDN, so it gets no CSP here rather than a broken page.
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


def security_headers(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        is_docs = scope.get("path", "").startswith("/schema")
        has_auth = _header(scope, b"authorization") is not None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [h for h in SECURITY_HEADERS if h[0] not in present]
                if not is_docs and API_CSP[0] not in present:
                    extra.append(API_CSP)
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
