"""「我的配对」and「我的议程」: a participant's pairings across every round (closed ones too)
and its fair meetings as a personal agenda, with an iCalendar (.ics) download."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import icalendar
import msgspec

from service.auth import STAFF, Principal
from service.challenges import repository as repo
from service.challenges.schemas import (
    AgendaItem,
    Milestone,
    MyPairing,
    MyPairingPage,
    PublicityNotice,
)
from service.errors import Forbidden
from service.rounds.repository import org_contacts

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Answers are taken while a round's pairings are live; outcomes also after it closed.
ANSWERABLE_IN = ("published", "review", "matching")
DEFAULT_MEETING = timedelta(minutes=30)
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:：]\s*(\d{2})")


def my_org(principal: Principal, requested: int | None) -> int | None:
    """Staff choose an organization (or all: None); everyone else gets its own."""
    if principal.role in STAFF:
        return requested
    if principal.org_id is None:
        raise Forbidden("该账号未关联机构，没有自己的配对或议程")
    return principal.org_id


def _state(p: asyncpg.Record) -> str:
    if "declined" in (p["demand_response"], p["supply_response"]):
        return "declined"
    if p["demand_response"] == p["supply_response"] == "accepted":
        return "confirmed"
    return "pending"


async def my_pairings(
    conn: asyncpg.Connection,
    principal: Principal,
    *,
    org_id: int | None = None,
    round_id: int | None = None,
    side: str | None = None,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> MyPairingPage:
    org = my_org(principal, org_id)
    if side is not None and org is None:
        from service.errors import FieldInvalid

        raise FieldInvalid("side", "按我方角色筛选须指定机构（org）")
    rows, total = await repo.my_pairings(conn, org, round_id, side, state, limit, offset)
    ids = [r["id"] for r in rows]
    stones: dict[int, list[Milestone]] = {}
    for m in await repo.milestones(conn, ids):
        stones.setdefault(m["pairing_id"], []).append(msgspec.convert(dict(m), Milestone))
    notices = {
        r["pairing_id"]: msgspec.convert(
            {k: r[k] for k in PublicityNotice.__struct_fields__}, PublicityNotice
        )
        for r in await repo.results_for(conn, ids)
    }
    contacts = await org_contacts(
        conn, list({r["demand_org_id"] for r in rows} | {r["supply_org_id"] for r in rows})
    )
    items = []
    for p in rows:
        mine = "supply" if org is not None and p["supply_org_id"] == org else "demand"
        other = "demand" if mine == "supply" else "supply"
        st = _state(p)
        items.append(
            MyPairing(
                id=p["id"],
                round_id=p["round_id"],
                round_title=p["round_title"],
                round_kind=p["round_kind"],
                round_state=p["round_state"],
                side=mine,
                my_org_id=p[f"{mine}_org_id"],
                my_item_id=p[f"{mine}_id"],
                my_item_title=p[f"{mine}_title"],
                other_org_id=p[f"{other}_org_id"],
                other_org_name=p[f"{other}_org_name"],
                other_item_id=p[f"{other}_id"],
                other_item_title=p[f"{other}_title"],
                score=p["score"],
                my_response=p[f"{mine}_response"],
                other_response=p[f"{other}_response"],
                state=st,
                can_respond=p["round_state"] in ANSWERABLE_IN,
                outcome=p["outcome"],
                contract_amount=p["contract_amount"],
                contract_date=p["contract_date"],
                hires=p["hires"],
                milestones=stones.get(p["id"], []),
                publicity=notices.get(p["id"]),
                # Staged disclosure, as everywhere: the other side's contact once both accepted.
                contact=contacts.get(p[f"{other}_org_id"]) if st == "confirmed" else None,
            )  # fmt: skip
        )
    return MyPairingPage(items=items, total=total, limit=limit, offset=offset)


def _clock(label: str | None) -> time | None:
    m = _CLOCK.match(label or "")
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return time(int(m[1]), int(m[2]))


def _times(
    event_date: date | None, slots: list[str], slot: int | None
) -> tuple[datetime | None, datetime | None]:
    """Start and end of a meeting: the fair's date at the slot's clock time ("09:00"), until
    the next slot's time (or half an hour); None when the date or the time is unknown."""
    if event_date is None or slot is None or slot >= len(slots):
        return None, None
    start = _clock(slots[slot])
    if start is None:
        return None, None
    begins = datetime.combine(event_date, start, tzinfo=SHANGHAI)
    following = _clock(slots[slot + 1]) if slot + 1 < len(slots) else None
    ends = datetime.combine(event_date, following, tzinfo=SHANGHAI) if following else None
    if ends is None or ends <= begins:
        ends = begins + DEFAULT_MEETING
    return begins, ends


async def agenda(
    conn: asyncpg.Connection,
    principal: Principal,
    org_id: int | None = None,
    round_id: int | None = None,
) -> list[AgendaItem]:
    org = my_org(principal, org_id)
    out = []
    for m in await repo.agenda(conn, org, round_id):
        slots = list(m["slots"] or [])
        starts, ends = _times(m["event_date"], slots, m["slot"])
        other_is_uni = org is None or m["enterprise_id"] == org
        out.append(
            AgendaItem(
                meeting_id=m["id"],
                round_id=m["round_id"],
                round_title=m["round_title"],
                event_date=m["event_date"],
                slot=m["slot"],
                slot_label=slots[m["slot"]]
                if m["slot"] is not None and m["slot"] < len(slots)
                else None,
                starts_at=starts,
                ends_at=ends,
                table_no=m["table_no"],
                state=m["state"],
                confirmed=m["confirmed"],
                other_org_id=m["university_id"] if other_is_uni else m["enterprise_id"],
                other_org_name=m["university_name"] if other_is_uni else m["enterprise_name"],
                note=m["note"],
            )  # fmt: skip
        )
    return out


def to_ics(items: list[AgendaItem]) -> bytes:
    """The scheduled meetings with a known date as an iCalendar file (RFC 5545); a meeting
    whose slot has no clock time is an all-day event on the fair's date."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Duijie//对接 议程//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "我的洽谈议程")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = datetime.now(SHANGHAI)
    for m in items:
        if m.state != "scheduled" or m.event_date is None:
            continue
        ev = icalendar.Event()
        ev.add("uid", f"duijie-meeting-{m.meeting_id}@duijie")
        ev.add("dtstamp", stamp)
        if m.starts_at is not None and m.ends_at is not None:
            ev.add("dtstart", m.starts_at)
            ev.add("dtend", m.ends_at)
        else:
            ev.add("dtstart", m.event_date)
            ev.add("dtend", m.event_date + timedelta(days=1))
        table = f"第 {m.table_no} 桌" if m.table_no else "洽谈桌待定"
        ev.add("summary", f"洽谈：{m.other_org_name}（{table}）")
        ev.add("location", f"{m.round_title} · {table}")
        ev.add(
            "description",
            f"对接活动：{m.round_title}\n时段：{m.slot_label or '—'}\n洽谈桌：{m.table_no or '—'}\n"
            f"对方：{m.other_org_name}\n{'双方已确认' if m.confirmed else '待双方确认'}",
        )
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
