"""The ``duijie match`` command: formats, errors naming the line, odd texts."""

from __future__ import annotations

import argparse
import csv
import json

import openpyxl
import pytest

from service.commands import match as cmd


def parse(argv):
    parser = argparse.ArgumentParser(prog="duijie")
    cmd.register(parser.add_subparsers())
    return parser.parse_args(["match", *argv])


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


DEMANDS = [
    {"id": "d1", "title": "锂电池正极材料", "description": "", "keywords": ["锂电池"]},
    {"id": "d2", "title": "😀\x07", "description": "Gas turbine", "keywords": []},
]
SUPPLIES = [
    {"id": "s1", "title": "锂离子电池材料", "description": "", "keywords": ["正极材料"]},
    {"id": "s2", "title": "gas turbine blades", "description": "", "keywords": []},
]


def test_jsonl_to_stdout(tmp_path, capsys):
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS)
    s = write_jsonl(tmp_path / "s.jsonl", SUPPLIES)
    assert cmd.run(parse(["--demands", str(d), "--supplies", str(s), "--top", "1"])) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(x["demand_id"], x["supply_id"], x["rank"]) for x in lines] == [
        ("d1", "s1", 1),
        ("d2", "s2", 1),
    ]
    assert set(lines[0]) == {
        "demand_id",
        "supply_id",
        "rank",
        "score",
        "components",
        "matched_terms",
        "weak",
    }
    assert "锂离子电池" in lines[0]["matched_terms"]["keywords"]


def test_csv_in_xlsx_out(tmp_path):
    d = tmp_path / "d.csv"
    with d.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "skills", "min_education", "headcount"])
        w.writerow(["j1", "数据分析师", "SQL；Python", "本科", "3"])
    s = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "major_name", "skills", "degree_level", "graduates"])
    ws.append([1, "统计学", '["sql", "excel"]', "硕士", 30])
    ws.append([2, "汉语言文学", "写作", "本科", 50])
    wb.save(s)
    out = tmp_path / "o.xlsx"
    args = parse(["--demands", str(d), "--supplies", str(s), "--kind", "jobs", "--out", str(out)])
    assert cmd.run(args) == 0
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("demand_id", "supply_id", "rank")
    assert rows[1][:3] == ("j1", "1", 1)
    assert json.loads(rows[1][5])["skills"] == ["SQL"]


def test_csv_out(tmp_path):
    d = write_jsonl(tmp_path / "d.jsonl", DEMANDS[:1])
    s = write_jsonl(tmp_path / "s.jsonl", SUPPLIES)
    out = tmp_path / "o.csv"
    assert cmd.run(parse(["--demands", str(d), "--supplies", str(s), "--out", str(out)])) == 0
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][0] == "demand_id" and len(rows) == 3


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"id": "a", "title": "x"}\n{"id": "b", "title": \n', "第 2 行"),
        ('{"id": "a", "title": "x"}\n[1, 2]\n', "第 2 行"),
        ('{"id": "a", "title": "x"}\n\n{"id": "b", "title": 3}\n', "第 2 条"),
        ('{"id": "a", "title": "x", "owner": "?"}\n', "owner"),
    ],
)
def test_malformed_input_names_line(tmp_path, capsys, content, needle):
    d = tmp_path / "d.jsonl"
    d.write_text(content, "utf-8")
    s = write_jsonl(tmp_path / "s.jsonl", SUPPLIES)
    assert cmd.run(parse(["--demands", str(d), "--supplies", str(s)])) == 2
    assert needle in capsys.readouterr().err


def test_bad_csv_cell_and_encoding(tmp_path, capsys):
    d = tmp_path / "d.csv"
    d.write_text("id,title,headcount\nj1,t,many\n", "utf-8")
    s = write_jsonl(tmp_path / "s.jsonl", SUPPLIES)
    assert cmd.run(parse(["--demands", str(d), "--supplies", str(s), "--kind", "jobs"])) == 2
    assert "第 2 行" in capsys.readouterr().err
    d.write_bytes("id,title\n1,煤层气\n".encode("gbk"))
    assert cmd.run(parse(["--demands", str(d), "--supplies", str(s)])) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_huge_and_empty_files(tmp_path, capsys):
    d = write_jsonl(
        tmp_path / "d.jsonl", [{"id": "d", "title": "煤" * 5000, "description": "碳纤维" * 50000}]
    )
    s = write_jsonl(tmp_path / "s.jsonl", [])
    assert cmd.run(parse(["--demands", str(d), "--supplies", str(s)])) == 0
    err = capsys.readouterr().err
    assert "截断" in err
    e = tmp_path / "e.jsonl"
    e.write_text("", "utf-8")
    assert cmd.run(parse(["--demands", str(e), "--supplies", str(d)])) == 0
    assert cmd.run(parse(["--demands", str(tmp_path / "nope.csv"), "--supplies", str(d)])) == 2
