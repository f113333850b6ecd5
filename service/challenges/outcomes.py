"""公示 of a confirmed pairing, milestones after 签约 (中期检查, 验收), and the public listings."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import msgspec

from service.auth import STAFF, Principal, audit, require_role
from service.challenges import repository as repo
from service.challenges.applications import _tell_applicant
from service.challenges.rules import ACTIVE, _is_staff
from service.challenges.schemas import (
    Listing,
    ListingPage,
    Milestone,
    MilestoneBody,
    PublicityBody,
    PublicityNotice,
)
from service.domain.needs import today
from service.errors import Conflict, FieldInvalid, NotFound

# --- 公示 and milestones --------------------------------------------------------------------------


def _notice(r: asyncpg.Record) -> PublicityNotice:
    return msgspec.convert({k: r[k] for k in PublicityNotice.__struct_fields__}, PublicityNotice)


async def publicity(conn: asyncpg.Connection, include_past: bool = False) -> list[PublicityNotice]:
    """The 公示 page's data: anonymous, and only title, organizations' names, reward, period."""
    return [_notice(r) for r in await repo.publicity(conn, today(), include_past)]


async def publish_result(
    conn: asyncpg.Connection, pairing_id: int, body: PublicityBody, principal: Principal
) -> PublicityNotice:
    """公示 a pairing both sides confirmed: the winner of a challenge (or the taker of a listing)
    is shown publicly for ``days`` days; its application becomes selected, the applications to
    the same target that no live pairing holds become not_selected."""
    require_role(principal, *STAFF)
    async with conn.transaction():
        p = await repo.lock_pairing(conn, pairing_id)
        if p is None:
            raise NotFound("配对", pairing_id)
        if not (p["demand_response"] == "accepted" and p["supply_response"] == "accepted"):
            raise Conflict("双方确认配对后才能公示")
        if await repo.results_for(conn, [pairing_id]):
            raise Conflict(f"配对 {pairing_id} 已公示")
        need = await repo.fetch_need(conn, p["demand_id"])
        cap = await repo.fetch_capability(conn, p["supply_id"])
        if need is None or cap is None:
            raise Conflict("配对的需求或科研能力已被删除，不能公示")
        app = await repo.application_for_pair(conn, p["round_id"], p["demand_id"], p["supply_id"])
        if app is not None:
            direction = app["direction"]
        elif need["is_challenge"]:
            direction = "challenge"
        else:
            raise Conflict("只有揭榜挂帅项目或挂牌成果的配对需要公示")
        challenge = direction == "challenge"
        start = today()
        result = await repo.insert_result(
            conn,
            {
                "pairing_id": pairing_id, "need_id": need["id"], "capability_id": cap["id"],
                "direction": direction,
                "title": need["title"] if challenge else cap["title"],
                "owner_name": need["owner_name"] if challenge else cap["owner_name"],
                "winner_name": cap["owner_name"] if challenge else need["owner_name"],
                "reward": need["reward"] if challenge else cap["asking_price"],
                "publicity_start": start, "publicity_end": start + timedelta(days=body.days - 1),
            },
        )  # fmt: skip
        await audit.record(
            conn, principal, "create", "challenge_results", result["id"], None, result
        )
        # The applications this decides: the winner's, and the others to the same target that
        # no live pairing of the round holds any more.
        target = "need_id" if challenge else "capability_id"
        others = await repo.undecided_applications(
            conn, p["round_id"], direction, target, need["id"] if challenge else cap["id"],
            app["id"] if app is not None else None,
        )  # fmt: skip
        changed: list[tuple[list[int], str]] = [([r["id"] for r in others], "not_selected")]
        if app is not None and app["status"] in ACTIVE:
            changed.append(([app["id"]], "selected"))
        for ids, status in changed:
            if not ids:
                continue
            before = {a_id: await repo.fetch_application(conn, a_id) for a_id in ids}
            await repo.set_status(conn, ids, status)
            for a_id in ids:
                fresh = await repo.fetch_application(conn, a_id)
                await audit.record(
                    conn, principal, "update", "applications", a_id, before[a_id], fresh
                )
                await _tell_applicant(conn, fresh)
        return _notice(result)


async def add_milestone(
    conn: asyncpg.Connection, pairing_id: int, body: MilestoneBody, principal: Principal
) -> list[Milestone]:
    """中期检查 and 验收 after 签约, by either side or staff; rounds may be closed by then."""
    async with conn.transaction():
        p = await repo.lock_pairing(conn, pairing_id)
        if p is None or not (
            _is_staff(principal) or principal.org_id in (p["demand_org_id"], p["supply_org_id"])
        ):
            raise NotFound("配对", pairing_id)
        if p["outcome"] != "contract_signed":
            raise Conflict("登记签约（合同金额、日期）后才能登记中期检查或验收")
        if body.held_on > today():
            raise FieldInvalid("held_on", f"日期 {body.held_on} 晚于今天 {today()}")
        if p["contract_date"] and body.held_on < p["contract_date"]:
            raise FieldInvalid("held_on", f"日期 {body.held_on} 早于签约日期 {p['contract_date']}")
        if body.kind == "acceptance":
            mid = await repo.midterm_date(conn, pairing_id)
            if mid is not None and body.held_on < mid:
                raise FieldInvalid("held_on", f"验收日期 {body.held_on} 早于中期检查 {mid}")
        values = msgspec.structs.asdict(body)
        values["note"] = values["note"].strip()
        await repo.upsert_milestone(conn, pairing_id, values, principal.user_id)
        await audit.record(
            conn, principal, "update", "pairing_milestones", pairing_id, None, values
        )
        return [
            msgspec.convert(dict(r), Milestone) for r in await repo.milestones(conn, [pairing_id])
        ]


async def listings(conn: asyncpg.Connection, limit: int, offset: int) -> ListingPage:
    """Published achievements listed for take-up (public, like the capabilities themselves;
    the contact field is not part of a listing)."""
    rows, total = await repo.listings(conn, limit, offset)
    items = [msgspec.convert(dict(r), Listing) for r in rows]
    return ListingPage(items=items, total=total, limit=limit, offset=offset)
