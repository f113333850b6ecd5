"""``duijie schedule``: give agreed meetings a time slot and a table (洽谈排期).

    duijie schedule --meetings FILE (--slots FILE | --n-slots N) (--tables FILE | --n-tables N)
                    [--unavailable FILE] [--confirmed FILE] [--out FILE] [--explain FILE]

Files are CSV (with a header) or JSONL by extension: meetings ``id,a,b`` (``a`` and ``b`` from the
two sides, e.g. enterprise and university); slots ``slot`` in time order; tables ``table``;
unavailable ``participant,slot``; confirmed ``meeting_id,slot,table`` (e.g. an earlier output:
those meetings keep their place, meetings no longer listed are cancelled — the repair mode).
Output: ``meeting_id,a,b,slot,table`` per placed meeting, CSV when ``--out`` ends in ``.csv``,
JSONL otherwise (stdout by default). Unplaced meetings and why go to stderr and to ``--explain``.

Exit codes: 0 done (even with unplaced meetings, which are reported), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec

from graph import Placement, check_schedule, schedule
from graph.errors import GraphError, InputError
from service.commands.assign import read_rows, write_jsonl, write_rows

__all__ = ["register", "run"]


def _column(path: Path, name: str) -> list[str]:
    return [str(row[name]) for _, row in read_rows(path, (name,))]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "schedule",
        help="为会谈安排时段与桌位 (schedule meetings into slots and tables)",
        description="给每场会谈分配时段与桌位，任何人不会同时出现在两场会谈中 (no double booking)",
    )
    p.add_argument("--meetings", required=True, type=Path, help="会谈文件 id,a,b（CSV 或 JSONL）")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--slots", type=Path, help="时段文件，列 slot，按时间顺序")
    g.add_argument("--n-slots", type=int, help="时段数量（生成 1..N）")
    g2 = p.add_mutually_exclusive_group(required=True)
    g2.add_argument("--tables", type=Path, help="桌位文件，列 table")
    g2.add_argument("--n-tables", type=int, help="桌位数量（生成 T1..TN）")
    p.add_argument("--unavailable", type=Path, help="不可用时段 participant,slot")
    p.add_argument(
        "--confirmed", type=Path, help="已确认的安排 meeting_id,slot,table（不会被移动）"
    )
    p.add_argument("--out", type=Path, help="输出文件（.csv 为 CSV，否则 JSONL；默认标准输出）")
    p.add_argument("--explain", type=Path, help="未能安排的会谈及原因（JSONL）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        meetings = [
            (str(r["id"]), str(r["a"]), str(r["b"]))
            for _, r in read_rows(args.meetings, ("id", "a", "b"))
        ]
        if args.slots is not None:
            slots = _column(args.slots, "slot")
        else:
            if args.n_slots < 1:
                raise InputError("--n-slots 须至少为 1 (must be >= 1)", field="n_slots")
            slots = [str(i) for i in range(1, args.n_slots + 1)]
        if args.tables is not None:
            tables = _column(args.tables, "table")
        else:
            if args.n_tables < 1:
                raise InputError("--n-tables 须至少为 1 (must be >= 1)", field="n_tables")
            tables = [f"T{i}" for i in range(1, args.n_tables + 1)]
        unavailable: dict[str, list[str]] = {}
        if args.unavailable:
            for _, r in read_rows(args.unavailable, ("participant", "slot")):
                unavailable.setdefault(str(r["participant"]), []).append(str(r["slot"]))
        by_id = {m[0]: m for m in meetings}
        confirmed = []
        if args.confirmed:
            for _line, r in read_rows(args.confirmed, ("meeting_id", "slot", "table")):
                m = by_id.get(str(r["meeting_id"]))
                if m is None:
                    continue  # cancelled since: its place is freed
                confirmed.append(
                    Placement(
                        meeting_id=m[0],
                        a=m[1],
                        b=m[2],
                        slot=str(r["slot"]),
                        table=str(r["table"]),
                        confirmed=True,
                    )
                )
        res = schedule(meetings, slots, tables, unavailable=unavailable, confirmed=confirmed)
    except GraphError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for problem in check_schedule(res, unavailable):  # only confirmed meetings can cause these
        print(f"警告：{problem}", file=sys.stderr)
    write_rows(
        args.out,
        ["meeting_id", "a", "b", "slot", "table"],
        [msgspec.to_builtins(p) for p in res.placements],
    )
    if args.explain:
        write_jsonl(args.explain, res.unplaced)
    print(
        f"已安排 {len(res.placements)} 场会谈，使用 {res.n_slots_used} 个时段"
        f"（下界 {res.lower_bound}，最大度 {res.max_degree}），未能安排 {len(res.unplaced)} 场",
        file=sys.stderr,
    )
    for u in res.unplaced:
        print(f"未安排 {u.meeting_id}：{u.detail}", file=sys.stderr)
    return 0
