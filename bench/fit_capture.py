"""Thresholds fitted on photographed and low-resolution pages alone, measured on a store not fitted on.

    python bench/fit_capture.py --fit DIR/seed4405-p24 [--fit DIR/seed4407-p40] --measure DIR/seed4406-p24 --write OUT.json

A thresholds file fitted on scans says nothing of a photograph's failures (blur, a shadow, a slant the
correction misses), so routing holds every record of a page of a capture kind the file was not fitted on
(pipeline.page.routing.unfitted_capture_reason). This bench fits, for each capture kind other than a scan
of which the --fit stores (camera_capture design stores read with today's OCR settings: scans/ +
run-<fingerprint>/; repeatable, their fields pooled) hold at least MIN_FITTED_PAGES pages, the per-type thresholds on that kind's fields
alone (pipeline.quality.calibration.fit_joint, the packaged file's target, type bound and floor, as
bench/bench_families.py fits), and writes --base (default: the packaged file) with those sections added
("by_capture", pipeline.kernel.thresholds.load_thresholds). The section is fitted without a page limit
(routing applies the file's own page limit to every page; a section has none of its own).

Then it re-maps the --measure store (another draw, nothing of it fitted on) with the base file and with
the written one and scores both (pipeline.quality.evaluate): records auto-accepted and wrong among the
auto-accepted fields, per capture kind. Re-mapping rewrites the stores' records: run it on COPIES.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.bench_families import git_commit, in_use_per_type, score  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Page, Store  # noqa: E402
from pipeline.kernel.thresholds import MIN_FITTED_PAGES, SCAN  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED, capture_kind  # noqa: E402
from pipeline.quality.calibration import (  # noqa: E402
    FLOOR,
    PACKAGED,
    TYPE_CAP,
    Observation,
    _read,
    _read_captures,
    _read_doc,
    _read_sections,
    capture_section,
    field_types,
    fit_joint,
)
from pipeline.quality.evaluate import Evaluation  # noqa: E402

FAMILY = "camera_capture"


def record_captures(store: Store) -> tuple[dict[int, str], dict[str, int]]:
    """(record id -> capture kind of its page, capture kind -> processed pages with records)."""
    rec: dict[int, str] = {}
    pages: dict[str, int] = {}
    with store.session() as s:
        for page in s.scalars(select(Page).where(Page.status == "done", Page.records.any())):
            kind = capture_kind(page.steps or [])
            pages[kind] = pages.get(kind, 0) + 1
            for r in page.records:
                rec[r.id] = kind
    return rec, pages


def by_kind(ev: Evaluation, store: Store) -> dict[str, dict[str, Any]]:
    """Capture kind -> records, records auto-accepted, their fields and the wrong ones among them."""
    kinds, _ = record_captures(store)
    from pipeline.kernel.store import Record

    with store.session() as s:
        status = dict(s.execute(select(Record.id, Record.status)).all())
    out: dict[str, dict[str, Any]] = {}
    for rid, kind in kinds.items():
        row = out.setdefault(kind, {"records": 0, "auto": 0, "auto_fields": 0, "auto_wrong": 0})
        row["records"] += 1
        row["auto"] += status.get(rid) == AUTO_ACCEPTED
    auto = {rid for rid, st in status.items() if st == AUTO_ACCEPTED}
    for o in ev.observations:
        if o.record in auto and o.record in kinds:
            row = out[kinds[o.record]]
            row["auto_fields"] += 1
            row["auto_wrong"] += not o.right
    return out


def summary(ev: Evaluation, store: Store) -> dict[str, Any]:
    return {
        "records": ev.records,
        "auto_accepted": ev.auto_accepted,
        "auto_share": ev.auto_share,
        "auto_fields": ev.auto_fields,
        "auto_fields_wrong": ev.auto_fields_wrong,
        "auto_error_rate": ev.auto_error_rate,
        "field_accuracy": ev.field_accuracy,
        "by_capture": by_kind(ev, store),
    }


def fit_sections(obs: list[Observation], kinds: dict[int, str], pages: dict[str, int], args, meta: dict) -> dict:
    target = args.target
    types = field_types()
    sure: float | dict[str, float] | None = (
        None if args.no_type_bound else (args.sure if args.sure is not None else in_use_per_type())
    )
    out: dict[str, dict] = {}
    for kind, n in sorted(pages.items()):
        if kind == SCAN or n < MIN_FITTED_PAGES:
            print(f"{kind}: {n} pages, fewer than {MIN_FITTED_PAGES} (or scans): no section", flush=True)
            continue
        sel = [o for o in obs if kinds.get(o.record) == kind]
        shares = {o.record: 0.0 for o in sel}  # no page limit of its own: routing applies the file's
        fit, _limit = fit_joint(sel, shares, target, types, floor=args.floor, type_cap=args.type_cap, sure=sure)
        out[kind] = capture_section(fit, n, {**meta, "capture": kind, "fields": len(sel)})
        print(f"{kind}: {n} pages, {len(sel)} fields: { ({t: v['threshold'] for t, v in fit.items()}) }", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--fit", required=True, action="append", help="design store root (seed<S>-p<N>) holding camera_capture/ (repeatable)"
    )
    ap.add_argument("--measure", required=True, help="another design store root, not fitted on")
    ap.add_argument("--write", required=True, help="thresholds file to write (base + by_capture sections)")
    ap.add_argument("--base", default=None, help="thresholds file the sections are added to (default: packaged)")
    ap.add_argument("--target", type=float, default=None, help="default: the base file's target_wrong_share")
    ap.add_argument("--floor", type=float, default=FLOOR)
    ap.add_argument("--type-cap", type=float, default=TYPE_CAP)
    ap.add_argument("--no-type-bound", action="store_true")
    ap.add_argument(
        "--sure",
        type=float,
        default=None,
        help="the type bound's level (fit_joint's `sure`): a type goes below it only as far as the fitted kind's own "
        "fields show (default: the packaged per-type thresholds, fitted on scans)",
    )
    ap.add_argument("--results", default=None, help="folder for the JSON report (default: beside --write)")
    args = ap.parse_args()
    settings = Settings.load(None)
    base_path = Path(args.base) if args.base else ROOT / "mapping" / PACKAGED
    base = json.loads(base_path.read_text(encoding="utf-8"))
    if args.target is None:
        args.target = float(base.get("target_wrong_share", 0.0015))
    t0 = time.perf_counter()
    fit_roots, measure_root = [Path(d) for d in args.fit], Path(args.measure)
    if measure_root.resolve() in {d.resolve() for d in fit_roots}:
        ap.error("--measure must be a store no --fit names")
    obs: list[Observation] = []
    kinds: dict[int, str] = {}
    pages: dict[str, int] = {}
    fitted_as_base: dict[str, Any] = {}
    for i, root in enumerate(fit_roots):
        ev, store = score(FAMILY, settings, root, args.base)
        offset = 1_000_000 * (i + 1)  # record ids of different stores kept apart
        k, p = record_captures(store)
        kinds.update({r + offset: v for r, v in k.items()})
        for kind, n in p.items():
            pages[kind] = pages.get(kind, 0) + n
        obs += [replace(o, record=o.record + offset) for o in ev.observations]
        fitted_as_base[root.name] = summary(ev, store)
        store.dispose()
        print(f"{root.name}: scored for fitting ({time.perf_counter() - t0:.0f} s): pages by capture {p}", flush=True)
    meta = {
        "stores": [f"{d.name}/{FAMILY}" for d in fit_roots],
        "target": args.target,
        "floor": args.floor,
        "type_cap": args.type_cap,
        "type_bound": None if args.no_type_bound else (args.sure if args.sure is not None else "packaged per-type"),
        "page_limit": None,
        "engine": settings.engine,
        "commit": git_commit(),
        "bench": "bench/fit_capture.py",
    }
    sections = fit_sections(obs, kinds, pages, args, meta)
    doc = {**base, "by_capture": sections} if sections else dict(base)
    out = Path(args.write)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for f in (_read, _read_doc, _read_captures, _read_sections):
        f.cache_clear()
    rep: dict[str, Any] = {
        "fit": [str(d) for d in fit_roots],
        "measure": str(measure_root),
        "written": str(out),
        "sections": {
            k: {"pages": v["pages"], "thresholds": {t: x["threshold"] for t, x in v["per_type"].items()}}
            for k, v in sections.items()
        },
        "date": dt.date.today().isoformat(),
    }
    for root in fit_roots:
        ev, store = score(FAMILY, settings, root, str(out))
        rep[f"in_sample {root.name}"] = {"base": fitted_as_base[root.name], "written": summary(ev, store)}
        store.dispose()
    for name, th in (("base", args.base), ("written", str(out))):
        ev, store = score(FAMILY, settings, measure_root, th)
        rep.setdefault("measured", {})[name] = summary(ev, store)
        store.dispose()
        print(f"measure store scored with {name} ({time.perf_counter() - t0:.0f} s)", flush=True)
    for side in [k for k in rep if k.startswith("in_sample")] + ["measured"]:
        for name, s in rep[side].items():
            print(
                f"{side:24} {name:8} records {s['records']:4} auto {s['auto_accepted']:4} ({100 * s['auto_share']:.1f} %) "
                f"auto fields {s['auto_fields']:5} wrong {s['auto_fields_wrong']:3} ({100 * s['auto_error_rate']:.2f} %) "
                f"by capture {s['by_capture']}",
                flush=True,
            )
    results = Path(args.results) if args.results else out.parent
    results.mkdir(parents=True, exist_ok=True)
    (results / f"fit-capture-{'+'.join(d.name for d in fit_roots)}-on-{measure_root.name}.json").write_text(
        json.dumps(rep, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
