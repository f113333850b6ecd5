"""Chinese-first text analysis: normalisation, segmentation, synonyms and weighted features.

The pipeline is ``normalize`` (NFKC, case folding, control characters and emoji removed, length
capped) then ``tokenize`` (rjieba with the shipped domain dictionary, stopwords dropped, aliases
mapped to one canonical term by the shipped synonym table) then ``features`` (each token with a
weight, plus lower-weighted sub-words of long tokens and character bigrams of words that no
dictionary knows, so partial overlaps such as 永磁材料 / 稀土永磁 still meet).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources

import rjieba

__all__ = [
    "MAX_TEXT_CHARS",
    "features",
    "field_names",
    "han_characters",
    "normalize",
    "normalize_short",
    "synonyms",
    "tokenize",
]

#: Characters kept from one text; the rest is ignored so one huge record cannot stall a batch.
MAX_TEXT_CHARS = 4000

#: Weight of a sub-word or a character bigram relative to a whole token.
SUBWORD_WEIGHT = 0.5

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A token worth keeping: Chinese characters, or Latin letters/digits (with + # . - inside, for
# c++, c#, node.js, 5g).
_KEEP = re.compile(rf"^(?:[{_HAN}]+|[a-z0-9][a-z0-9+#.\-]*)$")
_HAN_RUN = re.compile(rf"^[{_HAN}]+$")
_DROP = re.compile(r"(?:[^\w+#.\-，。、；：,;:]|_)+")

_lock = threading.Lock()
_state: dict[str, object] = {}


def _read_lines(name: str) -> list[str]:
    text = resources.files("matching").joinpath("data", name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _resources() -> tuple[rjieba.Jieba, rjieba.Jieba, frozenset[str], dict[str, str], frozenset]:
    """Load dictionaries once per process (thread-safe); returns (domain, base, stop, syn, known)."""
    if "domain" not in _state:
        with _lock:
            if "domain" not in _state:
                syn: dict[str, str] = {}
                multiword: list[str] = []
                for line in _read_lines("synonyms.tsv"):
                    cols = [_basic(c) for c in line.split("\t") if c.strip()]
                    canon = cols[0]
                    for alias in cols:
                        syn.setdefault(alias, canon)
                        if " " in alias:
                            multiword.append(alias)
                words = set(_read_lines("domain_dict.txt")) | set(_read_lines("manual_terms.txt"))
                words |= {w for w in syn if " " not in w}
                words = {_basic(w) for w in words}
                domain = rjieba.Jieba()
                for w in sorted(words):
                    # Latin-only entries would split English words ("bi" in "turbines").
                    if re.search(f"[{_HAN}]", w):
                        domain.add_word(w, None, None)
                _state["base"] = rjieba.Jieba()
                _state["stop"] = frozenset(_basic(w) for w in _read_lines("stopwords.txt"))
                _state["syn"] = syn
                # Longest first, so "artificial intelligence" is joined before a shorter alias.
                _state["multiword"] = sorted(multiword, key=len, reverse=True)
                _state["known"] = frozenset(words)
                _state["domain"] = domain
    return (
        _state["domain"],
        _state["base"],
        _state["stop"],
        _state["syn"],
        _state["known"],
    )  # type: ignore[return-value]


def _basic(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def normalize(text: str | None, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Normalise raw user text for matching.

    NFKC folds full-width forms to half-width, case is folded, control and format characters,
    emoji and other symbols become spaces, runs of whitespace collapse, and the result is cut to
    ``max_chars`` characters.

    Parameters
    ----------
    text : str or None
        Raw text; ``None`` gives ``""``.
    max_chars : int
        Cap on the length of the result.

    Returns
    -------
    str

    Examples
    --------
    >>> normalize("ＡＩ　视觉检测\\x00系统😀 Python３")
    'ai 视觉检测 系统 python3'
    """
    if not text:
        return ""
    text = text[: max_chars * 2]
    # The quick check is ~50x cheaper than normalising, and about half of real texts pass it.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    # \w keeps letters, digits and marks of every script; the listed symbols live inside
    # technical words (c++, c#, node.js) or separate clauses; every run of anything else
    # (whitespace, control characters, emoji, other symbols, underscores) becomes one space.
    return _DROP.sub(" ", text.casefold()).strip()[:max_chars]


#: Texts up to this length (keywords, names, codes, cities, tags) repeat across records, so
#: their normal form is cached.
_SHORT = 64


@lru_cache(maxsize=65536)
def normalize_short(text: str) -> str:
    """:func:`normalize` for short, repetitive strings (codes, cities, tags), cached.

    Examples
    --------
    >>> normalize_short("Ｅ０４０１")
    'e0401'
    """
    return normalize(text)


_TOKEN_MEMO: dict[str, str] = {}


def _clean_token(raw: str, stop: frozenset[str], syn: dict[str, str]) -> str:
    """Canonical form of one segment, ``""`` to drop it, ``"\\x00" + char`` for a lone Han."""
    tok = raw.strip(".-")
    if not tok or tok in stop or not _KEEP.match(tok):
        return ""
    tok = syn.get(tok, tok)
    if len(tok) == 1 and _HAN_RUN.match(tok):
        # Lone characters carry little meaning alone; they return as bigrams below.
        return "\x00" + tok
    return tok


@lru_cache(maxsize=65536)
def _tokenize_cached(text: str) -> tuple[str, ...]:
    domain, _base, stop, syn, _known = _resources()
    multiword: list[str] = _state["multiword"]  # type: ignore[assignment]
    for phrase in multiword:
        if phrase in text:
            text = text.replace(phrase, " " + syn[phrase] + " ")
    out: list[str] = []
    memo = _TOKEN_MEMO
    # Runs of lone characters are what the dictionary failed on: they are joined (across
    # dropped segments) so their bigrams can be formed ("氢 燃 料" style splits).
    run = ""
    for raw in domain.cut(text, True):
        tok = memo.get(raw)
        if tok is None:
            tok = _clean_token(raw, stop, syn)
            if len(memo) < 500_000:
                memo[raw] = tok
        if not tok:
            continue
        if tok[0] == "\x00":
            run += tok[1:]
            continue
        if run:
            if len(run) > 1:
                out.append(run)
            run = ""
        out.append(tok)
    if len(run) > 1:
        out.append(run)
    return tuple(out)


def tokenize(text: str | None) -> list[str]:
    """Segment text into normalised tokens.

    Uses rjieba with the shipped domain dictionary, drops stopwords and punctuation, keeps
    English words and numbers, and maps aliases to a canonical term (锂电池 → 锂离子电池,
    AI → 人工智能).

    Parameters
    ----------
    text : str or None
        Raw text; it is normalised first.

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("稀土永磁电机与煤层气开发")
    ['稀土永磁', '电机', '煤层气', '开发']
    >>> tokenize("基于AI的锂电池缺陷检测")
    ['人工智能', '锂离子电池', '缺陷', '检测']
    """
    if text and len(text) <= _SHORT:
        return list(_tokenize_cached(normalize_short(text)))
    return list(_tokenize_cached(normalize(text)))


@lru_cache(maxsize=262144)
def _expand(tok: str) -> tuple[str, ...]:
    """Sub-words of a long Chinese token, or its bigrams when no dictionary knows it."""
    if len(tok) < 3 or not _HAN_RUN.match(tok):
        return ()
    _domain, base, stop, syn, known = _resources()
    if tok in known or base.has_word(tok):
        subs = {
            syn.get(s, s)
            for s in base.cut_for_search(tok, False)
            if len(s) >= 2 and s != tok and s not in stop
        }
        return tuple(sorted(subs))
    return tuple(sorted({tok[i : i + 2] for i in range(len(tok) - 1)} - {tok}))


def features(tokens: list[str] | tuple[str, ...], weight: float = 1.0) -> dict[str, float]:
    """Weighted features of a token list: tokens at ``weight``, expansions at a fraction.

    A feature keeps the largest weight it receives, so repeating a word does not inflate it
    (set semantics make the coverage scores monotone: adding a term never lowers them).

    Parameters
    ----------
    tokens : sequence of str
        Output of :func:`tokenize`.
    weight : float
        Weight of the whole tokens (e.g. higher for keywords than for descriptions).

    Returns
    -------
    dict of str to float

    Examples
    --------
    >>> f = features(tokenize("稀土永磁"))
    >>> f["稀土永磁"], f["稀土"], f["永磁"]
    (1.0, 0.5, 0.5)
    """
    out: dict[str, float] = {}
    sub_w = weight * SUBWORD_WEIGHT
    for tok in tokens:
        if out.get(tok, 0.0) < weight:
            out[tok] = weight
        for sub in _expand(tok):
            if out.get(sub, 0.0) < sub_w:
                out[sub] = sub_w
    return out


_HAN_RUNS = re.compile(f"[{_HAN}]+")


def han_characters(*texts: str | None) -> str:
    """The Chinese characters of some texts, in order, as one string (each text capped).

    Single characters are morphemes (癌, 菌, 钢, 桥 …) that the tokenizer drops when they stand
    alone; texts of one discipline often share them where they share no word, so field
    inference compares them beside the words. No normalisation is needed: NFKC and case
    folding leave these characters alone.

    Examples
    --------
    >>> han_characters("钢桥 welding 焊接", None, "AI 😀 癌")
    '钢桥焊接癌'
    """
    return "".join("".join(_HAN_RUNS.findall(t[:MAX_TEXT_CHARS])) for t in texts if t)


def synonyms() -> dict[str, str]:
    """The alias → canonical map (normalised), as loaded from ``data/synonyms.tsv``.

    Examples
    --------
    >>> synonyms()["锂电池"]
    '锂离子电池'
    """
    return dict(_resources()[3])


@lru_cache(maxsize=1)
def _field_names() -> dict[str, str]:
    out = {}
    for line in _read_lines("field_names.tsv"):
        code, _, name = line.partition("\t")
        if code and name:
            out[code.strip().upper()] = name.strip()
    return out


def field_names() -> dict[str, str]:
    """Research-field code → name (NSFC 申请代码, from ``data/field_names.tsv``).

    Examples
    --------
    >>> field_names()["E04"]
    '冶金与矿业'
    """
    return dict(_field_names())
