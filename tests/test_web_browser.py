"""The web interface in a real browser: Debian's Chromium driven by Playwright against the real
server (uvicorn in a thread, in-process matching worker, a fresh PostgreSQL database).

The journey: an enterprise posts a need (first meeting a validation message at the field), a
university publishes a capability and sees the need recommended, a coordinator creates a round,
opens it, runs it (progress bar), reviews and publishes it, and both sides accept the pairing.
Screenshots of every step go to ``test-artifacts/browser/`` (git-ignored).

Skipped only when ``/usr/bin/chromium`` is missing (``apt-get install chromium fonts-noto-cjk``).
"""

import asyncio
import re
from pathlib import Path

import asyncpg
import pytest

from tests.factories import credit_code
from tests.live_server import serve

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "browser-test-pass"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="需要 Debian 的 Chromium：apt-get install -y chromium fonts-noto-cjk"
        "（/usr/bin/chromium 不存在 / chromium not installed）",
    ),
]


async def _seed(dsn: str) -> dict:
    """Three organizations and one login per role, written with the service functions."""
    from service.auth import SYSTEM
    from service.auth.accounts import UserCreate, create_user
    from service.db.migrate import migrate
    from service.domain import crud, organizations
    from service.domain.organizations import OrganizationCreate

    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        ent = await crud.create(
            conn,
            organizations.RESOURCE,
            OrganizationCreate(
                kind="enterprise", name="孝义市晋焦化工有限公司", city="吕梁",
                credit_code=credit_code(), industry_code="C2521",
                contact_name="李工", contact_phone="0358-1234567",
            ),
            principal=SYSTEM,
        )  # fmt: skip
        uni = await crud.create(
            conn,
            organizations.RESOURCE,
            OrganizationCreate(
                kind="institute", name="中国科学院山西煤炭化学研究所", city="太原",
                contact_name="王老师", contact_phone="0351-7654321",
            ),
            principal=SYSTEM,
        )  # fmt: skip
        for login, role, org in (
            ("ent@test", "enterprise", ent.id),
            ("uni@test", "university", uni.id),
            ("coord@test", "coordinator", None),
        ):
            await create_user(
                conn,
                UserCreate(
                    login=login, display_name=f"{role} 用户", role=role, org_id=org,
                    password=PASSWORD,
                ),
                principal=SYSTEM,
            )  # fmt: skip
        return {"ent": ent.id, "uni": uni.id}
    finally:
        await conn.close()


@pytest.fixture
async def live_server(make_database):
    from service.app import create_app
    from service.auth.limits import RateLimiter

    dsn = await make_database()
    orgs = await _seed(dsn)
    app = create_app(dsn, run_worker=True, pool_max_size=5)
    app.state.rate_limiter = RateLimiter(write_burst=10**6, login_burst=10**6)
    async with serve(app) as (base, http):
        yield base, orgs, http


async def _login(browser, base: str, login: str, viewport=DESKTOP):
    context = await browser.new_context(viewport=viewport, locale="zh-CN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    await page.goto(f"{base}/login")
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)
    await page.wait_for_selector("body[data-ready]")
    return context, page


async def session_token(page) -> str:
    """The login's token, from the HttpOnly cookie (the page's scripts cannot read it)."""
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    return cookies["duijie_session"]


async def _shot(page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def test_browser_journey(live_server):
    from playwright.async_api import async_playwright, expect

    base, orgs, http = live_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # Home page, on a desktop and on a phone: zh-CN, one way in per kind of visitor.
            ctx = await browser.new_context(viewport=PHONE, locale="zh-CN")
            page = await ctx.new_page()
            await page.goto(base + "/workspace")  # "/" is the public home (test_public_browser)
            await page.wait_for_selector("body[data-ready]")
            assert await page.get_attribute("html", "lang") == "zh-CN"
            await expect(page.locator(".card.start")).to_have_count(4)
            await expect(page.locator("a[href='/enterprise'].button")).to_be_visible()
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"page wider than the phone: {width}px"
            await _shot(page, "01-home-phone")
            await page.click("#lang")
            await page.wait_for_selector("body[data-ready]")
            assert await page.get_attribute("html", "lang") == "en"
            await expect(page.locator("h1")).to_have_text("Start here")
            await page.click("#lang")  # back to Chinese for the rest of the journey
            await ctx.close()

            # Enterprise: a challenge without a reward is refused, with the message at the field.
            ent_ctx, ent = await _login(browser, base, "ent@test")
            assert ent.url.endswith("/enterprise")
            form = ent.locator("section[data-resource=needs] form")
            await form.locator("input[name=title]").fill("煤焦油加氢催化剂寿命提升")
            await form.locator("textarea[name=description]").fill(
                "加氢精制催化剂运行三个月后失活，需要抗积碳的新型催化剂，寿命提升至一年。"
            )
            await form.locator("input[name=keywords]").fill("煤焦油，加氢，催化剂，失活")
            await form.locator("input[name=field_codes]").fill("B06")
            await form.locator("input[name=is_challenge]").check()
            await form.locator("button[type=submit]").click()
            reward_error = form.locator("[data-field=reward] .field-error")
            await expect(reward_error).to_contain_text("榜单金额")
            await expect(form.locator("input[name=reward]")).to_have_class("invalid")
            await _shot(ent, "02-enterprise-need-field-error")
            await form.locator("input[name=reward]").fill("1500000")
            await form.locator("button[type=submit]").click()
            await expect(ent.locator("section[data-resource=needs] .list li")).to_have_count(1)
            await expect(ent.locator(".list li").first).to_contain_text("煤焦油加氢催化剂寿命提升")
            await _shot(ent, "03-enterprise-need-posted")
            # The challenge waits for a coordinator (发榜) before anyone else sees it.
            await expect(ent.locator(".list li").first).to_contain_text("待审核")
            rev_ctx, rev = await _login(browser, base, "coord@test")
            await rev.goto(f"{base}/my?tab=review")
            await rev.wait_for_selector("body[data-ready]")
            pending = rev.locator("section.review li[data-need]")
            await expect(pending).to_have_count(1)
            await expect(pending).to_contain_text("煤焦油加氢催化剂寿命提升")
            await pending.locator("button.approve").click()
            await expect(pending).to_contain_text("已发榜")
            await _shot(rev, "03a-coordinator-approves-challenge")
            assert not rev.errors, rev.errors
            await rev_ctx.close()

            # Excel import: the preview names the bad row and field; nothing is saved.
            await ent.goto(f"{base}/import")
            await ent.wait_for_selector("body[data-ready]")
            sheet = (
                "标题,关键词,预算下限,预算上限\n焦化废水深度处理,焦化废水、膜处理,100000,300000\n"
            )
            sheet += "碳纤维原丝预氧化,碳纤维,500000,200000\n"
            await ent.set_input_files(
                "#import-file",
                files=[{"name": "needs.csv", "mimeType": "text/csv", "buffer": sheet.encode()}],
            )
            await ent.click("button:has-text('预览')")
            await expect(ent.locator("table.preview tr.bad")).to_have_count(1)
            await expect(ent.locator("ul.errors li")).to_contain_text("第 3 行")
            await expect(ent.locator("button.commit")).to_be_disabled()
            await _shot(ent, "03b-enterprise-import-preview")
            await ent.goto(f"{base}/enterprise")
            await ent.wait_for_selector("body[data-ready]")

            # University: publishes a capability and sees the need recommended, terms marked.
            uni_ctx, uni = await _login(browser, base, "uni@test")
            assert uni.url.endswith("/university")
            form = uni.locator("section[data-resource=capabilities] form")
            await form.locator("input[name=title]").fill("煤焦油加氢催化剂研发团队")
            await form.locator("textarea[name=description]").fill(
                "长期从事煤焦油加氢精制与抗积碳催化剂研究，拥有中试装置。"
            )
            await form.locator("input[name=keywords]").fill("煤焦油、加氢、催化剂")
            await form.locator("input[name=field_codes]").fill("B06")
            await form.locator("input[name=contact]").fill("王老师 0351-7654321")
            await form.locator("button[type=submit]").click()
            item = uni.locator("section[data-resource=capabilities] .list li")
            await expect(item).to_have_count(1)
            # The recommender re-indexes within about a second of a change.
            for _ in range(20):
                await item.locator("button", has_text="推荐").click()
                try:
                    await expect(item.locator(".reco mark").first).to_be_visible(timeout=1000)
                    break
                except AssertionError:
                    await asyncio.sleep(0.5)
            await expect(item.locator(".reco li").first).to_contain_text("煤焦油加氢催化剂寿命提升")
            await expect(item.locator(".reco mark").first).to_be_visible()
            await _shot(uni, "04-university-capability-recommendations")

            # Coordinator: create a round, open it, run it with a progress bar, publish it.
            co_ctx, co = await _login(browser, base, "coord@test")
            assert co.url.endswith("/coordinator")
            await co.fill("input[name=title]", "2026 年第四季度揭榜挂帅")
            await co.check("input[name='scope.everyone']")
            await co.click("form button[type=submit]")
            await co.wait_for_url("**/round?id=*")
            await co.wait_for_selector("body[data-ready]")
            await co.click("button:has-text('开放报名')")
            await expect(co.locator("h1 .chip")).to_have_text("报名中")
            await co.click("[role=tab]:has-text('参与者')")
            await expect(co.locator("[role=tabpanel] li")).to_have_count(2)
            await _shot(co, "05-coordinator-round-open")

            # The enterprise registers its need in the open round (it was already in scope).
            await ent.reload()
            await ent.wait_for_selector("body[data-ready]")
            await ent.click("[role=tab]:has-text('报名活动')")
            entry = ent.locator("section.registration .card[data-round]")
            await expect(entry).to_have_count(1)
            await expect(entry.locator(".entries li .chip")).to_have_text("按范围纳入")
            await entry.locator("select[name=item_id]").select_option(
                label="煤焦油加氢催化剂寿命提升"
            )
            await entry.locator("button[type=submit]").click()
            await expect(entry.locator(".entries li .chip")).to_have_text("已报名")
            await expect(entry.locator(".entries li")).to_contain_text("煤焦油加氢催化剂寿命提升")
            await _shot(ent, "05b-enterprise-registers")
            await co.click("button:has-text('开始匹配')")
            bar = co.locator(".run-progress")
            await expect(bar).to_have_attribute("data-state", re.compile(r"\w+"))
            await _shot(co, "06a-coordinator-run-progress")
            await expect(bar).to_have_attribute("data-state", "succeeded", timeout=30_000)
            await expect(bar.locator(".progress")).to_have_attribute("aria-valuenow", "100")
            await _shot(co, "06b-coordinator-run-done")
            card = co.locator("article.demand")
            await expect(card).to_have_count(1, timeout=10_000)
            await expect(card.locator(".candidate.chosen")).to_contain_text(
                "煤焦油加氢催化剂研发团队"
            )
            await expect(card.locator(".candidate.chosen mark").first).to_be_visible()
            # Engine words reach the coordinator as Chinese labels (explanation on hover).
            components = card.locator(".candidate.chosen .components")
            await expect(components).to_contain_text("文本相关")
            await expect(components).not_to_contain_text("text")
            await expect(card.locator(".candidate.chosen .terms")).to_contain_text("共同关键词")
            await expect(bar).to_contain_text("已完成")
            await expect(co.locator("button", has_text="导出排序结果")).to_be_visible()
            await expect(co.locator("h1 .chip")).to_have_text("待审核")
            await _shot(co, "07-coordinator-results")

            # Forbidding a pair asks for the reason inline; the reason is kept with the constraint.
            chosen = card.locator(".candidate.chosen")
            await chosen.locator("button.forbid").click()
            await chosen.locator(".forbid-form input[name=reason]").fill("双方已有合作项目")
            await _shot(co, "07b-coordinator-forbid-reason")
            await chosen.locator(".forbid-form button", has_text="确认排除").click()
            await expect(co.locator(".round-flash")).to_contain_text("约束已保存")
            rid = int(co.url.rsplit("=", 1)[1])
            token = await session_token(co)
            auth = {"Authorization": f"Bearer {token}"}
            constraints = (await http.get(f"/api/rounds/{rid}/constraints", headers=auth)).json()
            assert [(c["kind"], c["reason"]) for c in constraints] == [
                ("forbid", "双方已有合作项目")
            ]
            # Lifted again so that the rest of the journey publishes the pair as reviewed.
            did, sid = constraints[0]["demand_id"], constraints[0]["supply_id"]
            gone = await http.delete(f"/api/rounds/{rid}/constraints/{did}/{sid}", headers=auth)
            assert gone.status_code in (200, 204), gone.text
            await co.click("[role=tab]:has-text('配对网络')")
            await expect(co.locator("svg.chart line.edge")).to_have_count(1)
            await _shot(co, "08-coordinator-network")
            await co.click("[role=tab]:has-text('统计')")
            await expect(co.locator("svg.chart rect.bar")).to_have_count(2)
            await _shot(co, "09-coordinator-stats")
            await co.click("button.publish")
            await expect(co.locator("h1 .chip")).to_have_text("已发布")
            await _shot(co, "10-coordinator-published")
            await co.set_viewport_size(PHONE)
            await co.click("[role=tab]:has-text('匹配结果')")
            await _shot(co, "11-coordinator-results-phone")

            # Both sides accept; the contacts appear once both have.
            for name, page in (("12-enterprise-accepts", ent), ("13-university-accepts", uni)):
                await page.reload()
                await page.wait_for_selector("body[data-ready]")
                await page.click("[role=tab]:has-text('我的配对')")
                row = page.locator("tr[data-pairing]")
                await expect(row).to_have_count(1)
                await row.locator("button", has_text="接受").click()
                await expect(row.locator("td").nth(4)).to_contain_text("接受")
                await _shot(page, name)
            await expect(uni.locator("tr[data-pairing]")).to_contain_text("李工")

            # The enterprise records the outcome: a contract without its amount is refused at the field.
            await ent.reload()
            await ent.wait_for_selector("body[data-ready]")
            await ent.click("[role=tab]:has-text('我的配对')")
            row = ent.locator("tr[data-pairing]")
            await row.locator("details.outcome-form summary").click()
            outcome = row.locator("details.outcome-form form")
            await outcome.locator("select[name=outcome]").select_option("contract_signed")
            await outcome.locator("button[type=submit]").click()
            await expect(
                outcome.locator("[data-field=contract_amount] .field-error")
            ).to_contain_text("合同金额")
            await expect(outcome.locator("input[name=contract_amount]")).to_have_class("invalid")
            await _shot(ent, "14a-enterprise-outcome-field-error")
            await outcome.locator("input[name=contract_amount]").fill("3000000")
            await outcome.locator("button[type=submit]").click()
            await expect(row.locator("td.outcome .chip")).to_have_text("已签约：3,000,000 元")
            await _shot(ent, "14b-enterprise-outcome-recorded")

            rid = int(co.url.rsplit("=", 1)[1])
            token = await session_token(co)
            pairings = (
                await http.get(
                    f"/api/rounds/{rid}/pairings", headers={"Authorization": f"Bearer {token}"}
                )
            ).json()
            assert [
                (p["demand_response"], p["supply_response"], p["outcome"], p["contract_amount"])
                for p in pairings
            ] == [("accepted", "accepted", "contract_signed", 3_000_000)]
            # 「我的对接」: the round closes, the pairing stays listed with its outcome.
            closed = await http.post(
                f"/api/rounds/{rid}/transition",
                headers={"Authorization": f"Bearer {token}"},
                json={"to": "closed"},
            )
            assert closed.status_code == 200, closed.text
            await ent.goto(f"{base}/my?tab=pairings")
            await ent.wait_for_selector("body[data-ready]")
            mine = ent.locator("tr[data-my-pairing]")
            await expect(mine).to_have_count(1)
            await expect(mine).to_contain_text("已结束")
            await expect(mine).to_contain_text("已签约：3,000,000 元")
            await _shot(ent, "14c-enterprise-my-pairings-closed-round")
            # A recruitment fair opens; the university marks the slot it cannot attend.
            fair = await http.post(
                "/api/rounds",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "kind": "recruitment_fair", "title": "2026 春季校园招聘会",
                    "scope": {"everyone": True}, "slots": ["09:00", "09:30", "10:00"], "tables": 2,
                },
            )  # fmt: skip
            assert fair.status_code == 201, fair.text
            opened = await http.post(
                f"/api/rounds/{fair.json()['id']}/transition",
                headers={"Authorization": f"Bearer {token}"},
                json={"to": "open"},
            )
            assert opened.status_code in (200, 201), opened.text
            await uni.reload()
            await uni.wait_for_selector("body[data-ready]")
            await uni.click("[role=tab]:has-text('报名活动')")
            slots = uni.locator(f".card[data-round='{fair.json()['id']}'] fieldset.availability")
            await slots.locator("label", has_text="09:30").locator("input").check()
            await slots.locator("button", has_text="保存").click()
            await expect(slots.locator(".notice")).to_have_text("已保存：不能参加 09:30")
            await _shot(uni, "15-university-availability")
            # After a reload the form shows what was saved.
            await uni.reload()
            await uni.wait_for_selector("body[data-ready]")
            await uni.click("[role=tab]:has-text('报名活动')")
            slots = uni.locator(f".card[data-round='{fair.json()['id']}'] fieldset.availability")
            await expect(slots.locator("label", has_text="09:30").locator("input")).to_be_checked()
            await expect(
                slots.locator("label", has_text="09:00").locator("input")
            ).not_to_be_checked()

            for page in (ent, uni, co):
                assert page.errors == [], page.errors
            for c in (ent_ctx, uni_ctx, co_ctx):
                await c.close()
        finally:
            await browser.close()
