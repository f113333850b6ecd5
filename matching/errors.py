"""Typed errors of the matching engine; every message names the culprit (record, field, line)."""

from __future__ import annotations

__all__ = ["InputFileError", "InvalidRecordError", "InvalidWeightsError", "MatchingError"]


class MatchingError(Exception):
    """Base class of all errors raised by :mod:`matching`."""


class InvalidRecordError(MatchingError, ValueError):
    """A demand or supply record failed validation."""


class InvalidWeightsError(MatchingError, ValueError):
    """A weights override is malformed."""


class InputFileError(MatchingError, ValueError):
    """An input file cannot be read; the message names the file and line or row."""
