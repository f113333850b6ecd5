"""Numbered plain-SQL migrations (``migrations/NNNN_name.sql``).

Each file runs in its own transaction and is recorded with its SHA-256 in ``schema_migrations``.
A session-level advisory lock serialises runners, so two processes starting at once apply every
file exactly once: the second waits, then finds nothing pending. An applied file whose checksum
changed (or that disappeared) stops everything with :class:`MigrationError` before any new file
runs, because the database no longer matches the code that describes it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg

# Arbitrary but fixed: pg_advisory_lock key shared by every Duijie process.
ADVISORY_LOCK_KEY = 0x64756A6965  # "duije"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """The migrations on disk and in the database disagree, or a file is malformed."""


@dataclass(frozen=True, slots=True)
class MigrationFile:
    version: int
    name: str
    path: Path
    checksum: str

    @property
    def filename(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class MigrationState:
    version: int
    name: str
    applied_at: datetime | None
    state: str  # applied | pending | changed | missing


def migrations_dir() -> Path:
    """The repository's ``migrations/`` in a checkout, else the copy shipped inside the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "migrations", here / "_migrations"):
        if candidate.is_dir():
            return candidate
    raise MigrationError(f"找不到迁移目录 (migrations directory not found near {here})")


def discover(directory: Path | None = None) -> list[MigrationFile]:
    directory = directory or migrations_dir()
    files: list[MigrationFile] = []
    seen: dict[int, str] = {}
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise MigrationError(f"迁移文件名不合规：{path.name}（应为 NNNN_name.sql）")
        version = int(m.group(1))
        if version in seen:
            raise MigrationError(f"迁移编号重复：{seen[version]} 与 {path.name}")
        seen[version] = path.name
        data = path.read_bytes()
        files.append(MigrationFile(version, m.group(2), path, hashlib.sha256(data).hexdigest()))
    return files


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


async def _applied(conn: asyncpg.Connection) -> dict[int, asyncpg.Record]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, name, checksum, applied_at FROM schema_migrations")
    return {r["version"]: r for r in rows}


def _check(files: list[MigrationFile], applied: dict[int, asyncpg.Record]) -> None:
    by_version = {f.version: f for f in files}
    for version, row in sorted(applied.items()):
        f = by_version.get(version)
        if f is None:
            raise MigrationError(
                f"已应用的迁移 {version:04d}_{row['name']}.sql 在磁盘上不存在；"
                "数据库比代码新，请使用包含该迁移的版本。"
            )
        if f.checksum != row["checksum"]:
            raise MigrationError(
                f"已应用的迁移 {f.filename} 被修改过（校验和不一致：数据库 {row['checksum'][:12]}…，"
                f"文件 {f.checksum[:12]}…）。已应用的迁移不可修改，请新增一个迁移文件。"
            )


async def migrate(conn: asyncpg.Connection, directory: Path | None = None) -> list[str]:
    """Apply pending migrations in order; return the file names applied (empty when up to date)."""
    files = discover(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        applied = await _applied(conn)
        _check(files, applied)
        done: list[str] = []
        for f in files:
            if f.version in applied:
                continue
            async with conn.transaction():
                await conn.execute(f.path.read_text(encoding="utf-8"))
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    f.version,
                    f.name,
                    f.checksum,
                )
            done.append(f.filename)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)


async def status(conn: asyncpg.Connection, directory: Path | None = None) -> list[MigrationState]:
    files = discover(directory)
    applied = await _applied(conn)
    by_version = {f.version: f for f in files}
    out: list[MigrationState] = []
    for v in sorted(set(by_version) | set(applied)):
        f, row = by_version.get(v), applied.get(v)
        if row is None:
            out.append(MigrationState(v, f.name, None, "pending"))
        elif f is None:
            out.append(MigrationState(v, row["name"], row["applied_at"], "missing"))
        else:
            state = "applied" if f.checksum == row["checksum"] else "changed"
            out.append(MigrationState(v, f.name, row["applied_at"], state))
    return out


async def health(conn: asyncpg.Connection) -> tuple[str, int]:
    """The server's version and how many migrations are applied (for ``GET /health``)."""
    server_version = await conn.fetchval("SHOW server_version")
    migrations = await conn.fetchval("SELECT count(*) FROM schema_migrations")
    return server_version, migrations
