"""Rounds: the coordinator's workflow, from a draft call to published, confirmed pairings.

The workflow lives in modules by concern; this module names them all for the HTTP handlers:

- :mod:`service.rounds.states` — the round's states and every change of state;
- :mod:`service.rounds.rounds` — settings, participants, registration, applications, pins/forbids;
- :mod:`service.rounds.runs` — queueing, cancelling and reading runs (the worker runs them:
  :mod:`service.rounds.worker`, :mod:`service.rounds.snapshot`, :mod:`service.rounds.pipeline`);
- :mod:`service.rounds.pairings` — publishing, answers, outcomes;
- :mod:`service.rounds.stats` — statistics.

A run may start from ``open``, ``review`` or ``published``; pins, forbids and both sides'
answers carry over (a pair declined by either side is forbidden in the next run, a pair accepted
by both is pinned).
"""

from service.rounds.pairings import pairings, publish, record_outcome, respond
from service.rounds.rounds import (
    add_constraint,
    applications,
    apply,
    constraints,
    create_round,
    get_round,
    is_staff,
    list_rounds,
    own_view,
    participants,
    patch_round,
    read_round,
    register,
    remove_constraint,
    staff,
    to_round,
    transition,
    unregister,
    wrong_state,
)
from service.rounds.runs import cancel_run, get_run, list_runs, results, start_run
from service.rounds.stats import stats

__all__ = [
    "add_constraint", "applications", "apply", "cancel_run", "constraints", "create_round",
    "get_round", "get_run", "is_staff", "list_rounds", "list_runs", "own_view", "pairings",
    "participants", "patch_round", "publish", "read_round", "record_outcome", "register",
    "remove_constraint", "respond", "results", "start_run", "stats", "staff", "to_round",
    "transition", "unregister", "wrong_state",
]  # fmt: skip
