"""The held-out fold of ``csl_papers_dev.jsonl``, fixed before any model was trained.

A paper is in the fold when ``sha256("duijie-heldout-2026:" + title)`` mod 100 is below 30:
about 30 % of the papers, the same ones whatever the file's order, and a rule that needs no
list. ``tools/train_disciplines.py`` trains the discipline model on
``csl_dcp_abstracts.jsonl`` (minus any abstract that is also a fold paper's) and on the dev
papers outside the fold; ``bench/match_quality.py`` reports the fold separately, so its
numbers come from papers the model never saw.
"""

from __future__ import annotations

import hashlib

SALT = "duijie-heldout-2026:"
SHARE = 30  # percent


def in_fold(paper: dict) -> bool:
    """Whether a paper (a dict with ``title``) belongs to the held-out fold.

    Examples
    --------
    >>> in_fold({"title": "x"}) in (True, False)
    True
    """
    h = hashlib.sha256((SALT + paper["title"]).encode("utf-8")).hexdigest()
    return int(h[:8], 16) % 100 < SHARE


def split(papers: list[dict]) -> tuple[list[dict], list[dict]]:
    """(train, fold) in file order."""
    train = [p for p in papers if not in_fold(p)]
    fold = [p for p in papers if in_fold(p)]
    return train, fold
