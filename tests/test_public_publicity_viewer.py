"""The public 公示 page (challenges in their publicity period: challenge, winner, reward, period,
never a contact) and the public pages' header for a visitor logged in with the session cookie
(工作台 / 我的对接 / 退出, private caching, 对接 straight to /contact/new, logout by form)."""

import re
from datetime import timedelta
from html import unescape

from service.auth.cookies import csrf_for
from service.domain.needs import today
from tests.conftest import create_principal
from tests.factories import enterprise, need, university
from tests.rounds_helpers import make_org, run_to_completion
from tests.test_challenges import approved_challenge, open_round, world

SECRETS = ("13800000001", "王经理", "0351-6010000")


def header(html: str) -> str:
    m = re.search(r'<header class="site">(.*?)</header>', html, flags=re.S)
    assert m, html[:500]
    return m[1]


def rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, flags=re.S)
    if body is None:
        return []
    out = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body[1], flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)
        out.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return out


# --- 公示 ------------------------------------------------------------------------------------------


async def test_publicity_page_lists_results_in_their_period_without_contacts(
    client, as_role, anon, conn, empty_db
):
    w = await world(client, as_role)
    cid = await approved_challenge(w)
    rid = await open_round(client)
    r = await w["as_inst"].post(
        f"/api/rounds/{rid}/applications",
        json={"need_id": cid, "capability_id": w["team"], "team": "催化剂团队"},
    )
    assert r.status_code == 201, r.text
    await run_to_completion(client, empty_db, rid)
    assert (await client.post(f"/api/rounds/{rid}/publish")).status_code == 200
    pid = (await w["as_inst"].get("/api/me/pairings")).json()["items"][0]["id"]
    for actor, side in ((w["as_ent"], "demand"), (w["as_inst"], "supply")):
        r = await actor.post(
            f"/api/pairings/{pid}/respond", json={"side": side, "response": "accepted"}
        )
        assert r.status_code == 200, r.text

    # Before 公示 the page is there, empty.
    page = await anon.get("/publicity")
    assert page.status_code == 200 and "目前没有处于公示期的揭榜结果" in page.text
    assert rows(page.text) == []

    r = await w["coord"].post(f"/api/pairings/{pid}/publicity", json={"days": 5})
    assert r.status_code == 201, r.text
    page = await anon.get("/publicity")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    start, end = today(), today() + timedelta(days=4)
    assert rows(page.text) == [
        [
            "揭榜挂帅 煤焦油加氢催化剂寿命提升",
            "孝义市晋焦化工有限公司",
            "中国科学院山西煤炭化学研究所",
            "150 万元",
            f"{start.isoformat()} 至 {end.isoformat()}",
        ]
    ]
    for secret in SECRETS:
        assert secret not in page.text
    for word in ("联系人", "电话", "邮箱", "contact"):
        assert word not in re.sub(r"不含任何联系方式", "", page.text), word
    # The same entries as the JSON API (one service function behind both).
    api = (await anon.get("/api/challenges/publicity")).json()
    assert [n["title"] for n in api] == ["煤焦油加氢催化剂寿命提升"]

    # Outside the period (ended, or not yet begun) it is gone from the page.
    await conn.execute(
        "UPDATE challenge_results SET publicity_start = $1, publicity_end = $1",
        today() - timedelta(days=1),
    )
    assert rows((await anon.get("/publicity")).text) == []
    await conn.execute(
        "UPDATE challenge_results SET publicity_start = $1, publicity_end = $2",
        today() + timedelta(days=1), today() + timedelta(days=3),
    )  # fmt: skip
    assert rows((await anon.get("/publicity")).text) == []
    await conn.execute(
        "UPDATE challenge_results SET publicity_start = $1, publicity_end = $1", today()
    )
    assert len(rows((await anon.get("/publicity")).text)) == 1


async def test_publicity_linked_from_home_hall_and_sitemap(anon, empty_db):
    for path in ("/", "/halls/needs"):
        r = await anon.get(path)
        assert r.status_code == 200 and 'href="/publicity"' in r.text, path
    assert "/publicity</loc>" in (await anon.get("/sitemap.xml")).text


# --- who is logged in ------------------------------------------------------------------------------


async def _session(dsn: str, role: str, org_id: int | None = None) -> tuple[str, dict]:
    _, token = await create_principal(dsn, role, org_id)
    return token, {"Cookie": f"duijie_session={token}; duijie_csrf={csrf_for(token)}"}


async def test_public_header_knows_the_logged_in_visitor(client, anon, conn, empty_db):
    org = await make_org(client, **enterprise(name="太原碳谷新材料有限公司"))
    r = await client.post("/api/needs", json=need(org, title="碳纤维原丝预氧化"))
    nid = r.json()["id"]
    uni = await make_org(client, **university(name="太原理工大学"))
    token, cookie = await _session(empty_db, "university", uni)
    login = await conn.fetchval("SELECT login FROM users ORDER BY id DESC LIMIT 1")

    for path in ("/", "/halls/needs", f"/halls/needs/{nid}", "/catalogue", "/publicity"):
        mine = await anon.get(path, headers=cookie)
        assert mine.status_code == 200, (path, mine.text[:300])
        top = header(mine.text)
        assert 'href="/workspace"' in top and 'href="/my"' in top and "退出" in top, path
        assert login in top and "高校院所" in top
        assert "/login" not in top and 'href="/register"' not in top, path
        assert csrf_for(token) in top  # the logout form's own value
        # Personal HTML is never stored by a shared cache.
        assert mine.headers["cache-control"] == "private, no-store", path
        assert "cookie" in mine.headers["vary"].lower()

        # The next anonymous visitor gets the anonymous header (nothing personal is reused).
        other = await anon.get(path)
        top = header(other.text)
        assert "退出" not in top and login not in top and 'href="/my"' not in top, path
        assert 'href="/register"' in top and f'href="/login?next={path}' in top, path
        assert other.headers["cache-control"] == "public, max-age=60"
        assert "cookie" in other.headers["vary"].lower()

    # 登录 comes back to the page, filters included.
    top = header((await anon.get("/halls/needs?q=碳纤维&city=太原")).text)
    assert 'href="/login?next=/halls/needs%3Fq%3D%E7%A2%B3%E7%BA%A4%E7%BB%B4%26city%3D' in top

    # 对接 goes straight to the contact form for the logged-in visitor ...
    detail = (await anon.get(f"/halls/needs/{nid}", headers=cookie)).text
    assert f'href="/contact/new?target=need:{nid}"' in detail
    assert "发起对接需要" not in detail
    # ... while the anonymous one is told to log in first, coming back to the form.
    detail = (await anon.get(f"/halls/needs/{nid}")).text
    assert "发起对接需要" in detail
    assert f'href="/login?next=/contact/new%3Ftarget%3Dneed%3A{nid}"' in detail


async def test_an_invalid_cookie_is_an_anonymous_visitor(anon, empty_db):
    r = await anon.get("/", headers={"Cookie": "duijie_session=dj_not-a-real-token"})
    assert r.status_code == 200
    assert "退出" not in header(r.text) and 'href="/register"' in header(r.text)
    assert r.headers["cache-control"] == "public, max-age=60"


async def test_logout_form_needs_the_sessions_csrf_value(anon, empty_db):
    token, cookie = await _session(empty_db, "coordinator")
    bearer = {"Authorization": f"Bearer {token}"}
    # Without (or with a wrong) CSRF value nothing happens: the session stays valid.
    for form in ({}, {"csrf": "forged"}):
        r = await anon.post("/logout", data=form, headers=cookie, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert "set-cookie" not in r.headers
        assert (await anon.get("/api/auth/me", headers=bearer)).status_code == 200
    r = await anon.post(
        "/logout", data={"csrf": csrf_for(token)}, headers=cookie, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    cleared = r.headers.get_list("set-cookie")
    assert any(c.startswith("duijie_session=") and "Max-Age=0" in c for c in cleared), cleared
    assert (await anon.get("/api/auth/me", headers=bearer)).status_code == 401
    anon.cookies.clear()
