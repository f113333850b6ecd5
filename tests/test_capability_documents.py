"""A capability's documents over HTTP (issue #14 item 3): replace, add, list, owner-only writes
with audit, every bad input a 4xx naming its field, and recommendations that use them."""

from __future__ import annotations

import pytest

from service.recommend import Recommender
from tests.factories import capability, need, university
from tests.rounds_helpers import make, make_org

PAPERS = [
    {"kind": "paper", "title": "中低温煤焦油加氢精制催化剂结焦失活机理", "year": 2023,
     "abstract": "考察镍钼催化剂的积炭与金属沉积。", "keywords": ["煤焦油", "催化剂失活"]},
    {"kind": "patent", "title": "一种抗结焦加氢保护剂及其制备方法", "year": 2021},
    {"kind": "project", "title": "Coal tar hydrotreating pilot（中试）", "year": 2019},
]  # fmt: skip


@pytest.fixture
async def team(client):
    uni = await make_org(client, **university(name="太原理工大学", city="太原"))
    other = await make_org(client, **university(name="中北大学", city="太原"))
    cap = await make(client, "/api/capabilities", capability(uni, title="化工材料团队",
                     keywords=["材料"], description="材料研究"))  # fmt: skip
    return {"uni": uni, "other": other, "cap": cap}


async def test_replace_add_list_and_audit(client, anon, as_role, team, conn):
    url = f"/api/capabilities/{team['cap']}/documents"
    owner = await as_role("university", team["uni"])
    r = await owner.put(url, json={"documents": PAPERS[:2]})
    assert r.status_code == 200, r.text
    assert [d["title"] for d in r.json()["items"]] == [p["title"] for p in PAPERS[:2]]
    r = await owner.post(url, json={"documents": [PAPERS[2]]})
    assert r.status_code == 201, r.text
    body = (await anon.get(url)).json()
    assert body["total"] == 3 and [d["position"] for d in body["items"]] == [0, 1, 2]
    assert body["items"][2]["kind"] == "project" and body["items"][0]["year"] == 2023
    r = await owner.put(url, json={"documents": [PAPERS[1]]})
    assert r.json()["total"] == 1
    n = await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE resource = 'capability_documents' "
        "AND resource_id = $1",
        team["cap"],
    )
    assert n == 3
    # Deleting the capability deletes its documents.
    assert (await client.delete(f"/api/capabilities/{team['cap']}")).status_code in (200, 204)
    assert await conn.fetchval("SELECT count(*) FROM capability_documents") == 0


async def test_only_the_owner_writes(client, as_role, team):
    url = f"/api/capabilities/{team['cap']}/documents"
    stranger = await as_role("university", team["other"])
    assert (await stranger.put(url, json={"documents": PAPERS})).status_code == 403
    assert (await stranger.post(url, json={"documents": PAPERS})).status_code == 403
    ent = await make_org(client, **_ent())
    enterprise = await as_role("enterprise", ent)
    assert (await enterprise.post(url, json={"documents": PAPERS})).status_code == 403


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json()["errors"]}


@pytest.mark.parametrize(
    ("documents", "field"),
    [
        ([PAPERS[0], {**PAPERS[1], "title": " 中低温煤焦油加氢精制催化剂结焦失活机理。"}],
         "documents.1.title"),
        ([{"title": "   "}], "documents.0.title"),
        ([{"title": "——"}], "documents.0.title"),
        ([{"title": "x", "year": 1800}], "documents.0.year"),
        ([{"title": "x", "kind": "book"}], "documents.0.kind"),
        ([{"title": "x", "abstract": "字" * 5001}], "documents.0.abstract"),
        ([{"title": "x", "keywords": ["k"] * 31}], "documents.0.keywords"),
        ([{"title": f"论文{i}"} for i in range(501)], "documents"),
    ],
)  # fmt: skip
async def test_bad_documents_name_the_field(as_role, team, documents, field):
    owner = await as_role("university", team["uni"])
    r = await owner.put(f"/api/capabilities/{team['cap']}/documents", json={"documents": documents})
    assert r.status_code == 422, r.text
    assert field in _fields(r)


async def test_adding_past_the_cap_or_a_duplicate(as_role, team, conn):
    url = f"/api/capabilities/{team['cap']}/documents"
    owner = await as_role("university", team["uni"])
    many = [{"title": f"论文{i}"} for i in range(499)]
    assert (await owner.put(url, json={"documents": many})).status_code == 200
    r = await owner.post(url, json={"documents": [{"title": "新论文甲"}, {"title": "新论文乙"}]})
    assert r.status_code == 422 and "documents" in _fields(r)
    r = await owner.post(url, json={"documents": [{"title": "论文 7"}]})
    assert r.status_code == 409 and "documents.0.title" in _fields(r)
    assert await conn.fetchval("SELECT count(*) FROM capability_documents") == 499
    assert (await owner.get(f"/api/capabilities/{team['cap'] + 999}/documents")).status_code == 404


async def test_recommendations_find_a_team_by_its_documents(client, as_role, team, app):
    app.state.recommender = Recommender()
    ent = await make_org(client, **_ent())
    tar = await make(client, "/api/needs", need(ent, title="煤焦油加氢精制催化剂结焦失活",
                     keywords=["煤焦油", "催化剂失活"], field_codes=["B06"]))  # fmt: skip
    plain = await make(client, "/api/capabilities", capability(team["other"], title="化工材料团队",
                       keywords=["材料"], description="材料研究"))  # fmt: skip
    owner = await as_role("university", team["uni"])
    await owner.put(f"/api/capabilities/{team['cap']}/documents", json={"documents": PAPERS})
    r = (await client.get(f"/api/needs/{tar}/recommendations")).json()
    ids = [x["id"] for x in r["items"]]
    assert ids.index(team["cap"]) < ids.index(plain)
    first = r["items"][0]
    assert first["id"] == team["cap"]
    assert PAPERS[0]["title"] in first["matched_terms"]["documents"]
    assert first["components"]["documents"] > 0


def _ent() -> dict:
    from tests.factories import enterprise

    return enterprise(name="孝义市晋焦化工有限公司", city="吕梁")


async def test_import_documents_from_xlsx_and_csv(as_role, team, conn):
    from tests.test_imports import xlsx

    url = f"/api/capabilities/{team['cap']}/documents/import"
    owner = await as_role("university", team["uni"])
    sheet = [
        ["类型", "标题", "摘要", "关键词", "年份"],
        ["论文", PAPERS[0]["title"], "镍钼催化剂积炭", "煤焦油，催化剂失活", 2023],
        ["专利", PAPERS[1]["title"], None, None, "2021"],
    ]
    files = {"file": ("docs.xlsx", xlsx(sheet), "application/octet-stream")}
    r = await owner.post(url, files=files)
    assert r.status_code == 201, r.text
    items = r.json()["items"]
    assert [d["kind"] for d in items] == ["paper", "patent"]
    assert items[0]["keywords"] == ["煤焦油", "催化剂失活"] and items[1]["year"] == 2021
    # A CSV that repeats a title and has a bad year: nothing saved, rows and columns named.
    csv = "标题,年份\n新论文,2020\n新 论文,2020\n另一篇,公元\n".encode()
    files = {"file": ("docs.csv", csv, "text/csv")}
    r = await owner.post(url, files=files, data={"mode": "replace"})
    assert r.status_code == 422, r.text
    errs = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert errs == {(4, "年份")}
    csv = "标题,年份\n新论文,2020\n新 论文,2020\n".encode()
    r = await owner.post(url, files={"file": ("d.csv", csv, "text/csv")}, data={"mode": "replace"})
    assert r.status_code == 422 and {(e["row"], e["column"]) for e in r.json()["errors"]} == {
        (3, "标题")
    }
    assert await conn.fetchval("SELECT count(*) FROM capability_documents") == 2
    csv = "标题,年份\n新论文,2020\n".encode()
    r = await owner.post(url, files={"file": ("d.csv", csv, "text/csv")}, data={"mode": "replace"})
    assert r.status_code == 201 and r.json()["total"] == 1
    stranger = await as_role("university", team["other"])
    r = await stranger.post(url, files={"file": ("d.csv", csv, "text/csv")})
    assert r.status_code == 403


async def test_a_round_scores_documents_and_flags_weak_pairs(client, empty_db):
    from tests.rounds_helpers import open_challenge_world, run_to_completion

    w = await open_challenge_world(client)
    r = await client.put(
        f"/api/capabilities/{w['magnesium_team']}/documents", json={"documents": PAPERS}
    )
    assert r.status_code == 200, r.text
    r = await client.post("/api/rounds", json={
        "kind": "open_challenge", "title": "揭榜挂帅", "scope": {"cities": ["吕梁", "太原"]},
        "method": "optimal", "loads": {"demand_min": 0, "demand_max": 1},
    })  # fmt: skip
    rid = r.json()["id"]
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    run = await run_to_completion(client, empty_db, rid)
    res = (await client.get(f"/api/runs/{run['id']}/results")).json()
    tar = {d["demand_id"]: d for d in res["demands"]}[w["tar"]]
    mg = [c for c in tar["ranked"] if c["supply_id"] == w["magnesium_team"]]
    assert mg and mg[0]["components"]["documents"] > 0
    assert any(c["weak"] for d in res["demands"] for c in d["ranked"])
    assert all(not c["weak"] for c in tar["chosen"])
