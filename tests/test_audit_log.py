"""The audit log (issue #15, item 6): every round write is recorded, staff read it through
``GET /api/audit`` with filters and paging, and the log is a hash chain that concurrent writers
cannot fork and ``duijie audit verify`` checks."""

import asyncio
import os
import sys

import asyncpg
import pytest

from tests.factories import enterprise
from tests.rounds_helpers import fair_world, open_challenge_world, run_to_completion


async def _log(conn, resource: str) -> list[tuple[str, int | None]]:
    rows = await conn.fetch(
        "SELECT action, resource_id FROM audit_log WHERE resource = $1 ORDER BY chain_seq", resource
    )
    return [(r["action"], r["resource_id"]) for r in rows]


async def test_round_writes_are_audited(client, conn, empty_db):
    w = await open_challenge_world(client)
    r = await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "审计测试", "scope": {"cities": ["太原"]}})  # fmt: skip
    rid = r.json()["id"]
    assert (
        await client.patch(f"/api/rounds/{rid}", json={"title": "审计测试（改）"})
    ).status_code == 200
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    # 吕梁's coal-tar challenge registers; the institute applies to it
    r = await client.post(
        f"/api/rounds/{rid}/entries", json={"side": "demand", "item_id": w["tar"]}
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/rounds/{rid}/applications", json={
        "need_id": w["tar"], "capability_id": w["catalyst_team"]})  # fmt: skip
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    r = await client.post(f"/api/rounds/{rid}/constraints", json={
        "demand_id": w["fiber"], "supply_id": w["water_team"], "kind": "forbid"})  # fmt: skip
    assert r.status_code in (200, 201), r.text
    gone = await client.delete(f"/api/rounds/{rid}/constraints/{w['fiber']}/{w['water_team']}")
    assert gone.status_code in (200, 204), gone.text
    # a run cancelled while queued, then one that finishes
    r = await client.post(f"/api/rounds/{rid}/runs")
    cancelled = r.json()["id"]
    assert (await client.post(f"/api/runs/{cancelled}/cancel")).status_code == 200
    run = await run_to_completion(client, empty_db, rid)
    assert (await client.post(f"/api/rounds/{rid}/publish")).status_code in (200, 201)
    pairing = (await client.get(f"/api/rounds/{rid}/pairings")).json()[0]
    for side in ("demand", "supply"):
        r = await client.post(f"/api/pairings/{pairing['id']}/respond",
                              json={"side": side, "response": "accepted"})  # fmt: skip
        assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/pairings/{pairing['id']}/outcome", json={"outcome": "meeting_held"}
    )
    assert r.status_code == 200, r.text

    assert await _log(conn, "rounds") == [
        ("create", rid), ("update", rid), ("transition", rid), ("publish", rid)]  # fmt: skip
    assert await _log(conn, "round_entries") == [("create", rid)]
    assert await _log(conn, "applications") == [("create", app_id)]
    assert await _log(conn, "round_constraints") == [("create", rid), ("delete", rid)]
    assert await _log(conn, "runs") == [
        ("create", cancelled), ("cancel", cancelled), ("create", run["id"])]  # fmt: skip
    assert await _log(conn, "pairings") == [
        ("respond", pairing["id"]), ("respond", pairing["id"]), ("outcome", pairing["id"])]  # fmt: skip
    # who, before and after are kept
    row = await conn.fetchrow(
        "SELECT before->>'state' AS b, after->>'state' AS a, role FROM audit_log"
        " WHERE resource = 'rounds' AND action = 'transition'"
    )
    assert (row["b"], row["a"], row["role"]) == ("draft", "open", "admin")
    # withdrawing the entry is recorded too
    r = await client.delete(f"/api/rounds/{rid}/entries/demand/{w['tar']}")
    assert r.status_code in (409, 200, 204)  # published rounds refuse; nothing then to log
    if r.status_code != 409:
        assert ("delete", rid) in await _log(conn, "round_entries")


async def test_fair_availability_schedule_and_imports_are_audited(client, conn, empty_db, as_role):
    w = await fair_world(client)
    r = await client.post("/api/rounds", json={
        "kind": "recruitment_fair", "title": "招聘会审计", "scope": {"everyone": True},
        "slots": ["09:00", "09:30"], "tables": 2})  # fmt: skip
    rid = r.json()["id"]
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    r = await client.put(
        f"/api/rounds/{rid}/availability", json={"org_id": w["ent_a"], "unavailable_slots": [1]}
    )
    assert r.status_code == 200, r.text
    await run_to_completion(client, empty_db, rid)
    await client.post(f"/api/rounds/{rid}/publish")
    assert (await client.post(f"/api/rounds/{rid}/schedule")).status_code == 200
    assert await _log(conn, "fair_availability") == [("update", rid)]
    assert await _log(conn, "meetings") == [("create", rid)]

    ent = await as_role("enterprise", w["ent_a"])
    csv_body = "标题,描述,关键词,学科代码,状态\n焦化废水处理,说明,焦化废水,B07,草稿\n".encode()
    r = await ent.post("/api/imports/needs", files={"file": ("n.csv", csv_body, "text/csv")})
    assert r.status_code == 201, r.text
    (action, rid_none), *_ = [x for x in await _log(conn, "rd_needs") if x[0] == "import"]
    assert (action, rid_none) == ("import", None)


async def test_audit_api_filters_pages_and_is_staff_only(client, as_role):
    from tests.rounds_helpers import make_org

    ids = [await make_org(client, **enterprise()) for _ in range(3)]
    await client.patch(f"/api/organizations/{ids[0]}", json={"description": "改"})
    page = (await client.get("/api/audit", params={"resource": "organizations", "limit": 2})).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    assert page["items"][0]["action"] == "update"  # newest first
    rest = (
        await client.get(
            "/api/audit", params={"resource": "organizations", "limit": 2, "offset": 2}
        )
    ).json()
    assert [i["resource_id"] for i in rest["items"]] == [ids[1], ids[0]]
    only = (
        await client.get("/api/audit", params={"resource": "organizations", "resource_id": ids[0]})
    ).json()
    assert [i["action"] for i in only["items"]] == ["update", "create"]
    assert only["items"][0]["before"]["description"] != only["items"][0]["after"]["description"]
    everything = (await client.get("/api/audit", params={"limit": 100})).json()["items"]
    assert all(
        a["prev_hash"] == b["hash"] for a, b in zip(everything, everything[1:], strict=False)
    )
    upd = (await client.get("/api/audit", params={"action": "update"})).json()
    assert upd["total"] == 1
    future = (await client.get("/api/audit", params={"since": "2100-01-01T00:00:00Z"})).json()
    assert future["total"] == 0
    me = (await client.get("/api/auth/me")).json()
    mine = (await client.get("/api/audit", params={"user": me["user_id"]})).json()
    assert mine["total"] == 4
    coordinator = await as_role("coordinator")
    assert (await coordinator.get("/api/audit")).status_code == 200
    ent = await as_role("enterprise", ids[0])
    assert (await ent.get("/api/audit")).status_code == 403
    assert (await client.post("/api/audit", json={})).status_code == 405  # read-only
    assert (await client.get("/api/audit", params={"action": "hack"})).status_code == 422


async def test_audit_rows_cannot_be_changed_or_removed(client, conn):
    await client.post("/api/organizations", json=enterprise())
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await conn.execute("UPDATE audit_log SET role = 'enterprise'")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await conn.execute("DELETE FROM audit_log")


async def _verify_cli(dsn: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "audit", "verify",
        env={**os.environ, "DATABASE_URL": dsn},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode()


async def test_concurrent_writers_keep_one_chain_and_verify_finds_tampering(client, conn, empty_db):
    from service.auth import SYSTEM, audit

    # 8 connections write 10 audited rows each at the same time, in transactions that hold
    # their row a while: the chain must come out linear.
    conns = [await asyncpg.connect(empty_db) for _ in range(8)]
    try:

        async def writer(c, n):
            for i in range(10):
                async with c.transaction():
                    await audit.record(c, SYSTEM, "create", "test", n * 100 + i, None, {"i": i})
                    await asyncio.sleep(0.001)

        await asyncio.gather(*(writer(c, n) for n, c in enumerate(conns)))
    finally:
        for c in conns:
            await c.close()
    rows = await conn.fetch("SELECT chain_seq, prev_hash, hash FROM audit_log ORDER BY chain_seq")
    assert [r["chain_seq"] for r in rows] == list(range(1, 81))
    assert all(rows[i]["prev_hash"] == rows[i - 1]["hash"] for i in range(1, 80))
    assert len({r["prev_hash"] for r in rows}) == 80  # nobody chained twice onto one row
    checked, broken = await audit.verify(conn)
    assert (checked, broken) == (80, None)
    code, out = await _verify_cli(empty_db)
    assert code == 0 and "80" in out, out

    # Someone with superuser rights edits row 40 behind the triggers' back.
    victim = await conn.fetchval("SELECT id FROM audit_log WHERE chain_seq = 40")
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("UPDATE audit_log SET after = '{\"i\": 99}' WHERE id = $1", victim)
    code, out = await _verify_cli(empty_db)
    assert code == 1 and f"id={victim}" in out, out

    # A deleted row (its successor still names it) is found as well.
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("DELETE FROM audit_log WHERE chain_seq >= 40 AND chain_seq <= 41")
    _, broken = await audit.verify(conn)
    assert broken is not None and broken.chain_seq == 42


async def test_chain_survives_rollbacks(client, conn):
    """A write refused half-way (rolled back) leaves no gap in the chain."""
    await client.post("/api/organizations", json=enterprise())
    bad = enterprise()
    bad["credit_code"] = "91140100MA0XXXXXX0"
    assert (await client.post("/api/organizations", json=bad)).status_code == 422
    await client.post("/api/organizations", json=enterprise())
    from service.auth import audit

    assert await audit.verify(conn) == (2, None)
