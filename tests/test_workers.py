"""Worker processes sharing the PostgreSQL job queue, and a worker killed mid-run whose run is
finished by another (the real ``duijie worker`` command, not an in-process stand-in)."""

import asyncio
import os
import signal
import sys

import asyncpg
import pytest

from service.demo import load_demo
from tests.rounds_helpers import open_challenge_world

pytestmark = pytest.mark.slow


async def start_worker(dsn: str, *args: str) -> tuple[asyncio.subprocess.Process, str]:
    env = {**os.environ, "DATABASE_URL": dsn}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "worker", "--poll", "0.2", *args,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
    text = line.decode().strip()
    assert text.startswith("工作进程 ") and text.endswith(" 已启动"), text
    return proc, text.removeprefix("工作进程 ").removesuffix(" 已启动")


async def stop_worker(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def wait_runs(conn: asyncpg.Connection, run_ids: list[int], seconds: float = 90) -> list:
    for _ in range(int(seconds * 10)):
        rows = await conn.fetch("SELECT * FROM runs WHERE id = ANY($1) ORDER BY id", run_ids)
        if all(r["state"] in ("succeeded", "failed", "cancelled") for r in rows):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"runs not finished: {[(r['id'], r['state']) for r in rows]}")


async def test_two_workers_share_the_queue(client, conn, empty_db):
    round_ids = []
    for i in range(6):
        await open_challenge_world(client)
        r = await client.post("/api/rounds", json={
            "kind": "open_challenge", "title": f"并发测试 {i}", "scope": {"everyone": True}})  # fmt: skip
        round_ids.append(r.json()["id"])
        await client.post(f"/api/rounds/{round_ids[-1]}/transition", json={"to": "open"})
    workers = [await start_worker(empty_db) for _ in range(2)]
    try:
        run_ids = []
        for rid in round_ids:
            r = await client.post(f"/api/rounds/{rid}/runs")
            assert r.status_code == 202
            run_ids.append(r.json()["id"])
        rows = await wait_runs(conn, run_ids)
    finally:
        for proc, _ in workers:
            await stop_worker(proc)
    assert [r["state"] for r in rows] == ["succeeded"] * 6, [r["error"] for r in rows]
    assert all(r["attempts"] == 1 for r in rows)  # nobody took a run twice
    assert {r["worker_id"] for r in rows} == {wid for _, wid in workers}  # both did work
    counts = await conn.fetch(
        "SELECT run_id, count(*) AS n FROM run_candidates WHERE run_id = ANY($1) GROUP BY run_id",
        run_ids,
    )
    assert len(counts) == 6 and all(c["n"] > 0 for c in counts)
    for rid in round_ids:
        assert (await client.get(f"/api/rounds/{rid}")).json()["state"] == "review"


async def test_killed_worker_run_is_finished_by_another(client, conn, empty_db):
    await load_demo(conn)  # a realistic round: 70+ needs against 120+ capabilities
    r = await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "故障恢复测试", "scope": {"everyone": True}})  # fmt: skip
    rid = r.json()["id"]
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})

    victim, victim_id = await start_worker(empty_db, "--lease", "2")
    run_id = (await client.post(f"/api/rounds/{rid}/runs")).json()["id"]
    try:
        for _ in range(3000):
            row = await conn.fetchrow("SELECT state, worker_id FROM runs WHERE id = $1", run_id)
            if row["state"] == "running":
                break
            await asyncio.sleep(0.01)
        assert row["state"] == "running" and row["worker_id"] == victim_id
        victim.kill()  # SIGKILL: no clean-up, no final state written
        await victim.wait()
    finally:
        await stop_worker(victim)
    # Nothing was finished by the dead worker and nothing half-written is visible.
    assert (await conn.fetchrow("SELECT state FROM runs WHERE id = $1", run_id))[
        "state"
    ] == "running"
    assert (await client.get(f"/api/runs/{run_id}/results")).status_code == 409

    rescuer, rescuer_id = await start_worker(empty_db, "--lease", "2")
    try:
        (row,) = await wait_runs(conn, [run_id], seconds=60)
    finally:
        await stop_worker(rescuer)
    assert row["state"] == "succeeded", row["error"]
    assert row["worker_id"] == rescuer_id and row["attempts"] == 2
    res = (await client.get(f"/api/runs/{run_id}/results")).json()
    assert len(res["demands"]) >= 70 and any(d["chosen"] for d in res["demands"])
    assert (await client.get(f"/api/rounds/{rid}")).json()["state"] == "review"
