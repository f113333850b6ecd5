"""Benchmark: the recommendations endpoint under wrk, beside a one-SELECT endpoint.

A fresh database gets 20,000 published capabilities and 2,000 needs (CSL paper text); the real
server (``duijie serve --no-worker``, uvicorn + uvloop + httptools, one process) answers
``GET /api/needs/{id}/recommendations`` for random need ids, and, in the same run, the one-SELECT
``GET /api/organizations/{id}`` as the baseline. Target: ≥ 1,000 req/s with p99 ≤ 50 ms at 50
connections. wrk is Debian's package (``apt-get install wrk``).

    uv run python bench/recommend_load.py [--supplies 20000] [--seconds 15] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from round_perf import machine, populate, server_dsn  # noqa: E402

from service.db.migrate import migrate  # noqa: E402

LUA = """
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("{path}", math.random(1, {n})))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_wrk(out: str) -> dict[str, float]:
    def ms(v: str) -> float:
        num, unit = re.match(r"([\d.]+)(\w+)", v).groups()
        return float(num) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"50%\s+(\S+)", out).group(1))
    p99 = ms(re.search(r"99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_err = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_err.group(1) if socket_err else ""}  # fmt: skip


def wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    try:
        return parse_wrk(out)
    except (AttributeError, ValueError) as exc:
        raise RuntimeError(f"unexpected wrk output:\n{out}") from exc


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--supplies", type=int, default=20000)
    ap.add_argument("--needs", type=int, default=2000)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import random

    stack: list = []
    admin_dsn = await server_dsn(stack)
    admin = await asyncpg.connect(admin_dsn)
    name = f"duijie_bench_{secrets.token_hex(3)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, query = admin_dsn.partition("?")
    dsn = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    proc = None
    try:
        conn = await asyncpg.connect(dsn)
        await migrate(conn)
        await populate(conn, args.supplies, random.Random(7))
        # Keep needs at --needs: the populate helper makes as many needs as capabilities.
        await conn.execute("DELETE FROM rd_needs WHERE id > $1", args.needs)
        await conn.execute("UPDATE organizations SET search_text = name")
        n_orgs = await conn.fetchval("SELECT count(*) FROM organizations")
        await conn.close()

        port = free_port()
        env = {**os.environ, "DATABASE_URL": dsn}
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--no-worker", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(timeout=120) as http:
            for _ in range(300):
                try:
                    if (await http.get(f"{url}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            t = time.perf_counter()
            r = await http.get(f"{url}/api/needs/1/recommendations")
            first = time.perf_counter() - t
            assert r.status_code == 200, r.text
            # One query right after the index exists (answers still being precomputed).
            t = time.perf_counter()
            await http.get(f"{url}/api/needs/2/recommendations")
            cold = time.perf_counter() - t
            # Wait until the background batch has answered every need: measure steady state.
            t = time.perf_counter()
            rng = random.Random(1)
            while time.perf_counter() - t < 300:
                lat = []
                for _ in range(40):
                    t1 = time.perf_counter()
                    await http.get(f"{url}/api/needs/{rng.randint(1, args.needs)}/recommendations")
                    lat.append(time.perf_counter() - t1)
                if max(lat) < 0.02:
                    break
                await asyncio.sleep(0.5)
            warm = time.perf_counter() - t
        tmp = Path(tempfile.mkdtemp())
        rec_lua, sel_lua = tmp / "rec.lua", tmp / "sel.lua"
        rec_lua.write_text(
            LUA.replace("{path}", "/api/needs/%d/recommendations").replace("{n}", str(args.needs))
        )
        sel_lua.write_text(
            LUA.replace("{path}", "/api/organizations/%d").replace("{n}", str(n_orgs))
        )
        results = {"recommendations": [], "one SELECT": []}
        for _ in range(args.repeats):  # interleaved so both see the same machine conditions
            results["one SELECT"].append(wrk(url, sel_lua, args.seconds, args.connections))
            results["recommendations"].append(wrk(url, rec_lua, args.seconds, args.connections))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        for s in stack:
            s.cleanup()

    print(
        f"### Recommendations endpoint under wrk ({args.supplies:,} capabilities, {args.needs:,} needs)\n"
    )
    print(f"Machine: {machine()}; server and wrk share it. wrk -t2 -c{args.connections} -d{args.seconds}s, "
          f"{args.repeats} interleaved repeats, medians; random ids over all {args.needs:,} needs.\n")  # fmt: skip
    print("| endpoint | req/s | p50 | p99 | non-2xx |\n|---|---|---|---|---|")
    med = {}
    for label, runs in results.items():
        med[label] = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99")}
        non2xx = sum(r["non2xx"] for r in runs)
        print(
            f"| {label} | {med[label]['rps']:,.0f} | {med[label]['p50']:.1f} ms | {med[label]['p99']:.1f} ms | {non2xx} |"
        )
    ratio = med["recommendations"]["rps"] / med["one SELECT"]["rps"]
    print(f"\nRecommendations run at {ratio:.2f}× the one-SELECT endpoint's throughput.")
    print(f"First request (builds the index over {args.supplies:,} capabilities): {first:.1f} s; "
          f"first answer afterwards: {cold * 1000:.0f} ms; answers for all needs precomputed "
          f"{warm:.0f} s later, then measured.")  # fmt: skip
    ok = med["recommendations"]["rps"] >= 1000 and med["recommendations"]["p99"] <= 50
    print(f"Target ≥ 1,000 req/s and p99 ≤ 50 ms: {'met' if ok else 'MISSED'}.")


if __name__ == "__main__":
    asyncio.run(main())
