"""CSV and XLSX exports with Chinese headers: ranked lists, the assignment, the fair schedule.

Cells go through :mod:`matching.sheets`, so a title like ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from matching import sheets
from service.auth import Principal
from service.errors import Conflict, NotFound
from service.rounds import repository as repo
from service.rounds import schedule
from service.rounds.rounds import get_round, staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESPONSES = {"pending": "待答复", "accepted": "接受", "declined": "婉拒"}
OUTCOMES = {"none": "", "meeting_held": "已洽谈", "contract_signed": "已签约", "hired": "已录用"}
TABLES = {"ranked": "排序结果", "assignment": "配对结果", "schedule": "洽谈日程"}


def _terms(matched: dict[str, list[str]]) -> str:
    # Research fields are named, not coded: B0609 → 能源化工, B06(推断) → 化学工程及工业化学（推断）.
    from service.reference.names import matched_field_term

    def shown(kind: str, term: str) -> str:
        return matched_field_term(term) if kind == "fields" else term

    return "、".join(shown(k, t) for k, values in matched.items() for t in values)


async def _run_id(conn: asyncpg.Connection, row: asyncpg.Record) -> int:
    run_id = row["published_run_id"] or await repo.latest_succeeded_run(conn, row["id"])
    if run_id is None:
        raise Conflict("该活动还没有成功的匹配运行，无可导出的结果")
    return run_id


async def rows_for(
    conn: asyncpg.Connection, round_id: int, table: str, principal: Principal
) -> tuple[list[str], list[list[Any]]]:
    row = await get_round(conn, round_id)
    if table == "ranked":
        run_id = await _run_id(conn, row)
        items = {(r["side"], r["item_id"]): r for r in await repo.run_items(conn, run_id)}
        header = [
            "需求编号",
            "需求",
            "需求方",
            "排名",
            "供给编号",
            "供给",
            "供给方",
            "得分",
            "已揭榜",
            "入选",
            "匹配词",
            "说明",
        ]
        out = []
        for c in await repo.run_candidates(conn, run_id):
            d, s = items[("demand", c["demand_id"])], items[("supply", c["supply_id"])]
            out.append([
                c["demand_id"], d["title"], d["org_name"], c["rank"], c["supply_id"], s["title"],
                s["org_name"], round(c["score"], 4), "是" if c["applied"] else "", "是" if c["chosen"] else "",
                _terms(c["matched_terms"]), c["reason"] or "",
            ])  # fmt: skip
        return header, out
    if table == "assignment":
        header = [
            "配对编号",
            "需求编号",
            "需求",
            "需求方",
            "供给编号",
            "供给",
            "供给方",
            "得分",
            "需求方答复",
            "供给方答复",
            "成果",
            "合同金额（元）",
            "录用人数",
        ]
        out = []
        for p in await repo.list_pairings(conn, round_id):
            out.append([
                p["id"], p["demand_id"], p["demand_title"], p["demand_org_name"], p["supply_id"],
                p["supply_title"], p["supply_org_name"], round(p["score"], 4),
                RESPONSES[p["demand_response"]], RESPONSES[p["supply_response"]], OUTCOMES[p["outcome"]],
                p["contract_amount"], p["hires"],
            ])  # fmt: skip
        return header, out
    if table == "schedule":
        view = await schedule.view(conn, round_id, None, principal)
        header = ["时段", "洽谈桌", "企业", "高校/院所", "状态", "已双方确认", "备注"]
        states = {"scheduled": "已排定", "unplaced": "未能排定", "cancelled": "已取消"}
        out = [
            [m.slot_label or "", m.table_no or "", m.enterprise_name, m.university_name, states[m.state],
             "是" if m.confirmed else "", m.note or ""]
            for m in view.meetings
        ]  # fmt: skip
        return header, out
    raise NotFound("导出表", table)


async def export(
    conn: asyncpg.Connection, round_id: int, name: str, principal: Principal
) -> tuple[bytes, str, str]:
    """``name`` is ``ranked|assignment|schedule`` + ``.csv|.xlsx``; coordinators only."""
    staff(principal)
    stem, _, ext = name.partition(".")
    if stem not in TABLES or ext not in ("csv", "xlsx"):
        raise NotFound("导出文件", name)
    header, rows = await rows_for(conn, round_id, stem, principal)
    from urllib.parse import quote

    filename = quote(f"对接活动{round_id}-{TABLES[stem]}.{ext}")
    if ext == "csv":
        return sheets.csv_bytes(header, rows), "text/csv; charset=utf-8", filename
    return sheets.xlsx_bytes(TABLES[stem], header, rows), XLSX, filename
