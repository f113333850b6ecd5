"""Talent pools: a university's graduates of one major, degree level and year."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from service.domain.crud import Filter, Resource, city_filter, owner_filter, status_filter
from service.domain.structs import patch_struct, read_struct
from service.domain.types import City, Count, Education, Id, Status, Terms, Year


class TalentPoolCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    owner_id: Id
    major_name: Annotated[str, Meta(min_length=1, max_length=60)]
    # 教育部专业目录 code: 6 digits (本科 080901, optionally T/K suffix) or 4 for 学科 (0817).
    major_code: Annotated[str, Meta(pattern=r"^\d{4}(\d{2}[TK]?)?$", max_length=8)] | None = None
    degree_level: Education
    graduation_year: Year
    graduates: Count
    skills: Terms = []
    city: City
    status: Status = "published"


TalentPoolPatch = patch_struct(TalentPoolCreate, "TalentPoolPatch", exclude=("owner_id",))
TalentPool = read_struct(TalentPoolCreate, "TalentPool", owned=True)


RESOURCE = Resource(
    table="talent_pools",
    label="人才库",
    create=TalentPoolCreate,
    patch=TalentPoolPatch,
    read=TalentPool,
    search_fields=("major_name", "skills"),
    filters=(
        owner_filter(),
        status_filter(),
        city_filter("city"),
        Filter("degree_level", "degree_level", type=Education, description="学历层次"),
        Filter("graduation_year", "graduation_year", type=int, ge=1990, le=2100),
        Filter("major_code", "major_code", "prefix", max_length=8, description="专业代码前缀"),
    ),
    owner_kinds=("university",),
    writer_roles=("university",),
)
