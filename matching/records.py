"""Input records, weights and result Structs of the matching engine, with their validation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from .errors import InvalidRecordError, InvalidWeightsError
from .vocab import CITIES, COOPERATION_MODES, EDUCATION_LEVELS, Education

__all__ = [
    "CITIES",
    "COOPERATION_MODES",
    "EDUCATION_LEVELS",
    "Capability",
    "Document",
    "JobOpening",
    "MatchedTerms",
    "Ranking",
    "RDNeed",
    "ScoredPair",
    "TalentPool",
    "Weights",
    "coerce_records",
    "default_weights",
]

#: Caps on input sizes. Texts longer than these are rejected by validation (the CLI truncates
#: them first, with a warning); the tokenizer itself reads only ``text.MAX_TEXT_CHARS``.
MAX_TITLE = 500
MAX_DESCRIPTION = 100_000
MAX_TERM = 100
MAX_TERMS = 200

Id = Annotated[str, Meta(min_length=1, max_length=128)]
Title = Annotated[str, Meta(max_length=MAX_TITLE)]
Text = Annotated[str, Meta(max_length=MAX_DESCRIPTION)]
Term = Annotated[str, Meta(max_length=MAX_TERM)]
Terms = Annotated[list[Term], Meta(max_length=MAX_TERMS)]
Code = Annotated[str, Meta(max_length=64)]
Codes = Annotated[list[Code], Meta(max_length=50)]
Count = Annotated[int, Meta(ge=0, le=10_000_000)]
Money = Annotated[float, Meta(ge=0)]


class _Record(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: Id
    title: Title = ""
    description: Text = ""
    keywords: Terms = []
    city: Annotated[str, Meta(max_length=32)] | None = None


class RDNeed(_Record, kw_only=True, forbid_unknown_fields=True):
    """An enterprise R&D need (demand side of kind ``rd``)."""

    field_codes: Codes = []
    cooperation_modes: Terms = []
    industry_code: Code | None = None
    tags: Terms = []
    budget_min: Money | None = None
    budget_max: Money | None = None


#: Caps on a capability's documents.
MAX_DOCUMENTS = 500
MAX_ABSTRACT = 5000
MAX_DOC_KEYWORDS = 30


class Document(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One of a capability's documents: a member's paper, patent or project."""

    kind: Literal["paper", "patent", "project"] = "paper"
    title: Title
    abstract: Annotated[str, Meta(max_length=MAX_ABSTRACT)] = ""
    keywords: Annotated[list[Term], Meta(max_length=MAX_DOC_KEYWORDS)] = []
    year: Annotated[int, Meta(ge=1900, le=2100)] | None = None


class Capability(_Record, kw_only=True, forbid_unknown_fields=True):
    """A university/institute capability (supply side of kind ``rd``)."""

    field_codes: Codes = []
    cooperation_modes: Terms = []
    capacity: Count | None = None
    kind: Literal["expertise", "achievement", "equipment"] | None = None
    documents: Annotated[list[Document], Meta(max_length=MAX_DOCUMENTS)] = []


class JobOpening(_Record, kw_only=True, forbid_unknown_fields=True):
    """An enterprise job opening (demand side of kind ``jobs``)."""

    skills: Terms = []
    majors: Terms = []
    min_education: Education | None = None
    headcount: Count | None = None
    industry_code: Code | None = None
    tags: Terms = []


class TalentPool(_Record, kw_only=True, forbid_unknown_fields=True):
    """A cohort of graduates (supply side of kind ``jobs``); title defaults to the major name."""

    major_name: Term | None = None
    major_code: Code | None = None
    degree_level: Education | None = None
    graduation_year: Annotated[int, Meta(ge=1900, le=2100)] | None = None
    graduates: Count | None = None
    skills: Terms = []


DEMAND_TYPES: dict[str, type[_Record]] = {"rd": RDNeed, "jobs": JobOpening}
SUPPLY_TYPES: dict[str, type[_Record]] = {"rd": Capability, "jobs": TalentPool}

_Unit = Annotated[float, Meta(ge=0.0, le=1.0)]
_W = Annotated[float, Meta(ge=0.0, le=100.0)]


class Weights(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Weights of the score components; a component missing on either side drops out.

    The base score is ``sum(w_c * x_c) / sum(w_c)`` over the components ``c`` that both records
    can be compared on (text, fuzzy and chars always; region only when both have a city; …). The
    policy boost then multiplies it by ``1 - policy * (1 - boost)``, where ``boost`` is the
    largest ``policy_tags`` value among the demand's tags (0 when none), so boosted demands keep
    their score and others lose at most ``policy``.
    """

    text: _W = 0.45
    fuzzy: _W = 0.10
    chars: _W = 0.15
    field: _W = 0.25
    mode: _W = 0.10
    region: _W = 0.10
    skills: _W = 0.0
    major: _W = 0.0
    education: _W = 0.0
    capacity: _W = 0.0
    #: Best-matching documents of a capability (only for capabilities that have documents).
    documents: _W = 0.30
    policy: _Unit = 0.10
    policy_tags: dict[Annotated[str, Meta(max_length=64)], _Unit] = msgspec.field(
        default_factory=lambda: {
            "专精特新": 1.0,
            '专精特新"小巨人"': 1.0,
            "小巨人": 1.0,
            "高新技术企业": 0.6,
            "科技型中小企业": 0.6,
        }
    )
    region_same_city: _Unit = 1.0
    region_same_province: _Unit = 0.6
    region_elsewhere: _Unit = 0.2
    # Exponent of the demand-side coverage in the text score (the supply side gets 1 - this).
    text_demand_share: _Unit = 0.7


_DEFAULTS: dict[str, Weights] = {
    "rd": Weights(),
    "jobs": Weights(
        text=0.25,
        fuzzy=0.05,
        chars=0.0,
        field=0.0,
        mode=0.0,
        region=0.10,
        skills=0.25,
        major=0.20,
        education=0.10,
        capacity=0.05,
        documents=0.0,
    ),
}

_COMPONENTS = (
    "text",
    "fuzzy",
    "chars",
    "field",
    "mode",
    "region",
    "skills",
    "major",
    "education",
    "capacity",
    "documents",
)


def default_weights(kind: str) -> Weights:
    """Default weights for a kind (``"rd"`` or ``"jobs"``).

    Examples
    --------
    >>> default_weights("jobs").skills
    0.25
    """
    if kind not in _DEFAULTS:
        raise InvalidWeightsError(f"未知的匹配类型 kind={kind!r}，应为 rd 或 jobs (unknown kind)")
    return _DEFAULTS[kind]


def resolve_weights(kind: str, override: Weights | Mapping[str, Any] | None) -> Weights:
    """Merge an override (Struct or partial mapping) onto the kind's defaults and validate it."""
    base = default_weights(kind)
    if override is None:
        merged: Any = base
    elif isinstance(override, Weights):
        merged = override
    elif isinstance(override, Mapping):
        merged = {**msgspec.to_builtins(base), **dict(override)}
    else:
        raise InvalidWeightsError(f"weights 应为 Weights 或 dict，收到 {type(override).__name__}")
    try:
        w = msgspec.convert(msgspec.to_builtins(merged), Weights)
    except msgspec.ValidationError as exc:
        raise InvalidWeightsError(f"权重无效 (invalid weights): {exc}") from exc
    if not any(getattr(w, c) > 0 for c in _COMPONENTS):
        raise InvalidWeightsError("至少一个权重须大于 0 (all component weights are zero)")
    return w


def coerce_records(records: Iterable[Any], kind: str, side: Literal["demand", "supply"]) -> list:
    """Validate records (dicts or Structs) into the Struct of ``kind``/``side``.

    Raises :class:`InvalidRecordError` naming the record's position, id and field.

    Examples
    --------
    >>> [r.title for r in coerce_records([{"id": "1", "title": "煤层气"}], "rd", "demand")]
    ['煤层气']
    """
    types = DEMAND_TYPES if side == "demand" else SUPPLY_TYPES
    if kind not in types:
        raise InvalidRecordError(f"未知的匹配类型 kind={kind!r}，应为 rd 或 jobs (unknown kind)")
    typ = types[kind]
    label = "需求 (demand)" if side == "demand" else "供给 (supply)"
    out = []
    seen: set[str] = set()
    for i, rec in enumerate(records):
        raw = msgspec.to_builtins(rec) if isinstance(rec, msgspec.Struct) else rec
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        try:
            obj = msgspec.convert(raw, typ)
        except msgspec.ValidationError as exc:
            raise InvalidRecordError(
                f"第 {i + 1} 条{label}记录 (id={rid!r}) 无效 (invalid record): {exc}"
            ) from exc
        if obj.id in seen:
            raise InvalidRecordError(
                f"第 {i + 1} 条{label}记录的 id={obj.id!r} 重复 (duplicate id)"
            )
        seen.add(obj.id)
        if not obj.title.strip():
            if isinstance(obj, TalentPool) and obj.major_name:
                obj.title = obj.major_name
            else:
                raise InvalidRecordError(
                    f"第 {i + 1} 条{label}记录 (id={obj.id!r}) 缺少 title (missing title)"
                )
        if isinstance(obj, Capability) and obj.documents:
            _check_documents(obj, f"第 {i + 1} 条{label}记录 (id={obj.id!r})")
        if isinstance(obj, RDNeed) and obj.budget_min is not None and obj.budget_max is not None:
            if obj.budget_min > obj.budget_max:
                raise InvalidRecordError(
                    f"第 {i + 1} 条{label}记录 (id={obj.id!r}): budget_min > budget_max"
                )
        out.append(obj)
    return out


def document_key(title: str) -> str:
    """A document title's identity: NFKC, case folded, without spaces and punctuation.

    Examples
    --------
    >>> document_key("煤焦油 加氢（综述）") == document_key("煤焦油加氢(综述)")
    True
    """
    import unicodedata

    folded = unicodedata.normalize("NFKC", title).casefold()
    return "".join(c for c in folded if c.isalnum())


def _check_documents(cap: Capability, where: str) -> None:
    seen: dict[str, int] = {}
    for k, doc in enumerate(cap.documents):
        key = document_key(doc.title)
        if not key:
            raise InvalidRecordError(f"{where}: documents[{k}].title 为空 (empty title)")
        if key in seen:
            raise InvalidRecordError(
                f"{where}: documents[{k}].title 与 documents[{seen[key]}] 重复 (duplicate document)"
            )
        seen[key] = k


class MatchedTerms(msgspec.Struct, kw_only=True, frozen=True):
    """Why a pair matched: shared terms per category (display forms, most informative first)."""

    keywords: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    majors: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # titles of the capability's best-matching documents


class ScoredPair(msgspec.Struct, kw_only=True, frozen=True):
    """One ranked demand–supply pair with its score in [0, 1] and explanation."""

    demand_id: str
    supply_id: str
    rank: int
    score: float
    components: dict[str, float]
    matched_terms: MatchedTerms
    #: The pair shares too little content to recommend (or the pool is below the job's
    #: required degree): still ranked, but shown as a weak match (matching.relevance).
    weak: bool = False


class Ranking(msgspec.Struct, kw_only=True, frozen=True):
    """The ranked pairs of one demand, best first."""

    demand_id: str
    pairs: tuple[ScoredPair, ...]
