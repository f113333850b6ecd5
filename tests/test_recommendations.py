"""Recommendations outside rounds, in all four directions, kept fresh when records change."""

import asyncio

import pytest

from service.recommend import Recommender
from tests.factories import capability, need, talent_pool
from tests.rounds_helpers import fair_world, make, open_challenge_world


@pytest.fixture
def fresh_recommender(app):
    # The app lives for the whole session; each test starts with empty indexes and cache.
    app.state.recommender = Recommender()
    return app.state.recommender


async def test_need_and_capability_directions(client, fresh_recommender):
    w = await open_challenge_world(client)
    r = await client.get(f"/api/needs/{w['tar']}/recommendations", params={"limit": 3})
    assert r.status_code == 200, r.text
    recs = r.json()["items"]
    assert recs[0]["id"] == w["catalyst_team"] and recs[0]["rank"] == 1
    assert "煤焦油" in recs[0]["matched_terms"]["keywords"]
    assert recs[0]["owner_name"] == "中国科学院山西煤炭化学研究所"
    assert [x["score"] for x in recs] == sorted((x["score"] for x in recs), reverse=True)
    assert len(recs) <= 3

    r = await client.get(f"/api/capabilities/{w['fiber_team']}/recommendations")
    assert r.json()["items"][0]["id"] == w["fiber"]
    r = await client.get(f"/api/capabilities/{w['water_team']}/recommendations")
    assert r.json()["items"][0]["id"] == w["wastewater"]


async def test_job_and_pool_directions(client, fresh_recommender):
    w = await fair_world(client)
    r = (await client.get(f"/api/jobs/{w['job_cv']}/recommendations")).json()
    assert r["items"][0]["id"] == w["pool_cs"]
    skills = {t.lower() for t in r["items"][0]["matched_terms"]["skills"]}
    assert skills & {"python", "opencv", "深度学习"}
    r = (await client.get(f"/api/talent-pools/{w['pool_food']}/recommendations")).json()
    assert r["items"][0]["id"] == w["job_food"]
    # A 大专 pool is never offered a job that asks for 本科.
    pool = await make(client, "/api/talent-pools", talent_pool(
        w["uni_a"], major_name="计算机应用技术", major_code="510201", degree_level="大专",
        skills=["Python", "OpenCV"]))  # fmt: skip
    r = (await client.get(f"/api/talent-pools/{pool}/recommendations")).json()
    assert w["job_cv"] not in [x["id"] for x in r["items"]]


async def test_recommendations_follow_changes(client, fresh_recommender):
    w = await open_challenge_world(client)
    url = f"/api/needs/{w['wastewater']}/recommendations"
    first = (await client.get(url)).json()["items"]
    assert first[0]["id"] == w["water_team"]
    # A closer team appears, and the first one is closed: both show up within a few seconds.
    better = await make(client, "/api/capabilities", capability(
        w["sxicc"], title="焦化废水酚氰深度处理团队", keywords=["焦化废水", "酚氰废水", "膜处理"],
        field_codes=["B07"], description="焦化废水中酚、氰化物的低成本深度处理工艺与膜处理。"))  # fmt: skip
    r = await client.patch(f"/api/capabilities/{w['water_team']}", json={"status": "closed"})
    assert r.status_code == 200
    for _ in range(100):
        items = (await client.get(url)).json()["items"]
        ids = [x["id"] for x in items]
        if ids and ids[0] == better and w["water_team"] not in ids:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(f"recommendations did not follow the change: {ids}")


async def test_unknown_item_and_bad_limit(client, fresh_recommender):
    assert (await client.get("/api/needs/999/recommendations")).status_code == 404
    r = await client.get("/api/jobs/1/recommendations", params={"limit": 0})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "limit"


async def test_a_drafts_recommendations_are_its_owners(client, anon, as_role, fresh_recommender):
    w = await open_challenge_world(client)
    r = await client.patch(f"/api/needs/{w['tar']}", json={"status": "draft"})
    assert r.status_code == 200
    url = f"/api/needs/{w['tar']}/recommendations"
    assert (await anon.get(url)).status_code == 404
    stranger = await as_role("enterprise", w["carbon"])
    assert (await stranger.get(url)).status_code == 404
    owner = await as_role("enterprise", w["coal"])
    r = await owner.get(url)
    assert r.status_code == 200 and r.json()["items"][0]["id"] == w["catalyst_team"]


async def test_no_good_match_marks_the_nearest_candidates_weak(client, fresh_recommender):
    """Issue #14 item 5: a need that no capability's content fits gets no_good_match and weak
    items (still the nearest ones), not five confident cards; a fitting need does not."""
    w = await open_challenge_world(client)
    glass = await make(client, "/api/needs", need(
        w["coal"], title="无铅水晶玻璃澄清剂替代", keywords=["水晶玻璃", "澄清剂", "气泡"],
        field_codes=["B06"], description="玻璃熔制中以无锑澄清剂替代，减少气泡缺陷。"))  # fmt: skip
    r = (await client.get(f"/api/needs/{glass}/recommendations")).json()
    assert r["no_good_match"] is True
    assert r["items"] and all(x["weak"] for x in r["items"])
    r = (await client.get(f"/api/needs/{w['tar']}/recommendations")).json()
    assert r["no_good_match"] is False
    assert r["items"][0]["weak"] is False
    # Weak items never come before a fitting one.
    flags = [x["weak"] for x in r["items"]]
    assert flags == sorted(flags)
