"""Database rows → engine records, in one place.

A round's run and the recommendations outside rounds both hand published records to
:class:`matching.MatchIndex`. The rows come from two queries (a round's participants, with the
owner's columns as ``org_*``; the recommendation collections, with them as ``owner_*``), but what
a record *is* to the engine is decided here:

- :func:`snapshot_record` turns a participant row into the record a run's snapshot stores;
- :func:`engine_record` turns a snapshot record into the engine's record of its side;
- :func:`as_demand` / :func:`as_supply` turn a recommendation row into the engine's record of
  its direction (reverse directions use the other side's shape of the same engine kind).

The talent-pool title, major（degree，year届）, is :func:`pool_title` in Python and
:data:`POOL_TITLE_SQL` in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The engine's fields per (engine kind, side), in a round's run.
RD_DEMAND_FIELDS = (
    "title", "description", "keywords", "field_codes", "cooperation_modes", "city",
    "industry_code", "tags", "budget_min", "budget_max",
)  # fmt: skip
RD_SUPPLY_FIELDS = (
    "title", "description", "keywords", "field_codes", "cooperation_modes", "city", "capacity",
    "kind", "documents",
)  # fmt: skip
JOB_FIELDS = (
    "title", "description", "skills", "majors", "min_education", "headcount", "city",
    "industry_code", "tags",
)  # fmt: skip
POOL_FIELDS = (
    "title", "major_name", "major_code", "degree_level", "graduation_year", "graduates", "skills",
    "city",
)  # fmt: skip
FIELDS = {
    ("rd", "demand"): RD_DEMAND_FIELDS,
    ("rd", "supply"): RD_SUPPLY_FIELDS,
    ("jobs", "demand"): JOB_FIELDS,
    ("jobs", "supply"): POOL_FIELDS,
}
ENGINE_KIND = {"open_challenge": "rd", "recruitment_fair": "jobs"}

# A talent pool's title in SQL, for a table alias: ``POOL_TITLE_SQL.format(t="p")``.
POOL_TITLE_SQL = (
    "{t}.major_name || '（' || {t}.degree_level || '，' || {t}.graduation_year || '届）'"
)

# Participant-row columns a snapshot record leaves out.
SNAPSHOT_SKIP = {
    "search_text", "demo_key", "created_at", "updated_at", "version", "by_scope",
    "by_registration", "org_city", "org_industry", "org_tags", "org_kind", "org_id", "org_name",
}  # fmt: skip


def pool_title(r: Mapping[str, Any]) -> str:
    """A talent pool's title: ``计算机科学与技术（本科，2027届）``.

    >>> pool_title({"major_name": "食品科学与工程", "degree_level": "硕士", "graduation_year": 2026})
    '食品科学与工程（硕士，2026届）'
    """
    return f"{r['major_name']}（{r['degree_level']}，{r['graduation_year']}届）"


def item_title(kind: str, side: str, r: Mapping[str, Any], owner_name: str) -> str:
    """The title a run shows for a participant: a talent pool is named with its university."""
    if kind == "recruitment_fair" and side == "supply":
        return f"{owner_name} {pool_title(r)}"
    return r["title"]


def snapshot_record(kind: str, side: str, r: Mapping[str, Any]) -> dict[str, Any]:
    """A participant row (``t.*`` plus ``org_*``) as the record a run's snapshot stores."""
    d = {k: r[k] for k in r.keys() if k not in SNAPSHOT_SKIP}  # noqa: SIM118 - asyncpg.Record
    d["city"] = r["city"] if "city" in r.keys() and r["city"] else r["org_city"]  # noqa: SIM118
    d["industry_code"] = r["org_industry"]
    d["tags"] = list(r["org_tags"] or [])
    d["owner_name"] = r["org_name"]
    d["title"] = item_title(kind, side, r, r["org_name"])
    if d.get("deadline") is not None:
        d["deadline"] = d["deadline"].isoformat()
    return d


def engine_record(rec: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A snapshot record as the engine's record: its id as text and the non-empty ``fields``."""
    out: dict[str, Any] = {"id": str(rec["id"])}
    for f in fields:
        v = rec.get(f)
        if v is not None and v != []:
            out[f] = v
    return out


def _city(r: Mapping[str, Any]) -> str:
    return r.get("city") or r["owner_city"]


def as_demand(table: str, r: Mapping[str, Any]) -> dict[str, Any]:
    """A recommendation row (``t.*`` plus ``owner_*``) as the engine's demand record."""
    base = {"id": str(r["id"]), "city": _city(r)}
    if table == "rd_needs":
        return base | {
            "title": r["title"], "description": r["description"], "keywords": r["keywords"],
            "field_codes": r["field_codes"], "cooperation_modes": r["cooperation_modes"],
            "industry_code": r["owner_industry"], "tags": list(r["owner_tags"] or []),
        }  # fmt: skip
    if table == "capabilities":  # reverse: a capability asks for needs
        return base | {
            "title": r["title"], "description": r["description"], "keywords": r["keywords"],
            "field_codes": r["field_codes"], "cooperation_modes": r["cooperation_modes"],
        }  # fmt: skip
    if table == "job_openings":
        return base | {
            "title": r["title"], "description": r["description"], "skills": r["skills"],
            "majors": r["majors"], "min_education": r["min_education"], "headcount": r["headcount"],
            "industry_code": r["owner_industry"], "tags": list(r["owner_tags"] or []),
        }  # fmt: skip
    # reverse: a talent pool asks for jobs
    return base | {"title": r["major_name"], "skills": r["skills"], "majors": [r["major_name"]]}


def as_supply(table: str, r: Mapping[str, Any]) -> dict[str, Any]:
    """A recommendation row (``t.*`` plus ``owner_*``) as the engine's supply record."""
    base = {"id": str(r["id"]), "city": _city(r)}
    if table in ("capabilities", "rd_needs"):
        return base | {
            "title": r["title"], "description": r["description"], "keywords": r["keywords"],
            "field_codes": r["field_codes"], "cooperation_modes": r["cooperation_modes"],
        } | ({"documents": r["documents"]} if r.get("documents") else {})  # fmt: skip
    if table == "talent_pools":
        return base | {
            "title": pool_title(r), "major_name": r["major_name"], "major_code": r["major_code"],
            "degree_level": r["degree_level"], "graduation_year": r["graduation_year"],
            "graduates": r["graduates"], "skills": r["skills"],
        }  # fmt: skip
    # reverse: jobs in the talent-pool shape
    return base | {
        "title": r["title"],
        "major_name": (r["majors"] or [r["title"]])[0][:40],
        "skills": r["skills"],
    }


def owner_city(r: Mapping[str, Any]) -> str:
    """A recommendation row's city: its own, else its owner's."""
    return _city(r)
