"""Joining on one's own: registration, approval, visibility while pending, and the account mails
(confirmation, reset, invitation) read from a real SMTP server on loopback."""

from __future__ import annotations

import asyncio

import pytest

from service.app import create_pool
from service.notifications.mailer import Mailer
from tests import factories
from tests.mailhelpers import MailCatcher, body, token_in

PASSWORD = "correct horse 1"


def registration(**over) -> dict:
    return {
        "kind": "enterprise",
        "name": "晋中智造装备有限公司",
        "credit_code": factories.credit_code(),
        "city": "晋中",
        "industry_code": "C3411",
        "description": "数控机床与智能装备",
        "contact_name": "王经理",
        "contact_phone": "0354-1234567",
        "login": "wang",
        "display_name": "王经理",
        "email": "wang@example.com",
        "password": PASSWORD,
    } | over


@pytest.fixture
async def mail(empty_db):
    """Deliver the outbox to a loopback SMTP server: ``await mail.flush()`` -> the catcher."""
    catcher = MailCatcher().start()
    pool = await create_pool(empty_db, max_size=2)
    mailer = Mailer(pool, catcher.url)

    async def flush() -> MailCatcher:
        before = len(catcher.messages)
        sent, _ = await mailer.send_due()
        catcher.wait_for(before + sent)
        return catcher

    catcher.flush = flush  # type: ignore[attr-defined]
    try:
        yield catcher
    finally:
        await pool.close()
        catcher.stop()


async def _login(anon, login: str, password: str = PASSWORD):
    return await anon.post("/api/auth/login", json={"login": login, "password": password})


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_register_confirm_login_and_wait_for_approval(anon, mail, as_role, conn):
    coord = await as_role("coordinator")
    r = await anon.post("/api/registrations", json=registration())
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["approval_state"] == "pending"
    org_id = reg["organization_id"]

    # The confirmation mail, then the link confirms the address once.
    await mail.flush()
    [msg] = mail.to("wang@example.com")
    assert "确认" in msg["Subject"] and "/register/confirm?token=" in body(msg)
    token = token_in(msg)
    assert await conn.fetchval("SELECT email_confirmed_at FROM users WHERE login = 'wang'") is None
    r = await anon.post("/api/auth/confirm-email", json={"token": token})
    assert r.status_code == 200 and r.json()["email"] == "wang@example.com"
    assert await conn.fetchval("SELECT email_confirmed_at FROM users WHERE login = 'wang'")
    r = await anon.post("/api/auth/confirm-email", json={"token": token})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "token"
    # Only the digest is stored.
    assert not await conn.fetchval(
        "SELECT count(*) FROM account_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1",
        token[-10:],
    )

    # The new user logs in and prepares a published need; the world does not see it yet.
    r = await _login(anon, "wang")
    assert r.status_code == 200
    me = _bearer(r.json()["token"])
    need = await anon.post("/api/needs", json=factories.need(org_id), headers=me)
    assert need.status_code == 201, need.text
    need_id = need.json()["id"]
    assert (await anon.get(f"/api/needs/{need_id}", headers=me)).status_code == 200
    assert (await anon.get(f"/api/needs/{need_id}")).status_code == 404
    assert need_id not in [n["id"] for n in (await anon.get("/api/needs")).json()["items"]]
    assert (await anon.get(f"/api/organizations/{org_id}")).status_code == 404
    other = await as_role("university", await _university(conn))
    assert (await other.get(f"/api/needs/{need_id}")).status_code == 404
    mine = (await anon.get("/api/registrations/mine", headers=me)).json()
    assert mine["approval_state"] == "pending"

    # Coordinators were told, and see the queue; an enterprise may not approve.
    queue = (await coord.get("/api/registrations")).json()
    assert [o["id"] for o in queue["items"]] == [org_id]
    assert queue["items"][0]["first_email"] == "wang@example.com"
    assert (await coord.get("/api/notifications/unread-count")).json()["unread"] == 1
    r = await anon.post(f"/api/registrations/{org_id}/approve", headers=me)
    assert r.status_code == 403

    r = await coord.post(f"/api/registrations/{org_id}/approve")
    assert r.status_code == 200 and r.json()["approval_state"] == "approved"
    assert (await anon.get(f"/api/needs/{need_id}")).status_code == 200
    assert (await anon.get(f"/api/organizations/{org_id}")).status_code == 200
    assert (await other.get(f"/api/needs/{need_id}")).status_code == 200
    inbox = (await anon.get("/api/notifications", headers=me)).json()["items"]
    assert [n["kind"] for n in inbox] == ["organization_reviewed"]
    # The approval is mailed to the (confirmed) user too.
    await mail.flush()
    assert any("审核通过" in m["Subject"] for m in mail.to("wang@example.com"))
    r = await coord.post(f"/api/registrations/{org_id}/approve")
    assert r.status_code == 409
    assert (await coord.get("/api/registrations")).json()["total"] == 0
    approved = (await coord.get("/api/registrations", params={"state": "approved"})).json()
    assert org_id in [o["id"] for o in approved["items"]]
    r = await coord.get("/api/registrations", params={"state": "maybe"})
    # The problem names the handler parameter (approval_state), as /api/rounds?state= does.
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "approval_state"


async def _university(conn) -> int:
    return await conn.fetchval(
        "INSERT INTO organizations (kind, name, city) VALUES ('university', '太原理工大学', '太原')"
        " RETURNING id"
    )


async def test_return_with_reason_then_resubmit(anon, as_role, conn):
    r = await anon.post("/api/registrations", json=registration())
    org_id = r.json()["organization_id"]
    me = _bearer((await _login(anon, "wang")).json()["token"])
    coord = await as_role("coordinator")
    r = await coord.post(f"/api/registrations/{org_id}/return", json={"reason": "  "})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await coord.post(f"/api/registrations/{org_id}/return", json={})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await coord.post(f"/api/registrations/{org_id}/return", json={"reason": "营业执照名称不符"})
    assert r.status_code == 200 and r.json()["return_reason"] == "营业执照名称不符"
    inbox = (await anon.get("/api/notifications", headers=me)).json()["items"]
    assert "营业执照名称不符" in inbox[0]["body"]
    # Returned is still private.
    assert (await anon.get(f"/api/organizations/{org_id}")).status_code == 404
    r = await coord.post(f"/api/registrations/{org_id}/return", json={"reason": "再退一次"})
    assert r.status_code == 409
    r = await anon.post("/api/registrations/mine/resubmit", headers=me)
    assert r.status_code == 200 and r.json()["approval_state"] == "pending"
    r = await anon.post("/api/registrations/mine/resubmit", headers=me)
    assert r.status_code == 409


async def test_duplicate_and_invalid_credit_codes_are_refused(anon, client, conn):
    code = factories.credit_code()
    existing = await client.post("/api/organizations", json=factories.enterprise(credit_code=code))
    assert existing.status_code == 201
    r = await anon.post("/api/registrations", json=registration(credit_code=code.lower()))
    assert r.status_code == 409
    problem = r.json()
    assert problem["errors"][0]["field"] == "credit_code"
    assert "已" in problem["errors"][0]["message"] and "注册" in problem["errors"][0]["message"]

    bad = code[:17] + ("0" if code[17] != "0" else "1")
    r = await anon.post("/api/registrations", json=registration(credit_code=bad))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "credit_code"
    assert "校验位" in r.json()["errors"][0]["message"]

    r = await anon.post("/api/registrations", json=registration(email="not-an-address"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "email"
    r = await anon.post("/api/registrations", json=registration(password="short"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"
    r = await anon.post("/api/registrations", json=registration(industry_code="Z999"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "industry_code"
    r = await anon.post("/api/registrations", json=registration(kind="agency"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    # Nothing half-written: only the organization the admin made.
    assert await conn.fetchval("SELECT count(*) FROM organizations") == 1
    assert await conn.fetchval("SELECT count(*) FROM users WHERE login = 'wang'") == 0
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 0

    # A duplicate login or e-mail is refused naming the field, and nothing is kept either.
    assert (await anon.post("/api/registrations", json=registration())).status_code == 201
    r = await anon.post(
        "/api/registrations",
        json=registration(credit_code=factories.credit_code(), email="other@example.com"),
    )
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "login"
    r = await anon.post(
        "/api/registrations", json=registration(credit_code=factories.credit_code(), login="lisi")
    )
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "email"
    assert await conn.fetchval("SELECT count(*) FROM organizations") == 2


async def test_password_reset_by_mail_ends_other_sessions(anon, mail, conn):
    await anon.post("/api/registrations", json=registration())
    old_session = (await _login(anon, "wang")).json()["token"]
    await mail.flush()

    # Unknown and known addresses answer alike.
    unknown = await anon.post("/api/auth/password-reset", json={"email": "nobody@example.com"})
    known = await anon.post("/api/auth/password-reset", json={"email": "WANG@example.com"})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    await mail.flush()
    resets = [m for m in mail.messages if "重设密码" in m["Subject"]]
    assert [m["To"] for m in resets] == ["wang@example.com"]
    token = token_in(resets[0])

    r = await anon.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": "short"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"
    r = await anon.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": "new password 2"}
    )
    assert r.status_code == 204
    assert (await anon.get("/api/auth/me", headers=_bearer(old_session))).status_code == 401
    assert (await _login(anon, "wang")).status_code == 401
    assert (await _login(anon, "wang", "new password 2")).status_code == 200
    # Single use.
    r = await anon.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": "third password"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "token"
    # Expired tokens are refused too.
    await anon.post("/api/auth/password-reset", json={"email": "wang@example.com"})
    await mail.flush()
    late = token_in([m for m in mail.messages if "重设密码" in m["Subject"]][-1])
    await conn.execute("UPDATE account_tokens SET expires_at = now() - interval '1 s'")
    r = await anon.post(
        "/api/auth/password-reset/confirm", json={"token": late, "password": "fourth password"}
    )
    assert r.status_code == 422


async def test_member_invites_a_colleague_who_joins_with_the_same_role(anon, mail, as_role, conn):
    org_id = (await anon.post("/api/registrations", json=registration())).json()["organization_id"]
    me = _bearer((await _login(anon, "wang")).json()["token"])
    r = await anon.post(
        "/api/registrations/invitations", json={"email": "wang@example.com"}, headers=me
    )
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "email"
    r = await anon.post(
        "/api/registrations/invitations", json={"email": "zhao@example.com"}, headers=me
    )
    assert r.status_code == 201, r.text
    assert r.json()["organization_id"] == org_id and r.json()["role"] == "enterprise"
    coord = await as_role("coordinator")
    r = await coord.post("/api/registrations/invitations", json={"email": "c@example.com"})
    assert r.status_code == 403

    await mail.flush()
    [msg] = mail.to("zhao@example.com")
    assert "邀请" in msg["Subject"] and "/register/invite?token=" in body(msg)
    token = token_in(msg)
    accept = {"token": token, "login": "zhao", "display_name": "赵工", "password": PASSWORD}
    r = await anon.post("/api/registrations/invitations/accept", json=accept | {"login": "wang"})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "login"
    r = await anon.post("/api/registrations/invitations/accept", json=accept)
    assert r.status_code == 201, r.text
    assert r.json() | {"user_id": 0} == {
        "user_id": 0,
        "login": "zhao",
        "organization_id": org_id,
        "role": "enterprise",
    }
    assert await conn.fetchval(
        "SELECT email_confirmed_at IS NOT NULL FROM users WHERE login = 'zhao'"
    )
    assert (await _login(anon, "zhao")).status_code == 200
    r = await anon.post("/api/registrations/invitations/accept", json=accept | {"login": "zhao2"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "token"


async def test_registration_and_reset_requests_are_rate_limited_per_address(app, anon):
    from service.auth.limits import RateLimiter

    saved = app.state.rate_limiter
    app.state.rate_limiter = RateLimiter(login_burst=2, login_per_minute=1)
    try:
        codes = [
            (await anon.post("/api/auth/password-reset", json={"email": "a@example.com"}))
            for _ in range(3)
        ]
        assert [r.status_code for r in codes] == [202, 202, 429]
        assert codes[-1].headers["retry-after"]
        assert codes[-1].headers["content-type"].startswith("application/problem+json")
        r = await anon.post("/api/registrations", json=registration())
        assert r.status_code == 201  # a separate bucket from resets
    finally:
        app.state.rate_limiter = saved


async def test_pending_organizations_records_stay_out_of_lists_and_recommendations(
    app, client, anon, as_role, conn
):
    from service.recommend import Recommender

    app.state.recommender = Recommender()  # empty indexes for this test
    ent = (await client.post("/api/organizations", json=factories.enterprise())).json()
    need = (await client.post("/api/needs", json=factories.need(ent["id"]))).json()
    r = await anon.post("/api/registrations", json=registration(kind="university", name="新大学"))
    uni_id = r.json()["organization_id"]
    cap = (await client.post("/api/capabilities", json=factories.capability(uni_id))).json()
    pool = (await client.post("/api/talent-pools", json=factories.talent_pool(uni_id))).json()

    stranger = await as_role("enterprise", ent["id"])
    for who in (anon, stranger):
        assert uni_id not in [
            o["id"] for o in (await who.get("/api/organizations")).json()["items"]
        ]
        assert (await who.get("/api/capabilities")).json()["total"] == 0
        assert (await who.get(f"/api/talent-pools/{pool['id']}")).status_code == 404
    recs = (await anon.get(f"/api/needs/{need['id']}/recommendations")).json()["items"]
    assert cap["id"] not in [x["id"] for x in recs]
    # The pending organization itself, and staff, see its records.
    member = await as_role("university", uni_id)
    assert (await member.get("/api/capabilities")).json()["total"] == 1
    assert (await client.get("/api/capabilities")).json()["total"] == 1
    assert (await member.get(f"/api/capabilities/{cap['id']}/recommendations")).status_code == 200

    coord = await as_role("coordinator")
    assert (await coord.post(f"/api/registrations/{uni_id}/approve")).status_code == 200
    assert (await anon.get("/api/capabilities")).json()["total"] == 1
    for _ in range(40):  # the recommender notices the change within about a second
        recs = (await anon.get(f"/api/needs/{need['id']}/recommendations")).json()["items"]
        if cap["id"] in [x["id"] for x in recs]:
            break
        await asyncio.sleep(0.1)
    assert cap["id"] in [x["id"] for x in recs]


async def test_resend_confirmation(anon, mail):
    await anon.post("/api/registrations", json=registration())
    me = _bearer((await _login(anon, "wang")).json()["token"])
    r = await anon.post("/api/auth/resend-confirmation", headers=me)
    assert r.status_code == 202
    await mail.flush()
    first, second = mail.to("wang@example.com")
    # The first link is spent by the resend; the second one works.
    r = await anon.post("/api/auth/confirm-email", json={"token": token_in(first)})
    assert r.status_code == 422
    r = await anon.post("/api/auth/confirm-email", json={"token": token_in(second)})
    assert r.status_code == 200
    r = await anon.post("/api/auth/resend-confirmation", headers=me)
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "email"
