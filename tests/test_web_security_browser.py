"""The web UI's security in a real browser (issue #15, items 4 and 10): after login only
same-origin paths are followed, the page's scripts never see a token, cookie-authenticated writes
need the CSRF header, and /schema runs the packaged Swagger UI under its CSP without violations.
Same set-up as ``test_web_browser.py`` (Debian's Chromium through Playwright, real server)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_web_browser import (  # noqa: F401  (live_server is a fixture)
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PASSWORD,
    live_server,
)

STATIC = Path(__file__).resolve().parent.parent / "service" / "web" / "static"

HOSTILE_NEXT = [
    "/\\evil.example/",
    "/%09/evil.example/",
    "//evil.example/",
    "/%0a/evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
]

browser_only = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="需要 /usr/bin/chromium（chromium not installed）"
)


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_safe_next_accepts_only_same_origin_paths():
    script = f"""
import {{ safeNext }} from {str(STATIC / "nav.js")!r};
const origin = 'http://127.0.0.1:8000';
const cases = {HOSTILE_NEXT!r}.map(decodeURIComponent)
  .concat(['/\\\\\\\\evil', '/ok\\\\x', '/a\\u0000b', '/a\\u007fb', null, '', 'round']);
const bad = cases.filter((c) => safeNext(c, origin) !== null);
const good = ['/round?id=3', '/import', '/coordinator#tab'].map((c) => safeNext(c, origin));
console.log(JSON.stringify({{ bad, good }}));
"""
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    ).stdout
    import json

    result = json.loads(out)
    assert result == {"bad": [], "good": ["/round?id=3", "/import", "/coordinator#tab"]}, out


async def _login_at(browser, base: str, path: str):
    context = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = await context.new_page()
    await page.goto(base + path)
    await page.wait_for_selector("body[data-ready]")
    await page.fill("input[name=login]", "ent@test")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)
    return context, page


@pytest.mark.slow
@browser_only
async def test_login_redirect_token_and_csrf_in_the_browser(live_server):  # noqa: F811
    from urllib.parse import quote

    from playwright.async_api import async_playwright

    base, orgs, http = live_server
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for hostile in HOSTILE_NEXT:
                # as an attacker's link would carry it (already-encoded parts stay encoded)
                raw = hostile if "%" in hostile else quote(hostile, safe="/:")
                context, page = await _login_at(browser, base, f"/login?next={raw}")
                assert page.url == base + "/enterprise", (hostile, page.url)
                await context.close()
            context, page = await _login_at(browser, base, "/login?next=%2Fimport%3Fx%3D1")
            assert page.url == base + "/import?x=1"
            await page.wait_for_selector("body[data-ready]")

            # the page's scripts see no token anywhere
            assert await page.evaluate("localStorage.getItem('duijie.token')") is None
            storage = await page.evaluate("JSON.stringify(localStorage)")
            assert "dj_" not in storage
            cookie_text = await page.evaluate("document.cookie")
            assert "duijie_session" not in cookie_text and "duijie_csrf=" in cookie_text
            jar = {c["name"]: c for c in await context.cookies()}
            assert (
                jar["duijie_session"]["httpOnly"] and jar["duijie_session"]["sameSite"] == "Strict"
            )
            # a write without the CSRF header is refused; the UI's own client sends it
            status = await page.evaluate(
                "fetch('/api/needs', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                " body: '{}'}).then((r) => r.status)"
            )
            assert status == 403
            status = await page.evaluate(
                f"import('/static/api.js').then((m) => m.post('/api/needs', {{owner_id: {orgs['ent']},"
                " title: '测试', description: '', keywords: []}).then(() => 201, (e) => e.status))"
            )
            assert status in (201, 422)  # past the CSRF check: the server judged the body
            # logging out clears the cookies
            await page.click("#logout")
            await page.wait_for_url(base + "/")
            names = {c["name"] for c in await context.cookies()}
            assert not names & {"duijie_session", "duijie_csrf"}
            await context.close()
        finally:
            await browser.close()


@pytest.mark.slow
@browser_only
async def test_schema_page_renders_under_its_csp(live_server):  # noqa: F811
    from playwright.async_api import async_playwright, expect

    base, _, _ = live_server
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=DESKTOP)
            page = await context.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            outside: list[str] = []
            page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
            await page.goto(base + "/schema")
            await expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
            assert await page.locator(".opblock").count() > 50
            assert not [p for p in problems if "Content Security Policy" in p], problems
            assert outside == [], outside
            await context.close()
        finally:
            await browser.close()
