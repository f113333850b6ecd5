"""The contact-request service: rules, transactions, audit rows and notifications."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from service.auth import STAFF, Principal, audit, require_role
from service.contacts import repository as repo
from service.contacts.schemas import (
    Answer,
    CityCount,
    ContactRequest,
    ContactRequestCreate,
    ContactRequestPage,
    Contacts,
    ContactStats,
    IndustryCount,
    OrgContact,
    StateCounts,
    Target,
)
from service.domain import access, crud
from service.errors import Conflict, DomainError, FieldInvalid, Forbidden, NotFound
from service.notifications import notify
from service.reference import industry_codes

DAILY_LIMIT = 20
DAILY_WINDOW = timedelta(days=1)
DECLINE_COOLDOWN = timedelta(days=30)

KIND_NAMES = {
    "need": "研发需求",
    "job": "招聘岗位",
    "capability": "科研能力",
    "talent_pool": "人才库",
}
STATE_NAMES = {
    "pending": "待答复",
    "accepted": "已接受",
    "declined": "已拒绝",
    "withdrawn": "已撤回",
}


class TooManyRequests(DomainError):
    status = 429
    type = "too-many-requests"
    title = "请求过于频繁"

    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(detail, errors=[{"field": "target_id", "message": detail}])
        self.headers = {"Retry-After": str(max(1, math.ceil(retry_after)))}


def _member(principal: Principal) -> int:
    """Contact requests are sent and answered by organizations' own users."""
    require_role(principal, "enterprise", "university")
    if principal.org_id is None:
        raise Forbidden("当前用户不属于任何机构")
    return principal.org_id


def _view(row: asyncpg.Record) -> ContactRequest:
    contacts = None
    if row["state"] == "accepted":
        contacts = Contacts(
            requester=OrgContact(
                organization_id=row["from_org"],
                organization_name=row["from_org_name"],
                contact_name=row["from_contact_name"],
                contact_phone=row["from_contact_phone"],
                contact_email=row["from_contact_email"],
            ),
            owner=OrgContact(
                organization_id=row["to_org"],
                organization_name=row["to_org_name"],
                contact_name=row["to_contact_name"],
                contact_phone=row["to_contact_phone"],
                contact_email=row["to_contact_email"],
            ),
            target_contact=row["target_contact"],
        )
    fields = {k: row[k] for k in ContactRequest.__struct_fields__ if k != "contacts"}
    return msgspec.convert(fields | {"contacts": contacts}, ContactRequest)


async def _target(
    conn: asyncpg.Connection, kind: str, ident: int, principal: Principal | None
) -> asyncpg.Record:
    """The target as the caller may see it; a draft of someone else does not exist."""
    row = await repo.fetch_target(conn, kind, ident)
    if row is None or not access.record_visible(principal, repo.TARGETS[kind][0], row):
        raise FieldInvalid("target_id", f"{KIND_NAMES[kind]} {ident} 不存在或尚未发布")
    return row


async def get_target(
    conn: asyncpg.Connection, kind: str, ident: int, *, principal: Principal | None
) -> Target:
    row = await repo.fetch_target(conn, kind, ident)
    if row is None or not access.record_visible(principal, repo.TARGETS[kind][0], row):
        raise NotFound(KIND_NAMES[kind], ident)
    return Target(
        kind=kind,  # type: ignore[arg-type]
        id=row["id"],
        title=row["title"],
        owner_id=row["owner_id"],
        owner_name=row["owner_name"],
        status=row["status"],
    )


async def create(
    conn: asyncpg.Connection, data: ContactRequestCreate, *, principal: Principal
) -> ContactRequest:
    from_org = _member(principal)
    message = crud.normalise({"message": data.message}, ["message"])["message"]
    now = datetime.now(UTC)
    for i, at in enumerate(data.proposed_times):
        if at.tzinfo is None:
            raise FieldInvalid(
                f"proposed_times.{i}", "时间须带时区（如 2026-03-01T10:00:00+08:00）"
            )
        if at <= now:
            raise FieldInvalid(f"proposed_times.{i}", "建议时间须晚于当前时间")
    times = sorted(set(data.proposed_times))
    async with conn.transaction():
        me = await repo.lock_org(conn, from_org)
        if me is None:
            raise NotFound("机构", from_org)
        if me["approval_state"] != "approved":
            raise Forbidden("本机构的注册尚未审核通过，审核通过后才能发送对接请求")
        target = await _target(conn, data.target_kind, data.target_id, principal)
        label = KIND_NAMES[data.target_kind]
        if target["owner_id"] == from_org:
            raise FieldInvalid("target_id", f"不能向本机构发布的{label}发送对接请求")
        if target["status"] != "published":
            raise Conflict(
                f"{label}“{target['title']}”{'已关闭' if target['status'] == 'closed' else '未发布'}，不再接受对接请求",
                errors=[{"field": "target_id", "message": f"该{label}已关闭"}],
            )
        if await repo.open_request(conn, from_org, data.target_kind, data.target_id):
            raise Conflict(
                f"本机构已向“{target['title']}”发送过对接请求，正在等待对方答复",
                errors=[{"field": "target_id", "message": "已有待答复的对接请求"}],
            )
        declined = await repo.last_decline(conn, from_org, target["owner_id"], DECLINE_COOLDOWN)
        if declined is not None:
            until = declined + DECLINE_COOLDOWN
            raise Conflict(
                f"{target['owner_name']} 已拒绝本机构的对接请求，"
                f"{until.astimezone(UTC).date().isoformat()} 之后才能再次发送",
                errors=[{"field": "target_id", "message": "对方拒绝后 30 天内不能再次发送"}],
            )
        count, oldest = await repo.created_since(conn, from_org, DAILY_WINDOW)
        if count >= DAILY_LIMIT:
            wait = (oldest + DAILY_WINDOW - datetime.now(UTC)).total_seconds() if oldest else 60
            raise TooManyRequests(
                f"每个机构 24 小时内最多发送 {DAILY_LIMIT} 个对接请求，请稍后再试", wait
            )
        ident = await repo.insert(
            conn,
            {
                "from_org": from_org,
                "to_org": target["owner_id"],
                "created_by": principal.user_id,
                "target_kind": data.target_kind,
                "target_id": data.target_id,
                "message": message,
                "proposed_times": times,
            },
        )
        item = _view(await repo.fetch(conn, ident))
        await audit.record(conn, principal, "create", "contact_requests", ident, None, item)
        await notify(
            conn,
            kind="contact_requested",
            title=f"收到对接请求：{me['name']} → {target['title']}",
            body=message,
            link="/contacts?box=received",
            org_ids=[target["owner_id"]],
            event_key=f"contact:{ident}:created",
        )
    return item


def _party(principal: Principal, row: asyncpg.Record) -> bool:
    return principal.org_id in (row["from_org"], row["to_org"])


async def get(conn: asyncpg.Connection, ident: int, *, principal: Principal) -> ContactRequest:
    row = await repo.fetch(conn, ident)
    if row is None or not (principal.role in STAFF or _party(principal, row)):
        raise NotFound("对接请求", ident)
    return _view(row)


async def list_requests(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    box: str | None,
    state: str | None,
    limit: int,
    offset: int,
) -> ContactRequestPage:
    """A member sees its organization's sent and received requests; staff see all."""
    org_id = None if principal.role in STAFF else _member(principal)
    rows, total = await repo.list_for(
        conn, org_id=org_id, box=box, state=state, limit=limit, offset=offset
    )
    return ContactRequestPage(
        items=[_view(r) for r in rows], total=total, limit=limit, offset=offset
    )


async def _transition(
    conn: asyncpg.Connection, ident: int, principal: Principal, *, side: str
) -> asyncpg.Record:
    org_id = _member(principal)
    row = await repo.fetch(conn, ident, for_update=True)
    if row is None or not _party(principal, row):
        raise NotFound("对接请求", ident)
    if row[side] != org_id:
        who = "对接请求只能由接收方答复" if side == "to_org" else "对接请求只能由发送方撤回"
        raise Forbidden(who)
    if row["state"] != "pending":
        raise Conflict(
            f"对接请求 {ident} 当前状态为“{STATE_NAMES[row['state']]}”，不能再次处理",
            errors=[{"field": "state", "message": f"当前状态为{STATE_NAMES[row['state']]}"}],
        )
    return row


async def answer(
    conn: asyncpg.Connection, ident: int, data: Answer, *, principal: Principal
) -> ContactRequest:
    reason = None
    if data.reason is not None:
        reason = crud.normalise({"reason": data.reason}, [])["reason"] or None
    if data.accept and reason:
        raise FieldInvalid("reason", "接受时无需填写拒绝原因")
    async with conn.transaction():
        row = await _transition(conn, ident, principal, side="to_org")
        before = _view(row)
        state = "accepted" if data.accept else "declined"
        await repo.answer(conn, ident, state, reason, principal.user_id)
        item = _view(await repo.fetch(conn, ident))
        await audit.record(conn, principal, "update", "contact_requests", ident, before, item)
        verb = "接受" if data.accept else "拒绝"
        body = (
            "对方已接受，双方联系方式已在对接请求中公开。"
            if data.accept
            else (f"拒绝原因：{reason}" if reason else "对方未说明原因。")
        )
        await notify(
            conn,
            kind="contact_answered",
            title=f"{row['to_org_name']} 已{verb}您的对接请求：{row['target_title']}",
            body=body,
            link="/contacts?box=sent",
            org_ids=[row["from_org"]],
            event_key=f"contact:{ident}:answered",
        )
    return item


async def withdraw(conn: asyncpg.Connection, ident: int, *, principal: Principal) -> ContactRequest:
    async with conn.transaction():
        row = await _transition(conn, ident, principal, side="from_org")
        before = _view(row)
        await repo.answer(conn, ident, "withdrawn", None, principal.user_id)
        item = _view(await repo.fetch(conn, ident))
        await audit.record(conn, principal, "update", "contact_requests", ident, before, item)
    return item


def _counts(row: asyncpg.Record) -> dict[str, int]:
    return {k: row[k] for k in ("total", "pending", "accepted", "declined", "withdrawn")}


async def stats(conn: asyncpg.Connection, *, principal: Principal) -> ContactStats:
    require_role(principal, *STAFF)
    raw = await repo.stats(conn)
    codes = industry_codes()
    total = raw["total"][0] if raw["total"] else None
    return ContactStats(
        total=StateCounts(**(_counts(total) if total else dict.fromkeys(_STATES, 0))),
        by_city=[CityCount(city=r["key"], **_counts(r)) for r in raw["city"]],
        by_industry=[
            IndustryCount(
                industry_code=r["key"],
                industry_name=codes[r["key"]].name if r["key"] in codes else "未填写行业",
                **_counts(r),
            )
            for r in raw["industry"]
        ],
    )


_STATES = ("total", "pending", "accepted", "declined", "withdrawn")
