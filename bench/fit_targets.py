"""What the joint fit's target and type cap do to the thresholds: fit on some stores, apply to others.

    python bench/fit_targets.py STORE... --fit 0,1 --fit 2,3 --targets 0.0015,0.003 --type-caps 0.01,0.02 --tag T

Each STORE is a family folder `<family>/scans` + `<family>/run-*/data` (bench/bench_families.py's OCR stage,
or a stress copy read by it). Each is re-mapped from its stored cells (no OCR) and scored against its truth
with the packaged thresholds (pipeline.quality.evaluate); its fields' observations, page unsure shares and
ledger kinds are then fitted (pipeline.quality.calibration.fit_joint, with the type bound bench_families
passes: the packaged per-type thresholds as `sure`) on each `--fit` group (indices into STORE) for every
target and type cap, and the thresholds applied to every store outside the group (records auto-accepted and
the wrong fields among them, by the fit's own record table: every field at or above its type's threshold
and its page within its kind's limit; row and cross-field holds are not counted, so the shares run above
routing's). Says whether the fit's target (mapping/data/thresholds.json: target_wrong_share, 0.15 %) rather
than the issue's floor (0.3 %) costs records on unseen stores, and where a fit gives up ("never": every
threshold above 1, when no set of thresholds shows (wrong + 1) / fields within the target).
Counts only; the dated report goes to bench/results/fit-targets-<date>[-tag].md. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_calibration import page_shares  # noqa: E402
from bench.bench_families import in_use_per_type, rebase_scan_paths  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.quality.calibration import Observation, _Records, field_types, fit_joint  # noqa: E402
from pipeline.quality.evaluate import evaluate  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402

SHOWN = ("name", "address", "text", "code", "date", "cert_no")
"""The field types whose fitted thresholds the report shows (the others sit at the floor on the design sets)."""


def applied(
    obs: list[Observation], shares: dict[int, float], kinds: dict[int, str], fit: dict[str, dict], limit: Any
) -> tuple[int, int, int, int]:
    """(records, auto-accepted, their fields, wrong among them) of `obs` under a fit's thresholds and page limit."""
    types = field_types()
    names = sorted({types.get(o.field, "text") for o in obs})
    t = _Records(obs, shares, kinds, names, types)
    th = np.array([float(fit.get(n, {"threshold": 0.5})["threshold"]) for n in names])
    lim = np.array(
        [float(limit.get(k, 1.0)) if isinstance(limit, dict) else (1.0 if limit is None else float(limit)) for k in t.kinds]
    )
    n, fields, wrong, *_ = t.outcome(th, lim)
    return len(t.weight), int(n), int(fields), int(wrong)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stores", nargs="+", help="family folders (<family>/scans, <family>/run-*/data)")
    ap.add_argument("--fit", action="append", required=True, help="indices of the stores one fit is made on, comma-separated")
    ap.add_argument("--targets", default="0.0015,0.003")
    ap.add_argument("--type-caps", default="0.01")
    ap.add_argument(
        "--no-type-bound", action="store_true", help="fit without the type bound (fit_joint's `sure`): the target alone binds"
    )
    ap.add_argument("--tag", default="")
    ap.add_argument("--results", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()
    settings = Settings()
    labels: list[str] = []
    by_store: list[list[Observation]] = []
    shares: dict[int, float] = {}
    kinds: dict[int, str] = {}
    for i, d in enumerate(args.stores):
        fam = Path(d)
        run = sorted(fam.glob("run-*"))[-1]
        s = settings.with_(data_dir=str(run / "data"), thresholds_file=None)
        store = Store.open(s)
        try:
            rebase_scan_paths(store, fam / "scans")
            remap(store, s)
            ev = evaluate(store, processed_only=False, truth_dir=fam / "scans")
            offset = 1_000_000 * (i + 1)
            by_store.append([replace(o, record=o.record + offset) for o in ev.observations])
            shares.update(page_shares(store, offset, kinds))
        finally:
            store.dispose()
        labels.append(f"{fam.parent.name}/{fam.name}")
        print(f"{labels[-1]}: scored", flush=True)
    types, sure = field_types(), (None if args.no_type_bound else in_use_per_type())
    lines = [
        f"# Fit targets and type caps, fitted on some stores and applied to the others ({dt.date.today().isoformat()})",
        "",
        "`python bench/fit_targets.py " + " ".join(sys.argv[1:]) + "`",
        "",
        f"Commit {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=ROOT).stdout.strip()}. "
        "Stores: " + "; ".join(f"{i} {label}" for i, label in enumerate(labels)) + ". Type bound: the packaged "
        "per-type thresholds (fit_joint's `sure`)"
        + (" not applied (--no-type-bound)" if sure is None else "")
        + ". Records auto-accepted / records, wrong fields / their fields, by "
        "the fit's record table (row and cross-field holds not counted). `never`: the fit gave every type a "
        "threshold above 1.",
        "",
        "| fit on | target | type cap | thresholds (" + ", ".join(SHOWN) + ") | page limit | in sample | applied to the others |",
        "|---|---|---|---|---|---|---|",
    ]
    for group in args.fit:
        idx = [int(x) for x in group.split(",")]
        fit_obs = [o for i in idx for o in by_store[i]]
        for target in (float(x) for x in args.targets.split(",")):
            for cap in (float(x) for x in args.type_caps.split(",")):
                fit, limit = fit_joint(fit_obs, shares, target, types, type_cap=cap, page_kind=kinds, sure=sure)
                ths = [fit[n]["threshold"] for n in SHOWN if n in fit]
                shown = (
                    "never" if ths and min(ths) > 1 else ", ".join(f"{fit[n]['threshold']:g}" if n in fit else "-" for n in SHOWN)
                )
                cells = []
                for i in [i for i in range(len(by_store)) if i not in idx] + [-1]:
                    recs, acc, fields, wrong = applied(fit_obs if i < 0 else by_store[i], shares, kinds, fit, limit)
                    cells.append(
                        f"{'' if i < 0 else f'{i}: '}{acc}/{recs} ({acc / recs:.1%}), {wrong}/{fields}"
                        + (f" ({wrong / fields:.2%})" if fields else "")
                    )
                lines.append(
                    f"| {group} | {target:.2%} | {cap:.0%} | {shown} | {limit} | {cells[-1]} | {'; '.join(cells[:-1])} |"
                )
                print(lines[-1], flush=True)
    out = Path(args.results)
    out.mkdir(parents=True, exist_ok=True)
    name = f"fit-targets-{dt.date.today().isoformat()}" + (f"-{args.tag}" if args.tag else "")
    (out / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(out / f"{name}.md")


if __name__ == "__main__":
    main()
