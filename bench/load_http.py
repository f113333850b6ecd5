"""Load test of the HTTP service with wrk: 200 connections, 30 s per scenario.

    uv run python bench/load_http.py [--duration 30] [--connections 200] [--out bench/RESULTS-load.md]

Needs ``wrk`` (Debian package ``wrk``) and a PostgreSQL: ``DATABASE_URL`` names the server
(default ``postgresql://postgres@127.0.0.1:5432/postgres``); a database ``duijie_bench_load`` is
(re)created there with the demo data. The service runs as ``duijie serve`` (one uvicorn process)
in a subprocess, exactly as deployed. Scenarios:

* ``reads``: anonymous GETs: lists, Chinese keyword search, single records;
* ``mixed``: one enterprise token, 90 % reads and 10 % PATCHes of its own need: the per-token
  write limit (120/min, burst 60) answers most writes 429 by design; the table shows how many.

Prints a markdown block and writes it to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent / "load"
DB = "duijie_bench_load"


def with_db(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path="/" + name))


async def prepare(server_dsn: str) -> tuple[str, str, int]:
    from service.auth import SYSTEM
    from service.auth.accounts import issue_api_token
    from service.db.migrate import migrate
    from service.demo import load_demo

    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DB}"')
    await admin.close()
    dsn = with_db(server_dsn, DB)
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        await load_demo(conn)
        org, need = await conn.fetchrow("SELECT owner_id, id FROM rd_needs ORDER BY id LIMIT 1")
        _, token, _ = await issue_api_token(
            conn, principal=SYSTEM, role="enterprise", org_id=org, name="bench"
        )
    finally:
        await conn.close()
    return dsn, token, need


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("服务未能启动")


def run_wrk(url: str, scenario: str, duration: int, connections: int, env: dict) -> dict:
    script = (HERE / f"{scenario}.lua").read_text() + "\n" + (HERE / "common.lua").read_text()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        f.name,
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env}).stdout
    os.unlink(f.name)
    statuses = dict(
        (int(k), int(v)) for k, v in re.findall(r"(\d+)=(\d+)", re.search(r"STATUS(.*)", out)[1])
    )
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": float(re.search(r"P50 ([\d.]+)", out)[1]),
        "p99": float(re.search(r"P99 ([\d.]+)", out)[1]),
        "max": float(re.search(r"MAX ([\d.]+)", out)[1]),
        "statuses": statuses,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
        "raw": out,
    }


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1]) // 1024
    return f"{os.cpu_count()} CPU ({cpu}), {mem / 1024:.0f} GiB RAM, Python {platform.python_version()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-load.md"))
    args = ap.parse_args()

    server_dsn = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    dsn, token, need = asyncio.run(prepare(server_dsn))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": dsn},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_healthy(url)
        results = {
            "reads": run_wrk(url, "reads", args.duration, args.connections, {}),
            "mixed": run_wrk(
                url,
                "mixed",
                args.duration,
                args.connections,
                {"DUIJIE_TOKEN": token, "DUIJIE_NEED": str(need)},
            ),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    lines = [
        f"### HTTP load (wrk, {args.connections} connections, {args.duration} s per scenario)",
        "",
        f"Machine: {machine()}; one `duijie serve` process (uvicorn, uvloop), PostgreSQL "
        "15 on the same machine, wrk with 2 threads on the same 2 cores.",
        "",
        "| scenario | requests/s | p50 ms | p99 ms | max ms | responses by status | 5xx | socket errors |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for name, r in results.items():
        st = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        fivexx = sum(v for k, v in r["statuses"].items() if k >= 500)
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} "
            f"| {st} | {fivexx} | {r['socket_errors']} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
