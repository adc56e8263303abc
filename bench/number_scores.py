"""Session 42 (s42-phone-nums): a stored run's photographed age and date cells read again as read_cells now
reads them (pipeline.page.extract: number_rivals for an age read as a value, the scored texts kept where a
date's or an age's decoding chose none, Decoding.photo_scores), their `alternatives` written into the stored
cell IN PLACE, so that a remap (bench/digit_checks.py, bench/fields_wrong.py) gives what reading the pages
again would give, without reading the pages again. Only the cells mapping weighs them for are read (an age
the row's dates refute or that reads as none, a date that reads as none: mapping.record._validate), and only
a cell whose first reading read again equals the stored one is written. Run it on a COPY of a family folder
kept by bench_families.py.

    PYTHONPATH=. python bench/number_scores.py FAMILY_DIR [FAMILY_DIR ...]

Prints the cells looked at, written and the seconds spent. Never part of the test suite.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapping.spec import load_spec  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS, number_decoders, read_cells  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import photograph_enlarged, processed_as_photograph  # noqa: E402

DATES = ("death_date", "cremation_date", "scattering_date")


def main() -> None:
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    decoders = number_decoders(load_spec())
    for d in sys.argv[1:]:
        data = next(Path(d).glob("run-*")) / "data"
        st = Store.open(Settings().with_(data_dir=str(data)))
        con = sqlite3.connect(data / "store.sqlite")
        looked = written = 0
        t0 = time.perf_counter()
        for pid, img, lay, steps in con.execute(
            "select id, clean_image, layout, steps from pages where status = 'done'"
        ).fetchall():
            layout = json.loads(lay or "{}")
            s = json.loads(steps or "[]")
            if not layout.get("grid") or not layout.get("columns") or not processed_as_photograph(s):
                continue
            columns = layout["columns"]
            grid = Grid.from_dict(layout["grid"])
            enlarged = photograph_enlarged(s)
            stretch = {c for c, f in enumerate(columns) if f in STRETCH_FIELDS}
            gray = None
            for rid, row_no, cells_json, fields_json in con.execute(
                "select id, row_no, cells, fields from records where page_id = ?", (pid,)
            ).fetchall():
                cells, fields = json.loads(cells_json), json.loads(fields_json or "{}")
                changed = False
                for c, f in enumerate(columns):
                    if f not in decoders or c >= len(cells) or row_no >= grid.n_rows:
                        continue
                    fv = fields.get(f) or {}
                    weighed = (f == "age_years" and ("age_mismatch" in fv.get("flags", []) or fv.get("value") is None)) or (
                        f in DATES and fv.get("value") is None
                    )
                    cell = RawCell.from_dict(cells[c])
                    if not weighed or not cell.text or cell.alternatives is not None:
                        continue
                    if cell.box is not None and tuple(cell.box) != tuple(grid.cell_box(row_no, c)):
                        continue
                    looked += 1
                    if gray is None:
                        gray = st.images.get(img)
                    got = read_cells(
                        gray, grid, engine, [(row_no, c)], stretch, None, None, {c: decoders[f]}, photo=True, enlarged=enlarged
                    )[(row_no, c)]
                    if got.alternatives and got.text == cell.text:
                        cells[c] = replace(cell, alternatives=got.alternatives).to_dict()
                        written += 1
                        changed = True
                if changed:
                    con.execute("update records set cells = ? where id = ?", (json.dumps(cells, ensure_ascii=False), rid))
        con.commit()
        con.close()
        st.dispose()
        print(f"{d}: cells looked at {looked}, written {written}, {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
