"""Capabilities published by universities and institutes: expert teams, achievements and
patents, shared equipment."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from service.domain.crud import (
    Filter,
    Resource,
    city_filter,
    field_filter,
    owner_filter,
    status_filter,
)
from service.domain.needs import check_field_codes
from service.domain.structs import patch_struct, read_struct
from service.domain.types import (
    CapabilityKind,
    Capacity,
    Codes,
    Id,
    LongText,
    Modes,
    ShortText,
    Status,
    Terms,
    Title,
    Yuan,
)

# Two-way 揭榜: how an achievement may be taken up.
ListingMode = Literal["转让", "许可", "作价入股"]

# ZL + 12 digits (application number since 2003) + "." + check digit, e.g. ZL202110123456.7;
# older 8-digit numbers are accepted too.
PATENT_NUMBER = re.compile(r"^(ZL)?(\d{12}|\d{8})\.[\dX]$")


class CapabilityCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    owner_id: Id
    kind: CapabilityKind
    title: Title
    description: LongText = ""
    keywords: Terms = []
    field_codes: Codes = []
    cooperation_modes: Modes = []
    capacity: Capacity = 1
    patent_number: Annotated[str, Meta(max_length=20)] | None = None
    contact: ShortText | None = None
    status: Status = "draft"
    # Listed for take-up (成果转化, two-way 揭榜) when listing_modes is not empty.
    listing_modes: Annotated[list[ListingMode], Meta(max_length=3)] = []
    asking_price: Yuan | None = None
    listing_terms: Annotated[str, Meta(max_length=2000)] | None = None


CapabilityPatch = patch_struct(CapabilityCreate, "CapabilityPatch", exclude=("owner_id",))
Capability = read_struct(CapabilityCreate, "Capability", owned=True)


def validate(rec: dict[str, Any], supplied: set[str]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    check_field_codes(rec, errors)
    if rec.get("patent_number"):
        rec["patent_number"] = rec["patent_number"].upper().replace(" ", "")
        if rec["kind"] != "achievement":
            errors.append(("patent_number", "只有科技成果（kind=achievement）可以填写专利号"))
        elif not PATENT_NUMBER.match(rec["patent_number"]):
            errors.append(
                (
                    "patent_number",
                    f"专利号 {rec['patent_number']} 格式不正确，应形如 ZL202110123456.7",
                )
            )
    if rec.get("listing_modes") and rec["kind"] != "achievement":
        errors.append(("listing_modes", "只有科技成果（kind=achievement）可以挂牌转化"))
    if not rec.get("listing_modes"):
        for name in ("asking_price", "listing_terms"):
            if rec.get(name) is not None:
                errors.append((name, "挂牌转化须先选择转化方式（listing_modes）"))
    return errors


RESOURCE = Resource(
    table="capabilities",
    label="科研能力",
    create=CapabilityCreate,
    patch=CapabilityPatch,
    read=Capability,
    search_fields=("title", "description", "keywords"),
    filters=(
        owner_filter(),
        Filter("kind", "kind", type=CapabilityKind, description="能力类型"),
        status_filter(),
        city_filter("o.city"),
        field_filter(),
    ),
    owner_kinds=("university", "institute"),
    validate=validate,
    writer_roles=("university",),
    private_fields=("contact",),
)
