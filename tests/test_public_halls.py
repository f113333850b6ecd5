"""The public halls, detail pages and catalogue as an anonymous visitor sees them (HTML through the
test client): published records only, no contact details, names instead of codes, every filter and
sort, paging, and a Chinese 400 page naming a bad parameter."""

import asyncio
import io
import re
from datetime import date, timedelta
from html import unescape

import openpyxl
import pytest

from service.reference import names
from tests import factories as f

CONTACTS = ("郭振华", "0351-7444512", "许研究员", "0351-4045099")


def visible_text(html: str) -> str:
    """What a reader sees: the page without tags and attributes (hover titles, option values)."""
    html = re.sub(r"<(script|style|select)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def titles(html: str) -> list[str]:
    found = re.findall(r'<h2 class="title"><a href="[^"]+">([^<]+)</a>', html)
    return [unescape(t) for t in found]


async def _need(client, owner, **over) -> int:
    r = await client.post("/api/needs", json=f.need(owner, **over))
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture
async def world(client):
    """An enterprise with a contact person, a university, and needs in every status."""
    ent = await client.post(
        "/api/organizations",
        json=f.enterprise(contact_name="郭振华", contact_phone="0351-7444512"),
    )
    ent = ent.json()
    uni = (await client.post("/api/organizations", json=f.university())).json()
    ids = {
        "published": await _need(client, ent["id"], title="煤焦油加氢催化剂寿命提升"),
        "draft": await _need(client, ent["id"], title="草稿里的保密需求", status="draft"),
        "closed": await _need(client, ent["id"], title="已经关闭的旧需求", status="closed"),
    }
    cap = await client.post(
        "/api/capabilities", json=f.capability(uni["id"], contact="许研究员 0351-4045099")
    )
    assert cap.status_code == 201, cap.text
    ids["capability"] = cap.json()["id"]
    return {"ent": ent, "uni": uni, **ids}


# --- visibility ----------------------------------------------------------------------------


async def test_anonymous_sees_published_only(anon, world):
    r = await anon.get("/halls/needs")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert titles(r.text) == ["煤焦油加氢催化剂寿命提升"]
    for key in ("draft", "closed"):
        d = await anon.get(f"/halls/needs/{world[key]}")
        assert d.status_code == 404
        assert "不存在或未公开" in d.text
    ok = await anon.get(f"/halls/needs/{world['published']}")
    assert ok.status_code == 200 and "煤焦油加氢催化剂寿命提升" in ok.text
    # The same rule on the JSON API: closed records are for logged-in users only.
    listed = (await anon.get("/api/needs")).json()
    assert [i["id"] for i in listed["items"]] == [world["published"]]
    assert (await anon.get(f"/api/needs/{world['closed']}")).status_code == 404
    assert (await anon.get(f"/api/needs/{world['closed']}/recommendations")).status_code == 404


async def test_logged_in_users_still_see_closed_records(as_role, world):
    other = await as_role("university", world["uni"]["id"])
    listed = (await other.get("/api/needs")).json()
    assert {i["id"] for i in listed["items"]} == {world["published"], world["closed"]}
    assert (await other.get(f"/api/needs/{world['closed']}")).status_code == 200
    assert (await other.get(f"/api/needs/{world['draft']}")).status_code == 404


async def test_contacts_never_in_public_pages(anon, world):
    pages = [
        "/",
        "/halls/needs",
        "/halls/capabilities",
        f"/halls/needs/{world['published']}",
        f"/halls/capabilities/{world['capability']}",
        "/catalogue",
        "/sitemap.xml",
    ]
    for url in pages:
        r = await anon.get(url)
        assert r.status_code == 200, url
        for secret in CONTACTS:
            assert secret not in r.text, (url, secret)
    cap = await anon.get(f"/halls/capabilities/{world['capability']}")
    assert "煤化工催化团队" in cap.text
    xlsx = await anon.get("/catalogue.xlsx")
    cells = " ".join(str(c.value) for row in _sheet(xlsx.content).iter_rows() for c in row)
    assert not any(secret in cells for secret in CONTACTS)


async def test_detail_links_to_contact_and_login(anon, world):
    r = await anon.get(f"/halls/needs/{world['published']}")
    assert f'href="/contact/new?target=need:{world["published"]}"' in r.text
    # 登录 links carry next= back (to the contact form, to this page): tests/test_public_publicity_viewer.py
    assert 'href="/login?next=' in r.text and 'href="/register"' in r.text
    cap = await anon.get(f"/halls/capabilities/{world['capability']}")
    assert f'href="/contact/new?target=capability:{world["capability"]}"' in cap.text
    assert (await anon.get("/halls/needs/99999")).status_code == 404
    assert (await anon.get("/halls/nothing")).status_code == 404


# --- names instead of codes ----------------------------------------------------------------


async def test_names_shown_for_codes(anon, world):
    industry = names.industry("C3091")
    field = names.field("B06")
    for url in ("/halls/needs", f"/halls/needs/{world['published']}", "/catalogue"):
        html = (await anon.get(url)).text
        text = visible_text(html)
        assert industry.name in text and field.name in text, url
        # Codes only on hover (title attributes), never as the text a reader sees.
        assert "C3091" not in text and "B06" not in text, url
        assert 'title="GB/T 4754-2017 C3091' in html


async def test_talent_and_jobs_show_names(client, anon):
    ent = (await client.post("/api/organizations", json=f.enterprise())).json()
    uni = (await client.post("/api/organizations", json=f.university())).json()
    assert (await client.post("/api/jobs", json=f.job(ent["id"]))).status_code == 201
    assert (
        await client.post("/api/talent-pools", json=f.talent_pool(uni["id"]))
    ).status_code == 201
    jobs = visible_text((await anon.get("/halls/jobs")).text)
    assert "数据分析工程师" in jobs and "本科" in jobs and names.industry("C3091").name in jobs
    talent = (await anon.get("/halls/talent")).text
    assert "化学工程与工艺" in visible_text(talent) and "081301" not in visible_text(talent)
    assert 'title="专业代码 081301"' in talent
    # Their detail pages: the 对接 link names the kind, and no contact is shown.
    job_id = re.search(r'href="/halls/jobs/(\d+)"', (await anon.get("/halls/jobs")).text)[1]
    job = (await anon.get(f"/halls/jobs/{job_id}")).text
    assert f'href="/contact/new?target=job:{job_id}"' in job and "月薪" in visible_text(job)
    pool_id = re.search(r'href="/halls/talent/(\d+)"', talent)[1]
    pool = (await anon.get(f"/halls/talent/{pool_id}")).text
    assert f'href="/contact/new?target=talent_pool:{pool_id}"' in pool
    assert "月薪从高到低" in (await anon.get("/halls/jobs")).text


# --- filters, sorts, paging ----------------------------------------------------------------


@pytest.fixture
async def spread(client):
    """Needs across cities, industries, fields, modes, budgets and deadlines."""
    ty = (await client.post("/api/organizations", json=f.enterprise(city="太原"))).json()
    dt = (
        await client.post(
            "/api/organizations",
            json=f.enterprise(
                name="大同智能装备有限公司", city="大同", industry_code="C3411", tags=[]
            ),
        )
    ).json()
    soon = (date.today() + timedelta(days=30)).isoformat()
    later = (date.today() + timedelta(days=200)).isoformat()
    ids = {
        "coal": await _need(client, ty["id"], title="煤焦油加氢", deadline=later),
        "water": await _need(
            client, ty["id"], title="工业废水深度处理", keywords=["废水"], field_codes=["E09"],
            cooperation_modes=["技术咨询"], budget_min=50_000, budget_max=100_000, deadline=soon,
        ),
        "robot": await _need(
            client, dt["id"], title="焊接机器人视觉引导", keywords=["机器人"], field_codes=["F03"],
            cooperation_modes=["委托开发"], budget_min=1_000_000, budget_max=2_000_000,
            is_challenge=True, reward=3_000_000,
        ),
    }  # fmt: skip
    return ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=机器人", {"robot"}),
        ("q=煤焦油 加氢", {"coal"}),
        ("city=大同", {"robot"}),
        ("industry=C34", {"robot"}),
        ("industry=C", {"coal", "water", "robot"}),
        ("industry=通用设备制造业", {"robot"}),
        ("field=E09", {"water"}),
        ("field=F", {"robot"}),
        ("field=化学工程及工业化学", {"coal"}),
        ("mode=技术咨询", {"water"}),
        ("challenge=1", {"robot"}),
        ("min=100", {"robot"}),
        ("min=50", {"coal", "robot"}),
        ("max=10", {"water"}),
        ("min=50&max=80", {"coal"}),
        ("city=太原&mode=合作开发", {"coal"}),
    ],
)
async def test_needs_filters(anon, spread, query, expected):
    r = await anon.get(f"/halls/needs?{query}")
    assert r.status_code == 200, r.text
    titles_by_key = {
        "coal": "煤焦油加氢",
        "water": "工业废水深度处理",
        "robot": "焊接机器人视觉引导",
    }
    assert set(titles(r.text)) == {titles_by_key[k] for k in expected}
    assert f"共 {len(expected)} 条" in r.text


async def test_needs_sorts(anon, spread):
    async def order(sort: str, extra: str = "") -> list[str]:
        return titles((await anon.get(f"/halls/needs?sort={sort}{extra}")).text)

    assert await order("newest") == ["焊接机器人视觉引导", "工业废水深度处理", "煤焦油加氢"]
    # The robot need has no deadline: last.
    assert await order("deadline") == ["工业废水深度处理", "煤焦油加氢", "焊接机器人视觉引导"]
    # Reward 300 万 > budget 80 万 > budget 10 万.
    assert await order("amount") == ["焊接机器人视觉引导", "煤焦油加氢", "工业废水深度处理"]
    # pg_trgm relevance: the title that is the query comes first.
    rel = await order("relevance", "&q=加氢")
    assert rel[0] == "煤焦油加氢"


async def test_capability_kind_and_jobs_education_and_talent_year(client, anon):
    uni = (await client.post("/api/organizations", json=f.university())).json()
    ent = (await client.post("/api/organizations", json=f.enterprise())).json()
    await client.post("/api/capabilities", json=f.capability(uni["id"], title="催化团队"))
    await client.post(
        "/api/capabilities",
        json=f.capability(uni["id"], kind="equipment", title="透射电镜共享", field_codes=[]),
    )
    r = await anon.get("/halls/capabilities?kind=equipment")
    assert titles(r.text) == ["透射电镜共享"]
    await client.post("/api/jobs", json=f.job(ent["id"], title="博士研究员", min_education="博士"))
    await client.post("/api/jobs", json=f.job(ent["id"], title="化验员", min_education="大专"))
    assert titles((await anon.get("/halls/jobs?education=博士")).text) == ["博士研究员"]
    await client.post("/api/talent-pools", json=f.talent_pool(uni["id"], graduation_year=2026))
    await client.post(
        "/api/talent-pools",
        json=f.talent_pool(uni["id"], major_name="软件工程", graduation_year=2027),
    )
    talent = (await anon.get("/halls/talent?year=2027")).text
    assert titles(talent) == ["软件工程（本科，2027 届）"]


async def test_paging(client, anon):
    ent = (await client.post("/api/organizations", json=f.enterprise())).json()
    for i in range(25):
        await _need(client, ent["id"], title=f"需求{i:02d}")
    first = await anon.get("/halls/needs")
    assert len(titles(first.text)) == 20 and "第 1 / 2 页" in first.text
    assert 'rel="next" href="/halls/needs?page=2"' in first.text
    second = await anon.get("/halls/needs?page=2")
    assert len(titles(second.text)) == 5
    assert set(titles(first.text)).isdisjoint(titles(second.text))
    beyond = await anon.get("/halls/needs?page=3")
    assert beyond.status_code == 400 and "参数 page 无效" in beyond.text


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/halls/needs?city=北京", "city"),
        ("/halls/needs?industry=Z99", "industry"),
        ("/halls/needs?field=不存在的学科", "field"),
        ("/halls/needs?mode=白送", "mode"),
        ("/halls/needs?min=abc", "min"),
        ("/halls/needs?min=-5", "min"),
        ("/halls/needs?min=90&max=10", "min"),
        ("/halls/needs?max=99999999999999999999", "max"),
        ("/halls/needs?sort=random", "sort"),
        ("/halls/needs?page=0", "page"),
        ("/halls/needs?page=１", "page"),
        ("/halls/needs?challenge=maybe", "challenge"),
        ("/halls/needs?q=" + "长" * 61, "q"),
        ("/halls/capabilities?kind=robot", "kind"),
        ("/halls/jobs?education=小学", "education"),
        ("/halls/talent?year=1800", "year"),
        ("/halls/capabilities?sort=deadline", "sort"),
        ("/catalogue?city=北京", "city"),
        ("/catalogue.xlsx?min=x", "min"),
    ],
)
async def test_bad_parameters_give_400_naming_them(anon, url, param):
    r = await anon.get(url)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert f"参数 {param} 无效" in r.text


async def test_filter_form_keeps_values_and_works_without_javascript(anon, spread):
    html = (await anon.get("/halls/needs?city=大同&industry=C34&challenge=1&sort=amount")).text
    assert '<option value="大同" selected>' in html
    assert '<option value="C34" selected>' in html
    assert 'name="challenge" id="f-challenge" value="1" checked' in html
    assert '<form class="filters" method="get" action="/halls/needs"' in html
    # No inline script (CSP); the one module only adds a type-ahead to the drop-downs.
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/static/public.js">']
    assert 'href="/catalogue?city=%E5%A4%A7%E5%90%8C&amp;industry=C34' in html


# --- home, sitemap, robots -------------------------------------------------------------------


async def test_home_leads_with_the_halls(anon, spread):
    r = await anon.get("/")
    assert r.status_code == 200
    text = visible_text(r.text)
    assert "需求大厅" in text and "成果大厅" in text and "揭榜挂帅" in text
    assert 'action="/halls/needs"' in r.text and 'href="/workspace"' in r.text
    assert "焊接机器人视觉引导" in text  # newest needs and open challenges
    assert re.search(r'<link rel="canonical" href="http://[^"]+/">', r.text)
    assert '<meta name="description"' in r.text
    # The SPA's workspace still answers.
    ws = await anon.get("/workspace")
    assert ws.status_code == 200 and "/static/app.js" in ws.text


async def test_sitemap_and_robots(anon, world):
    sm = await anon.get("/sitemap.xml")
    assert sm.status_code == 200 and "xml" in sm.headers["content-type"]
    assert f"/halls/needs/{world['published']}</loc>" in sm.text
    assert f"/halls/capabilities/{world['capability']}</loc>" in sm.text
    for hidden in ("draft", "closed"):
        assert f"/halls/needs/{world[hidden]}</loc>" not in sm.text
    robots = await anon.get("/robots.txt")
    assert "Sitemap: " in robots.text and "/sitemap.xml" in robots.text
    assert "Disallow: /api/" in robots.text and "Disallow: /workspace" in robots.text


# --- catalogue -----------------------------------------------------------------------------


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


async def test_catalogue_numbering_and_grouping(anon, spread):
    html = (await anon.get("/catalogue")).text
    text = visible_text(html)
    # Challenges first (one), then the needs (two), each numbered from 1.
    assert text.index("揭榜挂帅榜单（1 项）") < text.index("研发需求目录（2 项）")
    numbers = re.findall(r'<span class="no">(\d+)\.</span> <strong>([^<]+)</strong>', html)
    # Same city and industry: by id.
    assert [(n, unescape(t)) for n, t in numbers] == [
        ("1", "焊接机器人视觉引导"),
        ("1", "煤焦油加氢"),
        ("2", "工业废水深度处理"),
    ]
    # Grouped by city, then industry (门类 › 大类 by name).
    assert "<h3>大同</h3>" in html and "<h3>太原</h3>" in html
    assert "制造业 › " + names.industry("C34").name in text
    assert "@media print" in (await anon.get("/static/public.css")).text
    filtered = (await anon.get("/catalogue?city=大同")).text
    assert "焊接机器人视觉引导" in filtered and "煤焦油加氢" not in filtered


async def test_catalogue_xlsx(client, anon, spread):
    ent = (await client.post("/api/organizations", json=f.enterprise())).json()
    await _need(client, ent["id"], title='=HYPERLINK("http://x","点我")', keywords=["+1"])
    r = await anon.get("/catalogue.xlsx?city=太原")
    assert r.status_code == 200
    assert "spreadsheetml" in r.headers["content-type"]
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    assert (
        "xlsx" in r.headers["content-disposition"]
        and "catalogue" not in r.headers["content-disposition"]
    )
    ws = _sheet(r.content)
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[0]
    assert header[:6] == ["序号", "类别", "城市", "行业", "行业代码", "需求名称"]
    body = {row[5]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(body) == {"煤焦油加氢", "工业废水深度处理", '=HYPERLINK("http://x","点我")'}
    coal = body["煤焦油加氢"]
    assert coal["城市"] == "太原" and coal["行业代码"] == "C3091"
    assert coal["行业"] == names.industry("C3091").name
    assert coal["学科领域"] == names.field("B06").name and coal["学科代码"] == "B06"
    assert coal["预算下限（万元）"] == 30 and coal["预算上限（万元）"] == 80
    # Text that looks like a formula is stored as a string.
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s", cell.value
    assert sorted(int(n) for n in (row[0] for row in rows[1:])) == [1, 2, 3]


# --- demo data -------------------------------------------------------------------------------


async def test_demo_needs_browsable_with_names(anon, conn):
    from service.demo import demo_data, load_demo

    await load_demo(conn)
    data = demo_data()
    published = [n for n in data["rd_needs"] if n["status"] == "published"]
    owners = {o["key"]: o for o in data["organizations"]}
    codes = {c for n in published for c in n["field_codes"]}
    codes |= {owners[n["owner"]]["industry_code"] for n in published}
    own_text = " ".join(n["title"] + n["description"] + " ".join(n["keywords"]) for n in published)
    assert len(codes) > 20
    r = await anon.get("/halls/needs")
    assert f"共 {len(published)} 条" in r.text
    seen: list[str] = []
    page = 1
    while True:
        html = (await anon.get(f"/halls/needs?page={page}")).text
        got = titles(html)
        if not got:
            break
        seen += got
        text = visible_text(html)
        # Not one industry or field code is shown bare (unless the record's own text has it).
        for code in codes:
            assert code not in text or code in own_text, code
        page += 1
        if 'rel="next"' not in html:
            break
    assert sorted(seen) == sorted(unescape(n["title"]) for n in published)
    hidden = [n["title"] for n in data["rd_needs"] if n["status"] != "published"]
    assert hidden and not set(hidden) & set(seen)


# --- similar records -------------------------------------------------------------------------


async def test_detail_shows_similar_records_with_chinese_reasons(client, anon, app):
    from service.recommend import Recommender
    from tests.rounds_helpers import open_challenge_world

    app.state.recommender = Recommender()  # the session's app: start from empty indexes
    w = await open_challenge_world(client)
    url = f"/halls/needs/{w['tar']}"
    first = await anon.get(url)
    # The first visit does not wait for the index: the record shows, recommendations follow.
    assert first.status_code == 200 and "推荐正在计算" in first.text
    for _ in range(120):
        html = (await anon.get(url)).text
        if "匹配度" in html:
            break
        await asyncio.sleep(0.5)
    section = html[html.index('<section class="similar">') :]
    assert "相似推荐：科研能力" in section
    team = (await anon.get(f"/api/capabilities/{w['catalyst_team']}")).json()["title"]
    assert titles_h3(section)[0] == team
    assert f'href="/halls/capabilities/{w["catalyst_team"]}"' in section
    text = visible_text(section)
    assert "文本相关" in text and "共同关键词" in text
    for word in ("text", "fuzzy", "chars", "field", "region", "mode", "keywords", "optimal"):
        assert not re.search(rf"\b{word}\b", text), word
    # The engine word is only the hover's subject, in Chinese.
    assert 'title="双方标题、描述和关键词中共有词语的加权重合程度"' in section


def titles_h3(html: str) -> list[str]:
    found = re.findall(r'<h3 class="title"><a href="[^"]+">([^<]+)</a>', html)
    return [unescape(t) for t in found]


async def test_odd_requests_never_500(anon, world):
    assert (await anon.get("/halls/needs?q=%00")).status_code == 400
    assert (await anon.get("/halls/needs?page=99999999999999")).status_code == 400
    assert (await anon.get("/halls/needs/99999999999999999999")).status_code == 404
    assert (await anon.get("/halls/needs/0")).status_code == 404
    r = await anon.get("/halls/needs?utm_source=wechat&q=<script>alert(1)</script>")
    assert r.status_code == 200 and "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text  # autoescaped


async def test_other_halls_filters_and_sorts(client, anon):
    uni = (await client.post("/api/organizations", json=f.university())).json()
    ty = (await client.post("/api/organizations", json=f.enterprise())).json()
    dt = await client.post(
        "/api/organizations",
        json=f.enterprise(name="大同智能装备有限公司", city="大同", industry_code="C3411"),
    )
    dt = dt.json()
    for over in (
        {"title": "催化团队", "field_codes": ["B06"], "cooperation_modes": ["合作开发"]},
        {"title": "机器人团队", "field_codes": ["F03"], "cooperation_modes": ["技术咨询"]},
    ):
        r = await client.post("/api/capabilities", json=f.capability(uni["id"], **over))
        assert r.status_code == 201, r.text
    caps = lambda q: anon.get(f"/halls/capabilities?{q}")  # noqa: E731
    assert titles((await caps("field=F03")).text) == ["机器人团队"]
    assert titles((await caps("field=化学科学部")).text) == ["催化团队"]
    assert titles((await caps("mode=技术咨询")).text) == ["机器人团队"]
    assert titles((await caps("sort=newest")).text) == ["机器人团队", "催化团队"]
    assert titles((await caps("q=机器人&sort=relevance")).text) == ["机器人团队"]
    for owner, over in (
        (ty["id"], {"title": "化验员", "salary_min": 3000, "salary_max": 4500, "city": "太原"}),
        (
            dt["id"],
            {"title": "视觉算法工程师", "salary_min": 12000, "salary_max": 20000, "city": "大同"},
        ),
    ):
        r = await client.post("/api/jobs", json=f.job(owner, **over))
        assert r.status_code == 201, r.text
    jobs = lambda q: anon.get(f"/halls/jobs?{q}")  # noqa: E731
    assert titles((await jobs("industry=C34")).text) == ["视觉算法工程师"]
    assert titles((await jobs("city=太原")).text) == ["化验员"]
    assert titles((await jobs("min=10000")).text) == ["视觉算法工程师"]
    assert titles((await jobs("max=5000")).text) == ["化验员"]
    assert titles((await jobs("sort=amount")).text) == ["视觉算法工程师", "化验员"]
    await client.post("/api/talent-pools", json=f.talent_pool(uni["id"], degree_level="硕士"))
    await client.post(
        "/api/talent-pools", json=f.talent_pool(uni["id"], major_name="软件工程", city="大同")
    )
    talent = lambda q: anon.get(f"/halls/talent?{q}")  # noqa: E731
    assert titles((await talent("education=硕士")).text) == ["化学工程与工艺（硕士，2027 届）"]
    assert titles((await talent("city=大同")).text) == ["软件工程（本科，2027 届）"]
    assert titles((await talent("q=软件")).text) == ["软件工程（本科，2027 届）"]
