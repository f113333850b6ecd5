"""Organization change requests: an organization proposes a new name, credit code, city or tags
(the fields only staff change, see :data:`service.domain.organizations.STAFF_FIELDS`); a
coordinator or admin approves (the change is applied through the ordinary organization patch,
audited as such) or rejects it with a reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import asyncpg
import msgspec
from msgspec import Meta

from service.auth import STAFF, Principal, audit, require_org, require_role
from service.domain import crud, organizations, repository
from service.domain.types import City, CreditCode, LongText, Name, Tags
from service.errors import Conflict, FieldInvalid, NotFound

State = Literal["pending", "approved", "rejected"]


class ProposedChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    credit_code: CreditCode | None | msgspec.UnsetType = msgspec.UNSET
    city: City | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET


class ChangeRequestCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    changes: ProposedChanges
    note: LongText = ""


class Decision(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(max_length=2000)] = ""


class ChangeRequest(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    org_id: int
    org_name: str
    changes: dict[str, Any]
    current: dict[str, Any]
    note: str
    state: State
    requested_by: int | None
    decided_by: int | None
    decision_reason: str | None
    created_at: datetime
    decided_at: datetime | None


class ChangeRequestPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[ChangeRequest]
    total: int
    limit: int
    offset: int


def _item(row: asyncpg.Record) -> ChangeRequest:
    rec = dict(row)
    for k in ("changes", "current"):
        if isinstance(rec[k], str):
            rec[k] = msgspec.json.decode(rec[k])
    return msgspec.convert(rec, ChangeRequest)


async def _fetch(conn: asyncpg.Connection, ident: int, *, lock: bool = False) -> ChangeRequest:
    row = await repository.change_request(conn, ident, lock=lock)
    if row is None:
        raise NotFound("机构信息变更申请", ident)
    return _item(row)


# --- service ---------------------------------------------------------------------------------


async def propose(
    conn: asyncpg.Connection, org_id: int, data: ChangeRequestCreate, *, principal: Principal
) -> ChangeRequest:
    """The organization's own users (or staff) propose; the proposal is validated now, so a
    coordinator only sees changes that could be applied."""
    require_org(principal, org_id)
    changes = msgspec.to_builtins(data.changes)
    if not changes:
        raise FieldInvalid("changes", "至少提出一项变更（name、credit_code、city、tags）")
    async with conn.transaction():
        row = await repository.fetch_one(conn, organizations.RESOURCE, org_id)
        if row is None:
            raise NotFound("机构", org_id)
        current = {c: row[c] for c in organizations.RESOURCE.columns}
        crud.raise_if(
            organizations.validate(crud.normalise({**current, **changes}, ["name"]), set(changes))
        )
        ident = await repository.insert_change_request(
            conn,
            org_id=org_id,
            changes=msgspec.json.encode(changes).decode(),
            note=data.note.strip(),
            requested_by=principal.user_id,
        )
        item = await _fetch(conn, ident)
        await audit.record(
            conn, principal, "propose", "organization_change_requests", ident, None, item
        )
    return item


async def list_requests(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    state: State | None,
    org_id: int | None,
    limit: int,
    offset: int,
) -> ChangeRequestPage:
    """Staff see every request; an organization's users see their own organization's."""
    if principal.role not in STAFF:
        if principal.org_id is None:
            require_role(principal, *STAFF)
        org_id = principal.org_id
    rows, total = await repository.change_request_page(conn, state, org_id, limit, offset)
    return ChangeRequestPage(
        items=[_item(r) for r in rows], total=total, limit=limit, offset=offset
    )


async def decide(
    conn: asyncpg.Connection,
    ident: int,
    approve: bool,
    data: Decision,
    *,
    principal: Principal,
) -> ChangeRequest:
    require_role(principal, *STAFF)
    reason = data.reason.strip()
    if not approve and not reason:
        raise FieldInvalid("reason", "驳回须说明理由")
    async with conn.transaction():
        before = await _fetch(conn, ident, lock=True)
        if before.state != "pending":
            raise Conflict(f"变更申请 {ident} 已处理（{before.state}）")
        if approve:
            patch = msgspec.convert(before.changes, organizations.OrganizationPatch)
            await crud.patch(
                conn, organizations.RESOURCE, before.org_id, patch, principal=principal
            )
        await repository.decide_change_request(
            conn, ident, "approved" if approve else "rejected", principal.user_id, reason or None
        )
        after = await _fetch(conn, ident)
        await audit.record(
            conn,
            principal,
            "approve" if approve else "reject",
            "organization_change_requests",
            ident,
            before,
            after,
        )
    return after
