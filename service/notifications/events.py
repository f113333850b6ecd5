"""Notifications for events of existing services, kept here so those services change by one call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import asyncpg

from service.notifications import notify, repository


async def meetings_changed(
    conn: asyncpg.Connection,
    round_row: Mapping[str, Any],
    previous: Mapping[tuple[int, int], Mapping[str, Any]],
    placements: Iterable[tuple[int, int, int, int]],
) -> int:
    """Tell both organizations of each fair meeting that was scheduled or moved (another slot or
    table than the previously scheduled one), inside the schedule's transaction.

    ``placements`` are (enterprise id, university id, slot index, table number); ``previous``
    maps (enterprise id, university id) to the meeting rows scheduled before. Returns how many
    meetings were announced.
    """
    labels = list(round_row["slots"] or [])
    names: dict[int, str] = {}
    changed = []
    for ent, uni, slot, table in placements:
        before = previous.get((ent, uni))
        if before is not None and before["slot"] == slot and before["table_no"] == table:
            continue
        changed.append((ent, uni, slot, table, before is not None))
    if not changed:
        return 0
    ids = sorted({x for ent, uni, *_ in changed for x in (ent, uni)})
    names.update(await repository.organization_names(conn, ids))
    for ent, uni, slot, table, moved in changed:
        when = labels[slot] if slot < len(labels) else f"第 {slot + 1} 时段"
        verb = "调整" if moved else "安排"
        await notify(
            conn,
            kind="meeting_scheduled",
            title=f"洽谈已{verb}：{round_row['title']} {when} 第 {table} 桌",
            body=f"{names.get(ent, ent)} 与 {names.get(uni, uni)}：{when}，第 {table} 桌。",
            link=f"/my?tab=agenda&round={round_row['id']}",
            org_ids=[ent, uni],
            event_key=f"meeting:{round_row['id']}:{ent}-{uni}:{slot}:{table}",
        )
    return len(changed)
