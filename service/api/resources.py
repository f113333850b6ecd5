"""The five resource collections under ``/api`` and their list filters."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated, Any

from litestar.params import QueryParameter

from service.api.crud import crud_controller
from service.domain import capabilities, jobs, needs, organizations, talent_pools
from service.domain.types import CapabilityKind, City, Education, EnterpriseTag, OrgKind, Status

Q = Annotated[
    str | None,
    QueryParameter(max_length=100, description="关键词，支持中文；空格分隔的多个词需同时出现"),
]
CityQ = Annotated[City | None, QueryParameter(description="城市（11 个地级市或 省外）")]
StatusQ = Annotated[Status | None, QueryParameter(description="状态：draft | published | closed")]
OwnerQ = Annotated[int | None, QueryParameter(ge=1, le=2**62, description="发布机构 id")]
IndustryQ = Annotated[
    str | None,
    QueryParameter(max_length=8, description="GB/T 4754-2017 行业代码前缀，如 C26、C2614"),
]
FieldQ = Annotated[
    str | None, QueryParameter(max_length=8, description="国家自然科学基金申请代码前缀，如 E04")
]
TagsQ = Annotated[
    list[EnterpriseTag] | None,
    QueryParameter(max_items=5, description="企业资质标签（任一匹配），可重复传参"),
]


def organization_filters(
    q: Q = None,
    kind: Annotated[OrgKind | None, QueryParameter(description="机构类型")] = None,
    city: CityQ = None,
    industry: IndustryQ = None,
    tags: TagsQ = None,
) -> dict[str, Any]:
    return {"q": q, "kind": kind, "city": city, "industry": industry, "tags": tags}


def need_filters(
    q: Q = None,
    owner: OwnerQ = None,
    status: StatusQ = None,
    city: CityQ = None,
    industry: IndustryQ = None,
    field: FieldQ = None,
    tags: TagsQ = None,
    is_challenge: Annotated[bool | None, QueryParameter(description="只看揭榜挂帅")] = None,
) -> dict[str, Any]:
    return {
        "q": q,
        "owner": owner,
        "status": status,
        "city": city,
        "industry": industry,
        "field": field,
        "tags": tags,
        "is_challenge": is_challenge,
    }


def job_filters(
    q: Q = None,
    owner: OwnerQ = None,
    status: StatusQ = None,
    city: CityQ = None,
    industry: IndustryQ = None,
    tags: TagsQ = None,
    min_education: Annotated[Education | None, QueryParameter(description="最低学历")] = None,
) -> dict[str, Any]:
    return {
        "q": q,
        "owner": owner,
        "status": status,
        "city": city,
        "industry": industry,
        "tags": tags,
        "min_education": min_education,
    }


def capability_filters(
    q: Q = None,
    owner: OwnerQ = None,
    kind: Annotated[CapabilityKind | None, QueryParameter(description="能力类型")] = None,
    status: StatusQ = None,
    city: CityQ = None,
    field: FieldQ = None,
) -> dict[str, Any]:
    return {"q": q, "owner": owner, "kind": kind, "status": status, "city": city, "field": field}


def talent_pool_filters(
    q: Q = None,
    owner: OwnerQ = None,
    status: StatusQ = None,
    city: CityQ = None,
    degree_level: Annotated[Education | None, QueryParameter(description="学历层次")] = None,
    graduation_year: Annotated[int | None, QueryParameter(ge=1990, le=2100)] = None,
    major_code: Annotated[
        str | None, QueryParameter(max_length=8, description="专业代码前缀")
    ] = None,
) -> dict[str, Any]:
    return {
        "q": q,
        "owner": owner,
        "status": status,
        "city": city,
        "degree_level": degree_level,
        "graduation_year": graduation_year,
        "major_code": major_code,
    }


CONTROLLERS = [
    crud_controller(organizations.RESOURCE, "/api/organizations", "机构", organization_filters),
    crud_controller(needs.RESOURCE, "/api/needs", "研发需求", need_filters),
    crud_controller(jobs.RESOURCE, "/api/jobs", "招聘岗位", job_filters),
    crud_controller(capabilities.RESOURCE, "/api/capabilities", "科研能力", capability_filters),
    crud_controller(talent_pools.RESOURCE, "/api/talent-pools", "人才库", talent_pool_filters),
]
