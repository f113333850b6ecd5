"""Round methods are declared once, by graph: the API's Literal and the database's CHECK agree
with graph.methods()."""

import re
from typing import get_args

import graph
from service.rounds.schemas import ROUND_METHODS, Method


def test_round_methods_are_graphs_assignment_methods():
    assert set(ROUND_METHODS) == set(graph.methods()) - {"ranked"}
    assert get_args(Method) == ROUND_METHODS
    assert "optimal" in ROUND_METHODS


async def test_the_rounds_method_check_lists_the_round_methods(conn):
    checks = await conn.fetch(
        "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint"
        " WHERE conrelid = 'rounds'::regclass AND contype = 'c'"
    )
    method_checks = [r["def"] for r in checks if "method" in r["def"]]
    assert len(method_checks) == 1, method_checks
    allowed = set(re.findall(r"'([a-z_]+)'::text", method_checks[0]))
    assert allowed == set(ROUND_METHODS)


async def test_a_method_graph_has_but_rounds_do_not_is_refused(client, empty_db):
    r = await client.post(
        "/api/rounds", json={"kind": "open_challenge", "title": "方法测试", "method": "ranked"}
    )
    assert r.status_code == 422 and "method" in r.text
