"""This checkout's engine against another checkout's (e.g. main) on the same data, interleaved.

``uv run python bench/match_compare.py --other /path/to/main [--n 20000] [--reps 3]`` runs
``match()`` on the synthetic 20,000 × 20,000 R&D task of bench/match_perf.py (top-10 with
explanations) in a fresh process per repetition, alternating the two engines so that both see
the same load on a shared machine, and reports wall time and peak RSS of each, plus the median
``MatchIndex.query`` latency. Records carry no documents, so this measures what the issue #14
rules (generic terms, the relevance gate, weak flags) cost on the unchanged workload.
``--quality`` compares MRR@10 on bench/match_quality.py's tasks instead, paired per query.
Each side runs with its own bench/ scripts (both checkouts need match_perf.py and match_quality.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = next(
    (p / "shared" / "data" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").exists()),
    ROOT.parent / "shared" / "data",
)

CHILD = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, {engine!r})
sys.path.insert(1, {bench!r})
sys.path.append({root!r})  # service.reference, for the synthetic records
import match_perf
from pathlib import Path
match_perf.DATA = Path({data!r})
from matching import MatchIndex, match
from matching.engine import _kernels
_kernels().warm()
what = {what!r}
if what == "full":
    d, s = match_perf.synth({n}, {n})
    r0, k0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = r0.ru_utime + r0.ru_stime + k0.ru_utime + k0.ru_stime
    t0 = time.perf_counter()
    res = match(d, s, kind="rd", top_k=10)
    dt = time.perf_counter() - t0
    assert len(res) == {n}
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = max(me.ru_maxrss, kids.ru_maxrss) / 1024
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime - cpu0
    print(json.dumps({{"dt": dt, "rss": rss, "cpu": cpu}}))
else:
    d, s = match_perf.synth(300, {n}, seed=5)
    idx = MatchIndex(s, kind="rd")
    lat = []
    for x in d:
        t0 = time.perf_counter()
        idx.query(x, 10)
        lat.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({{"median": statistics.median(lat), "p95": sorted(lat)[int(0.95 * len(lat))]}}))
"""


def run(engine: Path, what: str, n: int) -> dict:
    code = CHILD.format(
        engine=str(engine), bench=str(engine / "bench"), root=str(ROOT),
        data=str(DATA / "csl_papers_dev.jsonl"),
        what=what, n=n,
    )  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


QUALITY = r"""
import json, sys
sys.path.insert(0, {engine!r})
sys.path.insert(1, {bench!r})
import match_quality
from matching import match
papers = [json.loads(x) for x in open({data!r}, encoding="utf-8") if x.strip()]
out = {{}}
for seed in {seeds!r}:
    for name, (queries, docs, rel) in match_quality.tasks(papers, seed=seed).items():
        if seed != {seeds!r}[0] and not name.startswith("paper"):
            continue
        res = match(queries, docs, kind="rd", top_k=10)
        ranked = {{r.demand_id: [p.supply_id for p in r.pairs] for r in res}}
        out.setdefault(name, []).extend(match_quality.reciprocal_ranks(ranked, rel).tolist())
print(json.dumps(out))
"""


def quality(other: Path, seeds=(3, 1, 2, 4, 5)) -> None:
    """MRR@10 of both engines on bench/match_quality.py's tasks (the team task over five seeds),
    with the paired-bootstrap 95 % interval of the difference."""
    import numpy as np

    def run_q(engine: Path) -> dict[str, list[float]]:
        code = QUALITY.format(
            engine=str(engine), bench=str(engine / "bench"),
            data=str(DATA / "csl_papers_dev.jsonl"), seeds=tuple(seeds),
        )  # fmt: skip
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    mine, theirs = run_q(ROOT), run_q(other)
    rng = np.random.default_rng(0)
    print("| task | this branch MRR@10 | other MRR@10 | Δ (95 % CI) |\n|---|---|---|---|")
    for name in mine:
        a, b = np.array(mine[name]), np.array(theirs[name])
        d = a - b
        means = d[rng.integers(0, len(d), size=(2000, len(d)))].mean(axis=1)
        lo, hi = np.quantile(means, [0.025, 0.975])
        print(
            f"| {name} | {a.mean():.4f} | {b.mean():.4f} | {d.mean():+.4f} ({lo:+.4f}, {hi:+.4f}) |"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--other", type=Path, required=True, help="the other checkout (e.g. main)")
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quality", action="store_true", help="compare MRR@10 instead of speed")
    a = ap.parse_args()
    if a.quality:
        quality(a.other.resolve())
        return
    engines = {"this branch": ROOT, f"other ({a.other.name})": a.other.resolve()}
    full: dict[str, list[dict]] = {k: [] for k in engines}
    for rep in range(a.reps):
        # Alternate which engine goes first: the machine's load drifts.
        for name, path in list(engines.items())[:: 1 if rep % 2 == 0 else -1]:
            full[name].append(run(path, "full", a.n))
    query = {name: run(path, "query", a.n) for name, path in engines.items()}
    print(f"| engine | `match()` {a.n:,} × {a.n:,} wall, median of {a.reps} (runs) | CPU time "
          "(process + workers), median | peak RSS (max) | `query` median / p95 |")  # fmt: skip
    print("|---|---|---|---|---|")
    for name in engines:
        ts = [x["dt"] for x in full[name]]
        print(
            f"| {name} | {statistics.median(ts):.1f} s ({', '.join(f'{t:.1f}' for t in ts)}) | "
            f"{statistics.median(x['cpu'] for x in full[name]):.1f} s | "
            f"{max(x['rss'] for x in full[name]):.0f} MiB | "
            f"{query[name]['median']:.1f} ms / {query[name]['p95']:.1f} ms |"
        )


if __name__ == "__main__":
    main()
