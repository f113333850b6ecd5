"""Structs of the spreadsheet import: the preview of a file and the result of saving it."""

from __future__ import annotations

from typing import Any

import msgspec


class RowError(msgspec.Struct, frozen=True, kw_only=True):
    row: int
    field: str
    column: str
    message: str


class PreviewRow(msgspec.Struct, frozen=True, kw_only=True):
    row: int
    values: dict[str, Any]
    ok: bool


class ColumnInfo(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    label: str
    found: bool


class Preview(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    label: str
    owner_id: int
    columns: list[ColumnInfo]
    rows: list[PreviewRow]
    errors: list[RowError]
    total: int
    valid: int


class Imported(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    created: int
    ids: list[int]
