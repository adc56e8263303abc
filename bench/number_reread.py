"""Session 39: a stored run's number cells read again with the number decoders (pipeline.page.extract
number_decoders), written back into the store IN PLACE, so that a remap (bench/number_errors.py,
bench/fields_wrong.py) scores what reading the pages with them would have given, without reading the pages
again. Run it on a COPY of a family folder kept by bench_families.py.

    PYTHONPATH=. python bench/number_reread.py [--fields agent_phone,registrant_phone] FAMILY_DIR [FAMILY_DIR ...]

`--fields`: only these fields' cells (session 40: the phones, whose written forms were added).

A cell is read again only where read_cells would decode it: a one-line cell of a column read as a
certificate number, date, age or count whose stored readings are no value (Decoding.invalid, the first and
the second); it is read as read_cells reads it (the page's photo / enlargement, second reading below
Settings.second_read_below, decode on), and its stored cell replaced only where the new one was decoded or keeps the texts it scored (keep_scores).
Prints counts (cells looked at, decoded) and the seconds spent. Never part of the test suite.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
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


def main() -> None:
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    decoders = number_decoders(load_spec())
    args = sys.argv[1:]
    if args and args[0] == "--fields":
        keep = set(args[1].split(","))
        decoders = {f: d for f, d in decoders.items() if f in keep}
        args = args[2:]
    below = Settings.load(None).second_read_below
    for d in args:
        data = next(Path(d).glob("run-*")) / "data"
        st = Store.open(Settings().with_(data_dir=str(data)))
        con = sqlite3.connect(data / "store.sqlite")
        looked = decoded = kept = 0
        t0 = time.perf_counter()
        pages = con.execute("select id, clean_image, layout, steps from pages where status = 'done'").fetchall()
        for pid, img, lay, steps in pages:
            layout = json.loads(lay or "{}")
            if not layout.get("grid") or not layout.get("columns"):
                continue
            columns = layout["columns"]
            cols = {c: f for c, f in enumerate(columns) if f in decoders}
            if not cols:
                continue
            grid = Grid.from_dict(layout["grid"])
            s = json.loads(steps or "[]")
            photo, enlarged = processed_as_photograph(s), photograph_enlarged(s)
            stretch = {c for c, f in enumerate(columns) if f in STRETCH_FIELDS}
            gray = None
            for rid, row_no, cells_json in con.execute(
                "select id, row_no, cells from records where page_id = ?", (pid,)
            ).fetchall():
                cells = json.loads(cells_json)
                changed = False
                for c, f in cols.items():
                    if c >= len(cells) or row_no >= grid.n_rows:
                        continue
                    cell = RawCell.from_dict(cells[c])
                    dec = decoders[f]
                    if not cell.text or not dec.invalid(cell.text) or (cell.second and not dec.invalid(cell.second)):
                        continue
                    if cell.box is not None and tuple(cell.box) != tuple(grid.cell_box(row_no, c)):
                        continue  # not the grid's cell (a split or moved row): left as stored
                    looked += 1
                    if gray is None:
                        gray = st.images.get(img)
                    got = read_cells(
                        gray, grid, engine, [(row_no, c)], stretch, None, below, {c: dec}, photo=photo, enlarged=enlarged
                    )[(row_no, c)]
                    if got.decoded or got.alternatives:
                        decoded += got.decoded
                        kept += got.alternatives is not None
                        cells[c] = got.to_dict()
                        changed = True
                if changed:
                    con.execute("update records set cells = ? where id = ?", (json.dumps(cells, ensure_ascii=False), rid))
        con.commit()
        con.close()
        st.dispose()
        print(
            f"{d}: number cells looked at {looked}, decoded {decoded}, kept scored texts {kept}, {time.perf_counter() - t0:.0f} s"
        )


if __name__ == "__main__":
    main()
