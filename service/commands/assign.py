"""``duijie assign``: pair demands with supplies from a file of scored pairs (批量分配).

    duijie assign --pairs FILE [--capacities FILE] [--pins FILE] [--forbids FILE]
                  [--method optimal|stable|fair|ranked] [--proposing demand|supply] [--k N]
                  [--out FILE] [--explain FILE]

Input files are CSV (with a header) or JSONL, chosen by extension (``.csv`` → CSV, else JSONL):
pairs ``demand_id,supply_id,score``; capacities ``id,side,min,max`` (side ``demand``/``supply``;
nodes not listed take 0..1); pins/forbids ``demand_id,supply_id``. Output: one row per chosen pair,
CSV ``demand_id,supply_id,score`` (plus ``rank`` for ``ranked``) when ``--out`` ends in ``.csv``,
JSONL otherwise (stdout when no ``--out``). ``--explain`` writes one JSONL row per unmatched demand
with its best candidates and why each went elsewhere.

Exit codes: 0 done, 2 bad input, 3 minimum loads infeasible.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from graph import InfeasibleError, InputError, assign, methods
from graph.errors import GraphError
from matching import sheets

__all__ = ["register", "run", "read_rows", "write_rows"]


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, row)`` from a CSV (header required) or JSONL file.

    Raises ``InputError`` naming the file and line on a missing column or malformed line.
    """
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(
            f"无法读取文件 {path}：{exc.strerror} (cannot read file)", field=str(path)
        ) from exc
    with fh:
        if path.suffix.lower() == ".csv":
            reader = csv.DictReader(fh)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(
                    f"{path} 缺少列：{', '.join(missing)}（需要 {','.join(columns)}）(missing columns)",
                    field=str(path),
                )
            try:
                for row in reader:
                    yield reader.line_num, row
            except csv.Error as exc:  # a field over the csv module's limit, a NUL byte…
                raise InputError(
                    f"{path} 第 {reader.line_num} 行 CSV 格式错误：{exc} (malformed CSV)",
                    field=f"{path}:{reader.line_num}",
                ) from exc
        else:
            for i, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"{path} 第 {i} 行不是合法 JSON：{exc.msg} (invalid JSON)",
                        field=f"{path}:{i}",
                    ) from exc
                if not isinstance(row, dict):
                    raise InputError(
                        f"{path} 第 {i} 行应为 JSON 对象 (expected an object)", field=f"{path}:{i}"
                    )
                missing = [c for c in columns if c not in row]
                if missing:
                    raise InputError(
                        f"{path} 第 {i} 行缺少字段：{', '.join(missing)} (missing fields)",
                        field=f"{path}:{i}",
                    )
                yield i, row


def _convert(path: Path, columns: tuple[str, ...], typ: type) -> list[Any]:
    out = []
    for line, row in read_rows(path, columns):
        try:
            out.append(msgspec.convert({c: row[c] for c in columns}, typ, strict=False))
        except msgspec.ValidationError as exc:
            raise InputError(
                f"{path} 第 {line} 行无效：{exc} (invalid row)", field=f"{path}:{line}"
            ) from exc
    return out


class _Pair(msgspec.Struct, kw_only=True):
    demand_id: str
    supply_id: str
    score: float


class _Ref(msgspec.Struct, kw_only=True):
    demand_id: str
    supply_id: str


class _Load(msgspec.Struct, kw_only=True):
    id: str
    side: str
    min: int
    max: int


def write_rows(path: Path | None, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """Write rows as CSV when ``path`` ends in ``.csv``, JSONL otherwise (stdout when ``None``)."""
    if path is not None and path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            sheets.write_csv(fh, columns, ([r.get(c) for c in columns] for r in rows))
        return
    text = "".join(json.dumps({c: r[c] for c in columns}, ensure_ascii=False) + "\n" for r in rows)
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def write_jsonl(path: Path, items: Any) -> None:
    """One JSON line per Struct (the ``--explain`` files)."""
    path.write_text(
        "".join(json.dumps(msgspec.to_builtins(i), ensure_ascii=False) + "\n" for i in items),
        encoding="utf-8",
    )


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "assign",
        help="按得分分配需求与供给 (assign demands to supplies)",
        description="读取打分配对，按所选方法给出配对结果 (pair demands with supplies from scored pairs)",
    )
    p.add_argument(
        "--pairs",
        required=True,
        type=Path,
        help="配对文件 demand_id,supply_id,score（CSV 或 JSONL）",
    )
    p.add_argument("--capacities", type=Path, help="负载文件 id,side,min,max（默认每个节点 0..1）")
    p.add_argument("--pins", type=Path, help="锁定配对 demand_id,supply_id（已达成）")
    p.add_argument("--forbids", type=Path, help="禁止配对 demand_id,supply_id（冲突或已拒绝）")
    p.add_argument(
        "--method", default="optimal", choices=methods(), help="分配方法（默认 optimal）"
    )
    p.add_argument(
        "--proposing",
        default="demand",
        choices=["demand", "supply"],
        help="stable 方法中提出方（默认 demand）",
    )
    p.add_argument(
        "--k", type=int, default=None, help="ranked 方法中每个需求的名单长度（默认其最高负载）"
    )
    p.add_argument("--out", type=Path, help="输出文件（.csv 为 CSV，否则 JSONL；默认标准输出）")
    p.add_argument("--explain", type=Path, help="未匹配需求及原因的 JSONL 输出文件")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        pairs = _convert(args.pairs, ("demand_id", "supply_id", "score"), _Pair)
        loads = (
            _convert(args.capacities, ("id", "side", "min", "max"), _Load)
            if args.capacities
            else []
        )
        pins = _convert(args.pins, ("demand_id", "supply_id"), _Ref) if args.pins else []
        forbids = _convert(args.forbids, ("demand_id", "supply_id"), _Ref) if args.forbids else []
        res = assign(
            [(p.demand_id, p.supply_id, p.score) for p in pairs],
            loads=[(x.id, x.side, x.min, x.max) for x in loads],
            pins=[(x.demand_id, x.supply_id) for x in pins],
            forbids=[(x.demand_id, x.supply_id) for x in forbids],
            method=args.method,
            proposing=args.proposing,
            k=args.k,
        )
    except InfeasibleError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 3
    except GraphError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    columns = ["demand_id", "supply_id", "score"] + (["rank"] if args.method == "ranked" else [])
    write_rows(args.out, columns, [msgspec.to_builtins(p) for p in res.pairs])
    if args.explain:
        write_jsonl(args.explain, res.unmatched)
    print(
        f"方法 {res.method}：选中 {len(res.pairs)} 对，总分 {res.total_score:.4f}，"
        f"未匹配需求 {len(res.unmatched)} 个，连通分量 {res.n_components} 个",
        file=sys.stderr,
    )
    for s in res.shortfalls:
        print(f"提示：{s.side} {s.id} 最低负载 {s.min}，实得 {s.got}", file=sys.stderr)
    return 0
