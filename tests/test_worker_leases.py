"""Leases (#15.12): a run's lease expiry is stored in its row by the worker holding it, so a
worker started with a shorter ``--lease`` does not take over a healthy run of a worker with a
longer one, and still takes over one whose lease really expired."""

import asyncio

from service.app import create_pool
from service.rounds import repository as repo
from service.rounds.worker import Worker
from tests.rounds_helpers import open_challenge_world


async def queued_run(client, conn) -> int:
    # Rounds and runs have no foreign key to organizations, so the per-test clean-up keeps them:
    # end other tests' unfinished runs, or a worker here would claim those first.
    await conn.execute(
        "UPDATE runs SET state = 'cancelled', finished_at = now()"
        " WHERE state IN ('queued', 'running')"
    )
    await open_challenge_world(client)
    r = await client.post(
        "/api/rounds",
        json={"kind": "open_challenge", "title": "租约测试", "scope": {"everyone": True}},
    )
    rid = r.json()["id"]
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    r = await client.post(f"/api/rounds/{rid}/runs")
    assert r.status_code == 202, r.text
    return r.json()["id"]


async def test_a_shorter_lease_does_not_take_over_a_healthy_run(client, conn, empty_db):
    run_id = await queued_run(client, conn)
    pool = await create_pool(empty_db, max_size=3)
    try:
        patient = Worker(pool, worker_id="patient", lease_seconds=30)
        hasty = Worker(pool, worker_id="hasty", lease_seconds=0.3)
        async with pool.acquire() as c:
            claimed = await repo.claim_run(c, patient.worker_id, patient.lease)
        assert claimed["id"] == run_id
        # The patient worker renews every lease/3 = 10 s; well within that, the hasty one (whose
        # own lease is long over) looks for work and must leave the run alone.
        await asyncio.sleep(1.0)
        assert await hasty.run_once() is False
        row = await conn.fetchrow("SELECT worker_id, attempts FROM runs WHERE id = $1", run_id)
        assert (row["worker_id"], row["attempts"]) == ("patient", 1)

        # A heartbeat renews the patient worker's own lease, not the hasty one's.
        async with pool.acquire() as c:
            beat = await repo.heartbeat(c, run_id, "patient", "scoring", 10, lease_seconds=30)
        assert beat is not None
        left = await conn.fetchval(
            "SELECT extract(epoch FROM lease_expires_at - now()) FROM runs WHERE id = $1", run_id
        )
        assert 25 < left <= 30

        # Once the holder's lease has expired (it stopped renewing), the run is taken over.
        await conn.execute(
            "UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = $1", run_id
        )
        async with pool.acquire() as c:
            again = await repo.claim_run(c, hasty.worker_id, hasty.lease)
        assert again["id"] == run_id and again["attempts"] == 2
        async with pool.acquire() as c:  # the patient worker learns it lost the run
            assert await repo.heartbeat(c, run_id, "patient", None, None, lease_seconds=30) is None
    finally:
        await pool.close()


async def test_workers_with_different_leases_finish_a_run_once(client, conn, empty_db):
    """Two real worker loops on one queue: one with a 30 s lease, one with 0.2 s."""
    run_id = await queued_run(client, conn)
    pool = await create_pool(empty_db, max_size=6)
    patient = Worker(pool, worker_id="patient", lease_seconds=30, poll_seconds=0.05)
    hasty = Worker(pool, worker_id="hasty", lease_seconds=0.2, poll_seconds=0.05)
    try:
        async with pool.acquire() as c:  # the patient one gets it first
            claimed = await repo.claim_run(c, patient.worker_id, patient.lease)
        assert claimed["id"] == run_id and claimed["worker_id"] == "patient", dict(claimed)
        loop = asyncio.create_task(hasty.run_forever())
        await asyncio.sleep(1.5)  # many polls of the hasty worker, no heartbeat of the patient
        await patient.process(claimed)
        hasty.stop()
        await asyncio.wait_for(loop, timeout=20)
    finally:
        await pool.close()
    row = await conn.fetchrow("SELECT state, worker_id, attempts FROM runs WHERE id = $1", run_id)
    assert (row["state"], row["worker_id"], row["attempts"]) == ("succeeded", "patient", 1)
