"""``GET /api/{needs|jobs|capabilities|talent-pools}/{id}/recommendations``."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated

import asyncpg
from litestar import MediaType, Response, Router, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from service.auth import Principal
from service.recommend.schemas import Recommendations
from service.recommend.service import DIRECTIONS

TopK = Annotated[int, QueryParameter(ge=1, le=50, description="返回条数，1–50")]
SUMMARY = {
    "needs": "为研发需求推荐科研能力（团队、成果、设备）",
    "capabilities": "为科研能力推荐研发需求",
    "jobs": "为招聘岗位推荐人才库",
    "talent-pools": "为人才库推荐招聘岗位",
}


def _handler(kind: str):
    @get(
        f"/{kind}/{{item_id:int}}/recommendations",
        operation_id=f"recommend_for_{kind.replace('-', '_')}",
        summary=SUMMARY[kind],
    )
    async def recommend(
        item_id: FromPath[int],
        state: State,
        conn: NamedDependency[asyncpg.Connection],
        maybe_principal: NamedDependency[Principal | None],
        limit: TopK = 10,
    ) -> Response[Recommendations]:
        body = await state.recommender.recommend(
            state.pool, conn, kind, item_id, limit, maybe_principal
        )
        # The answer is already JSON (precomputed); Litestar sends bytes as they are.
        return Response(content=body, media_type=MediaType.JSON)

    return recommend


ROUTER = Router(path="/api", route_handlers=[_handler(k) for k in DIRECTIONS], tags=["推荐"])
