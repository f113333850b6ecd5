"""Request and response Structs of the 揭榜挂帅 lifecycle, two-way 揭榜 and "my" views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from service.rounds.schemas import ApplicationDirection

ApplicationStatus = Literal["submitted", "shortlisted", "withdrawn", "selected", "not_selected"]
PairingState = Literal["pending", "confirmed", "declined"]
MilestoneKind = Literal["midterm_check", "acceptance"]
Reason = Annotated[str, Meta(min_length=1, max_length=500)]
Question = Annotated[str, Meta(min_length=1, max_length=1000)]
Answer = Annotated[str, Meta(min_length=1, max_length=2000)]
Note = Annotated[str, Meta(max_length=500)]


# --- 发榜 review --------------------------------------------------------------------------------


class ReturnBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


class PendingChallenge(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    title: str
    description: str
    owner_id: int
    owner_name: str
    reward: int | None
    deadline: date | None
    status: str
    challenge_review: str
    return_reason: str | None
    updated_at: datetime


class ReviewResult(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    challenge_review: str
    return_reason: str | None
    reviewed_at: datetime | None


# --- applications ---------------------------------------------------------------------------------


class StatusBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The owner shortlists an application (or takes it off the shortlist)."""

    status: Literal["shortlisted", "submitted"]
    note: Note | None = None


class QuestionBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    question: Question


class AnswerBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    answer: Answer


class QA(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    question: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


class Applicant(msgspec.Struct, kw_only=True, frozen=True):
    """One application as its owner sees it, side by side with the others."""

    application_id: int
    round_id: int
    direction: ApplicationDirection
    status: ApplicationStatus
    org_id: int
    org_name: str
    item_id: int  # the applicant's own record: its capability (challenge) or need (listing)
    item_title: str
    team: str
    proposal: str
    price: int | None
    expected_months: int | None
    score: float | None
    components: dict[str, float]
    matched_terms: dict[str, list[str]]
    explanation: str
    questions: list[QA]
    created_at: datetime


class MyApplication(msgspec.Struct, kw_only=True, frozen=True):
    """One of my organization's applications, with what it applied to and whether it may still
    be withdrawn."""

    application_id: int
    round_id: int
    round_title: str
    direction: ApplicationDirection
    status: ApplicationStatus
    target_id: int  # the challenge (need) or the listed achievement applied to
    target_title: str
    target_org_name: str
    reward: int | None
    my_item_id: int
    my_item_title: str
    team: str
    proposal: str
    price: int | None
    expected_months: int | None
    deadline: date | None
    can_withdraw: bool
    withdrawn_at: datetime | None
    status_note: str | None
    questions: list[QA]
    created_at: datetime


class Listing(msgspec.Struct, kw_only=True, frozen=True):
    """An achievement listed for take-up (two-way 揭榜)."""

    id: int
    title: str
    description: str
    keywords: list[str]
    field_codes: list[str]
    patent_number: str | None
    listing_modes: list[str]
    asking_price: int | None
    listing_terms: str | None
    owner_id: int
    owner_name: str
    owner_city: str


class ListingPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[Listing]
    total: int
    limit: int
    offset: int


# --- 公示 and outcomes ----------------------------------------------------------------------------


class PublicityBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    days: Annotated[int, Meta(ge=1, le=30)] = 7


class PublicityNotice(msgspec.Struct, kw_only=True, frozen=True):
    """A 公示 entry: what was won, by whom, for how much, and for how long it is shown.
    Deliberately no contact detail of anyone."""

    id: int
    direction: ApplicationDirection
    title: str
    owner_name: str
    winner_name: str
    reward: int | None
    publicity_start: date
    publicity_end: date


class MilestoneBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: MilestoneKind
    held_on: date
    passed: bool = True
    note: Note = ""


class Milestone(msgspec.Struct, kw_only=True, frozen=True):
    kind: MilestoneKind
    held_on: date
    passed: bool
    note: str
    created_at: datetime


# --- my pairings and agenda -----------------------------------------------------------------------


class MyPairing(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    round_id: int
    round_title: str
    round_kind: str
    round_state: str
    side: Literal["demand", "supply"]
    my_org_id: int
    my_item_id: int
    my_item_title: str
    other_org_id: int
    other_org_name: str
    other_item_id: int
    other_item_title: str
    score: float
    my_response: str
    other_response: str
    state: PairingState
    can_respond: bool
    outcome: str
    contract_amount: int | None
    contract_date: date | None
    hires: int | None
    milestones: list[Milestone]
    publicity: PublicityNotice | None
    contact: dict[str, Any] | None  # the other side's, once both accepted


class MyPairingPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[MyPairing]
    total: int
    limit: int
    offset: int


class AgendaItem(msgspec.Struct, kw_only=True, frozen=True):
    meeting_id: int
    round_id: int
    round_title: str
    event_date: date | None
    slot: int | None
    slot_label: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    table_no: int | None
    state: str
    confirmed: bool
    other_org_id: int
    other_org_name: str
    note: str | None
