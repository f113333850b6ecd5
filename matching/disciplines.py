"""The shipped discipline model: a distribution over the 67 一级学科 for any record.

A linear classifier (multinomial logistic regression) over tf-idf features of the engine's own
analysis: the record's weighted terms (tokens, sub-words and bigrams of unknown words, as
:func:`matching.text.features` and the engine's ``_analyse`` produce them) and its Chinese
characters and character bigrams (:func:`matching.text.han_characters`). Each block is
L2-normalised; the scores are ``X @ coef.T + intercept`` and a softmax gives the distribution.

The weights live in ``matching/data/disciplines.npz`` (sparse float16, a few MB), trained
offline by ``tools/train_disciplines.py`` (scikit-learn, the ``train`` dependency group) on
``csl_dcp_abstracts.jsonl`` and the 70 % of ``csl_papers_dev.jsonl`` outside the held-out fold
(:mod:`bench.folds`); running it needs only numpy and scipy. The file is read on first use
(:func:`default_model`), and a missing or corrupt file raises
:class:`DisciplineModelError` naming it, never a silent zero.

Examples
--------
>>> top = infer("本文研究了铝合金的时效析出行为与力学性能，分析了热处理工艺对显微组织的影响")
>>> "材料科学与工程" in [name for name, _ in top]
True
"""

from __future__ import annotations

import itertools
import json
import threading
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from . import text as T
from .errors import MatchingError

__all__ = [
    "MODEL_FILE",
    "DisciplineModel",
    "DisciplineModelError",
    "default_model",
    "infer",
    "load_model",
]

#: The shipped model's file name, under ``matching/data``.
MODEL_FILE = "disciplines.npz"
_FORMAT = 1
_KEYS = (
    "format",
    "classes",
    "vocab",
    "unigrams",
    "bigrams",
    "idf",
    "coef_data",
    "coef_indices",
    "coef_indptr",
    "intercept",
    "meta",
)


class DisciplineModelError(MatchingError, RuntimeError):
    """The discipline model file is missing or unreadable; ``path`` names it."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        super().__init__(f"学科模型文件不可用 (discipline model unusable): {self.path}: {reason}")


def _decode_lines(blob: np.ndarray) -> list[str]:
    return bytes(blob.astype(np.uint8)).decode("utf-8").split("\n") if blob.size else []


@dataclass(frozen=True, eq=False)
class DisciplineModel:
    """Linear discipline classifier over word and character tf-idf features.

    Attributes
    ----------
    classes : tuple of str
        Discipline names (一级学科, some merged as in the CSL data, e.g. ``化学/化学工程与技术``).
    vocab : dict of str to int
        Word feature → column (columns ``0 .. len(vocab) - 1``).
    unigrams, bigrams : ndarray
        Sorted code points (and ``cp1 << 16 | cp2`` keys) of the character features, in the
        columns after the words.
    idf : ndarray
        Inverse document frequency of every column.
    coef_t : scipy.sparse.csr_matrix
        (features × classes) weights.
    intercept : ndarray
    meta : dict
        Training data, fold and accuracy as recorded by the training script.
    """

    classes: tuple[str, ...]
    vocab: dict[str, int]
    unigrams: np.ndarray
    bigrams: np.ndarray
    idf: np.ndarray
    coef_t: sp.csr_matrix
    intercept: np.ndarray
    meta: dict

    @property
    def n_features(self) -> int:
        return len(self.vocab) + len(self.unigrams) + len(self.bigrams)

    def features(self, texts: Sequence[Mapping[str, float]], hans: Sequence[str]) -> sp.csr_matrix:
        """(records × features) matrix: the word block and the character block, each tf-idf
        and L2-normalised (a record without any known feature gets a zero row).

        ``texts[i]`` is a record's weighted terms (term → weight), ``hans[i]`` its Chinese
        characters.
        """
        n = len(texts)
        parts = [
            _word_counts(texts, self.vocab, n),
            _char_counts(hans, self.unigrams, self.bigrams, len(self.vocab)),
        ]
        # tf-idf and a unit norm per block and record, on the arrays (no sparse products:
        # one record, as a query has, would spend more on scipy's overhead than on the math).
        for rows, cols, vals in parts:
            vals *= self.idf[cols]
            norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
            vals /= np.maximum(norms[rows], 1e-12)
        rows, cols, vals = (np.concatenate(x) for x in zip(*parts, strict=True))
        return sp.csr_matrix((vals, (rows, cols)), shape=(n, self.n_features))

    def _dense(self) -> np.ndarray:
        # Sparse × dense is several times faster than sparse × sparse here; the dense
        # weights (features × classes, float32) are made once, on first use.
        w = self.__dict__.get("_w")
        if w is None:
            w = self.coef_t.toarray().astype(np.float32)
            object.__setattr__(self, "_w", w)
        return w

    def warm(self) -> None:
        """Prepare the dense weights now (before forking workers, so they share them)."""
        self._dense()

    def predict_proba(self, x: sp.csr_matrix) -> np.ndarray:
        """Softmax of the linear scores of a feature matrix, (records × classes)."""
        # float32 on both sides: a float64 matrix would make scipy copy the weights up.
        z = np.asarray(x.astype(np.float32) @ self._dense(), dtype=np.float64) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def infer_records(
        self, texts: Sequence[Mapping[str, float]], hans: Sequence[str]
    ) -> np.ndarray:
        """Discipline distributions (records × classes) of analysed records."""
        return self.predict_proba(self.features(texts, hans))


def _word_counts(texts, vocab: dict[str, int], n: int):
    """(rows, columns, weights) of the known terms (a record's terms are distinct)."""
    lens = np.fromiter(map(len, texts), np.int64, n)
    total = int(lens.sum())
    cols = np.fromiter(
        map(vocab.get, itertools.chain.from_iterable(texts), itertools.repeat(-1)), np.int64, total
    )
    vals = np.fromiter(itertools.chain.from_iterable(d.values() for d in texts), np.float64, total)
    rows = np.repeat(np.arange(n, dtype=np.int64), lens)
    keep = cols >= 0
    return rows[keep], cols[keep], vals[keep]


def _char_counts(hans, unigrams, bigrams, offset: int):
    """(rows, columns, ``1 + ln(count)``) of the known characters and character bigrams."""
    n = len(hans)
    lens = np.fromiter(map(len, hans), np.int64, n)
    cps = np.frombuffer("".join(hans).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    rows = np.repeat(np.arange(n, dtype=np.int64), lens)
    cols_parts, rows_parts = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    if len(unigrams) and len(cps):
        pos = np.minimum(np.searchsorted(unigrams, cps), len(unigrams) - 1)
        hit = unigrams[pos] == cps
        cols_parts.append(offset + pos[hit])
        rows_parts.append(rows[hit])
    if len(bigrams) and len(cps) > 1:
        same = rows[:-1] == rows[1:]
        keys = (cps[:-1] << 16) | cps[1:]
        pos = np.minimum(np.searchsorted(bigrams, keys), len(bigrams) - 1)
        hit = same & (bigrams[pos] == keys)
        cols_parts.append(offset + len(unigrams) + pos[hit])
        rows_parts.append(rows[:-1][hit])
    r, c = np.concatenate(rows_parts), np.concatenate(cols_parts)
    width = offset + len(unigrams) + len(bigrams) + 1
    keys, counts = np.unique(r * width + c, return_counts=True)
    return keys // width, keys % width, 1.0 + np.log(counts)


def char_keys(hans: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every character (code point) and character bigram key of ``hans`` (for training)."""
    uni, bi = [], []
    for h in hans:
        cps = np.frombuffer(h.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        uni.append(np.unique(cps))
        if len(cps) > 1:
            bi.append(np.unique((cps[:-1] << 16) | cps[1:]))
    return uni, bi


def load_model(path: Path | str) -> DisciplineModel:
    """Read a model file written by ``tools/train_disciplines.py``.

    Raises
    ------
    DisciplineModelError
        The file is missing, not a readable ``.npz``, lacks an array, or its arrays disagree.

    Examples
    --------
    >>> load_model("/nonexistent/disciplines.npz")
    Traceback (most recent call last):
    ...
    matching.disciplines.DisciplineModelError: 学科模型文件不可用 (discipline model unusable): /nonexistent/disciplines.npz: 文件不存在 (file not found)
    """
    path = Path(path)
    if not path.is_file():
        raise DisciplineModelError(path, "文件不存在 (file not found)")
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in _KEYS if k not in z.files]
            if missing:
                raise DisciplineModelError(path, f"缺少数组 (missing arrays) {missing}")
            arrays = {k: z[k] for k in _KEYS}
    except DisciplineModelError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise DisciplineModelError(path, f"无法读取 (unreadable): {exc}") from exc
    try:
        if int(arrays["format"]) != _FORMAT:
            raise ValueError(f"format {int(arrays['format'])} != {_FORMAT}")
        classes = tuple(_decode_lines(arrays["classes"]))
        words = _decode_lines(arrays["vocab"])
        vocab = {w: i for i, w in enumerate(words)}
        uni = arrays["unigrams"].astype(np.int64)
        bi = arrays["bigrams"].astype(np.int64)
        width = len(vocab) + len(uni) + len(bi)
        coef_t = sp.csr_matrix(
            (
                arrays["coef_data"].astype(np.float32),
                arrays["coef_indices"].astype(np.int32),
                arrays["coef_indptr"].astype(np.int64),
            ),
            shape=(width, len(classes)),
        )
        coef_t.check_format(full_check=True)
        idf = arrays["idf"].astype(np.float64)
        intercept = arrays["intercept"].astype(np.float64)
        if len(vocab) != len(words) or len(idf) != width or len(intercept) != len(classes):
            raise ValueError("array sizes disagree")
        if len(classes) < 2 or np.any(np.diff(uni) <= 0) or np.any(np.diff(bi) <= 0):
            raise ValueError("bad classes or character tables")
        if not (np.isfinite(idf).all() and np.isfinite(coef_t.data).all()):
            raise ValueError("non-finite weights")
        meta = json.loads(bytes(arrays["meta"].astype(np.uint8)).decode("utf-8") or "{}")
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise DisciplineModelError(path, f"内容损坏 (corrupt): {exc}") from exc
    return DisciplineModel(
        classes=classes,
        vocab=vocab,
        unigrams=uni,
        bigrams=bi,
        idf=idf,
        coef_t=coef_t,
        intercept=intercept,
        meta=meta,
    )


def save_model(
    path: Path | str, *, classes, words, unigrams, bigrams, idf, coef_t, intercept, meta
) -> None:
    """Write a model file (used by the training script); weights as float16."""
    coef_t = sp.csr_matrix(coef_t)
    coef_t.sort_indices()

    def lines(xs) -> np.ndarray:
        return np.frombuffer("\n".join(xs).encode("utf-8"), dtype=np.uint8)

    np.savez_compressed(
        path,
        format=np.array(_FORMAT),
        classes=lines(classes),
        vocab=lines(words),
        unigrams=np.asarray(unigrams, np.int64),
        bigrams=np.asarray(bigrams, np.int64),
        idf=np.asarray(idf, np.float16),
        coef_data=coef_t.data.astype(np.float16),
        coef_indices=coef_t.indices.astype(np.int32),
        coef_indptr=coef_t.indptr.astype(np.int64),
        intercept=np.asarray(intercept, np.float32),
        meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8),
    )


_lock = threading.Lock()
_cache: dict[str, DisciplineModel] = {}


def model_path() -> Path:
    """Where the shipped model lives (``matching/data/disciplines.npz``)."""
    return Path(str(resources.files("matching").joinpath("data", MODEL_FILE)))


def default_model() -> DisciplineModel:
    """The shipped model, loaded once per process on first use (thread-safe).

    Raises
    ------
    DisciplineModelError
        When the shipped file is missing or corrupt (the message names it).
    """
    m = _cache.get("default")
    if m is None:
        with _lock:
            m = _cache.get("default")
            if m is None:
                m = _cache["default"] = load_model(model_path())
    return m


def analyse_text(text: str | None) -> tuple[dict[str, float], str]:
    """The model's inputs for a plain text: weighted terms and Chinese characters."""
    return T.features(T.tokenize(text)), T.han_characters(text)


def infer(text: str | None, top: int = 3) -> list[tuple[str, float]]:
    """The ``top`` most likely disciplines of a text, with their probabilities.

    Parameters
    ----------
    text : str or None
        Any Chinese text: an abstract, a need's description, a team's research directions.
    top : int
        How many disciplines to return, most likely first.

    Returns
    -------
    list of (str, float)

    Examples
    --------
    >>> [name for name, _ in infer("基于卷积神经网络的图像识别算法与深度学习模型训练", top=2)][:1]
    ['计算机科学与技术']
    """
    m = default_model()
    terms, han = analyse_text(text)
    p = m.infer_records([terms], [han])[0]
    order = np.lexsort((np.arange(len(p)), -p))[:top]
    return [(m.classes[i], float(p[i])) for i in order]
