"""``duijie assign`` / ``duijie schedule`` command modules, called through their parsers."""

from __future__ import annotations

import argparse
import csv
import json

from service.commands import assign as assign_cmd
from service.commands import schedule as schedule_cmd


def _parser():
    ap = argparse.ArgumentParser(prog="duijie")
    sub = ap.add_subparsers()
    assign_cmd.register(sub)
    schedule_cmd.register(sub)
    return ap


def _run(*argv):
    args = _parser().parse_args(list(argv))
    return args.func(args)


def test_assign_csv_in_csv_out(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "demand_id,supply_id,score\nd1,s1,0.9\nd2,s1,0.8\nd2,s2,0.3\n", encoding="utf-8"
    )
    caps = tmp_path / "caps.csv"
    caps.write_text("id,side,min,max\ns1,supply,0,2\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert _run("assign", "--pairs", str(pairs), "--capacities", str(caps), "--out", str(out)) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["demand_id"], r["supply_id"], float(r["score"])) for r in rows] == [
        ("d1", "s1", 0.9),
        ("d2", "s1", 0.8),
    ]
    assert list(rows[0]) == ["demand_id", "supply_id", "score"]


def test_assign_jsonl_ranked_has_rank_and_explain(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"demand_id": "需求1", "supply_id": "团队A", "score": 0.9},
                {"demand_id": "需求1", "supply_id": "团队B", "score": 0.4},
            ]
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert (
        _run("assign", "--pairs", str(pairs), "--method", "ranked", "--k", "2", "--out", str(out))
        == 0
    )
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {"demand_id": "需求1", "supply_id": "团队A", "score": 0.9, "rank": 1},
        {"demand_id": "需求1", "supply_id": "团队B", "score": 0.4, "rank": 2},
    ]


def test_assign_explain_and_forbids(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "demand_id,supply_id,score\nd1,s1,0.9\nd2,s1,0.8\nd2,s2,0.5\n", encoding="utf-8"
    )
    forbids = tmp_path / "forbids.csv"
    forbids.write_text("demand_id,supply_id\nd2,s2\n", encoding="utf-8")
    explain = tmp_path / "why.jsonl"
    rc = _run(
        "assign",
        "--pairs",
        str(pairs),
        "--forbids",
        str(forbids),
        "--method",
        "stable",
        "--out",
        str(tmp_path / "o.csv"),
        "--explain",
        str(explain),
    )
    assert rc == 0
    (row,) = [json.loads(x) for x in explain.read_text(encoding="utf-8").splitlines()]
    assert row["demand_id"] == "d2"
    assert {c["supply_id"]: c["reason"] for c in row["candidates"]} == {
        "s1": "taken_by_higher",
        "s2": "forbidden",
    }


def test_assign_bad_input_and_infeasible_exit_codes(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("demand_id,supply_id,score\nd1,s1,abc\n", encoding="utf-8")
    assert _run("assign", "--pairs", str(bad)) == 2
    assert "第 2 行" in capsys.readouterr().err
    missing = tmp_path / "missing.csv"
    missing.write_text("demand_id,score\nd1,0.5\n", encoding="utf-8")
    assert _run("assign", "--pairs", str(missing)) == 2
    assert "supply_id" in capsys.readouterr().err
    pairs = tmp_path / "p.csv"
    pairs.write_text("demand_id,supply_id,score\nd1,s1,0.5\n", encoding="utf-8")
    caps = tmp_path / "c.csv"
    caps.write_text("id,side,min,max\ns1,supply,2,3\n", encoding="utf-8")
    assert _run("assign", "--pairs", str(pairs), "--capacities", str(caps)) == 3
    assert "s1" in capsys.readouterr().err


def test_schedule_then_repair_through_confirmed_file(tmp_path):
    meetings = tmp_path / "m.csv"
    meetings.write_text(
        "id,a,b\nm1,企业A,高校X\nm2,企业A,高校Y\nm3,企业B,高校X\n", encoding="utf-8"
    )
    out = tmp_path / "s.csv"
    assert (
        _run(
            "schedule",
            "--meetings",
            str(meetings),
            "--n-slots",
            "3",
            "--n-tables",
            "2",
            "--out",
            str(out),
        )
        == 0
    )
    first = {
        r["meeting_id"]: (r["slot"], r["table"]) for r in csv.DictReader(out.open(encoding="utf-8"))
    }
    assert len(first) == 3 and len({v[0] for v in first.values()}) == 2
    meetings.write_text(
        "id,a,b\nm1,企业A,高校X\nm3,企业B,高校X\nm4,企业B,高校Y\n", encoding="utf-8"
    )
    out2 = tmp_path / "s2.csv"
    assert (
        _run(
            "schedule",
            "--meetings",
            str(meetings),
            "--n-slots",
            "3",
            "--n-tables",
            "2",
            "--confirmed",
            str(out),
            "--out",
            str(out2),
        )
        == 0
    )
    second = {
        r["meeting_id"]: (r["slot"], r["table"])
        for r in csv.DictReader(out2.open(encoding="utf-8"))
    }
    assert (
        second["m1"] == first["m1"]
        and second["m3"] == first["m3"]
        and "m4" in second
        and "m2" not in second
    )


def test_schedule_unplaced_reported(tmp_path, capsys):
    meetings = tmp_path / "m.jsonl"
    meetings.write_text(
        '{"id": "m1", "a": "A", "b": "X"}\n{"id": "m2", "a": "A", "b": "Y"}\n', encoding="utf-8"
    )
    explain = tmp_path / "why.jsonl"
    rc = _run(
        "schedule",
        "--meetings",
        str(meetings),
        "--n-slots",
        "1",
        "--n-tables",
        "5",
        "--explain",
        str(explain),
    )
    assert rc == 0
    (row,) = [json.loads(x) for x in explain.read_text(encoding="utf-8").splitlines()]
    assert "已有会谈" in row["detail"]
    assert "未安排" in capsys.readouterr().err


def test_library_never_imports_web_or_db():
    import subprocess
    import sys

    code = "import sys, graph, graph.schedule, graph.flow; print(any(m.split('.')[0] in ('litestar','asyncpg') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
