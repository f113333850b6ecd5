"""Train the shipped discipline model (``matching/data/disciplines.npz``). Maintainer script.

Run: ``uv run --group train python tools/train_disciplines.py [SHARED_DATA_DIR]`` (default
``../shared/data``). Needs scikit-learn (the ``train`` dependency group); the service only
reads the written file with numpy/scipy (:mod:`matching.disciplines`).

Data (named, so the run is reproducible):

* ``csl_dcp_abstracts.jsonl`` — 5,876 abstracts labelled with 67 disciplines (FewCLUE csldcp),
  minus every abstract that is also the abstract of a held-out dev paper (exact text, or the
  same first 40 characters);
* ``csl_papers_dev.jsonl`` — the papers outside the held-out fold of :mod:`bench.folds`
  (title + keywords + abstract); the fold (about 30 %) is never read for training or for
  choosing settings.

Features are :meth:`matching.disciplines.DisciplineModel.features` of the engine's own
analysis (``matching.engine._analyse``): the record's weighted terms and its Chinese
characters and character bigrams, tf-idf, each block L2-normalised. Vocabulary: terms and
character n-grams in at least ``MIN_DF`` training texts. The classifier is a multinomial
logistic regression; its ``C`` is chosen on a stratified 20 % validation split of the
training texts only. The weights are then pruned to the ``KEEP`` largest by magnitude (so the
file stays a few MB) and stored as float16; the fold's top-1/top-3 accuracy of the pruned
model, with 95 % bootstrap intervals, goes into the file's metadata and to stdout.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from folds import SALT, SHARE, split  # noqa: E402

from matching import Capability  # noqa: E402
from matching.disciplines import (  # noqa: E402
    DisciplineModel,
    char_keys,
    load_model,
    model_path,
    save_model,
)
from matching.engine import _analyse  # noqa: E402

MIN_DF = 2
KEEP = 1_500_000
C_GRID = (3.0, 10.0, 30.0)
SEED = 0


def analysed(recs: list[dict]) -> tuple[list[dict[str, float]], list[str]]:
    # Structs built directly: the CSL abstracts have no title, which a record must have.
    docs = [_analyse(Capability(**r), {}) for r in recs]
    return [d.text for d in docs], [d.han for d in docs]


def as_record(i: int, p: dict) -> dict:
    return {
        "id": f"r{i}",
        "title": p.get("title", ""),
        "keywords": p.get("keywords", []),
        "description": p["abstract"],
    }


def build_model(texts, hans, labels, classes) -> DisciplineModel:
    """A model with the training vocabulary and idf, and zero weights (to make features)."""
    df_w = Counter(t for d in texts for t in d)
    words = sorted(t for t, c in df_w.items() if c >= MIN_DF)
    uni_l, bi_l = char_keys(hans)
    uni_c = Counter(np.concatenate(uni_l).tolist())
    bi_c = Counter(np.concatenate(bi_l).tolist())
    uni = np.array(sorted(k for k, c in uni_c.items() if c >= MIN_DF), np.int64)
    bi = np.array(sorted(k for k, c in bi_c.items() if c >= MIN_DF), np.int64)
    n = len(texts)
    df = np.array(
        [df_w[w] for w in words]
        + [uni_c[k] for k in uni.tolist()]
        + [bi_c[k] for k in bi.tolist()],
        np.float64,
    )
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    width = len(df)
    return DisciplineModel(
        classes=tuple(classes),
        vocab={w: i for i, w in enumerate(words)},
        unigrams=uni,
        bigrams=bi,
        idf=idf.astype(np.float16).astype(np.float64),  # as stored
        coef_t=sp.csr_matrix((width, len(classes))),
        intercept=np.zeros(len(classes)),
        meta={},
    )


def topk_hits(p: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(-p, axis=1, kind="stable")[:, :k]
    return (order == y[:, None]).any(axis=1).astype(float)


def boot(x: np.ndarray, reps: int = 2000) -> tuple[float, float, float]:
    rng = np.random.default_rng(SEED)
    means = x[rng.integers(0, len(x), size=(reps, len(x)))].mean(axis=1)
    return float(x.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    args = sys.argv[1:] if argv is None else argv
    shared = Path(args[0]) if args else ROOT.parent / "shared" / "data"
    out = Path(args[1]) if len(args) > 1 else model_path()
    dcp = [json.loads(x) for x in (shared / "csl_dcp_abstracts.jsonl").open(encoding="utf-8")]
    dev = [json.loads(x) for x in (shared / "csl_papers_dev.jsonl").open(encoding="utf-8")]
    dev_train, fold = split(dev)
    fold_abs = {p["abstract"] for p in fold} | {p["abstract"][:40] for p in fold}
    kept = [a for a in dcp if a["abstract"] not in fold_abs and a["abstract"][:40] not in fold_abs]
    print(f"dcp {len(dcp)} (kept {len(kept)}), dev train {len(dev_train)}, fold {len(fold)}")
    train = [as_record(i, p) for i, p in enumerate(kept + dev_train)]
    labels = [p["discipline"] for p in kept + dev_train]
    classes = sorted(set(labels))
    cidx = {c: i for i, c in enumerate(classes)}
    y = np.array([cidx[x] for x in labels])
    t0 = time.perf_counter()
    texts, hans = analysed(train)
    base = build_model(texts, hans, labels, classes)
    x = base.features(texts, hans)
    print(f"features {x.shape} nnz {x.nnz} in {time.perf_counter() - t0:.1f} s", flush=True)

    def fit(c: float, xs, ys):
        return LogisticRegression(C=c, max_iter=300, tol=1e-4).fit(xs, ys)

    # One stratified 80/20 split of the training texts chooses C (the held-out fold is not
    # involved; the vocabulary and idf come from all training texts).
    tr, te = next(StratifiedKFold(5, shuffle=True, random_state=SEED).split(x, y))
    scores = {}
    for c in C_GRID:
        m = fit(c, x[tr], y[tr])
        scores[c] = float((m.predict(x[te]) == y[te]).mean())
        print(f"C={c}: validation top-1 {scores[c]:.3f}", flush=True)
    best_c = max(C_GRID, key=lambda c: (scores[c], -c))
    clf = fit(best_c, x, y)
    coef = clf.coef_.astype(np.float64)  # classes × features
    if coef.size > KEEP:
        thr = np.partition(np.abs(coef).ravel(), coef.size - KEEP)[coef.size - KEEP]
        coef[np.abs(coef) < thr] = 0.0
    meta = {
        "trained_on": [
            "csl_dcp_abstracts.jsonl minus abstracts of held-out dev papers",
            "csl_papers_dev.jsonl outside the held-out fold",
        ],
        "fold": f"sha256('{SALT}' + title) % 100 < {SHARE}",
        "texts": len(train),
        "C": best_c,
        "validation_top1": scores,
        "min_df": MIN_DF,
        "features": int(x.shape[1]),
    }
    save_model(
        out,
        classes=classes,
        words=list(base.vocab),
        unigrams=base.unigrams,
        bigrams=base.bigrams,
        idf=base.idf,
        coef_t=sp.csr_matrix(coef.T),
        intercept=clf.intercept_,
        meta=meta,
    )
    # Evaluate the file as shipped (float16, pruned) on the fold and on the training texts.
    shipped = load_model(out)
    report = {}
    for name, recs in (("dev-train", dev_train), ("fold", fold)):
        ft, fh = analysed([as_record(i, p) for i, p in enumerate(recs)])
        p = shipped.infer_records(ft, fh)
        yy = np.array([cidx[r["discipline"]] for r in recs])
        report[name] = {
            "n": len(recs),
            "top1": boot(topk_hits(p, yy, 1)),
            "top3": boot(topk_hits(p, yy, 3)),
        }
        r = report[name]
        print(
            f"{name} ({len(recs)}): top-1 {r['top1'][0]:.3f} ({r['top1'][1]:.3f}–{r['top1'][2]:.3f})"
            f", top-3 {r['top3'][0]:.3f} ({r['top3'][1]:.3f}–{r['top3'][2]:.3f})"
        )
    meta["accuracy"] = report
    save_model(
        out,
        classes=classes,
        words=list(base.vocab),
        unigrams=base.unigrams,
        bigrams=base.bigrams,
        idf=base.idf,
        coef_t=sp.csr_matrix(coef.T),
        intercept=clf.intercept_,
        meta=meta,
    )
    print(f"-> {out} ({out.stat().st_size / 1e6:.1f} MB), C={best_c}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
