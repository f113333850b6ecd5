"""Reusable constrained types for request and response Structs.

Every string and list has a maximum length, so no request can make the service hold or store an
unbounded value; closed vocabularies are ``Literal`` so an unknown value fails at decode time with
the field's name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

City = Literal[
    "太原", "大同", "朔州", "忻州", "阳泉", "吕梁", "晋中", "长治", "晋城", "临汾", "运城", "省外"
]
OrgKind = Literal["enterprise", "university", "institute", "agency"]
Status = Literal["draft", "published", "closed"]
Education = Literal["大专", "本科", "硕士", "博士"]
CapabilityKind = Literal["expertise", "achievement", "equipment"]
CooperationMode = Literal[
    "委托开发", "合作开发", "技术转让", "技术许可", "技术咨询", "技术服务", "共建研发平台"
]
EnterpriseTag = Literal[
    "专精特新", '专精特新"小巨人"', "高新技术企业", "科技型中小企业", "创新型中小企业"
]

Name = Annotated[str, Meta(min_length=1, max_length=100)]
Title = Annotated[str, Meta(min_length=1, max_length=120)]
LongText = Annotated[str, Meta(max_length=5000)]
ShortText = Annotated[str, Meta(max_length=200)]
Term = Annotated[str, Meta(min_length=1, max_length=40)]
Terms = Annotated[list[Term], Meta(max_length=30)]
Code = Annotated[str, Meta(min_length=1, max_length=16)]
Codes = Annotated[list[Code], Meta(max_length=10)]
Modes = Annotated[list[CooperationMode], Meta(max_length=7)]
Tags = Annotated[list[EnterpriseTag], Meta(max_length=5)]
Yuan = Annotated[int, Meta(ge=0, le=100_000_000_000)]
MonthlyYuan = Annotated[int, Meta(ge=0, le=10_000_000)]
Count = Annotated[int, Meta(ge=1, le=100_000)]
Capacity = Annotated[int, Meta(ge=1, le=1000)]
Year = Annotated[int, Meta(ge=1990, le=2100)]
CreditCode = Annotated[str, Meta(min_length=1, max_length=32)]
Phone = Annotated[str, Meta(max_length=40)]
Url = Annotated[str, Meta(max_length=300)]
Id = Annotated[int, Meta(ge=1, le=2**62)]
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]

UNSET = msgspec.UNSET
UnsetType = msgspec.UnsetType

__all__ = [
    "UNSET",
    "Capacity",
    "CapabilityKind",
    "City",
    "Code",
    "Codes",
    "CooperationMode",
    "Count",
    "CreditCode",
    "Education",
    "Email",
    "EnterpriseTag",
    "Id",
    "LongText",
    "Modes",
    "MonthlyYuan",
    "Name",
    "OrgKind",
    "Phone",
    "ShortText",
    "Status",
    "Tags",
    "Term",
    "Terms",
    "Title",
    "UnsetType",
    "Url",
    "Year",
    "Yuan",
    "date",
    "datetime",
]


class Page(msgspec.Struct, frozen=True, kw_only=True):
    """Pagination envelope shared by every list endpoint."""

    total: int
    limit: int
    offset: int
