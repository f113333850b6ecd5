"""Retrieval quality of the matching engine against BM25 and rapidfuzz WRatio (issue 3, item 6).

Data: ../shared/data/csl_papers_dev.jsonl (1,000 CSL papers; any file of the same shape can be
given with ``--data`` to evaluate on held-out papers). Tasks, all measured in one run:

* ``keywords→paper``: the query is a paper's keyword list, the corpus is every paper's title and
  abstract (keywords removed); one relevant document.
* ``title→abstract``: the query is a title, the corpus is the abstracts; one relevant document.
* ``paper→team (discipline)``: per discipline (with ≥ 5 papers), 2 papers are queries and the
  rest are grouped into "research teams" of 3 papers (titles, keywords, first abstract
  sentences; the team carries its discipline as ``field_codes``, as a capability would); the
  relevant documents are the teams of the query's discipline. Shared words are not enough
  here; the engine infers the query's field from the teams' centroids and the fields' names
  (nothing is fitted to this file beforehand).

A second table repeats the engine/BM25 comparison on the whole file and on four random halves
(the team task averaged over five task seeds), to show how much the ratios move with the
sample, with a paired-bootstrap interval of each difference.

Systems: ``engine`` (``matching.match``, rd kind, default weights), ``bm25`` (bm25s over the
same tokenizer, on the same concatenated text), ``wratio`` (``rapidfuzz.process.cdist`` with
``fuzz.WRatio`` on normalised text). Metrics: MRR@10, Recall@1/@10 (share of relevant documents
retrieved, out of min(k, #relevant)). Run: ``uv run python bench/match_quality.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching import match, normalize, tokenize  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "csl_papers_dev.jsonl"
K = 10


def _text(rec: dict) -> str:
    return " ".join([rec["title"], *rec.get("keywords", []), rec.get("description", "")])


def _split_first(abstract: str) -> tuple[str, str]:
    for sep in "，。；,;":
        if sep in abstract[:120]:
            head, tail = abstract.split(sep, 1)
            return head, tail
    return abstract[:60], abstract[60:]


def tasks(papers: list[dict], seed: int = 3):
    out = {}
    corpus = []
    for i, p in enumerate(papers):
        corpus.append({"id": f"p{i}", "title": p["title"], "description": p["abstract"]})
    out["keywords→paper"] = (
        [
            {"id": f"q{i}", "title": " ".join(p["keywords"]), "keywords": p["keywords"]}
            for i, p in enumerate(papers)
        ],
        corpus,
        {f"q{i}": {f"p{i}"} for i in range(len(papers))},
    )
    abstracts = []
    for i, p in enumerate(papers):
        head, tail = _split_first(p["abstract"])
        abstracts.append({"id": f"a{i}", "title": head, "description": tail})
    out["title→abstract"] = (
        [{"id": f"q{i}", "title": p["title"]} for i, p in enumerate(papers)],
        abstracts,
        {f"q{i}": {f"a{i}"} for i in range(len(papers))},
    )
    rng = random.Random(seed)
    by: dict[str, list[dict]] = {}
    for p in papers:
        by.setdefault(p["discipline"], []).append(p)
    queries, teams, rel = [], [], {}
    team_disc: dict[str, str] = {}
    for disc in sorted(by):
        ps = by[disc][:]
        if len(ps) < 5:
            continue
        rng.shuffle(ps)
        for p in ps[:2]:
            qid = f"q{len(queries)}"
            queries.append(
                {
                    "id": qid,
                    "title": p["title"],
                    "keywords": p["keywords"],
                    "description": p["abstract"],
                }
            )
            rel[qid] = disc
        rest = ps[2:]
        for t in range(0, len(rest), 3):
            group = rest[t : t + 3]
            tid = f"t{len(teams)}"
            teams.append(
                {
                    "id": tid,
                    "title": "；".join(g["title"] for g in group),
                    "keywords": [k for g in group for k in g["keywords"]],
                    "description": "。".join(_split_first(g["abstract"])[0] for g in group),
                    "field_codes": [disc],
                }
            )
            team_disc[tid] = disc
    out["paper→team (discipline)"] = (
        queries,
        teams,
        {q: {t for t, d in team_disc.items() if d == disc} for q, disc in rel.items()},
    )
    return out


def reciprocal_ranks(ranked: dict[str, list[str]], rel: dict[str, set[str]]) -> np.ndarray:
    """Per query (in ``rel`` order) 1 / rank of the first relevant document in the top K."""
    return np.array(
        [
            next((1.0 / (i + 1) for i, s in enumerate(ranked.get(q, [])[:K]) if s in rs), 0.0)
            for q, rs in rel.items()
        ]
    )


def paired_ci(a: np.ndarray, b: np.ndarray, reps: int = 2000, seed: int = 0):
    """95 % paired-bootstrap interval of mean(a) - mean(b) (queries resampled with replacement)."""
    rng = np.random.default_rng(seed)
    d = a - b
    idx = rng.integers(0, len(d), size=(reps, len(d)))
    means = d[idx].mean(axis=1)
    return float(d.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def metrics(ranked: dict[str, list[str]], rel: dict[str, set[str]]) -> dict[str, float]:
    mrr, r1, r10 = [], [], []
    for q, rs in rel.items():
        got = ranked.get(q, [])[:K]
        rr = next((1.0 / (i + 1) for i, s in enumerate(got) if s in rs), 0.0)
        mrr.append(rr)
        r1.append(len(set(got[:1]) & rs) / min(1, len(rs)))
        r10.append(len(set(got[:K]) & rs) / min(K, len(rs)))
    return {"MRR@10": float(np.mean(mrr)), "R@1": float(np.mean(r1)), "R@10": float(np.mean(r10))}


def run_engine(queries, docs):
    res = match(queries, docs, kind="rd", top_k=K)
    return {r.demand_id: [p.supply_id for p in r.pairs] for r in res}


def run_bm25(queries, docs):
    retriever = bm25s.BM25()
    corpus = [tokenize(_text(d)) or ["_"] for d in docs]
    retriever.index(corpus, show_progress=False)
    qtok = [tokenize(_text(q)) or ["_"] for q in queries]
    idx, _ = retriever.retrieve(qtok, k=min(K, len(docs)), show_progress=False)
    return {q["id"]: [docs[j]["id"] for j in row] for q, row in zip(queries, idx, strict=True)}


def run_wratio(queries, docs):
    m = process.cdist(
        [normalize(_text(q)) for q in queries],
        [normalize(_text(d)) for d in docs],
        scorer=fuzz.WRatio,
        workers=-1,
        dtype=np.float32,
    )
    out = {}
    for q, row in zip(queries, m, strict=True):
        order = np.lexsort((np.arange(len(row)), -row))[:K]
        out[q["id"]] = [docs[j]["id"] for j in order]
    return out


def folds_table(papers: list[dict], seeds=(3, 1, 2, 4, 5)) -> None:
    """Engine vs BM25 on the file and four random halves, paper→team averaged over task seeds.

    Nothing in the engine is fitted to this file; the halves show how much the comparison
    moves with the sample (a stand-in for held-out data of the same kind). The last column is
    the paired-bootstrap 95 % interval of the MRR@10 difference (queries of all seeds pooled).
    """
    half = len(papers) // 2
    folds = {"all": papers}
    for name, seed in (("A", 0), ("C", 11), ("D", 12)):
        perm = list(range(len(papers)))
        random.Random(seed).shuffle(perm)
        folds[name] = [papers[i] for i in perm[:half]]
        if name == "A":
            folds["B"] = [papers[i] for i in perm[half:]]
    print("\n| fold | task | engine MRR@10 | bm25 MRR@10 | engine / bm25 | Δ (95 % CI) |")
    print("|---|---|---|---|---|---|")
    for fname, ps in folds.items():
        agg: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        for seed in seeds:
            for name, (queries, docs, rel) in tasks(ps, seed=seed).items():
                if seed != seeds[0] and not name.startswith("paper"):
                    continue  # only the team task depends on the seed
                e = reciprocal_ranks(run_engine(queries, docs), rel)
                b = reciprocal_ranks(run_bm25(queries, docs), rel)
                agg.setdefault(name, []).append((e, b))
        for name, v in agg.items():
            # Means per seed, then over seeds (every seed has the same number of queries).
            e, b = (
                float(np.mean([x[0].mean() for x in v])),
                float(np.mean([x[1].mean() for x in v])),
            )
            d, lo, hi = paired_ci(
                np.concatenate([x[0] for x in v]), np.concatenate([x[1] for x in v])
            )
            note = f" (mean of {len(v)} seeds)" if len(v) > 1 else ""
            print(
                f"| {fname} ({len(ps)}) | {name}{note} | {e:.4f} | {b:.4f} | {e / b:.3f}× "
                f"| {d:+.4f} ({lo:+.4f}, {hi:+.4f}) |"
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument(
        "--no-folds", action="store_true", help="skip the table over halves of the file"
    )
    a = ap.parse_args()
    if not a.data.exists():
        sys.exit(f"缺少数据 (missing data): {a.data}")
    papers = [json.loads(line) for line in a.data.open(encoding="utf-8") if line.strip()]
    print(f"### Matching quality on `{a.data.name}` ({len(papers)} papers)\n")
    print("| task | queries × docs | system | MRR@10 | R@1 | R@10 | time |")
    print("|---|---|---|---|---|---|---|")
    for name, (queries, docs, rel) in tasks(papers).items():
        base = None
        for sysname, fn in (("engine", run_engine), ("bm25", run_bm25), ("wratio", run_wratio)):
            t0 = time.perf_counter()
            m = metrics(fn(queries, docs), rel)
            dt = time.perf_counter() - t0
            if sysname == "bm25":
                base = m["MRR@10"]
            print(
                f"| {name} | {len(queries)} × {len(docs)} | {sysname} | {m['MRR@10']:.3f} | "
                f"{m['R@1']:.3f} | {m['R@10']:.3f} | {dt:.1f} s |"
            )
            if sysname == "engine":
                eng = m["MRR@10"]
        print(f"| {name} | | **engine / bm25** | **{eng / base:.3f}×** | | | |")
    if not a.no_folds:
        folds_table(papers)


if __name__ == "__main__":
    main()
