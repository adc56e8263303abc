"""Which flags hold records whose every field is right: per flag, the held fields carrying it, right / wrong.

    python bench/hold_flags.py ROOT... [--no-remap] [--thresholds FILE] --tag T

Each ROOT holds family folders `<family>/scans` + `<family>/run-*/data` (bench/hold_reasons.py's layout).
Each store is re-mapped from its stored cells (no OCR; `--no-remap` scores it as it is) and scored against
its truth (pipeline.quality.evaluate). A field is *held* where its route reasons say it reads below its
threshold (routing.LOW_CONFIDENCE). For every flag a held field carries: held fields right / wrong, and the
records held by fields carrying that flag alone (no other reason line: no page, row, column, check or other
field below its threshold), entirely right / with a wrong field. The same per field type, and per type by how
far below its threshold the field reads. A held field with no truth observation (a blank the truth leaves blank,
a derived field evaluate does not score) counts as right, as in bench/hold_reasons.py. Says which flag could stop holding a record by itself (its held
fields right nearly always on several sets) and which cannot. Counts only, no values. Never part of the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_families import rebase_scan_paths  # noqa: E402
from bench.hold_reasons import family_stores, gap_bin  # noqa: E402
from mapping.spec import field_types  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Record, Store  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED, LOW_CONFIDENCE  # noqa: E402
from pipeline.quality.evaluate import evaluate  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402


def analyse(label: str, scans: Path, data: Path, settings: Settings, do_remap: bool) -> dict[str, Any]:
    s = settings.with_(data_dir=str(data))
    store = Store.open(s)
    try:
        rebase_scan_paths(store, scans)
        if do_remap:
            remap(store, s)
        ev = evaluate(store, processed_only=False, truth_dir=scans)
        with store.session() as ss:
            recs = [(r.id, r.status, list(r.route_reasons or []), dict(r.fields or {})) for r in ss.query(Record)]
    finally:
        store.dispose()
    types = field_types()
    right = {(o.record, o.field): o.right for o in ev.observations}
    scored = {o.record for o in ev.observations}
    wrong_rec = {o.record for o in ev.observations if not o.right}
    flag_fields: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # flag -> held fields right, wrong
    flag_recs: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # flag -> records held by it alone: right, wrong
    type_fields: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    type_recs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    gaps: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for rid, status, reasons, fields in recs:
        if status == AUTO_ACCEPTED or rid not in scored:
            continue
        held: list[tuple[str, str, float, frozenset[str]]] = []
        other = False
        for line in reasons:
            m = LOW_CONFIDENCE.match(line)
            if not m:
                other = True
                continue
            name = m.group(1)
            fl = frozenset((fields.get(name) or {}).get("flags") or ())
            held.append((name, types.get(name, "text"), float(m.group(3)) - float(m.group(2)), fl))
        for name, t, gap, fl in held:
            ok = right.get((rid, name), True)
            type_fields[t][0 if ok else 1] += 1
            gaps[t][gap_bin(gap)][0 if ok else 1] += 1
            for f in fl or {"(none)"}:
                flag_fields[f][0 if ok else 1] += 1
        if not held or other:
            continue
        bad = rid in wrong_rec
        for f in set.intersection(*[set(fl or {"(none)"}) for *_x, fl in held]):
            flag_recs[f][1 if bad else 0] += 1
        if len({t for _n, t, _g, _f in held}) == 1:
            type_recs[held[0][1]][1 if bad else 0] += 1
    return {
        "label": label,
        "records": ev.records,
        "auto": ev.auto_accepted,
        "auto_fields": ev.auto_fields,
        "auto_wrong": ev.auto_fields_wrong,
        "flag_fields": dict(flag_fields),
        "flag_recs": dict(flag_recs),
        "type_fields": dict(type_fields),
        "type_recs": dict(type_recs),
        "gaps": {t: dict(v) for t, v in gaps.items()},
    }


def render(results: list[dict[str, Any]], command: str, commit: str) -> str:
    labels = [r["label"] for r in results]
    lines = [
        f"# Flags on held fields ({dt.date.today().isoformat()})",
        "",
        f"`{command}`",
        "",
        f"Commit {commit}. Held field: below its threshold. `fields r/w`: held fields carrying the flag, right / wrong. "
        "`alone r/w`: records held by low-confidence fields only, every one carrying the flag: entirely right / with a "
        "wrong field.",
        "",
        "| store | records | auto | wrong among auto fields |",
        "|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['label']} | {r['records']} | {r['auto']} | {r['auto_wrong']} of {r['auto_fields']} |")
    for key, title in (("flag", "flag"), ("type", "field type")):
        names = sorted(
            {k for r in results for k in r[f"{key}_fields"]},
            key=lambda k: -sum(sum(r[f"{key}_fields"].get(k, [0, 0])) for r in results),
        )
        lines += ["", f"## By {title}: held fields r/w; records held by it alone r/w", ""]
        lines.append(f"| {title} | " + " | ".join(labels) + " | total fields r/w | total alone r/w |")
        lines.append("|---|" + "---|" * (len(labels) + 2))
        for k in names:
            cells = []
            tf, tr = [0, 0], [0, 0]
            for r in results:
                a, b = r[f"{key}_fields"].get(k, [0, 0])
                c, d = r[f"{key}_recs"].get(k, [0, 0])
                tf[0] += a
                tf[1] += b
                tr[0] += c
                tr[1] += d
                cells.append(f"{a}/{b}; {c}/{d}")
            lines.append(f"| {k} | " + " | ".join(cells) + f" | {tf[0]}/{tf[1]} | {tr[0]}/{tr[1]} |")
    lines += ["", "## Held fields by type and distance below the threshold (right/wrong, all stores)", ""]
    tot: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for t, bins in r["gaps"].items():
            for b, (a, w) in bins.items():
                tot[t][(b, 0)] += a
                tot[t][(b, 1)] += w
    bins = ["<0.01", "<0.05", "<0.2", "<0.5", ">=0.5"]
    lines.append("| type | " + " | ".join(bins) + " |")
    lines.append("|---|" + "---|" * len(bins))
    for t in sorted(tot):
        lines.append(f"| {t} | " + " | ".join(f"{tot[t][(b, 0)]}/{tot[t][(b, 1)]}" for b in bins) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--thresholds")
    ap.add_argument("--no-remap", action="store_true")
    ap.add_argument("--tag", default="")
    ap.add_argument("--results", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()
    settings = Settings.load(None).with_(thresholds_file=args.thresholds)
    results = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        name = f"{data.parents[3].name}/{Path(label).name[:6]}"  # <set>/<seed>/<family>/run-*/data
        results.append(analyse(name, scans, data, settings, not args.no_remap))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    md = render(results, "python bench/hold_flags.py " + " ".join(sys.argv[1:]), commit)
    stem = f"hold-flags-{dt.date.today().isoformat()}" + (f"-{args.tag}" if args.tag else "")
    Path(args.results).mkdir(parents=True, exist_ok=True)
    (Path(args.results) / f"{stem}.md").write_text(md, encoding="utf-8")
    (Path(args.results) / f"{stem}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
