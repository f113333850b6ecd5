"""The inbox API, the e-mail switch, and the outbox sender against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio

import pytest

from service.app import create_pool
from service.notifications import notify, send_email
from service.notifications.mailer import Mailer
from tests.mailhelpers import MailCatcher, body


async def _org(conn, name="甲大学") -> int:
    return await conn.fetchval(
        "INSERT INTO organizations (kind, name, city) VALUES ('university', $1, '太原') RETURNING id",
        name,
    )


async def _me(actor) -> int:
    return (await actor.get("/api/auth/me")).json()["user_id"]


async def _confirm(conn, user_id: int, address: str) -> None:
    await conn.execute(
        "UPDATE users SET email = $2, email_confirmed_at = now() WHERE id = $1", user_id, address
    )


@pytest.fixture
async def pool(empty_db):
    p = await create_pool(empty_db, max_size=4)
    try:
        yield p
    finally:
        await p.close()


@pytest.fixture
def smtp():
    catcher = MailCatcher().start()
    try:
        yield catcher
    finally:
        catcher.stop()


async def test_inbox_lists_counts_and_marks_read_only_my_notifications(as_role, conn):
    org = await _org(conn)
    me, other = await as_role("university", org), await as_role("university", org)
    my_id, other_id = await _me(me), await _me(other)
    for i in range(3):
        await notify(conn, kind="contact_requested", title=f"对接请求 {i}", user_ids=[my_id])
    await notify(conn, kind="contact_requested", title="给别人", user_ids=[other_id])

    r = await me.get("/api/notifications/unread-count")
    assert r.status_code == 200 and r.json() == {"unread": 3}
    page = (await me.get("/api/notifications", params={"limit": 2})).json()
    assert page["total"] == 3 and page["unread"] == 3
    assert [n["title"] for n in page["items"]] == ["对接请求 2", "对接请求 1"]

    first = page["items"][0]["id"]
    r = await me.post(f"/api/notifications/{first}/read")
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert (await me.get("/api/notifications/unread-count")).json() == {"unread": 2}
    unread = (await me.get("/api/notifications", params={"unread": "true"})).json()
    assert first not in [n["id"] for n in unread["items"]] and unread["total"] == 2

    # Someone else's notification does not exist for me.
    theirs = await conn.fetchval("SELECT id FROM notifications WHERE user_id = $1", other_id)
    r = await me.post(f"/api/notifications/{theirs}/read")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    assert await conn.fetchval("SELECT read_at FROM notifications WHERE id = $1", theirs) is None

    r = await me.post("/api/notifications/read-all")
    assert r.json() == {"updated": 2}
    assert (await me.get("/api/notifications/unread-count")).json() == {"unread": 0}
    assert (await other.get("/api/notifications/unread-count")).json() == {"unread": 1}


async def test_inbox_needs_a_login(anon):
    r = await anon.get("/api/notifications/unread-count")
    assert r.status_code == 401


async def test_email_switch_stops_notification_mail(as_role, conn):
    org = await _org(conn)
    me = await as_role("university", org)
    uid = await _me(me)
    await _confirm(conn, uid, "me@example.com")
    r = await me.patch("/api/users/me/preferences", json={"email_notifications": False})
    assert r.status_code == 200 and r.json()["email_notifications"] is False
    assert (await me.get("/api/users/me/preferences")).json() == {
        "email": "me@example.com",
        "email_confirmed": True,
        "email_notifications": False,
    }
    await notify(conn, kind="pairing_published", title="新的配对", user_ids=[uid])
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
    assert await conn.fetchval("SELECT count(*) FROM notifications") == 1  # the inbox still gets it

    r = await me.patch("/api/users/me/preferences", json={"email_notifications": "no"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "email_notifications"
    r = await me.patch("/api/users/me/preferences", json={"email": "x@example.com"})
    assert r.status_code == 422


async def test_mailer_delivers_the_outbox_once(conn, pool, smtp):
    org = await _org(conn)
    uid = await conn.fetchval(
        "INSERT INTO users (login, role, org_id, email, email_confirmed_at)"
        " VALUES ('a@t', 'university', $1, 'a@example.com', now()) RETURNING id",
        org,
    )
    async with conn.transaction():
        await notify(
            conn,
            kind="contact_answered",
            title="对接请求已接受",
            body="对方接受了您的对接请求。",
            link="/contacts",
            user_ids=[uid],
        )
    mailer = Mailer(pool, smtp.url)
    assert await mailer.send_due() == (1, 0)
    assert await mailer.send_due() == (0, 0)
    smtp.wait_for(1)
    [msg] = smtp.to("a@example.com")
    assert msg["Subject"] == "对接请求已接受"
    assert "对方接受了您的对接请求。" in body(msg) and "/contacts" in body(msg)
    oid = await conn.fetchval("SELECT id FROM outbox")
    assert msg["Message-ID"] == f"<outbox-{oid}@duijie>"
    row = await conn.fetchrow("SELECT sent_at, attempts FROM outbox")
    assert row["sent_at"] is not None and row["attempts"] == 1


async def test_mailer_retries_after_an_outage_and_sends_once(conn, pool):
    catcher = MailCatcher()  # not started: the server is down
    await send_email(conn, to_address="b@example.com", subject="确认邮箱", body="b", dedupe_key="k")
    mailer = Mailer(pool, catcher.url, timeout=2)
    assert await mailer.send_due() == (0, 1)
    row = await conn.fetchrow("SELECT * FROM outbox")
    assert row["sent_at"] is None and row["attempts"] == 1 and row["last_error"]
    # Backed off: not due again at once.
    assert await conn.fetchval("SELECT next_attempt_at > now() + interval '20 s' FROM outbox")
    assert await mailer.send_due() == (0, 0)

    catcher.start()
    try:
        await conn.execute("UPDATE outbox SET next_attempt_at = now()")  # the back-off elapsed
        assert await mailer.send_due() == (1, 0)
        assert await mailer.send_due() == (0, 0)
        catcher.wait_for(1)
        assert len(catcher.to("b@example.com")) == 1
        row = await conn.fetchrow("SELECT * FROM outbox")
        assert row["sent_at"] is not None and row["attempts"] == 2 and row["last_error"] is None
    finally:
        catcher.stop()


async def test_two_senders_never_send_a_mail_twice(conn, pool, smtp):
    for i in range(12):
        await send_email(
            conn, to_address=f"u{i}@example.com", subject=f"邮件 {i}", body="x", dedupe_key=f"k{i}"
        )
    one, two = Mailer(pool, smtp.url), Mailer(pool, smtp.url)
    results = await asyncio.gather(one.send_due(), two.send_due())
    assert sum(sent for sent, _ in results) == 12
    smtp.wait_for(12)
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def test_user_with_email_off_gets_no_mail_end_to_end(conn, pool, smtp):
    org = await _org(conn)
    on = await conn.fetchval(
        "INSERT INTO users (login, role, org_id, email, email_confirmed_at)"
        " VALUES ('on@t', 'university', $1, 'on@example.com', now()) RETURNING id",
        org,
    )
    off = await conn.fetchval(
        "INSERT INTO users (login, role, org_id, email, email_confirmed_at, email_notifications)"
        " VALUES ('off@t', 'university', $1, 'off@example.com', now(), false) RETURNING id",
        org,
    )
    await notify(conn, kind="meeting_scheduled", title="会谈已安排", user_ids=[on, off])
    await Mailer(pool, smtp.url).send_due()
    smtp.wait_for(1)
    assert [m["To"] for m in smtp.messages] == ["on@example.com"]
