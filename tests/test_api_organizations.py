"""Organizations over HTTP: create, read, patch, delete, list; every bad input is a 4xx naming its field."""

import pytest

from tests.factories import credit_code, enterprise, university


def problem_fields(response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == response.status_code
    return [e["field"] for e in body.get("errors", [])]


async def test_create_read_patch_delete(client):
    r = await client.post("/api/organizations", json=enterprise(industry_code="3091"))
    assert r.status_code == 201, r.text
    org = r.json()
    assert org["industry_code"] == "C3091"  # normalised to section letter + digits
    assert org["version"] == 1

    r = await client.get(f"/api/organizations/{org['id']}")
    assert r.status_code == 200 and r.json()["name"] == "太原晋材新材料科技有限公司"
    assert r.headers["etag"] == 'W/"1"'

    r = await client.patch(f"/api/organizations/{org['id']}", json={"city": "晋中"})
    assert r.status_code == 200, r.text
    assert r.json()["city"] == "晋中" and r.json()["version"] == 2
    assert r.json()["name"] == org["name"]  # absent fields unchanged

    r = await client.delete(f"/api/organizations/{org['id']}")
    assert r.status_code == 204
    r = await client.get(f"/api/organizations/{org['id']}")
    assert r.status_code == 404
    assert "不存在" in r.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field", "phrase"),
    [
        ({"city": "北京"}, "city", "取值无效"),
        ({"kind": "company"}, "kind", "取值无效"),
        ({"credit_code": "91350100M000100Y44"}, "credit_code", "校验位错误"),
        ({"credit_code": "9135010"}, "credit_code", "18 位"),
        ({"credit_code": "91350100M000100YI3"}, "credit_code", "非法字符"),
        ({"credit_code": None}, "credit_code", "必须填写"),
        ({"industry_code": "9999"}, "industry_code", "GB/T 4754-2017"),
        ({"name": "企" * 101}, "name", "不能超过 100"),
        ({"name": "   "}, "name", "不能为空"),
        ({"name": "a\u0000b"}, "name", "空字符"),
        ({"tags": "专精特新"}, "tags", "应为数组"),
        ({"tags": ["世界五百强"]}, "tags.0", "取值无效"),
        ({"unknown": 1}, "unknown", "不允许的字段"),
        ({"description": "长" * 5001}, "description", "不能超过 5000"),
    ],
)
async def test_bad_input_names_the_field(client, change, field, phrase):
    r = await client.post("/api/organizations", json=enterprise(**change))
    assert r.status_code == 422, r.text
    assert field in problem_fields(r)
    messages = " ".join(e["message"] for e in r.json()["errors"])
    assert phrase in messages
    # nothing was stored
    assert (await client.get("/api/organizations")).json()["total"] == 0


async def test_missing_required_field(client):
    body = enterprise()
    del body["name"]
    r = await client.post("/api/organizations", json=body)
    assert r.status_code == 422
    assert problem_fields(r) == ["name"]
    assert r.json()["errors"][0]["message"] == "缺少必填字段 name"


async def test_only_enterprises_carry_tags(client):
    r = await client.post("/api/organizations", json=university(tags=["专精特新"]))
    assert r.status_code == 422 and problem_fields(r) == ["tags"]


async def test_duplicate_credit_code_is_a_conflict(client):
    code = credit_code()
    assert (
        await client.post("/api/organizations", json=enterprise(credit_code=code))
    ).status_code == 201
    r = await client.post("/api/organizations", json=enterprise(credit_code=code))
    assert r.status_code == 409
    assert problem_fields(r) == ["credit_code"]


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b'{"kind": "enterprise", "name": "\xff\xfe"}', 400),  # invalid UTF-8
        (b'{"kind": ', 400),  # truncated
        (b"[" * 100_000, 400),  # nesting beyond the decoder's depth
        (b'"just a string"', 422),
        ('{"name": "\\ud800", "kind": "agency", "city": "太原"}'.encode(), 400),  # lone surrogate
    ],
)
async def test_malformed_bodies(client, content, status):
    r = await client.post(
        "/api/organizations", content=content, headers={"content-type": "application/json"}
    )
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_oversized_body_is_413(client):
    content = b'{"description": "' + b"x" * 1_100_000 + b'"}'
    r = await client.post(
        "/api/organizations", content=content, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["title"] == "请求体过大"


async def test_unknown_ids_and_routes(client):
    for path in ("/api/organizations/12345", "/api/organizations/99999999999999999999999"):
        r = await client.get(path)
        assert r.status_code == 404, path
    r = await client.patch("/api/organizations/12345", json={"name": "x"})
    assert r.status_code == 404
    r = await client.delete("/api/organizations/12345")
    assert r.status_code == 404
    r = await client.get("/api/nothing-here")
    assert r.status_code == 404 and r.json()["type"] == "/problems/http-404"


async def test_patch_validates_the_merged_record(client):
    org = (await client.post("/api/organizations", json=enterprise())).json()
    r = await client.patch(
        f"/api/organizations/{org['id']}", json={"credit_code": "91350100M000100Y44"}
    )
    assert r.status_code == 422 and problem_fields(r) == ["credit_code"]
    r = await client.patch(f"/api/organizations/{org['id']}", json={"kind": "university"})
    assert r.status_code == 422 and problem_fields(r) == ["kind"]  # kind cannot change
    r = await client.patch(f"/api/organizations/{org['id']}", json={"name": None})
    assert r.status_code == 422 and problem_fields(r) == ["name"]
    assert (await client.get(f"/api/organizations/{org['id']}")).json()["version"] == 1


async def test_if_match_detects_lost_updates(client):
    org = (await client.post("/api/organizations", json=enterprise())).json()
    url = f"/api/organizations/{org['id']}"
    r = await client.patch(url, json={"name": "第一次修改"}, headers={"If-Match": 'W/"1"'})
    assert r.status_code == 200 and r.headers["etag"] == 'W/"2"'
    r = await client.patch(url, json={"name": "基于旧版本的修改"}, headers={"If-Match": 'W/"1"'})
    assert r.status_code == 412
    assert (await client.get(url)).json()["name"] == "第一次修改"
    r = await client.patch(url, json={"name": "x"}, headers={"If-Match": "garbage"})
    assert r.status_code == 422 and problem_fields(r) == ["If-Match"]


async def test_list_filters_and_pagination(client):
    for i, city in enumerate(["太原", "太原", "大同", "运城", "省外"]):
        body = enterprise(name=f"企业{i}", city=city, tags=["高新技术企业"] if i % 2 else [])
        assert (await client.post("/api/organizations", json=body)).status_code == 201
    await client.post("/api/organizations", json=university())

    page = (await client.get("/api/organizations", params={"limit": 2})).json()
    assert page["total"] == 6 and len(page["items"]) == 2 and page["limit"] == 2
    rest = (await client.get("/api/organizations", params={"limit": 100, "offset": 2})).json()
    assert len(rest["items"]) == 4
    ids = [o["id"] for o in page["items"] + rest["items"]]
    assert len(set(ids)) == 6  # pages do not overlap

    r = (
        await client.get("/api/organizations", params={"city": "太原", "kind": "enterprise"})
    ).json()
    assert r["total"] == 2
    r = (await client.get("/api/organizations", params={"tags": "高新技术企业"})).json()
    assert {o["name"] for o in r["items"]} == {"企业1", "企业3"}
    r = (await client.get("/api/organizations", params={"industry": "C30"})).json()
    assert r["total"] == 5

    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10_001}, "offset"),
        ({"limit": "many"}, "limit"),
        ({"city": "北京"}, "city"),
        ({"q": "煤" * 101}, "q"),
    ):
        r = await client.get("/api/organizations", params=params)
        assert r.status_code == 422, params
        assert field in problem_fields(r)


async def test_bad_requests_do_not_drain_the_pool(client):
    # More failing requests than the pool has connections: each must give its connection back.
    for _ in range(25):
        assert (await client.get("/api/organizations", params={"city": "北京"})).status_code == 422
        r = await client.post(
            "/api/organizations", content=b"{", headers={"content-type": "application/json"}
        )
        assert r.status_code == 400
    assert (await client.get("/api/organizations")).status_code == 200
