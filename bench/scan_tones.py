"""Would a scan's name and address lines read better prepared otherwise (a tone curve on a grey scan, a 1-bit
scan's line softened)? Measured, no product change (session 37: pipeline.page.extract.lighten_scan_line /
prepare_scanned_name were chosen with it; soften_bilevel_line with the same measure).

    PYTHONPATH=. python bench/scan_tones.py LABEL=ROOT[,LABEL=ROOT...] asis,deblur,g20,g20_deblur [name,address]

Each ROOT holds `<family>/scans` (+ truth) and `<family>/run-*/data` (bench/photo_crops.py's pages: the
stored clean page and grid, only pages whose grid has the truth's columns and rows). Every written name /
address cell is cut as production cuts its first reading (pipeline.page.extract.line_crops), prepared by
each named preparation and read once (first reading: no second crop, no decoding, no mapping). Printed per
preparation: cells exact (ocr.agreement.normalize_text) per kind, put right / made wrong against the first
preparation named. Preparations: asis, deblur (deblur_name_line), gNN (tone curve of gamma NN/10),
gNN_deblur (the curve, then deblurred), deblur_gNN, inkstretch (the ink's median grey darkened to 40),
soften (soften_bilevel_line: a 1-bit scan's line averaged over 2 x 2 pixels).
Counts only."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from phone_cells import truth_of  # noqa: E402
from photo_crops import kind_of, pages_of  # noqa: E402

from ocr.agreement import normalize_text  # noqa: E402
from ocr.base import trim_to_ink  # noqa: E402
from pipeline.page.extract import deblur_name_line, line_crops, soften_bilevel_line, tone_curve  # noqa: E402


def ink_stretch(c: np.ndarray) -> np.ndarray:
    """The ink's median grey (Otsu's ink of the line trimmed to it) moved to 40, the paper's p90 kept."""
    t, _b = trim_to_ink(c)
    if t.size == 0:
        return c
    m = cv2.threshold(t, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1] > 0
    if m.sum() < 10:
        return c
    ink, paper = float(np.median(t[m])), float(np.percentile(t, 90))
    if paper - ink < 10:
        return c
    f = (c.astype(np.float32) - paper) * ((paper - 40) / (paper - ink)) + paper
    return np.clip(f, 0, 255).astype(np.uint8)


def prep(name: str) -> Callable[[np.ndarray], np.ndarray]:
    if name == "asis":
        return lambda c: c
    if name == "deblur":
        return deblur_name_line
    if name == "inkstretch":
        return ink_stretch
    if name == "soften":
        return soften_bilevel_line
    parts = name.split("_")
    curve = next(p for p in parts if p.startswith("g"))
    lut = tone_curve(int(curve[1:]) / 10)
    if parts == [curve]:
        return lambda c: cv2.LUT(c, lut)
    if parts == [curve, "deblur"]:
        return lambda c: deblur_name_line(cv2.LUT(c, lut))
    return lambda c: cv2.LUT(deblur_name_line(c), lut)


def main() -> None:
    from ocr.ppocr import PpOcrEngine

    roots = [a.split("=", 1) for a in sys.argv[1].split(",")]
    preps = sys.argv[2].split(",")
    kinds = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else {"name", "address"}
    eng = PpOcrEngine()
    for label, root in roots:
        pages = pages_of([Path(root)], None)
        items: list[tuple[str, str, list[np.ndarray]]] = []
        for page in pages:
            cols = page["gt"]["columns"]
            want = sorted(c for c, f in enumerate(cols) if kind_of(f, 1) in kinds)
            cells = [(r, c) for r in range(1, len(page["gt"]["rows"]) + 1) for c in want]
            crops, owners, _f = line_crops(page["gray"], page["grid"], cells, set(), page["photo"], page["upsample"])
            by: dict[tuple[int, int], list[np.ndarray]] = {}
            for o, cr in zip(owners, crops):
                by.setdefault(o, []).append(cr)
            for (r, c), cs in by.items():
                t = truth_of(page, r, c)
                if t:
                    items.append((kind_of(cols[c], r), t, cs))
        flags = Counter((p["photo"], round(p["upsample"], 2)) for p in pages)
        print(f"# {label}: pages {len(pages)} (photo, enlarged) {dict(flags)} cells {len(items)}", flush=True)
        base: list[bool] | None = None
        for name in preps:
            t0, f = time.time(), prep(name)
            reads = eng.recognize_crops([f(cr) for it in items for cr in it[2]])
            i, oks = 0, []
            for it in items:
                n = len(it[2])
                oks.append(normalize_text("".join(p.text for p in reads[i : i + n])) == it[1])
                i += n
            base = oks if base is None else base
            per = Counter(it[0] for it, ok in zip(items, oks) if ok)
            plus = sum(o and not b for o, b in zip(oks, base))
            minus = sum(b and not o for o, b in zip(oks, base))
            print(
                f"  {name:18} right {sum(oks):4}/{len(items)} {dict(per)} +{plus} -{minus} ({time.time() - t0:.0f} s)", flush=True
            )


if __name__ == "__main__":
    main()
