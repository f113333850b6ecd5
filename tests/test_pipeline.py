"""The run pipeline as a pure function: applicants outside a demand's top k are still scored."""

import matching
from service.rounds import pipeline

NEEDS = [
    {"id": 1, "title": "煤层气高效抽采技术", "keywords": ["煤层气", "瓦斯抽采"]},
]
CAPS = [
    {"id": 10, "title": "煤层气抽采团队", "keywords": ["煤层气", "瓦斯抽采"], "capacity": 1},
    {"id": 11, "title": "煤层气地质研究", "keywords": ["煤层气"], "capacity": 1},
    {"id": 12, "title": "碳纤维复合材料", "keywords": ["碳纤维"], "capacity": 1},
]


def _snapshot(applications, pins=()):
    return {
        "kind": "open_challenge",
        "params": {
            "method": "optimal",
            "top_k": 1,
            "loads": {"demand_min": 0, "demand_max": 1, "supply_max": None},
        },
        "demands": NEEDS,
        "supplies": CAPS,
        "applications": applications,
        "pins": list(pins),
        "forbids": [],
    }


def test_an_applicant_outside_the_top_k_is_scored_and_can_win():
    # Top 1 for the need is team 10; team 12 applied but shares no word with it.
    index = matching.MatchIndex([{**c, "id": str(c["id"])} for c in CAPS], kind="rd")
    need = {**NEEDS[0], "id": "1"}
    ranking = index.rank([need], top_k=3, mode="exhaustive")[0]
    assert [p.supply_id for p in ranking.pairs][0] == "10"
    expected = {p.supply_id: p.score for p in ranking.pairs}

    out = pipeline.execute(_snapshot([{"need_id": 1, "capability_id": 12}]))
    by_supply = {c["supply_id"]: c for c in out["candidates"] if c["demand_id"] == 1}
    assert by_supply[12]["applied"] and by_supply[12]["chosen"]
    assert by_supply[12]["score"] == expected["12"]
    # The better-scoring non-applicant is listed, but only applicants can win a challenge.
    assert not by_supply[10]["chosen"]


def test_a_pinned_pair_outside_the_top_k_is_scored():
    out = pipeline.execute(_snapshot([], pins=[(1, 11)]))
    chosen = [(c["demand_id"], c["supply_id"]) for c in out["candidates"] if c["chosen"]]
    assert chosen == [(1, 11)]


def test_a_weak_applicant_stays_rankable_and_is_flagged():
    # Team 12 shares no content with the need: it can still win (it applied) but is weak.
    out = pipeline.execute(_snapshot([{"need_id": 1, "capability_id": 12}]))
    by_supply = {c["supply_id"]: c for c in out["candidates"] if c["demand_id"] == 1}
    assert by_supply[12]["weak"] and by_supply[12]["chosen"]
    assert not by_supply[10]["weak"]
