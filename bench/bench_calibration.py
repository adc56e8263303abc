"""Calibration: fit the per-field auto-accept thresholds on a FITTING set of generated ledgers
(its own seed, never the report set), and draw the reliability plot.

    python bench/bench_calibration.py --pages 32 --seed 31337 [--write]

Runs the pipeline once on the set (bench/out/calib-<seed>; kept, so `--remap` re-maps the stored
cells without OCR after a mapping change), scores every field against the truth, fits one threshold
per field type and a page limit per ledger kind together (pipeline.quality.calibration.fit_joint) so that
the fields of the records they auto-accept are wrong no more often than --target, writes
report.md / report.json / reliability.png there, and with --write the thresholds routing uses by
default (mapping/data/thresholds.json). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.plot import reliability_png  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.kernel.store import Page, Store  # noqa: E402
from pipeline.page.extract import page_unsure_share  # noqa: E402
from pipeline.quality.calibration import (  # noqa: E402
    FLOOR,
    TYPE_CAP,
    accepted_records,
    count_captures,
    field_types,
    fit_joint,
    limit_for_kind,
    reliability,
    write_thresholds,
)
from pipeline.quality.evaluate import evaluate  # noqa: E402
from pipeline.runs.stages import remap, run_folder  # noqa: E402
from samples.generator import generate_set  # noqa: E402

PACKAGED = ROOT / "mapping" / "data" / "thresholds.json"


def page_shares(store: Store, offset: int = 0, kinds: dict[int, str] | None = None) -> dict[int, float]:
    """Record id (+ offset) -> the unsure share of its page (pipeline.page.extract.page_unsure_share);
    `kinds` is filled with record id (+ offset) -> its page's ledger kind."""
    out: dict[int, float] = {}
    with store.session() as s:
        for page in s.query(Page).filter(Page.status == "done"):
            rows = [(r.row_no, [RawCell.from_dict(c) for c in r.cells]) for r in page.records]
            share = page_unsure_share(rows)
            for r in page.records:
                out[r.id + offset] = 0.0 if share is None else share
                if kinds is not None:
                    kinds[r.id + offset] = page.ledger_kind or ""
    return out


def ocr_versions(store: Store) -> set[str]:
    """The recognizer each page was read with (its `ocr` step's version: wheel, runtime, precision, model
    files with their sha256): the provenance of a fit, since thresholds are a property of one model."""
    out: set[str] = set()
    with store.session() as s:
        for page in s.query(Page).filter(Page.status == "done"):
            for step in page.steps or []:
                if step.get("name") == "ocr" and (step.get("result") or {}).get("version"):
                    out.add(str(step["result"]["version"]))
    return out


def _limit_text(limit) -> str:
    if limit is None:
        return "none"
    if isinstance(limit, dict):
        return (
            ", ".join(f"{k} {v:.0%}" for k, v in sorted(limit.items())) + " of written cells read below 0.99 (other kinds: none)"
        )
    return f"{limit:.0%} of written cells read below 0.99"


def auto_accepted(
    obs: list, thresholds: dict[str, float], page_limit, shares: dict[int, float], kinds: dict[int, str]
) -> tuple[int, int, int, int]:
    """(records, auto-accepted, their fields, wrong among them) under thresholds and a page limit."""

    def under_limit(record: int) -> bool:
        limit = limit_for_kind(page_limit, kinds.get(record))
        return limit is None or shares.get(record, 0) <= limit

    n = len({o.record for o in obs})
    _n, acc, fields, wrong = accepted_records([o for o in obs if under_limit(o.record)], thresholds)
    return n, acc, fields, wrong


def held_out(
    obs: list, shares: dict[int, float], kinds: dict[int, str], seeds: list[int], types: dict[str, str], args
) -> list[tuple[int, tuple[int, int, int, int]]]:
    """Each fitting set scored with thresholds fitted on the others (records of set i carry the
    offset 1 000 000 * i): what a fresh set may expect of the fit, not what it was fitted to."""
    rows = []
    for i, seed in enumerate(seeds):
        rest = [o for o in obs if o.record // 1_000_000 != i]
        fit, limit = fit_joint(rest, shares, args.target, types, floor=args.floor, type_cap=args.type_cap, page_kind=kinds)
        th = {name: fit[t]["threshold"] for name, t in types.items() if t in fit}
        rows.append((seed, auto_accepted([o for o in obs if o.record // 1_000_000 == i], th, limit, shares, kinds)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=32)
    ap.add_argument("--seed", type=int, default=31337)
    ap.add_argument("--severity", type=float, default=1.0)
    ap.add_argument(
        "--target",
        type=float,
        default=0.0015,
        help="share wrong allowed among the fields of auto-accepted records on the fitting sets (the issue's "
        "bound is 0.3 %%: fitted at 0.15 %% so that a fresh set stays within it; at 0.2 %% held-out sets "
        "ranged up to 0.31 %% and fresh seed 9440 came in at 0.32 %%)",
    )
    ap.add_argument("--floor", type=float, default=FLOOR, help="least threshold of a field type read by OCR")
    ap.add_argument(
        "--type-cap", type=float, default=TYPE_CAP, help="share wrong allowed among one field type's auto-accepted fields"
    )
    ap.add_argument("--second-read-below", type=float, default=0.99)
    ap.add_argument(
        "--page-workers", type=int, default=1, help="pages read at once (1: one core, as inside one /work/bin/heavy slot)"
    )
    ap.add_argument("--remap", action="store_true", help="re-map the stored cells (no OCR) before scoring")
    ap.add_argument("--write", action="store_true", help=f"write the fitted thresholds to {PACKAGED.relative_to(ROOT)}")
    ap.add_argument("--thresholds-out", default=None, help="write the fitted thresholds to this file instead (a trial fit)")
    ap.add_argument(
        "--pool",
        type=int,
        nargs="*",
        default=[],
        help="seeds of other fitting sets already run (bench/out/calib-<seed>) whose fields are fitted on too",
    )
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = ap.parse_args()

    out = Path(args.out) / f"calib-{args.seed}"
    scans_dir = out / "scans"
    settings = Settings(
        data_dir=str(out / "data"), thresholds_file="", second_read_below=args.second_read_below, page_workers=args.page_workers
    )
    run = {}
    if not (out / "data" / "store.sqlite").is_file():
        if not scans_dir.is_dir():
            generate_set(scans_dir, pages=args.pages, seed=args.seed, severity=args.severity)
        t0 = time.perf_counter()
        summary = run_folder(scans_dir, settings)
        run = {"pages": summary.pages, "seconds": round(time.perf_counter() - t0, 1)}
        print(f"pipeline: {summary.pages} pages in {run['seconds']} s", flush=True)
    store = Store.open(settings)
    if args.remap:
        remap(store, settings)
    ev = evaluate(store, processed_only=True)
    obs = list(ev.observations)
    kinds: dict[int, str] = {}
    shares = page_shares(store, 0, kinds)
    captures = count_captures(store)
    with store.session() as s:
        pages_done = s.query(Page).filter(Page.status == "done").count()
    engines = ocr_versions(store)
    for seed in args.pool:  # other fitting sets, mapped with the same code
        other_settings = settings.with_(data_dir=str(Path(args.out) / f"calib-{seed}" / "data"))
        other = Store.open(other_settings)
        if args.remap:
            remap(other, other_settings)
        oev = evaluate(other, processed_only=True)
        engines |= ocr_versions(other)
        offset = 1_000_000 * (args.pool.index(seed) + 1)  # record ids of different stores kept apart
        obs += [replace(o, record=o.record + offset) for o in oev.observations]
        shares.update(page_shares(other, offset, kinds))
        for kind, n in count_captures(other).items():
            captures[kind] = captures.get(kind, 0) + n
        with other.session() as s:
            pages_done += s.query(Page).filter(Page.status == "done").count()
        other.dispose()
    types = field_types()
    fit, page_limit = fit_joint(obs, shares, args.target, types, floor=args.floor, type_cap=args.type_cap, page_kind=kinds)
    meta = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "engines": sorted(engines),
        "generated_sets_only": "generator seeds at --severity; never the variation families of samples/families.py",
        "seed": args.seed,
        "pooled_seeds": args.pool,
        "pages": pages_done,
        "severity": args.severity,
        "fields": len(obs),
        "target": args.target,
        "type_cap": args.type_cap,
        "floor": args.floor,
        "second_read_below": args.second_read_below,
    }
    if args.write or args.thresholds_out:
        target = Path(args.thresholds_out) if args.thresholds_out else PACKAGED
        write_thresholds(target, fit, args.target, meta, page_limit, captures)
        print(f"wrote {target}")
    th = {name: fit[t]["threshold"] for name, t in types.items() if t in fit}

    # what the fitted thresholds do on the fitting set itself (records auto-accepted, residual error),
    # and on each set when fitted on the others only
    n_records, n_acc, n_fields, wrong = auto_accepted(obs, th, page_limit, shares, kinds)
    seeds = [args.seed, *args.pool]
    cv = held_out(obs, shares, kinds, seeds, types, args) if len(seeds) > 1 else []
    store.dispose()
    accuracy = sum(o.right for o in obs) / max(1, len(obs))
    groups = {"all fields": reliability(obs)}
    for t in ("id_number", "name", "date", "code", "address"):
        sel = [o for o in obs if types.get(o.field) == t]
        if sel:
            groups[t] = reliability(sel)
    reliability_png(
        out / "reliability.png",
        groups,
        f"Reliability, fitting set seed {' + '.join(str(x) for x in [args.seed, *args.pool])} ({len(obs)} fields)",
    )
    report = {
        "meta": meta,
        "run": run,
        "fit": fit,
        "thresholds": th,
        "page_unsure_max": page_limit,
        "on_fitting_set": {"records": n_records, "auto_accepted": n_acc, "auto_fields": n_fields, "auto_fields_wrong": wrong},
        "held_out": [
            {"seed": seed, "records": r[0], "auto_accepted": r[1], "auto_fields": r[2], "auto_fields_wrong": r[3]}
            for seed, r in cv
        ],
        "reliability": groups,
        "accuracy": {k: v for k, v in ev.to_dict().items() if k != "groups"},
    }
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    seeds = " + ".join(str(x) for x in [args.seed, *args.pool])
    lines = [
        f"# Calibration (fitting set seed {seeds}, {pages_done} pages, target {args.target:.2%} wrong among auto-accepted fields)",
        "",
        f"fields scored {len(obs)} of {n_records} records, field accuracy {accuracy:.2%}; "
        f"page limit: {_limit_text(page_limit)}; "
        f"with these thresholds on the fitting set: {n_acc} of {n_records} records auto-accepted, {wrong} of {n_fields} "
        f"of their fields wrong ({wrong / max(1, n_fields):.2%})",
        "",
        "| field type | threshold | fields | in auto-accepted records | wrong there |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {t} | {v['threshold']:.3f} | {v['n']} | {v['accepted']} | {v['wrong_accepted']} |" for t, v in fit.items()]
    if cv:
        lines += [
            "",
            "Each set scored with the thresholds fitted on the other sets only:",
            "",
            "| held-out set | records | auto-accepted | wrong among their fields |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {seed} | {r[0]} | {r[1]} ({r[1] / max(1, r[0]):.1%}) | {r[3]} of {r[2]} ({r[3] / max(1, r[2]):.3%}) |"
            for seed, r in cv
        ]
        tot = [sum(r[k] for _s, r in cv) for k in range(4)]
        lines += [
            f"| all | {tot[0]} | {tot[1]} ({tot[1] / max(1, tot[0]):.1%}) | {tot[3]} of {tot[2]} ({tot[3] / max(1, tot[2]):.3%}) |"
        ]
    lines += ["", "| confidence bucket | fields | observed accuracy |", "|---|---|---|"]
    lines += [f"| {r['lo']:.3f}–{r['hi']:.3f} | {r['n']} | {r['accuracy']:.2%} |" for r in groups["all fields"]]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.write:
        (ROOT / "bench" / "results").mkdir(exist_ok=True)
        (ROOT / "bench" / "results" / f"calibration-seed{args.seed}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        import shutil

        shutil.copyfile(out / "reliability.png", ROOT / "bench" / "results" / f"calibration-seed{args.seed}-reliability.png")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
