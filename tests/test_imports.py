"""Excel/CSV import over HTTP: preview with row-level errors, then all-or-nothing saving."""

import io

from openpyxl import Workbook

from tests.factories import enterprise, university
from tests.rounds_helpers import make_org


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    sheet = wb.active
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


NEEDS_SHEET = [
    ["标题", "描述", "关键词", "学科代码", "预算下限", "预算上限", "揭榜挂帅", "榜单金额", "状态"],
    ["焦化废水深度处理", "酚氰废水超标", "焦化废水、膜处理", "B07", 100000, 300000, "否", None, "发布"],
    ["碳纤维原丝预氧化", "", "碳纤维，预氧化", "E03", 500000, 200000, "否", None, "草稿"],
    ["", "没有标题", "", "", None, None, "否", None, "草稿"],
    ["煤焦油加氢", "", "煤焦油", "B06", "三十万", None, "是", None, "发布"],
]  # fmt: skip


async def _count(client, path: str, owner: int) -> int:
    r = await client.get(path, params={"owner": owner})
    assert r.status_code == 200, r.text
    return r.json()["total"]


async def test_preview_names_bad_rows_and_fields_and_saves_nothing(client, as_role):
    org = await make_org(client, **enterprise())
    ent = await as_role("enterprise", org)
    files = {"file": ("needs.xlsx", xlsx(NEEDS_SHEET), "application/octet-stream")}
    r = await ent.post("/api/imports/needs/preview", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 4 and body["valid"] == 1 and body["owner_id"] == org
    assert [row["ok"] for row in body["rows"]] == [True, False, False, False]
    assert body["rows"][0]["values"]["title"] == "焦化废水深度处理"
    errors = {(e["row"], e["field"]) for e in body["errors"]}
    # Row 3: the domain check (budget range); row 4: empty title (msgspec min_length);
    # row 5: a number that is not one, and a challenge without a reward is not reached.
    assert (3, "budget_min") in errors
    assert (4, "title") in errors
    assert (5, "budget_min") in errors
    by_row = {e["row"]: e for e in body["errors"]}
    assert by_row[3]["column"] == "预算下限" and "大于上限" in by_row[3]["message"]
    assert "三十万" in by_row[5]["message"]
    assert await _count(client, "/api/needs", org) == 0

    # Saving the same file is refused as a whole, with the same row-level errors.
    r = await ent.post("/api/imports/needs", files=files)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert {(e["row"], e["field"]) for e in r.json()["errors"]} == errors
    assert await _count(client, "/api/needs", org) == 0


async def test_import_saves_all_rows_in_one_go(client, as_role):
    org = await make_org(client, **enterprise())
    ent = await as_role("enterprise", org)
    good = [NEEDS_SHEET[0], NEEDS_SHEET[1], ["揭榜：催化剂寿命", "", "催化剂", "B06", None, None,
                                            "是", 900000, "发布"]]  # fmt: skip
    files = {"file": ("needs.xlsx", xlsx(good), "application/octet-stream")}
    r = await ent.post("/api/imports/needs", files=files)
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 2
    items = (await client.get("/api/needs", params={"owner": org})).json()["items"]
    by_title = {n["title"]: n for n in items}
    assert by_title["焦化废水深度处理"]["keywords"] == ["焦化废水", "膜处理"]
    assert by_title["焦化废水深度处理"]["status"] == "published"
    assert by_title["揭榜：催化剂寿命"]["is_challenge"] is True
    assert by_title["揭榜：催化剂寿命"]["reward"] == 900000


async def test_csv_talent_pools_in_gbk_with_english_headers(client, as_role):
    org = await make_org(client, **university())
    uni = await as_role("university", org)
    text = (
        "major_name,major_code,degree_level,graduation_year,graduates,skills,city\n"
        "计算机科学与技术,080901,本科,2027,150,Python;深度学习,太原\n"
        "化学工程,08130,本科,2027,0,,太原\n"
        "材料,080401,学士,2027,10,,北京\n"
    )
    files = {"file": ("pools.csv", text.encode("gb18030"), "text/csv")}
    r = await uni.post("/api/imports/talent-pools/preview", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["valid"] == 1
    errors = {(e["row"], e["field"]) for e in body["errors"]}
    # msgspec reports the first failing field of a row; the row and field are named.
    assert (3, "major_code") in errors
    assert (4, "degree_level") in errors
    assert body["rows"][0]["values"]["skills"] == "Python;深度学习"
    r = await uni.post("/api/imports/talent-pools", files=files)
    assert r.status_code == 422
    assert await _count(client, "/api/talent-pools", org) == 0


async def test_import_respects_roles_and_kinds(client, as_role):
    ent_org = await make_org(client, **enterprise())
    uni_org = await make_org(client, **university())
    ent = await as_role("enterprise", ent_org)
    coord = await as_role("coordinator")
    sheet = xlsx([["类型", "标题"], ["专家团队", "团队"]])
    files = {"file": ("caps.xlsx", sheet, "application/octet-stream")}
    # An enterprise cannot publish capabilities, neither for itself nor for a university.
    r = await ent.post("/api/imports/capabilities/preview", files=files)
    assert r.status_code == 403
    r = await ent.post(
        "/api/imports/capabilities/preview", files=files, data={"owner_id": str(uni_org)}
    )
    assert r.status_code == 403
    # A coordinator has no organization of its own and may not write needs.
    r = await coord.post("/api/imports/needs/preview", files=files)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "owner_id"
    # An admin imports for a named organization.
    r = await client.post("/api/imports/capabilities", files=files, data={"owner_id": str(uni_org)})
    assert r.status_code == 201, r.text
    assert await _count(client, "/api/capabilities", uni_org) == 1
    assert (await ent.post("/api/imports/widgets/preview", files=files)).status_code == 404
    r = await client.post(
        "/api/imports/needs/preview",
        files={"file": ("x.xlsx", xlsx([["foo", "bar"], [1, 2]]), "application/octet-stream")},
        data={"owner_id": str(ent_org)},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    assert "标题" in r.json()["errors"][0]["message"]
    r = await client.post(
        "/api/imports/needs/preview",
        files={"file": ("x.txt", b"hello", "text/plain")},
        data={"owner_id": str(ent_org)},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    assert (await client.post("/api/imports/needs/preview")).status_code in (400, 422)
