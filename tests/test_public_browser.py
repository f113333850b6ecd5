"""The public halls in a real browser (Debian's Chromium through Playwright), as an anonymous
visitor on the demo data: search the needs hall by keyword and filter on a desktop and at phone
width (375 px, with JavaScript turned off), open a detail page, and print the catalogue.
Screenshots and the printed catalogue go to ``test-artifacts/public/``.

Skipped only when ``/usr/bin/chromium`` is missing, like tests/test_web_browser.py.
"""

from pathlib import Path

import asyncpg
import pytest

from tests.live_server import serve
from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "public"
NARROW = {"width": 375, "height": 812}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="需要 Debian 的 Chromium：apt-get install -y chromium fonts-noto-cjk",
    ),
]


@pytest.fixture
async def demo_server(make_database):

    from service.app import create_app
    from service.db.migrate import migrate
    from service.demo import load_demo

    dsn = await make_database()
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        await load_demo(conn)
    finally:
        await conn.close()
    app = create_app(dsn, pool_max_size=4)
    async with serve(app) as (base, http):
        yield base


async def _search(page, base: str, name: str, viewport: dict, javascript: bool = True) -> None:
    from playwright.async_api import expect

    await page.goto(base + "/")
    assert await page.get_attribute("html", "lang") == "zh-CN"
    await expect(page.locator("a.hall")).to_have_count(4)
    await page.screenshot(path=str(ARTIFACTS / f"{name}-1-home.png"), full_page=True)
    # Keyword search from the home page lands in the needs hall.
    await page.fill("#home-q", "催化剂")
    await page.click("form.search button[type=submit]")
    await page.wait_for_url("**/halls/needs?q=*")
    first = await page.locator(".results .card").count()
    assert first >= 2
    for title in await page.locator(".results .card .title").all_inner_texts():
        assert title  # every card has its title
    await expect(page.locator(".summary")).to_contain_text("关键词：催化剂")
    # Narrow it: one city, open challenges only, sorted by reward.
    await page.select_option("#f-city", "吕梁")
    await page.check("#f-challenge")
    await page.select_option("#f-sort", "amount")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url("**challenge=1**")
    cards = page.locator(".results .card")
    n = await cards.count()
    assert 1 <= n < first
    for i in range(n):
        card = cards.nth(i)
        await expect(card.locator(".badge")).to_contain_text("揭榜挂帅")
        await expect(card.locator(".city")).to_have_text("吕梁")
    # The filter form keeps what was chosen; the industry and field filters show names.
    assert await page.locator("#f-city").input_value() == "吕梁"
    assert await page.locator("#f-challenge").is_checked()
    options = await page.locator("#f-industry option").all_inner_texts()
    assert "制造业（全部）" in options and not any(
        o[:1].isascii() and o[:1].isalpha() for o in options
    )
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"wider than the screen: {width}px"
    await page.screenshot(path=str(ARTIFACTS / f"{name}-2-needs-filtered.png"), full_page=True)
    if javascript:
        # The type-ahead finds an industry below the drop-down's levels by name.
        box = page.locator("#f-industry + input.typeahead")
        await box.fill("钢压延")
        await page.locator(".typeahead-list button", has_text="钢压延加工").click()
        assert await page.locator("#f-industry").input_value() == "C3130"
        await page.uncheck("#f-challenge")
        await page.select_option("#f-city", "")
        await page.fill("#f-q", "")
        await page.click("form.filters button[type=submit]")
        await page.wait_for_url("**industry=C3130**")
        await expect(page.locator(".summary")).to_contain_text("行业：钢压延加工")
        await expect(page.locator(".results .card").first).to_be_visible()
        await page.screenshot(path=str(ARTIFACTS / f"{name}-2b-typeahead.png"), full_page=True)
        await page.go_back()
    # A detail page: the record, names for codes, and 对接 asks to log in first.
    await cards.first.locator(".title a").click()
    await page.wait_for_url("**/halls/needs/*")
    contact = page.locator(".contact a.button")
    await expect(contact).to_have_text("对接")
    assert (await contact.get_attribute("href")).startswith("/contact/new?target=need:")
    await expect(page.locator(".contact")).to_contain_text("登录")
    await page.screenshot(path=str(ARTIFACTS / f"{name}-3-detail.png"), full_page=True)


async def test_anonymous_visitor_searches_the_needs_hall(demo_server):
    from playwright.async_api import async_playwright

    base = demo_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            desktop = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
            page = await desktop.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            await _search(page, base, "desktop", DESKTOP)
            assert errors == []
            await desktop.close()
            # A phone without JavaScript: the pages are plain HTML forms and links.
            phone = await browser.new_context(
                viewport=NARROW, locale="zh-CN", java_script_enabled=False, is_mobile=True
            )
            page = await phone.new_page()
            await _search(page, base, "phone-375-nojs", NARROW, javascript=False)
            # The catalogue for the same filter prints as numbered entries.
            await page.goto(base + "/catalogue?city=吕梁")
            await page.emulate_media(media="print")
            assert await page.locator("header.site").is_hidden()
            numbers = await page.locator(".entry .no").all_inner_texts()
            assert numbers and numbers[0] == "1."
            await page.screenshot(path=str(ARTIFACTS / "catalogue-print.png"), full_page=True)
            await phone.close()
            printer = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
            page = await printer.new_page()
            await page.goto(base + "/catalogue?city=吕梁")
            pdf = await page.pdf(path=str(ARTIFACTS / "catalogue.pdf"), format="A4")
            assert pdf[:4] == b"%PDF"
            await printer.close()
        finally:
            await browser.close()
