"""Job openings posted by enterprises."""

from __future__ import annotations

from typing import Any

import msgspec

from service.domain.crud import (
    Filter,
    Resource,
    city_filter,
    industry_filter,
    owner_filter,
    status_filter,
    tags_filter,
)
from service.domain.needs import check_range
from service.domain.structs import patch_struct, read_struct
from service.domain.types import (
    City,
    Count,
    Education,
    Id,
    LongText,
    MonthlyYuan,
    Status,
    Terms,
    Title,
)


class JobCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    owner_id: Id
    title: Title
    description: LongText = ""
    skills: Terms = []
    majors: Terms = []
    min_education: Education
    headcount: Count = 1
    city: City
    salary_min: MonthlyYuan | None = None
    salary_max: MonthlyYuan | None = None
    status: Status = "draft"


JobPatch = patch_struct(JobCreate, "JobPatch", exclude=("owner_id",))
Job = read_struct(JobCreate, "Job", owned=True)


def validate(rec: dict[str, Any], supplied: set[str]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    check_range(rec, "salary_min", "salary_max", "月薪", errors)
    return errors


RESOURCE = Resource(
    table="job_openings",
    label="招聘岗位",
    create=JobCreate,
    patch=JobPatch,
    read=Job,
    search_fields=("title", "description", "skills", "majors"),
    filters=(
        owner_filter(),
        status_filter(),
        city_filter("city"),
        industry_filter("o.industry_code"),
        tags_filter("o.tags"),
        Filter("min_education", "min_education", type=Education, description="最低学历"),
    ),
    owner_kinds=("enterprise",),
    validate=validate,
    writer_roles=("enterprise",),
)
