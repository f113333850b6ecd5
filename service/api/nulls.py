"""``?status=null`` is an error, not "no filter".

Litestar decodes query parameters leniently (msgspec ``strict=False``), so the text ``null`` (any
case) given to an optional non-text parameter (``status``, ``owner``, ``is_challenge``, a round's
``state``…) became ``None`` and the filter was silently dropped: the client got everything while
believing it had filtered. This middleware answers 400 naming the parameter instead. It finds the
parameters from the handler's signature and the dependencies it uses (the list filters of
:mod:`service.api.resources` are such dependencies), so new endpoints are covered without a list
to maintain. Text parameters (``q``, code prefixes) still take ``null`` as the text it is.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.params import ParameterKwarg
from litestar.types import ASGIApp, Receive, Scope, Send

from service.errors import DomainError

# Signature names Litestar fills itself, never from the query string.
_RESERVED = {"state", "request", "scope", "headers", "cookies", "query", "data", "body", "socket"}

# Per handler object (held here, so an id is never reused for another app's handler).
_cache: dict[Any, dict[str, str]] = {}


class NullParameter(DomainError):
    status = 400
    type = "null-parameter"
    title = "查询参数无效"

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            f"查询参数不能为 null：{', '.join(names)}（不筛选请省略该参数）",
            errors=[
                {
                    "field": n,
                    "message": f"不能为 null；不按此条件筛选时请省略参数 {n}",
                    "message_en": f"must not be null; omit {n} to not filter by it",
                    "source": "query",
                }
                for n in names
            ],
        )


def _eats_null(annotation: Any) -> bool:
    """Whether lenient decoding turns the text ``null`` into ``None`` for this type."""
    try:
        return msgspec.convert("null", annotation, strict=False) is None
    except (msgspec.ValidationError, TypeError):
        return False


def null_eating_parameters(handler: Any) -> dict[str, str]:
    """Query name → parameter name of every optional parameter of ``handler`` (and of the
    dependencies it uses, transitively) that would read ``null`` as "not given"."""
    if handler in _cache:
        return _cache[handler]
    deps = handler.resolve_dependencies()
    found: dict[str, str] = {}
    seen: set[str] = set()
    todo = list(handler.parsed_fn_signature.parameters.items())
    while todo:
        name, field = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in deps:
            signature = getattr(deps[name], "parsed_fn_signature", None)
            if signature is not None:
                todo.extend(signature.parameters.items())
            continue
        if name in _RESERVED or not field.is_optional:
            continue
        kw = field.kwarg_definition
        if isinstance(kw, ParameterKwarg):
            if kw.header or kw.cookie or kw.param_type.value != "query":
                continue
            query_name = kw.query or kw.name or name
        elif kw is None:
            query_name = name
        else:  # a body
            continue
        if _eats_null(field.annotation):
            found[query_name] = name
    _cache[handler] = found
    return found


def reject_null_filters(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if scope["type"] == "http" and scope.get("query_string") and handler is not None:
            from urllib.parse import parse_qsl

            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            nulls = {k for k, v in pairs if v.strip().lower() == "null"}
            if nulls:
                bad = sorted(nulls & null_eating_parameters(handler).keys())
                if bad:
                    raise NullParameter(bad)
        await app(scope, receive, send)

    return middleware
