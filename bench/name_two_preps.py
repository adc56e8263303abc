"""Issue 21 analysis (session 34): would the name search weigh its texts better scored on both preparations of
a grey scan's name line (as cut and deblurred, pipeline.page.extract.deblur_name_line)? No product change.

    PYTHONPATH=. python bench/name_two_preps.py FAMILY_DIR... [--how mean|cut]

Each FAMILY_DIR is a COPY of what bench_families.py keeps (its store is rewritten in place). For every stored
cell that has name-search texts (RawCell.alternatives of a one-line name cell: log-probabilities on the
deblurred crop), the line is cut again from the stored clean page (bench/bilevel_edges.cell_lines), each
listed text is scored on the crop as cut (engine.score_readings), and the text's score is replaced by the
mean of both (`mean`: the two preparations as two witnesses of one ink) by the better of the two (`max`: the text as seen on either) or by the cut crop's alone (`cut`).
Then score with bench/fields_wrong.py (remaps with today's mapping). Counts only.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bilevel_edges import cell_lines  # noqa: E402

from pipeline.page.layout import Grid  # noqa: E402

NAMES = ("deceased_name", "agent_name", "registrant_name")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--how", default="mean")
    args = ap.parse_args()
    from ocr.ppocr import PpOcrEngine

    eng = PpOcrEngine()
    for d in [Path(x) for x in args.dirs]:
        data = next(d.glob("run-*")) / "data"
        db = sqlite3.connect(data / "store.sqlite")
        pages = {
            pid: (sha, json.loads(lay) if lay else None)
            for pid, sha, lay in db.execute("select id, clean_image, layout from pages")
        }
        changed = cells = 0
        image_of: dict[str, np.ndarray] = {}
        for rid, pid, fields_js, cells_js in db.execute("select id, page_id, fields, cells from records").fetchall():
            fields, cs = json.loads(fields_js), json.loads(cells_js)
            sha, layout = pages[pid]
            if not sha or not layout:
                continue
            dirty = False
            for name in NAMES:
                box = (fields.get(name) or {}).get("box")
                if not box:
                    continue
                for cell in cs:
                    if not cell or cell.get("box") != box or not cell.get("alternatives"):
                        continue
                    if sha not in image_of:
                        image_of.clear()
                        image_of[sha] = cv2.imread(str(next((data / "images").rglob(f"{sha}*"))), cv2.IMREAD_GRAYSCALE)
                    lines = cell_lines(image_of[sha], Grid.from_dict(layout["grid"]), box, name)
                    if len(lines) != 1:
                        continue
                    texts = [t for t, _x in cell["alternatives"]]
                    cut = eng.score_readings(lines[0], texts)
                    if cut is None:
                        continue
                    new = []
                    for (t, x), y in zip(cell["alternatives"], cut):
                        if np.isfinite(y):
                            new.append([t, float((x + y) / 2 if args.how == "mean" else max(x, y) if args.how == "max" else y)])
                    cell["alternatives"] = new
                    cells += 1
                    dirty = True
            if dirty:
                db.execute("update records set cells = ? where id = ?", (json.dumps(cs, ensure_ascii=False), rid))
                changed += 1
        db.commit()
        db.close()
        print(d.parent.parent.name, f"name cells rescored {cells}, records {changed}", flush=True)


if __name__ == "__main__":
    main()
