"""Rate limits as token buckets in PostgreSQL (table ``rate_limits``), shared by every server
process on the database. The ASGI middleware that spends them is in service/api/wiring.py."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from service.auth import repository


@dataclass
class RateLimiter:
    """Token buckets in PostgreSQL (table ``rate_limits``): ``burst`` requests at once, refilled
    at ``per_minute`` a minute, shared by every server process on the database.

    :meth:`take` is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (the row lock serializes
    concurrent writers of one key). :meth:`wait` is the arithmetic, for tests and the message.

    >>> RateLimiter(write_burst=2, write_per_minute=60).wait("write", tokens=0.5)
    0.5
    """

    write_burst: int = 60
    write_per_minute: float = 120
    login_burst: int = 10
    login_per_minute: float = 10

    def limits(self, kind: str) -> tuple[float, float]:
        if kind == "write":
            return float(self.write_burst), self.write_per_minute / 60.0
        return float(self.login_burst), self.login_per_minute / 60.0

    def wait(self, kind: str, *, tokens: float) -> float:
        """Seconds until one token is available when the bucket holds ``tokens``."""
        _, rate = self.limits(kind)
        return max(0.0, (1 - tokens) / rate)

    async def take(
        self, conn: asyncpg.Connection, kind: str, *, token: str | None, address: str
    ) -> float:
        """Spend one token of the caller's bucket; 0 when allowed, else the seconds to wait.

        ``token`` is the parsed bearer token (keyed by its user), ``address`` the fallback key.
        """
        from service.auth.tokens import token_digest

        burst, rate = self.limits(kind)
        digest = token_digest(token) if token and kind == "write" else None
        row = await repository.take_rate_token(
            conn, digest, f"{kind}:a:{address}"[:100], burst, rate
        )
        if row["allowed"]:
            return 0.0
        return self.wait(kind, tokens=row["tokens"]) or 1.0
