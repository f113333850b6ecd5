"""Rounds: the coordinator's workflow, from a draft call to published, confirmed pairings.

States and the only transitions::

    draft ──open──▶ open ──run──▶ matching ──succeeded──▶ review ──publish──▶ published
      ▲               │              │  failed/cancelled: back to where it came from   │
      └────draft──────┘              ▼                                               run (re-run)
    draft, open, review, published ──close──▶ closed

A run may start from ``open``, ``review`` or ``published``; pins, forbids and both sides'
answers carry over (a pair declined by either side is forbidden in the next run, a pair accepted
by both is pinned).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import asyncpg
import msgspec

from matching.errors import InvalidWeightsError
from matching.records import resolve_weights
from service.auth import STAFF, Principal, audit, require_org, require_role
from service.challenges.service import check_application, tell_owner
from service.domain.needs import today
from service.errors import Conflict, FieldInvalid, NotFound
from service.notifications import notify
from service.reference import normalize_field_code, normalize_industry_code
from service.rounds import repository as repo
from service.rounds.schemas import (
    Application,
    ApplicationCreate,
    Candidate,
    Constraint,
    ConstraintCreate,
    DemandResult,
    Loads,
    OutcomeUpdate,
    Pairing,
    PairingResponse,
    Participant,
    Participants,
    Round,
    RoundCreate,
    RoundPatch,
    Run,
    RunResults,
    Scope,
    Stats,
)

RUNNABLE_FROM = ("open", "review", "published")
EDITABLE_IN = ("draft", "open")
MANUAL_TRANSITIONS = {
    "draft": {"open", "closed"},
    "open": {"draft", "closed"},
    "review": {"closed"},
    "published": {"closed"},
}
STATE_NAMES = {
    "draft": "草稿",
    "open": "报名中",
    "matching": "匹配中",
    "review": "待审核",
    "published": "已发布",
    "closed": "已结束",
}
ENGINE_KIND = {"open_challenge": "rd", "recruitment_fair": "jobs"}


def wrong_state(row: asyncpg.Record, what: str) -> Conflict:
    """409 naming the round's current state and what would be allowed."""
    return Conflict(f"对接活动处于「{STATE_NAMES[row['state']]}」状态，{what}")


def staff(principal: Principal) -> Principal:
    """Coordinators (and admins) run rounds."""
    return require_role(principal, *STAFF)


def is_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.role in STAFF


def own_view(principal: Principal, requested_org: int | None) -> int | None:
    """The organization whose view a request gets: staff choose (or see all), participants
    always get their own, whatever they asked for."""
    if is_staff(principal):
        return requested_org
    if principal.org_id is None:
        from service.errors import Forbidden

        raise Forbidden("该账号未关联机构，无法查看参与方视图")
    return principal.org_id


# --- rounds ----------------------------------------------------------------------------------


def to_round(row: asyncpg.Record) -> Round:
    r = dict(row)
    r["scope"] = Scope(
        cities=r.pop("scope_cities"),
        industries=r.pop("scope_industries"),
        fields=r.pop("scope_fields"),
        tags=r.pop("scope_tags"),
        everyone=r.pop("scope_everyone"),
    )
    r["loads"] = Loads(
        demand_min=r.pop("demand_min"),
        demand_max=r.pop("demand_max"),
        supply_max=r.pop("supply_max"),
    )
    return msgspec.convert(r, Round, from_attributes=True)


def _validated(kind: str, rec: dict[str, Any]) -> dict[str, Any]:
    """Domain checks of a round's settings; returns the column values."""
    errors: list[tuple[str, str]] = []
    scope: Scope = rec["scope"]
    industries, fields = [], []
    for i, code in enumerate(scope.industries):
        norm = normalize_industry_code(code)
        if norm is None:
            errors.append((f"scope.industries.{i}", f"行业代码 {code} 不在 GB/T 4754-2017 中"))
        else:
            industries.append(norm)
    for i, code in enumerate(scope.fields):
        norm = normalize_field_code(code)
        if norm is None:
            errors.append(
                (f"scope.fields.{i}", f"学科代码 {code} 不在国家自然科学基金申请代码表中")
            )
        else:
            fields.append(norm)
    loads: Loads = rec["loads"]
    if loads.demand_min > loads.demand_max:
        errors.append(
            ("loads.demand_min", f"最少对接数 {loads.demand_min} 大于最多 {loads.demand_max}")
        )
    opens, closes = rec.get("registration_opens"), rec.get("registration_closes")
    if opens and closes and opens > closes:
        errors.append(("registration_opens", f"报名开始 {opens} 晚于报名截止 {closes}"))
    if rec.get("event_date") and closes and rec["event_date"] < closes:
        errors.append(("event_date", f"活动日期 {rec['event_date']} 早于报名截止 {closes}"))
    try:
        resolve_weights(ENGINE_KIND[kind], rec.get("weights") or None)
    except InvalidWeightsError as exc:
        errors.append(("weights", str(exc)))
    if (
        kind == "recruitment_fair"
        and rec.get("slots")
        and len(set(rec["slots"])) != len(rec["slots"])
    ):
        errors.append(("slots", "时段名称不能重复"))
    if errors:
        (f, m), *more = errors
        raise FieldInvalid(f, m, more=more)
    return {
        "title": rec["title"].strip(),
        "description": rec["description"],
        "scope_cities": list(dict.fromkeys(scope.cities)),
        "scope_industries": list(dict.fromkeys(industries)),
        "scope_fields": list(dict.fromkeys(fields)),
        "scope_tags": list(dict.fromkeys(scope.tags)),
        "scope_everyone": scope.everyone,
        "registration_opens": opens,
        "registration_closes": closes,
        "event_date": rec.get("event_date"),
        "method": rec["method"],
        "weights": dict(rec.get("weights") or {}),
        "demand_min": loads.demand_min,
        "demand_max": loads.demand_max,
        "supply_max": loads.supply_max,
        "top_k": rec["top_k"],
        "slots": list(rec.get("slots") or []),
        "tables": rec.get("tables"),
    }


async def create_round(conn: asyncpg.Connection, data: RoundCreate, principal: Principal) -> Round:
    staff(principal)
    rec = msgspec.structs.asdict(data)
    if not rec["title"].strip():
        raise FieldInvalid("title", "不能为空")
    values = _validated(data.kind, rec)
    values["kind"] = data.kind
    async with conn.transaction():
        round_id = await repo.insert_round(conn, values)
        created = to_round(await repo.fetch_round(conn, round_id))
        await audit.record(conn, principal, "create", "rounds", round_id, None, created)
        return created


async def get_round(conn: asyncpg.Connection, round_id: int, lock: bool = False) -> asyncpg.Record:
    row = await repo.fetch_round(conn, round_id, lock=lock)
    if row is None:
        raise NotFound("对接活动", round_id)
    return row


async def read_round(conn: asyncpg.Connection, round_id: int) -> Round:
    return to_round(await get_round(conn, round_id))


async def list_rounds(conn, kind, state, limit, offset) -> tuple[list[Round], int]:
    rows, total = await repo.list_rounds(conn, kind, state, limit, offset)
    return [to_round(r) for r in rows], total


async def patch_round(
    conn: asyncpg.Connection, round_id: int, data: RoundPatch, principal: Principal
) -> Round:
    staff(principal)
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        if row["state"] not in EDITABLE_IN:
            raise wrong_state(row, "只有草稿或报名中可以修改设置")
        current = msgspec.structs.asdict(to_round(row))
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        merged = {**current, **changes}
        values = _validated(row["kind"], merged)
        await repo.update_round(conn, round_id, values)
        after = to_round(await repo.fetch_round(conn, round_id))
        await audit.record(conn, principal, "update", "rounds", round_id, current, after)
        return after


async def transition(
    conn: asyncpg.Connection, round_id: int, to: str, principal: Principal
) -> Round:
    staff(principal)
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        if to not in MANUAL_TRANSITIONS.get(row["state"], set()):
            raise Conflict(
                f"不能从「{STATE_NAMES[row['state']]}」变为「{STATE_NAMES[to]}」"
                f"（允许：{'、'.join(STATE_NAMES[s] for s in sorted(MANUAL_TRANSITIONS.get(row['state'], ()))) or '无'}）"
            )
        await repo.update_round(conn, round_id, {"state": to})
        await audit.record(
            conn,
            principal,
            "transition",
            "rounds",
            round_id,
            {"state": row["state"]},
            {"state": to},
        )
        return to_round(await repo.fetch_round(conn, round_id))


# --- participants, registration, applications ----------------------------------------------------


def _participant(side: str, r: asyncpg.Record) -> Participant:
    title = (
        r["title"]
        if "title" in r
        else f"{r['major_name']}（{r['degree_level']}，{r['graduation_year']}届）"
    )
    source = (
        "scope+registration"
        if r["by_scope"] and r["by_registration"]
        else "registration"
        if r["by_registration"]
        else "scope"
    )
    city = r["city"] if "city" in r and r["city"] else r["org_city"]
    return Participant(
        side=side, item_id=r["id"], title=title, org_id=r["org_id"], org_name=r["org_name"],
        city=city, source=source,
    )  # fmt: skip


async def participants(
    conn: asyncpg.Connection, round_id: int, principal: Principal | None = None
) -> Participants:
    row = await get_round(conn, round_id)
    demands = await repo.participants(conn, row, "demand")
    supplies = await repo.participants(conn, row, "supply")
    return Participants(
        demands=[_participant("demand", r) for r in demands],
        supplies=[_participant("supply", r) for r in supplies],
    )


def _check_registration_open(row: asyncpg.Record) -> None:
    if row["state"] not in ("draft", "open"):
        raise wrong_state(row, "不再接受报名")
    closes = row["registration_closes"]
    if closes and today() > closes:
        raise Conflict(f"报名已于 {closes} 截止")
    opens = row["registration_opens"]
    if opens and today() < opens:
        raise Conflict(f"报名将于 {opens} 开始")


async def _entry_item(
    conn: asyncpg.Connection, round_id: int, side: str, item_id: int, principal: Principal
) -> tuple[asyncpg.Record, asyncpg.Record | None]:
    """Lock the round, check registration is open and that ``principal`` acts for the item."""
    row = await get_round(conn, round_id, lock=True)
    _check_registration_open(row)
    table = repo.SIDES[row["kind"]][side]["table"]
    item = await repo.item_owner(conn, table, item_id)
    if item is not None:
        require_org(principal, item["owner_id"])
    return row, item


async def register(
    conn: asyncpg.Connection, round_id: int, side: str, item_id: int, principal: Principal
) -> Participants:
    """The item's own organization (or staff) registers it."""
    async with conn.transaction():
        row, item = await _entry_item(conn, round_id, side, item_id, principal)
        label = _side_label(row["kind"], side)
        if item is None:
            raise FieldInvalid("item_id", f"{label} {item_id} 不存在")
        if item["status"] != "published":
            raise FieldInvalid("item_id", f"{label} {item_id} 尚未发布，不能报名")
        await repo.add_entry(conn, round_id, side, item_id)
        entry = {"round_id": round_id, "side": side, "item_id": item_id}
        await audit.record(conn, principal, "create", "round_entries", round_id, None, entry)
    return await participants(conn, round_id)


async def unregister(
    conn: asyncpg.Connection, round_id: int, side: str, item_id: int, principal: Principal
) -> None:
    async with conn.transaction():
        await _entry_item(conn, round_id, side, item_id, principal)
        if not await repo.remove_entry(conn, round_id, side, item_id):
            raise NotFound("报名记录", f"{side}/{item_id}")
        entry = {"round_id": round_id, "side": side, "item_id": item_id}
        await audit.record(conn, principal, "delete", "round_entries", round_id, entry, None)


def _side_label(kind: str, side: str) -> str:
    return {
        ("open_challenge", "demand"): "研发需求",
        ("open_challenge", "supply"): "科研能力",
        ("recruitment_fair", "demand"): "招聘岗位",
        ("recruitment_fair", "supply"): "人才库",
    }[(kind, side)]


def to_application(row: asyncpg.Record) -> Application:
    return msgspec.convert(dict(row), Application)


async def apply(
    conn: asyncpg.Connection, round_id: int, data: ApplicationCreate, principal: Principal
) -> Application:
    """揭榜: a university or institute applies to an open challenge with one of its capabilities."""
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        if row["kind"] != "open_challenge":
            raise Conflict("只有揭榜挂帅类对接活动接受揭榜申请")
        _check_registration_open(row)
        demand_ids = {r["id"] for r in await repo.participants(conn, row, "demand")}
        # Both directions of 揭榜 (a challenge, a listed achievement): service.challenges.
        await check_application(conn, row, data, principal, demand_ids)
        values = msgspec.structs.asdict(data)
        values["team"] = values["team"].strip()
        try:
            app_id = await repo.insert_application(conn, round_id, values)
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"科研能力 {data.capability_id} 已揭榜研发需求 {data.need_id}") from exc
        # The applicant's record takes part in the round even when outside its scope.
        await repo.add_entry(conn, round_id, "supply", data.capability_id)
        if data.direction == "listing":
            await repo.add_entry(conn, round_id, "demand", data.need_id)
        created = to_application(await repo.fetch_application(conn, app_id))
        await audit.record(conn, principal, "create", "applications", app_id, None, created)
        await tell_owner(conn, app_id)
        return created


async def applications(
    conn: asyncpg.Connection, round_id: int, need_id: int | None, principal: Principal
) -> list[Application]:
    """Staff see every application; an applicant sees its own, an enterprise those to its needs."""
    await get_round(conn, round_id)
    rows = await repo.list_applications(conn, round_id, need_id)
    if not is_staff(principal):
        need_owner = {
            r["id"]: r["owner_id"]
            for r in await conn.fetch(
                "SELECT id, owner_id FROM rd_needs WHERE id = ANY($1)", [r["need_id"] for r in rows]
            )
        }
        rows = [
            r
            for r in rows
            if principal.org_id in (r["org_id"], r["cap_owner_id"], need_owner.get(r["need_id"]))
        ]
    return [to_application(r) for r in rows]


# --- constraints ---------------------------------------------------------------------------------


async def add_constraint(
    conn: asyncpg.Connection, round_id: int, data: ConstraintCreate, principal: Principal
) -> Constraint:
    staff(principal)
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        if row["state"] in ("closed", "draft"):
            raise wrong_state(row, "不能锁定或排除配对")
        spec = repo.SIDES[row["kind"]]
        for field, side, ident in (
            ("demand_id", "demand", data.demand_id),
            ("supply_id", "supply", data.supply_id),
        ):
            if await repo.item_owner(conn, spec[side]["table"], ident) is None:
                raise FieldInvalid(field, f"{_side_label(row['kind'], side)} {ident} 不存在")
        values = msgspec.structs.asdict(data)
        rec = await repo.upsert_constraint(conn, round_id, values)
        created = msgspec.convert(dict(rec), Constraint)
        await audit.record(conn, principal, "create", "round_constraints", round_id, None, created)
        return created


async def remove_constraint(
    conn, round_id: int, demand_id: int, supply_id: int, principal: Principal
) -> None:
    staff(principal)
    async with conn.transaction():
        await get_round(conn, round_id)
        if not await repo.delete_constraint(conn, round_id, demand_id, supply_id):
            raise NotFound("配对约束", f"{demand_id}/{supply_id}")
        pair = {"round_id": round_id, "demand_id": demand_id, "supply_id": supply_id}
        await audit.record(conn, principal, "delete", "round_constraints", round_id, pair, None)


async def constraints(conn, round_id: int, principal: Principal) -> list[Constraint]:
    staff(principal)
    await get_round(conn, round_id)
    return [
        msgspec.convert(dict(r), Constraint) for r in await repo.list_constraints(conn, round_id)
    ]


# --- runs ----------------------------------------------------------------------------------------


def to_run(row: asyncpg.Record) -> Run:
    return msgspec.convert({k: row[k] for k in Run.__struct_fields__}, Run)


async def start_run(
    conn: asyncpg.Connection, round_id: int, seed: int, principal: Principal
) -> Run:
    staff(principal)
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        if row["state"] not in RUNNABLE_FROM:
            if row["state"] == "matching":
                raise Conflict("该对接活动已有正在进行的匹配运行")
            raise wrong_state(row, "只有报名中、待审核或已发布时可以运行匹配")
        params = {
            "method": row["method"],
            "weights": row["weights"],
            "loads": {
                "demand_min": row["demand_min"],
                "demand_max": row["demand_max"],
                "supply_max": row["supply_max"],
            },
            "top_k": row["top_k"],
            "previous_state": row["state"],
        }
        try:
            run = await repo.insert_run(conn, round_id, params, seed)
        except asyncpg.UniqueViolationError as exc:
            raise Conflict("该对接活动已有正在进行的匹配运行") from exc
        await repo.update_round(conn, round_id, {"state": "matching"})
        await conn.execute("SELECT pg_notify('duijie_runs', $1)", str(run["id"]))
        created = to_run(run)
        await audit.record(conn, principal, "create", "runs", created.id, None, created)
        return created


async def get_run(conn: asyncpg.Connection, run_id: int, principal: Principal | None = None) -> Run:
    if principal is not None:
        staff(principal)
    row = await repo.fetch_run(conn, run_id)
    if row is None:
        raise NotFound("匹配运行", run_id)
    return to_run(row)


async def list_runs(conn, round_id: int, principal: Principal) -> list[Run]:
    staff(principal)
    await get_round(conn, round_id)
    return [to_run(r) for r in await repo.list_runs(conn, round_id)]


async def cancel_run(conn: asyncpg.Connection, run_id: int, principal: Principal) -> Run:
    staff(principal)
    async with conn.transaction():
        row = await conn.fetchrow("SELECT * FROM runs WHERE id = $1 FOR UPDATE", run_id)
        if row is None:
            raise NotFound("匹配运行", run_id)
        if row["state"] == "queued":
            await conn.execute(
                "UPDATE runs SET state = 'cancelled', stage = 'cancelled', finished_at = now(), "
                "cancel_requested = true WHERE id = $1",
                run_id,
            )
            await restore_round_state(conn, row["round_id"], row["params"])
        elif row["state"] == "running":
            await conn.execute("UPDATE runs SET cancel_requested = true WHERE id = $1", run_id)
        else:
            raise Conflict(f"匹配运行 {run_id} 已结束（{row['state']}），无法取消")
        await audit.record(conn, principal, "cancel", "runs", run_id, {"state": row["state"]}, None)
    return await get_run(conn, run_id)


async def restore_round_state(
    conn: asyncpg.Connection, round_id: int, params: dict[str, Any]
) -> None:
    """After a failed or cancelled run the round goes back to where the run started from."""
    await conn.execute(
        "UPDATE rounds SET state = $2 WHERE id = $1 AND state = 'matching'",
        round_id,
        params.get("previous_state", "open"),
    )


# --- results -------------------------------------------------------------------------------------


def _candidate(c: asyncpg.Record, items: dict[tuple[str, int], asyncpg.Record]) -> Candidate:
    s = items[("supply", c["supply_id"])]
    return Candidate(
        supply_id=c["supply_id"], supply_title=s["title"], supply_org_id=s["org_id"],
        supply_org_name=s["org_name"], rank=c["rank"], score=c["score"], components=c["components"],
        matched_terms=c["matched_terms"], applied=c["applied"], chosen=c["chosen"],
        pinned=c["pinned"], forbidden=c["forbidden"], reason=c["reason"],
    )  # fmt: skip


INVITE_TOP = 3


async def results(
    conn: asyncpg.Connection,
    run_id: int,
    principal: Principal,
    org_id: int | None = None,
    demand_id: int | None = None,
) -> RunResults:
    """Staff see every demand; a participant sees only its own lines, and only once the run's
    round has been published (results under review are not theirs to see yet)."""
    run = await get_run(conn, run_id)
    org_id = own_view(principal, org_id)
    if not is_staff(principal):
        row = await get_round(conn, run.round_id)
        if row["published_run_id"] != run_id:
            from service.errors import Forbidden

            raise Forbidden("该运行的结果尚未发布，参与方只能查看已发布的结果")
    if run.state != "succeeded":
        raise Conflict(f"匹配运行 {run_id} 状态为 {run.state}，尚无结果")
    items = {(r["side"], r["item_id"]): r for r in await repo.run_items(conn, run_id)}
    unmatched = {r["demand_id"]: r["reasons"] for r in await repo.run_unmatched(conn, run_id)}
    by_demand: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for c in await repo.run_candidates(conn, run_id, [demand_id] if demand_id else None):
        by_demand[c["demand_id"]].append(c)
    out: list[DemandResult] = []
    demand_rows = sorted(
        (r for (side, _), r in items.items() if side == "demand"), key=lambda r: r["item_id"]
    )
    for d in demand_rows:
        did = d["item_id"]
        if demand_id is not None and did != demand_id:
            continue
        cands = by_demand.get(did, [])
        if org_id is not None and d["org_id"] != org_id:
            # A university sees a demand only where one of its own capabilities is a candidate,
            # and then only its own lines.
            cands = [c for c in cands if items[("supply", c["supply_id"])]["org_id"] == org_id]
            if not cands:
                continue
        ranked = [_candidate(c, items) for c in cands]
        chosen = [c for c in ranked if c.chosen]
        alternates = [c for c in ranked if not c.chosen and not c.forbidden][:3]
        invite: list[Candidate] = []
        if d["is_challenge"]:
            best_applicant = max((c.score for c in ranked if c.applied), default=None)
            invite = [
                c
                for c in ranked
                if not c.applied
                and not c.forbidden
                and (
                    c.rank <= INVITE_TOP
                    or (best_applicant is not None and c.score > best_applicant)
                )
            ][:5]
        out.append(
            DemandResult(
                demand_id=did,
                demand_title=d["title"],
                demand_org_id=d["org_id"],
                demand_org_name=d["org_name"],
                chosen=chosen,
                alternates=alternates,
                ranked=ranked,
                invite=invite,
                unmatched_reasons=[unmatched[did]] if did in unmatched else None,
            )  # fmt: skip
        )
    return RunResults(run=run, demands=out)


# --- publish, confirm, outcomes ----------------------------------------------------------------


async def publish(
    conn: asyncpg.Connection, round_id: int, run_id: int | None, principal: Principal
) -> Round:
    staff(principal)
    async with conn.transaction():
        row = await get_round(conn, round_id, lock=True)
        if row["state"] != "review":
            raise wrong_state(row, "只有待审核时可以发布")
        run_id = run_id or await repo.latest_succeeded_run(conn, round_id)
        run = await repo.fetch_run(conn, run_id) if run_id else None
        if run is None or run["round_id"] != round_id or run["state"] != "succeeded":
            raise FieldInvalid("run_id", f"匹配运行 {run_id} 不属于本活动或尚未成功")
        chosen = await conn.fetch(
            """
            SELECT c.demand_id, c.supply_id, c.score, di.org_id AS demand_org, si.org_id AS supply_org
            FROM run_candidates c
            JOIN run_items di ON di.run_id = c.run_id AND di.side = 'demand' AND di.item_id = c.demand_id
            JOIN run_items si ON si.run_id = c.run_id AND si.side = 'supply' AND si.item_id = c.supply_id
            WHERE c.run_id = $1 AND c.chosen
            """,
            run_id,
        )
        keep = [(r["demand_id"], r["supply_id"]) for r in chosen]
        # Pairs no longer chosen disappear unless someone already answered them (history stays).
        await conn.execute(
            """
            DELETE FROM pairings WHERE round_id = $1
              AND demand_response = 'pending' AND supply_response = 'pending'
              AND (demand_id, supply_id) NOT IN (SELECT * FROM unnest($2::bigint[], $3::bigint[]))
            """,
            round_id, [k[0] for k in keep], [k[1] for k in keep],
        )  # fmt: skip
        # One round trip for all pairs (executemany pipelines them), not one per pair.
        await conn.executemany(
            """
            INSERT INTO pairings (round_id, run_id, demand_id, supply_id, demand_org_id, supply_org_id, score)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (round_id, demand_id, supply_id)
            DO UPDATE SET run_id = EXCLUDED.run_id, score = EXCLUDED.score
            """,
            [
                (round_id, run_id, r["demand_id"], r["supply_id"], r["demand_org"], r["supply_org"], r["score"])
                for r in chosen
            ],
        )  # fmt: skip
        await repo.update_round(conn, round_id, {"state": "published", "published_run_id": run_id})
        per_org = Counter([r["demand_org"] for r in chosen] + [r["supply_org"] for r in chosen])
        for org, n in sorted(per_org.items()):
            await notify(
                conn, kind="pairing_published", title=f"对接活动「{row['title']}」已发布配对结果",
                body=f"贵单位有 {n} 个配对，请在「我的配对」中接受或婉拒。",
                link=f"/my?tab=pairings&round={round_id}", org_ids=[org],
                event_key=f"pairing_published:{round_id}:{run_id}:{org}",
            )  # fmt: skip
        after = {"state": "published", "published_run_id": run_id, "pairings": len(keep)}
        await audit.record(
            conn, principal, "publish", "rounds", round_id, {"state": row["state"]}, after
        )
        return to_round(await repo.fetch_round(conn, round_id))


def _pairing(row: asyncpg.Record, contacts: dict[int, dict[str, Any]]) -> Pairing:
    p = dict(row)
    both = p["demand_response"] == "accepted" and p["supply_response"] == "accepted"
    # Staged disclosure: contact details only once both sides have accepted.
    p["contacts"] = (
        {"demand": contacts.get(p["demand_org_id"]), "supply": contacts.get(p["supply_org_id"])}
        if both
        else None
    )
    return msgspec.convert({k: p[k] for k in Pairing.__struct_fields__}, Pairing)


async def pairings(
    conn: asyncpg.Connection, round_id: int, principal: Principal, org_id: int | None = None
) -> list[Pairing]:
    """Staff see all pairings; a participant sees its own."""
    org_id = own_view(principal, org_id)
    await get_round(conn, round_id)
    rows = await repo.list_pairings(conn, round_id, org_id)
    orgs = {r["demand_org_id"] for r in rows} | {r["supply_org_id"] for r in rows}
    contacts = await repo.org_contacts(conn, list(orgs))
    return [_pairing(r, contacts) for r in rows]


async def _pairing_for_update(
    conn: asyncpg.Connection, pairing_id: int, also: tuple[str, ...] = ()
) -> asyncpg.Record:
    row = await repo.fetch_pairing(conn, pairing_id, lock=True)
    if row is None:
        raise NotFound("配对", pairing_id)
    round_row = await get_round(conn, row["round_id"])
    if round_row["state"] not in ("published", "review", "matching", *also):
        raise wrong_state(round_row, "不能再答复配对")
    return row


async def respond(
    conn: asyncpg.Connection, pairing_id: int, data: PairingResponse, principal: Principal
) -> Pairing:
    """Only the side itself answers (an admin may act for it; a coordinator may not)."""
    async with conn.transaction():
        row = await _pairing_for_update(conn, pairing_id)
        side_org = row["demand_org_id"] if data.side == "demand" else row["supply_org_id"]
        require_org(principal, side_org, allow=("admin",))
        column = "demand_response" if data.side == "demand" else "supply_response"
        await conn.execute(
            f"UPDATE pairings SET {column} = $2 WHERE id = $1", pairing_id, data.response
        )
        if data.response == "declined":
            # The fair meeting of these two organizations goes unless another pairing needs it.
            await conn.execute(
                """
                UPDATE meetings m SET state = 'cancelled', note = '一方婉拒配对'
                WHERE m.round_id = $1 AND m.enterprise_id = $2 AND m.university_id = $3
                  AND NOT EXISTS (
                    SELECT 1 FROM pairings p WHERE p.round_id = $1 AND p.demand_org_id = $2
                      AND p.supply_org_id = $3 AND 'declined' NOT IN (p.demand_response, p.supply_response)
                  )
                """,
                row["round_id"], row["demand_org_id"], row["supply_org_id"],
            )  # fmt: skip
        fresh = await repo.fetch_pairing(conn, pairing_id)
        other = fresh["supply_org_id"] if data.side == "demand" else fresh["demand_org_id"]
        mine = fresh[f"{data.side}_org_name"]
        verb = "接受" if data.response == "accepted" else "婉拒"
        await notify(
            conn, kind="pairing_answered",
            title=f"{mine}{verb}了配对：{fresh['demand_title']} ↔ {fresh['supply_title']}",
            link=f"/my?tab=pairings&round={fresh['round_id']}", org_ids=[other],
            event_key=f"pairing_answered:{pairing_id}:{data.side}:{data.response}",
        )  # fmt: skip
        contacts = await repo.org_contacts(conn, [fresh["demand_org_id"], fresh["supply_org_id"]])
        await audit.record(conn, principal, "respond", "pairings", pairing_id, row, fresh)
        return _pairing(fresh, contacts)


async def record_outcome(
    conn: asyncpg.Connection, pairing_id: int, data: OutcomeUpdate, principal: Principal
) -> Pairing:
    async with conn.transaction():
        # Outcomes come after the round: they may be recorded once it is closed too.
        row = await _pairing_for_update(conn, pairing_id, also=("closed",))
        if not is_staff(principal) and principal.org_id not in (
            row["demand_org_id"],
            row["supply_org_id"],
        ):
            require_org(principal, row["demand_org_id"])
        if data.outcome != "none" and not (
            row["demand_response"] == "accepted" and row["supply_response"] == "accepted"
        ):
            raise Conflict("双方确认配对后才能登记对接成果")
        if data.outcome == "contract_signed" and data.contract_amount is None:
            raise FieldInvalid("contract_amount", "登记签约须填写合同金额（元）")
        if data.outcome == "hired" and not data.hires:
            raise FieldInvalid("hires", "登记录用须填写录用人数")
        signed = data.outcome == "contract_signed"
        if data.contract_date is not None and not signed:
            raise FieldInvalid("contract_date", "只有登记签约时才填写签约日期")
        contract_date = (data.contract_date or today()) if signed else None
        if contract_date is not None and contract_date > today():
            raise FieldInvalid("contract_date", f"签约日期 {contract_date} 晚于今天 {today()}")
        await conn.execute(
            "UPDATE pairings SET outcome = $2, contract_amount = $3, hires = $4, contract_date = $5"
            " WHERE id = $1",
            pairing_id, data.outcome, data.contract_amount, data.hires, contract_date,
        )  # fmt: skip
        fresh = await repo.fetch_pairing(conn, pairing_id)
        contacts = await repo.org_contacts(conn, [fresh["demand_org_id"], fresh["supply_org_id"]])
        await audit.record(conn, principal, "outcome", "pairings", pairing_id, row, fresh)
        return _pairing(fresh, contacts)


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
    chosen = await conn.fetch(
        "SELECT demand_id, score FROM run_candidates WHERE run_id = $1 AND chosen", run_id
    )
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
    resp = await conn.fetchrow(
        """
        SELECT count(*) AS pairings,
               count(*) FILTER (WHERE demand_response = 'accepted' AND supply_response = 'accepted') AS both_accepted,
               count(*) FILTER (WHERE 'declined' IN (demand_response, supply_response)) AS declined,
               count(*) FILTER (WHERE demand_response = 'pending' OR supply_response = 'pending') AS pending,
               count(*) FILTER (WHERE outcome = 'meeting_held') AS meeting_held,
               count(*) FILTER (WHERE outcome = 'contract_signed') AS contract_signed,
               coalesce(sum(contract_amount) FILTER (WHERE outcome = 'contract_signed'), 0)::bigint AS contract_amount,
               count(*) FILTER (WHERE outcome = 'hired') AS hired,
               coalesce(sum(hires) FILTER (WHERE outcome = 'hired'), 0)::bigint AS hires
        FROM pairings WHERE round_id = $1
        """,
        round_id,
    )
    return Stats(
        round_id=round_id, run_id=run_id, demands=len(items), matched_demands=len(matched),
        matched_share=round(len(matched) / len(items), 4) if items else 0.0,
        by_city=share(by_city), by_industry=share(by_industry), by_tag=share(by_tag),
        score_histogram=histogram,
        responses={k: resp[k] for k in ("pairings", "both_accepted", "declined", "pending")},
        outcomes={k: resp[k] for k in ("meeting_held", "contract_signed", "contract_amount", "hired", "hires")},
    )  # fmt: skip
