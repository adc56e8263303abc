"""Layout: the table's ruling lines -> a grid of cells; recognized text -> (row, column).

Rows and columns come from ruling lines found by morphology on the rectified page. Text pieces
from whole-page OCR are put in the cell that holds their centre; a piece that straddles two
columns (a detection box merged across a ruling line) marks those cells for crop re-recognition.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.cleanup import binarize
from pipeline.errors import NoTableError
from pipeline.models import Box, OcrPiece


@dataclass(frozen=True)
class Grid:
    rows: tuple[int, ...]  # y of each horizontal ruling line, top to bottom (len = n_rows + 1)
    cols: tuple[int, ...]  # x of each vertical ruling line, left to right (len = n_cols + 1)
    inferred_rows: tuple[int, ...] = ()  # indices of lines that were inferred, not seen

    @property
    def n_rows(self) -> int:
        return len(self.rows) - 1

    @property
    def n_cols(self) -> int:
        return len(self.cols) - 1

    @property
    def box(self) -> Box:
        return (self.cols[0], self.rows[0], self.cols[-1], self.rows[-1])

    def cell_box(self, r: int, c: int) -> Box:
        return (self.cols[c], self.rows[r], self.cols[c + 1], self.rows[r + 1])

    def to_dict(self) -> dict:
        return {"rows": list(self.rows), "cols": list(self.cols), "inferred_rows": list(self.inferred_rows)}


def _runs(idx: np.ndarray, max_gap: int) -> list[list[int]]:
    """[first, last] of each run of sorted indices, a run going on over gaps of up to max_gap."""
    runs: list[list[int]] = []
    for i in idx:
        if runs and i - runs[-1][1] <= max_gap:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    return runs


def _line_positions(profile: np.ndarray, min_len: float, min_gap: int) -> list[int]:
    """Centres of runs where the projection profile exceeds min_len."""
    centres = [int(round((g0 + g1) / 2)) for g0, g1 in _runs(np.nonzero(profile >= min_len)[0], 3)]
    merged: list[int] = []
    for c in centres:
        if merged and c - merged[-1] < min_gap:
            merged[-1] = (merged[-1] + c) // 2
        else:
            merged.append(c)
    return merged


def _fill_missing_rows(rows: list[int]) -> tuple[list[int], list[int]]:
    """A data row about k times the usual height lost k-1 ruling lines: put them back, evenly."""
    if len(rows) < 4:
        return rows, []
    gaps = np.diff(rows)
    usual = float(np.median(gaps[1:])) if len(gaps) > 2 else float(np.median(gaps))
    out = [rows[0]]
    inferred: list[int] = []
    for i, g in enumerate(gaps):
        k = int(round(g / usual)) if usual > 0 else 1
        if i > 0 and k >= 2 and abs(g - k * usual) < 0.25 * usual:  # row 0 is the header: often taller
            for j in range(1, k):
                out.append(int(round(rows[i] + j * g / k)))
                inferred.append(len(out) - 1)
        out.append(rows[i + 1])
    return out, inferred


def find_grid(gray: np.ndarray, table_box: Box | None = None) -> Grid:
    """Ruling lines of the (rectified) table. Raises NoTableError when there is no ruled table."""
    h, w = gray.shape
    ink = binarize(gray)
    if table_box is not None:
        x0, y0, x1, y1 = table_box
        pad = 12
        x0, y0, x1, y1 = max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)
    else:
        x0, y0, x1, y1 = 0, 0, w, h
    roi = ink[y0:y1, x0:x1]
    rh, rw = roi.shape
    if rh < 50 or rw < 50:
        raise NoTableError("the table region is too small")
    # bridge pixel-sized breaks (faded lines), then keep strokes far longer than any character
    hor = cv2.morphologyEx(roi, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    hor = cv2.morphologyEx(hor, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(rw // 30, 60), 1)))
    ver = cv2.morphologyEx(roi, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    ver = cv2.morphologyEx(ver, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(rh // 30, 60))))
    rows = _line_positions(hor.sum(axis=1) / 255.0, 0.35 * rw, min_gap=20)
    cols = _line_positions(ver.sum(axis=0) / 255.0, 0.35 * rh, min_gap=20)
    if len(rows) < 3 or len(cols) < 3:
        raise NoTableError(f"no ruled table found ({len(rows)} horizontal and {len(cols)} vertical lines)")
    rows, inferred = _fill_missing_rows(rows)
    return Grid(tuple(y0 + r for r in rows), tuple(x0 + c for c in cols), tuple(inferred))


@dataclass
class Assignment:
    cells: dict[tuple[int, int], list[OcrPiece]] = field(default_factory=dict)
    above: list[OcrPiece] = field(default_factory=list)   # title, page number, notes above the table
    below: list[OcrPiece] = field(default_factory=list)
    straddling: set[tuple[int, int]] = field(default_factory=set)  # cells to re-read from their crop


def _index(lines: tuple[int, ...], v: float) -> int:
    """Interval index of v between consecutive lines; -1 before, len-1 after."""
    return int(np.searchsorted(np.asarray(lines), v, side="right")) - 1


def _spanned(lines: tuple[int, ...], lo: int, hi: int, tol: float) -> list[int]:
    """Intervals between lines that [lo, hi] covers by more than tol pixels."""
    n = len(lines) - 1
    first = max(_index(lines, lo), 0)
    last = min(_index(lines, hi), n - 1)
    return [i for i in range(first, last + 1) if min(hi, lines[i + 1]) - max(lo, lines[i]) > tol]


def assign_pieces(pieces: list[OcrPiece], grid: Grid) -> Assignment:
    """Put each piece in the cell holding it. A piece that reaches into a neighbouring cell by more
    than a sliver (a detection box merged across a ruling line, handwriting over a line) is not
    trusted: every cell it touches is re-read from its own crop."""
    a = Assignment()
    for p in pieces:
        x0, y0, x1, y1 = p.box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        r = _index(grid.rows, cy)
        if r < 0:
            a.above.append(p)
            continue
        if r >= grid.n_rows:
            a.below.append(p)
            continue
        c = _index(grid.cols, cx)
        if c < 0 or c >= grid.n_cols:
            continue  # margin notes beside the table
        tol = max(6.0, 0.35 * (y1 - y0))
        cols = _spanned(grid.cols, x0, x1, tol) or [c]
        rows = _spanned(grid.rows, y0, y1, tol) or [r]
        if len(cols) > 1 or len(rows) > 1:
            a.straddling.update((rr, cc) for rr in rows for cc in cols)
            continue
        a.cells.setdefault((r, c), []).append(p)
    return a


def reading_order(pieces: list[OcrPiece]) -> list[OcrPiece]:
    """Lines top to bottom, pieces left to right within a line (for multi-line cells)."""
    if len(pieces) <= 1:
        return list(pieces)
    ps = sorted(pieces, key=lambda p: (p.box[1] + p.box[3]) / 2)
    lines: list[list[OcrPiece]] = [[ps[0]]]
    for p in ps[1:]:
        last = lines[-1][-1]
        h = max(last.box[3] - last.box[1], 1)
        if abs((p.box[1] + p.box[3]) / 2 - (last.box[1] + last.box[3]) / 2) < 0.5 * h:
            lines[-1].append(p)
        else:
            lines.append([p])
    return [p for line in lines for p in sorted(line, key=lambda q: q.box[0])]


def cell_inner(gray: np.ndarray, box: Box, margin: int = 3) -> np.ndarray:
    """The inside of a cell, its ruling lines cut away."""
    x0, y0, x1, y1 = box
    return gray[y0 + margin : y1 - margin, x0 + margin : x1 - margin]


INK_CONTRAST = 45  # a pixel this much darker than its cell's paper is ink (faded ink included)
MIN_TEXT_PIXELS = 25  # fewer ink pixels than this in a cell is a speck, not text


RULING_RUNS = 6
"""A row of a cell crop covered by ink over 80 % of its width is a ruling remnant only when that ink
is a few long runs (a line, faded or broken in a few places). A line of bold digits covers 80 % of
some rows too (an 18-digit ID in a serif face: 82 %), but in one run per glyph or more."""


def ruling_rows(ink: np.ndarray) -> np.ndarray:
    """Rows (bool mask) of a 0/1 ink crop that are ruling remnants, not text: over 80 % ink in at
    most RULING_RUNS runs. None in a crop narrower than 20 px."""
    h, w = ink.shape
    if w < 20:
        return np.zeros(h, dtype=bool)
    dense = ink.sum(axis=1) > 0.8 * w
    if not dense.any():
        return dense
    rows = ink[dense].astype(np.int8)
    runs = (np.diff(rows, axis=1) == 1).sum(axis=1) + rows[:, 0]
    dense[np.nonzero(dense)[0][runs > RULING_RUNS]] = False
    return dense


EDGE_SLIVER_ROWS = 3
"""Ink at most this many rows tall along a cell crop's top or bottom edge is what is left of the
ruling line beyond it (a faded line, broken too often to be blanked as a ruling row), or the tail of
a neighbour's glyph: no text line of its own. A glyph is 12 rows tall or more at scan resolution."""


STAMP_CORE_SHARE = 0.3
"""Rows of a text line band whose ink (smoothed over 5 rows) is at least this share of the band's
densest row are its text; the thin strokes around them may be a stamp's (_line_core)."""


def _line_core(profile: np.ndarray, b0: int, b1: int) -> tuple[int, int]:
    """A band made tall by a stamp over the cell (its arcs join the text line to the cell's edges)
    cut to its text: the longest run of dense rows, when the band is at least twice as tall and
    less than a quarter of its ink lies outside that run. Text rows of a digit line hold 60-130 ink
    pixels, a stamp's arcs 2-30; a wrapped second line, or a character's strokes apart, carry more
    than a quarter of the ink and keep the band whole."""
    seg = profile[b0:b1 + 1].astype(np.float64)
    if seg.size < 8 or seg.max() <= 0:
        return b0, b1
    smooth = np.convolve(seg, np.ones(5) / 5, mode="same")
    dense = _runs(np.nonzero(smooth >= STAMP_CORE_SHARE * smooth.max())[0], 1)
    c0, c1 = max(dense, key=lambda r: r[1] - r[0])  # the first of the longest
    if seg.size < 2 * (c1 - c0 + 1):
        return b0, b1
    if seg[:c0].sum() + seg[c1 + 1:].sum() >= 0.25 * seg.sum():
        return b0, b1
    return b0 + c0, b0 + c1


def text_line_bands(crop: np.ndarray, min_gap: int = 3, pad: int = 8) -> list[tuple[int, int]]:
    """Vertical extents (y0, y1) of the text lines inside a cell crop, padded but never into the
    next line: one band for most cells, two or more for a wrapped cell. Small bands (a dot, a stroke
    apart, specks, stamp remnants) join the nearest line, except faint ones more than half a line
    away, which are left out. Empty when the crop holds no text."""
    if crop.size == 0:
        return []
    ink = (crop < int(np.median(crop)) - INK_CONTRAST).astype(np.uint8)
    h, w = ink.shape
    ink[ruling_rows(ink)] = 0
    if int(ink.sum()) < MIN_TEXT_PIXELS:
        return []
    profile = ink.sum(axis=1)
    rows = np.nonzero(profile > max(1, 0.004 * w))[0]
    if rows.size == 0:
        return []
    bands = [b for b in _runs(rows, min_gap)
             if not ((b[0] == 0 or b[1] == h - 1) and b[1] - b[0] < EDGE_SLIVER_ROWS)]
    if not bands:
        return []
    tallest = max(b1 - b0 for b0, b1 in bands)
    lines = [b for b in bands if b[1] - b[0] >= 0.45 * tallest]
    mass = {id(b): int(profile[b[0]:b[1] + 1].sum()) for b in bands}
    for b in bands:
        if b in lines:
            continue
        nearest = min(lines, key=lambda ln: min(abs(ln[0] - b[1]), abs(b[0] - ln[1])))
        gap = min(abs(nearest[0] - b[1]), abs(b[0] - nearest[1]))
        if gap > 0.5 * tallest and mass[id(b)] < 0.1 * mass[id(nearest)]:
            continue  # a speck far from the text: joined, it would shrink the text for the recognizer
        nearest[0], nearest[1] = min(nearest[0], b[0]), max(nearest[1], b[1])
    lines.sort()
    for ln in lines:
        ln[0], ln[1] = _line_core(profile, ln[0], ln[1])
    out = []
    for i, (b0, b1) in enumerate(lines):
        lo = b0 - pad if i == 0 else max(b0 - pad, (lines[i - 1][1] + b0) // 2)
        hi = b1 + 1 + pad if i == len(lines) - 1 else min(b1 + 1 + pad, (b1 + lines[i + 1][0]) // 2)
        out.append((max(0, lo), min(h, hi)))
    return out


def ink_extent(inner: np.ndarray) -> float | None:
    """How wide a cell's text is, in glyph heights, summed over its text lines: about the number
    of Han characters written (2-character names measure 1.0-2.3, 3-character ones 2.8-3.6 on
    the generated ledgers). None for a blank cell. Ruling remnants and specks are left out."""
    import cv2

    bands = text_line_bands(inner)
    if not bands:
        return None
    paper = int(np.median(inner))
    total = 0.0
    for b0, b1 in bands:
        ink = (inner[b0:b1] < paper - INK_CONTRAST).astype(np.uint8)
        h, w = ink.shape
        ink[ruling_rows(ink)] = 0
        ink[:, ink.sum(axis=0) > 0.8 * h] = 0
        n, _lab, st, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
        keep = [i for i in range(1, n) if st[i, cv2.CC_STAT_AREA] >= 6]
        if not keep:
            continue
        x0 = min(st[i, cv2.CC_STAT_LEFT] for i in keep)
        x1 = max(st[i, cv2.CC_STAT_LEFT] + st[i, cv2.CC_STAT_WIDTH] for i in keep)
        y0 = min(st[i, cv2.CC_STAT_TOP] for i in keep)
        y1 = max(st[i, cv2.CC_STAT_TOP] + st[i, cv2.CC_STAT_HEIGHT] for i in keep)
        total += (x1 - x0) / max(1, y1 - y0)
    return round(total, 2)
