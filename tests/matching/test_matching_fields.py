"""Discipline model, crosswalk and the field component built on them (issue 14, items 1–2)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from matching import MatchIndex, match
from matching import crosswalk as X
from matching import disciplines as M
from matching import engine as E
from matching.fieldspace import inferred_label, record_links

DATA = Path(M.__file__).with_name("data")
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


# --------------------------------------------------------------------------- model file


def test_shipped_model_loads_and_is_compact():
    assert M.model_path().stat().st_size <= 15 * 1024 * 1024
    m = M.load_model(M.model_path())
    assert set(m.classes) == set(X.discipline_names())
    assert m.coef_t.shape == (m.n_features, len(m.classes))
    assert "fold" in m.meta and m.meta["texts"] > 5000


def test_missing_model_file_is_a_typed_error_naming_it(tmp_path):
    path = tmp_path / "disciplines.npz"
    with pytest.raises(M.DisciplineModelError) as exc:
        M.load_model(path)
    assert exc.value.path == str(path) and str(path) in str(exc.value)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a zip file at all"),
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),  # truncated
    ],
)
def test_corrupt_model_file_is_a_typed_error_naming_it(tmp_path, damage):
    path = tmp_path / "disciplines.npz"
    shutil.copy(M.model_path(), path)
    damage(path)
    with pytest.raises(M.DisciplineModelError, match="disciplines.npz"):
        M.load_model(path)


def test_model_with_a_missing_or_inconsistent_array_is_rejected(tmp_path):
    with np.load(M.model_path(), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    no_idf = {k: v for k, v in arrays.items() if k != "idf"}
    np.savez(tmp_path / "a.npz", **no_idf)
    with pytest.raises(M.DisciplineModelError, match="idf"):
        M.load_model(tmp_path / "a.npz")
    short = dict(arrays, intercept=arrays["intercept"][:-1])
    np.savez(tmp_path / "b.npz", **short)
    with pytest.raises(M.DisciplineModelError, match="corrupt"):
        M.load_model(tmp_path / "b.npz")


def test_index_build_fails_at_start_when_the_model_is_missing(monkeypatch, tmp_path):
    # Never a silent zero: building an rd index loads the model and names the missing file.
    monkeypatch.setattr(M, "model_path", lambda: tmp_path / "gone.npz")
    monkeypatch.setattr(M, "_cache", {})
    with pytest.raises(M.DisciplineModelError, match="gone.npz"):
        MatchIndex([{"id": "s", "title": "高分子材料", "field_codes": ["E03"]}])


# --------------------------------------------------------------------------- inference


@pytest.mark.parametrize(
    ("text", "discipline"),
    [
        (
            "研究了不同固溶温度对7075铝合金显微组织和力学性能的影响，透射电镜观察析出相，"
            "时效处理后合金的硬度和抗拉强度显著提高",
            "材料科学与工程",
        ),
        (
            "提出一种基于改进卷积神经网络的图像分类算法，在公开数据集上训练，识别准确率优于"
            "现有深度学习方法",
            "计算机科学与技术",
        ),
        (
            "以小麦品种为材料，研究了不同施氮量对冬小麦籽粒产量、品质和氮肥利用率的影响",
            "作物学",
        ),
        (
            "通过大坝渗流监测资料分析坝基扬压力的变化规律，评价水库大坝的运行安全",
            "水利工程",
        ),
    ],
)
def test_inference_puts_the_discipline_in_the_top_three(text, discipline):
    top = M.infer(text, top=3)
    assert discipline in [name for name, _ in top]
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-9


def test_a_clinical_trial_is_placed_in_medicine():
    # A known weakness, kept visible: clinical-trial phrasing (随机分为两组, 临床疗效) is read as
    # 中医学/中药学 first, whose CSL abstracts use it heavily; the 门类 (医学) is still right.
    top = M.infer(
        "选取某三甲医院收治的120例2型糖尿病患者，随机分为两组，比较胰岛素强化治疗的临床疗效和不良反应"
    )
    categories = {X._tables()[1][name][0][:2] for name, _ in top}
    assert categories == {"10"}


def test_inference_of_records_sums_to_one_and_empty_text_is_uniformish():
    m = M.default_model()
    p = m.infer_records([{}, {"钢铁": 1.0}], ["", "钢铁冶炼"])
    assert p.shape == (2, len(m.classes))
    assert np.allclose(p.sum(axis=1), 1.0)
    assert p[1].max() > p[0].max()  # text makes the distribution sharper than no text


# --------------------------------------------------------------------------- crosswalk


def _codes(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as fh:
        return {r["code"] for r in csv.DictReader(fh, delimiter="\t")}


def test_every_nsfc_top_level_code_maps_to_a_discipline():
    names = E.T.field_names()
    tops = {c for c in names if len(c) == 3}
    assert len(tops) >= 80
    for c in sorted(tops):
        assert X.field_code_links(c), c


def test_every_mapped_code_and_discipline_exists_in_the_shipped_tables():
    known = set(X.discipline_names())
    nsfc = set(E.T.field_names())
    _, _, _, _, nsfc_t, majors_t, ind_t = X._tables()
    for table in (nsfc_t, majors_t, ind_t):
        for code, ds in table.items():
            assert ds and set(ds) <= known, (code, ds)
    assert set(nsfc_t) <= nsfc  # every NSFC key is a real code
    if (SHARED / "gbt4754_2017.tsv").exists():
        with (SHARED / "gbt4754_2017.tsv").open(encoding="utf-8") as fh:
            majors = {r["code"] for r in csv.DictReader(fh, delimiter="\t") if r["level"] == "2"}
        assert set(ind_t) <= majors


def test_crosswalk_round_trips():
    for d in X.discipline_names():
        for c in X.nsfc_codes_for(d):
            assert d in [link.discipline for link in X.field_code_links(c)]
        for c in X.discipline_codes(d):
            assert d in [link.discipline for link in X.field_code_links(c)]
        # A discipline's own name and each part of a merged name lead back to it.
        assert [link.discipline for link in X.field_code_links(d)] == [d]
    # Every discipline but 军事学 (no NSFC code, no civilian 本科专业类) is reachable from an
    # NSFC code or a 专业类; 军事学 only from its 一级学科 codes.
    reached = {link.discipline for c in E.T.field_names() for link in X.field_code_links(c)} | {
        d for ds in X._tables()[5].values() for d in ds
    }
    assert set(X.discipline_names()) - reached == {"军事学"}


def test_finer_codes_refine_and_unknown_codes_map_to_nothing():
    assert [lk.discipline for lk in X.field_code_links("E04")] == ["冶金工程", "矿业工程"]
    assert [lk.discipline for lk in X.field_code_links("E0403")] == ["石油与天然气工程"]
    assert [lk.discipline for lk in X.field_code_links("E041201")] == ["冶金工程"]
    assert X.field_code_links("Z99") == () and X.field_code_links("D05x") == ()
    assert [lk.discipline for lk in X.industry_links("C")][:2] == [
        "食品科学与工程",
        "化学/化学工程与技术",
    ]
    assert X.industry_links("F") == ()  # 批发和零售业


# --------------------------------------------------------------------------- field component


def test_record_links_and_labels():
    links = record_links(field_codes=["E0101"], industry_code="C3130")
    assert [lk.label for lk in links] == ["NSFC E0101 ↔ 材料科学与工程", "行业 31 ↔ 冶金工程"]
    assert inferred_label("材料科学与工程", 0.724) == "学科：材料科学与工程（推断 0.72）"


def test_inferred_discipline_meets_a_teams_nsfc_code_and_says_so():
    # No supply shares a word with the need; only the model and the crosswalk connect them
    # (the centroids leave codes the crosswalk knows to the model: no "E01(推断)").
    s = [
        {"id": "mat", "title": "课题组", "field_codes": ["E01"]},
        {"id": "med", "title": "课题组", "field_codes": ["H16"]},
    ]
    d = {
        "id": "d",
        "title": "复合材料界面改性",
        "description": "碳纤维增强复合材料的界面结合强度与力学性能",
    }
    pairs = MatchIndex(s).query(d, top_k=2)
    assert pairs[0].supply_id == "mat"
    fields = pairs[0].matched_terms.fields
    assert len(fields) == 2 and fields[1] == "NSFC E01 ↔ 材料科学与工程"
    assert fields[0].startswith("学科：材料科学与工程（推断 0.")
    p = float(fields[0].split("推断 ")[1].rstrip("）"))
    assert 0 < p <= 1
    assert pairs[0].components["field"] == pytest.approx(1.0)  # the best guess counts fully
    assert pairs[1].components["field"] < 1.0 and pairs[1].matched_terms.fields == ()


def test_stated_disciplines_meet_across_standards():
    # A need's industry (GB/T 31 黑色金属冶炼) and a team's NSFC code (E0414 钢铁冶金) share
    # 冶金工程 through the crosswalk: DISC_STATED, explained by both sides' links.
    s = [
        {"id": "steel", "title": "课题组", "field_codes": ["E0414"]},
        {"id": "bio", "title": "课题组", "field_codes": ["C01"]},
    ]
    d = {"id": "d", "title": "炼钢", "industry_code": "C31"}
    pairs = {p.supply_id: p for p in match([d], s, top_k=2)[0].pairs}
    assert pairs["steel"].components["field"] == pytest.approx(E.DISC_STATED)
    assert pairs["steel"].matched_terms.fields == (
        "行业 31 ↔ 冶金工程",
        "NSFC E0414 ↔ 冶金工程",
    )
    assert pairs["bio"].components["field"] == 0.0


def test_stated_codes_keep_their_exact_levels():
    # The crosswalk never lowers a code match: the same code stays 1.0, and two codes of one
    # discipline under different NSFC prefixes meet at DISC_STATED (E0804 and B07: 环境).
    s = [
        {"id": "same", "title": "x", "field_codes": ["E0804"]},
        {"id": "disc", "title": "x", "field_codes": ["B07"]},
        {"id": "none", "title": "x", "field_codes": ["A01"]},
    ]
    res = match([{"id": "d", "title": "x", "field_codes": ["E0804"]}], s, top_k=3)
    f = {p.supply_id: p.components["field"] for p in res[0].pairs}
    assert f == {"same": 1.0, "disc": E.DISC_STATED, "none": 0.0}


def test_jobs_meet_a_pools_major_in_the_field_space_when_asked():
    # A talent pool's 专业代码 and an opening's industry reach disciplines through the
    # crosswalk; jobs compare fields only with a field weight (0 by default).
    pools = [
        {"id": "mat", "title": "2025届毕业生", "major_code": "080401"},
        {"id": "cs", "title": "2025届毕业生", "major_code": "080901"},
    ]
    job = {"id": "j", "title": "工艺工程师", "industry_code": "C3130"}
    assert "field" not in match([job], pools, kind="jobs", top_k=2)[0].pairs[0].components
    res = match([job], pools, kind="jobs", weights={"field": 0.3}, top_k=2)[0].pairs
    got = {p.supply_id: p for p in res}
    assert got["mat"].components["field"] == pytest.approx(E.DISC_STATED)
    assert got["cs"].components["field"] == 0.0
    assert got["mat"].matched_terms.fields == (
        "行业 31 ↔ 材料科学与工程",
        "专业 080401 ↔ 材料科学与工程",
    )
    assert res[0].supply_id == "mat"
