"""发榜 review: a coordinator approves a pending challenge (it goes public) or returns it."""

from __future__ import annotations

import asyncpg
import msgspec

from service.auth import STAFF, Principal, audit, require_role
from service.challenges import repository as repo
from service.challenges.schemas import (
    PendingChallenge,
    ReviewResult,
)
from service.errors import Conflict, FieldInvalid, NotFound
from service.notifications import notify

# --- 发榜 review ---------------------------------------------------------------------------------


async def pending(conn: asyncpg.Connection, principal: Principal) -> list[PendingChallenge]:
    require_role(principal, *STAFF)
    return [msgspec.convert(dict(r), PendingChallenge) for r in await repo.pending_challenges(conn)]


async def review(
    conn: asyncpg.Connection,
    need_id: int,
    principal: Principal,
    approve: bool,
    reason: str | None = None,
) -> ReviewResult:
    """A coordinator approves (发榜) a published challenge or returns it with a reason."""
    require_role(principal, *STAFF)
    async with conn.transaction():
        need = await repo.fetch_need(conn, need_id, lock=True)
        if need is None:
            raise NotFound("研发需求", need_id)
        if not need["is_challenge"]:
            raise Conflict(f"研发需求 {need_id} 不是揭榜挂帅项目，无需审核")
        if need["status"] != "published":
            raise Conflict(f"揭榜挂帅项目 {need_id} 尚未提交发布（当前为草稿或已关闭），不能审核")
        if need["challenge_review"] != "pending":
            state = "已发榜" if need["challenge_review"] == "approved" else "已退回"
            raise Conflict(f"揭榜挂帅项目 {need_id} {state}，不在待审核状态")
        if not approve:
            reason = (reason or "").strip()
            if not reason:
                raise FieldInvalid("reason", "退回须说明理由")
        row = await repo.set_review(
            conn, need_id, "approved" if approve else "returned", reason, principal.user_id
        )
        await audit.record(
            conn, principal, "update", "rd_needs", need_id,
            {"challenge_review": need["challenge_review"]},
            {"challenge_review": row["challenge_review"], "return_reason": row["return_reason"]},
        )  # fmt: skip
        title = (
            f"揭榜挂帅项目已发榜：{need['title']}"
            if approve
            else f"揭榜挂帅项目被退回：{need['title']}"
        )
        await notify(
            conn, kind="challenge_reviewed", title=title,
            body="项目已公开，高校与科研院所可以揭榜。" if approve else f"退回理由：{reason}",
            link="/my?tab=applicants", org_ids=[need["owner_id"]],
            event_key=f"challenge_reviewed:{need_id}:{row['reviewed_at'].isoformat()}",
        )  # fmt: skip
        return msgspec.convert(dict(row), ReviewResult)
