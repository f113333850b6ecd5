"""Response Structs of the recommendations."""

from __future__ import annotations

import msgspec


class Recommendation(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    owner_id: int
    owner_name: str
    city: str
    rank: int
    score: float
    components: dict[str, float]
    matched_terms: dict[str, list[str]]


class Recommendations(msgspec.Struct, frozen=True, kw_only=True):
    item_id: int
    kind: str
    items: list[Recommendation]
