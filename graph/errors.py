"""Typed errors of the ``graph`` package (图与分配引擎的错误类型).

Every error subclasses :class:`GraphError`, and every message names the culprit (the id, the field,
the line) in Chinese first with English in parentheses.
"""

from __future__ import annotations

__all__ = [
    "GraphError",
    "InputError",
    "InfeasibleError",
    "UnknownMethodError",
    "ScheduleError",
]


class GraphError(Exception):
    """Base class of all errors raised by the ``graph`` package."""


class InputError(GraphError, ValueError):
    """An input value is malformed or inconsistent (输入有误).

    Attributes
    ----------
    field : str
        The field, id or line that is wrong.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class UnknownMethodError(GraphError, KeyError):
    """No solver is registered under the requested name (未知的分配方法)."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"未知的分配方法 {name!r}，可用：{', '.join(known)} (unknown method)")
        self.name = name
        self.known = known

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class InfeasibleError(GraphError):
    """Minimum loads cannot all be met (最低负载无法满足).

    Attributes
    ----------
    demands : tuple[str, ...]
        Demand ids whose minimum load cannot be met, or that take part in the shortage.
    supplies : tuple[str, ...]
        Supply ids likewise.
    hints : tuple[str, ...]
        What would make the instance feasible (lower a minimum, raise a capacity, add candidates).
    """

    def __init__(
        self,
        message: str,
        *,
        demands: tuple[str, ...] = (),
        supplies: tuple[str, ...] = (),
        hints: tuple[str, ...] = (),
    ) -> None:
        full = message
        if hints:
            full += "；建议 (hints)：" + "；".join(hints)
        super().__init__(full)
        self.demands = demands
        self.supplies = supplies
        self.hints = hints


class ScheduleError(GraphError, ValueError):
    """A scheduling input is inconsistent (排期输入有误), e.g. a confirmed meeting double-books someone."""
