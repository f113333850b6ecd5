"""Organizations: enterprises (SMEs), universities, research institutes and agencies."""

from __future__ import annotations

from typing import Any

import msgspec

from service.domain.crud import Filter, Resource, city_filter, industry_filter, tags_filter
from service.domain.structs import patch_struct, read_struct
from service.domain.types import (
    City,
    Code,
    CreditCode,
    Email,
    LongText,
    Name,
    OrgKind,
    Phone,
    ShortText,
    Tags,
    Url,
)
from service.reference import credit_code_problem, normalize_industry_code


class OrganizationCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: OrgKind
    name: Name
    credit_code: CreditCode | None = None
    city: City
    industry_code: Code | None = None
    tags: Tags = []
    description: LongText = ""
    contact_name: ShortText | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    website: Url | None = None


OrganizationPatch = patch_struct(OrganizationCreate, "OrganizationPatch", exclude=("kind",))
Organization = read_struct(OrganizationCreate, "Organization", owned=False)


# Only coordinators and admins change these; ``kind`` never changes once created.
STAFF_FIELDS = ("name", "credit_code", "city", "tags")


def validate(rec: dict[str, Any], supplied: set[str]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if rec.get("credit_code"):
        rec["credit_code"] = rec["credit_code"].upper()
        problem = credit_code_problem(rec["credit_code"])
        if problem:
            errors.append(("credit_code", problem))
    elif rec["kind"] == "enterprise":
        errors.append(("credit_code", "企业必须填写 18 位统一社会信用代码"))
    if rec.get("industry_code"):
        code = normalize_industry_code(rec["industry_code"])
        if code is None:
            errors.append(
                ("industry_code", f"行业代码 {rec['industry_code']} 不在 GB/T 4754-2017 中")
            )
        else:
            rec["industry_code"] = code
    if rec.get("tags") and rec["kind"] != "enterprise":
        errors.append(("tags", "只有企业可以标注专精特新等资质标签"))
    return errors


RESOURCE = Resource(
    table="organizations",
    label="机构",
    create=OrganizationCreate,
    patch=OrganizationPatch,
    read=Organization,
    search_fields=("name", "description", "tags"),
    filters=(
        Filter("kind", "kind", type=OrgKind, description="机构类型"),
        city_filter("city"),
        industry_filter("industry_code"),
        tags_filter("tags"),
    ),
    validate=validate,
    private_fields=("contact_name", "contact_phone", "contact_email"),
    # They decide who a round's scope takes in (city, tags) and who the organization is.
    staff_fields=STAFF_FIELDS,
)
