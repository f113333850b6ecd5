"""Reference data the service validates against: cities, industry and research-field codes,
unified social credit codes, and the closed vocabularies of the domain.

The code lists ship inside the package (``service/reference/data``) so validation never needs the
network: GB/T 4754-2017 from ../shared/data/gbt4754_2017.tsv (zmshe/capital @ 0b8f1ae) and the NSFC
application codes from ../shared/data/nsfc_codes.tsv (AMinerOpen/TaxoExt @ 99b9068, English column
dropped because it was machine-translated and often wrong).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

# The closed vocabularies are declared once, in matching/vocab.py; re-exported for the service.
from matching.vocab import (
    ALL_CITIES,
    CAPABILITY_KINDS,
    CITIES,
    COOPERATION_MODES,
    EDUCATION_LEVELS,
    ORG_KINDS,
    OUT_OF_PROVINCE,
    STATUSES,
)

__all__ = [
    "ALL_CITIES",
    "CAPABILITY_KINDS",
    "CITIES",
    "COOPERATION_MODES",
    "EDUCATION_LEVELS",
    "ORG_KINDS",
    "OUT_OF_PROVINCE",
    "STATUSES",
    "Code",
    "credit_code_check_char",
    "credit_code_problem",
    "field_codes",
    "industry_codes",
    "normalize_field_code",
    "normalize_industry_code",
]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str
    level: int


def _read_tsv(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


@cache
def industry_codes() -> dict[str, Code]:
    """GB/T 4754-2017 codes keyed as section letter + digits (``C``, ``C26``, ``C261``, ``C2614``)."""
    out: dict[str, Code] = {}
    for row in _read_tsv("gbt4754_2017.tsv"):
        section, code = row["section"], row["code"]
        key = section if code == section else section + code
        out[key] = Code(key, row["name"], int(row["level"]))
    return out


@cache
def _industry_by_digits() -> dict[str, str]:
    return {k[1:]: k for k in industry_codes() if len(k) > 1}


def normalize_industry_code(value: str) -> str | None:
    """Return the canonical industry code (``C2614``) for ``C2614``, ``c2614`` or ``2614``; None if unknown."""
    v = value.strip().upper()
    codes = industry_codes()
    if v in codes:
        return v
    return _industry_by_digits().get(v)


@cache
def field_codes() -> dict[str, Code]:
    """NSFC application codes (``E04``, ``E0401``, ``E040101``)."""
    return {
        row["code"]: Code(row["code"], row["name"], (len(row["code"]) - 1) // 2)
        for row in _read_tsv("nsfc_codes.tsv")
    }


def normalize_field_code(value: str) -> str | None:
    v = value.strip().upper()
    return v if v in field_codes() else None


# GB 32100-2015: 18 characters over 31 symbols (no I, O, S, V, Z); the 18th is a check character.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(_CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters.

    >>> credit_code_check_char("91350100M000100Y4")
    '3'
    """
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """Why ``value`` is not a valid unified social credit code, in Chinese; None when it is valid.

    >>> credit_code_problem("91350100M000100Y43") is None
    True
    >>> credit_code_problem("91350100M000100Y44")
    '统一社会信用代码校验位错误：应为 3，实际为 4'
    """
    if len(value) != 18:
        return f"统一社会信用代码应为 18 位，实际为 {len(value)} 位"
    bad = sorted({c for c in value if c not in _CREDIT_VALUE})
    if bad:
        return f"统一社会信用代码含非法字符：{''.join(bad)}（仅允许数字和除 I、O、S、V、Z 外的大写字母）"
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        return f"统一社会信用代码校验位错误：应为 {expected}，实际为 {value[17]}"
    return None
