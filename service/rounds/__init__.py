"""Matchmaking rounds: open-challenge calls (揭榜挂帅) and recruitment fairs, end to end.

Where things live:

- ``states.py`` — the round's states and every change of state;
- ``rounds.py``, ``runs.py``, ``pairings.py``, ``stats.py`` — the workflow by concern
  (``service.py`` names them all for the HTTP handlers in ``service/api/rounds.py``);
- the run: ``worker.py`` (claims a queued run, leases, stores the results) →
  ``snapshot.py`` (what the run reads) → ``pipeline.py`` (score → assign → assemble, no
  database); ``records.py`` turns database rows into engine records (shared with
  ``service/recommend``); ``schemas.py`` holds the request/response Structs and the run's
  typed boundaries (RunParams, Snapshot, RunOutput …);
- ``schedule.py`` (fair-day meetings), ``exports.py`` (Excel/CSV);
- SQL: ``repository.py`` and ``schedule_repository.py`` only.
"""
