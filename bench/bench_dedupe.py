"""De-duplication benchmark (issue 4), one run:

1. quality: pairwise precision / recall / F1 on generated ledgers with known duplicates
   (samples.persons: within one ledger, cremation <-> sea burial, ID blank, one ID digit misread,
   confusable / variant / homophone names, other date styles, certificate written differently,
   low-confidence names, namesakes);
2. scale: 1 000 000 records deduplicated, wall time and peak RSS (in a child process, so the
   figure is the dedupe's own process: generated data included);
3. baseline: naive all-pairs rapidfuzz (process.cdist, fuzz.ratio over name|ID|certificate|birth
   date, both cores) on a 20 000-record sample, timed and extrapolated to 1 000 000 (n^2).

    PYTHONPATH=$PWD python bench/bench_dedupe.py [--quality 30000] [--scale 1000000] [--sample 20000]

Writes bench/results/dedupe.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapping.dedupe import dedupe  # noqa: E402
from samples.persons import VARIATIONS, make_persons, pairwise_quality  # noqa: E402


def quality(n: int, seed: int) -> dict:
    ps = make_persons(n, seed=seed, variation_rate=0.6)
    t0 = time.perf_counter()
    res = dedupe(ps.table())
    q = pairwise_quality(ps.person_id, res.root)
    q["seconds"] = time.perf_counter() - t0
    q["records"] = len(ps)
    q["uncertain"] = int(res.uncertain_mask.sum())
    q["candidates"] = res.candidates
    first: dict[int, int] = {}
    for i, p in enumerate(ps.person_id.tolist()):
        first.setdefault(p, i)
    per = {}
    for v in VARIATIONS:
        rows = [i for i, vs in enumerate(ps.variations) if v in vs]
        per[v] = (int(sum(res.root[i] == res.root[first[ps.person_id[i]]] for i in rows)), len(rows))
    q["per_variation"] = per
    return q


def scale_child(n: int, seed: int) -> None:
    t0 = time.perf_counter()
    ps = make_persons(n, seed=seed, variation_rate=0.6)
    gen = time.perf_counter() - t0
    t1 = time.perf_counter()
    table = ps.table()
    res = dedupe(table)
    secs = time.perf_counter() - t1
    q = pairwise_quality(ps.person_id, res.root)
    out = {
        "records": len(ps),
        "generate_seconds": gen,
        "dedupe_seconds": secs,
        "candidates": res.candidates,
        "kept_pairs": len(res.pairs),
        "uncertain": int(res.uncertain_mask.sum()),
        "blocks": res.block_counts,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **q,
    }
    print("RESULT " + json.dumps(out), flush=True)


def scale(n: int, seed: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, __file__, "--scale-child", str(n), "--seed", str(seed)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def baseline(n: int, seed: int, target: int, chunk: int = 2000) -> dict:
    """All pairs, rapidfuzz's own matrix (C++, both cores), one comparison string per record."""
    from rapidfuzz import fuzz, process

    ps = make_persons(n, seed=seed, variation_rate=0.6)
    c = ps.columns
    keys = ["|".join(str(c[f][i] or "") for f in ("name", "id_number", "cert_no", "birth_date")) for i in range(len(ps))]
    t0 = time.perf_counter()
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for s in range(0, len(keys), chunk):
        m = process.cdist(keys[s : s + chunk], keys, scorer=fuzz.ratio, dtype=np.uint8, workers=2, score_cutoff=85)
        ii, jj = np.nonzero(m)
        for i, j in zip((ii + s).tolist(), jj.tolist()):
            if i < j:
                parent[find(i)] = find(j)
    secs = time.perf_counter() - t0
    root = np.array([find(i) for i in range(len(keys))])
    q = pairwise_quality(ps.person_id, root)
    return {"records": len(ps), "seconds": secs, "extrapolated_seconds": secs * (target / len(ps)) ** 2, **q}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quality", type=int, default=30000)
    ap.add_argument("--scale", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--scale-child", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "dedupe.md"))
    a = ap.parse_args(argv)
    if a.scale_child:
        scale_child(a.scale_child, a.seed)
        return 0
    q = quality(a.quality, a.seed)
    print("quality", json.dumps(q), flush=True)
    s = scale(a.scale, a.seed + 1)
    print("scale", json.dumps(s), flush=True)
    b = baseline(a.sample, a.seed + 2, a.scale)
    print("baseline", json.dumps(b), flush=True)
    ratio = b["extrapolated_seconds"] / s["dedupe_seconds"]
    lines = [
        f"# De-duplication benchmark (seed {a.seed}, {os.cpu_count()} cores; other work was running on the machine)",
        "",
        "## Quality: pairwise, generated ledgers with known duplicates",
        "",
        "| measure | value |",
        "|---|---|",
        f"| records | {q['records']} |",
        f"| true duplicate pairs | {q['true_pairs']} |",
        f"| pairs merged automatically | {q['predicted_pairs']} |",
        f"| precision | {q['precision']:.4f} |",
        f"| recall | {q['recall']:.4f} |",
        f"| **F1** (goal ≥ 0.98) | **{q['f1']:.4f}** |",
        f"| uncertain pairs sent to review | {q['uncertain']} |",
        f"| candidate pairs compared | {q['candidates']} |",
        "",
        "| variation on the second row | found / rows |",
        "|---|---|",
        *[f"| {v} | {ok} / {n} |" for v, (ok, n) in q["per_variation"].items()],
        "",
        "## Scale: 1 000 000 records (one process; peak RSS includes the generated records)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| records | {s['records']} |",
        f"| dedupe wall time (table + blocking + scoring + clustering) (goal < 180 s) | **{s['dedupe_seconds']:.1f} s** |",
        f"| peak RSS (goal < 4096 MiB) | **{s['peak_rss_mib']:.0f} MiB** |",
        f"| generating the records (not counted) | {s['generate_seconds']:.1f} s |",
        f"| candidate pairs compared | {s['candidates']} |",
        f"| uncertain pairs | {s['uncertain']} |",
        f"| precision / recall / F1 at 1M | {s['precision']:.4f} / {s['recall']:.4f} / {s['f1']:.4f} |",
        f"| candidate pairs per blocking rule | {', '.join(f'{k} {v}' for k, v in s['blocks'].items())} |",
        "",
        "## Baseline: naive all-pairs rapidfuzz (process.cdist, fuzz.ratio ≥ 85, 2 workers)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| sample | {b['records']} records |",
        f"| all-pairs time on the sample | {b['seconds']:.1f} s |",
        f"| extrapolated to {a.scale} records (n²) | {b['extrapolated_seconds']:.0f} s ≈ {b['extrapolated_seconds'] / 3600:.1f} h |",
        f"| baseline precision / recall / F1 on the sample | {b['precision']:.4f} / {b['recall']:.4f} / {b['f1']:.4f} |",
        f"| **speed ratio baseline (extrapolated) / blocked dedupe at 1M** | **{ratio:.0f}×** |",
        "",
    ]
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
