"""Records in the discipline space: stated codes through the crosswalk, else the model.

Every record gets a vector over the 67 disciplines (:func:`matching.crosswalk.discipline_names`):

* **stated** — the disciplines its codes reach through the crosswalk: a capability's or a
  need's ``field_codes`` (NSFC codes, 一级学科 codes or names), a need's or an opening's
  ``industry_code`` (GB/T 4754), a talent pool's ``major_code`` / ``major_name`` and an
  opening's ``majors``; each reached discipline counts 1;
* **inferred** — otherwise, the shipped model's distribution (:mod:`matching.disciplines`)
  over the record's own terms and characters, kept as ``p / p_max`` for the ``INFER_TOP``
  most likely disciplines (the best guess counts 1, as a stated code would, and the
  runners-up keep their share).

The field component's discipline part is ``min(1, d · s)`` of the two vectors (a pair with
both sides inferred is not compared: two guesses are too weak to be evidence), and the
explanation names what was used: ``学科：材料科学与工程（推断 0.72）`` for an inferred
discipline (its probability) and ``NSFC E01 ↔ 材料科学与工程`` for a code that reached it.

Examples
--------
>>> [l.label for l in record_links(field_codes=["E01", "Q9"], industry_code="C31")]
['NSFC E01 ↔ 材料科学与工程', '行业 31 ↔ 冶金工程']
>>> inferred_label("材料科学与工程", 0.7234)
'学科：材料科学与工程（推断 0.72）'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from . import crosswalk as X
from . import disciplines as M

__all__ = ["INFER_TOP", "DisciplineSpace", "inferred_label", "record_links"]

#: Inferred disciplines kept per record (most likely first).
INFER_TOP = 3


def record_links(
    *,
    field_codes: Iterable[str] = (),
    industry_code: str | None = None,
    majors: Iterable[str] = (),
    major_code: str | None = None,
) -> tuple[X.Link, ...]:
    """Disciplines a record's stated codes reach, one link per discipline (first source wins).

    Examples
    --------
    >>> [l.discipline for l in record_links(major_code="080901", majors=["软件工程"])]
    ['计算机科学与技术']
    """
    out: dict[str, X.Link] = {}
    for c in field_codes:
        for link in X.field_code_links(c):
            out.setdefault(link.discipline, link)
    if industry_code:
        for link in X.industry_links(industry_code):
            out.setdefault(link.discipline, link)
    if major_code:
        for link in X.major_links(major_code):
            out.setdefault(link.discipline, link)
    for m in majors:
        for link in X.major_links(m):
            out.setdefault(link.discipline, link)
    return tuple(out.values())


def inferred_label(discipline: str, p: float) -> str:
    """How an explanation names an inferred discipline."""
    return f"学科：{discipline}（推断 {p:.2f}）"


class DisciplineSpace:
    """Discipline vectors of records: stated (crosswalk) or inferred (model).

    Parameters
    ----------
    model : DisciplineModel, optional
        Defaults to the shipped model (loaded now, so a missing or corrupt file fails here,
        naming the file).

    Raises
    ------
    matching.disciplines.DisciplineModelError
        The model file is missing or corrupt, or its classes are not the crosswalk's.
    """

    def __init__(self, model: M.DisciplineModel | None = None):
        self.model = model if model is not None else M.default_model()
        self.names = X.discipline_names()
        index = X.discipline_index()
        unknown = [c for c in self.model.classes if c not in index]
        if unknown or len(self.model.classes) != len(self.names):
            raise M.DisciplineModelError(
                M.model_path() if model is None else "<given model>",
                f"学科与交叉对照表不一致 (classes differ from disciplines.tsv): {unknown[:3]}",
            )
        self.col = np.array([index[c] for c in self.model.classes], np.int64)
        self.model.warm()

    @property
    def width(self) -> int:
        return len(self.names)

    def stated(self, links: Sequence[Sequence[X.Link]]) -> sp.csr_matrix:
        """(records × disciplines) indicator of the linked disciplines."""
        index = X.discipline_index()
        rows = [i for i, ls in enumerate(links) for _ in ls]
        cols = [index[link.discipline] for ls in links for link in ls]
        return sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(links), self.width))

    def inferred(self, texts: Sequence, hans: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Columns and probabilities (records × ``INFER_TOP`` each, most likely first) of each
        record's likeliest disciplines; a record's relative weights are ``p / p[:, :1]``."""
        n = len(texts)
        if n == 0:
            return np.zeros((0, INFER_TOP), np.int64), np.zeros((0, INFER_TOP))
        p = self.model.infer_records(texts, hans)
        k = min(INFER_TOP, p.shape[1])
        top = np.argsort(-p, axis=1, kind="stable")[:, :k]
        return self.col[top], np.take_along_axis(p, top, axis=1)
