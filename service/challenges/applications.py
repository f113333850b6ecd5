"""揭榜 applications in either direction: the rules of applying, the applicant's actions
(withdraw, status, questions and answers), and the views (mine, a target's applicants)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import asyncpg
import msgspec

import matching
from service.auth import Principal, audit, require_org
from service.challenges import repository as repo
from service.challenges.rules import ACTIVE, DIRECTION_NAMES, MAX_QUESTIONS, STATUS_NAMES, _is_staff
from service.challenges.schemas import (
    QA,
    Applicant,
    MyApplication,
    QuestionBody,
    StatusBody,
)
from service.domain.access import public_row
from service.domain.needs import today
from service.errors import Conflict, FieldInvalid, Forbidden, NotFound
from service.notifications import notify
from service.reference import names
from service.rounds.records import as_demand, as_supply
from service.rounds.schemas import ApplicationCreate

# --- applying -------------------------------------------------------------------------------------


def deadline_of(direction: str, need_deadline: date | None, closes: date | None) -> date | None:
    """The last day (China time) to apply or withdraw: the challenge's own deadline and the
    round's registration close, whichever comes first."""
    days = [d for d in ((need_deadline if direction == "challenge" else None), closes) if d]
    return min(days) if days else None


def _record_state(label: str, field: str, ident: int, status: str) -> None:
    if status == "draft":
        raise FieldInvalid(field, f"{label} {ident} 是草稿，尚未发布")
    if status == "closed":
        raise FieldInvalid(field, f"{label} {ident} 已关闭，不再接受申请")


async def check_application(
    conn: asyncpg.Connection,
    round_row: asyncpg.Record,
    data: ApplicationCreate,
    principal: Principal,
    demand_ids: set[int],
) -> None:
    """The rules of 揭榜 in either direction (called by rounds.apply inside its transaction)."""
    need = await repo.need_row(conn, data.need_id)
    if need is None:
        raise FieldInvalid("need_id", f"研发需求 {data.need_id} 不存在")
    cap = await repo.capability_row(conn, data.capability_id)
    if cap is None:
        raise FieldInvalid("capability_id", f"科研能力 {data.capability_id} 不存在")
    if data.direction == "challenge":
        _record_state("揭榜挂帅项目", "need_id", data.need_id, need["status"])
        if not need["is_challenge"]:
            raise FieldInvalid("need_id", f"研发需求 {data.need_id} 不是揭榜挂帅项目")
        if need["challenge_review"] != "approved":
            raise FieldInvalid("need_id", f"揭榜挂帅项目 {data.need_id} 尚未发榜（待审核或已退回）")
        if data.need_id not in demand_ids:
            raise FieldInvalid("need_id", f"研发需求 {data.need_id} 不在本次对接活动中")
        _record_state("科研能力", "capability_id", data.capability_id, cap["status"])
        require_org(principal, cap["owner_id"])
        applicant_field = "capability_id"
    else:
        _record_state("挂牌成果", "capability_id", data.capability_id, cap["status"])
        if not cap["listing_modes"]:
            raise FieldInvalid(
                "capability_id", f"科研能力 {data.capability_id} 未挂牌转化，不能申请承接"
            )
        _record_state("研发需求", "need_id", data.need_id, need["status"])
        if need["challenge_review"] != "approved":
            raise FieldInvalid("need_id", f"研发需求 {data.need_id} 尚未通过审核")
        require_org(principal, need["owner_id"])
        applicant_field = "need_id"
    if need["owner_id"] == cap["owner_id"]:
        raise FieldInvalid(applicant_field, "不能向本机构发布的项目申请")
    last = deadline_of(data.direction, need["deadline"], round_row["registration_closes"])
    if last is not None and today() > last:
        raise Conflict(f"申请截止日期 {last} 已过，不能再申请")


# --- the applicant's actions ---------------------------------------------------------------------


def _owner_org(a: asyncpg.Record) -> int:
    return a["need_org_id"] if a["direction"] == "challenge" else a["cap_org_id"]


def _applicant_org(a: asyncpg.Record) -> int:
    return a["cap_org_id"] if a["direction"] == "challenge" else a["need_org_id"]


def _target_title(a: asyncpg.Record) -> str:
    return a["need_title"] if a["direction"] == "challenge" else a["cap_title"]


async def _application(conn: asyncpg.Connection, app_id: int, principal: Principal):
    """The application, locked; 404 to anyone who is neither side nor staff."""
    a = await repo.fetch_application(conn, app_id, lock=True)
    if a is None or not (
        _is_staff(principal) or principal.org_id in (_owner_org(a), _applicant_org(a))
    ):
        raise NotFound("申请", app_id)
    return a


def _can_withdraw(a: asyncpg.Record) -> bool:
    last = deadline_of(a["direction"], a["deadline"], a["registration_closes"])
    return (
        a["status"] in ACTIVE
        and a["round_state"] in ("draft", "open")
        and (last is None or today() <= last)
    )


async def withdraw(conn: asyncpg.Connection, app_id: int, principal: Principal) -> MyApplication:
    """The applicant withdraws, until the deadline (China time) and while the round is open."""
    async with conn.transaction():
        a = await _application(conn, app_id, principal)
        require_org(principal, _applicant_org(a), allow=("admin",))
        if a["status"] not in ACTIVE:
            raise Conflict(f"申请 {app_id} 当前为「{STATUS_NAMES[a['status']]}」，不能撤回")
        last = deadline_of(a["direction"], a["deadline"], a["registration_closes"])
        if last is not None and today() > last:
            raise Conflict(f"申请截止日期 {last} 已过，不能再撤回申请")
        if a["round_state"] not in ("draft", "open"):
            raise Conflict("对接活动已进入匹配或结束，不能再撤回申请")
        await repo.set_status(conn, [app_id], "withdrawn")
        after = await repo.fetch_application(conn, app_id)
        await audit.record(conn, principal, "update", "applications", app_id, a, after)
        await notify(
            conn, kind="application_status",
            title=f"申请已撤回：{a['cap_org_name'] if a['direction'] == 'challenge' else a['need_org_name']}"
                  f" 撤回了对「{_target_title(a)}」的申请",
            link="/my?tab=applicants", org_ids=[_owner_org(a)],
            event_key=f"application_withdrawn:{app_id}",
        )  # fmt: skip
        return (await _my_views(conn, [after]))[0]


async def set_status(
    conn: asyncpg.Connection, app_id: int, body: StatusBody, principal: Principal
) -> MyApplication:
    """The owner (the enterprise of a challenge, the university of a listing) shortlists."""
    async with conn.transaction():
        a = await _application(conn, app_id, principal)
        require_org(principal, _owner_org(a))
        if a["status"] not in ACTIVE:
            raise Conflict(f"申请 {app_id} 当前为「{STATUS_NAMES[a['status']]}」，不能变更")
        if a["status"] == body.status:
            raise Conflict(f"申请 {app_id} 已是「{STATUS_NAMES[body.status]}」")
        await repo.set_status(conn, [app_id], body.status, body.note)
        after = await repo.fetch_application(conn, app_id)
        await audit.record(conn, principal, "update", "applications", app_id, a, after)
        await _tell_applicant(conn, after)
        return (await _my_views(conn, [after]))[0]


async def _tell_applicant(conn: asyncpg.Connection, a: asyncpg.Record) -> None:
    await notify(
        conn, kind="application_status",
        title=f"您的{DIRECTION_NAMES[a['direction']]}申请「{_target_title(a)}」：{STATUS_NAMES[a['status']]}",
        body=a["status_note"] or "", link="/my?tab=applications", org_ids=[_applicant_org(a)],
        event_key=f"application_status:{a['id']}:{a['status']}:{a['updated_at'].isoformat()}",
    )  # fmt: skip


async def tell_owner(conn: asyncpg.Connection, app_id: int) -> None:
    """A new application reaches the owner's inbox (the enterprise of a challenge, the
    university of a listing) in the applying transaction, with what it offers."""
    a = await repo.fetch_application(conn, app_id)
    offer = [
        f"团队：{a['team']}" if a["team"] else "",
        f"报价：{a['price']:,} 元" if a["price"] else "",
        f"周期：{a['expected_months']} 个月" if a["expected_months"] else "",
        a["proposal"] or "",
    ]
    await notify(
        conn, kind="application_status",
        title=f"收到{DIRECTION_NAMES[a['direction']]}申请："
              f"{a['cap_org_name'] if a['direction'] == 'challenge' else a['need_org_name']}"
              f" 申请「{_target_title(a)}」",
        body="；".join(x for x in offer if x), link="/my?tab=applicants", org_ids=[_owner_org(a)],
        event_key=f"application_received:{app_id}",
    )  # fmt: skip


async def ask(
    conn: asyncpg.Connection, app_id: int, body: QuestionBody, principal: Principal
) -> QA:
    async with conn.transaction():
        a = await _application(conn, app_id, principal)
        require_org(principal, _owner_org(a))
        if a["status"] == "withdrawn":
            raise Conflict(f"申请 {app_id} 已撤回，不能再提问")
        if await repo.count_questions(conn, app_id) >= MAX_QUESTIONS:
            raise Conflict(f"每份申请最多提问 {MAX_QUESTIONS} 个")
        text = body.question.strip()
        if not text:
            raise FieldInvalid("question", "不能为空")
        q = await repo.insert_question(conn, app_id, text, principal.user_id)
        await audit.record(conn, principal, "create", "application_questions", q["id"], None, q)
        await notify(
            conn, kind="application_status",
            title=f"「{_target_title(a)}」的发布方对您的申请提出了问题", body=text,
            link="/my?tab=applications", org_ids=[_applicant_org(a)],
            event_key=f"application_question:{q['id']}",
        )  # fmt: skip
        return msgspec.convert(dict(q), QA)


async def answer(
    conn: asyncpg.Connection, app_id: int, question_id: int, text: str, principal: Principal
) -> QA:
    async with conn.transaction():
        a = await _application(conn, app_id, principal)
        require_org(principal, _applicant_org(a), allow=("admin",))
        q = await repo.fetch_question(conn, app_id, question_id)
        if q is None:
            raise NotFound("问题", question_id)
        if q["answer"] is not None:
            raise Conflict(f"问题 {question_id} 已回答")
        text = text.strip()
        if not text:
            raise FieldInvalid("answer", "不能为空")
        fresh = await repo.answer_question(conn, question_id, text, principal.user_id)
        await audit.record(
            conn, principal, "update", "application_questions", question_id, q, fresh
        )
        await notify(
            conn, kind="application_status", title=f"申请者回答了您关于「{_target_title(a)}」的问题",
            body=text, link="/my?tab=applicants", org_ids=[_owner_org(a)],
            event_key=f"application_answer:{question_id}",
        )  # fmt: skip
        return msgspec.convert(dict(fresh), QA)


# --- views ----------------------------------------------------------------------------------------


async def _questions(conn: asyncpg.Connection, app_ids: list[int]) -> dict[int, list[QA]]:
    out: dict[int, list[QA]] = {}
    for q in await repo.questions(conn, app_ids):
        out.setdefault(q["application_id"], []).append(msgspec.convert(dict(q), QA))
    return out


async def _my_views(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[MyApplication]:
    qa = await _questions(conn, [r["id"] for r in rows])
    out = []
    for a in rows:
        challenge = a["direction"] == "challenge"
        out.append(
            MyApplication(
                application_id=a["id"],
                round_id=a["round_id"],
                round_title=a["round_title"],
                direction=a["direction"],
                status=a["status"],
                target_id=a["need_id"] if challenge else a["capability_id"],
                target_title=_target_title(a),
                target_org_name=a["need_org_name"] if challenge else a["cap_org_name"],
                reward=a["reward"] if challenge else a["asking_price"],
                my_item_id=a["capability_id"] if challenge else a["need_id"],
                my_item_title=a["cap_title"] if challenge else a["need_title"],
                team=a["team"],
                proposal=a["proposal"],
                price=a["price"],
                expected_months=a["expected_months"],
                deadline=deadline_of(a["direction"], a["deadline"], a["registration_closes"]),
                can_withdraw=_can_withdraw(a),
                withdrawn_at=a["withdrawn_at"],
                status_note=a["status_note"],
                questions=qa.get(a["id"], []),
                created_at=a["created_at"],
            )  # fmt: skip
        )
    return out


async def my_applications(
    conn: asyncpg.Connection, principal: Principal, status: str | None, org_id: int | None
) -> list[MyApplication]:
    """「我的申请」: staff may choose an organization (or see all); others get their own."""
    if not _is_staff(principal):
        if principal.org_id is None:
            raise Forbidden("该账号未关联机构，没有自己的申请")
        org_id = principal.org_id
    return await _my_views(conn, await repo.my_applications(conn, org_id, status))


COMPONENT_NAMES = {
    "text": "文本相似",
    "fuzzy": "标题相近",
    "chars": "用字相近",
    "field": "学科相符",
    "mode": "合作方式相符",
    "region": "地域",
    "policy": "政策匹配",
}


def explain(score: float, components: dict[str, float], terms: dict[str, list[str]]) -> str:
    """A pair's explanation in Chinese: shared terms first, then the strongest components."""
    parts = [f"综合得分 {score:.2f}"]
    if terms.get("keywords"):
        parts.append("共同关键词：" + "、".join(terms["keywords"][:8]))
    if terms.get("fields"):
        # Names, not codes, for the reader (the code stays in the API's matched terms).
        parts.append("学科：" + "、".join(names.matched_field_term(c) for c in terms["fields"]))
    if terms.get("modes"):
        parts.append("合作方式：" + "、".join(terms["modes"]))
    strongest = sorted(
        ((v, k) for k, v in components.items() if v > 0 and k in COMPONENT_NAMES), reverse=True
    )[:3]
    if strongest:
        parts.append("、".join(f"{COMPONENT_NAMES[k]} {v:.2f}" for v, k in strongest))
    if len(parts) == 1:
        parts.append("没有共同的关键词或学科")
    return "；".join(parts)


def _score(
    demands: list[dict[str, Any]], supplies: list[dict[str, Any]], pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], matching.ScoredPair]:
    """Score the given pairs only, as rounds score applicants (MatchIndex.score)."""
    if not pairs:
        return {}
    index = matching.MatchIndex(supplies, kind="rd")
    return {(p.demand_id, p.supply_id): p for p in index.score(demands, pairs)}


async def applicants(
    conn: asyncpg.Connection, direction: str, target_id: int, principal: Principal
) -> list[Applicant]:
    """The applicants to one challenge (its enterprise and staff) or one listed achievement (its
    university and staff), side by side, best score first, withdrawn ones last."""
    if direction == "challenge":
        target = await repo.fetch_need(conn, target_id)
        if target is None or not target["is_challenge"]:
            raise NotFound("揭榜挂帅项目", target_id)
    else:
        target = await repo.fetch_capability(conn, target_id)
        if target is None or not target["listing_modes"]:
            raise NotFound("挂牌成果", target_id)
    if not _is_staff(principal) and principal.org_id != target["owner_id"]:
        table = "rd_needs" if direction == "challenge" else "capabilities"
        if not public_row(table, target):  # what one may not see does not exist (404)
            raise NotFound("揭榜挂帅项目" if direction == "challenge" else "挂牌成果", target_id)
        raise Forbidden("只有发布方和对接专员可以查看申请者")
    rows = await repo.applications_to(conn, direction, target_id)
    if not rows:
        return []
    needs = {
        r["id"]: as_demand("rd_needs", dict(r))
        for r in await repo.needs_rows(conn, list({a["need_id"] for a in rows}))
    }
    caps = {
        r["id"]: as_supply("capabilities", dict(r))
        for r in await repo.capabilities_rows(conn, list({a["capability_id"] for a in rows}))
    }
    pairs = list(dict.fromkeys((str(a["need_id"]), str(a["capability_id"])) for a in rows))
    scored = await asyncio.to_thread(_score, list(needs.values()), list(caps.values()), pairs)
    qa = await _questions(conn, [a["id"] for a in rows])
    out = []
    for a in rows:
        p = scored.get((str(a["need_id"]), str(a["capability_id"])))
        comps = {k: round(float(v), 4) for k, v in (p.components if p else {}).items()}
        terms = msgspec.to_builtins(p.matched_terms) if p else {}
        terms = {k: list(v) for k, v in terms.items() if v}
        challenge = direction == "challenge"
        out.append(
            Applicant(
                application_id=a["id"],
                round_id=a["round_id"],
                direction=a["direction"],
                status=a["status"],
                org_id=_applicant_org(a),
                org_name=a["cap_org_name"] if challenge else a["need_org_name"],
                item_id=a["capability_id"] if challenge else a["need_id"],
                item_title=a["cap_title"] if challenge else a["need_title"],
                team=a["team"],
                proposal=a["proposal"],
                price=a["price"],
                expected_months=a["expected_months"],
                score=round(float(p.score), 4) if p else None,
                components=comps,
                matched_terms=terms,
                explanation=explain(p.score, comps, terms) if p else "",
                questions=qa.get(a["id"], []),
                created_at=a["created_at"],
            )  # fmt: skip
        )
    out.sort(key=lambda x: (x.status == "withdrawn", -(x.score or 0.0), x.application_id))
    return out
