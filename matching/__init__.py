"""Duijie matching engine: Chinese-first, explainable scoring of demand–supply pairs.

A pure library (no web framework or database imports). Two kinds of matching:

* ``kind="rd"``: R&D needs (:class:`RDNeed`) against capabilities (:class:`Capability`);
* ``kind="jobs"``: job openings (:class:`JobOpening`) against talent pools (:class:`TalentPool`).

Records may be dicts (e.g. database rows) or the Structs; only ``id`` and ``title`` are required
(a talent pool's title defaults to its ``major_name``), so ``{"id", "title", "description",
"keywords"}`` works for every kind. Records are validated on entry and a bad one raises
:class:`InvalidRecordError` naming its position, id and field.

API
---
``match(demands, supplies, kind="rd", weights=None, top_k=10, mode="candidates",
progress=None) -> list[Ranking]``
    Batch ranking; one :class:`Ranking` (``demand_id``, ``pairs``) per demand, in input order.
``MatchIndex(supplies, kind="rd", weights=None, *, candidates=30, extra_cap=60)``
    Analyse supplies once and reuse: ``index.query(demand, top_k=10, weights=None) ->
    tuple[ScoredPair, ...]`` answers one demand in a few ms against 20,000 supplies;
    ``index.rank(demands, top_k, weights=None, mode=..., progress=None)`` ranks many.
``default_weights(kind) -> Weights``
    Component weights per kind; ``weights=`` takes a :class:`Weights` or a partial mapping
    (``{"region": 0})``) merged onto these defaults.
``tokenize(text) -> list[str]``, ``normalize(text) -> str``
    The text pipeline (NFKC, case folding, rjieba + shipped domain dictionary, stopwords,
    synonyms), exposed for other modules and for BM25 baselines.

Each :class:`ScoredPair` (frozen) carries ``demand_id``, ``supply_id``, ``rank`` (1-based),
``score`` in [0, 1], ``components`` (name → value in [0, 1] for the components both records
could be compared on, plus ``policy``, the multiplier from the demand's policy tags) and
``matched_terms`` (:class:`MatchedTerms`: keywords, skills, majors, fields, modes, documents)
and ``weak`` (too little shared content to recommend; see below).

Score
-----
``score = policy × Σ w_c·x_c / Σ w_c`` over the available components ``c``:

``text``
    IDF-weighted coverage, ``cov_d^a · cov_s^(1-a)`` (``a = text_demand_share``) where
    ``cov_d`` is the share of the demand's term weight found in the supply and ``cov_s`` the
    converse; terms are tokens, sub-words of long tokens and bigrams of unknown words, each
    weighted by its field (title/keywords 1, description 0.7) and BM25-style saturation of
    its count ``c``: ``2.2·c / (1.2 + c)``.
``fuzzy``
    rapidfuzz ``token_set_ratio`` over the most informative tokens of each side.
``chars`` (rd; 0 for jobs by default)
    Cosine of the two records' Chinese characters (sublinear counts, idf over the supplies;
    characters no supply has count in the demand's norm): meets partial and differently
    segmented words (小生产 / 生产, 大冶市 / 大冶) that whole tokens miss.
``field`` (rd; jobs when weighted)
    The larger of two matches. Codes: shared NSFC code 1.0, same second level (``F02``) 0.6,
    same department letter 0.3; a demand without codes gets up to 5 codes inferred by nearest
    centroid of the index's supplies (words and characters, each centroid mixed with the
    code's name). Disciplines (:mod:`matching.fieldspace`): stated codes, a need's industry
    and a pool's major reach the 67 disciplines through the shipped crosswalk
    (:mod:`matching.crosswalk`), 0.6 when shared; a demand stating none gets the shipped
    model's likeliest disciplines (:mod:`matching.disciplines`), ``p / p_max`` each.
``mode`` (rd)
    Cooperation modes: same 1.0, related (委托开发/合作开发, 技术转让/技术许可,
    技术咨询/技术服务) 0.5.
``region``
    Same city 1.0 > same province 0.6 > elsewhere 0.2 (configurable).
``documents`` (rd, capabilities with documents only)
    Mean of the best 3 of the demand's text coverages of the capability's documents (papers,
    patents, projects), recency-weighted (:mod:`matching.documents`).
``skills``, ``major``, ``education``, ``capacity`` (jobs)
    Skill coverage; major name equality or token coverage; degree offered ≥ required (1.0,
    one level below 0.25); ``min(1, graduates / headcount)``.

Generic words, numbers, units and single letters weigh 0.2 and are never shown
(:mod:`matching.terms`). Field, mode, region and capacity are multiplied by a saturating gate of
the pair's content relevance, and a pair below the minimum relevance (or a pool below a job's
required degree) is ``weak`` (:mod:`matching.relevance`).

``mode="candidates"`` computes the cheap components for all pairs blockwise with sparse and
dense matrix products, runs rapidfuzz (``process.cpdist``, all cores) only on the best
candidates plus those whose upper bound could still enter the top k, and is exact unless more
than ``extra_cap`` such supplies exist for a demand; ``mode="exhaustive"`` scores every pair.
Batches of 4,000 records or more are analysed and ranked on all cores (forked workers; only
when the caller runs a single thread, otherwise in-process, with the same result).

Examples
--------
>>> from matching import match
>>> res = match(
...     [{"id": "d1", "title": "氢燃料电池电堆研发", "keywords": ["燃料电池", "电堆"]}],
...     [{"id": "s1", "title": "碳纤维复合材料"}, {"id": "s2", "title": "燃料电池电堆测试"}],
...     top_k=1,
... )
>>> res[0].pairs[0].supply_id
's2'
"""

from .disciplines import DisciplineModelError
from .engine import MatchIndex, match, stderr_progress
from .errors import InputFileError, InvalidRecordError, InvalidWeightsError, MatchingError
from .records import (
    Capability,
    JobOpening,
    MatchedTerms,
    Ranking,
    RDNeed,
    ScoredPair,
    TalentPool,
    Weights,
    coerce_records,
    default_weights,
)
from .text import normalize, tokenize

__all__ = [
    "Capability",
    "DisciplineModelError",
    "InputFileError",
    "InvalidRecordError",
    "InvalidWeightsError",
    "JobOpening",
    "MatchIndex",
    "MatchedTerms",
    "MatchingError",
    "RDNeed",
    "Ranking",
    "ScoredPair",
    "TalentPool",
    "Weights",
    "coerce_records",
    "default_weights",
    "match",
    "normalize",
    "stderr_progress",
    "tokenize",
]
