"""``GET|PUT|POST /api/capabilities/{id}/documents``: a capability's papers, patents and projects."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

import asyncpg
from litestar import Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from service.api.crud import BEARER, OPTIONAL_BEARER, check_id
from service.auth import Principal
from service.domain import documents as svc
from service.domain.capabilities import RESOURCE
from service.domain.documents import Documents, DocumentsIn

PATH = "/capabilities/{item_id:int}/documents"


@get(PATH, operation_id="list_capability_documents", summary="科研能力的文献（论文、专利、项目）",
     security=OPTIONAL_BEARER)  # fmt: skip
async def list_documents(
    item_id: FromPath[int],
    conn: NamedDependency[asyncpg.Connection],
    maybe_principal: NamedDependency[Principal | None],
) -> Documents:
    return await svc.list_documents(conn, check_id(RESOURCE, item_id), principal=maybe_principal)


@put(PATH, operation_id="replace_capability_documents",
     summary=f"替换科研能力的全部文献（最多 {svc.MAX_DOCUMENTS} 篇）", security=BEARER)  # fmt: skip
async def replace_documents(
    item_id: FromPath[int],
    data: JSONBody[DocumentsIn],
    conn: NamedDependency[asyncpg.Connection],
    principal: NamedDependency[Principal],
) -> Documents:
    return await svc.replace_documents(conn, check_id(RESOURCE, item_id), data, principal=principal)


@post(PATH, operation_id="add_capability_documents", summary="为科研能力新增文献",
      security=BEARER, status_code=201)  # fmt: skip
async def add_documents(
    item_id: FromPath[int],
    data: JSONBody[DocumentsIn],
    conn: NamedDependency[asyncpg.Connection],
    principal: NamedDependency[Principal],
) -> Documents:
    return await svc.add_documents(conn, check_id(RESOURCE, item_id), data, principal=principal)


ROUTER = Router(
    path="/api",
    route_handlers=[list_documents, replace_documents, add_documents],
    tags=["科研能力"],
)
