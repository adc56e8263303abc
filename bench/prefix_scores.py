"""Session 44 analysis (s44-fadednums): would the recognizer's own probabilities, summed down a register
column, tell the column's letter prefix where its cells read it each a different way (a faint carbon capital:
HZ read 12, 1Z, 22, Z, B, RZ, U2 ...)? Counts only: no value is printed.

    python bench/prefix_scores.py DIR [DIR ...] [--field registration_no]

Each DIR is a family dir as bench_families.py keeps it (scans/ with the truth, run-*/data the store); its
cells are re-mapped with today's code on the store given (bench/fields_wrong.run_store), so give a COPY.
For every page whose truth writes the field with a letter prefix, each cell whose reading ends in a body of
the truth's form (its digits and separators: register_form) is cut from the page's clean image as read_cells
cuts it (extract.line_crops) and the recognizer scores every two-capital prefix (26 x 26, no list of any
register's prefixes) before that cell's body (ocr score_readings: the CTC forward sum). A prefix's column
score is the sum over the page's cells; the page's choice is the best, with its margin over the second.
Reported per page: the cells, how many read the true prefix whole, the true prefix's rank by column score
and the margin of the best (true or not). Written for the strong carbon copy sc44 of d3316 county 02 + 04
(33 registration numbers, 2 read with their prefix). Never part of the test suite.
"""

from __future__ import annotations

import re
import string
import sys
from collections import defaultdict
from itertools import product
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fields_wrong import read_crop, run_store, scored_rows, stored_pages  # noqa: E402

from mapping.headers import register_form  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402

PREFIXES = ["".join(p) for p in product(string.ascii_uppercase, repeat=2)]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    field = "registration_no"
    if "--field" in sys.argv:
        field = sys.argv[sys.argv.index("--field") + 1]
        args = [a for a in args if a != field]
    settings = Settings.load(None)
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    for d in args:
        store = run_store(Path(d), settings, do_remap=True)
        pages = stored_pages(Path(d))
        per_page: dict[Any, dict[str, Any]] = defaultdict(
            lambda: {"sums": defaultdict(float), "cells": 0, "whole": 0, "truth": ""}
        )
        grays: dict[int, Any] = {}
        for path, gpage, cols, _page, grow, rec in scored_rows(store):
            if field not in grow["record"] or field not in cols:
                continue
            truth = str(grow["record"][field] or "")
            m = re.match(r"[A-Z]{2}(?=[0-9])", truth)
            if not m:
                continue
            pid, img, layout, steps = pages.get((path, gpage["page"]), (None, None, {}, []))
            if pid is None or not layout.get("grid") or field not in (layout.get("columns") or []):
                continue
            c = layout["columns"].index(field)
            cell = RawCell.from_dict(rec.cells[c]) if c < len(rec.cells) else RawCell("", 0.0, None)
            n, body = register_form(truth)
            text = "".join((cell.text or "").split())
            tail = text[-len(body) :] if len(text) >= len(body) else ""
            if not tail or register_form("AA" + tail) != (2, body):
                continue
            crop = read_crop(store, grays, (pid, img, layout, steps), rec.row_no, c)
            if crop is None:
                continue
            scores = engine.score_readings(crop, [p + tail for p in PREFIXES])
            pp = per_page[(d, path, gpage["page"])]
            pp["truth"] = m.group(0)
            pp["cells"] += 1
            pp["whole"] += text.startswith(m.group(0))
            for p, s in zip(PREFIXES, scores):
                pp["sums"][p] += s
        volumes: dict[Any, dict[str, Any]] = defaultdict(
            lambda: {"sums": defaultdict(float), "cells": 0, "whole": 0, "truth": ""}
        )
        for key, pp in list(per_page.items()):
            vol = volumes[(key[0], str(Path(key[1]).parent), "all")]
            vol["truth"] = pp["truth"]
            vol["cells"] += pp["cells"]
            vol["whole"] += pp["whole"]
            for p, s in pp["sums"].items():
                vol["sums"][p] += s
        for key, pp in list(per_page.items()) + list(volumes.items()):
            ranked = sorted(pp["sums"].items(), key=lambda kv: -kv[1])
            rank = [p for p, _s in ranked].index(pp["truth"]) + 1
            margin = ranked[0][1] - ranked[1][1]
            per_cell_best = ranked[0][1] / max(pp["cells"], 1)
            print(
                f"{Path(key[0]).parent.parent.name} {Path(key[1]).name} p{key[2]}: cells {pp['cells']}, read whole {pp['whole']}, "
                f"true prefix rank {rank}, best {ranked[0][0]} margin {margin:.1f} (best {per_cell_best:.1f}/cell)"
            )


if __name__ == "__main__":
    main()
