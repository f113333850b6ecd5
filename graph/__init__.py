"""Bipartite graph and assignment engine of Duijie (对接：二部图与分配引擎).

A pure library (no web framework, no database) that turns scored (demand, supply) pairs into
pairings, explains every unmatched demand, and schedules agreed meetings into time slots.

Public API
----------
Assignment (encoder → solver → decoder)::

    assign(pairs, loads=(), pins=(), forbids=(), preferences=(), method="optimal", *,
           proposing="demand", k=None, n_alternates=3) -> Assignment
    encode(pairs, loads=(), pins=(), forbids=(), preferences=()) -> Instance
    assign_instance(inst, method="optimal", *, proposing="demand", k=None, n_alternates=3) -> Assignment
    solve_instance(inst, method="optimal", *, proposing="demand", k=None) -> SolveOutput  # edge mask
    build_graph(inst) -> (networkx.Graph, demand_nodes, supply_nodes)
    graph_components(inst) -> list[(frozenset[demand_id], frozenset[supply_id])]
    blocking_pairs(inst, chosen_mask) -> list[(demand_id, supply_id)]
    methods() -> list[str];  get_solver(name) -> Solver;  register(solver) -> Solver

Inputs are plain values or Structs: ``pairs`` as ``(demand_id, supply_id, score)`` with score in
[0, 1] (or :class:`ScoredPair`, dicts, or a column triple ``(ids, ids, ndarray)``); ``loads`` as
``(id, side, min, max)`` with side ``"demand"``/``"supply"`` (default 0..1); ``pins``/``forbids`` as
``(demand_id, supply_id)``; ``preferences`` as :class:`Preference`. Demand and supply ids live in
separate namespaces (graph nodes are ``("demand", id)`` / ``("supply", id)``).

The result :class:`Assignment` (frozen) holds ``pairs`` (:class:`ChosenPair`: ids, score, rank in
the demand's list, rank in the supply's list, pinned), ``alternates`` per matched demand
(:class:`Alternates` of :class:`Candidate` with a reason code), ``unmatched`` demands
(:class:`Unmatched` with their best candidates and why each went elsewhere), ``shortfalls``
(minimum loads not met by ``stable``/``ranked``), ``total_score``, ``min_score``,
``n_components`` and, for ``ranked``, ``supply_top``.

Methods (registry by name, one :class:`Solver` Protocol; details in :mod:`graph.solvers`):
``ranked`` (top-k lists), ``optimal`` (max total score, exact min-cost flow, OR-Tools),
``stable`` (deferred acceptance with capacities, either side proposing), ``fair`` (max matched
demands, then max worst chosen score, then max total). Components are independent.

Scheduling (:mod:`graph.schedule`)::

    schedule(meetings, slots, tables, unavailable=None, confirmed=(), restarts=8) -> Schedule
    repair(previous, meetings, unavailable=None) -> Schedule   # meetings = current full list
    check_schedule(schedule, unavailable=None) -> list[str]    # violations, empty when sound

``meetings`` are ``(id, a, b)`` / :class:`Meeting` with ``a`` and ``b`` from the two sides;
:class:`Schedule` holds ``placements`` (:class:`Placement`: meeting, slot, table, confirmed),
``unplaced`` (:class:`Unplaced` with the reason per slot), ``n_slots_used``, ``lower_bound``
(``max(Δ, ceil(E / tables))``) and ``max_degree``.

Errors: :class:`GraphError` ⊃ :class:`InputError`, :class:`InfeasibleError`,
:class:`UnknownMethodError`, :class:`ScheduleError`.

Examples
--------
>>> from graph import assign
>>> res = assign([("需求1", "团队A", 0.9), ("需求2", "团队A", 0.7), ("需求2", "团队B", 0.6)])
>>> [(p.demand_id, p.supply_id) for p in res.pairs]
[('需求1', '团队A'), ('需求2', '团队B')]
"""

from graph.assign import assign, assign_instance, build_graph, graph_components, solve_instance
from graph.errors import GraphError, InfeasibleError, InputError, ScheduleError, UnknownMethodError
from graph.model import (
    Alternates,
    Assignment,
    Candidate,
    ChosenPair,
    Instance,
    Load,
    PairRef,
    Preference,
    Problem,
    ScoredPair,
    Shortfall,
    Unmatched,
    encode,
)
from graph.schedule import Meeting, Placement, Schedule, Unplaced, check_schedule, repair, schedule
from graph.solvers import (
    SolveOptions,
    SolveOutput,
    Solver,
    blocking_pairs,
    get_solver,
    methods,
    register,
)

__all__ = [
    "assign",
    "assign_instance",
    "solve_instance",
    "build_graph",
    "graph_components",
    "encode",
    "blocking_pairs",
    "get_solver",
    "methods",
    "register",
    "Solver",
    "SolveOptions",
    "SolveOutput",
    "Instance",
    "Problem",
    "ScoredPair",
    "Load",
    "PairRef",
    "Preference",
    "Assignment",
    "ChosenPair",
    "Candidate",
    "Alternates",
    "Unmatched",
    "Shortfall",
    "schedule",
    "repair",
    "check_schedule",
    "Meeting",
    "Placement",
    "Schedule",
    "Unplaced",
    "GraphError",
    "InputError",
    "InfeasibleError",
    "UnknownMethodError",
    "ScheduleError",
]
