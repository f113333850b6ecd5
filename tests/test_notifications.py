"""service.notifications.notify: inbox rows per recipient, outbox rows for confirmed e-mails."""

from __future__ import annotations

import pytest

from service.notifications import notify, send_email


async def _org(conn, name: str) -> int:
    return await conn.fetchval(
        "INSERT INTO organizations (kind, name, city) VALUES ('university', $1, '太原') RETURNING id",
        name,
    )


async def _user(conn, org_id, role="university", *, email=None, confirmed=False, active=True):
    return await conn.fetchval(
        "INSERT INTO users (login, role, org_id, email, email_confirmed_at, is_active)"
        " VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6) RETURNING id",
        f"u{await conn.fetchval('SELECT count(*) FROM users')}@t",
        role,
        org_id,
        email,
        confirmed,
        active,
    )


async def test_notify_reaches_each_recipient_once_and_mails_confirmed_addresses(conn):
    a, b = await _org(conn, "甲大学"), await _org(conn, "乙大学")
    u1 = await _user(conn, a, email="u1@example.com", confirmed=True)
    u2 = await _user(conn, a, email="u2@example.com", confirmed=False)  # not confirmed: no mail
    await _user(conn, a, active=False)  # inactive: nothing
    await _user(conn, b)  # other organization: nothing
    staff = await _user(conn, None, "coordinator", email="c@example.com", confirmed=True)
    await conn.execute("UPDATE users SET email_notifications = false WHERE id = $1", staff)

    async with conn.transaction():
        told = await notify(
            conn,
            kind="pairing_published",
            title="新的配对：煤焦油加氢",
            link="/me/pairings",
            org_ids=[a],
            user_ids=[u1],  # also in org a: still once
            roles=["coordinator"],
            event_key="pairing:1",
        )
    assert told == 3
    inbox = await conn.fetch("SELECT user_id, kind, title FROM notifications ORDER BY user_id")
    assert [r["user_id"] for r in inbox] == sorted([u1, u2, staff])
    assert {r["title"] for r in inbox} == {"新的配对：煤焦油加氢"}
    mails = await conn.fetch("SELECT to_address, dedupe_key FROM outbox")
    assert [m["to_address"] for m in mails] == ["u1@example.com"]

    # The same event again: a second inbox row is fine (it is a second call), no second mail.
    await notify(conn, kind="pairing_published", title="x", org_ids=[a], event_key="pairing:1")
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 1


async def test_notify_rolls_back_with_the_event(conn):
    a = await _org(conn, "丙大学")
    await _user(conn, a, email="x@example.com", confirmed=True)
    with pytest.raises(RuntimeError):
        async with conn.transaction():
            await notify(conn, kind="contact_requested", title="对接请求", org_ids=[a])
            raise RuntimeError("the event failed")
    assert await conn.fetchval("SELECT count(*) FROM notifications") == 0
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 0


async def test_notify_refuses_an_off_site_link(conn):
    with pytest.raises(ValueError, match="same-origin"):
        await notify(conn, kind="account", title="t", link="//evil.example/")
    with pytest.raises(ValueError, match="same-origin"):
        await notify(conn, kind="account", title="t", link="https://evil.example/")


async def test_send_email_is_queued_once_per_key(conn):
    for _ in range(2):
        await send_email(
            conn, to_address="a@example.com", subject="确认邮箱", body="b", dedupe_key="confirm:1"
        )
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 1
