"""The Litestar application factory.

The asyncpg pool lives in the lifespan; handlers receive one connection per request from the
``conn`` yield dependency, which returns it to the pool whatever the handler did.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Tag
from litestar.types import ASGIApp, Receive, Scope, Send

from service import __version__
from service.api import body
from service.api import wiring as auth_web
from service.api.body import StrictBody
from service.api.challenges import CONTROLLERS as CHALLENGE_CONTROLLERS
from service.api.documents import ROUTER as DOCUMENTS_ROUTER
from service.api.nulls import reject_null_filters
from service.api.recommend import ROUTER as RECOMMEND_ROUTER
from service.api.resources import CONTROLLERS
from service.api.rounds import CONTROLLERS as ROUND_CONTROLLERS
from service.api.social import CONTROLLERS as SOCIAL_CONTROLLERS
from service.api.social import TAGS as SOCIAL_TAGS
from service.db import migrate
from service.errors import EXCEPTION_HANDLERS, Unavailable
from service.notifications import mailer
from service.recommend.service import Recommender
from service.web import WEB_ROUTES
from service.web.docs import LocalSwaggerPlugin

log = logging.getLogger("duijie")

MAX_BODY_BYTES = 1_048_576


async def init_connection(conn: asyncpg.Connection) -> None:
    # Binary codecs (jsonb's binary form is a version byte, then the text) so COPY, which only
    # speaks binary, can write jsonb columns too; msgspec does the JSON both ways.
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda v: b"\x01" + msgspec.json.encode(v),
        decoder=lambda b: msgspec.json.decode(b[1:]),
        schema="pg_catalog",
        format="binary",
    )
    await conn.set_type_codec(
        "json",
        encoder=msgspec.json.encode,
        decoder=msgspec.json.decode,
        schema="pg_catalog",
        format="binary",
    )


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=init_connection, command_timeout=60
    )


_LEASE = "duijie.connection"


async def provide_connection(
    state: State, scope: Scope
) -> AsyncGenerator[asyncpg.Connection, None]:
    try:
        conn = await state.pool.acquire(timeout=10)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise Unavailable("数据库暂时不可用，请稍后重试") from exc
    scope[_LEASE] = (state.pool, conn)  # type: ignore[literal-required]
    try:
        yield conn
    finally:
        # Whoever takes the lease releases it: when a later dependency failed, the middleware
        # below has already given the connection back, and this generator only runs (if at all)
        # when garbage-collected; releasing twice would reset a connection someone else holds.
        if scope.pop(_LEASE, None) is not None:  # type: ignore[misc]
            await state.pool.release(conn)


def return_leased_connections(app: ASGIApp) -> ASGIApp:
    """Give back a connection whose yield dependency never got to clean up.

    Litestar resolves a handler's dependencies in batches; when a later one fails validation (a
    bad query parameter of a list filter), the connection handed out by an earlier one is never
    released. This catches that, so a stream of bad requests cannot drain the pool.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        finally:
            lease = scope.pop(_LEASE, None)  # type: ignore[misc]
            if lease is not None:
                pool, conn = lease
                await pool.release(conn)

    return middleware


class DatabaseHealth(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    kind: str
    server_version: str | None = None
    migrations: int | None = None


class Health(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    version: str
    database: DatabaseHealth


@get("/health", tags=["运维"], summary="健康检查（含数据库）")
async def health(state: State) -> Response[Health]:
    kind = state.db_kind
    try:
        async with state.pool.acquire(timeout=3) as conn:
            server_version, migrations = await migrate.health(conn)
        db = DatabaseHealth(
            status="ok", kind=kind, server_version=server_version, migrations=migrations
        )
        return Response(Health(status="ok", version=__version__, database=db))
    except Exception as exc:  # any failure here means "not healthy", never a 500
        log.warning("health check failed: %r", exc)
        db = DatabaseHealth(status="unavailable", kind=kind)
        return Response(
            Health(status="unavailable", version=__version__, database=db),
            status_code=503,
            headers={"Retry-After": "5"},
        )


def document_problems(route_handlers: list) -> None:
    """Declare the RFC 9457 problem responses on every API operation in the OpenAPI document,
    so clients (and schemathesis' response checks) know the shape of every 4xx/503 body."""
    from litestar import Controller, Router
    from litestar.handlers import HTTPRouteHandler
    from litestar.openapi.datastructures import ResponseSpec

    from service.errors import PROBLEM_JSON, PROBLEM_STATUSES, Problem

    specs = {
        code: ResponseSpec(
            data_container=Problem,
            description=text,
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for code, text in PROBLEM_STATUSES.items()
    }

    def visit(item: Any) -> None:
        if isinstance(item, HTTPRouteHandler):
            item.responses = {**specs, **(item.responses or {})}
        elif isinstance(item, Router):
            for route in item.routes:
                for h in getattr(route, "route_handlers", ()):
                    visit(h)
        elif isinstance(item, type) and issubclass(item, Controller):
            for name in dir(item):
                attr = getattr(item, name, None)
                if isinstance(attr, HTTPRouteHandler):
                    visit(attr)

    for h in route_handlers:
        visit(h)


def create_app(
    dsn: str, *, db_kind: str = "external", pool_max_size: int = 10, run_worker: bool = False
) -> Litestar:
    """Build the application for the database at ``dsn`` (already migrated).

    With ``run_worker`` the app also runs one background worker for matching runs in its own
    event loop (``duijie serve`` does this by default; ``duijie worker`` runs more elsewhere).
    """
    # The shipped discipline model is read now: a missing or corrupt file stops the start with
    # a DisciplineModelError naming it, rather than failing the first match.
    from matching.disciplines import default_model

    default_model()

    @asynccontextmanager
    async def db_pool(app: Litestar) -> AsyncIterator[None]:
        pool = await create_pool(dsn, max_size=pool_max_size)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    @asynccontextmanager
    async def background_worker(app: Litestar) -> AsyncIterator[None]:
        if not run_worker:
            yield
            return
        import asyncio

        from service.rounds.worker import Worker

        worker = Worker(app.state.pool)
        task = asyncio.create_task(worker.run_forever())
        try:
            yield
        finally:
            worker.stop()
            try:
                await asyncio.wait_for(task, timeout=10)
            except TimeoutError:
                task.cancel()

    from service import public
    from service.api.accounts import CONTROLLERS as ACCOUNT_CONTROLLERS
    from service.api.reference import ReferenceController
    from service.api.security import CONTROLLERS as SECURITY_CONTROLLERS
    from service.web.document_imports import import_documents
    from service.web.imports import ImportController
    from service.web.public import PUBLIC_ROUTER

    api_handlers = [
        *CONTROLLERS,
        *ROUND_CONTROLLERS,
        *CHALLENGE_CONTROLLERS,
        RECOMMEND_ROUTER,
        *SOCIAL_CONTROLLERS,
        ReferenceController,
        *SECURITY_CONTROLLERS,
        DOCUMENTS_ROUTER,
        import_documents,
    ]
    # The account controllers are added by the auth plugin, the import controller with the web
    # routes; their operations answer with the same problems.
    document_problems([*api_handlers, *ACCOUNT_CONTROLLERS, ImportController])
    app = Litestar(
        route_handlers=[health, *api_handlers, *WEB_ROUTES, PUBLIC_ROUTER],
        # Public pages (halls, catalogue) are rendered on the server: service/public/templates.
        template_config=public.template_config(),
        lifespan=[db_pool, background_worker, mailer.lifespan(run_worker)],
        dependencies={"conn": Provide(provide_connection)},
        middleware=[return_leased_connections, reject_null_filters],
        # Accounts: principal dependencies, /api/auth and /api/users, rate limits, security
        # headers, CORS (off by default), OpenAPI bearer scheme.
        on_app_init=[auth_web.on_app_init],
        exception_handlers=EXCEPTION_HANDLERS,
        # Every JSON body is decoded once, strictly (service/api/body.py); responses need no DTO.
        dto=StrictBody,
        return_dto=None,
        request_max_body_size=MAX_BODY_BYTES,
        state=State({"db_kind": db_kind, "recommender": Recommender()}),
        openapi_config=OpenAPIConfig(
            title="Duijie 对接 API",
            version=__version__,
            description="中小企业与高校、科研院所的人才和研发供需对接服务。",
            path="/schema",
            # Swagger UI from the package, not a CDN (service/web/docs.py).
            render_plugins=[LocalSwaggerPlugin(path="/"), JsonRenderPlugin()],
            tags=[
                Tag(name=n)
                for n in ("机构", "研发需求", "招聘岗位", "科研能力", "人才库", "对接活动", "运维")
            ]
            + [Tag(name=n) for n in SOCIAL_TAGS],
        ),
        # The CLI configures logging once (one format for Duijie, uvicorn and Litestar);
        # Litestar's default config would replace the root handlers mid-start.
        logging_config=None,
        debug=False,
    )
    body.install(app)  # a body that fails to decode is refused after the auth checks
    return app
