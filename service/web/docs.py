"""``/schema``: Swagger UI served from this package, under a strict Content-Security-Policy.

Litestar's plugin loads Swagger UI from a CDN (no integrity hashes) and starts it with an inline
script holding the whole schema. This origin is also the web UI's, so a compromised CDN file
would run with the user's session. Here the assets come from ``static/vendor/swagger-ui``
(swagger-ui-dist, see its ``VERSION.md``), the start-up code from ``static/docs.js``, and the
page fetches ``/schema/openapi.json``; :data:`DOCS_CSP` then allows scripts from this origin only.
"""

from __future__ import annotations

import html
from typing import Any

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin

VENDOR = "/static/vendor/swagger-ui"

# Swagger UI sets style attributes from React, hence 'unsafe-inline' for styles (never scripts).
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


class LocalSwaggerPlugin(SwaggerRenderPlugin):
    def __init__(self, *, spec_url: str = "/schema/openapi.json", **kwargs: Any) -> None:
        self.spec_url = spec_url
        super().__init__(
            js_url=f"{VENDOR}/swagger-ui-bundle.js",
            css_url=f"{VENDOR}/swagger-ui.css",
            # Not loaded (the page uses the base layout); set so nothing points at a CDN.
            standalone_preset_js_url=f"{VENDOR}/swagger-ui-bundle.js",
            **kwargs,
        )

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        return (
            "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title}</title>"
            f"<link rel='stylesheet' href='{self.css_url}'>"
            f"<script src='{self.js_url}'></script>"
            "<script src='/static/docs.js'></script>"
            "</head><body>"
            f"<div id='swagger-container' data-spec='{html.escape(self.spec_url)}'></div>"
            "</body></html>"
        ).encode()
