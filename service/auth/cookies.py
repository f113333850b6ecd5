"""The web UI's session cookie and its CSRF protection.

The browser never holds the token in JavaScript: login with ``{"cookie": true}`` sets

* ``duijie_session`` — the session token, ``HttpOnly; SameSite=Strict; Path=/`` (``Secure`` when
  the request came over https), so a script injected into a page cannot read it;
* ``duijie_csrf`` — readable by the page's own script, a digest of the session token. The UI
  echoes it in the ``X-CSRF-Token`` header on every write (double submit). A request
  authenticated by the cookie whose write carries no matching header gets 403; since the value
  is derived from the secret token, a cookie planted by another site cannot forge a pair.

Requests with ``Authorization: Bearer`` (API clients) do not look at cookies at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from litestar.datastructures import Cookie
from litestar.types import Scope

SESSION_COOKIE = "duijie_session"
CSRF_COOKIE = "duijie_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_for(token: str) -> str:
    """The CSRF value that goes with a session token.

    >>> len(csrf_for("dj_x")) == 43 and csrf_for("dj_x") != csrf_for("dj_y")
    True
    """
    digest = hashlib.sha256(b"duijie-csrf\x00" + token.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _cookies(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in scope.get("headers", ()):
        if k == b"cookie":
            for part in v.decode("latin-1").split(";"):
                name, sep, value = part.strip().partition("=")
                if sep and name not in out:
                    out[name] = value.strip().strip('"')
    return out


def cookie_token(scope: Scope) -> str | None:
    """The session token of the cookie, ``None`` without one (or a malformed one)."""
    token = _cookies(scope).get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    return token


def csrf_ok(scope: Scope, token: str) -> bool:
    """True for safe methods, else when the ``X-CSRF-Token`` header matches the token."""
    if scope.get("method") in SAFE_METHODS:
        return True
    for k, v in scope.get("headers", ()):
        if k == CSRF_HEADER.encode():
            return hmac.compare_digest(v, csrf_for(token).encode())
    return False


def session_cookies(token: str, expires: datetime, *, secure: bool) -> list[Cookie]:
    """The session cookie and its CSRF companion, both ending when the session does."""
    max_age = max(0, int((expires - datetime.now(UTC)).total_seconds()))
    common = {"path": "/", "samesite": "strict", "secure": secure, "max_age": max_age}
    return [
        Cookie(key=SESSION_COOKIE, value=token, httponly=True, **common),
        Cookie(key=CSRF_COOKIE, value=csrf_for(token), httponly=False, **common),
    ]


def cleared_cookies(*, secure: bool) -> list[Cookie]:
    return [
        Cookie(key=name, value="", path="/", samesite="strict", secure=secure, max_age=0,
               httponly=name == SESSION_COOKIE)
        for name in (SESSION_COOKIE, CSRF_COOKIE)
    ]  # fmt: skip
