"""Demo data: a believable province's worth of enterprises, universities and what they publish.

``demo_data.json`` was written for this project (fictional enterprises, real public universities
and institutes). Every record goes through the same validation as the API. Loading is idempotent:
records are keyed by ``demo_key``; one already present is left as it is (so edits made while
demonstrating survive a restart with ``--demo``).
"""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources
from typing import Any

import asyncpg
import msgspec

from service.auth import SYSTEM
from service.demo.repository import existing as _existing
from service.demo.repository import lock as _lock
from service.domain import capabilities, crud, jobs, needs, organizations, talent_pools


def demo_data() -> dict[str, list[dict[str, Any]]]:
    text = resources.files(__package__).joinpath("demo_data.json").read_text(encoding="utf-8")
    return json.loads(text)


async def load_demo(conn: asyncpg.Connection) -> dict[str, int]:
    """Insert the demo records that are not there yet; return how many of each exist now."""
    data = demo_data()
    counts: dict[str, int] = {}
    async with conn.transaction():
        await _lock(conn)
        org_ids = await _existing(conn, "organizations")
        for rec in data["organizations"]:
            rec = dict(rec)
            key = rec.pop("key")
            if key in org_ids:
                continue
            body = msgspec.convert(rec, organizations.OrganizationCreate)
            item = await crud.create(
                conn, organizations.RESOURCE, body, {"demo_key": key}, principal=SYSTEM
            )
            org_ids[key] = item.id
        counts["organizations"] = len(org_ids)

        plan = (
            ("rd_needs", needs.RESOURCE),
            ("job_openings", jobs.RESOURCE),
            ("capabilities", capabilities.RESOURCE),
            ("talent_pools", talent_pools.RESOURCE),
        )
        for section, resource in plan:
            existing = await _existing(conn, resource.table)
            for rec in data[section]:
                rec = dict(rec)
                key = rec.pop("key")
                if key in existing:
                    continue
                rec["owner_id"] = org_ids[rec.pop("owner")]
                if "deadline_in_days" in rec:
                    days = rec.pop("deadline_in_days")
                    rec["deadline"] = (needs.today() + timedelta(days=days)).isoformat()
                body = msgspec.convert(rec, resource.create)
                item = await crud.create(conn, resource, body, {"demo_key": key}, principal=SYSTEM)
                existing[key] = item.id
            counts[section] = len(existing)
        from service.demo.accounts import load_demo_users

        counts["users"] = len(await load_demo_users(conn))
    return counts
