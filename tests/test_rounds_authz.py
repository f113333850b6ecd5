"""Who may do what in rounds: coordinators run them, participants act for their own
organization and see only their own lines, and nothing is visible before it is published."""

import pytest

from tests.rounds_helpers import open_challenge_world, run_to_completion


@pytest.fixture
async def world(client, empty_db):
    """An open-challenge round, opened, with one application and a finished run (not published)."""
    w = await open_challenge_world(client)
    r = await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "权限测试", "scope": {"everyone": True}})  # fmt: skip
    w["round"] = r.json()["id"]
    await client.post(f"/api/rounds/{w['round']}/transition", json={"to": "open"})
    return w


async def test_anonymous_and_participants_cannot_run_rounds(world, anon, as_role):
    rid = world["round"]
    body = {"kind": "open_challenge", "title": "x"}
    assert (await anon.post("/api/rounds", json=body)).status_code == 401
    assert (await anon.get("/api/rounds")).status_code == 200  # calls are public
    assert (await anon.get(f"/api/rounds/{rid}")).status_code == 200
    ent = await as_role("enterprise", world["coal"])
    uni = await as_role("university", world["tyut"])
    for actor in (ent, uni):
        assert (await actor.post("/api/rounds", json=body)).status_code == 403
        assert (await actor.patch(f"/api/rounds/{rid}", json={"title": "y"})).status_code == 403
        assert (await actor.post(f"/api/rounds/{rid}/runs")).status_code == 403
        assert (await actor.post(f"/api/rounds/{rid}/publish")).status_code == 403
        assert (await actor.get(f"/api/rounds/{rid}/stats")).status_code == 403
        assert (await actor.get(f"/api/rounds/{rid}/export/ranked.csv")).status_code == 403
        r = await actor.post(f"/api/rounds/{rid}/constraints", json={
            "demand_id": world["tar"], "supply_id": world["catalyst_team"], "kind": "pin"})  # fmt: skip
        assert r.status_code == 403
        assert "对接专员" in r.json()["detail"]
    coord = await as_role("coordinator")
    assert (await coord.post("/api/rounds", json=body)).status_code == 201
    # An organization reads its own fair availability, not another's.
    url = f"/api/rounds/{rid}/availability"
    assert (await ent.get(url, params={"org": world["coal"]})).status_code == 200
    assert (await ent.get(url, params={"org": world["carbon"]})).status_code == 403


async def test_registration_and_applications_are_for_owners(world, as_role, client):
    rid = world["round"]
    ent = await as_role("enterprise", world["carbon"])
    r = await ent.post(
        f"/api/rounds/{rid}/entries", json={"side": "demand", "item_id": world["fiber"]}
    )
    assert r.status_code == 200
    r = await ent.post(
        f"/api/rounds/{rid}/entries", json={"side": "demand", "item_id": world["tar"]}
    )
    assert r.status_code == 403  # not its need
    uni = await as_role("university", world["tyut"])
    apply = {"need_id": world["fiber"], "capability_id": world["fiber_team"]}
    assert (await uni.post(f"/api/rounds/{rid}/applications", json=apply)).status_code == 201
    other = {
        "need_id": world["tar"],
        "capability_id": world["catalyst_team"],
    }  # the institute's team
    assert (await uni.post(f"/api/rounds/{rid}/applications", json=other)).status_code == 403
    inst = await as_role("university", world["sxicc"])
    assert (await inst.post(f"/api/rounds/{rid}/applications", json=other)).status_code == 201
    # Each sees only applications that concern it; the enterprise sees those to its needs.
    mine = (await uni.get(f"/api/rounds/{rid}/applications")).json()
    assert {a["capability_id"] for a in mine} == {world["fiber_team"]}
    to_carbon = (await ent.get(f"/api/rounds/{rid}/applications")).json()
    assert {a["need_id"] for a in to_carbon} == {world["fiber"]}
    assert len((await client.get(f"/api/rounds/{rid}/applications")).json()) == 2


async def test_results_and_pairings_only_after_publishing_and_only_ones_own(
    world, as_role, client, empty_db
):
    rid = world["round"]
    run = await run_to_completion(client, empty_db, rid)
    ent = await as_role("enterprise", world["coal"])
    uni = await as_role("university", world["tyut"])
    assert (await ent.get(f"/api/runs/{run['id']}")).status_code == 403  # run control is staff's
    r = await ent.get(f"/api/runs/{run['id']}/results")
    assert r.status_code == 403 and "尚未发布" in r.json()["detail"]

    await client.post(f"/api/rounds/{rid}/publish")
    res = (await ent.get(f"/api/runs/{run['id']}/results", params={"org": world["carbon"]})).json()
    assert {d["demand_org_id"] for d in res["demands"]} == {
        world["coal"]
    }  # asked for another: own view
    res = (await uni.get(f"/api/runs/{run['id']}/results")).json()
    assert res["demands"]
    assert {c["supply_org_id"] for d in res["demands"] for c in d["ranked"]} == {world["tyut"]}

    pairings = (await ent.get(f"/api/rounds/{rid}/pairings")).json()
    assert pairings and all(
        world["coal"] in (p["demand_org_id"], p["supply_org_id"]) for p in pairings
    )
    everyone = (await client.get(f"/api/rounds/{rid}/pairings")).json()
    assert len(everyone) > len(pairings)

    tar = next(p for p in everyone if p["demand_id"] == world["tar"])
    supplier = await as_role("university", tar["supply_org_id"])
    coordinator = await as_role("coordinator")
    assert (await supplier.post(f"/api/pairings/{tar['id']}/respond",
                                json={"side": "demand", "response": "accepted"})).status_code == 403  # fmt: skip
    assert (await coordinator.post(f"/api/pairings/{tar['id']}/respond",
                                   json={"side": "demand", "response": "accepted"})).status_code == 403  # fmt: skip
    assert (await ent.post(f"/api/pairings/{tar['id']}/respond",
                           json={"side": "demand", "response": "accepted"})).status_code == 200  # fmt: skip
    r = await supplier.post(
        f"/api/pairings/{tar['id']}/respond", json={"side": "supply", "response": "accepted"}
    )
    assert r.status_code == 200 and r.json()["contacts"] is not None
    stranger = await as_role("enterprise", world["carbon"])
    r = await stranger.post(f"/api/pairings/{tar['id']}/outcome", json={"outcome": "meeting_held"})
    assert r.status_code == 403
    assert (
        await ent.post(f"/api/pairings/{tar['id']}/outcome", json={"outcome": "meeting_held"})
    ).status_code == 200
