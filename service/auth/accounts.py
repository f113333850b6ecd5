"""Users and their logins: the account service (admins manage users; anyone may log in).

A user belongs to at most one organization and has one role. Enterprise users must belong to an
enterprise; university users to a university or a research institute; coordinators and admins
may belong to any organization (usually an agency) or none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import asyncpg
import msgspec
from msgspec import Meta

from service.auth import Principal, Role, audit, repository, require_role, tokens
from service.errors import (
    Conflict,
    FieldInvalid,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Unauthorized,
)

LoginName = Annotated[str, Meta(min_length=3, max_length=100, pattern=r"^[^\s\x00]+$")]
Password = Annotated[str, Meta(min_length=8, max_length=200)]
DisplayName = Annotated[str, Meta(max_length=100)]
Id = Annotated[int, Meta(ge=1, le=2**62)]
AnyPassword = Annotated[str, Meta(min_length=1, max_length=200)]

# An API token lives at most this long unless an admin chooses longer (up to MAX_ADMIN_DAYS).
TOKEN_DAYS = 90
MAX_ADMIN_DAYS = 3650
# Minting a token needs a login this recent (or the password sent again): a stolen session
# must not turn into long-lived access.
FRESH_LOGIN = timedelta(minutes=10)


class UserCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    login: LoginName
    display_name: DisplayName = ""
    role: Role
    org_id: Id | None = None
    # Without a password the user can only act through API tokens.
    password: Password | None = None


class UserPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    org_id: Id | None | msgspec.UnsetType = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET
    # Required when users change their own password.
    current_password: AnyPassword | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class User(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    login: str
    display_name: str
    role: Role
    org_id: int | None
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class UserPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[User]
    total: int
    limit: int
    offset: int


class LoginRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    login: Annotated[str, Meta(min_length=1, max_length=100)]
    password: AnyPassword
    # The web UI: the token goes into an HttpOnly cookie (see service.auth.cookies), not the body.
    cookie: bool = False


class LoginResult(msgspec.Struct, kw_only=True, frozen=True):
    # ``None`` when the token was set as a cookie.
    token: str | None
    token_type: str
    expires_at: datetime
    user: User


def _user(row: asyncpg.Record) -> User:
    return User(**{k: row[k] for k in User.__struct_fields__})


async def check_role_org(conn: asyncpg.Connection, role: str, org_id: int | None) -> None:
    """The organization must exist and suit the role (enterprise users in enterprises, …)."""
    if org_id is None:
        if role in ("enterprise", "university"):
            raise FieldInvalid("org_id", f"角色 {role} 的用户必须属于一个机构（org_id）")
        return
    kind = await repository.organization_kind(conn, org_id)
    if kind is None:
        raise FieldInvalid("org_id", f"机构 {org_id} 不存在")
    allowed = {"enterprise": ("enterprise",), "university": ("university", "institute")}
    if role in allowed and kind not in allowed[role]:
        raise FieldInvalid("org_id", f"机构 {org_id} 的类型是 {kind}，不能有角色为 {role} 的用户")


async def create_user(
    conn: asyncpg.Connection,
    data: UserCreate,
    *,
    principal: Principal,
    demo_key: str | None = None,
) -> User:
    require_role(principal, "admin")
    login = data.login.strip()
    password_hash = await tokens.hash_password(data.password) if data.password else None
    async with conn.transaction():
        await check_role_org(conn, data.role, data.org_id)
        try:
            row = await repository.insert_user(
                conn,
                login=login,
                display_name=data.display_name.strip(),
                role=data.role,
                org_id=data.org_id,
                password_hash=password_hash,
                demo_key=demo_key,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(
                f"登录名 {login} 已被使用",
                errors=[{"field": "login", "message": "该登录名已被使用"}],
            ) from exc
        user = _user(row)
        await audit.record(conn, principal, "create", "users", user.id, None, user)
    return user


async def get_user(conn: asyncpg.Connection, ident: int, *, principal: Principal) -> User:
    if principal.user_id != ident:
        require_role(principal, "admin")
    row = await repository.user_row(conn, ident)
    if row is None:
        raise NotFound("用户", ident)
    return _user(row)


async def list_users(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    role: str | None,
    org_id: int | None,
    limit: int,
    offset: int,
) -> UserPage:
    require_role(principal, "admin")
    rows, total = await repository.user_page(conn, role, org_id, limit, offset)
    return UserPage(items=[_user(r) for r in rows], total=total, limit=limit, offset=offset)


async def patch_user(
    conn: asyncpg.Connection,
    ident: int,
    data: UserPatch,
    expected_version: int | None = None,
    *,
    principal: Principal,
) -> User:
    """Admins change anything; a user may change only their own display name and password."""
    changes: dict[str, Any] = {
        k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET
    }
    current_password = changes.pop("current_password", None)
    if principal.user_id != ident or set(changes) - {"display_name", "password"}:
        require_role(principal, "admin")
    if current_password is not None and "password" not in changes:
        raise FieldInvalid("current_password", "只有修改密码时才需要当前密码")
    new_password = "password" in changes
    if new_password and principal.user_id == ident:
        # Whoever holds a session must also know the password to change it.
        if current_password is None:
            raise FieldInvalid("current_password", "修改自己的密码须提供当前密码")
        stored = await repository.password_hash(conn, ident)
        if not await tokens.verify_password(stored, current_password):
            raise FieldInvalid("current_password", "当前密码不正确")
    if new_password:
        changes["password_hash"] = await tokens.hash_password(changes.pop("password"))
    if "display_name" in changes:
        changes["display_name"] = changes["display_name"].strip()
    async with conn.transaction():
        row = await repository.user_row(conn, ident, for_update=True)
        if row is None:
            raise NotFound("用户", ident)
        if expected_version is not None and row["version"] != expected_version:
            raise PreconditionFailed(
                f"用户 {ident} 当前版本为 {row['version']}，请求基于版本 {expected_version}"
            )
        before = _user(row)
        role = changes.get("role", before.role)
        org_id = changes.get("org_id", before.org_id)
        if "role" in changes or "org_id" in changes:
            await check_role_org(conn, role, org_id)
        if changes:
            row = await repository.update_user(conn, ident, changes)
        after = _user(row)
        await audit.record(conn, principal, "update", "users", ident, before, after)
        if new_password:
            # A new password ends every other session and token of the user (the caller's own
            # session, when changing their own password, stays).
            keep = principal.token_id if principal.user_id == ident else None
            revoked = await tokens.revoke_user_tokens(conn, ident, keep=keep)
            if revoked:
                await audit.record(
                    conn, principal, "revoke", "api_tokens", None, None,
                    {"user_id": ident, "revoked": revoked, "reason": "password changed"},
                )  # fmt: skip
    return after


async def login(
    conn: asyncpg.Connection, login_name: str, password: str
) -> tuple[User, str, datetime]:
    """Check the password; on success issue a session token valid for ``SESSION_TTL``."""
    row = await repository.user_for_login(conn, login_name.strip())
    ok = await tokens.verify_password(row["password_hash"] if row else None, password)
    if row is None or not ok or not row["is_active"]:
        raise Unauthorized("登录名或密码错误 (invalid login or password)")
    expires = datetime.now(UTC) + tokens.SESSION_TTL
    _, token = await tokens.create_token(
        conn, kind="session", user_id=row["id"], name="login", expires_at=expires
    )
    return _user(row), token, expires


async def issue_api_token(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    role: str | None = None,
    org_id: int | None = None,
    user_id: int | None = None,
    name: str = "",
    days: int | None = None,
) -> tuple[int, str, datetime]:
    """An API token for an integration: bound to a user, or bare with its own role and org.

    Only admins (and in-process callers acting as :data:`~service.auth.SYSTEM`) issue bare
    tokens or tokens for other users. Every token expires: after ``days`` (default
    :data:`TOKEN_DAYS`, longer only when an admin asks).
    """
    if user_id is None and role is None:
        raise FieldInvalid("role", "未绑定用户的令牌必须指定角色")
    if user_id is None or user_id != principal.user_id:
        require_role(principal, "admin")
    days = days or TOKEN_DAYS
    if days > TOKEN_DAYS and principal.role != "admin":
        raise FieldInvalid("days", f"API 令牌最长 {TOKEN_DAYS} 天（更长须由管理员创建）")
    if days > MAX_ADMIN_DAYS:
        raise FieldInvalid("days", f"API 令牌最长 {MAX_ADMIN_DAYS} 天")
    expires = datetime.now(UTC) + timedelta(days=days)
    async with conn.transaction():
        if user_id is None:
            assert role is not None
            await check_role_org(conn, role, org_id)
        elif not await repository.user_exists(conn, user_id):
            raise FieldInvalid("user", f"用户 {user_id} 不存在")
        ident, token = await tokens.create_token(
            conn,
            kind="api",
            user_id=user_id,
            role=role,
            org_id=org_id,
            name=name,
            expires_at=expires,
        )
        after = {
            "token_id": ident,
            "user_id": user_id,
            "role": role,
            "org_id": org_id,
            "name": name,
            "expires_at": expires,
        }
        await audit.record(conn, principal, "create", "api_tokens", ident, None, after)
    return ident, token, expires


async def require_recent_login(
    conn: asyncpg.Connection, principal: Principal, password: str | None
) -> None:
    """Raise 403 unless the caller logged in within :data:`FRESH_LOGIN` or sent the password.

    In-process callers (:data:`~service.auth.SYSTEM`, no token) pass.
    """
    if principal.token_id is None:
        return
    if password is not None:
        stored = None
        if principal.user_id is not None:
            stored = await repository.password_hash(conn, principal.user_id)
        if not await tokens.verify_password(stored, password):
            raise FieldInvalid("password", "密码不正确")
        return
    fresh = await repository.is_fresh_session(conn, principal.token_id, FRESH_LOGIN)
    if not fresh:
        raise Forbidden(
            "创建 API 令牌需要最近 10 分钟内登录，或在请求中附上当前密码（password）"
            " (a recent login or the password is required)"
        )


class TokenInfo(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    kind: str
    name: str
    created_at: datetime
    expires_at: datetime
    current: bool


async def list_tokens(conn: asyncpg.Connection, *, principal: Principal) -> list[TokenInfo]:
    """The caller's live tokens (sessions and API tokens); a bare API token sees itself."""
    rows = await tokens.live_tokens(conn, user_id=principal.user_id, token_id=principal.token_id)
    return [
        msgspec.convert({**dict(r), "current": r["id"] == principal.token_id}, TokenInfo)
        for r in rows
    ]


async def revoke_token(conn: asyncpg.Connection, token_id: int, *, principal: Principal) -> None:
    """Revoke one of the caller's own tokens (404 for anyone else's)."""
    async with conn.transaction():
        row = await repository.lock_live_token(conn, token_id)
        mine = row is not None and (
            (principal.user_id is not None and row["user_id"] == principal.user_id)
            or row["id"] == principal.token_id
        )
        if not mine:
            raise NotFound("令牌", token_id)
        await tokens.revoke(conn, token_id)
        await audit.record(conn, principal, "revoke", "api_tokens", token_id, row, None)
