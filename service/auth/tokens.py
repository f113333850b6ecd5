"""Bearer tokens and passwords.

A token is ``dj_`` followed by 32 random bytes in URL-safe base64; the database keeps only its
SHA-256 digest, so a leaked copy of ``api_tokens`` cannot be replayed. Passwords are hashed with
argon2id (argon2-cffi defaults); hashing runs in a worker thread because it is deliberately slow.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.auth import Principal, repository

TOKEN_PREFIX = "dj_"
SESSION_TTL = timedelta(hours=12)
API_TOKEN_TTL = timedelta(days=90)

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verified when the login is unknown, so both failures take the same time.
    return _hasher.hash(secrets.token_hex(16))


def new_token() -> str:
    """A fresh random token.

    >>> t = new_token()
    >>> t.startswith("dj_") and len(t) == 46
    True
    """
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> bytes:
    """SHA-256 of the token: what the database stores and looks up.

    >>> len(token_digest("dj_x"))
    32
    """
    return hashlib.sha256(token.encode()).digest()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


async def lookup(conn: asyncpg.Connection, token: str) -> Principal | None:
    """The principal a token stands for, ``None`` when unknown, expired, revoked or disabled."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = await repository.token_by_digest(conn, token_digest(token))
    if row is None or (row["user_id"] is not None and not row["is_active"]):
        return None
    return Principal(
        user_id=row["user_id"], role=row["role"], org_id=row["org_id"], token_id=row["token_id"]
    )


async def create_token(
    conn: asyncpg.Connection,
    *,
    kind: str,
    user_id: int | None = None,
    role: str | None = None,
    org_id: int | None = None,
    name: str = "",
    expires_at: datetime | None = None,
) -> tuple[int, str]:
    """Store a new token's digest; return (token id, the token itself — shown only once).

    Every token expires: without ``expires_at``, after :data:`API_TOKEN_TTL`.
    """
    token = new_token()
    if expires_at is None:
        expires_at = datetime.now(UTC) + API_TOKEN_TTL
    ident = await repository.insert_token(
        conn,
        digest=token_digest(token),
        kind=kind,
        user_id=user_id,
        role=role if user_id is None else None,
        org_id=org_id if user_id is None else None,
        name=name,
        expires_at=expires_at,
    )
    return ident, token


async def revoke(conn: asyncpg.Connection, token_id: int) -> bool:
    return await repository.revoke_token(conn, token_id)


async def revoke_user_tokens(
    conn: asyncpg.Connection, user_id: int, *, keep: int | None = None
) -> int:
    """Revoke every live token of a user except ``keep``; return how many."""
    return await repository.revoke_user_tokens(conn, user_id, keep)


async def live_tokens(
    conn: asyncpg.Connection, *, user_id: int | None, token_id: int | None
) -> list[asyncpg.Record]:
    return await repository.live_tokens(conn, user_id, token_id)
