"""Reading demand/supply records from JSONL, CSV or XLSX files, and writing ranked pairs.

Pure helpers for batch use (the ``duijie match`` command); errors name the file and the line or
row. List fields in CSV/XLSX cells may be a JSON array or text separated by ``; ， , 、 |``; a
supply's ``documents`` (papers, patents, projects) are a JSON array in JSONL or in a cell.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from . import sheets
from .errors import InputFileError
from .records import (
    MAX_ABSTRACT,
    MAX_DESCRIPTION,
    MAX_DOCUMENTS,
    MAX_TERM,
    MAX_TERMS,
    MAX_TITLE,
    Ranking,
)

__all__ = ["LIST_FIELDS", "pair_rows", "read_records", "write_pairs"]

LIST_FIELDS = frozenset(
    {"keywords", "field_codes", "cooperation_modes", "tags", "skills", "majors"}
)
INT_FIELDS = frozenset({"capacity", "headcount", "graduates", "graduation_year"})
FLOAT_FIELDS = frozenset({"budget_min", "budget_max"})
MAX_RECORDS = 200_000
# A workbook is a zip of XML: cap what it may expand to before parsing (zip bombs), and the
# rows, columns and cell length while reading (Excel's own cell limit is 32,767 characters).
XLSX_LIMITS = sheets.SheetLimits(
    expanded_bytes=1_000_000_000, rows=MAX_RECORDS + 1, columns=200, cell_chars=32_767
)
_SEPARATORS = str.maketrans({c: ";" for c in "；，,、|\n"})


def _split(cell: str) -> list[str]:
    cell = cell.strip()
    if cell.startswith("["):
        try:
            val = json.loads(cell)
        except json.JSONDecodeError:
            val = None
        if isinstance(val, list):
            return [str(x).strip() for x in val if str(x).strip()]
    return [p.strip() for p in cell.translate(_SEPARATORS).split(";") if p.strip()]


def _cap(rec: dict[str, Any], where: str, warn) -> dict[str, Any]:
    """Truncate over-long texts and lists (with a warning) instead of rejecting the record."""
    for key, cap in (("title", MAX_TITLE), ("description", MAX_DESCRIPTION)):
        v = rec.get(key)
        if isinstance(v, str) and len(v) > cap:
            warn(f"{where}: 字段 {key} 过长，已截断至 {cap} 字 (truncated)")
            rec[key] = v[:cap]
    for key in LIST_FIELDS:
        v = rec.get(key)
        if isinstance(v, list):
            if len(v) > MAX_TERMS:
                warn(f"{where}: 字段 {key} 超过 {MAX_TERMS} 项，已截断 (truncated)")
                v = v[:MAX_TERMS]
            rec[key] = [x[:MAX_TERM] if isinstance(x, str) else x for x in v]
    docs = rec.get("documents")
    if isinstance(docs, list):
        if len(docs) > MAX_DOCUMENTS:
            warn(f"{where}: 字段 documents 超过 {MAX_DOCUMENTS} 篇，已截断 (truncated)")
            rec["documents"] = docs = docs[:MAX_DOCUMENTS]
        for k, d in enumerate(docs):
            if isinstance(d, dict) and isinstance(d.get("abstract"), str):
                if len(d["abstract"]) > MAX_ABSTRACT:
                    warn(f"{where}: documents.{k}.abstract 过长，已截断至 {MAX_ABSTRACT} 字")
                    d["abstract"] = d["abstract"][:MAX_ABSTRACT]
    if isinstance(rec.get("id"), int | float) and not isinstance(rec.get("id"), bool):
        rec["id"] = str(rec["id"])
    return rec


def _from_cells(row: dict[str, Any], where: str) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    for key, val in row.items():
        if key is None:
            raise InputFileError(f"{where}: 列数多于表头 (more cells than header columns)")
        key = str(key).strip()
        if not key or val is None or (isinstance(val, str) and not val.strip()):
            continue
        if key in LIST_FIELDS:
            rec[key] = _split(str(val))
        elif key == "documents":
            # A capability's documents: a JSON array of {kind, title, abstract, keywords, year}.
            try:
                docs = json.loads(str(val))
            except json.JSONDecodeError:
                docs = None
            if not isinstance(docs, list):
                raise InputFileError(f"{where}: 字段 documents 应为 JSON 数组 (a JSON array)")
            rec[key] = docs
        elif key in INT_FIELDS:
            try:
                rec[key] = int(float(val))
            except (TypeError, ValueError):
                raise InputFileError(f"{where}: 字段 {key} 应为整数，收到 {val!r}") from None
        elif key in FLOAT_FIELDS:
            try:
                rec[key] = float(val)
            except (TypeError, ValueError):
                raise InputFileError(f"{where}: 字段 {key} 应为数字，收到 {val!r}") from None
        else:
            rec[key] = str(val).strip() if not isinstance(val, str) else val
    return rec


def _jsonl(path: Path) -> Iterator[tuple[str, Any]]:
    with path.open(encoding="utf-8-sig", errors="strict") as fh:
        try:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path.name} 第 {n} 行 (line {n})"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputFileError(
                        f"{where}: JSON 格式错误 (malformed JSON): {exc.msg}"
                    ) from exc
                if not isinstance(obj, dict):
                    raise InputFileError(f"{where}: 应为 JSON 对象 (expected an object)")
                yield where, obj
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{path.name}: 不是 UTF-8 编码 (not UTF-8): {exc}") from exc


def _csv(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path.name}: 不是 UTF-8 编码 (not UTF-8): {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    try:
        for row in reader:
            where = f"{path.name} 第 {reader.line_num} 行 (line {reader.line_num})"
            yield where, _from_cells(row, where)
    except csv.Error as exc:
        raise InputFileError(f"{path.name} 第 {reader.line_num} 行: CSV 格式错误: {exc}") from exc


def _xlsx(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        rows = sheets.read_xlsx(path, XLSX_LIMITS)
        header = next(rows, None)
        if header is None:
            return
        names = [str(h).strip() if h is not None else "" for h in header]
        for n, values in enumerate(rows, 2):
            if all(v is None for v in values):
                continue
            where = f"{path.name} 第 {n} 行 (row {n})"
            yield where, _from_cells(dict(zip(names, values, strict=False)), where)
    except sheets.SheetTooLarge as exc:
        raise InputFileError(f"{path.name}: {exc}") from exc
    except InputFileError as exc:
        if str(exc).startswith(path.name):
            raise
        raise InputFileError(f"{path.name}: {exc}") from exc


def read_records(path: str | Path, warn=None) -> list[dict[str, Any]]:
    """Read records from a ``.jsonl``/``.json``, ``.csv`` or ``.xlsx`` file.

    Parameters
    ----------
    path : str or Path
    warn : callable, optional
        Receives warnings (truncations); defaults to printing on stderr.

    Returns
    -------
    list of dict
        Raw records, to validate with :func:`matching.coerce_records` (``match`` does it).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("id,title,keywords\\n1,煤层气,煤层气；瓦斯\\n")
    >>> read_records(p)
    [{'id': '1', 'title': '煤层气', 'keywords': ['煤层气', '瓦斯']}]
    """
    path = Path(path)
    if warn is None:

        def warn(msg: str) -> None:
            print(msg, file=sys.stderr)

    if not path.is_file():
        raise InputFileError(f"文件不存在 (no such file): {path}")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        rows = _jsonl(path)
    elif suffix == ".csv":
        rows = _csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx(path)
    else:
        raise InputFileError(f"{path.name}: 不支持的格式，应为 .jsonl/.csv/.xlsx (unsupported)")
    out = []
    for where, rec in rows:
        if len(out) >= MAX_RECORDS:
            raise InputFileError(f"{path.name}: 记录超过 {MAX_RECORDS} 条上限 (too many records)")
        out.append(_cap(rec, where, warn))
    return out


OUT_COLUMNS = ("demand_id", "supply_id", "rank", "score", "components", "matched_terms", "weak")


def pair_rows(rankings: Iterable[Ranking]) -> Iterator[dict[str, Any]]:
    """One plain dict per ranked pair, in the output shape of ``duijie match``."""
    import msgspec

    for r in rankings:
        for p in r.pairs:
            d = msgspec.to_builtins(p)
            d["matched_terms"] = {k: v for k, v in d["matched_terms"].items() if v}
            yield {k: d[k] for k in OUT_COLUMNS}


def write_pairs(rankings: Iterable[Ranking], out: str | Path | None) -> int:
    """Write ranked pairs as JSONL (default / stdout), CSV or XLSX by the file suffix.

    Returns the number of pairs written. Nested fields become JSON text in CSV/XLSX cells.
    """
    rows = pair_rows(rankings)
    n = 0
    if out is None:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        return n
    path = Path(out)
    suffix = path.suffix.lower()

    def flat(row):
        return [
            json.dumps(row[k], ensure_ascii=False) if isinstance(row[k], dict) else row[k]
            for k in OUT_COLUMNS
        ]

    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            n = sheets.write_csv(fh, OUT_COLUMNS, (flat(row) for row in rows))
    elif suffix in (".xlsx", ".xlsm"):
        n = sheets.write_xlsx(path, "pairs", OUT_COLUMNS, (flat(row) for row in rows))
    else:
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    return n
