"""Property-based tests of the live OpenAPI with schemathesis: every operation, with and without
a token, must never answer 5xx, must answer only with documented status codes, and every
response (problem details included) must match its schema.

The server is a real uvicorn in a thread on a database of its own holding the demo data;
examples per operation are few (``ST_MAX_EXAMPLES``, default 6) so CI stays fast.
"""

import asyncio
import os
import socket
import threading
import time

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = int(os.environ.get("ST_MAX_EXAMPLES", "6"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
async def live(make_database):
    import uvicorn

    from service.app import create_app
    from service.auth.limits import RateLimiter
    from service.db.migrate import migrate
    from service.demo import load_demo
    from tests.conftest import create_principal

    dsn = await make_database()
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        await load_demo(conn)
    finally:
        await conn.close()
    _, token = await create_principal(dsn, "admin")
    app = create_app(dsn, pool_max_size=4)
    app.state.rate_limiter = RateLimiter(write_burst=10**9, login_burst=10**9)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", loop="asyncio")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _openapi() -> dict:
    # The document the live server serves at /schema/openapi.json; building it needs no
    # database, so the test cases can be generated at collection time.
    from service.app import create_app

    return create_app("postgresql://unused@127.0.0.1/unused").openapi_schema.to_schema()


# The coverage phase enumerates boundary values for every parameter whatever max_examples says
# (minutes here); examples and bounded fuzzing keep the run to seconds.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_fails_and_keeps_its_schema(case, live):
    url, admin = live
    checks = [not_a_server_error, response_schema_conformance, status_code_conformance]
    for headers in (None, admin):
        case.call_and_validate(base_url=url, headers=headers, checks=checks)
