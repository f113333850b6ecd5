"""Request and response Structs of rounds, runs, results, pairings and schedules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

import graph
from service.domain.types import City, Code, EnterpriseTag, Id, LongText, ShortText, Title, Yuan

RoundKind = Literal["open_challenge", "recruitment_fair"]
RoundState = Literal["draft", "open", "matching", "review", "published", "closed"]
# A round assigns: every method graph registers except ``ranked`` (top-k lists per demand that
# ignore supply capacities). migrations/0003's CHECK on rounds.method is compared with this in
# tests/test_round_methods.py.
ROUND_METHODS: tuple[str, ...] = tuple(m for m in graph.methods() if m != "ranked")
Method = Literal[ROUND_METHODS]  # type: ignore[valid-type]
RunState = Literal["queued", "running", "succeeded", "failed", "cancelled"]
Side = Literal["demand", "supply"]
Response = Literal["accepted", "declined"]
Outcome = Literal["none", "meeting_held", "contract_signed", "hired"]
SlotLabel = Annotated[str, Meta(min_length=1, max_length=40)]
Weight = Annotated[float, Meta(ge=0, le=10)]


class Scope(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Which published records enter the round without registering (empty list = no restriction)."""

    cities: Annotated[list[City], Meta(max_length=12)] = []
    industries: Annotated[list[Code], Meta(max_length=20)] = []
    fields: Annotated[list[Code], Meta(max_length=20)] = []
    tags: Annotated[list[EnterpriseTag], Meta(max_length=5)] = []
    everyone: bool = False


class Loads(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Partners per demand (need or job) and the cap per supply (None = its own capacity:
    a capability's capacity, a talent pool's graduates)."""

    demand_min: Annotated[int, Meta(ge=0, le=50)] = 0
    demand_max: Annotated[int, Meta(ge=1, le=50)] = 1
    supply_max: Annotated[int, Meta(ge=1, le=10_000)] | None = None


class RoundCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: RoundKind
    title: Title
    description: LongText = ""
    scope: Scope = msgspec.field(default_factory=Scope)
    registration_opens: date | None = None
    registration_closes: date | None = None
    event_date: date | None = None
    method: Method = "optimal"
    weights: Annotated[dict[Annotated[str, Meta(max_length=30)], Weight], Meta(max_length=20)] = {}
    loads: Loads = msgspec.field(default_factory=Loads)
    top_k: Annotated[int, Meta(ge=1, le=50)] = 10
    slots: Annotated[list[SlotLabel], Meta(max_length=48)] = []
    tables: Annotated[int, Meta(ge=1, le=1000)] | None = None


class RoundPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: LongText | msgspec.UnsetType = msgspec.UNSET
    scope: Scope | msgspec.UnsetType = msgspec.UNSET
    registration_opens: date | None | msgspec.UnsetType = msgspec.UNSET
    registration_closes: date | None | msgspec.UnsetType = msgspec.UNSET
    event_date: date | None | msgspec.UnsetType = msgspec.UNSET
    method: Method | msgspec.UnsetType = msgspec.UNSET
    weights: dict[Annotated[str, Meta(max_length=30)], Weight] | msgspec.UnsetType = msgspec.UNSET
    loads: Loads | msgspec.UnsetType = msgspec.UNSET
    top_k: Annotated[int, Meta(ge=1, le=50)] | msgspec.UnsetType = msgspec.UNSET
    slots: Annotated[list[SlotLabel], Meta(max_length=48)] | msgspec.UnsetType = msgspec.UNSET
    tables: Annotated[int, Meta(ge=1, le=1000)] | None | msgspec.UnsetType = msgspec.UNSET


class Round(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    kind: RoundKind
    title: str
    description: str
    scope: Scope
    registration_opens: date | None
    registration_closes: date | None
    event_date: date | None
    method: Method
    weights: dict[str, float]
    loads: Loads
    top_k: int
    slots: list[str]
    tables: int | None
    state: RoundState
    published_run_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class RoundPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[Round]
    total: int
    limit: int
    offset: int


class Transition(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    to: Literal["open", "closed", "draft"]


class EntryCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    side: Side
    item_id: Id


class Participant(msgspec.Struct, kw_only=True, frozen=True):
    side: Side
    item_id: int
    title: str
    org_id: int
    org_name: str
    city: str
    source: Literal["scope", "registration", "scope+registration"]


class Participants(msgspec.Struct, kw_only=True, frozen=True):
    demands: list[Participant]
    supplies: list[Participant]


ApplicationDirection = Literal["challenge", "listing"]


class ApplicationCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """揭榜 either way: ``challenge`` — a university's capability applies to an enterprise's
    challenge; ``listing`` — an enterprise applies with one of its needs (and a plan in
    ``proposal``) to take up a listed achievement."""

    need_id: Id
    capability_id: Id
    direction: ApplicationDirection = "challenge"
    team: ShortText = ""
    proposal: LongText = ""
    expected_months: Annotated[int, Meta(ge=1, le=120)] | None = None
    price: Yuan | None = None


class Application(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    round_id: int
    need_id: int
    capability_id: int
    org_id: int
    org_name: str
    team: str
    proposal: str
    expected_months: int | None
    price: int | None
    status: str
    created_at: datetime
    direction: ApplicationDirection = "challenge"


class RunStart(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    seed: Annotated[int, Meta(ge=0, le=2**31)] = 0


class Run(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    round_id: int
    state: RunState
    stage: str
    percent: int
    params: dict[str, Any]
    seed: int
    summary: dict[str, Any] | None
    attempts: int
    worker_id: str | None
    cancel_requested: bool
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class Candidate(msgspec.Struct, kw_only=True, frozen=True):
    supply_id: int
    supply_title: str
    supply_org_id: int
    supply_org_name: str
    rank: int
    score: float
    components: dict[str, float]
    matched_terms: dict[str, list[str]]
    applied: bool
    chosen: bool
    pinned: bool
    forbidden: bool
    reason: str | None
    weak: bool = False  # too little shared content to recommend (matching.relevance)


class DemandResult(msgspec.Struct, kw_only=True, frozen=True):
    demand_id: int
    demand_title: str
    demand_org_id: int
    demand_org_name: str
    chosen: list[Candidate]
    alternates: list[Candidate]
    ranked: list[Candidate]
    invite: list[Candidate]
    unmatched_reasons: list[dict[str, Any]] | None


class RunResults(msgspec.Struct, kw_only=True, frozen=True):
    run: Run
    demands: list[DemandResult]


class ConstraintCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    demand_id: Id
    supply_id: Id
    kind: Literal["pin", "forbid"]
    reason: ShortText = ""


class Constraint(msgspec.Struct, kw_only=True, frozen=True):
    demand_id: int
    supply_id: int
    kind: str
    reason: str
    created_at: datetime


class Pairing(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    round_id: int
    run_id: int
    demand_id: int
    demand_title: str
    demand_org_id: int
    demand_org_name: str
    supply_id: int
    supply_title: str
    supply_org_id: int
    supply_org_name: str
    score: float
    demand_response: str
    supply_response: str
    outcome: str
    contract_amount: int | None
    hires: int | None
    contacts: dict[str, Any] | None
    version: int
    contract_date: date | None = None


class PairingResponse(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    side: Side
    response: Response


class OutcomeUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    outcome: Outcome
    contract_amount: Yuan | None = None
    # 签约日期 (China date); today when a contract is recorded without one.
    contract_date: date | None = None
    hires: Annotated[int, Meta(ge=0, le=10_000)] | None = None


class AvailabilityUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    org_id: Id
    unavailable_slots: Annotated[list[Annotated[int, Meta(ge=0, le=47)]], Meta(max_length=48)]


class MeetingView(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    enterprise_id: int
    enterprise_name: str
    university_id: int
    university_name: str
    slot: int | None
    slot_label: str | None
    table_no: int | None
    state: str
    confirmed: bool
    note: str | None


class ScheduleView(msgspec.Struct, kw_only=True, frozen=True):
    round_id: int
    slots: list[str]
    tables: int | None
    meetings: list[MeetingView]
    n_slots_used: int
    lower_bound: int
    unplaced: int


class Stats(msgspec.Struct, kw_only=True, frozen=True):
    round_id: int
    run_id: int | None
    demands: int
    matched_demands: int
    matched_share: float
    by_city: list[dict[str, Any]]
    by_industry: list[dict[str, Any]]
    by_tag: list[dict[str, Any]]
    score_histogram: list[dict[str, Any]]
    responses: dict[str, int]
    outcomes: dict[str, Any]


# --- a run's boundaries: params, snapshot, results ------------------------------------------------


class RunLoads(msgspec.Struct, kw_only=True, frozen=True):
    demand_min: int = 0
    demand_max: int = 1
    supply_max: int | None = None


class RunParams(msgspec.Struct, kw_only=True, frozen=True):
    """What a run does, copied from its round when it starts (stored in the snapshot)."""

    method: Method
    weights: dict[str, Any] = {}
    loads: RunLoads
    top_k: int


class QueuedRunParams(RunParams, kw_only=True, frozen=True):
    """``runs.params``: the run's params and the state its round goes back to if it fails."""

    previous_state: RoundState = "open"


class SnapshotApplication(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """A 揭榜 application; ``direction`` is stored only for listings (the shape of snapshots
    from before two-way 揭榜)."""

    need_id: int
    capability_id: int
    direction: ApplicationDirection = "challenge"


class Snapshot(msgspec.Struct, kw_only=True, frozen=True):
    """Everything a run reads, stored with the run so it can be replayed.

    ``demands`` and ``supplies`` are the participants' rows as stored
    (:func:`service.rounds.records.snapshot_record`), kept as mappings so old snapshots replay.
    """

    kind: RoundKind
    params: RunParams
    demands: list[dict[str, Any]]
    supplies: list[dict[str, Any]]
    applications: list[SnapshotApplication] = []
    pins: list[tuple[int, int]] = []
    forbids: list[tuple[int, int, str]] = []
    round_id: int | None = None
    seed: int = 0


class RunItem(msgspec.Struct, frozen=True):
    """A participant as a run's results name it (a ``run_items`` row, in column order)."""

    side: Side
    item_id: int
    title: str
    org_id: int
    org_name: str
    city: str | None
    industry_code: str | None
    tags: list[str]
    is_challenge: bool


class CandidateRow(msgspec.Struct, kw_only=True, frozen=True):
    """One scored pair of a run (a ``run_candidates`` row)."""

    demand_id: int
    supply_id: int
    rank: int
    score: float
    components: dict[str, float]
    matched_terms: dict[str, Any]
    applied: bool
    chosen: bool
    pinned: bool
    forbidden: bool
    reason: str | None
    weak: bool = False  # too little shared content to recommend (matching.relevance)


class UnmatchedCandidate(msgspec.Struct, kw_only=True, frozen=True):
    supply_id: int
    score: float
    reason: str
    detail: str


class UnmatchedReasons(msgspec.Struct, kw_only=True, frozen=True):
    reason: str
    detail: str
    candidates: list[UnmatchedCandidate]


class UnmatchedRow(msgspec.Struct, kw_only=True, frozen=True):
    """A demand the assignment left without a partner (a ``run_unmatched`` row)."""

    demand_id: int
    reasons: UnmatchedReasons


class RunSummary(msgspec.Struct, kw_only=True, frozen=True):
    """``runs.summary``; an empty run has no assignment figures (they stay unset)."""

    demands: int
    supplies: int
    method: str
    pairs: int = 0
    matched_demands: int = 0
    total_score: float = 0.0
    min_score: float | None | msgspec.UnsetType = msgspec.UNSET
    components: int | msgspec.UnsetType = msgspec.UNSET
    shortfalls: list[dict[str, Any]] | msgspec.UnsetType = msgspec.UNSET


class RunOutput(msgspec.Struct, kw_only=True, frozen=True):
    """What :func:`service.rounds.pipeline.run` returns, ready to store."""

    candidates: list[CandidateRow]
    unmatched: list[UnmatchedRow]
    summary: RunSummary
