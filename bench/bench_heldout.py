"""Thresholds and second reads scored on a store read from pages NO threshold was fitted on (issue 27).

    python bench/bench_heldout.py --data bench/out/e2e27-v6 \
        --thresholds old=<thresholds fitted on v4 readings> new=mapping/data/thresholds.json \
        --out bench/results/heldout-seed27027-2026-12-02.md

`--data` is the data folder of a finished run (its store.sqlite; the pages' ground truth beside their
scans). Nothing is read again: every variant maps the stored cells again (exactly `backfill remap`)
and is scored by pipeline.quality.evaluate:

- each thresholds file with second reads ON: the cells as stored, second readings weighed at
  mapping (ocr.agreement.resolve below Settings.second_read_below, 0.99);
- each thresholds file with second reads OFF: a copy of the store whose cells hold what the OCR
  stage stores when `second_read_below` is unset (read_cells: no second reading, no name
  alternatives; a `decoded` reading, made whatever the setting, kept), mapped with
  second_read_below unset. One difference this cannot reproduce: a cell whose first reading was
  invalid and whose second was valid was not decoded in the ON run; OFF would have decoded it
  (so OFF here is at most slightly worse than a real OFF run on such cells).

Seconds per page: the `ocr` step each page recorded at run time (recognition first reading, and
second reading + decoding + name search together), from the ON run.
Thresholds fitted for one mode are meant for that mode: pass a fit made with --second-read-below 0
(bench/bench_calibration.py) for OFF as `name=path:off` to score it only there.
Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.kernel.store import Page, Record, Store  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402
from pipeline.quality.calibration import field_types  # noqa: E402
from pipeline.quality.evaluate import evaluate  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402


def without_second_reads(cell: RawCell) -> RawCell:
    """What read_cells stores for a cell when no second reading is made: the first reading, a
    decoded reading only (decode_valid runs whatever second_read_below is), no name alternatives."""
    if getattr(cell, "decoded", False):
        return replace(cell, alternatives=None)
    return replace(cell, second=None, second_confidence=None, second_chars=None, alternatives=None)


def off_copy(data: Path, off: Path | None = None) -> Path:
    """A copy of the data folder's store (into `off`, default <data>-off beside it) with every cell as
    read without second readings."""
    off = off or data.parent / (data.name + "-off")
    if off.exists():
        shutil.rmtree(off)
    off.mkdir(parents=True)
    data = data.resolve()
    src, dst = sqlite3.connect(data / "store.sqlite"), sqlite3.connect(off / "store.sqlite")
    src.backup(dst)  # with whatever is still in the write-ahead log
    src.close()
    dst.close()
    for entry in data.iterdir():  # images (cleaned pages, for the ink measures) shared, not copied
        if entry.name != "store.sqlite" and not entry.name.startswith("store.sqlite"):
            (off / entry.name).symlink_to(entry.resolve())
    store = Store.open(Settings(data_dir=str(off)))
    with store.session() as s:
        for rec in s.query(Record):
            rec.cells = [without_second_reads(RawCell.from_dict(c)).to_dict() for c in rec.cells]
        s.commit()
    store.dispose()
    return off


def ocr_seconds(store: Store) -> dict[str, float]:
    """Sums over the pages' `ocr` steps: crops, second crops, seconds of first and second readings."""
    tot = {
        "pages": 0,
        "crops": 0,
        "second_crops": 0,
        "decoded": 0,
        "names_searched": 0,
        "first_seconds": 0.0,
        "second_seconds": 0.0,
    }
    with store.session() as s:
        for page in s.query(Page).filter(Page.status == "done"):
            for step in page.steps or []:
                if step.get("name") != "ocr":
                    continue
                stats = step.get("result") or {}
                tot["pages"] += 1
                for k in tot:
                    if k != "pages" and k in stats:
                        tot[k] += stats[k]
    return tot


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="data folder of a finished run (store.sqlite)")
    ap.add_argument("--thresholds", nargs="+", required=True, help="name=path[:on|:off] ...")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    data = Path(args.data)
    off = off_copy(data)
    rows = []
    types = field_types()
    for spec in args.thresholds:
        name, path = spec.split("=", 1)
        modes = ["on", "off"]
        if path.endswith((":on", ":off")):
            path, mode = path.rsplit(":", 1)
            modes = [mode]
        for mode in modes:
            folder = data if mode == "on" else off
            settings = Settings(
                data_dir=str(folder), thresholds_file=str(Path(path).resolve()), second_read_below=0.99 if mode == "on" else None
            )
            store = Store.open(settings)
            remap(store, settings)
            full = evaluate(store, processed_only=True)
            with store.session() as s:
                auto = {r.id for r in s.query(Record).filter(Record.status == AUTO_ACCEPTED)}
            store.dispose()
            ev = full.to_dict()
            per_type: dict[str, list[int]] = {}
            for o in full.observations:  # auto-accepted fields and wrong ones, by field type
                if o.record in auto:
                    t = per_type.setdefault(types.get(o.field, o.field), [0, 0])
                    t[0] += 1
                    t[1] += int(not o.right)
            row = {
                "thresholds": name,
                "file": path,
                "second_reads": mode,
                "auto_by_type": per_type,
                **{k: v for k, v in ev.items() if k != "groups"},
            }
            rows.append(row)
            print(
                json.dumps(
                    {k: row[k] for k in ("thresholds", "second_reads", "field_accuracy", "auto_share", "auto_error_rate")}
                ),
                flush=True,
            )
    store = Store.open(Settings(data_dir=str(data)))
    secs = ocr_seconds(store)
    store.dispose()
    lines = [
        f"# Held-out scoring of {data} (stored cells mapped again, no OCR; `bench/bench_heldout.py`)",
        "",
        "| thresholds | second reads | fields exact | IDs exact | records auto-accepted | wrong among auto-accepted fields |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['thresholds']} | {r['second_reads']} | {r['field_accuracy']:.2%} | {r['id_accuracy']:.2%} | "
            f"{r['auto_accepted']} of {r['records']} ({r['auto_share']:.1%}) | "
            f"{r['auto_fields_wrong']} of {r['auto_fields']} ({r['auto_error_rate']:.3%}) |"
        )
    names = sorted({t for r in rows for t in r["auto_by_type"]})
    lines += [
        "",
        "Wrong among auto-accepted fields by field type (wrong / auto-accepted):",
        "",
        "| field type | " + " | ".join(f"{r['thresholds']}, second reads {r['second_reads']}" for r in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    for t in names:
        cells = [r["auto_by_type"].get(t, [0, 0]) for r in rows]
        lines.append(f"| {t} | " + " | ".join(f"{w} / {n}" for n, w in cells) + " |")
    n = max(1, secs["pages"])
    lines += [
        "",
        f"Recognition cost recorded at run time ({secs['pages']} pages): first reading {secs['first_seconds'] / n:.2f} s/page "
        f"({secs['crops'] / n:.0f} crops), second reading + decoding + name search {secs['second_seconds'] / n:.2f} s/page "
        f"({secs['second_crops'] / n:.0f} crops read again, {secs['decoded'] / n:.1f} decoded, "
        f"{secs['names_searched'] / n:.1f} names searched).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        Path(args.out).with_suffix(".json").write_text(
            json.dumps({"rows": rows, "ocr": secs}, ensure_ascii=False, indent=1), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
