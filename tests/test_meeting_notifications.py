"""A fair meeting scheduled or moved tells both organizations, once per placement."""

from __future__ import annotations

from tests.rounds_helpers import fair_world, run_to_completion


async def test_meetings_scheduled_and_moved_are_notified(client, as_role, empty_db):
    w = await fair_world(client)
    ent = await as_role("enterprise", w["ent_a"])
    uni = await as_role("university", w["uni_a"])
    r = await client.post("/api/rounds", json={
        "kind": "recruitment_fair", "title": "春季校园招聘会", "scope": {"everyone": True},
        "method": "stable", "slots": ["09:00", "09:30", "10:00"], "tables": 2,
    })  # fmt: skip
    rid = r.json()["id"]
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    await run_to_completion(client, empty_db, rid)
    await client.post(f"/api/rounds/{rid}/publish")

    async def meeting_notes(actor):
        items = (await actor.get("/api/notifications")).json()["items"]
        return [n for n in items if n["kind"] == "meeting_scheduled"]

    sched = (await client.post(f"/api/rounds/{rid}/schedule")).json()
    mine = [
        m
        for m in sched["meetings"]
        if m["enterprise_id"] == w["ent_a"] and m["state"] == "scheduled"
    ]
    assert mine
    notes = await meeting_notes(ent)
    assert len(notes) == len(mine)
    m = next(x for x in mine if x["university_id"] == w["uni_a"])
    expected = f"洽谈已安排：春季校园招聘会 {m['slot_label']} 第 {m['table_no']} 桌"
    assert expected in [n["title"] for n in notes]
    assert expected in [n["title"] for n in await meeting_notes(uni)]

    # Re-scheduling without changes tells nobody again.
    await client.post(f"/api/rounds/{rid}/schedule")
    assert len(await meeting_notes(ent)) == len(mine)

    # The enterprise cannot attend that slot any more: its meetings move, and it is told.
    busy = sorted({x["slot"] for x in mine})
    await client.put(
        f"/api/rounds/{rid}/availability", json={"org_id": w["ent_a"], "unavailable_slots": busy}
    )
    again = (await client.post(f"/api/rounds/{rid}/schedule")).json()
    moved = [
        x
        for x in again["meetings"]
        if x["enterprise_id"] == w["ent_a"] and x["state"] == "scheduled"
    ]
    assert moved and all(x["slot"] not in busy for x in moved)
    titles = [n["title"] for n in await meeting_notes(ent)]
    assert any(t.startswith("洽谈已调整") for t in titles)
    assert len(titles) == len(mine) + len(moved)
