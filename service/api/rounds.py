"""HTTP handlers of matchmaking rounds, runs, results, pairings, schedules and exports."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.crud import Limit, Offset
from service.auth import Principal
from service.rounds import exports, schedule
from service.rounds import service as rounds
from service.rounds.schemas import (
    Application,
    ApplicationCreate,
    AvailabilityUpdate,
    Constraint,
    ConstraintCreate,
    EntryCreate,
    OutcomeUpdate,
    Pairing,
    PairingResponse,
    Participants,
    Round,
    RoundCreate,
    RoundKind,
    RoundPage,
    RoundPatch,
    RoundState,
    Run,
    RunResults,
    RunStart,
    ScheduleView,
    Stats,
    Transition,
)

Conn = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal]
OrgQ = Annotated[int | None, QueryParameter(ge=1, le=2**62, description="只看某机构相关的记录")]


class RoundController(Controller):
    path = "/api/rounds"
    tags = ["对接活动"]

    @post("/", summary="新建对接活动（揭榜挂帅 / 招聘会）")
    async def create_round(self, data: JSONBody[RoundCreate], conn: Conn, principal: Who) -> Round:
        return await rounds.create_round(conn, data, principal)

    @get("/", summary="对接活动列表")
    async def list_rounds(
        self,
        conn: Conn,
        kind: Annotated[RoundKind | None, QueryParameter()] = None,
        round_state: Annotated[RoundState | None, QueryParameter(name="state")] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> RoundPage:
        items, total = await rounds.list_rounds(conn, kind, round_state, limit, offset)
        return RoundPage(items=items, total=total, limit=limit, offset=offset)

    @get("/{round_id:int}", summary="读取对接活动")
    async def get_round(self, round_id: FromPath[int], conn: Conn) -> Round:
        return await rounds.read_round(conn, round_id)

    @patch("/{round_id:int}", summary="修改对接活动设置（草稿或报名中）")
    async def patch_round(
        self,
        round_id: FromPath[int],
        data: JSONBody[RoundPatch],
        conn: Conn,
        principal: Who,
    ) -> Round:
        return await rounds.patch_round(conn, round_id, data, principal)

    @post(
        "/{round_id:int}/transition", status_code=200, summary="变更状态：开放报名、退回草稿、结束"
    )
    async def transition(
        self,
        round_id: FromPath[int],
        data: JSONBody[Transition],
        conn: Conn,
        principal: Who,
    ) -> Round:
        return await rounds.transition(conn, round_id, data.to, principal)

    @get("/{round_id:int}/participants", summary="参与者（按范围纳入与报名）")
    async def participants(
        self, round_id: FromPath[int], conn: Conn, principal: Who
    ) -> Participants:
        return await rounds.participants(conn, round_id, principal)

    @post("/{round_id:int}/entries", status_code=200, summary="报名参加对接活动")
    async def register(
        self,
        round_id: FromPath[int],
        data: JSONBody[EntryCreate],
        conn: Conn,
        principal: Who,
    ) -> Participants:
        return await rounds.register(conn, round_id, data.side, data.item_id, principal)

    @delete("/{round_id:int}/entries/{side:str}/{item_id:int}", summary="取消报名")
    async def unregister(
        self,
        round_id: FromPath[int],
        side: FromPath[str],
        item_id: FromPath[int],
        conn: Conn,
        principal: Who,
    ) -> None:
        if side not in ("demand", "supply"):
            from service.errors import FieldInvalid

            raise FieldInvalid("side", "应为 demand 或 supply")
        await rounds.unregister(conn, round_id, side, item_id, principal)

    @post("/{round_id:int}/applications", summary="揭榜：高校或院所以一项科研能力申请揭榜")
    async def apply(
        self,
        round_id: FromPath[int],
        data: JSONBody[ApplicationCreate],
        conn: Conn,
        principal: Who,
    ) -> Application:
        return await rounds.apply(conn, round_id, data, principal)

    @get("/{round_id:int}/applications", summary="揭榜申请列表")
    async def list_applications(
        self,
        round_id: FromPath[int],
        conn: Conn,
        principal: Who,
        need_id: Annotated[int | None, QueryParameter(ge=1, le=2**62)] = None,
    ) -> list[Application]:
        return await rounds.applications(conn, round_id, need_id, principal)

    @post(
        "/{round_id:int}/runs",
        status_code=202,
        summary="发起匹配运行（后台任务，返回 202 与运行编号）",
    )
    async def start_run(
        self,
        round_id: FromPath[int],
        conn: Conn,
        principal: Who,
        data: JSONBody[RunStart | None] = None,
    ) -> Response[Run]:
        body = data or RunStart()
        run = await rounds.start_run(conn, round_id, body.seed, principal)
        return Response(run, status_code=202, headers={"Location": f"/api/runs/{run.id}"})

    @get("/{round_id:int}/runs", summary="该活动的匹配运行")
    async def list_runs(self, round_id: FromPath[int], conn: Conn, principal: Who) -> list[Run]:
        return await rounds.list_runs(conn, round_id, principal)

    @post("/{round_id:int}/constraints", summary="锁定（pin）或排除（forbid）一个配对")
    async def add_constraint(
        self,
        round_id: FromPath[int],
        data: JSONBody[ConstraintCreate],
        conn: Conn,
        principal: Who,
    ) -> Constraint:
        return await rounds.add_constraint(conn, round_id, data, principal)

    @get("/{round_id:int}/constraints", summary="锁定与排除的配对")
    async def list_constraints(
        self, round_id: FromPath[int], conn: Conn, principal: Who
    ) -> list[Constraint]:
        return await rounds.constraints(conn, round_id, principal)

    @delete("/{round_id:int}/constraints/{demand_id:int}/{supply_id:int}", summary="取消锁定或排除")
    async def remove_constraint(
        self,
        round_id: FromPath[int],
        demand_id: FromPath[int],
        supply_id: FromPath[int],
        conn: Conn,
        principal: Who,
    ) -> None:
        await rounds.remove_constraint(conn, round_id, demand_id, supply_id, principal)

    @post(
        "/{round_id:int}/publish", status_code=200, summary="发布配对结果（默认最近一次成功的运行）"
    )
    async def publish(
        self,
        round_id: FromPath[int],
        conn: Conn,
        principal: Who,
        run_id: Annotated[int | None, QueryParameter(ge=1, le=2**62)] = None,
    ) -> Round:
        return await rounds.publish(conn, round_id, run_id, principal)

    @get("/{round_id:int}/pairings", summary="已发布的配对（可按机构筛选）")
    async def list_pairings(
        self, round_id: FromPath[int], conn: Conn, principal: Who, org: OrgQ = None
    ) -> list[Pairing]:
        return await rounds.pairings(conn, round_id, principal, org)

    @get("/{round_id:int}/stats", summary="统计：按城市、行业、资质的匹配率，分数分布，确认与成果")
    async def stats(self, round_id: FromPath[int], conn: Conn, principal: Who) -> Stats:
        return await rounds.stats(conn, round_id, principal)

    @put("/{round_id:int}/availability", summary="招聘会：登记机构不可参会的时段")
    async def availability(
        self,
        round_id: FromPath[int],
        data: JSONBody[AvailabilityUpdate],
        conn: Conn,
        principal: Who,
    ) -> dict[str, Any]:
        return await schedule.set_availability(conn, round_id, data, principal)

    @get("/{round_id:int}/availability", summary="招聘会：读取机构登记的不可参会时段")
    async def get_availability(
        self,
        round_id: FromPath[int],
        conn: Conn,
        principal: Who,
        org: Annotated[int, QueryParameter(ge=1, le=2**62, description="机构 id")],
    ) -> dict[str, Any]:
        return await schedule.get_availability(conn, round_id, org, principal)

    @post("/{round_id:int}/schedule", status_code=200, summary="招聘会：排定（或修复）洽谈日程")
    async def make_schedule(
        self, round_id: FromPath[int], conn: Conn, principal: Who
    ) -> ScheduleView:
        return await schedule.build(conn, round_id, principal)

    @get("/{round_id:int}/schedule", summary="招聘会日程（可按机构查看议程）")
    async def get_schedule(
        self, round_id: FromPath[int], conn: Conn, principal: Who, org: OrgQ = None
    ) -> ScheduleView:
        return await schedule.view(conn, round_id, org, principal)

    @get(
        "/{round_id:int}/export/{name:str}", summary="导出 CSV / XLSX：ranked、assignment、schedule"
    )
    async def export(
        self, round_id: FromPath[int], name: FromPath[str], conn: Conn, principal: Who
    ) -> Response[bytes]:
        body, media_type, filename = await exports.export(conn, round_id, name, principal)
        return Response(
            body,
            media_type=media_type,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
        )


class RunController(Controller):
    path = "/api/runs"
    tags = ["对接活动"]

    @get("/{run_id:int}", summary="运行状态与进度")
    async def get_run(self, run_id: FromPath[int], conn: Conn, principal: Who) -> Run:
        return await rounds.get_run(conn, run_id, principal)

    @post("/{run_id:int}/cancel", status_code=200, summary="取消运行")
    async def cancel_run(self, run_id: FromPath[int], conn: Conn, principal: Who) -> Run:
        return await rounds.cancel_run(conn, run_id, principal)

    @get(
        "/{run_id:int}/results", summary="运行结果：每个需求的排序列表、选定配对、备选与未匹配原因"
    )
    async def results(
        self,
        run_id: FromPath[int],
        conn: Conn,
        principal: Who,
        org: OrgQ = None,
        demand_id: Annotated[int | None, QueryParameter(ge=1, le=2**62)] = None,
    ) -> RunResults:
        return await rounds.results(conn, run_id, principal, org, demand_id)


class PairingController(Controller):
    path = "/api/pairings"
    tags = ["对接活动"]

    @post("/{pairing_id:int}/respond", status_code=200, summary="双向确认：一方接受或婉拒配对")
    async def respond(
        self,
        pairing_id: FromPath[int],
        data: JSONBody[PairingResponse],
        conn: Conn,
        principal: Who,
    ) -> Pairing:
        return await rounds.respond(conn, pairing_id, data, principal)

    @post(
        "/{pairing_id:int}/outcome",
        status_code=200,
        summary="登记对接成果：洽谈、签约（金额）、录用",
    )
    async def outcome(
        self,
        pairing_id: FromPath[int],
        data: JSONBody[OutcomeUpdate],
        conn: Conn,
        principal: Who,
    ) -> Pairing:
        return await rounds.record_outcome(conn, pairing_id, data, principal)


CONTROLLERS = [RoundController, RunController, PairingController]
