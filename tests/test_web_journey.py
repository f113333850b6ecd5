"""Issue #12's journey in one browser test (Debian's Chromium through Playwright against the real
server), on a desktop and again at phone width (375 px): a new enterprise registers and confirms
its e-mail through the link in the outbox, a coordinator approves it; it posts a 揭榜挂帅
challenge (reward, deadline) and a coordinator approves it (发榜); an anonymous visitor finds it
in the needs hall by keyword and by filter (city, industry by name, challenges only), sees names
instead of codes, follows 对接 to log in as a university (``next=`` back), sends a contact request
and applies (揭榜) with team, proposal, price and months; the enterprise sees the applicant side
by side and the notification, accepts the contact request, and only then do both sides see the
contacts. Screenshots go to ``test-artifacts/journey/``.
"""

import asyncio
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest

from service.domain.needs import today as china_today
from service.reference import names
from tests.factories import credit_code
from tests.live_server import serve
from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, _seed

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "journey"
NARROW = {"width": 375, "height": 812}

TITLE = "焦炉煤气制氢提纯工艺攻关"
KEYWORD = "焦炉煤气"
INDUSTRY = "C2521"  # 炼焦, under C25 石油、煤炭及其他燃料加工业
FIELD = "B0604"  # 化学反应工程
CITY = "晋城"
ENT_CONTACT = ("赵经理", "0356-2345678")
UNI_CONTACT = ("王老师", "0351-7654321")  # the seeded institute's contact (tests/test_web_browser)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 Chromium（/usr/bin/chromium）"
    ),
]


@pytest.fixture
async def journey_server(make_database):
    """The live server of test_web_browser.py, also handing out its database (for the outbox)."""
    from service.app import create_app
    from service.auth.limits import RateLimiter

    dsn = await make_database()
    orgs = await _seed(dsn)
    app = create_app(dsn, run_worker=True, pool_max_size=5)
    app.state.rate_limiter = RateLimiter(write_burst=10**6, login_burst=10**6)
    async with serve(app) as (base, http):
        yield base, orgs, http, dsn


async def _bearer(http, login: str, password: str = PASSWORD) -> dict:
    r = await http.post("/api/auth/login", json={"login": login, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def _context(browser, viewport):
    ctx = await browser.new_context(viewport=viewport, locale="zh-CN")
    page = await ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return ctx, page


async def _log_in(page, login: str, password: str = PASSWORD) -> None:
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)
    await page.wait_for_selector("body[data-ready]")


async def _fits(page, viewport) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], (
        f"{page.url} is {width}px wide on a {viewport['width']}px screen"
    )


def _codes_only_on_hover(text: str) -> None:
    """The reader sees names; the bare codes are at most in the hover titles."""
    for code in (INDUSTRY, FIELD, "C25"):
        assert code not in text, (code, text)
    assert names.industry_name(INDUSTRY) in text  # 炼焦
    assert names.field_name(FIELD) in text  # 化学反应工程


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "phone375"])
async def test_issue12_journey(journey_server, viewport):
    from playwright.async_api import async_playwright, expect

    base, orgs, http, dsn = journey_server
    tag = "desktop" if viewport is DESKTOP else "phone"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    n = iter(range(1, 100))

    async def shot(page, name: str) -> None:
        await page.screenshot(
            path=str(ARTIFACTS / f"{tag}-{next(n):02d}-{name}.png"), full_page=True
        )
        await _fits(page, viewport)

    coord = await _bearer(http, "coord@test")
    uni_auth = await _bearer(http, "uni@test")
    team = await http.post(
        "/api/capabilities",
        headers=uni_auth,
        json={
            "owner_id": orgs["uni"], "kind": "expertise", "title": "煤气制氢与变压吸附提纯团队",
            "description": "焦炉煤气变压吸附制氢、膜分离提纯，中试装置两套。", "status": "published",
            "keywords": ["焦炉煤气", "制氢", "变压吸附"], "field_codes": [FIELD],
        },
    )  # fmt: skip
    assert team.status_code == 201, team.text

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # 1. A new enterprise registers itself from the public home page.
            ent_ctx, ent = await _context(browser, viewport)
            await ent.goto(base + "/")
            await ent.locator("a[href='/register']").first.click()
            await ent.wait_for_selector("body[data-ready]")
            await ent.select_option("select[name=kind]", "enterprise")
            await ent.fill("input[name=name]", "晋城蓝焰煤气化工有限公司")
            await ent.fill("input[name=credit_code]", credit_code("140500"))
            await ent.select_option("select[name=city]", CITY)
            await ent.fill("input[name=industry_code]", INDUSTRY)
            await ent.fill("input[name=contact_name]", ENT_CONTACT[0])
            await ent.fill("input[name=contact_phone]", ENT_CONTACT[1])
            await ent.fill("input[name=login]", "lanyan@jc")
            await ent.fill("input[name=email]", "lanyan@example.com")
            await ent.fill("input[name=password]", "lanyan-password-1")
            await ent.click("button[type=submit]")
            await expect(ent.locator(".notice")).to_contain_text("注册成功")
            await expect(ent.locator("#main")).to_contain_text("lanyan@example.com")
            await shot(ent, "registered")

            # 2. The confirmation link comes from the outbox; following it confirms the address.
            conn = await asyncpg.connect(dsn)
            try:
                mail = await conn.fetchrow(
                    "SELECT subject, body FROM outbox WHERE to_address = $1", "lanyan@example.com"
                )
                assert mail is not None
                link = re.search(r"/register/confirm\?token=[A-Za-z0-9_\-]+", mail["body"])
                assert link, mail["body"]
                await ent.goto(base + link[0])
                await expect(ent.locator(".notice")).to_contain_text("邮箱已确认")
                confirmed = await conn.fetchval(
                    "SELECT email_confirmed_at FROM users WHERE login = 'lanyan@jc'"
                )
                assert confirmed is not None
            finally:
                await conn.close()
            await shot(ent, "email-confirmed")

            # 3. A coordinator approves the organization; the enterprise sees 已通过.
            co_ctx, co = await _context(browser, viewport)
            await co.goto(base + "/login?next=/registrations")
            await _log_in(co, "coord@test")
            pending = co.locator("#registrations li", has_text="晋城蓝焰煤气化工有限公司")
            await expect(pending).to_have_count(1)
            await shot(co, "registration-queue")
            await pending.locator("button", has_text="审核通过").click()
            await expect(pending).to_have_count(0)
            await ent.goto(base + "/registration")
            await ent.wait_for_selector("body[data-ready]")
            await expect(ent.locator("#approval")).to_contain_text("已通过")
            await shot(ent, "organization-approved")

            # 4. The enterprise posts an open challenge; it waits for 发榜 and is not public yet.
            await ent.goto(base + "/enterprise")
            await ent.wait_for_selector("body[data-ready]")
            form = ent.locator("section[data-resource=needs] form")
            await form.locator("input[name=title]").fill(TITLE)
            await form.locator("textarea[name=description]").fill(
                "焦炉煤气制氢纯度只有 99.5%，需要变压吸附与膜分离耦合的提纯工艺，达到燃料电池级。"
            )
            await form.locator("input[name=keywords]").fill(f"{KEYWORD}，制氢，提纯")
            await form.locator("input[name=field_codes]").fill(FIELD)
            await form.locator("input[name=deadline]").fill(
                (date.today() + timedelta(days=90)).isoformat()
            )
            await form.locator("input[name=is_challenge]").check()
            await form.locator("input[name=reward]").fill("2000000")
            await form.locator("button[type=submit]").click()
            posted = ent.locator("section[data-resource=needs] .list li", has_text=TITLE)
            await expect(posted).to_have_count(1)
            await expect(posted).to_contain_text("待审核")
            await shot(ent, "challenge-posted")
            hidden = await http.get("/halls/needs", params={"q": KEYWORD})
            assert TITLE not in hidden.text
            listed = (await http.get("/api/needs", params={"q": KEYWORD})).json()
            assert listed["items"] == []
            need_id = (await http.get("/api/needs", params={"q": KEYWORD}, headers=coord)).json()[
                "items"
            ][0]["id"]

            # 5. A coordinator approves it (发榜); an open round takes it in.
            await co.goto(f"{base}/my?tab=review")
            await co.wait_for_selector("body[data-ready]")
            review = co.locator("section.review li[data-need]", has_text=TITLE)
            await expect(review).to_contain_text("2,000,000")
            await review.locator("button.approve").click()
            await expect(review).to_contain_text("已发榜")
            await shot(co, "challenge-approved")
            rnd = await http.post(
                "/api/rounds",
                headers=coord,
                json={"kind": "open_challenge", "title": "2026 年焦化行业揭榜挂帅",
                      "scope": {"everyone": True}},
            )  # fmt: skip
            assert rnd.status_code == 201, rnd.text
            opened = await http.post(
                f"/api/rounds/{rnd.json()['id']}/transition", headers=coord, json={"to": "open"}
            )
            assert opened.status_code == 200, opened.text

            # 6. An anonymous visitor finds it by keyword ...
            vis_ctx, vis = await _context(browser, viewport)
            await vis.goto(base + "/")
            await vis.fill("#home-q", KEYWORD)
            await vis.click("form.search button[type=submit]")
            await vis.wait_for_url("**/halls/needs?q=*")
            card = vis.locator(".results .card", has_text=TITLE)
            await expect(card).to_have_count(1)
            await expect(card.locator(".badge")).to_contain_text("揭榜挂帅")
            await expect(card).to_contain_text("200 万元")
            await shot(vis, "hall-keyword")
            # ... and by filter: city, industry by its name, challenges only (no keyword).
            await vis.goto(base + "/halls/needs")
            await vis.select_option("#f-city", CITY)
            await vis.select_option("#f-industry", label=names.industry_name("C25"))
            await vis.check("#f-challenge")
            await vis.click("form.filters button[type=submit]")
            await vis.wait_for_url("**challenge=1**")
            cards = vis.locator(".results .card")
            await expect(cards).to_have_count(1)
            await expect(cards.first).to_contain_text(TITLE)
            await expect(cards.first.locator(".city")).to_have_text(CITY)
            await expect(vis.locator(".summary")).to_contain_text(names.industry_name("C25"))
            _codes_only_on_hover(await cards.first.inner_text())
            hover = await cards.first.locator(".tags .tag").evaluate_all(
                "els => els.map(e => e.title)"
            )
            assert any(INDUSTRY in h for h in hover) and any(FIELD in h for h in hover), hover
            await shot(vis, "hall-filtered")
            # The industry filter also takes a name in the address (GB/T 4754 炼焦).
            by_name = await http.get(
                "/halls/needs", params={"industry": names.industry_name(INDUSTRY), "challenge": "1"}
            )
            assert by_name.status_code == 200 and TITLE in by_name.text
            # The detail page shows names too, and no contact.
            await cards.first.locator(".title a").click()
            await vis.wait_for_url(f"**/halls/needs/{need_id}")
            detail = vis.locator("article.detail")
            await expect(detail.locator("h1")).to_have_text(TITLE)
            _codes_only_on_hover(await detail.inner_text())
            assert ENT_CONTACT[1] not in await vis.content()
            await shot(vis, "detail")

            # 7. 对接 sends the visitor to log in (next= back), as the university.
            target = f"/contact/new?target=need:{need_id}"
            await detail.locator("a.button", has_text="对接").click()
            await vis.wait_for_url(f"**/login?next={quote(target, safe='')}")
            await vis.wait_for_selector("body[data-ready]")
            await shot(vis, "login-next")
            await _log_in(vis, "uni@test")
            assert vis.url.endswith(target), vis.url
            await expect(vis.locator("#target-title")).to_have_text(TITLE)
            await vis.fill(
                "textarea[name=message]", "我所有焦炉煤气制氢中试装置，希望面谈提纯方案。"
            )
            await vis.fill("input[name=time0]", "2030-03-01T10:00")
            await shot(vis, "contact-request")
            await vis.click("button[type=submit]")
            await expect(vis.locator(".notice")).to_contain_text("对接请求已发送")

            # 8. ... and applies to the challenge (揭榜) with team, proposal, price and months.
            await vis.goto(base + "/university")
            await vis.wait_for_selector("body[data-ready]")
            await vis.click("[role=tab]:has-text('揭榜挂帅')")
            item = vis.locator("[role=tabpanel] li", has_text=TITLE)
            await expect(item).to_have_count(1)
            await item.locator("summary", has_text="申请揭榜").click()
            await item.locator("select[name=capability_id]").select_option(
                label="煤气制氢与变压吸附提纯团队"
            )
            await item.locator("input[name=team]").fill("煤化所氢能课题组（12 人）")
            await item.locator("textarea[name=proposal]").fill("变压吸附两段提纯加钯膜精制。")
            await item.locator("input[name=expected_months]").fill("18")
            await item.locator("input[name=price]").fill("1800000")
            await shot(vis, "apply-form")
            await item.locator("button[type=submit]").click()
            await expect(item).to_contain_text(f"已揭榜：{TITLE}")
            await shot(vis, "applied")

            # 9. The enterprise has unread notifications listing the application ...
            await ent.goto(base + "/enterprise")
            await ent.wait_for_selector("body[data-ready]")
            badge = ent.locator("#unread-badge")
            await expect(badge).to_be_visible()
            assert int(await badge.inner_text()) > 0
            await ent.click("#inbox-link")
            await ent.wait_for_selector("body[data-ready]")
            unread = ent.locator("#inbox li.unread")
            await expect(unread.filter(has_text="揭榜申请")).to_contain_text(
                "中国科学院山西煤炭化学研究所"
            )
            await expect(unread.filter(has_text="揭榜申请")).to_contain_text("18 个月")
            await expect(unread.filter(has_text=TITLE)).not_to_have_count(0)
            await shot(ent, "inbox")
            # ... and sees the applicant side by side.
            await ent.goto(base + "/my?tab=applicants")
            await ent.wait_for_selector("body[data-ready]")
            mine = ent.locator(f".card[data-item='{need_id}']")
            await expect(mine).to_contain_text("已发榜")
            await mine.locator("summary", has_text="查看申请者").click()
            row = mine.locator("tr[data-applicant]")
            # Scoring the applicants builds a match index first: allow it some seconds.
            await expect(row).to_have_count(1, timeout=20_000)
            for text in (
                "中国科学院山西煤炭化学研究所",
                "煤化所氢能课题组",
                "钯膜",
                "1,800,000",
                "18",
            ):
                await expect(row).to_contain_text(text)
            # The explanation names the shared research field; no bare code.
            await expect(row).to_contain_text(f"学科：{names.field_name(FIELD)}")
            await expect(row).not_to_contain_text(FIELD)
            await shot(ent, "applicants")

            # 10. Contacts stay hidden until the owner accepts the contact request.
            await vis.goto(base + "/contacts?box=sent")
            await vis.wait_for_selector("body[data-ready]")
            sent = vis.locator("[data-box=sent] li[data-state=pending]")
            await expect(sent).to_contain_text(TITLE)
            await expect(sent.locator("ul.contacts")).to_have_count(0)
            assert ENT_CONTACT[1] not in await vis.content()
            await ent.click("#contacts-link")
            await ent.wait_for_selector("body[data-ready]")
            received = ent.locator("[data-box=received] li[data-state=pending]")
            await expect(received).to_contain_text(TITLE)
            await expect(received.locator("ul.contacts")).to_have_count(0)
            assert UNI_CONTACT[1] not in await ent.content()
            await shot(ent, "contact-received")
            await received.locator("button", has_text="接受").click()
            accepted = ent.locator("[data-box=received] li[data-state=accepted]")
            await expect(accepted.locator("ul.contacts")).to_contain_text(UNI_CONTACT[0])
            await expect(accepted.locator("ul.contacts")).to_contain_text(UNI_CONTACT[1])
            await shot(ent, "contact-accepted")
            await vis.reload()
            await vis.wait_for_selector("body[data-ready]")
            both = vis.locator("[data-box=sent] li[data-state=accepted]")
            await expect(both.locator("ul.contacts")).to_contain_text(ENT_CONTACT[0])
            await expect(both.locator("ul.contacts")).to_contain_text(ENT_CONTACT[1])
            await shot(vis, "contacts-visible")

            # 11. Back on the public pages the header knows the university: 对接 goes straight to
            # the form; 退出 ends the session and the header offers 登录 again.
            await vis.goto(f"{base}/halls/needs/{need_id}")
            account = vis.locator("header.site .account")
            await expect(account).to_contain_text("我的对接")
            await expect(account.locator("a[href='/workspace']")).to_be_visible()
            await expect(account.locator("a", has_text="登录")).to_have_count(0)
            button = vis.locator("article.detail a.button", has_text="对接")
            assert await button.get_attribute("href") == target
            await expect(vis.locator("article.detail")).not_to_contain_text("发起对接需要")
            await shot(vis, "public-header-logged-in")
            await account.locator("button", has_text="退出").click()
            await vis.wait_for_url(base + "/")
            await expect(account.locator("a", has_text="登录")).to_be_visible()
            await expect(account).not_to_contain_text("我的对接")
            assert "duijie_session" not in {c["name"] for c in await vis.context.cookies()}

            # 12. The needs hall links the 公示 page (nothing is in its publicity period yet) ...
            await vis.goto(base + "/halls/needs")
            await vis.locator(".summary a", has_text="结果公示").click()
            await vis.wait_for_url(base + "/publicity")
            await expect(vis.locator("h1")).to_have_text("揭榜挂帅结果公示")
            await expect(vis.locator("main")).to_contain_text("目前没有处于公示期的揭榜结果")
            # ... until the round runs, is published, both sides accept and a coordinator
            # publishes the result (the API steps the browser journeys of rounds already cover).
            rid = rnd.json()["id"]
            run = await http.post(f"/api/rounds/{rid}/runs", headers=coord)
            assert run.status_code == 202, run.text
            for _ in range(300):
                state = (await http.get(f"/api/runs/{run.json()['id']}", headers=coord)).json()
                if state["state"] in ("succeeded", "failed", "cancelled"):
                    break
                await asyncio.sleep(0.1)
            assert state["state"] == "succeeded", state
            published = await http.post(f"/api/rounds/{rid}/publish", headers=coord)
            assert published.status_code == 200, published.text
            (pairing,) = (await http.get(f"/api/rounds/{rid}/pairings", headers=coord)).json()
            ent_auth = await _bearer(http, "lanyan@jc", "lanyan-password-1")
            for auth, side in ((ent_auth, "demand"), (uni_auth, "supply")):
                r = await http.post(
                    f"/api/pairings/{pairing['id']}/respond",
                    headers=auth,
                    json={"side": side, "response": "accepted"},
                )
                assert r.status_code == 200, r.text
            r = await http.post(
                f"/api/pairings/{pairing['id']}/publicity", headers=coord, json={"days": 7}
            )
            assert r.status_code == 201, r.text
            await vis.reload()
            row = vis.locator("table.publicity tbody tr")
            await expect(row).to_have_count(1)
            await expect(row).to_contain_text(TITLE)
            await expect(row.locator(".winner")).to_have_text("中国科学院山西煤炭化学研究所")
            await expect(row).to_contain_text("200 万元")
            start, end = china_today(), china_today() + timedelta(days=6)  # periods are China dates
            await expect(row.locator(".period")).to_have_text(f"{start} 至 {end}")
            page_html = await vis.content()
            for secret in (*ENT_CONTACT, *UNI_CONTACT, "lanyan@example.com"):
                assert secret not in page_html, secret
            await shot(vis, "publicity")

            for page in (ent, co, vis):
                assert page.errors == [], page.errors
            for c in (ent_ctx, co_ctx, vis_ctx):
                await c.close()
        finally:
            await browser.close()
