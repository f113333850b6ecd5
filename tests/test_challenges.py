"""The 揭榜挂帅 lifecycle as practised (发榜 review, applicants side by side, shortlist and
questions, withdrawal until the deadline, 公示, 签约 and milestones), two-way 揭榜 (achievement
listings), and my pairings and agenda across rounds — over HTTP against a real PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

from service.domain.needs import today
from service.rounds import pipeline
from tests.factories import capability, enterprise, need, university
from tests.rounds_helpers import make, make_org, run_to_completion


async def inbox(conn, org_id: int) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT n.kind, n.title FROM notifications n JOIN users u ON u.id = n.user_id"
        " WHERE u.org_id = $1 ORDER BY n.id",
        org_id,
    )
    return [(r["kind"], r["title"]) for r in rows]


async def world(client, as_role) -> dict:
    """An enterprise (and a second one), two universities, their users, and a coordinator."""
    w: dict = {}
    w["ent"] = await make_org(
        client,
        **enterprise(
            name="孝义市晋焦化工有限公司",
            city="吕梁",
            contact_name="王经理",
            contact_phone="13800000001",
        ),
    )
    w["ent2"] = await make_org(client, **enterprise(name="太原碳谷新材料有限公司"))
    w["uni"] = await make_org(
        client, **university(name="太原理工大学", contact_phone="0351-6010000")
    )
    w["inst"] = await make_org(
        client, kind="institute", name="中国科学院山西煤炭化学研究所", city="太原"
    )
    w["as_ent"] = await as_role("enterprise", w["ent"])
    w["as_ent2"] = await as_role("enterprise", w["ent2"])
    w["as_uni"] = await as_role("university", w["uni"])
    w["as_inst"] = await as_role("university", w["inst"])
    w["coord"] = await as_role("coordinator")
    w["team"] = await make(
        client,
        "/api/capabilities",
        capability(
            w["inst"],
            title="煤焦油加氢催化剂研发团队",
            keywords=["煤焦油", "加氢", "催化剂"],
            description="长期从事煤焦油加氢精制与抗积碳催化剂研究，拥有中试装置。",
        ),
    )
    w["team2"] = await make(
        client,
        "/api/capabilities",
        capability(
            w["uni"],
            title="镁合金压铸团队",
            keywords=["镁合金", "压铸"],
            field_codes=["E01"],
            description="镁合金材料与压铸成形工艺。",
        ),
    )
    return w  # fmt: skip


def challenge_body(owner: int, **over) -> dict:
    return need(
        owner, title="煤焦油加氢催化剂寿命提升", is_challenge=True, reward=1_500_000,
        keywords=["煤焦油", "加氢", "催化剂", "失活"],
        description="加氢精制催化剂运行三个月后失活，需要抗积碳的新型催化剂。",
        deadline=str(today() + timedelta(days=30)),
    ) | over  # fmt: skip


async def approved_challenge(w, **over) -> int:
    r = await w["as_ent"].post("/api/needs", json=challenge_body(w["ent"], **over))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = await w["coord"].post(f"/api/challenges/{cid}/approve")
    assert r.status_code == 200, r.text
    return cid


async def open_round(client, **over) -> int:
    r = await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "2026 年第四季度揭榜挂帅", "scope": {"everyone": True},
    } | over)  # fmt: skip
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert (
        await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    ).status_code == 200
    return rid


# --- 发榜 review -----------------------------------------------------------------------------------


async def test_challenge_waits_for_review_and_is_invisible_until_approved(
    client, as_role, anon, conn
):
    w = await world(client, as_role)
    r = await w["as_ent"].post("/api/needs", json=challenge_body(w["ent"]))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["challenge_review"] == "pending"

    # Pending: the owner and staff see it; anonymous users and other organizations do not.
    assert (await anon.get(f"/api/needs/{cid}")).status_code == 404
    assert (await w["as_ent2"].get(f"/api/needs/{cid}")).status_code == 404
    assert (await w["as_uni"].get(f"/api/needs/{cid}")).status_code == 404
    assert (await w["as_ent"].get(f"/api/needs/{cid}")).status_code == 200
    assert (await w["coord"].get(f"/api/needs/{cid}")).status_code == 200
    listed = (await anon.get("/api/needs", params={"is_challenge": "true"})).json()
    assert cid not in [n["id"] for n in listed["items"]]
    mine = (await w["as_ent"].get("/api/needs", params={"owner": w["ent"]})).json()
    assert cid in [n["id"] for n in mine["items"]]
    assert (await anon.get(f"/api/needs/{cid}/recommendations")).status_code == 404
    assert (await w["as_ent2"].get(f"/api/challenges/{cid}/applicants")).status_code == 404

    # Only staff review; the coordinator's queue lists it.
    assert (await w["as_ent"].post(f"/api/challenges/{cid}/approve")).status_code == 403
    assert (await w["as_ent"].get("/api/challenges/pending")).status_code == 403
    queue = (await w["coord"].get("/api/challenges/pending")).json()
    assert [c["id"] for c in queue] == [cid] and queue[0]["owner_name"] == "孝义市晋焦化工有限公司"

    r = await w["coord"].post(f"/api/challenges/{cid}/approve")
    assert r.status_code == 200 and r.json()["challenge_review"] == "approved"
    assert (await anon.get(f"/api/needs/{cid}")).status_code == 200
    assert (await w["coord"].post(f"/api/challenges/{cid}/approve")).status_code == 409
    assert ("challenge_reviewed", "揭榜挂帅项目已发榜：煤焦油加氢催化剂寿命提升") in await inbox(
        conn, w["ent"]
    )

    # A keyword edit keeps it public; a new reward sends it back to review.
    r = await w["as_ent"].patch(f"/api/needs/{cid}", json={"keywords": ["煤焦油", "催化剂"]})
    assert r.json()["challenge_review"] == "approved"
    r = await w["as_ent"].patch(f"/api/needs/{cid}", json={"reward": 2_000_000})
    assert r.json()["challenge_review"] == "pending"
    assert (await anon.get(f"/api/needs/{cid}")).status_code == 404

    # Returned with a reason (none is refused): still invisible; the owner is told why.
    r = await w["coord"].post(f"/api/challenges/{cid}/return", json={"reason": "  "})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await w["coord"].post(f"/api/challenges/{cid}/return", json={"reason": "x" * 501})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await w["coord"].post(
        f"/api/challenges/{cid}/return", json={"reason": "榜单金额与任务不符"}
    )
    assert r.status_code == 200 and r.json()["return_reason"] == "榜单金额与任务不符"
    assert (await anon.get(f"/api/needs/{cid}")).status_code == 404
    assert (await w["as_ent2"].get(f"/api/needs/{cid}")).status_code == 404
    listed = (await w["as_inst"].get("/api/needs", params={"is_challenge": "true"})).json()
    assert cid not in [n["id"] for n in listed["items"]]
    own = (await w["as_ent"].get(f"/api/needs/{cid}")).json()
    assert own["challenge_review"] == "returned" and own["return_reason"] == "榜单金额与任务不符"
    kinds = await conn.fetch("SELECT body FROM notifications WHERE kind = 'challenge_reviewed'")
    assert any("榜单金额与任务不符" in k["body"] for k in kinds)
    # Editing a returned challenge resubmits it.
    r = await w["as_ent"].patch(f"/api/needs/{cid}", json={"reward": 1_000_000})
    assert r.json()["challenge_review"] == "pending" and r.json()["return_reason"] is None
    # Every review is in the audit log.
    assert await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE resource = 'rd_needs' AND resource_id = $1"
        " AND after ? 'challenge_review' AND role = 'coordinator'", cid) == 2  # fmt: skip


async def test_approval_only_after_publication(client, as_role):
    w = await world(client, as_role)
    r = await w["as_ent"].post("/api/needs", json=challenge_body(w["ent"], status="draft"))
    cid = r.json()["id"]
    r = await w["coord"].post(f"/api/challenges/{cid}/approve")
    assert r.status_code == 409 and "尚未提交发布" in r.json()["detail"]
    assert (await w["coord"].get("/api/challenges/pending")).json() == []
    # Publishing it puts it in the queue; then it can be approved.
    await w["as_ent"].patch(f"/api/needs/{cid}", json={"status": "published"})
    assert [c["id"] for c in (await w["coord"].get("/api/challenges/pending")).json()] == [cid]
    assert (await w["coord"].post(f"/api/challenges/{cid}/approve")).status_code == 200
    # An ordinary need has nothing to review; an unknown one is 404.
    plain = await make(client, "/api/needs", need(w["ent"]))
    assert (await w["coord"].post(f"/api/challenges/{plain}/approve")).status_code == 409
    assert (await w["coord"].post("/api/challenges/999999/approve")).status_code == 404


async def test_pending_challenge_stays_out_of_rounds(client, as_role):
    w = await world(client, as_role)
    r = await w["as_ent"].post("/api/needs", json=challenge_body(w["ent"]))
    cid = r.json()["id"]
    rid = await open_round(client)
    parts = (await client.get(f"/api/rounds/{rid}/participants")).json()
    assert cid not in [d["item_id"] for d in parts["demands"]]
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": w["team"]}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "need_id"
    assert "尚未发榜" in r.json()["errors"][0]["message"]


# --- applications --------------------------------------------------------------------------------


async def test_applicants_side_by_side_shortlist_and_questions(client, as_role, anon, conn):
    w = await world(client, as_role)
    cid = await approved_challenge(w)
    rid = await open_round(client)
    r = await w["as_inst"].post(f"/api/rounds/{rid}/applications", json={
        "need_id": cid, "capability_id": w["team"], "team": "催化剂团队", "proposal": "抗积碳催化剂",
        "expected_months": 18, "price": 1_200_000,
    })  # fmt: skip
    assert r.status_code == 201, r.text
    strong = r.json()["id"]
    r = await w["as_uni"].post(f"/api/rounds/{rid}/applications", json={
        "need_id": cid, "capability_id": w["team2"], "proposal": "试试看", "price": 900_000,
    })  # fmt: skip
    weak = r.json()["id"]

    # Only the owning enterprise and staff see the applicants.
    assert (await anon.get(f"/api/challenges/{cid}/applicants")).status_code == 401
    assert (await w["as_ent2"].get(f"/api/challenges/{cid}/applicants")).status_code == 403
    assert (await w["as_inst"].get(f"/api/challenges/{cid}/applicants")).status_code == 403
    assert (await w["coord"].get(f"/api/challenges/{cid}/applicants")).status_code == 200
    r = await w["as_ent"].get(f"/api/challenges/{cid}/applicants")
    assert r.status_code == 200
    apps = r.json()
    assert [a["application_id"] for a in apps] == [strong, weak]  # best score first
    best = apps[0]
    assert (
        best["item_title"] == "煤焦油加氢催化剂研发团队"
        and best["org_name"] == "中国科学院山西煤炭化学研究所"
    )
    assert (best["team"], best["proposal"], best["price"], best["expected_months"]) == (
        "催化剂团队",
        "抗积碳催化剂",
        1_200_000,
        18,
    )
    assert best["score"] > apps[1]["score"]
    assert "煤焦油" in best["matched_terms"]["keywords"]
    assert best["explanation"].startswith("综合得分") and "共同关键词" in best["explanation"]

    # Shortlist (owner only) and ask; the applicant is told and answers.
    r = await w["as_inst"].post(
        f"/api/applications/{strong}/status", json={"status": "shortlisted"}
    )
    assert r.status_code == 403
    r = await w["as_ent2"].post(
        f"/api/applications/{strong}/status", json={"status": "shortlisted"}
    )
    assert r.status_code == 404
    r = await w["as_ent"].post(f"/api/applications/{strong}/status", json={"status": "selected"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    r = await w["as_ent"].post(f"/api/applications/{strong}/status", json={"status": "shortlisted"})
    assert r.status_code == 200 and r.json()["status"] == "shortlisted"
    assert any(k == "application_status" and "入围" in t for k, t in await inbox(conn, w["inst"]))
    r = await w["as_ent"].post(
        f"/api/applications/{strong}/questions", json={"question": "中试装置规模？"}
    )
    assert r.status_code == 201
    qid = r.json()["id"]
    r = await w["as_ent"].post(
        f"/api/applications/{strong}/questions", json={"question": "x" * 1001}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "question"
    r = await w["as_ent"].post(
        f"/api/applications/{strong}/questions/{qid}/answer", json={"answer": "我"}
    )
    assert r.status_code == 403  # the owner does not answer its own question
    r = await w["as_inst"].post(
        f"/api/applications/{strong}/questions/{qid}/answer", json={"answer": "每年 1000 吨"}
    )
    assert r.status_code == 200 and r.json()["answer"] == "每年 1000 吨"
    r = await w["as_inst"].post(
        f"/api/applications/{strong}/questions/{qid}/answer", json={"answer": "再答"}
    )
    assert r.status_code == 409
    apps = (await w["as_ent"].get(f"/api/challenges/{cid}/applicants")).json()
    assert (
        apps[0]["status"] == "shortlisted" and apps[0]["questions"][0]["answer"] == "每年 1000 吨"
    )
    # Over the limit of questions.
    for i in range(19):
        await w["as_ent"].post(f"/api/applications/{weak}/questions", json={"question": f"问题{i}"})
    assert (
        await w["as_ent"].post(f"/api/applications/{weak}/questions", json={"question": "第二十个"})
    ).status_code == 201
    r = await w["as_ent"].post(f"/api/applications/{weak}/questions", json={"question": "超出"})
    assert r.status_code == 409 and "最多" in r.json()["detail"]

    # 「我的申请」: the university sees its own, with status, and may withdraw before the deadline.
    mine = (await w["as_inst"].get("/api/me/applications")).json()
    assert [(a["application_id"], a["status"], a["can_withdraw"]) for a in mine] == [
        (strong, "shortlisted", True)
    ]
    assert mine[0]["target_title"] == "煤焦油加氢催化剂寿命提升" and mine[0]["reward"] == 1_500_000
    assert (await w["as_ent"].post(f"/api/applications/{strong}/withdraw")).status_code == 403
    r = await w["as_inst"].post(f"/api/applications/{strong}/withdraw")
    assert (
        r.status_code == 200 and r.json()["status"] == "withdrawn" and not r.json()["can_withdraw"]
    )
    assert (await w["as_inst"].post(f"/api/applications/{strong}/withdraw")).status_code == 409
    apps = (await w["as_ent"].get(f"/api/challenges/{cid}/applicants")).json()
    assert apps[-1]["application_id"] == strong and apps[-1]["status"] == "withdrawn"
    r = await w["as_ent"].post(f"/api/applications/{strong}/questions", json={"question": "还在吗"})
    assert r.status_code == 409


async def test_withdrawal_and_application_after_the_deadline_are_refused(client, as_role, conn):
    w = await world(client, as_role)
    cid = await approved_challenge(w)
    rid = await open_round(client)
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": w["team"]}
    )
    app_id = r.json()["id"]
    # The deadline passes (China time); the API itself refuses past deadlines, so set it here.
    await conn.execute(
        "UPDATE rd_needs SET deadline = $2 WHERE id = $1", cid, today() - timedelta(days=1)
    )
    r = await w["as_inst"].post(f"/api/applications/{app_id}/withdraw")
    assert (
        r.status_code == 409
        and "截止日期" in r.json()["detail"]
        and "不能再撤回" in r.json()["detail"]
    )
    assert (
        await conn.fetchval("SELECT status FROM applications WHERE id = $1", app_id) == "submitted"
    )
    r = await w["as_uni"].post(
        f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": w["team2"]}
    )
    assert r.status_code == 409 and "截止" in r.json()["detail"]
    mine = (await w["as_inst"].get("/api/me/applications")).json()
    assert mine[0]["can_withdraw"] is False and mine[0]["deadline"] == str(
        today() - timedelta(days=1)
    )


async def test_applications_to_drafts_closed_records_and_bad_bodies(client, as_role):
    w = await world(client, as_role)
    cid = await approved_challenge(w)
    rid = await open_round(client)
    draft_team = await make(client, "/api/capabilities", capability(w["inst"], status="draft"))
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": draft_team}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "capability_id"
    assert "草稿" in r.json()["errors"][0]["message"]
    # Someone else's team cannot be used; unknown fields and over-long text are named.
    r = await w["as_uni"].post(
        f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": w["team"]}
    )
    assert r.status_code == 403
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": cid, "capability_id": w["team"], "bonus": 1},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "bonus"
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": cid, "capability_id": w["team"], "direction": "x"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "direction"
    await w["as_ent"].patch(f"/api/needs/{cid}", json={"status": "closed"})
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": w["team"]}
    )
    assert r.status_code == 422 and "已关闭" in r.json()["errors"][0]["message"]
    assert (await client.get(f"/api/rounds/{rid}/applications")).json() == []
    assert (await w["as_inst"].post("/api/applications/999999/withdraw")).status_code == 404


# --- 公示, 签约, milestones, my pairings on a closed round ------------------------------------------


async def test_publicity_contract_and_milestones_after_the_round_closed(
    client, as_role, anon, conn, empty_db
):
    w = await world(client, as_role)
    cid = await approved_challenge(w)
    rid = await open_round(client)
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": cid, "capability_id": w["team"], "team": "催化剂团队"},
    )
    app_id = r.json()["id"]
    other = (
        await w["as_uni"].post(
            f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": w["team2"]}
        )
    ).json()["id"]
    await run_to_completion(client, empty_db, rid)
    assert (await client.post(f"/api/rounds/{rid}/publish")).status_code == 200
    assert any(k == "pairing_published" for k, _ in await inbox(conn, w["inst"]))
    assert any(k == "pairing_published" for k, _ in await inbox(conn, w["ent"]))

    page = (await w["as_inst"].get("/api/me/pairings")).json()
    assert page["total"] == 1
    p = page["items"][0]
    assert (p["side"], p["my_item_id"], p["my_item_title"]) == (
        "supply",
        w["team"],
        "煤焦油加氢催化剂研发团队",
    )
    assert p["other_org_name"] == "孝义市晋焦化工有限公司" and p["contact"] is None
    pid = p["id"]
    r = await w["coord"].post(f"/api/pairings/{pid}/publicity", json={"days": 5})
    assert r.status_code == 409  # 公示 comes after both sides confirmed
    await w["as_ent"].post(
        f"/api/pairings/{pid}/respond", json={"side": "demand", "response": "accepted"}
    )
    assert any(k == "pairing_answered" for k, _ in await inbox(conn, w["inst"]))
    await w["as_inst"].post(
        f"/api/pairings/{pid}/respond", json={"side": "supply", "response": "accepted"}
    )
    assert (await w["as_ent"].post(f"/api/pairings/{pid}/publicity", json={})).status_code == 403
    r = await w["coord"].post(f"/api/pairings/{pid}/publicity", json={"days": 31})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "days"
    r = await w["coord"].post(f"/api/pairings/{pid}/publicity", json={"days": 5})
    assert r.status_code == 201, r.text
    assert r.json()["publicity_end"] == str(today() + timedelta(days=4))
    assert (await w["coord"].post(f"/api/pairings/{pid}/publicity")).status_code == 409

    # The public 公示 list: challenge, winner, reward, period — and no contact anywhere.
    r = await anon.get("/api/challenges/publicity")
    assert r.status_code == 200
    (notice,) = r.json()
    assert set(notice) == {
        "id",
        "direction",
        "title",
        "owner_name",
        "winner_name",
        "reward",
        "publicity_start",
        "publicity_end",
    }
    assert (notice["title"], notice["winner_name"], notice["reward"]) == (
        "煤焦油加氢催化剂寿命提升",
        "中国科学院山西煤炭化学研究所",
        1_500_000,
    )
    for secret in ("13800000001", "王经理", "0351-6010000"):
        assert secret not in r.text
    statuses = dict(await conn.fetch("SELECT id, status FROM applications"))
    assert statuses == {app_id: "selected", other: "not_selected"}
    assert any("中选" in t for _, t in await inbox(conn, w["inst"]))
    assert any("未中选" in t for _, t in await inbox(conn, w["uni"]))

    # The round closes: the pairing is still listed, outcomes can still be recorded.
    assert (
        await client.post(f"/api/rounds/{rid}/transition", json={"to": "closed"})
    ).status_code == 200
    page = (await w["as_ent"].get("/api/me/pairings")).json()
    (p,) = page["items"]
    assert p["round_state"] == "closed" and p["state"] == "confirmed" and not p["can_respond"]
    assert (
        p["contact"]["contact_phone"] == "0351-6010000"
        or p["contact"]["name"] == "中国科学院山西煤炭化学研究所"
    )
    assert p["publicity"]["winner_name"] == "中国科学院山西煤炭化学研究所"
    r = await w["as_ent"].post(
        f"/api/pairings/{pid}/respond", json={"side": "demand", "response": "declined"}
    )
    assert r.status_code == 409  # answers end with the round
    r = await w["as_ent"].post(
        f"/api/pairings/{pid}/milestones", json={"kind": "midterm_check", "held_on": str(today())}
    )
    assert r.status_code == 409  # milestones come after the contract
    r = await w["as_ent"].post(
        f"/api/pairings/{pid}/outcome",
        json={
            "outcome": "contract_signed",
            "contract_amount": 1_400_000,
            "contract_date": str(today() + timedelta(days=1)),
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contract_date"
    signed_on = today() - timedelta(days=10)
    r = await w["as_ent"].post(
        f"/api/pairings/{pid}/outcome",
        json={
            "outcome": "contract_signed",
            "contract_amount": 1_400_000,
            "contract_date": str(signed_on),
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["contract_date"] == str(signed_on)
    r = await w["as_inst"].post(
        f"/api/pairings/{pid}/milestones",
        json={"kind": "midterm_check", "held_on": str(signed_on - timedelta(days=1))},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "held_on"
    r = await w["as_inst"].post(
        f"/api/pairings/{pid}/milestones",
        json={
            "kind": "midterm_check",
            "held_on": str(today() - timedelta(days=2)),
            "note": "进度正常",
        },
    )
    assert r.status_code == 200 and r.json()[0]["kind"] == "midterm_check"
    r = await w["as_ent"].post(
        f"/api/pairings/{pid}/milestones",
        json={"kind": "acceptance", "held_on": str(today() - timedelta(days=3))},
    )
    assert r.status_code == 422 and "中期检查" in r.json()["errors"][0]["message"]
    r = await w["as_ent"].post(
        f"/api/pairings/{pid}/milestones",
        json={"kind": "acceptance", "held_on": str(today()), "passed": True},
    )
    assert [m["kind"] for m in r.json()] == ["midterm_check", "acceptance"]
    r = await w["as_ent"].post(
        f"/api/pairings/{pid}/milestones", json={"kind": "final", "held_on": str(today())}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    assert (
        await w["as_ent2"].post(
            f"/api/pairings/{pid}/milestones", json={"kind": "acceptance", "held_on": str(today())}
        )
    ).status_code == 404
    p = (await w["as_inst"].get("/api/me/pairings")).json()["items"][0]
    assert p["outcome"] == "contract_signed" and p["contract_amount"] == 1_400_000
    assert [m["kind"] for m in p["milestones"]] == ["midterm_check", "acceptance"]
    # The past publicity is off the public list unless asked for.
    await conn.execute(
        "UPDATE challenge_results SET publicity_start = $1, publicity_end = $1",
        today() - timedelta(days=20),
    )
    assert (await anon.get("/api/challenges/publicity")).json() == []
    assert (
        len((await anon.get("/api/challenges/publicity", params={"include_past": "true"})).json())
        == 1
    )


async def test_my_pairings_filters(client, as_role, empty_db):
    w = await world(client, as_role)
    first = await approved_challenge(w)
    second = await approved_challenge(
        w,
        title="碳纤维原丝预氧化工艺优化",
        keywords=["镁合金", "压铸"],
        description="镁合金压铸件气孔多，需要优化压铸工艺。",
    )
    rid = await open_round(client, loads={"demand_max": 1})
    await run_to_completion(client, empty_db, rid)
    await client.post(f"/api/rounds/{rid}/publish")
    rid2 = await open_round(client, title="第二批")
    await run_to_completion(client, empty_db, rid2)
    await client.post(f"/api/rounds/{rid2}/publish")

    everything = (await w["as_ent"].get("/api/me/pairings")).json()
    assert everything["total"] == 4 and {p["my_item_id"] for p in everything["items"]} == {
        first,
        second,
    }
    assert all(p["side"] == "demand" for p in everything["items"])
    only = (await w["as_ent"].get("/api/me/pairings", params={"round": rid2})).json()
    assert only["total"] == 2 and {p["round_id"] for p in only["items"]} == {rid2}
    assert (await w["as_ent"].get("/api/me/pairings", params={"side": "supply"})).json()[
        "total"
    ] == 0
    one = only["items"][0]
    await w["as_ent"].post(
        f"/api/pairings/{one['id']}/respond", json={"side": "demand", "response": "declined"}
    )
    declined = (await w["as_ent"].get("/api/me/pairings", params={"state": "declined"})).json()
    assert [p["id"] for p in declined["items"]] == [one["id"]]
    pending = (await w["as_ent"].get("/api/me/pairings", params={"state": "pending"})).json()
    assert pending["total"] == 3
    # Someone else's view is their own whatever they ask for; staff may choose.
    assert (await w["as_ent2"].get("/api/me/pairings", params={"org": w["ent"]})).json()[
        "total"
    ] == 0
    assert (await w["coord"].get("/api/me/pairings", params={"org": w["ent"]})).json()["total"] == 4
    r = await w["as_ent"].get("/api/me/pairings", params={"state": "maybe"})
    assert r.status_code in (400, 422)
    # An admin without an organization sees everyone's.
    assert (await client.get("/api/me/pairings")).json()["total"] == 4


# --- agenda and .ics --------------------------------------------------------------------------------


async def test_agenda_and_ics_parse_back(client, as_role, conn, empty_db):
    from tests.rounds_helpers import fair_world

    w = await fair_world(client)
    event = today() + timedelta(days=14)
    r = await client.post("/api/rounds", json={
        "kind": "recruitment_fair", "title": "2027 届春季校园招聘会", "scope": {"everyone": True},
        "slots": ["09:00", "09:30", "10:00"], "tables": 2, "event_date": str(event),
    })  # fmt: skip
    rid = r.json()["id"]
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    await run_to_completion(client, empty_db, rid)
    await client.post(f"/api/rounds/{rid}/publish")
    ent = await as_role("enterprise", w["ent_a"])
    sched = (await client.post(f"/api/rounds/{rid}/schedule")).json()
    mine = [
        m
        for m in sched["meetings"]
        if m["enterprise_id"] == w["ent_a"] and m["state"] == "scheduled"
    ]
    assert mine
    assert any(k == "meeting_scheduled" for k, _ in await inbox(conn, w["ent_a"]))
    told = await conn.fetchval(
        "SELECT count(*) FROM notifications WHERE kind = 'meeting_scheduled'"
    )
    # Scheduling again moves nothing, so nobody is told again.
    await client.post(f"/api/rounds/{rid}/schedule")
    assert (
        await conn.fetchval("SELECT count(*) FROM notifications WHERE kind = 'meeting_scheduled'")
        == told
    )

    agenda = (await ent.get("/api/me/agenda")).json()
    assert {a["meeting_id"] for a in agenda} == {m["id"] for m in mine}
    first = agenda[0]
    assert first["other_org_name"] == "太原理工大学" and first["table_no"] in (1, 2)
    assert first["starts_at"].startswith(f"{event}T{first['slot_label']}")

    r = await ent.get("/api/me/agenda.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(mine)
    by_uid = {str(e["UID"]): e for e in events}
    for a in agenda:
        e = by_uid[f"duijie-meeting-{a['meeting_id']}@duijie"]
        start = e.decoded("DTSTART")
        assert isinstance(start, datetime) and start == datetime.fromisoformat(a["starts_at"])
        assert e.decoded("DTEND") - start == timedelta(minutes=30)
        assert a["other_org_name"] in str(e["SUMMARY"]) and f"第 {a['table_no']} 桌" in str(
            e["SUMMARY"]
        )
    assert (await client.get("/api/me/agenda.ics")).status_code == 200  # staff: everyone's
    other = await as_role("university", w["uni_b"])
    uni_b = (await other.get("/api/me/agenda")).json()
    assert all(a["other_org_name"] != "太原理工大学" for a in uni_b)


# --- two-way 揭榜 ----------------------------------------------------------------------------------


async def test_achievement_listing_taken_up_by_an_enterprise(client, as_role, anon, conn, empty_db):
    w = await world(client, as_role)
    r = await w["as_inst"].post(
        "/api/capabilities",
        json=capability(w["inst"], kind="expertise", title="团队", listing_modes=["许可"]),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "listing_modes"
    r = await w["as_inst"].post(
        "/api/capabilities",
        json=capability(w["inst"], kind="achievement", title="团队", asking_price=1),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "asking_price"
    r = await w["as_inst"].post(
        "/api/capabilities",
        json=capability(
            w["inst"],
            kind="achievement",
            title="抗积碳煤焦油加氢催化剂专利",
            listing_modes=["许可", "转让"],
            asking_price=800_000,
            listing_terms="独占许可五年",
            keywords=["煤焦油", "加氢", "催化剂"],
        ),
    )
    assert r.status_code == 201, r.text
    listing = r.json()["id"]
    listed = (await anon.get("/api/listings")).json()
    assert [x["id"] for x in listed["items"]] == [listing] and listed["items"][0][
        "asking_price"
    ] == 800_000

    demand = await make(client, "/api/needs", need(w["ent"], title="煤焦油加氢装置催化剂更换"))
    rid = await open_round(client, loads={"demand_max": 2})
    # A university cannot take up its own listing; a need of another enterprise is not mine.
    r = await w["as_ent2"].post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": demand, "capability_id": listing, "direction": "listing"},
    )
    assert r.status_code == 403
    r = await w["as_ent"].post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": demand, "capability_id": w["team"], "direction": "listing"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "capability_id"
    r = await w["as_ent"].post(
        f"/api/rounds/{rid}/applications",
        json={
            "need_id": demand,
            "capability_id": listing,
            "direction": "listing",
            "proposal": "用于一期 10 万吨装置",
            "price": 600_000,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["org_id"] == w["ent"] and r.json()["direction"] == "listing"

    # The owner (the institute) sees its applicants side by side; others do not.
    assert (await w["as_uni"].get(f"/api/listings/{listing}/applicants")).status_code == 403
    assert (await w["as_ent"].get(f"/api/listings/{listing}/applicants")).status_code == 403
    (a,) = (await w["as_inst"].get(f"/api/listings/{listing}/applicants")).json()
    assert (a["org_name"], a["item_title"], a["price"]) == (
        "孝义市晋焦化工有限公司",
        "煤焦油加氢装置催化剂更换",
        600_000,
    )
    assert a["score"] > 0 and "煤焦油" in a["explanation"]
    mine = (await w["as_ent"].get("/api/me/applications")).json()
    assert (
        mine[0]["direction"] == "listing"
        and mine[0]["target_title"] == "抗积碳煤焦油加氢催化剂专利"
    )

    # The same flow: run, publish, both confirm, 公示 of the taker.
    run = await run_to_completion(client, empty_db, rid)
    res = (await client.get(f"/api/runs/{run['id']}/results")).json()
    line = next(d for d in res["demands"] if d["demand_id"] == demand)
    taken = [c for c in line["chosen"] if c["supply_id"] == listing]
    assert taken and taken[0]["applied"]
    await client.post(f"/api/rounds/{rid}/publish")
    p = next(
        x
        for x in (await w["as_inst"].get("/api/me/pairings")).json()["items"]
        if x["my_item_id"] == listing
    )
    for actor, side in ((w["as_ent"], "demand"), (w["as_inst"], "supply")):
        await actor.post(
            f"/api/pairings/{p['id']}/respond", json={"side": side, "response": "accepted"}
        )
    notice = (await w["coord"].post(f"/api/pairings/{p['id']}/publicity")).json()
    assert (notice["direction"], notice["title"], notice["winner_name"], notice["reward"]) == (
        "listing",
        "抗积碳煤焦油加氢催化剂专利",
        "孝义市晋焦化工有限公司",
        800_000,
    )


def test_pipeline_gives_a_listing_with_applicants_only_to_them():
    """Without the per-supply rule the better-scoring non-applicant need would take the listing."""
    demands = [
        {
            "id": 1,
            "title": "煤焦油加氢催化剂寿命提升",
            "keywords": ["煤焦油", "加氢", "催化剂"],
            "city": "太原",
        },
        {"id": 2, "title": "工业设备维护", "keywords": ["设备", "催化剂"], "city": "太原"},
    ]
    supplies = [
        {
            "id": 10,
            "title": "煤焦油加氢催化剂专利",
            "keywords": ["煤焦油", "加氢", "催化剂"],
            "kind": "achievement",
            "capacity": 1,
            "city": "太原",
        }
    ]
    snap = {
        "kind": "open_challenge", "demands": demands, "supplies": supplies,
        "params": {"method": "optimal", "top_k": 5, "weights": {},
                   "loads": {"demand_min": 0, "demand_max": 1, "supply_max": None}},
        "applications": [{"need_id": 2, "capability_id": 10, "direction": "listing"}],
    }  # fmt: skip
    out = pipeline.execute(snap)
    chosen = [(c["demand_id"], c["supply_id"]) for c in out["candidates"] if c["chosen"]]
    assert chosen == [(2, 10)]
    scores = {c["demand_id"]: c["score"] for c in out["candidates"]}
    assert scores[1] > scores[2]  # the applicant wins although it scores lower
    snap["applications"] = []
    out = pipeline.execute(snap)
    assert [(c["demand_id"], c["supply_id"]) for c in out["candidates"] if c["chosen"]] == [(1, 10)]


async def test_pending_challenge_is_not_recommended_until_approved(client, as_role, app):
    import asyncio

    from service.recommend import Recommender

    app.state.recommender = Recommender()  # empty indexes, as in test_recommendations
    w = await world(client, as_role)
    cid = (await w["as_ent"].post("/api/needs", json=challenge_body(w["ent"]))).json()["id"]
    url = f"/api/capabilities/{w['team']}/recommendations"
    assert cid not in [x["id"] for x in (await w["as_inst"].get(url)).json()["items"]]
    await w["coord"].post(f"/api/challenges/{cid}/approve")
    for _ in range(100):  # the recommender notices a change within about a second
        items = (await w["as_inst"].get(url)).json()["items"]
        if cid in [x["id"] for x in items]:
            break
        await asyncio.sleep(0.1)
    assert items[0]["id"] == cid


async def test_no_withdrawal_once_matching_started(client, as_role, conn):
    w = await world(client, as_role)
    cid = await approved_challenge(w)
    rid = await open_round(client)
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications", json={"need_id": cid, "capability_id": w["team"]}
    )
    app_id = r.json()["id"]
    assert (await client.post(f"/api/rounds/{rid}/runs")).status_code == 202
    r = await w["as_inst"].post(f"/api/applications/{app_id}/withdraw")
    assert r.status_code == 409 and "不能再撤回" in r.json()["detail"]
    mine = (await w["as_inst"].get("/api/me/applications")).json()
    assert mine[0]["status"] == "submitted" and mine[0]["can_withdraw"] is False
