"""Shared set-up for round tests: organizations, records and a worker on the test database."""

from __future__ import annotations

import asyncpg

from service.app import create_pool
from service.rounds.worker import Worker
from tests.factories import capability, enterprise, job, need, talent_pool, university


async def make_org(client, **body) -> int:
    r = await client.post("/api/organizations", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def make(client, path: str, body: dict) -> int:
    r = await client.post(path, json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def open_challenge_world(client) -> dict:
    """Two enterprises with three needs (two challenges), two universities with four teams."""
    w: dict = {}
    w["coal"] = await make_org(
        client, **enterprise(name="孝义市晋焦化工有限公司", city="吕梁", industry_code="C2521")
    )
    w["carbon"] = await make_org(
        client,
        **enterprise(name="太原碳谷新材料有限公司", city="太原", industry_code="C3091", tags=[]),
    )
    w["tyut"] = await make_org(client, **university(name="太原理工大学", city="太原"))
    w["sxicc"] = await make_org(
        client, kind="institute", name="中国科学院山西煤炭化学研究所", city="太原"
    )
    w["tar"] = await make(
        client,
        "/api/needs",
        need(
            w["coal"],
            title="煤焦油加氢催化剂寿命提升",
            is_challenge=True,
            reward=1_500_000,
            keywords=["煤焦油", "加氢", "催化剂", "失活"],
            field_codes=["B06"],
            description="加氢精制催化剂运行三个月后失活，需要抗积碳的新型催化剂，寿命提升至一年。",
        ),
    )
    w["fiber"] = await make(
        client,
        "/api/needs",
        need(
            w["carbon"],
            title="碳纤维原丝预氧化工艺优化",
            is_challenge=True,
            reward=800_000,
            keywords=["碳纤维", "预氧化", "原丝"],
            field_codes=["E03"],
            description="聚丙烯腈原丝预氧化过程放热集中，纤维皮芯结构明显，需要优化升温程序。",
        ),
    )
    w["wastewater"] = await make(
        client,
        "/api/needs",
        need(
            w["coal"],
            title="焦化废水深度处理",
            keywords=["焦化废水", "酚氰废水", "膜处理"],
            field_codes=["B07"],
            description="焦化废水中酚、氰化物超标，需要低成本深度处理工艺。",
        ),
    )
    w["catalyst_team"] = await make(
        client,
        "/api/capabilities",
        capability(
            w["sxicc"],
            title="煤焦油加氢催化剂研发团队",
            keywords=["煤焦油", "加氢", "催化剂"],
            field_codes=["B06"],
            description="长期从事煤焦油加氢精制与抗积碳催化剂研究，拥有中试装置。",
        ),
    )
    w["fiber_team"] = await make(
        client,
        "/api/capabilities",
        capability(
            w["tyut"],
            title="碳纤维结构与预氧化研究团队",
            keywords=["碳纤维", "预氧化", "聚丙烯腈"],
            field_codes=["E03"],
            description="研究聚丙烯腈基碳纤维原丝预氧化与碳化过程中的结构演变。",
        ),
    )
    w["water_team"] = await make(
        client,
        "/api/capabilities",
        capability(
            w["tyut"],
            title="工业废水处理团队",
            keywords=["焦化废水", "高级氧化", "膜处理"],
            field_codes=["B07"],
            description="焦化废水、煤化工废水的高级氧化与膜处理技术。",
        ),
    )
    w["magnesium_team"] = await make(
        client,
        "/api/capabilities",
        capability(
            w["tyut"],
            title="镁合金压铸团队",
            keywords=["镁合金", "压铸"],
            field_codes=["E01"],
            description="镁合金材料与压铸成形工艺。",
        ),
    )
    return w


async def fair_world(client) -> dict:
    w: dict = {}
    w["ent_a"] = await make_org(
        client, **enterprise(name="太原智矿科技有限公司", city="太原", industry_code="I6513")
    )
    w["ent_b"] = await make_org(
        client,
        **enterprise(name="晋中杂粮食品有限公司", city="晋中", industry_code="C1469", tags=[]),
    )
    w["uni_a"] = await make_org(client, **university(name="太原理工大学", city="太原"))
    w["uni_b"] = await make_org(client, **university(name="山西农业大学", city="晋中"))
    w["job_cv"] = await make(
        client,
        "/api/jobs",
        job(
            w["ent_a"],
            title="机器视觉算法工程师",
            skills=["Python", "OpenCV", "深度学习"],
            majors=["计算机科学与技术"],
            min_education="本科",
            headcount=3,
            city="太原",
        ),
    )
    w["job_food"] = await make(
        client,
        "/api/jobs",
        job(
            w["ent_b"],
            title="食品研发工程师",
            skills=["食品工艺", "配方设计"],
            majors=["食品科学与工程"],
            min_education="本科",
            headcount=2,
            city="晋中",
        ),
    )
    w["pool_cs"] = await make(
        client,
        "/api/talent-pools",
        talent_pool(
            w["uni_a"],
            major_name="计算机科学与技术",
            major_code="080901",
            skills=["Python", "深度学习", "OpenCV"],
            graduates=150,
        ),
    )
    w["pool_food"] = await make(
        client,
        "/api/talent-pools",
        talent_pool(
            w["uni_b"],
            major_name="食品科学与工程",
            major_code="082701",
            skills=["食品工艺", "发酵"],
            graduates=80,
            city="晋中",
        ),
    )
    return w


async def run_worker_once(dsn: str) -> bool:
    """Process one queued run with a worker on the test database, as ``duijie worker`` would."""
    pool = await create_pool(dsn, max_size=3)
    try:
        return await Worker(pool, worker_id="test-worker").run_once()
    finally:
        await pool.close()


async def run_to_completion(client, dsn: str, round_id: int) -> dict:
    r = await client.post(f"/api/rounds/{round_id}/runs")
    assert r.status_code == 202, r.text
    run = r.json()
    assert r.headers["location"] == f"/api/runs/{run['id']}"
    assert await run_worker_once(dsn)
    run = (await client.get(f"/api/runs/{run['id']}")).json()
    assert run["state"] == "succeeded", run
    return run


async def db(dsn: str) -> asyncpg.Connection:
    return await asyncpg.connect(dsn)
