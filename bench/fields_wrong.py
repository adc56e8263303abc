"""Issue 21 analysis: the fields read or normalized wrong ("field_wrong") on a bench store, grouped.

    python bench/fields_wrong.py bench/out/design/seed3301-p20/county_editions [...more family dirs]
    python bench/fields_wrong.py --show 20 --field id_number DIR   # also list masked examples

Each family dir is what bench_families.py keeps (scans/ with the truth beside them, run-*/data the
store). The stored cells are re-mapped with today's mapping code (no OCR, exactly `backfill remap`) and
the packaged thresholds, scored (pipeline.quality.evaluate: fields exact, IDs, wrong among
auto-accepted, the failures by kind; over all dirs also the name fields (*_name) exact and the records
auto-accepted), then every field whose page, row and column were right but whose value is not is put in a group:

- `raw_right_value_wrong`: the text mapped from equals the truth's cell text once spaces are gone (a
  normalizer fault or a format the normalizer does not read);
- `value_blank`: nothing mapped although the truth has a value;
- `one_edit` / `two_edits` / `far`: the value is 1, 2 or more character edits from the truth
  (substitution pairs counted: recognizer confusions);
- `length`: the value lost or gained characters (dropped or repeated digits, truncations).

Personal data is masked: examples show only the edit operations (which character became which, at
which position), never a whole ID, name or phone number. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterator

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402
from pipeline.quality.evaluate import (  # noqa: E402
    NOT_SCORED,
    PageView,
    evaluate,
    page_view,
    scored_value,
    truth_pages,
)
from pipeline.runs.stages import remap  # noqa: E402

PERSONAL = {"id_number", "deceased_name", "registrant_name", "agent_name", "registrant_phone", "agent_phone"}


def _ops(a: str, b: str) -> str:
    """The edit operations from a to b, as 'pos:x>y' (masked: only the characters that differ)."""
    out = []
    for op in Levenshtein.editops(a, b):
        x = a[op.src_pos] if op.tag != "insert" else ""
        y = b[op.dest_pos] if op.tag != "delete" else ""
        out.append(f"{op.src_pos}:{x or '∅'}>{y or '∅'}")
    return " ".join(out)


def _shape(text: str) -> str:
    """A personal value's shape: digits as 9, Han as 汉, others as they are."""
    return "".join("9" if c.isdigit() else ("汉" if "\u4e00" <= c <= "\u9fff" else c) for c in text)


def run_store(family_dir: Path, settings: Settings, do_remap: bool = True) -> Store:
    """The store of a family folder's first run (`run-*/data`) with the packaged thresholds, its stored
    cells re-mapped by this checkout (pipeline.runs.stages.remap: no OCR) unless `do_remap` is False:
    what this script and bench/carbon_names.py, id_misses.py, page_order.py score. The caller disposes of it."""
    run = next(family_dir.glob("run-*"))
    s = settings.with_(data_dir=str(run / "data"), thresholds_file=None)
    store = Store.open(s)
    if do_remap:
        remap(store, s)
    return store


def stored_pages(family_dir: Path) -> dict[tuple[str, int], tuple[int, Any, dict[str, Any], list[Any]]]:
    """The pages of a family folder's first run's store by (file path, page number): page id, cleaned image
    path, layout and cleanup steps as stored (what bench/digit_checks.py and prefix_scores.py crop from)."""
    con = sqlite3.connect(next(family_dir.glob("run-*")) / "data" / "store.sqlite")
    try:
        return {
            (path, page_no): (pid, img, json.loads(lay or "{}"), json.loads(steps or "[]"))
            for pid, path, page_no, img, lay, steps in con.execute(
                "select p.id, f.abs_path, p.page_no, p.clean_image, p.layout, p.steps"
                " from pages p join source_files f on p.file_id = f.id"
            )
        }
    finally:
        con.close()


def read_crop(
    store: Store, grays: dict[int, Any], page: tuple[int, Any, dict[str, Any], list[Any]], row_no: int, col: int
) -> Any:
    """The crop of cell (`row_no`, `col`) of a stored page (a stored_pages value) as extract reads it
    (pipeline.page.extract.line_crops on the page's grid, its stretched columns, a photograph's enlargement);
    None where it gives none. `grays` keeps the last page's image between calls."""
    from pipeline.page.extract import STRETCH_FIELDS, line_crops
    from pipeline.page.layout import Grid
    from pipeline.page.routing import photograph_enlarged

    pid, img, layout, steps = page
    if pid not in grays:
        grays.clear()
        grays[pid] = store.images.get(img)
    stretch = {i for i, f in enumerate(layout["columns"]) if f in STRETCH_FIELDS}
    crops, _o, _f = line_crops(
        grays[pid], Grid.from_dict(layout["grid"]), [(row_no, col)], stretch, True, photograph_enlarged(steps)
    )
    return crops[0] if len(crops) == 1 else None


def scored_rows(store: Store) -> Iterator[tuple[str, dict[str, Any], list[str], PageView, dict[str, Any], Any]]:
    """The truth rows whose fields the evaluator scores one by one (pipeline.quality.evaluate): on pages
    that gave records, rows not struck, not holding another row's writing (PageView.misplaced) and with a
    record. Yields (scan path, truth page, columns read, the page's view, truth row, record): what this
    script and bench/carbon_names.py walk."""
    for path, gpage, st, cols, recs in truth_pages(store):
        if not any(recs.values()):
            continue
        page = page_view(gpage, st, cols, recs)
        for grow in gpage["rows"]:
            rec = recs[grow["row"]]
            if rec is None or grow.get("struck") or grow["row"] in page.misplaced:
                continue
            yield path, gpage, cols, page, grow, rec


def cases(family_dir: Path, settings: Settings, every: bool = False) -> list[dict[str, Any]]:
    """The fields read or normalized wrong on one family's store (`every`: the fields read right too,
    for counting per field: bench/number_fields.py)."""
    store = run_store(family_dir, settings)
    out: list[dict[str, Any]] = []
    for _path, _gpage, _cols, page, grow, rec in scored_rows(store):
        for name, tv in grow["record"].items():
            if name in NOT_SCORED:
                continue
            fv = rec.fields.get(name) or {}
            t, o = scored_value(tv), scored_value(fv.get("value"))
            if t is None and o is None or (t == o and not every):
                continue
            own = page.truth_col(name)
            state = page.field_state(name)
            if state in ("not_identified", "misassigned"):
                continue
            cell = "".join(str(grow["cells"][own]).split()) if own is not None else ""
            raw = "".join(str(fv.get("raw") or "").split())
            out.append(
                {
                    "family": family_dir.name,
                    "field": name,
                    "truth": t or "",
                    "value": o or "",
                    "raw": raw,
                    "cell": cell,
                    "flags": list(fv.get("flags", [])),
                    "confidence": float(fv.get("confidence", 0.0)),
                    "auto": rec.status == AUTO_ACCEPTED,
                    "derived": own is None,
                }
            )
    ev = evaluate(store, processed_only=False)  # the truth beside each stored scan path
    SUMMARY.append(
        f"{family_dir.parent.name}/{family_dir.name}: fields exact {ev.field_accuracy:.2%} ({ev.fields}), "
        f"IDs {ev.id_accuracy:.2%} ({ev.ids}), auto-accepted {ev.auto_share:.1%}, "
        f"wrong among auto {ev.auto_fields_wrong}/{ev.auto_fields}, failures {dict(sorted(ev.failures.items()))}"
    )
    TOTAL[0] += ev.fields_right
    TOTAL[1] += ev.fields
    TOTAL[2] += ev.ids_right
    TOTAL[3] += ev.ids
    TOTAL[4] += ev.auto_fields_wrong
    TOTAL[5] += ev.auto_fields
    for name, (right, total) in ev.per_field.items():
        if name.endswith("_name"):
            TOTAL[6] += right
            TOTAL[7] += total
    TOTAL[8] += ev.auto_accepted
    TOTAL[9] += ev.records
    store.dispose()
    return out


SUMMARY: list[str] = []
TOTAL = [0] * 10  # fields right, fields, IDs right, IDs, auto wrong, auto, names right, names, records auto, records


def kind(c: dict[str, Any]) -> str:
    t, v = c["truth"], c["value"]
    if not v:
        return "value_blank"
    if c["cell"] and c["raw"] == c["cell"]:
        return "raw_right_value_wrong"
    if len(t) != len(v):
        return "length"
    d = Levenshtein.distance(t, v)
    return "one_edit" if d == 1 else "two_edits" if d == 2 else "far"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--show", type=int, default=0, help="masked examples per field")
    ap.add_argument("--field", default="", help="only this field")
    ap.add_argument("--json", default="", help="write the cases (unmasked: keep it under bench/out/)")
    args = ap.parse_args()
    settings = Settings.load(None)
    allc: list[dict[str, Any]] = []
    for d in args.dirs:
        allc += cases(Path(d), settings)
    if args.field:
        allc = [c for c in allc if c["field"] == args.field]
    if args.json:
        p = Path(args.json)
        p.write_text(json.dumps(allc, ensure_ascii=False, indent=0), encoding="utf-8")
        p.chmod(0o600)
    for line in SUMMARY:
        print(line)
    r, n, ir, i, aw, a, nr, nn, ra, rn = TOTAL
    print(
        f"all: fields exact {r / max(n, 1):.2%} ({r}/{n}), IDs {ir / max(i, 1):.2%} ({ir}/{i}), "
        f"wrong among auto-accepted {aw}/{a} ({aw / max(a, 1):.2%}) with the packaged thresholds; "
        f"names (*_name) exact {nr / max(nn, 1):.2%} ({nr}/{nn}), records auto-accepted {ra / max(rn, 1):.1%} ({ra}/{rn})"
    )
    by_field = Counter(c["field"] for c in allc)
    print(f"field_wrong cases: {len(allc)} (auto-accepted: {sum(c['auto'] for c in allc)})")
    groups: dict[str, Counter] = defaultdict(Counter)
    for c in allc:
        groups[c["field"]][kind(c)] += 1
    for f, n in by_field.most_common():
        print(f"  {f:28s} {n:4d}  " + ", ".join(f"{k} {m}" for k, m in groups[f].most_common()))
    subs = Counter()
    for c in allc:
        if kind(c) in ("one_edit", "two_edits") and len(c["truth"]) == len(c["value"]):
            for op in Levenshtein.editops(c["value"], c["truth"]):
                if op.tag != "replace":  # an insert and a delete of the same length: no pair
                    continue
                subs[(c["value"][op.src_pos], c["truth"][op.dest_pos])] += 1
    print("substitutions read>truth (same length, <=2 edits):", ", ".join(f"{a}>{b} {n}" for (a, b), n in subs.most_common(40)))
    if args.show:
        for f, _n in by_field.most_common():
            print(f"--- {f}")
            for c in [c for c in allc if c["field"] == f][: args.show]:
                pers = f in PERSONAL
                show = (lambda x: _shape(x)) if pers else (lambda x: x)
                vt, rc = _ops(c["value"], c["truth"]), _ops(c["raw"], c["cell"])
                if pers:  # a few changed characters say how it was misread; more would spell the value
                    vt = vt if c["value"] and vt.count(" ") < 3 else f"{Levenshtein.distance(c['value'], c['truth'])} edits"
                    rc = rc if c["raw"] and rc.count(" ") < 3 else f"{Levenshtein.distance(c['raw'], c['cell'])} edits"
                print(
                    f"  {kind(c):22s} {'AUTO ' if c['auto'] else ''}{c['confidence']:.2f} "
                    f"truth={show(c['truth'])} value={show(c['value'])} raw={show(c['raw'])} cell={show(c['cell'])} "
                    f"value>truth[{vt}] raw>cell[{rc}] {','.join(c['flags'])}"
                )


if __name__ == "__main__":
    main()
