"""Layout: the table's ruling lines -> a grid of cells; recognized text -> (row, column).

Rows and columns come from ruling lines found by morphology on the rectified page. Text pieces
from whole-page OCR are put in the cell that holds their centre; a piece that straddles two
columns (a detection box merged across a ruling line) marks those cells for crop re-recognition.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import cv2
import numpy as np

from pipeline.kernel.errors import InkDotsError, NoTableError
from pipeline.kernel.models import Box, OcrPiece
from pipeline.page.cleanup import GRID_LINE_SPAN, GRID_MIN_LINES, _page_scale, step_pixels
from pipeline.page.gridlines import (
    BOX_PAD_PX,
    FAINT_RULING_CONTRAST,
    INK_CONTRAST,
    MIN_REGION_PX,
    LineMasks,
    binarize,
    level_runs_part,
    line_masks,
    masks_profiles,
)


@dataclass(frozen=True)
class Grid:
    rows: tuple[int, ...]  # y of each horizontal ruling line, top to bottom (len = n_rows + 1)
    cols: tuple[int, ...]  # x of each vertical ruling line, left to right (len = n_cols + 1)
    inferred_rows: tuple[int, ...] = ()  # indices of lines that were inferred, not seen
    source: str = "ruling"  # "ruling": lines seen; "text": rows and columns from the text's alignment
    # (no usable ruling; GRID_SOURCES), "ruling+text": some lines seen, the others from the text,
    # "ruling by column" (rows_by_column), "faint ruling": lines seen only at a lower contrast (faint_ruling)
    inferred_cols: tuple[int, ...] = ()  # indices of vertical lines put in at a text gap (a missing line)
    struck_rows: tuple[int, ...] = ()  # rows with a line drawn across their text (struck through?)
    # per column, the y of its own row lines where they do not run straight across the table (a form
    # ruled by hand, each column's rules apart: rows_by_column); () where `rows` hold for every column
    col_rows: tuple[tuple[int, ...], ...] = ()
    # indices of vertical lines put at the extent of text beyond the outermost ruling (a border lost:
    # columns_beyond_ruling)
    edge_cols: tuple[int, ...] = ()
    # y of the row lines seen only over their bow (a photographed page lifting at an edge: _bowed_beside);
    # the rows on either side of such a line are in doubt (bowed_line_rows)
    bowed_lines: tuple[int, ...] = ()
    # indices of vertical lines found beyond the cleanup's table box, the grid's row lines running across
    # the columns they bound (a photograph's broken row lines cut the box: columns_beyond_box)
    box_cols: tuple[int, ...] = ()

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
        rows = self.col_rows[c] if self.col_rows else self.rows
        return (self.cols[c], rows[r], self.cols[c + 1], rows[r + 1])

    def to_dict(self) -> dict:
        d: dict[str, object] = {"rows": list(self.rows), "cols": list(self.cols), "inferred_rows": list(self.inferred_rows)}
        if self.source != "ruling":
            d["source"] = self.source
        if self.inferred_cols:
            d["inferred_cols"] = list(self.inferred_cols)
        if self.struck_rows:
            d["struck_rows"] = list(self.struck_rows)
        if self.col_rows:
            d["col_rows"] = [list(r) for r in self.col_rows]
        if self.edge_cols:
            d["edge_cols"] = list(self.edge_cols)
        if self.bowed_lines:
            d["bowed_lines"] = list(self.bowed_lines)
        if self.box_cols:
            d["box_cols"] = list(self.box_cols)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Grid:
        """The grid to_dict stored (a page's layout["grid"])."""
        return cls(
            tuple(d["rows"]),
            tuple(d["cols"]),
            tuple(d.get("inferred_rows", ())),
            str(d.get("source", "ruling")),
            tuple(d.get("inferred_cols", ())),
            tuple(d.get("struck_rows", ())),
            tuple(tuple(r) for r in d.get("col_rows", ())),
            tuple(d.get("edge_cols", ())),
            tuple(d.get("bowed_lines", ())),
            tuple(d.get("box_cols", ())),
        )


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
    """A data row about k times the usual height lost k-1 ruling lines: put them back, evenly. The usual
    height is one row's pitch (_ruled_pitch), not the rows' median where lines were lost in many rows."""
    if len(rows) < 4:
        return rows, []
    gaps = np.diff(rows)
    usual = _ruled_pitch(gaps[1:]) if len(gaps) > 2 else float(np.median(gaps))
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


RULED_PITCH_SHARE = 0.2
"""Every data row found is a whole number of one row's pitch within this share of a pitch (_ruled_pitch;
UNIT_PITCH_SHARE, the same tolerance where the rows are put back from the text)."""
RULED_PITCH_ROWS = 2
"""The fewest data rows one pitch tall among those found for the smallest to be taken for the pitch
(_ruled_pitch)."""


def _ruled_pitch(gaps: np.ndarray) -> float:
    """One data row's pitch from the heights of the data rows found between ruling lines: the smallest,
    where every row is a whole number of it (RULED_PITCH_SHARE), else their median. Where a 1-bit
    threshold or fading lost the line under more than half the rows, the median row holds two or more rows
    or lies between (half the rows one pitch, half two: 1.5 pitches), and _fill_missing_rows, taking it
    for a row, put no line back in rows two pitches tall and one line in the middle of a row three
    pitches tall: rows merged above, a row cut in two below, every record between them holding another
    row's writing while the count of rows came out right (design county_editions seed 3316 as a carbon
    copy, bench/stress_scans.py --mode carbon, page 3 of 03_cremation_longkou_2015: rows of 121, 241,
    120, 122, 241 and 361 px, median 181: records 3-7 held other rows). Source: a printed register rules
    every data row at one pitch, so the rows between the lines found are whole multiples of it, and where
    lines survive the pitch shows in more than one row (RULED_PITCH_ROWS). The median stays where the
    smallest row is no whole divisor of the others, or stands alone (a strike _lines_inside_rows kept
    because the line under its row was lost: half a pitch, then one and a half)."""
    if len(gaps) == 0:
        return 0.0
    least = float(gaps.min())
    if least <= 0:
        return float(np.median(gaps))
    units = [g / least for g in gaps]
    whole = all(abs(u - round(u)) <= RULED_PITCH_SHARE for u in units)
    if whole and sum(1 for u in units if round(u) == 1) >= RULED_PITCH_ROWS:
        return least
    return float(np.median(gaps))


OUTSIDE_COLUMNS_ROW_SHARE = 0.5
"""A horizontal line at the top or bottom of those found lies outside the table where the table's vertical
lines end more than this share of the usual row height before it (_outside_columns): they end where at
least half a pixel of vertical-line ink per line found stands in a pixel row (half the lines at one pixel
wide, fewer where they are wider: lenient, a line is kept in any doubt)."""


def _outside_columns(rows: list[int], cols: list[int], plumb: np.ndarray | None) -> list[int]:
    """The horizontal lines without the outermost ones that the table's vertical lines do not reach: a
    ruled table's column lines run from its top rule to its bottom rule, so a long straight edge beyond
    them is no row's boundary. On a photograph it is the edge of the paper or of a shadow, or the border
    of what the perspective warp filled beyond the photograph's frame (a step of brightness the ruling
    finder takes for a line), one row or so below the table's bottom rule: it added a row of specks.
    `plumb`: per row of the region, the pixels of long vertical runs in it (LineProfiles.plumb_per_row);
    positions relative to the region. Source: a property of ruled tables and of imaging (the paper's edge,
    the warp's fill). Lines are kept where the vertical lines are too few to tell (fewer than 3)."""
    if plumb is None or len(cols) < 3 or len(rows) < 4:
        return rows
    usual = float(np.median(np.diff(rows[1:])))
    reach = max(1, int(round(OUTSIDE_COLUMNS_ROW_SHARE * usual)))
    # the span where at least half of the vertical lines run (a line's run is a pixel or two wide)
    spanned = np.nonzero(plumb >= 0.5 * len(cols))[0]
    if len(spanned) == 0:
        return rows
    top, bottom = int(spanned[0]), int(spanned[-1])
    out = list(rows)
    while len(out) > 3 and out[-1] > bottom + reach:
        out.pop()
    while len(out) > 3 and out[0] < top - reach:
        out.pop(0)
    return out


LINE_MIN_GAP_PX = 20
"""px two ruling lines found lie apart at the least: nearer runs are one line (its two edges, a double
stroke) and are merged (_line_positions); a faint line this near a line of the grid is that line
(faint_lines_added)."""


LEAN_PX = 6
"""px either side of a column of pixels within which a plumb run of ink counts for a column line leaning
(_leaning_lines): the slant _plumb_cover allows a column line (BOX_EDGE_PX)."""


def _leaning_lines(ver: np.ndarray, height: int) -> list[int]:
    """x (on the region `ver`) of the column lines that lean a few pixels over the table's height: lines
    whose plumb runs, counted per pixel row where any lies within LEAN_PX of x, run GRID_LINE_SPAN of the
    height, though no single column of pixels holds that much of them. A photograph's keystone left after
    the page was rectified (pipeline.page.cleanup.correct_capture finds the page's corners, not each
    line's) leans the column lines on one side of the table, each a little more than the one before (a
    keystone fans them): design phone copy seed 3380 county 03_cremation_longkou_2017 p1, its lines on
    the right half drifting 13-17 px over the 1 070 px of the table, so each column of pixels held a third
    of a line, below GRID_LINE_SPAN, and the grid found 7 of its 14 columns. The vertical opening that
    keeps runs longer than any character (gridlines.line_masks) keeps a leaning line in pieces, each at
    its own x, so a line still spans the table's height counted over its slant. Source: a property of
    imaging (perspective, straight lines stay straight but lean) and of ruled tables (a column line runs
    from the table's top rule to its bottom rule); a line so found is only added beside the upright
    ones (ruling_lines), never moves one."""
    if ver.size == 0:
        return []
    band = cv2.dilate(ver, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * LEAN_PX + 1, 1)))
    return _line_positions((band > 0).sum(axis=0).astype(float), GRID_LINE_SPAN * height, min_gap=LINE_MIN_GAP_PX)


LEAN_STEP_SHARE = 0.5
"""A leaning column line (_leaning_beside) is the edge of a step in light, no ruling, where at least this
share of its plumb runs' pixels are step pixels (pipeline.page.cleanup.step_pixels: paper in light on one
side only). A hard shadow's edge crossing the table 2 degrees off the plumb (tests/test_capture: a hand's
shadow over a 150 dpi photograph): 0.74-0.76 of its pixels; the ruling lines found leaning on design phone
copies (seed 3380 county p1, seed 3381 copies): 0.00-0.03, and 0.15 for one in a shadow's penumbra."""


def _leaning_beside(gray: np.ndarray, masks: LineMasks, cols: list[int], height: int) -> list[int]:
    """x (on the region of `masks`) of the leaning column lines (_leaning_lines) farther than LINE_MIN_GAP_PX
    from every upright one (`cols`) that are ruling, not the edge of a step in light (LEAN_STEP_SHARE): a
    hard shadow's edge crossing the table a degree or two off the plumb is as straight and as long as a
    leaning line."""
    new = [x for x in _leaning_lines(masks.ver, height) if all(abs(x - c) > LINE_MIN_GAP_PX for c in cols)]
    return _not_light_steps(gray, masks, new, horizontal=False)


def _not_light_steps(gray: np.ndarray, masks: LineMasks, found: list[int], horizontal: bool) -> list[int]:
    """The lines among `found` (y of row lines where `horizontal`, else x of column lines, on the region of
    `masks`) that are ruling, not the edge of a step in light: fewer than LEAN_STEP_SHARE of their runs'
    pixels within LEAN_PX of them are step pixels (pipeline.page.cleanup.step_pixels: paper in light on one
    side only). Used for the lines counted over a slant or a bow (_leaning_beside, _bowed_beside), which a
    hard shadow's straight edge can pass for."""
    if not found:
        return []
    runs = masks.hor if horizontal else masks.ver
    rh, rw = runs.shape
    page = np.zeros(gray.shape, np.uint8)
    page[masks.y0 : masks.y0 + rh, masks.x0 : masks.x0 + rw] = runs
    steps = step_pixels(gray, page, horizontal=horizontal)[masks.y0 : masks.y0 + rh, masks.x0 : masks.x0 + rw]
    if not horizontal:  # a column line's band is columns of pixels: turned, rows as for a row line
        runs, steps = runs.T, steps.T
    kept = []
    for p in found:
        band = runs[max(0, p - LEAN_PX) : p + LEAN_PX + 1] > 0
        if (steps[max(0, p - LEAN_PX) : p + LEAN_PX + 1] & band).sum() < LEAN_STEP_SHARE * band.sum():
            kept.append(p)
    return kept


def _bowed_lines(hor: np.ndarray, width: int) -> list[int]:
    """y (on the region `hor`) of the row lines that bow or lean a few pixels over the table's width:
    lines whose level runs, counted per pixel column where any lies within LEAN_PX of y, run GRID_LINE_SPAN
    of the width, though no single row of pixels holds that much of them (_leaning_lines turned a quarter).
    A bound ledger's page lifts at its free or bound edge when photographed (bench/stress_scans.py --curl),
    and the page's rectification (pipeline.page.cleanup.correct_capture maps the page's four corners, a
    plane) leaves the rows near that edge bowed: design phone copies ph3802 and s38 ph3878 (d3316 county
    03 p4): the header's lower line ran from y 173 at the left through 186 in the middle to 168 at the
    right, the first data row's line 282-295, so that no row of pixels held GRID_LINE_SPAN of either; the
    header row ran into the first data row, the header read with the first entry's values, and both pages
    were lost as unknown_ledger. The horizontal opening that keeps runs longer than any character
    (gridlines.line_masks) keeps a bowed line in pieces, each at its own y, so the line still spans the
    table's width counted over its bow. Source: a property of imaging (a page that is not flat is no plane
    for the homography) and of ruled tables (a row line runs from the table's left border to its right)."""
    return _leaning_lines(np.ascontiguousarray(hor.T), width)  # a row line's bow is a column line's slant turned


BOW_STEP_PX = 3
"""px a bowed row line's middle may move between two neighbouring pixel columns of it (_one_bowed_line), plus
BOW_STEP_SLOPE per px of a break between them: a line bowing 20 px over a 2 000 px table moves well under a
pixel per column; the middle of a blurred run with a stroke of writing touching it moves a pixel or two."""
BOW_STEP_SLOPE = 0.05


def _one_bowed_line(hor: np.ndarray, y: int, width: int) -> bool:
    """Whether the level runs within LEAN_PX of `y` are one line bowing or leaning smoothly, not pieces of
    several: followed from pixel column to pixel column (the runs' middle moving at most BOW_STEP_PX, more
    across a break: BOW_STEP_SLOPE), the longest stretch so followed holds level runs in GRID_LINE_SPAN of
    the width. Pieces of two or more lines that the LEAN_PX band catches together (a form ruled by hand,
    each column's stretch of a row line drawn apart, the table slanted: tests/test_robust_layout.py) jump
    where one piece gives way to the next. Source: a property of imaging (a page's bend and tilt move a
    printed line smoothly along it) and of ruled tables (one row line runs across the table)."""
    h = hor.shape[0]
    a, b = max(0, y - LEAN_PX), min(h, y + LEAN_PX + 1)
    on = hor[a:b] > 0
    xs = np.nonzero(on.any(axis=0))[0]
    if len(xs) == 0:
        return False
    rows = np.arange(a, b, dtype=float)[:, None]
    mids = (on[:, xs] * rows).sum(axis=0) / on[:, xs].sum(axis=0)
    best = run = 1
    for i in range(1, len(xs)):
        gap = int(xs[i] - xs[i - 1])
        if abs(mids[i] - mids[i - 1]) <= BOW_STEP_PX + BOW_STEP_SLOPE * gap:
            run += 1
        else:
            run = 1
        best = max(best, run)
    return best >= GRID_LINE_SPAN * width


def _bowed_beside(gray: np.ndarray, masks: LineMasks, rows: list[int], width: int) -> list[int]:
    """y (on the region of `masks`) of the bowed row lines (_bowed_lines) farther than LINE_MIN_GAP_PX from
    every level one (`rows`) that are ruling, not the edge of a step in light (LEAN_STEP_SHARE: a hand's
    shadow over the header lies as level as a bowed line), each one line followed smoothly (_one_bowed_line).
    Looked for only beside a table's level row lines (GRID_MIN_LINES of them): a page lifting at an edge bows
    the lines near it while the others lie level; where no row line runs level across the table (a form
    ruled by hand, each column's stretch apart), rows are followed column by column (rows_by_column)."""
    if len(rows) < GRID_MIN_LINES[0]:
        return []
    new = [y for y in _bowed_lines(masks.hor, width) if all(abs(y - r) > LINE_MIN_GAP_PX for r in rows)]
    new = [y for y in new if _one_bowed_line(masks.hor, y, width)]
    return _not_light_steps(gray, masks, new, horizontal=True)


def bowed_line_rows(grid: Grid) -> list[int]:
    """The data rows (1 = the first under the header) on either side of a row line seen only over its bow
    (Grid.bowed_lines): its y is where its bow's pieces lie on average, so a cell cut at it may hold a
    slice of the next row's writing or lose a slice of its own where the line bows furthest from it; and
    a level band of writing (a blurred row of dates and numbers running together) can bow no more than
    a line may. pipeline.page.extract doubts those rows (structure.BOWED_LINE)."""
    out: set[int] = set()
    for y in grid.bowed_lines:
        if y in grid.rows:
            i = grid.rows.index(y)
            out |= {r for r in (i - 1, i) if 1 <= r < grid.n_rows}
    return sorted(out)


DASH_SEGMENT_PX = 40
"""px (at 200 dpi, scaled with the page: cleanup's page scale) of the stretches a column's height is cut
into for _dashed_lines: a thin rule a 1-bit threshold broke leaves a dash in nearly every such stretch
(design county 3316 01_cremation_longkou_2013 as a light 1-bit copy, bench/stress_scans.py --mode bilevel
--threshold -0.5,-0.2 seed 4041: dashes 5-20 px, gaps 10-55 px), while a column of writing leaves none in
the blank band between two rows' writing (a row's pitch is 70-90 px at 200 dpi, its writing a third of it)."""
DASH_SEGMENT_SHARE = 0.9
"""A dashed column line has ink in at least this share of its stretches (DASH_SEGMENT_PX): the broken rules
of the copy above 0.94-1.00."""
DASH_ALONE_SHARE = 0.7
"""...and at least this share of its ink pixels' rows have paper DASH_FLANK_PX beside the line on both sides
(a rule is 1-3 px wide with paper on both sides; a stroke of writing has the rest of its character or the
next character beside it): the broken rules of the copy above 0.78-0.93; the most alone any x through
writing came on the same pages and on its typed copy (a typed row number's leading 1, a column of
typed dates), 0.48."""
DASH_LONG_SEGMENTS = 2
"""A column line broken into dashes farther apart (a light rule scanned 1-bit at a dark setting, the
threshold pulled toward black by the scan's border) has ink in nearly every stretch of this many
DASH_SEGMENT_PX (DASH_SEGMENT_SHARE) where it has ink over DASH_COVER of its height: design county 3316
04_sea_burial p3 as a dark 1-bit copy (bench/stress_scans.py --mode bilevel --threshold=0.3,0.5 --gain
0.5,0.8 --seed 4523), its broken column rules in 40-px stretches 0.61-0.85, in 80-px stretches 0.94-1.00."""
DASH_COVER = 0.1
"""...and ink within DASH_HALF_PX of the line over at least this share of its height: those rules 0.07-0.33
(0.13-0.33 between the table's top and bottom rules); an x where only the row lines' dashes cross a lost
column rule, 0.02-0.07 (the same copy's county 03 p2, 04 p2; their 80-px stretches 0.62-0.88), a line
so found is no column there. Source: a property of printed ruling (a line the table's whole height) and
of a 1-bit threshold (it breaks a rule into dashes), the shares measured on design copies only."""
DASH_MIN_PX = 5
"""px (at 200 dpi, scaled with the page) a dash of a row line is long at least (_dashed_beside): a 1-bit
threshold breaks a rule into dashes of 5-20 px (s40's light copy) or 15-25 px (the dark copy above), while
the grain an error-diffusion halftone leaves on the paper after descreening is lone dots of 1-3 px, which
stood in every stretch of a line of writing's top strokes and made it a row line (tests/test_bilevel.py's
diffusion-dithered register: 24 rows for 12)."""
DASH_HALF_PX = 2
"""px either side of an x that count as on the line (a 1-3 px rule, a pixel of slant over the table's height
after the cleanup's deskew)."""
DASH_FLANK_PX = (4, 12)
"""px beside an x (nearest, farthest; at 200 dpi, scaled with the page) that must be paper for a dash there
to be alone (DASH_ALONE_SHARE)."""


def _dashed_lines(ink: np.ndarray, scale: float) -> list[int]:
    """x (on the region `ink`, ink True) of the plumb column lines a 1-bit threshold broke into dashes: ink
    within DASH_HALF_PX of x in nearly every stretch of the height (DASH_SEGMENT_SHARE) and, where it lies,
    alone (paper beside it on both sides, DASH_ALONE_SHARE). The opening that keeps runs longer than any
    character (gridlines.line_masks) keeps no dash, and find_ruling joins only dashes longer than its
    kernel (a fortieth of the page's height): a thin rule printed light and scanned 1-bit at a light
    setting loses every piece (design county 3316 01_cremation_longkou_2013 p6, light 1-bit copy: 12 of its
    15 column lines, the grid 3 columns wide). Source: a property of printed ruling (a straight thin line
    running the table's height, paper on both sides) and of 1-bit scans (one threshold for the page breaks
    a thin rule into dashes: bench/stress_scans.py --mode bilevel's breaks); no generated value fitted."""
    h, w = ink.shape
    seg = max(8, int(round(DASH_SEGMENT_PX * scale)))
    n_seg = h // seg
    if n_seg < 4 or w < 2 * DASH_FLANK_PX[1] + 3:
        return []
    ink = ink[: n_seg * seg]
    band = np.zeros_like(ink)
    beside_left = np.zeros_like(ink)
    beside_right = np.zeros_like(ink)
    for d in range(-DASH_HALF_PX, DASH_HALF_PX + 1):
        band[:, max(0, d) : w + min(0, d)] |= ink[:, max(0, -d) : w - max(0, d)]
    f0, f1 = (max(DASH_HALF_PX + 1, int(round(v * scale))) for v in DASH_FLANK_PX)
    for d in range(f0, f1 + 1):
        beside_left[:, d:] |= ink[:, :-d]
        beside_right[:, :-d] |= ink[:, d:]
    filled = band.reshape(n_seg, seg, w).any(axis=1).mean(axis=0)
    n_long = h // (DASH_LONG_SEGMENTS * seg)
    sparse = np.zeros(w, dtype=bool)
    if n_long >= 4:  # dashes farther apart: a stretch of two segments, and ink over DASH_COVER of the height
        long = band[: n_long * DASH_LONG_SEGMENTS * seg].reshape(n_long, DASH_LONG_SEGMENTS * seg, w).any(axis=1).mean(axis=0)
        sparse = (long >= DASH_SEGMENT_SHARE) & (band.mean(axis=0) >= DASH_COVER)
    alone = (band & ~beside_left & ~beside_right).sum(axis=0) / np.maximum(band.sum(axis=0), 1)
    hit = ((filled >= DASH_SEGMENT_SHARE) | sparse) & (alone >= DASH_ALONE_SHARE)
    hit[:f1] = False
    hit[w - f1 :] = False
    return _line_positions(hit.astype(float), 0.5, min_gap=LINE_MIN_GAP_PX)


def _dashed_beside(gray: np.ndarray, masks: LineMasks, rows: list[int], cols: list[int], horizontal: bool = False) -> list[int]:
    """x (on the region of `masks`) of the dashed column lines (_dashed_lines) farther than LINE_MIN_GAP_PX
    from every column line found whole (`cols`), looked for between the table's top and bottom rules
    (`rows`, on the region) where two are found, else over the region's height, in the region's ink the
    masks were found in (masks.ink: the same contrast and ruling). `horizontal`: y of the dashed row lines
    instead, farther from every row line found whole (`rows`), looked for between the outermost column
    lines (`cols`) where two are found: a 1-bit threshold breaks a light row rule as it breaks a column
    rule (design county 3316 04_sea_burial p3 as a dark 1-bit copy, bench/stress_scans.py --mode bilevel
    --threshold=0.3,0.5 --gain 0.5,0.8 --seed 4523: every row line in dashes of 15-25 px, the header's
    line among them, so the text grid took the first entry for the header row)."""
    ink = masks.ink > 0
    scale = _page_scale(gray.shape)
    if horizontal:  # a row line's dashes, each DASH_MIN_PX long at least: no lone dots of grain
        k = max(2, int(round(DASH_MIN_PX * scale)))
        ink = cv2.morphologyEx(ink.T.astype(np.uint8), cv2.MORPH_OPEN, np.ones((k, 1), np.uint8)) > 0
        rows, cols = cols, rows
    rh = ink.shape[0]
    y0, y1 = (rows[0], rows[-1]) if len(rows) >= 2 and rows[-1] - rows[0] >= MIN_DASHED_HEIGHT_PX else (0, rh)
    return [x for x in _dashed_lines(ink[y0:y1], scale) if all(abs(x - c) > LINE_MIN_GAP_PX for c in cols)]


MIN_DASHED_HEIGHT_PX = 200
"""The least height (px) between a table's top and bottom rules found to look for dashed lines over it
alone (_dashed_beside); below it the region's height is used."""


def ruling_lines(
    gray: np.ndarray,
    table_box: Box | None = None,
    ruling: np.ndarray | None = None,
    contrast: int = INK_CONTRAST,
    masks: LineMasks | None = None,
) -> tuple[list[int], list[int]]:
    """y of the horizontal and x of the vertical ruling lines of the (rectified) table, on the page.
    `ruling`: the ruling lines whole on this page (pipeline.page.cleanup.find_ruling: their gaps bridged, a
    faded or dotted line made one), added to the page's ink. A horizontal line beyond the ends of the
    vertical ones is left out (_outside_columns). A column line that leans a few pixels (a photograph's
    keystone) is counted over its slant (_leaning_lines) where no upright line lies within LINE_MIN_GAP_PX.
    `contrast`: what is ink (gridlines.binarize). `masks`: the runs of ink already found in that region at
    that contrast (gridlines.line_masks), not found again. A row line that bows a few pixels over the
    table's width (a photographed page lifting at an edge) is counted over its bow (_bowed_beside) where no
    level line lies within LINE_MIN_GAP_PX (_ruling_lines_found says which)."""
    rows, cols, _bowed, _dashed = _ruling_lines_found(gray, table_box, ruling, contrast, masks)
    return rows, cols


def _ruling_lines_found(
    gray: np.ndarray,
    table_box: Box | None = None,
    ruling: np.ndarray | None = None,
    contrast: int = INK_CONTRAST,
    masks: LineMasks | None = None,
) -> tuple[list[int], list[int], list[int], list[int]]:
    """ruling_lines, with the y of the row lines among them seen only over their bow (_bowed_beside) and of
    those found only as dashes (_dashed_beside)."""
    masks = masks if masks is not None else line_masks(gray, table_box, ruling, contrast)
    if masks is None:
        return [], [], [], []
    prof = masks_profiles(masks)
    rows = _line_positions(prof.rows, GRID_LINE_SPAN * prof.width, min_gap=LINE_MIN_GAP_PX)
    cols = _line_positions(prof.cols, GRID_LINE_SPAN * prof.height, min_gap=LINE_MIN_GAP_PX)
    cols = sorted(cols + _leaning_beside(gray, masks, cols, prof.height))
    dashed = _dashed_beside(gray, masks, rows, cols, horizontal=True)
    rows = sorted(rows + dashed)
    cols = sorted(cols + _dashed_beside(gray, masks, rows, cols))
    bowed = _bowed_beside(gray, masks, rows, prof.width)
    rows = sorted(rows + bowed)
    rows = _outside_columns(rows, cols, prof.plumb_per_row)
    kept = [prof.y0 + r for r in rows if r in bowed]
    rows = _without_border(gray, masks, [prof.y0 + r for r in rows], across=False)
    cols = _without_border(gray, masks, [prof.x0 + c for c in cols], across=True)
    return rows, cols, [y for y in kept if y in rows], [prof.y0 + r for r in dashed if prof.y0 + r in rows]


TEXT_COLUMNS_DASHED_ROWS = 0.5
"""The share of a grid's row lines that must have been found only as dashes (_dashed_beside, horizontal) for
the text to add column lines to it (_text_columns_added): a 1-bit threshold that broke a light ruling broke
it over the whole page, every rule alike (design county 3316 04_sea_burial p3 as a dark 1-bit copy: 9 of its 12
row lines found only as dashes, 6 of its 12 column rules lost); a row line broken alone on a ruling found
whole (a photograph's shadow edge or a stroke across it: design phone copy of typed 4571, bench/stress_scans.py
--mode phone --seed 4572, 02_sea_burial p1, 1 of 15 row lines) says no column rule was lost, and the text's
gaps inside a column of two-word entries (its sea areas) were taken for three column lines there, the
column's cells lost to columns of no field. Source: a property of a threshold (it acts on every rule of a
page alike) and of printed ruling (one pen and one press for the whole form); no generated value fitted."""
TEXT_COLUMN_ROWS = 0.5
"""A column line the text gives inside a ruled column (_text_columns_added) is one where text stands on
both sides of it, between the ruled lines, in at least this share of the rows: a gap of the text that
reaches a ruled line is that line's gap (the entries of one column written off its centre), no column."""


def _text_columns_added(gray: np.ndarray, grid: Grid) -> Grid:
    """`grid` (its row lines found as dashes, TEXT_COLUMNS_DASHED_ROWS of them at least: a light ruling a 1-bit
    threshold broke) with the column lines
    the text's alignment gives between its rows (grid_from_text over `grid`'s rows) where no column line
    was found within LINE_MIN_GAP_PX, inside the outermost ones, as inferred columns (inferred_cols): the
    same threshold that broke the row rules into dashes lost column rules whole (design county 3316
    04_sea_burial p3 as a dark 1-bit copy: 6 of its 12 columns ruled, the rest left only as dots where a
    row line crossed them). Source: a register's entries stand in its columns, row under row (the text
    grid's rule), and one threshold acts on every rule of the page alike; no generated value fitted.
    Such a grid is "ruling+text" (its page in doubt, pipeline.page.extract.GRID_DOUBTS: every record held
    for review): the same copy's page read with it had two digits read wrong at 0.77-1.00 ("4" as "1",
    the threshold's stroke loss) that a grid of ruling alone would have let through."""
    text = grid_from_text(gray, list(grid.rows), None)
    if text is None:  # its first and last lines: the text's extent, no gap
        return grid
    ink = binarize(gray) > 0
    bands = [(a + BOX_EDGE_PX, b - BOX_EDGE_PX) for a, b in zip(grid.rows, grid.rows[1:]) if b - a > 2 * BOX_EDGE_PX]

    def written_beside(c: int) -> bool:  # text on both sides of c inside its ruled column, row under row
        i = int(np.searchsorted(grid.cols, c))
        a, b = grid.cols[i - 1] + BOX_EDGE_PX, grid.cols[i] - BOX_EDGE_PX
        both = [
            int(ink[y0:y1, a:c].sum()) >= MIN_TEXT_PIXELS and int(ink[y0:y1, c:b].sum()) >= MIN_TEXT_PIXELS for y0, y1 in bands
        ]
        return bool(both) and float(np.mean(both)) >= TEXT_COLUMN_ROWS

    lo, hi = grid.cols[0] + LINE_MIN_GAP_PX, grid.cols[-1] - LINE_MIN_GAP_PX
    extra = [
        c for c in text.cols[1:-1] if lo < c < hi and all(abs(c - x) > LINE_MIN_GAP_PX for x in grid.cols) and written_beside(c)
    ]
    if not extra:
        return grid
    cols = sorted(set(grid.cols) | set(extra))
    inferred = tuple(i for i, c in enumerate(cols) if c in extra)
    return replace(grid, cols=tuple(cols), inferred_cols=inferred, source="ruling+text")


BORDER_DARK = 128
"""A pixel of the cleaned page darker than this is dark (the cleanup stretches a scan's ink to black and
its paper to white: half way between), for _without_border."""
BORDER_SHARE = 0.5
"""An outermost ruling line is the scan's black border, no ruling (_without_border), where along at least
this share of its length the strip between it and the image's nearest parallel edge is at least this
share dark."""


def _without_border(gray: np.ndarray, masks: LineMasks, lines: list[int], across: bool) -> list[int]:
    """The lines (page positions; `across`: vertical ones) without the outermost ones that are the edge of
    a dark band reaching the image's edge: the black border a scanner leaves beyond the paper (its lid or
    platen, a page scanned smaller than the glass), on a 1-bit scan solid black. Its inner edge is a long
    straight run of ink, a line to the ink test, but a ruling line is drawn on paper, paper on both sides
    of it, while from the border's edge out to the image's edge all is dark (BORDER_SHARE). Only the
    outermost lines are tested, from the outside in: a border lies outside the table. Fresh typed_sheets
    seed 3334 as a bilevel copy (bench/stress_scans.py, 300 dpi), page 3 of 04_sea_burial_laizhou_2018: the
    faint-ruling finder took the top and bottom bands (y 36 and 2449) for the table's top and bottom rules,
    a grid of 6 x 5 for the drawn 12 x 13, and the page was lost as unknown_ledger. Source: how a scanner
    images the area beyond the paper, and that ruling is printed on the paper."""
    if not lines:
        return lines
    h, w = gray.shape
    mask = masks.ver if across else masks.hor
    dark = gray < BORDER_DARK

    def border(at: int) -> bool:
        if across:
            a = max(0, at - BOX_EDGE_PX - masks.x0)
            on = np.nonzero(mask[:, a : max(a, at + BOX_EDGE_PX + 1 - masks.x0)].any(axis=1))[0] + masks.y0
            if len(on) == 0:
                return False
            strip = dark[on, : at + 1] if at < w / 2 else dark[on, at:]
            per = strip.mean(axis=1)
        else:
            a = max(0, at - BOX_EDGE_PX - masks.y0)
            on = np.nonzero(mask[a : max(a, at + BOX_EDGE_PX + 1 - masks.y0)].any(axis=0))[0] + masks.x0
            if len(on) == 0:
                return False
            strip = dark[: at + 1, on] if at < h / 2 else dark[at:, on]
            per = strip.mean(axis=0)
        return float((per >= BORDER_SHARE).mean()) >= BORDER_SHARE

    out = list(lines)
    while out and border(out[0]):
        out.pop(0)
    while out and border(out[-1]):
        out.pop()
    return out


def find_grid(
    gray: np.ndarray, table_box: Box | None = None, ruling: np.ndarray | None = None, contrast: int = INK_CONTRAST
) -> Grid:
    """Ruling lines of the (rectified) table. Raises NoTableError when there is no ruled table.
    `ruling`, `contrast`: see ruling_lines."""
    h, w = gray.shape
    if table_box is not None and (table_box[2] - table_box[0] < 50 or table_box[3] - table_box[1] < 50):
        raise NoTableError("the table region is too small")
    rows, cols, bowed, dashed_rows = _ruling_lines_found(gray, table_box, ruling, contrast)
    if len(rows) < GRID_MIN_LINES[0] or len(cols) < GRID_MIN_LINES[1]:  # a register form rules every row, the empty ones too
        raise NoTableError(f"no ruled table found ({len(rows)} horizontal and {len(cols)} vertical lines)")
    rows, struck = _lines_inside_rows(rows)
    rows, inferred = _fill_missing_rows(rows)
    struck = [r + sum(1 for i in inferred if i <= r) for r in struck]  # lines put back above shift them
    grid = Grid(tuple(rows), tuple(cols), tuple(inferred), bowed_lines=tuple(y for y in bowed if y in rows))
    if dashed_rows and len(dashed_rows) >= TEXT_COLUMNS_DASHED_ROWS * len(rows):  # a ruling broken all over
        grid = _text_columns_added(gray, grid)
    if ruling is not None and ruling.shape == gray.shape:
        struck += lines_across_rows(grid, ruling)
    return replace(grid, struck_rows=tuple(sorted(set(struck))))


STRIKE_ROW_SHARE = 0.75
"""A horizontal line closer than this share of the usual row height below the line above it, where the
next line after it lies about a row height below that one (0.75-1.25), is no row boundary: it runs
inside a row (a strike through a wrong entry, one or two lines)."""

STRIKE_EDGE_SHARE = 0.15
"""A horizontal line further below the line above it (STRIKE_ROW_SHARE or more of a row) is no row
boundary either where a later line closes the row at about a row height (0.75-1.25), nearer to one row
height than it, and lies more than this share of a row below it: the lower line of a strike drawn twice, through the text and again under
it (design county_editions seed 3977 made 1-bit at 300 dpi, bench/stress_scans.py --mode bilevel: a
struck row's second line 93 px below its top at a 124 px pitch, 32 px above the row's own line, split the
row in two and numbered every later record one row down, one of them auto-accepted). Source: a printed
register rules every data row at one pitch (_ruled_pitch), so a line between the row's top and its own
line a pitch below is not the form's; a line within this share of a row of another is one ruling line
drawn twice (a thick or doubled rule), kept."""


def _lines_inside_rows(rows: list[int]) -> tuple[list[int], list[int]]:
    """The row boundaries without the lines that run inside a row (STRIKE_ROW_SHARE), and the indices
    of the rows (between rows[r] and rows[r + 1] of the result) that held such lines. The header row
    (the first) is left as it is: it is often taller."""
    if len(rows) < 5:
        return rows, []
    usual = float(np.median(np.diff(rows[1:])))
    if usual <= 0:
        return rows, []
    kept = rows[:2]
    struck: list[int] = []
    for j in range(2, len(rows)):
        y = rows[j]
        d = y - kept[-1]
        closing = [z - kept[-1] for z in rows[j + 1 : j + 4] if 0.75 * usual <= z - kept[-1] <= 1.25 * usual]
        inside = [
            c
            for c in closing
            if d < STRIKE_ROW_SHARE * usual or (d < c - STRIKE_EDGE_SHARE * usual and abs(c - usual) < abs(d - usual))
        ]
        if inside:
            if len(kept) - 1 not in struck:
                struck.append(len(kept) - 1)
            continue
        kept.append(y)
    return kept, struck


STRIKE_SPAN = 0.3
"""A long straight line inside a data row (the page's ruling mask, pipeline.page.cleanup.find_ruling, away
from the row's own boundaries) spanning this share of the table's width or more is drawn across the
row's text: a strike (one line, two, or a cross)."""


def lines_across_rows(grid: Grid, ruling: np.ndarray) -> list[int]:
    """Data rows with a long line drawn across their text (STRIKE_SPAN), whatever its tilt (a cross of
    two diagonals is no horizontal line to the grid, but it is in the ruling mask)."""
    width = grid.cols[-1] - grid.cols[0]
    out = []
    for r in range(1, grid.n_rows):
        y0, y1 = grid.rows[r] + 6, grid.rows[r + 1] - 6
        if y1 - y0 < 6:
            continue
        band = ruling[y0:y1, grid.cols[0] : grid.cols[-1]]
        if not band.any():
            continue
        n, _lab, st, _c = cv2.connectedComponentsWithStats(band.astype(np.uint8), connectivity=8)
        if n > 1 and st[1:, cv2.CC_STAT_WIDTH].max() >= STRIKE_SPAN * width:
            out.append(r)
    return out


# ---------------------------------------------------------------------------------- text alignment
TEXT_GRID_MIN_COLS = 4
"""A table read from its text's alignment has at least this many columns (a register has 12-16), ..."""
TEXT_GRID_MIN_ROWS = 3
"""...and at least this many rows (the header and two entries) with text in TEXT_GRID_MIN_COLS of them
or more. Lines of a letter are one or two pieces of running text: no such rows, no columns."""
WORD_JOIN = 0.4
"""Ink closer than this many glyph heights side by side is one piece of text (the gaps between the
characters of a word, 0.05-0.3 glyph heights); the columns of a register stand at least twice a cell's
padding apart (0.7 glyph heights on the generated registers, more in print)."""
ROW_JOIN = 0.6
"""Text lines closer than this many glyph heights belong to one row (a wrapped cell's two lines, a
two-line header); the rows of a register are 3-4 glyph heights apart."""
TABLE_ROW_SHARE = 0.4
"""A row of the table holds at least this share of the pieces of text of a typical row (a register's
row: 15-30 pieces; a title above it: a few)."""
ROW_SPLIT = 1.7
"""A run of text lines this many times taller than the median run is two rows joined (_text_rows)."""
CUT_OVERLAP = 0.5
"""A run of text cut in two (_text_rows, ROW_SPLIT) is two rows only where its parts lie one above the other:
where the upper part reaches down over more than this share of the lower's (or its own) height into the
lower, the parts stand side by side on one row. Two rows of a register are written one under the other, a
row line between them; what makes one row's run tall enough to be cut is one tall piece in it (a stretch
of broken ruling welded to the writing on a 1-bit scan, a character written large), and the cut then
leaves that piece alone below and the rest of the row above, beside it (design typed_sheets seed 3316, a
bilevel copy by bench/stress_scans.py, page 2 of 01_cremation_haiyang_2017: the last row cut into parts
overlapping over 23 of the upper's 24 px, 17 rows found for 16 drawn). A property of a table's rows."""
COLUMN_GAP = 0.3
"""A column gap is at least this many glyph heights wide, ..."""
COLUMN_GAP_CROSSING = 0.15
"""...and at most this share of the table's rows has text across it (an address running past its
column, a stamp's remains)."""
REMNANT_ASPECT = 4.0
"""A piece of ink more than 1.5 glyph heights tall and more than this many times taller than wide is a
stretch of a ruling line, no text (_pieces). A 1-bit threshold breaks a pale ruling line into such stretches,
each as thick as the line is drawn plus the skew a scan's rotation leaves across its length (10 px wide and
73-113 px tall for 19 px glyphs on design typed_sheets seed 3376, page 1 of 01_cremation_yantai_2018 in a
bilevel copy by bench/stress_scans.py: each welded two rows' text into one run; the run holding the taller
could not be cut, so two entries became one row). No written character is so: a Han glyph's box is about
square, a digit's or a Latin letter's at least a fifth as wide as tall, and two lines of a wrapped cell
joined are as wide as their text. Source: how a 1-bit scan renders faint ruling, and the shape of glyphs;
the former rule (narrower than 0.3 glyph heights) missed stretches thickened by the threshold or the skew."""
LONE_SPECK = 0.5
"""A text line whose only piece is narrower than this many glyph heights is a speck left between two
rows (a ruling line's remnant, a dot a 1-bit threshold kept), no row: it does not cut the table's run of
rows in two. The narrowest character standing alone (a digit 1) is written in a row with others; a
character is as wide as it is tall, give or take half."""
MARK_PITCH = 1.5
"""A text line with too few pieces to be a table row (TABLE_ROW_SHARE) lying between two table rows whose
centres stand less than this many row pitches apart is marks inside their bands (_marks_between_rows): a
cross left where pale ruling lines crossed, a stretch of ruling, a stroke a 1-bit threshold kept. It cut the
page's run of table rows, and every row below it was lost (design typed_sheets seed 3376, page 1 of
01_cremation_yantai_2018 in a bilevel copy by bench/stress_scans.py: a cross 2.3 glyph heights wide between
two rows one pitch apart, 10 of 14 entries read). Source: a register's row geometry, its rows written one
pitch apart; a sparse entry (two cells written) between two others stands two pitches from the row above
the next, and still cuts the run as before."""
STRUCK_TEXT_SPAN = 0.6
"""A text line too sparse to be a table row (TABLE_ROW_SHARE) that holds one piece at least a glyph height
tall spanning at least this share of the width the table's rows span (their median) is an entry struck
through, no mark: a register's clerk strikes a wrong entry with a line drawn across its text (the right
entry follows; find_grid's struck rows, STRIKE_SPAN), and where the page's ruling is gone (a 1-bit scan's
threshold broke its pale lines) the strike welds the row's writing into that one piece, so the row
counted a single piece and cut the page's run of rows in two: the longer part kept, the entries on the
other side of the strike lost, or, where that part lay below, its first entry read as the header and
every record holding the next row's writing (fresh typed_sheets seed 3334 at severity 0.5, a bilevel
copy by bench/stress_scans.py, page 3 of 04_sea_burial_laizhou_2018: one piece 2090 px wide and 3.3
glyph heights tall, 6 of 11 entries read). Only such a line between two table rows is taken: a struck
entry lies inside the table, the right entry written after it (a line of running text under the table
is none of its rows). A ruling line kept whole is thinner than a glyph (_pieces drops it under 0.4 glyph
heights) and a title is centred in less than half the table's width (TITLE_SPAN). The row is marked
struck (Grid.struck_rows), as a struck row of a ruled page is. Source: how registers are corrected (a
line through the wrong entry) and how a 1-bit scan renders pale ruling."""
TITLE_SPAN = 0.5
"""The top line of a table read from its text whose pieces span less than this share of the width the
table's other rows span is a title above the table, not its header: a title is one cell wide, centred
over the table (...殡仪馆遗体火化登记簿), while a header names every column across the table's width.
On a 1-bit page a title's characters, their strokes broken by the threshold, come apart into as many
pieces as a row of cells holds (TABLE_ROW_SHARE then takes it for a row)."""
HEADER_PITCH = 1.25
"""A text line just above the rows found (grid_from_text) whose centre lies within this many row pitches
of the first row's, and each of whose pieces stands inside one of the columns the rows leave (none
across a column's gap), is the table's header row, however few of its pieces the threshold kept. A
ruled register prints its header in the row directly on top of the first entry, one word per column,
centred in it (the header cells share the columns' ruling); a header row is at most a row and a half of
entries tall, so its centre lies within one pitch and a quarter of the first entry's. Its words must stand
in TEXT_GRID_MIN_COLS columns or more, as a table row's must: a lone piece above the rows is a remnant
of ruling or an entry the threshold thinned to a speck, not the header (fresh f3320 as a bilevel copy,
01_cremation_longkou_2013 page 1: a 25 px piece a pitch above the last four entries, taken for the
header, lost the page as unknown_ledger). On a 1-bit page
whose ruling the threshold wiped out the header's bold strokes are broken too, and where only a few of
its words survive it holds too few pieces to count as a row of the table (TABLE_ROW_SHARE): the grid
then began at the first entry, read it as the header and every record held the next row's writing
(design typed_sheets seed 3333, a bilevel copy by bench/stress_scans.py, 03_cremation_laizhou_2017 page 3:
5 header pieces kept of 16 columns, 12 records shifted). A title is farther up and centred over the
table (TITLE_SPAN); a line of running text (填报单位 ..., a date) runs across the columns' gaps. A
property of ruled registers (the header cell above each column)."""


def _glyph_height(ink: np.ndarray) -> float | None:
    """The median height of character-sized ink blobs (10-120 px tall, a character's parts joined by a
    closing of 5 px), None where there are fewer than 10 (a blank page)."""
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n, _lab, st, _c = cv2.connectedComponentsWithStats(joined, connectivity=8)
    hs = st[1:, cv2.CC_STAT_HEIGHT]
    ws = st[1:, cv2.CC_STAT_WIDTH]
    keep = hs[(hs >= 10) & (hs <= 120) & (ws <= 4 * hs) & (ws >= 0.3 * hs) & (st[1:, cv2.CC_STAT_AREA] >= 20)]
    return float(np.median(keep)) if keep.size >= 10 else None


def _word_components(ink: np.ndarray, g: float, join: float = WORD_JOIN) -> np.ndarray:
    """Stats (x, y, width, height, area; cv2.connectedComponentsWithStats) of the words of `ink`: its
    characters joined across `join` glyph heights (WORD_JOIN) and half a glyph height down."""
    k = max(3, int(round(join * g)))
    words = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, max(3, int(0.5 * g)))))
    _n, _lab, st, _c = cv2.connectedComponentsWithStats(words, connectivity=8)
    return st[1:]


def _pieces(ink: np.ndarray, g: float) -> np.ndarray:
    """Boxes (x0, y0, x1, y1) of the pieces of text on a page: ink joined across WORD_JOIN."""
    h, w = ink.shape
    boxes = []
    for stats in _word_components(ink, g):
        x, y, bw, bh, area = (int(v) for v in stats)
        if bh < 0.4 * g or area < 0.2 * g * g or bh > 6 * g or (bh > 1.5 * g and bw * REMNANT_ASPECT < bh):
            continue  # a speck, a dot, a ruling remnant (REMNANT_ASPECT), a line along the paper's edge
        if x <= 2 or y <= 2 or x + bw >= w - 2 or y + bh >= h - 2:
            continue  # touching the image's edge: the paper's edge, a scan border
        boxes.append((x, y, x + bw, y + bh))
    return np.array(boxes, dtype=np.int64).reshape(-1, 4)


def _text_rows(boxes: np.ndarray, g: float) -> list[list[int]]:
    """Rows of text: [y0, y1] of runs of the pieces' vertical extents, runs closer than ROW_JOIN
    glyph heights joined. A run far taller than the others (ROW_SPLIT: two rows joined by a jittered
    hand, a two-line header touching the first entry) is cut at the widest gap between its pieces'
    centres."""
    spans = sorted((int(b[1]), int(b[3])) for b in boxes)
    rows: list[list[int]] = []
    for y0, y1 in spans:
        if rows and y0 - rows[-1][1] <= ROW_JOIN * g:
            rows[-1][1] = max(rows[-1][1], y1)
        else:
            rows.append([y0, y1])
    if len(rows) < 3:
        return rows
    usual = float(np.median([r1 - r0 for r0, r1 in rows]))
    out: list[list[int]] = []
    todo = list(rows)
    while todo:
        r0, r1 = todo.pop(0)
        inside = boxes[(boxes[:, 1] >= r0) & (boxes[:, 3] <= r1)]
        centres = np.sort((inside[:, 1] + inside[:, 3]) / 2.0)
        if r1 - r0 <= ROW_SPLIT * usual or len(centres) < 2:
            out.append([r0, r1])
            continue
        gaps = np.diff(centres)
        k = int(np.argmax(gaps))
        if gaps[k] < 0.5 * g:
            out.append([r0, r1])
            continue
        cut = (centres[k] + centres[k + 1]) / 2
        upper = inside[(inside[:, 1] + inside[:, 3]) / 2.0 <= cut]
        lower = inside[(inside[:, 1] + inside[:, 3]) / 2.0 > cut]
        parts = [[int(upper[:, 1].min()), int(upper[:, 3].max())], [int(lower[:, 1].min()), int(lower[:, 3].max())]]
        if any(p_[1] - p_[0] >= r1 - r0 for p_ in parts):  # a piece as tall as the run: it cannot be cut
            out.append([r0, r1])
            continue
        if parts[0][1] - parts[1][0] > CUT_OVERLAP * min(p_[1] - p_[0] for p_ in parts):
            out.append([r0, r1])  # the two parts lie side by side, not one above the other: one row
            continue
        todo[:0] = parts
    return sorted(out)


def _column_gaps(ink: np.ndarray, boxes: np.ndarray, rows: list[list[int]], x0: int, x1: int, g: float) -> list[tuple[int, int]]:
    """Vertical gaps [a, b] between x0 and x1 that text crosses in at most COLUMN_GAP_CROSSING of the
    rows, at least COLUMN_GAP glyph heights wide. Measured on the ink of each row's pieces (not their
    boxes: pieces of two columns may be joined where their texts nearly touch)."""
    width = x1 - x0
    crossing = np.zeros(width + 1, np.int32)
    mask = np.zeros(ink.shape, np.uint8)
    for b in boxes:
        mask[b[1] : b[3], b[0] : b[2]] = 1
    text = (ink > 0) & (mask > 0)
    for r0, r1 in rows:
        covered = np.zeros(width + 1, bool)
        covered[: text.shape[1] - x0] = np.any(text[r0 : r1 + 1, x0 : x1 + 1], axis=0)[: width + 1]
        crossing += covered
    wide = COLUMN_GAP * g
    gaps = [(a, b) for a, b in _runs(np.nonzero(crossing == 0)[0], 1) if b - a + 1 >= wide]
    # a gap crossed by the text of a few rows (an address running past its column) where no row leaves
    # it free: its least crossed stretch
    for a, b in _runs(np.nonzero(crossing <= COLUMN_GAP_CROSSING * len(rows))[0], 1):
        if b - a + 1 < wide or any(a <= ga and gb <= b for ga, gb in gaps):
            continue
        least = crossing[a : b + 1].min()
        sub = [(a + u, a + v) for u, v in _runs(np.nonzero(crossing[a : b + 1] == least)[0], 1)]
        ga, gb = max(sub, key=lambda r: r[1] - r[0])
        if gb - ga + 1 >= wide:
            gaps.append((ga, gb))
    gaps = sorted((a + x0, b + x0) for a, b in gaps)
    return [(a, b) for a, b in gaps if a > x0 and b < x1]


GAP_INSIDE_TEXT = 0.5
"""A column gap (_column_gaps) that one piece of text spans (its ink joined across the gap by the word join,
WORD_JOIN) in at least this share of the rows with text is a gap between the characters of one text, no
column's (_gaps_between_texts). The gaps are measured on the ink, so that two columns' texts that nearly
touch in a row or two are still told apart (COLUMN_GAP); but where the same text stands in every row (a
constant entry, the same sea area, aligned at its cell's edge) a gap inside it stands at the same place in
every row, and a 1-bit threshold that thins the strokes widens it past COLUMN_GAP (fresh typed_sheets seed
3334 as a 300 dpi bilevel copy by bench/stress_scans.py, page 3 of 04_sea_burial_laizhou_2018: two 7 px
gaps for 21 px glyphs inside the same characters, one piece across them in 11 of 12 rows: two columns too
many). Two columns whose texts stand within the word join in most rows are not told apart by their text
anyway. Source: the word join (characters of a word stand 0.05-0.3 glyph heights apart) and a 1-bit
scan's thinned strokes."""
SLIVER = LONE_SPECK
"""A column between two text gaps whose text in every row is narrower than this many glyph heights is a
stroke broken off the character beside it, no column (_gaps_between_texts): a 1-bit threshold drops a
thin stroke (the bar of an H) and leaves a stem apart, and where every row begins with the same letters
(a register number's prefix) the stem stands alone at the same place in every row (the same page: an
H's left stem, 7 px wide, for 21 px glyphs, a column too many). A cell's writing is at least a
character, and a character is as wide as it is tall, give or take half (LONE_SPECK). The stroke joins
the text it stands closer to: the narrower of the two gaps beside it is dropped."""


def _gaps_between_texts(gaps: list[tuple[int, int]], rows: list[np.ndarray], x0: int, x1: int, g: float) -> list[tuple[int, int]]:
    """The column gaps without those inside one text (GAP_INSIDE_TEXT) and those that cut a stroke broken off
    its character (SLIVER). `rows`: the pieces of text (x0, y0, x1, y1) of each row of the table."""
    with_text = [r for r in rows if len(r)]
    kept = [
        (a, b)
        for a, b in gaps
        if sum(1 for r in with_text if bool(((r[:, 0] < a) & (r[:, 2] > b)).any())) < GAP_INSIDE_TEXT * len(with_text)
    ]
    while with_text and kept:
        bounds = [x0 - 1] + [(a + b) // 2 for a, b in kept] + [x1 + 1]
        drop = None
        for j in range(len(bounds) - 1):
            lo, hi = bounds[j], bounds[j + 1]
            widths = [int((r[m, 2] - r[m, 0]).max()) for r in with_text if (m := (r[:, 0] >= lo) & (r[:, 2] <= hi)).any()]
            if widths and max(widths) < SLIVER * g:
                left = kept[j - 1] if j > 0 else None
                right = kept[j] if j < len(kept) else None
                sides = [s for s in (left, right) if s is not None]
                drop = min(sides, key=lambda s: s[1] - s[0])
                break
        if drop is None:
            break
        kept.remove(drop)
    return kept


HEADER_WORD_GAP = 1.0
"""Two columns of a text grid side by side that hold header text and no entry, their header pieces closer
than this many glyph heights, are one column whose header word a 1-bit threshold broke in two
(_header_split_joined): a bold header character comes out a blot, apart from the rest of its word by a
gap wider than the word join (fresh typed 3334 as a 200 dpi bilevel copy by bench/stress_scans.py, page 3
of 04_sea_burial_laizhou_2018: 8 px for 15 px glyphs, a column too many). The header words of two columns
stand centred in their cells, apart by more than a character even where both columns are empty; the
characters of one word stand 0.05-0.3 glyph heights apart (WORD_JOIN). A property of ruled registers."""


def _header_split_joined(cols: list[int], rows: list[np.ndarray], g: float) -> list[int]:
    """The columns of a text grid with a column holding only its header's word joined to the one beside it
    that holds entries under no header word: one column, its entries written against one side of the cell
    (aligned left or right) and its header word centred, with a text gap between them (a ruled register
    names every column in its header row, the header cell above its entries; a column the gaps cut out
    with entries and no header word, beside one with a header word and no entry, is that column cut in
    two). `rows`: the pieces of text of each row, the header's first. Fresh typed_sheets seed 3334 as a
    bilevel copy by bench/stress_scans.py, page 3 of 04_sea_burial_laizhou_2018: the sea-area column's
    entries aligned left, its header centred 50 px to the right of them, one column too many. Two columns
    side by side with header text and no entry are joined where their header pieces stand closer than
    HEADER_WORD_GAP: one header word broken in two."""
    if len(rows) < 2 or len(cols) < 3:
        return cols

    def held(r: np.ndarray, lo: int, hi: int) -> bool:
        return bool(len(r)) and bool(((r[:, 0] >= lo) & (r[:, 2] <= hi)).any())

    out = list(cols)
    for word_pass in (True, False):  # first the header words broken apart, then the header cut off its entries
        j = 0
        while j < len(out) - 2:
            spans = [(out[j], out[j + 1]), (out[j + 1], out[j + 2])]
            head = [held(rows[0], lo, hi) for lo, hi in spans]
            entries = [any(held(r, lo, hi) for r in rows[1:]) for lo, hi in spans]
            if word_pass:
                joined = all(head) and not any(entries) and _word_gap(rows[0], *spans) < HEADER_WORD_GAP * g
            else:
                joined = head[0] != head[1] and all(h != e for h, e in zip(head, entries))
            if joined:
                del out[j + 1]
                continue
            j += 1
    return out


def _header_word_across(cols: list[int], rows: list[np.ndarray]) -> list[int]:
    """The column lines of a text grid without those that one word of the header row stands across: a ruled
    register prints one header word per column, centred in its cell between the column's ruling lines,
    so a line a header word crosses runs inside that word's column. Such a gap lies between the pieces of
    one text in every row: a 1-bit threshold that thins a date's or a number's strokes breaks it where its
    separators were (2018 | 5-26, 2018 | 00332), at the same place in every row of a column of same-length
    values; one piece spans it in too few rows for GAP_INSIDE_TEXT (fresh typed_sheets seed 3334 as the
    harsher 1-bit copy c by bench/stress_scans.py, page 3 of 04_sea_burial_laizhou_2018: 5 px gaps for 15 px
    glyphs inside the certificate numbers and the scattering dates, 12 x 15 for a drawn 12 x 13, the header
    words 火化证号 and 撒海日期 each across one of them). Its width does not tell it from a clean page's
    column gap (7 px between an unruled page's columns). A header piece across two or more lines is no
    column's word (a title, a struck line, header words run together) and removes none. `rows`: the pieces
    of text of each row, the header's first. Source: a ruled register's header row, one word per column."""
    if len(rows) < 2 or not len(rows[0]) or len(cols) < 3:
        return cols
    inner = np.array(cols[1:-1])
    across = [(inner > p[0]) & (inner < p[2]) for p in rows[0]]
    drop = {int(inner[a.argmax()]) for a in across if int(a.sum()) == 1}
    return [c for c in cols if c not in drop]


def _word_gap(pieces: np.ndarray, left: tuple[int, int], right: tuple[int, int]) -> int:
    """The gap between the pieces lying in column `left` and those lying in column `right` (x spans)."""
    a = pieces[(pieces[:, 0] >= left[0]) & (pieces[:, 2] <= left[1])]
    b = pieces[(pieces[:, 0] >= right[0]) & (pieces[:, 2] <= right[1])]
    return int(b[:, 0].min() - a[:, 2].max())


def _regular(lines: list[int] | None, least: int, gaps_vary: bool = False) -> bool:
    """Whether ruling lines seen are enough to keep: at least `least` of them, and (rows) no gap more
    than 2.5 times the median (three lines of a table whose other lines were lost are no rows)."""
    if lines is None or len(lines) < least:
        return False
    gaps = np.diff(lines)
    return gaps_vary or float(gaps.max()) <= 2.5 * float(np.median(gaps))


def grid_from_text(gray: np.ndarray, rows_seen: list[int] | None = None, cols_seen: list[int] | None = None) -> Grid | None:
    """A table's grid from the alignment of its text, where its ruling is missing or unusable: rows
    are runs of text lines (a wrapped cell's lines joined, ROW_JOIN), columns the gaps that the text of
    the rows leaves free (COLUMN_GAP, COLUMN_GAP_CROSSING). Ruling lines seen (`rows_seen` /
    `cols_seen`, three or more) are kept and only the other direction is taken from the text. None
    where the text does not stand in rows and columns (a letter, a cover, a blank page)."""
    ink = binarize(gray)
    g = _glyph_height(ink)
    if g is None:
        return None
    boxes = _pieces(ink, g)
    if len(boxes) < TEXT_GRID_MIN_COLS * TEXT_GRID_MIN_ROWS:
        return None
    have_rows = _regular(rows_seen, TEXT_GRID_MIN_ROWS + 1)
    have_cols = _regular(cols_seen, TEXT_GRID_MIN_COLS + 1, gaps_vary=True)
    if have_rows:
        assert rows_seen is not None  # _regular holds only for lines given
        lines = [[rows_seen[i], rows_seen[i + 1]] for i in range(len(rows_seen) - 1)]
    else:
        lines = _text_rows(boxes, g)

    # the table's rows: those with text in several places across the page (a title, a page label, a
    # line of a letter are one or two pieces)
    def pieces_in(r0: int, r1: int) -> np.ndarray:
        cy = (boxes[:, 1] + boxes[:, 3]) / 2
        return boxes[(cy >= r0) & (cy <= r1)]

    def lone_speck(ln: list[int]) -> bool:
        inside = pieces_in(*ln)
        return len(inside) == 1 and int(inside[0, 2] - inside[0, 0]) < LONE_SPECK * g

    def span(ln: list[int]) -> int:
        inside = pieces_in(*ln)
        return int(inside[:, 2].max() - inside[:, 0].min())

    lines = [ln for ln in lines if not lone_speck(ln)]
    counts = [len(pieces_in(*ln)) for ln in lines]
    typical = np.median([n for n in counts if n >= TEXT_GRID_MIN_COLS] or [0])
    is_row = [n >= max(TEXT_GRID_MIN_COLS, TABLE_ROW_SHARE * typical) for n in counts]
    struck: set[tuple[int, ...]] = set()  # the text lines that are entries struck through (STRUCK_TEXT_SPAN)
    if not have_rows and any(is_row):
        width = float(np.median([span(ln) for ln, row in zip(lines, is_row) if row]))
        rows_at = [i for i, row in enumerate(is_row) if row]
        for i, ln in enumerate(lines):
            if is_row[i] or not rows_at[0] < i < rows_at[-1]:
                continue  # a struck entry lies inside the table, the right entry after it
            inside = pieces_in(*ln)
            tall = inside[inside[:, 3] - inside[:, 1] >= g]
            if len(tall) and int((tall[:, 2] - tall[:, 0]).max()) >= STRUCK_TEXT_SPAN * width:
                is_row[i] = True
                struck.add(tuple(ln))
    kept = _marks_between_rows(lines, is_row)
    lines, is_row = [lines[i] for i in kept], [is_row[i] for i in kept]
    idx = [i for i, row in enumerate(is_row) if row]
    if len(idx) < TEXT_GRID_MIN_ROWS:
        return None
    # the longest run of consecutive table rows
    runs = _runs(np.asarray(idx), 1)
    first, last = max(runs, key=lambda r: r[1] - r[0])
    body = lines[first : last + 1]
    if (
        not have_rows
        and len(body) > TEXT_GRID_MIN_ROWS
        and span(body[0]) < TITLE_SPAN * float(np.median([span(ln) for ln in body[1:]]))
    ):
        body = body[1:]  # a title above the table, not its header
    if len(body) < TEXT_GRID_MIN_ROWS:
        return None
    body_pieces = [pieces_in(*ln) for ln in body]
    inside = np.concatenate(body_pieces)
    if have_cols:
        assert cols_seen is not None  # _regular holds only for lines given
        cols = list(cols_seen)
    else:
        x0, x1 = int(inside[:, 0].min()), int(inside[:, 2].max())
        gaps = _column_gaps(ink, inside, body, x0, x1, g)
        gaps = _gaps_between_texts(gaps, body_pieces, x0, x1, g)
        margin = int(round(0.3 * g))
        cols = [max(0, x0 - margin)] + [(a + b) // 2 for a, b in gaps] + [min(gray.shape[1] - 1, x1 + margin)]
    if len(cols) - 1 < TEXT_GRID_MIN_COLS:
        return None
    if not have_rows and body[0] is lines[first]:
        head = _header_above(lines[:first], body, pieces_in, cols)
        if head is not None:
            body = [head] + body
            body_pieces = [pieces_in(*head)] + body_pieces
    if not have_cols:
        cols = _header_split_joined(_header_word_across(cols, body_pieces), body_pieces, g)
        if len(cols) - 1 < TEXT_GRID_MIN_COLS:
            return None
    if have_rows:
        assert rows_seen is not None  # _regular holds only for lines given
        rows = list(rows_seen)
        inferred: list[int] = []
    else:
        margin = int(round(0.3 * g))
        rows = [max(0, body[0][0] - margin)]
        rows += [(body[i][1] + body[i + 1][0]) // 2 for i in range(len(body) - 1)]
        rows.append(min(gray.shape[0] - 1, body[-1][1] + margin))
        inferred = []
    source = "ruling+text" if (have_rows or have_cols) else "text"
    struck_rows = () if have_rows else tuple(i for i, ln in enumerate(body) if i > 0 and tuple(ln) in struck)
    return Grid(tuple(int(r) for r in rows), tuple(int(c) for c in cols), tuple(inferred), source=source, struck_rows=struck_rows)


def _marks_between_rows(lines: list[list[int]], is_row: list[bool]) -> list[int]:
    """The indices of the text lines kept: all but those that are no table row (`is_row` False: too few
    pieces) and lie between two table rows standing within MARK_PITCH row pitches of each other: marks
    inside a row's band, not a row.
    The pitch is that of table rows with no line between them, TEXT_GRID_MIN_ROWS such pairs at least: on a
    page of scattered dots the few lines with pieces enough stand apart at no pitch, and nothing is dropped."""
    centres = [(r0 + r1) / 2 for r0, r1 in lines]
    steps = [centres[i + 1] - centres[i] for i in range(len(lines) - 1) if is_row[i] and is_row[i + 1]]
    if len(steps) < TEXT_GRID_MIN_ROWS:
        return list(range(len(lines)))
    pitch = float(np.median(steps))
    keep = []
    for i in range(len(lines)):
        above = [j for j in range(i) if is_row[j]]
        below = [j for j in range(i + 1, len(lines)) if is_row[j]]
        if not is_row[i] and above and below and centres[below[0]] - centres[above[-1]] <= MARK_PITCH * pitch:
            continue
        keep.append(i)
    return keep


def _header_above(above: list[list[int]], body: list[list[int]], pieces_in: Any, cols: list[int]) -> list[int] | None:
    """The text line just above the rows found that is the table's header (HEADER_PITCH), None where
    the line there is none: too far above the first row, a piece of it across a column's gap, or its
    pieces in fewer than TEXT_GRID_MIN_COLS columns."""
    if not above or len(body) < 2:
        return None
    line = above[-1]
    centres = [(r0 + r1) / 2 for r0, r1 in body]
    pitch = float(np.median(np.diff(centres)))
    if centres[0] - (line[0] + line[1]) / 2 > HEADER_PITCH * pitch:
        return None
    held = set()
    for x0, _y0, x1, _y1 in pieces_in(*line).tolist():
        if x0 < cols[0] or x1 > cols[-1] or any(x0 < c < x1 for c in cols[1:-1]):
            return None
        held.add(_index(tuple(cols), (x0 + x1) / 2))
    return line if len(held) >= TEXT_GRID_MIN_COLS else None


LINES_STRETCH_PERCENTILE = 0.5
"""A photograph's grid is looked for with its contrast stretched as a scan's is (the darkest 0.5 % of its
pixels to black, paper white: pipeline.page.cleanup.normalize_illumination's stretch of a scan)."""


def lines_view(gray: np.ndarray) -> np.ndarray:
    """A photographed page as its grid is looked for (find_grid_or_text; pipeline.page.extract.extract_page):
    its contrast stretched as a scan's is (LINES_STRETCH_PERCENTILE). The grid's ink test
    (gridlines.binarize: INK_CONTRAST grey levels under the neighbourhood) is stated for a page whose
    darkest ink is black, as every scan's is after the cleanup's stretch; a photograph's is not stretched
    (cleanup.PHOTO_INK_LEVEL: its darkest ink only taken down to 165, so that the camera's blur around
    each stroke is not darkened into the stroke for the recognizer), and its ruling, a line or two pixels
    wide blurred by the phone's optics over several, then stands two to three times fewer levels under
    its paper than on a scan: broken into pieces by the ink test where the light or the print is weak.
    A linear stretch moves no line (a line's centre is where it is darkest, stretched or not); the cells
    are still cut from the page as it is. A property of the capture and of the ink test, not of a page.
    Design seed 3316 as phone copies (bench/stress_scans.py --mode phone): a page whose grid came out
    with 9 of 12 columns and 7 of 11 row lines inferred is found with its 11 ruled columns and no row
    inferred; camera_capture 4482: the same grid shapes on its 16 pages. Measured after, on phone copies
    of 10 pages of seed 3320 never looked at: 3 grids put right (2 and 1 columns lost, 3-4 rows inferred),
    fields exact 69.09 -> 70.51 %, IDs 73.91 -> 83.48 %, fields under unidentified columns 36 -> 3;
    camera_capture 4485 (8 pages) 93.36 -> 93.44 % (two grids moved by a pixel)."""
    if gray.size == 0:
        return gray
    lo = min(int(np.percentile(gray[::4, ::4], LINES_STRETCH_PERCENTILE)), 200)
    lut = np.clip((np.arange(256) - lo) * 255.0 / max(1, 255 - lo), 0, 255).astype(np.uint8)
    return cv2.LUT(gray, lut)


def find_grid_or_text(gray: np.ndarray, table_box: Box | None = None, ruling: np.ndarray | None = None) -> Grid:
    """The table's grid from its ruling lines (find_grid); where they are missing or too few, from the
    text's alignment (grid_from_text, the lines seen kept). Raises NoTableError with the true reason
    where neither finds a table: no ink at all, or ink that does not stand in rows and columns, or ink
    left only as dots standing in lines (ink_dots: a 1-bit scan's writing and ruling broken up by its
    threshold: such a page is never called blank); an image with no pixels is no table either (a page is
    never loaded so, but a crop of one may be empty)."""
    if gray.size == 0:
        raise NoTableError("the page image holds no pixels")
    try:
        ruled = rows_beyond_box(
            gray, fuller_faint(gray, find_grid(gray, table_box, ruling), table_box, ruling), table_box, ruling
        )
        ruled = faint_lines_added(gray, ruled, table_box, ruling)
        ruled = columns_beyond_box(gray, ruled, table_box, ruling)
        ruled = columns_beyond_ruling(gray, ruled, ruling)
        text = rows_from_text(gray, ruled, table_box, ruling)
        kept = taller_rows(gray, text, ruling)
        if text.source != ruled.source and set(kept.rows) <= set(ruled.rows):
            kept = replace(kept, source=ruled.source)  # every row the text put back was part of a taller row
        return kept
    except NoTableError as e:
        seen = e
    rows, cols = ruling_lines(gray, table_box, ruling) if table_box is not None else ([], [])
    if table_box is not None and len(cols) >= GRID_MIN_LINES[1] and len(rows) < GRID_MIN_LINES[0]:
        by_column = rows_by_column(gray, table_box, ruling, cols)
        if by_column is not None:
            return by_column
    faint = faint_ruling(gray, table_box, ruling)
    if faint is not None:
        return faint
    if len(rows) < 3 and len(cols) < 3:
        rows, cols = ruling_lines(gray, None, ruling)
    grid = grid_from_text(gray, rows if len(rows) >= 3 else None, cols if len(cols) >= 3 else None)
    if grid is None and (len(rows) >= 3 or len(cols) >= 3):
        grid = grid_from_text(gray)
    if grid is not None:
        return grid
    ink = binarize(gray)
    dots = ink_dots(ink)
    broken = (
        f"{dots} dots of ink standing in lines, too small to be characters (writing or ruling broken up into"
        " dots by a 1-bit threshold, or grain)"
    )
    if _glyph_height(ink) is None:
        if dots >= INK_DOTS_MIN:
            raise InkDotsError(f"{seen}; no writing could be made out, but the page is not blank: it holds {broken}") from None
        raise NoTableError(f"{seen}; no text on the page either") from None
    if dots >= INK_DOTS_MIN:
        # a header or title read whole above rows whose writing came out in dots (b3316 page_003 below)
        raise InkDotsError(
            f"{seen}, and its text does not stand in rows and columns; besides it the page holds {broken}"
        ) from None
    raise NoTableError(f"{seen}, and its text does not stand in rows and columns") from None


INK_DOTS_MIN = 50
"""A page without characters (_glyph_height: none) that holds at least this many dots of ink standing in
lines (ink_dots) is no blank page but a page whose writing and ruling were broken up into dots: a
property of 1-bit scanning (a fax-mode or CCITT G4 scanner sets one threshold for the page; a black
border around it pulls Otsu's threshold toward black, and light writing and pale ruling come out as the
few darkest pixels of their strokes: dots along the ruled lines and in the rows where the writing was).
Design bilevel copy b3316 (bench/stress_scans.py --mode bilevel of d3316), each told "no text on the page
either" before: county 01_cremation_longkou_2013 page 4 (16 rows written) kept 761 dots once cleaned,
03_cremation_longkou_2015 page 2 (10 rows) 264, typed 02_sea_burial_haiyang_2017 page 3 (11 rows) 75.
A page whose title and header came out whole but whose rows' writing came out in dots is told so too
(02_sea_burial_longkou_2013/page_003.png, 11 rows: 363 dots; 04_sea_burial_longkou_2015 page 2, 12 rows:
387; "its text does not stand in rows and columns" said nothing of the rows' dots). Dots may also be
grain: a dark patch of a 1-bit scan (a shadow, a stain) comes out as dots close together, and they stand
in the patch's bands as well; the error names both causes, and either way the page is not blank."""
INK_DOT_PIXELS = 8
"""A dot: a piece of ink of at most this many pixels (a 1-bit remnant of a stroke; a character's stroke
at 200 dpi, 2-3 px wide and 10 or more long, is more), not touching the image's edge (a scan border)."""
DOTS_IN_LINES = 0.3
"""Dots stand in lines (a ruled line's, a row of writing's) where at least this share of them lies in the
densest tenth of the page's 8-px bands, across or down: a property of ruling and rows of writing, which
are straight. Paper grain the cleanup left (a blank grey sheet after its median, samples/invalid/
blank_page.jpg: 1526 dots) is spread evenly: 14-16 %; the b3316 pages above 38-100 %."""


def ink_dots(ink: np.ndarray) -> int:
    """How many dots of ink (INK_DOT_PIXELS) the binarized page holds away from its edges, where they
    stand in lines (DOTS_IN_LINES); 0 where they are spread evenly (grain)."""
    n, _lab, st, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = ink.shape[:2]
    x, y, bw, bh, area = (st[1:, i] for i in range(5))
    dot = (area <= INK_DOT_PIXELS) & (x > 2) & (y > 2) & (x + bw < w - 2) & (y + bh < h - 2)
    count = int(dot.sum())
    if count == 0:
        return 0
    for axis in (1, 0):  # rows of dots (their y), then columns (their x)
        bands = np.sort(np.bincount((centres[1:, axis][dot] // 8).astype(np.int64)))[::-1]
        if float(bands[: max(1, len(bands) // 10)].sum()) >= DOTS_IN_LINES * count:
            return count
    return 0


ROW_PITCH_TOLERANCE = 0.25
"""A ruling line below the table's box is one more of its rows where it lies one row's height (the
median of the data rows') below the last, within this share of it: a printed form rules every row at one
pitch; a paper's or a shadow's edge, a fold or a line of text lies anywhere."""


def rows_beyond_box(gray: np.ndarray, grid: Grid, table_box: Box | None, ruling: np.ndarray | None = None) -> Grid:
    """The grid with the rows the table's box left out below it: the cleanup's box is the extent of the
    table's ruling joined as one piece (pipeline.page.cleanup.find_table_quad), and a faded or broken stretch
    of the vertical lines cuts the rows below it off that piece, so the grid found inside the box ends rows
    before the table does (design family county_editions at severity 1.8, seed 3313: a faded grey ruling
    lost its last 4 of 15 rows). Below the box, over its width, lines are looked for as the grid looks for
    them (ruling_lines: level runs over GRID_LINE_SPAN of the width, none beyond the vertical lines' reach),
    and those that go on at the rows' pitch (ROW_PITCH_TOLERANCE), one after another, are the table's; the
    grid is then found again in the box taken down to the last of them, so that its strikes and inferred
    rows are judged as everywhere. The grid as it was where nothing goes on at the pitch, or where the grid
    found again keeps other rows or columns. A property of printed forms (every row ruled, one pitch).

    The same break cuts rows off above the box: a faded stretch of the vertical lines under the header
    (design county_editions seed 3316 faded 0.7, bench/stress_scans.py: the box began two lines down, the
    first data row read as the header and every row below it one off, 31 fields lost and 96 misplaced).
    Ruling lines fade with the ink, broken and pale, wherever they run. Above the box the lines that go on
    at the pitch upwards are the table's (_rows_above_box), and above them one more line, the header
    row's top, at any height from HEADER_ROW_SHARE[0] to HEADER_ROW_SHARE[1] pitches (a header row is
    often shorter or taller than the data rows: _fill_missing_rows), where the table's vertical lines
    reach it (ruling_lines leaves out a line beyond their ends: _outside_columns)."""
    if table_box is None or grid.col_rows or grid.n_rows < 3:
        return grid
    x0, y0, x1, y1 = table_box  # the rows below the box are looked for under the grid's last line
    pitch = float(np.median(np.diff(grid.rows[1:])))
    if pitch <= 0:
        return grid
    rows, _cols = ruling_lines(gray, (x0, y0, x1, gray.shape[0]), ruling)
    last, added = grid.rows[-1], []
    for r in sorted(r for r in rows if r > grid.rows[-1] + 0.5 * pitch):
        if abs((r - last) - pitch) > ROW_PITCH_TOLERANCE * pitch:
            break
        added.append(r)
        last = r
    above = _rows_above_box(gray, grid, (x0, y0, x1, y1), ruling, pitch)
    if not added and not above:
        return grid
    top = max(0, above[-1] - BOX_EDGE_PX) if above else y0
    bottom = min(gray.shape[0], added[-1] + BOX_EDGE_PX) if added else y1
    try:
        again = find_grid(gray, (x0, top, x1, bottom), ruling)
    except NoTableError:
        return grid
    want = (*reversed(above), *grid.rows, *added)
    kept = len(again.rows) == len(want) and len(again.cols) == len(grid.cols)
    same = kept and all(abs(a - b) <= BOX_EDGE_PX for a, b in zip(again.rows, want))
    return replace(again, source=grid.source) if same else grid


BEYOND_BOX_ACROSS = 0.5
"""A row line runs across a column beyond the table's box (columns_beyond_box) where a long level run of ink
(gridlines.line_masks) covers at least this share of the column's width within BOX_EDGE_PX of the line's y: a
row line broken by a photograph (the break that cut the box) still covers most of it; a margin, a desk or a
page's shadow beside the table holds none of the table's row lines."""
BEYOND_BOX_ROWS = 0.5
"""A column beyond the table's box is the table's where at least this share of the grid's row lines run across
it (BEYOND_BOX_ACROSS): a printed form rules every row line across every column; a photograph may break some."""


def columns_beyond_box(gray: np.ndarray, grid: Grid, table_box: Box | None, ruling: np.ndarray | None = None) -> Grid:
    """The grid with the columns the table's box left out at its side: the cleanup's box is the extent of the
    table's ruling joined as one piece (pipeline.page.cleanup.find_table_quad), and a photograph that breaks
    every row line at one column line (a fold, a shadow, blur) splits the table in two pieces, the box the
    larger (design phone copy s38 ph3879 of d3316 county 03 p4: the box began at the ID | certificate line,
    the four columns left of it read as one added column, columns_beyond_ruling, and their 10 IDs lost).
    Beside the box, over its height, vertical lines are looked for as the grid looks for them (ruling_lines
    over the page's width), and going outwards from the grid's outermost line, each line whose column the
    grid's row lines run across (BEYOND_BOX_ROWS of them, BEYOND_BOX_ACROSS of its width) is the table's;
    the grid is then found again in the box taken out to the last of them, so that its rows are judged as
    everywhere, and kept only where it holds the same rows and the columns within BOX_EDGE_PX. Its lines
    beyond the box are recorded (Grid.box_cols): pipeline.page.extract doubts the page (BEYOND_BOX). The grid
    as it was on a grid not from ruling lines, with columns followed one by one, or where nothing is found.
    A property of printed forms (every row line ruled across every column of the table)."""
    if table_box is None or grid.col_rows or grid.n_rows < 3 or grid.n_cols < 2 or grid.source not in ("ruling", "faint ruling"):
        return grid
    h, w = gray.shape[:2]
    _x0, y0, _x1, y1 = table_box
    top, bottom = min(y0, grid.rows[0] - BOX_EDGE_PX), max(y1, grid.rows[-1] + BOX_EDGE_PX)
    if not _row_lines_beside(gray, grid, top, bottom, ruling):
        return grid
    masks = line_masks(gray, (0, top, w, bottom), ruling)
    if masks is None:
        return grid
    _rows, cols = ruling_lines(gray, (0, top, w, bottom), ruling, masks=masks)

    def across(a: int, b: int) -> bool:
        """Whether the grid's row lines run across the column from x a to x b (BEYOND_BOX_ROWS, BEYOND_BOX_ACROSS)."""
        xa, xb = a - masks.x0 + BOX_EDGE_PX, b - masks.x0 - BOX_EDGE_PX
        if xb <= xa:
            return False
        hits = 0
        for y in grid.rows:
            yy = y - masks.y0
            band = masks.hor[max(0, yy - BOX_EDGE_PX) : yy + BOX_EDGE_PX + 1, xa:xb]
            hits += band.size > 0 and float((band.max(axis=0) > 0).mean()) >= BEYOND_BOX_ACROSS
        return hits >= BEYOND_BOX_ROWS * len(grid.rows)

    left: list[int] = []
    for c in sorted((c for c in cols if c < grid.cols[0] - LINE_MIN_GAP_PX), reverse=True):
        if not across(c, left[-1] if left else grid.cols[0]):
            break
        left.append(c)
    right: list[int] = []
    for c in sorted(c for c in cols if c > grid.cols[-1] + LINE_MIN_GAP_PX):
        if not across(right[-1] if right else grid.cols[-1], c):
            break
        right.append(c)
    if not left and not right:
        return grid
    want = (*reversed(left), *grid.cols, *right)
    try:
        again = find_grid(gray, (max(0, want[0] - BOX_EDGE_PX), top, min(w, want[-1] + BOX_EDGE_PX), bottom), ruling)
    except NoTableError:
        return grid
    same = (
        len(again.cols) == len(want)
        and len(again.rows) == len(grid.rows)
        and all(abs(a - b) <= BOX_EDGE_PX for a, b in zip(again.cols, want))
        and all(abs(a - b) <= BOX_EDGE_PX for a, b in zip(again.rows, grid.rows))
    )
    if not same:
        return grid
    cols, edge = list(again.cols), []
    if left and (end := _row_lines_end(masks, grid.rows, cols[0], -1)) is not None:
        cols.insert(0, end)
        edge.append(0)
    if right and (end := _row_lines_end(masks, grid.rows, cols[-1], 1)) is not None:
        cols.append(end)
        edge.append(len(cols) - 1)
    shift = 1 if 0 in edge else 0
    beyond = [i for i, c in enumerate(cols) if c < grid.cols[0] - LINE_MIN_GAP_PX or c > grid.cols[-1] + LINE_MIN_GAP_PX]
    return replace(
        again,
        cols=tuple(cols),
        source=grid.source,
        inferred_cols=tuple(i + shift for i in again.inferred_cols),
        edge_cols=tuple(edge),
        box_cols=tuple(beyond),
    )


def _row_lines_beside(gray: np.ndarray, grid: Grid, top: int, bottom: int, ruling: np.ndarray | None) -> bool:
    """Whether a column beyond the grid's outermost lines could be the table's at all (columns_beyond_box's
    test, across): at least BEYOND_BOX_ROWS of the grid's row lines must hold long level runs of ink beside
    that line over BEYOND_BOX_ACROSS of some span from it that a column at least LINE_MIN_GAP_PX wide could
    take. The runs are found as columns_beyond_box finds them (gridlines.line_masks over the page's width
    and the table's height) but only in the strips beside the grid (gridlines.level_runs_part), so that a page
    with nothing ruled beside its table (every scan's margin) is not searched for lines over its width. Only
    ever False where across would find no column on either side: it tests the same runs, over every span
    across could be asked about (a column line found anywhere in the strip), with no other condition."""
    h, w = gray.shape[:2]
    ya, yb = max(0, top - BOX_PAD_PX), min(h, bottom + BOX_PAD_PX)
    if yb - ya < MIN_REGION_PX or w < MIN_REGION_PX:
        return False
    need = BEYOND_BOX_ROWS * len(grid.rows)
    spans = (
        (0, grid.cols[0] - BOX_EDGE_PX, -1),  # left: a column from a line at c < cols[0] - LINE_MIN_GAP_PX to the grid
        (grid.cols[-1] + BOX_EDGE_PX, w, 1),  # right: from the grid to a line at c > cols[-1] + LINE_MIN_GAP_PX
    )
    least = LINE_MIN_GAP_PX + 1 - 2 * BOX_EDGE_PX  # the narrowest span across measures (xb - xa)
    for x0, x1, step in spans:
        if x1 - x0 < least:
            continue
        hor = level_runs_part(gray, (x0, ya, x1, yb), w, ruling)
        hits = 0
        for y in grid.rows:
            yy = y - ya
            band = hor[max(0, yy - BOX_EDGE_PX) : yy + BOX_EDGE_PX + 1]
            if band.size == 0:
                continue
            seen = (band.max(axis=0) > 0).astype(np.int32)
            # covered share of every span reaching the grid's side of the strip, from the grid outwards
            run = np.cumsum(seen[::-1] if step < 0 else seen)
            width = np.arange(1, run.size + 1)
            hits += bool(np.any((run >= BEYOND_BOX_ACROSS * width)[least - 1 :]))
        if hits >= need:
            return True
    return False


def _row_lines_end(masks: LineMasks, rows: Sequence[int], x: int, step: int) -> int | None:
    """Where the grid's row lines end beyond its outermost vertical line x, going `step` (-1 left, 1 right),
    when at least BEYOND_BOX_ROWS of them run on past it by LINE_MIN_GAP_PX (over breaks of up to
    LINE_MIN_GAP_PX): the table's border lost there (faint, broken), its last column's row lines still ruled
    up to it; the median of their ends. None where they stop at x (x is the border). columns_beyond_box."""
    ends = []
    w = masks.hor.shape[1]
    for y in rows:
        yy = y - masks.y0
        band = masks.hor[max(0, yy - BOX_EDGE_PX) : yy + BOX_EDGE_PX + 1, :].max(axis=0) > 0
        at = last = x - masks.x0
        while 0 < at < w - 1 and abs(at - last) <= LINE_MIN_GAP_PX:
            at += step
            if band[at]:
                last = at
        if abs(last - (x - masks.x0)) >= LINE_MIN_GAP_PX:
            ends.append(last + masks.x0)
    return int(np.median(ends)) if len(ends) >= BEYOND_BOX_ROWS * len(rows) else None


HEADER_ROW_SHARE = (0.4, 2.5)
"""The header row's top line above the rows the table's box cut off at its top (_rows_above_box) lies
this many of the data rows' pitches above the highest of them: a header is drawn shorter or taller than
a data row (one or two lines of printed titles), never a sliver (a double rule or a title's underline
nearer than this is no row)."""


def _rows_above_box(gray: np.ndarray, grid: Grid, table_box: Box, ruling: np.ndarray | None, pitch: float) -> list[int]:
    """The ruling lines above the table's box that are the table's (rows_beyond_box), nearest first: those
    that go on upwards from the grid's first line at the rows' pitch (ROW_PITCH_TOLERANCE), then one line
    above them at a header row's height (HEADER_ROW_SHARE). Lines are looked for over the box's width,
    from the page's top down to the box's bottom, so that the vertical lines' reach (ruling_lines,
    _outside_columns) is judged over the whole table: a line the vertical lines do not reach is none of
    its rows. A property of printed forms (every row ruled at one pitch, the header row's top ruled too).
    Where no line goes on at the pitch the grid's own first row may be a data row whose header the box cut
    off; a line at a header's height straight above the grid is then taken too."""
    x0, _y0, x1, y1 = table_box
    rows, _cols = ruling_lines(gray, (x0, 0, x1, y1), ruling)
    first, added = grid.rows[0], []
    for r in sorted((r for r in rows if r < grid.rows[0] - HEADER_ROW_SHARE[0] * pitch), reverse=True):
        gap = first - r
        if abs(gap - pitch) <= ROW_PITCH_TOLERANCE * pitch:
            added.append(r)
            first = r
            continue
        if HEADER_ROW_SHARE[0] * pitch <= gap <= HEADER_ROW_SHARE[1] * pitch:
            added.append(r)
        break
    return added


BOX_EDGE_PX = 6
"""px a line may lie from where it was found first, found again in a larger box (a line's width)."""


TEXT_ROW_PITCH_TOLERANCE = 0.25
"""A row put back from the text's alignment (rows_from_text) ends within this share of the ruled rows'
pitch of one pitch below the last line (the same tolerance as a ruled line's, ROW_PITCH_TOLERANCE)."""
TEXT_ROW_CROSSING = 0.2
"""A row boundary put back from the text lies where at most this share of the columns whose text the row
holds have text across it (a jittered hand or a wrapped address may run over a row's line)."""
TEXT_ROW_SPLIT = 1.5
"""A found data row this many times the ruled rows' pitch or taller may hold two rows' writing (a row line
missed in its middle); _fill_missing_rows already cut those of a whole number of pitches."""


def _text_cover(gray: np.ndarray, grid: Grid, ruling: np.ndarray | None) -> tuple[np.ndarray, float] | None:
    """Per column of the grid, per pixel row of the page, whether the column's band holds text there: the
    ink profile of each column band (its ruling lines' width, TEXT_BAND_INSET glyph heights, left out),
    smoothed down the page over TEXT_LINE_SMOOTH glyph heights so that a level run a few pixels thick (a
    remnant of a faded row line, dashes of it) is no text while a line of writing (a glyph height) is. The
    ink is taken without grain (TEXT_GRAIN_MEDIAN) and without the ruling (the page's ruling mask, and any level or plumb run of ink over three
    glyph heights); with the glyph height. None where the page holds no text (_glyph_height)."""
    g = _glyph_height(binarize(gray))
    if g is None:
        return None
    ink = stroke_ink(binarize(cv2.medianBlur(gray, TEXT_GRAIN_MEDIAN)))
    if ruling is not None and ruling.shape == ink.shape:
        ink[ruling.astype(bool)] = 0
    k = max(15, int(round(3 * g)))
    for kernel in ((k, 1), (1, k)):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        ink = cv2.subtract(ink, cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    inset = max(3, int(round(TEXT_BAND_INSET * g)))
    smooth = max(5, int(round(TEXT_LINE_SMOOTH * g)) | 1)
    cover = np.zeros((grid.n_cols, gray.shape[0]), bool)
    for c in range(grid.n_cols):
        x0, x1 = grid.cols[c] + inset, grid.cols[c + 1] - inset
        if x1 - x0 < 4:
            continue
        prof = (ink[:, x0:x1] > 0).sum(axis=1).astype(np.float32)
        prof = cv2.medianBlur(prof.reshape(-1, 1), 5).ravel() if smooth <= 5 else _median_1d(prof, smooth)
        cover[c] = prof >= 2
    return cover, g


def _median_1d(v: np.ndarray, k: int) -> np.ndarray:
    """A running median of width k (odd) along v, the ends padded by their values."""
    pad = np.pad(v, k // 2, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(pad, k), axis=1)


TEXT_GRAIN_MEDIAN = 5
"""px of the median the page is smoothed with before its ink is taken for the text's rows (_text_cover),
and the specks left are dropped (stroke_ink): a photograph's grain is binarized as specks everywhere,
a stroke (3+ px wide, a glyph tall) stays."""
TEXT_BAND_INSET = 0.25
"""Glyph heights of a column band left out at each side (its vertical ruling line and a jitter of it)."""
TEXT_LINE_SMOOTH = 0.4
"""Glyph heights over which a column band's ink profile is smoothed down the page (a running median): a
ruling remnant is 1-4 px thick, a line of writing a glyph height (10-40 px)."""


def _written_columns(cover: np.ndarray, top: int, bottom: int) -> set[int]:
    """The column bands that hold a line of writing between two row boundaries: text in the band that
    does not fill the row from line to line (over TEXT_ROW_FILL of its height: a shadow's edge, a fold,
    a plumb remnant of ruling, never one row's writing)."""
    inside = cover[:, top + 2 : bottom - 1]
    if inside.shape[1] == 0:
        return set()
    share = inside.mean(axis=1)
    return {int(c) for c in np.nonzero((share > 0) & (share <= TEXT_ROW_FILL))[0]}


def taller_rows(gray: np.ndarray, grid: Grid, ruling: np.ndarray | None = None) -> Grid:
    """The grid without the inferred row lines (put back evenly in a row of two pitches, _fill_missing_rows,
    or from the text's alignment, rows_from_text) that cut one entry's row in two: a row drawn taller than
    the others to hold an entry whose text wraps onto a second line (a register printed from a spreadsheet
    grows a row to its wrapped cell) has no line lost in it. An inferred line is taken out where the row
    above it holds an entry (writing in TABLE_ROW_SHARE of the columns a written row holds, as
    rows_from_text's `need`) and the part below it, down to the next line, holds
    - writing in fewer columns than an entry, each a column the row above holds ink in: the wrapped
      line(s) of that entry's cells (a wrapped line belongs to the row whose first line it continues), or
    - no writing while a row further down holds an entry: a register is filled in order, one entry a
      ruled row, so no unwritten row stands between two entries. Likewise where the part above is
      unwritten, the part below holds an entry and a row further up holds one (an entry written low in its
      taller row).
    Where the unwritten part has no entry beyond it (the page's unwritten rows) the line stays.
    - Or where the part below holds an entry and the part above holds writing in fewer columns than an
      entry, each a column the row above holds writing in, that writing crossing the printed line
      between them and ending within SPILL_GLYPHS glyph heights below it (_spilled): the foot of the entry
      above, written low across its row's line (a clerk writing on the line), not an entry of its own.
      New design 1-bit copy of county_editions seed 3316 (bench/stress_scans.py --mode bilevel --wrap 0.5
      --wrap-tall 0.5 --low 0.2,0.4 --seed 3601), page 1 of
      01_cremation_longkou_2013: a row two pitches tall got a line in its middle (_fill_missing_rows), its
      upper half holding only the low-written foot of the entry above in 4 of 14 columns: an extra row.
    Source: the ruled register's properties (one entry per ruled row; entries written in order; a row's
    text lies between its lines); design county_editions / typed_sheets seed 3334 as 1-bit copies with
    wrapped entries in taller rows (bench/stress_scans.py --mode bilevel --wrap 0.4 --wrap-tall 0.5):
    a taller row cut in two gave an extra row and every record below it held another row's writing."""
    lines = list(grid.rows)
    if grid.col_rows or not any(2 <= i < len(lines) - 1 for i in grid.inferred_rows):
        return grid
    got = _text_cover(gray, grid, ruling)
    if got is None:
        return grid
    cover, g = got
    cols = [_written_columns(cover, lines[j], lines[j + 1]) for j in range(len(lines) - 1)]  # row j's (0: header)
    written = [len(c) for c in cols[1:] if len(c) >= TEXT_GRID_MIN_COLS]
    if not written:
        return grid
    need = max(TEXT_GRID_MIN_COLS, TABLE_ROW_SHARE * float(np.median(written)))
    inferred = set(grid.inferred_rows)
    struck = list(grid.struck_rows)
    k = 2
    while k < len(lines) - 1:
        if k not in inferred:
            k += 1
            continue
        above, below = cols[k - 1], cols[k]
        earlier = any(len(c) >= need for c in cols[1 : k - 1])  # an entry in a row above `above`
        later = any(len(c) >= need for c in cols[k + 1 :])  # an entry in a row below `below`
        inked = {int(c) for c in np.nonzero(cover[:, lines[k - 1] + 2 : lines[k] - 1].any(axis=1))[0]}
        continued = len(above) >= need and 0 < len(below) < need and below <= inked  # (a seal's ring may fill a cell)
        between = (len(above) >= need and not below and later) or (not above and len(below) >= need and earlier)
        spilled = (
            k >= 3
            and len(below) >= need
            and 0 < len(above) < need
            and _spilled(cover, above, cols[k - 2], lines[k - 1], lines[k], g)
        )
        if continued or between or spilled:
            del lines[k], cols[k]
            cols[k - 1] = _written_columns(cover, lines[k - 1], lines[k])  # the two rows, one now
            inferred = {i - int(i > k) for i in inferred if i != k}
            struck = [r - int(r >= k) for r in struck]
            continue
        k += 1
    if len(lines) == len(grid.rows):
        return grid
    return replace(grid, rows=tuple(lines), inferred_rows=tuple(sorted(inferred)), struck_rows=tuple(sorted(set(struck))))


SPILL_GLYPHS = 1.0
"""Glyph heights below a printed row line within which the foot of the entry above, written low across the
line, ends (taller_rows, _spilled): writing that crosses the line by less than a line of writing belongs
to the line of writing it hangs from; a whole line below it is the row's own."""


def _spilled(cover: np.ndarray, part: set[int], over: set[int], line: int, bottom: int, g: float) -> bool:
    """Whether the writing of a part of a row (its columns `part`, between the printed line `line` and the
    inferred line `bottom`) is the foot of the writing of the row above (its columns `over`) crossing that
    line: in each column the row above holds writing just above the line and the part's writing touches
    the line from below and ends within SPILL_GLYPHS glyph heights `g` of it. Source: one entry per ruled
    row, written between its lines; writing that crosses a line continues from the side it starts on."""
    reach = max(3, int(round(SPILL_GLYPHS * g)))
    for c in part:
        if c not in over:
            return False
        near_above = cover[c, max(0, line - reach) : max(0, line - 1)].any()
        near_below = cover[c, line + 2 : line + 2 + max(3, reach // 3)].any()
        beyond = cover[c, line + 2 + reach : bottom - 1].any()
        if not (near_above and near_below) or beyond:
            return False
    return True


def _written(cover: np.ndarray, top: int, bottom: int) -> int:
    """How many column bands hold a line of writing between two row boundaries (_written_columns)."""
    return len(_written_columns(cover, top, bottom))


TEXT_ROW_FILL = 0.8
"""A row's writing in one column fills at most this share of the row's height (one or two lines of text
of a glyph height each in a row of 3-5 glyph heights; a wrapped address fills 0.6-0.7)."""


def _rows_at_pitch(cover: np.ndarray, top: int, bottom: int, pitch: float, need: float) -> list[int]:
    """Row boundaries below `top` (a row line), none below `bottom`, put back one pitch at a time from the
    text's alignment: each next boundary lies within TEXT_ROW_PITCH_TOLERANCE of a pitch below the last one,
    where the fewest columns hold text across it (at most TEXT_ROW_CROSSING of those the row holds text in;
    of equals, the one nearest a whole pitch), and the row above it holds writing in `need` columns or more
    (_written). Stops at the first row without such writing (the table's end, its unwritten rows) or
    without such a gap."""
    out: list[int] = []
    last = top
    tol = TEXT_ROW_PITCH_TOLERANCE * pitch
    while True:
        lo, hi = int(round(last + pitch - tol)), min(bottom, int(round(last + pitch + tol)))
        if lo > hi:
            break
        crossing = cover[:, lo : hi + 1].sum(axis=0)
        least = crossing.min()
        at = np.nonzero(crossing == least)[0] + lo
        y = int(at[np.argmin(np.abs(at - (last + pitch)))])
        held = _written(cover, last, y)
        if held < need or least > TEXT_ROW_CROSSING * held:
            break
        out.append(y)
        last = y
    return out


UNIT_PITCH_SHARE = 0.2
"""The ruled data rows' heights are whole multiples of one row's pitch (_unit_pitch) where each lies within
this share of a pitch of one."""
UNIT_PITCH_GLYPHS = 2.5
"""A register's rows are at least this many glyph heights apart (3-5: a line of writing and its margins;
ROW_JOIN), so no pitch below it is tried (_unit_pitch)."""


def _unit_pitch(gaps: np.ndarray, g: float) -> float | None:
    """One row's pitch where the ruled data rows' heights are not all one (a row line missed in several
    places, so that the median row holds two or three rows): the smallest row's height divided by the
    least k (1-4) such that every row's height is a whole multiple of it (UNIT_PITCH_SHARE), at least
    UNIT_PITCH_GLYPHS glyph heights. None where the rows are regular (the tallest under TEXT_ROW_SPLIT of
    the shortest: their median is the pitch) or no such k is found. A property of printed registers: every
    row ruled at one pitch, so any stretch between two lines found is a whole number of rows."""
    if len(gaps) < 2 or float(gaps.max()) < TEXT_ROW_SPLIT * float(gaps.min()):
        return None
    return _row_unit(gaps, g)


def _row_unit(gaps: np.ndarray, g: float) -> float | None:
    """The smallest row's height divided by the least k (1-4) such that every row's height is a whole
    multiple of it (UNIT_PITCH_SHARE), at least UNIT_PITCH_GLYPHS glyph heights; None where none is."""
    for k in range(1, 5):
        unit = float(gaps.min()) / k
        if unit < UNIT_PITCH_GLYPHS * g:
            break
        if all(abs(d / unit - round(d / unit)) <= UNIT_PITCH_SHARE for d in gaps):
            return unit
    return None


HEADER_LINE_TOLERANCE = 0.1
"""The line under a ruled register's header is put back (_header_line_lost) within this share of the
data rows' pitch of one pitch above the first row line found below the header: a printed form rules every
data row at one pitch (the rows found on a page lie 1-2 px apart of it, under 3 % of a pitch), so the
lost line lies there; wider, a gap between the two printed lines of a two-line header would be taken."""


def _header_line_lost(cover: np.ndarray, top: int, bottom: int, pitch: float, need: float) -> int | None:
    """Where the line under the header lies, when a 1-bit threshold lost it and the grid's first row holds
    the header and the first entry (gridlines: a broken row line spans too little of the width to be found;
    _fill_missing_rows cannot put it back, as the header row's height is its own): one pitch above
    `bottom` (the first row line found below the header, the first entry's bottom), within
    HEADER_LINE_TOLERANCE, where the text leaves a gap across the columns (at most TEXT_ROW_CROSSING of
    those the entry is written in), the band below it written in `need` columns or more as a data row is
    (_written), and above it, at least HEADER_ROW_SHARE[0] pitches tall, the header's words in
    TEXT_GRID_MIN_COLS columns or more (a header names its columns). None where no entry lies there: a
    tall header of one line of words has nothing written above the place (its words are the writing
    below it), one of two lines has its words across the place or nothing written below them. Without it
    the first entry was read as part of the header and every record of the page held the next row's
    writing, the page's last entry lost (design typed_sheets seed 3334 at severity 0.5, a 1-bit copy by
    bench/stress_scans.py with row lines broken and missing in places, page 3 of
    02_sea_burial_longkou_2015: a 60 px header and 77 px rows found as one 136 px header, 16 rows for 17,
    the grid's source "ruling": nothing doubted). Source: a ruled register's geometry (every data row
    ruled at one pitch under a header row of its own height) and how a 1-bit scan breaks thin ruling."""
    tol = HEADER_LINE_TOLERANCE * pitch
    lo = max(int(round(bottom - pitch - tol)), int(round(top + HEADER_ROW_SHARE[0] * pitch)))
    hi = int(round(bottom - pitch + tol))
    if lo > hi:
        return None
    crossing = cover[:, lo : hi + 1].sum(axis=0)
    least = crossing.min()
    at = np.nonzero(crossing == least)[0] + lo
    y = int(at[np.argmin(np.abs(at - (bottom - pitch)))])
    held = _written(cover, y, bottom)
    if held < need or least > TEXT_ROW_CROSSING * held or _written(cover, top, y) < TEXT_GRID_MIN_COLS:
        return None
    return y


TOP_RULE_COLUMNS = 0.5
"""The table's top rule is put back (_top_rule_lost) where at least this share of the grid's column lines
run on above its first line found, to one height (a header's, HEADER_ROW_SHARE), within
ROW_PITCH_TOLERANCE of a pitch of each other."""


def _top_rule_lost(gray: np.ndarray, grid: Grid, table_box: Box | None, ruling: np.ndarray | None) -> int | None:
    """Where the table's top rule lay, when a 1-bit threshold broke it into dashes (too short for a line:
    ruling_lines) and the grid's first line found is the one under the header: the header row was left
    above the grid and the first entry read as the header, every record holding the next row's writing
    and the page's last entry lost, on a grid read from its ruling (design typed_sheets seed 3334 at
    severity 0.5, a 1-bit copy by bench/stress_scans.py with row lines broken in most places, pages 1 of
    01_cremation_longkou_2015 and 02_sea_burial_longkou_2015: 16 rows for 17, the header's words and its
    column lines standing above the first line). The grid's first row is one data row's height
    (ROW_PITCH_TOLERANCE), and the table's column lines run on above its first line (plumb runs,
    gridlines.line_masks, over the box's width from the page's top) to one height, HEADER_ROW_SHARE
    pitches up, for TOP_RULE_COLUMNS of them or more: their top is the rule. None elsewhere; a page whose
    top rule was found has its column lines end there. Source: a ruled register's geometry (every column
    line runs from the table's top rule to its bottom rule, the header row among them) and how a 1-bit
    scan breaks thin ruling."""
    if table_box is None or grid.col_rows or grid.n_rows < 3:
        return None
    pitch = float(np.median(np.diff(grid.rows[1:])))
    if pitch <= 0 or abs((grid.rows[1] - grid.rows[0]) - pitch) > ROW_PITCH_TOLERANCE * pitch:
        return None
    x0, _y0, x1, y1 = table_box
    masks = line_masks(gray, (x0, 0, x1, y1), ruling)
    if masks is None:
        return None
    first = grid.rows[0] - masks.y0
    if first <= 0 or first > masks.ver.shape[0]:
        return None
    tops = []
    for x in grid.cols:
        a, b = max(0, x - masks.x0 - BOX_EDGE_PX), min(masks.ver.shape[1], x - masks.x0 + BOX_EDGE_PX + 1)
        on = np.nonzero((masks.ver[:first, a:b] > 0).any(axis=1))[0] if b > a else np.zeros(0, int)
        runs = _runs(on, 3)
        if runs and runs[-1][1] >= first - 4:
            tops.append(masks.y0 + runs[-1][0])
    reach = [grid.rows[0] - t for t in tops if HEADER_ROW_SHARE[0] * pitch <= grid.rows[0] - t <= HEADER_ROW_SHARE[1] * pitch]
    if len(reach) < TOP_RULE_COLUMNS * len(grid.cols):
        return None
    top = float(np.median(reach))
    if sum(1 for r in reach if abs(r - top) <= ROW_PITCH_TOLERANCE * pitch) < TOP_RULE_COLUMNS * len(grid.cols):
        return None
    return int(round(grid.rows[0] - top))


def _with_top_rule(gray: np.ndarray, grid: Grid, table_box: Box | None, ruling: np.ndarray | None) -> Grid:
    """The grid with its lost top rule put back (_top_rule_lost) as an inferred line, its source
    "ruling+text" (the page's rows in doubt, pipeline.page.extract.GRID_DOUBTS); as it was elsewhere."""
    top = _top_rule_lost(gray, grid, table_box, ruling)
    if top is None:
        return grid
    return replace(
        grid,
        rows=(top, *grid.rows),
        inferred_rows=(0, *(i + 1 for i in grid.inferred_rows)),
        struck_rows=tuple(i + 1 for i in grid.struck_rows),
        source="ruling+text",
    )


def rows_from_text(gray: np.ndarray, grid: Grid, table_box: Box | None, ruling: np.ndarray | None = None) -> Grid:
    """The grid with the rows its ruling lost put back from the text's own alignment. On a photograph the
    ruling of the lower rows can all but vanish in a shadow or under fading while the writing in them stays
    readable (ink is darker than a printed form's thin ruling), so the grid found ends rows before the
    table does, or a row line missed in the middle leaves one row holding two rows' writing (design family
    camera_capture at severity 1.4, seed 4442, page 4 of its 06_sea_burial_laizhou_2014: 4 of 13 row lines
    found, the 8 rows below lost). Within the grid's columns the text of each column band
    (_text_cover) is followed down from the last row line at the ruled rows' pitch (_rows_at_pitch: a
    boundary one pitch on where the text leaves a gap across the columns, the row above it written in
    at least TABLE_ROW_SHARE of the columns a ruled data row is written in): below the grid down to the
    bottom of the table's box (the extent of its ruling: the vertical lines reach there), and inside every
    data row TEXT_ROW_SPLIT pitches tall or more; and the line under the header where the first row holds
    the header and the first entry (_header_line_lost), and the table's top rule where the header row was
    left above the grid (_top_rule_lost). Rows put back are inferred
    lines (Grid.inferred_rows) and the grid's source becomes "ruling+text", so that the page is in doubt
    (pipeline.page.extract.GRID_DOUBTS): where the structure of a page is in doubt, its fields are. A
    property of ruled registers and of imaging: every row ruled at one pitch, one entry a row, and a
    shadow or fading removes the thin ruling before it removes the writing. The grid as it was where no
    row is put back."""
    if grid.col_rows or grid.n_rows < 3:
        return grid
    grid = _with_top_rule(gray, grid, table_box, ruling)
    gaps = np.diff(grid.rows[1:])
    pitch = float(np.median(gaps))
    if pitch <= 0:
        return grid
    header_tall = grid.rows[1] - grid.rows[0] >= (1 + HEADER_ROW_SHARE[0] - HEADER_LINE_TOLERANCE) * pitch
    if (
        float(gaps.max()) < TEXT_ROW_SPLIT * float(gaps.min())
        and not (table_box is not None and table_box[3] > grid.rows[-1] + 0.5 * pitch)
        and not header_tall
    ):
        return grid  # rows all of one height, no box below them, a header no taller than a header: nothing to put back
    got = _text_cover(gray, grid, ruling)
    if got is None:
        return grid
    cover, g = got
    pitch = _unit_pitch(gaps, g) or pitch
    held = [_written(cover, grid.rows[r], grid.rows[r + 1]) for r in range(1, grid.n_rows)]
    written = [n for n in held if n >= TEXT_GRID_MIN_COLS]
    if not written:
        return grid
    need = max(TEXT_GRID_MIN_COLS, TABLE_ROW_SHARE * float(np.median(written)))
    rows = [grid.rows[0], grid.rows[1]]
    inferred = [i for i in grid.inferred_rows if i <= 1]
    moved = {0: 0, 1: 1}  # old line index -> new
    cut = _header_line_lost(cover, grid.rows[0], grid.rows[1], pitch, need) if header_tall else None
    if cut is not None:
        rows = [grid.rows[0], cut, grid.rows[1]]
        inferred = [i + int(i == 1) for i in inferred] + [1]
        moved = {0: 0, 1: 2}
    for r in range(1, grid.n_rows):
        top, bottom = grid.rows[r], grid.rows[r + 1]
        if bottom - top >= TEXT_ROW_SPLIT * pitch:
            for y in _rows_at_pitch(cover, top, bottom - int(round(0.5 * pitch)), pitch, need):
                rows.append(y)
                inferred.append(len(rows) - 1)
        rows.append(bottom)
        moved[r + 1] = len(rows) - 1
        if r + 1 in grid.inferred_rows:
            inferred.append(len(rows) - 1)
    # below the grid: down to the table's box where it reaches further (its bottom edge is seen ruling: a
    # boundary put back within the tolerance of it is that edge); not beyond the box (the grain, the
    # shadows and the paper's edge below a photographed table show as much "writing" as a row: there the
    # ruling must go on at the pitch, rows_beyond_box)
    tol = TEXT_ROW_PITCH_TOLERANCE * pitch
    below: list[int] = []
    if table_box is not None and table_box[3] > grid.rows[-1] + 0.5 * pitch:
        edge = int(table_box[3])
        below = _rows_at_pitch(cover, grid.rows[-1], min(gray.shape[0] - 1, int(edge + tol)), pitch, need)
        if below and abs(below[-1] - edge) <= tol:
            below[-1] = edge
    for y in below:
        rows.append(y)
        inferred.append(len(rows) - 1)
    if len(rows) == len(grid.rows):
        return grid
    # a struck row keeps its index of the row whose top line it was
    struck = tuple(moved[r] for r in grid.struck_rows if r in moved)
    return replace(grid, rows=tuple(rows), inferred_rows=tuple(sorted(set(inferred))), source="ruling+text", struck_rows=struck)


def faint_ruling(gray: np.ndarray, table_box: Box | None = None, ruling: np.ndarray | None = None) -> Grid | None:
    """The grid of a table ruled too pale for the ink test (pale grey or faded print, FAINT_RULING_CONTRAST),
    looked for where no ruled table was found at the usual contrast: in the table's box, then on the whole
    page (a ruling that pale loses the cleanup its box too). Its source is "faint ruling": the page is in
    doubt (pipeline.page.extract.GRID_DOUBTS), since at that contrast a line is harder to tell from a
    shadow's edge or a fold. None where it finds no table either (then the text's alignment is tried)."""
    for box in dict.fromkeys([table_box, None]):
        try:
            return replace(find_grid(gray, box, ruling, contrast=FAINT_RULING_CONTRAST), source="faint ruling")
        except NoTableError:
            continue
    return None


def fuller_faint(gray: np.ndarray, grid: Grid, table_box: Box | None, ruling: np.ndarray | None = None) -> Grid:
    """On a page where the cleanup found no table box (its ruling too faint or too broken to join as one
    piece) and the ink's contrast found no more row lines than the fewest a ruled table has (GRID_MIN_LINES:
    a header and two rows; a register form rules every row of its page, the empty ones too, so such a grid is
    the few lines the ink test still saw), the grid its ruling gives at the faint contrast (faint_ruling) in
    place of that one, where it holds every line of that one (within BOX_EDGE_PX) and more: lowering the ink
    test's contrast only adds ink, so every line seen at the ink's contrast is seen again, and the lines added
    are ruling lines too pale or too blurred for it (a photograph's ruling blurred over several pixels: design
    phone copy ph3803 of d3316 county 04 p2, its box lost and a grid of its outer lines only, 3 rows x 2
    columns, where the faint contrast finds 13 x 11). Its source is "faint ruling": the page is doubted as
    every faint grid is (pipeline.page.extract.GRID_DOUBTS, 表格线很淡). A property of the ink test and of
    printed forms, as faint_ruling; the grid as it was on a page with a box, or with more row lines."""
    if table_box is not None or grid.source != "ruling":
        return grid
    if len(grid.rows) > GRID_MIN_LINES[0]:
        return grid  # more row lines than the fewest a ruled table has: the ink test saw the table's rows
    faint = faint_ruling(gray, None, ruling)
    if faint is None or len(faint.rows) + len(faint.cols) <= len(grid.rows) + len(grid.cols):
        return grid
    for seen, again in ((grid.rows, faint.rows), (grid.cols, faint.cols)):
        if not all(any(abs(a - b) <= BOX_EDGE_PX for b in again) for a in seen):
            return grid
    return faint


FAINT_SPAN_SHARE = 0.8
"""A vertical line found only at the faint contrast is one of the table's column lines (faint_lines_added)
where its plumb runs cover at least this share of the table's height that the least covered of the
table's own column lines covers at that contrast: a printed column line runs from the table's top rule to
its bottom rule, as every other one does, and fading breaks every line of a page alike, the seen ones too
(fresh county_editions seed 3328, faded: the grid's own lines covered 0.71-1.0 of the height, those seen
only faint 0.69-0.87); a fold, a shadow's edge or a stack of strokes in a column does not run the table's
height where its column lines do."""


def _plumb_cover(ver: np.ndarray, x: int, top: int, bottom: int) -> tuple[float, int, int]:
    """Of the pixel rows from `top` to `bottom` (on the region `ver`), the share where a plumb run of ink
    lies within BOX_EDGE_PX of column `x` (a line's width and a slant left over), and how far below `top`
    the first and above `bottom` the last of them lie (the run's reach; the whole height where none)."""
    a, b = max(0, x - BOX_EDGE_PX), min(ver.shape[1], x + BOX_EDGE_PX + 1)
    band = ver[max(0, top) : max(0, bottom + 1), a:b]
    on = np.nonzero((band > 0).any(axis=1))[0] if band.size else np.zeros(0, int)
    if len(on) == 0:
        return 0.0, bottom - top, bottom - top
    return float(len(on) / band.shape[0]), int(on[0]), int(band.shape[0] - 1 - on[-1])


def _faint_rows(rows: tuple[int, ...], faint: list[int], pitch: float, bottom: int) -> list[int]:
    """The faint horizontal lines that are rows the grid's ruling lost (faint_lines_added): inside a data
    row a whole number k >= 2 of pitches tall (ROW_PITCH_TOLERANCE), near one of the k - 1 places that
    divide it evenly; below the last line, down to `bottom` (the table's box), one pitch after another."""
    tol = ROW_PITCH_TOLERANCE * pitch
    added: list[int] = []

    def near(want: float) -> int | None:
        close = [y for y in faint if abs(y - want) <= tol]
        return min(close, key=lambda y: abs(y - want)) if close else None

    for a, b in zip(rows[1:-1], rows[2:]):
        k = int(round((b - a) / pitch))
        if k < 2 or abs((b - a) - k * pitch) > tol:
            continue
        for j in range(1, k):
            y = near(a + j * (b - a) / k)
            if y is not None:
                added.append(y)
    last = rows[-1]
    while True:
        y = near(last + pitch)
        if y is None or y > bottom:
            break
        added.append(y)
        last = y
    return sorted(set(added))


def faint_lines_added(gray: np.ndarray, grid: Grid, table_box: Box | None, ruling: np.ndarray | None = None) -> Grid:
    """The ruled grid with the lines found only at the faint contrast (FAINT_RULING_CONTRAST) that fit its
    own structure. A faded copy (a carbon, an old print) keeps some of its ruling above the ink test and
    loses the rest under it, so that the grid found merges the rows and columns whose lines faded (fresh
    county_editions seed 3328, faded: a page's grid 5 rows by 6 columns of 11 by 12). faint_ruling looks
    at that contrast only where no table is found at all; here, where one is, a faint line is added only
    where the grid's own lines say a line belongs:
    - a horizontal line at the rows' pitch: inside a data row a whole number of pitches tall, near where
      the pitch divides it evenly, or going on below the last line one pitch at a time inside the table's
      box (_faint_rows). The pitch is what the grid's lines show: the smallest data row's height, or the
      whole fraction of it of which every data row is a whole multiple (_row_unit);
    - a vertical line inside the table's box whose plumb runs span the table's height as its own column
      lines do at that contrast (FAINT_SPAN_SHARE, _plumb_cover), from the header row or within a pitch
      under it (a header's title may run over several columns) to within a pitch of the bottom line (a
      header's divider, a stroke or a fold over part of the table is none).
    A line of the grid is never moved or removed, and a faint line near an inferred one is left out (the
    inferred line already divides the row). The grid's source becomes "faint ruling" where any line is
    added: some of its lines were seen only at a contrast below ink's, so the page is in doubt
    (pipeline.page.extract.GRID_DOUBTS). The grid as it was where nothing fits. Source: a property of
    printed ledgers and of faded scans: a printed register rules every row at one pitch and every column
    line from the table's top rule to its bottom rule, and fading lowers a line's contrast without moving
    it or shortening it."""
    if table_box is None or grid.col_rows or grid.n_rows < 3 or grid.source != "ruling":
        return grid
    masks = line_masks(gray, table_box, ruling, FAINT_RULING_CONTRAST)
    if masks is None:
        return grid
    faint_rows, faint_cols = ruling_lines(gray, table_box, ruling, FAINT_RULING_CONTRAST, masks)
    gaps = np.diff(grid.rows[1:])
    g = _glyph_height(binarize(gray))
    pitch = _row_unit(gaps, g) if g is not None and len(gaps) and gaps.min() > 0 else None
    if pitch is None:
        return grid
    new_rows = _faint_rows(grid.rows, faint_rows, pitch, int(table_box[3]) + BOX_EDGE_PX)
    rows = sorted(set(grid.rows) | set(new_rows))
    top, bottom = rows[0] - masks.y0, rows[-1] - masks.y0
    header = rows[1] - rows[0]  # a column line may begin under the header (a title over several columns)
    need = FAINT_SPAN_SHARE * min(_plumb_cover(masks.ver, x - masks.x0, top, bottom)[0] for x in grid.cols)

    def spans(x: int) -> bool:
        share, first, last = _plumb_cover(masks.ver, x - masks.x0, top, bottom)
        return share >= need and first <= header + pitch and last <= pitch

    new_cols = [x for x in faint_cols if min(abs(x - c) for c in grid.cols) > LINE_MIN_GAP_PX and spans(x)]
    if not new_rows and not new_cols:
        return grid
    cols = sorted(set(grid.cols) | set(new_cols))
    moved = {i: rows.index(y) for i, y in enumerate(grid.rows)}
    return replace(
        grid,
        rows=tuple(rows),
        cols=tuple(cols),
        inferred_rows=tuple(moved[i] for i in grid.inferred_rows),
        inferred_cols=tuple(cols.index(grid.cols[i]) for i in grid.inferred_cols),
        struck_rows=tuple(moved[i] for i in grid.struck_rows if i in moved),
        source="faint ruling",
    )


EDGE_COLUMN_ROWS = 1
"""Rows written beyond the outermost column line, in line with the table's rows, that make a column whose
border was lost (columns_beyond_ruling), the header row among them (the column's printed title: text in
data rows alone beyond the table is a margin's note or a photograph's grain as often)."""

EDGE_COLUMN_PAD = 0.5
"""Glyph heights of paper left between the text beyond the outermost ruling and the column's new edge."""


EDGE_COLUMN_WORD = 1.5
"""Glyph heights a piece beyond the outermost ruling is wide at the least to count (columns_beyond_ruling): a
word of two characters or more, as a column's printed title is; a photograph's grain and specks are
smaller."""

EDGE_COLUMN_ACROSS = 0.5
"""Pieces beyond the outermost ruling that cross a row line, per piece inside a row, above which the ink
there is not a column's entries (grain, a photograph's desk or page edge: it lies anywhere)."""

EDGE_COLUMN_FLAT = 0.75
"""A piece beyond the outermost ruling lower than this share of a glyph's height that crosses a row line is
that row line's own stretch past the lost border (with a speck of ink on it), not ink crossing the rows."""

EDGE_COLUMN_INK = 1.5
"""A column beyond the outermost ruling holds at most this many times the share of ink of the most written
column of the grid: more is no paper written on (a desk, a shadow or a scan's border beyond the page)."""


def columns_beyond_ruling(gray: np.ndarray, grid: Grid, ruling: np.ndarray | None = None) -> Grid:
    """The ruled grid with a column added beyond its outermost vertical line where text stands there in
    line with the table's rows: a column whose outer border was lost (faded, broken or cut off by the
    scan's edge), so that the grid ends one column short and the column's cells are never read, their
    fields taken for a register without that column (design county_editions/typed_sheets seed 3316 with
    the right or left border painted out, bench/stress_scans.py --mode unruled: 5 remarks with ink and 40
    ages lost on 7 pages, one remark auto-accepted blank). An inner line lost is no business of this step:
    the two columns read as one are doubted by their header or cells (split_merged_columns,
    Structure.columns_hidden).

    Beyond the first and the last line, within the widest column's width of it, the pieces of text
    (_pieces: ink joined into words, not touching the image's edge, the ruling left out, at least
    EDGE_COLUMN_WORD wide) that lie inside one row of the grid (between its top and bottom lines) are
    counted per row: where the header row holds one (the column's printed title) and EDGE_COLUMN_ROWS
    rows do, a vertical line is added at their far extent plus EDGE_COLUMN_PAD glyph heights, recorded in
    `edge_cols`. None where that falls off the image (ink up to the image's edge is a border or a desk),
    where the band holds more ink than paper written on does (EDGE_COLUMN_INK: a desk, a shadow), or where
    more than EDGE_COLUMN_ACROSS pieces per row's piece cross the row lines (a photograph's grain: not
    written in rows; a row line's own flat stretch, EDGE_COLUMN_FLAT, is not counted). A page number or a
    title above the table, a note under it, a margin note over
    several rows or in data rows without a title adds nothing. Text in the added column's
    cells is then read like any other column; a column whose header is not recognized is left without a
    field and its fields are not sure blanks (pipeline.page.structure.missing_fields). The grid as it
    was on a grid not from ruling lines (the text's alignment already took every column), with columns
    followed one by one, or with no text. Source: a property of ruled registers: every printed column is
    ruled and titled, a filled row's entries stand between its row lines, and a border lost takes no
    writing with it."""
    if grid.col_rows or grid.n_rows < 3 or grid.n_cols < 3 or grid.source not in ("ruling", "faint ruling"):
        return grid
    ink = binarize(gray)
    if ruling is not None and ruling.shape == gray.shape:
        ink[ruling > 0] = 0
    g = _glyph_height(ink)
    if g is None:
        return grid
    h, w = gray.shape
    reach = int(max(np.diff(grid.cols)))
    tallest = int(max(np.diff(grid.rows)))
    top, bottom = grid.rows[0], grid.rows[-1]
    span = (max(0, grid.cols[0] - reach), min(w, grid.cols[-1] + reach))
    boxes = _pieces(ink[:, span[0] : span[1]], g)
    boxes[:, [0, 2]] += span[0]
    rows = np.asarray(grid.rows)
    pad = int(round(EDGE_COLUMN_PAD * g))
    most = max(float(ink[top:bottom, a + 2 : b - 2].mean()) for a, b in zip(grid.cols, grid.cols[1:]) if b - a > 4)

    def beyond(side: str) -> int | None:
        if side == "right":
            out = boxes[boxes[:, 0] > grid.cols[-1] + 2]
        else:
            out = boxes[boxes[:, 2] < grid.cols[0] - 2]
        hit: set[int] = set()
        kept, across = [], 0
        for x0, y0, x1, y1 in out:
            if y1 < top or y0 > bottom or x1 - x0 < EDGE_COLUMN_WORD * g:
                continue
            r = int(np.searchsorted(rows, y0, side="right")) - 1
            if y0 < top or y1 > bottom or y1 - y0 > tallest or r < 0 or r >= grid.n_rows or y1 > rows[r + 1] + 2:
                across += int(y1 - y0 >= EDGE_COLUMN_FLAT * g)  # across a row line: no row's entry (a flat piece
                continue  # is the row line's own stretch beyond the border)
            hit.add(r)
            kept.append((x0, x1))
        if 0 not in hit or len(hit) < EDGE_COLUMN_ROWS or across > EDGE_COLUMN_ACROSS * len(kept):
            return None
        if side == "right":
            a, b = grid.cols[-1] + 2, int(max(x1 for _x0, x1 in kept) + pad)
        else:
            a, b = int(min(x0 for x0, _x1 in kept) - pad), grid.cols[0] - 2
        if a < 0 or b >= w or b <= a or ink[top:bottom, a:b].mean() > EDGE_COLUMN_INK * most:
            return None  # no paper written on: the desk, a shadow or the scan's border beyond the page
        return b if side == "right" else a

    cols, edge = list(grid.cols), list(grid.edge_cols)
    right, left = beyond("right"), beyond("left")
    if right is not None and right - cols[-1] >= g:
        cols.append(right)
        edge.append(len(cols) - 1)
    shift = 0
    if left is not None and cols[0] - left >= g:
        cols.insert(0, left)
        shift = 1
        edge = [0] + [i + 1 for i in edge]
    if len(cols) == len(grid.cols):
        return grid
    return replace(
        grid, cols=tuple(cols), inferred_cols=tuple(i + shift for i in grid.inferred_cols), edge_cols=tuple(sorted(edge))
    )


COLUMN_RULE_PX = 60
"""A row line's stretch inside one column (rows_by_column) is a level run of ink this long, or of
COLUMN_RULE_SPAN of a narrower column's width, and, allowing for a slant of MAX_RESIDUAL_SLANT across
the column, spans COLUMN_RULE_SPAN of its width."""
COLUMN_RULE_SPAN = 0.6
MAX_RESIDUAL_SLANT = 0.07
"""The steepest slant (tan, about 4 degrees) a table's row lines keep after the cleanup's rectification
that rows_by_column follows (a misjudged table outline, a page's curl)."""
COLUMN_SNAP = 1 / 3
"""A row's line in the next column lies within this share of a row from where it ran in the last one
(hand ruling draws each column's stretch apart by up to a third of a row)."""
COLUMN_ROWS_AGREE = 0.5
"""A row tracked across the columns (rows_by_column) is kept where its line is seen in at least this
share of them (a strike or a stamp's edge in one column is no row)."""


def _column_lines(ink: np.ndarray, y0: int, y1: int, a: int, b: int) -> list[int]:
    """y (on the page) of the row lines' stretches inside the column between vertical lines a and b."""
    x0, x1 = a + 4, b - 4
    if x1 - x0 < 16:
        return []
    wd = x1 - x0
    run = max(12, int(min(COLUMN_RULE_PX, COLUMN_RULE_SPAN * wd)))
    band = cv2.morphologyEx(ink[y0:y1, x0:x1], cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    k = 1 + 2 * int(np.ceil(MAX_RESIDUAL_SLANT * wd / 2))
    spread = cv2.dilate(band, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    runs = band.sum(axis=1) / 255.0
    out = []
    for v in _line_positions(spread.sum(axis=1) / 255.0, COLUMN_RULE_SPAN * wd, min_gap=20):
        lo, hi = max(0, v - k // 2), min(len(runs), v + k // 2 + 1)  # the slanted line's own middle
        weight = runs[lo:hi]
        out.append(y0 + (int(round(float((np.arange(lo, hi) * weight).sum() / weight.sum()))) if weight.sum() > 0 else v))
    return out


def rows_by_column(gray: np.ndarray, table_box: Box, ruling: np.ndarray | None, cols: list[int]) -> Grid | None:
    """The grid of a table whose row lines do not run level across it, tracked column by column. After
    the cleanup's rectification a table's row lines can still slant (its outline misjudged, the page
    curled: up to MAX_RESIDUAL_SLANT, by a slant that differs from row to row), and on a form ruled by
    hand each column's stretch of a row's line is drawn apart from its neighbours': either way no level
    line spans GRID_LINE_SPAN of the table and its rows are lost (find_grid: "2 horizontal lines"),
    while the vertical lines are found. Inside each column (between its vertical lines) a row line's
    stretch still runs across it (_column_lines). Each row line is followed from a column showing it
    (the widest first; none showing more lines than most columns do: a narrow column's writing can add
    runs) to both sides, column by column: the next column's stretch nearest where the line would run on at its last
    slant (at most MAX_RESIDUAL_SLANT), within COLUMN_SNAP of a row; where the next column shows none there (a
    gap, a stamp) it runs on. A row seen in fewer than COLUMN_ROWS_AGREE of the columns is dropped, and
    of two rows sharing a column's stretch the one seen in fewer columns.
    Each column keeps its own row lines (Grid.col_rows: its cells are cut at them); the grid's rows are
    their median. Source: a property of ruled forms (every column ruled across every row, straight
    within a column) and of imaging (a straight line stays straight under a small warp). Its source is
    "ruling by column": the page is in doubt (pipeline.page.extract.GRID_DOUBTS). None where fewer than
    GRID_MIN_LINES rows are tracked."""
    h, _w = gray.shape
    ink = binarize(gray)
    if ruling is not None and ruling.shape == ink.shape:
        ink = cv2.bitwise_or(ink, ruling.astype(np.uint8) * 255)
    y0, y1 = max(0, table_box[1] - 12), min(h, table_box[3] + 12)
    per_col = [_column_lines(ink, y0, y1, a, b) for a, b in zip(cols[:-1], cols[1:])]
    mids = [(a + b) / 2 for a, b in zip(cols[:-1], cols[1:])]
    counts = sorted(len(v) for v in per_col)
    if counts[len(counts) // 2] < GRID_MIN_LINES[0]:
        return None
    snap = COLUMN_SNAP * float(np.median([d for v in per_col if len(v) > 1 for d in np.diff(v)]))

    def track(start: int, y_start: int, slant: float) -> tuple[list[int], list[bool]]:
        at, seen = [0] * len(per_col), [False] * len(per_col)
        at[start], seen[start] = y_start, True
        for step in (1, -1):
            last, slope, i = float(y_start), slant, start + step
            while 0 <= i < len(per_col):
                want = last + slope * (mids[i] - mids[i - step])
                near = [y for y in per_col[i] if abs(y - want) <= snap]
                y = want
                if near:
                    y = float(min(near, key=lambda v: abs(v - want)))
                    slope = float(np.clip((y - last) / (mids[i] - mids[i - step]), -MAX_RESIDUAL_SLANT, MAX_RESIDUAL_SLANT))
                    seen[i] = True
                at[i] = int(round(y))
                last, i = y, i + step
        return at, seen

    def follow(slant: float) -> list[tuple[list[int], list[bool]]]:
        # every column's lines are followed, the widest column's first (its lines are the longest runs); a
        # line already on a row followed is that row
        chains: list[tuple[list[int], list[bool]]] = []
        usual = counts[len(counts) // 2]
        for start in sorted(range(len(per_col)), key=lambda i: -(cols[i + 1] - cols[i])):
            if len(per_col[start]) > usual:  # a narrow column's writing taken for lines: followed into, not from
                continue
            for y_start in per_col[start]:
                if any(seen[start] and abs(at[start] - y_start) <= snap / 2 for at, seen in chains):
                    continue
                at, seen = track(start, y_start, slant)
                if sum(seen) >= COLUMN_ROWS_AGREE * len(per_col):
                    chains.append((at, seen))
        # one row followed from two columns' lines shares their stretches: the one seen in more columns kept
        kept: list[tuple[list[int], list[bool]]] = []
        for ch in sorted(chains, key=lambda ch: -sum(ch[1])):
            if not any(any(s1 and s2 and a1 == a2 for a1, s1, a2, s2 in zip(ch[0], ch[1], k[0], k[1])) for k in kept):
                kept.append(ch)
        chains = sorted(kept, key=lambda ch: float(np.median(ch[0])))
        return chains

    # followed at no slant first, then again at the table's own slant (the median of the rows'), so that
    # a line's first step into the next column is not taken for a jump
    slants = []
    for at, seen in follow(0.0):
        xs_seen = [m for m, ok in zip(mids, seen) if ok]
        if len(xs_seen) >= 2:
            slants.append(float(np.polyfit(xs_seen, [y for y, ok in zip(at, seen) if ok], 1)[0]))
    chains = follow(float(np.clip(np.median(slants), -MAX_RESIDUAL_SLANT, MAX_RESIDUAL_SLANT)) if slants else 0.0)
    if len(chains) < GRID_MIN_LINES[0]:
        return None
    col_rows = tuple(tuple(at[c] for at, _ in chains) for c in range(len(per_col)))
    if any(any(q <= p for p, q in zip(c[:-1], c[1:])) for c in col_rows):
        return None
    rows = tuple(int(round(float(np.median([c[k] for c in col_rows])))) for k in range(len(chains)))
    return Grid(rows, tuple(int(c) for c in cols), source="ruling by column", col_rows=col_rows)


@dataclass
class Assignment:
    cells: dict[tuple[int, int], list[OcrPiece]] = field(default_factory=dict)
    above: list[OcrPiece] = field(default_factory=list)  # title, page number, notes above the table
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


RULING_MAX_ROWS = 6
"""A ruling line is thin: a band of more than this many consecutive rows over 80 % ink in a cell crop is
not a ruling remnant but text. A property of imaging, measured at the working resolution (pages brought to
a 2339 px long side): across the horizontal grid lines of the design stores, the rows over 80 % ink at a
line number 0-6 on the photographs (camera_capture seeds 4405 and 4407: 866 lines, 6 rows at 4 of them)
and 0-5 on the scans (seed 3301, 516 lines); inside the scans' cell crops no such band is thicker than 6
rows. On a blurred photograph a line of bold print (a header's 家属姓名, four glyphs run together into
as few long runs as a broken line) covers 80 % of 5-17 consecutive rows: taken for a ruling, those rows
were blanked and the line cut into two or three bands that read 11AA (bench/photo_cells.py,
bench/results/photo-cells-2026-12-03-s14.md)."""


def ruling_rows(ink: np.ndarray) -> np.ndarray:
    """Rows (bool mask) of a 0/1 ink crop that are ruling remnants, not text: over 80 % ink in at
    most RULING_RUNS runs, in a band of at most RULING_MAX_ROWS such rows. None in a crop narrower
    than 20 px."""
    h, w = ink.shape
    if w < 20:
        return np.zeros(h, dtype=bool)
    dense = ink.sum(axis=1) > 0.8 * w
    if not dense.any():
        return dense
    rows = ink[dense].astype(np.int8)
    runs = (np.diff(rows, axis=1) == 1).sum(axis=1) + rows[:, 0]
    dense[np.nonzero(dense)[0][runs > RULING_RUNS]] = False
    for y0, y1 in _runs(np.nonzero(dense)[0], 1):
        if y1 - y0 + 1 > RULING_MAX_ROWS:
            dense[y0 : y1 + 1] = False
    return dense


def erase_ruling_rows(crop: np.ndarray) -> np.ndarray:
    """A cell crop with the straight lines that run across it (ruling_rows: a strike drawn through the
    text, the remnant of a row's ruling that the rectification of a photograph left inside the cell)
    painted over with the cell's paper, one row above and below included for the blur's halo, except in
    the columns where ink continues on both sides of the line (a stroke that crosses it). The crop itself
    where it holds no such line. For finding where the text lines are only (extract.line_crops on
    enlarged photographs), never what the recognizer is given.

    Why: a property of the capture geometry. text_line_bands leaves ruling rows out of its ink profile, so
    a line through the middle of a text line cut it into two bands at the line: the recognizer got the
    upper half with the line through it, then the lower half alone as a line of its own (bench/phone_cells.py
    --png on the design phone copy p3384: 28 of 517 misread cells came in two such pieces). With the line
    painted out where no stroke crosses it, the strokes that do cross it join the halves again. Measured
    with bench/phone_cells.py (first readings of 8 pages of p3384, 1692 cells): crops of 49 cells changed,
    cells exact 1175 -> 1180 (7 put right, 2 made wrong). Given to the recognizer as well, the painted
    crop read worse (1154: 6 put right, 27 made wrong): the paint takes the glyphs' own strokes along the
    line, and on a blurred photograph a line of bold digits passes ruling_rows' test in its middle rows."""
    if crop.size == 0:
        return crop
    paper = int(np.median(crop))
    ink = crop < paper - INK_CONTRAST
    rows = ruling_rows(ink.astype(np.uint8))
    if not rows.any():
        return crop
    h = crop.shape[0]
    out = crop.copy()
    for y0, y1 in _runs(np.nonzero(rows)[0], 1):
        above, below = y0 - 2, y1 + 2
        sides = [ink[y] for y in (above, below) if 0 <= y < h]
        crossing = np.logical_and.reduce(sides) if len(sides) == 2 else np.zeros(crop.shape[1], dtype=bool)
        crossing = cv2.dilate(crossing.astype(np.uint8)[None, :], np.ones((1, 3), np.uint8))[0].astype(bool)
        band = out[max(0, y0 - 1) : min(h, y1 + 2)]
        band[:, ~crossing] = np.maximum(band[:, ~crossing], paper)
    return out


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
    than a quarter of the ink and keep the band whole. A wrapped line of one to three glyphs does not (design
    carbon 4762: 号 / 17号 under an address, two rows apart): it is cut off, and said (left_out_line)."""
    seg = profile[b0 : b1 + 1].astype(np.float64)
    if seg.size < 8 or seg.max() <= 0:
        return b0, b1
    smooth = np.convolve(seg, np.ones(5) / 5, mode="same")
    dense = _runs(np.nonzero(smooth >= STAMP_CORE_SHARE * smooth.max())[0], 1)
    c0, c1 = max(dense, key=lambda r: r[1] - r[0])  # the first of the longest
    if seg.size < 2 * (c1 - c0 + 1):
        return b0, b1
    if seg[:c0].sum() + seg[c1 + 1 :].sum() >= 0.25 * seg.sum():
        return b0, b1
    return b0 + c0, b0 + c1


LEFT_OUT_LINE_SHARE = 0.6
"""A run of ink rows cut off a band with the band's core (_line_core) is a line of writing when it is at least this
share of the core's height (left_out_line): a glyph is as tall as its line's other glyphs."""


def left_out_line(profile: np.ndarray, b0: int, b1: int, c0: int, c1: int, least: float) -> list[tuple[int, int]]:
    """The lines of writing a band (b0, b1) of a cell crop's ink `profile` (ink pixels per row) lost when it was cut
    to its core (c0, c1) by _line_core: each longest run of rows with more than `least` ink above or below the core
    that is at least LEFT_OUT_LINE_SHARE of the core's height and ends inside the crop.

    Source: a property of the form and of imaging. A cell holds its entry; a long one (an address) is wrapped
    onto a second line inside the cell, and where its tail is short (号, 17号: a tenth of the ink) and the gap
    between the lines under min_gap rows, the two lines make one band whose core is the first line alone: that
    crop reads the first line well and surely (design carbon copy 4762: two addresses read without their house
    number's end, accepted at 1.00). A seal's arcs, what the cut is for, run on to the cell's edges; a wrapped
    line ends inside the cell."""
    if (c0, c1) == (b0, b1):
        return []
    out = []
    h = len(profile)
    for lo, hi in ((b0, c0 - 1), (c1 + 1, b1)):
        if hi < lo:
            continue
        rows = np.nonzero(profile[lo : hi + 1] > least)[0]
        if rows.size == 0:
            continue
        r0, r1 = max(_runs(rows + lo, 1), key=lambda r: r[1] - r[0])
        if r1 - r0 + 1 >= LEFT_OUT_LINE_SHARE * (c1 - c0 + 1) and r0 > 0 and r1 < h - 1:
            out.append((int(r0), int(r1)))
    return out


SPECK_PIXELS = 12
"""Ink in a connected piece smaller than this (8-connected, at the working resolution of about 200 dpi)
is grain, not writing (text_line_bands). A photograph's sensor noise and its JPEG blocks are uncorrelated
from pixel to pixel: enlarged 1.1-2x to the working resolution (pipeline.page.cleanup.correct_capture,
or a PDF page rendered at 200 dpi from a 150 dpi photo) and sharpened, a grain is one to three of the
capture's pixels, 1-12 px here, and in the shaded paper of a photo enough of them fall 45 levels under
the cell's median to pass MIN_TEXT_PIXELS. A pen or printed stroke is continuous along its length (the
lens blurs it, never breaks it): the shortest, a dot stroke or a ditto tick of 1.5 mm, is 12 px long
and 2-4 px wide. Measured on the design family camera_capture (seed 4403): blank cells 0-17 px of ink
in pieces of 12 px or more, 45-177 px in all; written cells 128-2161 px, over 90 % of it in such pieces.
Taken out only where the paper is grainy (GRAINY_PAPER): a scan's paper is quiet, and a small dot
beside its text (a dust speck, a glyph's dot) stays part of its line as before."""


GRAINY_PAPER = 6.0
"""A cell's paper is grainy (a photograph's sensor noise) where its noise (paper_noise) is at least this
many grey levels: 12-22 on the design photos' grainy pages, 1-5 on scans and on photos with little
grain. Only there are specks taken out of the ink (text_line_bands), so a scan's lines are found
exactly as before. It is FAINT_CONTRAST / FAINT_NOISE_SIGMAS: the noise at which the faint test too
starts to ask for more than FAINT_CONTRAST."""


def paper_noise(crop: np.ndarray) -> float:
    """The sigma of a cell's paper noise, robustly: 1.4826 x the median absolute difference of its pixels
    from the paper around them (the median of 21 x 21 pixels; ink is a minority of a cell's pixels)."""
    if crop.size == 0 or min(crop.shape) < 3:
        return 0.0
    return _noise_sigma(crop.astype(np.int16) - cv2.medianBlur(np.ascontiguousarray(crop), 21).astype(np.int16))


def _noise_sigma(diff: np.ndarray) -> float:
    """A robust sigma of pixels' differences from their paper: 1.4826 x their median absolute value."""
    return 1.4826 * float(np.median(np.abs(diff)))


GRAIN_DENOISE = 0.7
"""A text line of a photographed page (routing.capture_kind: PHOTOGRAPH or LOW_RESOLUTION) on grainy paper
(its cell's paper_noise at least GRAINY_PAPER) reaches the recognizer through non-local-means denoising
(cv2.fastNlMeansDenoising, 5 x 5 patches searched over GRAIN_SEARCH x GRAIN_SEARCH) of filter strength h
this many times the cell's noise sigma. A property of imaging and of the recognizer: a phone's sensor
grain, enlarged to the working resolution and sharpened (cleanup.sharpen_enlarged doubles it with the
edges), is magnified again 1.3-2.5 x when a line is scaled to the recognizer's 48 px, where its specks
are the size of a stroke's dots and hooks; PaddleOCR's recognizer was trained on lines from prints and
scans, whose paper is quiet. Non-local means averages each pixel with the pixels whose neighbourhoods
look alike (paper with paper, a stroke's edge with the same edge elsewhere): it takes the grain out of
the paper without blurring the strokes as a Gaussian or median filter does. Measured on the line crops
of the two name columns (deceased_name, agent_name) of the design photo stores (camera_capture seeds 4403
and 4401, 231 + 207 cells, first reading only), read exactly 96 + 83 -> 109 + 84, read as nothing like
the name (under half alike) 71 + 64 -> 59 + 60; a Gaussian of 0.7 px: 101 + 82, 1.0 px: 94 + 79; a 3 x 3
median: 78 + 65; h = 1.5 sigma: 75 + 65; an unsharp mask or a contrast stretch: 84-92 + 71-82. Not on
scans: on seed 3301's county_editions scans (419 name cells, a quarter with paper noise of 6-12 from the
paper's texture) h = 0.7 sigma read as many exactly (334) and two more as nothing like the name."""
GRAIN_SEARCH = 11
"""px: the window non-local means looks for like neighbourhoods in (its time grows with its area): 15
read the same (108 + 85 exactly, 58 + 61 unlike) at twice the time, 7 a little worse (107 + 83, 60 + 64)."""


def denoise_grain(line: np.ndarray, sigma: float) -> np.ndarray:
    """A text line's crop with the grain of its cell's paper taken out (GRAIN_DENOISE, GRAIN_SEARCH), where
    that paper is grainy (`sigma`, the cell's paper_noise, at least GRAINY_PAPER); else the crop itself.
    What the recognizer is given, never what the ink tests (text_line_bands, faint_counts) look at."""
    if sigma < GRAINY_PAPER or line.size == 0:
        return line
    return cv2.fastNlMeansDenoising(
        np.ascontiguousarray(line), None, h=GRAIN_DENOISE * sigma, templateWindowSize=5, searchWindowSize=GRAIN_SEARCH
    )


def stroke_ink(ink: np.ndarray) -> np.ndarray:
    """A 0/1 ink mask with its specks (connected pieces under SPECK_PIXELS) taken out."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    small = stats[:, cv2.CC_STAT_AREA] < SPECK_PIXELS
    small[0] = False
    if not small.any():
        return ink
    out = ink.copy()
    out[small[labels]] = 0
    return out


def join_across_ruled(runs: list[list[int]], ruled: np.ndarray) -> list[list[int]]:
    """Runs of ink rows ([first, last], in order) joined where every row between two of them is a row
    ruling_rows took for a ruling: the ink then runs straight through the "ruling", so it is the middle
    of one line of text, not a ruling between two.

    A scan property, measured: on a carbon copy the pressure spread joins a digit string's glyphs into one
    run of ink along their middle bars (and on clean scans of bold digits too), which ruling_rows, asking
    for over 80 % ink in few runs, takes for a ruling remnant; blanked, it cut an ID or certificate number
    into an upper and a lower half that the recognizer read as two numbers (an 18-digit ID as 36 digits).
    Only digit columns (text_line_bands one_line): a digit string is written on one line. Measured with
    bench/digit_bands.py (bench/results/s34-fadednames-2026-12-06.md): design d3316 county and its carbon copies
    w_c5 / c7, files 01 + 02: 37 digit cells joined, read right 1 -> 32; d3316 typed, faded w_fd, the 1-bit
    copies bd3316 and b (typed 3334): no cell changed. End to end: IDs 98.33 -> 99.17 % on w_c5 and c7,
    99.17 -> 100 % on d3316, certificate numbers 19 fewer wrong, wrong among auto-accepted unchanged."""
    out: list[list[int]] = []
    for r in runs:
        if out and r[0] > out[-1][1] + 1 and bool(ruled[out[-1][1] + 1 : r[0]].all()):
            out[-1][1] = r[1]
        else:
            out.append(list(r))
    return out


def text_line_bands(
    crop: np.ndarray,
    min_gap: int = 3,
    pad: int = 8,
    one_line: bool = False,
    left_out: list[tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """Vertical extents (y0, y1) of the text lines inside a cell crop, padded but never into the
    next line: one band for most cells, two or more for a wrapped cell. Small bands (a dot, a stroke
    apart, stamp remnants) join the nearest line, except faint ones more than half a line
    away, which are left out. On grainy paper (GRAINY_PAPER) specks (stroke_ink, SPECK_PIXELS) are not ink: in
    a blank cell they made lines of nothing that the recognizer read as letters and digits, and beside
    a written line they made its crop taller and its text smaller at the recognizer's 48 px. Empty when
    the crop holds no text.

    `one_line`: the cell holds a digit string (a column of STRETCH_FIELDS): rows taken for a ruling that
    have ink right above and below them do not part two lines (join_across_ruled).

    `left_out`: where given, the rows (y0, y1) of each line of writing a band lost when it was cut to its
    core (_line_core) are appended to it (left_out_line): writing the crops do not hold."""
    if crop.size == 0:
        return []
    ink = (crop < int(np.median(crop)) - INK_CONTRAST).astype(np.uint8)
    h, w = ink.shape
    ruled = ruling_rows(ink)
    ink[ruled] = 0
    if paper_noise(crop) >= GRAINY_PAPER:
        ink = stroke_ink(ink)
    if int(ink.sum()) < MIN_TEXT_PIXELS:
        return []
    profile = ink.sum(axis=1)
    rows = np.nonzero(profile > max(1, 0.004 * w))[0]
    if rows.size == 0:
        return []
    runs = _runs(rows, min_gap)
    if one_line:
        runs = join_across_ruled(runs, ruled)
    bands = [b for b in runs if not ((b[0] == 0 or b[1] == h - 1) and b[1] - b[0] < EDGE_SLIVER_ROWS)]
    if not bands:
        return []
    tallest = max(b1 - b0 for b0, b1 in bands)
    lines = [b for b in bands if b[1] - b[0] >= 0.45 * tallest]
    mass = {id(b): int(profile[b[0] : b[1] + 1].sum()) for b in bands}
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
        b0, b1 = ln[0], ln[1]
        ln[0], ln[1] = _line_core(profile, b0, b1)
        if left_out is not None:
            left_out.extend(left_out_line(profile, b0, b1, ln[0], ln[1], max(1, 0.004 * w)))
    out = []
    for i, (b0, b1) in enumerate(lines):
        lo = b0 - pad if i == 0 else max(b0 - pad, (lines[i - 1][1] + b0) // 2)
        hi = b1 + 1 + pad if i == len(lines) - 1 else min(b1 + 1 + pad, (b1 + lines[i + 1][0]) // 2)
        out.append((max(0, lo), min(h, hi)))
    return out


FAINT_CONTRAST = 18
"""The stricter ink test of a cell that reads as blank (faint_ink): a pixel this much darker than the
cell's paper may be faint ink (ballpoint pressed lightly, faded ink: 20-40 levels on the scans), where
text_line_bands asks for INK_CONTRAST (45)."""
FAINT_MIN_PIXELS = 30
"""...at least this many such pixels in stroke-like blobs (FAINT_STROKE) make a cell "not surely blank":
scan noise left by the median filter comes as single pixels and pairs."""
FAINT_STROKE = 6
"""A stroke-like blob is at least this many pixels long (its box's longer side) and has at least this
many pixels."""
FAINT_EDGE = 3
"""Pixels this close to the crop's edges are left out: the remains of the ruling lines around it."""
FAINT_NOISE_SIGMAS = 3.0
"""...and a pixel is faint ink only where it is also this many times the paper's own noise darker than
the paper (the noise's sigma estimated robustly, 1.4826 x the median absolute difference of the cell's
pixels from the paper around them: ink is a minority of a cell's pixels). A property of imaging: a
photograph's sensor grain, enlarged and sharpened to the working resolution, spreads the paper's grey
levels by a sigma of 12-22 on the design photos (camera_capture seed 4403; a scan's paper: 1-5), so a
fixed FAINT_CONTRAST of 18 found "faint strokes" of grain in every blank cell of such a page, and the
grain, stretched (stretch_faint), was read as letters (the 备注 column's blanks read KCA4, 三, 之 ...).
A faint stroke within 3 sigma of the paper cannot be told from its grain, by this test or by the
recognizer: such a cell (faint_counts: none above the grain, some by FAINT_CONTRAST alone) is therefore
not read, and not taken for a sure blank either (extract.line_crops: an unsure blank, held for a look).
Where the noise is under 6 levels (every scan) the test is FAINT_CONTRAST as before."""


def faint_ink(inner: np.ndarray, against_noise: bool = True) -> int:
    """How many pixels of faint, stroke-like ink a cell holds (0: none) that text_line_bands does not
    see: a cell is blank at high confidence only where this stricter test agrees (a page's faint pen
    strokes are not blank); a pixel counts where it is darker than the paper by FAINT_CONTRAST and by
    FAINT_NOISE_SIGMAS of the paper's own noise (a photograph's grain is not faint ink; against_noise=False:
    by FAINT_CONTRAST alone, what may be faint strokes or grain). Ruling remnants
    (rows over 80 % ink, columns over 80 % ink) and the crop's edges are left out."""
    above_grain, fixed = faint_counts(inner)
    return above_grain if against_noise else fixed


def faint_counts(inner: np.ndarray) -> tuple[int, int]:
    """faint_ink both ways from one look at the paper: (against its noise, by FAINT_CONTRAST alone). None
    of the first and some of the second: on such grainy paper a pen stroke within FAINT_NOISE_SIGMAS of the
    noise cannot be told from the grain (extract.line_crops: an unsure blank, not read). On quiet paper
    (noise under GRAINY_PAPER: every scan) the two are one count."""
    if inner.size == 0 or min(inner.shape) <= 2 * FAINT_EDGE + 2:
        return 0, 0
    crop = inner[FAINT_EDGE:-FAINT_EDGE, FAINT_EDGE:-FAINT_EDGE]
    # against the paper around each pixel (the median of 21 x 21 pixels: a pen stroke is a few pixels
    # wide), not the cell's median: the light falling off towards a page's edge is no ink
    paper = cv2.medianBlur(np.ascontiguousarray(crop), 21)
    diff = crop.astype(np.int16) - paper.astype(np.int16)
    fixed = _faint_strokes(diff, FAINT_CONTRAST)
    strict = FAINT_NOISE_SIGMAS * _noise_sigma(diff)
    return (fixed if strict <= FAINT_CONTRAST else _faint_strokes(diff, strict)), fixed


def _faint_strokes(diff: np.ndarray, contrast: float) -> int:
    """The pixels of stroke-like pieces darker than their paper by more than `contrast` (FAINT_STROKE,
    FAINT_MIN_PIXELS; ruling remnants left out): faint_counts."""
    ink = (diff < -contrast).astype(np.uint8)
    ink[ruling_rows(ink)] = 0
    h = ink.shape[0]
    ink[:, ink.sum(axis=0) > 0.8 * h] = 0
    n, _lab, st, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    total = 0
    for i in range(1, n):
        if st[i, cv2.CC_STAT_AREA] >= FAINT_STROKE and max(st[i, cv2.CC_STAT_WIDTH], st[i, cv2.CC_STAT_HEIGHT]) >= FAINT_STROKE:
            total += int(st[i, cv2.CC_STAT_AREA])
    return total if total >= FAINT_MIN_PIXELS else 0


FAINT_INK_SHARE = 0.5
"""Where a cell's darkest ink (its darkest 1 % of pixels) lies INK_CONTRAST to 2 x INK_CONTRAST under its
paper (faded ink, a carbon copy, a pen pressed lightly), its pixels count as ink (cell_ink_contrast) from
this share of that depth: a property of imaging, a stroke blurred by the optics and the paper's fibres reaches
its full darkness only at its core and its edge is where it is half as dark as there (the half-maximum width of a
line), so a stroke is whole at half its depth whatever its ink. A fixed INK_CONTRAST, calibrated on dark
ink, sees only the cores of strokes that are 45-90 levels deep and breaks each glyph into pieces with gaps
between them; with dark ink (2 x INK_CONTRAST or more: every cell of the design scans as drawn) the share
asks for INK_CONTRAST or more, and INK_CONTRAST is kept. Nor is it lowered in a cell whose darkest 1 % lie
under INK_CONTRAST: the fixed test sees no ink there, and that depth is mostly the paper's grain or a stain
(a photograph's blank cells: 15-24 levels), whose specks at half of it would read as writing."""


def cell_ink_contrast(inner: np.ndarray) -> float:
    """How much darker than its paper (the cell's median) a pixel of this cell must be to count as ink:
    INK_CONTRAST, or for faint ink (its darkest 1 % of pixels INK_CONTRAST to 2 x INK_CONTRAST deep)
    FAINT_INK_SHARE of that depth, never under FAINT_CONTRAST nor FAINT_NOISE_SIGMAS x the paper's own noise
    (paper_noise: a photograph's grain is no ink), the thresholds of the faint ink test (faint_counts)."""
    if inner.size == 0:
        return float(INK_CONTRAST)
    depth = float(np.median(inner)) - float(np.percentile(inner, 1))
    if not INK_CONTRAST <= depth < 2 * INK_CONTRAST:  # dark ink, or no ink the fixed test sees: as it was
        return float(INK_CONTRAST)
    floor = max(float(FAINT_CONTRAST), FAINT_NOISE_SIGMAS * paper_noise(inner))
    return min(float(INK_CONTRAST), max(floor, FAINT_INK_SHARE * depth))


def stretch_faint(inner: np.ndarray) -> np.ndarray:
    """A cell crop with its faint ink made dark (the darkest 1 % of its pixels to black, its paper kept
    white), for recognition of what faint_ink found."""
    paper = float(np.median(inner))
    lo = float(np.percentile(inner, 1))
    if paper - lo < 5:
        return inner
    out = (inner.astype(np.float32) - lo) * 255.0 / max(1.0, paper - lo)
    return np.clip(out, 0, 255).astype(np.uint8)


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


SPLIT_GAP = 0.25
"""A gap inside a column where its two fields' texts meet (a missing ruling line) is at least this many
glyph heights wide (two cells' paddings: 0.7 glyph heights on the generated registers) ..."""
SPLIT_CROSSING = 0.1
"""...and the text of at most this share of the column's written rows crosses it."""
SPLIT_RULE_RUN = 2.0
"""A horizontal run of ink at least this many glyph heights long inside a column's cells is a stretch of
ruling, no writing (column_gap): no stroke of a character is longer than the character is wide, and a Han
glyph's box is about square (a digit's or a Latin letter's narrower). On a 1-bit scan the threshold breaks
the pale row lines into dashes, and a row line's dashes shifted into a cell by the grid's row line put a
pixel or two off (or a line thickened beyond ruling_rows' 80 % of the crop's width, or welded to writing)
cross the gap a missing column line leaves (and a column line leaning into the cell, kept as text on one
side of a gap, makes a gap of the paper between it and the writing; no stroke is longer than its
character is tall either): fresh county_editions seed 3334 as 1-bit copies b and c
(bench/stress_scans.py --mode bilevel), 01_cremation_haiyang_2011, where the line between age and ID is
lost on every copy: 1-3 of 14 rows crossed by such dashes on each page, over SPLIT_CROSSING, so the
column 年龄身份证号码 was not split (copy a, whose dashes fall on the row lines, was). Source: the shape of
glyphs and how a 1-bit threshold renders pale ruling."""


def column_gap(
    gray: np.ndarray, grid: Grid, col: int, near: float | None = None, seals: np.ndarray | None = None, header_word: bool = False
) -> int | None:
    """x of the gap inside column `col` that its rows' text leaves free: where a ruling line is
    missing between two columns (a header read as two fields' headers), their values stand apart,
    each in its own half. The widest gap (SPLIT_GAP, SPLIT_CROSSING) over the header and data rows,
    the one nearest `near` (a share of the column's width) where several are as wide; None where the
    text runs across the column everywhere.

    `seals`: the discs of seals left as ink on the page (pipeline.page.cleanup.CleanPage.seals). Ink
    inside a seal's disc is the seal's (its ring, star and text arc run across the rows and over the
    column's missing line), no row's writing: it is left out, so a seal stamped across the two printed
    columns does not close the gap their text leaves in the other rows. Rule source: office practice
    and imaging (a seal is stamped over the table after it is filled in, across lines and cells).
    Left out too: the rows struck through (grid.struck_rows: the line that voids an entry is drawn across
    all its cells, the missing line's place too) and the specks of grain or stained paper (stroke_ink: a
    speck is no writing, and one in the gap closes it). Design family typed_sheets at severity 1.8 (seed
    3313): two pages whose ID and certificate columns share a cell (header 身份证号码火化证编号) were
    left unsplit by one struck row and the specks of their stained paper.

    `header_word`: a gap that one word of the header row (row 0) stands across is none (SPLIT_HEADER_WORD);
    for a column split on its rows' text alone, not on a header read as two fields' headers."""
    edge = 4  # what is left of the neighbours' ruling lines
    x0, x1 = grid.cols[col] + edge, grid.cols[col + 1] - edge
    width = x1 - x0
    if width < 20:
        return None
    cells: list[np.ndarray] = []
    head = -1  # the header row's cell among `cells`
    for r in range(grid.n_rows):
        if r in grid.struck_rows:  # the line drawn through a voided entry runs across both fields' cells
            continue
        y0, y1 = grid.rows[r], grid.rows[r + 1]
        inner = gray[y0 + 3 : y1 - 3, x0:x1]
        if inner.size == 0:
            continue
        # faint writing's strokes whole (cell_ink_contrast): at INK_CONTRAST only their cores are ink, and
        # the gaps between the cores of a faded ID's digits read as the gap of a missing ruling line
        ink = (inner < float(np.median(inner)) - cell_ink_contrast(inner)).astype(np.uint8)
        ink[ruling_rows(ink)] = 0
        if seals is not None and seals.shape[:2] == gray.shape[:2]:
            ink[seals[y0 + 3 : y1 - 3, x0:x1] > 0] = 0
        cells.append(stroke_ink(ink))  # grain and stains' specks are no writing: one in the gap closes it
        head = len(cells) - 1 if r == 0 else head
    glyph = _glyph_height(np.vstack(cells)) if cells else None
    if glyph is not None:  # stretches of ruling left in the cells (SPLIT_RULE_RUN), and their ragged edges
        cells = [stroke_ink(ink & (1 - _ruling_stretches(ink, glyph))) for ink in cells]
    per_row: list[np.ndarray] = []
    heights = []
    kept: list[np.ndarray] = []
    for ink in cells:
        if int(ink.sum()) < MIN_TEXT_PIXELS:
            continue
        rows_ink = np.nonzero(ink.sum(axis=1) > 0)[0]
        heights.append(rows_ink[-1] - rows_ink[0] + 1)
        per_row.append(ink.sum(axis=0) > 0)
        kept.append(ink)
    written = len(per_row)
    if written < 2:
        return None
    inked = np.array(per_row)
    crossing = inked.sum(axis=0)
    g = float(np.median(heights))
    free = _through_line_left(crossing <= SPLIT_CROSSING * written, kept, glyph or g)
    gaps = [(a, b) for a, b in _runs(np.nonzero(free)[0], 1) if b - a + 1 >= SPLIT_GAP * g]
    # a gap must have text on both sides in most rows: not the empty margin of a left-aligned column, nor
    # the paper between the writing and a stretch of the column's ruling line leaning into the cell
    # (SPLIT_SIDE_TEXT)
    inside = []
    for a, b in gaps:
        both = int(sum(1 for row in inked if _text_beside(row[:a], glyph or g) and _text_beside(row[b + 1 :], glyph or g)))
        if both >= 0.5 * written:
            inside.append((a, b))
    if header_word and head >= 0 and glyph is not None:
        words = _word_spans(cells[head], glyph)
        inside = [(a, b) for a, b in inside if not any(w0 < a and b < w1 for w0, w1 in words)]
    if not inside:
        return None
    target = None if near is None else near * width
    a, b = max(inside, key=lambda ab: (ab[1] - ab[0], -abs((ab[0] + ab[1]) / 2 - target) if target is not None else 0))
    return x0 + (a + b) // 2


SPLIT_LINE_LEFT = LONE_SPECK
"""A column line the grid did not find but the page still prints (faint or broken on a photograph, lost to
the line finder) stands in a column's cells as a band no wider than this many glyph heights, crossed by
most of the column's written rows (SPLIT_LINE_ROWS) at one x, reaching down a line's length in them
(SPLIT_RULE_RUN glyph heights, as _ruling_stretches), with paper on both sides of it: column_gap
takes it as part of the gap the two columns' texts leave, not as writing across it (_through_line_left).
A printed ruling line is a stroke, thinner than half a character (a character is as wide as it is tall,
LONE_SPECK), and runs down the whole table at one x; writing that crosses a gap at one x in most rows
is a word, wider. Design phone copy ph3801 of d3316 (03_cremation_longkou_2015 page 2): the lines
between 年龄, 逝者姓名 and 性别 printed and visible, 5-6 px wide, crossing 9 and 10 of 11 rows, lost by
the grid; the three columns were read as one (header 年龄 名 调), no gap found, 30 fields lost. Source:
a printed form's ruling (one line per column edge, the table's full height) and the shape of glyphs."""
SPLIT_LINE_ROWS = 0.5
"""...reaching a line's length down at least this share of the column's written rows (a ruling line runs
through every row; a speck or a stroke of writing crosses one or two, and none is that tall)."""


def _through_line_left(free: np.ndarray, cells: Sequence[np.ndarray], glyph: float) -> np.ndarray:
    """`free` (x -> crossed by few enough rows: column_gap) with each band that a column line the grid
    missed leaves made free too (SPLIT_LINE_LEFT, SPLIT_LINE_ROWS: narrow, paper on both sides, and in most
    written rows (`cells`: their ink, 0/1) ink in it reaching down SPLIT_RULE_RUN glyph heights or more, a
    line's length, where a glyph's stroke (a dash, a dot, a 1 of typed dates aligned row under row) stays
    within its text line), so that the gap it stands in is one gap."""
    out = free.copy()
    for a, b in _runs(np.nonzero(~free)[0], 1):
        if a == 0 or b == len(free) - 1 or b - a + 1 > SPLIT_LINE_LEFT * glyph or not (free[a - 1] and free[b + 1]):
            continue  # at the cell's edge (the neighbour's line), wider than a line, or writing beside it
        tall = 0
        for ink in cells:
            down = np.nonzero(ink[:, a : b + 1].any(axis=1))[0]
            tall += int(len(down) > 0 and down[-1] - down[0] + 1 >= SPLIT_RULE_RUN * glyph)
        if tall >= SPLIT_LINE_ROWS * len(cells):
            out[a : b + 1] = True
    return out


def _ruling_stretches(ink: np.ndarray, glyph: float) -> np.ndarray:
    """The ink (0/1) of a cell that is stretches of ruling (SPLIT_RULE_RUN): runs across or down at least
    SPLIT_RULE_RUN glyph heights long, in bands thinner than WORD_JOIN glyph heights (a ruling line is
    thinner than a glyph, as _pieces has it: a block of ink that thick is writing, a blot of bold print)."""
    n = max(3, int(round(SPLIT_RULE_RUN * glyph)))
    out = np.zeros_like(ink)
    for k, thick in (((n, 1), cv2.CC_STAT_HEIGHT), ((1, n), cv2.CC_STAT_WIDTH)):
        long = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, k))
        m, labels, stats, _ = cv2.connectedComponentsWithStats(long, connectivity=8)
        thin = stats[:, thick] < WORD_JOIN * glyph
        thin[0] = False
        out |= thin[labels].astype(ink.dtype)
    return out


SPLIT_HEADER_WORD = WORD_JOIN
"""A column split on its rows' text alone (column_gap's header_word; pipeline.page.extract.
split_unidentified_columns: a header misread, no field given) is not split at a gap that one word of its
header stands across, its characters joined across this many glyph heights (the word join): a ruled
register prints one header word per column, centred in its cell, so a gap under one word is inside that
word's column. A 1-bit threshold that thins a date's strokes breaks it where its separators were (2018 |
5-26), at the same place in every row: the column 撒海日期, its header misread (岩每日期) and its cells
read broken, was split there and the year's half given no field (fresh typed 3334 as the harsher bilevel
copy c, 04_sea_burial_laizhou_2018 page 3). Two fields' values under one cell whose line is missing
stand under their own header words, apart (a header read as two fields' headers splits as before).
Source: a ruled register's header row, one word per column."""


def _word_spans(ink: np.ndarray, glyph: float) -> list[tuple[int, int]]:
    """x spans of the words of a line of ink (0/1): its characters joined across SPLIT_HEADER_WORD glyph
    heights."""
    st = _word_components(ink, glyph, SPLIT_HEADER_WORD)
    return [(int(x), int(x + w - 1)) for x, w, area in st[:, [0, 2, 4]] if area >= MIN_TEXT_PIXELS]


SPLIT_SIDE_TEXT = LONE_SPECK
"""A side of a gap inside a column (column_gap) holds a row's text only where that row's ink there spans at
least this many glyph heights: a character is as wide as it is tall, give or take half (LONE_SPECK). A
stretch of ruling is a few pixels wide: on a 1-bit scan the column line beside a cell, broken and leaning
a few pixels over the page (the scan's skew), stands inside the cell's crop in most rows, and the paper
between it and the writing was taken for the gap of a missing ruling line (fresh county_editions seed 3334
as 1-bit copy b by bench/stress_scans.py, 01_cremation_haiyang_2011 pages 1 and 3: the agent's-name
column, a 3 px stretch at its edge in 11 of 13 rows). Source: the shape of glyphs and how a 1-bit
threshold renders pale ruling."""


def _text_beside(inked: np.ndarray, g: float) -> bool:
    """Whether a row's ink columns (bool) on one side of a gap span a character (SPLIT_SIDE_TEXT)."""
    on = np.nonzero(inked)[0]
    return len(on) > 0 and int(on[-1] - on[0] + 1) >= SPLIT_SIDE_TEXT * g


def with_column(grid: Grid, x: int) -> Grid:
    """The grid with a vertical line put in at x (a missing ruling line found by column_gap)."""
    cols = sorted(set(grid.cols) | {int(x)})
    at = cols.index(int(x))
    shifted = tuple(i + 1 if i >= at else i for i in grid.inferred_cols)
    # the column split keeps its own row lines on both sides of the new line
    col_rows = grid.col_rows[:at] + grid.col_rows[at - 1 :] if grid.col_rows and at > 0 else grid.col_rows
    return replace(grid, cols=tuple(cols), inferred_cols=tuple(sorted(shifted + (at,))), col_rows=col_rows)
