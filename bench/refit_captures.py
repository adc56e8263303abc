"""The administrator's refit (`backfill calibrate --from-reviews`) on design stores, one joint fit against
one fit per capture kind, measured on other stores.

    python bench/refit_captures.py --fit ROOT:FAMILY [--fit ...] --measure ROOT:FAMILY [--measure ...] --out DIR

Stands in for an archive whose every record was reviewed: each --fit store (a design store read with
today's OCR settings: scans/ + run-<fingerprint>/, re-mapped with the packaged thresholds) gives, per
record, its fields scored against the truth (pipeline.quality.evaluate) as a review would (right: the
value mapping gives is the one the review ended with), its page's capture kind and its source file as its
volume. pipeline.quality.refit.refit then fits on that evidence twice: as before this change (one joint
fit over every capture kind, the photographed pages counted as fitted on: the evidence's capture kinds
dropped) and as now (the file's own thresholds on the scanned pages, a section per other kind with
MIN_FITTED_PAGES pages on its fields alone). Both files are written to --out and each --measure store (not
fitted on) is re-mapped with each and scored per capture kind: records auto-accepted, wrong among their
fields. Approximations: no page limit is fitted (the evidence holds no page shares) and no record counts
as held for the spec's problems. Re-mapping rewrites the stores' records: run it on COPIES.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.bench_families import git_commit, score  # noqa: E402
from bench.fit_capture import summary  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Page, Record  # noqa: E402
from pipeline.kernel.thresholds import SCAN  # noqa: E402
from pipeline.page.routing import capture_kind  # noqa: E402
from pipeline.quality import refit as F  # noqa: E402
from pipeline.quality.calibration import _read, _read_captures, _read_doc, _read_sections, thresholds_doc  # noqa: E402


def pair(text: str) -> tuple[Path, str]:
    root, _, family = text.rpartition(":")
    return Path(root), family


def evidence(pairs: list[tuple[Path, str]], settings: Settings) -> F.Evidence:
    ev = F.Evidence()
    pages: dict[str, set[tuple[int, int]]] = {}
    for i, (root, family) in enumerate(pairs):
        got, store = score(family, settings, root, None)
        off = 1_000_000 * (i + 1)  # record ids of different stores kept apart
        with store.session() as s:
            rows = s.execute(
                select(Record.id, Page.file_id, Page.id, Page.steps, Page.ledger_kind).join(Page, Record.page_id == Page.id)
            ).all()
        seen = {o.record for o in got.observations}
        for rid, fid, pid, steps, kind in rows:
            if rid not in seen:
                continue
            cap = capture_kind(steps or [])
            ev.capture[rid + off], ev.volume[rid + off], ev.kinds[rid + off] = cap, f"{root.name}/{family}/{fid}", kind or ""
            pages.setdefault(cap, set()).add((i, pid))
        ev.obs += [
            replace(o, record=o.record + off, group=ev.volume[o.record + off]) for o in got.observations if o.record in seen
        ]
        store.dispose()
        print(f"{root.name}/{family}: {len(seen)} records scored for fitting", flush=True)
    ev.captures = {k: len(v) for k, v in sorted(pages.items())}
    ev.audited = len(ev.volume)
    return ev


def clear_caches() -> None:
    for f in (_read, _read_doc, _read_captures, _read_sections):
        f.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fit", action="append", required=True, help="ROOT:FAMILY of a design store copy (repeatable)")
    ap.add_argument("--measure", action="append", required=True, help="ROOT:FAMILY not fitted on (repeatable)")
    ap.add_argument("--out", required=True, help="folder for the two thresholds files and the JSON report")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # no thresholds version of any data_dir in use: the packaged file (fitted on scans) is the prior
    settings = Settings.load(None).with_(data_dir=str(out / "data"), thresholds_file=None)
    ev = evidence([pair(p) for p in args.fit], settings)
    print(f"evidence: {len(ev.records)} records, {len(ev.obs)} fields, pages by capture {ev.captures}", flush=True)
    # before: one joint fit over every capture kind (the records' kinds unknown to the fit), pages all counted
    joint_ev = replace(ev, capture={}, captures={SCAN: sum(ev.captures.values())})
    before = F.refit(None, settings, ev=joint_ev, folds=args.folds)
    doc_before = thresholds_doc(
        before.per_type, before.target, {"source": "refit_captures: joint"}, before.page_limit, ev.captures
    )
    after = F.refit(None, settings, ev=ev, folds=args.folds)
    doc_after = thresholds_doc(
        after.per_type,
        after.target,
        {"source": "refit_captures: by capture"},
        after.page_limit,
        F.fitted_captures(after),
        {**F.carried_sections(after), **after.sections},
    )
    files = {}
    for name, doc in (("joint", doc_before), ("by_capture", doc_after)):
        files[name] = out / f"thresholds-{name}.json"
        files[name].write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("\n".join(F.capture_lines(after)), flush=True)
    rep: dict[str, Any] = {
        "fit": args.fit,
        "measure": args.measure,
        "commit": git_commit(),
        "evidence_pages": ev.captures,
        "joint": {t: v["threshold"] for t, v in before.per_type.items()},
        "scan_only": {t: v["threshold"] for t, v in after.per_type.items()},
        "sections": {k: {t: x["threshold"] for t, x in v["per_type"].items()} for k, v in after.sections.items()},
        "captures": {k: {x: y for x, y in v.items() if x not in ("per_type", "prior")} for k, v in after.captures.items()},
        "cross_validated": {
            "joint": before.cross_validated.to_dict() if before.cross_validated else None,
            "by_capture": after.cross_validated.to_dict() if after.cross_validated else None,
        },
        "measured": {},
    }
    for m in args.measure:
        root, family = pair(m)
        for name, path in files.items():
            clear_caches()
            got, store = score(family, settings, root, str(path))
            rep["measured"].setdefault(m, {})[name] = s = summary(got, store)
            store.dispose()
            print(
                f"{root.name}/{family:16} {name:10} auto {s['auto_accepted']:4} of {s['records']:4} wrong "
                f"{s['auto_fields_wrong']:3} of {s['auto_fields']:5} by capture {s['by_capture']}",
                flush=True,
            )
    (out / "refit-captures.json").write_text(json.dumps(rep, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
