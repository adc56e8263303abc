"""Session 40: a stored run's phone cells on photographs scored against their rivals as read_cells now does
(pipeline.page.extract.phone_rivals: the first reading and the likeliest texts one recognizer digit confusion
from it, on the line's own crop), the scores written into the stored cell (its `alternatives`) IN PLACE, so
that a remap (bench/fields_wrong.py, bench/number_errors.py) gives what reading the pages again would give for
the phones, without reading the pages again. Only a cell whose first reading read again equals the stored
one is written (its texts and confidences are left as stored). Run it on a COPY of a family folder kept by
bench_families.py.

    PYTHONPATH=. python bench/phone_rivals.py [--scans] FAMILY_DIR [FAMILY_DIR ...]

`--scans`: also the pages not processed as photographs (what the rule would do there; read_cells scores only
a photograph's phones).

Prints the cells looked at, written and the seconds spent (the cost a photographed page pays). Never part of
the test suite.
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

import pipeline.page.extract as extract  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS, line_crops, read_cells  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import photograph_enlarged, processed_as_photograph  # noqa: E402

PHONES = ("agent_phone", "registrant_phone")


def main() -> None:
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    spent = [0.0]
    own = extract.phone_rivals

    def timed(*a, **k):  # what the product adds: the scoring of the rivals alone
        t = time.perf_counter()
        try:
            return own(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t

    extract.phone_rivals = timed
    scans = "--scans" in sys.argv
    for d in [a for a in sys.argv[1:] if a != "--scans"]:
        data = next(Path(d).glob("run-*")) / "data"
        st = Store.open(Settings().with_(data_dir=str(data)))
        con = sqlite3.connect(data / "store.sqlite")
        looked = written = pages_n = 0
        spent[0] = 0.0
        t0 = time.perf_counter()
        for pid, img, lay, steps in con.execute(
            "select id, clean_image, layout, steps from pages where status = 'done'"
        ).fetchall():
            layout = json.loads(lay or "{}")
            s = json.loads(steps or "[]")
            photo = processed_as_photograph(s)
            if not layout.get("grid") or not layout.get("columns") or not (photo or scans):
                continue
            columns = layout["columns"]
            cols = {c for c, f in enumerate(columns) if f in PHONES}
            if not cols:
                continue
            pages_n += 1
            grid = Grid.from_dict(layout["grid"])
            enlarged = photograph_enlarged(s)
            stretch = {c for c, f in enumerate(columns) if f in STRETCH_FIELDS}
            gray = st.images.get(img)
            for rid, row_no, cells_json in con.execute(
                "select id, row_no, cells from records where page_id = ?", (pid,)
            ).fetchall():
                cells = json.loads(cells_json)
                changed = False
                for c in cols:
                    if c >= len(cells) or row_no >= grid.n_rows:
                        continue
                    cell = RawCell.from_dict(cells[c])
                    if not cell.text or cell.alternatives is not None:
                        continue
                    if cell.box is not None and tuple(cell.box) != tuple(grid.cell_box(row_no, c)):
                        continue  # not the grid's cell (a split or moved row): left as stored
                    looked += 1
                    if photo:
                        got = read_cells(
                            gray, grid, engine, [(row_no, c)], stretch, None, None, photo=True, enlarged=enlarged, phones={c}
                        )[(row_no, c)]
                        text, alternatives = got.text, got.alternatives
                    else:  # a scan's line as read_cells cuts it, scored as a photograph's is
                        crops, _owners, _faint = line_crops(gray, grid, [(row_no, c)], stretch)
                        if len(crops) != 1:
                            continue
                        text = engine.recognize_crops(crops)[0].text
                        alternatives = extract.phone_rivals(engine, crops[0], text)
                    if alternatives and text == cell.text:
                        cells[c] = replace(cell, alternatives=alternatives).to_dict()
                        written += 1
                        changed = True
                if changed:
                    con.execute("update records set cells = ? where id = ?", (json.dumps(cells, ensure_ascii=False), rid))
        con.commit()
        con.close()
        st.dispose()
        dt = time.perf_counter() - t0
        print(
            f"{d}: photographed pages with phones {pages_n}, phone cells looked at {looked}, written {written}, {dt:.0f} s in all, "
            f"{spent[0]:.1f} s scoring rivals ({spent[0] / max(pages_n, 1):.2f} s a page)",
            flush=True,
        )


if __name__ == "__main__":
    main()
