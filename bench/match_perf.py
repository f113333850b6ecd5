"""Performance benchmark of the matching engine (issue 3, item 7).

Builds synthetic R&D needs and capabilities from the CSL papers (../shared/data): each record
mixes sentences and keywords of two or three papers of one discipline, with random cities,
cooperation modes, tags, and a discipline code on the supplies (half of the demands carry one,
the others get it inferred). Measures, in one run:

* 20,000 × 20,000 → top-10 with explanations (``match``, candidates mode): wall time, CPU
  time and peak RSS (a fresh child process per repetition, so peaks are not shared; the
  engine's own forked workers are reported separately), and the effective number of cores
  available at the time (a busy-loop calibration: the machine is shared);
* recall@10 of candidates mode against exhaustive mode on 3,000 × 3,000;
* a naive baseline: ``rapidfuzz.process.cdist(token_set_ratio)`` over the full segmented texts,
  timed on a slice of demands against all supplies and extrapolated linearly;
* ``MatchIndex.query`` latency on 20,000 supplies.

Run: ``uv run python bench/match_perf.py [--n 20000] [--reps 3]``; prints a markdown block.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "csl_papers_dev.jsonl"

from service.reference import ALL_CITIES, COOPERATION_MODES  # noqa: E402

CITIES = list(ALL_CITIES)
MODES = list(COOPERATION_MODES)
TAGS = ["专精特新", "高新技术企业", "科技型中小企业"]


def synth(n_demands: int, n_supplies: int, seed: int = 7):
    papers = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    by_disc: dict[str, list[dict]] = {}
    for p in papers:
        by_disc.setdefault(p["discipline"], []).append(p)
    discs = sorted(by_disc)
    code = {d: f"D{i:02d}" for i, d in enumerate(discs)}
    rng = random.Random(seed)

    def sentences(p):
        return [s for s in p["abstract"].replace("；", "。").split("。") if s.strip()]

    def record(i: int, prefix: str, supply: bool):
        disc = rng.choice(discs)
        group = rng.sample(by_disc[disc], min(len(by_disc[disc]), rng.choice([2, 3])))
        main = group[0]
        sents = [s for p in group for s in sentences(p)]
        kws = list(main["keywords"]) + [k for p in group[1:] for k in p["keywords"][:1]]
        rng.shuffle(kws)
        rec = {
            "id": f"{prefix}{i}",
            "title": main["title"] if not supply else f"{group[-1]['title']}团队",
            "description": "。".join(rng.sample(sents, min(len(sents), 3))),
            "keywords": kws[:5],
            "city": rng.choice(CITIES),
            "cooperation_modes": rng.sample(MODES, rng.choice([1, 2])),
        }
        if supply:
            rec["field_codes"] = [code[disc]]
            rec["capacity"] = rng.randint(1, 5)
        else:
            if rng.random() < 0.5:
                rec["field_codes"] = [code[disc]]
            if rng.random() < 0.3:
                rec["tags"] = [rng.choice(TAGS)]
        return rec

    demands = [record(i, "d", False) for i in range(n_demands)]
    supplies = [record(i, "s", True) for i in range(n_supplies)]
    return demands, supplies


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _run_full(n: int, q) -> None:
    from matching import match

    demands, supplies = synth(n, n)
    base = _peak_rss_mib()
    c0 = _cpu_s()
    t0 = time.perf_counter()
    res = match(demands, supplies, kind="rd", top_k=10)
    dt = time.perf_counter() - t0
    cpu = _cpu_s() - c0
    assert len(res) == n and all(len(r.pairs) == 10 for r in res)
    # The engine forks workers for large batches: report the largest of them too.
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    q.put((dt, _peak_rss_mib(), base, kids, cpu))


def _spin(_: int) -> float:
    t0 = time.perf_counter()
    x = 0
    for i in range(15_000_000):
        x += i
    return time.perf_counter() - t0


def parallelism() -> float:
    """Effective cores right now: time of one busy loop alone / of ``nproc`` of them at once."""
    one = _spin(0)
    ctx = mp.get_context("fork")
    k = os.cpu_count() or 1
    with ctx.Pool(k) as pool:
        t0 = time.perf_counter()
        pool.map(_spin, range(k))
        many = time.perf_counter() - t0
    return k * one / many


def _run_fidelity(n: int, q) -> None:
    from matching import MatchIndex
    from matching.engine import _kernels

    demands, supplies = synth(n, n, seed=11)
    idx = MatchIndex(supplies, kind="rd")
    _kernels().warm()  # neither mode's time should include loading the compiled kernels
    t0 = time.perf_counter()
    cand = idx.rank(demands, 10)
    t_cand = time.perf_counter() - t0
    t0 = time.perf_counter()
    exh = idx.rank(demands, 10, mode="exhaustive")
    t_exh = time.perf_counter() - t0
    hits = sum(
        len({p.supply_id for p in a.pairs} & {p.supply_id for p in b.pairs})
        for a, b in zip(cand, exh, strict=True)
    )
    total = sum(len(b.pairs) for b in exh)
    q.put((hits / total, t_cand, t_exh))


def _run_naive(n: int, slice_n: int, q) -> None:
    import numpy as np
    from rapidfuzz import fuzz, process

    from matching import tokenize

    demands, supplies = synth(n, n)

    def text(r):
        return " ".join(tokenize(" ".join([r["title"], *r["keywords"], r["description"]])))

    t0 = time.perf_counter()
    dq = [text(r) for r in demands[:slice_n]]
    sc = [text(r) for r in supplies]
    t_tok = (time.perf_counter() - t0) * (n + n) / (slice_n + n)
    t0 = time.perf_counter()
    m = process.cdist(dq, sc, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.uint8)
    np.argpartition(-m.astype(np.int16), 10, axis=1)[:, :10]
    t_cdist = (time.perf_counter() - t0) * n / slice_n
    q.put((t_tok + t_cdist, t_tok, t_cdist))


def _run_query(n: int, q) -> None:
    from matching import MatchIndex

    demands, supplies = synth(300, n, seed=5)
    t0 = time.perf_counter()
    idx = MatchIndex(supplies, kind="rd")
    build = time.perf_counter() - t0
    lat = []
    for d in demands:
        t0 = time.perf_counter()
        idx.query(d, 10)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    q.put((build, statistics.median(lat), lat[int(0.95 * len(lat))]))


def _run_warm(q) -> None:
    # numba compiles the kernels once per checkout (cached in __pycache__); later processes
    # only load them. Done before the timed runs so that no run pays the one-time compile.
    t0 = time.perf_counter()
    from matching.engine import _kernels

    _kernels().warm()
    q.put(time.perf_counter() - t0)


def _child(target, *args):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores (`nproc`), {cpu}, {mem:.0f} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--fidelity-n", type=int, default=3000)
    ap.add_argument("--naive-slice", type=int, default=400)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"缺少数据 (missing data): {DATA}")
    warm = _child(_run_warm)
    par_before = parallelism()
    full = [_child(_run_full, a.n) for _ in range(a.reps)]
    par_after = parallelism()
    naive = [_child(_run_naive, a.n, a.naive_slice) for _ in range(a.reps)]
    fid = _child(_run_fidelity, a.fidelity_n)
    qry = _child(_run_query, a.n)
    t_full = statistics.median(x[0] for x in full)
    rss = max(x[1] for x in full)
    t_naive = statistics.median(x[0] for x in naive)
    print(f"### Matching performance ({a.n:,} × {a.n:,}, kind rd, top-10)\n")
    print(f"Machine: {machine()}\n")
    print("| measure | value |\n|---|---|")
    print(
        f"| `match()` wall time, median of {a.reps} (all runs) | **{t_full:.1f} s** "
        f"({', '.join(f'{x[0]:.1f}' for x in full)}) |"
    )
    print(
        f"| CPU time of `match()` (process + its workers), median | "
        f"{statistics.median(x[4] for x in full):.1f} s |"
    )
    print(
        f"| effective cores measured before / after the runs (busy-loop calibration; the "
        f"machine is shared) | {par_before:.2f} / {par_after:.2f} |"
    )
    print(
        f"| peak RSS of the process (max of runs; data alone {full[0][2]:.0f} MiB) | "
        f"**{rss:.0f} MiB** (largest forked worker {max(x[3] for x in full):.0f} MiB) |"
    )
    print(
        f"| naive `cdist(token_set_ratio)` full pass, median of {a.reps} (tokenising + cdist; "
        f"timed on {a.naive_slice} × {a.n:,} and extrapolated ×{a.n / a.naive_slice:.0f}) | "
        f"{t_naive:.0f} s (tokenise {statistics.median(x[1] for x in naive):.1f} s, cdist "
        f"{statistics.median(x[2] for x in naive):.0f} s) |"
    )
    print(f"| speed-up over naive | **{t_naive / t_full:.1f}×** |")
    print(
        f"| recall@10, candidates vs exhaustive, {a.fidelity_n:,} × {a.fidelity_n:,} | "
        f"**{fid[0]:.4f}** (candidates {fid[1]:.1f} s, exhaustive {fid[2]:.1f} s) |"
    )
    print(
        f"| numba kernels, compiled or loaded from the cache before the timed runs (a fresh "
        f"checkout compiles once) | {warm:.1f} s |"
    )
    print(f"| `MatchIndex` build on {a.n:,} supplies | {qry[0]:.1f} s |")
    print(
        f"| `MatchIndex.query` latency, median / p95 of 300 | {qry[1]:.1f} ms / {qry[2]:.1f} ms |"
    )


if __name__ == "__main__":
    main()
