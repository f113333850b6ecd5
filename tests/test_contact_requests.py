"""Contact requests (对接请求): every rule of the service, through the API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from service.contacts.service import DAILY_LIMIT
from tests import factories


@pytest.fixture
async def world(client, as_role, conn):
    """An approved enterprise (with a need) and university (with a capability), a member each."""
    ent = (await client.post("/api/organizations", json=factories.enterprise())).json()
    uni = (await client.post("/api/organizations", json=factories.university())).json()
    await conn.execute(
        "UPDATE organizations SET contact_name = '刘工', contact_phone = '0351-1111111',"
        " contact_email = 'liu@ent.example' WHERE id = $1",
        ent["id"],
    )
    await conn.execute(
        "UPDATE organizations SET contact_name = '陈老师', contact_phone = '0351-2222222'"
        " WHERE id = $1",
        uni["id"],
    )
    need = (await client.post("/api/needs", json=factories.need(ent["id"]))).json()
    cap = (
        await client.post(
            "/api/capabilities", json=factories.capability(uni["id"], contact="陈教授 139")
        )
    ).json()
    e = await as_role("enterprise", ent["id"])
    u = await as_role("university", uni["id"])
    return {
        "ent": ent,
        "uni": uni,
        "need": need,
        "cap": cap,
        "e": e,
        "u": u,
        "admin": client,
        "as_role": as_role,
    }


def req(kind: str, ident: int, **over) -> dict:
    return {"target_kind": kind, "target_id": ident, "message": "希望就催化剂寿命问题合作"} | over


async def test_request_accept_discloses_contacts_to_both_only_then(world, conn):
    e, u = world["e"], world["u"]
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    r = await e.post(
        "/api/contact-requests", json=req("capability", world["cap"]["id"], proposed_times=[later])
    )
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["state"] == "pending" and sent["contacts"] is None
    assert sent["target_title"] == world["cap"]["title"] and len(sent["proposed_times"]) == 1
    rid = sent["id"]

    # The owner was told; both list it on their side; neither sees contacts yet.
    assert (await u.get("/api/notifications/unread-count")).json()["unread"] == 1
    received = (await u.get("/api/contact-requests", params={"box": "received"})).json()
    assert [x["id"] for x in received["items"]] == [rid]
    assert received["items"][0]["contacts"] is None
    assert (await u.get("/api/contact-requests", params={"box": "sent"})).json()["total"] == 0
    assert [x["id"] for x in (await e.get("/api/contact-requests?box=sent")).json()["items"]] == [
        rid
    ]
    assert (await e.get(f"/api/contact-requests/{rid}")).json()["contacts"] is None
    # Public record reads still hide the capability's contact.
    assert (await e.get(f"/api/capabilities/{world['cap']['id']}")).json()["contact"] is None

    # Only the receiving side answers.
    r = await e.post(f"/api/contact-requests/{rid}/answer", json={"accept": True})
    assert r.status_code == 403
    r = await u.post(f"/api/contact-requests/{rid}/answer", json={"accept": True})
    assert r.status_code == 200, r.text
    contacts = r.json()["contacts"]
    assert contacts["requester"]["contact_phone"] == "0351-1111111"
    assert contacts["requester"]["contact_email"] == "liu@ent.example"
    assert contacts["owner"]["contact_name"] == "陈老师"
    assert contacts["target_contact"] == "陈教授 139"
    assert (await e.get(f"/api/contact-requests/{rid}")).json()["contacts"] == contacts
    inbox = (await e.get("/api/notifications")).json()["items"]
    assert [n["kind"] for n in inbox] == ["contact_answered"]

    r = await u.post(f"/api/contact-requests/{rid}/answer", json={"accept": False})
    assert r.status_code == 409 and "已接受" in r.json()["detail"]
    # A third organization does not see the request at all.
    other = await world["admin"].post("/api/organizations", json=factories.enterprise())
    outsider = await world["as_role"]("enterprise", other.json()["id"])
    assert (await outsider.get(f"/api/contact-requests/{rid}")).status_code == 404
    assert (
        await outsider.post(f"/api/contact-requests/{rid}/answer", json={"accept": False})
    ).status_code == 404


async def test_refusals_oneself_drafts_closed_pending_and_duplicates(world, client, conn):
    e, u = world["e"], world["u"]
    # Oneself.
    r = await e.post("/api/contact-requests", json=req("need", world["need"]["id"]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "target_id"
    assert "本机构" in r.json()["errors"][0]["message"]
    # A draft of someone else does not exist.
    draft = await client.post(
        "/api/capabilities", json=factories.capability(world["uni"]["id"], status="draft")
    )
    r = await e.post("/api/contact-requests", json=req("capability", draft.json()["id"]))
    assert r.status_code == 422 and "不存在或尚未发布" in r.json()["errors"][0]["message"]
    # A closed record.
    closed = await client.post(
        "/api/capabilities", json=factories.capability(world["uni"]["id"], status="closed")
    )
    r = await e.post("/api/contact-requests", json=req("capability", closed.json()["id"]))
    assert r.status_code == 409 and "已关闭" in r.json()["detail"]
    # Unknown record; bad kind; message too long or blank; too many or past times.
    r = await e.post("/api/contact-requests", json=req("capability", 999999))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "target_id"
    r = await e.post("/api/contact-requests", json=req("patent", 1))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "target_kind"
    cap = world["cap"]["id"]
    r = await e.post("/api/contact-requests", json=req("capability", cap, message="长" * 501))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "message"
    r = await e.post("/api/contact-requests", json=req("capability", cap, message="   "))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "message"
    future = [(datetime.now(UTC) + timedelta(days=d)).isoformat() for d in (1, 2, 3, 4)]
    r = await e.post("/api/contact-requests", json=req("capability", cap, proposed_times=future))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "proposed_times"
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    r = await e.post("/api/contact-requests", json=req("capability", cap, proposed_times=[past]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "proposed_times.0"
    r = await e.post(
        "/api/contact-requests", json=req("capability", cap, proposed_times=["2031-01-01T10:00:00"])
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "proposed_times.0"
    assert "时区" in r.json()["errors"][0]["message"]
    # Staff do not send requests.
    r = await client.post("/api/contact-requests", json=req("capability", cap))
    assert r.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM contact_requests") == 0

    # One open request per target.
    assert (await e.post("/api/contact-requests", json=req("capability", cap))).status_code == 201
    r = await e.post("/api/contact-requests", json=req("capability", cap))
    assert r.status_code == 409 and "等待对方答复" in r.json()["detail"]
    assert await conn.fetchval("SELECT count(*) FROM contact_requests") == 1
    # After withdrawing, a new one may be sent.
    rid = await conn.fetchval("SELECT id FROM contact_requests")
    assert (await u.post(f"/api/contact-requests/{rid}/withdraw")).status_code == 403
    r = await e.post(f"/api/contact-requests/{rid}/withdraw")
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    assert (await e.post("/api/contact-requests", json=req("capability", cap))).status_code == 201


async def test_pending_organizations_neither_receive_nor_send(world, client, conn, as_role):
    # A record of an organization awaiting approval cannot be requested (nor seen).
    pending = await client.post("/api/organizations", json=factories.university(name="新大学"))
    pid = pending.json()["id"]
    await conn.execute("UPDATE organizations SET approval_state = 'pending' WHERE id = $1", pid)
    cap = await client.post("/api/capabilities", json=factories.capability(pid))
    r = await world["e"].post("/api/contact-requests", json=req("capability", cap.json()["id"]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "target_id"
    # A pending organization cannot send either.
    p = await as_role("university", pid)
    r = await p.post("/api/contact-requests", json=req("need", world["need"]["id"]))
    assert r.status_code == 403 and "审核" in r.json()["detail"]


async def test_decline_with_reason_then_thirty_day_cooldown(world, client, conn):
    e, u = world["e"], world["u"]
    cap = world["cap"]["id"]
    other_cap = await client.post(
        "/api/capabilities", json=factories.capability(world["uni"]["id"])
    )
    rid = (await e.post("/api/contact-requests", json=req("capability", cap))).json()["id"]
    r = await u.post(
        f"/api/contact-requests/{rid}/answer", json={"accept": False, "reason": "团队档期已满"}
    )
    assert r.status_code == 200 and r.json()["state"] == "declined"
    assert r.json()["reason"] == "团队档期已满" and r.json()["contacts"] is None
    assert "团队档期已满" in (await e.get("/api/notifications")).json()["items"][0]["body"]

    # The same pair of organizations cannot re-request, whatever the record, for 30 days.
    for target in (cap, other_cap.json()["id"]):
        r = await e.post("/api/contact-requests", json=req("capability", target))
        assert r.status_code == 409 and "30" in r.json()["errors"][0]["message"]
    # ... but the university may still contact the enterprise (another pair).
    r = await u.post("/api/contact-requests", json=req("need", world["need"]["id"]))
    assert r.status_code == 201
    # Thirty days later it may.
    await conn.execute(
        "UPDATE contact_requests SET answered_at = now() - interval '30 days 1 minute'"
        " WHERE id = $1",
        rid,
    )
    assert (await e.post("/api/contact-requests", json=req("capability", cap))).status_code == 201


async def test_daily_limit_per_organization(world, client, conn):
    e = world["e"]
    caps = []
    for i in range(DAILY_LIMIT + 1):
        c = await client.post(
            "/api/capabilities", json=factories.capability(world["uni"]["id"], title=f"能力 {i}")
        )
        caps.append(c.json()["id"])
    for ident in caps[:DAILY_LIMIT]:
        r = await e.post("/api/contact-requests", json=req("capability", ident))
        assert r.status_code == 201
    r = await e.post("/api/contact-requests", json=req("capability", caps[-1]))
    assert r.status_code == 429
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["retry-after"]) > 0 and str(DAILY_LIMIT) in r.json()["detail"]
    assert r.json()["errors"][0]["field"] == "target_id"
    # A day later the window has moved on.
    await conn.execute("UPDATE contact_requests SET created_at = now() - interval '25 hours'")
    assert (
        await e.post("/api/contact-requests", json=req("capability", caps[-1]))
    ).status_code == 201


async def test_target_preview_and_staff_stats(world, anon, as_role):
    cap = world["cap"]
    r = await anon.get(
        "/api/contact-requests/target", params={"kind": "capability", "id": cap["id"]}
    )
    assert r.status_code == 200 and r.json()["title"] == cap["title"]
    r = await anon.get("/api/contact-requests/target", params={"kind": "pool", "id": 1})
    assert r.status_code in (400, 422)

    e, u = world["e"], world["u"]
    await e.post("/api/contact-requests", json=req("capability", cap["id"]))
    rid = (await u.post("/api/contact-requests", json=req("need", world["need"]["id"]))).json()[
        "id"
    ]
    await e.post(f"/api/contact-requests/{rid}/answer", json={"accept": True})

    assert (await e.get("/api/contact-requests/stats")).status_code == 403
    coord = await as_role("coordinator")
    stats = (await coord.get("/api/contact-requests/stats")).json()
    assert stats["total"] == {
        "total": 2,
        "pending": 1,
        "accepted": 1,
        "declined": 0,
        "withdrawn": 0,
    }
    # Both requests involve the enterprise: counted under its city and industry, by name.
    assert [(c["city"], c["total"]) for c in stats["by_city"]] == [("太原", 2)]
    assert [(i["industry_code"], i["industry_name"], i["total"]) for i in stats["by_industry"]] == [
        ("C30", "非金属矿物制品业", 2)
    ]
    # Staff list every request.
    assert (await coord.get("/api/contact-requests")).json()["total"] == 2


async def test_daily_limit_holds_when_two_requests_race(world, client, conn, empty_db):
    """The limit check and the insert are serialised per organization: a second transaction
    waits for the first and then sees its request (without the lock both would pass)."""
    import asyncpg

    from service.auth import Principal
    from service.contacts import service
    from service.contacts.schemas import ContactRequestCreate
    from service.contacts.service import TooManyRequests

    ent, uni = world["ent"]["id"], world["uni"]["id"]
    caps = []
    for i in range(DAILY_LIMIT + 1):
        c = await client.post(
            "/api/capabilities", json=factories.capability(uni, title=f"能力 {i}")
        )
        caps.append(c.json()["id"])
    for ident in caps[: DAILY_LIMIT - 1]:
        await conn.execute(
            "INSERT INTO contact_requests (from_org, to_org, target_kind, target_id, message)"
            " VALUES ($1, $2, 'capability', $3, 'x')",
            ent,
            uni,
            ident,
        )
    who = Principal(user_id=None, role="enterprise", org_id=ent, token_id=None)

    def body(ident: int) -> ContactRequestCreate:
        return ContactRequestCreate(target_kind="capability", target_id=ident, message="合作")

    a, b = await asyncpg.connect(empty_db), await asyncpg.connect(empty_db)
    try:
        tx = a.transaction()
        await tx.start()
        await service.create(a, body(caps[-2]), principal=who)  # the 20th, not yet committed
        second = asyncio.create_task(service.create(b, body(caps[-1]), principal=who))
        await asyncio.sleep(0.5)
        assert not second.done()  # waiting for the first organization lock
        await tx.commit()
        with pytest.raises(TooManyRequests):
            await second
    finally:
        await a.close()
        await b.close()
    assert await conn.fetchval("SELECT count(*) FROM contact_requests") == DAILY_LIMIT
