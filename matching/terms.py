"""Which shared terms are informative: generic words, bare numbers, units and single letters are
not (issue #14, item 4).

They still occur in the text space, but at ``NOISE_WEIGHT`` of their weight, so they neither
drive a score (a need and a team sharing only 合作, 开发 and 控制 are not alike) nor appear in
an explanation. The generic words are ``data/generic_terms.txt``: candidates by document
frequency over a reference corpus, reviewed by hand (see that file's header).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["NOISE_WEIGHT", "UNITS", "damp", "generic_terms", "is_noise"]

#: Weight of a noise term relative to an informative one, in every term space.
NOISE_WEIGHT = 0.2

#: Units of measure (normalised: lower case, half-width).
UNITS = frozenset(
    "mm cm dm km nm μm um m mm2 m2 m3 h d s ms min kg g mg μg t l ml kw kwh mw w v kv ma a hz khz "
    "mhz ghz mpa kpa pa gpa n kn °c ℃ % ‰ ppm ppb db wt at rpm lx".split()
)
_NUMBER = re.compile(r"^[0-9][0-9.,:\-+/×x]*(?:%|‰)?$")
_NUMBER_UNIT = re.compile(r"^[0-9][0-9.\-]*([a-zμ°℃%‰]+[0-9]?)$")
_LETTER = re.compile(r"^[a-z]$")
_HAN_DIGITS = "〇零一二三四五六七八九十百千万亿两"
_HAN_NUMBER = re.compile(f"^[{_HAN_DIGITS}]+$")


@lru_cache(maxsize=1)
def generic_terms() -> frozenset[str]:
    """The reviewed generic words (normalised), from ``data/generic_terms.txt``.

    Examples
    --------
    >>> "开发" in generic_terms(), "煤层气" in generic_terms()
    (True, False)
    """
    text = resources.files("matching").joinpath("data", "generic_terms.txt").read_text("utf-8")
    return frozenset(
        ln.strip().casefold() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")
    )


@lru_cache(maxsize=262144)
def is_noise(term: str) -> bool:
    """Whether a (normalised) term is a bare number (digits or Chinese numerals), a single Latin
    letter, a unit, a number with a unit, or a generic word.

    Examples
    --------
    >>> [is_noise(t) for t in ("2", "0.5", "c", "mm", "30mpa", "二十", "开发", "二十辊", "煤层气")]
    [True, True, True, True, True, True, True, False, False]
    """
    if term in UNITS or _LETTER.match(term) or _NUMBER.match(term) or _HAN_NUMBER.match(term):
        return True
    m = _NUMBER_UNIT.match(term)
    if m and m.group(1) in UNITS:
        return True
    return term in generic_terms()


def damp(features: dict[str, float]) -> dict[str, float]:
    """``features`` with every noise term's weight times ``NOISE_WEIGHT`` (in place)."""
    generic = generic_terms()
    for t in features:
        # Only a generic word or a term starting outside the Han range (digits, letters, °, μ,
        # ℃, %) can be noise: most terms are decided by one set lookup and one comparison.
        if t in generic or ((t[0] < "\u2e80" or t[0] in _HAN_DIGITS) and is_noise(t)):
            features[t] *= NOISE_WEIGHT
    return features
