"""Recommendations outside rounds: for one need, job, capability or talent pool, the best
records on the other side, ranked with explanations.

Each direction keeps a :class:`matching.MatchIndex` over the *published* records of the other
side, in memory. Freshness: at most once a second a request looks at the collection's
``count(*)`` and ``max(updated_at)``; when they moved, a new index is built in a thread while the
old one keeps answering (so a change shows up within about a second plus the build time). An
answer is cached per (item, item version, index generation), so a request is served from answers
precomputed for every record after each (re)build, costing one SELECT.

Reverse directions (capability → needs, pool → jobs) index the other side in the supply shape of
the same engine kind; for pool → jobs education is compared explicitly (a job whose minimum
education is above the pool's degree is left out) instead of through the engine's asymmetric
``education`` component.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec

import matching
from service.auth import Principal
from service.domain import documents_repository as documents_sql
from service.domain.access import record_visible
from service.errors import NotFound
from service.recommend import repository as repo
from service.recommend.schemas import Recommendation
from service.rounds.records import as_demand, as_supply, owner_city, pool_title

log = logging.getLogger("duijie.recommend")

EDUCATION_RANK = {"大专": 0, "本科": 1, "硕士": 2, "博士": 3}
CHECK_INTERVAL = 1.0
WARM_KEEP = 20  # answers kept per record; a larger ``limit`` is computed on demand
WARM_CANDIDATES = 40


@dataclass(frozen=True)
class Direction:
    name: str  # "needs" → recommends capabilities for a need
    item_table: str
    target_table: str
    engine_kind: str
    label: str


DIRECTIONS = {
    "needs": Direction("needs", "rd_needs", "capabilities", "rd", "研发需求"),
    "capabilities": Direction("capabilities", "capabilities", "rd_needs", "rd", "科研能力"),
    "jobs": Direction("jobs", "job_openings", "talent_pools", "jobs", "招聘岗位"),
    "talent-pools": Direction("talent-pools", "talent_pools", "job_openings", "jobs", "人才库"),
}


@dataclass
class _Index:
    generation: tuple[int, Any]
    index: matching.MatchIndex | None
    rows: dict[int, dict[str, Any]]


@dataclass(frozen=True)
class _Answer:
    version: int
    generation: tuple[int, Any]
    items: tuple[bytes, ...]  # each recommendation already encoded as JSON
    weak: tuple[bool, ...] = ()  # per item


async def _logged(work: Any, what: str) -> None:
    """Run a background task's work, logging its failure (the old index keeps answering).

    A bare task that failed was only reported by asyncio, as "Task exception was never
    retrieved" with a traceback, whenever it happened to be garbage-collected."""
    try:
        await work
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.warning("%s failed: database unavailable: %r", what, exc)
    except Exception:  # noqa: BLE001 - keep serving the old index
        log.exception("%s failed", what)


@dataclass
class Recommender:
    """Per-process state: one index per direction and the answers, ready to send.

    After an index is (re)built, the answers for every record of the asking side are computed
    in a thread in one batch (``MatchIndex.rank``), so requests are served from memory; an
    answer whose record changed since (its ``version``) is recomputed on demand.
    """

    indexes: dict[str, _Index] = field(default_factory=dict)
    checked_at: dict[str, float] = field(default_factory=dict)
    building: dict[str, asyncio.Task] = field(default_factory=dict)
    answers: dict[tuple[str, int], _Answer] = field(default_factory=dict)
    warm: bool = True

    async def _generation(self, conn: asyncpg.Connection, table: str) -> tuple[int, Any]:
        return await repo.generation(conn, table)

    async def _build(self, pool: asyncpg.Pool, d: Direction, generation: tuple[int, Any]) -> _Index:
        async with pool.acquire() as conn:
            rows = await repo.published_rows(conn, d.target_table)
            records = {r["id"]: dict(r) for r in rows}
            if d.target_table == "capabilities" and records:
                # A capability's papers, patents and projects (matching.documents).
                docs = await documents_sql.by_capability(conn, list(records))
                for cap_id, documents in docs.items():
                    records[cap_id]["documents"] = documents
        supplies = [as_supply(d.target_table, r) for r in records.values()]
        weights = {"education": 0.0, "capacity": 0.0} if d.name == "talent-pools" else None
        index = (
            await asyncio.to_thread(
                matching.MatchIndex, supplies, kind=d.engine_kind, weights=weights
            )
            if supplies
            else None
        )
        log.info("recommendation index %s: %d records", d.name, len(supplies))
        return _Index(generation, index, records)

    async def _warm(self, pool: asyncpg.Pool, d: Direction, idx: _Index) -> None:
        """Answer every record of the asking side in one batch, in a thread."""
        if idx.index is None:
            return
        async with pool.acquire() as conn:
            rows = [dict(r) for r in await repo.all_rows(conn, d.item_table)]

        def batch() -> list[tuple[int, int, tuple[tuple[bytes, ...], tuple[bool, ...]]]]:
            demands = [as_demand(d.item_table, r) for r in rows]
            rankings = idx.index.rank(demands, top_k=WARM_CANDIDATES)
            return [
                (r["id"], r["version"], self._encode(d, idx, r, ranking.pairs, WARM_KEEP))
                for r, ranking in zip(rows, rankings, strict=True)
            ]

        for item_id, version, (items, weak) in await asyncio.to_thread(batch):
            self.answers[(d.name, item_id)] = _Answer(version, idx.generation, items, weak)
        log.info("recommendations %s: %d answers precomputed", d.name, len(rows))

    async def _install(
        self, pool: asyncpg.Pool, d: Direction, generation: tuple[int, Any]
    ) -> _Index:
        idx = await self._build(pool, d, generation)
        self.indexes[d.name] = idx
        if self.warm:
            await self._warm(pool, d, idx)
        return idx

    def _refresh(self, pool: asyncpg.Pool, d: Direction, generation: tuple[int, Any]) -> None:
        if d.name in self.building and not self.building[d.name].done():
            return

        self.building[d.name] = asyncio.create_task(
            _logged(self._install(pool, d, generation), f"rebuilding the {d.name} recommendations")
        )

    async def index_for(self, pool: asyncpg.Pool, conn: asyncpg.Connection, d: Direction) -> _Index:
        now = time.monotonic()
        current = self.indexes.get(d.name)
        if current is not None and now - self.checked_at.get(d.name, 0) < CHECK_INTERVAL:
            return current
        self.checked_at[d.name] = now
        generation = await self._generation(conn, d.target_table)
        if current is not None and current.generation == generation:
            return current
        if current is None:
            # The very first request waits for the index; answers are warmed in the background.
            current = self.indexes[d.name] = await self._build(pool, d, generation)
            if self.warm:
                self.building[d.name] = asyncio.create_task(
                    _logged(self._warm(pool, d, current), f"warming the {d.name} recommendations")
                )
            return current
        self._refresh(pool, d, generation)  # the old index answers meanwhile
        return current

    def _encode(
        self, d: Direction, idx: _Index, record: dict[str, Any], pairs, keep: int
    ) -> tuple[tuple[bytes, ...], tuple[bool, ...]]:
        out: list[bytes] = []
        weak: list[bool] = []
        # Candidates that clear the minimum relevance come first; weak ones only after them.
        pairs = sorted(pairs, key=lambda p: p.weak)
        for p in pairs:
            target = idx.rows.get(int(p.supply_id))
            if target is None:
                continue
            if (
                d.name == "talent-pools"
                and EDUCATION_RANK[target["min_education"]] > EDUCATION_RANK[record["degree_level"]]
            ):
                continue
            rec = Recommendation(
                id=target["id"],
                title=target.get("title") or pool_title(target),
                owner_id=target["owner_id"], owner_name=target["owner_name"], city=owner_city(target),
                rank=len(out) + 1, score=round(float(p.score), 4),
                components={k: round(float(v), 4) for k, v in p.components.items()},
                matched_terms=msgspec.to_builtins(p.matched_terms), weak=p.weak,
            )  # fmt: skip
            out.append(msgspec.json.encode(rec))
            weak.append(p.weak)
            if len(out) == keep:
                break
        return tuple(out), tuple(weak)

    async def recommend(
        self,
        pool: asyncpg.Pool,
        conn: asyncpg.Connection,
        kind: str,
        item_id: int,
        limit: int,
        principal: Principal | None = None,
    ) -> bytes:
        """The JSON body of a :class:`Recommendations` answer.

        A record's recommendations are visible to whoever may see the record itself
        (:func:`service.domain.access.visible`; 404 otherwise, so its existence does not leak).
        """
        d = DIRECTIONS[kind]
        row = await repo.fetch_row(conn, d.item_table, item_id)
        if row is None or not record_visible(principal, d.item_table, row):
            raise NotFound(d.label, item_id)
        idx = await self.index_for(pool, conn, d)
        answer = self.answers.get((kind, item_id))
        fresh = (
            answer is not None
            and answer.version == row["version"]
            and answer.generation == idx.generation
            and (len(answer.items) >= limit or len(answer.items) < WARM_KEEP)
        )
        if not fresh:
            items: tuple[bytes, ...] = ()
            weak: tuple[bool, ...] = ()
            if idx.index is not None:
                record = dict(row)
                keep = max(limit, WARM_KEEP)
                pairs = idx.index.query(as_demand(d.item_table, record), top_k=min(keep * 3, 150))
                items, weak = self._encode(d, idx, record, pairs, keep)
            answer = _Answer(row["version"], idx.generation, items, weak)
            self.answers[(kind, item_id)] = answer
        # Weak items come last, so the first says whether any candidate fits.
        none_fit = bool(answer.weak) and answer.weak[0]
        head = msgspec.json.encode({"item_id": item_id, "kind": kind, "no_good_match": none_fit})
        return head[:-1] + b',"items":[' + b",".join(answer.items[:limit]) + b"]}"
