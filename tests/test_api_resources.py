"""Needs, jobs, capabilities and talent pools over HTTP: ownership, domain validation,
filters and Chinese keyword search."""

from datetime import date, timedelta

import pytest

from tests.factories import capability, enterprise, job, need, talent_pool, university
from tests.test_api_organizations import problem_fields


@pytest.fixture
async def orgs(client):
    ent = (await client.post("/api/organizations", json=enterprise())).json()
    ent2 = (
        await client.post(
            "/api/organizations",
            json=enterprise(
                name="运城晋南食品有限公司", city="运城", industry_code="C1469", tags=[]
            ),
        )
    ).json()
    uni = (await client.post("/api/organizations", json=university())).json()
    inst = (
        await client.post(
            "/api/organizations",
            json={"kind": "institute", "name": "中国科学院山西煤炭化学研究所", "city": "太原"},
        )
    ).json()
    return {"ent": ent["id"], "ent2": ent2["id"], "uni": uni["id"], "inst": inst["id"]}


COLLECTIONS = [
    ("/api/needs", need, "ent"),
    ("/api/jobs", job, "ent"),
    ("/api/capabilities", capability, "uni"),
    ("/api/talent-pools", talent_pool, "uni"),
]


@pytest.mark.parametrize(("path", "factory", "owner"), COLLECTIONS)
async def test_crud_round_trip(client, orgs, path, factory, owner):
    r = await client.post(path, json=factory(orgs[owner]))
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["owner_id"] == orgs[owner] and item["owner_name"] and item["owner_city"] == "太原"
    url = f"{path}/{item['id']}"
    assert (await client.get(url)).json() == item
    r = await client.patch(url, json={"status": "closed"})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["version"] == 2
    r = await client.patch(url, json={"owner_id": orgs["inst"]})
    assert r.status_code == 422 and problem_fields(r) == ["owner_id"]  # ownership never moves
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404


@pytest.mark.parametrize(("path", "factory", "owner"), COLLECTIONS)
async def test_wrong_or_unknown_owner(client, orgs, path, factory, owner):
    wrong = "uni" if owner == "ent" else "ent"
    r = await client.post(path, json=factory(orgs[wrong]))
    assert r.status_code == 422 and problem_fields(r) == ["owner_id"]
    assert "只能由" in r.json()["errors"][0]["message"]
    r = await client.post(path, json=factory(987654))
    assert r.status_code == 422 and "不存在" in r.json()["errors"][0]["message"]


async def test_institutes_publish_capabilities_but_not_talent_pools(client, orgs):
    assert (
        await client.post("/api/capabilities", json=capability(orgs["inst"]))
    ).status_code == 201
    r = await client.post("/api/talent-pools", json=talent_pool(orgs["inst"]))
    assert r.status_code == 422 and problem_fields(r) == ["owner_id"]


def past(days: int = 1) -> str:
    return (date.today() - timedelta(days=days + 1)).isoformat()


@pytest.mark.parametrize(
    ("change", "field", "phrase"),
    [
        ({"budget_min": 900000, "budget_max": 100}, "budget_min", "大于上限"),
        ({"budget_min": -1}, "budget_min", "大于或等于 0"),
        ({"budget_max": "很多"}, "budget_max", "应为整数"),
        ({"deadline": past()}, "deadline", "早于今天"),
        ({"deadline": "2027-02-30"}, "deadline", "日期格式无效"),
        ({"is_challenge": True}, "reward", "必须填写榜单金额"),
        ({"reward": 100000}, "reward", "只有揭榜挂帅"),
        ({"field_codes": ["Z99"]}, "field_codes.0", "申请代码"),
        ({"cooperation_modes": ["外包"]}, "cooperation_modes.0", "取值无效"),
        ({"keywords": ["煤"] * 31}, "keywords", "最多 30 项"),
        ({"keywords": ["煤" * 41]}, "keywords.0", "不能超过 40"),
        ({"keywords": [" "]}, "keywords.0", "不能为空"),
        ({"title": ""}, "title", "不能为空"),
        ({"status": "deleted"}, "status", "取值无效"),
        ({"owner_id": "1"}, "owner_id", "应为整数"),
        ({"owner_id": 0}, "owner_id", "大于或等于 1"),
    ],
)
async def test_need_validation(client, orgs, change, field, phrase):
    r = await client.post("/api/needs", json=need(orgs["ent"]) | change)
    assert r.status_code == 422, r.text
    assert field in problem_fields(r)
    assert phrase in " ".join(e["message"] for e in r.json()["errors"])
    assert (await client.get("/api/needs")).json()["total"] == 0


async def test_open_challenge_with_reward(client, orgs):
    r = await client.post(
        "/api/needs",
        json=need(orgs["ent"], is_challenge=True, reward=2_000_000, field_codes=["b06"]),
    )
    assert r.status_code == 201, r.text
    assert r.json()["field_codes"] == ["B06"] and r.json()["reward"] == 2_000_000


async def test_patch_keeps_a_passed_deadline_but_rejects_setting_one(client, orgs, conn):
    item = (await client.post("/api/needs", json=need(orgs["ent"], deadline=None))).json()
    # A deadline that has passed since it was set must not block unrelated edits.
    await conn.execute(
        "UPDATE rd_needs SET deadline = $1 WHERE id = $2", date(2020, 1, 1), item["id"]
    )
    r = await client.patch(f"/api/needs/{item['id']}", json={"title": "新标题"})
    assert r.status_code == 200 and r.json()["deadline"] == "2020-01-01"
    r = await client.patch(f"/api/needs/{item['id']}", json={"deadline": past()})
    assert r.status_code == 422 and problem_fields(r) == ["deadline"]
    r = await client.patch(f"/api/needs/{item['id']}", json={"budget_max": 1})
    assert r.status_code == 422 and problem_fields(r) == ["budget_min"]


@pytest.mark.parametrize(
    ("path", "factory", "owner", "change", "field"),
    [
        ("/api/jobs", job, "ent", {"salary_min": 9000, "salary_max": 5000}, "salary_min"),
        ("/api/jobs", job, "ent", {"min_education": "小学"}, "min_education"),
        ("/api/jobs", job, "ent", {"headcount": 0}, "headcount"),
        ("/api/jobs", job, "ent", {"city": "上海"}, "city"),
        ("/api/capabilities", capability, "uni", {"kind": "robot"}, "kind"),
        ("/api/capabilities", capability, "uni", {"capacity": 0}, "capacity"),
        (
            "/api/capabilities",
            capability,
            "uni",
            {"patent_number": "ZL2021101234567"},
            "patent_number",
        ),
        (
            "/api/capabilities",
            capability,
            "uni",
            {"kind": "achievement", "patent_number": "abc"},
            "patent_number",
        ),
        ("/api/talent-pools", talent_pool, "uni", {"major_code": "08x901"}, "major_code"),
        ("/api/talent-pools", talent_pool, "uni", {"graduation_year": 1900}, "graduation_year"),
        ("/api/talent-pools", talent_pool, "uni", {"graduates": -3}, "graduates"),
        ("/api/talent-pools", talent_pool, "uni", {"degree_level": "Master"}, "degree_level"),
    ],
)
async def test_other_validation(client, orgs, path, factory, owner, change, field):
    r = await client.post(path, json=factory(orgs[owner], **change))
    assert r.status_code == 422, r.text
    assert field in problem_fields(r)


async def test_patent_numbers(client, orgs):
    body = capability(orgs["uni"], kind="achievement", patent_number="zl 202110123456.7")
    r = await client.post("/api/capabilities", json=body)
    assert r.status_code == 201 and r.json()["patent_number"] == "ZL202110123456.7"


async def test_need_filters(client, orgs):
    bodies = [
        need(orgs["ent"], title="碳纤维原丝稳定化工艺", keywords=["碳纤维"], field_codes=["E03"]),
        need(orgs["ent"], title="煤焦油加氢催化剂", is_challenge=True, reward=500000),
        need(orgs["ent2"], title="小米醋酿造菌种筛选", keywords=["食醋"], field_codes=["C20"]),
        need(orgs["ent2"], title="杂粮饼干配方", status="draft", field_codes=["C20"]),
    ]
    for b in bodies:
        assert (await client.post("/api/needs", json=b)).status_code == 201

    async def titles(**params):
        r = await client.get("/api/needs", params=params)
        assert r.status_code == 200, r.text
        return {n["title"] for n in r.json()["items"]}

    assert await titles(city="运城") == {"小米醋酿造菌种筛选", "杂粮饼干配方"}
    assert await titles(status="draft") == {"杂粮饼干配方"}
    assert await titles(is_challenge="true") == {"煤焦油加氢催化剂"}
    assert await titles(field="C2") == {"小米醋酿造菌种筛选", "杂粮饼干配方"}
    assert await titles(field="E03") == {"碳纤维原丝稳定化工艺"}
    assert await titles(industry="C14") == {"小米醋酿造菌种筛选", "杂粮饼干配方"}
    assert await titles(tags="专精特新") == {"碳纤维原丝稳定化工艺", "煤焦油加氢催化剂"}
    assert await titles(owner=orgs["ent"], field="B06") == {"煤焦油加氢催化剂"}


async def test_chinese_keyword_search(client, orgs):
    for b in [
        need(
            orgs["ent"],
            title="碳纤维原丝稳定化工艺优化",
            description="原丝在预氧化炉中受热不均",
            keywords=["碳纤维", "预氧化"],
        ),
        need(orgs["ent"], title="煤焦油加氢催化剂寿命提升", keywords=["煤焦油"]),
        need(
            orgs["ent"],
            title="ＡＩ视觉检测皮带撕裂",
            description="基于机器视觉的输送带检测",
            keywords=[],
        ),
    ]:
        assert (await client.post("/api/needs", json=b)).status_code == 201

    async def search(q):
        r = await client.get("/api/needs", params={"q": q})
        assert r.status_code == 200
        return [n["title"] for n in r.json()["items"]]

    assert await search("碳纤维") == ["碳纤维原丝稳定化工艺优化"]
    assert await search("加氢") == [
        "煤焦油加氢催化剂寿命提升"
    ]  # two characters, below trigram size
    assert await search("煤") == ["煤焦油加氢催化剂寿命提升"]
    assert await search("ai 视觉") == ["ＡＩ视觉检测皮带撕裂"]  # full-width and case folded
    assert await search("预氧化") == ["碳纤维原丝稳定化工艺优化"]  # keywords are searched too
    assert await search("石墨烯") == []
    assert await search("100%_") == []  # LIKE wildcards are literal


async def test_search_other_collections(client, orgs):
    await client.post(
        "/api/jobs", json=job(orgs["ent"], title="机器视觉算法工程师", skills=["OpenCV"])
    )
    await client.post(
        "/api/capabilities",
        json=capability(orgs["uni"], title="镁合金压铸团队", keywords=["镁合金"]),
    )
    await client.post(
        "/api/talent-pools", json=talent_pool(orgs["uni"], major_name="材料科学与工程")
    )
    assert (await client.get("/api/jobs", params={"q": "opencv"})).json()["total"] == 1
    assert (await client.get("/api/capabilities", params={"q": "镁合金"})).json()["total"] == 1
    assert (await client.get("/api/talent-pools", params={"q": "材料"})).json()["total"] == 1
    assert (await client.get("/api/talent-pools", params={"degree_level": "硕士"})).json()[
        "total"
    ] == 0
    assert (await client.get("/api/organizations", params={"q": "煤炭化学"})).json()["total"] == 1
