"""R&D needs (研发需求) posted by enterprises, some as 揭榜挂帅 open challenges with a reward."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

import msgspec

from service.domain.crud import (
    Filter,
    Resource,
    city_filter,
    field_filter,
    industry_filter,
    owner_filter,
    status_filter,
    tags_filter,
)
from service.domain.structs import patch_struct, read_struct
from service.domain.types import Codes, Id, LongText, Modes, Status, Terms, Title, Yuan
from service.reference import normalize_field_code

CHINA = timezone(timedelta(hours=8))


def today() -> date:
    """The date in China, where deadlines are meant."""
    return datetime.now(CHINA).date()


class NeedCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    owner_id: Id
    title: Title
    description: LongText = ""
    keywords: Terms = []
    field_codes: Codes = []
    cooperation_modes: Modes = []
    budget_min: Yuan | None = None
    budget_max: Yuan | None = None
    deadline: date | None = None
    is_challenge: bool = False
    reward: Yuan | None = None
    status: Status = "draft"


NeedPatch = patch_struct(NeedCreate, "NeedPatch", exclude=("owner_id",))
ChallengeReview = Literal["pending", "approved", "returned"]
Need = read_struct(
    NeedCreate,
    "Need",
    owned=True,
    extra=(("challenge_review", ChallengeReview), ("return_reason", str | None)),
)

# Editing one of these sends an approved challenge back to the coordinator (发榜 again).
REVIEWED_FIELDS = frozenset({"title", "description", "reward", "deadline", "is_challenge"})


def review_state(
    principal: Any, rec: dict[str, Any], before: Any, supplied: set[str]
) -> dict[str, Any]:
    """The challenge review a write implies (domain.access shows only approved challenges).

    Ordinary needs are approved. A challenge written by staff (a coordinator, an admin, the demo
    loader) is approved as it stands; one its enterprise creates, or whose substantive fields it
    changes, or a returned one it edits (resubmits), waits for a coordinator.
    """
    from service.auth import STAFF

    if not rec.get("is_challenge"):
        return {"challenge_review": "approved", "return_reason": None}
    if principal.role in STAFF:
        return {} if before is not None else {"challenge_review": "approved"}
    if before is None or not before["is_challenge"] or before["challenge_review"] == "returned":
        return {"challenge_review": "pending", "return_reason": None}
    changed = {f for f in supplied & REVIEWED_FIELDS if rec.get(f) != before[f]}
    return {"challenge_review": "pending"} if changed else {}


def check_field_codes(rec: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    codes = []
    for i, raw in enumerate(rec.get("field_codes") or []):
        code = normalize_field_code(raw)
        if code is None:
            errors.append((f"field_codes.{i}", f"学科代码 {raw} 不在国家自然科学基金申请代码表中"))
        elif code not in codes:
            codes.append(code)
    rec["field_codes"] = codes


def check_range(
    rec: dict[str, Any], low: str, high: str, what: str, errors: list[tuple[str, str]]
) -> None:
    lo, hi = rec.get(low), rec.get(high)
    if lo is not None and hi is not None and lo > hi:
        errors.append((low, f"{what}下限 {lo} 大于上限 {hi}"))


def validate(rec: dict[str, Any], supplied: set[str]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    check_field_codes(rec, errors)
    check_range(rec, "budget_min", "budget_max", "预算", errors)
    if "deadline" in supplied and rec.get("deadline") is not None and rec["deadline"] < today():
        errors.append(("deadline", f"截止日期 {rec['deadline']} 早于今天 {today()}"))
    if rec.get("is_challenge"):
        if rec.get("reward") is None:
            errors.append(("reward", "揭榜挂帅项目必须填写榜单金额（reward，元）"))
    elif rec.get("reward") is not None:
        errors.append(("reward", "只有揭榜挂帅项目（is_challenge=true）才能设置榜单金额"))
    return errors


RESOURCE = Resource(
    table="rd_needs",
    label="研发需求",
    create=NeedCreate,
    patch=NeedPatch,
    read=Need,
    search_fields=("title", "description", "keywords"),
    filters=(
        owner_filter(),
        status_filter(),
        city_filter("o.city"),
        industry_filter("o.industry_code"),
        field_filter(),
        tags_filter("o.tags"),
        Filter("is_challenge", "is_challenge", type=bool, description="只看揭榜挂帅"),
    ),
    owner_kinds=("enterprise",),
    validate=validate,
    writer_roles=("enterprise",),
    derive=review_state,
)
