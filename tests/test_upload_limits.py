"""Uploads that expand (#15.2, #15.8): a zip-bomb XLSX is refused from its central directory
with 413 before parsing, rows/columns/cell length are capped while reading (422 naming the
limit, quoting only a prefix), a CSV field over Python's csv limit is a 422 (not a 500), and the
event loop keeps answering /health while a workbook is parsed."""

import asyncio
import io
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook

from matching import io as matching_io
from matching import sheets
from matching.errors import InputFileError
from service.imports import service as imports
from tests.factories import enterprise
from tests.rounds_helpers import make_org

PLACEHOLDER = "PLACEHOLDER-CELL"


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bomb(expanded_mb: int) -> bytes:
    """A valid workbook whose one text cell expands to ``expanded_mb`` MB of 'A's (the
    compressed file stays a few hundred KB)."""
    base = xlsx([["标题", "描述"], ["焦化废水", PLACEHOLDER]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if PLACEHOLDER.encode() not in data:
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            head, tail = data.split(PLACEHOLDER.encode())
            member = zipfile.ZipInfo(info.filename)
            member.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(member, "w") as fh:
                fh.write(head)
                chunk = b"A" * 1_000_000
                for _ in range(expanded_mb):
                    fh.write(chunk)
                fh.write(tail)
    return out.getvalue()


@pytest.fixture
async def enterprise_user(client, as_role):
    org = await make_org(client, **enterprise())
    return await as_role("enterprise", org)


def files(name: str, content: bytes) -> dict:
    return {"file": (name, content, "application/octet-stream")}


async def test_zip_bomb_is_refused_before_parsing(enterprise_user):
    content = bomb(100)
    assert len(content) < imports.MAX_FILE_BYTES
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 100_000_000
    r = await enterprise_user.post("/api/imports/needs/preview", files=files("bomb.xlsx", content))
    assert r.status_code == 413, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["errors"][0]["field"] == "file" and "20 MB" in body["detail"]
    assert len(r.content) < 2_000  # nothing of the cell is echoed


async def test_rows_columns_and_cell_length_are_capped(enterprise_user):
    wide = xlsx([["标题", *[f"列{i}" for i in range(150)]], ["焦化废水", *range(150)]])
    r = await enterprise_user.post("/api/imports/needs/preview", files=files("w.xlsx", wide))
    assert r.status_code == 422, r.text[:300]
    assert r.json()["errors"][0]["field"] == "file" and "列" in r.json()["detail"]
    assert "columns" in r.json()["detail"]

    long_cell = "焦" * 30_000
    r = await enterprise_user.post(
        "/api/imports/needs/preview",
        files=files("l.xlsx", xlsx([["标题", "描述"], ["焦化废水", long_cell]])),
    )
    assert r.status_code == 422, r.text[:300]
    assert "cell_chars" in r.json()["detail"] and "10000" in r.json()["detail"]
    assert len(r.content) < 2_000  # a prefix of the cell, not the cell

    tall = xlsx([["标题"], *[[f"需求{i}"] for i in range(imports.MAX_ROWS + 5)]])
    r = await enterprise_user.post("/api/imports/needs/preview", files=files("t.xlsx", tall))
    assert r.status_code == 422 and "rows" in r.json()["detail"], r.text[:300]


async def test_csv_field_over_the_csv_module_limit_is_422(enterprise_user):
    text = '标题,描述\n焦化废水,"' + "x" * 140_000 + '"\n'
    r = await enterprise_user.post(
        "/api/imports/needs/preview", files=files("big.csv", text.encode())
    )
    assert r.status_code == 422, r.text[:300]
    assert r.json()["errors"][0]["field"] == "file"
    assert len(r.content) < 2_000


async def test_a_bad_cell_is_quoted_by_a_prefix_only(enterprise_user):
    r = await enterprise_user.post(
        "/api/imports/needs/preview",
        files=files("b.xlsx", xlsx([["标题", "预算下限"], ["焦化废水", "九" * 5_000]])),
    )
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["errors"][0]["field"] == "budget_min"
    assert len(body["errors"][0]["message"]) < 300
    assert len(body["rows"][0]["values"]["budget_min"]) < 300


async def test_health_answers_while_an_upload_is_parsed(enterprise_user, anon, monkeypatch):
    """The parse is held inside the reader until /health has answered: that only works when the
    parse runs off the event loop (on the loop, the held reader would block /health too).

    The test client runs the app on a loop of its own and blocks its caller for each request, so
    the two requests are sent from two threads, as two browsers would."""
    entered, release = threading.Event(), threading.Event()
    real = imports.read_table

    def held(filename: str, content: bytes):
        entered.set()
        release.wait(timeout=10)
        return real(filename, content)

    monkeypatch.setattr(imports, "read_table", held)
    sheet = xlsx([["标题", "关键词"], ["焦化废水深度处理", "焦化废水"]])
    browser = httpx.Client(transport=anon._transport, base_url=anon.base_url)  # noqa: SLF001
    upload = asyncio.create_task(
        asyncio.to_thread(
            browser.post,
            "/api/imports/needs/preview",
            files=files("n.xlsx", sheet),
            headers=enterprise_user.auth_headers,
        )
    )
    try:
        for _ in range(500):
            if entered.is_set():
                break
            await asyncio.sleep(0.02)
        assert entered.is_set()
        started = time.monotonic()
        r = await asyncio.to_thread(browser.get, "/health")
        elapsed = time.monotonic() - started
        assert r.status_code == 200
        assert not upload.done(), "/health waited for the upload's parse"
        assert elapsed < 2.0  # generous: a functional check, not a benchmark
    finally:
        release.set()
        r = await upload
    assert r.status_code == 200 and r.json()["valid"] == 1, r.text[:300]


def test_cli_reader_refuses_a_zip_bomb(tmp_path: Path, monkeypatch):
    small = sheets.SheetLimits(expanded_bytes=5_000_000)
    monkeypatch.setattr(matching_io, "XLSX_LIMITS", small, raising=False)
    path = tmp_path / "needs.xlsx"
    path.write_bytes(bomb(20))
    with pytest.raises(InputFileError, match=r"needs\.xlsx.*expanded"):
        matching_io.read_records(path)
