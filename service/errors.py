"""Domain errors and the one table that maps every error to an RFC 9457 problem detail.

Handlers and services raise the domain errors below; nothing else in the service builds an error
response. Bodies are ``application/problem+json`` with ``type``, ``title`` (Chinese), ``status``,
``detail``, ``instance`` and, for validation failures, ``errors``: a list of
``{"field": "credit_code", "message": "…", "message_en": "…"}`` so a client can put each message at
its field.

Status codes: 400 malformed body (not JSON, invalid UTF-8), 401 no or invalid token, 403 role or
organization not allowed, 404 unknown id or route, 409 conflict
(duplicate, state), 412 stale ``If-Match``, 413 body too large, 422 a field fails validation,
503 database unavailable (with ``Retry-After``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    ValidationException,
)

log = logging.getLogger("duijie.errors")

PROBLEM_JSON = "application/problem+json"


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    message: str
    message_en: str | None = None
    source: str | None = None


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """An RFC 9457 problem detail as this service sends it (for the OpenAPI document)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


PROBLEM_STATUSES = {
    400: "请求体不是有效的 JSON 或 UTF-8，或可选查询参数为 null",
    401: "未登录或令牌无效",
    403: "无权执行此操作",
    404: "资源不存在",
    409: "与现有数据或当前状态冲突",
    412: "If-Match 的版本已过期",
    413: "请求体超过 1 MiB，或上传的表格解压后超过上限",
    422: "字段校验失败（errors 列出每个字段）",
    429: "请求过于频繁（见 Retry-After）",
    503: "数据库暂时不可用（见 Retry-After）",
}


class DomainError(Exception):
    """Base of every error the service raises on purpose."""

    status = 400
    type = "bad-request"
    title = "请求无效"

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class FieldInvalid(DomainError):
    """One or more fields fail validation; each entry names its field."""

    status = 422
    type = "validation"
    title = "请求内容校验失败"

    def __init__(self, field: str, message: str, *, more: list[tuple[str, str]] | None = None):
        errors = [{"field": field, "message": message}]
        errors += [{"field": f, "message": m} for f, m in more or []]
        super().__init__(f"{field}: {message}", errors=errors)


class NotFound(DomainError):
    status = 404
    type = "not-found"
    title = "资源不存在"

    def __init__(self, resource: str, ident: object) -> None:
        super().__init__(f"{resource} {ident} 不存在")


class Conflict(DomainError):
    status = 409
    type = "conflict"
    title = "与现有数据冲突"


class PreconditionFailed(DomainError):
    status = 412
    type = "precondition-failed"
    title = "数据已被他人修改"


class Unauthorized(DomainError):
    """No token, or one that is unknown, expired, revoked or belongs to a disabled user."""

    status = 401
    type = "unauthorized"
    title = "未登录或令牌无效"
    headers = {"WWW-Authenticate": 'Bearer realm="duijie"'}


class Forbidden(DomainError):
    """Authenticated, but the role or organization does not allow this."""

    status = 403
    type = "forbidden"
    title = "无权执行此操作"


class Unavailable(DomainError):
    status = 503
    type = "unavailable"
    title = "服务暂时不可用"


def problem(
    request: Request | None,
    status: int,
    type_: str,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"/problems/{type_}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# msgspec's messages, put into Chinese; the English original stays in ``message_en``.
_TYPE_NAMES = {
    "str": "字符串",
    "int": "整数",
    "float": "数字",
    "bool": "布尔值",
    "array": "数组",
    "object": "对象",
    "null": "null",
    "date": "日期",
    "datetime": "日期时间",
}
_TRANSLATIONS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"Expected `(\w+) \| null`, got `(\w+)`"),
        lambda m: (
            f"类型错误：应为{_TYPE_NAMES.get(m[1], m[1])}或 null，实际为{_TYPE_NAMES.get(m[2], m[2])}"
        ),
    ),
    (
        re.compile(r"Expected `(\w+)`, got `(\w+)`"),
        lambda m: (
            f"类型错误：应为{_TYPE_NAMES.get(m[1], m[1])}，实际为{_TYPE_NAMES.get(m[2], m[2])}"
        ),
    ),
    (re.compile(r"Expected `str` of length >= 1"), lambda m: "不能为空"),
    (re.compile(r"Expected `str` of length <= (\d+)"), lambda m: f"长度不能超过 {m[1]} 个字符"),
    (re.compile(r"Expected `str` of length >= (\d+)"), lambda m: f"长度不能少于 {m[1]} 个字符"),
    (re.compile(r"Expected `array` of length <= (\d+)"), lambda m: f"最多 {m[1]} 项"),
    (re.compile(r"Expected `array` of length >= (\d+)"), lambda m: f"至少 {m[1]} 项"),
    (re.compile(r"Expected `(?:int|float)` >= (\S+)"), lambda m: f"应大于或等于 {m[1]}"),
    (re.compile(r"Expected `(?:int|float)` <= (\S+)"), lambda m: f"应小于或等于 {m[1]}"),
    (re.compile(r"Expected `(?:int|float)` > (\S+)"), lambda m: f"应大于 {m[1]}"),
    (re.compile(r"Expected `str` matching regex"), lambda m: "格式不正确"),
    (re.compile(r"Invalid enum value (.+?)(?: - |$)"), lambda m: f"取值无效：{m[1]}"),
    (re.compile(r"Object missing required field `(\w+)`"), lambda m: f"缺少必填字段 {m[1]}"),
    (re.compile(r"Object contains unknown field `(\w+)`"), lambda m: f"不允许的字段 {m[1]}"),
    (re.compile(r"Invalid RFC3339 encoded date"), lambda m: "日期格式无效，应为 YYYY-MM-DD"),
    (re.compile(r"Invalid RFC3339 encoded datetime"), lambda m: "日期时间格式无效，应为 RFC 3339"),
    (re.compile(r"Integer value out of range"), lambda m: "整数超出范围"),
]
_AT = re.compile(r" - at `\$(?:\.|\[)?([^`]*)`$")
_FIELD_IN_MSG = re.compile(r"(?:missing required|contains unknown) field `(\w+)`")


def _dotted(path: str) -> str:
    """``tags[0]`` and ``$.tags[0]`` become ``tags.0``: one spelling for every field path."""
    # msgspec writes a dict value's position as ``[...]``: the dict itself is the field.
    path = path.removeprefix("$").removeprefix(".").replace("[...]", "")
    return path.replace("][", ".").replace("[", ".").replace("]", "")


def translate(message: str) -> str:
    for pattern, render in _TRANSLATIONS:
        m = pattern.search(message)
        if m:
            return render(m)
    return message


def split_msgspec_error(message: str, default_field: str = "body") -> tuple[str, str, str]:
    """``"Expected `int`, got `str` - at `$.headcount`"`` -> (field, zh message, en message)."""
    field = _dotted(default_field)
    m = _AT.search(message)
    en = message
    if m:
        field = _dotted(m[1]) or field
        en = message[: m.start()]
    fm = _FIELD_IN_MSG.search(en)
    if fm:
        field = f"{field}.{fm[1]}" if m else fm[1]
    return field, translate(en), en


def _validation_errors(exc: ValidationException) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    extra = exc.extra if isinstance(exc.extra, list) else [exc.extra] if exc.extra else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        raw = str(item.get("message", ""))
        key = item.get("key")
        field, zh, en = split_msgspec_error(raw, default_field=str(key or "body"))
        source = item.get("source")
        entry = {"field": field, "message": zh, "message_en": en}
        if source:
            entry["source"] = str(source)
        out.append(entry)
    return out


def handle_domain_error(request: Request, exc: DomainError) -> Response:
    headers = {"Retry-After": "5"} if exc.status == 503 else getattr(exc, "headers", None)
    return problem(request, exc.status, exc.type, exc.title, exc.detail, exc.errors, headers)


def handle_validation(request: Request, exc: ValidationException) -> Response:
    errors = _validation_errors(exc)
    if not errors:
        # Litestar raises ValidationException without details for bodies that are not JSON at all.
        detail = str(exc.detail or "")
        if "decode" in detail.lower() or "json" in detail.lower() or "utf" in detail.lower():
            return problem(request, 400, "malformed-body", "请求体不是有效的 JSON", detail)
        return problem(request, 400, "bad-request", "请求无效", detail)
    fields = ", ".join(e["field"] for e in errors)
    return problem(
        request, 422, "validation", "请求内容校验失败", f"字段校验失败：{fields}", errors
    )


def handle_http(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    titles = {
        400: "请求无效",
        401: "未登录或令牌无效",
        403: "无权执行此操作",
        404: "资源不存在",
        405: "不支持该请求方法",
        413: "请求体过大",
        415: "不支持的内容类型",
        429: "请求过于频繁",
    }
    if isinstance(exc, NotFoundException) and exc.detail == "Not Found":
        detail = f"路径 {request.url.path} 不存在"
    else:
        detail = str(exc.detail)
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, loggable(request.url.path), loggable(detail))
    return problem(
        request,
        status,
        f"http-{status}",
        titles.get(status, "请求失败"),
        detail,
        headers=exc.headers,
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def loggable(text: str) -> str:
    """``text`` with control characters escaped (``\\n`` → ``\\x0a``): a request path is the
    client's text, and a raw line feed in it would forge a log line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


# The database went away (or the connection died under a request): 503, never 500. asyncpg's
# InternalClientError ("cannot switch to state 12; another operation is in progress") is what a
# query meets on a connection the pool already handed on after losing it.
_CONNECTION_ERRORS = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.ConnectionFailureError,
    ConnectionError,
    OSError,
    TimeoutError,
)


def handle_unexpected(request: Request, exc: Exception) -> Response:
    if isinstance(exc, UnicodeDecodeError):
        return problem(
            request,
            400,
            "malformed-body",
            "请求体不是有效的 UTF-8",
            f"无效的 UTF-8 字节：{exc.reason}",
        )
    if isinstance(exc, RecursionError | msgspec.DecodeError):
        # Deeply nested JSON exhausts the decoder's recursion limit before any Struct sees it.
        return problem(
            request, 400, "malformed-body", "请求体不是有效的 JSON", "JSON 无法解析或嵌套过深"
        )
    if isinstance(exc, _CONNECTION_ERRORS):
        log.warning("database unavailable on %s: %r", loggable(request.url.path), exc)
        return problem(
            request,
            503,
            "unavailable",
            "服务暂时不可用",
            "数据库暂时不可用，请稍后重试",
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, asyncpg.exceptions.UniqueViolationError):
        field = _constraint_field(exc)
        return problem(
            request,
            409,
            "conflict",
            "与现有数据冲突",
            f"{field} 已存在",
            [{"field": field, "message": "该值已被使用"}],
        )
    if isinstance(
        exc, asyncpg.exceptions.DataError | asyncpg.exceptions.IntegrityConstraintViolationError
    ):
        # A database constraint caught what validation should have: still the client's input.
        log.warning("constraint caught input on %s: %r", loggable(request.url.path), exc)
        return problem(request, 422, "validation", "请求内容校验失败", str(exc))
    log.exception("unhandled error on %s", loggable(request.url.path), exc_info=exc)
    return problem(request, 500, "internal", "服务器内部错误", "服务器内部错误，已记录日志")


def _constraint_field(exc: asyncpg.exceptions.UniqueViolationError) -> str:
    name = getattr(exc, "constraint_name", None) or ""
    # organizations_credit_code_key -> credit_code
    m = re.match(r"^[a-z]+(?:_[a-z]+)*?_(credit_code|demo_key|name)_key$", name)
    return m[1] if m else name or "unknown"


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: handle_domain_error,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    Exception: handle_unexpected,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "Conflict",
    "DomainError",
    "FieldInvalid",
    "Forbidden",
    "MediaType",
    "NotFound",
    "PreconditionFailed",
    "Unauthorized",
    "Unavailable",
]
