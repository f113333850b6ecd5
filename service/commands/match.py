"""``duijie match``: rank supplies for demands read from JSONL, CSV or XLSX files."""

from __future__ import annotations

import argparse
import sys

from matching import MatchingError, match, stderr_progress
from matching.io import read_records, write_pairs


def register(subparsers) -> None:
    """Add the ``match`` subcommand to the ``duijie`` CLI."""
    p = subparsers.add_parser(
        "match",
        help="批量匹配需求与供给 (batch-match demands and supplies)",
        description=(
            "读取需求与供给文件 (JSONL/CSV/XLSX)，为每条需求输出排序后的匹配对，"
            "每行一个 JSON：demand_id, supply_id, rank, score, components, matched_terms。"
        ),
    )
    p.add_argument("--demands", required=True, help="需求文件 (demands file)")
    p.add_argument("--supplies", required=True, help="供给文件 (supplies file)")
    p.add_argument(
        "--kind",
        choices=("rd", "jobs"),
        default="rd",
        help="rd：研发需求×能力；jobs：岗位×人才 (default rd)",
    )
    p.add_argument("--top", type=int, default=10, help="每条需求保留的结果数 (default 10)")
    p.add_argument(
        "--mode",
        choices=("candidates", "exhaustive"),
        default="candidates",
        help="exhaustive 逐对完整打分，较慢 (score every pair)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="输出文件，.jsonl/.csv/.xlsx；省略则写到标准输出 (stdout when omitted)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the command; returns 0 on success, 2 on bad input."""
    if args.top < 1:
        print("错误：--top 须为正整数 (--top must be ≥ 1)", file=sys.stderr)
        return 2
    try:
        demands = read_records(args.demands)
        supplies = read_records(args.supplies)
        print(
            f"读取需求 {len(demands)} 条，供给 {len(supplies)} 条 (records read)",
            file=sys.stderr,
        )
        progress = stderr_progress() if len(demands) * max(len(supplies), 1) > 1_000_000 else None
        res = match(
            demands, supplies, kind=args.kind, top_k=args.top, mode=args.mode, progress=progress
        )
        n = write_pairs(res, args.out)
    except MatchingError as exc:
        print(f"错误 (error): {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"错误：无法读写文件 (I/O error): {exc}", file=sys.stderr)
        return 2
    print(f"已输出 {n} 个匹配对 (pairs written)", file=sys.stderr)
    return 0
