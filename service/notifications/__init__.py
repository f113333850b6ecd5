"""Notifications: the in-app inbox and the e-mail outbox.

Services call :func:`notify` inside the transaction of the event itself (a pairing published, a
contact request answered …), so the event, its inbox rows and its e-mails commit or roll back
together: a notification is never lost and never sent for an event that did not happen.
E-mails are rows in ``outbox``; the worker sends them when ``DUIJIE_SMTP_URL`` is set, with
retries, and marks each row sent, so the mail server being down loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import asyncpg

from service.notifications import repository

# What a person can be told about. The inbox shows the title; the kind lets a client group them.
Kind = Literal[
    "pairing_published",  # a coordinator published a pairing that involves my organization
    "pairing_answered",  # the other side accepted or declined a pairing
    "contact_requested",  # someone sent my organization a contact request
    "contact_answered",  # my contact request was accepted or declined
    "application_status",  # my application to a challenge changed status
    "challenge_reviewed",  # my challenge was approved (发榜) or returned with a reason
    "meeting_scheduled",  # a fair meeting was scheduled or moved
    "organization_reviewed",  # my organization's registration was approved or returned
    "organization_registered",  # (coordinators) an organization registered or resubmitted
    "account",  # e-mail confirmation, password reset, invitation (e-mail only, see send_email)
]

MAX_TITLE = 200
MAX_BODY = 2000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def notify(
    conn: asyncpg.Connection,
    *,
    kind: Kind,
    title: str,
    body: str = "",
    link: str | None = None,
    user_ids: Iterable[int] = (),
    org_ids: Iterable[int] = (),
    roles: Iterable[str] = (),
    event_key: str | None = None,
) -> int:
    """Tell people about an event, inside the caller's transaction; return how many were told.

    Recipients are the active users in ``user_ids``, every active user of ``org_ids`` and every
    active user whose role is in ``roles`` (e.g. ``("coordinator",)``), each once. Each gets an
    inbox row; each with a confirmed e-mail who has not turned e-mail off also gets an outbox
    row, keyed ``event_key:user_id`` so a repeated event (same ``event_key``) is mailed once.
    ``link`` is a same-origin path (``/needs/12``), never an absolute URL.
    """
    if link is not None and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"notification link must be a same-origin path: {link!r}")
    rows = await repository.recipients(conn, list(user_ids), list(org_ids), list(roles))
    if not rows:
        return 0
    title = _clip(title, MAX_TITLE)
    body = _clip(body, MAX_BODY)
    await repository.insert_inbox(conn, [(r["id"], kind, title, body, link) for r in rows])
    mail_to = [r for r in rows if r["mail"] and r["email"]]
    if mail_to:
        key = event_key or f"{kind}:{title}:{link or ''}"
        text = body + (f"\n\n{link}" if link else "")
        await repository.queue_mail(
            conn,
            [(_clip(f"{key}:{r['id']}", 200), r["email"], title, text or title) for r in mail_to],
        )
    return len(rows)


async def send_email(
    conn: asyncpg.Connection, *, to_address: str, subject: str, body: str, dedupe_key: str
) -> None:
    """Queue one e-mail (account mail: confirmation, password reset, invitation) in the outbox,
    inside the caller's transaction. The same ``dedupe_key`` is queued once."""
    await repository.queue_mail(
        conn, [(_clip(dedupe_key, 200), to_address, _clip(subject, 300), body)]
    )
