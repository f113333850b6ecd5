"""The spreadsheet upload endpoints: ``POST /api/imports/{kind}/preview`` and
``POST /api/imports/{kind}`` (multipart forms). Parsing, checks and the all-or-nothing save are
in :mod:`service.imports.service`.
"""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from service.auth import Principal
from service.errors import FieldInvalid
from service.imports import service as imports
from service.imports.schemas import Imported, Preview


class ImportForm(msgspec.Struct, kw_only=True):
    file: UploadFile
    owner_id: str | None = None


Form = Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)]


def _owner(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise FieldInvalid("owner_id", f"应为机构编号（整数），实际为“{raw}”") from None
    if not 1 <= value < 2**62:
        raise FieldInvalid("owner_id", "机构编号超出范围")
    return value


class ImportController(Controller):
    path = "/api/imports"
    tags = ["导入"]
    security = [{"BearerToken": []}]

    @post(
        "/{kind:str}/preview",
        status_code=200,
        summary="预览导入：解析 XLSX/CSV，逐行校验，不保存（kind：needs、jobs、capabilities、talent-pools）",
        dto=None,  # a multipart form, not JSON: no StrictBody (service/api/body.py)
    )
    async def preview(
        self,
        kind: FromPath[str],
        data: Form,
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
    ) -> Preview:
        file = data.file
        preview, _ = await imports.prepare(
            conn, kind, file.filename or "", file.read, _owner(data.owner_id), principal
        )
        return preview

    @post(
        "/{kind:str}",
        status_code=201,
        summary="导入：全部行通过校验才在一个事务中保存，否则一条也不保存",
        dto=None,  # a multipart form, not JSON: no StrictBody (service/api/body.py)
    )
    async def commit(
        self,
        kind: FromPath[str],
        data: Form,
        conn: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Principal],
    ) -> Imported:
        file = data.file
        return await imports.commit(
            conn, kind, file.filename or "", file.read, _owner(data.owner_id), principal
        )
