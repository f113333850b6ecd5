"""Pairings: a reviewed run published as pairings, both sides' answers (contacts disclosed
once both accept) and the outcomes recorded afterwards."""

from __future__ import annotations

from collections import Counter
from typing import Any

import asyncpg
import msgspec

from service.auth import Principal, audit, require_org
from service.domain.needs import today
from service.errors import Conflict, FieldInvalid, NotFound
from service.notifications import notify
from service.rounds import repository as repo
from service.rounds import states
from service.rounds.rounds import (
    get_round,
    is_staff,
    own_view,
    staff,
    to_round,
    wrong_state,
)
from service.rounds.schemas import (
    OutcomeUpdate,
    Pairing,
    PairingResponse,
    Round,
)

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
        chosen = await repo.chosen_pairs(conn, run_id)
        keep = [(r["demand_id"], r["supply_id"]) for r in chosen]
        # Pairs no longer chosen disappear unless someone already answered them (history stays).
        await repo.drop_unanswered_pairings(conn, round_id, keep)
        await repo.upsert_pairings(conn, round_id, run_id, chosen)
        await states.published(conn, round_id, run_id)
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
        await repo.set_response(conn, pairing_id, column, data.response)
        if data.response == "declined":
            # The fair meeting of these two organizations goes unless another pairing needs it.
            await repo.cancel_meeting_if_no_live_pairing(
                conn, row["round_id"], row["demand_org_id"], row["supply_org_id"]
            )
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
        await repo.set_outcome(
            conn, pairing_id, data.outcome, data.contract_amount, data.hires, contract_date
        )
        fresh = await repo.fetch_pairing(conn, pairing_id)
        contacts = await repo.org_contacts(conn, [fresh["demand_org_id"], fresh["supply_org_id"]])
        await audit.record(conn, principal, "outcome", "pairings", pairing_id, row, fresh)
        return _pairing(fresh, contacts)
