"""``?status=null`` (#15.11): an optional filter given ``null`` is a 400 naming the parameter,
on every GET endpoint of the API (read from the OpenAPI document, so new endpoints are covered);
free-text parameters keep taking ``null`` as text."""

import re

from tests.factories import enterprise, need
from tests.rounds_helpers import make, make_org


def _allows_text(schema: dict) -> bool:
    """A parameter whose schema accepts free text (``q``, code prefixes) takes "null" as text."""
    options = schema.get("oneOf") or schema.get("anyOf") or [schema]
    return any(o.get("type") == "string" and "enum" not in o and "const" not in o for o in options)


async def test_every_optional_query_parameter_refuses_null(client):
    spec = (await client.get("/schema/openapi.json")).json()
    cells = []
    for path, item in spec["paths"].items():
        op = item.get("get")
        if not op or not path.startswith("/api/"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for p in op.get("parameters", []):
            if p["in"] != "query" or p.get("required") or _allows_text(p.get("schema", {})):
                continue
            cells.append((url, p["name"]))
    assert len(cells) >= 30, cells  # the issue counted 38 such cells
    failures = []
    for url, name in cells:
        for value in ("null", "NULL"):
            r = await client.get(url, params={name: value})
            fields = [e.get("field") for e in r.json().get("errors", [])] if r.content else []
            if r.status_code not in (400, 422) or name not in fields:
                failures.append((url, name, value, r.status_code, r.text[:120]))
    assert not failures, failures


async def test_null_filter_answer_and_text_parameters(client):
    org = await make_org(client, **enterprise())
    await make(client, "/api/needs", need(org))
    r = await client.get("/api/needs", params={"status": "null"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    (err,) = r.json()["errors"]
    assert err["field"] == "status" and err["source"] == "query" and "null" in err["message"]
    r = await client.get("/api/rounds", params={"state": "null", "kind": "null"})
    assert r.status_code == 400
    assert sorted(e["field"] for e in r.json()["errors"]) == ["kind", "state"]
    # Text is text: searching for the word "null" is a search, not a missing filter.
    r = await client.get("/api/needs", params={"q": "null"})
    assert r.status_code == 200 and r.json()["total"] == 0
    assert (await client.get("/api/needs")).json()["total"] == 1
