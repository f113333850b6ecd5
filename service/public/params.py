"""The public halls' query parameters: parsed by hand so that a bad one gives a Chinese 400 page
naming it (never a 500, never a JSON problem on an HTML page).

Parameters are the same for a hall's HTML page, the catalogue page and the catalogue XLSX, so a
link from one to the other keeps the filter. Unknown parameters are ignored (search engines and
shared links add their own).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any, Literal
from urllib.parse import urlencode

from service.reference import (
    ALL_CITIES,
    CAPABILITY_KINDS,
    COOPERATION_MODES,
    EDUCATION_LEVELS,
    field_codes,
    industry_codes,
    normalize_field_code,
    normalize_industry_code,
)
from service.reference.names import NSFC_DEPARTMENTS

Hall = Literal["needs", "capabilities", "jobs", "talent"]
SORTS: dict[str, str] = {
    "newest": "最新发布",
    "deadline": "截止日期临近",
    "amount": "金额从高到低",
    "relevance": "相关度",
}
#: Which sorts each hall offers (deadline and amount exist only on needs; salary on jobs).
HALL_SORTS: dict[str, tuple[str, ...]] = {
    "needs": ("relevance", "newest", "deadline", "amount"),
    "capabilities": ("relevance", "newest"),
    "jobs": ("relevance", "newest", "amount"),
    "talent": ("relevance", "newest"),
}
PER_PAGE = 20
MAX_PAGE = 500
MAX_WAN = 10_000_000  # 万元: 1,000 亿元, the API's Yuan maximum
MAX_Q = 60


class BadParam(Exception):
    """A query parameter a public page cannot use; ``param`` names it for the 400 page."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class HallQuery:
    q: str = ""
    city: str = ""
    industry: str = ""
    field: str = ""
    mode: str = ""
    kind: str = ""
    education: str = ""
    year: int | None = None
    min: int | None = None  # 万元 (needs: budget or reward; jobs: monthly salary in 元)
    max: int | None = None
    challenge: bool = False
    sort: str = ""
    page: int = 1

    def effective_sort(self, hall: str) -> str:
        if self.sort:
            return self.sort
        return "relevance" if self.q else "newest"

    def params(self, **over: Any) -> dict[str, str]:
        """The non-default parameters as strings (``page`` 1 and empty values left out)."""
        q = replace(self, **over) if over else self
        out: dict[str, str] = {}
        for f in fields(q):
            v = getattr(q, f.name)
            if v in ("", None, False) or (f.name == "page" and v == 1):
                continue
            out[f.name] = "1" if v is True else str(v)
        return out

    def query_string(self, **over: Any) -> str:
        p = self.params(**over)
        return ("?" + urlencode(p)) if p else ""


def _int(raw: str, param: str, low: int, high: int) -> int:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise BadParam(param, f"应为整数，收到“{raw[:20]}”")
    v = int(raw)
    if not low <= v <= high:
        raise BadParam(param, f"应在 {low} 到 {high} 之间，收到 {v}")
    return v


@cache
def _industry_by_name() -> dict[str, str]:
    return {c.name.strip(): k for k, c in industry_codes().items()}


@cache
def _field_by_name() -> dict[str, str]:
    names = {c.name.strip(): k for k, c in field_codes().items()}
    return names | {name: letter for letter, name in NSFC_DEPARTMENTS.items()}


def _industry(raw: str) -> str:
    code = normalize_industry_code(raw)
    if code is None:
        code = _industry_by_name().get(raw.strip())
    if code is None:
        raise BadParam(
            "industry", f"“{raw[:20]}”不是国民经济行业分类（GB/T 4754-2017）中的代码或名称"
        )
    return code


def _field(raw: str) -> str:
    if raw.strip().upper() in NSFC_DEPARTMENTS:  # a whole 科学部: B finds B0609
        return raw.strip().upper()
    code = normalize_field_code(raw)
    if code is None:
        code = _field_by_name().get(raw.strip())
    if code is None:
        raise BadParam("field", f"“{raw[:20]}”不是国家自然科学基金申请代码或学科名称")
    return code


def parse(hall: str, query: Mapping[str, str]) -> HallQuery:
    """Validate a hall's query parameters (``query`` maps a name to its last value)."""
    values: dict[str, Any] = {}
    for name, raw in query.items():
        if raw is None:
            continue
        if "\x00" in raw:
            raise BadParam(name, "含有不允许的空字符")
        raw = raw.strip()
        if raw == "":
            continue
        if name == "q":
            if len(raw) > MAX_Q:
                raise BadParam("q", f"关键词最长 {MAX_Q} 个字，收到 {len(raw)} 个")
            values["q"] = raw
        elif name == "city":
            if raw not in ALL_CITIES:
                raise BadParam("city", f"“{raw[:20]}”不是可选城市（{'、'.join(ALL_CITIES)}）")
            values["city"] = raw
        elif name == "industry" and hall in ("needs", "jobs"):
            values["industry"] = _industry(raw)
        elif name == "field" and hall in ("needs", "capabilities"):
            values["field"] = _field(raw)
        elif name == "mode" and hall in ("needs", "capabilities"):
            if raw not in COOPERATION_MODES:
                raise BadParam(
                    "mode", f"“{raw[:20]}”不是合作方式（{'、'.join(COOPERATION_MODES)}）"
                )
            values["mode"] = raw
        elif name == "kind" and hall == "capabilities":
            if raw not in CAPABILITY_KINDS:
                raise BadParam("kind", "成果类型应为专家团队、科技成果与专利或共享设备")
            values["kind"] = raw
        elif name == "education" and hall in ("jobs", "talent"):
            if raw not in EDUCATION_LEVELS:
                raise BadParam("education", f"学历应为{'、'.join(EDUCATION_LEVELS)}之一")
            values["education"] = raw
        elif name == "year" and hall == "talent":
            values["year"] = _int(raw, "year", 1990, 2100)
        elif name in ("min", "max") and hall in ("needs", "jobs"):
            values[name] = _int(raw, name, 0, MAX_WAN)
        elif name == "challenge" and hall == "needs":
            if raw not in ("1", "0", "true", "false", "on"):
                raise BadParam("challenge", "应为 1（只看揭榜挂帅）或 0")
            values["challenge"] = raw in ("1", "true", "on")
        elif name == "sort":
            if raw not in HALL_SORTS[hall]:
                allowed = "、".join(f"{s}（{SORTS[s]}）" for s in HALL_SORTS[hall])
                raise BadParam("sort", f"排序方式应为 {allowed}")
            values["sort"] = raw
        elif name == "page":
            values["page"] = _int(raw, "page", 1, MAX_PAGE)
    q = HallQuery(**values)
    if q.min is not None and q.max is not None and q.min > q.max:
        raise BadParam("min", f"下限 {q.min} 大于上限 {q.max}")
    return q
