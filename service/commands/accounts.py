"""``duijie user create`` and ``duijie token create``: bootstrap accounts from the shell.

Both talk to the database directly (the same one the server uses), so they work while the
server runs; the server sees a new user or token on its next request. They act as the
in-process :data:`~service.auth.SYSTEM` principal, recorded as such in the audit log.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys

import asyncpg
import msgspec

from service.auth import ROLES, repository


def register(subparsers) -> None:
    user = subparsers.add_parser("user", help="用户管理")
    user_sub = user.add_subparsers(dest="user_command", metavar="子命令")
    user_sub.required = True
    create = user_sub.add_parser("create", help="新建用户（可登录）")
    create.add_argument("--login", required=True, help="登录名，如 zhang@example.com")
    create.add_argument("--role", required=True, choices=ROLES, help="角色")
    create.add_argument("--org", type=int, default=None, help="所属机构 id（企业/高校用户必填）")
    create.add_argument("--name", default="", help="显示名")
    create.add_argument(
        "--password",
        default=None,
        help="密码（至少 8 位）；省略时交互输入，--generate-password 则随机生成并打印",
    )
    create.add_argument(
        "--generate-password", action="store_true", help="随机生成密码并打印在最后一行"
    )
    create.set_defaults(func=run_user_create)

    token = subparsers.add_parser("token", help="API 令牌")
    token_sub = token.add_subparsers(dest="token_command", metavar="子命令")
    token_sub.required = True
    tc = token_sub.add_parser(
        "create", help="创建 API 令牌（最后一行只打印令牌本身，只显示这一次）"
    )
    tc.add_argument("--role", choices=ROLES, help="令牌的角色（不绑定用户时必填）")
    tc.add_argument("--org", type=int, default=None, help="令牌所属机构 id（企业/高校角色必填）")
    tc.add_argument("--user", default=None, help="绑定到该登录名的用户（随用户的角色和机构）")
    tc.add_argument("--name", default="cli", help="令牌名称（便于识别）")
    tc.add_argument("--days", type=int, default=None, help="有效天数（默认 90，最长 3650）")
    tc.set_defaults(func=run_token_create)


def _dsn() -> str:
    from service.cli import _migrate, _target

    target = _target()
    asyncio.run(_migrate(target.dsn))
    return target.dsn


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def run_user_create(args: argparse.Namespace) -> int:
    from service.auth import SYSTEM
    from service.auth.accounts import UserCreate, create_user
    from service.errors import DomainError

    password = args.password
    generated = False
    if password is None and args.generate_password:
        password, generated = secrets.token_urlsafe(12), True
    elif password is None and sys.stdin.isatty():
        password = getpass.getpass("密码：")
    try:
        body = msgspec.convert(
            {
                "login": args.login,
                "role": args.role,
                "org_id": args.org,
                "display_name": args.name,
                "password": password,
            },
            UserCreate,
        )
    except msgspec.ValidationError as exc:
        return _fail(f"参数无效：{exc}")
    dsn = _dsn()

    async def run() -> int:
        conn = await asyncpg.connect(dsn)
        try:
            return (await create_user(conn, body, principal=SYSTEM)).id
        finally:
            await conn.close()

    try:
        user_id = asyncio.run(run())
    except DomainError as exc:
        return _fail(f"无法创建用户：{exc.detail}")
    print(f"已创建用户 {args.login}（id {user_id}，角色 {args.role}）")
    if generated:
        print(password)
    return 0


def run_token_create(args: argparse.Namespace) -> int:
    from service.auth import SYSTEM
    from service.auth.accounts import issue_api_token
    from service.errors import DomainError

    if args.user is None and args.role is None:
        return _fail("请指定 --role（或用 --user 绑定到用户）")
    if args.days is not None and not 1 <= args.days <= 3650:
        return _fail("--days 应在 1–3650 之间")
    dsn = _dsn()

    async def run() -> tuple[int, str]:
        conn = await asyncpg.connect(dsn)
        try:
            user_id = None
            if args.user is not None:
                user_id = await repository.user_id_by_login(conn, args.user)
                if user_id is None:
                    raise SystemExit(_fail(f"用户 {args.user} 不存在"))
            ident, token, _ = await issue_api_token(
                conn,
                principal=SYSTEM,
                role=None if user_id else args.role,
                org_id=None if user_id else args.org,
                user_id=user_id,
                name=args.name,
                days=args.days,
            )
            return ident, token
        finally:
            await conn.close()

    try:
        ident, token = asyncio.run(run())
    except DomainError as exc:
        return _fail(f"无法创建令牌：{exc.detail}")
    print(f"已创建 API 令牌 id {ident}（请妥善保存，之后无法再次查看）：", file=sys.stderr)
    print(token)
    return 0


def run(args: argparse.Namespace) -> int:
    return args.func(args)
