"""A round's statistics: matched share by city, industry and tag, the score histogram, and
the pairings' answers and outcomes."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import asyncpg

from service.auth import Principal
from service.rounds import repository as repo
from service.rounds.rounds import (
    get_round,
    staff,
)
from service.rounds.schemas import (
    Stats,
)

# --- statistics ----------------------------------------------------------------------------------


async def stats(conn: asyncpg.Connection, round_id: int, principal: Principal) -> Stats:
    staff(principal)
    row = await get_round(conn, round_id)
    run_id = row["published_run_id"] or await repo.latest_succeeded_run(conn, round_id)
    if run_id is None:
        return Stats(
            round_id=round_id, run_id=None, demands=0, matched_demands=0, matched_share=0.0,
            by_city=[], by_industry=[], by_tag=[], score_histogram=[], responses={}, outcomes={},
        )  # fmt: skip
    items = [r for r in await repo.run_items(conn, run_id) if r["side"] == "demand"]
    chosen = await repo.chosen_scores(conn, run_id)
    matched = {r["demand_id"] for r in chosen}

    def share(groups: dict[str, list[int]]) -> list[dict[str, Any]]:
        rows = []
        for key, ids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            m = sum(1 for i in ids if i in matched)
            rows.append(
                {"key": key, "demands": len(ids), "matched": m, "share": round(m / len(ids), 4)}
            )
        return rows

    by_city: dict[str, list[int]] = defaultdict(list)
    by_industry: dict[str, list[int]] = defaultdict(list)
    by_tag: dict[str, list[int]] = defaultdict(list)
    for it in items:
        by_city[it["city"]].append(it["item_id"])
        by_industry[(it["industry_code"] or "未填")[:3]].append(it["item_id"])
        for tag in it["tags"] or ["无标签"]:
            by_tag[tag].append(it["item_id"])
    bins = Counter(min(int(r["score"] * 10), 9) for r in chosen)
    histogram = [
        {"from": round(b / 10, 1), "to": round((b + 1) / 10, 1), "pairs": bins.get(b, 0)}
        for b in range(10)
    ]
    resp = await repo.pairing_counts(conn, round_id)
    return Stats(
        round_id=round_id, run_id=run_id, demands=len(items), matched_demands=len(matched),
        matched_share=round(len(matched) / len(items), 4) if items else 0.0,
        by_city=share(by_city), by_industry=share(by_industry), by_tag=share(by_tag),
        score_histogram=histogram,
        responses={k: resp[k] for k in ("pairings", "both_accepted", "declined", "pending")},
        outcomes={k: resp[k] for k in ("meeting_held", "contract_signed", "contract_amount", "hired", "hires")},
    )  # fmt: skip
