"""A run's input snapshot: everything the run reads, taken in one repeatable-read transaction
and stored with the run, so the run can be replayed (:func:`service.rounds.pipeline.execute`)."""

from __future__ import annotations

import asyncpg

from service.domain import documents_repository as documents_sql
from service.rounds import repository as repo
from service.rounds.records import snapshot_record
from service.rounds.schemas import RunItem, RunParams, Snapshot, SnapshotApplication


async def take(
    conn: asyncpg.Connection, round_id: int, params: RunParams, seed: int
) -> tuple[Snapshot, list[RunItem]]:
    """The round's participants, applications, pins and forbids as the run will see them, and
    the participants as its results will name them."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        row = await repo.fetch_round(conn, round_id)
        kind = row["kind"]
        demand_rows = await repo.participants(conn, row, "demand")
        supply_rows = await repo.participants(conn, row, "supply")
        apps = await repo.list_applications(conn, round_id, None)
        cons = await repo.list_constraints(conn, round_id)
        answered = await repo.pairing_answers(conn, round_id)
        documents: dict[int, list[dict]] = {}
        if kind == "open_challenge" and supply_rows:  # capabilities' papers, patents, projects
            documents = await documents_sql.by_capability(conn, [r["id"] for r in supply_rows])

    demands = [snapshot_record(kind, "demand", r) for r in demand_rows]
    supplies = [snapshot_record(kind, "supply", r) for r in supply_rows]
    for sup in supplies:
        if sup["id"] in documents:
            sup["documents"] = documents[sup["id"]]
    demand_ids = {d["id"] for d in demands}
    supply_ids = {s["id"] for s in supplies}
    pins = [(c["demand_id"], c["supply_id"]) for c in cons if c["kind"] == "pin"]
    forbids = [
        (c["demand_id"], c["supply_id"], c["reason"] or "协调员排除")
        for c in cons
        if c["kind"] == "forbid"
    ]
    for a in answered:
        key = (a["demand_id"], a["supply_id"])
        if "declined" in (a["demand_response"], a["supply_response"]):
            who = "需求方" if a["demand_response"] == "declined" else "供给方"
            forbids.append((*key, f"{who}已婉拒此配对"))
        elif a["demand_response"] == a["supply_response"] == "accepted" and key not in pins:
            pins.append(key)
    # A pair either side declined is out, even if the coordinator had pinned it.
    declined = {(f[0], f[1]) for f in forbids}
    pins = [p for p in pins if p not in declined]
    snapshot = Snapshot(
        round_id=round_id,
        kind=kind,
        params=params,
        demands=demands,
        supplies=supplies,
        applications=[
            # Only a listing stores its direction (omit_defaults compares by identity).
            SnapshotApplication(need_id=a["need_id"], capability_id=a["capability_id"])
            if a["direction"] != "listing"
            else SnapshotApplication(
                need_id=a["need_id"], capability_id=a["capability_id"], direction="listing"
            )
            for a in apps
            # Withdrawn applications are out; shortlisted (and decided) ones still count.
            if a["status"] != "withdrawn"
            and a["need_id"] in demand_ids
            and a["capability_id"] in supply_ids
        ],
        pins=[p for p in pins if p[0] in demand_ids and p[1] in supply_ids],
        forbids=[f for f in forbids if f[0] in demand_ids and f[1] in supply_ids],
        seed=seed,
    )
    items = [
        RunItem("demand", d["id"], d["title"], d["owner_id"], d["owner_name"], d["city"],
                d["industry_code"], d["tags"], bool(d.get("is_challenge")))
        for d in demands
    ] + [
        RunItem("supply", s["id"], s["title"], s["owner_id"], s["owner_name"], s["city"], None,
                [], False)
        for s in supplies
    ]  # fmt: skip
    return snapshot, items
