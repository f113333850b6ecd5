"""The CRUD core every resource shares: a declarative :class:`Resource` and the service
functions that own transactions and validation. The SQL is in :mod:`service.domain.repository`.

Column and table names in the generated SQL come only from the :class:`Resource` declarations in
code, never from a request; every value is a bind parameter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg
import msgspec

from service.auth import Principal, audit
from service.domain import access, repository
from service.domain.types import City, EnterpriseTag, Status
from service.errors import FieldInvalid, NotFound, PreconditionFailed
from service.reference.names import ORG_KIND_NAMES

FilterOp = Literal["eq", "prefix", "array_prefix", "array_any"]

MAX_LIMIT = 100
MAX_OFFSET = 10_000


@dataclass(frozen=True, slots=True)
class Filter:
    """A list filter: query parameter ``param`` applied to ``column`` with ``op``.

    ``prefix`` matches hierarchical codes (``C26`` finds ``C2614``); ``array_prefix`` does the same
    for any element of an array column; ``array_any`` is true when the arrays share an element.
    ``type`` (always optional in the query), ``description`` and the bounds declare the query
    parameter itself: the API builds its typed, documented parameters from them
    (service/api/crud.py ``filter_provider``).
    """

    param: str
    column: str
    op: FilterOp = "eq"
    type: Any = str
    description: str | None = None
    ge: int | None = None
    le: int | None = None
    max_length: int | None = None
    max_items: int | None = None


# The filters several resources share (the column differs where it is the owner's).
def owner_filter() -> Filter:
    return Filter("owner", "owner_id", type=int, ge=1, le=2**62, description="发布机构 id")


def status_filter() -> Filter:
    return Filter("status", "status", type=Status, description="状态：draft | published | closed")


def city_filter(column: str) -> Filter:
    return Filter("city", column, type=City, description="城市（11 个地级市或 省外）")


def industry_filter(column: str) -> Filter:
    return Filter(
        "industry",
        column,
        "prefix",
        max_length=8,
        description="GB/T 4754-2017 行业代码前缀，如 C26、C2614",
    )


def field_filter() -> Filter:
    return Filter(
        "field",
        "field_codes",
        "array_prefix",
        max_length=8,
        description="国家自然科学基金申请代码前缀，如 E04",
    )


def tags_filter(column: str) -> Filter:
    return Filter(
        "tags",
        column,
        "array_any",
        type=list[EnterpriseTag],
        max_items=5,
        description="企业资质标签（任一匹配），可重复传参",
    )


Validator = Callable[[dict[str, Any], set[str]], list[tuple[str, str]]]
# Server-owned column values a write implies: (principal, new record, row before or None for a
# create, fields supplied) -> columns to set (e.g. a challenge edited by its enterprise goes back
# to review).
Deriver = Callable[[Principal, dict[str, Any], Any, set[str]], dict[str, Any]]


@dataclass(frozen=True)
class Resource:
    """Everything the shared CRUD code needs to know about one table."""

    table: str
    label: str  # Chinese name for messages: 研发需求
    create: type[msgspec.Struct]
    patch: type[msgspec.Struct]
    read: type[msgspec.Struct]
    search_fields: tuple[str, ...]
    filters: tuple[Filter, ...]
    owner_kinds: tuple[str, ...] | None = None
    validate: Validator | None = None
    columns: tuple[str, ...] = field(default=())
    # Roles that may write records of an owned resource (besides admins); see domain.access.
    writer_roles: tuple[str, ...] = ()
    # Contact details shown only to the owner and staff (nulled for everyone else).
    private_fields: tuple[str, ...] = ()
    derive: Deriver | None = None
    # Fields only coordinators and admins may change (an owner proposes a change instead).
    staff_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.columns:
            object.__setattr__(self, "columns", tuple(self.create.__struct_fields__))

    @property
    def select(self) -> str:
        """The SELECT of one row with its owner's columns (service/domain/repository.py)."""
        from service.domain.repository import select_sql

        return select_sql(self)


# --- normalisation -------------------------------------------------------------------------


def fold(text: str) -> str:
    """NFKC + case folding: full-width ``ＡＩ`` and ``ai`` search alike."""
    return unicodedata.normalize("NFKC", text).casefold()


def _check_text(field_name: str, value: Any, errors: list[tuple[str, str]]) -> Any:
    """Strip strings and reject what PostgreSQL cannot store (NUL, lone surrogates)."""
    if isinstance(value, str):
        if "\x00" in value:
            errors.append((field_name, "含有不允许的空字符 (NUL)"))
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            errors.append((field_name, "含有无效的 Unicode 字符（孤立代理项）"))
            return value
        return value.strip()
    if isinstance(value, list):
        out: list[Any] = []
        for i, item in enumerate(value):
            item = _check_text(f"{field_name}.{i}", item, errors)
            if isinstance(item, str) and not item:
                errors.append((f"{field_name}.{i}", "不能为空"))
            if item not in out:  # duplicates carry no meaning in these lists
                out.append(item)
        return out
    return value


def normalise(record: dict[str, Any], required: Sequence[str]) -> dict[str, Any]:
    errors: list[tuple[str, str]] = []
    out = {k: _check_text(k, v, errors) for k, v in record.items()}
    for name in required:
        if name in out and isinstance(out[name], str) and not out[name]:
            errors.append((name, "不能为空（去除首尾空白后）"))
    raise_if(errors)
    return out


def raise_if(errors: list[tuple[str, str]]) -> None:
    if errors:
        (first_field, first_msg), *more = errors
        raise FieldInvalid(first_field, first_msg, more=more)


def search_text(resource: Resource, record: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for name in resource.search_fields:
        v = record.get(name)
        if isinstance(v, list):
            parts.extend(str(x) for x in v)
        elif v:
            parts.append(str(v))
    return fold(" ".join(parts))


# --- service -------------------------------------------------------------------------------


def to_read(
    resource: Resource, row: asyncpg.Record, principal: Principal | None = None, *, full=False
) -> msgspec.Struct:
    """The response Struct; contact fields are blanked for whoever may not see them unless
    ``full`` (the writer's own view and the audit log)."""
    record = dict(row)
    if not full:
        access.redact(principal, resource, record)
    return msgspec.convert(record, resource.read)


async def _check_owner(conn: asyncpg.Connection, resource: Resource, owner_id: int) -> None:
    kind = await repository.organization_kind(conn, owner_id)
    if kind is None:
        raise FieldInvalid("owner_id", f"机构 {owner_id} 不存在")
    assert resource.owner_kinds is not None
    if kind not in resource.owner_kinds:
        allowed = "、".join(ORG_KIND_NAMES[k] for k in resource.owner_kinds)
        raise FieldInvalid(
            "owner_id",
            f"机构 {owner_id} 是{ORG_KIND_NAMES[kind]}，{resource.label}只能由{allowed}发布",
        )


def _validated(resource: Resource, record: dict[str, Any], supplied: set[str]) -> dict[str, Any]:
    required = [n for n in ("title", "name", "major_name") if n in record]
    record = normalise(record, required)
    if resource.validate is not None:
        raise_if(resource.validate(record, supplied))
    return record


async def create(
    conn: asyncpg.Connection,
    resource: Resource,
    data: msgspec.Struct,
    extra: Mapping[str, Any] | None = None,
    *,
    principal: Principal,
) -> msgspec.Struct:
    """Authorize, validate and insert; ``extra`` sets server-owned columns (e.g. ``demo_key``)."""
    record = msgspec.structs.asdict(data)
    if resource.owner_kinds is not None:
        access.authorize_write(principal, resource, record["owner_id"], "create")
    else:
        access.authorize_write(principal, resource, None, "create")
    record = _validated(resource, record, set(record))
    async with conn.transaction():
        if resource.owner_kinds is not None:
            await _check_owner(conn, resource, record["owner_id"])
        values = {c: record[c] for c in resource.columns if c in record}
        values["search_text"] = search_text(resource, record)
        if resource.derive is not None:
            values.update(resource.derive(principal, record, None, set(record)))
        values.update(extra or {})
        ident = await repository.insert_row(conn, resource, values)
        row = await repository.fetch_one(conn, resource, ident)
        item = to_read(resource, row, full=True)
        await audit.record(conn, principal, "create", resource.table, ident, None, item)
    return item


async def get(
    conn: asyncpg.Connection,
    resource: Resource,
    ident: int,
    *,
    principal: Principal | None = None,
) -> msgspec.Struct:
    row = await repository.fetch_one(conn, resource, ident)
    if row is None or not access.visible(principal, resource, row):
        raise NotFound(resource.label, ident)
    return to_read(resource, row, principal)


def _owner_of(resource: Resource, row: asyncpg.Record) -> int:
    return row["id"] if resource.owner_kinds is None else row["owner_id"]


async def patch(
    conn: asyncpg.Connection,
    resource: Resource,
    ident: int,
    data: msgspec.Struct,
    expected_version: int | None = None,
    *,
    principal: Principal,
) -> msgspec.Struct:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    async with conn.transaction():
        row = await repository.lock_one(conn, resource, ident)
        if row is None or not access.visible(principal, resource, row):
            raise NotFound(resource.label, ident)
        access.authorize_write(principal, resource, _owner_of(resource, row), "update")
        if expected_version is not None and row["version"] != expected_version:
            raise PreconditionFailed(
                f"{resource.label} {ident} 当前版本为 {row['version']}，请求基于版本 {expected_version}；"
                "请重新读取后再修改"
            )
        current = {c: row[c] for c in resource.columns}
        merged = _validated(resource, {**current, **changes}, set(changes))
        access.authorize_fields(principal, resource, current, merged)
        # Re-check the merged record against the create Struct's constraints.
        try:
            msgspec.convert(merged, resource.create)
        except msgspec.ValidationError as exc:
            from service.errors import split_msgspec_error

            f, zh, _ = split_msgspec_error(str(exc))
            raise FieldInvalid(f, zh) from exc
        # No Patch Struct carries owner_id (patch_struct excludes it): a record keeps its owner.
        values = {c: merged[c] for c in resource.columns if c in changes}
        values["search_text"] = search_text(resource, merged)
        if resource.derive is not None:
            values.update(resource.derive(principal, merged, row, set(changes)))
        await repository.update_row(conn, resource, ident, values, expected_version)
        before = to_read(resource, row, full=True)
        row = await repository.fetch_one(conn, resource, ident)
        item = to_read(resource, row, full=True)
        await audit.record(conn, principal, "update", resource.table, ident, before, item)
    return item


async def delete(
    conn: asyncpg.Connection, resource: Resource, ident: int, *, principal: Principal
) -> None:
    async with conn.transaction():
        row = await repository.lock_one(conn, resource, ident)
        if row is None or not access.visible(principal, resource, row):
            raise NotFound(resource.label, ident)
        access.authorize_write(principal, resource, _owner_of(resource, row), "delete")
        if not await repository.delete_row(conn, resource, ident):
            raise NotFound(resource.label, ident)
        before = to_read(resource, row, full=True)
        await audit.record(conn, principal, "delete", resource.table, ident, before, None)


async def list_page(
    conn: asyncpg.Connection,
    resource: Resource,
    filters: Mapping[str, Any],
    limit: int,
    offset: int,
    *,
    principal: Principal | None = None,
) -> tuple[list[msgspec.Struct], int]:
    rows, total = await repository.list_rows(conn, resource, filters, limit, offset, principal)
    return [to_read(resource, r, principal) for r in rows], total
