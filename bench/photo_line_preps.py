"""Photographed name / address lines prepared otherwise before the recognizer: first readings compared (no product change).

    PYTHONPATH=. python bench/photo_line_preps.py ROOT[,ROOT...] PAGES VARIANT[,VARIANT...]
    KINDS=address PYTHONPATH=. python bench/photo_line_preps.py ROOT1,ROOT2 16 prod,address:lighten,name:rl07

Each ROOT holds `<family>/scans` (+ truth) and `<family>/run-*/data` (bench/photo_crops.pages_of: only
pages whose stored grid has the truth's columns and rows, so that cell (r, c) is the truth's cell). Unlike
photo_crops' variants (cut from the page again), every variant here starts from the production crop:
pipeline.page.extract.line_crops with the page's `enlarged` (lines at the frame's own resolution, grain
trimmed) and, as read_cells does on an enlarged photograph, name lines given lighten_midtones. `prod` reads
them as they are; `KIND:STEP` applies STEP to that kind's lines only (`name`, `address`), `STEP` to all.
Steps: lighten (lighten_scan_line), mid (lighten_midtones), deblur / scanprep (deblur_name_line /
prepare_scanned_name), rl07 / rl15 (Richardson-Lucy with sigma 0.7 / 1.5 px), unsharp, gamma, pad,
up_cubic / upl (to 48 px by bicubic / Lanczos), pctl (1-90 percentile stretch), clahe, sharp2. The first
variant is the reference: each other prints cells put right / made wrong against it. Counts only are printed
(exact normalised text and mean similarity per family and kind): no personal data.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from photo_crops import STRETCH_FIELDS, gamma, kind_of, pad, pages_of, similarity, unsharp, up  # noqa: E402

import pipeline.page.extract as X  # noqa: E402
from ocr.agreement import normalize_text  # noqa: E402
from ocr.base import trim_to_ink  # noqa: E402
from ocr.ppocr import PpOcrEngine  # noqa: E402


def rl(x: np.ndarray, sigma: float, rounds: int = 5) -> np.ndarray:
    """Richardson-Lucy deconvolution of the ink (255 - level) with a Gaussian of `sigma` px."""
    ink = 256.0 - x.astype(np.float32)
    est = ink.copy()
    for _ in range(rounds):
        b = cv2.GaussianBlur(est, (0, 0), sigma)
        est = est * cv2.GaussianBlur(ink / np.maximum(b, 1e-3), (0, 0), sigma)
    return np.clip(256.0 - est, 0, 255).astype(np.uint8)


def pctl(x: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(x, 1), np.percentile(x, 90)
    if hi - lo < 20:
        return x
    return np.clip((x.astype(np.float32) - lo) / (hi - lo) * 255, 0, 255).astype(np.uint8)


def upl(x: np.ndarray) -> np.ndarray:
    t, _ = trim_to_ink(x)
    h = t.shape[0]
    if h >= 48 or h < 2:
        return t
    return cv2.resize(t, (max(1, round(t.shape[1] * 48 / h)), 48), interpolation=cv2.INTER_LANCZOS4)


STEPS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "prod": lambda x: x,
    "lighten": X.lighten_scan_line,
    "mid": X.lighten_midtones,
    "deblur": X.deblur_name_line,
    "scanprep": X.prepare_scanned_name,
    "rl07": lambda x: rl(x, 0.7),
    "rl15": lambda x: rl(x, 1.5),
    "unsharp": unsharp,
    "gamma": gamma,
    "pad": pad,
    "up_cubic": lambda x: up(x, cv2.INTER_CUBIC),
    "upl": upl,
    "pctl": pctl,
    "clahe": lambda x: cv2.createCLAHE(clipLimit=2.0, tileGridSize=(1, 4)).apply(np.ascontiguousarray(x)),
    "sharp2": lambda x: cv2.addWeighted(x, 2.0, cv2.GaussianBlur(x, (0, 0), 1.5), -1.0, 0),
}


def production_crops(page: dict[str, Any], kinds: tuple[str, ...]) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    gt = page["gt"]
    cols = gt["columns"]
    stretch = {c for c, f in enumerate(cols) if f in STRETCH_FIELDS}
    cells = [
        (r, c)
        for r in range(1, len(gt["rows"]) + 1)
        for c in range(page["grid"].n_cols)
        if c < len(cols) and kind_of(cols[c], r) in kinds
    ]
    crops, owners, _faint = X.line_crops(page["gray"], page["grid"], cells, stretch, page["photo"], page["upsample"])
    if page["photo"] and page["upsample"] > 1.0:  # read_cells' name preparation on an enlarged photograph
        crops = [X.lighten_midtones(cr) if kind_of(cols[c], r) == "name" else cr for cr, (r, c) in zip(crops, owners)]
    return crops, owners


def main() -> None:
    roots = [Path(r) for r in sys.argv[1].split(",")]
    pages = pages_of(roots, int(sys.argv[2]))
    variants = sys.argv[3].split(",")
    kinds = tuple(os.environ.get("KINDS", "name,address").split(","))
    engine = PpOcrEngine()
    print("pages", len(pages), "enlarged", [round(p["upsample"], 2) for p in pages], flush=True)
    base = [production_crops(p, kinds) for p in pages]
    right: dict[tuple[str, int, int, int], bool] = {}
    for v in variants:
        t0 = time.time()
        tot: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
        only, _, step = v.rpartition(":")
        for pi, (page, (crops, owners)) in enumerate(zip(pages, base)):
            cols = page["gt"]["columns"]
            cs = [STEPS[step](cr) if not only or kind_of(cols[c], r) == only else cr for cr, (r, c) in zip(crops, owners)]
            got: dict[tuple[int, int], str] = {}
            for o, piece in zip(owners, engine.recognize_crops(cs) if cs else []):
                got[o] = got.get(o, "") + piece.text
            for r in range(1, len(page["gt"]["rows"]) + 1):
                for c, f in enumerate(cols):
                    k = kind_of(f, r)
                    truth = normalize_text(page["gt"]["rows"][r - 1]["cells"][c] or "")
                    if k not in kinds or not truth:
                        continue
                    g = normalize_text(got.get((r, c), ""))
                    right[(v, pi, r, c)] = g == truth
                    for key in (page["family"] + "/" + k, k):
                        a = tot[key]
                        a[0] += g == truth
                        a[1] += 1
                        a[2] += similarity(g, truth)
        extra = ""
        if v != variants[0]:
            keys = [k[1:] for k in right if k[0] == v]
            gain = sum(right[(v, *k)] and not right[(variants[0], *k)] for k in keys)
            loss = sum(not right[(v, *k)] and right[(variants[0], *k)] for k in keys)
            extra = f"  vs {variants[0]}: +{gain} -{loss}"
        shown = {k: f"{a[0]:.0f}/{a[1]:.0f} sim {a[2] / a[1]:.3f}" for k, a in sorted(tot.items())}
        print(v, shown, f"{time.time() - t0:.0f}s" + extra, flush=True)


if __name__ == "__main__":
    main()
