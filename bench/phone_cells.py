"""Why are photographed cells misread? The cells a phone page's first reading gets wrong, measured and
cut out for a person to look at, and re-read with crops prepared otherwise. Measured, no product change.

    PYTHONPATH=. python bench/phone_cells.py ROOT... [--variants asis,VARIANT,...]
    PYTHONPATH=. python bench/phone_cells.py ROOT... --png DIR --sample 60     (sheets of misread cells)

Each ROOT holds `<family>/scans` (+ truth) and `<family>/run-*/data` (bench/photo_crops.py's pages: the
stored clean page and grid, scored only where the grid has the truth's columns and rows). Every written
cell of those pages (rows under the header) is cut exactly as production cuts its first reading
(pipeline.page.extract.line_crops with the page's `photo` and `enlarged`, routing.processed_as_photograph /
photograph_enlarged) and read once (no second crop, no decoding, no mapping).

Printed per variant: cells exact (normalised text, ocr.agreement.normalize_text) per field kind, put right
and made wrong against the first variant. For the misread cells of `asis` also a profile (counts only):
the glyph height each line has at the recognizer's input scale (the line trimmed to its ink as the
engine trims it, in px: the engine scales it to PP-OCR's 48 px), the line's contrast (paper p90 - ink p2
in grey levels), and whether a ruling remnant (a dark run along 80 % of a crop edge) is in the crop.

`--png DIR`: `--sample` misread cells (every k-th, spread over pages), six to a sheet: for each, the cell
with 14 px of page around it (its ruling and what crosses it, at 2x), then each line crop as the
recognizer gets it (trimmed, at 48 px high, shown at 2x). DIR/key.tsv (mode 600) says which sheet tile is
which cell and the read's edit operations against the truth (masked, as bench/fields_wrong.py masks
them). Personal data in DIR: keep it outside the repository. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from photo_crops import kind_of, pages_of  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from ocr.agreement import normalize_text  # noqa: E402
from ocr.base import trim_to_ink  # noqa: E402
from ocr.ppocr import REC_HEIGHT  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS, at_captured_resolution, line_crops, smoothed_ink_trim  # noqa: E402

VARIANTS: dict[
    str, Callable[[dict[str, Any], list[tuple[int, int]], set[int]], tuple[list[np.ndarray], list[tuple[int, int]]]]
] = {}


def _asis(
    page: dict[str, Any], cells: list[tuple[int, int]], stretch: set[int]
) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    crops, owners, _f = line_crops(page["gray"], page["grid"], cells, stretch, page["photo"], page["upsample"])
    return crops, owners


VARIANTS["asis"] = _asis


def _with_extract(**names: Any) -> Callable[..., tuple[list[np.ndarray], list[tuple[int, int]]]]:
    """line_crops (_asis) with these names of pipeline.page.extract replaced for the call, restored after."""

    def run(
        page: dict[str, Any], cells: list[tuple[int, int]], stretch: set[int]
    ) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
        import pipeline.page.extract as ex

        keep = {name: getattr(ex, name) for name in names}
        for name, value in names.items():
            setattr(ex, name, value)
        try:
            return _asis(page, cells, stretch)
        finally:
            for name, value in keep.items():
                setattr(ex, name, value)

    return run


# line_crops as before extract.trim_grainy_line (its condition made impossible for the call)
VARIANTS["no_grain_trim"] = _with_extract(UNTRIMMED_SHARE=2.0)
# line_crops without layout.denoise_grain (the non-local-means step made the identity for the call)
VARIANTS["no_denoise"] = _with_extract(denoise_grain=lambda line, sigma: line)


LINE_TILT_MAX = 4.0
"""The steepest residual tilt (degrees) a photographed text line is looked for at (deskew_line): the page is
rectified as a whole, what is left per line is the paper's curl and the frame's lens, a few degrees."""

LINE_DRIFT_SHARE = 0.15
"""deskew_line (tried in s36, dropped: p3384 first readings 2119 -> 2115 of 2951) turns a line only where its tilt moves its text this share of a glyph's height from one end
to the other (tilt x width): below that the trimmed crop is hardly taller than the glyphs."""


def line_tilt(line: np.ndarray) -> float:
    """The residual tilt (degrees, positive: the text runs down to the right) of one text line: the shear of
    its ink (Otsu, trimmed as the engine trims it) whose row profile is sharpest, in 0.25 degree steps."""
    if line.size == 0 or min(line.shape[:2]) < 8:
        return 0.0
    _t, (x0, y0, x1, y1) = trim_to_ink(line)
    ink = cv2.threshold(line[y0:y1, x0:x1], 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    ys, xs = np.nonzero(ink)
    if len(xs) < 30:
        return 0.0
    xc = xs - xs.mean()
    best, tilt = -1.0, 0.0
    for a in np.arange(-LINE_TILT_MAX, LINE_TILT_MAX + 0.01, 0.25):
        y = np.round(ys - xc * np.tan(np.radians(a)))
        hist = np.bincount((y - y.min()).astype(np.int64))
        s = float((hist.astype(np.float64) ** 2).sum())
        if s > best + 1e-9:
            best, tilt = s, float(a)
    return tilt


def deskew_line(line: np.ndarray) -> np.ndarray:
    """A photographed text line turned level where its residual tilt is large enough to matter.

    Why: a property of the recognizer. PP-OCR's recognizer scales each crop to 48 px high and was trained on
    level text lines, their glyphs filling most of that height; a tilted line's trimmed crop is as tall as
    its glyphs plus the tilt's drift across its width, so each glyph reaches the recognizer smaller and
    shifted up or down along the line. The line is turned about its centre by the tilt (line_tilt) with
    the paper's level (p90) filled in, only where tilt x ink width is at least LINE_DRIFT_SHARE of the
    glyph height (the line's trimmed height less the drift); otherwise returned unchanged."""
    a = line_tilt(line)
    if a == 0.0:
        return line
    _t, (x0, y0, x1, y1) = trim_to_ink(line)
    drift = abs(np.tan(np.radians(a))) * (x1 - x0)
    glyph = max(1.0, (y1 - y0) - drift)
    if drift < LINE_DRIFT_SHARE * glyph:
        return line
    h, w = line.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), a, 1.0)
    paper = float(np.percentile(line, 90))
    return cv2.warpAffine(line, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=paper)


def _deskew_before_shrink(
    page: dict[str, Any], cells: list[tuple[int, int]], stretch: set[int]
) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """Each photographed line turned level (extract.deskew_line) at the page's resolution, then shrunk to the
    frame's (at_captured_resolution)."""
    import pipeline.page.extract as ex

    shrink = ex.at_captured_resolution
    return _with_extract(at_captured_resolution=lambda line, e: shrink(deskew_line(line), e))(page, cells, stretch)


VARIANTS["deskew"] = _deskew_before_shrink


def _denoise_after_shrink(
    page: dict[str, Any], cells: list[tuple[int, int]], stretch: set[int]
) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """line_crops with the grain taken out after the line is shrunk to the frame's resolution (the cell's
    noise sigma divided by the shrink's averaging, sqrt of the area factor) instead of before."""
    from pipeline.page.layout import denoise_grain as dg

    held: dict[str, float] = {}

    def d(line: np.ndarray, sigma: float) -> np.ndarray:
        held["s"] = sigma
        return line

    def a(line: np.ndarray, enlarged: float) -> np.ndarray:
        out = at_captured_resolution(line, enlarged)
        s = held.get("s", 0.0)
        return dg(out, s) if enlarged <= 1.0 else dg(out, s) if s <= 0 else _nlm(out, s / max(1.0, enlarged))

    return _with_extract(denoise_grain=d, at_captured_resolution=a)(page, cells, stretch)


def _nlm(line: np.ndarray, sigma: float) -> np.ndarray:
    from pipeline.page.layout import GRAIN_DENOISE, GRAIN_SEARCH

    if line.size == 0 or sigma <= 0.5:
        return line
    return cv2.fastNlMeansDenoising(
        np.ascontiguousarray(line), None, h=GRAIN_DENOISE * sigma, templateWindowSize=5, searchWindowSize=GRAIN_SEARCH
    )


VARIANTS["denoise_after"] = _denoise_after_shrink


def _shrunk_by(power: float) -> Callable[..., tuple[list[np.ndarray], list[tuple[int, int]]]]:
    """line_crops with the line shrunk by enlarged**power instead of back to the frame's resolution
    (power 1, extract.at_captured_resolution): 0 keeps the line at the working resolution."""
    return _with_extract(
        at_captured_resolution=lambda line, enlarged: at_captured_resolution(line, enlarged**power) if power > 0 else line
    )


VARIANTS["no_shrink"] = _shrunk_by(0.0)
VARIANTS["half_shrink"] = _shrunk_by(0.5)


def _line_variant(step: Callable[[np.ndarray], np.ndarray]) -> Callable[..., tuple[list[np.ndarray], list[tuple[int, int]]]]:
    def run(
        page: dict[str, Any], cells: list[tuple[int, int]], stretch: set[int]
    ) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
        crops, owners = _asis(page, cells, stretch)
        return ([step(c) if page["photo"] else c for c in crops], owners)

    return run


def trim_faint(line: np.ndarray) -> np.ndarray:
    """A line whose grey range is under trim_to_ink's flat test (40 levels) trimmed to its ink all the same
    (Otsu, ruling runs ignored): the band finder already found ink in it."""
    if line.size == 0 or int(line.max()) - int(line.min()) >= 40 or min(line.shape[:2]) < 8:
        return line
    g = line.astype(np.float32)
    lo, hi = float(np.percentile(g, 0.5)), float(np.percentile(g, 99.5))
    if hi - lo < 8:
        return line
    st = np.clip((g - lo) / (hi - lo) * 255.0, 0, 255).astype(np.uint8)
    _t, box = trim_to_ink(st)
    return line[box[1] : box[3], box[0] : box[2]]


def levels(line: np.ndarray) -> np.ndarray:
    """Paper (p95) to 250 and ink (p2) to 60 by a linear map: a faint line given the recognizer the
    contrast of dark ink on white, without clipping its strokes' edges (only lines under 100 levels)."""
    if line.size == 0:
        return line
    p, i = float(np.percentile(line, 95)), float(np.percentile(line, 2))
    if p - i >= 100 or p - i < 8:
        return line
    out = (line.astype(np.float32) - i) / (p - i) * 190.0 + 60.0
    return np.clip(out, 0, 255).astype(np.uint8)


def unsharp_small(line: np.ndarray) -> np.ndarray:
    b = cv2.GaussianBlur(line, (0, 0), 1.0)
    return cv2.addWeighted(line, 1.5, b, -0.5, 0)


def up_cubic(line: np.ndarray) -> np.ndarray:
    t, _b = trim_to_ink(line)
    h = t.shape[0]
    if h >= REC_HEIGHT or h < 2:
        return t
    f = REC_HEIGHT / h
    return cv2.resize(t, (max(1, round(t.shape[1] * f)), REC_HEIGHT), interpolation=cv2.INTER_CUBIC)


def deconv(line: np.ndarray, sigma: float = 1.0, iters: int = 10) -> np.ndarray:
    """Richardson-Lucy deconvolution with a Gaussian of `sigma` px (the capture's blur at the frame's scale)."""
    if line.size == 0 or min(line.shape[:2]) < 4:
        return line
    x = 255.0 - line.astype(np.float32) + 1.0  # ink bright: RL wants a non-negative signal
    est = x.copy()
    for _ in range(iters):
        conv = cv2.GaussianBlur(est, (0, 0), sigma)
        est = est * cv2.GaussianBlur(x / np.maximum(conv, 1e-3), (0, 0), sigma)
    return np.clip(256.0 - est, 0, 255).astype(np.uint8)


def trim_smooth(line: np.ndarray) -> np.ndarray:
    """The line trimmed to its ink found on a smoothed copy (extract.smoothed_ink_trim, Gaussian sigma 1.5:
    the paper's grain and sensor noise, single pixels, averaged away; strokes, several pixels wide, stay)."""
    return smoothed_ink_trim(line)


def trim_grain(line: np.ndarray) -> np.ndarray:
    """trim_smooth only where the engine's own trim (trim_to_ink) keeps nearly the whole line (its Otsu
    took the grain for ink) and the smoothed one finds the ink in under 0.7 of it."""
    h, w = line.shape[:2]
    if min(h, w) < 8:
        return line
    _t, (x0, y0, x1, y1) = trim_to_ink(line)
    if (x1 - x0) * (y1 - y0) < 0.9 * h * w:
        return line
    t = trim_smooth(line)
    return t if t.size < 0.7 * line.size else line


for _n, _f in {
    "trim_grain": trim_grain,
    "trim_smooth": trim_smooth,
    "trim_faint": trim_faint,
    "levels": levels,
    "levels_trim": lambda x: trim_faint(levels(x)),
    "unsharp": unsharp_small,
    "up_cubic": up_cubic,
    "deconv": deconv,
    "deconv07": lambda x: deconv(x, 0.7, 8),
    "deskew_after": deskew_line,
}.items():
    VARIANTS[_n] = _line_variant(_f)


def ops(a: str, b: str) -> str:
    out = []
    for op in Levenshtein.editops(a, b):
        x = a[op.src_pos] if op.tag != "insert" else ""
        y = b[op.dest_pos] if op.tag != "delete" else ""
        out.append(f"{op.src_pos}:{x or '-'}>{y or '-'}")
    return " ".join(out) if len(out) < 3 else f"{len(out)} edits"


def truth_of(page: dict[str, Any], r: int, c: int) -> str:
    gt = page["gt"]
    return normalize_text((gt["header"][c] if r == 0 else gt["rows"][r - 1]["cells"][c]) or "")


def glyph_height(crop: np.ndarray) -> int:
    t, _b = trim_to_ink(crop)
    return int(round(t.shape[0] / 1.5))  # trim pads 0.25 of the ink's height on each side


def contrast(crop: np.ndarray) -> int:
    return int(np.percentile(crop, 90)) - int(np.percentile(crop, 2))


def ruling_remnant(crop: np.ndarray) -> bool:
    """A dark run along 80 % of one of the crop's four edges (3 px deep)."""
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return False
    paper = float(np.percentile(crop, 90))
    dark = crop < paper - 40
    for strip in (dark[:3, :], dark[-3:, :]):
        if strip.any(axis=0).mean() >= 0.8:
            return True
    for strip in (dark[:, :3], dark[:, -3:]):
        if strip.any(axis=1).mean() >= 0.8:
            return True
    return False


def read(pages: list[dict[str, Any]], variant: str, engine: Any) -> dict[tuple[int, int, int], tuple[str, list[np.ndarray]]]:
    out: dict[tuple[int, int, int], tuple[str, list[np.ndarray]]] = {}
    for pi, page in enumerate(pages):
        cols = page["gt"]["columns"]
        stretch = {c for c, f in enumerate(cols) if f in STRETCH_FIELDS}
        cells = [(r, c) for r in range(1, len(page["gt"]["rows"]) + 1) for c in range(page["grid"].n_cols)]
        crops, owners = VARIANTS[variant](page, cells, stretch)
        got: dict[tuple[int, int], tuple[str, list[np.ndarray]]] = {}
        for o, cr, p in zip(owners, crops, engine.recognize_crops(crops) if crops else []):
            t, cs = got.get(o, ("", []))
            got[o] = (t + p.text, cs + [cr])
        for r, c in cells:
            out[(pi, r, c)] = got.get((r, c), ("", []))
    return out


def sheet(page: dict[str, Any], r: int, c: int, crops: list[np.ndarray]) -> np.ndarray:
    gray = page["gray"]
    x0, y0, x1, y1 = page["grid"].cell_box(r, c)
    m = 14
    H, W = gray.shape[:2]
    cell = gray[max(0, y0 - m) : min(H, y1 + m), max(0, x0 - m) : min(W, x1 + m)]
    cell = cv2.resize(cell, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    tiles = [cell]
    for cr in crops:
        t, _b = trim_to_ink(cr)
        f = REC_HEIGHT / max(1, t.shape[0])
        t = cv2.resize(t, (max(1, round(t.shape[1] * f)), REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
        tiles.append(cv2.resize(t, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST))
    w = max(t.shape[1] for t in tiles)
    return np.vstack([cv2.copyMakeBorder(t, 3, 3, 0, w - t.shape[1], cv2.BORDER_CONSTANT, value=0) for t in tiles])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--variants", default="asis")
    ap.add_argument("--png", help="sheets of misread cells here (personal data: outside the repository)")
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--pages", type=int, default=None)
    args = ap.parse_args()
    pages = pages_of([Path(r) for r in args.roots], args.pages)
    print(f"pages scored {len(pages)} (photo {sum(p['photo'] for p in pages)})", flush=True)
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    variants = args.variants.split(",")
    base: dict[tuple[int, int, int], tuple[str, list[np.ndarray]]] = {}
    for v in variants:
        t0 = time.time()
        got = read(pages, v, engine)
        base = base or got
        tot: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        put = lost = 0
        for (pi, r, c), (text, _cr) in got.items():
            t = truth_of(pages[pi], r, c)
            if not t:
                continue
            ok = normalize_text(text) == t
            was = normalize_text(base[(pi, r, c)][0]) == t
            put += ok and not was
            lost += was and not ok
            for k in ("all", kind_of(pages[pi]["gt"]["columns"][c], r)):
                tot[k][0] += ok
                tot[k][1] += 1
        print(f"## {v} ({time.time() - t0:.0f} s): put right {put}, made wrong {lost} (against {variants[0]})")
        for k in sorted(tot):
            e, n = tot[k]
            print(f"  {k:10s} exact {e:4d}/{n:4d} {e / max(n, 1):6.1%}")
        sys.stdout.flush()
    wrong = [
        k
        for k, (text, _c) in base.items()
        if truth_of(pages[k[0]], k[1], k[2]) and normalize_text(text) != truth_of(pages[k[0]], k[1], k[2])
    ]
    prof: Counter[str] = Counter()
    heights = []
    for k in wrong:
        crops = base[k][1]
        if not crops:
            prof["no crop (cell read as blank)"] += 1
            continue
        h = min(glyph_height(cr) for cr in crops)
        heights.append(h)
        prof["glyphs < 16 px" if h < 16 else "glyphs 16-23 px" if h < 24 else "glyphs >= 24 px"] += 1
        prof["contrast < 60" if min(contrast(cr) for cr in crops) < 60 else "contrast >= 60"] += 1
        prof["ruling remnant at an edge" if any(ruling_remnant(cr) for cr in crops) else "no ruling remnant"] += 1
        prof["lines > 1" if len(crops) > 1 else "one line"] += 1
    print(f"misread cells (asis): {len(wrong)}; glyph height median {np.median(heights) if heights else 0:.0f} px")
    for k, n in sorted(prof.items()):
        print(f"  {k:30s} {n}")
    if args.png:
        out = Path(args.png)
        out.mkdir(parents=True, exist_ok=True)
        step = max(1, len(wrong) // max(1, args.sample))
        chosen = [k for k in wrong if base[k][1]][::step][: args.sample]
        key = []
        for s in range(0, len(chosen), 6):
            tiles = []
            for j, k in enumerate(chosen[s : s + 6]):
                pi, r, c = k
                tiles.append(sheet(pages[pi], r, c, base[k][1]))
                field = pages[pi]["gt"]["columns"][c]
                t = truth_of(pages[pi], r, c)
                key.append(
                    f"{s // 6:02d}.{j}\t{pages[pi]['family']}\tp{pi}\tr{r}\tc{c}\t{field}\t{pages[pi]['upsample']:.2f}\t"
                    f"h={min(glyph_height(cr) for cr in base[k][1])}\tcontrast={min(contrast(cr) for cr in base[k][1])}\t"
                    f"{ops(normalize_text(base[k][0]), t)}"
                )
            w = max(t.shape[1] for t in tiles)
            img = np.vstack([cv2.copyMakeBorder(t, 0, 12, 0, w - t.shape[1], cv2.BORDER_CONSTANT, value=90) for t in tiles])
            cv2.imwrite(str(out / f"sheet{s // 6:02d}.png"), img)
        kp = out / "key.tsv"
        kp.write_text("\n".join(key) + "\n", encoding="utf-8")
        os.chmod(kp, 0o600)


if __name__ == "__main__":
    main()
