"""Engine: hand-computed cases, properties, candidate vs exhaustive agreement, errors."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import (
    InvalidRecordError,
    InvalidWeightsError,
    MatchIndex,
    MatchingError,
    ScoredPair,
    default_weights,
    match,
)

VOCAB = [
    "煤层气",
    "稀土永磁",
    "碳纤维",
    "氢燃料电池",
    "大数据分析",
    "视觉检测",
    "锂电池",
    "焦化",
    "光伏",
    "储能",
    "传感器",
    "数控机床",
    "python",
    "sql",
    "污水处理",
    "复合材料",
]
CITIES = ["太原", "大同", "长治", "省外", None]
MODES = ["委托开发", "合作开发", "技术转让", "技术许可", "技术咨询", "技术服务", "共建研发平台"]


def rd_record(draw_id, words, city, modes, fields):
    rec = {
        "id": draw_id,
        "title": "".join(words[:2]) or "项目",
        "description": "，".join(words),
        "keywords": words[:3],
        "cooperation_modes": modes,
        "field_codes": fields,
    }
    if city:
        rec["city"] = city
    return rec


words_st = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=5, unique=True)
rec_st = st.tuples(
    words_st,
    st.sampled_from(CITIES),
    st.lists(st.sampled_from(MODES), max_size=2, unique=True),
    st.lists(st.sampled_from(["E04", "E0401", "F02", "F0201", "B01"]), max_size=2, unique=True),
)


def records(prefix, raw):
    return [rd_record(f"{prefix}{i}", *r) for i, r in enumerate(raw)]


def test_minimal_records_work_for_both_kinds():
    d = [{"id": "d1", "title": "视觉检测设备研发", "description": "", "keywords": ["视觉检测"]}]
    s = [
        {"id": "s1", "title": "机器视觉检测团队", "description": "工业相机", "keywords": []},
        {"id": "s2", "title": "焦化废水处理", "description": "", "keywords": ["污水处理"]},
    ]
    for kind in ("rd", "jobs"):
        res = match(d, s, kind=kind, top_k=2)
        assert [p.supply_id for p in res[0].pairs] == ["s1", "s2"]
        top = res[0].pairs[0]
        assert isinstance(top, ScoredPair) and top.rank == 1
        assert "视觉检测" in top.matched_terms.keywords
        assert set(top.components) >= {"text", "fuzzy", "policy"}
        with pytest.raises(AttributeError):
            top.score = 1.0  # frozen


def test_hand_computed_text_and_region_components():
    # One shared token out of one each side: text coverage 1 both ways; same city.
    d = [{"id": "d", "title": "焦化", "city": "太原"}]
    s = [{"id": "s", "title": "焦化", "city": "太原"}]
    w = {"fuzzy": 0.0, "chars": 0.0, "field": 0.0, "mode": 0.0, "policy": 0.0}
    p = match(d, s, weights=w)[0].pairs[0]
    assert p.components["text"] == pytest.approx(1.0)
    assert p.components["region"] == 1.0
    assert p.score == pytest.approx(1.0)
    # Same province, different city: (0.45·1 + 0.10·0.6) / 0.55.
    s2 = [{"id": "s", "title": "焦化", "city": "大同"}]
    p = match(d, s2, weights=w)[0].pairs[0]
    assert p.score == pytest.approx((0.45 + 0.10 * 0.6) / 0.55, abs=1e-6)
    s3 = [{"id": "s", "title": "焦化", "city": "省外"}]
    assert match(d, s3, weights=w)[0].pairs[0].components["region"] == 0.2


def test_hand_computed_chars_component():
    # Supplies 生产力 and 焦化: idf over 2 supplies, ln(1 + 2/1) for every character they
    # hold. The demand 小生产 shares 生, 产 with the first; 小 is in no supply, so it weighs
    # ln(1 + 2) as the rarest known character would. Counts are 1: sublinear weight 1 each.
    # cos = (2 · idf²) / (sqrt(3 · idf²) · sqrt(3 · idf²)) = 2/3.
    s = [{"id": "a", "title": "生产力"}, {"id": "b", "title": "焦化"}]
    d = [{"id": "d", "title": "小生产"}]
    w = {"text": 0.0, "fuzzy": 0.0, "chars": 1.0, "field": 0.0, "mode": 0.0, "policy": 0.0}
    pairs = {p.supply_id: p for p in match(d, s, weights=w, top_k=2)[0].pairs}
    assert pairs["a"].components["chars"] == pytest.approx(2 / 3, abs=1e-4)
    assert pairs["a"].score == pytest.approx(2 / 3, abs=1e-4)
    assert pairs["b"].components["chars"] == 0.0
    # Without the unknown 小 the texts share all their known characters' weight but one.
    d2 = [{"id": "d", "title": "生产"}]
    p2 = match(d2, s, weights=w, top_k=1)[0].pairs[0]
    assert p2.components["chars"] == pytest.approx(2 / (math.sqrt(2) * math.sqrt(3)), abs=1e-4)


def test_policy_boost_multiplies():
    d = [{"id": "d", "title": "焦化", "tags": ["专精特新"]}, {"id": "e", "title": "焦化"}]
    s = [{"id": "s", "title": "焦化"}]
    res = match(d, s)
    assert res[0].pairs[0].components["policy"] == 1.0
    assert res[1].pairs[0].components["policy"] == pytest.approx(0.9)
    assert res[1].pairs[0].score == pytest.approx(0.9 * res[0].pairs[0].score, rel=1e-6)


def test_fields_exact_hierarchy_and_inferred():
    s = [
        {"id": "a", "title": "高分子材料", "field_codes": ["E0301"]},
        {"id": "b", "title": "高分子材料", "field_codes": ["E0302"]},
        {"id": "c", "title": "高分子材料", "field_codes": ["E05"]},
        {"id": "d", "title": "高分子材料", "field_codes": ["F01"]},
    ]
    res = match([{"id": "x", "title": "高分子", "field_codes": ["E0301"]}], s, top_k=4)
    f = {p.supply_id: p.components["field"] for p in res[0].pairs}
    assert f == {"a": 1.0, "b": 0.6, "c": 0.3, "d": 0.0}
    # Without codes, a code that reaches no discipline (an organisation's own label) is
    # inferred from supply centroids.
    s2 = [
        {"id": "m1", "title": "煤层气抽采", "field_codes": ["K1"]},
        {"id": "m2", "title": "瓦斯抽采 煤层气", "field_codes": ["K1"]},
        {"id": "b1", "title": "锂电池正极", "field_codes": ["K2"]},
    ]
    top = match([{"id": "x", "title": "煤层气开发"}], s2, top_k=3)[0].pairs
    assert top[0].matched_terms.fields == ("K1(推断)",)
    assert top[-1].supply_id == "b1" and top[-1].components["field"] == 0.0


def test_jobs_components():
    d = [
        {
            "id": "j",
            "title": "数据分析师",
            "skills": ["SQL", "Python"],
            "majors": ["统计学"],
            "min_education": "硕士",
            "headcount": 4,
            "city": "太原",
        }
    ]
    s = [
        {
            "id": "t1",
            "major_name": "统计学",
            "degree_level": "硕士",
            "graduates": 2,
            "skills": ["sql", "python"],
            "city": "太原",
        },
        {
            "id": "t2",
            "major_name": "统计学",
            "degree_level": "本科",
            "graduates": 40,
            "skills": ["excel"],
            "city": "大同",
        },
    ]
    res = match(d, s, kind="jobs", top_k=2)[0].pairs
    c = {p.supply_id: p.components for p in res}
    assert c["t1"]["education"] == 1.0 and c["t2"]["education"] == 0.25
    assert c["t1"]["capacity"] == 0.5 and c["t2"]["capacity"] == 1.0
    assert c["t1"]["major"] == 1.0
    assert c["t1"]["skills"] == pytest.approx(1.0) and c["t2"]["skills"] == 0.0
    assert res[0].supply_id == "t1"
    assert res[0].matched_terms.skills == ("SQL", "Python")
    assert res[0].matched_terms.majors == ("统计学",)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rec_st, min_size=1, max_size=4), st.lists(rec_st, min_size=1, max_size=12))
def test_scores_in_unit_interval(dem, sup):
    for r in match(records("d", dem), records("s", sup), top_k=5, mode="exhaustive"):
        for p in r.pairs:
            assert 0.0 <= p.score <= 1.0
            assert all(0.0 <= v <= 1.0 for v in p.components.values())


@settings(max_examples=40, deadline=None)
@given(rec_st, st.lists(rec_st, min_size=1, max_size=6), st.data())
def test_adding_matching_keyword_never_lowers_text(dem, sup, data):
    supplies = records("s", sup)
    j = data.draw(st.integers(0, len(supplies) - 1))
    kw = data.draw(st.sampled_from(supplies[j]["keywords"]))
    d = rd_record("d", *dem)
    idx = MatchIndex(supplies)
    before = {p.supply_id: p.components["text"] for p in idx.query(d, top_k=len(supplies))}
    d2 = {**d, "keywords": [*d["keywords"], kw]}
    after = {p.supply_id: p.components["text"] for p in idx.query(d2, top_k=len(supplies))}
    assert after[supplies[j]["id"]] >= before[supplies[j]["id"]] - 1e-9


@settings(max_examples=25, deadline=None)
@given(st.lists(rec_st, min_size=1, max_size=5), st.lists(rec_st, min_size=1, max_size=30))
def test_candidates_agree_with_exhaustive(dem, sup):
    d = records("d", dem)
    # 1. The costly stage (fuzzy, chars) prunes by an upper bound: with every supply a
    #    candidate, the top k must equal exhaustive scoring exactly.
    idx = MatchIndex(records("s", sup), candidates=1000, fuzzy_candidates=2, extra_cap=10_000)
    a = idx.rank(d, 3)
    b = idx.rank(d, 3, mode="exhaustive")
    for ra, rb in zip(a, b, strict=True):
        assert [p.score for p in ra.pairs] == [p.score for p in rb.pairs]
    # 2. A small final pool forces the candidate funnel, which ranks sharers by the cheap
    #    components only: scores never exceed exhaustive ones, and without costly
    #    components (which the funnel cannot see) the wide pool (4 × candidates) holds every
    #    sharer, so only non-sharers can be missed.
    idx = MatchIndex(records("s", sup), candidates=8, fuzzy_candidates=2, extra_cap=10_000)
    for weights in (None, {"fuzzy": 0.0, "chars": 0.0}):
        a = idx.rank(d, 3, weights=weights)
        b = idx.rank(d, 3, weights=weights, mode="exhaustive")
        for ra, rb in zip(a, b, strict=True):
            sa = [p.score for p in ra.pairs]
            sb = [p.score for p in rb.pairs]
            assert len(sa) == len(sb)
            for x, y in zip(sa, sb, strict=True):
                assert x <= y + 1e-9
            shared_any = [p for p in rb.pairs if p.components["text"] > 0]
            if weights is not None and len(shared_any) == len(rb.pairs):
                assert sa == pytest.approx(sb)


def test_text_component_matches_independent_oracle():
    # Oracle: the coverage formula written out with dicts (no sparse matrices, no pruning).
    from matching.terms import NOISE_WEIGHT, is_noise
    from matching.text import features, tokenize

    sup = [rd_record(f"s{i}", VOCAB[i : i + 4], None, [], []) for i in range(12)]
    d = rd_record("d", ["煤层气", "碳纤维", "视觉检测", "光伏"], None, [], [])

    def feats(r):
        # Largest field weight of each feature, times the BM25-style saturation
        # (k1 + 1)·c / (k1 + c) of its number of occurrences c (k1 = 1.2).
        out: dict[str, float] = {}
        count: dict[str, int] = {}
        for text, w in [
            (r["title"], 1.0),
            *[(k, 1.0) for k in r["keywords"]],
            (r["description"], 0.7),
        ]:
            toks = tokenize(text)
            for t, v in features(toks, w).items():
                out[t] = max(out.get(t, 0.0), v)
            for tok in toks:
                for t in features([tok]):
                    count[t] = count.get(t, 0) + 1
        # Generic words, numbers and units weigh NOISE_WEIGHT (matching.terms).
        return {
            t: v * 2.2 * count[t] / (1.2 + count[t]) * (NOISE_WEIGHT if is_noise(t) else 1.0)
            for t, v in out.items()
        }

    sf = [feats(s) for s in sup]
    df: dict[str, int] = {}
    for f in sf:
        for t in f:
            df[t] = df.get(t, 0) + 1
    n = len(sup)

    def idf(t):
        return math.log1p(n / df.get(t, 1)) if t in df else math.log1p(n)

    qf = feats(d)
    expected = {}
    for s, f in zip(sup, sf, strict=True):
        cd = sum(w * idf(t) for t, w in qf.items() if t in f) / sum(
            w * idf(t) for t, w in qf.items()
        )
        cs = sum(w * idf(t) for t, w in f.items() if t in qf) / sum(
            w * idf(t) for t, w in f.items()
        )
        expected[s["id"]] = cd**0.7 * cs**0.3
    got = {p.supply_id: p.components["text"] for p in match([d], sup, top_k=n)[0].pairs}
    assert got == pytest.approx({k: round(v, 4) for k, v in expected.items()}, abs=1e-4)


def test_errors_name_the_culprit():
    with pytest.raises(InvalidRecordError, match=r"第 2 条.*id='x'"):
        match([{"id": "a", "title": "t"}, {"id": "x", "title": 5}], [{"id": "s", "title": "t"}])
    with pytest.raises(InvalidRecordError, match="unknown"):
        match([{"id": "a", "title": "t", "colour": "red"}], [{"id": "s", "title": "t"}])
    with pytest.raises(InvalidRecordError, match="重复"):
        match([{"id": "a", "title": "t"}], [{"id": "s", "title": "t"}, {"id": "s", "title": "u"}])
    with pytest.raises(InvalidRecordError, match="title"):
        match([{"id": "a", "title": " "}], [{"id": "s", "title": "t"}])
    with pytest.raises(InvalidWeightsError, match="text"):
        match([{"id": "a", "title": "t"}], [{"id": "s", "title": "t"}], weights={"text": -1})
    with pytest.raises(MatchingError):
        match([{"id": "a", "title": "t"}], [{"id": "s", "title": "t"}], mode="fast")
    with pytest.raises(MatchingError):
        match([{"id": "a", "title": "t"}], [{"id": "s", "title": "t"}], top_k=0)
    assert issubclass(InvalidRecordError, MatchingError)


def test_weights_override_is_partial_and_validated():
    w = default_weights("rd")
    assert msgspec.structs.replace(w, region=0.0).region == 0.0
    d = [{"id": "d", "title": "焦化", "city": "太原"}]
    s = [{"id": "s", "title": "焦化", "city": "大同"}]
    p = match(d, s, weights={"region": 0.0})[0].pairs[0]
    assert "region" not in p.components


def test_empty_and_odd_inputs():
    assert match([], [{"id": "s", "title": "t"}]) == []
    r = match([{"id": "d", "title": "t"}], [])
    assert r[0].pairs == ()
    odd = [
        {"id": "e", "title": "😀😀", "description": "\x00\x01"},
        {"id": "f", "title": "Gas turbine blade cooling"},
        {"id": "g", "title": "煤" * 500, "description": "碳纤维" * 30000},
    ]
    res = match(odd, [{"id": "s", "title": "turbine 叶片"}, {"id": "t", "title": "碳纤维"}])
    assert [r.demand_id for r in res] == ["e", "f", "g"]
    assert res[1].pairs[0].supply_id == "s"
    assert all(math.isfinite(p.score) for r in res for p in r.pairs)


def test_library_is_pure():
    root = Path(__file__).resolve().parents[2] / "matching"
    banned = {"litestar", "asyncpg"}
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & banned, path


@settings(max_examples=25, deadline=None)
@given(
    st.lists(rec_st, min_size=1, max_size=4),
    st.lists(rec_st, min_size=1, max_size=10),
    st.data(),
)
def test_score_given_pairs_equals_their_ranking(dem, sup, data):
    # Scoring chosen pairs alone gives what an exhaustive ranking gives those pairs.
    demands, supplies = records("d", dem), records("s", sup)
    idx = MatchIndex(supplies)
    full = {
        (p.demand_id, p.supply_id): p
        for r in idx.rank(demands, top_k=len(supplies), mode="exhaustive")
        for p in r.pairs
    }
    all_pairs = sorted(full)
    wanted = data.draw(st.lists(st.sampled_from(all_pairs), min_size=1, max_size=12))
    got = idx.score(demands, wanted)
    assert [(p.demand_id, p.supply_id) for p in got] == wanted
    for p in got:
        ref = full[(p.demand_id, p.supply_id)]
        assert p.score == ref.score
        assert p.components == ref.components
        assert p.matched_terms == ref.matched_terms
    # rank: place among the given pairs of the demand, best score first.
    for d in {d for d, _ in wanted}:
        mine = {p.supply_id: p for p in got if p.demand_id == d}
        ordered = sorted(mine.values(), key=lambda p: p.rank)
        assert [p.rank for p in ordered] == list(range(1, len(mine) + 1))
        assert all(a.score >= b.score for a, b in zip(ordered, ordered[1:], strict=False))


def test_score_names_bad_pairs():
    idx = MatchIndex([{"id": "s1", "title": "焦化"}])
    d = [{"id": "d1", "title": "焦化工艺"}]
    assert idx.score(d, []) == []
    with pytest.raises(MatchingError, match="'d9'"):
        idx.score(d, [("d1", "s1"), ("d9", "s1")])
    with pytest.raises(MatchingError, match="'s9'"):
        idx.score(d, [("d1", "s9")])
    with pytest.raises(MatchingError, match="第 1 个配对"):
        idx.score(d, [("d1",)])
