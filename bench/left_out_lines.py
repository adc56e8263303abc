"""Issue 21: cells whose crop left out a line of their writing (pipeline.page.extract.lines_left_out), measured on
stored design pages: the doubt a read by this checkout puts there (LINE_LEFT_OUT) written into COPIES of bench stores,
then the stores re-mapped (pipeline.runs.stages.remap, no OCR) and scored before and after.

    python bench/left_out_lines.py COPY_DIR [...]      # family dirs (scans/ + run-*/data); the stores are CHANGED
    python bench/left_out_lines.py --read-after DIR [...]  # stores read by this checkout: scored as read (after), then
                                                          # with the doubt taken out (before); the stores are CHANGED

The readings are those stored (the doubt changes no reading): what a re-read by this checkout gives, as far as this
doubt goes. Prints, masked (counts only): cells doubted, and the scored fields whose record left or joined the
auto-accepted ones, right or wrong, and wrong among auto-accepted before and after. Never part of the test suite."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fields_wrong import run_store, scored_rows, stored_pages  # noqa: E402

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS, lines_left_out  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED, photograph_enlarged  # noqa: E402
from pipeline.page.structure import LINE_LEFT_OUT  # noqa: E402
from pipeline.quality.evaluate import NOT_SCORED, evaluate, scored_value  # noqa: E402


def fields(d: Path, settings: Settings) -> tuple[dict, tuple[int, int, int, int]]:
    store = run_store(d, settings)
    out = {}
    for path, gpage, _cols, page, grow, rec in scored_rows(store):
        for name, tv in grow["record"].items():
            if name in NOT_SCORED or page.field_state(name) in ("not_identified", "misassigned"):
                continue
            fv = rec.fields.get(name) or {}
            t, o = scored_value(tv), scored_value(fv.get("value"))
            if t is None and o is None:
                continue
            out[(path, gpage["page"], grow["row"], name)] = (
                t == o,
                rec.status == AUTO_ACCEPTED,
                "cell_line_left_out" in (fv.get("flags") or []),
            )
    ev = evaluate(store, processed_only=False)
    store.dispose()
    return out, (ev.auto_fields_wrong, ev.auto_fields, ev.auto_accepted, ev.records)


def strip(d: Path) -> Counter:
    """LINE_LEFT_OUT taken out of the copy's stored layouts (a store read by this checkout scored as before)."""
    con = sqlite3.connect(next(d.glob("run-*")) / "data" / "store.sqlite")
    n: Counter = Counter()
    for pid, lay in con.execute("select id, layout from pages").fetchall():
        layout = json.loads(lay or "{}")
        sc = (layout.get("structure") or {}).get("cells") or {}
        cols = layout.get("columns") or []
        for key in list(sc):
            if LINE_LEFT_OUT in sc[key]:
                c = int(key.split(",")[1])
                n[cols[c] if c < len(cols) and cols[c] else "?"] += 1
                sc[key] = [r for r in sc[key] if r != LINE_LEFT_OUT]
                if not sc[key]:
                    del sc[key]
        con.execute("update pages set layout = ? where id = ?", (json.dumps(layout, ensure_ascii=False), pid))
    con.commit()
    con.close()
    return n


def apply(d: Path) -> Counter:
    """The doubt written into the copy's stored layouts; the count of cells doubted by the field read there."""
    pages = stored_pages(d)
    settings = Settings.load(None)
    store = run_store(d, settings, do_remap=False)
    con = sqlite3.connect(next(d.glob("run-*")) / "data" / "store.sqlite")
    n: Counter = Counter()
    for (_path, _no), (pid, img, layout, steps) in pages.items():
        if not layout.get("grid"):
            continue
        cols = layout.get("columns") or []
        cells = []
        for row_no, cj in con.execute("select row_no, cells from records where page_id = ?", (pid,)):
            for c, cell in enumerate(json.loads(cj)):
                if str(cell.get("text") or "").strip():
                    cells.append((row_no, c))
        if not cells:
            continue
        gray = store.images.get(img)
        stretch = {c for c, f in enumerate(cols) if f in STRETCH_FIELDS}
        found = lines_left_out(gray, Grid.from_dict(layout["grid"]), cells, stretch, photograph_enlarged(steps))
        st = layout.setdefault("structure", {"page": [], "columns": {}})
        sc = st.setdefault("cells", {})
        for r, c in sorted(found):
            reasons = sc.setdefault(f"{r},{c}", [])
            if LINE_LEFT_OUT not in reasons:
                reasons.append(LINE_LEFT_OUT)
            n[cols[c] if c < len(cols) and cols[c] else "?"] += 1
        con.execute("update pages set layout = ? where id = ?", (json.dumps(layout, ensure_ascii=False), pid))
    con.commit()
    con.close()
    store.dispose()
    return n


def main() -> None:
    settings = Settings.load(None)
    tot: Counter = Counter()
    read_after = "--read-after" in sys.argv
    for a in [x for x in sys.argv[1:] if not x.startswith("--")]:
        d = Path(a)
        if read_after:
            after, (wa, aa, ra, _r) = fields(d, settings)
            n = strip(d)
            before, (wb, ab, rb, recs) = fields(d, settings)
        else:
            before, (wb, ab, rb, recs) = fields(d, settings)
            n = apply(d)
            after, (wa, aa, ra, _r) = fields(d, settings)
        c: Counter = Counter()
        for k, (right, auto, _f) in before.items():
            r2, auto2, flag2 = after.get(k, (right, auto, False))
            c["doubted_" + ("right" if right else "wrong")] += flag2
            if auto and not auto2:
                c["auto_lost_" + ("right" if right else "wrong")] += 1
            if auto2 and not auto:
                c["auto_gained_" + ("right" if right else "wrong")] += 1
        print(
            f"{d}: cells doubted {sum(n.values())} {dict(n)}; fields {dict(c)}; wrong among auto {wb}/{ab} -> {wa}/{aa};"
            f" records auto {rb} -> {ra} of {recs}"
        )
        tot.update(c)
        tot.update({"cells": sum(n.values()), "wb": wb, "ab": ab, "wa": wa, "aa": aa, "rb": rb, "ra": ra, "recs": recs})
    print("TOTAL", dict(tot))


if __name__ == "__main__":
    main()
