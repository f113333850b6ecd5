"""500s found by the hostile pass (#15.8): a NUL in a static path, forged log lines through
control characters in the path, and the errors a request meets on a connection that died under
it (503, not 500). The CSV field over the csv module's limit is in test_upload_limits.py."""

import logging

import asyncpg
import pytest
from litestar import Request

from service.errors import handle_unexpected, loggable


async def test_static_path_with_a_nul_is_404(anon):
    for path in ("/static/app.js%00.png", "/static/%00", "/static/app.js%0a"):
        r = await anon.get(path)
        assert r.status_code == 404, (path, r.status_code, r.text[:200])
    assert (await anon.get("/static/app.js")).status_code == 200


def _request(path: str) -> Request:
    return Request(
        scope={
            "type": "http", "method": "GET", "scheme": "http", "server": ("testserver", 80),
            "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
            "headers": [], "http_version": "1.1",
        }  # type: ignore[arg-type]
    )  # fmt: skip


FORGED = "/api/needs\n2026-12-01 00:00:00 INFO duijie: admin password reset\r\x1b[2J"


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.InternalClientError(
            "cannot switch to state 12; another operation (11) is in progress"
        ),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection has been released"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
)
def test_lost_connection_errors_are_503_and_logged_on_one_line(exc, caplog):
    with caplog.at_level(logging.WARNING, logger="duijie.errors"):
        r = handle_unexpected(_request(FORGED), exc)
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    (record,) = caplog.records
    message = record.getMessage()
    assert "\n" not in message and "\r" not in message and "\x1b" not in message
    assert "/api/needs\\x0a2026-12-01" in message


def test_unhandled_error_log_escapes_the_path(caplog):
    with caplog.at_level(logging.ERROR, logger="duijie.errors"):
        r = handle_unexpected(_request(FORGED), RuntimeError("boom"))
    assert r.status_code == 500
    assert "\n" not in caplog.records[0].getMessage()
    assert loggable("a\nb\u2028c\x00") == "a\\x0ab\\x2028c\\x00"


async def test_background_recommender_failures_are_logged_not_lost(caplog):
    from service.recommend import _logged

    async def refused() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    with caplog.at_level(logging.WARNING, logger="duijie.recommend"):
        await _logged(refused(), "warming the needs recommendations")
    (record,) = caplog.records
    assert "warming the needs recommendations failed" in record.getMessage()


def test_cli_csv_with_an_oversized_field_is_an_input_error(tmp_path):
    from graph import InputError
    from service.commands.assign import read_rows

    path = tmp_path / "pairs.csv"
    path.write_text('demand_id,supply_id,score\nd1,"' + "x" * 140_000 + '",0.5\n')
    with pytest.raises(InputError, match=r"pairs\.csv 第 \d 行 CSV 格式错误.*field limit"):
        list(read_rows(path, ("demand_id", "supply_id", "score")))
