"""The README's first command, as a new user runs it: ``duijie serve --demo`` on the embedded
PostgreSQL (DATABASE_URL unset), then a restart on the same data directory."""

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_server(data_dir: Path, port: int) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DUIJIE_DATA_DIR"] = str(data_dir)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        "serve",
        "--demo",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def wait_healthy(http: httpx.AsyncClient, proc, base: str) -> dict:
    for _ in range(300):
        if proc.returncode is not None:
            out = (await proc.stdout.read()).decode()
            raise AssertionError(f"server exited early:\n{out}")
        try:
            r = await http.get(f"{base}/health")
            if r.status_code == 200:
                return r.json()
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("server did not become healthy in 30 s")


async def stop(proc) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    return out.decode()


async def test_serve_demo_on_embedded_database(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = await start_server(data_dir, port)
    async with httpx.AsyncClient(timeout=5) as http:
        try:
            health = await wait_healthy(http, proc, base)
            assert health["status"] == "ok"
            assert health["database"]["kind"] == "embedded"
            assert health["database"]["server_version"].startswith("18")

            needs = (await http.get(f"{base}/api/needs", params={"limit": 100})).json()
            assert needs["total"] >= 60
            assert any("煤" in n["title"] for n in needs["items"])
            challenges = (
                await http.get(f"{base}/api/needs", params={"is_challenge": "true"})
            ).json()
            assert challenges["total"] >= 10
            counts = {
                path: (await http.get(f"{base}/api/{path}")).json()["total"]
                for path in ("organizations", "jobs", "capabilities", "talent-pools")
            }
            assert counts["organizations"] >= 48 and counts["jobs"] >= 80
            assert counts["capabilities"] >= 100 and counts["talent-pools"] >= 40
            found = (await http.get(f"{base}/api/capabilities", params={"q": "煤焦油"})).json()
            assert found["total"] >= 1
            assert (await http.get(f"{base}/schema/openapi.json")).status_code == 200
        finally:
            out = await stop(proc)
    assert "内嵌 PostgreSQL" in out and str(data_dir) in out  # says which database and where
    assert proc.returncode in (0, -signal.SIGINT, 130), out
    # The embedded server stopped with the last process that used it.
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), out

    # Restart on the same directory: data survived, demo loading did not duplicate anything.
    proc = await start_server(data_dir, port)
    async with httpx.AsyncClient(timeout=5) as http:
        try:
            await wait_healthy(http, proc, base)
            again = (await http.get(f"{base}/api/needs", params={"limit": 1})).json()
            assert again["total"] == needs["total"]
        finally:
            await stop(proc)
