"""Import needs, jobs, capabilities or talent pools from an Excel (XLSX) or CSV file.

:func:`prepare` parses the file and validates every row exactly as the API would validate the
same record posted as JSON (the resource's create Struct, then the domain ``validate``), and
answers with the rows and row-level errors without saving anything. :func:`commit` does the same
and, only when no row has an error, saves every row in one transaction: all or nothing. The
upload handlers are in service/web/imports.py.

Columns are recognised by their Chinese header (``标题``) or the API field name (``title``); row
numbers are the spreadsheet's (the header is row 1). Which columns a kind has is declared in
:data:`KINDS`; how each cell converts follows the create Struct's type of its field.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec

from matching import sheets
from matching.errors import InputFileError
from matching.sheets import SheetLimits
from matching.vocab import CAPABILITY_KINDS, STATUSES
from service.auth import Principal, audit
from service.domain import access, capabilities, crud, jobs, needs, talent_pools
from service.domain.crud import Resource
from service.errors import DomainError, FieldInvalid, NotFound, split_msgspec_error
from service.imports.schemas import ColumnInfo, Imported, Preview, PreviewRow, RowError

MAX_ROWS = 1000
MAX_FILE_BYTES = 1_000_000
# What an upload may expand to and hold (checked before and while parsing, see matching.sheets);
# a preview echoes at most PREVIEW_CHARS of a cell.
LIMITS = SheetLimits(expanded_bytes=20_000_000, rows=MAX_ROWS + 1, columns=100, cell_chars=10_000)
PREVIEW_CHARS = 200


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    label: str  # the Chinese header of the template
    type: str = "str"  # str | int | list | date | bool | status | capability_kind
    aliases: tuple[str, ...] = ()


STATUS = {"草稿": "draft", "发布": "published", "已发布": "published", "关闭": "closed",
          "已关闭": "closed"}  # fmt: skip
CAPABILITY_KIND = {"专家团队": "expertise", "科技成果": "achievement", "成果": "achievement",
                   "仪器设备": "equipment", "设备": "equipment"}  # fmt: skip
TRUE = {"是", "true", "1", "yes", "y", "对"}
FALSE = {"否", "false", "0", "no", "n", ""}


def column(resource: Resource, field: str, label: str, *, aliases: tuple[str, ...] = ()) -> Column:
    """A template column for ``field`` of the resource's create Struct; how a cell converts
    follows the field's declared type (a status or capability kind takes its Chinese name)."""
    info = next(f for f in msgspec.inspect.type_info(resource.create).fields if f.name == field)
    return Column(field, label, _cell_type(info.type), aliases)


def _cell_type(t: msgspec.inspect.Type) -> str:
    if isinstance(t, msgspec.inspect.UnionType):
        t = next(x for x in t.types if not isinstance(x, msgspec.inspect.NoneType))
    if isinstance(t, msgspec.inspect.LiteralType):
        if set(t.values) == set(STATUSES):
            return "status"
        if set(t.values) == set(CAPABILITY_KINDS):
            return "capability_kind"
        return "str"
    kinds = {
        msgspec.inspect.IntType: "int",
        msgspec.inspect.ListType: "list",
        msgspec.inspect.DateType: "date",
        msgspec.inspect.BoolType: "bool",
        msgspec.inspect.StrType: "str",
    }
    return kinds[type(t)]


KINDS: dict[str, tuple[Resource, tuple[Column, ...]]] = {
    "needs": (
        needs.RESOURCE,
        (
            column(needs.RESOURCE, "title", "标题", aliases=("需求名称",)),
            column(needs.RESOURCE, "description", "描述", aliases=("需求描述",)),
            column(needs.RESOURCE, "keywords", "关键词"),
            column(needs.RESOURCE, "field_codes", "学科代码"),
            column(needs.RESOURCE, "cooperation_modes", "合作方式"),
            column(needs.RESOURCE, "budget_min", "预算下限"),
            column(needs.RESOURCE, "budget_max", "预算上限"),
            column(needs.RESOURCE, "deadline", "截止日期"),
            column(needs.RESOURCE, "is_challenge", "揭榜挂帅"),
            column(needs.RESOURCE, "reward", "榜单金额"),
            column(needs.RESOURCE, "status", "状态"),
        ),
    ),
    "jobs": (
        jobs.RESOURCE,
        (
            column(jobs.RESOURCE, "title", "岗位名称", aliases=("标题",)),
            column(jobs.RESOURCE, "description", "描述", aliases=("岗位描述",)),
            column(jobs.RESOURCE, "skills", "技能"),
            column(jobs.RESOURCE, "majors", "专业"),
            column(jobs.RESOURCE, "min_education", "最低学历", aliases=("学历",)),
            column(jobs.RESOURCE, "headcount", "招聘人数", aliases=("人数",)),
            column(jobs.RESOURCE, "city", "城市", aliases=("工作城市",)),
            column(jobs.RESOURCE, "salary_min", "月薪下限"),
            column(jobs.RESOURCE, "salary_max", "月薪上限"),
            column(jobs.RESOURCE, "status", "状态"),
        ),
    ),
    "capabilities": (
        capabilities.RESOURCE,
        (
            column(capabilities.RESOURCE, "kind", "类型", aliases=("能力类型",)),
            column(capabilities.RESOURCE, "title", "标题", aliases=("名称",)),
            column(capabilities.RESOURCE, "description", "描述"),
            column(capabilities.RESOURCE, "keywords", "关键词"),
            column(capabilities.RESOURCE, "field_codes", "学科代码"),
            column(capabilities.RESOURCE, "cooperation_modes", "合作方式"),
            column(capabilities.RESOURCE, "capacity", "可承接项目数", aliases=("容量",)),
            column(capabilities.RESOURCE, "patent_number", "专利号"),
            column(capabilities.RESOURCE, "contact", "联系人"),
            column(capabilities.RESOURCE, "status", "状态"),
        ),
    ),
    "talent-pools": (
        talent_pools.RESOURCE,
        (
            column(talent_pools.RESOURCE, "major_name", "专业名称", aliases=("专业",)),
            column(talent_pools.RESOURCE, "major_code", "专业代码"),
            column(talent_pools.RESOURCE, "degree_level", "学历层次", aliases=("学历",)),
            column(talent_pools.RESOURCE, "graduation_year", "毕业年份"),
            column(talent_pools.RESOURCE, "graduates", "毕业生人数", aliases=("人数",)),
            column(talent_pools.RESOURCE, "skills", "技能"),
            column(talent_pools.RESOURCE, "city", "城市"),
            column(talent_pools.RESOURCE, "status", "状态"),
        ),
    ),
}

LIST_SEPARATORS = str.maketrans({"，": ",", "、": ",", "；": ",", ";": ",", "\n": ","})


class UploadTooLarge(DomainError):
    """The workbook would expand beyond :data:`LIMITS` (a zip bomb, or simply too big)."""

    status = 413
    type = "upload-too-large"
    title = "上传的文件过大"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[{"field": "file", "message": detail}])


class ImportRejected(DomainError):
    """Some rows fail validation: nothing was saved; each error names its row and field."""

    status = 422
    type = "validation"
    title = "导入文件校验失败，未保存任何记录"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """The cells of the file's first sheet (XLSX) or of the CSV, row by row, within
    :data:`LIMITS` (trailing empty cells dropped). Slow for a big file: call it off the event loop.

    >>> read_table("a.csv", "标题,关键词\\n焦化废水,膜处理".encode())
    [['标题', '关键词'], ['焦化废水', '膜处理']]
    """
    name = filename.lower()
    try:
        if name.endswith(".xlsx") or content[:2] == b"PK":
            return list(sheets.read_xlsx(content, LIMITS))
        if name.endswith(".csv") or not name:
            # Excel on Chinese Windows saves CSV as GB18030 (GBK); everything else sends UTF-8.
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = content.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise FieldInvalid("file", "CSV 文件编码无法识别，请保存为 UTF-8")
            return list(sheets.read_csv(text, LIMITS))
    except sheets.SheetTooLarge as exc:
        if exc.limit == "expanded_bytes":
            raise UploadTooLarge(str(exc)) from exc
        raise FieldInvalid("file", f"{exc}（上限 {exc.limit} = {exc.value}）") from exc
    except InputFileError as exc:
        raise FieldInvalid("file", str(exc)) from exc
    raise FieldInvalid(
        "file", f"不支持的文件类型：{sheets.excerpt(filename, 80)}（请上传 .xlsx 或 .csv）"
    )


def _convert(col: Column, value: Any) -> Any:
    """A cell as the JSON value the API expects; raises ValueError with a Chinese message."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if col.type == "str":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    if col.type == "int":
        if isinstance(value, bool):
            raise ValueError("应为整数")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).replace(",", "").replace("，", "")
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"应为整数，实际为“{sheets.excerpt(value)}”") from None
    if col.type == "list":
        if isinstance(value, list):
            return value
        return [p.strip() for p in str(value).translate(LIST_SEPARATORS).split(",") if p.strip()]
    if col.type == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).replace("/", "-").replace(".", "-")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"日期格式无效：“{sheets.excerpt(value)}”，应为 YYYY-MM-DD") from None
    if col.type == "bool":
        if isinstance(value, bool):
            return value
        text = _fold(str(value))
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError(f"应填“是”或“否”，实际为“{sheets.excerpt(value)}”")
    if col.type == "status":
        return STATUS.get(str(value), str(value))
    if col.type == "capability_kind":
        return CAPABILITY_KIND.get(str(value), str(value))
    raise AssertionError(col.type)


def _match_columns(header: list[Any], columns: tuple[Column, ...]) -> dict[int, Column]:
    by_name: dict[str, Column] = {}
    for col in columns:
        for name in (col.field, col.label, *col.aliases):
            by_name.setdefault(_fold(name), col)
    found: dict[int, Column] = {}
    for i, cell in enumerate(header):
        col = by_name.get(_fold(str(cell or "")))
        if col is not None and col not in found.values():
            found[i] = col
    return found


def _shown(value: Any) -> Any:
    """A cell as the preview echoes it: dates as ISO text, long texts cut to a prefix."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > PREVIEW_CHARS:
        return sheets.excerpt(value, PREVIEW_CHARS)
    return value


def check_rows(
    resource: Resource, columns: tuple[Column, ...], table: list[list[Any]], owner_id: int
) -> tuple[list[ColumnInfo], list[PreviewRow], list[RowError], list[msgspec.Struct]]:
    """Convert and validate every data row; return the preview, the errors and the Structs."""
    if not table or not any(c not in (None, "") for c in table[0]):
        raise FieldInvalid("file", "文件为空：第 1 行应为表头")
    found = _match_columns(table[0], columns)
    labels = {c.field: c.label for c in columns}
    infos = [ColumnInfo(field=c.field, label=c.label, found=c in found.values()) for c in columns]
    if not found:
        expected = "、".join(c.label for c in columns)
        raise FieldInvalid("file", f"第 1 行没有可识别的列名；应包含：{expected}")
    rows: list[PreviewRow] = []
    errors: list[RowError] = []
    structs: list[msgspec.Struct] = []
    data = table[1:]
    # Trailing blank rows (Excel keeps formatted empty rows) are not records.
    while data and not any(c not in (None, "") for c in data[-1]):
        data.pop()
    if len(data) > MAX_ROWS:
        raise FieldInvalid("file", f"一次最多导入 {MAX_ROWS} 行，文件有 {len(data)} 行")
    if not data:
        raise FieldInvalid("file", "文件只有表头，没有数据行")

    def err(row_no: int, field: str, message: str) -> None:
        top = field.split(".")[0]
        # Messages may quote the cell (msgspec's "Invalid enum value …"): a prefix is enough.
        message = sheets.excerpt(message, PREVIEW_CHARS)
        errors.append(
            RowError(row=row_no, field=field, column=labels.get(top, top), message=message)
        )

    for offset, cells in enumerate(data):
        row_no = offset + 2
        record: dict[str, Any] = {"owner_id": owner_id}
        shown: dict[str, Any] = {}
        n_before = len(errors)
        for i, col in found.items():
            raw = cells[i] if i < len(cells) else None
            shown[col.field] = raw if not isinstance(raw, datetime | date) else raw.isoformat()
            try:
                value = _convert(col, raw)
            except ValueError as exc:
                err(row_no, col.field, str(exc))
                continue
            if value is not None:
                record[col.field] = value
        if len(errors) == n_before:
            try:
                item = msgspec.convert(record, resource.create)
            except msgspec.ValidationError as exc:
                field, zh, _ = split_msgspec_error(str(exc))
                err(row_no, field, zh)
            else:
                try:
                    crud._validated(resource, msgspec.structs.asdict(item), set(record))
                except FieldInvalid as exc:
                    for e in exc.errors:
                        err(row_no, e["field"], e["message"])
                else:
                    structs.append(item)
        ok = len(errors) == n_before
        shown = {k: _shown(v) for k, v in shown.items()}
        rows.append(PreviewRow(row=row_no, values=shown, ok=ok))
    return infos, rows, errors, structs


def _parse(
    resource: Resource, columns: tuple[Column, ...], filename: str, content: bytes, owner: int
) -> tuple[list[ColumnInfo], list[PreviewRow], list[RowError], list[msgspec.Struct]]:
    return check_rows(resource, columns, read_table(filename, content), owner)


async def prepare(
    conn: asyncpg.Connection,
    kind: str,
    filename: str,
    read: Callable[[], Awaitable[bytes]],
    owner_id: int | None,
    who: Principal,
) -> tuple[Preview, list[msgspec.Struct]]:
    """Authorize, read (``read()`` gives the upload's bytes, after the checks) and check every
    row of the file; nothing is saved. Returns the preview and the rows' create Structs."""
    if kind not in KINDS:
        raise NotFound("导入类型", kind)
    resource, columns = KINDS[kind]
    owner = owner_id if owner_id is not None else who.org_id
    if owner is None:
        raise FieldInvalid("owner_id", "当前账号未关联机构：请指定 owner_id（发布机构编号）")
    access.authorize_write(who, resource, owner, "create")
    await crud._check_owner(conn, resource, owner)
    content = await read()
    if len(content) > MAX_FILE_BYTES:
        raise FieldInvalid("file", f"文件过大：最多 {MAX_FILE_BYTES // 1000} KB")
    # Parsing and checking a workbook is CPU work (up to LIMITS): a thread keeps the event loop,
    # and so every other request and /health, answering meanwhile.
    infos, rows, errors, structs = await asyncio.to_thread(
        _parse, resource, columns, filename, content, owner
    )
    preview = Preview(
        kind=kind,
        label=resource.label,
        owner_id=owner,
        columns=infos,
        rows=rows,
        errors=errors,
        total=len(rows),
        valid=sum(r.ok for r in rows),
    )
    return preview, structs


async def commit(
    conn: asyncpg.Connection,
    kind: str,
    filename: str,
    read: Callable[[], Awaitable[bytes]],
    owner_id: int | None,
    principal: Principal,
) -> Imported:
    """Check every row like :func:`prepare`; only when no row has an error, create them all in
    one transaction (with one audit entry for the import)."""
    preview, structs = await prepare(conn, kind, filename, read, owner_id, principal)
    if preview.errors:
        raise rejected(preview.errors)
    resource, _ = KINDS[kind]
    ids: list[int] = []
    async with conn.transaction():
        for row, item in zip((r.row for r in preview.rows), structs, strict=True):
            try:
                created = await crud.create(conn, resource, item, principal=principal)
            except FieldInvalid as exc:
                raise rejected(
                    [RowError(row=row, field=e["field"], column=e["field"],
                              message=e["message"]) for e in exc.errors]
                ) from exc  # fmt: skip
            ids.append(created.id)
        summary = {"kind": kind, "created": len(ids), "ids": ids}
        await audit.record(conn, principal, "import", resource.table, None, None, summary)
    return Imported(kind=kind, created=len(ids), ids=ids)


def rejected(errors: list[RowError]) -> ImportRejected:
    first = errors[0]
    detail = f"{len(errors)} 处错误，例如第 {first.row} 行「{first.column}」：{first.message}"
    return ImportRejected(detail, errors=[msgspec.to_builtins(e) for e in errors])
