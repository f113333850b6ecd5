"""Teams as separate papers: how to aggregate a capability's documents (issue #14, item 3).

Data: ../shared/data/csl_papers_dev.jsonl (1,000 CSL papers, 67 disciplines). Per discipline
with ≥ 7 papers, 2 papers are queries (title, keywords and abstract, as a need would describe
itself) and the rest form teams of 5 papers. The relevant teams of a query are the teams of its
discipline. Each team is given to the engine in one of these shapes:

* ``concat (today)``: one profile — the five titles, all keywords, the first sentence of each
  abstract — as bench/match_quality.py builds its teams;
* ``docs only, <agg>``: a bare profile (``研究团队``) plus the five papers as ``documents``;
* ``concat + docs, <agg>``: the concatenated profile plus the five papers as ``documents``;

where ``<agg>`` aggregates the document scores: ``max`` (best paper), ``best-2``, ``best-3``
or ``mean-5`` (all five). Teams carry no field codes here (``--codes`` adds them), so the
comparison is about content. MRR@10 and R@10 are averaged over five task seeds; Δ is the
paired-bootstrap 95 % interval of the MRR@10 difference to ``concat (today)``.

``--generic`` prints the generic-term candidates (document frequency over the reference corpus
and the demo data) from which matching/data/generic_terms.txt was reviewed.

Run: ``uv run python bench/match_documents.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matching.documents as D  # noqa: E402
from matching import match, tokenize  # noqa: E402
from matching.text import _expand  # noqa: E402

# ../shared/data beside the checkout (or beside the worktrees' parent).
DATA = next(
    (p / "shared" / "data" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").exists()),
    ROOT.parent / "shared" / "data",
)
K = 10
TEAM = 5  # papers per team (--team)


def _first(abstract: str) -> str:
    for sep in "。；;":
        if sep in abstract[:200]:
            return abstract.split(sep, 1)[0]
    return abstract[:80]


def task(papers: list[dict], seed: int, codes: bool):
    rng = random.Random(seed)
    by: dict[str, list[dict]] = {}
    for p in papers:
        by.setdefault(p["discipline"], []).append(p)
    queries, teams, rel, team_disc = [], [], {}, {}
    for disc in sorted(by):
        ps = by[disc][:]
        if len(ps) < 2 + TEAM:
            continue
        rng.shuffle(ps)
        for p in ps[:2]:
            qid = f"q{len(queries)}"
            queries.append(
                {"id": qid, "title": p["title"], "keywords": p["keywords"],
                 "description": p["abstract"]}
            )  # fmt: skip
            rel[qid] = disc
        rest = ps[2:]
        for t in range(0, len(rest) - TEAM + 1, TEAM):
            group = rest[t : t + TEAM]
            tid = f"t{len(teams)}"
            teams.append((tid, disc, group))
            team_disc[tid] = disc
    relevant = {q: {t for t, d in team_disc.items() if d == disc} for q, disc in rel.items()}

    def shape(kind: str) -> list[dict]:
        out = []
        for tid, disc, group in teams:
            rec: dict = {"id": tid}
            if kind in ("concat", "both"):
                rec |= {
                    "title": "；".join(g["title"] for g in group)[:500],
                    "keywords": [k for g in group for k in g["keywords"]][:200],
                    "description": "。".join(_first(g["abstract"]) for g in group),
                }
            else:
                rec["title"] = "研究团队"
            if kind in ("docs", "both"):
                rec["documents"] = [
                    {"kind": "paper", "title": g["title"], "abstract": g["abstract"][:5000],
                     "keywords": g["keywords"][:30]}
                    for g in group
                ]  # fmt: skip
            if codes:
                rec["field_codes"] = [disc]
            out.append(rec)
        return out

    return queries, shape, relevant


def rr(ranked: dict[str, list[str]], rel: dict[str, set[str]]) -> tuple[np.ndarray, np.ndarray]:
    mrr, r10 = [], []
    for q, rs in rel.items():
        got = ranked.get(q, [])[:K]
        mrr.append(next((1.0 / (i + 1) for i, s in enumerate(got) if s in rs), 0.0))
        r10.append(len(set(got) & rs) / min(K, len(rs)))
    return np.array(mrr), np.array(r10)


def paired_ci(a: np.ndarray, b: np.ndarray, reps: int = 2000, seed: int = 0):
    rng = np.random.default_rng(seed)
    d = a - b
    means = d[rng.integers(0, len(d), size=(reps, len(d)))].mean(axis=1)
    return float(d.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


AGGS = {"max": 1, "best-2": 2, "best-3": 3, "best-5": 5, "mean-all": 10_000}


def run(papers: list[dict], seeds: tuple[int, ...], codes: bool) -> None:
    systems = ["concat (today)"] + [
        f"{shape} {agg}" for shape in ("docs only,", "concat + docs,") for agg in AGGS
    ]
    res: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {s: [] for s in systems}
    times: dict[str, float] = {s: 0.0 for s in systems}
    n_q = n_t = 0
    for seed in seeds:
        queries, shape, rel = task(papers, seed, codes)
        n_q, n_t = len(queries), len(shape("concat"))
        for sysname in systems:
            kind = "concat" if sysname.startswith("concat (") else (
                "docs" if sysname.startswith("docs") else "both")  # fmt: skip
            agg = sysname.rsplit(" ", 1)[-1]
            D.BEST_K = AGGS.get(agg, 3)
            t0 = time.perf_counter()
            out = match(queries, shape(kind), kind="rd", top_k=K)
            times[sysname] += time.perf_counter() - t0
            ranked = {r.demand_id: [p.supply_id for p in r.pairs] for r in out}
            res[sysname].append(rr(ranked, rel))
    D.BEST_K = 3
    base = np.concatenate([x[0] for x in res["concat (today)"]])
    label = "with field codes" if codes else "no field codes"
    print(f"\n#### Teams of {TEAM} papers, {label}: {n_q} queries × {n_t} teams, "
          f"{len(seeds)} seeds\n")  # fmt: skip
    print("| team as | MRR@10 | R@10 | Δ MRR@10 vs concat (95 % CI) | time |")
    print("|---|---|---|---|---|")
    for s in systems:
        m = np.concatenate([x[0] for x in res[s]])
        r = np.concatenate([x[1] for x in res[s]])
        d, lo, hi = paired_ci(m, base)
        delta = "—" if s.startswith("concat (") else f"{d:+.4f} ({lo:+.4f}, {hi:+.4f})"
        print(f"| {s} | {m.mean():.4f} | {r.mean():.4f} | {delta} | {times[s]:.1f} s |")


def generic_candidates(threshold: float = 0.013) -> None:
    """Terms (with sub-words) frequent in both the reference abstracts and the demo records."""
    docs = [json.loads(x)["abstract"] for x in (DATA / "csl_dcp_abstracts.jsonl").open("utf-8")]
    demo = json.loads((ROOT / "service" / "demo" / "demo_data.json").read_text("utf-8"))
    mine = [
        " ".join([r["title"], r.get("description", ""), *r.get("keywords", []),
                  *r.get("skills", [])])
        for k in ("rd_needs", "capabilities", "job_openings") for r in demo[k]
    ]  # fmt: skip

    def df(texts):
        c: Counter[str] = Counter()
        for t in texts:
            toks = set(tokenize(t))
            c.update(toks | {s for x in toks for s in _expand(x)})
        return c, len(texts)

    (a, na), (b, nb) = df(docs), df(mine)
    rows = sorted(((((a[t] / na) * (b[t] / nb)) ** 0.5, t) for t in set(a) & set(b)), reverse=True)
    for g, t in rows:
        if g < threshold:
            break
        print(f"{t}\t{g:.3f}\t{a[t] / na:.3f}\t{b[t] / nb:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA / "csl_papers_dev.jsonl")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--team", type=int, default=5, help="papers per team")
    ap.add_argument("--codes", action="store_true", help="teams carry their discipline as code")
    ap.add_argument("--generic", action="store_true", help="print generic-term candidates")
    a = ap.parse_args()
    if a.generic:
        generic_candidates()
        return
    if not a.data.exists():
        sys.exit(f"缺少数据 (missing data): {a.data}")
    papers = [json.loads(x) for x in a.data.open(encoding="utf-8") if x.strip()]
    for p in papers:  # csl_dcp_abstracts.jsonl has abstracts only
        p.setdefault("title", _first(p["abstract"])[:120])
        p.setdefault("keywords", [])
    global TEAM
    TEAM = a.team
    print(f"### {a.data.name}: {len(papers)} papers")
    run(papers, tuple(range(1, a.seeds + 1)), a.codes)


if __name__ == "__main__":
    main()
