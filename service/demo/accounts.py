"""Demo logins: one per role, so a demonstration can show what each role may do.

The passwords are fixed and printed by ``duijie serve --demo``: this is demo data, never to be
loaded into a production database. Loading is idempotent: an existing login is left as it is
(including a password changed since).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from service.auth import SYSTEM
from service.auth.accounts import UserCreate, create_user
from service.demo import repository


@dataclass(frozen=True, slots=True)
class DemoLogin:
    login: str
    password: str
    role: str
    org_key: str | None  # demo_key of the organization
    display_name: str


DEMO_LOGINS = (
    DemoLogin("admin@demo", "duijie-admin-demo", "admin", None, "平台管理员"),
    DemoLogin(
        "coordinator@demo", "duijie-coord-demo", "coordinator", "g_smeboard", "对接专员 王敏"
    ),
    DemoLogin("enterprise@demo", "duijie-ent-demo", "enterprise", "ty_jinyang_steel", "企业用户"),
    DemoLogin("university@demo", "duijie-uni-demo", "university", "u_tyut", "太原理工大学 科研处"),
    DemoLogin(
        "institute@demo", "duijie-inst-demo", "university", "i_sxicc", "山西煤化所 成果转化办"
    ),
)


async def load_demo_users(conn: asyncpg.Connection) -> list[tuple[DemoLogin, str | None]]:
    """Create the demo logins that are missing; return each with its organization's name."""
    out: list[tuple[DemoLogin, str | None]] = []
    for demo in DEMO_LOGINS:
        org = None
        if demo.org_key:
            org = await repository.demo_organization(conn, demo.org_key)
        exists = await repository.user_exists(conn, demo.login, demo.login)
        if not exists:
            body = UserCreate(
                login=demo.login,
                display_name=demo.display_name,
                role=demo.role,  # type: ignore[arg-type]
                org_id=org["id"] if org else None,
                password=demo.password,
            )
            await create_user(conn, body, principal=SYSTEM, demo_key=demo.login)
        out.append((demo, org["name"] if org else None))
    return out


def format_logins(logins: list[tuple[DemoLogin, str | None]]) -> str:
    lines = ["演示账号（登录：POST /api/auth/login）："]
    for demo, org_name in logins:
        where = f"，机构：{org_name}" if org_name else ""
        lines.append(f"  {demo.role:<12} {demo.login:<18} 密码 {demo.password}{where}")
    return "\n".join(lines)
