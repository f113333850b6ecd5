"""HTTP handlers of the public pages, rendered on the server (Jinja, autoescaped): the home page,
the four halls and their detail pages, the catalogue (print page and XLSX), sitemap.xml and
robots.txt. No login, no JavaScript needed; a bad query parameter gives a Chinese 400 page that
names it.
"""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import asyncpg
from litestar import MediaType, Request, Response, Router, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from service.challenges import service as challenges
from service.public import service
from service.public.params import HALL_SORTS, PER_PAGE, SORTS, BadParam, HallQuery, parse
from service.public.service import HALLS
from service.public.viewer import cache_headers, logout_form, resolve_viewer
from service.reference import ALL_CITIES, COOPERATION_MODES, EDUCATION_LEVELS, labels, names

# Same policy as the SPA shell: scripts and styles only from this origin, nothing inline.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "public, max-age=60"}
CHINA = timezone(timedelta(hours=8))
MAX_ID = 2**62


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _query(request: Request) -> dict[str, str]:
    return {k: v[-1] for k, v in request.query_params.dict().items() if v}


def _page(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> Template:
    base = _base(request)
    context = {
        "base": base,
        "canonical": context.pop("canonical", base + request.url.path),
        "halls": HALLS,
        "labels": labels,
        "names": names,
        **context,
    }
    headers = {**HEADERS, **cache_headers(request)}  # personal pages: private, no-store
    return Template(template_name=template, context=context, status_code=status, headers=headers)


def _form_options() -> dict[str, Any]:
    industries: list[dict[str, Any]] = []
    for n in names.industry_top_levels():
        if len(n.path) == 1:
            industries.append({"code": n.code, "name": n.name, "options": []})
        else:
            industries[-1]["options"].append(n)
    fields: dict[str, dict[str, Any]] = {}
    for n in names.field_top_levels():
        dept = n.path[0]
        fields.setdefault(dept[0], {"code": dept[0], "name": dept[1], "options": []})
        fields[dept[0]]["options"].append(n)
    return {
        "city_options": [(c, c) for c in ALL_CITIES],
        "mode_options": [(m, names.mode_name(m)) for m in COOPERATION_MODES],
        "edu_options": [(e, names.education_name(e)) for e in EDUCATION_LEVELS],
        "kind_options": [(k, v.label) for k, v in labels.LABELS["capability_kind"].items()],
        "industry_groups": industries,
        "field_groups": list(fields.values()),
    }


def bad_param(request: Request, exc: BadParam) -> Template:
    return _page(
        request,
        "error.html",
        {
            "status": 400,
            "heading": "查询参数有误",
            "message": f"参数 {exc.param} 无效：{exc.message}",
            "param": exc.param,
        },
        status=400,
    )


def not_found(request: Request, what: str) -> Template:
    return _page(
        request,
        "error.html",
        {"status": 404, "heading": "没有找到", "message": f"{what}不存在或未公开。", "param": None},
        status=404,
    )


@get("/")
async def home(request: Request, conn: NamedDependency[asyncpg.Connection]) -> Template:
    return _page(request, "home.html", {**await service.home(conn), **_form_options()})


@get("/halls/{hall:str}")
async def hall_list(
    request: Request, hall: FromPath[str], conn: NamedDependency[asyncpg.Connection]
) -> Template:
    if hall not in HALLS:
        return not_found(request, "该大厅")
    q = parse(hall, _query(request))
    page = await service.hall_page(conn, hall, q)
    if q.page > page["pages"] and page["total"]:
        raise BadParam("page", f"共 {page['pages']} 页，没有第 {q.page} 页")
    canonical = _base(request) + f"/halls/{hall}" + q.query_string()
    return _page(
        request,
        "hall.html",
        {
            **page,
            **_form_options(),
            "spec": HALLS[hall],
            "hall": hall,
            "q": q,
            "sort": q.effective_sort(hall),
            "sorts": [
                (s, "月薪从高到低" if hall == "jobs" and s == "amount" else SORTS[s])
                for s in HALL_SORTS[hall]
            ],
            "active": service.active_filters(hall, q),
            "per_page": PER_PAGE,
            "canonical": canonical,
            "page_links": _page_links(q, page["pages"]),
        },
    )


def _page_links(q: HallQuery, pages: int) -> list[tuple[int, str] | None]:
    """Page numbers around the current one (None = a gap), each with its query string."""
    wanted = sorted({1, pages, *range(max(1, q.page - 2), min(pages, q.page + 2) + 1)})
    out: list[tuple[int, str] | None] = []
    for i, n in enumerate(wanted):
        if i and n - wanted[i - 1] > 1:
            out.append(None)
        out.append((n, q.query_string(page=n)))
    return out


@get("/halls/{hall:str}/{item_id:int}")
async def hall_detail(
    request: Request,
    hall: FromPath[str],
    item_id: FromPath[int],
    state: State,
    conn: NamedDependency[asyncpg.Connection],
) -> Template:
    if hall not in HALLS or not 1 <= item_id < MAX_ID:
        return not_found(request, "该记录")
    view = await service.detail(conn, state.pool, state.recommender, hall, item_id)
    if view is None:
        return not_found(request, f"{HALLS[hall].noun} {item_id} ")
    return _page(request, "detail.html", {**view, "spec": HALLS[hall], "hall": hall})


@get("/catalogue")
async def catalogue_page(request: Request, conn: NamedDependency[asyncpg.Connection]) -> Template:
    q = parse("needs", _query(request))
    cat = await service.catalogue(conn, q)
    return _page(
        request,
        "catalogue.html",
        {
            **cat,
            "q": q,
            "active": service.active_filters("needs", q),
            "today": datetime.now(CHINA).date().isoformat(),
            "canonical": _base(request) + "/catalogue" + q.query_string(page=1),
        },
    )


@get("/publicity")
async def publicity_page(request: Request, conn: NamedDependency[asyncpg.Connection]) -> Template:
    """结果公示: the challenges (and listed achievements) in their publicity period, from the
    challenges service's one query; names, reward and period only, never a contact."""
    notices = await challenges.publicity(conn)
    rows = [
        {
            "title": n.title,
            "kind": "揭榜挂帅" if n.direction == "challenge" else "成果转化",
            "owner_name": n.owner_name,
            "winner_name": n.winner_name,
            "reward": service.money(n.reward) or "—",
            "period": f"{n.publicity_start.isoformat()} 至 {n.publicity_end.isoformat()}",
        }
        for n in notices
    ]
    return _page(request, "publicity.html", {"notices": rows})


@get("/catalogue.xlsx")
async def catalogue_xlsx(request: Request, conn: NamedDependency[asyncpg.Connection]) -> Response:
    q = parse("needs", _query(request))
    cat = await service.catalogue(conn, q)
    rows = service.catalogue_rows(cat, _base(request))
    body = service.write_xlsx("研发需求目录", service.CATALOGUE_HEADER, rows)
    filename = quote(labels.export_filename("catalogue", "xlsx"))
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


@get("/sitemap.xml")
async def sitemap(request: Request, conn: NamedDependency[asyncpg.Connection]) -> Response:
    base = _base(request)
    urls = [f"{base}/", *(f"{base}/halls/{h}" for h in HALLS), f"{base}/catalogue"]
    urls.append(f"{base}/publicity")
    lastmod: dict[str, str] = {}
    for h, spec in HALLS.items():
        for r in await service.repo.visible_ids(conn, spec.resource):
            url = f"{base}/halls/{h}/{r['id']}"
            urls.append(url)
            lastmod[url] = r["updated_at"].date().isoformat()
    body = ['<?xml version="1.0" encoding="UTF-8"?>']
    body.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for u in urls:
        mod = f"<lastmod>{lastmod[u]}</lastmod>" if u in lastmod else ""
        body.append(f"<url><loc>{escape(u)}</loc>{mod}</url>")
    body.append("</urlset>")
    return Response("\n".join(body), media_type=MediaType.XML)


@get("/robots.txt", sync_to_thread=False)
def robots(request: Request) -> Response:
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /api/",
        "Disallow: /login",
        "Disallow: /register",
        "Disallow: /contact/",
        # The logged-in workspace (the SPA) has nothing for a search engine.
        *(
            f"Disallow: {p}"
            for p in (
                "/workspace",
                "/enterprise",
                "/university",
                "/coordinator",
                "/round",
                "/import",
            )
        ),
        "Disallow: /catalogue.xlsx",
        f"Sitemap: {_base(request)}/sitemap.xml",
    ]
    return Response("\n".join(lines) + "\n", media_type=MediaType.TEXT)


PUBLIC_ROUTER = Router(
    path="/",
    route_handlers=[
        home,
        hall_list,
        hall_detail,
        catalogue_page,
        catalogue_xlsx,
        publicity_page,
        sitemap,
        robots,
        logout_form,
    ],
    include_in_schema=False,
    exception_handlers={BadParam: bad_param},
    before_request=resolve_viewer,
)
