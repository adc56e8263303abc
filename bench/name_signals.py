"""What a held field's stored reading says about whether it is right: one row per field of a type
(default `name`), with the evidence its stored cell holds, scored against the truth.

    python bench/name_signals.py ROOT... --thresholds FOLD.json --out signals.json [--type name]

Each ROOT holds family folders `<family>/scans` and `<family>/run-*/data` (bench/bench_families.py). Each
store is re-mapped from its stored cells (no OCR) with `--thresholds` (a fold's, fitted on the other
families only), scored (pipeline.quality.evaluate), and for every field of the type: its confidence and
threshold, its flags, whether its record is held and whether it alone holds it (its only route reason),
whether it is right, and from its stored cell (matched by box): the first reading's confidence and its
least character probability, whether a second reading was made and agreed, and, where the recognizer's
name texts were searched (`alternatives`), the log-probability margin between the text kept and the best
other text of its length (the recognizer's CTC margin), plus whether the kept text is the likeliest.
Only counts and numbers go to the output; no value of any record. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_families import rebase_scan_paths  # noqa: E402
from bench.hold_reasons import LOW, family_stores  # noqa: E402
from mapping.spec import field_types  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Record, Store  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402
from pipeline.quality.evaluate import evaluate  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402


def cell_evidence(cell: dict[str, Any], value: str | None) -> dict[str, Any]:
    """The numbers a stored cell holds about its reading (no text)."""
    out: dict[str, Any] = {
        "cell_conf": cell.get("confidence"),
        "min_char": min(cell["chars"]) if cell.get("chars") else None,
        "agreed": cell.get("agreed"),
        "second_conf": cell.get("second_confidence"),
        "same_as_second": (cell.get("second") == cell.get("text")) if cell.get("second") is not None else None,
    }
    alts = cell.get("alternatives")
    if alts and value:
        same = {t: x for t, x in alts if len(t) == len(value)}
        if value in same:
            others = [x for t, x in same.items() if t != value]
            out["margin"] = same[value] - max(others) if others else 99.0
            out["top"] = same[value] >= max(same.values())
            out["logp"] = same[value]
    return out


def analyse(label: str, scans: Path, data: Path, settings: Settings, kind: str) -> list[dict[str, Any]]:
    s = settings.with_(data_dir=str(data))
    store = Store.open(s)
    types = field_types()
    try:
        rebase_scan_paths(store, scans)
        remap(store, s)
        ev = evaluate(store, processed_only=False, truth_dir=scans)
        right = {(o.record, o.field): o.right for o in ev.observations}
        with store.session() as ss:
            recs = [
                (r.id, r.status, list(r.route_reasons or []), dict(r.fields or {}), list(r.cells or [])) for r in ss.query(Record)
            ]
    finally:
        store.dispose()
    rows = []
    for rid, status, reasons, fields, cells in recs:
        by_box = {tuple(c["box"]): c for c in cells if isinstance(c, dict) and c.get("box")}
        wrong_fields = sum(1 for (r, _f), ok in right.items() if r == rid and not ok)
        for name, fv in fields.items():
            if types.get(name) != kind or not isinstance(fv, dict) or (rid, name) not in right:
                continue
            lows = [m for m in (LOW.match(x) for x in reasons) if m and m.group(1) == name]
            cell = by_box.get(tuple(fv["box"])) if fv.get("box") else None
            rows.append(
                {
                    "store": label,
                    "record": rid,
                    "field": name,
                    "conf": fv.get("confidence"),
                    "threshold": float(lows[0].group(3)) if lows else None,
                    "flags": list(fv.get("flags") or []),
                    "auto": status == AUTO_ACCEPTED,
                    "held_by_it": bool(lows),
                    "sole": bool(lows) and len(reasons) == 1,
                    "right": right[(rid, name)],
                    "record_wrong_fields": wrong_fields,
                    "blank": fv.get("value") in (None, ""),
                    **(cell_evidence(cell, fv.get("value")) if cell else {}),
                }
            )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--thresholds")
    ap.add_argument("--type", default="name")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    settings = Settings.load(None).with_(thresholds_file=args.thresholds)
    rows: list[dict[str, Any]] = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        rows += analyse(label, scans, data, settings, args.type)
        print(label, len(rows), flush=True)
    Path(args.out).write_text(json.dumps(rows, indent=0), encoding="utf-8")


if __name__ == "__main__":
    main()
