"""Derive the PATCH and response Structs of a resource from its create Struct, so the three
never drift apart: a PATCH body has every field optional (absent = unchanged), a response is
frozen and adds the server-owned fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

SERVER_FIELDS: list[tuple[str, Any]] = [
    ("id", int),
    ("version", int),
    ("created_at", datetime),
    ("updated_at", datetime),
]
OWNER_FIELDS: list[tuple[str, Any]] = [
    ("owner_name", str),
    ("owner_city", str),
]


def patch_struct(create: type[msgspec.Struct], name: str, exclude: tuple[str, ...] = ()) -> type:
    fields = [
        (f.name, f.type | msgspec.UnsetType, msgspec.UNSET)
        for f in msgspec.structs.fields(create)
        if f.name not in exclude
    ]
    return msgspec.defstruct(
        name, fields, kw_only=True, forbid_unknown_fields=True, module=create.__module__
    )


def read_struct(
    create: type[msgspec.Struct],
    name: str,
    owned: bool,
    extra: tuple[tuple[str, Any], ...] = (),
) -> type:
    """``extra`` adds server-owned fields (e.g. a review state) after the create fields."""
    fields: list[Any] = list(SERVER_FIELDS[:1])
    for f in msgspec.structs.fields(create):
        fields.append((f.name, f.type))
    fields += list(extra)
    if owned:
        fields += OWNER_FIELDS
    fields += SERVER_FIELDS[1:]
    return msgspec.defstruct(name, fields, kw_only=True, frozen=True, module=create.__module__)
