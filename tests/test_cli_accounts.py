"""``duijie user create`` and ``duijie token create`` as an operator runs them, against the
database the (session's) server is serving at the same time."""

import asyncio
import os
import sys

from tests.factories import enterprise


async def cli(dsn: str, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", *args,
        env={**os.environ, "DATABASE_URL": dsn},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode(), err.decode()


async def test_token_create_prints_the_token_alone_and_it_works(client, anon, empty_db):
    code, out, err = await cli(
        empty_db, "token", "create", "--role", "coordinator", "--name", "运维"
    )
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    assert token == token.strip() and " " not in token and len(token) >= 20
    r = await anon.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "coordinator"
    # The token can do what a coordinator does, right away, on the running server.
    r = await anon.post(
        "/api/organizations", json=enterprise(), headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 201, r.text


async def test_token_create_needs_an_org_for_participant_roles(empty_db):
    code, _, err = await cli(empty_db, "token", "create", "--role", "enterprise")
    assert code != 0 and "机构" in err


async def test_user_create_then_login(client, anon, empty_db):
    org = (await client.post("/api/organizations", json=enterprise())).json()["id"]
    code, out, err = await cli(
        empty_db, "user", "create", "--login", "li@example.cn", "--role", "enterprise",
        "--org", str(org), "--generate-password",
    )  # fmt: skip
    assert code == 0, err
    password = out.strip().splitlines()[-1]
    r = await anon.post("/api/auth/login", json={"login": "li@example.cn", "password": password})
    assert r.status_code == 200, r.text
    code, _, err = await cli(
        empty_db, "user", "create", "--login", "li@example.cn", "--role", "enterprise",
        "--org", str(org), "--generate-password",
    )  # fmt: skip
    assert code != 0  # the login is taken
