"""Content relevance and the rules built on it (issue #14, items 5 and 6).

*Weak text, no bonus.* The field, cooperation-mode, region and capacity components say how well
two records would work together *if* their content fits; they are evidence of nothing when it
does not. So they count in proportion to the pair's content relevance ``r`` (the weighted mean
of its content components: ``text`` and ``documents`` for R&D, ``text``, ``skills`` and
``major`` for jobs) through the saturating gate ``g(r) = 1 - exp(-r / GATE_SCALE)``: a pair with
plenty of shared content keeps nearly all of its bonuses (g(0.3) = 0.98), a pair sharing almost
nothing keeps almost none (g(0.02) = 0.28). Fields inferred from a demand's own text are
content, not a bonus, and are not gated. A pair whose relevance is below ``MIN_RELEVANCE`` is
*weak*: it can still be ranked, but it is flagged, and a demand whose every candidate is weak has
no good match.

*Jobs meet pools on degree too.* A pool below the job's minimum education is not a fit unless
the job says it accepts lower degrees (学历可放宽, 优秀本科生亦可 …): its score is multiplied by
``BELOW_LEVEL`` and it is weak. A pool two or more levels above the requirement (a doctoral
cohort for a 大专 post) gets ``OVER_QUALIFIED`` as its education component and its score times
``OVER_MULT``.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = [
    "BELOW_LEVEL",
    "GATE_SCALE",
    "MIN_RELEVANCE",
    "OVER_MULT",
    "OVER_QUALIFIED",
    "accepts_lower",
    "education",
    "gate",
]

#: Scale of the saturating gate on the bonus components.
GATE_SCALE = 0.07
#: Below this content relevance a pair is weak, per engine kind: a job and a pool of the same
#: major share a whole ``major`` component (1.0), so their relevance runs higher than text alone.
MIN_RELEVANCE = {"rd": 0.075, "jobs": 0.12}
#: Score multiplier of a pool below the job's required education (unless the job accepts it).
BELOW_LEVEL = 0.5
#: Education component and score multiplier of a pool two or more levels above the requirement.
OVER_QUALIFIED = 0.25
OVER_MULT = 0.85

_LOWER_OK = re.compile(
    r"(?:学历|大专|专科|本科|硕士)[^，。；,;]{0,10}(?:亦可|也可|均可|可放宽|放宽)"
    r"|(?:可放宽|放宽)[^，。；,;]{0,6}(?:学历|大专|专科|本科|硕士)"
)


def accepts_lower(text: str | None) -> bool:
    """Whether a job's text says it accepts candidates below its minimum education.

    Examples
    --------
    >>> accepts_lower("硕士优先，优秀本科生亦可"), accepts_lower("硕士及以上学历")
    (True, False)
    """
    return bool(text) and _LOWER_OK.search(text) is not None


def gate(relevance: np.ndarray) -> np.ndarray:
    """The share of its bonuses a pair keeps: ``1 - exp(-r / GATE_SCALE)``, in [0, 1).

    Examples
    --------
    >>> [round(float(x), 2) for x in gate(np.array([0.0, 0.02, 0.1, 0.3]))]
    [0.0, 0.25, 0.76, 0.99]
    """
    return -np.expm1(-np.maximum(relevance, 0.0) / GATE_SCALE)


def education(required: np.ndarray, offered: np.ndarray, lower_ok: np.ndarray):
    """Education component and score multiplier of pairs (levels 0 大专 … 3 博士).

    At the required level or one above: 1.0; two or more above: ``OVER_QUALIFIED`` and the
    multiplier ``OVER_MULT``; one below: 0.25 and, unless the job accepts lower degrees, the
    multiplier ``BELOW_LEVEL``; further below: 0.0 and the same multiplier.

    Examples
    --------
    >>> v, m = education(np.array([2, 2, 0, 2]), np.array([1, 2, 3, 1]), np.array([0, 0, 0, 1]))
    >>> v.tolist(), m.tolist()
    ([0.25, 1.0, 0.25, 0.25], [0.5, 1.0, 0.85, 1.0])
    """
    diff = offered - required
    vals = np.where(
        diff >= 2, OVER_QUALIFIED, np.where(diff >= 0, 1.0, np.where(diff == -1, 0.25, 0.0))
    )
    mult = np.where(
        (diff < 0) & ~lower_ok.astype(bool), BELOW_LEVEL, np.where(diff >= 2, OVER_MULT, 1.0)
    )
    return vals, mult
