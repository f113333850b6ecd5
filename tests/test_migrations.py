"""The migration runner on real databases: fresh, no-op re-run, changed and missing files,
concurrent runners (tasks and processes)."""

import asyncio
import os
import shutil
import sys

import asyncpg
import pytest

from service.db.migrate import MigrationError, discover, migrate, migrations_dir, status


@pytest.fixture
async def fresh(make_database):
    dsn = await make_database()
    conn = await asyncpg.connect(dsn)
    try:
        yield dsn, conn
    finally:
        await conn.close()


@pytest.fixture
def migration_copy(tmp_path):
    target = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), target)
    return target


async def test_fresh_database_gets_every_file_once(fresh):
    _, conn = fresh
    files = discover()
    applied = await migrate(conn)
    assert applied == [f.filename for f in files]
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
    assert [(r["version"], r["checksum"]) for r in rows] == [(f.version, f.checksum) for f in files]
    assert await conn.fetchval("SELECT to_regclass('rd_needs') IS NOT NULL")
    assert all(s.state == "applied" for s in await status(conn))


async def test_rerun_is_a_no_op(fresh):
    _, conn = fresh
    await migrate(conn)
    before = await conn.fetch("SELECT * FROM schema_migrations ORDER BY version")
    assert await migrate(conn) == []
    assert await conn.fetch("SELECT * FROM schema_migrations ORDER BY version") == before


async def test_new_file_is_applied_after_the_others(fresh, migration_copy):
    _, conn = fresh
    await migrate(conn, migration_copy)
    (migration_copy / "9999_extra.sql").write_text("CREATE TABLE extra_probe (id int);")
    assert await migrate(conn, migration_copy) == ["9999_extra.sql"]
    states = {s.version: s.state for s in await status(conn, migration_copy)}
    assert states[9999] == "applied"


async def test_changed_applied_file_stops_everything(fresh, migration_copy):
    _, conn = fresh
    await migrate(conn, migration_copy)
    first = sorted(migration_copy.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited after it was applied\n")
    (migration_copy / "9999_extra.sql").write_text("CREATE TABLE must_not_exist (id int);")
    with pytest.raises(MigrationError, match="被修改过"):
        await migrate(conn, migration_copy)
    # nothing new ran
    assert not await conn.fetchval("SELECT to_regclass('must_not_exist') IS NOT NULL")
    assert {s.state for s in await status(conn, migration_copy)} >= {"changed", "pending"}


async def test_applied_file_missing_on_disk(fresh, migration_copy):
    _, conn = fresh
    (migration_copy / "9999_extra.sql").write_text("SELECT 1;")
    await migrate(conn, migration_copy)
    (migration_copy / "9999_extra.sql").unlink()
    with pytest.raises(MigrationError, match="不存在"):
        await migrate(conn, migration_copy)


async def test_failing_file_rolls_back_alone(fresh, migration_copy):
    _, conn = fresh
    (migration_copy / "9998_ok.sql").write_text("CREATE TABLE ok_probe (id int);")
    (migration_copy / "9999_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nSELECT no_such_function();"
    )
    with pytest.raises(asyncpg.PostgresError):
        await migrate(conn, migration_copy)
    assert await conn.fetchval("SELECT to_regclass('ok_probe') IS NOT NULL")
    assert not await conn.fetchval("SELECT to_regclass('half_done') IS NOT NULL")
    versions = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
    assert 9998 in versions and 9999 not in versions


def test_bad_file_names_are_rejected(migration_copy):
    (migration_copy / "12_no_padding.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="文件名不合规"):
        discover(migration_copy)


def test_duplicate_numbers_are_rejected(migration_copy):
    (migration_copy / "0001_again.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="编号重复"):
        discover(migration_copy)


async def test_concurrent_runners_apply_each_file_once(fresh, migration_copy):
    dsn, conn = fresh
    # A slow migration widens the window in which both runners would race without the lock.
    (migration_copy / "9999_slow.sql").write_text(
        "SELECT pg_sleep(0.5); CREATE TABLE slow_probe (id int);"
    )
    others = [await asyncpg.connect(dsn) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(c, migration_copy) for c in [conn, *others]))
    finally:
        for c in others:
            await c.close()
    applied = [name for result in results for name in result]
    assert sorted(applied) == sorted(f.filename for f in discover(migration_copy))
    assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == len(applied)


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode(), err.decode()


async def test_two_processes_migrate_at_once(make_database):
    dsn = await make_database()
    env = {**os.environ, "DATABASE_URL": dsn}
    results = await asyncio.gather(*(run_cli("db", "migrate", env=env) for _ in range(2)))
    assert [code for code, _, _ in results] == [0, 0], results
    stdout = "".join(out for _, out, _ in results)
    for f in discover():
        assert stdout.count(f"已应用 {f.filename}") == 1
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == len(discover())
    finally:
        await conn.close()
    code, out, _ = await run_cli("db", "status", env=env)
    assert code == 0
    assert "已应用" in out and "待应用" not in out
