"""Would a photographed cell read better from a crop prepared otherwise? Measured, no product change.

    PYTHONPATH=. python bench/photo_crops.py ROOT... [--variants asis,up_cubic,...] [--pages N]
    PYTHONPATH=. python bench/photo_crops.py ROOT... --png DIR --pages 2     (crops as PNGs, no OCR)

Each ROOT holds `<family>/scans` (+ truth) and `<family>/run-*/data` (bench/hold_reasons.py's layout). Read
only: the stored clean page and grid of each done page are used as stored (no cleanup, no layout run
again). A page is scored only where its grid has the truth's columns and at least its rows (+ header), so
that cell (r, c) is the truth's cell: a page whose grid is wrong is a layout loss, not a crop's.

Every cell of those pages is cut as production cuts it (pipeline.page.extract.line_crops, photo pages as
photographs: routing.processed_as_photograph) and read once (first reading, no second crop, no decoding, no
mapping). Each variant keeps the production's text bands (where each line is, found on the cell as it is)
and changes only the pixels the recognizer gets; each is one property of the recognizer (PP-OCR's
recognizer was trained on evenly lit, sharp, dark text lines, resized to 48 px high by bilinear
interpolation: ocr.ppocr.REC_HEIGHT):

- `asis`: the production crop (checked equal to line_crops' own);
- `flat_close` / `flat_blur`: the cell's light flattened: the cell (with 20 px of page around it) divided
  by its paper, a morphological closing larger than a stroke or a wide median blur (a hand's shadow, the
  light's fall-off);
- `stretch`: the line's darkest 1 % to black, its paper white (layout.stretch_faint on the line);
- `up_cubic` / `up_lanczos`: the line trimmed to its ink as the engine trims it (ocr.base.trim_to_ink) and
  brought up to 48 px high by bicubic / Lanczos interpolation where it is smaller, before the engine's own
  bilinear resize;
- `unsharp`: mild unsharp mask (sigma 1.0, amount 0.6);
- `native`: the line shrunk by area back to the frame's own resolution (pipeline.page.extract.at_captured_resolution,
  1 / the cleanup's `upsample` of a photograph, routing.photograph_enlarged; nothing where not enlarged);
- `blur10`: Gaussian blur sigma 1.0 (is `down`'s effect its smoothing?);
- `nlm`: every line denoised (fastNlMeans, h 10), not only grainy cells' (JPEG blocks, sensor noise);
- `pad`: 8 px of paper around the line;
- `gamma`: grey levels squared (ink darkened more than paper, its noise not stretched);
- `down` / `down50` / `down75`: the line shrunk to 0.6 / 0.5 / 0.75 by area (the page was enlarged by interpolation: fewer, truer pixels);
- `deslant`: the line sheared so that its cell's vertical ruling (found in the cell's 20 px margin) is
  upright, where it leans (a keystone left by the rectification);
- combinations joined by `+` (applied left to right; `flat_*` always first).

Per field kind (name, address, phone, id, date, other, header) it prints cells exact (normalised text,
ocr.agreement.normalize_text) and mean similarity (1 - edit distance / truth length) of the first
reading: counts only, no personal data. `--png` writes a few cells' variants side by side as PNGs (personal
data, on disk for a person to look at: keep DIR outside the repository).
"""

from __future__ import annotations

import argparse
import glob
import json
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocr.agreement import normalize_text  # noqa: E402
from ocr.base import trim_to_ink  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.safety import path_from_db  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.page.extract import STRETCH, STRETCH_FIELDS, at_captured_resolution, line_crops  # noqa: E402
from pipeline.page.layout import (  # noqa: E402
    Grid,
    cell_inner,
    denoise_grain,
    faint_counts,
    paper_noise,
    stretch_faint,
    text_line_bands,
)
from pipeline.page.routing import photograph_enlarged, processed_as_photograph  # noqa: E402

REC_HEIGHT = 48
MARGIN = 20  # page around a cell for its light (flat_*) and its ruling (deslant)


def pages_of(roots: list[Path], limit: int | None) -> list[dict[str, Any]]:
    out = []
    for root in roots:
        for db in sorted(glob.glob(str(root) + "/**/run-*/data/store.sqlite", recursive=True)):
            data = Path(db).parent
            family = data.parent.parent.name
            st = Store.open(Settings().with_(data_dir=str(data)))
            con = sqlite3.connect(db)
            q = (
                "select p.page_no, p.clean_image, p.layout, p.steps, s.abs_path from pages p "
                "join source_files s on s.id = p.file_id where p.status = 'done' order by s.abs_path, p.page_no"
            )
            n = 0
            for pno, img, lay, steps, ap in con.execute(q):
                layout = json.loads(lay or "{}")
                g = layout.get("grid")
                scan = path_from_db(ap)
                gt = json.loads(scan.with_name(scan.stem + ".gt.json").read_text())["pages"][pno - 1]
                if not g or len(g["cols"]) - 1 != len(gt["columns"]) or len(g["rows"]) - 1 < len(gt["rows"]) + 1:
                    continue
                gray = st.images.get(img)
                out.append(
                    {
                        "family": family,
                        "gray": gray,
                        "grid": Grid(rows=tuple(g["rows"]), cols=tuple(g["cols"])),
                        "gt": gt,
                        "photo": processed_as_photograph(json.loads(steps or "[]")),
                        "upsample": photograph_enlarged(json.loads(steps or "[]")),
                    }
                )
                n += 1
                if limit and n >= limit:
                    break
    return out


def kind_of(field: str | None, row: int) -> str:
    if row == 0:
        return "header"
    f = field or ""
    if f == "id_number":
        return "id"
    if f.endswith("_name"):
        return "name"
    if "address" in f:
        return "address"
    if "phone" in f:
        return "phone"
    if "date" in f:
        return "date"
    return "other"


# -- variants --------------------------------------------------------------------------------------


def flat_close(region: np.ndarray) -> np.ndarray:
    """Divided by its paper: a closing wider than any stroke (15 px at the working resolution), smoothed."""
    bg = cv2.morphologyEx(region, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    bg = cv2.GaussianBlur(bg, (0, 0), 3)
    return _divide(region, bg)


def flat_blur(region: np.ndarray) -> np.ndarray:
    """Divided by its paper: a 31 px median (ink a minority), smoothed."""
    bg = cv2.medianBlur(np.ascontiguousarray(region), 31)
    bg = cv2.GaussianBlur(bg, (0, 0), 5)
    return _divide(region, bg)


def _divide(region: np.ndarray, bg: np.ndarray) -> np.ndarray:
    paper = float(np.median(bg))
    out = region.astype(np.float32) / np.maximum(bg.astype(np.float32), 1.0) * paper
    return np.clip(out, 0, 255).astype(np.uint8)


def up(line: np.ndarray, interp: int) -> np.ndarray:
    t, _box = trim_to_ink(line)
    h = t.shape[0]
    if h >= REC_HEIGHT or h < 2:
        return t
    f = REC_HEIGHT / h
    return cv2.resize(t, (max(1, round(t.shape[1] * f)), REC_HEIGHT), interpolation=interp)


def unsharp(line: np.ndarray) -> np.ndarray:
    b = cv2.GaussianBlur(line, (0, 0), 1.0)
    return cv2.addWeighted(line, 1.6, b, -0.6, 0)


def nlm(line: np.ndarray) -> np.ndarray:
    return cv2.fastNlMeansDenoising(np.ascontiguousarray(line), None, h=10, templateWindowSize=5, searchWindowSize=11)


def pad(line: np.ndarray) -> np.ndarray:
    paper = int(np.median(line)) if line.size else 255
    return cv2.copyMakeBorder(line, 8, 8, 8, 8, cv2.BORDER_CONSTANT, value=paper)


def gamma(line: np.ndarray) -> np.ndarray:
    """Ink darkened more than paper (grey levels squared: 245 -> 235, 170 -> 113), noise not stretched."""
    return np.clip((line.astype(np.float32) / 255.0) ** 2 * 255.0, 0, 255).astype(np.uint8)


def lean_of(region: np.ndarray, box_in_region: tuple[int, int, int, int]) -> float:
    """dx/dy of the cell's left and right ruling lines (0 where none is found): each line's x per row
    as the darkest column within 10 px of the box's side, fitted by least squares."""
    x0, y0, x1, y1 = box_in_region
    leans = []
    for x in (x0, x1):
        a, b = max(0, x - 10), min(region.shape[1], x + 11)
        strip = region[y0 + 3 : y1 - 3, a:b].astype(np.float32)
        if strip.shape[0] < 10 or strip.shape[1] < 3:
            continue
        xs = np.argmin(strip, axis=1).astype(np.float32)
        dark = strip.min(axis=1) < np.median(strip) - 30
        if dark.sum() < 0.6 * len(xs):
            continue
        ys = np.arange(len(xs), dtype=np.float32)[dark]
        k = np.polyfit(ys, xs[dark], 1)[0]
        leans.append(float(k))
    return float(np.median(leans)) if leans else 0.0


def shear(line: np.ndarray, k: float) -> np.ndarray:
    """The line sheared by -k (x moves by -k per row below its middle), paper filled in."""
    if abs(k) < 0.01:
        return line
    h, w = line.shape[:2]
    m = np.float32([[1, -k, k * h / 2], [0, 1, 0]])
    paper = int(np.median(line))
    return cv2.warpAffine(line, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=paper)


LINE_STEPS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "stretch": stretch_faint,
    "up_cubic": lambda x: up(x, cv2.INTER_CUBIC),
    "up_lanczos": lambda x: up(x, cv2.INTER_LANCZOS4),
    "unsharp": unsharp,
    "nlm": nlm,
    "pad": pad,
    "gamma": lambda x: gamma(x),
    "down": lambda x: cv2.resize(x, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA),
    "down50": lambda x: cv2.resize(x, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA),
    "down75": lambda x: cv2.resize(x, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA),
    "blur10": lambda x: cv2.GaussianBlur(x, (0, 0), 1.0),
}
REGION_STEPS: dict[str, Callable[[np.ndarray], np.ndarray]] = {"flat_close": flat_close, "flat_blur": flat_blur}


def variant_crops(page: dict[str, Any], variant: str) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """line_crops' crops and owners with `variant`'s steps applied; bands as line_crops finds them."""
    gray, grid, gt = page["gray"], page["grid"], page["gt"]
    cols = gt["columns"]
    stretch = {c for c, f in enumerate(cols) if f in STRETCH_FIELDS}
    cells = [(r, c) for r in range(len(gt["rows"]) + 1) for c in range(grid.n_cols)]
    steps = variant.split("+")
    if steps == ["asis"]:
        crops, owners, _faint = line_crops(gray, grid, cells, stretch, page["photo"], page["upsample"])
        return crops, owners
    crops, owners = [], []
    H, W = gray.shape[:2]
    for r, c in cells:
        box = grid.cell_box(r, c)
        inner = cell_inner(gray, box)
        bands = text_line_bands(inner)
        if not bands:
            above_grain, _fixed = faint_counts(inner)
            if not above_grain:
                continue
            bands = text_line_bands(stretch_faint(inner))  # read as is (FAINT_READ_AS_IS)
        sigma = paper_noise(inner) if page["photo"] else 0.0
        x0, y0, x1, y1 = box
        rx0, ry0, rx1, ry1 = max(0, x0 - MARGIN), max(0, y0 - MARGIN), min(W, x1 + MARGIN), min(H, y1 + MARGIN)
        region = gray[ry0:ry1, rx0:rx1]
        for s in steps:
            if s in REGION_STEPS:
                region = REGION_STEPS[s](region)
        k = lean_of(gray[ry0:ry1, rx0:rx1], (x0 - rx0, y0 - ry0, x1 - rx0, y1 - ry0)) if "deslant" in steps else 0.0
        v_inner = region[y0 - ry0 + 3 : y1 - ry0 - 3, x0 - rx0 + 3 : x1 - rx0 - 3]
        for b0, b1 in bands:
            crop = denoise_grain(v_inner[b0:b1], sigma)
            for s in steps:
                if s == "native":
                    crop = at_captured_resolution(crop, page["upsample"])
                elif s == "deslant":
                    crop = shear(crop, k)
                elif s in LINE_STEPS:
                    crop = LINE_STEPS[s](crop)
            if c in stretch:
                crop = cv2.resize(crop, None, fx=STRETCH, fy=1.0, interpolation=cv2.INTER_CUBIC)
            crops.append(crop)
            owners.append((r, c))
    return crops, owners


def similarity(a: str, b: str) -> float:
    if not b:
        return 1.0 if not a else 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return max(0.0, 1.0 - prev[-1] / len(b))


def score(
    pages: list[dict[str, Any]], variant: str, engine: Any
) -> tuple[dict[str, list[float]], dict[tuple[int, int, int], bool]]:
    """Per key (family, family/kind, all): [exact, cells, similarity sum]; and each cell's exactness."""
    tot: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    right: dict[tuple[int, int, int], bool] = {}
    for pi, page in enumerate(pages):
        crops, owners = variant_crops(page, variant)
        got: dict[tuple[int, int], str] = {}
        for o, p in zip(owners, engine.recognize_crops(crops) if crops else []):
            got[o] = got.get(o, "") + p.text
        gt = page["gt"]
        for r in range(len(gt["rows"]) + 1):
            for c, field in enumerate(gt["columns"]):
                t = gt["header"][c] if r == 0 else gt["rows"][r - 1]["cells"][c]
                t = normalize_text(t or "")
                if not t:
                    continue
                g = normalize_text(got.get((r, c), ""))
                right[(pi, r, c)] = g == t
                for k in (page["family"], f"{page['family']}/{kind_of(field, r)}", "all fields" if r else "all headers"):
                    a = tot[k]
                    a[0] += g == t
                    a[1] += 1
                    a[2] += similarity(g, t)
    return tot, right


def write_pngs(pages: list[dict[str, Any]], variants: list[str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for pi, page in enumerate(pages):
        sets = {v: variant_crops(page, v) for v in variants}
        _crops0, owners0 = sets[variants[0]]
        for r, c in dict.fromkeys(owners0):
            if r == 0 or r > 4:
                continue
            kind = kind_of(page["gt"]["columns"][c], r)
            tiles = []
            for v in variants:
                cr, ow = sets[v]
                j = [k for k, o in enumerate(ow) if o == (r, c)]
                if not j:
                    continue
                t = cr[j[0]]
                f = 96 / max(1, t.shape[0])  # shown at 96 px high: 2x the recognizer's
                tiles.append(cv2.resize(t, (max(1, round(t.shape[1] * f)), 96), interpolation=cv2.INTER_NEAREST))
            w = max(t.shape[1] for t in tiles)
            sheet = np.vstack([cv2.copyMakeBorder(t, 2, 2, 0, w - t.shape[1], cv2.BORDER_CONSTANT, value=128) for t in tiles])
            cv2.imwrite(str(out / f"p{pi:02d}-r{r:02d}-c{c:02d}-{kind}.png"), sheet)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--variants", default="asis,up_cubic,flat_close,stretch,unsharp,pad")
    ap.add_argument("--pages", type=int, default=None, help="at most this many pages per store")
    ap.add_argument("--png", help="write crops of each variant here (personal data: outside the repository), no OCR")
    args = ap.parse_args()
    pages = pages_of([Path(r) for r in args.roots], args.pages)
    variants = args.variants.split(",")
    print(f"pages scored {len(pages)} (photo {sum(p['photo'] for p in pages)})", flush=True)
    if args.png:
        write_pngs(pages, variants, Path(args.png))
        return
    # the replica of line_crops (used by every variant but asis) cuts what it cuts
    for page in pages[:2]:
        a, oa = variant_crops(page, "asis")
        b, ob = variant_crops(page, "same")  # no step: the replica's own crops
        assert oa == ob and all(np.array_equal(x, y) for x, y in zip(a, b)), "the replica cuts otherwise than line_crops"
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    base: dict[str, list[float]] | None = None
    base_right: dict[tuple[int, int, int], bool] = {}
    for v in variants:
        t0 = time.time()
        tot, right = score(pages, v, engine)
        base, base_right = base or tot, base_right or right
        put = sum(ok and not base_right[k] for k, ok in right.items() if k[1])
        lost = sum(base_right[k] and not ok for k, ok in right.items() if k[1])
        print(f"## {v} ({time.time() - t0:.0f} s): fields put right {put}, made wrong {lost} (against {variants[0]})")
        for k in sorted(tot):
            e, n, s = tot[k]
            d = e - base[k][0]
            print(f"  {k:28s} exact {int(e):4d}/{int(n):4d} {e / n:6.1%} ({d:+d})  similarity {s / n:.3f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
