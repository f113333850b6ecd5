"""Request and response Structs of contact requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from service.domain.types import Id

TargetKind = Literal["need", "job", "capability", "talent_pool"]
ContactState = Literal["pending", "accepted", "declined", "withdrawn"]
Box = Literal["sent", "received"]
Message = Annotated[str, Meta(min_length=1, max_length=500)]
Reason = Annotated[str, Meta(max_length=500)]
ProposedTimes = Annotated[list[datetime], Meta(max_length=3)]


class ContactRequestCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    target_kind: TargetKind
    target_id: Id
    message: Message
    # Up to three proposed times for a call or visit (RFC 3339, with a time zone), in the future.
    proposed_times: ProposedTimes = []


class Answer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    accept: bool
    reason: Reason | None = None


class OrgContact(msgspec.Struct, kw_only=True, frozen=True):
    organization_id: int
    organization_name: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None


class Contacts(msgspec.Struct, kw_only=True, frozen=True):
    """Disclosed on acceptance only."""

    requester: OrgContact
    owner: OrgContact
    # A capability's own contact (e.g. the team lead), when the target is a capability.
    target_contact: str | None = None


class ContactRequest(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    from_org: int
    from_org_name: str
    to_org: int
    to_org_name: str
    target_kind: TargetKind
    target_id: int
    target_title: str
    message: str
    proposed_times: list[datetime]
    state: ContactState
    reason: str | None
    created_at: datetime
    answered_at: datetime | None
    contacts: Contacts | None = None


class ContactRequestPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[ContactRequest]
    total: int
    limit: int
    offset: int


class Target(msgspec.Struct, kw_only=True, frozen=True):
    """What the /contact/new page shows before sending."""

    kind: TargetKind
    id: int
    title: str
    owner_id: int
    owner_name: str
    status: str


class StateCounts(msgspec.Struct, kw_only=True, frozen=True):
    total: int
    pending: int
    accepted: int
    declined: int
    withdrawn: int


class CityCount(StateCounts, frozen=True, kw_only=True):
    city: str


class IndustryCount(StateCounts, frozen=True, kw_only=True):
    industry_code: str | None
    industry_name: str


class ContactStats(msgspec.Struct, kw_only=True, frozen=True):
    """Counted under the enterprise taking part (the requester when both are enterprises)."""

    total: StateCounts
    by_city: list[CityCount]
    by_industry: list[IndustryCount]
