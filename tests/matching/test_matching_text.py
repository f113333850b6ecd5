"""Normalisation and segmentation on real Chinese examples."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MatchIndex, normalize, tokenize
from matching.text import features


def test_normalize_full_width_case_controls_emoji():
    assert normalize("ＡＩ　视觉检测\x00系统😀 Python３") == "ai 视觉检测 系统 python3"
    assert normalize("\u200b\u202e\x07") == ""
    assert normalize(None) == ""


def _normalize_reference(text, max_chars=4000):
    # The straightforward form: NFKC always, then two passes (drop, collapse whitespace).
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[: max_chars * 2]).casefold()
    text = re.sub(r"[^\w+#.\-，。、；：,;:]+|_+", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:max_chars]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.one_of(
            st.sampled_from("ＡＢａｂ１２，。（）　 \t\n_-+#.;:、；：ß\u200bﬁ①㎏"),
            st.characters(codec="utf-8"),
        ),
        max_size=60,
    ),
    st.sampled_from([3, 10, 4000]),
)
def test_normalize_equals_its_reference(text, cap):
    assert normalize(text, cap) == _normalize_reference(text, cap)


def test_normalize_caps_length():
    assert len(normalize("煤" * 100_000)) == 4000


@pytest.mark.parametrize("term", ["大数据分析", "稀土永磁", "煤层气", "碳纤维", "氢燃料电池"])
def test_domain_terms_stay_whole(term):
    toks = tokenize(f"山西企业开展{term}技术研发")
    assert term in toks


def test_synonyms_map_to_canonical():
    assert tokenize("锂电池") == tokenize("锂离子电池") == ["锂离子电池"]
    assert tokenize("AI") == tokenize("人工智能") == ["人工智能"]
    assert tokenize("机器视觉") == tokenize("视觉检测")
    assert tokenize("artificial intelligence") == ["人工智能"]


def test_english_numbers_kept_stopwords_dropped():
    toks = tokenize("熟悉 SQL 和 Excel，3年以上 c++ 开发经验")
    assert {"sql", "excel", "c++"} <= set(toks)
    assert "和" not in toks and "以上" not in toks
    assert any(t.startswith("3") for t in toks)


def test_non_chinese_and_junk_text():
    assert tokenize("Deep learning for gas turbines") == ["深度学习", "gas", "turbines"]
    assert tokenize("😀😀😀\x01\x02") == []
    assert tokenize("") == []


def test_bigram_fallback_for_unknown_words():
    f = features(tokenize("镇定控制器"))
    # 控制器 is known, so its sub-word 控制 is added at half weight.
    assert f["控制器"] == 1.0 and f["控制"] == 0.5
    toks = tokenize("氪氙氡铼钌研究")
    f = features(toks)
    assert any(len(k) == 2 and f[k] == 0.5 for k in f), f


def test_a_broader_term_is_not_an_alias_of_a_narrower_one():
    # 燃料电池 (any fuel cell) is broader than 氢燃料电池: they meet through the sub-word, at a
    # sub-word's weight, and an explanation never claims the supply said 氢燃料电池.
    assert tokenize("燃料电池") == ["燃料电池"] and tokenize("fuel cell") == ["燃料电池"]
    assert tokenize("氢燃料电池") == ["氢燃料电池"]
    idx = MatchIndex([{"id": "s", "title": "燃料电池电堆研发", "keywords": ["燃料电池"]}])
    pair = idx.query({"id": "d", "title": "氢燃料电池汽车", "keywords": ["氢燃料电池"]})[0]
    assert "燃料电池" in pair.matched_terms.keywords
    assert "氢燃料电池" not in pair.matched_terms.keywords


@pytest.mark.parametrize(
    ("broad", "narrow"),
    [("水处理", "污水处理"), ("新能源汽车", "电动汽车"), ("太阳能发电", "光伏")],
)
def test_broader_and_narrower_terms_stay_distinct(broad, narrow):
    # Each pair was once one synonym group: a water-treatment job was explained as 污水处理,
    # an EV demand as 新能源汽车 (which includes hydrogen and hybrid cars). Both stay whole.
    assert tokenize(broad) == [broad] and tokenize(narrow) == [narrow]
    idx = MatchIndex([{"id": "s", "title": f"{narrow}技术团队", "keywords": [narrow]}])
    pair = idx.query({"id": "d", "title": f"{broad}项目", "keywords": [broad]})[0]
    assert broad not in pair.matched_terms.keywords
    assert narrow not in pair.matched_terms.keywords


def test_true_aliases_still_meet():
    assert tokenize("EV") == tokenize("电动汽车") == ["电动汽车"]
    assert tokenize("废水处理") == tokenize("污水处理") == ["污水处理"]
    assert tokenize("光伏发电") == tokenize("PV") == ["光伏"]
