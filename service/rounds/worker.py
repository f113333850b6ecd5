"""Background runs: a job queue in PostgreSQL shared by any number of workers.

A worker claims the oldest queued run with ``FOR UPDATE SKIP LOCKED`` (so two workers never take
the same run), renews a lease (``heartbeat_at``) while it works, and writes the results and the
``succeeded`` state in one transaction (so nobody ever sees half of them). A run whose worker
died stops getting heartbeats; once the lease its worker wrote into the row (``lease_expires_at``,
now + that worker's ``--lease``, default 30 s) has expired, another worker claims it again, up
to ``max_attempts`` times, after which it is marked failed and can be re-run. Workers with
different ``--lease`` settings share a queue safely: each honours the holder's lease.

``duijie worker`` runs one worker; ``duijie serve`` runs one in-process by default so the
quickstart needs a single command. Heavy work (scoring, assignment) runs in a thread so the
heartbeat keeps going.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any

import asyncpg

from service.rounds import pipeline
from service.rounds import repository as repo
from service.rounds.service import restore_round_state

log = logging.getLogger("duijie.worker")

DEFAULT_LEASE_SECONDS = 30.0


class Cancelled(Exception):
    pass


class LostLease(Exception):
    """Another worker took the run over (we were presumed dead)."""


def _item_title(kind: str, side: str, r: asyncpg.Record) -> str:
    if kind == "recruitment_fair" and side == "supply":
        return (
            f"{r['owner_name']} {r['major_name']}（{r['degree_level']}，{r['graduation_year']}届）"
        )
    return r["title"]


async def take_snapshot(
    conn: asyncpg.Connection, round_id: int
) -> tuple[dict[str, Any], list[tuple]]:
    """Everything a run needs, read in one repeatable-read transaction."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        row = await repo.fetch_round(conn, round_id)
        kind = row["kind"]
        demand_rows = await repo.participants(conn, row, "demand")
        supply_rows = await repo.participants(conn, row, "supply")
        apps = await repo.list_applications(conn, round_id, None)
        cons = await repo.list_constraints(conn, round_id)
        answered = await conn.fetch(
            "SELECT demand_id, supply_id, demand_response, supply_response FROM pairings WHERE round_id = $1",
            round_id,
        )

    def record(r: asyncpg.Record, side: str) -> dict[str, Any]:
        d = {k: r[k] for k in r.keys() if k not in _SKIP}  # noqa: SIM118
        d["city"] = r["city"] if "city" in r.keys() and r["city"] else r["org_city"]  # noqa: SIM118
        d["industry_code"] = r["org_industry"]
        d["tags"] = list(r["org_tags"] or [])
        d["owner_name"] = r["org_name"]
        d["title"] = _item_title(kind, side, {**dict(r), "owner_name": r["org_name"]})
        for k in ("deadline",):
            if d.get(k) is not None:
                d[k] = d[k].isoformat()
        return d

    demands = [record(r, "demand") for r in demand_rows]
    supplies = [record(r, "supply") for r in supply_rows]
    demand_ids = {d["id"] for d in demands}
    supply_ids = {s["id"] for s in supplies}
    pins = [[c["demand_id"], c["supply_id"]] for c in cons if c["kind"] == "pin"]
    forbids = [
        [c["demand_id"], c["supply_id"], c["reason"] or "协调员排除"]
        for c in cons
        if c["kind"] == "forbid"
    ]
    for a in answered:
        key = [a["demand_id"], a["supply_id"]]
        if "declined" in (a["demand_response"], a["supply_response"]):
            who = "需求方" if a["demand_response"] == "declined" else "供给方"
            forbids.append([*key, f"{who}已婉拒此配对"])
        elif a["demand_response"] == a["supply_response"] == "accepted" and key not in pins:
            pins.append(key)
    # A pair either side declined is out, even if the coordinator had pinned it.
    declined = {(f[0], f[1]) for f in forbids}
    pins = [p for p in pins if (p[0], p[1]) not in declined]
    snapshot = {
        "round_id": round_id,
        "kind": kind,
        "params": None,  # filled in by the caller from the run's own parameters
        "demands": demands,
        "supplies": supplies,
        "applications": [
            # Challenge applications keep the shape of snapshots from before two-way 揭榜.
            {"need_id": a["need_id"], "capability_id": a["capability_id"]}
            | ({"direction": "listing"} if a["direction"] == "listing" else {})
            for a in apps
            # Withdrawn applications are out; shortlisted (and decided) ones still count.
            if a["status"] != "withdrawn"
            and a["need_id"] in demand_ids
            and a["capability_id"] in supply_ids
        ],
        "pins": [p for p in pins if p[0] in demand_ids and p[1] in supply_ids],
        "forbids": [f for f in forbids if f[0] in demand_ids and f[1] in supply_ids],
    }
    items = [
        ("demand", d["id"], d["title"], d["owner_id"], d["owner_name"], d["city"], d["industry_code"],
         d["tags"], bool(d.get("is_challenge")))
        for d in demands
    ] + [
        ("supply", s["id"], s["title"], s["owner_id"], s["owner_name"], s["city"], None, [], False)
        for s in supplies
    ]  # fmt: skip
    return snapshot, items


_SKIP = {
    "search_text", "demo_key", "created_at", "updated_at", "version", "by_scope",
    "by_registration", "org_city", "org_industry", "org_tags", "org_kind", "org_id", "org_name",
}  # fmt: skip


class Worker:
    """One worker process's loop. ``stop()`` ends it after the current run."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        worker_id: str | None = None,
        *,
        lease_seconds: float | None = None,
        poll_seconds: float = 1.0,
    ) -> None:
        self.pool = pool
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self) & 0xFFFF:x}"
        self.lease = lease_seconds or float(
            os.environ.get("DUIJIE_WORKER_LEASE", DEFAULT_LEASE_SECONDS)
        )
        self.poll = poll_seconds
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run_forever(self) -> None:
        log.info("worker %s started (lease %.0f s)", self.worker_id, self.lease)
        listener = None

        def wake(*_: object) -> None:
            self._wake.set()

        try:
            listener = await self.pool.acquire()
            await listener.add_listener("duijie_runs", wake)
        except (OSError, asyncpg.PostgresError) as exc:  # polling still works without it
            log.warning("LISTEN unavailable: %r", exc)
            listener = None
        try:
            while not self._stopping.is_set():
                try:
                    worked = await self.run_once()
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("worker %s: database error, retrying: %r", self.worker_id, exc)
                    worked = False
                if not worked:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=self.poll)
                    except TimeoutError:
                        pass
        finally:
            if listener is not None:
                try:
                    await listener.remove_listener("duijie_runs", wake)
                except Exception:  # noqa: BLE001 - the connection may already be gone
                    pass
                await self.pool.release(listener)

    async def run_once(self) -> bool:
        """Claim and process one run; False when there was nothing to do."""
        async with self.pool.acquire() as conn:
            run = await repo.claim_run(conn, self.worker_id, self.lease)
            if run is None:
                return False
            if run["attempts"] > run["max_attempts"]:
                await repo.finish_run(
                    conn, run["id"], self.worker_id, "failed",
                    error=f"运行 {run['attempts'] - 1} 次均未完成（工作进程中断），已停止重试；可重新发起运行",
                )  # fmt: skip
                await restore_round_state(conn, run["round_id"], run["params"])
                return True
        await self.process(run)
        return True

    async def process(self, run: asyncpg.Record) -> None:
        run_id = run["id"]
        log.info(
            "worker %s: run %s (round %s, attempt %s)",
            self.worker_id,
            run_id,
            run["round_id"],
            run["attempts"],
        )
        state: dict[str, Any] = {"stage": "snapshot", "percent": 2, "cancel": False, "lost": False}
        beat = asyncio.create_task(self._heartbeat(run_id, state))
        try:
            async with self.pool.acquire() as conn:
                snapshot, items = await take_snapshot(conn, run["round_id"])
                snapshot["params"] = {
                    k: v for k, v in run["params"].items() if k != "previous_state"
                }
                snapshot["seed"] = run["seed"]
                await repo.store_snapshot(conn, run_id, snapshot)
            self._check(state)

            def progress(stage: str, percent: int) -> None:
                # Called from the pipeline's thread between stages: the place to stop early.
                state["stage"], state["percent"] = stage, percent
                self._check(state)

            result = await asyncio.to_thread(pipeline.execute, snapshot, progress)
            self._check(state)
            state.update(stage="storing", percent=90)
            async with self.pool.acquire() as conn, conn.transaction():
                # Decided under the run's row lock, which cancel_run takes too: a cancel either
                # lands before this point (and nothing is stored) or finds the run finished.
                if await conn.fetchval(
                    "SELECT cancel_requested FROM runs WHERE id = $1 FOR UPDATE", run_id
                ):
                    raise Cancelled()
                await repo.store_results(
                    conn, run_id, items, result["candidates"], result["unmatched"]
                )
                if not await repo.finish_run(
                    conn, run_id, self.worker_id, "succeeded", summary=result["summary"]
                ):
                    raise LostLease()
                await conn.execute(
                    "UPDATE rounds SET state = 'review' WHERE id = $1 AND state = 'matching'",
                    run["round_id"],
                )
            log.info("worker %s: run %s succeeded: %s", self.worker_id, run_id, result["summary"])
        except LostLease:
            log.warning(
                "worker %s: run %s was taken over by another worker", self.worker_id, run_id
            )
        except Cancelled:
            await self._end(run, "cancelled", "协调员取消了运行")
        except pipeline.RunFailed as exc:
            await self._end(run, "failed", str(exc))
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
            # The database went away: leave the run 'running'; once the lease expires, a worker
            # (maybe this one) claims it again.
            log.exception(
                "worker %s: run %s interrupted by a database error", self.worker_id, run_id
            )
        except Exception as exc:  # noqa: BLE001 - a run must end in a state people can see
            log.exception("worker %s: run %s crashed", self.worker_id, run_id)
            await self._end(run, "failed", f"内部错误：{type(exc).__name__}: {exc}")
        finally:
            beat.cancel()

    def _check(self, state: dict[str, Any]) -> None:
        if state["lost"]:
            raise LostLease()
        if state["cancel"]:
            raise Cancelled()

    async def _end(self, run: asyncpg.Record, final: str, error: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            if await repo.finish_run(conn, run["id"], self.worker_id, final, error=error):
                await restore_round_state(conn, run["round_id"], run["params"])

    async def _heartbeat(self, run_id: int, state: dict[str, Any]) -> None:
        interval = max(0.2, self.lease / 3)
        while True:
            try:
                async with self.pool.acquire() as conn:
                    row = await repo.heartbeat(
                        conn, run_id, self.worker_id, state["stage"], state["percent"],
                        lease_seconds=self.lease,
                    )  # fmt: skip
                if row is None:
                    state["lost"] = True
                    return
                state["cancel"] = row["cancel_requested"]
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("heartbeat for run %s failed: %r", run_id, exc)
            await asyncio.sleep(interval)
