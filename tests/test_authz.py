"""The authorization matrix: role × endpoint × owner/non-owner, against a table written out by
hand (not derived from the policy code), plus staged disclosure of contact details, logins,
tokens, user management and the audit log."""

import json

import pytest

from tests.factories import capability, enterprise, job, need, talent_pool, university

ACTORS = ("anon", "ent_owner", "ent_other", "uni_owner", "uni_other", "coordinator", "admin")

# Owned resources: (path, factory, owning org). Needs and jobs belong to enterprise A,
# capabilities and talent pools to university U.
OWNED = {
    "needs": ("/api/needs", need, "A"),
    "jobs": ("/api/jobs", job, "A"),
    "capabilities": ("/api/capabilities", capability, "U"),
    "talent-pools": ("/api/talent-pools", talent_pool, "U"),
}

# Expected status per operation and actor, for records owned by an enterprise (E) or a
# university (U). "read_draft" is another organization's draft: 404, so it does not leak.
ENTERPRISE_OWNED = {
    "create": dict(
        anon=401,
        ent_owner=201,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=403,
        admin=201,
    ),
    "update": dict(
        anon=401,
        ent_owner=200,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=403,
        admin=200,
    ),
    "delete": dict(
        anon=401,
        ent_owner=204,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=403,
        admin=204,
    ),
    "read_published": dict(
        anon=200,
        ent_owner=200,
        ent_other=200,
        uni_owner=200,
        uni_other=200,
        coordinator=200,
        admin=200,
    ),
    "read_draft": dict(
        anon=404,
        ent_owner=200,
        ent_other=404,
        uni_owner=404,
        uni_other=404,
        coordinator=200,
        admin=200,
    ),
    # how many of the three records (two published, one draft) the list shows
    "list": dict(
        anon=2, ent_owner=3, ent_other=2, uni_owner=2, uni_other=2, coordinator=3, admin=3
    ),
}
UNIVERSITY_OWNED = {
    "create": dict(
        anon=401,
        ent_owner=403,
        ent_other=403,
        uni_owner=201,
        uni_other=403,
        coordinator=403,
        admin=201,
    ),
    "update": dict(
        anon=401,
        ent_owner=403,
        ent_other=403,
        uni_owner=200,
        uni_other=403,
        coordinator=403,
        admin=200,
    ),
    "delete": dict(
        anon=401,
        ent_owner=403,
        ent_other=403,
        uni_owner=204,
        uni_other=403,
        coordinator=403,
        admin=204,
    ),
    "read_published": dict(
        anon=200,
        ent_owner=200,
        ent_other=200,
        uni_owner=200,
        uni_other=200,
        coordinator=200,
        admin=200,
    ),
    "read_draft": dict(
        anon=404,
        ent_owner=404,
        ent_other=404,
        uni_owner=200,
        uni_other=404,
        coordinator=200,
        admin=200,
    ),
    "list": dict(
        anon=2, ent_owner=2, ent_other=2, uni_owner=3, uni_other=2, coordinator=3, admin=3
    ),
}
ORGANIZATIONS = {
    "create": dict(
        anon=401,
        ent_owner=403,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=201,
        admin=201,
    ),
    # editing enterprise A's profile
    "update": dict(
        anon=401,
        ent_owner=200,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=200,
        admin=200,
    ),
    "delete": dict(
        anon=401,
        ent_owner=403,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=403,
        admin=204,
    ),
    "read_published": dict(
        anon=200,
        ent_owner=200,
        ent_other=200,
        uni_owner=200,
        uni_other=200,
        coordinator=200,
        admin=200,
    ),
}
USERS = {
    "create": dict(
        anon=401,
        ent_owner=403,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=403,
        admin=201,
    ),
    "list": dict(
        anon=401,
        ent_owner=403,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=403,
        admin=200,
    ),
    "update": dict(
        anon=401,
        ent_owner=403,
        ent_other=403,
        uni_owner=403,
        uni_other=403,
        coordinator=403,
        admin=200,
    ),
}

ACTOR_ROLE = {
    "ent_owner": ("enterprise", "A"),
    "ent_other": ("enterprise", "B"),
    "uni_owner": ("university", "U"),
    "uni_other": ("university", "V"),
    "coordinator": ("coordinator", None),
    "admin": ("admin", None),
}


@pytest.fixture
async def world(client):
    """Enterprises A, B; university U; institute V (university role); as the admin ``client``."""
    ids = {}
    for key, body in (
        ("A", enterprise(contact_name="张经理", contact_phone="0351-1234567")),
        ("B", enterprise(name="大同云冈机械有限公司", city="大同")),
        ("U", university()),
        ("V", {"kind": "institute", "name": "山西省化工研究所", "city": "太原"}),
    ):
        r = await client.post("/api/organizations", json=body)
        assert r.status_code == 201, r.text
        ids[key] = r.json()["id"]
    return ids


async def actor_client(name, world, anon, as_role):
    if name == "anon":
        return anon
    role, org = ACTOR_ROLE[name]
    return await as_role(role, world[org] if org else None)


def expected_row(table, who):
    return {op: row[who] for op, row in table.items()}


# One test per resource and actor runs every operation and compares the whole row, so a
# failure shows every cell that differs at once.
@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("resource", ["needs", "jobs"])
async def test_enterprise_owned_matrix(client, anon, as_role, world, resource, who):
    actual = await run_owned_row(client, anon, as_role, world, resource, who)
    assert actual == expected_row(ENTERPRISE_OWNED, who)


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("resource", ["capabilities", "talent-pools"])
async def test_university_owned_matrix(client, anon, as_role, world, resource, who):
    actual = await run_owned_row(client, anon, as_role, world, resource, who)
    assert actual == expected_row(UNIVERSITY_OWNED, who)


async def run_owned_row(client, anon, as_role, world, resource, who):
    path, factory, owner = OWNED[resource]
    owner_id = world[owner]

    async def make(status):
        r = await client.post(path, json=factory(owner_id, status=status))
        assert r.status_code == 201, r.text
        return r.json()

    published, draft, doomed = await make("published"), await make("draft"), await make("published")
    actor = await actor_client(who, world, anon, as_role)
    actual = {}
    r = await actor.get(path)
    assert r.status_code == 200
    actual["list"] = r.json()["total"]
    assert len(r.json()["items"]) == actual["list"]
    actual["read_published"] = (await actor.get(f"{path}/{published['id']}")).status_code
    actual["read_draft"] = (await actor.get(f"{path}/{draft['id']}")).status_code
    responses = {
        "create": await actor.post(path, json=factory(owner_id)),
        "update": await actor.patch(f"{path}/{published['id']}", json={"status": "closed"}),
        "delete": await actor.delete(f"{path}/{doomed['id']}"),
    }
    for op, r in responses.items():
        actual[op] = r.status_code
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["status"] == r.status_code
            if r.status_code == 403:
                assert "无权" in r.json()["title"]
    # refused writes changed nothing; allowed ones did what they said
    after = (await client.get(f"{path}/{published['id']}")).json()
    assert after["status"] == ("closed" if actual["update"] == 200 else "published")
    gone = (await client.get(f"{path}/{doomed['id']}")).status_code
    assert gone == (404 if actual["delete"] == 204 else 200)
    total = (await client.get(path)).json()["total"]
    assert total == 3 + (actual["create"] == 201) - (actual["delete"] == 204)
    return actual


def cases(table):
    return [(op, who, status) for op, row in table.items() for who, status in row.items()]


@pytest.mark.parametrize(("op", "who", "expected"), cases(ORGANIZATIONS))
async def test_organization_matrix(client, anon, as_role, world, op, who, expected):
    actor = await actor_client(who, world, anon, as_role)
    url = f"/api/organizations/{world['A']}"
    if op == "create":
        r = await actor.post("/api/organizations", json=enterprise(name="新企业"))
    elif op == "update":
        r = await actor.patch(url, json={"description": "更新后的简介"})
    elif op == "delete":
        r = await actor.delete(url)
    else:
        r = await actor.get(url)
    assert r.status_code == expected, r.text
    total = (await client.get("/api/organizations")).json()["total"]
    assert total == 4 + (op == "create" and expected == 201) - (op == "delete" and expected == 204)


@pytest.mark.parametrize(("op", "who", "expected"), cases(USERS))
async def test_user_management_matrix(client, anon, as_role, world, op, who, expected):
    actor = await actor_client(who, world, anon, as_role)
    if op == "create":
        body = {
            "login": "li@example.cn",
            "role": "enterprise",
            "org_id": world["B"],
            "password": "correct horse battery",
        }
        r = await actor.post("/api/users", json=body)
    elif op == "list":
        r = await actor.get("/api/users")
    else:
        target = (await client.get("/api/auth/me")).json()["user_id"]
        r = await actor.patch(f"/api/users/{target}", json={"display_name": "改名"})
    assert r.status_code == expected, r.text


async def test_unknown_expired_and_malformed_tokens_are_401(anon, world, client, empty_db):
    for header in ("Bearer dj_nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "dj_x"):
        r = await anon.get("/api/needs", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.headers["www-authenticate"].startswith("Bearer")
    import asyncpg

    conn = await asyncpg.connect(empty_db)
    try:
        await conn.execute("UPDATE api_tokens SET expires_at = now() - interval '1 second'")
    finally:
        await conn.close()
    assert (await client.get("/api/needs")).status_code == 401  # the admin's token expired


async def test_contact_details_only_for_owner_and_staff(client, anon, as_role, world):
    url = f"/api/organizations/{world['A']}"
    owner = await as_role("enterprise", world["A"])
    other = await as_role("enterprise", world["B"])
    coordinator = await as_role("coordinator")
    for actor, visible in ((anon, False), (other, False), (owner, True), (coordinator, True)):
        body = (await actor.get(url)).json()
        assert (body["contact_phone"] == "0351-1234567") is visible
        listed = [
            o
            for o in (await actor.get("/api/organizations")).json()["items"]
            if o["id"] == world["A"]
        ]
        assert (listed[0]["contact_name"] == "张经理") is visible
    cap = (
        await client.post("/api/capabilities", json=capability(world["U"], contact="李老师"))
    ).json()
    assert (await anon.get(f"/api/capabilities/{cap['id']}")).json()["contact"] is None
    uni = await as_role("university", world["U"])
    assert (await uni.get(f"/api/capabilities/{cap['id']}")).json()["contact"] == "李老师"


async def test_login_me_logout_and_api_tokens(client, anon, world):
    body = {
        "login": "Zhang@Example.cn",
        "role": "enterprise",
        "org_id": world["A"],
        "password": "correct horse battery",
        "display_name": "张三",
    }
    r = await client.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    assert "password" not in r.text and "hash" not in r.text
    r = await client.post("/api/users", json=body | {"login": "zhang@example.cn"})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "login"

    r = await anon.post(
        "/api/auth/login", json={"login": "zhang@example.cn", "password": "wrong pw"}
    )
    assert r.status_code == 401 and "密码错误" in r.json()["detail"]
    r = await anon.post("/api/auth/login", json={"login": "nobody", "password": "whatever1"})
    assert r.status_code == 401
    r = await anon.post(
        "/api/auth/login", json={"login": "zhang@example.cn", "password": "correct horse battery"}
    )
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert r.json()["user"]["role"] == "enterprise" and r.headers["cache-control"] == "no-store"
    h = {"Authorization": f"Bearer {token}"}
    me = (await anon.get("/api/auth/me", headers=h)).json()
    assert (
        me["role"] == "enterprise"
        and me["org_id"] == world["A"]
        and me["user"]["display_name"] == "张三"
    )
    # the session can create a need for its own enterprise, not for another
    assert (await anon.post("/api/needs", json=need(world["A"]), headers=h)).status_code == 201
    assert (await anon.post("/api/needs", json=need(world["B"]), headers=h)).status_code == 403

    r = await anon.post("/api/auth/tokens", json={"name": "ERP 集成", "days": 30}, headers=h)
    assert r.status_code == 201, r.text
    api_h = {"Authorization": f"Bearer {r.json()['token']}"}
    assert (await anon.get("/api/auth/me", headers=api_h)).json()["user_id"] == me["user_id"]

    assert (await anon.post("/api/auth/logout", headers=h)).status_code == 204
    assert (await anon.get("/api/auth/me", headers=h)).status_code == 401
    assert (await anon.get("/api/auth/me", headers=api_h)).status_code == 200  # other token lives

    # disabling the user kills every token of theirs at once
    r = await client.patch(f"/api/users/{me['user_id']}", json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert (await anon.get("/api/auth/me", headers=api_h)).status_code == 401
    r = await anon.post(
        "/api/auth/login", json={"login": "zhang@example.cn", "password": "correct horse battery"}
    )
    assert r.status_code == 401


async def test_users_must_fit_their_organization(client, world):
    cases_ = [
        ({"role": "enterprise", "org_id": world["U"]}, "org_id"),
        ({"role": "university", "org_id": world["A"]}, "org_id"),
        ({"role": "university"}, "org_id"),
        ({"role": "enterprise", "org_id": 999999}, "org_id"),
        ({"role": "superuser"}, "role"),
        ({"role": "admin", "password": "short"}, "password"),
    ]
    for change, field in cases_:
        r = await client.post("/api/users", json={"login": "x@example.cn"} | change)
        assert r.status_code == 422, (change, r.text)
        assert [e["field"] for e in r.json()["errors"]] == [field]
    # institutes count as universities
    r = await client.post(
        "/api/users", json={"login": "inst@example.cn", "role": "university", "org_id": world["V"]}
    )
    assert r.status_code == 201


async def test_audit_log_records_who_what_before_after(client, as_role, world, empty_db):
    import asyncpg

    owner = await as_role("enterprise", world["A"])
    item = (await owner.post("/api/needs", json=need(world["A"], title="原标题"))).json()
    r = await owner.patch(f"/api/needs/{item['id']}", json={"title": "新标题"})
    assert r.status_code == 200
    assert (await owner.delete(f"/api/needs/{item['id']}")).status_code == 204
    assert (await owner.post("/api/needs", json=need(world["B"]))).status_code == 403

    conn = await asyncpg.connect(empty_db)
    try:
        rows = await conn.fetch(
            "SELECT a.*, u.role AS user_role, u.org_id AS user_org FROM audit_log a"
            " JOIN users u ON u.id = a.user_id"
            " WHERE resource = 'rd_needs' ORDER BY a.id"
        )
    finally:
        await conn.close()
    rows = [
        dict(r) | {k: json.loads(r[k]) if r[k] else None for k in ("before", "after")} for r in rows
    ]
    assert [r["action"] for r in rows] == ["create", "update", "delete"]  # the 403 left no row
    assert {(r["user_role"], r["user_org"], r["org_id"]) for r in rows} == {
        ("enterprise", world["A"], world["A"])
    }
    assert rows[0]["before"] is None and rows[0]["after"]["title"] == "原标题"
    assert rows[1]["before"]["title"] == "原标题" and rows[1]["after"]["title"] == "新标题"
    assert rows[2]["before"]["title"] == "新标题" and rows[2]["after"] is None
    assert all(r["resource_id"] == item["id"] and r["token_id"] for r in rows)
