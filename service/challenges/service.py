"""The 揭榜挂帅 lifecycle as practised, and two-way 揭榜.

::

    enterprise posts a challenge ──▶ pending ──approve (发榜)──▶ approved: public, applications
                                        └──return (with reason)──▶ returned ──edit──▶ pending
    application: submitted ⇄ shortlisted ──withdraw (until the deadline)──▶ withdrawn
                 └── 公示 of a confirmed pairing ──▶ selected (the others: not_selected)
    pairing: publish ──▶ both accept ──▶ 公示 (a set period) ──▶ 签约 ──▶ 中期检查 ──▶ 验收

Two-way 揭榜 uses the same applications: an application is always the engine's (need,
capability) pair; ``direction`` says who applied to whom. A ``challenge`` application is a
university's capability applying to an enterprise's challenge; a ``listing`` application is an
enterprise's need applying to take up a university's listed achievement (转让 / 许可 / 作价入股).
Both then run through the same round: run, review, publish, two-way confirmation, outcomes.

Every write is one transaction with its audit row and its notifications.

The lifecycle lives in modules by concern (:mod:`service.challenges.review`,
:mod:`service.challenges.applications`, :mod:`service.challenges.outcomes`; shared names in
:mod:`service.challenges.rules`); this module names them for the HTTP handlers.
"""

from service.challenges.applications import (
    answer,
    applicants,
    ask,
    check_application,
    deadline_of,
    explain,
    my_applications,
    set_status,
    tell_owner,
    withdraw,
)
from service.challenges.outcomes import add_milestone, listings, publicity, publish_result
from service.challenges.review import pending, review
from service.challenges.rules import ACTIVE, DIRECTION_NAMES, MAX_QUESTIONS, STATUS_NAMES

__all__ = [
    "ACTIVE", "DIRECTION_NAMES", "MAX_QUESTIONS", "STATUS_NAMES", "add_milestone", "answer",
    "applicants", "ask", "check_application", "deadline_of", "tell_owner", "explain", "listings",
    "my_applications", "pending", "publicity", "publish_result", "review", "set_status",
    "withdraw",
]  # fmt: skip
