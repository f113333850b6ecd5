"""Who may relabel an organization (issue #15, item 7): name, credit code, city and tags change
only by staff; the organization proposes, a coordinator approves (applied and audited) or
rejects with a reason."""

from tests.factories import credit_code, enterprise
from tests.rounds_helpers import make_org


async def test_an_enterprise_cannot_relabel_itself(client, as_role):
    org = await make_org(client, **enterprise(name="晋中杂粮食品有限公司", city="晋中", tags=[]))
    ent = await as_role("enterprise", org)
    url = f"/api/organizations/{org}"
    for change in (
        {"tags": ["专精特新"]},
        {"city": "太原"},
        {"name": "太原理工大学"},
        {"credit_code": credit_code()},
    ):
        r = await ent.patch(url, json=change)
        assert r.status_code == 403, (change, r.text)
        assert "变更申请" in r.json()["detail"]
    assert (await ent.patch(url, json={"kind": "university"})).status_code == 422  # never
    current = (await client.get(url)).json()
    assert (current["name"], current["city"], current["tags"]) == (
        "晋中杂粮食品有限公司",
        "晋中",
        [],
    )
    # other fields stay the organization's own, and re-sending unchanged values is fine
    r = await ent.patch(url, json={"description": "杂粮深加工", "name": "晋中杂粮食品有限公司"})
    assert r.status_code == 200, r.text
    coordinator = await as_role("coordinator")
    assert (await coordinator.patch(url, json={"city": "太原"})).status_code == 200


async def test_propose_then_approve_or_reject(client, as_role, conn):
    org = await make_org(client, **enterprise(name="太原碳谷新材料有限公司", city="太原", tags=[]))
    other = await make_org(client, **enterprise())
    ent = await as_role("enterprise", org)
    coordinator = await as_role("coordinator")
    url = f"/api/organizations/{org}/change-requests"

    # only for one's own organization, only the governed fields, validated at once
    assert (
        await (await as_role("enterprise", other)).post(url, json={"changes": {"city": "大同"}})
    ).status_code == 403
    r = await ent.post(url, json={"changes": {"description": "x"}})
    assert r.status_code == 422
    r = await ent.post(url, json={"changes": {"credit_code": "91140100MA0XXXXXX0"}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credit_code"
    assert (await ent.post(url, json={"changes": {}})).status_code == 422

    r = await ent.post(
        url, json={"changes": {"tags": ["专精特新"], "city": "晋中"}, "note": "已获认定"}
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["state"] == "pending" and first["current"]["city"] == "太原"
    r = await ent.post(url, json={"changes": {"name": "太原理工大学"}})
    second = r.json()["id"]

    # the pending list is for staff; the enterprise sees only its own organization's requests
    pending = (
        await coordinator.get("/api/organization-change-requests", params={"state": "pending"})
    ).json()
    assert [p["id"] for p in pending["items"]] == [first["id"], second]
    assert (await ent.get("/api/organization-change-requests")).json()["total"] == 2
    other_ent = await as_role("enterprise", other)
    assert (await other_ent.get("/api/organization-change-requests")).json()["total"] == 0
    # nobody approves their own request but staff
    r = await ent.post(f"/api/organization-change-requests/{first['id']}/approve", json={})
    assert r.status_code == 403

    r = await coordinator.post(f"/api/organization-change-requests/{first['id']}/approve", json={})
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    org_now = (await client.get(f"/api/organizations/{org}")).json()
    assert (org_now["city"], org_now["tags"]) == ("晋中", ["专精特新"])
    r = await coordinator.post(f"/api/organization-change-requests/{first['id']}/approve", json={})
    assert r.status_code == 409  # decided once

    r = await coordinator.post(f"/api/organization-change-requests/{second}/reject", json={})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await coordinator.post(
        f"/api/organization-change-requests/{second}/reject", json={"reason": "名称与信用代码不符"}
    )
    assert r.status_code == 200 and r.json()["decision_reason"] == "名称与信用代码不符"
    assert (await client.get(f"/api/organizations/{org}")).json()[
        "name"
    ] == "太原碳谷新材料有限公司"

    log = await conn.fetch(
        "SELECT action, resource, resource_id FROM audit_log"
        " WHERE resource IN ('organization_change_requests', 'organizations') AND action <> 'create'"
        " ORDER BY chain_seq"
    )
    assert [(r["action"], r["resource"]) for r in log] == [
        ("propose", "organization_change_requests"),
        ("propose", "organization_change_requests"),
        ("update", "organizations"),
        ("approve", "organization_change_requests"),
        ("reject", "organization_change_requests"),
    ]
