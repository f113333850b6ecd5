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
    #: Shares too little content (or, for a job, the pool is below its degree): the nearest
    #: candidate, not a recommendation.
    weak: bool = False


class Recommendations(msgspec.Struct, frozen=True, kw_only=True):
    item_id: int
    kind: str
    items: list[Recommendation]
    #: No candidate clears the minimum content relevance (没有合适的匹配): the items are the
    #: nearest ones, all weak.
    no_good_match: bool = False
