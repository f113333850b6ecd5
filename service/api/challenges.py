"""HTTP handlers of the 揭榜挂帅 lifecycle (发榜 review, applicants, withdrawals, questions, 公示,
milestones), two-way 揭榜 (achievement listings) and "my" pairings, applications and agenda."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from typing import Annotated

import asyncpg
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.crud import Limit, Offset
from service.auth import Principal
from service.challenges import mine
from service.challenges import service as challenges
from service.challenges.schemas import (
    QA,
    AgendaItem,
    AnswerBody,
    Applicant,
    ApplicationStatus,
    ListingPage,
    Milestone,
    MilestoneBody,
    MyApplication,
    MyPairingPage,
    PairingState,
    PendingChallenge,
    PublicityBody,
    PublicityNotice,
    QuestionBody,
    ReturnBody,
    ReviewResult,
    StatusBody,
)
from service.rounds.schemas import Side

Conn = NamedDependency[asyncpg.Connection]
Who = NamedDependency[Principal]
OrgQ = Annotated[
    int | None,
    QueryParameter(ge=1, le=2**62, description="对接专员：查看某机构（参与方只看本机构）"),
]
RoundQ = Annotated[
    int | None, QueryParameter(name="round", ge=1, le=2**62, description="只看某个对接活动")
]


class ChallengeController(Controller):
    path = "/api/challenges"
    tags = ["揭榜挂帅"]

    @get("/pending", summary="待审核的揭榜挂帅项目（对接专员）")
    async def pending(self, conn: Conn, principal: Who) -> list[PendingChallenge]:
        return await challenges.pending(conn, principal)

    @post("/{need_id:int}/approve", status_code=200, summary="发榜：审核通过，项目公开")
    async def approve(self, need_id: FromPath[int], conn: Conn, principal: Who) -> ReviewResult:
        return await challenges.review(conn, need_id, principal, approve=True)

    @post("/{need_id:int}/return", status_code=200, summary="退回揭榜挂帅项目（须说明理由）")
    async def return_challenge(
        self,
        need_id: FromPath[int],
        data: JSONBody[ReturnBody],
        conn: Conn,
        principal: Who,
    ) -> ReviewResult:
        return await challenges.review(conn, need_id, principal, approve=False, reason=data.reason)

    @get("/{need_id:int}/applicants", summary="揭榜申请者并列比较（发榜企业与对接专员）")
    async def applicants(
        self, need_id: FromPath[int], conn: Conn, principal: Who
    ) -> list[Applicant]:
        return await challenges.applicants(conn, "challenge", need_id, principal)

    @get("/publicity", summary="公示：中选项目、中选单位与金额（无联系方式）")
    async def publicity(
        self,
        conn: Conn,
        include_past: Annotated[bool, QueryParameter(description="包括已过公示期的")] = False,
    ) -> list[PublicityNotice]:
        return await challenges.publicity(conn, include_past)


class ListingController(Controller):
    path = "/api/listings"
    tags = ["揭榜挂帅"]

    @get("/", summary="挂牌转化的科技成果（转让、许可、作价入股）")
    async def list_listings(self, conn: Conn, limit: Limit = 20, offset: Offset = 0) -> ListingPage:
        return await challenges.listings(conn, limit, offset)

    @get("/{capability_id:int}/applicants", summary="成果承接申请者并列比较（成果方与对接专员）")
    async def applicants(
        self, capability_id: FromPath[int], conn: Conn, principal: Who
    ) -> list[Applicant]:
        return await challenges.applicants(conn, "listing", capability_id, principal)


class ApplicationController(Controller):
    path = "/api/applications"
    tags = ["揭榜挂帅"]

    @post("/{app_id:int}/withdraw", status_code=200, summary="撤回申请（截止日期前）")
    async def withdraw(self, app_id: FromPath[int], conn: Conn, principal: Who) -> MyApplication:
        return await challenges.withdraw(conn, app_id, principal)

    @post("/{app_id:int}/status", status_code=200, summary="发布方将申请列入或移出入围名单")
    async def set_status(
        self,
        app_id: FromPath[int],
        data: JSONBody[StatusBody],
        conn: Conn,
        principal: Who,
    ) -> MyApplication:
        return await challenges.set_status(conn, app_id, data, principal)

    @post("/{app_id:int}/questions", summary="发布方向申请者提问")
    async def ask(
        self,
        app_id: FromPath[int],
        data: JSONBody[QuestionBody],
        conn: Conn,
        principal: Who,
    ) -> QA:
        return await challenges.ask(conn, app_id, data, principal)

    @post(
        "/{app_id:int}/questions/{question_id:int}/answer",
        status_code=200,
        summary="申请者回答问题",
    )
    async def answer(
        self,
        app_id: FromPath[int],
        question_id: FromPath[int],
        data: JSONBody[AnswerBody],
        conn: Conn,
        principal: Who,
    ) -> QA:
        return await challenges.answer(conn, app_id, question_id, data.answer, principal)


class PairingLifecycleController(Controller):
    path = "/api/pairings"
    tags = ["对接活动"]

    @post("/{pairing_id:int}/publicity", summary="公示双方确认的揭榜结果（对接专员）")
    async def publicity(
        self,
        pairing_id: FromPath[int],
        conn: Conn,
        principal: Who,
        data: JSONBody[PublicityBody | None] = None,
    ) -> PublicityNotice:
        body = data or PublicityBody()
        return await challenges.publish_result(conn, pairing_id, body, principal)

    @post(
        "/{pairing_id:int}/milestones",
        status_code=200,
        summary="登记签约后的里程碑：中期检查、验收",
    )
    async def milestone(
        self,
        pairing_id: FromPath[int],
        data: JSONBody[MilestoneBody],
        conn: Conn,
        principal: Who,
    ) -> list[Milestone]:
        return await challenges.add_milestone(conn, pairing_id, data, principal)


class MeController(Controller):
    path = "/api/me"
    tags = ["我的对接"]

    @get("/pairings", summary="我的配对：所有对接活动（含已结束）")
    async def pairings(
        self,
        conn: Conn,
        principal: Who,
        org: OrgQ = None,
        round_id: RoundQ = None,
        pairing_state: Annotated[
            PairingState | None,
            QueryParameter(name="state", description="pending 待答复 / confirmed / declined"),
        ] = None,
        side: Annotated[Side | None, QueryParameter(description="我方是需求方或供给方")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> MyPairingPage:
        return await mine.my_pairings(
            conn, principal, org_id=org, round_id=round_id, side=side, state=pairing_state,
            limit=limit, offset=offset,
        )  # fmt: skip

    @get("/applications", summary="我的申请：揭榜与成果承接，含状态与问答")
    async def applications(
        self,
        conn: Conn,
        principal: Who,
        org: OrgQ = None,
        status: Annotated[ApplicationStatus | None, QueryParameter()] = None,
    ) -> list[MyApplication]:
        return await challenges.my_applications(conn, principal, status, org)

    @get("/agenda", summary="我的洽谈议程（招聘会日程）")
    async def agenda(
        self, conn: Conn, principal: Who, org: OrgQ = None, round_id: RoundQ = None
    ) -> list[AgendaItem]:
        return await mine.agenda(conn, principal, org, round_id)

    @get("/agenda.ics", summary="我的洽谈议程（iCalendar 文件）", media_type="text/calendar")
    async def agenda_ics(
        self, conn: Conn, principal: Who, org: OrgQ = None, round_id: RoundQ = None
    ) -> Response[bytes]:
        items = await mine.agenda(conn, principal, org, round_id)
        return Response(
            mine.to_ics(items),
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="duijie-agenda.ics"'},
        )


CONTROLLERS = [
    ChallengeController,
    ListingController,
    ApplicationController,
    PairingLifecycleController,
    MeController,
]
