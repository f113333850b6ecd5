"""Runs are reproducible: a stored input snapshot, executed again, gives exactly the stored
results; and the snapshot holds what the round looked like when the run started."""

import asyncpg

from service.rounds import pipeline
from tests.rounds_helpers import open_challenge_world, run_to_completion


async def test_stored_snapshot_reproduces_stored_results(client, empty_db):
    w = await open_challenge_world(client)
    rid = (await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "复现测试", "scope": {"everyone": True}})).json()["id"]  # fmt: skip
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    await client.post(f"/api/rounds/{rid}/applications", json={
        "need_id": w["tar"], "capability_id": w["catalyst_team"]})  # fmt: skip
    await client.post(f"/api/rounds/{rid}/constraints", json={
        "demand_id": w["wastewater"], "supply_id": w["water_team"], "kind": "forbid"})  # fmt: skip
    run = await run_to_completion(client, empty_db, rid)

    conn = await asyncpg.connect(empty_db)
    try:
        from service.app import init_connection

        await init_connection(conn)
        snapshot = await conn.fetchval("SELECT input_snapshot FROM runs WHERE id = $1", run["id"])
        stored = await conn.fetch(
            "SELECT demand_id, supply_id, rank, score, chosen, applied, forbidden FROM run_candidates "
            "WHERE run_id = $1 ORDER BY demand_id, rank",
            run["id"],
        )
        # Change the world after the run: the stored snapshot must not care.
        await conn.execute(
            "UPDATE capabilities SET title = '改名后的团队' WHERE id = $1", w["catalyst_team"]
        )
    finally:
        await conn.close()

    assert snapshot["params"]["method"] == "optimal"
    assert snapshot["applications"] == [{"need_id": w["tar"], "capability_id": w["catalyst_team"]}]
    assert [w["wastewater"], w["water_team"]] == snapshot["forbids"][0][:2]
    again = pipeline.execute(snapshot)
    replay = sorted(
        (
            c["demand_id"],
            c["rank"],
            c["supply_id"],
            c["score"],
            c["chosen"],
            c["applied"],
            c["forbidden"],
        )
        for c in again["candidates"]
    )
    original = sorted(
        (
            r["demand_id"],
            r["rank"],
            r["supply_id"],
            r["score"],
            r["chosen"],
            r["applied"],
            r["forbidden"],
        )
        for r in stored
    )
    assert replay == original and original
    assert again["summary"] == run["summary"]


async def test_cancelling_a_running_run(client, empty_db):
    from service.app import create_pool
    from service.rounds import repository as repo
    from service.rounds.worker import Worker

    await open_challenge_world(client)
    rid = (await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "取消测试", "scope": {"everyone": True}})).json()["id"]  # fmt: skip
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    run_id = (await client.post(f"/api/rounds/{rid}/runs")).json()["id"]
    pool = await create_pool(empty_db, max_size=4)
    try:
        worker = Worker(pool, worker_id="cancel-test")
        async with pool.acquire() as conn:
            claimed = await repo.claim_run(conn, worker.worker_id, worker.lease)
        assert claimed["id"] == run_id
        r = await client.post(f"/api/runs/{run_id}/cancel")  # the run is 'running' now
        assert r.status_code == 200 and r.json()["cancel_requested"] is True
        await worker.process(claimed)
    finally:
        await pool.close()
    run = (await client.get(f"/api/runs/{run_id}")).json()
    assert run["state"] == "cancelled" and run["error"] == "协调员取消了运行"
    assert (await client.get(f"/api/runs/{run_id}/results")).status_code == 409  # nothing stored
    assert (await client.get(f"/api/rounds/{rid}")).json()["state"] == "open"
