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
import msgspec

from service.rounds import pipeline, snapshot, states
from service.rounds import repository as repo
from service.rounds.schemas import RunParams

log = logging.getLogger("duijie.worker")

DEFAULT_LEASE_SECONDS = 30.0


class Cancelled(Exception):
    pass


class LostLease(Exception):
    """Another worker took the run over (we were presumed dead)."""


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
                await states.run_ended(conn, run["round_id"], run["params"])
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
                params = msgspec.convert(run["params"], RunParams)  # without previous_state
                taken, items = await snapshot.take(conn, run["round_id"], params, run["seed"])
                await repo.store_snapshot(conn, run_id, taken)
            self._check(state)

            def progress(stage: str, percent: int) -> None:
                # Called from the pipeline's thread between stages: the place to stop early.
                state["stage"], state["percent"] = stage, percent
                self._check(state)

            result = await asyncio.to_thread(pipeline.run, taken, progress)
            self._check(state)
            state.update(stage="storing", percent=90)
            async with self.pool.acquire() as conn, conn.transaction():
                # Decided under the run's row lock, which cancel_run takes too: a cancel either
                # lands before this point (and nothing is stored) or finds the run finished.
                if await repo.cancel_requested(conn, run_id):
                    raise Cancelled()
                await repo.store_results(conn, run_id, items, result.candidates, result.unmatched)
                if not await repo.finish_run(
                    conn, run_id, self.worker_id, "succeeded", summary=result.summary
                ):
                    raise LostLease()
                await states.run_succeeded(conn, run["round_id"])
            log.info("worker %s: run %s succeeded: %s", self.worker_id, run_id, result.summary)
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
                await states.run_ended(conn, run["round_id"], run["params"])

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
