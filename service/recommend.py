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
from service.domain import documents_sql
from service.domain.access import APPROVED_OWNER, record_visible, reviewed_clause
from service.errors import NotFound

log = logging.getLogger("duijie.recommend")

EDUCATION_RANK = {"大专": 0, "本科": 1, "硕士": 2, "博士": 3}
CHECK_INTERVAL = 1.0
WARM_KEEP = 20  # answers kept per record; a larger ``limit`` is computed on demand
WARM_CANDIDATES = 40


class Recommendation(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    owner_id: int
    owner_name: str
    city: str
    rank: int
    score: float
    components: dict[str, float]
    matched_terms: dict[str, list[str]]
    #: Shares too little content (or, for a job, the pool is below its degree): the nearest
    #: candidate, not a recommendation.
    weak: bool = False


class Recommendations(msgspec.Struct, frozen=True, kw_only=True):
    item_id: int
    kind: str
    items: list[Recommendation]
    #: No candidate clears the minimum content relevance (没有合适的匹配): the items are the
    #: nearest ones, all weak.
    no_good_match: bool = False


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

_SELECT = """
    SELECT t.*, o.name AS owner_name, o.city AS owner_city, o.industry_code AS owner_industry,
           o.tags AS owner_tags, o.approval_state AS owner_approval
    FROM {table} t JOIN organizations o ON o.id = t.owner_id
"""


def _pool_title(r: dict[str, Any]) -> str:
    return f"{r['major_name']}（{r['degree_level']}，{r['graduation_year']}届）"


def _city(r: dict[str, Any]) -> str:
    return r.get("city") or r["owner_city"]


def as_demand(table: str, r: dict[str, Any]) -> dict[str, Any]:
    """A row as the engine's demand record of its direction."""
    base = {"id": str(r["id"]), "city": _city(r)}
    if table == "rd_needs":
        return base | {
            "title": r["title"], "description": r["description"], "keywords": r["keywords"],
            "field_codes": r["field_codes"], "cooperation_modes": r["cooperation_modes"],
            "industry_code": r["owner_industry"], "tags": list(r["owner_tags"] or []),
        }  # fmt: skip
    if table == "capabilities":  # reverse: a capability asks for needs
        return base | {
            "title": r["title"], "description": r["description"], "keywords": r["keywords"],
            "field_codes": r["field_codes"], "cooperation_modes": r["cooperation_modes"],
        }  # fmt: skip
    if table == "job_openings":
        return base | {
            "title": r["title"], "description": r["description"], "skills": r["skills"],
            "majors": r["majors"], "min_education": r["min_education"], "headcount": r["headcount"],
            "industry_code": r["owner_industry"], "tags": list(r["owner_tags"] or []),
        }  # fmt: skip
    # reverse: a talent pool asks for jobs
    return base | {"title": r["major_name"], "skills": r["skills"], "majors": [r["major_name"]]}


def as_supply(table: str, r: dict[str, Any]) -> dict[str, Any]:
    """A row as the engine's supply record of its direction."""
    base = {"id": str(r["id"]), "city": _city(r)}
    if table in ("capabilities", "rd_needs"):
        return base | {
            "title": r["title"], "description": r["description"], "keywords": r["keywords"],
            "field_codes": r["field_codes"], "cooperation_modes": r["cooperation_modes"],
        } | ({"documents": r["documents"]} if r.get("documents") else {})  # fmt: skip
    if table == "talent_pools":
        return base | {
            "title": _pool_title(r), "major_name": r["major_name"], "major_code": r["major_code"],
            "degree_level": r["degree_level"], "graduation_year": r["graduation_year"],
            "graduates": r["graduates"], "skills": r["skills"],
        }  # fmt: skip
    # reverse: jobs in the talent-pool shape
    return base | {
        "title": r["title"],
        "major_name": (r["majors"] or [r["title"]])[0][:40],
        "skills": r["skills"],
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
        row = await conn.fetchrow(
            f"SELECT count(*) AS n, max(t.updated_at) AS at FROM {table} t"
            f" JOIN organizations o ON o.id = t.owner_id"
            f" WHERE t.status = 'published' AND {APPROVED_OWNER} AND {reviewed_clause(table)}"
        )
        return (row["n"], row["at"])

    async def _build(self, pool: asyncpg.Pool, d: Direction, generation: tuple[int, Any]) -> _Index:
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                _SELECT.format(table=d.target_table)
                + f" WHERE t.status = 'published' AND {APPROVED_OWNER}"
                + f" AND {reviewed_clause(d.target_table)}"
            )
            records = {r["id"]: dict(r) for r in rows}
            if d.target_table == "capabilities" and records:
                # A capability's papers, patents and projects (matching.documents).
                for doc in await documents_sql.list_for_many(conn, list(records)):
                    records[doc["capability_id"]].setdefault("documents", []).append(
                        {k: doc[k] for k in ("kind", "title", "abstract", "keywords", "year")}
                    )
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
            rows = [dict(r) for r in await conn.fetch(_SELECT.format(table=d.item_table))]

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
                title=target.get("title") or _pool_title(target),
                owner_id=target["owner_id"], owner_name=target["owner_name"], city=_city(target),
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
        row = await conn.fetchrow(_SELECT.format(table=d.item_table) + " WHERE t.id = $1", item_id)
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
