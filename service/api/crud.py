"""HTTP handlers shared by the five resource collections.

Handlers only decode, call :mod:`service.domain.crud` and encode. Each collection's list filters
are declared once, on its :class:`Resource`; :func:`filter_provider` turns them into a
dependency whose parameters are the query parameters.
"""

# No ``from __future__ import annotations`` here: the handlers' annotations refer to Struct
# types that only exist inside ``crud_controller``, so they must be evaluated when defined.

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from service.auth import Principal
from service.domain import crud
from service.domain.crud import MAX_LIMIT, MAX_OFFSET, Resource
from service.errors import FieldInvalid

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"每页条数，1–{MAX_LIMIT}")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description=f"偏移量，0–{MAX_OFFSET}")]
IfMatch = Annotated[
    str | None,
    HeaderParameter(name="If-Match", required=False, description="乐观并发：上次读取的 ETag"),
]


# OpenAPI security requirements: writes need a bearer token; reads work with or without one.
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {"BearerToken": []}]


def etag(version: int) -> str:
    return f'W/"{version}"'


def parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit() or len(raw) > 9:
        raise FieldInvalid("If-Match", f"无法识别的 ETag：{value}")
    return int(raw)


def check_id(resource: Resource, ident: int) -> int:
    if not 1 <= ident < 2**62:
        from service.errors import NotFound

        raise NotFound(resource.label, ident)
    return ident


Q = Annotated[
    str | None,
    QueryParameter(max_length=100, description="关键词，支持中文；空格分隔的多个词需同时出现"),
]


def filter_provider(resource: Resource) -> Callable[..., dict[str, Any]]:
    """The list filters of ``resource`` as a dependency whose parameters are the query
    parameters (``q`` and one per :class:`~service.domain.crud.Filter`, each optional), so
    they are typed, validated with the field's name and documented in OpenAPI."""
    params: list[tuple[str, Any]] = [("q", Q)]
    for f in resource.filters:
        bounds = {
            k: v
            for k, v in (
                ("ge", f.ge),
                ("le", f.le),
                ("max_length", f.max_length),
                ("max_items", f.max_items),
                ("description", f.description),
            )
            if v is not None
        }
        params.append((f.param, Annotated[f.type | None, QueryParameter(**bounds)]))

    def provide(**values: Any) -> dict[str, Any]:
        return {name: values.get(name) for name, _ in params}

    provide.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=a)
            for name, a in params
        ],
        return_annotation=dict[str, Any],
    )
    provide.__annotations__ = {**dict(params), "return": dict[str, Any]}
    provide.__name__ = f"{resource.table}_filters"
    return provide


def page_struct(resource: Resource) -> type[msgspec.Struct]:
    return msgspec.defstruct(
        f"{resource.read.__name__}Page",
        [("items", list[resource.read]), ("total", int), ("limit", int), ("offset", int)],
        kw_only=True,
        frozen=True,
        module=resource.read.__module__,
    )


def crud_controller(
    resource: Resource,
    path: str,
    tag: str,
) -> type[Controller]:
    """A Controller with create, list, read, patch and delete for ``resource`` at ``path``."""
    Create, Patch, Read = resource.create, resource.patch, resource.read
    ReadPage = page_struct(resource)
    name = resource.table

    @post("/", operation_id=f"create_{name}", summary=f"新建{resource.label}", security=BEARER)
    async def create_item(
        self: Controller,
        data: JSONBody[Create],
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
    ) -> Read:
        return await crud.create(conn, resource, data, principal=principal)

    @get(
        "/",
        operation_id=f"list_{name}",
        summary=f"{resource.label}列表（分页、筛选、关键词搜索）",
        security=OPTIONAL_BEARER,
    )
    async def list_items(
        self: Controller,
        conn: NamedDependency[asyncpg.Connection],
        list_filters: NamedDependency[dict[str, Any]],
        maybe_principal: NamedDependency[Principal | None],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> ReadPage:
        items, total = await crud.list_page(
            conn, resource, list_filters, limit, offset, principal=maybe_principal
        )
        return ReadPage(items=items, total=total, limit=limit, offset=offset)

    @get(
        "/{item_id:int}",
        operation_id=f"get_{name}",
        summary=f"读取{resource.label}",
        security=OPTIONAL_BEARER,
    )
    async def get_item(
        self: Controller,
        item_id: FromPath[int],
        conn: NamedDependency[asyncpg.Connection],
        maybe_principal: NamedDependency[Principal | None],
    ) -> Response[Read]:
        item = await crud.get(
            conn, resource, check_id(resource, item_id), principal=maybe_principal
        )
        return Response(item, headers={"ETag": etag(item.version)})

    @patch(
        "/{item_id:int}",
        operation_id=f"update_{name}",
        summary=f"修改{resource.label}",
        security=BEARER,
    )
    async def patch_item(
        self: Controller,
        item_id: FromPath[int],
        data: JSONBody[Patch],
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
        if_match: IfMatch = None,
    ) -> Response[Read]:
        expected = parse_if_match(if_match)
        ident = check_id(resource, item_id)
        item = await crud.patch(conn, resource, ident, data, expected, principal=principal)
        return Response(item, headers={"ETag": etag(item.version)})

    @delete(
        "/{item_id:int}",
        operation_id=f"delete_{name}",
        summary=f"删除{resource.label}",
        security=BEARER,
    )
    async def delete_item(
        self: Controller,
        item_id: FromPath[int],
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
    ) -> None:
        await crud.delete(conn, resource, check_id(resource, item_id), principal=principal)

    return type(
        f"{Read.__name__}Controller",
        (Controller,),
        {
            "path": path,
            "tags": [tag],
            "dependencies": {
                "list_filters": Provide(filter_provider(resource), sync_to_thread=False)
            },
            "create_item": create_item,
            "list_items": list_items,
            "get_item": get_item,
            "patch_item": patch_item,
            "delete_item": delete_item,
        },
    )
