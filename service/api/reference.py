"""``GET /api/reference/…``: Chinese labels for engine words, and the industry and research-field
code trees for type-ahead pickers and for showing names instead of codes."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated

import msgspec
from litestar import Controller, Response, get
from litestar.params import QueryParameter

from service.reference import labels, names

Q = Annotated[str, QueryParameter(max_length=40, description="代码前缀或名称中的字词")]
CodesQ = Annotated[
    str | None, QueryParameter(max_length=400, description="逗号分隔的代码，按代码取名称")
]
LimitQ = Annotated[int, QueryParameter(ge=1, le=100, description="返回条数，1–100")]


class CodeName(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    level: str
    path: list[list[str]]  # [[code, name], …] broadest first
    full: str


def _out(n: names.Named) -> CodeName:
    return CodeName(
        code=n.code, name=n.name, level=n.level, path=[list(p) for p in n.path], full=n.full
    )


def _lookup(kind: str, q: str, codes: str | None, limit: int) -> list[CodeName]:
    one = names.industry if kind == "industry" else names.field
    if codes:
        found = [one(c) for c in codes.split(",")[:50] if c.strip()]
        return [_out(n) for n in found if n is not None]
    search = names.search_industries if kind == "industry" else names.search_fields
    return [_out(n) for n in search(q, limit)]


class ReferenceController(Controller):
    path = "/api/reference"
    tags = ["参考代码"]

    @get("/labels", summary="引擎用语的中文名称与说明（得分项、方法、状态、导出文件等）")
    async def get_labels(self) -> Response[dict[str, dict[str, labels.Label]]]:
        return Response(labels.LABELS, headers={"Cache-Control": "public, max-age=3600"})

    @get("/industries", summary="国民经济行业分类（GB/T 4754-2017）：按代码前缀或名称查找")
    async def get_industries(
        self, q: Q = "", codes: CodesQ = None, limit: LimitQ = 20
    ) -> list[CodeName]:
        return _lookup("industry", q, codes, limit)

    @get("/fields", summary="国家自然科学基金申请代码：按代码前缀或名称查找")
    async def get_fields(
        self, q: Q = "", codes: CodesQ = None, limit: LimitQ = 20
    ) -> list[CodeName]:
        return _lookup("field", q, codes, limit)
