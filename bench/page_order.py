"""Issue 21 analysis: does a register's page hold its events' order, and do the misread values break it?

    python bench/page_order.py FAMILY_DIR [...] [--no-remap] [--without-check] [--json OUT]

A register is written in the order of its events: the cremation dates of a cremation register (the
scattering dates of a sea-burial register) do not go backwards down a page, and the numbers the home
issues (certificate, registration, voyage numbers) rise row by row, often by one. For each family dir
(scans/ with the truth beside them, run-*/data the store; re-mapped first like bench/fields_wrong.py
unless --no-remap) this counts

- in the TRUTH: adjacent row pairs of a page whose values keep the order (dates non-decreasing;
  numbers the same prefix and a larger serial, and those rising by exactly one), per field and family;
- in the MAPPED values: the values read wrong (page, row and column right: as fields_wrong) and right,
  how many break their page's order (mapping.order.out_of_order: the value is out of order with a
  neighbour while its neighbours are in order with each other), and of the wrong ones that do, how
  many a single recognizer confusion (idfix.CONFUSABLE) puts back in order uniquely, and whether
  that one reading is the truth;
- what the check in mapping (flag page_order_doubted / page_order_proposed) did: values flagged right/wrong.

Counts only (no values printed). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fields_wrong import run_store  # noqa: E402

from mapping.order import ORDER_FIELDS, in_order, order_key, out_of_order, restoring_readings  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402
from pipeline.quality.evaluate import page_view, scored_value, truth_pages  # noqa: E402


def pages(family_dir: Path, settings: Settings, do_remap: bool) -> list[dict[str, Any]]:
    """Per page and order field: the rows' (truth, mapped value, auto, flags, column identified)."""
    store = run_store(family_dir, settings, do_remap)
    out = []
    for path, gpage, st, cols, recs in truth_pages(store):
        if not any(recs.values()):
            continue
        page = page_view(gpage, st, cols, recs)
        for name in ORDER_FIELDS:
            rows = []
            state = page.field_state(name)
            for grow in sorted(gpage["rows"], key=lambda g: g["row"]):
                if name not in grow["record"]:
                    continue
                rec = recs[grow["row"]]
                fv = (rec.fields.get(name) or {}) if rec is not None else {}
                rows.append(
                    {
                        "row": grow["row"],
                        "truth": scored_value(grow["record"].get(name)),
                        "value": scored_value(fv.get("value")),
                        "flags": list(fv.get("flags", [])),
                        "struck": bool(grow.get("struck")),
                        "auto": rec is not None and rec.status == AUTO_ACCEPTED,
                        "scored": rec is not None
                        and not grow.get("struck")
                        and grow["row"] not in page.misplaced
                        and state not in ("not_identified", "misassigned"),
                    }
                )
            if rows:
                out.append(
                    {
                        "family": f"{family_dir.parent.name}/{family_dir.name}",
                        "page": f"{path}#{gpage['page']}",
                        "field": name,
                        "kind": gpage.get("ledger_kind", "?"),
                        "rows": rows,
                    }
                )
    store.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--no-remap", action="store_true")
    ap.add_argument("--json", default="")
    ap.add_argument("--without-check", action="store_true", help="remap without mapping.order's check (the before figure)")
    args = ap.parse_args()
    if args.without_check:
        import pipeline.page.extract as extract

        extract.check_page_order = lambda *a, **k: None  # type: ignore[assignment]
    settings = Settings.load(None)
    allp: list[dict[str, Any]] = []
    for d in args.dirs:
        allp += pages(Path(d), settings, not args.no_remap)
    if args.json:
        p = Path(args.json)
        p.write_text(json.dumps(allp, ensure_ascii=False), encoding="utf-8")
        p.chmod(0o600)
    truth = defaultdict(Counter)
    mapped = defaultdict(Counter)
    for pg in allp:
        f, fam = pg["field"], pg["family"]
        kf = f"{pg['kind']}:{f}"
        keys = [order_key(f, r["truth"]) for r in pg["rows"] if not r["struck"]]
        keys = [k for k in keys if k is not None]
        for a, b in zip(keys, keys[1:]):
            truth[(kf, fam)]["pairs"] += 1
            truth[(kf, fam)]["in_order"] += in_order(a, b)
            truth[(kf, fam)]["plus_one"] += len(a) == 3 and a[0] == b[0] and b[1] == a[1] + 1
        values = [r["value"] for r in pg["rows"]]
        for i, r in enumerate(pg["rows"]):
            if not r["scored"] or r["value"] is None:
                continue
            c = mapped[(kf, fam)]
            right = r["value"] == r["truth"]
            kind = "right" if right else "wrong"
            c[kind] += 1
            brk = out_of_order(f, values, i)
            if brk:
                c[f"{kind}_breaks"] += 1
                if not right:
                    cands = restoring_readings(f, values, i)
                    c[
                        "wrong_breaks_one_reading"
                        if len(cands) == 1
                        else f"wrong_breaks_{min(len(cands), 2)}+_readings"
                        if cands
                        else "wrong_breaks_no_reading"
                    ] += 1
                    c["wrong_breaks_one_reading_is_truth"] += len(cands) == 1 and cands[0] == r["truth"]
                else:
                    cands = restoring_readings(f, values, i)
                    c["right_breaks_one_reading"] += len(cands) == 1
            flagged = [x for x in r["flags"] if x.startswith("page_order")]
            if flagged:
                c[f"{kind}_flagged"] += 1
                c[f"{kind}_{flagged[0]}"] += 1
            c[f"{kind}_auto"] += r["auto"]
    print("TRUTH: adjacent pairs in order / rising by one (numbers)")
    for (f, fam), c in sorted(truth.items()):
        n = max(c["pairs"], 1)
        print(f"  {f:32s} {fam:30s} pairs {c['pairs']:4d} in order {c['in_order'] / n:7.2%} plus-one {c['plus_one'] / n:7.2%}")
    tot = Counter()
    for c in truth.values():
        tot.update(c)
    print(f"  all: pairs {tot['pairs']} in order {tot['in_order'] / max(tot['pairs'], 1):.2%}")
    print("MAPPED values (scored, non-blank):")
    for (f, fam), c in sorted(mapped.items()):
        print(f"  {f:32s} {fam:30s} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    tot = Counter()
    for c in mapped.values():
        tot.update(c)
    print("  all: " + ", ".join(f"{k} {v}" for k, v in sorted(tot.items())))


if __name__ == "__main__":
    main()
