"""Retrieval quality of the matching engine against BM25 and rapidfuzz WRatio (issue 3, item 6).

Data: ../shared/data/csl_papers_dev.jsonl (1,000 CSL papers; any file of the same shape can be
given with ``--data`` to evaluate on held-out papers). Tasks, all measured in one run:

* ``keywords→paper``: the query is a paper's keyword list, the corpus is every paper's title and
  abstract (keywords removed); one relevant document.
* ``title→abstract``: the query is a title, the corpus is the abstracts; one relevant document.
* ``paper→team (discipline)``: per discipline (with ≥ 5 papers), 2 papers are queries and the
  rest are grouped into "research teams" of 3 papers (titles, keywords, first abstract
  sentences). A team carries one NSFC 申请代码 of its discipline, as a capability would: drawn
  (seeded) from the codes the shipped crosswalk maps first to that discipline
  (:func:`matching.crosswalk.nsfc_codes_for`); a discipline no NSFC code covers (哲学, 历史学 …)
  carries its 一级学科 code instead. The relevant documents are the teams of the query's
  discipline. The engine infers the query's discipline with the shipped model and meets the
  teams' codes through the crosswalk.

Held-out fold (honesty). The shipped discipline model was trained on
``csl_dcp_abstracts.jsonl`` and on the dev papers outside a fixed, seeded 30 % fold
(:mod:`folds`, decided before training). On ``csl_papers_dev.jsonl`` every table is reported
twice: on the 70 % the model saw ("dev-train") and on the fold it never saw (queries and
teams alike); only the fold's numbers say anything about new papers. Another file (``--data``)
is reported whole. Each task's engine/BM25 ratio comes with a 95 % paired-bootstrap interval
of the MRR@10 difference (the team task pooled over five task seeds); the discipline model's
top-1/top-3 accuracy on each part is reported with bootstrap intervals too.

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
sys.path.insert(0, str(ROOT / "bench"))

from folds import split  # noqa: E402

from matching import crosswalk, match, normalize, tokenize  # noqa: E402
from matching.disciplines import analyse_text, default_model  # noqa: E402

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


def team_codes(disc: str, rng: random.Random) -> list[str]:
    """One field code for a team of ``disc``, as a capability would carry it (see above)."""
    primary = [
        c
        for c in crosswalk.nsfc_codes_for(disc)
        if crosswalk.field_code_links(c)[0].discipline == disc
    ]
    if primary:
        return [rng.choice(primary)]
    return [crosswalk.discipline_codes(disc)[0]]


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
                    "field_codes": team_codes(disc, rng),
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


def ratio_ci(a: np.ndarray, b: np.ndarray, reps: int = 2000, seed: int = 0):
    """95 % paired-bootstrap interval of mean(a) / mean(b)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(reps, len(a)))
    r = a[idx].mean(axis=1) / np.maximum(b[idx].mean(axis=1), 1e-12)
    return float(np.quantile(r, 0.025)), float(np.quantile(r, 0.975))


def boot_mean(x: np.ndarray, reps: int = 2000, seed: int = 0):
    rng = np.random.default_rng(seed)
    m = x[rng.integers(0, len(x), size=(reps, len(x)))].mean(axis=1)
    return float(x.mean()), float(np.quantile(m, 0.025)), float(np.quantile(m, 0.975))


def model_accuracy(parts: dict[str, list[dict]]) -> None:
    """Top-1/top-3 accuracy of the shipped discipline model on each part (title, keywords and
    abstract of each paper, analysed as the engine analyses a record)."""
    model = default_model()
    cls = {c: i for i, c in enumerate(model.classes)}
    print("\n| part | papers | model top-1 (95 % CI) | model top-3 (95 % CI) |")
    print("|---|---|---|---|")
    for name, ps in parts.items():
        ps = [p for p in ps if p.get("discipline") in cls]
        if not ps:
            continue
        feats = [
            analyse_text(" ".join([p["title"], *p.get("keywords", []), p["abstract"]])) for p in ps
        ]
        prob = model.infer_records([f[0] for f in feats], [f[1] for f in feats])
        y = np.array([cls[p["discipline"]] for p in ps])
        order = np.argsort(-prob, axis=1, kind="stable")
        cells = []
        for k in (1, 3):
            m, lo, hi = boot_mean((order[:, :k] == y[:, None]).any(axis=1).astype(float))
            cells.append(f"{m:.3f} ({lo:.3f}–{hi:.3f})")
        print(f"| {name} | {len(ps)} | {cells[0]} | {cells[1]} |")


def quality_table(parts: dict[str, list[dict]], seeds=(3, 1, 2, 4, 5)) -> None:
    """Engine vs BM25 per part and task, with paired-bootstrap intervals.

    The team task is built with five task seeds (different query/team draws) and its
    reciprocal ranks pooled; the other tasks do not depend on the seed.
    """
    print(
        "\n| part | task | queries | engine MRR@10 | bm25 MRR@10 | engine / bm25 (95 % CI) "
        "| Δ MRR@10 (95 % CI) |"
    )
    print("|---|---|---|---|---|---|---|")
    for pname, ps in parts.items():
        agg: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        for seed in seeds:
            for name, (queries, docs, rel) in tasks(ps, seed=seed).items():
                if seed != seeds[0] and not name.startswith("paper"):
                    continue  # only the team task depends on the seed
                e = reciprocal_ranks(run_engine(queries, docs), rel)
                b = reciprocal_ranks(run_bm25(queries, docs), rel)
                agg.setdefault(name, []).append((e, b))
        for name, v in agg.items():
            e = np.concatenate([x[0] for x in v])
            b = np.concatenate([x[1] for x in v])
            d, lo, hi = paired_ci(e, b)
            rlo, rhi = ratio_ci(e, b)
            note = f" ({len(v)} seeds)" if len(v) > 1 else ""
            print(
                f"| {pname} ({len(ps)}) | {name}{note} | {len(e)} | {e.mean():.4f} | "
                f"{b.mean():.4f} | **{e.mean() / b.mean():.3f}×** ({rlo:.3f}–{rhi:.3f}) "
                f"| {d:+.4f} ({lo:+.4f}, {hi:+.4f}) |"
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument(
        "--whole",
        action="store_true",
        help="report the file as one part (default for files other than csl_papers_dev.jsonl)",
    )
    ap.add_argument("--no-systems", action="store_true", help="skip the three-system table")
    a = ap.parse_args()
    if not a.data.exists():
        sys.exit(f"缺少数据 (missing data): {a.data}")
    papers = [json.loads(line) for line in a.data.open(encoding="utf-8") if line.strip()]
    if a.data.name == "csl_papers_dev.jsonl" and not a.whole:
        train, fold = split(papers)
        parts = {"held-out fold": fold, "dev-train": train}
    else:
        parts = {"file": papers}
    print(f"### Matching quality on `{a.data.name}` ({len(papers)} papers)")
    model_accuracy(parts)
    quality_table(parts)
    if a.no_systems:
        return
    first = next(iter(parts))
    print(f"\nThree systems on the {first} ({len(parts[first])} papers), task seed 3:\n")
    print("| task | queries × docs | system | MRR@10 | R@1 | R@10 | time |")
    print("|---|---|---|---|---|---|---|")
    for name, (queries, docs, rel) in tasks(parts[first]).items():
        base = eng = None
        for sysname, fn in (("engine", run_engine), ("bm25", run_bm25), ("wratio", run_wratio)):
            t0 = time.perf_counter()
            m = metrics(fn(queries, docs), rel)
            dt = time.perf_counter() - t0
            if sysname == "bm25":
                base = m["MRR@10"]
            if sysname == "engine":
                eng = m["MRR@10"]
            print(
                f"| {name} | {len(queries)} × {len(docs)} | {sysname} | {m['MRR@10']:.3f} | "
                f"{m['R@1']:.3f} | {m['R@10']:.3f} | {dt:.1f} s |"
            )
        print(f"| {name} | | **engine / bm25** | **{eng / base:.3f}×** | | | |")


if __name__ == "__main__":
    main()
