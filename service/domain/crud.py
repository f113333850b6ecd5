"""The CRUD core every resource shares: a declarative :class:`Resource`, the SQL (repository
functions) and the service functions that own transactions and validation.

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
from service.domain import access
from service.errors import FieldInvalid, NotFound, PreconditionFailed

FilterOp = Literal["eq", "prefix", "array_prefix", "array_any"]

MAX_LIMIT = 100
MAX_OFFSET = 10_000


@dataclass(frozen=True, slots=True)
class Filter:
    """A list filter: query parameter ``param`` applied to ``column`` with ``op``.

    ``prefix`` matches hierarchical codes (``C26`` finds ``C2614``); ``array_prefix`` does the same
    for any element of an array column; ``array_any`` is true when the arrays share an element.
    """

    param: str
    column: str
    op: FilterOp = "eq"


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
        if self.owner_kinds is None:
            return f"SELECT t.* FROM {self.table} t"
        return (
            f"SELECT t.*, o.name AS owner_name, o.city AS owner_city, o.kind AS owner_kind, "
            f"o.approval_state AS owner_approval "
            f"FROM {self.table} t JOIN organizations o ON o.id = t.owner_id"
        )


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


# --- repository (SQL) ----------------------------------------------------------------------


async def fetch_one(
    conn: asyncpg.Connection, resource: Resource, ident: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(f"{resource.select} WHERE t.id = $1", ident)


async def insert_row(conn: asyncpg.Connection, resource: Resource, values: dict[str, Any]) -> int:
    cols = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    sql = f"INSERT INTO {resource.table} ({', '.join(cols)}) VALUES ({placeholders}) RETURNING id"
    return await conn.fetchval(sql, *values.values())


async def update_row(
    conn: asyncpg.Connection,
    resource: Resource,
    ident: int,
    values: dict[str, Any],
    expected_version: int | None,
) -> bool:
    cols = list(values)
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(cols, start=2))
    sql = f"UPDATE {resource.table} SET {sets} WHERE id = $1"
    args: list[Any] = [ident, *values.values()]
    if expected_version is not None:
        sql += f" AND version = ${len(args) + 1}"
        args.append(expected_version)
    status = await conn.execute(sql, *args)
    return status.endswith(" 1")


async def delete_row(conn: asyncpg.Connection, resource: Resource, ident: int) -> bool:
    status = await conn.execute(f"DELETE FROM {resource.table} WHERE id = $1", ident)
    return status.endswith(" 1")


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def build_where(
    resource: Resource, filters: Mapping[str, Any]
) -> tuple[str, list[Any], str | None]:
    """WHERE clause and arguments for the given filter values, and the folded query text."""
    clauses: list[str] = []
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    for f in resource.filters:
        value = filters.get(f.param)
        if value is None or value == [] or value == "":
            continue
        col = f"t.{f.column}" if not f.column.startswith("o.") else f.column
        if f.op == "eq":
            clauses.append(f"{col} = {arg(value)}")
        elif f.op == "prefix":
            clauses.append(f"{col} LIKE {arg(_like_escape(value))} || '%'")
        elif f.op == "array_prefix":
            clauses.append(
                f"EXISTS (SELECT 1 FROM unnest({col}) AS e WHERE e LIKE {arg(_like_escape(value))} || '%')"
            )
        elif f.op == "array_any":
            clauses.append(f"{col} && {arg(list(value))}::text[]")
    query = filters.get("q")
    folded = None
    if query:
        folded = fold(query).strip()
        for term in folded.split()[:8]:
            clauses.append(f"t.search_text LIKE '%' || {arg(_like_escape(term))} || '%'")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return where, args, folded


async def list_rows(
    conn: asyncpg.Connection,
    resource: Resource,
    filters: Mapping[str, Any],
    limit: int,
    offset: int,
    principal: Principal | None = None,
) -> tuple[list[asyncpg.Record], int]:
    where, args, folded = build_where(resource, filters)
    clause, more = access.visibility_clause(principal, resource, len(args) + 1)
    if clause:
        where = f"{where} AND {clause}" if where else f" WHERE {clause}"
        args += more
    base = resource.select + where
    total = await conn.fetchval(f"SELECT count(*) FROM ({base}) AS page", *args)
    order = " ORDER BY t.id DESC"
    if folded:
        args.append(folded)
        order = f" ORDER BY word_similarity(${len(args)}, t.search_text) DESC, t.id DESC"
    args += [limit, offset]
    rows = await conn.fetch(f"{base}{order} LIMIT ${len(args) - 1} OFFSET ${len(args)}", *args)
    return rows, total


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
    kind = await conn.fetchval("SELECT kind FROM organizations WHERE id = $1", owner_id)
    if kind is None:
        raise FieldInvalid("owner_id", f"机构 {owner_id} 不存在")
    assert resource.owner_kinds is not None
    if kind not in resource.owner_kinds:
        allowed = "、".join(_KIND_NAMES[k] for k in resource.owner_kinds)
        raise FieldInvalid(
            "owner_id",
            f"机构 {owner_id} 是{_KIND_NAMES[kind]}，{resource.label}只能由{allowed}发布",
        )


_KIND_NAMES = {
    "enterprise": "企业",
    "university": "高校",
    "institute": "科研院所",
    "agency": "服务机构",
}


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
        ident = await insert_row(conn, resource, values)
        row = await fetch_one(conn, resource, ident)
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
    row = await fetch_one(conn, resource, ident)
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
        row = await conn.fetchrow(f"{resource.select} WHERE t.id = $1 FOR UPDATE OF t", ident)
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
        await update_row(conn, resource, ident, values, expected_version)
        before = to_read(resource, row, full=True)
        row = await fetch_one(conn, resource, ident)
        item = to_read(resource, row, full=True)
        await audit.record(conn, principal, "update", resource.table, ident, before, item)
    return item


async def delete(
    conn: asyncpg.Connection, resource: Resource, ident: int, *, principal: Principal
) -> None:
    async with conn.transaction():
        row = await conn.fetchrow(f"{resource.select} WHERE t.id = $1 FOR UPDATE OF t", ident)
        if row is None or not access.visible(principal, resource, row):
            raise NotFound(resource.label, ident)
        access.authorize_write(principal, resource, _owner_of(resource, row), "delete")
        if not await delete_row(conn, resource, ident):
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
    rows, total = await list_rows(conn, resource, filters, limit, offset, principal)
    return [to_read(resource, r, principal) for r in rows], total
