"""Would a 1-bit scan's ID lines read better prepared otherwise (softened, the ink thickened)? Measured on stored
pages, no OCR stage (session 41, s41-bilevel).

    PYTHONPATH=. python bench/bilevel_ids.py LABEL=ROOT[,LABEL=ROOT...] asis,soften,thick1,... [--png DIR]

Each ROOT holds `<family>/scans` (+ truth) and `<family>/run-*/data` (bench/photo_crops.py's pages: the stored
clean page and grid, only pages whose grid has the truth's columns and rows). Every written ID cell is cut as
production cuts its first reading (pipeline.page.extract.line_crops, the ID column stretched: STRETCH_FIELDS),
prepared by each named preparation and read once (first reading: no second crop, no decoding, no mapping).
Printed per preparation: cells exact (digits and X, spaces dropped), reads of the written length, reads
short by 1-9 / 10+ digits, put right / made wrong against the first preparation. Preparations: asis, soften
(extract.soften_bilevel_line), thickN (the ink grown by an N-px minimum filter: a 1-bit stroke thinned by a
light threshold), thinN (the ink shrunk by an N-px maximum filter: a stroke filled by a dark threshold, session 42),
blurS (Gaussian, sigma S/10), thick1soft (grown then softened), blurfilled (blur_filled_line below); `filled:P` applies P
only on pages whose digit lines' strokes are filled (filled_strokes below on the page's STRETCH_FIELDS lines, session 43). `--field F`: the cells of
field F instead of the IDs (session 43: deceased_name). `--png DIR`: the crops of
the cells whose asis read is short, as PNG (personal data: stay in the 0700 data folder). Counts only."""

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
from photo_crops import pages_of  # noqa: E402

from pipeline.page.extract import STRETCH_FIELDS, line_crops, soften_bilevel_line  # noqa: E402

# session 43 (s43-dotgain): a page's strokes filled, tried in production and dropped (docs/evaluation.md)
FILLED_STROKE_SHARE = 0.225
"""A 1-bit page's digit lines whose strokes are, at the median, this share of the glyph's height or more have
their strokes filled by the scan (filled_strokes): between a bold typeface's stems (about a fifth of a digit's
height) and a black one's (about a quarter and more), past the heaviest weight PP-OCR's recognizer was trained on."""

FILLED_MIN_LINES = 5
"""A page's digit columns must give this many lines of ink to be judged filled or not (filled_strokes)."""

FILLED_BLUR_SIGMA = 0.8
"""The Gaussian (px) a 1-bit page's digit line is blurred by where its strokes are filled (blur_filled_line)."""


def stroke_share(line: np.ndarray) -> float | None:
    """The width of a text line's strokes against its glyphs' height, on its ink (pixels darker than mid-grey):
    the mean stroke width, twice the ink's area over its outline's length (a stroke of width w and length l has
    area w l and an outline of about 2 l), over the median height of its glyphs (8-connected pieces of 8 pixels
    or more). None for a line with too little ink to tell (fewer than 20 ink pixels)."""
    if line.ndim != 2 or line.size == 0:
        return None
    ink = (line < 128).astype(np.uint8)
    area = int(ink.sum())
    if area < 20:
        return None
    d = ink.astype(np.int8)
    outline = int(np.abs(np.diff(d, axis=0)).sum() + np.abs(np.diff(d, axis=1)).sum())
    n, _labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = [stats[i, cv2.CC_STAT_HEIGHT] for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= 8]
    if not heights or outline == 0:
        return None
    return (2.0 * area / outline) / float(np.median(heights))


def filled_strokes(crops: list[np.ndarray]) -> bool:
    """Whether a 1-bit page's digit lines (its ID, certificate and phone columns' line crops: line_crops of
    STRETCH_FIELDS columns) have their strokes filled: the median stroke_share of FILLED_MIN_LINES lines or more
    at FILLED_STROKE_SHARE or above.

    Why: a property of the scan and of the recognizer. A dark scanner threshold, or toner's dot gain, grows
    every stroke by the same pixels on both sides, so a digit's strokes come out a quarter of its height or
    more and its counters (0 6 8 9) close up; PP-OCR's recognizer was trained on grey anti-aliased text
    whose strokes are a fixed share of the glyph's height, at most a bold weight's fifth. Such a page's digit
    lines read better blurred (blur_filled_line); 1-bit pages of normal or light threshold, whose strokes are
    a bold weight or less, read alike or worse so (session 41: bench/bilevel_ids.py), so they are left as cut.
    Digits are measured, not names: their glyphs are one script's and one height, so the share is the
    typeface's weight and the scan's gain alone."""
    shares = sorted(s for s in (stroke_share(c) for c in crops) if s is not None)
    return len(shares) >= FILLED_MIN_LINES and float(np.median(shares)) >= FILLED_STROKE_SHARE


def blur_filled_line(line: np.ndarray) -> np.ndarray:
    """A digit line of a 1-bit page whose strokes are filled (filled_strokes), blurred by a Gaussian of
    FILLED_BLUR_SIGMA px: the filled strokes' hard stair-stepped edges and the one-pixel slits left of their
    closed counters become the grey ramps of the anti-aliased text the recognizer was trained on."""
    if line.ndim != 2 or min(line.shape) < 8:
        return line
    return cv2.GaussianBlur(line, (0, 0), FILLED_BLUR_SIGMA)


def thick(n: int) -> Callable[[np.ndarray], np.ndarray]:
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (n + 1, n + 1))
    return lambda c: cv2.erode(c, k)


def edge_rule(c: np.ndarray) -> np.ndarray:
    """Plumb ink at the crop's left or right edge (within 8 px) over half its height or more, whitened."""
    h, w = c.shape
    if w < 24:
        return c
    ink = c < 128
    share = ink.mean(axis=0)
    out = c.copy()
    for xs in (range(0, 8), range(w - 8, w)):
        for x in xs:
            if share[x] >= 0.5:
                out[:, max(0, x - 1) : x + 2] = 255
    return out


def prep(name: str) -> Callable[[np.ndarray], np.ndarray]:
    if name == "edgerule":
        return edge_rule
    if name.startswith("close"):
        n = int(name[5:])
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (n, n))
        return lambda c: cv2.morphologyEx(c, cv2.MORPH_OPEN, k)
    if name.startswith("vclose"):
        n = int(name[6:])
        k = cv2.getStructuringElement(cv2.MORPH_RECT, (1, n))
        return lambda c: cv2.morphologyEx(c, cv2.MORPH_OPEN, k)
    if name == "asis":
        return lambda c: c
    if name == "soften":
        return soften_bilevel_line
    if name == "blurfilled":
        return blur_filled_line
    if name == "thick1soft":
        t = thick(1)
        return lambda c: soften_bilevel_line(t(c))
    if name.startswith("thick"):
        return thick(int(name[5:]))
    if name.startswith("thin"):  # the ink shrunk by an N-px maximum filter: a stroke filled by a dark threshold
        k = cv2.getStructuringElement(cv2.MORPH_RECT, (int(name[4:]) + 1, int(name[4:]) + 1))
        return lambda c: cv2.dilate(c, k)
    if name.startswith("blur"):
        s = int(name[4:]) / 10
        return lambda c: cv2.GaussianBlur(c, (0, 0), s)
    raise SystemExit(f"unknown preparation {name}")


field = "id_number"  # the column measured (--field: another field's cells, compared without spaces)


def norm(t: str) -> str:
    if field != "id_number":
        return "".join(t.split())
    return "".join(ch for ch in t.upper() if ch.isdigit() or ch == "X")


def main() -> None:
    from ocr.ppocr import PpOcrEngine

    roots = [a.split("=", 1) for a in sys.argv[1].split(",")]
    preps = sys.argv[2].split(",")
    png = Path(sys.argv[sys.argv.index("--png") + 1]) if "--png" in sys.argv else None
    global field
    field = sys.argv[sys.argv.index("--field") + 1] if "--field" in sys.argv else "id_number"
    eng = PpOcrEngine()
    for label, root in roots:
        pages = pages_of([Path(root)], None)
        items: list[tuple[str, list[np.ndarray], bool]] = []
        fired = 0
        for page in pages:
            digits = {c for c, f in enumerate(page["gt"]["columns"]) if f in STRETCH_FIELDS}
            lines = line_crops(
                page["gray"], page["grid"], [(r, c) for r in range(1, page["grid"].n_rows) for c in sorted(digits)], digits
            )[0]
            filled = filled_strokes(lines)
            fired += filled
            cols = page["gt"]["columns"]
            want = [c for c, f in enumerate(cols) if f == field]
            cells = [(r, c) for r in range(1, len(page["gt"]["rows"]) + 1) for c in want]
            crops, owners, _f = line_crops(page["gray"], page["grid"], cells, set(want) & digits, page["photo"], page["upsample"])
            by: dict[tuple[int, int], list[np.ndarray]] = {}
            for o, cr in zip(owners, crops):
                by.setdefault(o, []).append(cr)
            for (r, c), cs in by.items():
                t = norm(truth_of(page, r, c) or "")
                if t:
                    items.append((t, cs, filled))
        print(f"# {label}: pages {len(pages)} (strokes filled: {fired}) ID cells {len(items)}", flush=True)
        base: list[bool] | None = None
        for name in preps:
            t0, gated = time.time(), name.startswith("filled:")  # `filled:P`: P only on pages whose strokes are filled
            f = prep(name.removeprefix("filled:"))
            reads = eng.recognize_crops([f(cr) if it[2] or not gated else cr for it in items for cr in it[1]])
            i, oks, short = 0, [], Counter()
            for k, it in enumerate(items):
                n = len(it[1])
                got = norm("".join(p.text for p in reads[i : i + n]))
                i += n
                oks.append(got == it[0])
                lost = len(it[0]) - len(got)
                short["len" if lost == 0 else "short1-9" if 0 < lost < 10 else "short10+" if lost >= 10 else "long"] += 1
                if png is not None and name == "asis" and lost > 0:
                    png.mkdir(parents=True, exist_ok=True)
                    for j, cr in enumerate(it[1]):
                        cv2.imwrite(str(png / f"{label}-{k:03d}-{j}-short{lost}.png"), cr)
            base = oks if base is None else base
            plus = sum(o and not b for o, b in zip(oks, base))
            minus = sum(b and not o for o, b in zip(oks, base))
            print(
                f"  {name:12} exact {sum(oks):4}/{len(items)} {dict(short)} +{plus} -{minus} ({time.time() - t0:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
