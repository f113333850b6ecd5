"""Rounds: a coordinator's call for participants — settings, manual state moves (through
:mod:`service.rounds.states`), participants and registration, 揭榜 applications, pins and
forbids. Runs are :mod:`service.rounds.runs`, pairings :mod:`service.rounds.pairings`."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from matching.errors import InvalidWeightsError
from matching.records import resolve_weights
from service.auth import STAFF, Principal, audit, require_org, require_role
from service.challenges.applications import check_application, tell_owner
from service.domain.needs import today
from service.errors import Conflict, FieldInvalid, NotFound
from service.reference import normalize_field_code, normalize_industry_code
from service.rounds import repository as repo
from service.rounds import states
from service.rounds.records import ENGINE_KIND, pool_title
from service.rounds.schemas import (
    Application,
    ApplicationCreate,
    Constraint,
    ConstraintCreate,
    Loads,
    Participant,
    Participants,
    Round,
    RoundCreate,
    RoundPatch,
    Scope,
)
from service.rounds.states import EDITABLE_IN, wrong_state


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
        await states.move(conn, row, to)
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
    title = r["title"] if "title" in r else pool_title(r)
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
        need_owner = await repo.need_owners(conn, [r["need_id"] for r in rows])
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
