"""Chinese names for every code a person reads: GB/T 4754 industries (with their 门类 and 大类),
NSFC research fields (with their parents up to the 科学部), majors, cooperation modes, education
levels and the closed vocabularies of the domain.

One place for pages, exports and the SPA (``GET /api/reference/…``). A code that is not in a table
is shown as it is (never dropped), so a reader always sees what the record carries.

Majors: there is no 本科专业目录 in the repository or in ../shared/data, so a talent pool's major
is shown by the name the record already carries (``major_name``), with its code on hover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from service.reference import (
    CAPABILITY_KINDS,
    COOPERATION_MODES,
    EDUCATION_LEVELS,
    ORG_KINDS,
    STATUSES,
    field_codes,
    industry_codes,
    normalize_field_code,
    normalize_industry_code,
)

#: NSFC 科学部 by the letter every application code starts with.
NSFC_DEPARTMENTS: dict[str, str] = {
    "A": "数学物理科学部",
    "B": "化学科学部",
    "C": "生命科学部",
    "D": "地球科学部",
    "E": "工程与材料科学部",
    "F": "信息科学部",
    "G": "管理科学部",
    "H": "医学科学部",
    "T": "交叉科学部",
}

INDUSTRY_LEVELS = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}
FIELD_LEVELS = {0: "科学部", 1: "一级学科", 2: "二级学科", 3: "三级学科"}

CAPABILITY_KIND_NAMES = {
    "expertise": "专家团队",
    "achievement": "科技成果与专利",
    "equipment": "共享设备",
}
ORG_KIND_NAMES = {
    "enterprise": "企业",
    "university": "高校",
    "institute": "科研院所",
    "agency": "服务机构",
}
STATUS_NAMES = {"draft": "草稿", "published": "已发布", "closed": "已关闭"}

# The cooperation modes and education levels are Chinese words already (委托开发, 本科 …); they
# are listed here so every kind has one lookup and a test can check none is missing.
COOPERATION_MODE_NAMES = {m: m for m in COOPERATION_MODES}
EDUCATION_NAMES = {e: e for e in EDUCATION_LEVELS}

assert set(CAPABILITY_KIND_NAMES) == set(CAPABILITY_KINDS)
assert set(ORG_KIND_NAMES) == set(ORG_KINDS)
assert set(STATUS_NAMES) == set(STATUSES)


@dataclass(frozen=True, slots=True)
class Named:
    """A code with its Chinese name and the chain of its parents (broadest first)."""

    code: str
    name: str
    level: str
    path: tuple[tuple[str, str], ...]  # ((code, name), …) from the broadest level down

    @property
    def full(self) -> str:
        """``制造业 › 黑色金属冶炼和压延加工业 › 钢压延加工``."""
        return " › ".join(n for _, n in self.path)


def _industry_parents(key: str) -> list[str]:
    """``C3130`` → ``["C", "C31", "C313", "C3130"]`` (only the codes that exist)."""
    codes = industry_codes()
    out = [key[0]] if key[0] in codes else []
    for n in range(3, len(key) + 1):
        if key[:n] in codes:
            out.append(key[:n])
    if key not in out and key in codes:
        out.append(key)
    return out


@lru_cache(maxsize=8192)  # bounded: codes may come from a request
def industry(code: str) -> Named | None:
    key = normalize_industry_code(code or "")
    if key is None:
        return None
    codes = industry_codes()
    c = codes[key]
    path = tuple((k, codes[k].name.strip()) for k in _industry_parents(key))
    return Named(key, c.name.strip(), INDUSTRY_LEVELS.get(c.level, ""), path)


def _field_parents(key: str) -> list[str]:
    codes = field_codes()
    return [key[:n] for n in range(3, len(key) + 1, 2) if key[:n] in codes]


@lru_cache(maxsize=8192)
def field(code: str) -> Named | None:
    dept = (code or "").strip().upper()
    if dept in NSFC_DEPARTMENTS:
        return Named(
            dept, NSFC_DEPARTMENTS[dept], FIELD_LEVELS[0], ((dept, NSFC_DEPARTMENTS[dept]),)
        )
    key = normalize_field_code(code or "")
    if key is None:
        return None
    codes = field_codes()
    path: list[tuple[str, str]] = []
    if key[0] in NSFC_DEPARTMENTS:
        path.append((key[0], NSFC_DEPARTMENTS[key[0]]))
    path += [(k, codes[k].name.strip()) for k in _field_parents(key)]
    return Named(key, codes[key].name.strip(), FIELD_LEVELS.get(codes[key].level, ""), tuple(path))


def industry_name(code: str | None) -> str:
    """The Chinese name of an industry code; the code itself when unknown; ``""`` for none."""
    if not code:
        return ""
    n = industry(code)
    return n.name if n else code


def field_name(code: str | None) -> str:
    if not code:
        return ""
    n = field(code)
    return n.name if n else code


_CROSSWALK_TERM = re.compile(r"^(NSFC|行业|专业|学科) ([0-9A-Za-z]+) ↔ (.+)$")


def matched_field_term(term: str) -> str:
    """A matched research-field term of the engine as a person reads it: a code by its name
    (``B06`` → 化学工程及工业化学, ``B06(推断)`` → 化学工程及工业化学（推断）), a crosswalk link by
    the name of the code it starts from (``NSFC E01 ↔ 材料科学与工程`` → 金属材料 ↔ 材料科学与工程,
    ``行业 31 ↔ 冶金工程`` → 黑色金属冶炼和压延加工业 ↔ 冶金工程); a discipline term
    (``学科：材料科学与工程（推断 0.72）``) is already words and stays as it is.

    >>> matched_field_term("学科：材料科学与工程（推断 0.72）")
    '学科：材料科学与工程（推断 0.72）'
    >>> matched_field_term("学科 0805 ↔ 材料科学与工程")
    '材料科学与工程'
    """
    m = _CROSSWALK_TERM.match(term)
    if m:
        kind, code, target = m.groups()
        if kind == "NSFC":
            name = field_name(code)
        elif kind == "行业":
            name = industry_name(code)
        elif kind == "学科":
            return target  # a 一级学科 code of the discipline itself
        else:
            name = f"专业 {code}"  # a major class: no major catalogue ships with Duijie
        return f"{name} ↔ {target}"
    code = term.removesuffix("(推断)")
    if code != term:
        return field_name(code) + "（推断）"
    return field_name(term) if field(term) is not None else term


def major_name(code: str | None, carried: str | None = None) -> str:
    """The major's name: the one the record carries (no major catalogue ships with Duijie)."""
    return carried or code or ""


def mode_name(mode: str) -> str:
    return COOPERATION_MODE_NAMES.get(mode, mode)


def education_name(level: str) -> str:
    return EDUCATION_NAMES.get(level, level)


def capability_kind_name(kind: str) -> str:
    return CAPABILITY_KIND_NAMES.get(kind, kind)


def org_kind_name(kind: str) -> str:
    return ORG_KIND_NAMES.get(kind, kind)


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)


# --- type-ahead ----------------------------------------------------------------------------


def _search(items: list[Named], q: str, limit: int) -> list[Named]:
    """Codes whose code starts with ``q`` (case-insensitive) or whose name contains it; exact and
    prefix code matches first, then broader levels first."""
    q = q.strip()
    if not q:
        return items[:limit]
    up = q.upper()
    hits: list[tuple[int, int, str, Named]] = []
    for n in items:
        if n.code == up:
            rank = 0
        elif n.code.startswith(up):
            rank = 1
        elif q in n.name:
            rank = 2 if n.name.startswith(q) else 3
        else:
            continue
        hits.append((rank, len(n.path), n.code, n))
    hits.sort(key=lambda h: h[:3])
    return [h[3] for h in hits[:limit]]


@cache
def _all_industries() -> list[Named]:
    return [n for k in industry_codes() if (n := industry(k)) is not None]


@cache
def _all_fields() -> list[Named]:
    return [n for k in field_codes() if (n := field(k)) is not None]


def search_industries(q: str, limit: int = 20) -> list[Named]:
    return _search(_all_industries(), q, limit)


def search_fields(q: str, limit: int = 20) -> list[Named]:
    return _search(_all_fields(), q, limit)


def industry_top_levels() -> list[Named]:
    """门类 and 大类, for a filter's drop-down."""
    return [n for n in _all_industries() if len(n.path) <= 2]


def field_top_levels() -> list[Named]:
    """NSFC 一级学科 (``A01`` …), grouped by 科学部 through their path."""
    return [n for n in _all_fields() if len(n.code) == 3]
