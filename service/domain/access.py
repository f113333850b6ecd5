"""Who may read and write which records: the policy every resource service applies.

Writes
    * organizations: coordinators and admins create them; the organization's own users,
      coordinators and admins edit them, but name, credit code, city and tags only staff change
      (the organization proposes a change that a coordinator approves); only admins delete them
      (deleting cascades to everything the organization published).
    * needs and jobs: enterprise users of the owning organization, and admins.
    * capabilities and talent pools: university (or institute) users of the owning organization,
      and admins.
Reads
    * organizations are public; anonymous visitors see only published records, logged-in users
      closed ones too; drafts are visible only to the owning organization's users, coordinators
      and admins (to anyone else a draft does not exist: 404, not 403, so its existence does not
      leak).
    * a self-registered organization that a coordinator has not approved yet (pending, or
      returned with a reason), and all its records, are likewise seen only by itself and staff.
    * contact fields (an organization's contact person and phone, a capability's contact) are
      shown only to the owning organization, coordinators and admins; everyone else gets
      ``null`` until a pairing discloses them.
    * a challenge (揭榜挂帅) an enterprise posts is public only once a coordinator approved it
      (发榜); until then, and when returned, it is visible only to its owner and staff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from service.auth import STAFF, Principal, require_org, require_role

if TYPE_CHECKING:
    from service.domain.crud import Resource

Action = Literal["create", "update", "delete"]


def authorize_write(
    principal: Principal, resource: Resource, owner_id: int | None, action: Action
) -> None:
    """Raise 403 unless ``principal`` may ``action`` a record of ``resource`` owned by
    ``owner_id`` (for organizations, the organization's own id)."""
    if resource.owner_kinds is None:
        if action == "create":
            require_role(principal, *STAFF)
        elif action == "delete":
            require_role(principal, "admin")
        else:
            require_org(principal, owner_id)
        return
    require_role(principal, *resource.writer_roles, "admin")
    require_org(principal, owner_id, allow=("admin",))


def authorize_fields(
    principal: Principal, resource: Resource, current: dict[str, Any], merged: dict[str, Any]
) -> None:
    """Raise 403 when a non-staff writer changes one of ``resource.staff_fields`` (an
    organization's name, credit code, city, tags: they decide who a round takes in)."""
    if principal.role in STAFF:
        return
    changed = [f for f in resource.staff_fields if f in merged and merged[f] != current.get(f)]
    if changed:
        from service.errors import Forbidden

        raise Forbidden(
            f"字段 {'、'.join(changed)} 只能由对接专员或管理员修改；请提交变更申请"
            f"（POST /api/organizations/{{id}}/change-requests） (only staff change {', '.join(changed)})"
        )


def sees_private(principal: Principal | None, owner_id: int) -> bool:
    """Drafts and contact details: the owning organization and staff."""
    if principal is None:
        return False
    return principal.role in STAFF or principal.org_id == owner_id


# Published records that also need a coordinator's approval before anyone else sees them.
REVIEWED = {"rd_needs": "challenge_review"}

# SQL (owner joined as ``o``): the owning organization has been approved by a coordinator.
APPROVED_OWNER = "o.approval_state = 'approved'"


def reviewed_clause(table: str, alias: str = "t") -> str:
    """SQL true when a published record of ``table`` may be shown publicly (``TRUE`` when the
    table has no review); rounds and recommendations use it to take only public records."""
    column = REVIEWED.get(table)
    return f"{alias}.{column} = 'approved'" if column else "TRUE"


def public_row(table: str, row: Any, principal: Principal | None = None) -> bool:
    """Whether a record of ``table`` is visible to ``principal`` as a public record, whoever owns
    it: published (or, for a logged-in caller, closed), its organization approved, and its
    challenge review (if the table has one) approved. ``row`` carries ``status``,
    ``owner_approval`` (the owner's ``approval_state``) and the review column."""
    if row["status"] != "published" and (principal is None or row["status"] == "draft"):
        return False
    if row["owner_approval"] != "approved":
        return False
    column = REVIEWED.get(table)
    return column is None or row[column] == "approved"


def record_visible(principal: Principal | None, table: str, row: Any) -> bool:
    """An owned record of ``table``: public (see :func:`public_row`), or the caller's own or
    staff's to see."""
    return public_row(table, row, principal) or sees_private(principal, row["owner_id"])


def visibility_clause(
    principal: Principal | None, resource: Resource, next_arg: int
) -> tuple[str | None, list[Any]]:
    """SQL restricting a list to what ``principal`` may see (``None`` = no restriction)."""
    if principal is not None and principal.role in STAFF:
        return None, []
    if resource.owner_kinds is None:
        public = "t.approval_state = 'approved'"
        own = f"t.id = ${next_arg}"
    else:
        # Anonymous visitors see published records only; logged-in users closed ones too.
        status = "t.status = 'published'" if principal is None else "t.status <> 'draft'"
        public = f"({status} AND {APPROVED_OWNER} AND {reviewed_clause(resource.table)})"
        own = f"t.owner_id = ${next_arg}"
    if principal is None or principal.org_id is None:
        return public, []
    return f"({public} OR {own})", [principal.org_id]


def visible(principal: Principal | None, resource: Resource, row: Any) -> bool:
    if resource.owner_kinds is None:
        if row["approval_state"] == "approved":
            return True
        return sees_private(principal, row["id"])
    return record_visible(principal, resource.table, row)


def redact(principal: Principal | None, resource: Resource, record: dict[str, Any]) -> None:
    """Blank the contact fields ``principal`` may not see, in place."""
    if not resource.private_fields:
        return
    owner = record["id"] if resource.owner_kinds is None else record["owner_id"]
    if not sees_private(principal, owner):
        for name in resource.private_fields:
            record[name] = None
