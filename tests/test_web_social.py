"""The self-service pages in a real browser (Chromium through Playwright, like
``test_web_browser.py``, whose live server and seed this reuses): a logged-out visitor following a
hall's 对接 link is sent to log in and back, sends a contact request from a recommendation card,
the owner sees the unread badge and accepts, the contacts appear on both sides; an organization
registers itself and a coordinator approves it. Screenshots go to ``test-artifacts/browser/``.
"""

import asyncio
from urllib.parse import quote

import pytest

from tests.factories import credit_code
from tests.test_web_browser import (  # noqa: F401  (live_server is a fixture)
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PASSWORD,
    _shot,
    live_server,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 Chromium（/usr/bin/chromium）"
    ),
]


async def _token(http, login: str) -> dict:
    r = await http.post("/api/auth/login", json={"login": login, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def _page(browser):
    ctx = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = await ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return ctx, page


async def _log_in(page, login: str) -> None:
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)
    await page.wait_for_selector("body[data-ready]")


async def test_contact_request_inbox_and_registration_journey(live_server):  # noqa: F811
    from playwright.async_api import async_playwright, expect

    base, orgs, http = live_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ent_auth, uni_auth = await _token(http, "ent@test"), await _token(http, "uni@test")
    need = await http.post(
        "/api/needs",
        headers=ent_auth,
        json={
            "owner_id": orgs["ent"], "title": "焦化废水深度处理", "status": "published",
            "description": "焦化废水膜处理后COD仍超标，需要深度处理工艺。",
            "keywords": ["焦化废水", "膜处理", "深度处理"],
        },
    )  # fmt: skip
    assert need.status_code == 201, need.text
    cap = await http.post(
        "/api/capabilities",
        headers=uni_auth,
        json={
            "owner_id": orgs["uni"], "kind": "expertise", "title": "焦化废水深度处理团队",
            "description": "焦化废水膜处理与高级氧化深度处理。", "status": "published",
            "keywords": ["焦化废水", "深度处理"], "contact": "王老师 0351-7654321",
        },
    )  # fmt: skip
    assert cap.status_code == 201, cap.text
    cap_id = cap.json()["id"]

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # A logged-out visitor following a hall's 对接 link logs in and comes back.
            ent_ctx, ent = await _page(browser)
            target = f"/contact/new?target=capability:{cap_id}"
            await ent.goto(base + target)
            await ent.wait_for_url(f"**/login?next={quote(target, safe='')}")
            await ent.wait_for_selector("body[data-ready]")
            await _log_in(ent, "ent@test")
            assert ent.url.endswith(target)
            await expect(ent.locator("#target-title")).to_have_text("焦化废水深度处理团队")
            # An empty message is refused at the field.
            await ent.click("button[type=submit]")
            await expect(ent.locator("[data-field=message] .field-error")).to_be_visible()
            await ent.fill(
                "textarea[name=message]", "希望就焦化废水深度处理开展合作，方便时请联系。"
            )
            await ent.fill("input[name=time0]", "2030-03-01T10:00")
            await _shot(ent, "20-contact-new")
            await ent.click("button[type=submit]")
            await expect(ent.locator(".notice")).to_contain_text("对接请求已发送")

            # The recommendation cards carry a 对接 link to the same page.
            await ent.goto(base + "/enterprise")
            await ent.wait_for_selector("body[data-ready]")
            item = ent.locator("section[data-resource=needs] .list li", has_text="焦化废水深度处理")
            link = item.locator(".reco a.button", has_text="对接")
            for _ in range(20):
                await item.locator("button", has_text="推荐").click()
                try:
                    await expect(link.first).to_be_visible(timeout=1000)
                    break
                except AssertionError:
                    await asyncio.sleep(0.5)
            assert await link.first.get_attribute("href") == target

            # The owner sees the unread badge, accepts, and both sides see the contacts.
            uni_ctx, uni = await _page(browser)
            await uni.goto(base + "/login")
            await _log_in(uni, "uni@test")
            await expect(uni.locator("#unread-badge")).to_have_text("1")
            await uni.click("#contacts-link")
            await uni.wait_for_selector("body[data-ready]")
            row = uni.locator("[data-box=received] li[data-state=pending]")
            await expect(row).to_contain_text("焦化废水深度处理团队")
            await expect(row.locator("ul.contacts")).to_have_count(0)
            await row.locator("button", has_text="接受").click()
            accepted = uni.locator("[data-box=received] li[data-state=accepted]")
            await expect(accepted.locator("ul.contacts")).to_contain_text("李工")
            await _shot(uni, "21-contacts-accepted")

            await ent.goto(base + "/contacts?box=sent")
            await ent.wait_for_selector("body[data-ready]")
            await expect(ent.locator("[data-box=sent] li[data-state=accepted]")).to_contain_text(
                "王老师 0351-7654321"
            )
            await expect(ent.locator("#unread-badge")).to_have_text("1")
            await ent.click("#inbox-link")
            await ent.wait_for_selector("body[data-ready]")
            await expect(ent.locator("#inbox li.unread")).to_contain_text("已接受")
            await ent.click("#read-all")
            await expect(ent.locator("#inbox li.unread")).to_have_count(0)
            await expect(ent.locator("#unread-badge")).to_be_hidden()
            await ent.uncheck("#email-switch")
            await expect(ent.locator("#email-switch + label + span")).to_have_text("已保存")
            prefs = await http.get("/api/users/me/preferences", headers=ent_auth)
            assert prefs.json()["email_notifications"] is False
            await _shot(ent, "22-inbox")

            # An organization registers itself; a coordinator approves it.
            reg_ctx, reg = await _page(browser)
            # The home page is the public hall (server-rendered); its header links to 注册.
            await reg.goto(base + "/")
            await reg.locator("a[href='/register']").first.click()
            await reg.wait_for_selector("body[data-ready]")
            await reg.fill("input[name=name]", "阳泉新材料科技有限公司")
            await reg.fill("input[name=credit_code]", credit_code("140300"))
            await reg.select_option("select[name=city]", "阳泉")
            await reg.fill("input[name=contact_name]", "赵经理")
            await reg.fill("input[name=contact_phone]", "0353-1234567")
            await reg.fill("input[name=login]", "zhao@yq")
            await reg.fill("input[name=email]", "zhao@example.com")
            await reg.fill("input[name=password]", "zhao-password-1")
            await reg.click("button[type=submit]")
            await expect(reg.locator(".notice")).to_contain_text("注册成功")
            await reg.click("a:has-text('查看审核状态')")
            await reg.wait_for_selector("body[data-ready]")
            await expect(reg.locator("#approval")).to_contain_text("待审核")
            await _shot(reg, "23-registered-pending")

            co_ctx, co = await _page(browser)
            await co.goto(base + "/login?next=/registrations")
            await _log_in(co, "coord@test")
            pending = co.locator("#registrations li", has_text="阳泉新材料科技有限公司")
            await expect(pending).to_have_count(1)
            await _shot(co, "24-registrations-queue")
            await pending.locator("button", has_text="审核通过").click()
            await expect(pending).to_have_count(0)
            await reg.reload()
            await reg.wait_for_selector("body[data-ready]")
            await expect(reg.locator("#approval")).to_contain_text("已通过")

            for page in (ent, uni, reg, co):
                assert page.errors == [], page.errors
            for c in (ent_ctx, uni_ctx, reg_ctx, co_ctx):
                await c.close()
        finally:
            await browser.close()
