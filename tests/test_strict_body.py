"""One strict-body mechanism (service/api/body.py): every JSON body in the app is decoded once,
strictly, by :class:`StrictBody`; a handler that bypasses it fails here."""

from typing import Any

import msgspec
from litestar import Litestar, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import BodyKwarg, JSONBody
from litestar.testing import create_test_client

from service.api.body import StrictBody, install
from service.errors import EXCEPTION_HANDLERS, Unauthorized


def json_body_handlers(app: Litestar) -> list[Any]:
    """Every route handler of ``app`` that takes a JSON request body."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            field = handler.parsed_data_field
            if field is None:
                continue
            kwarg = field.kwarg_definition
            media = kwarg.media_type if isinstance(kwarg, BodyKwarg) else None
            if media in (None, RequestEncodingType.JSON):
                found.append(handler)
    return found


def bypassing(app: Litestar) -> list[str]:
    """The JSON body handlers of ``app`` that do not decode through :class:`StrictBody`."""
    bad = []
    for handler in json_body_handlers(app):
        dto = handler.resolve_data_dto()
        installed = getattr(handler.fn, "strict_body", False)
        if (
            dto is not StrictBody
            or StrictBody.body_type(handler.handler_id) is None
            or not installed
        ):
            bad.append(f"{sorted(handler.http_methods)} {handler.paths} ({handler.handler_name})")
    return bad


def test_every_json_body_in_the_app_is_decoded_by_strict_body():
    from service.app import create_app

    app = create_app("postgresql://unused@127.0.0.1/unused")
    handlers = json_body_handlers(app)
    assert len(handlers) >= 35  # the walk finds the bodies (resources, accounts, rounds, …)
    assert bypassing(app) == []
    # The multipart uploads are forms, not JSON, and are the only bodies it skips.
    forms = [
        h
        for r in app.routes
        for h in getattr(r, "route_handlers", ())
        if h.parsed_data_field is not None and h not in handlers
    ]
    assert forms and all(h.resolve_data_dto() is None for h in forms)


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    headcount: int


@post("/strict")
async def strict(data: JSONBody[Body]) -> int:
    return data.headcount


@post("/bypass", dto=None)
async def bypass(data: JSONBody[Body]) -> int:
    return data.headcount


def test_the_guard_flags_a_handler_that_opts_out():
    app = Litestar([strict, bypass], dto=StrictBody, return_dto=None)
    install(app)
    assert [b for b in bypassing(app) if "bypass" in b] and len(bypassing(app)) == 1


def test_a_string_for_an_int_is_a_type_error_naming_the_field():
    with create_test_client(
        [strict, bypass],
        dto=StrictBody,
        return_dto=None,
        exception_handlers=EXCEPTION_HANDLERS,
    ) as client:
        install(client.app)
        assert client.post("/strict", json={"headcount": 2}).json() == 2
        r = client.post("/strict", json={"headcount": "2"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "headcount"
        r = client.post("/strict", json={"headcount": 2, "extra": 1})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "extra"
        r = client.post(
            "/strict", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert r.status_code == 400
        # Litestar's own lax decoding, which the opt-out gets, would have taken "2" for 2.
        assert client.post("/bypass", json={"headcount": "2"}).json() == 2


def who() -> str:
    raise Unauthorized("需要登录")


@post("/guarded", dependencies={"who": Provide(who, sync_to_thread=False)})
async def guarded(data: JSONBody[Body], who: NamedDependency[str]) -> int:
    return data.headcount


def test_a_bad_body_is_refused_only_after_the_dependencies_ran():
    # Litestar decodes the body before the dependencies: the 401 (or a CSRF 403) must still win.
    with create_test_client(
        [guarded], dto=StrictBody, return_dto=None, exception_handlers=EXCEPTION_HANDLERS
    ) as client:
        install(client.app)
        assert client.post("/guarded", json={"headcount": "2"}).status_code == 401
        assert client.post("/guarded", json={"headcount": 2, "extra": 1}).status_code == 401
        assert client.post("/guarded", json={"headcount": []}).status_code == 401
