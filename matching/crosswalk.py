"""One field space for every standard: NSFC codes, 一级学科, 本科专业 and GB/T 4754 industries.

The space is the 67 disciplines (一级学科, some merged as in the CSL data) of
``data/disciplines.tsv``, the classes of the shipped discipline model
(:mod:`matching.disciplines`). Shipped tables map the other standards onto it:

* ``nsfc_disciplines.tsv`` — NSFC 申请代码 (department level such as ``E01`` and finer codes
  such as ``E0412``; a code maps through its longest listed prefix);
* ``disciplines.tsv`` — each discipline's 一级学科 codes (``0805``) and its 学科门类 (``08`` 工学);
* ``major_disciplines.tsv`` — 本科专业类 (``0804`` 材料类; a 6-digit 专业代码 maps through its
  first four digits);
* ``industry_disciplines.tsv`` — GB/T 4754-2017 大类 (``31``; a 门类 letter maps to the union of
  its 大类, a 中类/小类 through its first two digits). Industries without a research field of
  their own (retail, lodging …) map to nothing.

Each lookup returns :class:`Link` values (discipline, how it was reached), so an explanation
can say ``NSFC E01 ↔ 材料科学与工程``. Where each table came from is written at its top and in
``matching/data/README.md``.

Examples
--------
>>> [l.discipline for l in field_code_links("E0412")]
['冶金工程']
>>> field_code_links("E01")[0].label
'NSFC E01 ↔ 材料科学与工程'
>>> [l.discipline for l in industry_links("C3130")]
['冶金工程', '材料科学与工程']
>>> [l.discipline for l in major_links("080401")]
['材料科学与工程']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from . import text as T

__all__ = [
    "Link",
    "discipline_codes",
    "discipline_index",
    "discipline_names",
    "field_code_links",
    "industry_links",
    "major_links",
    "nsfc_codes_for",
]

_NSFC = re.compile(r"^[A-H][0-9]{2}(?:[0-9]{2}){0,2}$")
_DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True, slots=True)
class Link:
    """A discipline reached from a stated code; ``label`` is what an explanation shows."""

    discipline: str
    source: str  # e.g. "NSFC E01", "学科 0805", "专业 080401", "行业 C31"

    @property
    def label(self) -> str:
        if self.source == self.discipline:
            return self.discipline
        return f"{self.source} ↔ {self.discipline}"


def _rows(name: str) -> list[list[str]]:
    raw = resources.files("matching").joinpath("data", name).read_text(encoding="utf-8")
    return [ln.split("\t") for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def _tables():
    disc = _rows("disciplines.tsv")
    names = tuple(r[0] for r in disc)
    codes = {r[0]: tuple(r[1].split(";")) for r in disc}
    category = {r[0]: r[2] for r in disc}
    by_code: dict[str, list[str]] = {}
    for n in names:
        for c in codes[n]:
            by_code.setdefault(c, []).append(n)
        by_code.setdefault(category[n], []).append(n)
    # A part of a merged label (临床医学, 化学工程与技术) and the label itself name it.
    by_name: dict[str, str] = {}
    for n in names:
        by_name[T.normalize_short(n)] = n
        for part in re.split(r"[/、]", n):
            by_name.setdefault(T.normalize_short(part), n)

    def table(file: str) -> dict[str, tuple[str, ...]]:
        out = {}
        for r in _rows(file):
            out[r[0].strip().upper()] = tuple(x for x in r[1].split(";") if x)
        return out

    return (
        names,
        codes,
        by_code,
        by_name,
        table("nsfc_disciplines.tsv"),
        table("major_disciplines.tsv"),
        table("industry_disciplines.tsv"),
    )


def discipline_names() -> tuple[str, ...]:
    """The disciplines of the field space, in table order.

    Examples
    --------
    >>> len(discipline_names()), discipline_names()[0]
    (67, '哲学')
    """
    return _tables()[0]


@lru_cache(maxsize=1)
def discipline_index() -> dict[str, int]:
    """Discipline name → its position in :func:`discipline_names`."""
    return {n: i for i, n in enumerate(discipline_names())}


def discipline_codes(name: str) -> tuple[str, ...]:
    """The 一级学科 codes of a discipline.

    Examples
    --------
    >>> discipline_codes("化学/化学工程与技术")
    ('0703', '0817')
    """
    return _tables()[1][name]


def _longest(table: dict[str, tuple[str, ...]], code: str) -> tuple[str, tuple[str, ...]] | None:
    for n in range(len(code), 0, -1):
        hit = table.get(code[:n])
        if hit is not None:
            return code[:n], hit
    return None


@lru_cache(maxsize=65536)
def field_code_links(code: str) -> tuple[Link, ...]:
    """Disciplines of a research-field code as capabilities and needs carry them.

    Accepts an NSFC 申请代码 (``E01``, ``E0412``, ``E041201``), a 一级学科 code (``0805``) or
    学科门类 (``08``), and a discipline's name (``材料科学与工程``, or a part of a merged one,
    ``临床医学``). Unknown codes map to nothing.

    Examples
    --------
    >>> [l.label for l in field_code_links("e0804")]
    ['NSFC E0804 ↔ 环境科学与工程']
    >>> [l.label for l in field_code_links("0805")]
    ['学科 0805 ↔ 材料科学与工程']
    >>> [l.label for l in field_code_links("临床医学")]
    ['临床医学 ↔ 基础医学/临床医学']
    >>> field_code_links("Q1")
    ()
    """
    names, _, by_code, by_name, nsfc, _, _ = _tables()
    c = T.normalize_short(code).upper().replace(" ", "")
    if _NSFC.match(c):
        hit = _longest(nsfc, c)
        return tuple(Link(d, f"NSFC {c}") for d in hit[1]) if hit else ()
    if _DIGITS.match(c) and len(c) in (2, 4):
        return tuple(Link(d, f"学科 {c}") for d in by_code.get(c, ()))
    name = by_name.get(T.normalize_short(code))
    if name is not None:
        return (Link(name, code.strip()),)
    return ()


@lru_cache(maxsize=4096)
def industry_links(code: str) -> tuple[Link, ...]:
    """Disciplines of a GB/T 4754-2017 industry code (门类 letter, 大类, 中类 or 小类).

    Examples
    --------
    >>> [l.label for l in industry_links("65")]
    ['行业 65 ↔ 计算机科学与技术']
    >>> industry_links("52")  # 零售业: no research field of its own
    ()
    """
    ind = _tables()[6]
    c = T.normalize_short(code).upper().replace(" ", "")
    if c[:1].isalpha():
        # A 门类 letter alone means all its 大类; with digits (C3130) the letter is redundant.
        if len(c) == 1:
            return _section_links(c)
        c = c[1:]
    if not _DIGITS.match(c) or len(c) < 2:
        return ()
    return tuple(Link(d, f"行业 {c[:2]}") for d in ind.get(c[:2], ()))


@lru_cache(maxsize=32)
def _section_links(letter: str) -> tuple[Link, ...]:
    ind = _tables()[6]
    seen: dict[str, None] = {}
    for major in _SECTIONS.get(letter, ()):
        for d in ind.get(f"{major:02d}", ()):
            seen.setdefault(d)
    return tuple(Link(d, f"行业 {letter}") for d in seen)


#: GB/T 4754-2017 门类 → its 大类 (code ranges of the standard).
_SECTIONS: dict[str, range] = {
    "A": range(1, 6), "B": range(6, 13), "C": range(13, 44), "D": range(44, 47),
    "E": range(47, 51), "F": range(51, 53), "G": range(53, 61), "H": range(61, 63),
    "I": range(63, 66), "J": range(66, 70), "K": range(70, 71), "L": range(71, 73),
    "M": range(73, 76), "N": range(76, 80), "O": range(80, 83), "P": range(83, 84),
    "Q": range(84, 86), "R": range(86, 91), "S": range(91, 97), "T": range(97, 98),
}  # fmt: skip


@lru_cache(maxsize=4096)
def major_links(code: str) -> tuple[Link, ...]:
    """Disciplines of a 本科专业 code (6 digits, optionally with a T/K suffix), a 专业类 (4) or
    a 门类 (2); a major's name (``材料科学与工程``) is looked up as a discipline name.

    Examples
    --------
    >>> [l.label for l in major_links("080901")]
    ['专业 080901 ↔ 计算机科学与技术']
    >>> [l.discipline for l in major_links("0805")]
    ['动力工程及工程热物理']
    """
    _, _, by_code, by_name, _, majors, _ = _tables()
    c = T.normalize_short(code).upper().replace(" ", "").rstrip("TK")
    if _DIGITS.match(c):
        if len(c) == 2:
            return tuple(Link(d, f"门类 {c}") for d in by_code.get(c, ()))
        if len(c) >= 4:
            return tuple(Link(d, f"专业 {c}") for d in majors.get(c[:4], ()))
        return ()
    name = by_name.get(T.normalize_short(code))
    return (Link(name, code.strip()),) if name is not None else ()


@lru_cache(maxsize=128)
def nsfc_codes_for(discipline: str) -> tuple[str, ...]:
    """NSFC codes of the crosswalk that reach ``discipline`` (the reverse of
    :func:`field_code_links` over the table's keys), in table order.

    Examples
    --------
    >>> nsfc_codes_for("冶金工程")[:3]
    ('E04', 'E0411', 'E0412')
    """
    nsfc = _tables()[4]
    return tuple(c for c, ds in nsfc.items() if discipline in ds)
