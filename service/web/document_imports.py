"""Import a capability's documents (papers, patents, projects) from an XLSX or CSV file.

``POST /api/capabilities/{id}/documents/import`` (multipart ``file``, ``mode`` = ``add`` or
``replace``): one row per document with the columns 类型 (论文/专利/项目), 标题, 摘要, 关键词
and 年份 (or the field names). Every row is validated as the JSON endpoints validate a document;
when any row fails, nothing is saved and each error names its row and column (the spreadsheet's
row numbers); otherwise the documents are added or replace the capability's in one transaction.
The file reading is shared with the other imports (:mod:`service.imports.service`).
"""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

import asyncio
from typing import Annotated, Any, Literal

import asyncpg
import msgspec
from litestar import post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from service.api.crud import BEARER, check_id
from service.auth import Principal
from service.domain import documents as svc
from service.domain.capabilities import RESOURCE
from service.errors import FieldInvalid, split_msgspec_error
from service.imports.schemas import RowError
from service.imports.service import (
    MAX_FILE_BYTES,
    Column,
    _convert,
    _match_columns,
    read_table,
)
from service.imports.service import rejected as _rejected

KIND = {"论文": "paper", "文章": "paper", "专利": "patent", "项目": "project", "课题": "project"}
COLUMNS = (
    Column("kind", "类型", aliases=("文献类型",)),
    Column("title", "标题", aliases=("名称", "题名")),
    Column("abstract", "摘要", aliases=("简介",)),
    Column("keywords", "关键词", "list"),
    Column("year", "年份", "int", aliases=("年度",)),
)
LABELS = {c.field: c.label for c in COLUMNS}


class DocumentImportForm(msgspec.Struct, kw_only=True):
    file: UploadFile
    mode: Literal["add", "replace"] = "add"


def parse(table: list[list[Any]]) -> svc.DocumentsIn:
    """The documents of a sheet; :class:`ImportRejected` naming rows and columns if any fails."""
    if not table or not any(c not in (None, "") for c in table[0]):
        raise FieldInvalid("file", "文件为空：第 1 行应为表头")
    found = _match_columns(table[0], COLUMNS)
    if not any(c.field == "title" for c in found.values()):
        raise FieldInvalid("file", "第 1 行应包含“标题”列（另可有 类型、摘要、关键词、年份）")
    rows = [r for r in table[1:] if any(c not in (None, "") for c in r)]
    if len(rows) > svc.MAX_DOCUMENTS:
        raise FieldInvalid(
            "file", f"一次最多导入 {svc.MAX_DOCUMENTS} 篇文献，文件有 {len(rows)} 行"
        )
    if not rows:
        raise FieldInvalid("file", "文件只有表头，没有数据行")
    errors: list[RowError] = []
    docs: list[svc.DocumentIn] = []
    numbers: list[int] = []
    for n, cells in enumerate(table[1:], start=2):
        if not any(c not in (None, "") for c in cells):
            continue
        rec: dict[str, Any] = {}
        for i, col in found.items():
            try:
                value = _convert(col, cells[i] if i < len(cells) else None)
            except ValueError as exc:
                errors.append(RowError(row=n, field=col.field, column=col.label, message=str(exc)))
                continue
            if value is not None:
                rec[col.field] = KIND.get(value, value) if col.field == "kind" else value
        try:
            docs.append(msgspec.convert(rec, svc.DocumentIn))
            numbers.append(n)
        except msgspec.ValidationError as exc:
            field, zh, _ = split_msgspec_error(str(exc))
            errors.append(RowError(row=n, field=field, column=LABELS.get(field, field), message=zh))
    if not errors:
        try:
            svc._clean(svc.DocumentsIn(documents=docs))
        except FieldInvalid as exc:  # documents.{k}.title -> the row of document k
            for e in exc.errors:
                _, k, field = e["field"].split(".", 2)
                errors.append(RowError(row=numbers[int(k)], field=field,
                                       column=LABELS.get(field, field), message=e["message"]))  # fmt: skip
    if errors:
        raise _rejected(errors)
    return svc.DocumentsIn(documents=docs)


@post(
    "/api/capabilities/{item_id:int}/documents/import",
    operation_id="import_capability_documents",
    summary="从 XLSX/CSV 导入科研能力的文献（类型、标题、摘要、关键词、年份）；mode=add 或 replace",
    tags=["导入"],
    security=BEARER,
    status_code=201,
    dto=None,  # a multipart form, not JSON: no StrictBody (service/api/body.py)
)
async def import_documents(
    item_id: FromPath[int],
    data: Annotated[DocumentImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    conn: NamedDependency[asyncpg.Connection],
    principal: NamedDependency[Principal],
) -> svc.Documents:
    ident = check_id(RESOURCE, item_id)
    content = await data.file.read()
    if len(content) > MAX_FILE_BYTES:
        raise FieldInvalid("file", f"文件过大：最多 {MAX_FILE_BYTES // 1000} KB")
    # Parsed in a thread, within the upload caps, so the event loop keeps answering (#15).
    docs = await asyncio.to_thread(lambda: parse(read_table(data.file.filename or "", content)))
    write = svc.replace_documents if data.mode == "replace" else svc.add_documents
    return await write(conn, ident, docs, principal=principal)
