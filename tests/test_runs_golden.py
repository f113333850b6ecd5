"""Stored run results of two fixed rounds are byte-identical to those main stored before the
issue #16 refactor (tests/data/run_golden.json, written by this test on main's commit with
``DUIJIE_WRITE_GOLDEN=1``): the snapshot, the run's items, candidates, unmatched demands and
summary, every column but timestamps.

A deliberate change of the engine's scores (matching/) or of what a snapshot holds changes this
file too: regenerate it then (``DUIJIE_WRITE_GOLDEN=1 pytest tests/test_runs_golden.py``) and
say so in the commit; a refactor must leave it as it is."""

import json
import os
from pathlib import Path

import asyncpg

from tests.rounds_helpers import fair_world, open_challenge_world, run_to_completion

GOLDEN = Path(__file__).parent / "data" / "run_golden.json"


async def _stored(dsn: str, run_id: int) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        # Read jsonb as its text (canonical in PostgreSQL): compare what is stored, byte for byte.
        return {
            "snapshot": await conn.fetchval(
                "SELECT input_snapshot::text FROM runs WHERE id = $1", run_id
            ),
            "summary": await conn.fetchval("SELECT summary::text FROM runs WHERE id = $1", run_id),
            "params": await conn.fetchval("SELECT params::text FROM runs WHERE id = $1", run_id),
            "items": [
                list(map(str, r))
                for r in await conn.fetch(
                    "SELECT side, item_id, title, org_id, org_name, city, industry_code, tags,"
                    " is_challenge FROM run_items WHERE run_id = $1 ORDER BY side, item_id",
                    run_id,
                )
            ],
            "candidates": [
                list(map(str, r))
                for r in await conn.fetch(
                    "SELECT demand_id, supply_id, rank, score, components::text,"
                    " matched_terms::text, applied, chosen, pinned, forbidden, reason"
                    " FROM run_candidates WHERE run_id = $1 ORDER BY demand_id, rank",
                    run_id,
                )
            ],
            "unmatched": [
                list(map(str, r))
                for r in await conn.fetch(
                    "SELECT demand_id, reasons::text FROM run_unmatched WHERE run_id = $1"
                    " ORDER BY demand_id",
                    run_id,
                )
            ],
        }
    finally:
        await conn.close()


async def test_stored_run_results_are_unchanged(client, empty_db):
    w = await open_challenge_world(client)
    rid = (await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "基准揭榜", "scope": {"everyone": True},
        "loads": {"demand_min": 0, "demand_max": 2}})).json()["id"]  # fmt: skip
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    await client.post(f"/api/rounds/{rid}/applications", json={
        "need_id": w["tar"], "capability_id": w["catalyst_team"]})  # fmt: skip
    await client.post(f"/api/rounds/{rid}/constraints", json={
        "demand_id": w["wastewater"], "supply_id": w["water_team"], "kind": "forbid"})  # fmt: skip
    await client.post(f"/api/rounds/{rid}/constraints", json={
        "demand_id": w["wastewater"], "supply_id": w["magnesium_team"], "kind": "pin"})  # fmt: skip
    first = await run_to_completion(client, empty_db, rid)

    f = await fair_world(client)
    fid = (await client.post("/api/rounds", json={
        "kind": "recruitment_fair", "title": "基准招聘会", "scope": {"everyone": True},
        "method": "stable", "loads": {"demand_min": 0, "demand_max": 3}})).json()["id"]  # fmt: skip
    await client.post(f"/api/rounds/{fid}/transition", json={"to": "open"})
    second = await run_to_completion(client, empty_db, fid)
    assert f["job_cv"]

    got = {
        "open_challenge": await _stored(empty_db, first["id"]),
        "recruitment_fair": await _stored(empty_db, second["id"]),
    }
    assert got["open_challenge"]["candidates"] and got["recruitment_fair"]["candidates"]
    if os.environ.get("DUIJIE_WRITE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got == expected
