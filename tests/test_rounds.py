"""A full open-challenge round (揭榜挂帅) and a full recruitment fair, end to end over HTTP
against a real PostgreSQL; the worker is the production worker, driven one run at a time."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.rounds_helpers import fair_world, open_challenge_world, run_to_completion


async def test_open_challenge_round_end_to_end(client, empty_db):
    w = await open_challenge_world(client)

    # A coordinator creates the call; in draft nobody can run it yet.
    r = await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "2026 年第四季度揭榜挂帅",
        "scope": {"cities": ["吕梁", "太原"]}, "method": "optimal",
        "loads": {"demand_min": 0, "demand_max": 1},
    })  # fmt: skip
    assert r.status_code == 201, r.text
    rnd = r.json()
    rid = rnd["id"]
    assert rnd["state"] == "draft" and rnd["scope"]["cities"] == ["吕梁", "太原"]
    assert (await client.post(f"/api/rounds/{rid}/runs")).status_code == 409

    r = await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    assert r.status_code == 200 and r.json()["state"] == "open"

    parts = (await client.get(f"/api/rounds/{rid}/participants")).json()
    assert {p["item_id"] for p in parts["demands"]} == {w["tar"], w["fiber"], w["wastewater"]}
    assert {p["item_id"] for p in parts["supplies"]} == {
        w["catalyst_team"],
        w["fiber_team"],
        w["water_team"],
        w["magnesium_team"],
    }
    assert all(p["source"] == "scope" for p in parts["demands"])

    # 揭榜: the institute applies to the coal-tar challenge; a non-challenge need is refused.
    r = await client.post(f"/api/rounds/{rid}/applications", json={
        "need_id": w["tar"], "capability_id": w["catalyst_team"], "team": "催化剂团队",
        "proposal": "抗积碳催化剂", "expected_months": 18, "price": 1_200_000,
    })  # fmt: skip
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": w["wastewater"], "capability_id": w["water_team"]},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "need_id"
    r = await client.post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": w["tar"], "capability_id": w["catalyst_team"]},
    )
    assert r.status_code == 409  # the same team applies once

    run = await run_to_completion(client, empty_db, rid)
    assert run["summary"]["demands"] == 3 and run["summary"]["supplies"] == 4
    assert (await client.get(f"/api/rounds/{rid}")).json()["state"] == "review"

    res = (await client.get(f"/api/runs/{run['id']}/results")).json()
    by_demand = {d["demand_id"]: d for d in res["demands"]}
    tar = by_demand[w["tar"]]
    assert [c["supply_id"] for c in tar["chosen"]] == [w["catalyst_team"]]
    assert tar["chosen"][0]["applied"] is True
    assert "煤焦油" in tar["chosen"][0]["matched_terms"]["keywords"]
    assert set(tar["chosen"][0]["components"]) >= {"text", "field"}
    # The fiber challenge has no applicant: its best team is recommended for invitation.
    fiber = by_demand[w["fiber"]]
    assert fiber["invite"] and fiber["invite"][0]["supply_id"] == w["fiber_team"]
    water = by_demand[w["wastewater"]]
    assert [c["supply_id"] for c in water["chosen"]] == [w["water_team"]]
    ranked_scores = [c["score"] for c in water["ranked"]]
    assert ranked_scores == sorted(ranked_scores, reverse=True)

    # Per-participant view: the institute only sees lines with its own team.
    mine = (await client.get(f"/api/runs/{run['id']}/results", params={"org": w["sxicc"]})).json()
    assert {c["supply_id"] for d in mine["demands"] for c in d["ranked"]} == {w["catalyst_team"]}

    # Review: forbid the water pairing, re-run; the pin of the fiber team is kept.
    r = await client.post(
        f"/api/rounds/{rid}/constraints",
        json={
            "demand_id": w["wastewater"],
            "supply_id": w["water_team"],
            "kind": "forbid",
            "reason": "利益冲突",
        },
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/rounds/{rid}/constraints",
        json={"demand_id": w["fiber"], "supply_id": w["magnesium_team"], "kind": "pin"},
    )
    assert r.status_code == 201
    run2 = await run_to_completion(client, empty_db, rid)
    res2 = (await client.get(f"/api/runs/{run2['id']}/results")).json()
    by_demand = {d["demand_id"]: d for d in res2["demands"]}
    assert w["water_team"] not in [c["supply_id"] for c in by_demand[w["wastewater"]]["chosen"]]
    forbidden = [
        c for c in by_demand[w["wastewater"]]["ranked"] if c["supply_id"] == w["water_team"]
    ]
    assert forbidden and forbidden[0]["forbidden"] and forbidden[0]["reason"] == "利益冲突"
    assert [c["supply_id"] for c in by_demand[w["fiber"]]["chosen"]] == [w["magnesium_team"]]
    assert by_demand[w["fiber"]]["chosen"][0]["pinned"]
    # The first run is untouched by the second (runs are immutable).
    again = (await client.get(f"/api/runs/{run['id']}/results")).json()
    assert again == res

    # Publish, then both sides answer.
    r = await client.post(f"/api/rounds/{rid}/publish")
    assert r.status_code == 200 and r.json()["state"] == "published"
    pairings = (await client.get(f"/api/rounds/{rid}/pairings")).json()
    tar_pairing = next(p for p in pairings if p["demand_id"] == w["tar"])
    assert tar_pairing["contacts"] is None
    for side in ("demand", "supply"):
        r = await client.post(
            f"/api/pairings/{tar_pairing['id']}/respond",
            json={"side": side, "response": "accepted"},
        )
        assert r.status_code == 200, r.text
    accepted = r.json()
    assert accepted["contacts"]["demand"]["name"] == "孝义市晋焦化工有限公司"  # revealed only now
    fiber_pairing = next(p for p in pairings if p["demand_id"] == w["fiber"])
    r = await client.post(
        f"/api/pairings/{fiber_pairing['id']}/respond",
        json={"side": "supply", "response": "declined"},
    )
    assert r.status_code == 200 and r.json()["contacts"] is None

    r = await client.post(
        f"/api/pairings/{fiber_pairing['id']}/outcome",
        json={"outcome": "contract_signed", "contract_amount": 1},
    )
    assert r.status_code == 409  # only confirmed pairs have outcomes
    r = await client.post(
        f"/api/pairings/{tar_pairing['id']}/outcome", json={"outcome": "contract_signed"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contract_amount"
    r = await client.post(
        f"/api/pairings/{tar_pairing['id']}/outcome",
        json={"outcome": "contract_signed", "contract_amount": 1_200_000},
    )
    assert r.status_code == 200 and r.json()["outcome"] == "contract_signed"

    # The declined pair is forbidden in the next run; the accepted one stays (pinned).
    run3 = await run_to_completion(client, empty_db, rid)
    res3 = (await client.get(f"/api/runs/{run3['id']}/results")).json()
    by_demand = {d["demand_id"]: d for d in res3["demands"]}
    assert w["magnesium_team"] not in [c["supply_id"] for c in by_demand[w["fiber"]]["chosen"]]
    assert [c["supply_id"] for c in by_demand[w["tar"]]["chosen"]] == [w["catalyst_team"]]
    assert by_demand[w["tar"]]["chosen"][0]["pinned"]

    stats = (await client.get(f"/api/rounds/{rid}/stats")).json()
    assert stats["responses"]["both_accepted"] == 1 and stats["responses"]["declined"] == 1
    assert stats["outcomes"]["contract_amount"] == 1_200_000
    assert {c["key"] for c in stats["by_city"]} == {"吕梁", "太原"}
    assert sum(b["pairs"] for b in stats["score_histogram"]) >= 1

    # Exports parse back with Chinese headers.
    r = await client.get(f"/api/rounds/{rid}/export/ranked.csv")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["需求编号", "需求", "需求方"]
    assert any(row[1] == "煤焦油加氢催化剂寿命提升" and row[9] == "是" for row in rows[1:])
    # Matched research fields by name (化学工程及工业化学), never as a bare code (B06).
    tar_row = next(
        row for row in rows[1:] if row[1] == "煤焦油加氢催化剂寿命提升" and row[9] == "是"
    )
    assert "化学工程及工业化学" in tar_row[10] and "B06" not in tar_row[10]
    r = await client.get(f"/api/rounds/{rid}/export/assignment.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    sheet = wb.active
    assert sheet.title == "配对结果"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "配对编号"
    assert any(
        v[2] == "煤焦油加氢催化剂寿命提升" and v[8] == "接受" and v[11] == 1_200_000
        for v in values[1:]
    )
    assert (await client.get(f"/api/rounds/{rid}/export/nothing.csv")).status_code == 404


async def test_recruitment_fair_with_schedule(client, empty_db):
    w = await fair_world(client)
    r = await client.post("/api/rounds", json={
        "kind": "recruitment_fair", "title": "2027 届春季校园招聘会", "scope": {"everyone": True},
        "method": "stable", "loads": {"demand_max": 2}, "slots": ["09:00", "09:30", "10:00"], "tables": 2,
    })  # fmt: skip
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    run = await run_to_completion(client, empty_db, rid)
    res = (await client.get(f"/api/runs/{run['id']}/results")).json()
    chosen = {d["demand_id"]: [c["supply_id"] for c in d["chosen"]] for d in res["demands"]}
    assert w["pool_cs"] in chosen[w["job_cv"]]
    assert w["pool_food"] in chosen[w["job_food"]]
    cv = next(d for d in res["demands"] if d["demand_id"] == w["job_cv"])
    assert set(cv["chosen"][0]["components"]) >= {"skills", "major", "education"}

    assert (await client.post(f"/api/rounds/{rid}/schedule")).status_code == 409  # not published
    await client.post(f"/api/rounds/{rid}/publish")
    # Without availability limits the fewest slots is reached: max(max degree, meetings / tables).
    first = (await client.post(f"/api/rounds/{rid}/schedule")).json()
    assert first["unplaced"] == 0 and first["n_slots_used"] == first["lower_bound"] >= 1
    r = await client.put(
        f"/api/rounds/{rid}/availability", json={"org_id": w["ent_a"], "unavailable_slots": [0]}
    )
    assert r.status_code == 200
    r = await client.get(f"/api/rounds/{rid}/availability", params={"org": w["ent_a"]})
    assert r.status_code == 200 and r.json()["unavailable_slots"] == [0]
    r = await client.put(
        f"/api/rounds/{rid}/availability", json={"org_id": w["ent_a"], "unavailable_slots": [7]}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unavailable_slots"

    sched = (await client.post(f"/api/rounds/{rid}/schedule")).json()
    placed = [m for m in sched["meetings"] if m["state"] == "scheduled"]
    assert sched["unplaced"] == 0 and placed
    # Nobody is double-booked, tables are not over-used, unavailable slots are respected.
    seen = set()
    for m in placed:
        for who in (("E", m["enterprise_id"]), ("U", m["university_id"])):
            assert (who, m["slot"]) not in seen
            seen.add((who, m["slot"]))
        if m["enterprise_id"] == w["ent_a"]:
            assert m["slot"] != 0
    per_slot = {}
    for m in placed:
        per_slot.setdefault(m["slot"], set()).add(m["table_no"])
        assert 1 <= m["table_no"] <= 2
    assert sum(len(v) for v in per_slot.values()) == len(placed)

    # Both sides confirm the vision pairing; the food pairing is declined: its meeting goes,
    # and re-scheduling keeps the confirmed meeting where it was.
    pairings = (await client.get(f"/api/rounds/{rid}/pairings")).json()
    cv_pairing = next(
        p for p in pairings if p["demand_id"] == w["job_cv"] and p["supply_id"] == w["pool_cs"]
    )
    for side in ("demand", "supply"):
        await client.post(
            f"/api/pairings/{cv_pairing['id']}/respond", json={"side": side, "response": "accepted"}
        )
    before = next(
        m for m in placed if m["enterprise_id"] == w["ent_a"] and m["university_id"] == w["uni_a"]
    )
    food = next(p for p in pairings if p["demand_id"] == w["job_food"])
    await client.post(
        f"/api/pairings/{food['id']}/respond", json={"side": "demand", "response": "declined"}
    )
    sched2 = (await client.post(f"/api/rounds/{rid}/schedule")).json()
    after = next(m for m in sched2["meetings"] if m["id"] == before["id"])
    assert after["confirmed"] and (after["slot"], after["table_no"]) == (
        before["slot"],
        before["table_no"],
    )
    food_uni = food["supply_org_id"]
    still_paired = any(
        p["demand_org_id"] == w["ent_b"]
        and p["supply_org_id"] == food_uni
        and p["id"] != food["id"]
        for p in pairings
    )
    gone = [
        m
        for m in sched2["meetings"]
        if (m["enterprise_id"], m["university_id"]) == (w["ent_b"], food_uni)
    ]
    assert gone and gone[0]["state"] == ("scheduled" if still_paired else "cancelled")

    agenda = (await client.get(f"/api/rounds/{rid}/schedule", params={"org": w["uni_a"]})).json()
    assert agenda["meetings"] and all(m["university_id"] == w["uni_a"] for m in agenda["meetings"])
    r = await client.get(f"/api/rounds/{rid}/export/schedule.xlsx")
    rows = [
        [c.value for c in row] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows()
    ]
    assert rows[0] == ["时段", "洽谈桌", "企业", "高校/院所", "状态", "已双方确认", "备注"]
    assert any(row[2] == "太原智矿科技有限公司" and row[5] == "是" for row in rows[1:])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "fair"}, "kind"),
        ({"scope": {"cities": ["北京"]}}, "scope.cities.0"),
        ({"scope": {"industries": ["Z99"]}}, "scope.industries.0"),
        ({"scope": {"fields": ["Q1"]}}, "scope.fields.0"),
        ({"loads": {"demand_min": 3, "demand_max": 1}}, "loads.demand_min"),
        ({"method": "random"}, "method"),
        ({"weights": {"nonsense": 1.0}}, "weights"),
        ({"weights": {"text": -1}}, "weights"),
        (
            {"registration_opens": "2027-03-01", "registration_closes": "2027-01-01"},
            "registration_opens",
        ),
        ({"top_k": 0}, "top_k"),
        ({"slots": ["09:00", "09:00"], "kind": "recruitment_fair"}, "slots"),
    ],
)
async def test_round_validation(client, body, field):
    base = {"kind": "open_challenge", "title": "测试活动"}
    r = await client.post("/api/rounds", json=base | body)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]


async def test_state_machine_and_one_active_run(client, empty_db):
    rid = (
        await client.post("/api/rounds", json={"kind": "open_challenge", "title": "状态测试"})
    ).json()["id"]
    r = await client.post(f"/api/rounds/{rid}/transition", json={"to": "published"})
    assert r.status_code == 422  # not a manual transition at all
    assert (await client.post(f"/api/rounds/{rid}/publish")).status_code == 409
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    first = await client.post(f"/api/rounds/{rid}/runs")
    assert first.status_code == 202
    second = await client.post(f"/api/rounds/{rid}/runs")
    assert second.status_code == 409
    assert (await client.patch(f"/api/rounds/{rid}", json={"title": "改名"})).status_code == 409
    # Cancel the queued run: the round goes back to open, and a new run may start.
    r = await client.post(f"/api/runs/{first.json()['id']}/cancel")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert (await client.get(f"/api/rounds/{rid}")).json()["state"] == "open"
    assert (await client.post(f"/api/runs/{first.json()['id']}/cancel")).status_code == 409
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "closed"})
    assert (await client.post(f"/api/rounds/{rid}/runs")).status_code == 409
    assert (
        await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    ).status_code == 409
