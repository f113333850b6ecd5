"""The e-mail sender: delivers the ``outbox`` to the SMTP server at ``DUIJIE_SMTP_URL``.

Each mail is claimed in its own transaction with ``FOR UPDATE SKIP LOCKED`` (so any number of
senders, in ``duijie serve`` and in ``duijie worker`` processes, never take the same row at
once), sent with :mod:`smtplib` in a thread, and marked ``sent_at`` in that same transaction only
after the server accepted it. When the server is down or refuses, the row stays pending with
``attempts`` + 1, ``last_error`` and ``next_attempt_at`` pushed back exponentially (30 s, 1 min,
2 min … at most 1 h), so nothing is lost while the mail server is away.

Delivery is at-least-once: if the process dies (or the database goes away) after the server
accepted a mail but before the commit, the row is sent once more on the next claim. Every mail
carries ``Message-ID: <outbox-{id}@duijie>``, the same on each attempt, so a receiving client can
drop that duplicate.

``DUIJIE_SMTP_URL`` is ``smtp://[user:pass@]host[:port][?starttls=1]`` (port 25 by default) or
``smtps://…`` (implicit TLS, port 465); the sender address is ``DUIJIE_MAIL_FROM``
(default ``duijie@localhost``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg

from service.notifications import repository

log = logging.getLogger("duijie.mailer")

BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        """
        >>> SmtpTarget.parse("smtp://127.0.0.1:2525")
        SmtpTarget(host='127.0.0.1', port=2525, user=None, password=None, starttls=False, tls=False)
        >>> t = SmtpTarget.parse("smtp://me%40x:p%3Aw@mail.example:587?starttls=1")
        >>> (t.user, t.password, t.port, t.starttls)
        ('me@x', 'p:w', 587, True)
        """
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"DUIJIE_SMTP_URL 应为 smtp://host:port 或 smtps://host:port：{url!r}")
        tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=starttls,
            tls=tls,
        )


def build_message(row: asyncpg.Record, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row["to_address"]
    msg["Subject"] = row["subject"]
    msg["Date"] = formatdate(localtime=False)
    # The same on every attempt: the at-least-once duplicate is recognisable.
    msg["Message-ID"] = f"<outbox-{row['id']}@duijie>"
    msg.set_content(row["body"] or row["subject"])
    return msg


def _deliver(target: SmtpTarget, msg: EmailMessage, timeout: float) -> None:
    if target.tls:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=timeout)
    with smtp:
        if target.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if target.user:
            smtp.login(target.user, target.password or "")
        smtp.send_message(msg)


class Mailer:
    """Sends due outbox rows; :meth:`send_due` is one pass, :meth:`run_forever` the loop."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        smtp_url: str,
        *,
        sender: str | None = None,
        poll_seconds: float = 2.0,
        timeout: float = 20.0,
        backoff_base: float = BACKOFF_BASE_SECONDS,
    ) -> None:
        self.pool = pool
        self.target = SmtpTarget.parse(smtp_url)
        self.sender = sender or os.environ.get("DUIJIE_MAIL_FROM", "duijie@localhost")
        self.poll_seconds = poll_seconds
        self.timeout = timeout
        self.backoff_base = backoff_base
        self._stop = asyncio.Event()

    @classmethod
    def from_env(cls, pool: asyncpg.Pool, **kw) -> Mailer | None:
        url = os.environ.get("DUIJIE_SMTP_URL", "").strip()
        return cls(pool, url, **kw) if url else None

    def stop(self) -> None:
        self._stop.set()

    async def send_one(self) -> bool | None:
        """Claim and try one due mail: True sent, False failed (rescheduled), None nothing due."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await repository.claim_due_mail(conn)
            if row is None:
                return None
            try:
                msg = build_message(row, self.sender)
                await asyncio.to_thread(_deliver, self.target, msg, self.timeout)
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                delay = min(self.backoff_base * 2 ** row["attempts"], BACKOFF_MAX_SECONDS)
                error = f"{type(exc).__name__}: {exc}"[:2000]
                await repository.mail_failed(conn, row["id"], error, delay)
                log.warning("mail %s to %s failed: %r", row["id"], row["to_address"], exc)
                return False
            await repository.mail_sent(conn, row["id"])
            return True

    async def send_due(self, limit: int = 100) -> tuple[int, int]:
        """Try every due mail (at most ``limit``); return (sent, failed)."""
        sent = failed = 0
        for _ in range(limit):
            outcome = await self.send_one()
            if outcome is None:
                break
            if outcome:
                sent += 1
            else:
                failed += 1
        return sent, failed

    async def run_forever(self) -> None:
        log.info("mailer sending to %s:%s", self.target.host, self.target.port)
        while not self._stop.is_set():
            try:
                sent, failed = await self.send_due()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("mailer: database unavailable: %r", exc)
                sent = failed = 0
            if sent and not failed:
                continue  # more may be due right away
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass


def lifespan(enabled: bool):
    """A Litestar lifespan hook that runs one :class:`Mailer` beside the app when ``enabled`` and
    ``DUIJIE_SMTP_URL`` is set (``duijie serve`` with its in-process worker)."""
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def mail_sender(app) -> AsyncIterator[None]:
        mailer = Mailer.from_env(app.state.pool) if enabled else None
        if mailer is None:
            yield
            return
        task = asyncio.create_task(mailer.run_forever())
        try:
            yield
        finally:
            mailer.stop()
            try:
                await asyncio.wait_for(task, timeout=10)
            except TimeoutError:
                task.cancel()

    return mail_sender
