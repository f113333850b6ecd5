"""Issue #15 items 3, 5 and 10 over HTTP: rate limits that count the parsed token (per user)
in PostgreSQL, tokens that expire and can be listed and revoked, password changes that need the
current password and end other sessions, minting that needs a recent login, and the web UI's
HttpOnly session cookie with CSRF protection."""

from datetime import UTC, datetime, timedelta

import pytest

from service.auth.limits import RateLimiter
from tests.conftest import create_principal
from tests.factories import enterprise

PASSWORD = "correct horse battery"


@pytest.fixture
def strict_limits(app):
    saved = app.state.rate_limiter
    app.state.rate_limiter = RateLimiter(
        write_burst=3, write_per_minute=1, login_burst=2, login_per_minute=1
    )
    yield app.state.rate_limiter
    app.state.rate_limiter = saved


@pytest.fixture
async def jar(session_client, empty_db):
    """The shared client, whose cookie jar is emptied after the test (login cookies set here
    must not authenticate other tests' requests)."""
    session_client.cookies.clear()
    yield session_client
    session_client.cookies.clear()


async def _login(anon, login: str, **extra):
    r = await anon.post("/api/auth/login", json={"login": login, "password": PASSWORD, **extra})
    assert r.status_code == 200, r.text
    return r


async def _user(dsn: str, role: str = "admin", org: int | None = None) -> tuple[int, str, str]:
    """A user with a password; returns (id, login, api token)."""
    import asyncpg

    uid, token = await create_principal(dsn, role, org, password=PASSWORD)
    conn = await asyncpg.connect(dsn)
    try:
        login = await conn.fetchval("SELECT login FROM users WHERE id = $1", uid)
    finally:
        await conn.close()
    return uid, login, token


# --- item 3: rate limits ------------------------------------------------------------------------


async def test_respelled_authorization_headers_share_one_bucket(anon, empty_db, strict_limits):
    _, token = await create_principal(empty_db, "admin")
    spellings = [
        f"Bearer {token}",
        f"bearer {token}",
        f"BEARER   {token}",
        f"  bEaReR {token}  ",
        f"BeArEr {token}   ",
    ]
    statuses = []
    for header in spellings:
        r = await anon.post(
            "/api/organizations", json=enterprise(), headers={"Authorization": header}
        )
        statuses.append(r.status_code)
    assert statuses[:3] == [201, 201, 201]
    assert statuses[3:] == [429, 429], statuses
    # a spelling the server does not accept as a token is no write either
    r = await anon.post(
        "/api/organizations", json=enterprise(), headers={"Authorization": f"Bearer\t{token}"}
    )
    assert r.status_code in (401, 429)
    assert (await anon.get("/api/organizations")).json()["total"] == 3


async def test_every_token_of_a_user_shares_the_users_bucket(anon, conn, empty_db, strict_limits):
    from service.auth import tokens

    uid, first = await create_principal(empty_db, "admin")
    _, second = await tokens.create_token(conn, kind="api", user_id=uid, name="second")
    for _ in range(3):
        r = await anon.post(
            "/api/organizations", json=enterprise(), headers={"Authorization": f"Bearer {first}"}
        )
        assert r.status_code == 201
    r = await anon.post(
        "/api/organizations", json=enterprise(), headers={"Authorization": f"Bearer {second}"}
    )
    assert r.status_code == 429
    # made-up tokens are keyed by address, not given a fresh bucket each
    for i in range(4):
        r = await anon.post(
            "/api/organizations", json={}, headers={"Authorization": f"Bearer dj_fake{i}"}
        )
    assert r.status_code == 429


async def test_login_limit_is_kept_in_postgresql(anon, conn, strict_limits):
    body = {"login": "nobody@example.cn", "password": "wrong-password"}
    assert [(await anon.post("/api/auth/login", json=body)).status_code for _ in range(3)] == [
        401,
        401,
        429,
    ]
    assert await conn.fetchval("SELECT count(*) FROM rate_limits WHERE key LIKE 'login:%'") == 1


# --- item 5: tokens and passwords -----------------------------------------------------------------


async def test_api_tokens_expire_and_only_admins_choose_longer(anon, empty_db, conn):
    org = await conn.fetchval(
        "INSERT INTO organizations (kind, name, city, credit_code, search_text)"
        " VALUES ('enterprise', '测试企业', '太原', '91140100MA0K00001X', '') RETURNING id"
    )
    _, login, _ = await _user(empty_db, "enterprise", org)
    h = {"Authorization": f"Bearer {(await _login(anon, login)).json()['token']}"}
    r = await anon.post("/api/auth/tokens", json={"name": "ERP"}, headers=h)
    assert r.status_code == 201, r.text
    expires = datetime.fromisoformat(r.json()["expires_at"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    r = await anon.post("/api/auth/tokens", json={"days": 365}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "days"

    _, admin_login, _ = await _user(empty_db, "admin")
    ah = {"Authorization": f"Bearer {(await _login(anon, admin_login)).json()['token']}"}
    r = await anon.post("/api/auth/tokens", json={"days": 365}, headers=ah)
    assert r.status_code == 201
    assert datetime.fromisoformat(r.json()["expires_at"]) - datetime.now(UTC) > timedelta(days=364)
    # no token in the database lives for ever
    assert await conn.fetchval("SELECT count(*) FROM api_tokens WHERE expires_at IS NULL") == 0


async def test_minting_a_token_needs_a_recent_login_or_the_password(anon, conn, empty_db):
    _, login, api_token = await _user(empty_db)
    session = (await _login(anon, login)).json()["token"]
    h = {"Authorization": f"Bearer {session}"}
    # a session 11 minutes old (stolen, say) cannot mint long-lived access by itself
    await conn.execute(
        "UPDATE api_tokens SET created_at = now() - interval '11 minutes' WHERE kind = 'session'"
    )
    r = await anon.post("/api/auth/tokens", json={"name": "x"}, headers=h)
    assert r.status_code == 403 and "10 分钟" in r.json()["detail"]
    r = await anon.post("/api/auth/tokens", json={"password": "wrong password"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"
    r = await anon.post("/api/auth/tokens", json={"password": PASSWORD}, headers=h)
    assert r.status_code == 201
    # an API token is not a login
    api_h = {"Authorization": f"Bearer {api_token}"}
    assert (await anon.post("/api/auth/tokens", json={}, headers=api_h)).status_code == 403
    # a fresh login may
    fresh = (await _login(anon, login)).json()["token"]
    r = await anon.post("/api/auth/tokens", json={}, headers={"Authorization": f"Bearer {fresh}"})
    assert r.status_code == 201


async def test_list_and_revoke_own_tokens(anon, empty_db):
    uid, login, api_token = await _user(empty_db)
    _, _, other_token = await _user(empty_db)
    session = (await _login(anon, login)).json()["token"]
    h = {"Authorization": f"Bearer {session}"}
    listed = (await anon.get("/api/auth/tokens", headers=h)).json()
    assert [(t["kind"], t["current"]) for t in listed] == [("api", False), ("session", True)]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    api_id = listed[0]["id"]
    other_h = {"Authorization": f"Bearer {other_token}"}
    # someone else's token is not found, not revoked
    assert (await anon.delete(f"/api/auth/tokens/{api_id}", headers=other_h)).status_code == 404
    assert (
        await anon.get("/api/auth/me", headers={"Authorization": f"Bearer {api_token}"})
    ).status_code == 200
    assert (await anon.delete(f"/api/auth/tokens/{api_id}", headers=h)).status_code == 204
    assert (
        await anon.get("/api/auth/me", headers={"Authorization": f"Bearer {api_token}"})
    ).status_code == 401
    assert [t["kind"] for t in (await anon.get("/api/auth/tokens", headers=h)).json()] == [
        "session"
    ]


async def test_password_change_needs_current_password_and_ends_other_sessions(
    anon, client, empty_db
):
    uid, login, api_token = await _user(empty_db, "coordinator")
    s1 = (await _login(anon, login)).json()["token"]
    s2 = (await _login(anon, login)).json()["token"]
    h1 = {"Authorization": f"Bearer {s1}"}
    new = {"password": "a brand new password"}
    r = await anon.patch(f"/api/users/{uid}", json=new, headers=h1)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "current_password"
    r = await anon.patch(
        f"/api/users/{uid}", json=new | {"current_password": "not it at all"}, headers=h1
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "current_password"
    assert (
        await anon.get("/api/auth/me", headers={"Authorization": f"Bearer {s2}"})
    ).status_code == 200

    r = await anon.patch(f"/api/users/{uid}", json=new | {"current_password": PASSWORD}, headers=h1)
    assert r.status_code == 200, r.text
    # this session stays; the other session and the API token end
    assert (await anon.get("/api/auth/me", headers=h1)).status_code == 200
    for t in (s2, api_token):
        assert (
            await anon.get("/api/auth/me", headers={"Authorization": f"Bearer {t}"})
        ).status_code == 401
    r = await anon.post("/api/auth/login", json={"login": login, "password": new["password"]})
    assert r.status_code == 200
    s3 = r.json()["token"]
    # an admin resetting the password ends every session of the user
    r = await client.patch(f"/api/users/{uid}", json={"password": "admin chose this one"})
    assert r.status_code == 200
    for t in (s1, s3):
        assert (
            await anon.get("/api/auth/me", headers={"Authorization": f"Bearer {t}"})
        ).status_code == 401


# --- item 10: the web UI's cookie -------------------------------------------------------------------


async def test_cookie_login_is_httponly_and_writes_need_csrf(jar, empty_db):
    _, login, bearer = await _user(empty_db)
    r = await _login(jar, login, cookie=True)
    assert r.json()["token"] is None  # nothing for a script to read
    set_cookie = r.headers.get_list("set-cookie")
    session = next(c for c in set_cookie if c.startswith("duijie_session="))
    csrf_cookie = next(c for c in set_cookie if c.startswith("duijie_csrf="))
    assert "HttpOnly" in session and "samesite=strict" in session.lower() and "Path=/" in session
    assert "HttpOnly" not in csrf_cookie and "samesite=strict" in csrf_cookie.lower()
    assert 43100 < int(session.lower().split("max-age=")[1].split(";")[0]) <= 43200  # 12 hours
    assert "Secure" not in session  # plain http here; https requests get Secure
    csrf = jar.cookies["duijie_csrf"]

    # reads work with the cookie alone
    me = await jar.get("/api/auth/me")
    assert me.status_code == 200 and me.headers["cache-control"] == "no-store"
    # a write without the CSRF header (what a cross-site form would send) is refused
    r = await jar.post("/api/organizations", json=enterprise())
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = await jar.post("/api/organizations", json=enterprise(), headers={"X-CSRF-Token": "x" * 43})
    assert r.status_code == 403
    r = await jar.post("/api/organizations", json=enterprise(), headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    # Bearer clients are unaffected (no CSRF header needed)
    r = await jar.post(
        "/api/organizations", json=enterprise(), headers={"Authorization": f"Bearer {bearer}"}
    )
    assert r.status_code == 201
    # logout needs the header too, and clears both cookies
    assert (await jar.post("/api/auth/logout")).status_code == 403
    r = await jar.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    cleared = r.headers.get_list("set-cookie")
    assert {c.split("=", 1)[0] for c in cleared} == {"duijie_session", "duijie_csrf"}
    assert all("Max-Age=0" in c for c in cleared)
    assert (await jar.get("/api/auth/me")).status_code == 401


async def test_secure_cookie_over_https(jar, empty_db):
    _, login, _ = await _user(empty_db)
    # The shared client, asked for an https URL (a second client would run the app's lifespan
    # again and replace its pool).
    r = await jar.post(
        "https://testserver.local/api/auth/login",
        json={"login": login, "password": PASSWORD, "cookie": True},
    )
    assert r.status_code == 200
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 2 and all("Secure" in c for c in cookies)


# --- item 10: /schema ---------------------------------------------------------------------------------


async def test_schema_page_uses_packaged_assets_under_a_csp(anon):
    r = await anon.get("/schema")
    assert r.status_code == 200
    page = r.text
    assert "cdn." not in page and "https://" not in page and "http://" not in page
    assert "<script>" not in page.replace(" ", "")  # no inline script
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-eval" not in csp
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "VERSION.md"):
        assert (await anon.get(f"/static/vendor/swagger-ui/{asset}")).status_code == 200
    assert (await anon.get("/static/docs.js")).status_code == 200
    assert (await anon.get("/schema/openapi.json")).status_code == 200
