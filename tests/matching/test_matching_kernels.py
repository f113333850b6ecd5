"""Vectorised kernels and the parallel path of the engine, against brute-force oracles."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import matching.engine as E
from matching import MatchIndex, match
from matching.text import field_names, tokenize


@st.composite
def sparse_pairs(draw):
    m, n, v = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    q = sp.random(m, v, density=draw(st.floats(0.0, 1.0)), random_state=rng, format="csr")
    s = sp.random(n, v, density=draw(st.floats(0.0, 1.0)), random_state=rng, format="csr")
    pairs = draw(st.lists(st.tuples(st.integers(0, m - 1), st.integers(0, n - 1)), max_size=40))
    pairs.sort(key=lambda p: p[0])  # grouped by demand, as the engine guarantees
    ii = np.array([p[0] for p in pairs], np.int64)
    jj = np.array([p[1] for p in pairs], np.int64)
    return q, s, ii, jj


@settings(max_examples=80, deadline=None)
@given(sparse_pairs(), st.booleans())
def test_pair_kernels_match_dense_oracle(data, grouped):
    q, s, ii, jj = data
    if not grouped:
        # Pairs not grouped by demand are slower (the demand row is scattered again) but
        # still right.
        perm = np.random.default_rng(len(ii)).permutation(len(ii))
        ii, jj = ii[perm], jj[perm]
    got = E._pair_dot(q, s, ii, jj)
    qd, sd = q.toarray(), s.toarray()
    want = np.array([qd[i] @ sd[j] for i, j in zip(ii, jj, strict=True)])
    assert got == pytest.approx(want, abs=1e-12)
    # The coverage sums: the demand's and the supply's weight of the shared terms.
    a, b, hits = E._kernels().pair_cover(*E._csr_args(q, s), ii, jj, q.shape[1])
    both = [(i, j, (qd[i] > 0) & (sd[j] > 0)) for i, j in zip(ii, jj, strict=True)]
    assert a == pytest.approx([qd[i][m].sum() for i, _, m in both], abs=1e-12)
    assert b == pytest.approx([sd[j][m].sum() for _, j, m in both], abs=1e-12)
    assert hits.tolist() == [int(m.sum()) for _, _, m in both]
    # The explanation listing names exactly the terms present on both sides of a pair.
    space = E._Space([{f"t{k}": 1.0 for k, x in enumerate(row) if x} for row in sd])
    vec = space.vectorize([{f"t{k}": 1.0 for k, x in enumerate(row) if x} for row in qd])
    _, (tp, tt, _tv) = space.pair_score(vec, ii, jj, 0.7, terms=True)
    listed = {(int(p), space.terms[t]) for p, t in zip(tp, tt, strict=True)}
    expect = {
        (p, f"t{k}")
        for p, (i, j) in enumerate(zip(ii, jj, strict=True))
        for k in range(qd.shape[1])
        if qd[i, k] and sd[j, k]
    }
    assert listed == expect


@settings(max_examples=80, deadline=None)
@given(sparse_pairs(), st.integers(1, 6), st.sampled_from([0.3, 0.5, 1.0]))
def test_sharers_match_brute_force(data, wide, alpha):
    q, s, _ii, _jj = data
    # Few distinct values, so proxies tie and the tie rule (smaller supply first) is exercised.
    q.data = np.round(q.data * 2 + 0.5) / 2
    s.data = np.round(s.data * 2 + 0.5) / 2
    qd, sd = q.toarray(), s.toarray()
    qsum, ssum = qd.sum(1) + 0.5, sd.sum(1)
    rows = np.arange(q.shape[0], dtype=np.int64)[::-1].copy()  # any order of demand rows
    t = s.T.tocsr()
    cnt, r_of, cols, prox = E._kernels().sharers(
        q.indptr, q.indices, q.data, rows, t.indptr, t.indices, t.data, qsum, ssum, alpha, wide
    )
    got = list(zip(r_of.tolist(), cols.tolist(), prox.tolist(), strict=True))
    want, want_cnt = [], []
    for r, i in enumerate(rows):
        share = [j for j in range(sd.shape[0]) if ((qd[i] > 0) & (sd[j] > 0)).any()]
        want_cnt.append(len(share))
        scored = []
        for j in share:
            both = (qd[i] > 0) & (sd[j] > 0)
            cd = min(qd[i][both].sum() / max(qsum[i], 1e-12), 1.0)
            cs = min(sd[j][both].sum() / max(ssum[j], 1e-12), 1.0)
            scored.append((j, cd**alpha * cs ** (1 - alpha)))
        kept = sorted(scored, key=lambda x: (-x[1], x[0]))[:wide]
        want += [(r, j, p) for j, p in sorted(kept)]
    assert cnt.tolist() == want_cnt
    assert [(r, j) for r, j, _ in got] == [(r, j) for r, j, _ in want]
    assert [p for *_, p in got] == pytest.approx([p for *_, p in want], rel=1e-12)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 30), st.integers(0, 3)), max_size=80),
    st.integers(1, 6),
)
def test_best_shared_matches_sorting_oracle(entries, limit):
    # (pair, term, weight) grouped by pair, one entry per (pair, term) as pair_shared gives.
    entries = sorted({(p, t): w for p, t, w in entries}.items())
    pid = np.array([p for (p, _), _ in entries], np.int64)
    col = np.array([t for (_, t), _ in entries], np.int64)
    val = np.array([w / 2 for _, w in entries], np.float64)
    entries = [(k, w / 2) for k, w in entries]
    cuts, terms = E._kernels().best_shared(pid, col, val, 5, limit)
    for p in range(5):
        mine = [(t, w) for (q, t), w in entries if q == p]
        want = [t for t, _ in sorted(mine, key=lambda x: (-x[1], x[0]))[:limit]]
        assert terms[cuts[p] : cuts[p + 1]].tolist() == want


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4)), max_size=60),
    st.integers(1, 8),
)
def test_seg_top_matches_sorting_oracle(rows, k):
    rows.sort(key=lambda r: r[0])
    seg = np.array([r[0] for r in rows], np.int64)
    key = np.array([r[1] for r in rows], np.float64)  # small ints: many ties
    got = E._seg_top(seg, key, k).tolist()
    want = []
    for g in sorted(set(seg.tolist())):
        pos = [p for p in range(len(rows)) if seg[p] == g]
        want += sorted(pos, key=lambda p: (-key[p], p))[:k]
    assert got == want


def test_mode_component_hand_computed():
    d = [{"id": "d", "title": "焦化", "cooperation_modes": ["委托开发"]}]
    s = [
        {"id": "same", "title": "焦化", "cooperation_modes": ["委托开发"]},
        {"id": "related", "title": "焦化", "cooperation_modes": ["合作开发", "技术转让"]},
        {"id": "other", "title": "焦化", "cooperation_modes": ["技术转让", "共建研发平台"]},
        {"id": "none", "title": "焦化"},
    ]
    got = {p.supply_id: p.components.get("mode") for p in match(d, s, top_k=4)[0].pairs}
    assert got == {"same": 1.0, "related": 0.5, "other": 0.0, "none": None}


def test_repeated_terms_saturate():
    # 煤层气 occurs 3 times in the description (weight 0.7): 0.7 · 2.2 · 3 / (1.2 + 3).
    rec = E.coerce_records(
        [{"id": "x", "title": "焦化", "description": "煤层气，煤层气，煤层气"}], "rd", "demand"
    )[0]
    doc = E._analyse(rec, {})
    assert doc.text["煤层气"] == pytest.approx(0.7 * 2.2 * 3 / 4.2)
    assert doc.text["焦化"] == pytest.approx(1.0)  # once: unchanged


def test_field_names_inform_inference(monkeypatch):
    # Only a supply of another field mentions 食品; the name of the field 食品工艺 (an own label
    # outside the crosswalk, which is itself a name) adds the term to that field's centroid,
    # so it is inferred too.
    assert field_names()["E04"] == "冶金与矿业"
    s = [
        {"id": "f", "title": "发酵乳品质控制", "field_codes": ["食品工艺"]},
        {"id": "b", "title": "食品包装用锂电池", "field_codes": ["K5"]},
        {"id": "c", "title": "煤层气抽采", "field_codes": ["K4"]},
    ]
    d = {"id": "d", "title": "食品"}

    def inferred(label_weight):
        monkeypatch.setattr(E, "LABEL_WEIGHT", label_weight)
        # Characters would infer it as well (品 of 乳品); this test is about the names.
        monkeypatch.setattr(E, "CHAR_WEIGHT", 0.0)
        pairs = MatchIndex(s).query(d, top_k=3)
        return {p.supply_id: p.matched_terms.fields for p in pairs}

    without, with_names = inferred(0.0), inferred(0.3)
    assert without["f"] == () and without["b"] == ("K5(推断)",)
    assert with_names["f"] == ("食品工艺(推断)",)


def test_shared_characters_infer_a_field(monkeypatch):
    # The demand shares no word with either supply (钢桥 / 桥梁, 钢结构), only the characters
    # 钢 and 桥, so only the character-level similarity can infer the bridge field.
    s = [
        {"id": "bridge", "title": "桥梁钢结构焊接", "field_codes": ["K0801"]},
        {"id": "gas", "title": "煤层气抽采", "field_codes": ["K0404"]},
    ]
    d = {"id": "d", "title": "钢桥检测"}
    assert not set(tokenize("钢桥检测")) & set(tokenize("桥梁钢结构焊接"))

    def inferred(char_weight):
        monkeypatch.setattr(E, "CHAR_WEIGHT", char_weight)
        return {p.supply_id: p.matched_terms.fields for p in MatchIndex(s).query(d, top_k=2)}

    assert inferred(0.0)["bridge"] == ()
    with_chars = inferred(1.0)
    assert with_chars["bridge"] == ("K0801(推断)",) and with_chars["gas"] == ()


def test_parallel_path_equals_serial(monkeypatch):
    words = ["煤层气", "稀土永磁", "碳纤维", "氢燃料电池", "视觉检测", "焦化", "光伏", "储能"]
    recs = [
        {
            "id": f"r{i}",
            "title": words[i % 8] + words[(i * 3) % 8],
            "description": "，".join(words[(i + k) % 8] for k in range(3)),
            "field_codes": [f"E0{i % 4}"],
            "city": ["太原", "大同", "省外"][i % 3],
        }
        for i in range(60)
    ]
    serial = match(recs[:30], recs[30:], top_k=5)
    monkeypatch.setattr(E, "_can_fork", lambda n: True)
    monkeypatch.setattr(E, "_cores", lambda: 2)
    calls = []
    real = E._forked

    def spy(job, processes):
        calls.append(processes)
        return real(job, processes)

    monkeypatch.setattr(E, "_forked", spy)
    idx = MatchIndex(recs[30:])
    # Small blocks so the ranking is split between workers too.
    monkeypatch.setattr(idx, "candidates", 4)
    parallel = idx.rank(recs[:30], top_k=5)
    assert calls, "the fork path was not taken"
    serial_small = MatchIndex(recs[30:], candidates=4).rank(recs[:30], top_k=5)
    assert parallel == serial_small
    assert [r.demand_id for r in serial] == [r.demand_id for r in parallel]


def test_match_pipelined_analysis_equals_serial(monkeypatch):
    # match() analyses both sides in one forked pool and builds the index meanwhile; with small
    # chunks the batches' boundaries fall inside and between tasks.
    words = ["煤层气", "稀土永磁", "碳纤维", "氢燃料电池", "视觉检测", "焦化", "光伏", "储能"]
    recs = [
        {"id": f"r{i}", "title": words[i % 8] + words[(i * 5) % 8], "keywords": [words[i % 3]]}
        for i in range(47)
    ]
    serial = match(recs[:20], recs[20:], top_k=4)
    monkeypatch.setattr(E, "_can_fork", lambda n: True)
    monkeypatch.setattr(E, "_cores", lambda: 2)
    monkeypatch.setattr(E, "_ANALYSIS_CHUNK", 6)
    seen = []
    real = E._analyse_batches

    def spy(batches, tags, meanwhile=None):
        seen.append([len(b) for b in batches])
        return real(batches, tags, meanwhile)

    forks = []
    real_forked = E._forked

    def forked(job, processes):
        forks.append(len(job[0]))
        return real_forked(job, processes)

    monkeypatch.setattr(E, "_analyse_batches", spy)
    monkeypatch.setattr(E, "_forked", forked)
    assert match(recs[:20], recs[20:], top_k=4) == serial
    assert seen == [[27, 20]] and forks == [47]  # one pool analysed all 47 records


def test_char_counts_match_a_counter():
    strings = ["钢桥钢", "", "桥梁", "𠀀钢"]  # 𠀀 lies outside the BMP: never a column
    m, lookup, unknown_sq = E._char_counts(strings)
    chars = sorted({"钢", "桥", "梁"})  # columns follow code points
    assert [chr(c) for c in np.flatnonzero(lookup >= 0)] == chars
    dense = m.toarray()
    expected = np.zeros((4, 3))
    for i, s in enumerate(strings):
        for ch in set(s) - {"𠀀"}:
            expected[i, chars.index(ch)] = 1.0 + np.log(s.count(ch))
    np.testing.assert_allclose(dense, expected)
    np.testing.assert_allclose(unknown_sq, [0, 0, 0, 1])
    # Against a given lookup, unknown characters get no column; their squares are summed.
    m2, _, u2 = E._char_counts(["梁柱柱钢"], lookup)
    assert {chars[j] for j in m2.indices} == {"梁", "钢"}
    np.testing.assert_allclose(u2, [(1 + np.log(2)) ** 2])
    empty, _, u3 = E._char_counts(["钢"], np.full(0x10000, -1, np.int32))
    assert empty.nnz == 0 and u3[0] == 1.0
