"""Names for codes and Chinese labels for engine words: the labels module covers every word the
engines and rounds can emit (derived from the engines, so a new one without a label fails), and
the reference API serves both to the SPA."""

import typing

import msgspec
import pytest

import graph
import matching
from graph import model as graph_model
from matching import records as matching_records
from service.reference import labels, names
from service.rounds import exports, schemas


def _engine_components() -> set[str]:
    """The component names the engine emits for both kinds, plus those it declares."""
    rd = matching.match(
        [{"id": "d", "title": "煤焦油加氢催化剂", "keywords": ["催化剂"], "field_codes": ["B06"],
          "cooperation_modes": ["合作开发"], "city": "太原", "tags": ["专精特新"]}],
        [{"id": "s", "title": "催化剂团队", "keywords": ["催化剂"], "field_codes": ["B06"],
          "cooperation_modes": ["合作开发"], "city": "太原"}],
    )  # fmt: skip
    jobs = matching.match(
        [{"id": "j", "title": "数据分析", "skills": ["Python"], "majors": ["统计学"],
          "min_education": "本科", "headcount": 2, "city": "太原"}],
        [{"id": "p", "title": "统计学", "major_name": "统计学", "degree_level": "硕士",
          "graduation_year": 2026, "graduates": 30, "skills": ["Python"], "city": "太原"}],
        kind="jobs",
    )  # fmt: skip
    emitted = {k for r in (*rd, *jobs) for p in r.pairs for k in p.components}
    assert {"text", "policy"} <= emitted
    return emitted | set(matching_records._COMPONENTS)


def _literal(tp) -> set[str]:
    return set(typing.get_args(tp))


COVERAGE = {
    "component": _engine_components,
    "matched": lambda: set(matching.MatchedTerms.__struct_fields__),
    "method": lambda: set(graph.methods()) | _literal(schemas.Method),
    "run_state": lambda: _literal(schemas.RunState),
    "round_state": lambda: _literal(schemas.RoundState),
    "round_kind": lambda: _literal(schemas.RoundKind),
    "reason": lambda: _literal(graph_model.Reason),
    "unmatched": lambda: _literal(typing.get_type_hints(graph_model.Unmatched)["reason"]),
    "response": lambda: _literal(schemas.Response) | {"pending"},
    "outcome": lambda: _literal(schemas.Outcome),
    "side": lambda: _literal(schemas.Side),
    "export": lambda: set(exports.TABLES),
}


@pytest.mark.parametrize("group", sorted(COVERAGE))
def test_labels_cover_every_engine_word(group):
    words = COVERAGE[group]()
    assert words, group
    missing = words - set(labels.LABELS[group])
    assert not missing, f"{group}: no Chinese label for {sorted(missing)}"
    for word in words:
        entry = labels.LABELS[group][word]
        # A Chinese label (not the engine word) and a one-line explanation.
        assert entry.label != word and any("\u4e00" <= ch <= "\u9fff" for ch in entry.label)
        assert entry.hint and "\n" not in entry.hint


def test_labels_for_unknown_words_fall_back_to_the_word():
    assert labels.label("component", "text") == "文本相关"
    assert labels.label("component", "brand-new") == "brand-new"
    assert labels.export_filename("ranked", "xlsx") == "排序结果.xlsx"


def test_names_for_every_code_kind():
    steel = names.industry("C3130")
    assert steel.name == "钢压延加工"
    assert [c for c, _ in steel.path][:2] == ["C", "C31"]
    assert steel.path[0][1] == "制造业"
    assert names.industry("3130") == steel  # digits only
    assert names.industry_name("ZZZ") == "ZZZ"  # unknown codes are shown, never dropped
    field = names.field("B0609")
    assert field.name == "能源化工" and field.path[0] == ("B", "化学科学部")
    assert field.path[1] == ("B06", "化学工程及工业化学")
    assert names.field("F").name == "信息科学部"
    assert names.major_name("081301", "化学工程与工艺") == "化学工程与工艺"
    assert names.mode_name("合作开发") == "合作开发"
    assert names.education_name("硕士") == "硕士"
    assert names.capability_kind_name("equipment") == "共享设备"


def test_type_ahead_search():
    hits = names.search_industries("钢压延")
    assert hits[0].code == "C3130"
    assert names.search_industries("C31")[0].code == "C31"
    assert any(n.code == "B0303" for n in names.search_fields("催化化学"))


async def test_reference_api(anon):
    r = await anon.get("/api/reference/labels")
    assert r.status_code == 200
    body = r.json()
    assert body["component"]["text"] == {
        "label": "文本相关",
        "hint": labels.hint("component", "text"),
    }
    assert body["method"]["optimal"]["label"] == "总分最优"
    r = await anon.get("/api/reference/industries", params={"q": "钢压延"})
    assert r.status_code == 200 and r.json()[0]["code"] == "C3130"
    assert r.json()[0]["full"].startswith("制造业 › ")
    r = await anon.get("/api/reference/fields", params={"codes": "B0609,E04,nope"})
    assert [x["code"] for x in r.json()] == ["B0609", "E04"]
    assert r.json()[0]["path"][0] == ["B", "化学科学部"]
    bad = await anon.get("/api/reference/fields", params={"limit": "0"})
    assert bad.status_code == 422 and "limit" in bad.text
    labels_struct = msgspec.json.decode(
        (await anon.get("/api/reference/labels")).content,
        type=dict[str, dict[str, labels.Label]],
    )
    assert labels_struct == labels.LABELS
