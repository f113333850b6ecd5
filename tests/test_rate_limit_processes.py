"""Two real ``duijie serve`` processes on one database share the write limit (issue #15,
item 3): the buckets live in PostgreSQL, so a second process does not double the limit."""

import asyncio
import os
import signal
import sys
import time

import httpx
import pytest

from tests.conftest import create_principal
from tests.test_quickstart import free_port

pytestmark = pytest.mark.slow


async def start_serve(dsn: str, port: int) -> asyncio.subprocess.Process:
    env = {**os.environ, "DATABASE_URL": dsn}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "serve", "--no-worker", "--port", str(port),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


async def wait_up(http: httpx.AsyncClient, proc, base: str) -> None:
    for _ in range(300):
        if proc.returncode is not None:
            raise AssertionError((await proc.stdout.read()).decode())
        try:
            if (await http.get(f"{base}/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("server did not start")


async def stop(proc) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(proc.communicate(), timeout=30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def test_two_serve_processes_share_the_write_limit(empty_db):
    _, token = await create_principal(empty_db, "admin")
    ports = [free_port(), free_port()]
    procs = [await start_serve(empty_db, p) for p in ports]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            for proc, base in zip(procs, bases, strict=True):
                await wait_up(http, proc, base)
            # 100 writes (invalid bodies: cheap, and still counted), alternating processes,
            # each with its own spelling of the scheme. The default limit is a burst of 60,
            # then 120 a minute: one bucket for both processes lets 60 + 2/s through.
            started = time.monotonic()
            statuses = []
            for i in range(100):
                scheme = ("Bearer", "bearer", "BEARER")[i % 3]
                r = await http.post(
                    f"{bases[i % 2]}/api/organizations",
                    json={},
                    headers={"Authorization": f"{scheme} {token}"},
                )
                statuses.append(r.status_code)
            elapsed = time.monotonic() - started
    finally:
        for proc in procs:
            await stop(proc)
    passed = sum(s != 429 for s in statuses)
    assert set(statuses) <= {422, 429}, set(statuses)
    assert 60 <= passed <= 60 + 2 * elapsed + 1, (passed, elapsed)
    # both processes refused some
    assert 429 in statuses[0::2] and 429 in statuses[1::2]
