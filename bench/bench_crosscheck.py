"""Cross-registry check benchmark (issue 24): a province's roll against the platform's deceased.

1. data: `samples.rolls` generates the deceased (a SQLite platform made by its migrations) and a roll
   (CSV, Chinese headers) with the truth of every line; cached under bench/out/crosscheck/ (the
   10 M x 3 M set takes a few minutes to make, once);
2. the check: `backfill crosscheck ROLL --kind dibao` in a child process, its wall time and peak
   memory (the child's maximum resident set);
3. quality: precision per tier against the truth, precision of the auto-confirmed tier, recall over
   all tiers, recall per variation of the dead entries, the traps (namesakes, a deceased's ID on a
   living person's entry), months paid after death right;
4. baseline, the same machine and session: the exact-ID join an administrator would do with pandas
   (read the roll's ID column in chunks, `isin` the platform's ID numbers): its time and recall.

    PYTHONPATH=$PWD python bench/bench_crosscheck.py --deceased 3000000 --roll 10000000   # under /work/bin/quiet
    PYTHONPATH=$PWD python bench/bench_crosscheck.py --deceased 20000 --roll 100000        # a quick look

Writes bench/results/crosscheck-<deceased>x<roll>-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samples.rolls import TRAPS, VARIATIONS, make_deceased, write_big_roll, write_platform  # noqa: E402

OUT = ROOT / "bench" / "out" / "crosscheck"


def data(n_dec: int, n_roll: int, seed: int) -> Path:
    d = OUT / f"{n_dec}x{n_roll}-seed{seed}"
    if (d / "done").exists():
        return d
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    t0 = time.perf_counter()
    dec = make_deceased(n_dec, seed=seed)
    write_platform(dec, d / "platform.sqlite")
    print(f"platform written at {time.perf_counter() - t0:.0f} s", flush=True)
    truth = write_big_roll(dec, n_roll, d / "roll.csv", seed=seed + 1)
    np.savez(d / "truth.npz", **truth)
    (d / "done").write_text(f"{time.perf_counter() - t0:.0f} s\n")
    print(f"roll written at {time.perf_counter() - t0:.0f} s", flush=True)
    return d


def run_check(d: Path) -> dict:
    work = d / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKFILL_")}
    env["PYTHONPATH"] = str(ROOT)
    cmd = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "crosscheck",
        str(d / "roll.csv"),
        "--kind",
        "dibao",
        "--platform",
        f"sqlite:///{d / 'platform.sqlite'}",
        "--data-dir",
        str(work / "data"),
        "--out",
        str(work / "out"),
        "--json",
    ]
    import psutil

    t0 = time.perf_counter()
    with open(work / "stdout", "wb") as out, open(work / "stderr", "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        top = psutil.Process(proc.pid)
        peak_sum = 0
        while proc.poll() is None:  # the command and its reader process together, every 0.2 s
            try:
                rss = top.memory_info().rss + sum(c.memory_info().rss for c in top.children(recursive=True))
            except psutil.Error:
                rss = 0
            peak_sum = max(peak_sum, rss)
            time.sleep(0.2)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"crosscheck failed ({proc.returncode}): {(work / 'stderr').read_text()[-3000:]}")
    summary = json.loads((work / "stdout").read_text(encoding="utf-8"))
    peak_one = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "wall_seconds": wall,
        "peak_rss_mib": peak_sum / 2**20,
        "peak_one_mib": peak_one,
        "summary": summary,
        "store": work / "data" / "store.sqlite",
    }


def baseline(d: Path) -> dict:
    """Exact ID join: the roll's ID column read in chunks with pandas, `isin` the platform's IDs."""
    import sqlite3

    import pandas as pd

    t0 = time.perf_counter()
    con = sqlite3.connect(d / "platform.sqlite")
    ids = pd.read_sql_query("SELECT id, id_number FROM dead_information WHERE id_number IS NOT NULL", con)
    con.close()
    by_id = dict(zip(ids["id_number"], ids["id"]))
    found: dict[int, int] = {}
    line = 2
    for chunk in pd.read_csv(d / "roll.csv", dtype=str, usecols=["公民身份号码"], chunksize=1_000_000, keep_default_na=False):
        col = chunk["公民身份号码"]
        hit = col.isin(by_id.keys()).to_numpy()
        for i in np.flatnonzero(hit).tolist():
            found[line + i] = by_id[col.iat[i]]
        line += len(chunk)
    return {"seconds": time.perf_counter() - t0, "found": found}


def quality(d: Path, store: Path, base_found: dict[int, int]) -> dict:
    import sqlite3

    t = np.load(d / "truth.npz")
    dead, flags, months = t["dead"], t["flags"], t["months"]
    truth = {int(i) + 2: int(dead[i]) + 1 for i in np.flatnonzero(dead >= 0)}
    con = sqlite3.connect(store)
    hits = con.execute("SELECT roll_line, platform_row_id, tier, status, finding FROM crosscheck_hits").fetchall()
    con.close()
    per_tier: dict[str, list[int]] = {}
    found: set[int] = set()
    months_ok = months_n = 0
    traps = Counter()
    for line, row, tier, status, finding in hits:
        ok = truth.get(line) == row
        per_tier.setdefault(tier, [0, 0])
        per_tier[tier][0] += 1
        per_tier[tier][1] += ok
        i = line - 2
        for k, name in enumerate(VARIATIONS + TRAPS):
            if name in TRAPS and flags[i] & (1 << k):
                traps[(name, tier, status)] += 1
        if ok:
            found.add(line)
            f = json.loads(finding) if isinstance(finding, str) else finding
            got = int(f.get("months_after_death") or 0) if f.get("after_death") else 0
            months_n += 1
            months_ok += got == int(months[i])
    auto = [(line, row) for line, row, tier, status, _ in hits if status == "auto_confirmed"]
    auto_ok = sum(1 for line, row in auto if truth.get(line) == row)
    per_var = {}
    for k, name in enumerate(VARIATIONS):
        lines = [ln for ln in truth if flags[ln - 2] & (1 << k)]
        per_var[name] = (sum(1 for ln in lines if ln in found), len(lines))
    base_ok = sum(1 for ln, row in base_found.items() if truth.get(ln) == row)
    n_trap = {name: int(((flags & (1 << (len(VARIATIONS) + j))) != 0).sum()) for j, name in enumerate(TRAPS)}
    return {
        "dead_entries": len(truth),
        "hits": len(hits),
        "per_tier": per_tier,
        "auto": len(auto),
        "auto_ok": auto_ok,
        "recall": len(found) / max(len(truth), 1),
        "found": len(found),
        "per_variation": per_var,
        "months_ok": months_ok,
        "months_n": months_n,
        "traps": dict(traps),
        "trap_counts": n_trap,
        "baseline_recall": base_ok / max(len(truth), 1),
        "baseline_precision": base_ok / max(len(base_found), 1),
        "baseline_hits": len(base_found),
    }


def _commit() -> str:
    if os.environ.get("BENCH_COMMIT"):  # run from a snapshot of the tree (git archive), not a checkout
        return os.environ["BENCH_COMMIT"]
    try:
        return (
            subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
            or "?"
        )
    except OSError:
        return "?"


def report(n_dec: int, n_roll: int, seed: int, run: dict, base: dict, q: dict) -> str:
    s = run["summary"]
    tiers = ("id_exact", "id_name_conflict", "id_near", "name_birth_place")
    lines = [
        f"# Cross-registry check: {n_roll:,} roll entries x {n_dec:,} deceased (seed {seed})",
        "",
        f"{dt.date.today().isoformat()}, commit {_commit()}, `PYTHONPATH=$PWD python bench/bench_crosscheck.py --deceased {n_dec} "
        f"--roll {n_roll} --seed {seed}` ({os.cpu_count()} cores; the check reads the roll in a second process while it matches).",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        f"| wall time of `backfill crosscheck` (child process) | {run['wall_seconds']:.0f} s | < 600 s |",
        f"| peak memory: the command and its reader process together (sampled every 0.2 s) | {run['peak_rss_mib']:.0f} MiB "
        f"(largest single process {run['peak_one_mib']:.0f} MiB) | < 4 096 MiB |",
        f"| precision, auto-confirmed tier | {q['auto_ok'] / max(q['auto'], 1):.4f} ({q['auto_ok']} of {q['auto']}) | >= 0.995 |",
        f"| recall over all tiers | {q['recall']:.4f} ({q['found']} of {q['dead_entries']} dead entries) | >= 0.98 |",
        f"| months paid after death right (true hits) | {q['months_ok']} of {q['months_n']} | |",
        f"| baseline: exact-ID join (pandas) time | {base['seconds']:.0f} s | |",
        f"| baseline: recall, precision | {q['baseline_recall']:.4f}, {q['baseline_precision']:.4f} ({q['baseline_hits']} hits) | |",
        "",
        "| tier | hits | right | precision |",
        "|---|---|---|---|",
    ]
    for t in tiers:
        n, ok = q["per_tier"].get(t, [0, 0])
        lines.append(f"| {t} | {n} | {ok} | {ok / n if n else float('nan'):.4f} |")
    lines += [
        "",
        "Recall per variation of the dead entries (an entry may carry several):",
        "",
        "| variation | found | of |",
        "|---|---|---|",
    ]
    for v, (f, n) in q["per_variation"].items():
        lines.append(f"| {v} | {f} | {n} |")
    lines += ["", "Traps (living people): where their entries went:", ""]
    for name, n in q["trap_counts"].items():
        went = {f"{t}/{st}": c for (nm, t, st), c in q["traps"].items() if nm == name}
        lines.append(f"- {name}: {n} entries; listed as hits: {went or 'none'}")
    lines += [
        "",
        f"Check summary: {s['rows']} rows, {s['bad_rows']} bad rows ({s['bad_unchecked']} not checked), "
        f"{s['candidates']} candidate pairs scored, {s['auto_confirmed']} auto-confirmed, {s['to_review']} to review, "
        f"{s['seconds']} s inside the command.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deceased", type=int, default=3_000_000)
    ap.add_argument("--roll", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--data-only", action="store_true", help="make (or find) the data and stop")
    args = ap.parse_args()
    d = data(args.deceased, args.roll, args.seed)
    if args.data_only:
        return
    base = baseline(d)
    print(f"baseline: {base['seconds']:.1f} s", flush=True)
    run = run_check(d)
    print(f"check: {run['wall_seconds']:.1f} s, peak {run['peak_rss_mib']:.0f} MiB", flush=True)
    q = quality(d, run["store"], base["found"])
    text = report(args.deceased, args.roll, args.seed, run, base, q)
    out = ROOT / "bench" / "results" / f"crosscheck-{args.deceased}x{args.roll}-{dt.date.today().isoformat()}.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
