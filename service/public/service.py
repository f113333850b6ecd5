"""The public halls' service: turns visible records into what a page shows, with names instead
of codes and Chinese labels instead of engine words, and builds the catalogue (page and XLSX).

Nothing here writes, so there are no transactions; every read goes through
:mod:`service.public.repository`, which applies the one visibility rule.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec

from service.domain import capabilities, jobs, needs, talent_pools
from service.domain.crud import Resource
from service.public import repository as repo
from service.public.params import PER_PAGE, HallQuery
from service.reference import CITIES, OUT_OF_PROVINCE, labels, names

log = logging.getLogger("duijie.public")


@dataclass(frozen=True)
class HallSpec:
    key: str  # URL segment: /halls/<key>
    resource: Resource
    title: str  # 需求大厅
    noun: str  # 研发需求
    description: str
    recommend: str  # service.recommend direction
    target: str  # the hall of the recommended records
    contact_kind: str  # /contact/new?target=<kind>:<id>


HALLS: dict[str, HallSpec] = {
    "needs": HallSpec(
        "needs", needs.RESOURCE, "需求大厅", "研发需求",
        "企业发布的研发需求和揭榜挂帅榜单：预算、榜单金额、截止日期、城市和行业。",
        "needs", "capabilities", "need",
    ),
    "capabilities": HallSpec(
        "capabilities", capabilities.RESOURCE, "成果大厅", "科研能力",
        "高校和科研院所的专家团队、科技成果与专利、共享设备。",
        "capabilities", "needs", "capability",
    ),
    "jobs": HallSpec(
        "jobs", jobs.RESOURCE, "岗位大厅", "招聘岗位",
        "企业的招聘岗位：专业、学历、城市和月薪。",
        "jobs", "talent", "job",
    ),
    "talent": HallSpec(
        "talent", talent_pools.RESOURCE, "人才大厅", "人才库",
        "高校各专业、各学历层次的应届毕业生。",
        "talent-pools", "jobs", "talent_pool",
    ),
}  # fmt: skip

CATALOGUE_LIMIT = 2000


# --- formatting ----------------------------------------------------------------------------


def money(yuan: int | None) -> str:
    if yuan is None:
        return ""
    if yuan >= 100_000_000:
        return f"{yuan / 100_000_000:g} 亿元"
    if yuan >= 10_000:
        return f"{yuan / 10_000:g} 万元"
    return f"{yuan} 元"


def money_range(lo: int | None, hi: int | None) -> str:
    if lo is None and hi is None:
        return ""
    if lo is None:
        return f"不超过 {money(hi)}"
    if hi is None:
        return f"{money(lo)}起"
    if lo == hi:
        return money(lo)
    return f"{money(lo)}–{money(hi)}"


@dataclass(frozen=True)
class Tag:
    """A name shown to a reader, with its code (or an explanation) on hover."""

    text: str
    hover: str = ""


def industry_tag(code: str | None) -> Tag | None:
    if not code:
        return None
    n = names.industry(code)
    if n is None:
        return Tag(code)
    return Tag(n.name, f"GB/T 4754-2017 {n.code}：{n.full}")


def field_tags(codes: list[str]) -> list[Tag]:
    out = []
    for c in codes or []:
        n = names.field(c)
        out.append(Tag(n.name, f"国家自然科学基金 {n.code}：{n.full}") if n else Tag(c))
    return out


def _deadline(rec: dict[str, Any]) -> str:
    d = rec.get("deadline")
    return d.isoformat() if d else ""


def card(hall: str, rec: dict[str, Any]) -> dict[str, Any]:
    """What a list entry and a detail page show of one record (no contact fields: the
    repository has blanked them)."""
    facts: list[tuple[str, str]] = []
    tags: list[Tag] = []
    badges: list[Tag] = []
    city = rec.get("city") or rec["owner_city"]
    if hall == "needs":
        title = rec["title"]
        if rec["is_challenge"]:
            badges.append(Tag("揭榜挂帅", "企业张榜、高校院所揭榜的攻关项目"))
            if rec.get("reward") is not None:
                facts.append(("榜单金额", money(rec["reward"])))
        if rec.get("budget_min") is not None or rec.get("budget_max") is not None:
            facts.append(("预算", money_range(rec.get("budget_min"), rec.get("budget_max"))))
        if rec.get("deadline"):
            facts.append(("截止日期", _deadline(rec)))
        ind = industry_tag(rec.get("owner_industry"))
        if ind:
            tags.append(ind)
        tags += field_tags(rec["field_codes"])
        tags += [Tag(names.mode_name(m), "合作方式") for m in rec["cooperation_modes"]]
        words = rec["keywords"]
    elif hall == "capabilities":
        title = rec["title"]
        kind = rec["kind"]
        badges.append(
            Tag(labels.label("capability_kind", kind), labels.hint("capability_kind", kind))
        )
        if rec.get("patent_number"):
            facts.append(("专利号", rec["patent_number"]))
        facts.append(("可同时承接", f"{rec['capacity']} 项"))
        tags += field_tags(rec["field_codes"])
        tags += [Tag(names.mode_name(m), "合作方式") for m in rec["cooperation_modes"]]
        words = rec["keywords"]
    elif hall == "jobs":
        title = rec["title"]
        facts.append(("最低学历", names.education_name(rec["min_education"])))
        facts.append(("招聘人数", f"{rec['headcount']} 人"))
        if rec.get("salary_min") is not None or rec.get("salary_max") is not None:
            sal = money_range(rec.get("salary_min"), rec.get("salary_max"))
            facts.append(("月薪", sal))
        ind = industry_tag(rec.get("owner_industry"))
        if ind:
            tags.append(ind)
        tags += [Tag(m, "对口专业") for m in rec["majors"]]
        words = rec["skills"]
    else:
        title = f"{rec['major_name']}（{names.education_name(rec['degree_level'])}，{rec['graduation_year']} 届）"
        facts.append(("毕业生", f"{rec['graduates']} 人"))
        facts.append(("学历层次", names.education_name(rec["degree_level"])))
        facts.append(("毕业年份", f"{rec['graduation_year']} 年"))
        major_hover = f"专业代码 {rec['major_code']}" if rec.get("major_code") else "专业"
        tags.append(Tag(names.major_name(rec.get("major_code"), rec["major_name"]), major_hover))
        words = rec["skills"]
    return {
        "id": rec["id"],
        "hall": hall,
        "url": f"/halls/{hall}/{rec['id']}",
        "title": title,
        "owner_name": rec["owner_name"],
        "owner_kind": names.org_kind_name(rec["owner_kind"]),
        "city": city,
        "badges": badges,
        "facts": facts,
        "tags": tags,
        "words": list(words or []),
        "description": rec.get("description") or "",
        "updated": rec["updated_at"].date().isoformat(),
        "created": rec["created_at"].date().isoformat(),
    }


# --- halls ---------------------------------------------------------------------------------


def crud_filters(hall: str, q: HallQuery) -> dict[str, Any]:
    """The hall's parameters as :mod:`service.domain.crud` list filters."""
    f: dict[str, Any] = {"q": q.q or None, "city": q.city or None}
    if hall == "needs":
        f |= {"industry": q.industry or None, "field": q.field or None}
        f["is_challenge"] = True if q.challenge else None
    elif hall == "capabilities":
        f |= {"field": q.field or None, "kind": q.kind or None}
    elif hall == "jobs":
        f |= {"industry": q.industry or None, "min_education": q.education or None}
    else:
        f |= {"degree_level": q.education or None, "graduation_year": q.year}
    return f


def _amounts(hall: str, q: HallQuery) -> tuple[int | None, int | None]:
    # Needs: 万元 in the form, 元 in the database; jobs: 元 a month on both sides.
    scale = 10_000 if hall == "needs" else 1
    lo = q.min * scale if q.min is not None else None
    hi = q.max * scale if q.max is not None else None
    return lo, hi


async def hall_page(conn: asyncpg.Connection, hall: str, q: HallQuery) -> dict[str, Any]:
    spec = HALLS[hall]
    lo, hi = _amounts(hall, q)
    rows, total = await repo.hall_page(
        conn, spec.resource, crud_filters(hall, q), sort=q.effective_sort(hall),
        limit=PER_PAGE, offset=(q.page - 1) * PER_PAGE,
        mode=q.mode or None, amount_min=lo, amount_max=hi,
    )  # fmt: skip
    pages = max(1, -(-total // PER_PAGE))
    return {"items": [card(hall, r) for r in rows], "total": total, "pages": pages}


def active_filters(hall: str, q: HallQuery) -> list[Tag]:
    """The filters in force, in words (for the page and the catalogue's heading)."""
    out: list[Tag] = []
    if q.q:
        out.append(Tag(f"关键词：{q.q}"))
    if q.city:
        out.append(Tag(f"城市：{q.city}"))
    if q.industry:
        t = industry_tag(q.industry)
        out.append(Tag(f"行业：{t.text}", t.hover) if t else Tag(q.industry))
    if q.field:
        t = field_tags([q.field])[0]
        out.append(Tag(f"学科：{t.text}", t.hover))
    if q.mode:
        out.append(Tag(f"合作方式：{q.mode}"))
    if q.kind:
        out.append(Tag(f"类型：{labels.label('capability_kind', q.kind)}"))
    if q.education:
        out.append(Tag(f"学历：{q.education}"))
    if q.year:
        out.append(Tag(f"毕业年份：{q.year}"))
    unit = "万元" if hall == "needs" else "元/月"
    if q.min is not None:
        out.append(Tag(f"金额不低于 {q.min} {unit}"))
    if q.max is not None:
        out.append(Tag(f"金额不高于 {q.max} {unit}"))
    if q.challenge:
        out.append(Tag("只看揭榜挂帅"))
    return out


async def home(conn: asyncpg.Connection) -> dict[str, Any]:
    counts = {k: await repo.count_visible(conn, s.resource) for k, s in HALLS.items()}
    challenges = await repo.count_visible(conn, needs.RESOURCE, {"is_challenge": True})
    newest, _ = await repo.hall_page(conn, needs.RESOURCE, {}, sort="newest", limit=6, offset=0)
    open_challenges, _ = await repo.hall_page(
        conn, needs.RESOURCE, {"is_challenge": True}, sort="deadline", limit=6, offset=0
    )
    return {
        "counts": counts,
        "challenges": challenges,
        "newest": [card("needs", r) for r in newest],
        "open_challenges": [card("needs", r) for r in open_challenges],
    }


# --- detail --------------------------------------------------------------------------------


def explain(
    components: dict[str, float], matched: dict[str, list[str]], engine_kind: str = "rd"
) -> dict[str, Any]:
    """A recommendation's reasons in Chinese: the components that added most to the score
    (value × the kind's default weight) and the shared terms."""
    import matching

    weights = matching.default_weights(engine_kind)

    def contribution(kv: tuple[str, float]) -> float:
        return kv[1] * float(getattr(weights, kv[0], 0.0) or 0.0)

    comps = [
        Tag(f"{labels.label('component', k)} {round(v * 100)}%", labels.hint("component", k))
        for k, v in sorted(components.items(), key=lambda kv: (-contribution(kv), kv[0]))
        if k != "policy" and v > 0
    ][:3]
    terms: list[Tag] = []
    for k, values in matched.items():
        if not values:
            continue
        shown = []
        for v in values[:5]:
            if k == "fields":
                shown.append(names.matched_field_term(v))
            else:
                shown.append(v)
        terms.append(
            Tag(f"{labels.label('matched', k)}：{'、'.join(shown)}", labels.hint("matched", k))
        )
    return {"components": comps, "terms": terms}


async def detail(
    conn: asyncpg.Connection, pool: asyncpg.Pool, recommender: Any, hall: str, ident: int
) -> dict[str, Any] | None:
    spec = HALLS[hall]
    rec = await repo.visible_one(conn, spec.resource, ident)
    if rec is None:
        return None
    similar: list[dict[str, Any]] = []
    similar_error = False
    if spec.recommend not in recommender.indexes:
        # The first index of a direction takes seconds to build: a visitor gets the record at
        # once and the recommendations on a later visit, instead of waiting for them.
        _warm(pool, recommender, spec.recommend)
        return _detail_view(hall, rec, ident, [], similar_pending=True)
    try:
        body = await recommender.recommend(pool, conn, spec.recommend, ident, 6, None)
        items = msgspec.json.decode(body)["items"]
        target = HALLS[spec.target]
        rows = await repo.visible_by_ids(conn, target.resource, [i["id"] for i in items])
        for i in items:
            if i["id"] in rows:
                c = card(spec.target, rows[i["id"]])
                c["score"] = round(i["score"] * 100)
                kind = "jobs" if hall in ("jobs", "talent") else "rd"
                c["why"] = explain(i["components"], i["matched_terms"], kind)
                similar.append(c)
    except (asyncpg.PostgresError, OSError):
        raise
    except Exception:  # noqa: BLE001 - the record itself still shows without recommendations
        log.exception("recommendations for %s %s failed", hall, ident)
        similar_error = True
    return _detail_view(hall, rec, ident, similar, similar_error=similar_error)


def _detail_view(
    hall: str,
    rec: dict[str, Any],
    ident: int,
    similar: list[dict[str, Any]],
    *,
    similar_error: bool = False,
    similar_pending: bool = False,
) -> dict[str, Any]:
    spec = HALLS[hall]
    return {
        "item": card(hall, rec),
        "similar": similar,
        "similar_error": similar_error,
        "similar_pending": similar_pending,
        "target": spec.target,
        "contact_url": f"/contact/new?target={spec.contact_kind}:{ident}",
    }


_warming: dict[tuple[int, str], asyncio.Task] = {}


def _warm(pool: asyncpg.Pool, recommender: Any, direction: str) -> None:
    """Build a direction's recommendation index in the background, once at a time."""
    key = (id(recommender), direction)
    task = _warming.get(key)
    if task is not None and not task.done():
        return

    async def build() -> None:
        from service.recommend import DIRECTIONS

        try:
            async with pool.acquire() as conn:
                await recommender.index_for(pool, conn, DIRECTIONS[direction])
        except Exception:  # noqa: BLE001 - the next visit tries again
            log.exception("building the %s recommendations failed", direction)

    _warming[key] = asyncio.create_task(build())


# --- catalogue -----------------------------------------------------------------------------


def _city_rank(city: str) -> int:
    return CITIES.index(city) if city in CITIES else len(CITIES) + (city != OUT_OF_PROVINCE)


def _industry_group(code: str | None) -> tuple[str, str]:
    """(sort key, heading) of a record's industry at the 大类 level."""
    n = names.industry(code) if code else None
    if n is None:
        return ("~", "行业未填写")
    top = n.path[:2]
    return (top[-1][0], " › ".join(name for _, name in top))


@dataclass(frozen=True)
class Entry:
    number: int
    rec: dict[str, Any]
    card: dict[str, Any]


async def catalogue(conn: asyncpg.Connection, q: HallQuery) -> dict[str, Any]:
    """The catalogue for a needs-hall filter: 揭榜挂帅榜单 then 研发需求目录, each numbered from 1
    and grouped by city, then by industry (大类)."""
    lo, hi = _amounts("needs", q)
    rows = await repo.catalogue_rows(
        conn, needs.RESOURCE, crud_filters("needs", q), limit=CATALOGUE_LIMIT,
        mode=q.mode or None, amount_min=lo, amount_max=hi,
    )  # fmt: skip
    parts = []
    for is_challenge, title in ((True, "揭榜挂帅榜单"), (False, "研发需求目录")):
        chosen = [r for r in rows if r["is_challenge"] == is_challenge]
        chosen.sort(
            key=lambda r: (
                _city_rank(r["owner_city"]),
                _industry_group(r["owner_industry"])[0],
                r["id"],
            )
        )
        cities: list[dict[str, Any]] = []
        number = 0
        for r in chosen:
            if not cities or cities[-1]["city"] != r["owner_city"]:
                cities.append({"city": r["owner_city"], "industries": []})
            heading = _industry_group(r["owner_industry"])[1]
            inds = cities[-1]["industries"]
            if not inds or inds[-1]["name"] != heading:
                inds.append({"name": heading, "entries": []})
            number += 1
            inds[-1]["entries"].append(Entry(number, r, card("needs", r)))
        if chosen:
            parts.append({"title": title, "count": len(chosen), "cities": cities})
    return {"parts": parts, "total": len(rows), "truncated": len(rows) >= CATALOGUE_LIMIT}


CATALOGUE_HEADER = [
    "序号", "类别", "城市", "行业", "行业代码", "需求名称", "发布企业", "需求描述", "关键词",
    "学科领域", "学科代码", "合作方式", "预算下限（万元）", "预算上限（万元）", "榜单金额（万元）",
    "截止日期", "详情链接",
]  # fmt: skip


def _wan(yuan: int | None) -> float | None:
    return None if yuan is None else yuan / 10_000


def catalogue_rows(cat: dict[str, Any], base_url: str) -> list[list[Any]]:
    """The catalogue as table rows (names first, codes in their own columns)."""
    out: list[list[Any]] = []
    for part in cat["parts"]:
        for city in part["cities"]:
            for ind in city["industries"]:
                for e in ind["entries"]:
                    r = e.rec
                    fields = [names.field(c) for c in r["field_codes"]]
                    out.append([
                        e.number, part["title"].removesuffix("目录").removesuffix("榜单"),
                        city["city"], names.industry_name(r["owner_industry"]),
                        r["owner_industry"] or "", r["title"], r["owner_name"], r["description"],
                        "、".join(r["keywords"]),
                        "、".join(f.name if f else c for f, c in zip(fields, r["field_codes"], strict=True)),
                        "、".join(r["field_codes"]), "、".join(r["cooperation_modes"]),
                        _wan(r.get("budget_min")), _wan(r.get("budget_max")), _wan(r.get("reward")),
                        _deadline(r), f"{base_url}/halls/needs/{r['id']}",
                    ])  # fmt: skip
    return out


def write_xlsx(sheet_title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """The one XLSX writer of the public pages: every text cell is stored as a string (never a
    formula, whatever it starts with); numbers stay numbers. The lead may swap this body for the
    shared export-escaping helper."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title[:31]

    def cells(values: list[Any]) -> list[Cell]:
        out = []
        for v in values:
            c = Cell(ws, value=None)
            if isinstance(v, str):
                c._value = v  # set directly: openpyxl would read "=…" as a formula
                c.data_type = "s"
            else:
                c.value = v
            out.append(c)
        return out

    ws.append(cells(header))
    for row in rows:
        ws.append(cells(row))
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
