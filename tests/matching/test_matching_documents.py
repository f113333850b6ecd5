"""A capability's documents (issue #14 item 3): scoring, explanation, validation, CLI input."""

from __future__ import annotations

import json

import pytest

from matching import InvalidRecordError, MatchIndex, match
from matching import documents as D
from matching.engine import _Space
from matching.io import read_records
from tests.matching.demo_records import demo

PAPERS = [
    {"kind": "paper", "title": "中低温煤焦油加氢精制催化剂结焦失活机理", "year": 2023,
     "abstract": "考察了煤焦油加氢精制过程中镍钼催化剂的积炭与金属沉积。",
     "keywords": ["煤焦油", "加氢精制", "催化剂失活"]},
    {"kind": "patent", "title": "一种抗结焦加氢保护剂及其制备方法", "year": 2021,
     "keywords": ["保护剂", "抗结焦"]},
    {"kind": "project", "title": "镁合金压铸件微弧氧化", "year": 2012},
]  # fmt: skip


def test_records_without_documents_score_exactly_as_before():
    """Giving one capability documents changes nothing for the others (the demo data)."""
    d = demo()
    plain = MatchIndex(d["capabilities"])
    caps = [dict(c) for c in d["capabilities"]]
    caps[5]["documents"] = PAPERS
    with_docs = MatchIndex(caps)
    a = {r.demand_id: r.pairs for r in plain.rank(d["needs"], top_k=20)}
    b = {r.demand_id: r.pairs for r in with_docs.rank(d["needs"], top_k=20)}
    other = caps[5]["id"]
    for need, pairs in a.items():
        before = [p for p in pairs if p.supply_id != other]
        after = {p.supply_id: p for p in b[need] if p.supply_id != other}
        for p in before:
            if p.supply_id in after:
                assert after[p.supply_id].score == p.score
                assert after[p.supply_id].components == p.components
                assert after[p.supply_id].matched_terms == p.matched_terms


def test_documents_lift_a_team_and_are_named():
    sup = [
        {"id": "plain", "title": "化工材料团队", "keywords": ["材料"]},
        {"id": "papers", "title": "化工材料团队", "keywords": ["材料"], "documents": PAPERS},
    ]
    need = {"id": "n", "title": "煤焦油加氢催化剂结焦失活", "keywords": ["煤焦油", "催化剂"]}
    ranked = MatchIndex(sup).query(need, top_k=2)
    assert [p.supply_id for p in ranked] == ["papers", "plain"]
    top = ranked[0]
    assert top.components["documents"] > 0 and "documents" not in ranked[1].components
    assert top.matched_terms.documents[0] == PAPERS[0]["title"]
    assert PAPERS[2]["title"] not in top.matched_terms.documents  # shares nothing
    assert not top.weak and ranked[1].weak


def test_documents_alone_make_a_candidate():
    """A team whose profile shares nothing with the need is still found by its papers, in an
    index larger than the candidate count."""
    sup = [{"id": f"s{i}", "title": f"光伏组件{i}号产线", "keywords": ["光伏"]} for i in range(80)]
    sup.append({"id": "t", "title": "研究团队", "documents": PAPERS})
    need = {"id": "n", "title": "煤焦油加氢精制催化剂失活", "keywords": ["煤焦油"]}
    fast = MatchIndex(sup).query(need, top_k=3)
    full = MatchIndex(sup).rank([need], top_k=3, mode="exhaustive")[0].pairs
    assert fast[0].supply_id == full[0].supply_id == "t"


def test_recency_weights():
    idx = D.DocumentIndex(
        [[({"a": 1.0}, 2024, "x"), ({"b": 1.0}, 2004, "y"), ({"c": 1.0}, None, "z")]],
        _Space,
    )
    assert idx.recency.tolist() == [1.0, 0.5, 0.75]


@pytest.mark.parametrize(
    ("documents", "field"),
    [
        ([{"title": "煤焦油加氢"}, {"title": " 煤焦油 加氢 "}], "documents[1].title"),
        ([{"title": "  "}], "documents[0].title"),
        ([{"title": "x", "year": 3000}], "documents[0].year"),
        ([{"title": "x", "kind": "book"}], "documents[0].kind"),
        ([{"title": "x", "abstract": "字" * 5001}], "documents[0].abstract"),
        ([{"title": f"论文{i}"} for i in range(501)], "documents"),
    ],
)
def test_bad_documents_name_the_field(documents, field):
    with pytest.raises(InvalidRecordError, match=field.replace("[", r"\[").replace("]", r"\]")):
        MatchIndex([{"id": "c", "title": "团队", "documents": documents}])


def test_mixed_and_foreign_text_documents_are_handled():
    docs = [
        {"title": "Hydrotreating catalyst deactivation in coal tar", "keywords": ["coal tar"]},
        {"title": "煤焦油 hydrotreating 催化剂", "abstract": "Ni-Mo/γ-Al2O3，0.5 MPa"},
    ]
    need = {"id": "n", "title": "coal tar hydrotreating 催化剂"}
    (p,) = match([need], [{"id": "c", "title": "团队", "documents": docs}], top_k=1)[0].pairs
    assert p.components["documents"] > 0 and p.matched_terms.documents


def test_cli_reads_documents_from_jsonl_and_csv(tmp_path):
    rec = {"id": "c", "title": "团队", "documents": PAPERS}
    (tmp_path / "s.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", "utf-8")
    assert read_records(tmp_path / "s.jsonl")[0]["documents"] == PAPERS
    cell = json.dumps(PAPERS, ensure_ascii=False).replace('"', '""')
    (tmp_path / "s.csv").write_text(f'id,title,documents\nc,团队,"{cell}"\n', "utf-8")
    assert read_records(tmp_path / "s.csv")[0]["documents"] == PAPERS
    (tmp_path / "bad.csv").write_text("id,title,documents\nc,团队,论文一\n", "utf-8")
    with pytest.raises(Exception, match="documents"):
        read_records(tmp_path / "bad.csv")
    warned: list[str] = []
    many = {"id": "c", "title": "团队", "documents": [{"title": f"论文{i}"} for i in range(600)]}
    (tmp_path / "m.jsonl").write_text(json.dumps(many, ensure_ascii=False) + "\n", "utf-8")
    assert len(read_records(tmp_path / "m.jsonl", warn=warned.append)[0]["documents"]) == 500
    assert warned and "documents" in warned[0]
