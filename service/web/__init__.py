"""The web interface: a few HTML pages and small vanilla JS modules on top of the JSON API.

Every page is the same HTML shell (``static/index.html``); ``static/app.js`` reads the path and
draws the page, calling ``/api/*`` with the HttpOnly session cookie (and ``X-CSRF-Token`` on
writes; see ``service.auth.cookies``). No build step.
The app includes :data:`WEB_ROUTES` (pages, ``/static`` and the Excel import endpoints).
"""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from pathlib import Path

from litestar import Response, Router, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.static_files import create_static_files_router

from service.web.imports import ImportController

STATIC = Path(__file__).parent / "static"

# The pages load scripts and styles only from this origin; the SVG pictures are drawn with DOM
# calls, so no inline script or style is needed anywhere.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

# "/" is the public home page (service/public); the SPA's role cards live at /workspace (工作台).
PAGES = (
    "/workspace",
    "/login",
    "/enterprise",
    "/university",
    "/coordinator",
    "/round",
    "/import",
    "/my",
    # Joining, contact requests and the inbox (static/register.js, contacts.js, inbox.js).
    "/register",
    "/register/confirm",
    "/register/invite",
    "/reset-password",
    "/registration",
    "/registrations",
    "/inbox",
    "/contacts",
    "/contact/new",
)


@get(list(PAGES), include_in_schema=False, sync_to_thread=False)
def page() -> Response[bytes]:
    return Response(
        (STATIC / "index.html").read_bytes(),
        media_type="text/html",
        headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"},
    )


def no_control_characters(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """``/static/app.js%00.png`` is a file that cannot exist: 404, not the 500 of os.stat's
    "embedded null byte"."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in connection.scope["path"]):
        raise NotFoundException("静态文件不存在")


STATIC_ROUTER = create_static_files_router(
    path="/static",
    directories=[STATIC],
    include_in_schema=False,
    name="web-static",
    cache_control=None,
    guards=[no_control_characters],
)

WEB_ROUTER = Router(path="/", route_handlers=[page, STATIC_ROUTER], include_in_schema=False)

WEB_ROUTES = [WEB_ROUTER, ImportController]

__all__ = ["WEB_ROUTES"]
