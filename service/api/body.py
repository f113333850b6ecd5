"""The one way a JSON request body becomes a Struct: :class:`StrictBody`, a Litestar DTO.

The app sets ``dto=StrictBody`` (and ``return_dto=None``) once, so every handler that declares
``data: JSONBody[T]`` gets ``data`` decoded from the raw bytes exactly once, by msgspec, with
``strict=True``: ``"headcount": "2"`` is a type error like any other instead of silently
becoming 2 (Litestar's own path converts with ``strict=False``). A new handler cannot forget it;
``tests/test_strict_body.py`` walks the app's handlers and fails if one bypasses it.

A body that fails is not refused on the spot: Litestar decodes the body before it resolves the
dependencies, and the caller must first be told about a missing login (401) or CSRF token (403)
exactly as before. :meth:`StrictBody.decode_bytes` hands the handler a :class:`Rejected` instead,
and :func:`install` wraps every handler that decodes through :class:`StrictBody` so that it
raises the rejection once the dependencies have run, before its own code does.

Error bodies stay what they were when handlers decoded twice (Litestar's lax pass, then a
strict pass): a body that even the lax conversion rejects answers like Litestar's validation
(``message``, ``message_en``, ``source: body``); one that only the strict rules reject answers
with :class:`~service.errors.FieldInvalid` naming the field. Only that failure path converts a
second time, to tell the two apart. Multipart forms (the Excel uploads) opt out with
``dto=None``: they are not JSON.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec
from litestar.datastructures import URL
from litestar.dto import AbstractDTO
from litestar.exceptions import ValidationException
from litestar.serialization import decode_json

from service.errors import FieldInvalid, split_msgspec_error

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.dto.data_structures import DTOFieldDefinition
    from litestar.openapi.spec import Reference, Schema
    from litestar.typing import FieldDefinition

# Litestar's pattern for the path in a msgspec message (litestar/_signature/model.py ERR_RE).
_PATH = re.compile(r"`\$\.(.+)`$")


class Rejected:
    """A body that failed to decode, standing in for ``data`` until the handler is called."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


class _Body(msgspec.Struct, frozen=True):
    strict: Any  # the declared type without ``| None``: what the strict pass decodes
    lax: Any  # the declared type as written: what Litestar's lax pass accepted


class StrictBody(AbstractDTO[Any]):
    """Decode ``data: JSONBody[T]`` once, strictly, with the service's problem details."""

    # handler_id -> the body type that handler declared (filled when the app is built).
    _bodies: ClassVar[dict[str, _Body]] = {}

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        if field_definition.name != "data":
            return
        strict = field_definition.annotation
        if field_definition.is_optional:
            inner = [t.annotation for t in field_definition.inner_types if not t.is_none_type]
            strict = inner[0] if len(inner) == 1 else strict
        cls._bodies[handler_id] = _Body(strict=strict, lax=field_definition.annotation)

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        # The documented schema is the declared Struct's, exactly as without a DTO.
        return schema_creator.for_field_definition(field_definition)

    @classmethod
    def generate_field_definitions(
        cls, model_type: type[Any]
    ) -> Generator[DTOFieldDefinition, None, None]:
        yield from ()  # no transfer model: msgspec decodes into the declared type itself

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False

    @classmethod
    def body_type(cls, handler_id: str) -> Any:
        """The type the handler ``handler_id`` decodes its body into (for the guard test)."""
        body = cls._bodies.get(handler_id)
        return None if body is None else body.strict

    def decode_bytes(self, value: bytes) -> Any:
        body = self._bodies[self.asgi_connection.route_handler.handler_id]
        try:
            return msgspec.json.decode(value, type=body.strict, strict=True)
        except msgspec.ValidationError as exc:
            strict_error = str(exc)
        except msgspec.DecodeError:
            decode_json(value)  # not JSON: raises Litestar's SerializationException (400)
            raise
        try:
            self._explain(decode_json(value), body, strict_error)
        except (ValidationException, FieldInvalid) as exc:
            return Rejected(exc)
        raise AssertionError("unreachable")  # pragma: no cover

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        body = self._bodies[self.asgi_connection.route_handler.handler_id]
        try:
            return msgspec.convert(value, type=body.strict, strict=True)
        except msgspec.ValidationError as exc:
            strict_error = str(exc)
        try:
            self._explain(value, body, strict_error)
        except (ValidationException, FieldInvalid) as exc:
            return Rejected(exc)
        raise AssertionError("unreachable")  # pragma: no cover

    def _explain(self, raw: Any, body: _Body, strict_error: str) -> None:
        """Raise the error the caller got before: Litestar's if even the lax rules reject
        ``raw``, otherwise :class:`FieldInvalid` for what only the strict rules reject."""
        try:
            msgspec.convert(raw, type=body.lax, strict=False, str_keys=True)
        except msgspec.ValidationError as exc:
            raise self._litestar_error(str(exc)) from exc
        # Accepted leniently (``null`` for an optional body, too): the strict error stands.
        field, zh, _ = split_msgspec_error(strict_error)
        raise FieldInvalid(field, zh)

    def _litestar_error(self, message: str) -> ValidationException:
        # As litestar/_signature/model.py builds it for a ``data`` that fails conversion.
        match = _PATH.search(message)
        keys = ["data", match[1]] if match else ["data"]
        entry = {
            "message": message.split(" - ", maxsplit=1)[0],
            "key": ".".join(keys).replace("data.", ""),
            "source": "body",
        }
        connection = self.asgi_connection
        path = URL.from_components(path=connection.url.path, query=connection.url.query)
        return ValidationException(
            detail=f"Validation failed for {connection.scope['method']} {path}", extra=[entry]
        )


def install(app: Litestar) -> None:
    """Make every handler of ``app`` that decodes through :class:`StrictBody` raise a
    :class:`Rejected` body's error when it is called (after the dependencies)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if handler.parsed_data_field is None or handler.resolve_data_dto() is not StrictBody:
                continue
            if getattr(handler.fn, "strict_body", False):
                continue
            # Built from the handler's own function before it is wrapped (both are memoized).
            handler.parsed_fn_signature  # noqa: B018
            handler.signature_model  # noqa: B018
            handler._fn = _checked(handler.fn, sync=handler.has_sync_callable)  # noqa: SLF001


def _checked(fn: Callable[..., Any], *, sync: bool) -> Callable[..., Any]:
    def refuse(kwargs: dict[str, Any]) -> None:
        data = kwargs.get("data")
        if isinstance(data, Rejected):
            raise data.error

    if sync:

        @functools.wraps(fn)
        def checked_sync(*args: Any, **kwargs: Any) -> Any:
            refuse(kwargs)
            return fn(*args, **kwargs)

        checked_sync.strict_body = True  # type: ignore[attr-defined]
        return checked_sync

    @functools.wraps(fn)
    async def checked(*args: Any, **kwargs: Any) -> Any:
        refuse(kwargs)
        return await fn(*args, **kwargs)

    checked.strict_body = True  # type: ignore[attr-defined]
    return checked


__all__ = ["Rejected", "StrictBody", "install"]
