"""Faint writing read from its full contrast range (brief s13-contrast): the same text-line crops of a design
store read as the pipeline cuts them and read with their contrast stretched (pipeline.page.layout.stretch_faint:
the darkest 1 % of the crop to black, its paper kept white), scored per cell against the truth and split by the
ink contrast of the cell's crops (paper median minus darkest 1 %, crop_contrast). `--fade` fades every crop
first (imaging's fading simulated); `--variant clahe` reads the second time with CLAHE instead of the stretch.

    /work/bin/heavy python bench/bench_contrast.py --scans STORE/county_editions/scans STORE/typed_sheets/scans \
        --pages 12 --out /work/data/h-s13-contrast/res/contrast-3301.md

Both readings are made once; for each threshold T the "stretched below T" arm takes the stretched reading of
every crop whose contrast is under T and the first reading of the others. Per contrast bin and arm: cells,
exact, and wrong among cells read at >= 0.99 (a cell's confidence is its least sure line), the figure that
must not rise. First reading only (no second reads, no decoding), on the grid the pipeline finds. Never a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from bench.bench_recognizers import _bgr, gather  # noqa: E402
from ocr.agreement import normalize_text  # noqa: E402
from ocr.registry import get_engine  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.layout import stretch_faint  # noqa: E402


def crop_contrast(crop: np.ndarray) -> float:
    """How much darker a crop's darkest ink is than its paper: its median minus its darkest 1 % (the levels
    stretch_faint maps to white and black); 0 for an empty crop."""
    if crop.size == 0:
        return 0.0
    return float(np.median(crop)) - float(np.percentile(crop, 1))


BINS = [(0, 80), (80, 120), (120, 160), (160, 200), (200, 256)]
SURE = 0.99


def cells_of(page, pieces, contrasts, below, stretched_pieces):
    """{cell: (text, confidence, lowest contrast)} of one page, the variant's reading taken where the contrast is under `below`."""
    _label, _gray, _crops, owners, truth, _columns = page
    got: dict[tuple[int, int], list] = {}
    for owner, p, q, k in zip(owners, pieces, stretched_pieces, contrasts):
        r = q if k < below else p
        text, conf, low = got.get(owner, ["", 1.0, 999.0])
        got[owner] = [text + r.text, min(conf, r.confidence), min(low, k)]
    return got


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", nargs="+", required=True)
    ap.add_argument("--pages", type=int, default=12, help="pages per scans folder")
    ap.add_argument("--thresholds", type=float, nargs="+", default=[80, 120, 160, 200, 256])
    ap.add_argument("--out", default=None)
    ap.add_argument(
        "--fade",
        type=float,
        default=1.0,
        help="every crop's ink faded to this share of its contrast first (255 - (255 - x) * fade): imaging's fading "
        "simulated on the design crops, to see how the recognizer reads a compressed range",
    )
    ap.add_argument("--variant", choices=["stretch", "clahe"], default="stretch")
    args = ap.parse_args()
    settings = Settings(data_dir=str(ROOT / "bench" / "out" / "contrast" / "data"))
    eng = get_engine(settings.engine, **settings.engine_settings)
    pages = []
    for s in args.scans:
        got, skipped = gather(Path(s), args.pages, settings)
        print(f"{s}: {len(got)} pages ({skipped} left out)", flush=True)
        pages += got

    def fade(c):
        return (255.0 - (255.0 - c.astype(np.float32)) * args.fade).round().astype(np.uint8) if args.fade < 1 else c

    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(1, 8))

    def variant(c):
        return stretch_faint(c) if args.variant == "stretch" else clahe.apply(c)

    first, second, contrasts = [], [], []
    for page in pages:
        crops = [fade(c) for c in page[2]]
        contrasts.append([crop_contrast(c) for c in crops])
        first.append(eng.recognize_crops([_bgr(c) for c in crops]))
        second.append(eng.recognize_crops([_bgr(variant(c)) for c in crops]))
    arms = {"as cut": -1.0} | {f"{args.variant} below {t:g}": t for t in args.thresholds}  # the variant's reading under it
    table: dict[str, dict[str, list[int]]] = {}
    for name, below in arms.items():
        per = table.setdefault(name, {})
        for page, p1, p2, ks in zip(pages, first, second, contrasts):
            truth = page[4]
            for rc, (text, conf, low) in cells_of(page, p1, ks, below, p2).items():
                t, g = normalize_text(truth.get(rc, "")), normalize_text(text)
                if not t and not g:
                    continue
                b = next(f"{lo}-{hi}" for lo, hi in BINS if lo <= low < hi)
                for key in (b, "all"):
                    row = per.setdefault(key, [0, 0, 0, 0])  # cells, exact, sure, wrong among sure
                    row[0] += 1
                    row[1] += t == g
                    row[2] += conf >= SURE
                    row[3] += conf >= SURE and t != g
    keys = [f"{lo}-{hi}" for lo, hi in BINS] + ["all"]
    lines = [
        f"# Crop contrast {args.variant}: {len(pages)} pages of {', '.join(args.scans)}"
        + (f" (every crop faded to {args.fade:g} of its contrast first)" if args.fade < 1 else ""),
        "",
        "Cells with writing or a reading, first reading on the pipeline's grid (`bench/bench_contrast.py`); bin = "
        "the lowest ink contrast (paper median - darkest 1 %) among the cell's line crops. "
        f"Each entry: exact / cells (exact %), wrong among read at >= {SURE}.",
        "",
        "| arm | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for name, per in table.items():
        cells = []
        for k in keys:
            n, ex, sure, wrong = per.get(k, [0, 0, 0, 0])
            cells.append(f"{ex}/{n} ({ex / max(1, n):.1%}), {wrong}/{sure} wrong sure" if n else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        Path(args.out).with_suffix(".json").write_text(json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
