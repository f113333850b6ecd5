"""A round's states and every change of state, in one place.

States and the only transitions::

    draft ──open──▶ open ──run──▶ matching ──succeeded──▶ review ──publish──▶ published
      ▲               │              │  failed/cancelled: back to where it came from   │
      └────draft──────┘              ▼                                               run (re-run)
    draft, open, review, published ──close──▶ closed

A run may start from ``open``, ``review`` or ``published``. The coordinator's manual moves are
:func:`move`; a run's start and end are :func:`run_started`, :func:`run_succeeded` and
:func:`run_ended`; publishing is :func:`published`. Nothing else writes ``rounds.state``.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from service.errors import Conflict
from service.rounds import repository as repo

RUNNABLE_FROM = ("open", "review", "published")
EDITABLE_IN = ("draft", "open")
MANUAL_TRANSITIONS = {
    "draft": {"open", "closed"},
    "open": {"draft", "closed"},
    "review": {"closed"},
    "published": {"closed"},
}
STATE_NAMES = {
    "draft": "草稿",
    "open": "报名中",
    "matching": "匹配中",
    "review": "待审核",
    "published": "已发布",
    "closed": "已结束",
}


def wrong_state(row: Any, what: str) -> Conflict:
    """409 naming the round's current state and what would be allowed."""
    return Conflict(f"对接活动处于「{STATE_NAMES[row['state']]}」状态，{what}")


async def move(conn: asyncpg.Connection, row: asyncpg.Record, to: str) -> None:
    """A coordinator's manual move of a locked round (409 naming what is allowed)."""
    allowed = MANUAL_TRANSITIONS.get(row["state"], set())
    if to not in allowed:
        raise Conflict(
            f"不能从「{STATE_NAMES[row['state']]}」变为「{STATE_NAMES[to]}」"
            f"（允许：{'、'.join(STATE_NAMES[s] for s in sorted(allowed)) or '无'}）"
        )
    await repo.update_round(conn, row["id"], {"state": to})


def check_runnable(row: asyncpg.Record) -> None:
    if row["state"] not in RUNNABLE_FROM:
        if row["state"] == "matching":
            raise Conflict("该对接活动已有正在进行的匹配运行")
        raise wrong_state(row, "只有报名中、待审核或已发布时可以运行匹配")


async def run_started(conn: asyncpg.Connection, round_id: int) -> None:
    """A run was queued for the (locked, runnable) round."""
    await repo.update_round(conn, round_id, {"state": "matching"})


async def run_succeeded(conn: asyncpg.Connection, round_id: int) -> None:
    """The run's results are stored: the round waits for review."""
    await repo.set_state_from(conn, round_id, "matching", "review")


async def run_ended(conn: asyncpg.Connection, round_id: int, params: dict[str, Any]) -> None:
    """After a failed or cancelled run the round goes back to where the run started from."""
    await repo.set_state_from(conn, round_id, "matching", params.get("previous_state", "open"))


async def published(conn: asyncpg.Connection, round_id: int, run_id: int) -> None:
    """The (locked, reviewed) round's pairings of ``run_id`` are published."""
    await repo.update_round(conn, round_id, {"state": "published", "published_run_id": run_id})
