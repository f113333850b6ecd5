"""The registration service: every write in one transaction with its audit row and its mail."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import asyncpg
import msgspec

from service.auth import STAFF, Principal, audit, require_role, tokens
from service.domain import crud, organizations
from service.errors import Conflict, FieldInvalid, Forbidden, NotFound
from service.notifications import notify, send_email
from service.registration import repository as repo
from service.registration.schemas import (
    EmailConfirmed,
    Invitation,
    InvitationAccept,
    InvitationCreate,
    Joined,
    Registered,
    RegistrationCreate,
    RegistrationPage,
    RegistrationView,
    ResetConfirm,
)

CONFIRM_TTL = timedelta(days=2)
RESET_TTL = timedelta(hours=1)
INVITE_TTL = timedelta(days=7)

ROLE_OF_KIND = {"enterprise": "enterprise", "university": "university", "institute": "university"}
STATE_NAMES = {"pending": "待审核", "approved": "已通过", "returned": "已退回"}


def public_url(path: str) -> str:
    """An absolute link for a mail: ``DUIJIE_PUBLIC_URL`` (the site's address) + ``path``."""
    base = os.environ.get("DUIJIE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + path


def _acting(user_id: int, role: str, org_id: int | None) -> Principal:
    """Who an anonymous account action (registering, confirming, resetting) is recorded as."""
    return Principal(user_id=user_id, role=role, org_id=org_id, token_id=None)  # type: ignore[arg-type]


_UNIQUE_FIELDS = {
    "organizations_credit_code_key": ("credit_code", "该统一社会信用代码已注册"),
    "users_login": ("login", "该登录名已被使用"),
    "users_email": ("email", "该邮箱已被使用"),
}


def _duplicate(exc: asyncpg.UniqueViolationError) -> Conflict:
    field, message = _UNIQUE_FIELDS.get(exc.constraint_name or "", ("body", "与现有数据冲突"))
    return Conflict(f"{field}: {message}", errors=[{"field": field, "message": message}])


async def _check_unique(conn: asyncpg.Connection, *, login: str, email: str) -> None:
    if await repo.user_by_login(conn, login) is not None:
        raise Conflict(
            f"登录名 {login} 已被使用",
            errors=[{"field": "login", "message": "该登录名已被使用，请换一个"}],
        )
    if await repo.user_by_email(conn, email) is not None:
        raise Conflict(
            f"邮箱 {email} 已被使用",
            errors=[{"field": "email", "message": "该邮箱已注册账号；如忘记密码请使用“找回密码”"}],
        )


async def _send_confirmation(conn: asyncpg.Connection, user_id: int, email: str, name: str) -> None:
    token, row = await repo.create_token(
        conn, purpose="confirm", email=email, ttl=CONFIRM_TTL, user_id=user_id
    )
    link = public_url(f"/register/confirm?token={token}")
    await send_email(
        conn,
        to_address=email,
        subject="Duijie 对接：请确认您的邮箱",
        body=(
            f"{name}，您好：\n\n请打开以下链接确认您的邮箱（{CONFIRM_TTL.days} 天内有效，只能使用一次）：\n"
            f"{link}\n\n如果这不是您本人的操作，请忽略本邮件。"
        ),
        dedupe_key=f"confirm:{row['id']}",
    )


async def register(conn: asyncpg.Connection, data: RegistrationCreate) -> Registered:
    """Create a pending organization and its first user; queue the confirmation mail."""
    record: dict[str, Any] = {
        "kind": data.kind,
        "name": data.name,
        "credit_code": data.credit_code,
        "city": data.city,
        "industry_code": data.industry_code,
        "tags": [],
        "description": data.description,
        "contact_name": data.contact_name,
        "contact_phone": data.contact_phone,
        "contact_email": data.contact_email or data.email,
    }
    record = crud.normalise(record, ["name", "credit_code", "contact_name", "contact_phone"])
    crud.raise_if(organizations.validate(record, set(record)))
    user = crud.normalise(
        {"login": data.login, "display_name": data.display_name, "email": data.email}, ["login"]
    )
    role = ROLE_OF_KIND[data.kind]
    password_hash = await tokens.hash_password(data.password)
    async with conn.transaction():
        existing = await repo.org_by_credit_code(conn, record["credit_code"])
        if existing is not None:
            raise Conflict(
                f"统一社会信用代码 {record['credit_code']} 已注册",
                errors=[
                    {
                        "field": "credit_code",
                        "message": "该统一社会信用代码已由其他机构注册；如属本单位，请联系本单位已有账号邀请您加入",
                    }
                ],
            )
        await _check_unique(conn, login=user["login"], email=user["email"])
        record["search_text"] = crud.search_text(organizations.RESOURCE, record)
        record["approval_state"] = "pending"
        try:
            org_id = await repo.insert_org(conn, record)
            user_id = await repo.insert_user(
                conn,
                login=user["login"],
                display_name=user["display_name"],
                role=role,
                org_id=org_id,
                password_hash=password_hash,
                email=user["email"],
                confirmed=False,
            )
        except asyncpg.UniqueViolationError as exc:  # a concurrent registration won the race
            raise _duplicate(exc) from exc
        who = _acting(user_id, role, org_id)
        view = await _view(conn, org_id)
        await audit.record(conn, who, "create", "organizations", org_id, None, view)
        await audit.record(
            conn, who, "create", "users", user_id, None, {"login": user["login"], "role": role}
        )
        await _send_confirmation(
            conn, user_id, user["email"], user["display_name"] or user["login"]
        )
        await notify(
            conn,
            kind="organization_registered",
            title=f"新机构注册待审核：{record['name']}",
            body=f"{record['name']}（{record['city']}）提交了注册，请审核。",
            link="/registrations",
            roles=("coordinator",),
            event_key=f"registered:{org_id}",
        )
    return Registered(
        organization_id=org_id,
        user_id=user_id,
        approval_state="pending",
        email=user["email"],
        detail="注册成功：确认邮件已发送；机构经对接专员审核通过后，发布的信息才对外可见",
    )


def _bad_token() -> FieldInvalid:
    return FieldInvalid("token", "链接无效、已使用或已过期，请重新申请")


async def confirm_email(conn: asyncpg.Connection, token: str) -> EmailConfirmed:
    async with conn.transaction():
        row = await repo.use_token(conn, token, "confirm")
        if row is None or not await repo.confirm_email(conn, row["user_id"], row["email"]):
            raise _bad_token()
        user = await repo.user_role(conn, row["user_id"])
        after = {"email": row["email"], "email_confirmed": True}
        who = _acting(row["user_id"], user["role"], user["org_id"])
        await audit.record(conn, who, "update", "users", row["user_id"], None, after)
    return EmailConfirmed(user_id=row["user_id"], email=row["email"])


async def resend_confirmation(conn: asyncpg.Connection, *, principal: Principal) -> None:
    if principal.user_id is None:
        raise Forbidden("未绑定用户的 API 令牌没有邮箱")
    async with conn.transaction():
        row = await repo.user_email(conn, principal.user_id)
        if row is None or row["email"] is None:
            raise FieldInvalid("email", "账号没有邮箱")
        if row["email_confirmed_at"] is not None:
            raise Conflict("邮箱已确认", errors=[{"field": "email", "message": "邮箱已确认"}])
        await repo.spend_other_tokens(conn, principal.user_id, "confirm")
        await _send_confirmation(
            conn, principal.user_id, row["email"], row["display_name"] or row["login"]
        )
        await audit.record(conn, principal, "update", "users", principal.user_id, None, {})


async def request_reset(conn: asyncpg.Connection, email: str) -> None:
    """Mail a reset link when an active user has this address; say nothing either way."""
    async with conn.transaction():
        user = await repo.user_by_email(conn, email.strip())
        if user is None or not user["is_active"]:
            return
        token, row = await repo.create_token(
            conn, purpose="reset", email=user["email"], ttl=RESET_TTL, user_id=user["id"]
        )
        await send_email(
            conn,
            to_address=user["email"],
            subject="Duijie 对接：重设密码",
            body=(
                "您（或他人）申请了重设密码。请在 1 小时内打开以下链接设置新密码（只能使用一次）：\n"
                f"{public_url(f'/reset-password?token={token}')}\n\n"
                "如果不是您本人的操作，请忽略本邮件，您的密码不会改变。"
            ),
            dedupe_key=f"reset:{row['id']}",
        )


async def reset_password(conn: asyncpg.Connection, data: ResetConfirm) -> None:
    """Set the new password, spend every reset token of the user, end all their sessions."""
    password_hash = await tokens.hash_password(data.password)
    async with conn.transaction():
        row = await repo.use_token(conn, data.token, "reset")
        if row is None:
            raise _bad_token()
        user = await repo.user_role(conn, row["user_id"], for_update=True)
        if user is None or not user["is_active"]:
            raise _bad_token()
        await repo.set_password(conn, row["user_id"], password_hash)
        await repo.spend_other_tokens(conn, row["user_id"], "reset")
        ended = await repo.revoke_all_tokens(conn, row["user_id"])
        # The link came to that address, so the address is now confirmed too.
        await repo.confirm_email(conn, row["user_id"], row["email"])
        who = _acting(row["user_id"], user["role"], user["org_id"])
        after = {"password": "reset", "tokens_revoked": ended}
        await audit.record(conn, who, "update", "users", row["user_id"], None, after)


async def invite(
    conn: asyncpg.Connection, data: InvitationCreate, *, principal: Principal
) -> Invitation:
    """A member invites a colleague: the invitee joins the same organization with the same role."""
    require_role(principal, "enterprise", "university")
    if principal.user_id is None or principal.org_id is None:
        raise Forbidden("只有机构成员本人可以邀请同事")
    email = data.email.strip()
    async with conn.transaction():
        if await repo.user_by_email(conn, email) is not None:
            raise Conflict(
                f"邮箱 {email} 已注册账号",
                errors=[{"field": "email", "message": "该邮箱已注册账号，无需邀请"}],
            )
        org = await repo.org_name(conn, principal.org_id)
        if org is None:
            raise NotFound("机构", principal.org_id)
        token, row = await repo.create_token(
            conn,
            purpose="invite",
            email=email,
            ttl=INVITE_TTL,
            org_id=principal.org_id,
            role=principal.role,
            created_by=principal.user_id,
        )
        await send_email(
            conn,
            to_address=email,
            subject=f"Duijie 对接：{org['name']} 邀请您加入",
            body=(
                f"{org['name']} 的同事邀请您加入 Duijie 对接平台。请在 {INVITE_TTL.days} 天内打开以下链接"
                f"设置登录名和密码（只能使用一次）：\n{public_url(f'/register/invite?token={token}')}"
            ),
            dedupe_key=f"invite:{row['id']}",
        )
        invitation = Invitation(
            email=email,
            organization_id=principal.org_id,
            role=principal.role,
            expires_at=row["expires_at"],
        )
        await audit.record(conn, principal, "create", "account_tokens", row["id"], None, invitation)
    return invitation


async def accept_invitation(conn: asyncpg.Connection, data: InvitationAccept) -> Joined:
    password_hash = await tokens.hash_password(data.password)
    fields = crud.normalise({"login": data.login, "display_name": data.display_name}, ["login"])
    async with conn.transaction():
        row = await repo.use_token(conn, data.token, "invite")
        if row is None:
            raise _bad_token()
        await _check_unique(conn, login=fields["login"], email=row["email"])
        try:
            user_id = await repo.insert_user(
                conn,
                login=fields["login"],
                display_name=fields["display_name"],
                role=row["role"],
                org_id=row["org_id"],
                password_hash=password_hash,
                email=row["email"],
                confirmed=True,  # the invitation came to this address
            )
        except asyncpg.UniqueViolationError as exc:
            raise _duplicate(exc) from exc
        joined = Joined(
            user_id=user_id, login=fields["login"], organization_id=row["org_id"], role=row["role"]
        )
        who = _acting(user_id, row["role"], row["org_id"])
        await audit.record(conn, who, "create", "users", user_id, None, joined)
    return joined


# --- approval ------------------------------------------------------------------------------


async def _view(conn: asyncpg.Connection, org_id: int) -> RegistrationView:
    row = await repo.registration(conn, org_id)
    if row is None:
        raise NotFound("机构", org_id)
    return msgspec.convert(dict(row), RegistrationView)


async def list_registrations(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    state: str | None,
    limit: int,
    offset: int,
) -> RegistrationPage:
    require_role(principal, *STAFF)
    rows, total = await repo.list_registrations(conn, state, limit, offset)
    items = [msgspec.convert(dict(r), RegistrationView) for r in rows]
    return RegistrationPage(items=items, total=total, limit=limit, offset=offset)


async def my_registration(conn: asyncpg.Connection, *, principal: Principal) -> RegistrationView:
    if principal.org_id is None:
        raise NotFound("机构", "（当前用户不属于任何机构）")
    return await _view(conn, principal.org_id)


async def review(
    conn: asyncpg.Connection,
    org_id: int,
    *,
    approve: bool,
    reason: str | None,
    principal: Principal,
) -> RegistrationView:
    """A coordinator approves a pending (or returned) organization, or returns a pending one."""
    require_role(principal, *STAFF)
    if reason is not None:
        reason = crud.normalise({"reason": reason}, ["reason"])["reason"]
    async with conn.transaction():
        org = await repo.lock_org(conn, org_id)
        if org is None:
            raise NotFound("机构", org_id)
        state = org["approval_state"]
        allowed = ("pending", "returned") if approve else ("pending",)
        if state not in allowed:
            raise Conflict(
                f"机构 {org['name']} 当前状态为“{STATE_NAMES[state]}”，不能"
                + ("审核通过" if approve else "退回"),
                errors=[{"field": "approval_state", "message": f"当前状态为{STATE_NAMES[state]}"}],
            )
        before = await _view(conn, org_id)
        new_state = "approved" if approve else "returned"
        await repo.set_approval(conn, org_id, new_state, reason, principal.user_id)
        after = await _view(conn, org_id)
        await audit.record(conn, principal, "update", "organizations", org_id, before, after)
        await notify(
            conn,
            kind="organization_reviewed",
            title=(
                f"机构注册已审核通过：{org['name']}"
                if approve
                else f"机构注册被退回：{org['name']}"
            ),
            body=(
                "您发布的信息现在对外可见。"
                if approve
                else f"退回原因：{reason}\n请修改机构信息后重新提交审核。"
            ),
            link="/registration",
            org_ids=[org_id],
            event_key=f"reviewed:{org_id}:{after.reviewed_at}",
        )
    return after


async def resubmit(conn: asyncpg.Connection, *, principal: Principal) -> RegistrationView:
    """The returned organization asks for review again (after fixing its data)."""
    require_role(principal, "enterprise", "university")
    if principal.org_id is None:
        raise Forbidden("当前用户不属于任何机构")
    async with conn.transaction():
        org = await repo.lock_org(conn, principal.org_id)
        if org is None:
            raise NotFound("机构", principal.org_id)
        if org["approval_state"] != "returned":
            state = STATE_NAMES[org["approval_state"]]
            raise Conflict(
                f"机构当前状态为“{state}”，只有被退回的注册可以重新提交",
                errors=[{"field": "approval_state", "message": f"当前状态为{state}"}],
            )
        before = await _view(conn, principal.org_id)
        await repo.set_approval(conn, principal.org_id, "pending", None, None)
        after = await _view(conn, principal.org_id)
        await audit.record(
            conn, principal, "update", "organizations", principal.org_id, before, after
        )
        await notify(
            conn,
            kind="organization_registered",
            title=f"机构重新提交审核：{org['name']}",
            link="/registrations",
            roles=("coordinator",),
        )
    return after
