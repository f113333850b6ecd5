"""The data of ``duijie serve --demo`` as an anonymous visitor meets it (issue #12): at least 80
published needs to browse, search and filter in the needs hall, every industry and research-field
code shown by its Chinese name, and the demo's open challenges approved (发榜) and visible."""

import re
from html import unescape

from service.reference import names
from tests.test_public_halls import titles, visible_text

TAG = re.compile(r'<span class="tag" title="([^"]*)">([^<]*)</span>')
CODE_IN_HOVER = re.compile(r"(?:GB/T 4754-2017|国家自然科学基金) ([A-Z][0-9]*)：")
BARE_CODE = re.compile(r"^[A-Z][0-9]{0,6}$")


async def _serve_demo_data(conn) -> dict:
    """What ``duijie serve --demo`` loads: the records and the demo logins."""
    from service.demo import demo_data, load_demo
    from service.demo.accounts import load_demo_users

    await load_demo(conn)
    await load_demo_users(conn)
    return demo_data()


async def _all_pages(anon, query: str = "") -> tuple[list[str], list[str]]:
    """Every card title of the needs hall for ``query``, and the pages' HTML."""
    seen: list[str] = []
    pages: list[str] = []
    page = 1
    while True:
        r = await anon.get(f"/halls/needs?{query}&page={page}")
        assert r.status_code == 200, r.text[:300]
        pages.append(r.text)
        seen += titles(r.text)
        if 'rel="next"' not in r.text:
            return seen, pages
        page += 1


def _names_for_codes(html: str) -> int:
    """Every tag whose hover names a code shows that code's Chinese name; no tag is a bare code.
    Returns how many coded tags were checked."""
    checked = 0
    for hover, text in TAG.findall(html):
        hover, text = unescape(hover), unescape(text)
        assert not BARE_CODE.match(text), (text, hover)
        m = CODE_IN_HOVER.search(hover)
        if m is None:
            continue
        code = m[1]
        expected = names.industry_name(code) if hover.startswith("GB/T") else names.field_name(code)
        assert expected and expected != code, code
        assert text == expected, (code, text, expected)
        checked += 1
    return checked


async def test_demo_hall_has_80_published_needs_with_names(anon, conn):
    data = await _serve_demo_data(conn)
    published = [n for n in data["rd_needs"] if n["status"] == "published"]
    seen, pages = await _all_pages(anon)
    assert len(seen) >= 80 and len(seen) == len(published)
    total = int(re.search(r"共 (\d+) 条", pages[0])[1])
    assert total == len(seen) >= 80
    checked = sum(_names_for_codes(html) for html in pages)
    assert checked >= len(seen)  # at least one named code per card (the owner's industry)
    owners = {o["key"]: o for o in data["organizations"]}
    codes = {c for n in published for c in n["field_codes"]}
    codes |= {owners[n["owner"]]["industry_code"] for n in published}
    for html in pages:
        text = visible_text(html)
        for code in codes:
            assert not re.search(rf"(?<![A-Za-z0-9]){code}(?![0-9])", text), code
    # The JSON API agrees for the anonymous visitor.
    api = (await anon.get("/api/needs", params={"limit": 100})).json()
    assert api["total"] == len(seen)


async def test_demo_hall_search_and_filters(anon, conn):
    data = await _serve_demo_data(conn)
    all_titles, _ = await _all_pages(anon)
    # Keyword: every hit has the word, and the hits are fewer than all.
    hits, pages = await _all_pages(anon, "q=催化剂")
    assert 1 <= len(hits) < len(all_titles)
    by_title = {n["title"]: n for n in data["rd_needs"]}
    for t in hits:
        n = by_title[t]
        assert "催化剂" in n["title"] + n["description"] + "".join(n["keywords"]), t
    # City, industry by its name, challenges only: each narrows, each card matches.
    owners = {o["key"]: o for o in data["organizations"]}
    published = [n for n in data["rd_needs"] if n["status"] == "published"]
    city = owners[published[0]["owner"]]["city"]
    in_city, pages = await _all_pages(anon, f"city={city}")
    assert 1 <= len(in_city) < len(all_titles)
    assert sorted(in_city) == sorted(
        n["title"] for n in published if owners[n["owner"]]["city"] == city
    )
    division = owners[published[0]["owner"]]["industry_code"][:3]
    division_name = names.industry_name(division)
    in_industry, pages = await _all_pages(anon, f"industry={division_name}")
    expected = [
        n["title"] for n in published if owners[n["owner"]]["industry_code"].startswith(division)
    ]
    assert sorted(in_industry) == sorted(expected) and in_industry
    assert f"行业：{division_name}" in visible_text(pages[0])
    for html in pages:
        assert _names_for_codes(html) >= len(titles(html))


async def test_demo_open_challenges_are_approved_and_visible(anon, conn):
    data = await _serve_demo_data(conn)
    challenges = [n for n in data["rd_needs"] if n["is_challenge"] and n["status"] == "published"]
    assert len(challenges) >= 10
    review = dict(
        await conn.fetch("SELECT title, challenge_review FROM rd_needs WHERE is_challenge")
    )
    assert {review[n["title"]] for n in challenges} == {"approved"}
    shown, pages = await _all_pages(anon, "challenge=1")
    assert sorted(shown) == sorted(n["title"] for n in challenges)
    for html in pages:
        assert html.count(">揭榜挂帅</span>") >= len(titles(html))
    api = (await anon.get("/api/needs", params={"is_challenge": "true", "limit": 100})).json()
    assert sorted(i["title"] for i in api["items"]) == sorted(shown)
    # Each one's detail page is public, with its reward.
    for html in pages[:1]:
        for href in re.findall(r'<h2 class="title"><a href="(/halls/needs/\d+)">', html)[:5]:
            d = await anon.get(href)
            assert d.status_code == 200 and "榜单金额" in d.text
