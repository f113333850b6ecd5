"""A capability's documents: its members' papers, patents and projects (issue #14, item 3).

Up to ``MAX_DOCUMENTS`` per capability, listed with ``GET``, replaced with ``PUT`` and added with
``POST /api/capabilities/{id}/documents``. Writes are the capability owner's (and admins'), in one
transaction with the audit row; a title may appear once per capability (compared after NFKC, case
folding and dropping spaces and punctuation). The recommendation index scores a need against each
document of a capability (see :mod:`matching.documents`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal

import asyncpg
import msgspec
from msgspec import Meta

from matching.records import document_key
from service.auth import Principal, audit
from service.domain import access, crud
from service.domain import documents_repository as sql
from service.domain.capabilities import RESOURCE
from service.domain.types import Term
from service.errors import Conflict, FieldInvalid, NotFound

MAX_DOCUMENTS = 500

DocumentKind = Literal["paper", "patent", "project"]


class DocumentIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: DocumentKind = "paper"
    title: Annotated[str, Meta(min_length=1, max_length=500)]
    abstract: Annotated[str, Meta(max_length=5000)] = ""
    keywords: Annotated[list[Term], Meta(max_length=30)] = []
    year: Annotated[int, Meta(ge=1900, le=2100)] | None = None


class DocumentsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    documents: Annotated[list[DocumentIn], Meta(max_length=MAX_DOCUMENTS)]


class Document(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    kind: DocumentKind
    title: str
    abstract: str
    keywords: list[str]
    year: int | None
    position: int
    created_at: datetime


class Documents(msgspec.Struct, kw_only=True, frozen=True):
    capability_id: int
    total: int
    items: list[Document]


def _key(title: str) -> str:
    return hashlib.md5(document_key(title).encode("utf-8")).hexdigest()  # noqa: S324 - identity


def _clean(data: DocumentsIn) -> list[dict[str, Any]]:
    """Stripped documents with their title keys; every problem names its field."""
    errors: list[tuple[str, str]] = []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for k, d in enumerate(data.documents):
        where = f"documents.{k}"
        title = crud._check_text(f"{where}.title", d.title, errors)
        abstract = crud._check_text(f"{where}.abstract", d.abstract, errors)
        keywords = crud._check_text(f"{where}.keywords", d.keywords, errors)
        key = document_key(title) if isinstance(title, str) else ""
        if not key:
            errors.append((f"{where}.title", "标题不能为空（去除空白和标点后）"))
        elif key in seen:
            errors.append((f"{where}.title", f"与第 {seen[key] + 1} 篇文献重复"))
        else:
            seen[key] = k
        out.append(
            {"kind": d.kind, "title": title, "abstract": abstract, "keywords": keywords,
             "year": d.year, "title_key": _key(title) if key else ""}
        )  # fmt: skip
    crud.raise_if(errors)
    return out


async def _capability(
    conn: asyncpg.Connection, ident: int, principal: Principal | None, *, write: bool
) -> asyncpg.Record:
    lock = " FOR UPDATE OF t" if write else ""
    row = await conn.fetchrow(f"{RESOURCE.select} WHERE t.id = $1{lock}", ident)
    if row is None or not access.visible(principal, RESOURCE, row):
        raise NotFound(RESOURCE.label, ident)
    if write:
        assert principal is not None
        access.authorize_write(principal, RESOURCE, row["owner_id"], "update")
    return row


async def _page(conn: asyncpg.Connection, ident: int) -> Documents:
    rows = await sql.list_for(conn, ident)
    items = [msgspec.convert(dict(r), Document) for r in rows]
    return Documents(capability_id=ident, total=len(items), items=items)


def _log(page: Documents) -> dict[str, Any]:
    """The audit view of a capability's documents (abstracts left out: up to 500 of them)."""
    return {
        "total": page.total,
        "items": [{"kind": d.kind, "title": d.title, "year": d.year} for d in page.items],
    }


async def list_documents(
    conn: asyncpg.Connection, ident: int, *, principal: Principal | None
) -> Documents:
    await _capability(conn, ident, principal, write=False)
    return await _page(conn, ident)


async def replace_documents(
    conn: asyncpg.Connection, ident: int, data: DocumentsIn, *, principal: Principal
) -> Documents:
    docs = _clean(data)
    async with conn.transaction():
        await _capability(conn, ident, principal, write=True)
        before = await _page(conn, ident)
        await sql.delete_all(conn, ident)
        await sql.insert_many(conn, ident, docs, 0)
        await sql.touch_capability(conn, ident)
        after = await _page(conn, ident)
        await audit.record(
            conn, principal, "update", "capability_documents", ident, _log(before), _log(after)
        )
    return after


async def add_documents(
    conn: asyncpg.Connection, ident: int, data: DocumentsIn, *, principal: Principal
) -> Documents:
    docs = _clean(data)
    async with conn.transaction():
        await _capability(conn, ident, principal, write=True)
        existing = await sql.keys_for(conn, ident)
        if len(existing) + len(docs) > MAX_DOCUMENTS:
            raise FieldInvalid(
                "documents",
                f"每项科研能力最多 {MAX_DOCUMENTS} 篇文献，已有 {len(existing)} 篇，"
                f"本次新增 {len(docs)} 篇",
            )
        for k, d in enumerate(docs):
            if d["title_key"] in existing:
                raise Conflict(
                    f"documents.{k}.title: 文献《{d['title']}》已在该科研能力的文献中",
                    errors=[{"field": f"documents.{k}.title", "message": "该文献已存在"}],
                )
        before = await _page(conn, ident)
        first = max(existing.values(), default=-1) + 1
        await sql.insert_many(conn, ident, docs, first)
        await sql.touch_capability(conn, ident)
        after = await _page(conn, ident)
        await audit.record(
            conn, principal, "update", "capability_documents", ident, _log(before), _log(after)
        )
    return after
