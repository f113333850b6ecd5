"""``duijie audit verify``: recompute the audit log's hash chain.

Exits 0 when every row's hash matches its content and the previous row's hash, 1 naming the
first broken row otherwise (a row changed, removed or slipped in).
"""

from __future__ import annotations

import argparse
import asyncio

import asyncpg


def register(subparsers) -> None:
    audit = subparsers.add_parser("audit", help="审计日志")
    sub = audit.add_subparsers(dest="audit_command", metavar="子命令")
    sub.required = True
    verify = sub.add_parser("verify", help="校验审计日志的哈希链（损坏时退出码 1 并指出第一条）")
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from service.auth.audit import verify
    from service.commands.accounts import _dsn

    dsn = _dsn()

    async def run():
        conn = await asyncpg.connect(dsn)
        try:
            return await verify(conn)
        finally:
            await conn.close()

    checked, broken = asyncio.run(run())
    if broken is None:
        print(f"审计日志完整：已校验 {checked} 条记录 (audit chain intact)")
        return 0
    print(
        f"审计日志已损坏：第一条异常记录 id={broken.id}（链序号 {broken.chain_seq}）：{broken.reason}"
        f" (audit chain broken at row id={broken.id})"
    )
    return 1
