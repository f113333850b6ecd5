"""A new application (揭榜) reaches the owner's inbox in the applying transaction: the enterprise
of a challenge learns who applied, with team, price and months, and where to compare them."""

from tests.test_challenges import approved_challenge, open_round, world


async def test_owner_is_notified_of_a_new_application(client, as_role, conn):
    w = await world(client, as_role)
    cid = await approved_challenge(w)
    rid = await open_round(client)
    before = await conn.fetchval("SELECT count(*) FROM notifications")
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": cid, "capability_id": w["team"], "team": "催化剂团队",
              "proposal": "抗积碳载体改性。", "price": 1_200_000, "expected_months": 12},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    rows = await conn.fetch(
        "SELECT n.kind, n.title, n.body, n.link, u.org_id FROM notifications n"
        " JOIN users u ON u.id = n.user_id ORDER BY n.id OFFSET $1",
        before,
    )
    assert {r["org_id"] for r in rows} == {w["ent"]}  # the owner only, not the applicant
    (n,) = rows
    assert n["kind"] == "application_status" and n["link"] == "/my?tab=applicants"
    assert (
        n["title"] == "收到揭榜申请：中国科学院山西煤炭化学研究所 申请「煤焦油加氢催化剂寿命提升」"
    )
    for text in ("团队：催化剂团队", "报价：1,200,000 元", "周期：12 个月", "抗积碳载体改性。"):
        assert text in n["body"], n["body"]
    # A refused application notifies nobody (same transaction).
    again = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": w["team"]}
    )
    assert again.status_code == 409
    assert await conn.fetchval("SELECT count(*) FROM notifications") == before + 1
