"""The public halls, detail pages and catalogue as an anonymous visitor sees them (HTML through the
test client): published records only, no contact details, names instead of codes, every filter and
sort, paging, and a Chinese 400 page naming a bad parameter."""

import io
import re
from html import unescape

import pytest

from tests import factories as f


def visible_text(html: str) -> str:
    """What a reader sees: the page without tags, attributes (hover titles, option values),
    scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def titles(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<h2 class="title"><a href="[^"]+">([^<]+)</a>', html)]


@pytest.fixture
async def world(client):
    """An enterprise with a contact person, a university, and needs in every status."""
    ent = (
        await client.post(
            "/api/organizations",
            json=f.enterprise(contact_name="郭振华", contact_phone="0351-7444512"),
        )
    ).json()
    uni = (await client.post("/api/organizations", json=f.university())).json()
    ids = {}
    for key, over in {
        "published": {"title": "煤焦油加氢催化剂寿命提升"},
        "draft": {"title": "草稿里的保密需求", "status": "draft"},
        "closed": {"title": "已经关闭的旧需求", "status": "closed"},
    }.items():
        r = await client.post("/api/needs", json=f.need(ent["id"], **over))
        assert r.status_code == 201, r.text
        ids[key] = r.json()["id"]
    cap = await client.post(
        "/api/capabilities", json=f.capability(uni["id"], contact="许研究员 0351-4045099")
    )
    assert cap.status_code == 201, cap.text
    ids["capability"] = cap.json()["id"]
    return {"ent": ent, "uni": uni, **ids}


async def test_anonymous_sees_published_only(anon, world):
    r = await anon.get("/halls/needs")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert titles(r.text) == ["煤焦油加氢催化剂寿命提升"]
    for key in ("draft", "closed"):
        d = await anon.get(f"/halls/needs/{world[key]}")
        assert d.status_code == 404
        assert "不存在或未公开" in d.text
    ok = await anon.get(f"/halls/needs/{world['published']}")
    assert ok.status_code == 200 and "煤焦油加氢催化剂寿命提升" in ok.text
