"""Names and small rules every part of 揭榜 shares."""

from __future__ import annotations

from service.auth import STAFF, Principal

MAX_QUESTIONS = 20
ACTIVE = ("submitted", "shortlisted")
STATUS_NAMES = {
    "submitted": "已提交",
    "shortlisted": "入围",
    "withdrawn": "已撤回",
    "selected": "中选",
    "not_selected": "未中选",
}
DIRECTION_NAMES = {"challenge": "揭榜", "listing": "成果承接"}


def _is_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.role in STAFF
