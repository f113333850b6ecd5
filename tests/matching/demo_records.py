"""The demo data's published records as the recommendation service gives them to the engine."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from service.rounds.records import as_demand, as_supply

DEMO = Path(__file__).resolve().parents[2] / "service" / "demo" / "demo_data.json"


def _rows(data: dict, name: str) -> list[dict]:
    orgs = {o["key"]: o for o in data["organizations"]}
    out = []
    for i, r in enumerate(data[name]):
        if r.get("status", "published") != "published":
            continue
        o = orgs[r["owner"]]
        row = {"city": None, "skills": [], **r, "id": i + 1}
        row.update(
            owner_city=o["city"],
            owner_industry=o.get("industry_code"),
            owner_tags=o.get("tags") or [],
            owner_name=o["name"],
        )
        out.append(row)
    return out


@lru_cache(maxsize=1)
def demo() -> dict[str, list[dict]]:
    """Needs, capabilities, jobs and pools of the demo data as engine records."""
    data = json.loads(DEMO.read_text("utf-8"))
    return {
        "needs": [as_demand("rd_needs", r) for r in _rows(data, "rd_needs")],
        "capabilities": [as_supply("capabilities", r) for r in _rows(data, "capabilities")],
        "jobs": [as_demand("job_openings", r) for r in _rows(data, "job_openings")],
        "pools": [as_supply("talent_pools", r) for r in _rows(data, "talent_pools")],
    }
