"""A faint cell's lines read stretched or as they are (extract.FAINT_READ_AS_IS, brief s13-contrast).

    /work/bin/heavy python bench/bench_faint_path.py --pages 4 --fade 0.15 --scans STORE/county_editions/scans ...

Every written cell of a design store's pages (on the grid the pipeline finds, where it has the truth's shape) is
faded to `--fade` of its contrast (255 - (255 - x) * fade: imaging's fading simulated, since no design cell takes
the faint path on its own: --fade 1 counts them). Cells with no text line at the layout's ink contrast but faint
strokes (layout.faint_counts, what extract.line_crops sends down the faint path) have their lines found on the
cell stretched (layout.stretch_faint) and are read both ways: stretched, and cut from the cell as it is. Prints
cells exact and wrong among readings at >= 0.99 for each. First reading only. Never a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.bench_recognizers import _bgr  # noqa: E402
from ocr.agreement import normalize_text  # noqa: E402
from ocr.registry import get_engine  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.cleanup import clean_page  # noqa: E402
from pipeline.page.intake import load_page, probe  # noqa: E402
from pipeline.page.layout import cell_inner, faint_counts, find_grid, stretch_faint, text_line_bands  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", nargs="+", required=True)
    ap.add_argument("--pages", type=int, default=4, help="pages per scans folder")
    ap.add_argument("--fade", type=float, default=0.15)
    args = ap.parse_args()
    s = Settings(data_dir=str(ROOT / "bench" / "out" / "contrast" / "data"))
    eng = get_engine(s.engine, **s.engine_settings)
    tot = dict.fromkeys(("cells", "faint", "exact stretched", "exact as is", "wrong sure stretched", "wrong sure as is"), 0)
    for scans in args.scans:
        n = 0
        for scan in sorted(p for p in Path(scans).rglob("*") if p.is_file() and not p.name.endswith(".json")):
            gt_file = scan.with_name(scan.stem + ".gt.json")
            if not gt_file.is_file():
                continue
            gt = json.loads(gt_file.read_text(encoding="utf-8"))
            media, k = probe(scan, s)
            for i in range(k):
                if n >= args.pages:
                    break
                n += 1
                page = gt["pages"][i]
                clean = clean_page(load_page(scan, media, i + 1, s))
                grid = find_grid(clean.image, clean.table_box)
                rows = page["rows"]
                if grid.n_cols != len(page["columns"]) or grid.n_rows < len(rows) + 1:
                    continue
                for r in range(1, len(rows) + 1):
                    for c in range(grid.n_cols):
                        tot["cells"] += 1
                        inner = cell_inner(clean.image, grid.cell_box(r, c))
                        if args.fade < 1:
                            inner = (255.0 - (255.0 - inner.astype(np.float32)) * args.fade).round().astype(np.uint8)
                        if text_line_bands(inner) or not faint_counts(inner)[0]:
                            continue
                        stretched = stretch_faint(inner)
                        bands = text_line_bands(stretched)
                        if not bands:
                            continue
                        tot["faint"] += 1
                        truth = normalize_text(rows[r - 1]["cells"][c])
                        for key, src in (("stretched", stretched), ("as is", inner)):
                            pieces = eng.recognize_crops([_bgr(src[b0:b1]) for b0, b1 in bands])
                            got = normalize_text("".join(p.text for p in pieces))
                            tot["exact " + key] += got == truth
                            tot["wrong sure " + key] += min(p.confidence for p in pieces) >= 0.99 and got != truth
    print(json.dumps(tot, ensure_ascii=False))


if __name__ == "__main__":
    main()
