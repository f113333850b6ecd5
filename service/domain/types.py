"""Reusable constrained types for request and response Structs.

Every string and list has a maximum length, so no request can make the service hold or store an
unbounded value; closed vocabularies are ``Literal`` so an unknown value fails at decode time with
the field's name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

# The closed vocabularies are declared once, in matching/vocab.py (the SQL CHECKs list the same).
from matching.vocab import (
    CapabilityKind,
    City,
    CooperationMode,
    Education,
    EnterpriseTag,
    OrgKind,
    Status,
)

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
