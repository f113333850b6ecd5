"""Request and response Structs of registration, account mail and approval."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from service.auth.accounts import DisplayName, LoginName, Password
from service.domain.types import City, Code, CreditCode, Email, LongText, Name, Phone, ShortText

ApprovalState = Literal["pending", "approved", "returned"]
# One-time tokens are ``dj_`` + 43 URL-safe characters; a little slack for the format.
OneTimeToken = Annotated[str, Meta(min_length=1, max_length=100)]
Reason = Annotated[str, Meta(min_length=1, max_length=500)]


class RegistrationCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An organization and its first user, in one request."""

    kind: Literal["enterprise", "university", "institute"]
    name: Name
    credit_code: CreditCode
    city: City
    industry_code: Code | None = None
    description: LongText = ""
    contact_name: ShortText
    contact_phone: Phone
    # The organization's public contact address; the first user's e-mail when omitted.
    contact_email: Email | None = None
    login: LoginName
    display_name: DisplayName = ""
    email: Email
    password: Password


class Registered(msgspec.Struct, kw_only=True, frozen=True):
    organization_id: int
    user_id: int
    approval_state: ApprovalState
    email: str
    detail: str


class TokenBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    token: OneTimeToken


class EmailConfirmed(msgspec.Struct, kw_only=True, frozen=True):
    user_id: int
    email: str


class ResetRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Email


class Accepted(msgspec.Struct, kw_only=True, frozen=True):
    detail: str


class ResetConfirm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    token: OneTimeToken
    password: Password


class InvitationCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Email


class Invitation(msgspec.Struct, kw_only=True, frozen=True):
    email: str
    organization_id: int
    role: str
    expires_at: datetime


class InvitationAccept(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    token: OneTimeToken
    login: LoginName
    display_name: DisplayName = ""
    password: Password


class Joined(msgspec.Struct, kw_only=True, frozen=True):
    user_id: int
    login: str
    organization_id: int
    role: str


class ReturnBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


class RegistrationView(msgspec.Struct, kw_only=True, frozen=True):
    """An organization as the approval queue shows it (with who registered it)."""

    id: int
    kind: str
    name: str
    credit_code: str | None
    city: str
    industry_code: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    approval_state: ApprovalState
    return_reason: str | None
    reviewed_at: datetime | None
    created_at: datetime
    first_login: str | None
    first_email: str | None


class RegistrationPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[RegistrationView]
    total: int
    limit: int
    offset: int
